#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# PostgreSQL as the shared database (--db postgresql://...), against a
# cluster of the suite's own (initdb in its temp dir, a socket there, no
# TCP), stopped and removed on exit:
#  - db init creates the shared tables; class, community, sub and config
#    changes through any snapshot land in PostgreSQL and show as on the
#    SQLite path; a refused row gives SQLite's error and leaves PostgreSQL
#    as it was; writers that meet another writer's push try again;
#  - 'tungate run' in the sub -- conc -- core topology of lib.sh follows
#    it: a change made by another CLI reaches the maps within 1 s (the
#    time is printed), one made by hand in SQL within 5 s; PostgreSQL stopped: traffic flows, the daemon says
#    so once, CLI writes are refused and reads answered from the snapshot,
#    and a change made once it is back is applied; slow (a pull waiting
#    on a lock) the daemon's own loop goes on; failing (a table gone) it
#    says so once and keeps its snapshot; a daemon restarted while it is
#    down comes up from its snapshot and forwards;
#  - POPs: each concentrator's name is its own (never pushed); its daemon
#    writes its row of pop (made when an older init lacks it) every
#    heartbeat: 'pop list' shows both with their version, subscribers and
#    a fresh last contact, one killed turns down after --down-after, one
#    stopped at once; the shared pop-heartbeat reaches both daemons and
#    pop-down-after decides 'down' for pop list and pop del (the flag
#    overriding it), a pair that does not fit refused; status, stats and the metrics name the POP; usage
#    records of both POPs land in pop_usage once each (also pushed again),
#    those made while PostgreSQL is down when it is back, and 'usage'
#    shows them per POP and in total.
#
# Needs root. Outside CI it says SKIP and succeeds; with CI=true a skip fails.
set -uo pipefail

TAG=tg-pg
. "$(dirname "$0")/lib.sh"
. "$E2E/pg_lib.sh"
SUITE="e2e postgres"

trap 'daemon_stop; conc2_stop; pg_cleanup; topo_cleanup' EXIT
trap "exit 1" INT TERM
require_root_tools
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
command -v bpftool >/dev/null || skip "bpftool not installed"
pg_require

LOG=$TMP/run.log
DPID=
SNAP=$TMP/conc.db
# The concentrator's own commands read its snapshot as plain SQLite.
DB=$SNAP

# tgp ARGS...: tungate in conc against PostgreSQL, through its snapshot.
tgp() {
	in_conc "$TUNGATE" --db "$PG_URL" --snapshot "$SNAP" --pin-root "$PIN" "$@"
}
# daemon_start: tungate run in conc, stderr appended to $LOG; nsenter
# execs tungate: $! is the daemon itself.
daemon_start() {
	nsenter --net=/run/netns/"$CONC" "$TUNGATE" --db "$PG_URL" \
		--snapshot "$SNAP" --pin-root "$PIN" run --interval 250 2>>"$LOG" &
	DPID=$!
}
# A second concentrator: its own namespace (no links), snapshot, pin
# root and daemon, following the same PostgreSQL: its maps, not its
# traffic, are what the suite looks at.
CONC2=$TAG-c2-$$
PIN2=/sys/fs/bpf/$TAG-2-$$
SNAP2=$TMP/conc2.db
D2PID=
conc2_start() {
	ip netns add "$CONC2" || return 1
	# Alone: the daemon itself in the background, its pid in $!.
	nsenter --net=/run/netns/"$CONC2" "$TUNGATE" --db "$PG_URL" \
		--snapshot "$SNAP2" --pin-root "$PIN2" run --interval 250 \
		2>>"$TMP/run2.log" &
	D2PID=$!
}
conc2_stop() {
	if [ -n "$D2PID" ]; then
		kill -TERM "$D2PID" 2>/dev/null
		wait "$D2PID"
		D2PID=
	fi
	rm -rf "$PIN2"
	ip netns del "$CONC2" 2>/dev/null
	return 0
}
in_maps2() {
	tunnels_in "$PIN2" "$1"
}
# PostgreSQL's user must reach its directory inside ours.
chmod 0711 "$TMP"
step "PostgreSQL cluster of our own in $TMP/pg" pg_init "$TMP/pg"
echo "# PostgreSQL: $PG_URL"

# pgc SNAPSHOT ARGS...: tungate against PostgreSQL through a snapshot.
pgc() {
	local snap=$1
	shift
	"$TUNGATE" --db "$PG_URL" --snapshot "$TMP/$snap.db" "$@"
}
# sq ARGS...: the same commands on a plain SQLite database.
sq() {
	"$TUNGATE" --db "$TMP/plain.db" "$@"
}
# both ARGS...: the command on both paths, both succeed.
both() {
	sq "$@" >/dev/null && pgc a "$@" >/dev/null
}
# same WHAT ARGS...: the output (stdout, stderr, status) of a command is
# the same on both paths.
same() {
	local a b
	a=$(sq "$@" 2>&1; echo "rc=$?")
	b=$(pgc b "$@" 2>&1; echo "rc=$?")
	[ "$a" = "$b" ] || { diff <(echo "$a") <(echo "$b"); return 1; }
}
# pg_dump_rows: every shared row in PostgreSQL, sorted, and the counter.
pg_rows() {
	pg_sql "SELECT 'meta', version, counter FROM tungate_meta;
		SELECT 'class', c::text FROM class c;
		SELECT 'community', c::text FROM community c;
		SELECT 'subscriber', s::text FROM subscriber s;
		SELECT 'prefix', p::text FROM prefix p;
		SELECT 'setting', t::text FROM setting t" | sort
}
counter() {
	pg_sql "SELECT counter FROM tungate_meta"
}

echo "# the CLI"
check "db init against PostgreSQL" pgc a db init
V=$(sed -n 's/^#define TG_DB_VERSION \([0-9]*\)$/\1/p' "$ROOT/loader/db/conn.h")
check "db init made the shared tables and the counter (version $V, 0)" \
	test "$(pg_sql 'SELECT version, counter FROM tungate_meta')" = "$V|0"
check "db init again: idempotent" pgc a db init
check "db init made the POP tables, outside the change counter" \
	test "$(pg_sql "SELECT count(*) FROM pg_tables WHERE tablename IN ('pop', 'pop_usage')")-$(counter)" = 2-0
step "db init (SQLite)" sq db init
check "class add" both class add members --down-rate 20mbit --up-rate 5mbit --scope internet
check "class add (community scope)" both class add local --down-rate 2mbit --scope community
check "community add" both community add 203.0.113.0/24
check "sub add alice (gre, class members)" both sub add alice --type gre --key 7 \
	--class members --remote 192.0.2.10 --local 192.0.2.1 --prefix 100.64.10.0/24 \
	--prefix 2001:db8:10::/48
check "sub add bob (ipip)" both sub add bob --type ipip --remote 192.0.2.11 \
	--local 192.0.2.1 --prefix 100.64.11.0/24 --note 'first floor'
check "sub set bob --class local --add-prefix" both sub set bob --class local \
	--add-prefix 100.64.12.0/24
check "class set members --burst" both class set members --burst 1mb
check "sub disable alice" both sub disable alice
check "config set ttl 32" both config set ttl 32
check "PostgreSQL holds alice, bob and their prefixes" \
	test "$(pg_sql "SELECT string_agg(name || ':' || class, ',' ORDER BY name) FROM subscriber;
		SELECT string_agg(prefix, ',' ORDER BY prefix) FROM prefix")" = \
	"$(printf 'alice:members,bob:local\n100.64.10.0/24,100.64.11.0/24,100.64.12.0/24,2001:db8:10::/48')"
check "PostgreSQL holds the shared setting ttl, not the snapshot's own" \
	test "$(pg_sql "SELECT string_agg(key || '=' || value, ',') FROM setting")" = "ttl=32"
check "PostgreSQL: no data plane id (each concentrator's own)" \
	test "$(pg_sql "SELECT count(*) FROM information_schema.columns
		WHERE table_name = 'subscriber' AND column_name = 'dp_id'")" = 0
check "sub list (fresh snapshot) as on SQLite" same sub list
check "sub list -j as on SQLite" same -j sub list
check "sub show bob as on SQLite" same sub show bob
check "class list as on SQLite" same class list
check "community list as on SQLite" same community list
check "config show -j as on SQLite" same -j config show
check "export as on SQLite" same export

before=$(pg_rows)
check "overlapping prefix refused, SQLite's error" same sub add carol --type ipip \
	--remote 192.0.2.12 --local 192.0.2.1 --prefix 100.64.11.128/25
check "duplicate tunnel identity refused, SQLite's error" same sub add carol --type gre \
	--key 7 --remote 192.0.2.10 --local 192.0.2.1 --prefix 100.64.13.0/24
check "unknown class refused, SQLite's error" same sub set bob --class gold
check "class in use: del refused, SQLite's error" same class del members
check "PostgreSQL unchanged by the refusals (rows and counter)" \
	test "$before" = "$(pg_rows)"
reads_push_nothing() {
	local c
	c=$(counter)
	pgc a sub list >/dev/null && pgc a -j export >/dev/null &&
		pgc a class show members >/dev/null && test "$(counter)" = "$c"
}
check "read-only commands push nothing (counter unchanged)" reads_push_nothing
check "sub del bob" both sub del bob
check "community del" both community del 203.0.113.0/24
check "class del local" both class del local
check "deletes reached PostgreSQL" test "$(pg_sql "SELECT count(*) FROM subscriber;
	SELECT count(*) FROM prefix; SELECT count(*) FROM community;
	SELECT count(*) FROM class")" = "$(printf '1\n2\n0\n1')"
check "sub list after the deletes as on SQLite" same sub list

# Two writers through two snapshots while a third push holds the counter:
# both pulled the same counter, both find it moved and try again.
c0=$(counter)
writers() {
	psql -h "$TMP/pg" -XAtq tungate -c "BEGIN; SELECT counter FROM tungate_meta FOR UPDATE;
		SELECT pg_sleep(1.5); UPDATE tungate_meta SET counter = counter + 1; COMMIT" \
		>/dev/null &
	local hold=$! w1 w2 rc=0
	sleep 0.5
	pgc w1 -v sub add w1 --type ipip --remote 192.0.2.21 --local 192.0.2.1 \
		--prefix 100.64.21.0/24 >"$TMP/w1.out" 2>&1 &
	w1=$!
	pgc w2 -v sub add w2 --type ipip --remote 192.0.2.22 --local 192.0.2.1 \
		--prefix 100.64.22.0/24 >"$TMP/w2.out" 2>&1 &
	w2=$!
	wait $w1 || rc=1
	wait $w2 || rc=1
	wait $hold
	cat "$TMP/w1.out" "$TMP/w2.out"
	return $rc
}
check "two concurrent writers: both succeed" writers
check "two concurrent writers: they tried again" \
	grep -q 'changed meanwhile, trying again' "$TMP/w1.out" "$TMP/w2.out"
check "two concurrent writers: both in PostgreSQL, counter +3 ($c0 -> $(counter))" \
	test "$(pg_sql "SELECT count(*) FROM subscriber WHERE name IN ('w1', 'w2')")-$(counter)" = "2-$((c0 + 3))"
del_writers() {
	pgc a sub del w1 && pgc a sub del w2
}
step "sub del w1 w2" del_writers

# A push PostgreSQL refuses (a rule of its own, here a CHECK the
# snapshot does not have): one error, nothing changed in PostgreSQL or in
# the snapshot.
push_refused() {
	local before
	pg_sql "ALTER TABLE community ADD CONSTRAINT no_doc2
		CHECK (prefix <> '198.51.100.0/24')" || return 1
	before=$(pg_rows)
	! pgc a community add 198.51.100.0/24 >"$TMP/push.out" 2>&1 &&
	grep -q 'cannot write: .*no_doc2.*; nothing changed' "$TMP/push.out" &&
	test "$(grep -c . "$TMP/push.out")" = 1 &&
	test "$before" = "$(pg_rows)" &&
	test "$(sqlite3 "$TMP/a.db" "SELECT count(*) FROM community")" = 0 &&
	! pgc a -j community add 198.51.100.0/24 >"$TMP/push.json" 2>/dev/null &&
	$PY -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if "no_doc2" in j["error"] else 1)' \
		"$TMP/push.json" &&
	pg_sql "ALTER TABLE community DROP CONSTRAINT no_doc2"
}
check "a push PostgreSQL refuses: one error, PostgreSQL and the snapshot unchanged" push_refused
sed 's/^/  | /' "$TMP/push.out"

# Two subscribers swap their names in PostgreSQL (one statement): a
# snapshot that had them before follows.
swap_names() {
	pgc a sub add s1 --type ipip --remote 192.0.2.31 --local 192.0.2.1 \
		--prefix 100.64.31.0/24 >/dev/null &&
	pgc a sub add s2 --type ipip --remote 192.0.2.32 --local 192.0.2.1 \
		--prefix 100.64.32.0/24 >/dev/null &&
	pg_sql "UPDATE subscriber SET name = CASE name WHEN 's1' THEN 's2' ELSE 's1' END
		WHERE name IN ('s1', 's2');
		UPDATE tungate_meta SET counter = counter + 1" &&
	pgc a sub list >/dev/null &&
	test "$(sqlite3 "$TMP/a.db" "SELECT name || ' ' || remote FROM subscriber
		WHERE name IN ('s1', 's2') ORDER BY name")" = \
		"$(printf 's1 192.0.2.32\ns2 192.0.2.31')" &&
	pgc a sub del s1 >/dev/null && pgc a sub del s2 >/dev/null
}
check "names swapped in PostgreSQL reach a snapshot that had them" swap_names

echo "# the daemon"
# As an older tungate initialised it: no POP tables; the daemon makes them.
step "PostgreSQL without the POP tables" pg_sql "DROP TABLE pop; DROP TABLE pop_usage"
tunnel_setup 3 || die "namespace setup"
# The subscribers of endpoints 1 and 2 (outer 192.0.2.11, .12).
step "sub add ep1 (ipip, endpoint 1)" pgc a sub add ep1 --type ipip \
	--remote 192.0.2.11 --local 192.0.2.1 --prefix 100.64.1.0/24
step "up (the concentrator pulls its snapshot)" \
	tgp up --subscriber-if "$IF_CSUB" --uplink-if "$IF_CUP"
pop_name_local() {
	local c
	c=$(counter)
	tgp pop name pop-a && test "$(tgp pop name)" = pop-a &&
		test "$(sqlite3 "$SNAP" "SELECT value FROM setting WHERE key = 'pop_name'")" = pop-a &&
		test "$(counter)" = "$c" &&
		test "$(pg_sql "SELECT count(*) FROM setting WHERE key LIKE 'pop%'")" = 0
}
check "pop name pop-a: in the snapshot only, nothing pushed" pop_name_local
pop_name_bad() {
	! tgp pop name 'pop a' >"$TMP/bad.out" 2>&1 &&
		test "$(grep -c . "$TMP/bad.out")" = 1 &&
		grep -q "pop name: name 'pop a': must be" "$TMP/bad.out" &&
		test "$(tgp pop name)" = pop-a
}
check "pop name 'pop a' refused, one line, the name kept" pop_name_bad
daemon_start
check "daemon started from the snapshot and follows PostgreSQL" \
	wait_log 'sync applied \(full\): 1 added'
check "ep1 in the maps (alice is disabled)" wait_for 30 in_maps 1
# Named before its first start: its snapshot is pulled for it.
step "pop name pop-b (the second concentrator, no snapshot yet)" \
	"$TUNGATE" --db "$PG_URL" --snapshot "$SNAP2" pop name pop-b
step "a second concentrator starts" conc2_start
check "second concentrator: ep1 in its maps" wait_for 50 in_maps2 1
step "endpoint 1 (ipip) starts" endpoint_start 1 ipip 4
check "ping sub -> core through ep1's tunnel" ping_from sub 100.64.1.2 $CORE4

# The time from the other CLI's start and from its end (its push done)
# until the tunnel is in conc's maps.
propagate() {
	local t0 t1 a='' b='' _
	t0=$(date +%s%N)
	pgc a sub add ep2 --type gre --key 7 --remote 192.0.2.12 --local 192.0.2.1 \
		--prefix 100.64.2.0/24 >/dev/null || return 1
	t1=$(date +%s%N)
	for _ in $(seq 150); do
		[ -z "$a" ] && tunnels_in "$PIN" 2 && a=$(ms_since "$t1")
		[ -z "$b" ] && in_maps2 2 && b=$(ms_since "$t1")
		[ -n "$a" ] && [ -n "$b" ] && break
		sleep 0.01
	done
	echo "# propagation after the push: ${a:-over 3000} ms to this concentrator, ${b:-over 3000} ms to the second (the CLI took $(((t1 - t0) / 1000000)) ms)"
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt 1000 ] && [ "$b" -lt 1000 ]
}
check "a change by another CLI is in both concentrators' maps within 1 s" propagate
grep '^# propagation' "$TMP/out"
# A change made by hand in SQL (no push, the counter as it was): the
# trigger's NOTIFY wakes both daemons, which pull only what changed, well
# before their 30 s compare: a prefix of ep2's added, then deleted (its
# tombstone).
pfx_both() {
	if [ "$1" = out ]; then
		! pfx4_in "$PIN" 100.64.102.1 && ! pfx4_in "$PIN2" 100.64.102.1
	else
		pfx4_in "$PIN" 100.64.102.1 && pfx4_in "$PIN2" 100.64.102.1
	fi
}
by_hand() {
	pg_sql "INSERT INTO prefix (subscriber_id, prefix) SELECT id, '100.64.102.0/24'
		FROM subscriber WHERE name = 'ep2'" &&
		wait_for 50 pfx_both in &&
		pg_sql "DELETE FROM prefix WHERE prefix = '100.64.102.0/24'" &&
		wait_for 50 pfx_both out &&
		grep -q 'pulled (.*only what changed' "$LOG" &&
		grep -q 'pulled (.*only what changed' "$TMP/run2.log"
}
check "a change by hand in SQL is in both concentrators' maps within 5 s" by_hand
# A transaction by hand that wrote before both daemons pulled a push and
# commits after it: its revision is one those pulls passed; the id of its
# transaction brings it at the pull its COMMIT wakes, within 1 s, not at
# the 30 s compare.
held_open() {
	[ "$(pg_sql "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction'")" = 1 ]
}
# race_held: the push and both pulls while fd 9's transaction is open,
# then its COMMIT; the time until both maps have its prefix.
race_held() {
	local counter t0 ms='' _
	wait_for 50 held_open || return 1
	pgc a sub set ep1 --note race >/dev/null || return 1
	counter=$(pg_sql "SELECT counter FROM tungate_meta")
	wait_for 50 grep -q "change $counter pulled" "$LOG" &&
		wait_for 50 grep -q "change $counter pulled" "$TMP/run2.log" || return 1
	echo "COMMIT;" >&9
	exec 9>&-
	t0=$(date +%s%N)
	for _ in $(seq 300); do
		pfx4_in "$PIN" 100.64.103.1 && pfx4_in "$PIN2" 100.64.103.1 &&
			{ ms=$(ms_since "$t0"); break; }
		sleep 0.01
	done
	echo "# a transaction committed after the pulls: in both maps ${ms:-over 3000} ms after its COMMIT"
	[ -n "$ms" ] && [ "$ms" -lt 1000 ]
}
race() {
	local fifo=$TMP/held psql_pid ret
	mkfifo "$fifo" || return 1
	psql -h "$PG_DIR" -XAtq -v ON_ERROR_STOP=1 tungate <"$fifo" >"$TMP/held.out" 2>&1 &
	psql_pid=$!
	exec 9>"$fifo"
	echo "BEGIN; INSERT INTO prefix (subscriber_id, prefix) SELECT id,
		'100.64.103.0/24' FROM subscriber WHERE name = 'ep2';" >&9
	race_held
	ret=$?
	exec 9>&-
	wait "$psql_pid"
	rm -f "$fifo"
	pg_sql "DELETE FROM prefix WHERE prefix = '100.64.103.0/24'" || ret=1
	return $ret
}
check "a transaction by hand committed after a pull is in both maps within 1 s" race
grep '^# a transaction committed' "$TMP/out"
endpoint_stop
step "endpoint 2 (gre key 7) starts" endpoint_start 2 gre 4 --key 7
check "ping sub -> core through ep2's tunnel" ping_from sub 100.64.2.2 $CORE4
endpoint_stop
step "endpoint 1 (ipip) starts again" endpoint_start 1 ipip 4

check "second concentrator: still in step" in_maps2 2

echo "# POPs"
VERSION=$("$TUNGATE" --version | cut -d' ' -f2)
# Both rows, serving, with this version, 2 subscribers (ep1, ep2) in each
# data plane and enabled, heard of within a heartbeat.
both_serving() {
	tgp -j pop list | $PY -c '
import json, sys
p = {x["name"]: x for x in json.load(sys.stdin)["pops"]}
sys.exit(0 if sorted(p) == ["pop-a", "pop-b"] and all(
	(x["state"], x["version"], x["attached"], x["enabled"]) ==
	("serving", sys.argv[1], 2, 2) and 0 <= x["age"] <= 11 and
	x["last_contact"] > 0 for x in p.values()) else 1)' "$VERSION"
}
check "pop list: pop-a and pop-b serving, version $VERSION, 2/2 subscribers, fresh contact (the tables made again)" \
	wait_for 150 both_serving
check "pop list (text): by name, one line each" sh -c "
	$(printf %q "$TUNGATE") --db '$PG_URL' --snapshot '$SNAP' pop list >'$TMP/pops.txt' &&
	sed 1d '$TMP/pops.txt' | awk '{print \$1, \$2, \$4, \$5, \$6}' | tr '\n' ';' |
	grep -qx 'pop-a serving $VERSION 2 2;pop-b serving $VERSION 2 2;'"
sed 's/^/  | /' "$TMP/pops.txt"
pop_del_serving() {
	! tgp pop del pop-a >"$TMP/del.out" 2>&1 &&
		grep -q "POP 'pop-a' is not down" "$TMP/del.out" && both_serving
}
check "pop del of a POP serving: refused, the row kept" pop_del_serving
# The heartbeat and the down limit: shared settings. A heartbeat of 1 s
# reaches both daemons (their logs say it) and each row's contact moves
# within 3 s; a row unheard of for 20 s is down by pop-down-after, its
# default 3 heartbeats; pop-down-after 60 makes it serving, --down-after
# 10 overrides that; pop del follows the same limit.
contact() {
	pg_sql "SELECT extract(epoch FROM last_contact) FROM pop WHERE name = '$1'"
}
moved_since() {
	[ "$(contact "$1")" != "$2" ]
}
beat_fast() {
	local a b
	tgp config set pop-heartbeat 1 >/dev/null || return 1
	wait_log 'POP heartbeat every 1 s' 1 10 &&
		LOG=$TMP/run2.log wait_log 'POP heartbeat every 1 s' 1 10 || return 1
	a=$(contact pop-a) b=$(contact pop-b)
	wait_for 30 moved_since pop-a "$a" && wait_for 30 moved_since pop-b "$b"
}
check "config set pop-heartbeat 1: both daemons beat every second" beat_fast
step "a row of pop-z, last heard of 20 s ago" pg_sql "INSERT INTO pop
	(name, host, version, state, attached, enabled, started, last_contact)
	VALUES ('pop-z', 'gone', '0', 'serving', 0, 0, NULL, now() - interval '20 s')"
# z_state STATE [ARGS...]: pop list (with ARGS) says pop-z is in STATE.
z_state() {
	local want=$1
	shift
	[ "$(tgp -j pop list "$@" | $PY -c 'import json, sys
print({p["name"]: p["state"] for p in json.load(sys.stdin)["pops"]}["pop-z"])')" = "$want" ]
}
check "pop list: pop-z down (pop-down-after 3 s: 3 heartbeats)" z_state down
step "config set pop-down-after 60" tgp config set pop-down-after 60
check "pop list: pop-z serving under pop-down-after 60" z_state serving
check "pop list --down-after 10: pop-z down (the flag overrides)" z_state down --down-after 10
pop_del_z() {
	! tgp pop del pop-z >"$TMP/del.out" 2>&1 &&
		grep -q "POP 'pop-z' is not down" "$TMP/del.out" &&
		tgp config set pop-down-after 10 >/dev/null && tgp pop del pop-z >/dev/null &&
		test "$(pg_sql "SELECT count(*) FROM pop WHERE name = 'pop-z'")" = 0
}
check "pop del pop-z: not down under 60 s, deleted under 10 s" pop_del_z
pop_timing_refused() {
	! tgp config set pop-heartbeat 6 >"$TMP/bad.out" 2>&1 &&
		test "$(wc -l <"$TMP/bad.out")" = 1 &&
		grep -q "pop-down-after 10 is less than 2 times pop-heartbeat 6 (give at least 12)" "$TMP/bad.out" &&
		test "$(pg_sql "SELECT value FROM setting WHERE key = 'pop_heartbeat'")" = 1
}
check "config set pop-heartbeat 6 with pop-down-after 10: refused in one line, nothing pushed" \
	pop_timing_refused
step "pop-heartbeat 10, pop-down-after 30 again" sh -c "
	$(printf %q "$TUNGATE") --db '$PG_URL' --snapshot '$SNAP' config set pop-down-after 30 &&
	$(printf %q "$TUNGATE") --db '$PG_URL' --snapshot '$SNAP' config set pop-heartbeat 10"
check "status (text) names the POP" sh -c "$(printf %q "$TUNGATE") --db '$SNAP' --pin-root '$PIN' status | grep -qx 'pop  *pop-a, serving'"
check "status -j names the POP" sh -c "$(printf %q "$TUNGATE") --db '$SNAP' --pin-root '$PIN' -j status |
	$PY -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)[\"pop\"] == {\"name\": \"pop-a\", \"state\": \"serving\"} else 1)'"
check "stats names the POP (first line, -j)" sh -c "
	$(printf %q "$TUNGATE") --db '$SNAP' --pin-root '$PIN' stats --interval 0 | head -1 | grep -qx 'pop pop-a, serving' &&
	$(printf %q "$TUNGATE") --db '$SNAP' --pin-root '$PIN' -j stats --interval 0 | grep -q '\"pop\":{\"name\":\"pop-a\",\"state\":\"serving\"}'"
check "metrics: tungate_pop_info names the POP, build info unchanged" sh -c "
	$(printf %q "$TUNGATE") --db '$SNAP' --pin-root '$PIN' stats --prometheus >'$TMP/metrics.txt' &&
	grep -qx 'tungate_pop_info{pop=\"pop-a\",state=\"serving\"} 1' '$TMP/metrics.txt' &&
	grep -qx 'tungate_build_info{version=\"$VERSION\"} 1' '$TMP/metrics.txt'"

echo "# usage per POP"
# pop_count POP: its records in PostgreSQL; local_count DB: in a snapshot.
pop_count() {
	pg_sql "SELECT count(*) FROM pop_usage WHERE pop = '$1'"
}
local_count() {
	sqlite3 -cmd ".timeout 5000" "$1" "SELECT count(*) FROM usage"
}
# Traffic of ep1 through pop-a, recorded: pushed at once.
usage_a() {
	ping_from sub 100.64.1.2 "$CORE4" && tgp usage record >/dev/null &&
		test "$(local_count "$SNAP")" -gt 0 &&
		test "$(pop_count pop-a)" = "$(local_count "$SNAP")"
}
check "pop-a: ep1's usage recorded and in pop_usage at once" usage_a
# pop-b carries no traffic here: a record as its daemon's tick writes one.
now=$(date +%s)
step "pop-b: a usage record of ep1 in its snapshot" sqlite3 -cmd ".timeout 5000" "$SNAP2" \
	"INSERT INTO usage (subscriber_id, name, dp_id, class, ip, period_start, period_end,
	up_bytes, down_bytes, up_packets, down_packets, final)
	VALUES (1, 'ep1', 1, NULL, NULL, $((now - 60)), $now, 1000, 2000, 10, 20, 0)"
pop_b_pushed() {
	test "$(pop_count pop-b)" = 1
}
check "pop-b's daemon pushes it within a heartbeat" wait_for 150 pop_b_pushed
A_UP=$(sqlite3 "$SNAP" "SELECT sum(up_bytes) FROM usage WHERE name = 'ep1'")
A_DOWN=$(sqlite3 "$SNAP" "SELECT sum(down_bytes) FROM usage WHERE name = 'ep1'")
usage_json() {
	pgc a -j usage ep1 | $PY -c '
import json, sys
a_up, a_down = int(sys.argv[1]), int(sys.argv[2])
s, = json.load(sys.stdin)["subscribers"]
p = {x["pop"]: (x["up"]["bytes"], x["down"]["bytes"]) for x in s["pops"]}
sys.exit(0 if p == {"pop-a": (a_up, a_down), "pop-b": (1000, 2000)} and
	(s["up"]["bytes"], s["down"]["bytes"]) == (a_up + 1000, a_down + 2000) else 1)' "$A_UP" "$A_DOWN"
}
check "usage -j ep1: per POP ($A_UP/$A_DOWN at pop-a, 1000/2000 at pop-b) and the total" usage_json
usage_text() {
	pgc a usage --per-pop ep1 >"$TMP/usage.txt" &&
	grep -Eq "^ep1 +pop-a +.* $A_UP +$A_DOWN " "$TMP/usage.txt" &&
	grep -Eq '^ep1 +pop-b +- +- +1 +1000 +2000 +10 +20$' "$TMP/usage.txt" &&
	grep -Eq "^ep1 +total +.* $((A_UP + 1000)) +$((A_DOWN + 2000)) " "$TMP/usage.txt" &&
	pgc a usage ep1 | grep -Eq "^ep1 +pop-a,pop-b +.* $((A_UP + 1000)) +$((A_DOWN + 2000)) "
}
check "usage --per-pop: a line per POP and the total; usage: the total over both" usage_text
sed 's/^/  | /' "$TMP/usage.txt"
# The mark of what was pushed lost: everything is pushed again, and kept once.
repush() {
	local a
	a=$(pop_count pop-a)
	sqlite3 -cmd ".timeout 5000" "$SNAP2" "DELETE FROM setting WHERE key = 'pg_usage_pushed'" &&
	sqlite3 -cmd ".timeout 5000" "$SNAP" "DELETE FROM setting WHERE key = 'pg_usage_pushed'" &&
	wait_for 150 sh -c "test -n \"\$(sqlite3 -cmd '.timeout 5000' '$SNAP2' \"SELECT value FROM setting WHERE key = 'pg_usage_pushed'\")\"" &&
	tgp usage record >/dev/null &&
	test "$(pop_count pop-b)" = 1 && test "$(pop_count pop-a)" = "$(local_count "$SNAP")" &&
	test "$(pop_count pop-a)" -ge "$a"
}
check "records pushed again: each stored once" repush

# A concentrator killed: its row stays serving until it is old.
kill_conc2() {
	kill -KILL "$D2PID" && wait "$D2PID"
	D2PID=
	sleep 2
}
step "the second concentrator is killed (-9)" kill_conc2
pop_state() {
	tgp -j pop list "${@:2}" | $PY -c '
import json, sys
p = {x["name"]: x["state"] for x in json.load(sys.stdin)["pops"]}
sys.exit(0 if p.get(sys.argv[1]) == sys.argv[2] else 1)' "${1%=*}" "${1#*=}"
}
check "pop list: pop-b killed 2 s ago, still serving (down after 30 s)" pop_state pop-b=serving
check "pop list --down-after 1: pop-b down" pop_state pop-b=down --down-after 1
conc2_stop
echo "# PostgreSQL stopped"
step "PostgreSQL stops" pg_stop
check "daemon: PostgreSQL unreachable, said" wait_log 'forwarding with the snapshot' 1 10
check "ping through ep1's tunnel while PostgreSQL is down" \
	ping_from sub 100.64.1.2 $CORE4
cli_refused() {
	! pgc a sub add ep3 --type ipip --remote 192.0.2.13 --local 192.0.2.1 \
		--prefix 100.64.3.0/24 >"$TMP/refused.out" 2>&1 &&
	test "$(grep -c . "$TMP/refused.out")" = 1 &&
	grep -qE 'unreachable \(.*\); the change is not made' "$TMP/refused.out" &&
	! sqlite3 "$TMP/a.db" "SELECT name FROM subscriber" | grep -q ep3
}
check "CLI write while PostgreSQL is down: refused, one line, snapshot unchanged" cli_refused
sed 's/^/  | /' "$TMP/refused.out"
check "CLI read while PostgreSQL is down: answered from the snapshot" \
	sh -c "$(printf %q "$TUNGATE") --db '$PG_URL' --snapshot $TMP/a.db sub list 2>/dev/null | grep -q ep2"
# Usage recorded while PostgreSQL is down: kept, pushed when it is back.
usage_down() {
	ping_from sub 100.64.1.2 "$CORE4" &&
	tgp usage record >"$TMP/urec.out" 2>&1 &&
	grep -q 'pushed with the next heartbeat' "$TMP/urec.out" &&
	test "$(sqlite3 "$SNAP" "SELECT max(id) FROM usage")" -gt "$(sqlite3 "$SNAP" "SELECT value FROM setting WHERE key = 'pg_usage_pushed'")"
}
check "usage record while PostgreSQL is down: kept in the snapshot, said" usage_down
usage_read_down() {
	tgp -j usage ep1 2>"$TMP/uread.err" | $PY -c '
import json, sys
s, = json.load(sys.stdin)["subscribers"]
sys.exit(0 if [p["pop"] for p in s["pops"]] == ["pop-a"] else 1)' &&
	grep -q "this POP's records only, from the snapshot" "$TMP/uread.err"
}
check "usage while PostgreSQL is down: this POP's records from the snapshot, said" usage_read_down
sleep 4
check "daemon: the fault said once ($(log_count 'forwarding with the snapshot') lines)" \
	test "$(log_count 'forwarding with the snapshot')" = 1
check "ping through ep1's tunnel after PostgreSQL has been down 4 s" \
	ping_from sub 100.64.1.2 $CORE4
step "PostgreSQL starts again" pg_start
check "daemon: PostgreSQL reachable again, said" wait_log 'reachable again' 1 40
applied_after() {
	pgc a sub del ep2 >/dev/null && wait_for 30 in_maps 1
}
check "a change made once it is back is applied" applied_after
usage_back() {
	test "$(pg_sql "SELECT count(*) FROM pop_usage WHERE pop = 'pop-a'")" = "$(local_count "$SNAP")"
}
check "the records made while it was down are in pop_usage" wait_for 150 usage_back

echo "# PostgreSQL slow, then failing"
# A pull that waits on a lock held 4 s: the daemon's own loop goes on (a
# SIGHUP is answered with a full sync meanwhile) and traffic flows.
slow_pull() {
	psql -h "$TMP/pg" -XAtq tungate -c "BEGIN; LOCK TABLE subscriber;
		SELECT pg_sleep(4); COMMIT" >/dev/null &
	local hold=$! rc=0 n
	sleep 0.5
	pg_sql "NOTIFY tungate" || rc=1
	sleep 0.3
	n=$(log_count 'sync applied \(full\)')
	kill -HUP "$DPID" || rc=1
	wait_log 'sync applied \(full\)' $((n + 1)) 2 || rc=1
	ping_from sub 100.64.1.2 "$CORE4" || rc=1
	wait $hold
	return $rc
}
check "PostgreSQL slow (a pull waits on a lock 4 s): the daemon answers SIGHUP, traffic flows" slow_pull
# Tables that fail the pull: said once, the snapshot kept, applied once
# they are back (the next push's NOTIFY).
failing_pull() {
	pg_sql "ALTER TABLE prefix RENAME TO prefix_gone; NOTIFY tungate" &&
		wait_log 'cannot apply: .*prefix' 1 5 &&
		pg_sql "NOTIFY tungate" && sleep 1 &&
		test "$(log_count 'cannot apply')" = 1 &&
		ping_from sub 100.64.1.2 "$CORE4" &&
		in_maps 1
}
check "PostgreSQL failing (a table gone): said once, the snapshot and traffic kept" failing_pull
note_back() {
	test "$(sqlite3 "$SNAP" "SELECT note FROM subscriber WHERE name = 'ep1'")" = back
}
back_pull() {
	pg_sql "ALTER TABLE prefix_gone RENAME TO prefix" &&
		pgc a sub set ep1 --note back >/dev/null &&
		wait_for 30 note_back
}
check "PostgreSQL fixed: the next change is pulled" back_pull

applied_after_restart() {
	pgc a sub enable alice >/dev/null && wait_for 30 in_maps 2
}

echo "# restarted while PostgreSQL is down"
step "PostgreSQL stops" pg_stop
daemon_stop
check "daemon stopped (SIGTERM)" wait_log 'exiting: the data plane keeps forwarding'
: >"$LOG"
daemon_start
check "restarted daemon: said PostgreSQL is unreachable" \
	wait_log 'forwarding with the snapshot' 1 10
check "restarted daemon: came up from its snapshot (its first sync: nothing to change)" \
	wait_log 'sync applied( \(full\))?: 0 added, 0 changed, 0 removed'
check "restarted daemon: ep1 in the maps" in_maps 1
check "restarted daemon: ping through ep1's tunnel" ping_from sub 100.64.1.2 $CORE4
step "PostgreSQL starts again" pg_start
check "restarted daemon: PostgreSQL reachable again" wait_log 'reachable again' 1 40
check "restarted daemon: a change made once it is back is applied" applied_after_restart
daemon_stop
check "pop list: pop-a stopped (SIGTERM): down at once" pop_state pop-a=down
pop_del() {
	tgp pop del pop-a && tgp -j pop list | grep -q '"pop-b"' &&
		! tgp -j pop list | grep -q '"pop-a"' &&
		test "$(pop_count pop-a)" -gt 0
}
check "pop del pop-a (stopped): gone from the list, its usage kept" pop_del
check "restarted daemon: every fault and recovery said once" \
	test "$(log_count 'forwarding with the snapshot')-$(log_count 'reachable again')" = 1-1
sed 's/^/  | /' "$LOG"
finish
