#!/usr/bin/env bash
# A throwaway Citus cluster: a coordinator and two workers, each its own
# PostgreSQL 15 instance, in one mktemp -d directory (unix sockets there, no
# TCP), run as the postgres OS user. Source this file:
#
#   source scripts/citus_cluster.sh
#   citus_cluster_start    # exports PGHOST PGPORT PGUSER PGDATABASE (the coordinator)
#                          # and CITUS_WORKER_PORTS ("p1 p2", same PGHOST)
#   citus_cluster_stop     # also runs on EXIT/INT/TERM
#
# Citus must be installed (scripts/citus.sh). Database CITUS_DATABASE
# (default postgres) exists on every node with Citus in it, and the
# coordinator knows both workers. Creating and distributing the extension is
# the caller's step.

PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
export PG_BINDIR
case ":$PATH:" in
*":$PG_BINDIR:"*) ;;
*) export PATH="$PG_BINDIR:$PATH" ;;
esac

CITUS_DIR=""
CITUS_NODES=(coordinator worker1 worker2)

_citus_as_postgres() {
	(cd "$CITUS_DIR" && runuser -u postgres -- "$@")
}

_citus_on_exit() {
	local rc=$?
	citus_cluster_stop
	exit "$rc"
}

citus_cluster_start() {
	[[ -z $CITUS_DIR ]] || return 0
	if ((EUID != 0)); then
		echo "citus_cluster.sh: must run as root (needs runuser -u postgres)" >&2
		return 1
	fi
	trap _citus_on_exit EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP

	CITUS_DIR=$(mktemp -d "${TMPDIR:-/tmp}/customers-citus.XXXXXX")
	chown postgres:postgres "$CITUS_DIR"

	# The sockets share one private directory, so any three ports will do.
	local base=$((55400 + RANDOM % 500)) i node port locale=C
	if locale -a 2>/dev/null | tr '[:upper:]' '[:lower:]' | tr -d '-' | grep -qx 'c.utf8'; then
		locale=C.UTF-8
	fi
	for i in 0 1 2; do
		node=${CITUS_NODES[i]}
		port=$((base + i))
		if ! _citus_as_postgres "$PG_BINDIR/initdb" -D "$CITUS_DIR/$node" --auth=trust \
			-U postgres --encoding=UTF8 --locale="$locale" --no-sync >"$CITUS_DIR/$node.initdb.log" 2>&1; then
			echo "citus_cluster.sh: initdb of $node failed:" >&2
			cat "$CITUS_DIR/$node.initdb.log" >&2
			return 1
		fi
		cat >>"$CITUS_DIR/$node/postgresql.conf" <<-CONF

			# --- throwaway Citus test cluster (scripts/citus_cluster.sh) ---
			listen_addresses = ''
			port = $port
			unix_socket_directories = '$CITUS_DIR'
			shared_preload_libraries = 'citus'
			max_prepared_transactions = 100
			fsync = off
			synchronous_commit = off
			full_page_writes = off
			shared_buffers = 64MB
			log_line_prefix = '%m [%p] %d %e '
			# nodes talk over unix sockets, where there is no SSL
			citus.node_conninfo = 'sslmode=disable'
			# how a node reaches itself (shard splits and moves)
			citus.local_hostname = '$CITUS_DIR'
			# SET LOCAL customers.tenant_id reaches the workers (row level security there)
			citus.propagate_set_commands = 'local'
		CONF
		if ! _citus_as_postgres "$PG_BINDIR/pg_ctl" -D "$CITUS_DIR/$node" \
			-l "$CITUS_DIR/$node.log" -w -t 60 start >/dev/null; then
			echo "citus_cluster.sh: $node failed to start:" >&2
			cat "$CITUS_DIR/$node.log" >&2 || true
			return 1
		fi
		if [[ ${CITUS_DATABASE:-postgres} != postgres ]]; then
			psql -X -q -v ON_ERROR_STOP=1 -h "$CITUS_DIR" -p "$port" -U postgres -d postgres \
				-c "CREATE DATABASE \"$CITUS_DATABASE\"" >/dev/null || return 1
		fi
		psql -X -q -v ON_ERROR_STOP=1 -h "$CITUS_DIR" -p "$port" -U postgres \
			-d "${CITUS_DATABASE:-postgres}" -c 'CREATE EXTENSION citus' >/dev/null || return 1
	done
	export PGHOST=$CITUS_DIR PGPORT=$base PGUSER=postgres PGDATABASE=${CITUS_DATABASE:-postgres}
	export CITUS_WORKER_PORTS="$((base + 1)) $((base + 2))"
	psql -X -q -v ON_ERROR_STOP=1 \
		-c "SELECT citus_set_coordinator_host('$CITUS_DIR', $base)" \
		-c "SELECT citus_add_node('$CITUS_DIR', $((base + 1)))" \
		-c "SELECT citus_add_node('$CITUS_DIR', $((base + 2)))" >/dev/null || return 1
	echo "citus_cluster.sh: coordinator on port $base, workers on $CITUS_WORKER_PORTS, sockets in $CITUS_DIR" >&2
}

# The server log of a node (coordinator, worker1, worker2)
citus_node_log() {
	echo "$CITUS_DIR/$1.log"
}

citus_cluster_stop() {
	local dir=$CITUS_DIR node
	[[ -n $dir ]] || return 0
	CITUS_DIR=""
	for node in "${CITUS_NODES[@]}"; do
		if [[ -f $dir/$node/postmaster.pid ]]; then
			(cd "$dir" && runuser -u postgres -- "$PG_BINDIR/pg_ctl" -D "$dir/$node" \
				-m fast -w -t 30 stop >/dev/null 2>&1) ||
				(cd "$dir" && runuser -u postgres -- "$PG_BINDIR/pg_ctl" -D "$dir/$node" \
					-m immediate -w -t 30 stop >/dev/null 2>&1) || true
		fi
	done
	if [[ -n ${CITUS_KEEP_LOGS:-} ]]; then
		mkdir -p "$CITUS_KEEP_LOGS" && cp "$dir"/*.log "$CITUS_KEEP_LOGS"/ 2>/dev/null || true
	fi
	rm -rf -- "$dir"
	unset PGHOST PGPORT PGUSER PGDATABASE CITUS_WORKER_PORTS
	return 0
}
