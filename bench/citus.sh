#!/usr/bin/env bash
# One call on Citus beside plain PostgreSQL (bench/README.md, "Citus"):
#
#   BENCH_ROWS=100000 BENCH_SECONDS=5 bash bench/citus.sh
#
# For each of plain PostgreSQL (scripts/cluster.sh) and a Citus coordinator
# with two workers (scripts/citus_cluster.sh, on the same machine): load
# BENCH_ROWS seed-shaped customers through customers.save (batches of 1000,
# two loaders, bench/setup.sql's customers), then pgbench (2 clients,
# prepared statements) for get, the page of 50 at depth 0 and the page at
# half the rows. Prints one table. Times are reported, never asserted.
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=${BENCH_ROWS:-100000}
SECS=${BENCH_SECONDS:-5}
PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
export PG_BINDIR

# shellcheck source=bench/common.sh
source bench/common.sh
bench_install
rc=0
bash scripts/citus.sh || rc=$?
((rc == 0)) || { echo "bench/citus.sh: needs Citus (scripts/citus.sh)" >&2; exit 1; }
# shellcheck source=scripts/citus_cluster.sh
source scripts/citus_cluster.sh
trap 'cluster_stop; citus_cluster_stop' EXIT

WORK=$(mktemp -d)
chmod 777 "$WORK"

# setup MODE: the extension, the fixtures and the application role
setup() {
	bench_app_setup "$PGDATABASE" bench
	if [[ $1 == citus ]]; then
		sql -c "SET client_min_messages = warning" -c "SELECT customers.distribute()" >/dev/null
	fi
	sql -f bench/setup.sql >/dev/null
}

# run_case NAME SQL: median latency (ms) and calls per second, as "median tps"
run_case() {
	bench_case "$WORK/$1" bench_app "$PGDATABASE" "$2" "$SECS"
	printf '%s %s\n' "$(cat "$WORK/$1.median")" "$(cut -d. -f1 "$WORK/$1.tps")"
}

# measure MODE: prints "load get_ms get_tps page0_ms page0_tps deep_ms deep_tps"
measure() {
	local mode=$1 rate token id get page0 deep
	setup "$mode"
	rate=$(bench_load "$PGDATABASE" "$ROWS" "$WORK")
	id=$(sql -c "SELECT id FROM customers.customer WHERE tenant_id = 'bench' ORDER BY id OFFSET $((ROWS / 2)) LIMIT 1")
	token=$(sql -U bench_app -c "SELECT bench.cursor_at($((ROWS / 2)))")
	# warm-up, untimed
	pgbench -n -M prepared -c 2 -j 2 -T 2 -U bench_app \
		-f <(echo "SELECT customers.query(bench.page_request());") "$PGDATABASE" >/dev/null
	get=$(run_case "$mode-get" "SELECT customers.get('$id');")
	page0=$(run_case "$mode-page0" "SELECT customers.query('$(sql -c "SELECT bench.page_request()")');")
	deep=$(run_case "$mode-deep" "SELECT customers.query('$(sql -c "SELECT bench.page_request('$token')")');")
	echo "$rate $get $page0 $deep"
}

echo "== plain PostgreSQL" >&2
cluster_start
plain=$(measure plain)
cluster_stop
echo "== Citus: a coordinator and two workers" >&2
citus_cluster_start
citus=$(measure citus)
citus_cluster_stop

read -r p_load p_get p_get_tps p_page p_page_tps p_deep p_deep_tps <<<"$plain"
read -r c_load c_get c_get_tps c_page c_page_tps c_deep c_deep_tps <<<"$citus"
cat <<-TABLE
	| $ROWS customers, 2 clients | PostgreSQL | Citus, 2 workers | Citus / PostgreSQL |
	|---|---:|---:|---:|
	| load through \`save\`, batches of 1,000, 2 loaders (rows/s) | $p_load | $c_load | $(awk -v a="$c_load" -v b="$p_load" 'BEGIN { printf "%.2f", a / b }') |
	| \`get\` (ms, median) | $p_get | $c_get | $(awk -v a="$c_get" -v b="$p_get" 'BEGIN { printf "%.2f", a / b }') |
	| \`get\` (calls/s) | $p_get_tps | $c_get_tps | $(awk -v a="$c_get_tps" -v b="$p_get_tps" 'BEGIN { printf "%.2f", a / b }') |
	| page of 50 at depth 0 (ms, median) | $p_page | $c_page | $(awk -v a="$c_page" -v b="$p_page" 'BEGIN { printf "%.2f", a / b }') |
	| page of 50 at depth $((ROWS / 2)) (ms, median) | $p_deep | $c_deep | $(awk -v a="$c_deep" -v b="$p_deep" 'BEGIN { printf "%.2f", a / b }') |
	| page at depth $((ROWS / 2)) (calls/s) | $p_deep_tps | $c_deep_tps | $(awk -v a="$c_deep_tps" -v b="$p_deep_tps" 'BEGIN { printf "%.2f", a / b }') |
TABLE
