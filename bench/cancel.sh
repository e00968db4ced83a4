#!/usr/bin/env bash
# How soon cancel and statement_timeout end a long call (issue 15,
# bench/README.md#cancel-latency):
#
#   bash bench/cancel.sh                                  # every case
#   CANCEL_SCALE=small bash bench/cancel.sh               # smaller inputs (.ci/run)
#
# A throwaway cluster. Each case is one call as bench_app that runs long on
# a big input. It is timed once uncancelled (its duration D), then started
# CANCEL_TRIES times and cancelled at spread points of D: a second session
# calls pg_cancel_backend() and, in the same DO block, polls
# pg_stat_activity every 0.2 ms until the call's backend is no longer
# active, on the server's clock (the latency: cancel sent to call ended).
# Then statement_timeout at the same points: the call's elapsed time, on
# the server's clock, less the timeout. Every cancelled call must end in
# 57014. Writes BENCH_RESULTS/cancel.csv (case, its input, D, then the
# latencies in ms: median and largest of the cancels, median and largest of
# the timeouts). Times are reported, never asserted.
set -euo pipefail
cd "$(dirname "$0")/.."

SCALE=${CANCEL_SCALE:-full}
TRIES=${CANCEL_TRIES:-5}
OUT=${BENCH_RESULTS:-bench/results}
if [[ $SCALE == small ]]; then
	FAT=20 SAVE_KB=16 SEGMENTS=20 DEEP=20 ROWS=2000 HISTORY=20 ERRORS=10
else
	FAT=250 SAVE_KB=64 SEGMENTS=200 DEEP=200 ROWS=20000 HISTORY=250 ERRORS=16
fi

# shellcheck source=bench/common.sh
source bench/common.sh
bench_install
bench_cluster_start
mkdir -p "$OUT"

bench_app_setup postgres bench bench/setup.sql bench/memory_setup.sql

echo "== load $ROWS customers, $FAT of about 250 kB (one with $HISTORY versions), $DEEP holding 100 segments at depth 32, $((SEGMENTS * 1000)) segments" >&2
bench_load postgres "$ROWS" "$WORK" >/dev/null
bench_fat_load "$FAT" "$WORK"
PGOPTIONS="-c customers.tenant_id=fat" sql -c "SELECT count(customers.patch(c.id, jsonb_build_object('name', 'Version ' || v)))
	FROM (SELECT id FROM customers.customer WHERE tenant_id = 'fat' ORDER BY id LIMIT 1) AS c,
		generate_series(2, $HISTORY) AS v" >/dev/null
sql -c "SELECT memory.make_deep_tenant($DEEP)" -c "SELECT memory.make_tree_tenant($SEGMENTS * 10)" >/dev/null
sql -c "CREATE TABLE memory.requests AS SELECT memory.save_request(1000, $SAVE_KB) AS save,
	memory.save_request(1000, 1) AS import, memory.errors_request($ERRORS) AS errors" \
	-c "GRANT SELECT ON memory.requests TO bench_app" -c "VACUUM (ANALYZE)" >/dev/null
history_id=$(sql -c "SELECT object_id FROM customers.event WHERE tenant_id = 'fat' AND version = $HISTORY")

# timed STATEMENT [TIMEOUT_MS]: the statement's elapsed time in ms on the
# server's clock, less TIMEOUT_MS (a statement_timeout set for it), as
# bench_app in a transaction rolled back after it; its error to stderr
timed() {
	sql -U bench_app -v ON_ERROR_STOP=0 -f - <<-SQL | tail -1
		BEGIN;
		SET LOCAL statement_timeout = '${2:-0}ms';
		SELECT clock_timestamp() AS t0 \gset
		$1 \g /dev/null
		ROLLBACK;
		SELECT round((extract(epoch FROM clock_timestamp() - :'t0') * 1000 - ${2:-0})::numeric, 1);
	SQL
}

# measure CASE TENANT INPUT STATEMENT: one line of cancel.csv
measure() {
	local name=$1 tenant=$2 input=$3 statement=$4 dir=$WORK/cancel-$1 d i at ms pid lat cancels=() timeouts=()
	mkdir -p "$dir"
	chmod 777 "$dir"
	export PGOPTIONS="-c customers.tenant_id=$tenant"
	# warm, then timed
	timed "$statement" >/dev/null
	d=$(timed "$statement")
	for ((i = 1; i <= TRIES; i++)); do
		# over the first 80 %: a call may run faster than it was timed
		at=$(awk -v d="$d" -v i="$i" -v n="$TRIES" 'BEGIN { printf "%.3f", 0.8 * d * (i - 0.5) / n / 1000 }')
		# the call, in the background, in a transaction rolled back after it
		# (its pause lets the other session be watching when it starts)
		sql -U bench_app -c "BEGIN" -c "SELECT pg_backend_pid()" -c "SELECT pg_sleep(0.3)" \
			-c "$statement" -c "ROLLBACK" \
			>"$dir/call$i.out" 2>"$dir/call$i.err" &
		pid=""
		while [[ -z $pid ]]; do
			sleep 0.01
			pid=$(sed -n 1p "$dir/call$i.out" 2>/dev/null)
		done
		lat=$(sql -c "DO \$\$
			DECLARE
				t0 timestamptz;
			BEGIN
				-- wait for the call to start, then for the point of it to cancel at
				t0 := clock_timestamp();
				LOOP
					PERFORM pg_stat_clear_snapshot();
					EXIT WHEN EXISTS (SELECT FROM pg_stat_activity WHERE pid = $pid AND state = 'active'
						AND query NOT LIKE '%pg_backend_pid%' AND query NOT LIKE '%pg_sleep%');
					IF clock_timestamp() > t0 + interval '30 s' THEN
						RAISE NOTICE 'the call did not start';
						RETURN;
					END IF;
					PERFORM pg_sleep(0.0002);
				END LOOP;
				PERFORM pg_sleep($at);
				t0 := clock_timestamp();
				PERFORM pg_cancel_backend($pid);
				LOOP
					PERFORM pg_stat_clear_snapshot();
					EXIT WHEN NOT EXISTS (SELECT FROM pg_stat_activity WHERE pid = $pid AND state = 'active');
					PERFORM pg_sleep(0.0002);
				END LOOP;
				RAISE NOTICE 'latency %', extract(epoch FROM clock_timestamp() - t0) * 1000;
			END \$\$" 2>&1 | sed -n 's/.*latency \([0-9.]*\).*/\1/p' | tail -1) || true
		wait $! || true
		if ! grep -q 'canceling statement due to user request' "$dir/call$i.err"; then
			# ended before the cancel came: no latency to report
			echo "bench: $name: call $i was not cancelled at ${at}s ($(head -c 200 "$dir/call$i.err"))" >&2
			continue
		fi
		cancels+=("$lat")
		# statement_timeout at the same point
		ms=$(awk -v a="$at" 'BEGIN { printf "%d", a * 1000 }')
		lat=$(timed "$statement" "$ms" 2>"$dir/timeout$i.err") || true
		grep -q 'canceling statement due to statement timeout' "$dir/timeout$i.err" || {
			echo "bench: $name: call $i did not time out ($(head -c 200 "$dir/timeout$i.err"))" >&2
			continue
		}
		timeouts+=("$lat")
	done
	unset PGOPTIONS
	printf '%s\n' "${cancels[@]:-}" >"$dir/cancels"
	printf '%s\n' "${timeouts[@]:-}" >"$dir/timeouts"
	awk -v name="$name" -v input="$input" -v d="$d" '
		function stats(file,   n, v, a, i, j, t) {
			n = 0
			while ((getline v < file) > 0) if (v != "") a[++n] = v + 0
			for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
			return n == 0 ? "," : sprintf("%.1f,%.1f", a[int((n + 1) / 2)], a[n])
		}
		BEGIN { printf "%s,\"%s\",%.0f,%s,%s\n", name, input, d, stats(ARGV[1]), stats(ARGV[2]) }' \
		"$dir/cancels" "$dir/timeouts"
}

{
	echo "case,input,duration_ms,cancel_median_ms,cancel_max_ms,timeout_median_ms,timeout_max_ms"
	measure save bench_save "1000 items of $SAVE_KB kB" "SELECT customers.save(save) ->> 'result' FROM memory.requests"
	measure import bench_import "1000 items of 1 kB" "SELECT customers.save(import) ->> 'result' FROM memory.requests"
	measure save_errors bench_save "$ERRORS items of 20000 unrecognized fields" \
		"SELECT customers.save(errors) ->> 'result' FROM memory.requests"
	measure query_250kB fat "limit $((FAT < 200 ? FAT : 200)) of 250 kB" \
		"SELECT pg_column_size(customers.query('{\"limit\": $((FAT < 200 ? FAT : 200))}'))"
	measure query_250kB_text fat "limit $((FAT < 200 ? FAT : 200)) of 250 kB, as text" \
		"SELECT octet_length(customers.query('{\"limit\": $((FAT < 200 ? FAT : 200))}')::text)"
	measure expand deep "limit 20, 100 chains of 32" \
		"SELECT pg_column_size(customers.query('{\"limit\": 20, \"filter\": {\"classSegments\": {\"expand\": true}}}'))"
	measure events fat "limit $((FAT < 200 ? FAT : 200)) of 250 kB" \
		"SELECT pg_column_size(customers.events('{\"limit\": $((FAT < 200 ? FAT : 200))}'))"
	measure history fat "$HISTORY versions of 250 kB" \
		"SELECT pg_column_size(customers.history('$history_id', '{\"limit\": $HISTORY}'))"
	measure count bench "$ROWS customers, search with count" \
		"SELECT customers.query('{\"limit\": 1, \"count\": {\"upTo\": 10000}, \"filter\": {\"search\": \"acme co\"}}') -> 'count'"
	measure class_segments tree "$((SEGMENTS * 1000)) segments" \
		"SELECT pg_column_size(customers.class_segments())"
} | tee "$OUT/cancel.csv"
echo "wrote $OUT/cancel.csv" >&2
