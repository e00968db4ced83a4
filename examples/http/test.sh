#!/usr/bin/env bash
# End-to-end test of the example server: npm ci, then node's test runner
# (TAP output, one line per test). scripts/test.sh runs it against its
# throwaway cluster. Alone, it starts one itself; the extension must be
# installed (make install):
#   bash examples/http/test.sh
set -euo pipefail
cd "$(dirname "$0")"

if [[ -z ${PGHOST:-} ]]; then
	# shellcheck source=../../scripts/cluster.sh
	source ../../scripts/cluster.sh
	cluster_start
fi

npm ci --no-audit --no-fund --loglevel=error >&2
rc=0
node --test-reporter=tap test/errors.test.js || rc=$?
node --test-reporter=tap test/e2e.test.js || rc=$?
exit "$rc"
