#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# import --freeradius: a FreeRADIUS database built from the schema the
# freeradius package ships, 1000 members in mixed groups and rates
# (freeradius_data.py), imported exactly, again without a change, updated,
# and refused whole with the database unchanged for a bad row; then the
# same from a PostgreSQL cluster of the test's own. A missing tool is a
# loud SKIP, a failure under CI=true.
set -uo pipefail
cd "$(dirname "$0")/../.."

TG=${TUNGATE:-build/tungate}
PY=/usr/bin/python3
TMP=$(mktemp -d /tmp/tg-freeradius-test.XXXXXX)
DB=$TMP/tungate.db
PIN=/sys/fs/bpf/tg-freeradius-test-$$
SQL_DIR=/etc/freeradius/3.0/mods-config/sql/main
PGBIN=/usr/lib/postgresql/15/bin
PGDIR=
GEN="$PY tests/cli/freeradius_data.py"

pg_stop() {
	[ -n "$PGDIR" ] || return 0
	pg_run "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1
	rm -rf "$PGDIR"
}
trap 'pg_stop; rm -rf "$TMP" "$PIN"' EXIT
. tests/cli/lib.sh

skip() {
	echo "SKIP: $*"
	if [ "${CI:-}" = true ]; then
		bad "skipped under CI: $*"
	fi
}

tg() { tg_db --pin-root "$PIN" "$@"; }

# pg_run CMD...: as the cluster's owner (initdb refuses root).
pg_run() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

for t in sqlite3 "$SQL_DIR/sqlite/schema.sql" "$PY"; do
	if ! command -v "$t" >/dev/null && [ ! -e "$t" ]; then
		skip "$t missing (make deps installs it)"
		cli_finish
		exit
	fi
done

# --- SQLite, 1000 members ---------------------------------------------------
FR=$TMP/radius.db
$GEN gen 1000 "$TMP/data.sql" "$TMP/expect.json"
sqlite3 "$FR" <"$SQL_DIR/sqlite/schema.sql" && sqlite3 "$FR" <"$TMP/data.sql" &&
	ok || bad "FreeRADIUS database from the shipped schema"
[ "$(sqlite3 "$FR" 'SELECT count(DISTINCT username) FROM radcheck')" = 1008 ] &&
	ok || bad "users in radcheck"

tg db init >/dev/null || bad "db init"
# A subscriber of the operator's own, and a class with silver's rates.
expect_ok "own subscriber" tg sub add tun1 --type gre --remote 192.0.2.10 \
	--local 198.51.100.1 --prefix 192.0.2.128/28
expect_ok "own class" tg class add standard --down-rate 8mbit --up-rate 2mbit
expect_ok "unused class" tg class add keep --down-rate 1mbit --up-rate 1mbit

cp "$DB" "$TMP/before.db"
expect_ok "dry run" tg import --freeradius "$FR" --dry-run
grep -q '^members: 1000 would be new, 0 would be updated, 0 unchanged$' "$TMP/out" &&
	ok || bad "dry run counts: $(grep members: "$TMP/out")"
grep -q '^member m0001_exo.cat (user m0001@exo.cat): would be new$' "$TMP/out" &&
	ok || bad "dry run lists the members"
grep -q '^dry run: nothing written$' "$TMP/out" && ok || bad "dry run says so"
cmp -s "$DB" "$TMP/before.db" && ok || bad "dry run wrote"

start=$(date +%s%N)
expect_ok "import 1000" tg -j import --freeradius "$FR"
ms=$((($(date +%s%N) - start) / 1000000))
echo "import of 1000 members: ${ms} ms"
json_check "import counts" "len(j['members']['new']) == 1000 and \
j['members']['updated'] == [] and j['members']['unchanged'] == 0 and \
j['changed'] and len(j['not_imported']) == 8 and j['users'] == 1008"
json_check "classes" "sorted((c['name'], c['new']) for c in j['classes']) == \
[('bronze', True), ('gold', True), ('r-10M-50M', True), ('standard', False)]"
json_check "not imported: reasons" "all(('Crypt-Password cannot be used for CHAP' \
in r['reason'] and 'radcheck id' in r['where']) or 'no fixed Framed-IP-Address' \
in r['reason'] for r in j['not_imported'])"
json_check "not mapped: bursts, Session-Timeout, Idle-Timeout" "len([r for r in \
j['not_mapped'] if 'bursts' in r['reason'] or 'Session-Timeout' in r['reason'] \
or 'Idle-Timeout' in r['reason']]) == 3"
if $GEN check "$DB" "$TMP/expect.json" silver=standard >"$TMP/check" 2>&1; then
	ok
else
	bad "exact result: $(cat "$TMP/check")"
fi
[ "$(cli_sql 'SELECT count(*) FROM subscriber')" = 1001 ] && ok ||
	bad "subscribers"
[ "$(cli_sql 'SELECT count(*) FROM prefix')" = \
  "$((1 + 1000 + 100 + 2 * 143))" ] && ok || bad "prefixes: $(cli_sql 'SELECT count(*) FROM prefix')"
expect_ok "member shows" tg -j sub show m0003_exo.cat
json_check "member" "j['type'] == 'l2tpv2' and j['user'] == 'm0003@exo.cat' and \
j['class'] == 'bronze' and j['password'] is True"

# Again: nothing changes, not a byte of the file.
cp "$DB" "$TMP/before.db"
expect_ok "re-import" tg import --freeradius "$FR"
grep -q '^members: 0 new, 0 updated, 1000 unchanged$' "$TMP/out" && ok ||
	bad "re-import counts: $(grep members: "$TMP/out")"
grep -q '^nothing to change' "$TMP/out" && ok || bad "re-import says so"
cmp -s "$DB" "$TMP/before.db" && ok || bad "re-import wrote"

# A changed source: the imported member follows it, dp_id kept.
# The data plane id is each concentrator's own: from $DB, the snapshot
# against PostgreSQL.
dp=$(sqlite3 "$DB" "SELECT dp_id FROM subscriber WHERE name = 'm0002'")
sqlite3 "$FR" "UPDATE radreply SET value = '100.64.9.9' WHERE username = 'm0002'
	AND attribute = 'Framed-IP-Address'; UPDATE radusergroup SET groupname = 'gold'
	WHERE username = 'm0002'"
expect_ok "import of a change" tg import --freeradius "$FR"
grep -q '^members: 0 new, 1 updated, 999 unchanged$' "$TMP/out" && ok ||
	bad "update counts: $(grep members: "$TMP/out")"
[ "$(sqlite3 "$DB" "SELECT class || ' ' || dp_id FROM subscriber WHERE name = 'm0002'")" = "gold $dp" ] &&
	ok || bad "updated member"
[ "$(cli_sql "SELECT prefix FROM prefix JOIN subscriber s ON s.id =
	subscriber_id WHERE s.name = 'm0002'")" = 100.64.9.9/32 ] && ok ||
	bad "updated prefix"

# Bad rows refuse it all, each named; the database stays as it was.
sqlite3 "$FR" "INSERT INTO radcheck (username, attribute, op, value) VALUES
	('bad1', 'Cleartext-Password', ':=', 'x');
	INSERT INTO radreply (username, attribute, op, value) VALUES
	('bad1', 'Framed-IP-Address', '=', '999.1.1.1')"
id=$(sqlite3 "$FR" "SELECT id FROM radreply WHERE username = 'bad1'")
expect_refused "bad address" \
	"radreply id $id (user 'bad1'): user 'bad1': Framed-IP-Address '999.1.1.1': not an IPv4 address" \
	tg import --freeradius "$FR"
grep -q '1 bad row, nothing imported' "$TMP/err" && ok || bad "bad address: $(cat "$TMP/err")"
sqlite3 "$FR" "UPDATE radreply SET value = '100.64.200.1' WHERE username = 'bad1';
	INSERT INTO radcheck (username, attribute, op, value) VALUES
	('m0001_exo.cat', 'Cleartext-Password', ':=', 'x');
	INSERT INTO radreply (username, attribute, op, value) VALUES
	('m0001_exo.cat', 'Framed-IP-Address', '=', '100.64.200.2')"
expect_refused "two users, one name" \
	"users 'm0001@exo.cat' and 'm0001_exo.cat' both make the subscriber name 'm0001_exo.cat'" \
	tg import --freeradius "$FR"
sqlite3 "$FR" "DELETE FROM radcheck WHERE username = 'm0001_exo.cat';
	INSERT INTO radcheck (username, attribute, op, value) VALUES
	('tun1', 'Cleartext-Password', ':=', 'x');
	INSERT INTO radreply (username, attribute, op, value) VALUES
	('tun1', 'Framed-IP-Address', '=', '100.64.200.3')"
expect_refused "name of the operator's subscriber" \
	"user 'tun1' would be subscriber 'tun1', which exists and no FreeRADIUS import made (type gre)" \
	tg import --freeradius "$FR"
sqlite3 "$FR" "DELETE FROM radcheck WHERE username = 'tun1';
	INSERT INTO radreply (username, attribute, op, value) VALUES
	('bad1', 'Framed-Route', '+=', '192.0.2.128/26')"
expect_refused "overlap with the operator's subscriber" \
	"overlaps '192.0.2.128/28' of subscriber 'tun1'" tg import --freeradius "$FR"
sqlite3 "$FR" "DELETE FROM radreply WHERE username = 'bad1' AND attribute = 'Framed-Route';
	INSERT INTO radgroupreply (groupname, attribute, op, value) VALUES
	('gold', 'Mikrotik-Rate-Limit', ':=', '5M/20MM')"
expect_refused "malformed rate" \
	"Mikrotik-Rate-Limit '5M/20MM': rate '5M/20MM': must be bits/s" \
	tg import --freeradius "$FR"
if tg -j import --freeradius "$FR" >"$TMP/out" 2>"$TMP/err"; then
	bad "-j bad rate accepted"
else
	ok
fi
json_check "-j refusal" "'nothing imported' in j['error'] and \
j['rows'][0]['where'].startswith('radgroupreply id ')"
sqlite3 "$FR" "DELETE FROM radgroupreply WHERE value = '5M/20MM'"
expect_ok "import after the fixes" tg import --freeradius "$FR"
grep -q '^members: 1 new, 0 updated, 1000 unchanged$' "$TMP/out" && ok ||
	bad "after the fixes: $(grep members: "$TMP/out")"

# A user gone from the source: its member is kept, and listed.
sqlite3 "$FR" "DELETE FROM radcheck WHERE username = 'bad1'"
expect_ok "user gone" tg -j import --freeradius "$FR"
json_check "kept" "j['members']['kept'] == ['bad1'] and not j['changed']"

expect_refused "missing file" "No such file" tg import --freeradius "$TMP/none.db"
expect_refused "not FreeRADIUS" "not a FreeRADIUS SQL database: table radcheck" \
	tg import --freeradius "$DB"
expect_ok "help" tg import help
grep -q -- '--freeradius' "$TMP/out" && ok || bad "import help"

# --- PostgreSQL, a cluster of our own --------------------------------------
if [ ! -x "$PGBIN/initdb" ] || [ ! -e "$SQL_DIR/postgresql/schema.sql" ] ||
   ! command -v psql >/dev/null ||
   { [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; }; then
	skip "PostgreSQL: postgresql or freeradius missing (make deps installs them)"
	cli_finish
	exit
fi
PGDIR=$(mktemp -d /tmp/tg-freeradius-pg.XXXXXX)
[ "$(id -u)" = 0 ] && chown postgres "$PGDIR"
PGPORT=$((40000 + $$ % 20000))
pgsql() { psql -X -q -v ON_ERROR_STOP=1 -h "$PGDIR" -p "$PGPORT" -U postgres "$@"; }
if pg_run "$PGBIN/initdb" -D "$PGDIR/data" -A trust -U postgres >"$TMP/pg.log" 2>&1 &&
   pg_run "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w -o \
	"-k $PGDIR -c listen_addresses= -p $PGPORT" start >>"$TMP/pg.log" 2>&1 &&
   pgsql -d postgres -c 'CREATE DATABASE radius' >>"$TMP/pg.log" 2>&1 &&
   pgsql -d radius -f "$SQL_DIR/postgresql/schema.sql" >>"$TMP/pg.log" 2>&1; then
	ok
else
	bad "PostgreSQL cluster: $(tail -n 5 "$TMP/pg.log")"
	cli_finish
	exit
fi
$GEN gen 120 "$TMP/pg.sql" "$TMP/pg.json"
pgsql -d radius -f "$TMP/pg.sql" >/dev/null && ok || bad "PostgreSQL data"
DB=$TMP/pg-tungate.db
# Here the source is PostgreSQL; tungate's own database a new file even
# in a run against PostgreSQL (above, the import went into that).
unset TG_CLI_PG_URL
tg db init >/dev/null || bad "db init"
CONN="host=$PGDIR port=$PGPORT dbname=radius user=postgres"
expect_ok "PostgreSQL import" tg -j import --freeradius "$CONN"
json_check "PostgreSQL counts" "len(j['members']['new']) == 120 and \
j['source'] == 'PostgreSQL' and len(j['not_imported']) == 8"
if $GEN check "$DB" "$TMP/pg.json" >"$TMP/check" 2>&1; then
	ok
else
	bad "PostgreSQL exact result: $(cat "$TMP/check")"
fi
cp "$DB" "$TMP/before.db"
expect_ok "PostgreSQL re-import by URI" tg import --freeradius \
	"postgresql://postgres@/radius?host=$PGDIR&port=$PGPORT"
grep -q '^members: 0 new, 0 updated, 120 unchanged$' "$TMP/out" && ok ||
	bad "PostgreSQL re-import: $(grep members: "$TMP/out")"
cmp -s "$DB" "$TMP/before.db" && ok || bad "PostgreSQL re-import wrote"
pgsql -d radius -c "INSERT INTO radreply (username, attribute, op, value)
	VALUES ('m0003@exo.cat', 'Framed-IPv6-Prefix', ':=', '2001:db8::1/64')" >/dev/null
id=$(pgsql -d radius -At -c "SELECT max(id) FROM radreply")
expect_refused "PostgreSQL bad prefix" \
	"radreply id $id (user 'm0003@exo.cat'): user 'm0003@exo.cat': Framed-IPv6-Prefix '2001:db8::1/64'" \
	tg import --freeradius "$CONN"
# The connection string may hold a password: never printed.
expect_refused "PostgreSQL unreachable" "PostgreSQL: " tg import --freeradius \
	"host=$PGDIR port=1 dbname=radius user=postgres password=hunter2"
grep -q hunter2 "$TMP/err" && bad "password printed: $(cat "$TMP/err")" || ok

cli_finish
