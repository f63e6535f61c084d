#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Dial-in members through the LNS of 'tungate run', driven by tg-lac (the
# project's LAC and PPP client simulator, tests/lac) from the sub
# namespace against the concentrator's daemon:
#   CHAP with a tun device: address and DNS by IPCP, the session in the
#   maps, pings and TCP through it in XDP, policed at its class's rate;
#   PAP; wrong passwords and unknown users refused and logged without the
#   secret; lost, duplicated and reordered control messages; a redial
#   taking over; an operator's kill; a dead peer found by LCP echo; CDN
#   and StopCCN from the LAC; a flood of garbage; tunnel authentication;
#   then 100 sessions with traffic through a restart and an upgrade of the
#   daemon: none lost, no packet lost.
# Needs root. Outside CI it says SKIP and succeeds; with CI=true a skip fails.
TAG=tg-lns
CORE4=198.51.100.2
CORE6=2001:db8:ff::2
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
LAC=$ROOT/build/tg-lac
PORT=5201
MPORT=$((20000 + $$ % 20000))	# the daemon's /metrics
RATE=4	# Mbit/s of the members' class
SECS=4

cleanup() {
	if [ "$failed" -gt 0 ] && [ -f "$TMP/run.log" ]; then
		echo "       the daemon's log, last lines:"
		tail -40 "$TMP/run.log" | sed 's/^/       /'
	fi
	pkill -f "pin-root $PIN run" 2>/dev/null
	topo_cleanup
}
trap cleanup EXIT
trap "exit 1" INT TERM

require_root_tools
for tool in iperf3 ping pgrep; do
	command -v $tool >/dev/null || skip "$tool not installed"
done
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
[ -x "$LAC" ] || skip "build first: make ($LAC)"

# lac [OPTIONS]: tg-lac from 192.0.2.11 in sub.
lac() {
	in_sub "$LAC" --lns 192.0.2.1 --local 192.0.2.11 --timeout 10 "$@"
}
# daemon_start: tungate run in conc, its log appended to $TMP/run.log.
listening() {
	cat "$TMP/run.log" 2>/dev/null | grep -c "lns: listening"
}
listening_more() {
	[ "$(listening)" -gt "$1" ]
}
daemon_start() {
	local n
	n=$(listening)
	in_conc "$TUNGATE" --db "$DB" --pin-root "$PIN" run \
		--metrics 127.0.0.1:$MPORT >>"$TMP/run.log" 2>&1 &
	wait_for 50 listening_more "$n"
}
# event FILE NAME: tg-lac printed event NAME.
event() {
	grep -q "\"event\":\"$2\"" "$1"
}
has_session() {
	tg session show "$1"
}
no_session() {
	! tg session show "$1"
}
logged() {
	grep -q "$1" "$TMP/run.log"
}

step "namespaces" tunnel_setup 1
step "db init" tg db init
step "class" tg class add r$RATE --down-rate ${RATE}mbit --up-rate ${RATE}mbit
step "alice" tg sub add alice --type l2tpv2 --user alice@exo.cat --password secret \
	--class r$RATE --prefix 100.64.1.2/32 --prefix 2001:db8:1:1::/64 \
	--prefix 2001:db8:1:100::/56
step "bob" tg sub add bob --type l2tpv2 --user bob@exo.cat --password 'pap-Secret' \
	--prefix 100.64.1.3/32
step "carol (disabled)" tg sub add carol --type l2tpv2 --user carol@exo.cat \
	--password secret --prefix 100.64.1.4/32 --disabled
printf 'name,type,user,password,prefixes\n' >"$TMP/m.csv"
for i in $(seq 100); do
	printf 'm%d,l2tpv2,m%d@exo.cat,secret,100.64.2.%d/32\n' $i $i $i
done >>"$TMP/m.csv"
step "100 members" tg import "$TMP/m.csv"
step "lns" tg config set lns 192.0.2.1
step "lns-address" tg config set lns-address 100.64.0.1
step "lns-dns" tg config set lns-dns 198.51.100.53
step "lns echo" tg config set lns-echo-interval 1
step "lns echo failures" tg config set lns-echo-failures 3
step "up" tg up --subscriber-if "$IF_CSUB" --uplink-if "$IF_CUP"
step "daemon" daemon_start
in_core iperf3 -s -p $PORT -B $CORE4 >"$TMP/iperf3-server.log" 2>&1 &
BG_PIDS+=($!)

# --- CHAP, a tun device, traffic --------------------------------------------
lac --user alice@exo.cat --password secret --auth chap --tun lac0 \
	>"$TMP/alice.json" 2>"$TMP/alice.err" &
ALICE=$!
BG_PIDS+=($ALICE)
check "alice: session up (CHAP)" wait_for 100 event "$TMP/alice.json" session-up
check "alice: IPCP gave 100.64.1.2" test "$(lac_field "$TMP/alice.json" session-up ipv4)" = 100.64.1.2
check "alice: IPCP gave DNS 198.51.100.53" grep -q '"dns":\["198.51.100.53"' "$TMP/alice.json"
check "alice: auth chap" test "$(lac_field "$TMP/alice.json" session-up auth)" = chap
check "alice: session listed" wait_for 30 has_session alice
check "alice: in the maps" wait_for 30 in_maps 1
check "alice: IPv6CP up" wait_for 50 event "$TMP/alice.json" ipv6-up
in_sub ip route add 198.51.100.0/24 dev lac0
up0=$(stat sub alice up packets)
check "alice: ping through the session" in_sub ping -c 3 -W 2 -I 100.64.1.2 $CORE4
check "alice: decapsulated in XDP (up packets +3 or more)" \
	test $(($(stat sub alice up packets) - up0)) -ge 3
check "alice: replies encapsulated in XDP" test "$(stat sub alice down packets)" -ge 3
wait_for 50 grep -q listening "$TMP/iperf3-server.log"
burst=$(tg -j class show r$RATE | $PY -c 'import json,sys; print(json.load(sys.stdin)["burst"])')
for dir in up down; do
	rev=
	[ $dir = down ] && rev=-R
	if in_sub iperf3 -c $CORE4 -p $PORT -B 100.64.1.2 -t $SECS -O 1 $rev -J \
		>"$TMP/iperf3.json" 2>&1; then
		read -r bps bytes secs < <($PY -c 'import json, sys
d = json.load(open(sys.argv[1]))["end"]["sum_received"]
print(int(d["bits_per_second"]), d["bytes"], d["seconds"])' "$TMP/iperf3.json")
		echo "       TCP $dir through alice's session: $((bps / 1000)) kbit/s, $bytes bytes in $secs s"
		check "alice: TCP $dir at >= 70% of ${RATE} Mbit/s" \
			test "$bps" -ge $((RATE * 700000))
		max=$($PY -c 'import sys; r, s, b = map(float, sys.argv[1:]); print(int(r * 1e6 * s / 8 + b))' \
			"$RATE" "$secs" "$burst")
		check "alice: TCP $dir <= rate x time + burst ($max bytes)" test "$bytes" -le "$max"
		check "alice: policed_$dir counted" test "$(stat sub alice reasons policed_$dir)" -gt 0
	else
		fail "alice: iperf3 $dir"
		head -20 "$TMP/iperf3.json" | sed 's/^/       /'
	fi
done

# --- PAP, refusals -----------------------------------------------------------
check "bob: PAP session up and torn down" lac --user bob@exo.cat --password pap-Secret \
	--auth pap --hold 1
check "bob: gone after the LAC's CDN and StopCCN" wait_for 30 no_session bob
if lac --user bob@exo.cat --password not-Bobs --auth pap --timeout 5 >"$TMP/out" 2>&1; then
	fail "wrong password accepted"
else
	ok "wrong password refused"
fi
check "refusal logged with the user" logged "login refused: user 'bob@exo.cat' (PAP).*wrong password"
check "the password never logged" sh -c "! grep -q not-Bobs '$TMP/run.log'"
lac --user bob@exo.cat --password not-Bobs --auth chap --timeout 5 >/dev/null 2>&1 &&
	fail "wrong CHAP password accepted" || ok "wrong CHAP password refused"
lac --user nobody@exo.cat --password x --timeout 5 >/dev/null 2>&1 &&
	fail "unknown user accepted" || ok "unknown user refused"
check "unknown user logged" logged "user 'nobody@exo.cat'.*no such member"
lac --user carol@exo.cat --password secret --timeout 5 >/dev/null 2>&1 &&
	fail "disabled member accepted" || ok "disabled member refused"
# metric NAME: its value on the daemon's /metrics.
metric() {
	in_conc curl -sf --max-time 5 "http://127.0.0.1:$MPORT/metrics" |
		awk -v n="$1" '$1 == n { print $2 }'
}
# only_alice: the LNS holds alice's session alone, and it is up (the
# refused LACs left without a StopCCN: their tunnels wait for a timeout).
only_alice() {
	[ "$(metric tungate_lns_sessions_open)" = 1 ] &&
		[ "$(metric 'tungate_lns_sessions{state="up"}')" = 1 ] &&
		[ "$(metric tungate_lns_tunnels_open)" -ge 1 ]
}
check "metrics: 4 logins refused" \
	test "$(metric 'tungate_lns_logins_total{result="refused"}')" = 4
if ! wait_for 50 only_alice; then
	fail "metrics: the refused sessions gone, alice's open and up"
	in_conc curl -sf --max-time 5 "http://127.0.0.1:$MPORT/metrics" |
		grep '^tungate_lns_\(sessions\|tunnels\)' | sed 's/^/       /'
else
	ok "metrics: the refused sessions gone, alice's open and up"
fi

# --- control messages lost, duplicated, reordered ----------------------------
for f in "--drop-sent 1" "--drop-sent 3" "--drop-recv 2" "--dup" "--reorder 2"; do
	# shellcheck disable=SC2086
	check "bob: session up with $f" lac --user bob@exo.cat --password pap-Secret \
		--hold 0.5 $f
done
check "bob: gone again" wait_for 30 no_session bob

# --- redial, kill, dead peer, CDN and StopCCN from the LAC ------------------
lac --user bob@exo.cat --password pap-Secret --redial --hold 3 >"$TMP/redial.json" 2>&1 &
BG_PIDS+=($!)
check "redial: the old session ends" wait_for 60 logged "member 'bob' dialled again"
check "redial: bob listed once" test "$(tg -j session list | $PY -c 'import json,sys; print(sum(s["name"] == "bob" for s in json.load(sys.stdin)))')" = 1
wait_for 60 no_session bob
lac --user bob@exo.cat --password pap-Secret --hold 30 >"$TMP/kill.json" 2>&1 &
BG_PIDS+=($!)
check "kill: bob up" wait_for 100 has_session bob
check "kill: session kill" tg session kill bob
check "kill: the LAC got the CDN" wait_for 30 event "$TMP/kill.json" session-down
check "kill: gone" wait_for 30 no_session bob
lac --user bob@exo.cat --password pap-Secret --no-echo --hold 30 >"$TMP/echo.json" 2>&1 &
BG_PIDS+=($!)
check "dead peer: bob up" wait_for 100 has_session bob
check "dead peer: ended by LCP echo within 8 s" wait_for 80 no_session bob
check "dead peer: the LAC told" wait_for 30 event "$TMP/echo.json" session-down
check "CDN from the LAC" lac --user bob@exo.cat --password pap-Secret --cdn-after 1 --hold 3
check "CDN: gone" wait_for 30 no_session bob
check "StopCCN from the LAC" lac --user bob@exo.cat --password pap-Secret --stopccn-after 1 --hold 3
check "StopCCN: gone" wait_for 30 no_session bob

# --- garbage ---------------------------------------------------------------
# Its own tunnel may go (an unknown mandatory AVP ends it, as RFC 2661
# says): the LNS must go on serving everyone else.
lac --user bob@exo.cat --password pap-Secret --garbage 500 --hold 1 >/dev/null 2>&1
check "garbage: refused and counted" logged "lns: control message refused: .*counted from now on"
check "garbage: the daemon is alive" daemon_pid
check "garbage: a new session still comes up" lac --user bob@exo.cat \
	--password pap-Secret --hold 0.5
check "garbage: alice's session untouched" has_session alice

# --- tunnel authentication -------------------------------------------------
step "lns-secret" tg config set lns-secret tunnel-S3cret
kill -HUP "$(daemon_pid)"
check "secret: the LNS restarts" wait_for 50 logged "restarting the LNS$"
check "secret: alice's session kept" has_session alice
lac --user bob@exo.cat --password pap-Secret --timeout 5 >/dev/null 2>&1 &&
	fail "secret: a LAC without it accepted" || ok "secret: a LAC without it refused"
check "secret: a LAC with it" lac --user bob@exo.cat --password pap-Secret \
	--secret tunnel-S3cret --hold 0.5
check "alice: ping after the reload" in_sub ping -c 2 -W 2 -I 100.64.1.2 $CORE4

# --- 100 sessions through a restart and an upgrade --------------------------
lac --secret tunnel-S3cret --sessions 100 --tunnels 4 --user 'm%d@exo.cat' \
	--password secret --events --hold 120 >"$TMP/bulk.json" 2>&1 &
BULK=$!
BG_PIDS+=($BULK)
check "bulk: 100 sessions up" wait_for 300 grep -q '"event":"bulk".*"up":100' "$TMP/bulk.json"
grep '"event":"bulk"' "$TMP/bulk.json" | sed 's/^/       /'
sessions_are() { [ "$(session_count)" = "$1" ]; }
check "bulk: 101 sessions listed" wait_for 50 sessions_are 101
check "bulk: 101 tunnels in the maps" wait_for 50 in_maps 101
in_sub ping -i 0.01 -c 600 -W 1 -I 100.64.1.2 $CORE4 >"$TMP/ping.txt" 2>&1 &
PING=$!
sleep 1
kill -TERM "$(daemon_pid)"
wait_for 50 sh -c "! pgrep -f 'pin-root $PIN run'" >/dev/null
check "restart: state saved" logged "saved for the next process"
step "restart: daemon" daemon_start
check "restart: took over every session" logged "took over [0-9]* tunnels and 101 sessions from the process before$"
sleep 1
# An upgrade: the programs replaced in place, then the daemon restarted.
step "upgrade: up" tg up --subscriber-if "$IF_CSUB" --uplink-if "$IF_CUP"
kill -TERM "$(daemon_pid)"
wait_for 50 sh -c "! pgrep -f 'pin-root $PIN run'" >/dev/null
step "upgrade: daemon" daemon_start
wait "$PING"
grep -E "packets transmitted" "$TMP/ping.txt" | sed 's/^/       /'
check "restart and upgrade: 0% packet loss" grep -q " 0% packet loss" "$TMP/ping.txt"
check "restart and upgrade: 101 sessions listed" sessions_are 101
check "restart and upgrade: no LAC saw a session end" sh -c "! grep -q session-down '$TMP/bulk.json' '$TMP/alice.json'"
check "restart and upgrade: the new daemon answers LCP echo (a kill works)" tg session kill m7
check "restart and upgrade: m7's LAC got the CDN" wait_for 30 grep -q '"event":"session-down".*"user":"m7@exo.cat"' "$TMP/bulk.json"
check "status shows the LNS" sh -c "$TUNGATE --db $DB --pin-root $PIN status | grep -q 'lns *listening on 192.0.2.1:1701: 5 tunnels, 100 sessions up'"
pkill -TERM -f "$LAC --lns 192.0.2.1" 2>/dev/null
check "LACs gone: every session removed" wait_for 100 sh -c "[ \"\$($TUNGATE --db $DB -j session list)\" = '[]' ]"
check "LACs gone: nothing left in the maps" wait_for 50 in_maps 0
check "LACs gone: alice's final usage record" wait_for 30 sh -c "$TUNGATE --db $DB -j usage alice | $PY -c 'import json,sys; s = json.load(sys.stdin)[\"subscribers\"]; sys.exit(0 if s and s[0][\"ended\"] else 1)'"

finish
