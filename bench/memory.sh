#!/usr/bin/env bash
# Backend memory per call against response size (issue 15, bench/README.md#memory-per-call):
#
#   bash bench/memory.sh                       # every case
#   MEMORY_ROWS=2000 MEMORY_SAVE_KB="1 16" bash bench/memory.sh   # smaller (.ci/run's smoke run)
#
# A throwaway cluster. Each case is one call as bench_app, an ordinary role,
# made twice in one session: once to warm up (plans, caches, shared buffers
# mapped), then measured on the backend's process: its peak resident memory
# (VmHWM of /proc/PID/status, reset through /proc/PID/clear_refs just before
# the call) less the file and shared memory pages it holds after the call,
# over the private memory it held before. That is the most private memory
# the call had at once, whatever malloc gave back after. The cases:
# - query: pages of growing limit over seed-shaped customers (about 1.3 kB),
#   and over customers of about 250 kB (the documented limit is 256 kB),
#   past customers.max_response_size (64 MB: refused, 54000);
# - expand: classSegments.expand over customers holding 100 segments at
#   depth 32, pages of growing limit, until the 16 MB limit of chains;
# - save: batches of 1,000 new customers of growing size, past 64 MB;
# - class_segments: the listing of one label's tree and of every label's
#   (100 labels of MEMORY_TREE_SEGMENTS segments);
# - save_errors: batches of items of 20,000 unrecognized fields (4 MB of
#   errors an item), past 64 MB;
# - top: at the top setting (262,143 kB), the payment methods list of a
#   customer with MEMORY_TOP_METHODS methods of 16,381 bytes (16,384 with
#   the list's padding): 16,383 fit jsonb's 268,435,455 bytes, 16,384 fit
#   the setting but not jsonb (refused, 54000); 0 leaves it out.
# Writes BENCH_RESULTS/memory.csv (case, limit or item size, input bytes,
# response bytes, memory grown, its multiple of input plus response, and
# the outcome: ok or the SQLSTATE and message) and memory.png. It fails only
# when something does not work; the numbers are reported, never asserted.
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=${MEMORY_ROWS:-20000}
DEEP_ROWS=${MEMORY_DEEP_ROWS:-200}
FAT_ROWS=${MEMORY_FAT_ROWS:-1000}
QUERY_LIMITS=${MEMORY_QUERY_LIMITS:-10 50 100 250 500 1000}
FAT_LIMITS=${MEMORY_FAT_LIMITS:-1 10 100 250 300 1000}
EXPAND_LIMITS=${MEMORY_EXPAND_LIMITS:-1 5 10 20 40 60}
SAVE_KB=${MEMORY_SAVE_KB:-1 16 60 64 128 250}
TREE_SEGMENTS=${MEMORY_TREE_SEGMENTS:-2000}
ERROR_ITEMS=${MEMORY_ERROR_ITEMS:-1 4 16 17}
TOP_METHODS=${MEMORY_TOP_METHODS:-16384}
OUT=${BENCH_RESULTS:-bench/results}

# shellcheck source=bench/common.sh
source bench/common.sh
bench_install
bench_cluster_start
mkdir -p "$OUT"

bench_app_setup postgres bench bench/setup.sql bench/memory_setup.sql

echo "== load $ROWS customers, $FAT_ROWS of about 250 kB, $DEEP_ROWS holding 100 segments at depth 32" >&2
bench_load postgres "$ROWS" "$WORK" >/dev/null
bench_fat_load "$FAT_ROWS" "$WORK"
sql -c "SELECT memory.make_deep_tenant($DEEP_ROWS)" -c "SELECT memory.make_tree_tenant($TREE_SEGMENTS)" >/dev/null
if ((TOP_METHODS > 0)); then
	# methods whose listed document (with isDefault) takes 16,381 bytes
	echo "== $TOP_METHODS payment methods of 16 kB" >&2
	PGOPTIONS="-c customers.tenant_id=top" sql -c "SELECT customers.save('{\"data\": [{\"id\": \"cus_top\", \"name\": \"Top\"}]}') ->> 'result'" \
		-c "SELECT count(customers.save_payment_method('cus_top', jsonb_build_object('type', 'BANK_ACCOUNT',
			'bankAccount', jsonb_build_object('last4', '0001'),
			'billingDetails', jsonb_build_object('note', repeat('n', 16169))))) FROM generate_series(1, $TOP_METHODS)" >/dev/null
fi
sql -c "VACUUM (ANALYZE)"

# measure CASE PARAMETER TENANT SETUP STATEMENT: one line of memory.csv.
# SETUP runs first in the session (it may set :input); STATEMENT returns
# one column, response: the size of the call's response as text.
measure() {
	local name=$1 parameter=$2 tenant=$3 setup=$4 statement=$5 dir=$WORK/$1-$2 out
	mkdir -p "$dir"
	chmod 777 "$dir"
	cat >"$dir/case.sql" <<-SQL
		SELECT pg_backend_pid() AS bench_pid \gset
		\setenv BENCH_PID :bench_pid
		$setup
		BEGIN;
		$statement \g /dev/null
		ROLLBACK;
		BEGIN;
		\! echo 5 >/proc/\$BENCH_PID/clear_refs; cat /proc/\$BENCH_PID/status >$dir/before
		$statement \gset
		\! cat /proc/\$BENCH_PID/status >$dir/after
		\echo outcome :SQLSTATE :LAST_ERROR_MESSAGE
		ROLLBACK;
		\echo input :input
		\echo response :response
	SQL
	out=$(PGOPTIONS="-c customers.tenant_id=$tenant" psql -X -q -At -U bench_app -f "$dir/case.sql" 2>"$dir/stderr")
	awk -v name="$name" -v parameter="$parameter" -v out="$out" '
		FNR == 1 { file++ }
		$1 == "VmHWM:" && file == 2 { hwm = $2 }
		$1 == "RssAnon:" && file == 1 { before = $2 }
		$1 == "RssFile:" && file == 2 { rss_file = $2 }
		$1 == "RssShmem:" && file == 2 { shmem = $2 }
		END {
			n = split(out, lines, "\n")
			for (i = 1; i <= n; i++) {
				split(lines[i], w, " ")
				if (w[1] == "input") input = w[2]
				if (w[1] == "response") response = (w[2] == ":response") ? 0 : w[2]
				if (w[1] == "outcome") {
					outcome = (w[2] == "00000") ? "ok" : substr(lines[i], 9)
					gsub(/"/, "\"\"", outcome)
				}
			}
			grown = (hwm - rss_file - shmem - before) * 1024
			multiple = (outcome == "ok") ? sprintf("%.1f", grown / (input + response)) : ""
			printf "%s,%s,%d,%d,%d,%s,\"%s\"\n", name, parameter, input, response, grown, multiple, outcome
		}' "$dir/before" "$dir/after"
}

query() { # name parameter tenant request
	measure "$1" "$2" "$3" "SELECT octet_length('$4') AS input \gset" \
		"SELECT octet_length(r::text) AS response FROM (SELECT customers.query('$4') AS r) AS s"
}

{
	echo "case,parameter,input_bytes,response_bytes,memory_grown_bytes,multiple,outcome"
	for limit in $QUERY_LIMITS; do
		query query "$limit" bench "{\"limit\": $limit}"
	done
	for limit in $FAT_LIMITS; do
		query query_250kB "$limit" fat "{\"limit\": $limit}"
	done
	for limit in $EXPAND_LIMITS; do
		query expand "$limit" deep "{\"limit\": $limit, \"filter\": {\"classSegments\": {\"expand\": true}}}"
	done
	for kb in $SAVE_KB; do
		measure save "$kb" bench_save \
			"CREATE TEMP TABLE request AS SELECT memory.save_request(1000, $kb) AS r; SELECT octet_length(r::text) AS input FROM request \gset" \
			"SELECT octet_length(customers.save(r)::text) AS response FROM request"
	done
	query_tree() { # parameter request
		measure class_segments "$1" tree "SELECT octet_length('$2') AS input \gset" \
			"SELECT octet_length(r::text) AS response FROM (SELECT customers.class_segments('$2') AS r) AS s"
	}
	query_tree "$TREE_SEGMENTS" '{"label": "cll_1"}'
	query_tree "$((TREE_SEGMENTS * 100))" '{}'
	for n in $ERROR_ITEMS; do
		measure save_errors "$n" bench_save \
			"CREATE TEMP TABLE request AS SELECT memory.errors_request($n) AS r; SELECT octet_length(r::text) AS input FROM request \gset" \
			"SELECT octet_length(customers.save(r)::text) AS response FROM request"
	done
	if ((TOP_METHODS > 0)); then
		sql -c "ALTER ROLE bench_app SET customers.max_response_size = '262143kB'" >/dev/null
		top() { # methods
			measure top "$1" top "SELECT 0 AS input \gset" \
				"SELECT octet_length(customers.payment_methods('cus_top')::text) AS response"
		}
		top "$TOP_METHODS"
		# one fewer: 16,383 fit in a jsonb value
		PGOPTIONS="-c customers.tenant_id=top" sql -c "SELECT customers.detach_payment_method('cus_top',
			(SELECT id FROM customers.payment_method WHERE tenant_id = 'top' ORDER BY id LIMIT 1))" >/dev/null
		top "$((TOP_METHODS - 1))"
		sql -c "ALTER ROLE bench_app RESET customers.max_response_size" >/dev/null
	fi
} | tee "$OUT/memory.csv"

gnuplot -e "memory_csv='$OUT/memory.csv'; out='$OUT/memory.png'" bench/memory.gp
echo "wrote $OUT/memory.csv and $OUT/memory.png" >&2
