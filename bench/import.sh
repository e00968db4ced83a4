#!/usr/bin/env bash
# The import curve (bench/README.md): rows/s against rows loaded, for an
# import of N customers through customers.save in one transaction, and in
# one transaction per batch.
#
#   bash bench/import.sh                            # 10,000, 30,000 and 100,000
#   IMPORT_ROWS="10000 1000000" bash bench/import.sh
#   IMPORT_TX=one bash bench/import.sh              # only in one transaction
#
# For each N: a fresh database (empty tables, so the kept plans of the
# loading session are made on an empty table), two class labels with a
# three-level segment tree, then one bench_app session (an ordinary role)
# saves customers 1..N of seed 000's shape, each with an externalId, emails
# and two segments, in batches of 1,000, all in one transaction ("one"), or
# each batch in a transaction of its own ("many"). Every tenth of the way it
# prints the rows loaded, the rate so far and over the last tenth, and the
# rows the session's scans read per customer saved (sequential plus index
# fetches over the extension's tables: pg_stat_user_tables after a flush
# plus pg_stat_xact_user_tables). That count does not depend on how busy the machine
# is: it stays flat when the import is linear and grows with the table when
# a statement scans it. Writes BENCH_RESULTS/import.csv (default
# bench/results). Fails only when a save fails.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${IMPORT_ROWS:-10000 30000 100000}
MODES=${IMPORT_TX:-one many}
OUT=${BENCH_RESULTS:-bench/results}

# shellcheck source=bench/common.sh
source bench/common.sh
bench_install
bench_cluster_start

mkdir -p "$OUT"

echo "transactions,rows_total,rows_loaded,seconds,rows_per_s,rows_per_s_last_tenth,rows_read_per_row_last_tenth" \
	>"$OUT/import.csv"
for mode in $MODES; do
for rows in $SIZES; do
	db=import_${mode}_$rows
	sql -c "CREATE DATABASE $db"
	# bench/setup.sql saves 100 customers of its own; the import starts empty,
	# without statistics, as a new installation does
	bench_app_setup "$db" import bench/setup.sql
	sql -d "$db" -c "TRUNCATE customers.customer CASCADE" \
		-c "DELETE FROM pg_catalog.pg_statistic WHERE starelid IN (SELECT oid FROM pg_catalog.pg_class
			WHERE relnamespace = 'customers'::regnamespace)" >/dev/null
	sql -d "$db" -c "GRANT SELECT ON pg_catalog.pg_stat_xact_user_tables TO bench_app" \
		-f - >/dev/null <<-'SQL'
		-- customer i with an externalId and a segment of each label
		CREATE FUNCTION bench.import_batch(first bigint, n int) RETURNS jsonb
		LANGUAGE sql IMMUTABLE AS $$
			SELECT jsonb_build_object('data', jsonb_agg(bench.customer(i) || jsonb_build_object(
				'externalId', 'ext_' || i,
				'classSegments', jsonb_build_array('cls_city_' || i % 20, 'cls_tier_' || i % 3)) ORDER BY i))
			FROM generate_series(first, first + n - 1) AS i
		$$;
		-- rows read by scans of the extension's tables: by the transactions
		-- before (flushed) and by this one so far
		CREATE FUNCTION bench.rows_read() RETURNS bigint
		LANGUAGE sql AS $$
			SELECT (SELECT coalesce(sum(seq_tup_read), 0) + coalesce(sum(idx_tup_fetch), 0)
					FROM pg_catalog.pg_stat_user_tables WHERE schemaname = 'customers')
				 + (SELECT coalesce(sum(seq_tup_read), 0) + coalesce(sum(idx_tup_fetch), 0)
					FROM pg_catalog.pg_stat_xact_user_tables WHERE schemaname = 'customers')
		$$;
		SET customers.tenant_id = 'import';
		SELECT customers.save_class_labels('{"data": [{"id": "cll_region", "name": "Region"},
												   {"id": "cll_tier", "name": "Tier"}]}');
		SELECT customers.save_class_segments(jsonb_build_object('data',
			'[{"id": "cls_root", "name": "All", "label": "cll_region"}]'::jsonb
			|| (SELECT jsonb_agg(jsonb_build_object('id', 'cls_state_' || s, 'name', 'State ' || s,
													'label', 'cll_region', 'parent', 'cls_root'))
				FROM generate_series(0, 4) AS s)
			|| (SELECT jsonb_agg(jsonb_build_object('id', 'cls_city_' || c, 'name', 'City ' || c,
													'label', 'cll_region', 'parent', 'cls_state_' || c % 5))
				FROM generate_series(0, 19) AS c)
			|| (SELECT jsonb_agg(jsonb_build_object('id', 'cls_tier_' || t, 'name', 'Tier ' || t,
													'label', 'cll_tier'))
				FROM generate_series(0, 2) AS t)));
	SQL
	awk -v rows="$rows" -v mode="$mode" 'BEGIN {
		step = rows / 10
		# a transaction that ends flushes its counts before the next statement
		mark = "SELECT FROM pg_catalog.pg_stat_force_next_flush() WHERE false;\nSELECT %d, extract(epoch FROM clock_timestamp()), bench.rows_read();\n"
		if (mode == "one")
			print "BEGIN;"
		printf mark, 0
		next_mark = step
		for (first = 1; first <= rows; first += 1000) {
			n = (rows - first + 1 < 1000) ? rows - first + 1 : 1000
			printf "SELECT customers.save(bench.import_batch(%d, %d)) ->> '\''result'\'';\n", first, n
			if (first + n - 1 >= next_mark || first + n - 1 == rows) {
				printf mark, first + n - 1
				while (next_mark <= first + n - 1) next_mark += step
			}
		}
		if (mode == "one")
			print "COMMIT;"
	}' >"$WORK/$db.sql"
	echo "== import of $rows customers, $mode transaction(s)" >&2
	sql -U bench_app -d "$db" -F, -f "$WORK/$db.sql" >"$WORK/$db.out"
	if grep -v '^[0-9]*,' "$WORK/$db.out" | grep -qv '^SUCCESS$'; then
		echo "bench: an import batch failed" >&2
		exit 1
	fi
	grep '^[0-9]*,' "$WORK/$db.out" | awk -F, -v total="$rows" -v mode="$mode" '
		NR == 1 { t0 = $2; r0 = 0; tp = $2; rp = $3; next }
		{
			printf "%s,%d,%d,%.1f,%.0f,%.0f,%.1f\n", mode, total, $1, $2 - t0, $1 / ($2 - t0),
				($1 - r0) / ($2 - tp), ($3 - rp) / ($1 - r0)
			r0 = $1; tp = $2; rp = $3
		}' | tee -a "$OUT/import.csv" >&2
	sql -c "DROP DATABASE $db"
done
done

echo
echo "import through customers.save, batches of 1,000 ($(nproc) cores)"
awk -F, 'NR == 1 { printf "%12s %10s %12s %9s %10s %18s %22s\n", "transactions", "import of", "rows loaded",
				   "seconds", "rows/s", "rows/s last tenth", "rows read per row" ; next }
	{ printf "%12s %10s %12s %9s %10s %18s %22s\n", $1, $2, $3, $4, $5, $6, $7 }' "$OUT/import.csv"
echo "wrote $OUT/import.csv"
