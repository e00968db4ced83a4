#!/usr/bin/env bash
# Install what building and testing the extension needs, but only if missing.
# Idempotent and silent when everything is already present (no apt-get update
# on every run). Debian 12: pg_trgm ships inside postgresql-15 itself.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
	postgresql-15             # server binaries under /usr/lib/postgresql/15/bin, incl. pg_trgm
	postgresql-server-dev-15  # pg_config + PGXS + pg_regress/pg_isolation_regress
	make
	gcc
	libc6-dev
	libipc-run-perl           # TAP tests (PostgreSQL::Test::Cluster)
	libpq-dev                 # the fuzzer (test/fuzz) is a libpq client
	sqlsmith                  # random SQL against the extension (scripts/reliability.sh)
	gnuplot-nox               # bench/: the page latency chart (pgbench comes with postgresql-15)
	postgresql-server-dev-all # scripts/package.sh: pg_buildext's debhelper sequence, pg_virtualenv
	debhelper                 # ... dpkg-buildpackage of debian/
	dpkg-dev
	unzip                     # ... the release zip's contents
)

missing=()
for pkg in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	[[ $status == "install ok installed" ]] || missing+=("$pkg")
done

# node >= 18 (node:test) and npm run the example server's tests; any
# install will do (Debian 12 ships 18).
if ! command -v npm >/dev/null ||
	! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)' 2>/dev/null; then
	missing+=(nodejs npm)
fi

((${#missing[@]} == 0)) && exit 0

if ((EUID != 0)); then
	echo "deps.sh: missing packages (${missing[*]}); re-run as root" >&2
	exit 1
fi

echo "deps.sh: installing ${missing[*]}" >&2
apt-get update -qq
# Note: installing postgresql-15 may create (and try to start) Debian's
# default "15 main" cluster. That is harmless; our scripts never use it and
# always run their own throwaway cluster (see scripts/cluster.sh).
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
