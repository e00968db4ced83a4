#!/usr/bin/env bash
# End-to-end test of the example server: npm ci, then node's test runner
# (TAP output, one line per test). scripts/test.sh runs it against its
# throwaway cluster. Alone, it starts one itself; the extension must be
# installed (make install):
#   bash examples/http/test.sh
# It also starts a hot standby of that cluster (pg_basebackup, streaming, in
# its own temporary directory, stopped and removed on exit), for the test of
# the read replica; STANDBY_PGHOST and STANDBY_PGPORT tell the tests where.
set -euo pipefail
cd "$(dirname "$0")"

if [[ -z ${PGHOST:-} ]]; then
	# shellcheck source=../../scripts/cluster.sh
	source ../../scripts/cluster.sh
	cluster_start
fi
PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}

STANDBY_DIR=""
standby_stop() {
	local dir=$STANDBY_DIR
	[[ -n $dir ]] || return 0
	STANDBY_DIR=""
	if [[ -f $dir/data/postmaster.pid ]]; then
		(cd "$dir" && runuser -u postgres -- "$PG_BINDIR/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1) || true
	fi
	rm -rf -- "$dir"
}
# Also when this script was started by scripts/test.sh, whose own traps
# stop only its primary.
trap 'rc=$?; standby_stop; if declare -F cluster_stop >/dev/null; then cluster_stop; fi; exit "$rc"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

STANDBY_DIR=$(mktemp -d "${TMPDIR:-/tmp}/customers-standby.XXXXXX")
chown postgres:postgres "$STANDBY_DIR"
# The standby listens on its own socket directory: the same port number is free there.
(cd "$STANDBY_DIR" && runuser -u postgres -- "$PG_BINDIR/pg_basebackup" -h "$PGHOST" -p "$PGPORT" -U postgres \
	-D "$STANDBY_DIR/data" --write-recovery-conf --wal-method=stream --checkpoint=fast --no-sync)
cat >>"$STANDBY_DIR/data/postgresql.auto.conf" <<-CONF
	unix_socket_directories = '$STANDBY_DIR'
	hot_standby = on
CONF
(cd "$STANDBY_DIR" && runuser -u postgres -- "$PG_BINDIR/pg_ctl" -D "$STANDBY_DIR/data" \
	-l "$STANDBY_DIR/server.log" -w -t 60 start >/dev/null) || { cat "$STANDBY_DIR/server.log" >&2; exit 1; }
export STANDBY_PGHOST=$STANDBY_DIR STANDBY_PGPORT=$PGPORT

npm ci --no-audit --no-fund --loglevel=error >&2
rc=0
node --test-reporter=tap test/errors.test.js || rc=$?
node --test-reporter=tap test/e2e.test.js || rc=$?
node --test-reporter=tap test/webhooks.test.js || rc=$?
exit "$rc"
