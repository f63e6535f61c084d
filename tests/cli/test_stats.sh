#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# tungate stats, top and stats --prometheus on a real data plane: the
# sub -- conc -- core namespaces of tests/e2e/lib.sh, tungate up on the
# veths (native XDP), tunnel frames from sub and UDP from core. Checks the
# exact packet and byte counts each way, drop reasons (spoofed_src,
# policed_down), the current rate, the -j shape, refusals (unknown or
# disabled subscriber, bad options), one frame of top, and that the
# Prometheus text passes promtool and carries the same numbers.
#
# Needs root. Outside CI it says SKIP and succeeds; with CI=true a skip fails.
set -uo pipefail

TAG=tg-st
. "$(dirname "$0")/../e2e/lib.sh"
UP_N=50		# ipip frames from alice
SPOOF_N=20	# ipip frames from alice with bob's source
DOWN_N=40	# datagrams to alice
DOWN_SIZE=100
BOB_N=200	# datagrams to bob, over his rate
BOB_SIZE=1000

require_root_tools
command -v promtool >/dev/null || skip "promtool missing (Debian package prometheus)"
trap topo_cleanup EXIT
trap "exit 1" INT TERM

topo_setup || die "namespace setup"
# Down traffic leaves conc toward sub: resolved neighbours, and XDP on the
# sub end so that the veth takes redirected frames.
way_down || die "neighbours and XDP in sub"

tg db init >/dev/null || die "db init"
tg class add gold --down-rate 100mbit --up-rate 50mbit >/dev/null ||
	die "class add gold"
add_alice --class gold
# bob: 64 kbit/s down with a 3000-byte burst, far below what core sends.
add_bob --down-rate 64kbit --burst 3000
tg sub add carol --type l2tpv2 --tunnel-id 10 --session 20 \
	--remote 192.0.2.12 --local 192.0.2.1 --prefix 100.64.3.0/24 \
	>/dev/null || die "sub add carol"
tg sub disable carol >/dev/null || die "sub disable carol"
check "sync" tg sync
check "up (native XDP)" tg up --subscriber-if "$IF_CSUB" --uplink-if "$IF_CUP"

# Traffic: alice up (her own and spoofed), alice down, bob down (policed).
# The sink in core takes alice's datagrams (no ICMP port unreachable back).
sink_start || die "UDP receiver did not start"
send ipip $UP_N || fail "sending ipip frames"
send spoof $SPOOF_N || fail "sending spoofed frames"
ip netns exec "$CORE" $PY "$E2E/udp_send.py" 100.64.1.5 $DOWN_N $DOWN_SIZE ||
	fail "sending to alice"
ip netns exec "$CORE" $PY "$E2E/udp_send.py" 100.64.2.5 $BOB_N $BOB_SIZE ||
	fail "sending to bob"
sleep 0.5

# Inner IP bytes of send_tunnels.py's ipip frame i: IP + UDP + "ipip <i>".
up_bytes=$($PY -c "print(sum(28 + len('ipip %d' % i) for i in range($UP_N)))")
down_bytes=$((DOWN_N * (28 + DOWN_SIZE)))

tg -j stats --interval 0 >"$TMP/stats.json" 2>"$TMP/err" ||
	die "stats -j: $(cat "$TMP/err")"
# jq PYTHON-EXPRESSION: evaluated with d = the stats JSON, subs by name.
jq() {
	$PY -c 'import json, sys
d = json.load(open(sys.argv[1]))
s = {x["name"]: x for x in d.get("subscribers", [])}
print(eval(sys.argv[2]))' "$TMP/stats.json" "$1"
}
v=$(jq 's["alice"]["up"]["packets"], s["alice"]["up"]["bytes"]')
check "alice up: $UP_N packets, $up_bytes bytes (got $v)" \
	test "$v" = "($UP_N, $up_bytes)"
v=$(jq 's["alice"]["down"]["packets"], s["alice"]["down"]["bytes"]')
check "alice down: $DOWN_N packets, $down_bytes bytes (got $v)" \
	test "$v" = "($DOWN_N, $down_bytes)"
v=$(jq 's["alice"]["reasons"].get("spoofed_src"), s["alice"]["drops"]')
check "alice: $SPOOF_N spoofed_src, $SPOOF_N drops (got $v)" \
	test "$v" = "($SPOOF_N, $SPOOF_N)"
v=$(jq 's["bob"]["down"]["packets"] + s["bob"]["reasons"].get("policed_down", 0)')
pol=$(jq 's["bob"]["reasons"].get("policed_down", 0)')
check "bob: forwarded + policed_down = $BOB_N (got $v, policed $pol)" \
	test "$v" = $BOB_N -a "$pol" -gt 0
v=$(jq 's["bob"]["down"]["bytes"] == s["bob"]["down"]["packets"] * (28 + '$BOB_SIZE')')
check "bob down bytes: packets x $((28 + BOB_SIZE))" test "$v" = True
v=$(jq 'd["global"]["ok"]["packets"], d["global"]["spoofed_src"]["packets"]')
check "global ok and spoofed_src (got $v)" \
	test "$v" = "($((UP_N + DOWN_N + BOB_N - pol)), $SPOOF_N)"
v=$(jq 'sorted(s), s["alice"]["class"], s["bob"]["class"], s["alice"]["dp_id"] > 0')
check "-j: enabled subscribers only, with class and dp_id (got $v)" \
	test "$v" = "(['alice', 'bob'], 'gold', '', True)"
v=$(jq 'd["interval_ms"], s["alice"]["up"]["bits_per_second"]')
check "--interval 0: no rate (got $v)" test "$v" = "(0, None)"
v=$(jq 'sorted(s["alice"]["up"]), sorted(d["global"]["too_big"])')
check "-j shape of a direction and a global reason (got $v)" \
	test "$v" = "(['bits_per_second', 'bytes', 'packets', 'packets_per_second'], ['bytes', 'packets'])"

# Liveness: alice sent (up), bob only received (never heard: down).
v=$(jq 's["alice"]["state"], s["bob"]["state"], s["bob"]["last_packet"], s["alice"]["last_keepalive"]')
check "liveness: alice up, bob down and never heard (got $v)" \
	test "$v" = "('up', 'down', None, None)"
v=$(jq 'abs(s["alice"]["last_packet"] - __import__("time").time()) < 30')
check "liveness: alice's last packet is now, in Unix seconds (got $v)" \
	test "$v" = True
tg sub show alice >"$TMP/show.txt" || fail "sub show alice"
check "sub show: alice's liveness line" \
	grep -Eq '^liveness: +up: last packet [0-9]+s ago, last keepalive never$' \
	"$TMP/show.txt"
tg -j sub show bob >"$TMP/show.json" || fail "sub show -j bob"
v=$($PY -c 'import json, sys; print(json.load(open(sys.argv[1]))["liveness"])' \
	"$TMP/show.json")
check "sub show -j: bob's liveness (got $v)" \
	test "$v" = "{'state': 'down', 'last_packet': None, 'last_keepalive': None}"
tg -j sub show carol >"$TMP/show.json" || fail "sub show -j carol"
v=$($PY -c 'import json, sys; print(json.load(open(sys.argv[1]))["liveness"])' \
	"$TMP/show.json")
check "sub show -j: disabled carol has no liveness (got $v)" test "$v" = None
tg status >"$TMP/status.txt" || fail "status"
check "status: subscribers by liveness" \
	grep -q '^subscribers 2: 1 up, 0 idle, 1 down$' "$TMP/status.txt"
v=$(tg -j status | $PY -c 'import json, sys; print(json.load(sys.stdin)["liveness"])')
check "status -j: liveness counts (got $v)" \
	test "$v" = "{'down': 1, 'idle': 0, 'up': 1}"

# One subscriber: no global part.
tg -j stats alice --interval 0 >"$TMP/stats.json" || fail "stats alice -j"
v=$(jq 'sorted(d), list(s)')
check "stats alice -j: only alice (got $v)" \
	test "$v" = "(['interval_ms', 'pop', 'subscribers'], ['alice'])"
POP=$(hostname | cut -d. -f1)
v=$(jq 'd["pop"]')
check "stats -j: this POP, serving (got $v)" test "$v" = "{'name': '$POP', 'state': 'serving'}"

# Text: alice's two lines, her reasons, the global table.
tg stats >"$TMP/stats.txt" 2>&1 || fail "stats"
check "text: the POP first" test "$(head -1 "$TMP/stats.txt")" = "pop $POP, serving"
check "text: alice up line" grep -Eq "^alice +gold +up +$UP_N +$up_bytes " "$TMP/stats.txt"
check "text: alice down line" grep -Eq "^ +down +$DOWN_N +$down_bytes " "$TMP/stats.txt"
check "text: alice's reasons" grep -q "reasons: spoofed_src $SPOOF_N" "$TMP/stats.txt"
check "text: global spoofed_src" grep -Eq "^spoofed_src +$SPOOF_N " "$TMP/stats.txt"
check "text: liveness lines" sh -c "grep -Eq '^  up: last packet [0-9]+s ago, last keepalive never$' '$TMP/stats.txt' &&
	grep -q '^  down: last packet never, last keepalive never$' '$TMP/stats.txt'"

# Rate: alice streams up at 200 frames/s while stats reads 1 s apart.
rm -f "$TMP/stream.stop"
ip netns exec "$SUB" $PY "$E2E/seq_stream.py" "$IF_SUB" $MAC_CSUB \
	"$TMP/stream.stop" ipip:200 >"$TMP/stream.json" &
STREAM_PID=$!
BG_PIDS+=("$STREAM_PID")
# Measure once the stream runs (starting python can take seconds here).
up0=$(stat sub alice up packets)
for _ in $(seq 100); do
	[ "$(stat sub alice up packets)" -ge $((up0 + 20)) ] && break
	sleep 0.1
done
tg -j stats alice --interval 1000 >"$TMP/stats.json" || fail "stats --interval 1000"
touch "$TMP/stream.stop"
wait $STREAM_PID
sink_stop
# Against the rate the stream achieved; its frames are 41 inner bytes
# ("ipip 10000000"): 328 bits each.
sent=$($PY -c 'import json, sys; d = json.load(open(sys.argv[1]))["ipip"]
print(d["sent"] / d["seconds"])' "$TMP/stream.json")
v=$(jq 's["alice"]["up"]["packets_per_second"], s["alice"]["up"]["bits_per_second"]')
check "rate: packets/s within 50% of the $sent sent, 328 bits each (got $v)" \
	$PY -c "import sys; p, b = $v; sys.exit(not (abs(p - $sent) <= 0.5 * $sent and abs(b - 328 * p) <= 328))"

# Refusals: clear message, non-zero exit, JSON error with -j.
refused() {
	local what=$1 msg=$2
	shift 2
	if tg "$@" >"$TMP/out" 2>"$TMP/err"; then
		fail "$what: accepted"
	elif ! grep -qF "tungate: $msg" "$TMP/err"; then
		fail "$what: message '$(cat "$TMP/err")', expected '$msg'"
	else
		ok "$what: $msg"
	fi
}
refused "unknown subscriber" "stats: subscriber 'zed': no such subscriber" stats zed
refused "disabled subscriber" "stats: subscriber 'carol': disabled" stats carol
refused "bad --interval" "stats: --interval 'x': not a number" stats --interval x
refused "--prometheus with a name" "stats: --prometheus: covers every subscriber" \
	stats --prometheus alice
refused "top --sort" "top: --sort 'sideways': expected down, up or drops" \
	top --sort sideways
refused "bad --listen" "metrics: address '1.2.3:80'" stats --listen 1.2.3:80
v=$(tg -j stats zed 2>/dev/null)
check "-j error object (got $v)" test "$v" = '{"error":"stats: subscriber '"'zed'"': no such subscriber"}'

# top: one frame when stdout is not a terminal, in 80 columns.
tg top --interval 200 >"$TMP/top.txt" 2>"$TMP/err" || fail "top: $(cat "$TMP/err")"
check "top: header and both subscribers" \
	sh -c "grep -q '^tungate top .* 2 subscribers  sort: down' '$TMP/top.txt' &&
	       grep -q '^SUBSCRIBER' '$TMP/top.txt' && grep -q '^alice ' '$TMP/top.txt' &&
	       grep -q '^bob ' '$TMP/top.txt'"
check "top: state line and column" \
	sh -c "grep -q '^state  1 up  0 idle  1 down$' '$TMP/top.txt' &&
	       grep -Eq '^SUBSCRIBER +CLASS +STATE ' '$TMP/top.txt' &&
	       grep -Eq '^alice +gold +up ' '$TMP/top.txt' &&
	       grep -Eq '^bob +down ' '$TMP/top.txt'"
check "top: no line over 80 columns, no escapes" \
	awk 'length > 80 || /\033/ { exit 1 }' "$TMP/top.txt"
tg top --once --sort drops --interval 100 >"$TMP/top.txt" || fail "top --sort drops"
v=$(grep -A1 '^SUBSCRIBER' "$TMP/top.txt" | tail -1 | cut -d' ' -f1)
check "top --sort drops: bob first (got $v)" test "$v" = bob

# Prometheus text: promtool clean, the same numbers.
tg stats --prometheus >"$TMP/metrics.txt" 2>"$TMP/err" || fail "stats --prometheus"
check "promtool check metrics" sh -c "promtool check metrics <'$TMP/metrics.txt'"
prom() { awk -v k="$1" 'index($0, k " ") == 1 { print $NF }' "$TMP/metrics.txt"; }
v=$(prom 'tungate_subscriber_bytes_total{subscriber="alice",class="gold",direction="down"}')
check "prometheus: alice down bytes $down_bytes (got $v)" test "$v" = "$down_bytes"
v=$(prom 'tungate_subscriber_drops_total{subscriber="alice",class="gold",reason="spoofed_src"}')
check "prometheus: alice spoofed_src $SPOOF_N (got $v)" test "$v" = $SPOOF_N
v=$(prom 'tungate_subscriber_drops_total{subscriber="bob",class="",reason="policed_down"}')
check "prometheus: bob policed_down $pol (got $v)" test "$v" = "$pol"
v=$(prom 'tungate_subscriber_state{subscriber="alice",class="gold"}'),$(prom 'tungate_subscriber_state{subscriber="bob",class=""}')
check "prometheus: state alice 2 (up), bob 0 (down) (got $v)" test "$v" = 2,0
v=$(prom 'tungate_subscribers_by_state{state="up"}'),$(prom 'tungate_subscribers_by_state{state="idle"}'),$(prom 'tungate_subscribers_by_state{state="down"}')
check "prometheus: 1 up, 0 idle, 1 down (got $v)" test "$v" = 1,0,1
v=$(prom 'tungate_subscriber_last_seen_seconds{subscriber="alice",class="gold"}')
check "prometheus: alice last seen now (got $v)" \
	$PY -c "import sys, time; sys.exit(abs($v - time.time()) > 30)"
check "prometheus: bob never seen, no sample" \
	sh -c "! grep -q 'last_seen_seconds{subscriber=\"bob\"' '$TMP/metrics.txt'"
v=$(prom 'tungate_map_entries{map="tg_tunnels"}')
check "prometheus: tg_tunnels holds 2 entries (got $v)" test "$v" = 2
v=$(prom 'tungate_last_sync_success')
check "prometheus: last sync succeeded (got $v)" test "$v" = 1
check "prometheus: build info" grep -q '^tungate_build_info{version="[^"]*"} 1$' "$TMP/metrics.txt"
check "prometheus: this POP" grep -qx "tungate_pop_info{pop=\"$POP\",state=\"serving\"} 1" "$TMP/metrics.txt"

finish
