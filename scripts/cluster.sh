#!/usr/bin/env bash
# Throwaway PostgreSQL 15 cluster for tests and the demo. Source this file:
#
#   source scripts/cluster.sh
#   cluster_start          # exports PGHOST PGPORT PGUSER PGDATABASE
#   ...psql / make installcheck...
#   cluster_stop           # optional: also runs automatically on EXIT/INT/TERM
#
# The cluster lives entirely in a mktemp -d directory (data, unix socket, log),
# listens on no TCP port, and is owned by the postgres OS user because initdb
# and postgres refuse to run as root. Debian's own "15 main" cluster is never
# touched.

# The single place that knows where PostgreSQL 15 lives. Putting it first on
# PATH makes `make` pick the right pg_config (and thus PGXS/pg_regress) and
# makes psql the 15 client. Override with PG_BINDIR=... if needed.
PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
export PG_BINDIR
case ":$PATH:" in
*":$PG_BINDIR:"*) ;;
*) export PATH="$PG_BINDIR:$PATH" ;;
esac

CLUSTER_DIR=""   # set while a cluster (or a half-started one) exists

# Run a command as the postgres OS user from a directory it can read, so that
# initdb/pg_ctl don't complain about root's cwd.
_cluster_as_postgres() {
	(cd "$CLUSTER_DIR" && runuser -u postgres -- "$@")
}

# Prefer C.UTF-8 (UTF8 encoding, byte-order collation); fall back to C.
_cluster_locale() {
	if locale -a 2>/dev/null | tr '[:upper:]' '[:lower:]' | tr -d '-' | grep -qx 'c.utf8'; then
		echo C.UTF-8
	else
		echo C
	fi
}

# A port is "in use" if something listens on it over TCP or a unix socket for it
# exists in the usual socket dirs. Our cluster has its own socket dir and TCP
# off, so this is only to avoid confusing anyone; collisions would still work.
_cluster_port_free() {
	local p=$1 d
	for d in /tmp /var/run/postgresql; do
		[[ -e $d/.s.PGSQL.$p ]] && return 1
	done
	if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
		return 1
	fi
	return 0
}

_cluster_pick_port() {
	local p
	for p in $(seq 54390 54399) $(seq 54300 54389); do
		if _cluster_port_free "$p"; then
			echo "$p"
			return 0
		fi
	done
	echo "cluster.sh: no free port in 54300-54399" >&2
	return 1
}

# EXIT trap: stop the cluster, remove the dir, keep the script's exit status.
_cluster_on_exit() {
	local rc=$?
	cluster_stop
	exit "$rc"
}

cluster_start() {
	if [[ -n $CLUSTER_DIR ]]; then
		return 0 # already running
	fi
	if ((EUID != 0)); then
		echo "cluster.sh: must run as root (needs runuser -u postgres)" >&2
		return 1
	fi

	# Install traps before creating anything so an interrupt at any point
	# still cleans up. `exit` in INT/TERM handlers fires the EXIT trap.
	trap _cluster_on_exit EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP

	CLUSTER_DIR=$(mktemp -d "${TMPDIR:-/tmp}/customers-pg.XXXXXX")
	chown postgres:postgres "$CLUSTER_DIR"

	local locale port
	locale=$(_cluster_locale)
	port=$(_cluster_pick_port)

	if ! _cluster_as_postgres "$PG_BINDIR/initdb" -D "$CLUSTER_DIR/data" \
		--auth=trust -U postgres --encoding=UTF8 --locale="$locale" \
		--no-sync >"$CLUSTER_DIR/initdb.log" 2>&1; then
		echo "cluster.sh: initdb failed:" >&2
		cat "$CLUSTER_DIR/initdb.log" >&2
		cluster_stop
		return 1
	fi

	# Settings go in the config file rather than `pg_ctl -o` to avoid shell
	# quoting problems with listen_addresses=''.
	cat >>"$CLUSTER_DIR/data/postgresql.conf" <<-CONF

		# --- throwaway test cluster (scripts/cluster.sh) ---
		listen_addresses = ''
		port = $port
		unix_socket_directories = '$CLUSTER_DIR'
		fsync = off
		synchronous_commit = off
		full_page_writes = off
		# the fuzzer's tenant of 100,000 customers (about 380 MB) stays in
		# memory, so that its 1 s limit per call measures the call, not reads
		shared_buffers = '512MB'
	CONF

	if ! _cluster_as_postgres "$PG_BINDIR/pg_ctl" -D "$CLUSTER_DIR/data" \
		-l "$CLUSTER_DIR/server.log" -w -t 60 start >/dev/null; then
		echo "cluster.sh: server failed to start; server log:" >&2
		cat "$CLUSTER_DIR/server.log" >&2 || true
		cluster_stop
		return 1
	fi

	export PGHOST=$CLUSTER_DIR PGPORT=$port PGUSER=postgres PGDATABASE=postgres
	echo "cluster.sh: PostgreSQL running, socket $PGHOST port $PGPORT" >&2
}

# Idempotent: safe to call any number of times, with or without a cluster.
cluster_stop() {
	local dir=$CLUSTER_DIR
	[[ -n $dir ]] || return 0
	CLUSTER_DIR=""
	if [[ -f $dir/data/postmaster.pid ]]; then
		(cd "$dir" && runuser -u postgres -- "$PG_BINDIR/pg_ctl" -D "$dir/data" \
			-m fast -w -t 30 stop >/dev/null 2>&1) ||
			(cd "$dir" && runuser -u postgres -- "$PG_BINDIR/pg_ctl" -D "$dir/data" \
				-m immediate -w -t 30 stop >/dev/null 2>&1) || true
	fi
	rm -rf -- "$dir"
	unset PGHOST PGPORT PGUSER PGDATABASE
	return 0
}
