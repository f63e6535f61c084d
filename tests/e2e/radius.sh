#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Dial-in members checked by RADIUS (aaa radius): FreeRADIUS of Debian in
# the concentrator's namespace with its sql module on SQLite (the schema
# FreeRADIUS ships; radcheck, radreply, radusergroup, radgroupreply), and
# a first server address where nothing answers, so that every login fails
# over to the second. tg-lac from the sub namespace:
#   PAP and CHAP accepted, wrong passwords and an unknown user rejected;
#   the Framed-IP-Address given by IPCP, the Framed-Route in the member's
#   row, TCP policed at the group's Mikrotik-Rate-Limit; a local row with
#   the user taking the member's place; a member's pings served while
#   another login waits for the dead server; Session-Timeout ending a
#   session; the RADIUS row gone with its session.
# Needs root. Outside CI it says SKIP and succeeds; with CI=true a skip fails.
TAG=tg-rad
CORE4=198.51.100.2
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/freeradius.sh
. "$(dirname "$0")/freeradius.sh"
# shellcheck source=tests/e2e/dialin.sh
. "$(dirname "$0")/dialin.sh"
PORT=5201
RATE=4	# Mbit/s of the group's Mikrotik-Rate-Limit
SECS=4
SECRET=tg-radius-Secret
DEAD=203.0.113.99	# on a dummy link: requests vanish

trap fr_cleanup EXIT
trap "exit 1" INT TERM

require_root_tools
for tool in iperf3 ping; do
	command -v $tool >/dev/null || skip "$tool not installed"
done
fr_available || skip "freeradius, sqlite3 or its SQLite schema not installed"
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
[ -x "$LAC" ] || skip "build first: make ($LAC)"

has_route() {
	tg -j sub show alice_exo.cat | grep -q '100.64.9.0/29'
}
edit_refused() {
	! tg sub set alice_exo.cat --mtu 1300 >"$TMP/edit.txt" 2>&1 &&
		grep -q 'belongs to RADIUS' "$TMP/edit.txt"
}

# --- FreeRADIUS with rlm_sql_sqlite ------------------------------------------
radius_db() {
	fr_sql <<'SQL'
INSERT INTO radcheck (username, attribute, op, value) VALUES
 ('alice@exo.cat', 'Cleartext-Password', ':=', 'secret'),
 ('bob@exo.cat', 'Cleartext-Password', ':=', 'pap-Secret'),
 ('carol@exo.cat', 'Cleartext-Password', ':=', 'secret'),
 ('dave@exo.cat', 'Cleartext-Password', ':=', 'secret'),
 ('erin@exo.cat', 'Cleartext-Password', ':=', 'secret');
INSERT INTO radreply (username, attribute, op, value) VALUES
 ('alice@exo.cat', 'Framed-IP-Address', ':=', '100.64.1.2'),
 ('alice@exo.cat', 'Framed-Route', '+=', '100.64.9.0/29 100.64.1.2 1'),
 ('alice@exo.cat', 'Class', ':=', 'member-alice'),
 ('bob@exo.cat', 'Framed-IP-Address', ':=', '100.64.1.3'),
 ('carol@exo.cat', 'Framed-IP-Address', ':=', '100.64.1.4'),
 ('carol@exo.cat', 'Session-Timeout', ':=', '3'),
 ('dave@exo.cat', 'Framed-IP-Address', ':=', '100.64.1.5'),
 ('erin@exo.cat', 'Framed-IP-Address', ':=', '100.64.1.6'),
 ('erin@exo.cat', 'Filter-Id', ':=', 'no-such-class');
INSERT INTO radusergroup (username, groupname, priority) VALUES
 ('alice@exo.cat', 'r4', 1);
INSERT INTO radgroupreply (groupname, attribute, op, value) VALUES
 ('r4', 'Mikrotik-Rate-Limit', ':=', '4M/4M');
SQL
}
step "namespaces" tunnel_setup 1
# A link where nobody answers ARP for $DEAD: its requests vanish.
in_conc ip link add rad-dead type veth peer name rad-void
in_conc ip addr add 203.0.113.1/24 dev rad-dead
in_conc ip link set rad-dead up
in_conc ip link set rad-void up
in_conc ip link set lo up
step "FreeRADIUS config" fr_config "$TMP" "$SECRET"
step "FreeRADIUS database" radius_db
step "FreeRADIUS" fr_start "$CONC"
step "db init" tg db init
step "dave's local row" tg sub add dave-local --type l2tpv2 --user dave@exo.cat \
	--password unused --prefix 100.64.1.50/32
step "lns" tg config set lns 192.0.2.1
step "lns-address" tg config set lns-address 100.64.0.1
step "radius-servers" tg config set radius-servers $DEAD,127.0.0.1
step "radius-secret" tg config set radius-secret "$SECRET"
step "radius-timeout" tg config set radius-timeout 1
step "radius-retries" tg config set radius-retries 0
step "aaa radius" tg config set aaa radius
tg config show >"$TMP/config.txt" 2>&1
check "config show hides the secret" grep -qx 'radius-secret (set)' "$TMP/config.txt"
check "config show has no secret" sh -c "! grep -q '$SECRET' '$TMP/config.txt'"
step "up" tg up --subscriber-if "$IF_CSUB" --uplink-if "$IF_CUP"
step "daemon" daemon_start
in_core iperf3 -s -p $PORT -B $CORE4 >"$TMP/iperf3-server.log" 2>&1 &
BG_PIDS+=($!)

# --- CHAP: address, route, rate ----------------------------------------------
t0=$(date +%s%N)
lac --user alice@exo.cat --password secret --auth chap --tun lac0 \
	>"$TMP/alice.json" 2>"$TMP/alice.err" &
ALICE=$!
BG_PIDS+=($ALICE)
check "alice: session up (CHAP, via the second server)" wait_for 100 event "$TMP/alice.json" session-up
echo "       alice's login took $(( ($(date +%s%N) - t0) / 1000000 )) ms (1 s timeout on $DEAD)"
check "alice: IPCP gave the Framed-IP-Address 100.64.1.2" \
	test "$(lac_field "$TMP/alice.json" session-up ipv4)" = 100.64.1.2
check "alice: row alice_exo.cat of origin radius" \
	has_route
check "alice: session listed" wait_for 30 has_session alice_exo.cat
check "alice: Class and Acct-Session-Id kept" sh -c \
	"sqlite3 '$DB' \"SELECT radius_class = CAST('member-alice' AS BLOB) AND length(acct_session_id) = 16 FROM session\" | grep -qx 1"
check "alice: in the maps" wait_for 30 in_maps 1
check "sub set of a RADIUS row refused" edit_refused
in_sub ip route add 198.51.100.0/24 dev lac0
check "alice: ping through the session" in_sub ping -c 3 -W 2 -I 100.64.1.2 $CORE4
wait_for 50 grep -q listening "$TMP/iperf3-server.log"
for dir in up down; do
	rev=
	[ $dir = down ] && rev=-R
	if in_sub iperf3 -c $CORE4 -p $PORT -B 100.64.1.2 -t $SECS -O 1 $rev -J \
		>"$TMP/iperf3.json" 2>&1; then
		bps=$($PY -c 'import json, sys
print(int(json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"]))' "$TMP/iperf3.json")
		echo "       TCP $dir through alice's session: $((bps / 1000)) kbit/s (Mikrotik-Rate-Limit ${RATE}M/${RATE}M)"
		check "alice: TCP $dir at 70..115% of ${RATE} Mbit/s" \
			test "$bps" -ge $((RATE * 700000)) -a "$bps" -le $((RATE * 1150000))
	else
		fail "alice: iperf3 $dir"
	fi
done

# --- PAP, rejects ------------------------------------------------------------
check "bob: PAP accepted" lac --user bob@exo.cat --password pap-Secret --auth pap --hold 1
check "bob: his RADIUS row gone with the session" wait_for 50 no_row bob_exo.cat
lac --user bob@exo.cat --password not-Bobs --auth pap --timeout 6 >/dev/null 2>&1 &&
	fail "wrong PAP password accepted" || ok "wrong PAP password rejected"
lac --user bob@exo.cat --password not-Bobs --auth chap --timeout 6 >/dev/null 2>&1 &&
	fail "wrong CHAP password accepted" || ok "wrong CHAP password rejected"
lac --user nobody@exo.cat --password x --timeout 6 >/dev/null 2>&1 &&
	fail "unknown user accepted" || ok "unknown user rejected"
check "rejects logged" logged "login refused: user 'nobody@exo.cat' (CHAP).*RADIUS server 127.0.0.1 rejected it"
check "the password never logged" sh -c "! grep -q not-Bobs '$TMP/run.log'"

# --- served meanwhile: alice pings while erin waits for the dead server ------
lac --user erin@exo.cat --password secret --hold 1 >"$TMP/erin.json" 2>&1 &
ERIN=$!
check "alice served while erin's login waits" in_sub ping -c 4 -i 0.2 -W 1 -I 100.64.1.2 $CORE4
wait $ERIN && ok "erin: accepted via the second server" || fail "erin: accepted via the second server"
check "erin: unknown Filter-Id logged once" test "$(grep -c 'Filter-Id: names no tungate class' "$TMP/run.log")" = 1

# --- a local row takes the member's place ------------------------------------
lac --user dave@exo.cat --password secret --hold 3 >"$TMP/dave.json" 2>&1 &
DAVE=$!
check "dave: session up as the local row" wait_for 100 has_session dave-local
check "dave: IPCP gave the local row's 100.64.1.50" \
	test "$(lac_field "$TMP/dave.json" session-up ipv4)" = 100.64.1.50
check "dave: no RADIUS row" no_row dave_exo.cat
wait $DAVE

# --- Session-Timeout ---------------------------------------------------------
lac --user carol@exo.cat --password secret --hold 30 >"$TMP/carol.json" 2>&1 &
CAROL=$!
BG_PIDS+=($CAROL)
check "carol: session up" wait_for 100 has_session carol_exo.cat
check "carol: ended by Session-Timeout (3 s)" wait_for 100 logged "member 'carol_exo.cat': Session-Timeout of 3 s reached"
check "carol: row gone" wait_for 50 no_row carol_exo.cat

# --- metrics -----------------------------------------------------------------
check "metrics: RADIUS accepts" test "$(metric 'tungate_lns_radius_logins_total{result="accept"}')" -ge 5
check "metrics: RADIUS rejects 3" test "$(metric 'tungate_lns_radius_logins_total{result="reject"}')" = 3
check "metrics: failures of $DEAD counted" \
	test "$(metric "tungate_lns_radius_server_failures_total{server=\"$DEAD:1812\"}")" -ge 5
check "metrics: 1 Session-Timeout" test "$(metric tungate_lns_session_timeouts_total)" = 1

kill $ALICE 2>/dev/null
finish
