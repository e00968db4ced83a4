#!/usr/bin/env bash
# The filter x sort matrix (bench/README.md): every filter field and operator,
# alone and in pairs, under every sort key and direction, with values that
# match at most 0.01 %, 1 %, 30 %, nothing, and contain patterns of 1, 2 and
# 3+ characters; the first page and a page from a cursor deep in the result;
# the extension as bench_app against plain SQL over the same rows.
#
#   bash bench/matrix.sh                         # 1,000,000 customers (throwaway cluster)
#   MATRIX_ROWS=100000 bash bench/matrix.sh       # smaller
#   MATRIX_REUSE=1 PGHOST=… PGPORT=… bash bench/matrix.sh
#                                                # a database already loaded by this script
#                                                # (the extension's cells run again; the
#                                                # plain SQL's only where they have not run)
#   MATRIX_WHERE="NOT pair" …                    # only the cells of matrix.report that this selects
#   MATRIX_PLOT_ONLY=1 bash bench/matrix.sh      # only the heatmap, from BENCH_RESULTS/matrix.csv
#
# Writes BENCH_RESULTS/matrix.csv (default bench/results): one row per cell
# and page, p50 and p99 of the extension and of the plain SQL, their ratio,
# and whether the extension's page is the plain SQL's. Prints the worst
# cells and how many miss the bars of issue 15 (p50 <= 10 ms, p99 <= 50 ms),
# and draws BENCH_RESULTS/matrix.png: p50 and p99 of every single-field cell
# and page, the extension's beside plain SQL's (matrix_heatmap.gp; pairs
# run under one sort each and are left out of it).
# Fails only when a page differs from plain SQL's or a call fails.
set -euo pipefail
cd "$(dirname "$0")/.."

# matrix_heatmap CSV PNG: the heatmap of matrix.csv's single-field cells
matrix_heatmap() {
	local csv=$1 png=$2 dir timeout_ms
	dir=$(mktemp -d)
	timeout_ms=$(awk -v t="${MATRIX_TIMEOUT:-20s}" 'BEGIN { printf "%d", t * (t ~ /ms$/ ? 1 : 1000) }')
	# rows in case order, columns by sort and page; a cell past the timeout
	# shows the timeout, a page plain SQL never ran is NaN (white)
	awk -F, -v grid="$dir/grid" -v tics="$dir/tics.gp" -v timeout="$timeout_ms" '
		BEGIN {
			n = split("NAME ASC,EMAIL DESC,BUSINESS_NAME DESC,STATUS DESC,CREATED_DATE_TIME ASC,UPDATED_DATE_TIME DESC,ID DESC", s, ",")
			for (i = 1; i <= n; i++) column[s[i]] = 2 * (i - 1)
		}
		NR > 1 && $15 == "f" && ($4 in column) {
			if (!($1 in row)) { row[$1] = rows++; label[row[$1]] = $2 " (" $3 ")"; gsub(/%/, "%%", label[row[$1]]) }
			x = column[$4] + ($5 == "deep")
			v = ($8 == "") ? timeout " " timeout : $8 " " $9
			cell[row[$1], x] = v " " ($10 == "" ? "NaN NaN" : $10 " " $11)
		}
		END {
			for (y = 0; y < rows; y++) {
				for (x = 0; x < 14; x++)
					print x, y, ((y, x) in cell) ? cell[y, x] : "NaN NaN NaN NaN" >grid
				print "" >grid
			}
			printf "set ytics (" >tics
			for (y = 0; y < rows; y++) printf "%s\"%s\" %d", (y ? ", " : ""), label[y], y >tics
			print ") scale 0" >tics
			print rows >(grid ".rows")
		}' "$csv"
	gnuplot -e "grid='$dir/grid'; tics='$dir/tics.gp'; rows=$(cat "$dir/grid.rows"); out='$png';
		title='filter x sort matrix: $(awk -F, 'NR > 1 && $15 == "f"' "$csv" | wc -l) pages of single-field cases ($csv)'" \
		bench/matrix_heatmap.gp
	rm -rf "$dir"
	echo "wrote $png" >&2
}

if [[ -n ${MATRIX_PLOT_ONLY:-} ]]; then
	matrix_heatmap "${BENCH_RESULTS:-bench/results}/matrix.csv" "${BENCH_RESULTS:-bench/results}/matrix.png"
	exit
fi

ROWS=${MATRIX_ROWS:-1000000}
REPS=${MATRIX_REPS:-9}
PLAIN_REPS=${MATRIX_PLAIN_REPS:-3}
PAIRS=${MATRIX_PAIRS:-300}
TIMEOUT=${MATRIX_TIMEOUT:-20s}
OUT=${BENCH_RESULTS:-bench/results}
WHERE=${MATRIX_WHERE:-true}
mkdir -p "$OUT"

# shellcheck source=bench/common.sh
source bench/common.sh

if [[ -z ${MATRIX_REUSE:-} ]]; then
	bench_install
	bench_cluster_start "work_mem = '16MB'"
	bench_app_setup "$PGDATABASE" bench bench/matrix_setup.sql
	echo "== load $ROWS customers through customers.save (two loaders)" >&2
	bench_load "$PGDATABASE" "$ROWS" "$WORK" matrix.batch >/dev/null
	# 0.01 % archived, through the API
	sql -c "SET customers.tenant_id = 'bench'" -c "SELECT count(customers.archive(id)) FROM (
		SELECT id FROM customers.customer WHERE tenant_id = 'bench' ORDER BY md5(id) LIMIT $((ROWS / 10000))) s" >/dev/null
	sql -c "VACUUM (ANALYZE) customers.customer"
else
	WORK=$(mktemp -d)
	chmod 777 "$WORK"
fi
# the indexes the owner declares for the hot customData paths of the cases
# (docs/operations.md): ranges on seats and renewal, contain on plan; kept
# when they exist
sql >/dev/null <<'DECLARE'
SELECT customers.custom_data_index('{seats}', 'number')
UNION ALL SELECT customers.custom_data_index('{renewal}', 'time')
UNION ALL SELECT customers.custom_data_index('{plan}', 'text') \gexec
DECLARE

if [[ $(sql -c "SELECT to_regclass('matrix.cases') IS NULL") == t ]]; then
	echo "== cases" >&2
	sql -f bench/matrix.sql -c "SELECT matrix.make_cases($PAIRS)" >/dev/null
fi
sql -c "SELECT count(*) || ' cases, ' || (SELECT count(*) FROM matrix.cells) || ' cells' FROM matrix.cases" >&2

# One statement per cell, each with a timeout, so that a cliff costs that
# cell and nothing else (a cell that times out shows no times).
sql -c "SELECT format('SELECT matrix.run_plain(%s, %L, %s);', case_id, array_agg(sort_id), $PLAIN_REPS)
	FROM matrix.cells JOIN matrix.cases USING (case_id) WHERE ($WHERE) AND plain_first IS NULL GROUP BY case_id ORDER BY case_id" \
	>"$WORK/plain.sql"
sql -c "SELECT format('SELECT matrix.run_ext(%s, %s, %s);', case_id, sort_id, $REPS)
	FROM matrix.cells JOIN matrix.cases USING (case_id) WHERE ($WHERE) ORDER BY case_id, sort_id" \
	>"$WORK/ext.sql"
sql -c "UPDATE matrix.cells SET ext_first_ms = NULL, ext_deep_ms = NULL, ext_first = NULL, ext_deep = NULL,
	ext_error = NULL FROM matrix.cases c WHERE c.case_id = cells.case_id AND ($WHERE)"
echo "== plain SQL ($(wc -l <"$WORK/plain.sql") cases)" >&2
PGOPTIONS='-c statement_timeout=120s' psql -X -q -At -f "$WORK/plain.sql" >/dev/null 2>"$WORK/plain.err" || true
echo "== the extension, as bench_app" >&2
PGOPTIONS="-c statement_timeout=$TIMEOUT" psql -X -q -At -U bench_app -f "$WORK/ext.sql" >/dev/null 2>"$WORK/ext.err" || true
grep -c 'statement timeout' "$WORK/ext.err" | sed "s/^/cells that timed out ($TIMEOUT): /" >&2 || true

sql -c "\\copy (SELECT case_id, label, share, sort, page, matches, pct, ext_p50, ext_p99, plain_p50, plain_p99,
	ratio, ext_rows, same, pair FROM matrix.report ORDER BY case_id, sort, page) TO '$OUT/matrix.csv' CSV HEADER"
echo "== the worst cells (p99 of the extension)" >&2
psql -X -q -P pager=off -c "SELECT label, share, sort, page, matches, ext_rows, ext_p50, ext_p99, plain_p50, plain_p99, ratio, same
	FROM matrix.report WHERE ($WHERE) ORDER BY ext_p99 DESC NULLS FIRST LIMIT 25"
psql -X -q -P pager=off -c "SELECT count(*) AS pages, count(*) FILTER (WHERE ext_p50 IS NULL) AS timed_out,
	count(*) FILTER (WHERE ext_p50 > 10) AS p50_over_10ms, count(*) FILTER (WHERE ext_p99 > 50) AS p99_over_50ms,
	count(*) FILTER (WHERE NOT same) AS differ,
	percentile_cont(0.5) WITHIN GROUP (ORDER BY ext_p50) AS median_p50,
	max(ext_p50) AS max_p50, max(ext_p99) AS max_p99
	FROM matrix.report WHERE ($WHERE)"
bad=$(sql -c "SELECT count(*) FROM matrix.report WHERE ($WHERE) AND ext_p50 IS NOT NULL AND NOT same")
if ((bad > 0)); then
	echo "matrix: $bad pages differ from plain SQL's:" >&2
	psql -X -q -P pager=off -c "SELECT label, share, sort, page, ext_error FROM matrix.report
		WHERE ($WHERE) AND ext_p50 IS NOT NULL AND NOT same LIMIT 20" >&2
	exit 1
fi
echo "wrote $OUT/matrix.csv"
matrix_heatmap "$OUT/matrix.csv" "$OUT/matrix.png"
