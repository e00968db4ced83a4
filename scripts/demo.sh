#!/usr/bin/env bash
# Demo: build + install the extension into a throwaway cluster and walk one
# customer through save / get / patch / archive / restore.
#   bash scripts/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/deps.sh
# shellcheck source=scripts/cluster.sh
source scripts/cluster.sh # also puts PG_BINDIR first on PATH

make -s PG_CONFIG="$PG_BINDIR/pg_config" -j"$(nproc)"
make -s PG_CONFIG="$PG_BINDIR/pg_config" install

cluster_start # the trap stops it and removes its temp dir on exit

psql -X -q -v ON_ERROR_STOP=1 -c 'CREATE EXTENSION customers CASCADE;'
# -e echoes each statement before its result.
psql -X -q -v ON_ERROR_STOP=1 -e -f scripts/demo.sql
