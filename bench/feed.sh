#!/usr/bin/env bash
# The change feed's benchmark (docs/api.md §3.10, bench/README.md#the-change-feed):
#
#   bash bench/feed.sh                       # 100,000 events, 10 s per case
#   FEED_EVENTS=20000 BENCH_SECONDS=5 bash bench/feed.sh
#
# A throwaway cluster; customers.save loads FEED_EVENTS customers (one event
# each) into tenant bench. Then, with pgbench -c 2 for BENCH_SECONDS each:
# - save of 100 new customers (their events included) against a raw
#   INSERT … ON CONFLICT of the same rows into customers.customer, and against
#   that INSERT plus a raw INSERT of one event row per customer (what the
#   feed adds, at its cheapest): rows/s and ratios;
# - one consumer reading the whole feed in pages of 1,000 from the start,
#   each page resumed from the previous page's cursor, as an ordinary role:
#   events/s.
# Prints a table and writes it to BENCH_RESULTS/feed.csv. It fails only when
# something does not work; times are reported, never asserted.
set -euo pipefail
cd "$(dirname "$0")/.."

EVENTS=${FEED_EVENTS:-100000}
SECS=${BENCH_SECONDS:-10}
OUT=${BENCH_RESULTS:-bench/results}

# shellcheck source=bench/common.sh
source bench/common.sh
bench_install
bench_cluster_start
mkdir -p "$OUT"

bench_app_setup postgres bench bench/setup.sql
sql -c "CREATE SEQUENCE bench.event_raw_id"

echo "== load $EVENTS customers through customers.save" >&2
bench_load postgres "$EVENTS" "$WORK" >/dev/null
sql -c "VACUUM (ANALYZE) customers.customer, customers.event"

# One pgbench case: name, role, SQL; transactions per second to $WORK/name.tps
run_case() {
	bench_tps "$WORK/$1" "$2" postgres "$3" "$SECS"
	echo "  $1: $(cat "$WORK/$1.tps") tps" >&2
}

echo "== save, batches of 100 new customers" >&2
PGOPTIONS='-c customers.tenant_id=bench_save' run_case save_ext bench_app \
	"SELECT customers.save(request) ->> 'result' FROM bench.save_request;"
run_case save_raw postgres \
	"INSERT INTO customers.customer (tenant_id, id, name, email, business_name, status, created_at, updated_at, version, doc) SELECT 'bench_save', id, name, email, business_name, status, now(), now(), version, doc FROM (SELECT 'cus_raw' || nextval('bench.raw_id') AS id, * FROM bench.raw_rows) AS r ON CONFLICT DO NOTHING;"
run_case save_raw_events postgres \
	"WITH c AS (INSERT INTO customers.customer (tenant_id, id, name, email, business_name, status, created_at, updated_at, version, doc) SELECT 'bench_save', id, name, email, business_name, status, now(), now(), version, doc FROM (SELECT 'cus_rawe' || nextval('bench.event_raw_id') AS id, * FROM bench.raw_rows) AS r ON CONFLICT DO NOTHING RETURNING id, doc) INSERT INTO customers.event (tenant_id, xid, id, type, object_id, customer_id, version, actor, created_at, changed_fields, data) SELECT 'bench_save', pg_current_xact_id(), 'evt_' || c.id, 'customer.created', c.id, c.id, 1, 'bench', now(), '{name}', c.doc FROM c;"

echo "== one consumer reads the feed from the start, pages of 1,000" >&2
cat >"$WORK/read.sql" <<-'SQL'
	DO $$
	DECLARE
		r jsonb;
		request jsonb := '{"limit": 1000}';
		n bigint := 0;
		got int;
		started timestamptz := clock_timestamp();
	BEGIN
		LOOP
			r := customers.events(request);
			got := jsonb_array_length(r -> 'data');
			EXIT WHEN got = 0;
			n := n + got;
			request := jsonb_build_object('limit', 1000, 'cursor', r -> 'cursor' -> 'after');
		END LOOP;
		RAISE NOTICE 'read % events in % s: % events/s', n,
			round(extract(epoch FROM clock_timestamp() - started)::numeric, 2),
			round(n / extract(epoch FROM clock_timestamp() - started));
	END
	$$;
SQL
# twice: the second read finds the events in shared buffers, as a consumer
# that follows the feed closely does; the second is reported
sql -U bench_app -f "$WORK/read.sql" >/dev/null 2>&1
read_out=$(sql -U bench_app -f "$WORK/read.sql" 2>&1)
echo "  $read_out" >&2
read_rate=$(sed -n 's/.*: \([0-9]*\) events\/s/\1/p' <<<"$read_out")
[[ -n $read_rate ]] || { echo "bench: reading the feed failed" >&2; exit 1; }

rows() { awk -v t="$(cat "$WORK/$1.tps")" 'BEGIN { printf "%.0f", t * 100 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
{
	echo "case,value,peer,peer_value,ratio,bar"
	echo "save batches of 100 with events (rows/s),$(rows save_ext),INSERT ON CONFLICT,$(rows save_raw),$(ratio "$(rows save_ext)" "$(rows save_raw)"),>= 0.5"
	echo "raw INSERT plus one event row each (rows/s),$(rows save_raw_events),INSERT ON CONFLICT,$(rows save_raw),$(ratio "$(rows save_raw_events)" "$(rows save_raw)"),"
	echo "one consumer reading the feed (events/s),$read_rate,,,,>= 10000"
} >"$OUT/feed.csv"
awk -F, '{ printf "%-46s %10s  %-18s %10s %6s  %s\n", $1, $2, $3, $4, $5, $6 }' "$OUT/feed.csv"
echo "wrote $OUT/feed.csv"
