#!/usr/bin/env bash
# Run every test suite against a throwaway PostgreSQL cluster.
#   bash scripts/test.sh                       # PostgreSQL 15, or the one in PG_BINDIR
#   PG_VERSIONS="15 18" bash scripts/test.sh   # every suite once per major (the matrix)
# Last line of output is always "N passed, N failed" (for CI); the exit status
# is non-zero on any build or test failure.
set -euo pipefail
cd "$(dirname "$0")/.."

# The matrix: one whole run per major, each in a child with its own cluster
# and build. A major other than 15 is built by scripts/pg_build.sh (cached).
# Each later major's upgrade test (test/t/007_pg_upgrade.pl) starts from the
# majors run before it, whose extension install is then current. The fuzzer
# runs FUZZ_SECONDS and FUZZ_MIN_CALLS on the first major, and
# FUZZ_SECONDS_EXTRA (default 20) and FUZZ_MIN_CALLS_EXTRA (default 15000) on
# each other one.
run_matrix() {
	local v bindir rc n=0 log p f total_p=0 total_f=0 older=() lines=()
	bash scripts/deps.sh
	log=$(mktemp)
	for v in $PG_VERSIONS; do
		n=$((n + 1))
		echo "== PostgreSQL $v" >&2
		rc=0
		bindir=$(bash scripts/pg_build.sh "$v") || rc=$?
		if ((rc != 0)); then
			lines+=("PostgreSQL $v: could not be built (scripts/pg_build.sh exited $rc)")
			total_f=$((total_f + 1))
			continue
		fi
		rc=0
		local fuzz=(FUZZ_SECONDS="${FUZZ_SECONDS:-60}" FUZZ_MIN_CALLS="${FUZZ_MIN_CALLS:-50000}")
		((n == 1)) || fuzz=(FUZZ_SECONDS="${FUZZ_SECONDS_EXTRA:-20}" FUZZ_MIN_CALLS="${FUZZ_MIN_CALLS_EXTRA:-15000}")
		env -u PG_VERSIONS PG_BINDIR="$bindir" "${fuzz[@]}" \
			CUSTOMERS_UPGRADE_BINDIRS="${older[*]}" CUSTOMERS_UPGRADE_INSTALLED="${older[*]:+1}" \
			bash scripts/test.sh 2>&1 | tee "$log" || rc=$?
		read -r p f < <(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$log" | tail -1)
		p=${p:-0} f=${f:-0}
		((rc == 0 || f > 0)) || f=1 # a failed run that counted no failure still failed
		lines+=("PostgreSQL $v ($("$bindir/pg_config" --version)): $p passed, $f failed")
		total_p=$((total_p + p)) total_f=$((total_f + f))
		older+=("$bindir")
	done
	rm -f "$log"
	printf '%s\n' "${lines[@]}"
	echo "$total_p passed, $total_f failed"
	((total_f == 0))
}
if [[ -n ${PG_VERSIONS:-} ]]; then
	run_matrix
	exit
fi

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

# --- suite 4: Citus (test/citus/run.sh) -------------------------------------
# Its own coordinator and two workers; builds Citus once if needed, skipped
# with a message when it can't.
if suite_selected citus; then
	echo "== citus" >&2
	citus_log="$CLUSTER_DIR/citus.log"
	rc=0
	bash test/citus/run.sh 2>&1 | tee "$citus_log" || rc=$?
	count_results "$citus_log"
	((rc == 0 || suite_failed > 0)) || failed=$((failed + 1))
fi

check_server_log

# --- suite 4: packages (scripts/package.sh) ---------------------------------
# Debian packages built, installed, checked and upgraded, PGXN META.json and
# the release zip. Uses the system's PostgreSQL (Debian's default major), not
# $PG_BINDIR, so it runs once in a matrix: in the run of that major. Skipped
# by a SUITES list without "package".
pkg_major=$("$PG_BINDIR/pg_config" --version | sed -n 's/^PostgreSQL \([0-9]*\).*/\1/p')
if suite_selected package &&
	[[ $pkg_major == "$(/usr/share/postgresql-common/supported-versions | tail -n 1)" ]]; then
	pkg_log="$CLUSTER_DIR/package.log"
	bash scripts/package.sh 2>&1 | tee "$pkg_log" || true
	read -r pkg_passed pkg_failed < <(sed -n 's/^package: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' \
		"$pkg_log" | tail -1) || true
	passed=$((passed + ${pkg_passed:-0}))
	failed=$((failed + ${pkg_failed:-1}))
fi

summary
((failed == 0))
