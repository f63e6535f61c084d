#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Keepalives and liveness in the sub -- conc -- core topology of lib.sh,
# under `tungate run`, native XDP on conc's subscriber veth. A RouterOS
# EoIP peer (192.0.2.10, tunnel id 258) and a Cisco GRE peer (192.0.2.11,
# key 7) in sub (tests/e2e/keepalive_peer.py):
#  - the EoIP keepalive is answered with tungate's own, byte for byte as
#    RouterOS sends it; the GRE keepalive's inner packet comes back as a
#    router forwarding it would send it; both count as `keepalive` (the
#    daemon's own EoIP keepalives are tests/e2e/eoip_keepalive.sh's);
#  - liveness: the EoIP peer that sent data is up, the GRE peer that only
#    sent a keepalive idle, in stats, sub show, status and the metrics;
#    after liveness-timeout (10 s here) of silence both are down and the
#    daemon logs it once each; a keepalive brings one back, logged.
#
# Needs root. Outside CI it says SKIP and succeeds; with CI=true a skip fails.
set -uo pipefail

TAG=tg-ka
. "$(dirname "$0")/lib.sh"

require_root_tools
trap 'daemon_stop; topo_cleanup' EXIT
trap "exit 1" INT TERM

LOG=$TMP/run.log
DPID=
TIMEOUT=10

# peer KIND: keepalive_peer.py in sub; its JSON in $TMP/peer.json.
peer() {
	ip netns exec "$SUB" $PY "$E2E/keepalive_peer.py" "$IF_SUB" $MAC_CSUB \
		"$1" >"$TMP/peer.json"
}
# pj EXPR: EXPR of the peer's JSON (d).
pj() {
	$PY -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
		"$TMP/peer.json" "$1"
}
# live NAME: state of NAME in stats -j.
live() {
	tg -j stats "$1" --interval 0 |
		$PY -c 'import json, sys; print(json.load(sys.stdin)["subscribers"][0]["state"])'
}
prom() {
	tg stats --prometheus | awk -v k="$1" 'index($0, k " ") == 1 { print $NF }'
}

topo_setup || die "namespace setup"
way_down || die "neighbours and XDP in sub"
tg db init >/dev/null || die "db init"
step "sub add mt (EoIP, none of our keepalives: only answers)" \
	tg sub add mt --type eoip --tunnel-id 258 --remote 192.0.2.10 \
	--local 192.0.2.1 --prefix 100.64.1.0/24 --keepalive 0
step "sub add cisco (GRE key 7)" \
	tg sub add cisco --type gre --key 7 --remote 192.0.2.11 \
	--local 192.0.2.1 --prefix 100.64.2.0/24
step "config set liveness-timeout $TIMEOUT" \
	tg config set liveness-timeout $TIMEOUT
step "up" tg up --subscriber-if "$IF_CSUB" --uplink-if "$IF_CUP"
nsenter --net=/run/netns/"$CONC" "$TUNGATE" --db "$DB" --pin-root "$PIN" \
	run --interval 250 2>>"$LOG" &
DPID=$!
step "daemon in step" wait_log 'sync applied'

# Answers.
check "EoIP keepalive: answered" peer eoip-ka
v=$(pj 'd["answers"], d["exact"]')
check "EoIP keepalive: one answer, as RouterOS sends it (got $v, $(pj 'd["first"]'))" \
	test "$v" = "(1, 1)"
check "GRE keepalive: reflected" peer gre-ka
v=$(pj 'd["answers"], d["exact"]')
check "GRE keepalive: the inner packet back, TTL 254 (got $v, $(pj 'd["first"]'))" \
	test "$v" = "(1, 1)"
v=$(stat sub mt reasons keepalive),$(stat sub cisco reasons keepalive),$(stat global keepalive packets)
check "counted as keepalive: 1 each, 2 in all (got $v)" test "$v" = 1,1,2

# Liveness: data from mt (up), only a keepalive from cisco (idle).
step "EoIP data" peer eoip-data
t0=$(date +%s)
v=$(live mt),$(live cisco)
check "liveness: mt up, cisco idle (got $v)" test "$v" = up,idle
tg sub show cisco >"$TMP/show.txt" 2>&1
check "sub show: cisco idle, keepalive just now" \
	grep -Eq '^liveness: +idle: last packet never, last keepalive [0-9]+s ago$' \
	"$TMP/show.txt"
v=$(prom 'tungate_subscriber_state{subscriber="mt",class=""}'),$(prom 'tungate_subscriber_state{subscriber="cisco",class=""}')
check "metrics: state mt 2, cisco 1 (got $v)" test "$v" = 2,1
v=$(prom 'tungate_subscribers_by_state{state="idle"}')
check "metrics: 1 idle (got $v)" test "$v" = 1

# Silence: down after the timeout, logged once each.
check "daemon logs cisco down" wait_log 'subscriber cisco down' 1 $((TIMEOUT + 6))
check "daemon logs mt down" wait_log 'subscriber mt down: nothing heard for 10 s' 1 5
dt=$(($(date +%s) - t0))
check "down after the $TIMEOUT s timeout, not before (${dt} s after mt's data)" \
	test "$dt" -ge $((TIMEOUT - 1))
v=$(live mt),$(live cisco)
check "liveness: both down (got $v)" test "$v" = down,down
v=$(prom 'tungate_subscribers_by_state{state="down"}')
check "metrics: 2 down (got $v)" test "$v" = 2
tg status >"$TMP/status.txt" 2>&1
check "status: 2 down" grep -q '^subscribers 2: 0 up, 0 idle, 2 down$' \
	"$TMP/status.txt"
step "GRE keepalive again" peer gre-ka
check "daemon logs cisco back on keepalives" \
	wait_log 'subscriber cisco back: keepalives only' 1 3
v=$(grep -c 'subscriber mt down' "$LOG"),$(grep -c 'subscriber cisco down' "$LOG")
check "each down logged once (got $v)" test "$v" = 1,1

daemon_stop
finish
