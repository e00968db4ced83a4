#!/usr/bin/env bash
# The Citus suite: the extension distributed over a coordinator and two
# workers (scripts/citus_cluster.sh) by customers.distribute().
#   1. differential: the regression tests of test/sql run on the coordinator
#      and must give plain PostgreSQL's expected output (test/expected),
#      every result and every error;
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
# 1. the differential suite: every regression test of test/sql but those
# whose own direct SQL on the tables, not a function, behaves as Citus does
# (docs/operations.md, "Limits"):
#   50_tenancy, 83_history, 90_security: direct SQL as roles that cannot log
#     in to the workers, with the tenant set by SET; 90 also changes a row's
#     tenant_id (0A000 on Citus)
#   65_query_page_assembly, 91_injection: functions called inside queries
#     over the tables, which Citus runs on a worker
#   70_class_segments: direct writes whose errors name the shard, SET
#     CONSTRAINTS, SQL functions with parameters
#   94_distribute: distribute() without Citus
excluded=' 50_tenancy 65_query_page_assembly 70_class_segments 83_history 90_security 91_injection 94_distribute '
mapfile -t tests < <(find test/sql -name '*.sql' -printf '%f\n' | sed 's/\.sql$//' | sort |
	while read -r t; do [[ $excluded == *" $t "* ]] || echo "$t"; done)
echo "== citus: test/sql on the Citus coordinator" >&2
# The tests' own helpers (functions, roles, a hijacking schema) stay on the
# coordinator: they are not what is compared.
if ! PGOPTIONS='-c citus.enable_metadata_sync=off' regress test "$results/differential" "${tests[@]}"; then
	status=1
	cat "$results/differential/regression.diffs" 2>/dev/null || true
fi

# 2. what only Citus has
mapfile -t tests < <(find test/citus/sql -name '*.sql' -printf '%f\n' | sed 's/\.sql$//' | sort)
echo "== citus: test/citus/sql" >&2
if ((${#tests[@]})) && ! regress test/citus "$results/citus" "${tests[@]}"; then
	status=1
	cat "$results/citus/regression.diffs" 2>/dev/null || true
fi

# 3. no crash, no internal error on any node
bad=$(grep -hE 'terminated by (signal|exception)|exited with exit code [2-9]|^\S+ \S+ \S+ \[[0-9]+\] \S* XX000 ' \
	"$CITUS_DIR"/*.log || true)
if [[ -n $bad ]]; then
	echo "test citus_server_logs ... FAILED"
	echo "$bad" | head -20
	status=1
else
	echo "test citus_server_logs ... ok"
fi
exit "$status"
