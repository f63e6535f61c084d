#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The command line suites against PostgreSQL: a cluster of their own
# (tests/e2e/pg_lib.sh) in a temp dir, each suite on a fresh database of
# it, every 'tg' of the suite with --db postgresql://... and its database
# file as the snapshot (tests/cli/tg_db.sh). Each suite's summary is
# printed; one failing fails this. test_schema.sh (the SQLite file's
# schema and migrations) and test_install.sh (packaging) hold nothing of
# the database behind a command and stay SQLite's; test_metrics_http.sh
# tests the /metrics server on the maps (its database only makes them).
# Then 'db migrate' of a PostgreSQL database of the schema version before
# (made by TG_OLD, a tungate of that version, when given; else by this one
# and taken back by SQL): one transaction, the counter bumped, a newer
# version refused; and a drain is never pushed.
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

# Each suite on a database of its own, its summary line shown.
rc=0
for suite in cli members bird stats freeradius; do
	start=$SECONDS
	pg_as "$PG_BIN/createdb" -h "$PG_DIR" -U postgres -O root "tg_$suite" ||
		{ echo "FAIL: createdb tg_$suite"; rc=1; continue; }
	TG_CLI_PG_URL="postgresql:///tg_$suite?host=$PG_DIR" \
		bash "tests/cli/test_$suite.sh" >"$PG_TMP/$suite.log" 2>&1
	r=$?
	[ $r = 0 ] || { grep -E '^(FAIL|SKIP)' "$PG_TMP/$suite.log"; rc=1; }
	echo "$suite against PostgreSQL: $(grep -E '[0-9]+ passed, [0-9]+ failed' "$PG_TMP/$suite.log" | tail -1) (exit $r, $((SECONDS - start)) s)"
done

# --- db migrate ------------------------------------------------------------
TMP=$PG_TMP/mig
DB=$TMP/snapshot.db
PY=/usr/bin/python3
mkdir -p "$TMP"
. tests/cli/lib.sh
TG=$PWD/build/tungate
V=$(sed -n 's/^#define TG_DB_VERSION \([0-9]*\)$/\1/p' loader/db/conn.h)
OLD=$((V - 1))
pg_as "$PG_BIN/createdb" -h "$PG_DIR" -U postgres -O root tgmig || exit 1
URL="postgresql:///tgmig?host=$PG_DIR"
# shellcheck disable=SC2034 # read by tg (tests/cli/tg_db.sh)
TG_CLI_PG_URL=$URL
msql() { psql -h "$PG_DIR" -XAtq -v ON_ERROR_STOP=1 -c "$1" tgmig; }
if [ -n "${TG_OLD:-}" ]; then
	old() { TG=$TG_OLD tg "$@"; }
	echo "db migrate: version $OLD made by $TG_OLD"
else
	old() { tg "$@"; }
fi
old db init >/dev/null && old sub add m1 --type gre --remote 192.0.2.40 \
	--local 198.51.100.1 --prefix 100.64.40.0/24 >/dev/null ||
	bad "version $OLD database"
if [ -z "${TG_OLD:-}" ]; then
	msql "ALTER TABLE subscriber DROP COLUMN home_pop; UPDATE tungate_meta SET version = $OLD" &&
	sqlite3 "$DB" "ALTER TABLE subscriber DROP COLUMN home_pop; PRAGMA user_version = $OLD" ||
		bad "back to version $OLD"
fi
expect_refused "version $OLD refused" "schema version $OLD there, this tungate has $V" tg sub list
counter=$(msql "SELECT counter FROM tungate_meta")
expect_ok "db migrate" tg db migrate
grep -qx "database postgresql:///tgmig?host=$PG_DIR migrated from schema version $OLD to $V" "$TMP/out" &&
	grep -qx "snapshot $DB migrated from schema version $OLD to $V" "$TMP/out" && ok ||
	bad "db migrate said: $(cat "$TMP/out")"
[ "$(msql "SELECT version, counter FROM tungate_meta")" = "$V|$((counter + 1))" ] && ok ||
	bad "version and counter: $(msql "SELECT version, counter FROM tungate_meta")"
[ "$(msql "SELECT count(*) FROM information_schema.columns WHERE table_name = 'subscriber' AND column_name = 'home_pop'")" = 1 ] &&
	ok || bad "no home_pop column"
expect_ok "migrated: set --home-pop" tg sub set m1 --home-pop bcn-1
[ "$(msql "SELECT name, home_pop FROM subscriber")" = "m1|bcn-1" ] && ok ||
	bad "home_pop in PostgreSQL: $(msql "SELECT name, home_pop FROM subscriber")"
expect_ok "migrated: show" tg -j sub show m1
json_check "migrated: show" "j['home_pop'] == 'bcn-1' and j['prefixes'] == ['100.64.40.0/24']"
expect_ok "db migrate again" tg -j db migrate
json_check "db migrate again" "j['from'] == $V and j['snapshot_from'] == $V"
msql "UPDATE tungate_meta SET version = $((V + 1))"
expect_refused "newer version" "schema version $((V + 1)) there: cannot migrate, this tungate has $V" \
	tg db migrate
[ "$(msql "SELECT version FROM tungate_meta")" = $((V + 1)) ] && ok || bad "newer version changed"
msql "UPDATE tungate_meta SET version = $V"
# A drain is this POP's own: in the snapshot, never in PostgreSQL.
expect_ok "drain" tg drain
expect_ok "a change after the drain" tg sub set m1 --note drained
[ "$(msql "SELECT count(*) FROM setting WHERE key LIKE 'pop%'")" = 0 ] && ok ||
	bad "drain pushed: $(msql "SELECT * FROM setting")"
[ "$(sqlite3 "$DB" "SELECT value FROM setting WHERE key = 'pop_drain'")" = 1 ] && ok ||
	bad "drain not in the snapshot"
# A POP with no snapshot yet pulls one first, then drains it.
expect_ok "drain on a fresh snapshot" "$TG" --db "$URL" --snapshot "$TMP/fresh.db" drain
[ "$(sqlite3 "$TMP/fresh.db" "SELECT value FROM setting WHERE key = 'pop_drain'")" = 1 ] &&
	[ "$(sqlite3 "$TMP/fresh.db" "SELECT name FROM subscriber")" = m1 ] && ok ||
	bad "fresh snapshot not pulled and drained"
echo "db migrate: $pass passed, $fail failed"
[ "$fail" = 0 ] && exit $rc
exit 1
