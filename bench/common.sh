# What the benchmarks share (sourced by every bench/*.sh): the build and
# install, a cluster sized for a data set, psql, the application role and
# the extension, and loading customers through customers.save.

# Build and install the extension for PG_BINDIR; BENCH_PG=18 picks another
# major (scripts/pg_build.sh builds it on first use). Sources
# scripts/cluster.sh, which puts PG_BINDIR first on PATH.
bench_install() {
	bash scripts/deps.sh
	if [[ -n ${BENCH_PG:-} ]]; then
		PG_BINDIR=$(bash scripts/pg_build.sh "$BENCH_PG")
		export PG_BINDIR
	fi
	# shellcheck source=scripts/cluster.sh
	source scripts/cluster.sh
	make -s PG_CONFIG="$PG_BINDIR/pg_config" -j"$(nproc)" >/dev/null
	make -s PG_CONFIG="$PG_BINDIR/pg_config" install >/dev/null
}

# Start the throwaway cluster with room for the data set in memory, and the
# settings given as arguments ("work_mem = '16MB'") besides. Sets WORK, a
# directory in the cluster's that every role can write (scripts, outputs).
bench_cluster_start() {
	local setting
	cluster_start
	{
		echo "shared_buffers = '2GB'"
		echo "maintenance_work_mem = '512MB'"
		echo "max_wal_size = '8GB'"
		echo "checkpoint_timeout = '30min'"
		for setting in "$@"; do
			echo "$setting"
		done
	} >>"$CLUSTER_DIR/data/postgresql.conf"
	# every backend gets the glibc thresholds the extension sets when it
	# loads (src/malloc_thresholds.c), so the hand-written SQL's backends
	# do not give their memory back to the kernel after every statement
	# either: with glibc's defaults that cost the floor's page as much as
	# its work (bench/README.md)
	_cluster_as_postgres env GLIBC_TUNABLES=glibc.malloc.mmap_threshold=8388608:glibc.malloc.trim_threshold=16777216 \
		"$PG_BINDIR/pg_ctl" -D "$CLUSTER_DIR/data" -l "$CLUSTER_DIR/server.log" -w -t 60 restart >/dev/null
	WORK=$CLUSTER_DIR/work
	mkdir -p "$WORK"
	chmod 777 "$WORK"
}

sql() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }

# bench_app_setup DB TENANT [FILE...]: the application role bench_app
# (LOGIN, not a superuser, its customers.tenant_id TENANT), made once per
# cluster; then in DB the extension and the fixture files (bench/setup.sql
# and the like), run as the superuser in that order.
bench_app_setup() {
	local db=$1 tenant=$2 file files=()
	shift 2
	if [[ -z $(sql -c "SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'bench_app'") ]]; then
		sql -c "CREATE ROLE bench_app LOGIN" -c "ALTER ROLE bench_app SET customers.tenant_id = '$tenant'"
	fi
	for file in "$@"; do
		files+=(-f "$file")
	done
	sql -d "$db" -c "CREATE EXTENSION customers CASCADE" "${files[@]}" >/dev/null
}

# bench_load DB ROWS WORK [BATCH] [ROLE]: customers 1..ROWS of bench/setup.sql's
# shape (or of the BATCH function's) saved through customers.save by
# bench_app (or ROLE), in batches of 1000 split over two loaders (scripts in WORK), then VACUUM (ANALYZE); prints rows/s (and
# the time to stderr), exits on a failed batch. The tenant is the role's, or
# PGOPTIONS="-c customers.tenant_id=…". Also used by the fuzzer's big tenant
# (scripts/reliability.sh).
bench_load() {
	local db=$1 rows=$2 work=$3 batch=${4:-bench.batch} role=${5:-bench_app} start end w
	for w in 0 1; do
		awk -v rows="$rows" -v w="$w" -v batch="$batch" 'BEGIN {
			for (first = 1 + w * 1000; first <= rows; first += 2000) {
				n = (rows - first + 1 < 1000) ? rows - first + 1 : 1000
				printf "SELECT customers.save(%s(%d, %d)) ->> '\''result'\'';\n", batch, first, n
			}
		}' >"$work/load$w.sql"
	done
	start=$(date +%s.%N)
	sql -U "$role" -d "$db" -f "$work/load0.sql" >"$work/load0.out" &
	sql -U "$role" -d "$db" -f "$work/load1.sql" >"$work/load1.out"
	wait $!
	end=$(date +%s.%N)
	if grep -qv '^SUCCESS$' "$work/load0.out" "$work/load1.out"; then
		echo "bench: a load batch failed" >&2
		exit 1
	fi
	sql -d "$db" -c "VACUUM (ANALYZE) customers.customer" >/dev/null
	echo "$db: loaded $rows customers through customers.save in $(awk -v s="$start" -v e="$end" \
		'BEGIN { printf "%.1f", e - s }') s" >&2
	awk -v r="$rows" -v s="$start" -v e="$end" 'BEGIN { printf "%.0f", r / (e - s) }'
}

# bench_case DIR ROLE DB STATEMENT SECONDS: one statement with 2 clients.
# bench_tps DIR ROLE DB SQL SECONDS: the calls per second of SQL under
# pgbench (-M prepared, 2 clients) for SECONDS, in DIR.tps, after one call
# outside the timing. Exits on a failed call.
bench_tps() {
	local dir=$1 role=$2 db=$3 statement=${4%;} secs=$5
	mkdir -p "$dir"
	chmod 777 "$dir"
	printf '%s;\n' "$statement" >"$dir/script.sql"
	# once, to check that it works, outside the timing
	sql -U "$role" -d "$db" -f "$dir/script.sql" >/dev/null
	pgbench -n -M prepared -c 2 -j 2 -T "$secs" -U "$role" -f "$dir/script.sql" "$db" \
		>"$dir/pgbench.out" 2>&1 || {
		cat "$dir/pgbench.out" >&2
		exit 1
	}
	sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$dir/pgbench.out" >"$dir.tps"
}

# bench_case DIR ROLE DB STATEMENT SECONDS: one statement with 2 clients.
# bench_tps gives the calls per second, in DIR.tps; then 2 psql sessions
# call the same statement, prepared, for SECONDS more, timing each call (\timing), and the median goes to
# DIR.median (ms). pgbench's per-transaction log (-l) cannot give the
# latencies: it reads the clock at most once per pass over a client, so a
# call whose result is already there when pgbench looks (a fast call on a
# busy machine) is logged as 0 µs and the next call carries its time; the
# median of the fastest cases came out as 0.000 ms. Exits on a failed call.
bench_case() {
	local dir=$1 role=$2 db=$3 statement=${4%;} secs=$5 calls c pids=()
	bench_tps "$@"
	# each session stops itself at the deadline, after a whole call: only
	# the calls are timed, the clock check between them is not; the script
	# holds twice the calls one session of two made under pgbench
	calls=$(awk -v t="$(cat "$dir.tps")" -v s="$secs" 'BEGIN { printf "%d", t * s + 100 }')
	{
		echo "PREPARE bench_case AS $statement;"
		echo "SELECT (clock_timestamp() + interval '$secs s')::text AS bench_deadline \\gset"
		awk -v n="$calls" 'BEGIN { for (i = 0; i < n; i++)
			print "\\timing on\nEXECUTE bench_case;\n\\timing off\n" \
				"SELECT clock_timestamp() > :'\''bench_deadline'\'' AS bench_done \\gset\n\\if :bench_done\n\\q\n\\endif" }'
	} >"$dir/timed.sql"
	for c in 1 2; do
		sql -U "$role" -d "$db" -o /dev/null -f "$dir/timed.sql" >"$dir/timed$c.out" 2>&1 &
		pids+=($!)
	done
	for c in "${pids[@]}"; do
		wait "$c" || { cat "$dir"/timed?.out >&2; exit 1; }
	done
	rm "$dir/timed.sql"
	sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' "$dir"/timed?.out | sort -n |
		awk '{ a[NR] = $1 } END { printf "%.3f\n", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }' \
			>"$dir.median"
}

# bench_fat_load ROWS WORK: ROWS customers of about 250 kB
# (memory.save_request of bench/memory_setup.sql) in the tenant "fat",
# saved by bench_app 100 at a time (script in WORK); exits on a failed batch
bench_fat_load() {
	local rows=$1 work=$2 first
	for ((first = 1; first <= rows; first += 100)); do
		echo "SELECT customers.save(memory.save_request($((rows - first + 1 < 100 ? rows - first + 1 : 100)), 250)) ->> 'result';"
	done >"$work/fat.sql"
	PGOPTIONS="-c customers.tenant_id=fat" sql -U bench_app -f "$work/fat.sql" >"$work/fat.out"
	if grep -qv '^SUCCESS$' "$work/fat.out"; then
		echo "bench: loading the 250 kB customers failed" >&2
		exit 1
	fi
}
