#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Packets per second forwarded through one dial-in session, tungate's LNS
# beside l2tpns (tests/lac/l2tpns.sh) on the same box in the same run:
#   - up (member -> core): tg-lac --flood sends L2TP data messages with a
#     fixed IPv4/UDP packet from the member's address; tungate decapsulates
#     them in XDP, l2tpns in userspace and writes them to its tun;
#   - down (core -> member): udp-flood in the core sends to the member's
#     address; tungate encapsulates in XDP, l2tpns reads its tun and sends
#     UDP.
# Offered is what left the sender's veth (tx_packets + tx_dropped: the
# peer's queue full counts as offered, not forwarded), forwarded what the
# far end's veth received (rx_packets), both over the same SECS-second
# window after WARM seconds of warm-up. The core drops what it gets with a
# blackhole route (forwarding on, so silently: no ICMP error goes back to
# load the way down, no socket to fill, no process to schedule).
# When all that was offered got through, the figure is the sender's, not
# the LNS's, and says so ("source-bound"); the ratio is then a lower bound.
# On two CPUs that is likely for tungate: a veth runs its peer's XDP in
# the sender's softirq, so the sender and tungate's data path share one
# CPU, while l2tpns has the other to itself.
# Figures are printed as "forward: ..." lines, not asserted; the script
# fails only when a session does not come up or nothing gets through.
# Needs root, l2tpns and FreeRADIUS (as tests/bench/lns.sh).
set -uo pipefail
TAG=tg-bfwd
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/../e2e/lib.sh"
# shellcheck disable=SC2034 # read by l2tpns.sh: names of its namespaces
L2TPNS_TAG=$TAG-l2
# shellcheck source=tests/lac/l2tpns.sh
. "$ROOT/tests/lac/l2tpns.sh"
LAC=$ROOT/build/tg-lac
UDP_FLOOD=$ROOT/build/udp-flood
SECS=${FWD_BENCH_SECONDS:-5}
WARM=${FWD_BENCH_WARMUP:-1}
SIZE=${FWD_BENCH_SIZE:-64}	# bytes of the IPv4 packet
SINK=198.51.100.9	# blackholed in the core
MEMBER=100.64.1.2
L2CORE=$TAG-l2core-$$	# l2tpns's core namespace
MAC_L2CUP=02:00:00:e2:02:01
MAC_L2CORE=02:00:00:e2:02:02
RUN_PID=
LAC_PID=
FLOOD_PID=

cleanup() {
	local pid
	for pid in $FLOOD_PID $LAC_PID $RUN_PID; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	l2tpns_cleanup
	ip netns del "$L2CORE" 2>/dev/null
	topo_cleanup
}
trap cleanup EXIT
trap "exit 1" INT TERM

require_root_tools
if [ ! -x "$LAC" ] || [ ! -x "$UDP_FLOOD" ]; then
	skip "build first: make build/tg-lac build/udp-flood"
fi
command -v l2tpns >/dev/null || skip "l2tpns not installed"

# counter NS IF NAME: one of IF's statistics in NS.
counter() {
	ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3"
}
offered() {
	echo $(($(counter "$1" "$2" tx_packets) + $(counter "$1" "$2" tx_dropped)))
}
# window OUT-NS OUT-IF IN-NS IN-IF: "OFFERED FORWARDED" packets per second
# over SECS seconds after WARM seconds.
window() {
	local o0 o1 f0 f1
	sleep "$WARM"
	o0=$(offered "$1" "$2") f0=$(counter "$3" "$4" rx_packets)
	sleep "$SECS"
	o1=$(offered "$1" "$2") f1=$(counter "$3" "$4" rx_packets)
	echo $(((o1 - o0) / SECS)) $(((f1 - f0) / SECS))
}
has_event() {
	grep -q "\"event\":\"$2\"" "$1"
}
# lac_start NS LNS LOCAL JSON: one session, the flood up as soon as it is
# up, then held until SIGTERM for the way down.
lac_start() {
	ip netns exec "$1" "$LAC" --lns "$2" --local "$3" --timeout 10 \
		--user alice@exo.cat --password secret \
		--flood $((WARM + SECS + 1)) --flood-size "$SIZE" \
		--flood-to $SINK --hold 600 >"$4" 2>&1 &
	LAC_PID=$!
}
lac_stop() {
	kill -TERM "$LAC_PID" 2>/dev/null
	wait "$LAC_PID" 2>/dev/null
	LAC_PID=
}
# measure WHO LAC-NS LAC-IF CORE-NS CORE-IF JSON: both directions through
# the session tg-lac ($LAC_PID) brought up; sets UP_WHO and DOWN_WHO to
# "OFFERED FORWARDED".
measure() {
	local who=$1 up down
	if ! check "$who: session up" wait_for 100 has_event "$6" session-up; then
		sed 's/^/       /' "$6"
		return 1
	fi
	up=$(window "$2" "$3" "$4" "$5")
	wait_for 50 has_event "$6" flood
	echo "       $who: tg-lac sent $(lac_field "$6" flood pps) pps" \
		"($(lac_field "$6" flood sent) in $(lac_field "$6" flood seconds) s)"
	ip netns exec "$4" "$UDP_FLOOD" $MEMBER 9 $((WARM + SECS + 1)) "$SIZE" \
		>"$TMP/$who-down.json" 2>&1 &
	FLOOD_PID=$!
	down=$(window "$4" "$5" "$2" "$3")
	wait "$FLOOD_PID"
	FLOOD_PID=
	echo "       $who: udp-flood sent $(lac_field "$TMP/$who-down.json" flood pps) pps"
	check "$who: up: packets forwarded" test "${up#* }" -gt 0
	check "$who: down: packets forwarded" test "${down#* }" -gt 0
	printf -v "UP_$who" '%s' "$up"
	printf -v "DOWN_$who" '%s' "$down"
}

# --- tungate ---------------------------------------------------------------
step "namespaces" tunnel_setup 1
step "blackhole in core" ip -n "$CORE" route add blackhole $SINK/32
step "core forwards (a blackhole drops silently)" \
	ip netns exec "$CORE" sysctl -qw net.ipv4.ip_forward=1
step "sink neighbour" ip -n "$CONC" neigh replace $SINK lladdr $MAC_CORE \
	dev "$IF_CUP" nud permanent
step "db init" tg db init
step "alice" tg sub add alice --type l2tpv2 --user alice@exo.cat \
	--password secret --prefix $MEMBER/32
step "lns" tg config set lns 192.0.2.1
step "lns-address" tg config set lns-address 100.64.0.1
step "up" tg up --subscriber-if "$IF_CSUB" --uplink-if "$IF_CUP"
in_conc "$TUNGATE" --db "$DB" --pin-root "$PIN" run >"$TMP/run.log" 2>&1 &
RUN_PID=$!
step "daemon" wait_for 100 grep -q "lns: listening" "$TMP/run.log"
lac_start "$SUB" 192.0.2.1 192.0.2.11 "$TMP/tungate.json"
measure tungate "$SUB" "$IF_SUB" "$CORE" "$IF_CORE" "$TMP/tungate.json"
# The core's counter against the data plane's own: the packets went
# through the session, not around it.
echo "       tungate: alice's counters: $(stat sub alice up packets) up," \
	"$(stat sub alice down packets) down"
lac_stop
kill "$RUN_PID" 2>/dev/null
wait "$RUN_PID" 2>/dev/null
RUN_PID=

# --- l2tpns: its namespaces, a core of the same shape ---------------------
step "l2tpns namespaces" l2tpns_setup
trap cleanup EXIT
trap "exit 1" INT TERM
l2core() {
	ip netns add "$L2CORE" &&
	ip -n "$L2CORE" link set lo up &&
	ip -n "$LNS_NS" link add fwd-cup address $MAC_L2CUP type veth \
		peer name fwd-core address $MAC_L2CORE netns "$L2CORE" &&
	ip -n "$LNS_NS" addr add 198.51.100.1/24 dev fwd-cup &&
	ip -n "$L2CORE" addr add $CORE4/24 dev fwd-core &&
	ip -n "$LNS_NS" link set fwd-cup up &&
	ip -n "$L2CORE" link set fwd-core up &&
	ip -n "$L2CORE" route add 100.64.0.0/10 via 198.51.100.1 &&
	ip -n "$L2CORE" route add blackhole $SINK/32 &&
	ip netns exec "$L2CORE" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 &&
	ip netns exec "$LNS_NS" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 &&
	ip -n "$LNS_NS" neigh replace $SINK lladdr $MAC_L2CORE dev fwd-cup nud permanent &&
	ip -n "$LNS_NS" neigh replace $CORE4 lladdr $MAC_L2CORE dev fwd-cup nud permanent &&
	ip -n "$L2CORE" neigh replace 198.51.100.1 lladdr $MAC_L2CUP dev fwd-core nud permanent
}
step "l2tpns core" l2core
l2tpns_user alice@exo.cat secret $MEMBER
step "l2tpns and FreeRADIUS" l2tpns_start
lac_start "$LAC_NS" "$LNS_ADDR" "$LAC_ADDR" "$TMP/l2tpns.json"
measure l2tpns "$LAC_NS" tg-lac "$L2CORE" fwd-core "$TMP/l2tpns.json"
lac_stop

# --- figures -----------------------------------------------------------------
# line DIR WHO "OFFERED FORWARDED"
line() {
	local o=${3% *} f=${3#* } note=
	# Forwarded all (or nearly all) it was offered: the sender was the limit.
	[ "$f" -ge $((o * 98 / 100)) ] && note=" (source-bound: forwarded all it was offered)"
	echo "forward: $1: $2: offered $o pps, forwarded $f pps$note"
}
# ratio TUNGATE L2TPNS: of the forwarded figures; a lower bound when
# tungate's was source-bound.
ratio() {
	local o=${1% *} t=${1#* } l=${2#* } r
	[ "$l" -gt 0 ] || { echo "n/a"; return; }
	r=$($PY -c "print('%.2f' % ($t / $l))")
	[ "$t" -ge $((o * 98 / 100)) ] && r="$r or more (tungate's figure is source-bound)"
	echo "$r"
}
echo "forward: one session, $SIZE-byte IPv4/UDP packets, $SECS s after $WARM s of warm-up," \
	"$(nproc) CPUs shared by sender, LNS and receiver"
for dir in up down; do
	t=${dir^^}_tungate l=${dir^^}_l2tpns
	if [ -n "${!t:-}" ] && [ -n "${!l:-}" ]; then
		line "$dir" tungate "${!t}"
		line "$dir" l2tpns "${!l}"
		echo "forward: $dir: tungate/l2tpns forwarded: $(ratio "${!t}" "${!l}")"
	fi
done
finish
