#!/usr/bin/env bash
# The reliability suites of scripts/test.sh: TAP tests, the fuzzer, sqlsmith
# and the server log check. Sourced by scripts/test.sh after cluster_start;
# each suite adds to $passed / $failed.
#
# Environment:
#   FUZZ_SECONDS     the fuzzer runs at least this long (default 60)
#   FUZZ_MIN_CALLS   ... and at least this many calls (default 50000)
#   FUZZ_SEED        seed of the fuzzer and sqlsmith (default: the time, printed)
#   FUZZ_TENANT_ROWS customers loaded into the fuzzer's tenant (default 100000)
#   SQLSMITH_QUERIES queries sqlsmith generates (default 10000)
#   SUITES           space-separated subset of: tap fuzz sqlsmith (default: all);
#                    the regression and isolation suites always run (seconds).
#                    e.g. SUITES=tap bash scripts/test.sh

PGXS_DIR=$(dirname "$(pg_config --pgxs)")/.. # lib/pgxs/src
RELIABILITY_RESULTS=results/reliability
RELIABILITY_SEED=${FUZZ_SEED:-$(date +%s)}

# Whether a suite is selected by $SUITES
suite_selected() {
	[[ -z ${SUITES:-} ]] || [[ " $SUITES " == *" $1 "* ]]
}

# Log the SQLSTATE and database of every message, so the log check can find
# internal errors (XX000) and crashes after all suites ran.
reliability_log_setup() {
	psql -X -q -c "ALTER SYSTEM SET log_line_prefix = '%m [%p] %d %e '" \
		-c "SELECT pg_reload_conf()" >/dev/null
}

# One pass or failure of a named check
record() { # record NAME ok|fail
	if [[ $2 == ok ]]; then
		passed=$((passed + 1))
		echo "reliability: $1 ... ok" >&2
	else
		failed=$((failed + 1))
		echo "reliability: $1 ... FAILED" >&2
	fi
}

# TAP tests (test/t/*.pl) with PostgreSQL::Test::Cluster. It refuses to run
# initdb as root, so prove runs as the postgres user on a copy of the tests.
# Each file counts as one test; a skipped file counts as neither.
run_tap_tests() {
	local dir=$CLUSTER_DIR/tap log=$CLUSTER_DIR/tap/prove.log rc=0 line
	echo "== TAP tests" >&2
	mkdir -p "$dir"
	cp -r test/t "$dir/t"
	prepare_upgrade_scripts "$dir"
	prepare_old_majors || record "pg_upgrade: the extension builds on the older majors" fail
	chown -R postgres:postgres "$dir"
	(cd "$dir" && runuser -u postgres -- env -u PGHOST -u PGPORT -u PGUSER -u PGDATABASE \
		PATH="$PG_BINDIR:$PATH" TESTDIR="$dir" PG_REGRESS="$PGXS_DIR/test/regress/pg_regress" \
		CUSTOMERS_UPGRADE_FROM="$(cat "$dir/upgrade-from" 2>/dev/null || true)" \
		CUSTOMERS_UPGRADE_BINDIRS="$CUSTOMERS_UPGRADE_BINDIRS" \
		prove -I "$PGXS_DIR/test/perl" t/*.pl) 2>&1 | tee "$log" || rc=$?
	local ok_re='^t/[^ ]+\.pl \.+ ok' skipped_re='^t/[^ ]+\.pl \.+ skipped'
	while IFS= read -r line; do
		if [[ $line =~ $ok_re ]]; then
			passed=$((passed + 1))
		elif [[ ! $line =~ $skipped_re ]]; then
			failed=$((failed + 1)) # a skipped file is neither passed nor failed
		fi
	done < <(grep -E '^t/[^ ]+\.pl \.+' "$log" || true)
	if ((rc != 0)); then
		# a failure that no file line shows (prove itself failed) still counts
		grep -qE '^t/[^ ]+\.pl \.+ ([^os]|$)' "$log" || failed=$((failed + 1))
		# keep the nodes' logs for a look at what went wrong
		mkdir -p "$RELIABILITY_RESULTS"
		rm -rf "$RELIABILITY_RESULTS/tap"
		cp -r "$dir/tmp_check" "$RELIABILITY_RESULTS/tap" 2>/dev/null || true
		echo "TAP logs kept in $RELIABILITY_RESULTS/tap" >&2
	fi
}

# The upgrade test (test/t/004_upgrade.pl) updates from the first released
# version: CHANGELOG.md's oldest "## X.Y.Z" heading not marked
# "(unreleased)". Its install script is kept frozen in sql/ and installed by
# `make install` beside the current one, as a package upgrade leaves them.
prepare_upgrade_scripts() {
	local dir=$1 first
	first=$(grep -E '^## [0-9]+\.[0-9]+\.[0-9]+' CHANGELOG.md | grep -v '(unreleased)' |
		tail -n 1 | awk '{print $2}' || true)
	[[ -n $first ]] || return 0
	if [[ ! -f $(pg_config --sharedir)/extension/customers--$first.sql ]]; then
		echo "WARNING: released version $first has no install script sql/customers--$first.sql; the upgrade test will fail" >&2
	fi
	echo "$first" >"$dir/upgrade-from"
}

# The pg_upgrade test (test/t/007_pg_upgrade.pl) upgrades a cluster of each
# older major in CUSTOMERS_UPGRADE_BINDIRS (oldest first; default: 15 when
# this major is newer) to this one, so the extension is built and installed
# on each of them too - from a copy of the tree, as this tree holds this
# major's build. The matrix (scripts/test.sh) has just installed it there
# and says so with CUSTOMERS_UPGRADE_INSTALLED=1.
CUSTOMERS_UPGRADE_BINDIRS=${CUSTOMERS_UPGRADE_BINDIRS-}
prepare_old_majors() {
	local bindir copy rc=0
	if [[ -z $CUSTOMERS_UPGRADE_BINDIRS ]] && (($(pg_config --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/') > 15)); then
		CUSTOMERS_UPGRADE_BINDIRS=$(bash scripts/pg_build.sh 15)
	fi
	[[ -n $CUSTOMERS_UPGRADE_BINDIRS && ${CUSTOMERS_UPGRADE_INSTALLED:-} != 1 ]] || return 0
	for bindir in $CUSTOMERS_UPGRADE_BINDIRS; do
		echo "== installing the extension on $("$bindir/pg_config" --version) for the pg_upgrade test" >&2
		copy=$(mktemp -d)
		cp -r Makefile ./*.control sql src "$copy/"
		make -s -C "$copy" PG_CONFIG="$bindir/pg_config" clean >/dev/null
		if ! nice make -s -C "$copy" PG_CONFIG="$bindir/pg_config" -j"$(nproc)" install >"$copy.log" 2>&1; then
			cat "$copy.log" >&2
			rc=1
		fi
		rm -rf "$copy" "$copy.log"
	done
	return "$rc"
}

# The fuzzer (test/fuzz): bounded by time and calls, seeded, as an ordinary role
run_fuzz() {
	local seed=$RELIABILITY_SEED out=$RELIABILITY_RESULTS/fuzz bin=$CLUSTER_DIR/fuzz
	echo "== fuzz" >&2
	if ! gcc -O2 -Wall -Wextra -Werror -I"$(pg_config --includedir)" -o "$bin" test/fuzz/fuzz.c \
		-L"$(pg_config --libdir)" -lpq; then
		record "fuzz (build)" fail
		return
	fi
	if ! createdb customers_fuzz || ! psql -X -q -v ON_ERROR_STOP=1 -d customers_fuzz \
		-f test/fuzz/setup.sql >"$CLUSTER_DIR/fuzz-setup.log" 2>&1; then
		cat "$CLUSTER_DIR/fuzz-setup.log" >&2
		record "fuzz (setup)" fail
		return
	fi
	# the big tenant (issue 15), loaded as bench/ loads its customers
	if ! (
		# shellcheck source=bench/common.sh
		source bench/common.sh
		mkdir -p "$CLUSTER_DIR/fuzz-load"
		PGOPTIONS="-c customers.tenant_id=fuzz" bench_load customers_fuzz "${FUZZ_TENANT_ROWS:-100000}" \
			"$CLUSTER_DIR/fuzz-load" public.fuzz_bulk_batch customers_fuzz >/dev/null
		psql -X -q -At -v ON_ERROR_STOP=1 -d customers_fuzz -c 'SELECT public.fuzz_bulk_loaded()' -c ANALYZE
	) >"$CLUSTER_DIR/fuzz-load.log" 2>&1; then
		cat "$CLUSTER_DIR/fuzz-load.log" >&2
		record "fuzz (loading ${FUZZ_TENANT_ROWS:-100000} customers)" fail
		return
	fi
	echo "fuzz: $(head -n 1 "$CLUSTER_DIR/fuzz-load.log"), $(sed -n 2p "$CLUSTER_DIR/fuzz-load.log") in tenant fuzz" >&2
	rm -rf "$out"
	mkdir -p "$out"
	if "$bin" --seconds "${FUZZ_SECONDS:-60}" --min-calls "${FUZZ_MIN_CALLS:-50000}" \
		--seed "$seed" --out "$out" \
		"host=$PGHOST port=$PGPORT dbname=customers_fuzz user=customers_fuzz"; then
		record "fuzz (seed $seed)" ok
	else
		echo "reproduce: FUZZ_SEED=$seed SUITES=fuzz bash scripts/test.sh; calls in $out" >&2
		record "fuzz (seed $seed)" fail
	fi
}

# sqlsmith (Debian's package): random SQL over everything an application
# role can see in a database with the extension; it must not crash the server.
run_sqlsmith() {
	local seed=$RELIABILITY_SEED log=$CLUSTER_DIR/sqlsmith.log rc=0
	echo "== sqlsmith" >&2
	if ! createdb customers_smith || ! psql -X -q -v ON_ERROR_STOP=1 -d customers_smith \
		>"$CLUSTER_DIR/sqlsmith-setup.log" 2>&1 <<-'SQL'; then
			CREATE EXTENSION customers CASCADE;
			DROP ROLE IF EXISTS customers_smith;
			CREATE ROLE customers_smith LOGIN;
			GRANT USAGE ON SCHEMA customers TO customers_smith;
			GRANT SELECT ON ALL TABLES IN SCHEMA customers TO customers_smith;
			ALTER ROLE customers_smith SET statement_timeout = '5s';
			ALTER ROLE customers_smith SET customers.tenant_id = 'smith';
			SET customers.tenant_id = 'smith';
			SELECT customers.save('{"data": [{"name": "Acme", "email": "a@acme.com"},
				{"name": "Beta", "businessName": "Beta Ltd", "customData": {"k": [1, 2]}}]}');
		SQL
		cat "$CLUSTER_DIR/sqlsmith-setup.log" >&2
		record "sqlsmith (setup)" fail
		return
	fi
	# a hard time limit too: sqlsmith has no other
	timeout 600 sqlsmith --target="host=$PGHOST port=$PGPORT dbname=customers_smith user=customers_smith" \
		--seed="$seed" --max-queries="${SQLSMITH_QUERIES:-10000}" --exclude-catalog \
		>"$log" 2>&1 || rc=$?
	tail -n 3 "$log" >&2
	if ((rc != 0)) || ! psql -X -q -d customers_smith -c 'SELECT 1' >/dev/null 2>&1; then
		echo "sqlsmith exited with $rc (seed $seed); its output:" >&2
		tail -n 40 "$log" >&2
		record "sqlsmith (seed $seed, ${SQLSMITH_QUERIES:-10000} queries)" fail
	else
		record "sqlsmith (seed $seed, ${SQLSMITH_QUERIES:-10000} queries)" ok
	fi
}

# After every suite: no backend died of a signal, and nothing raised an
# internal error (XX000) - except statements sqlsmith generated against
# PostgreSQL itself, which are shown but not counted.
check_server_log() {
	local log=$CLUSTER_DIR/server.log crashes internal smith
	echo "== server log" >&2
	crashes=$(grep -E 'terminated by (signal|exception)|exited with exit code [2-9]' "$log" || true)
	internal=$(grep -E '^\S+ \S+ \S+ \[[0-9]+\] \S* XX000 ' "$log" | grep -vE '\] customers_smith XX000 ' || true)
	smith=$(grep -E '\] customers_smith XX000 ' "$log" || true)
	[[ -z $smith ]] || printf 'internal errors of PostgreSQL under sqlsmith (not counted):\n%s\n' "$smith" >&2
	if [[ -n $crashes || -n $internal ]]; then
		printf '%s\n%s\n' "$crashes" "$internal" | head -n 40 >&2
		record "server log: no crash, no internal error" fail
	else
		record "server log: no crash, no internal error" ok
	fi
}
