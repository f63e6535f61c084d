# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Shared by the policing tests: subscribers reached through userspace
# tunnel endpoints (tunnel_endpoint.py), GRE, one per row N:
#
#   ns sub [tg-pol-sub] --veth-- [tg-pol-csub] ns conc [tg-pol-cup] --veth-- [tg-pol-core] ns core
#   192.0.2.1N/24               192.0.2.1/24          198.51.100.1/24        198.51.100.2/24
#   TUN tgpolN 100.64.N.2/24                                                 203.0.113.2/24
#
# Source it after setting TAG (tg-pol-tcp, tg-pol-scope). Core answers on
# 198.51.100.2 (outside the community) and 203.0.113.2 (inside).
set -uo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
IF_SUB=tg-pol-sub
IF_CSUB=tg-pol-csub
IF_CUP=tg-pol-cup
IF_CORE=tg-pol-core
MAC_SUB=02:00:00:e4:00:01
MAC_CSUB=02:00:00:e4:00:02
MAC_CUP=02:00:00:e4:01:01
MAC_CORE=02:00:00:e4:01:02
COMM4=203.0.113.2
PIDS=()
EP_PIDS=()

# require [TOOL...]: what lib.sh's tests need, these tools and TUN.
require() {
	local tool
	require_root_tools
	for tool in "$@"; do
		command -v "$tool" >/dev/null || skip "$tool not installed"
	done
	[ -c /dev/net/tun ] || skip "no /dev/net/tun"
}

cleanup() {
	BG_PIDS+=("${EP_PIDS[@]}" "${PIDS[@]}")
	topo_cleanup
}

# setup NSUBS: namespaces, addresses, neighbours.
setup() {
	topo_links && sub_link "$1" && core_v4 &&
	ip -n "$CORE" addr add $COMM4/24 dev "$IF_CORE" &&
	ip -n "$CONC" route add 203.0.113.0/24 via $CORE4 &&
	wire_ends
}

# add_sub N NAME [tungate options]: GRE subscriber with 100.64.N.0/24.
add_sub() {
	local n=$1 name=$2
	shift 2
	tg sub add "$name" --type gre --remote 192.0.2.1$n --local 192.0.2.1 \
		--prefix "100.64.$n.0/24" "$@"
}

# start_endpoint N: the GRE endpoint of row N in sub, waits for ready;
# traffic from 100.64.N.2 goes into its tunnel.
start_endpoint() {
	local n=$1
	ip netns exec "$SUB" $PY "$E2E/tunnel_endpoint.py" --type gre \
		--local 192.0.2.1$n --remote 192.0.2.1 --tun tgpol$n \
		--addr "100.64.$n.2/24" --gateway "100.64.$n.1" \
		>"$TMP/ep$n.out" 2>"$TMP/ep$n.err" &
	EP_PID=$!
	EP_PIDS+=("$EP_PID")
	endpoint_wait "$n" || return 1
	# Several endpoints share sub: route by source address.
	ip -n "$SUB" route add default dev tgpol$n table 10$n &&
	ip -n "$SUB" rule add from "100.64.$n.2" table 10$n
}

# gstat PATH...: lib.sh's stat, e.g. gstat global scope packets,
# gstat sub alice reasons scope
gstat() {
	stat "$@"
}
