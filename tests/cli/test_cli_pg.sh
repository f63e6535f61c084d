#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The command line suite (test_cli.sh) against PostgreSQL: a cluster of
# its own (tests/e2e/pg_lib.sh) in a temp dir, every 'tg' of the suite
# with --db postgresql://... and its database file as the snapshot.
# Needs root (the cluster runs as user postgres). Outside CI it says SKIP
# and succeeds; with CI=true a skip fails.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1

skip() {
	echo "SKIP: cli against PostgreSQL: $*"
	[ "${CI:-}" = true ] && exit 1
	exit 0
}
. tests/e2e/pg_lib.sh
[ "$(id -u)" = 0 ] || skip "needs root (the cluster runs as user postgres)"
pg_require

PG_TMP=$(mktemp -d /tmp/tg-cli-pg.XXXXXX)
chmod 0711 "$PG_TMP"
trap 'pg_cleanup; rm -rf "$PG_TMP"' EXIT
pg_init "$PG_TMP/pg" || { echo "FAIL: cannot start PostgreSQL"; exit 1; }
TG_CLI_PG_URL=$PG_URL bash tests/cli/test_cli.sh
