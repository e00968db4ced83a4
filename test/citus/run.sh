#!/usr/bin/env bash
# The Citus suite: the extension distributed over a coordinator and two
# workers (scripts/citus_cluster.sh) by customers.distribute().
#   1. differential: the regression tests of test/sql run on the coordinator
#      and must give plain PostgreSQL's expected output (test/expected),
#      every result and every error, but for the listed lines of direct SQL
#      that behave as Citus does (test/citus/differential);
#   2. test/citus/sql: what only Citus has: routing of every statement to one
#      worker, tenant isolation on the workers, a tenant moved to another
#      worker;
#   3. no node logged a crash or an internal error.
# Prints pg_regress's "test x ... ok|FAILED" lines. Skipped (exit 0, one
# line saying why) when Citus is neither installed nor buildable here
# (scripts/citus.sh). Expects the extension built and installed into
# PG_BINDIR's PostgreSQL (scripts/test.sh does that).
set -euo pipefail
cd "$(dirname "$0")/../.."

PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
export PG_BINDIR

rc=0
bash scripts/citus.sh || rc=$?
if ((rc == 2)); then
	echo "citus suite: skipped (no Citus 13.2.2 here, see scripts/citus.sh)"
	exit 0
elif ((rc != 0)); then
	echo "citus suite: building Citus failed" >&2
	exit 1
fi

# shellcheck source=scripts/citus_cluster.sh
source scripts/citus_cluster.sh
CITUS_DATABASE=contrib_regression citus_cluster_start

psql -X -q -v ON_ERROR_STOP=1 -c 'CREATE EXTENSION customers CASCADE' \
	-c 'SET client_min_messages = warning' -c 'SELECT customers.distribute()' >/dev/null

pg_regress=$("$PG_BINDIR/pg_config" --pkglibdir)/pgxs/src/test/regress/pg_regress
regress() { # regress INPUTDIR OUTPUTDIR TEST...
	local inputdir=$PWD/$1 outputdir=$2
	shift 2
	mkdir -p "$outputdir"
	# in the output directory, where tests write files of their own (results/)
	(cd "$outputdir" && "$pg_regress" --use-existing --dbname=contrib_regression \
		--host="$PGHOST" --port="$PGPORT" --user=postgres --bindir="$PG_BINDIR" \
		--inputdir="$inputdir" --outputdir=. "$@")
}

# pg_regress's results and diffs: CITUS_RESULTS keeps them
results=${CITUS_RESULTS:-$CITUS_DIR/results}
status=0
# 1. the differential suite: every regression test of test/sql (but
# 97_distribute, which is about the absence of Citus, 99_events, the change
# feed, which refuses to run on Citus (docs/api.md §3.10), and 96_bounded_inputs,
# whose 20 s statement_timeout around a two-million-key build does not hold
# with three servers on a loaded machine), in order, on the coordinator. Each test's output must be PostgreSQL's expected output
# except for the lines listed in test/citus/differential/NAME.diff: direct
# SQL on the tables that behaves as Citus does (docs/operations.md,
# "Limits"), each line as removed (-) or added (+), with shard numbers, node
# addresses and process ids masked. Refresh a list with CITUS_ACCEPT=1 after
# checking its lines.
changed_lines() { # changed_lines EXPECTED RESULT
	[[ -f $2 ]] || { echo "no result"; return 0; }
	diff -U0 "$1" "$2" | grep -E '^[-+]' | grep -vE '^(---|\+\+\+) ' |
		sed -E 's/_1[0-9]{5}([^0-9]|$)/_<shard>\1/g; s#/[^ ]*customers-citus\.[A-Za-z0-9]+:[0-9]+#<node>#g;
			s/(PID|process) [0-9]+/\1 <pid>/g' || true
}
mapfile -t tests < <(find test/sql -name '*.sql' -printf '%f\n' | sed 's/\.sql$//' | sort | grep -vxE '97_distribute|96_bounded_inputs|99_events')
echo "== citus: test/sql on the Citus coordinator" >&2
# The tests' own helpers (functions, roles, a hijacking schema) stay on the
# coordinator: they are not what is compared.
mkdir -p "$results"
PGOPTIONS='-c citus.enable_metadata_sync=off' regress test "$results/differential" "${tests[@]}" \
	>"$results/differential.log" 2>&1 || true
for t in "${tests[@]}"; do
	allowed=test/citus/differential/$t.diff
	actual=$(changed_lines "test/expected/$t.out" "$results/differential/results/$t.out")
	if [[ -n ${CITUS_ACCEPT:-} ]]; then
		if [[ -n $actual ]]; then printf '%s\n' "$actual" >"$allowed"; else rm -f "$allowed"; fi
	fi
	if [[ $actual == "$(cat "$allowed" 2>/dev/null)" ]]; then
		echo "test $t (differential) ... ok"
	else
		echo "test $t (differential) ... FAILED"
		diff <(cat "$allowed" 2>/dev/null) <(printf '%s\n' "$actual") | head -40 || true
		status=1
	fi
done

# 2. what only Citus has
mapfile -t tests < <(find test/citus/sql -name '*.sql' -printf '%f\n' | sed 's/\.sql$//' | sort)
echo "== citus: test/citus/sql" >&2
if ((${#tests[@]})) && ! regress test/citus "$results/citus" "${tests[@]}"; then
	status=1
	cat "$results/citus/regression.diffs" 2>/dev/null || true
fi

# 3. no crash, no internal error on any node
# (Citus raises its refusal of CREATE TRIGGER on a distributed table, which
# test 94 tries, without a SQLSTATE of its own.)
bad=$(grep -hE 'terminated by (signal|exception)|exited with exit code [2-9]|^\S+ \S+ \S+ \[[0-9]+\] \S* XX000 (ERROR|FATAL|PANIC): ' \
	"$CITUS_DIR"/*.log | grep -v 'XX000 ERROR:  triggers are not supported on distributed tables$' || true)
if [[ -n $bad ]]; then
	echo "test citus_server_logs ... FAILED"
	echo "$bad" | head -20
	status=1
else
	echo "test citus_server_logs ... ok"
fi
exit "$status"
