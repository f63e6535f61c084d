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
# version refused; and a drain is never pushed. Then the incremental pull:
# a snapshot that pulls only what changed ends as one pulled whole.
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
for suite in cli members bird stats freeradius wg; do
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
	msql "ALTER TABLE subscriber DROP COLUMN home_pop; DROP TABLE wg_invite; UPDATE tungate_meta SET version = $OLD" &&
	sqlite3 "$DB" "ALTER TABLE subscriber DROP COLUMN home_pop; DROP TABLE wg_invite; PRAGMA user_version = $OLD" ||
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
[ "$(msql "SELECT count(*) FROM information_schema.tables WHERE table_name = 'wg_invite'")" = 1 ] &&
	ok || bad "no table wg_invite"
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
mig_fail=$fail

# --- incremental pull ------------------------------------------------------
# Snapshot w writes, f follows: each command pulls only what changed since
# f was whole (-v says which), and f must then show what a new snapshot
# pulled whole shows. Changes made by hand in SQL come too (the trigger),
# also from a transaction that commits after a pull passed its revision;
# tombstones pruned, or revisions missing, make it pull all.
pass=0 fail=0
pg_as "$PG_BIN/createdb" -h "$PG_DIR" -U postgres -O root tginc || exit 1
IURL="postgresql:///tginc?host=$PG_DIR"
tgs() { local s=$1; shift; "$TG" --db "$IURL" --snapshot "$TMP/$s.db" "$@"; }
isql() { psql -h "$PG_DIR" -XAtq -v ON_ERROR_STOP=1 -c "$1" tginc; }
# f_pulls WHAT HOW: f's pull said HOW ("only what changed", "all compared"),
# and f's sub list, class list and config show are a new snapshot's.
f_pulls() {
	local what=$1 how=$2 cmd first=1
	for cmd in "sub list" "class list" "config show"; do
		rm -f "$TMP/new.db"*
		# shellcheck disable=SC2086
		if ! tgs f -v -j $cmd >"$TMP/inc.json" 2>"$TMP/inc.err" ||
		   ! tgs new -j $cmd >"$TMP/new.json" 2>"$TMP/err"; then
			bad "$what: $cmd: $(cat "$TMP/inc.err" "$TMP/err")"
			continue
		fi
		if [ "$first" = 1 ] && ! grep -q "pulled (.*, $how)" "$TMP/inc.err"; then
			bad "$what: f did not pull $how: $(cat "$TMP/inc.err")"
		fi
		first=0
		# The data plane ids are each snapshot's own.
		$PY -c 'import json, sys
def strip(j):
    if isinstance(j, list):
        return [strip(x) for x in j]
    if isinstance(j, dict):
        return {k: strip(v) for k, v in j.items() if k != "dp_id"}
    return j
a, b = (strip(json.load(open(f))) for f in sys.argv[1:])
sys.exit(0 if a == b else 1)' "$TMP/inc.json" "$TMP/new.json" && ok ||
			bad "$what: $cmd differs: $(diff "$TMP/inc.json" "$TMP/new.json" | head -5)"
	done
}
expect_ok "inc: db init" tgs w db init
expect_ok "inc: class silver" tgs w class add silver --down-rate 2mbit
expect_ok "inc: class gold" tgs w class add gold --down-rate 10mbit
expect_ok "inc: sub a" tgs w sub add a --type gre --remote 192.0.2.50 \
	--local 198.51.100.1 --prefix 100.64.50.0/24 --prefix 2001:db8:50::/48 --class gold
expect_ok "inc: sub b" tgs w sub add b --type gre --remote 192.0.2.51 \
	--local 198.51.100.1 --prefix 100.64.51.0/24 --prefix 100.64.151.0/24
f_pulls "inc: first pull" "all compared"
expect_ok "inc: sub c" tgs w sub add c --type gre --remote 192.0.2.52 \
	--local 198.51.100.1 --prefix 100.64.52.0/24 --class silver
expect_ok "inc: disable a" tgs w sub disable a
expect_ok "inc: del b" tgs w sub del b
expect_ok "inc: config set" tgs w config set ttl 48
f_pulls "inc: insert, update, delete, setting" "only what changed"
[ "$(isql "SELECT count(*) FROM tungate_tombstone WHERE tbl = 'prefix'")" = 2 ] && ok ||
	bad "inc: tombstones of b's prefixes: $(isql "SELECT * FROM tungate_tombstone")"
# By hand: a class renamed (the old name's tombstone), a prefix and a
# setting changed, the counter left as it is.
counter=$(isql "SELECT counter FROM tungate_meta")
isql "UPDATE class SET name = 'bronze' WHERE name = 'gold';
      UPDATE subscriber SET class = 'bronze' WHERE name = 'a';
      UPDATE prefix SET prefix = '100.64.53.0/24' WHERE prefix = '100.64.52.0/24';
      UPDATE setting SET value = '56' WHERE key = 'ttl'" ||
	bad "inc: changes by hand"
f_pulls "inc: changes by hand" "only what changed"
expect_ok "inc: show a" tgs f -j sub show a
json_check "inc: a renamed class" "j['class'] == 'bronze' and not j['enabled']"
[ "$(isql "SELECT counter FROM tungate_meta")" = "$counter" ] && ok ||
	bad "inc: the counter moved by hand"
# Tombstones of more than a day pruned by the next push: f, whole at a
# counter before them, pulls all.
isql "UPDATE tungate_tombstone SET at = now() - interval '2 days'" || bad "inc: age"
expect_ok "inc: a push that prunes" tgs w sub set c --note pruned
[ "$(isql "SELECT count(*) FROM tungate_tombstone")" = 0 ] && ok ||
	bad "inc: tombstones left: $(isql "SELECT * FROM tungate_tombstone")"
[ "$(isql "SELECT pruned > 0 FROM tungate_meta")" = t ] && ok ||
	bad "inc: nothing said pruned"
expect_ok "inc: del c" tgs w sub del c
f_pulls "inc: tombstones pruned" "all compared"
expect_ok "inc: sub d" tgs w sub add d --type gre --remote 192.0.2.54 \
	--local 198.51.100.1 --prefix 100.64.54.0/24
f_pulls "inc: after the whole pull" "only what changed"
# Tables an older tungate made (no revisions, no transaction ids): pulled
# whole, until 'db migrate' adds them.
isql "DROP TABLE tungate_tombstone; ALTER TABLE tungate_meta DROP COLUMN pruned;
      ALTER TABLE subscriber DROP COLUMN tg_rev CASCADE;
      DROP TRIGGER tungate_rev ON subscriber;
      DROP TRIGGER tungate_rev ON setting; DROP TRIGGER tungate_rev ON class;
      DROP TRIGGER tungate_rev ON community; DROP TRIGGER tungate_rev ON prefix;
      ALTER TABLE setting DROP COLUMN tg_xid; ALTER TABLE class DROP COLUMN tg_xid;
      ALTER TABLE community DROP COLUMN tg_xid; ALTER TABLE prefix DROP COLUMN tg_xid;
      ALTER TABLE subscriber DROP COLUMN tg_xid" || bad "inc: revisions taken away"
expect_ok "inc: sub e, no revisions" tgs w sub add e --type gre \
	--remote 192.0.2.55 --local 198.51.100.1 --prefix 100.64.55.0/24
f_pulls "inc: no revisions" "all compared"
expect_ok "inc: db migrate" tgs w db migrate
[ "$(isql "SELECT count(*) FROM subscriber WHERE tg_rev = 0")" = 3 ] && ok ||
	bad "inc: rows of before the migration not at rev 0"
[ "$(isql "SELECT count(*) FROM information_schema.columns WHERE
	(column_name = 'tg_xid' AND table_name IN ('setting', 'class', 'community',
	 'subscriber', 'prefix')) OR (column_name = 'xid' AND table_name = 'tungate_tombstone')")" = 6 ] &&
	ok || bad "inc: db migrate: transaction ids not added"
expect_ok "inc: del e" tgs w sub del e
f_pulls "inc: migrated" "only what changed"
# A transaction by hand that wrote before f pulled (w's push, past its
# revision) and commits after: the next pull brings it by the id of its
# transaction, not at a whole compare.
mkfifo "$TMP/held" || bad "inc: fifo"
psql -h "$PG_DIR" -XAtq -v ON_ERROR_STOP=1 tginc <"$TMP/held" >"$TMP/held.out" 2>&1 &
held_pid=$!
exec 9>"$TMP/held"
echo "BEGIN; UPDATE subscriber SET note = 'held' WHERE name = 'a';" >&9
held_open() {
	[ "$(isql "SELECT count(*) FROM pg_stat_activity WHERE datname = 'tginc' AND state = 'idle in transaction'")" = 1 ]
}
for _ in $(seq 100); do held_open && break; sleep 0.05; done
held_open && ok || bad "inc: the transaction by hand is not open"
expect_ok "inc: a push while it is open" tgs w sub set d --note meanwhile
f_pulls "inc: pulled while it is open" "only what changed"
echo "COMMIT;" >&9
exec 9>&-
wait "$held_pid" && ok || bad "inc: the transaction by hand: $(cat "$TMP/held.out")"
f_pulls "inc: committed after the pull" "only what changed"
expect_ok "inc: show a" tgs f -j sub show a
json_check "inc: a's note of the late commit" "j['note'] == 'held'"
echo "incremental pull: $pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$mig_fail" = 0 ] && exit $rc
exit 1
