#!/usr/bin/env bash
# The benchmark of docs/api.md §8: the extension against hand-written SQL, in
# one run (bench/README.md).
#
#   bash bench/run.sh                      # 1,000,000 customers, 10 s per case
#   BENCH_ROWS=100000 BENCH_SECONDS=5 bash bench/run.sh
#   BENCH_PG=18 bash bench/run.sh          # on another major (default 15, or PG_BINDIR)
#
# Builds and installs the extension, starts a throwaway cluster
# (scripts/cluster.sh), loads BENCH_ROWS seed-shaped customers through
# customers.save in batches of 1000 (two loaders), and a second database with
# 10,000, then runs pgbench (2 clients, 2 threads, prepared statements) for
# each case, one case after the other. The extension is called by bench_app,
# an ordinary role (not superuser, not owner, row level security in force);
# the hand-written SQL runs as the superuser that owns the tables, the
# fastest it can be. Prints one table of medians and ratios, and writes
# summary.csv, depth.csv and page_latency.png to BENCH_RESULTS
# (default bench/results). Times are reported, never asserted: the run fails
# only when something does not work (a save or a query fails, the extension's
# page differs from the hand-written one).
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=${BENCH_ROWS:-1000000}
SECS=${BENCH_SECONDS:-10}
OUT=${BENCH_RESULTS:-bench/results}
SMALL_ROWS=$((ROWS < 10000 ? ROWS : 10000))
((ROWS >= 2000)) || { echo "bench: BENCH_ROWS must be at least 2000" >&2; exit 1; }

# shellcheck source=bench/common.sh
source bench/common.sh
bench_install
bench_cluster_start "work_mem = '16MB'"

mkdir -p "$OUT"

app_sql() { sql -U bench_app "$@"; }

bench_app_setup postgres bench bench/setup.sql
sql -c "GRANT SELECT ON pg_catalog.pg_backend_memory_contexts TO bench_app" \
	-c "GRANT EXECUTE ON FUNCTION pg_catalog.pg_get_backend_memory_contexts() TO bench_app" \
	-c "CREATE DATABASE bench_small"
bench_app_setup bench_small bench bench/setup.sql

echo "== load" >&2
LOAD_RATE=$(bench_load postgres "$ROWS" "$WORK")
bench_load bench_small "$SMALL_ROWS" "$WORK" >/dev/null

# One case: name, role, database, SQL (bench_case in common.sh): median
# latency (ms) to $WORK/name.median, calls per second to $WORK/name.tps.
run_case() {
	bench_case "$WORK/$1" "$2" "$3" "$4" "$SECS"
	echo "  $1: median $(cat "$WORK/$1.median") ms, $(cat "$WORK/$1.tps") tps" >&2
}
median() { cat "$WORK/$1.median"; }
tps() { cat "$WORK/$1.tps"; }

# The page request at a depth, and the hand-written SQL returning the same
# documents: keyset from the row before, json_agg of the stored documents.
page_call() {
	local token=$1
	if [[ -z $token ]]; then
		echo "SELECT customers.query('$(sql -c "SELECT bench.page_request()")');"
	else
		echo "SELECT customers.query('$(sql -c "SELECT bench.page_request('$token')")');"
	fi
}
floor_sql() { # $1: keyset condition
	echo "SELECT json_agg(doc ORDER BY name, id) FROM (SELECT name, id, doc FROM customers.customer" \
		"WHERE tenant_id = 'bench' AND status = 'ACTIVE'$1 ORDER BY name, id LIMIT 50) AS s;"
}
offset_sql() {
	echo "SELECT json_agg(doc ORDER BY name, id) FROM (SELECT name, id, doc FROM customers.customer" \
		"WHERE tenant_id = 'bench' AND status = 'ACTIVE' ORDER BY name, id OFFSET $1 LIMIT 50) AS s;"
}

# Depths of the page case: first, quarter, middle, three quarters, last full page
# (0 / 250k / 500k / 750k / 999k of 1,000,000).
DEPTHS=(0 $((ROWS / 4)) $((ROWS / 2)) $((ROWS * 3 / 4)) $((ROWS - 1000)))
MIDDLE=$((ROWS / 2))

echo "== page of 50, NAME ASC, status filter" >&2
# warm-up, untimed: the first reads after the load
pgbench -n -M prepared -c 2 -j 2 -T 3 -U bench_app -f <(page_call "") postgres >/dev/null
echo "depth,extension_ms,floor_ms,offset_ms" >"$OUT/depth.csv"
for depth in "${DEPTHS[@]}"; do
	token=""
	keyset=""
	if ((depth > 0)); then
		token=$(app_sql -c "SELECT bench.cursor_at($depth)")
		keyset=$(sql -c "SELECT format(' AND (name, id) > (%L, %L)', name, id) FROM customers.customer
			WHERE tenant_id = 'bench' AND status = 'ACTIVE' ORDER BY name, id OFFSET $((depth - 1)) LIMIT 1")
	fi
	ext=$(page_call "$token")
	floor=$(floor_sql "$keyset")
	# the extension's page is the hand-written page, document for document
	same=$(sql -c "SET customers.tenant_id = 'bench'" \
		-c "SELECT (${ext%;} -> 'data') = coalesce((${floor%;})::jsonb, '[]')")
	[[ $same == t ]] || { echo "bench: the page at depth $depth differs from the floor's" >&2; exit 1; }
	run_case "page_ext_$depth" bench_app postgres "$ext"
	run_case "page_floor_$depth" postgres postgres "$floor"
	run_case "page_offset_$depth" postgres postgres "$(offset_sql "$depth")"
	echo "$depth,$(median "page_ext_$depth"),$(median "page_floor_$depth"),$(median "page_offset_$depth")" \
		>>"$OUT/depth.csv"
	if ((depth == MIDDLE)); then MIDDLE_TOKEN=$token; fi
done

echo "== the same page with $SMALL_ROWS customers" >&2
small_token=$(app_sql -d bench_small -c "SELECT bench.cursor_at($((SMALL_ROWS / 2)))")
run_case page_small bench_app bench_small "$(page_call "$small_token")"

echo "== contain on name, sorted by name" >&2
for pattern in zephyr corp; do
	run_case "contain_ext_$pattern" bench_app postgres \
		"SELECT customers.query('{\"limit\": 50, \"sort\": {\"orderBy\": \"NAME\"}, \"filter\": {\"name\": {\"contain\": \"$pattern\"}}}');"
	run_case "contain_sql_$pattern" postgres postgres \
		"SELECT json_agg(doc ORDER BY name, id) FROM (SELECT name, id, doc FROM customers.customer WHERE tenant_id = 'bench' AND name ILIKE '%$pattern%' AND status <> 'ARCHIVED' ORDER BY name, id LIMIT 50) AS s;"
done

echo "== get by id and by externalId" >&2
# 1000 customers from the middle of the id order are given an externalId
# (through patch, as bench_app); each call gets one of them at random.
sql -c "CREATE TABLE bench.get_keys AS SELECT row_number() OVER (ORDER BY id) AS n, id,
		pg_catalog.jsonb_build_object('externalId', 'ext-' || id)::text AS ref
	FROM (SELECT id FROM customers.customer WHERE tenant_id = 'bench' ORDER BY id
		  OFFSET $((ROWS / 2)) LIMIT 1000) AS s" \
	-c "ALTER TABLE bench.get_keys ADD PRIMARY KEY (n)" -c "GRANT SELECT ON bench.get_keys TO bench_app"
app_sql -c "SELECT count(customers.patch(id, jsonb_build_object('externalId', 'ext-' || id))) FROM bench.get_keys" >/dev/null
GET_KEY="FROM bench.get_keys WHERE n = (SELECT 1 + (pg_catalog.random() * 999)::int)"
run_case get_id bench_app postgres "SELECT customers.get(id) $GET_KEY;"
run_case get_external_id bench_app postgres "SELECT customers.get(ref) $GET_KEY;"

echo "== save, batches of 100 new customers (tenant bench_save)" >&2
PGOPTIONS='-c customers.tenant_id=bench_save' run_case save_ext bench_app postgres \
	"SELECT customers.save(request) ->> 'result' FROM bench.save_request;"
run_case save_raw postgres postgres \
	"INSERT INTO customers.customer (tenant_id, id, name, email, business_name, status, created_at, updated_at, version, doc) SELECT 'bench_save', id, name, email, business_name, status, now(), now(), version, doc FROM (SELECT 'cus_raw' || nextval('bench.raw_id') AS id, * FROM bench.raw_rows) AS r ON CONFLICT DO NOTHING;"
raw_inserted=$(sql -c "SELECT count(*) FROM customers.customer WHERE tenant_id = 'bench_save' AND id LIKE 'cus_raw%'")
raw_calls=$(sql -c "SELECT last_value FROM bench.raw_id")
((raw_inserted == raw_calls)) || { echo "bench: the raw INSERT skipped rows ($raw_inserted of $raw_calls)" >&2; exit 1; }
history=$(sql -c "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = 'customers' AND (tablename LIKE '%history%' OR tablename = 'event')")

echo "== backend memory over 10,000 query calls" >&2
{
	echo "\\o /dev/null"
	for ((i = 0; i < 10100; i++)); do
		case $((i % 4)) in
		0) page_call "" ;;
		1) page_call "$MIDDLE_TOKEN" ;;
		2) echo "SELECT customers.query('{\"limit\": 50, \"sort\": {\"orderBy\": \"NAME\"}, \"filter\": {\"name\": {\"contain\": \"zephyr\"}}}');" ;;
		3) echo "SELECT customers.query('{\"limit\": 20, \"sort\": {\"orderBy\": \"EMAIL\", \"direction\": \"DESC\"}, \"filter\": {\"name\": {\"contain\": \"corp\"}}}');" ;;
		esac
		if ((i == 99)); then
			echo "\\o"
			echo "SELECT sum(total_bytes) FROM pg_catalog.pg_backend_memory_contexts;"
			echo "\\o /dev/null"
		fi
	done
	echo "\\o"
	echo "SELECT sum(total_bytes) FROM pg_catalog.pg_backend_memory_contexts;"
} >"$WORK/memory.sql"
mapfile -t mem < <(app_sql -f "$WORK/memory.sql")
MEM_GROWTH=$((mem[1] - mem[0]))
echo "  backend memory: ${mem[0]} bytes after 100 calls, ${mem[1]} after 10,100 calls" >&2

# --- the table ---------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
verdict() { awk -v v="$1" -v op="$2" -v bar="$3" 'BEGIN {
	ok = (op == "<=") ? (v <= bar) : (v >= bar); print ok ? "met" : "MISSED" }'; }
{
	echo "case,extension,peer,peer_value,ratio,bar,verdict"
	for depth in 0 "$MIDDLE" "$((ROWS - 1000))"; do
		r=$(ratio "$(median "page_ext_$depth")" "$(median "page_floor_$depth")")
		echo "page at depth $depth (ms),$(median "page_ext_$depth"),floor,$(median "page_floor_$depth"),$r,<= 1.25,$(verdict "$r" "<=" 1.25)"
	done
	r=$(ratio "$(median "page_offset_$MIDDLE")" "$(median "page_ext_$MIDDLE")")
	echo "page at depth $MIDDLE vs OFFSET (ms),$(median "page_ext_$MIDDLE"),OFFSET,$(median "page_offset_$MIDDLE"),$r,>= 500,$(verdict "$r" ">=" 500)"
	r=$(ratio "$(median "page_ext_$((ROWS - 1000))")" "$(median page_ext_0)")
	echo "page flat: depth $((ROWS - 1000)) vs 0 (ms),$(median "page_ext_$((ROWS - 1000))"),depth 0,$(median page_ext_0),$r,<= 1.25,$(verdict "$r" "<=" 1.25)"
	for pattern in zephyr corp; do
		v=$(median "contain_ext_$pattern")
		echo "contain \"$pattern\" sorted by name (ms),$v,plain SQL,$(median "contain_sql_$pattern"),$(ratio "$v" "$(median "contain_sql_$pattern")"),<= 10 ms,$(verdict "$v" "<=" 10)"
	done
	r=$(ratio "$(median get_external_id)" "$(median get_id)")
	echo "get by externalId (ms),$(median get_external_id),get by id,$(median get_id),$r,<= 1.25,$(verdict "$r" "<=" 1.25)"
	ext_rows=$(awk -v t="$(tps save_ext)" 'BEGIN { printf "%.0f", t * 100 }')
	raw_rows=$(awk -v t="$(tps save_raw)" 'BEGIN { printf "%.0f", t * 100 }')
	r=$(ratio "$ext_rows" "$raw_rows")
	echo "save batches of 100 (rows/s; history and event tables: $history),$ext_rows,INSERT ON CONFLICT,$raw_rows,$r,>= 0.5,$(verdict "$r" ">=" 0.5)"
	r=$(ratio "$(median "page_ext_$MIDDLE")" "$(median page_small)")
	echo "page at $ROWS vs $SMALL_ROWS rows (ms),$(median "page_ext_$MIDDLE"),$SMALL_ROWS rows,$(median page_small),$r,<= 1.5,$(verdict "$r" "<=" 1.5)"
	echo "backend memory growth over 10000 calls (bytes),$MEM_GROWTH,,,,<= 1048576,$(verdict "$MEM_GROWTH" "<=" 1048576)"
	echo "load through customers.save (rows/s),$LOAD_RATE,,,,,"
} >"$OUT/summary.csv"

echo
echo "customers benchmark: $ROWS customers, $SECS s per case, 2 clients ($(nproc) cores, $(free -g | awk '/^Mem:/ { print $2 }') GB)"
awk -F, '{ printf "%-48s %12s  %-18s %12s %8s  %-11s %s\n", $1, $2, $3, $4, $5, $6, $7 }' "$OUT/summary.csv"

gnuplot -e "depth_csv='$OUT/depth.csv'; out='$OUT/page_latency.png'; rows=$ROWS" bench/plot.gp
echo "wrote $OUT/summary.csv, $OUT/depth.csv, $OUT/page_latency.png"
