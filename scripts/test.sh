#!/usr/bin/env bash
# Run every test suite against a throwaway PostgreSQL 15 cluster.
#   bash scripts/test.sh
# Last line of output is always "N passed, N failed" (for CI); the exit status
# is non-zero on any build or test failure.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/deps.sh
# shellcheck source=scripts/cluster.sh
source scripts/cluster.sh # also puts PG_BINDIR first on PATH

passed=0
failed=0
summary() { echo "$passed passed, $failed failed"; }

# Warnings are errors here (but not in the plain Makefile build) so CI keeps
# the code warning-free.
STRICT_CFLAGS='-Wall -Wextra -Werror'
PGCONF=(PG_CONFIG="$PG_BINDIR/pg_config")

echo "== build" >&2
make -s "${PGCONF[@]}" clean
if ! make "${PGCONF[@]}" -j"$(nproc)" PG_CFLAGS="$STRICT_CFLAGS" ||
	! make "${PGCONF[@]}" install; then
	echo "BUILD FAILED" >&2
	failed=1 # a broken build counts as one failure so CI never sees "0 failed"
	summary
	exit 1
fi

cluster_start
# shellcheck source=scripts/reliability.sh
source scripts/reliability.sh
reliability_log_setup

# Count pg_regress result lines in a log: PG15 prints "test x ... ok" /
# "... FAILED"; PG16+ prints TAP-style "ok N - x" / "not ok N - x".
# Adds to $passed/$failed and sets $suite_failed.
count_results() {
	local log=$1 p
	p=$(grep -cE '\.\.\. ok( |$)|^ok [0-9]+ ' "$log" || true)
	suite_failed=$(grep -cE '\.\.\. (FAILED|failed)|^not ok [0-9]+ ' "$log" || true)
	passed=$((passed + p))
	failed=$((failed + suite_failed))
}

# --- suite 1: pg_regress (test/sql vs test/expected) ------------------------
# pg_regress (run by `make installcheck`) connects via PGHOST/PGPORT/PGUSER.
echo "== regression tests" >&2
reg_log="$CLUSTER_DIR/installcheck.log"
rc=0
make "${PGCONF[@]}" installcheck ISOLATION= TAP_TESTS= 2>&1 | tee "$reg_log" || rc=$?
count_results "$reg_log"
if ((rc != 0)); then
	# A failure with no per-test FAILED line (e.g. could not connect, or
	# --load-extension failed) must still count as a failure.
	((suite_failed > 0)) || failed=$((failed + 1))
	while IFS= read -r diffs; do
		echo "== $diffs" >&2
		cat "$diffs"
	done < <(find . -maxdepth 2 -name regression.diffs -type f -size +0)
fi

# --- suite 1b: pg_isolation_regress (test/specs vs test/expected) ----------
# Run on their own, so they also run when a regression test failed.
echo "== isolation tests" >&2
iso_log="$CLUSTER_DIR/isolation.log"
rc=0
make "${PGCONF[@]}" installcheck REGRESS= TAP_TESTS= 2>&1 | tee "$iso_log" || rc=$?
count_results "$iso_log"
if ((rc != 0)); then
	((suite_failed > 0)) || failed=$((failed + 1))
	if [[ -s output_iso/regression.diffs ]]; then
		echo "== output_iso/regression.diffs" >&2
		cat output_iso/regression.diffs
	fi
fi

# --- suite 2: the example HTTP server end to end (examples/http) -----------
# node's test runner prints TAP: "ok N - name" / "not ok N - name".
echo "== http example" >&2
http_log="$CLUSTER_DIR/http.log"
rc=0
bash examples/http/test.sh 2>&1 | tee "$http_log" || rc=$?
count_results "$http_log"
((rc == 0 || suite_failed > 0)) || failed=$((failed + 1))

# --- suite 3: reliability (scripts/reliability.sh) -------------------------
# TAP tests (test/t), the fuzzer, sqlsmith, then the server log check.
has_files() { [[ -d $1 ]] && [[ -n $(find "$1" -type f -print -quit) ]]; }

if has_files test/t && suite_selected tap; then run_tap_tests; fi
if suite_selected fuzz; then run_fuzz; fi
if suite_selected sqlsmith; then run_sqlsmith; fi
check_server_log

summary
((failed == 0))
