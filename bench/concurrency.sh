#!/usr/bin/env bash
# The concurrency curve (bench/README.md): mixed save, patch and query
# throughput at 1, 2, 4, 8 and 16 clients, the extension against
# hand-written SQL doing the same writes and reads, with every client in one
# tenant and with the clients spread over 16 tenants.
#
#   bash bench/concurrency.sh                        # 100,000 customers, 10 s per point
#   CONC_ROWS=20000 CONC_SECONDS=5 bash bench/concurrency.sh
#   CONC_CLIENTS="1 4 16" bash bench/concurrency.sh
#
# Loads CONC_ROWS customers of seed 000's shape into tenant "bench" and as
# many again over tenants m1 .. m16, through customers.save. Each pgbench
# transaction is one call, drawn at random: 10 % save 10 new customers,
# 30 % patch a random customer's city, 60 % the first page of 50 by name.
# The extension runs as bench_app (row level security in force; with many
# tenants each transaction first sets its client's tenant, as an
# application does); the hand-written SQL, as the tables' owner, inserts
# the same 10 rows (as stored by the extension once, under new ids),
# updates the city, version and time of the customer, and reads the page
# with json_agg: the same rows written and read, without history rows or
# notifications. The server logs every lock wait past 50 ms
# (log_lock_waits); the run counts them by what was waited for, so a lock
# that serializes writers shows. Writes BENCH_RESULTS/concurrency.csv
# (default bench/results). Times are reported, never asserted.
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=${CONC_ROWS:-100000}
SECS=${CONC_SECONDS:-10}
CLIENTS=${CONC_CLIENTS:-1 2 4 8 16}
TENANTS=16
PER_TENANT=$((ROWS / TENANTS))
OUT=${BENCH_RESULTS:-bench/results}
((PER_TENANT >= 100)) || { echo "bench: CONC_ROWS must be at least $((TENANTS * 100))" >&2; exit 1; }

# shellcheck source=bench/common.sh
source bench/common.sh
bench_install
bench_cluster_start "log_lock_waits = on" "deadlock_timeout = '50ms'"

mkdir -p "$OUT"

bench_app_setup postgres bench bench/setup.sql
echo "== load $ROWS customers into one tenant and $ROWS over $TENANTS" >&2
bench_load postgres "$ROWS" "$WORK" >/dev/null
for ((t = 1; t <= TENANTS; t++)); do
	PGOPTIONS="-c customers.tenant_id=m$t" bench_load postgres "$PER_TENANT" "$WORK" >/dev/null 2>&1
done
# the customers a patch picks from (n = 1 .. rows of the tenant), and the
# save request of 10 new customers
sql -f - >/dev/null <<-SQL
	CREATE TABLE bench.conc_keys AS
	SELECT tenant_id AS tenant, row_number() OVER (PARTITION BY tenant_id ORDER BY id) AS n, id
	FROM customers.customer WHERE tenant_id = 'bench' OR tenant_id LIKE 'm%';
	ALTER TABLE bench.conc_keys ADD PRIMARY KEY (tenant, n);
	CREATE TABLE bench.conc_save AS SELECT bench.batch(3000000001, 10) AS request;
	GRANT SELECT ON bench.conc_keys, bench.conc_save TO bench_app;
	VACUUM (ANALYZE) bench.conc_keys;
SQL

# The two scripts of a mode: $1 one or many
write_scripts() {
	local tenant keys set_tenant=""
	if [[ $1 == one ]]; then
		tenant="'bench'"
		keys=$ROWS
	else
		tenant="'m' || :t"
		keys=$PER_TENANT
		set_tenant="SELECT pg_catalog.set_config('customers.tenant_id', $tenant, false);"
	fi
	cat >"$WORK/ext_$1.sql" <<-SCRIPT
		\\set op random(1, 10)
		\\set t 1 + :client_id % $TENANTS
		\\set k random(1, $keys)
		$set_tenant
		\\if :op = 1
		SELECT customers.save(request) ->> 'result' FROM bench.conc_save;
		\\elif :op <= 4
		SELECT customers.patch(id, '{"address": {"city": "Oakland"}}') ->> 'version' FROM bench.conc_keys WHERE tenant = $tenant AND n = :k;
		\\else
		SELECT customers.query(bench.page_request()) -> 'data' -> 0 ->> 'id';
		\\endif
	SCRIPT
	cat >"$WORK/sql_$1.sql" <<-SCRIPT
		\\set op random(1, 10)
		\\set t 1 + :client_id % $TENANTS
		\\set k random(1, $keys)
		\\if :op = 1
		INSERT INTO customers.customer (tenant_id, id, name, email, business_name, status, created_at, updated_at, version, doc) SELECT $tenant, 'cus_raw' || pg_catalog.nextval('bench.raw_id'), name, email, business_name, status, now(), now(), version, doc FROM bench.raw_rows LIMIT 10;
		\\elif :op <= 4
		UPDATE customers.customer SET doc = jsonb_set(doc, '{address,city}', '"Oakland"'), version = version + 1, updated_at = now() WHERE tenant_id = $tenant AND id = (SELECT id FROM bench.conc_keys WHERE tenant = $tenant AND n = :k) RETURNING version;
		\\else
		SELECT (json_agg(doc ORDER BY name, id) -> 0) ->> 'id' FROM (SELECT name, id, doc FROM customers.customer WHERE tenant_id = $tenant AND status = 'ACTIVE' ORDER BY name, id LIMIT 50) AS s;
		\\endif
	SCRIPT
}

# Lock waits logged so far, by what was waited for ("ShareLock on
# transaction", "AccessExclusiveLock on object of class 1262", ...)
lock_waits() {
	sed -E -n 's/.*still waiting for ([A-Za-z]+) on (object [0-9]+ of class [0-9]+|[a-z]+).*/\1 on \2/p' \
		"$CLUSTER_DIR/server.log" | sort | uniq -c |
		awk '{ n = $1; $1 = ""; printf "%s%s: %d", sep, substr($0, 2), n; sep = "; " }'
}

# One point: mode, clients, role, script; prints the calls per second
run_point() {
	local out=$WORK/$1_$2_$3.out jobs=$(($2 < 2 ? 1 : 2))
	pgbench -n -M prepared -c "$2" -j "$jobs" -T "$SECS" -U "$3" -f "$4" postgres >"$out" 2>&1 || {
		cat "$out" >&2
		exit 1
	}
	sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$out" | cut -d. -f1
}

echo "mode,clients,extension_calls_per_s,sql_calls_per_s,ratio,lock_waits" >"$OUT/concurrency.csv"
for mode in one many; do
	write_scripts "$mode"
	for c in $CLIENTS; do
		before=$(grep -c 'still waiting for' "$CLUSTER_DIR/server.log" || true)
		ext=$(run_point "$mode" "$c" bench_app "$WORK/ext_$mode.sql")
		waits=$(($(grep -c 'still waiting for' "$CLUSTER_DIR/server.log" || true) - before))
		raw=$(run_point "$mode" "$c" postgres "$WORK/sql_$mode.sql")
		ratio=$(awk -v a="$ext" -v b="$raw" 'BEGIN { printf "%.2f", a / b }')
		echo "$mode,$c,$ext,$raw,$ratio,$waits" | tee -a "$OUT/concurrency.csv" >&2
	done
done

echo
echo "mixed calls (10 % save of 10, 30 % patch, 60 % page of 50), $ROWS customers, $SECS s per point ($(nproc) cores)"
awk -F, 'NR == 1 { printf "%-8s %8s %16s %16s %8s %12s\n", "tenants", "clients", "extension/s", "SQL/s", "ratio", "lock waits"; next }
	{ printf "%-8s %8s %16s %16s %8s %12s\n", $1, $2, $3, $4, $5, $6 }' "$OUT/concurrency.csv"
echo "lock waits past 50 ms, by what was waited for (extension and SQL): $(lock_waits)"
echo "wrote $OUT/concurrency.csv"
