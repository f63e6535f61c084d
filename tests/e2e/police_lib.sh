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

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TUNGATE=$ROOT/build/tungate
PASS_OBJ=$ROOT/build/pass.bpf.o
PY=/usr/bin/python3
E2E=$ROOT/tests/e2e

SUB=$TAG-sub-$$
CONC=$TAG-conc-$$
CORE=$TAG-core-$$
PIN=/sys/fs/bpf/$TAG-$$
TMP=$(mktemp -d "/tmp/$TAG-XXXXXX")
DB=$TMP/tungate.db
PIDS=()
EP_PIDS=()

MAC_SUB=02:00:00:e4:00:01
MAC_CSUB=02:00:00:e4:00:02
MAC_CUP=02:00:00:e4:01:01
MAC_CORE=02:00:00:e4:01:02
CORE4=198.51.100.2
COMM4=203.0.113.2

SUITE=$TAG
. "$E2E/result.sh"

require() {
	local tool
	[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, XDP, TUN)"
	for tool in ip nsenter "$@"; do
		command -v "$tool" >/dev/null || skip "$tool not installed"
	done
	[ -c /dev/net/tun ] || skip "no /dev/net/tun"
	[ -x "$TUNGATE" ] || skip "build first: make"
	[ -f "$PASS_OBJ" ] || make -s -C "$ROOT" --no-print-directory \
		"${PASS_OBJ#"$ROOT/"}" || skip "cannot build $PASS_OBJ"
	if ! mountpoint -q /sys/fs/bpf; then
		mount -t bpf bpf /sys/fs/bpf || skip "cannot mount bpffs on /sys/fs/bpf"
	fi
}

cleanup() {
	local p ns
	for p in "${EP_PIDS[@]}" "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${EP_PIDS[@]}" "${PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	# Anything still running inside our namespaces was started here.
	for ns in "$SUB" "$CONC" "$CORE"; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do
			kill "$p" 2>/dev/null
		done
	done
	# Links first (they detach), then maps; then the namespaces.
	if [ -d "$PIN" ]; then
		tg down >/dev/null 2>&1
		rm -rf "$PIN"
	fi
	for ns in "$SUB" "$CONC" "$CORE"; do
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$TMP"
}

# tungate must see the bpffs: `ip netns exec` would mount a fresh /sys that
# hides it, so enter only the network namespace.
tg() {
	nsenter --net=/run/netns/"$CONC" "$TUNGATE" --db "$DB" --pin-root "$PIN" "$@"
}
in_sub() { ip netns exec "$SUB" "$@"; }
in_core() { ip netns exec "$CORE" "$@"; }

# setup NSUBS: namespaces, addresses, neighbours.
setup() {
	local ns n
	for ns in "$SUB" "$CONC" "$CORE"; do
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up || return 1
		ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
			net.ipv4.conf.default.rp_filter=0 || return 1
	done
	ip -n "$SUB" link add tg-pol-sub address $MAC_SUB type veth \
		peer name tg-pol-csub address $MAC_CSUB netns "$CONC" &&
	ip -n "$CONC" link add tg-pol-cup address $MAC_CUP type veth \
		peer name tg-pol-core address $MAC_CORE netns "$CORE" || return 1
	for n in $(seq "$1"); do
		ip -n "$SUB" addr add 192.0.2.1$n/24 dev tg-pol-sub || return 1
		ip -n "$CONC" neigh replace 192.0.2.1$n lladdr $MAC_SUB \
			dev tg-pol-csub nud permanent || return 1
	done
	ip -n "$CONC" addr add 192.0.2.1/24 dev tg-pol-csub &&
	ip -n "$CONC" addr add 198.51.100.1/24 dev tg-pol-cup &&
	ip -n "$CORE" addr add $CORE4/24 dev tg-pol-core &&
	ip -n "$CORE" addr add $COMM4/24 dev tg-pol-core &&
	ip -n "$SUB" link set tg-pol-sub up &&
	ip -n "$CONC" link set tg-pol-csub up &&
	ip -n "$CONC" link set tg-pol-cup up &&
	ip -n "$CORE" link set tg-pol-core up &&
	ip -n "$CONC" route add 203.0.113.0/24 via $CORE4 &&
	ip -n "$CORE" route add 100.64.0.0/10 via 198.51.100.1 &&
	ip netns exec "$CONC" sysctl -qw net.ipv4.ip_forward=1 &&
	ip -n "$SUB" neigh replace 192.0.2.1 lladdr $MAC_CSUB dev tg-pol-sub nud permanent &&
	ip -n "$CONC" neigh replace $CORE4 lladdr $MAC_CORE dev tg-pol-cup nud permanent &&
	ip -n "$CORE" neigh replace 198.51.100.1 lladdr $MAC_CUP dev tg-pol-core nud permanent &&
	# Finished checksums on what sub and core send, as from a wire.
	ip netns exec "$SUB" $PY "$E2E/tx_csum_off.py" tg-pol-sub &&
	ip netns exec "$CORE" $PY "$E2E/tx_csum_off.py" tg-pol-core &&
	# A veth only takes XDP_REDIRECTed frames when its peer runs XDP.
	ip -n "$CORE" link set dev tg-pol-core xdp obj "$PASS_OBJ" sec xdp &&
	ip -n "$SUB" link set dev tg-pol-sub xdp obj "$PASS_OBJ" sec xdp
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
	local n=$1 pid
	ip netns exec "$SUB" $PY "$E2E/tunnel_endpoint.py" --type gre \
		--local 192.0.2.1$n --remote 192.0.2.1 --tun tgpol$n \
		--addr "100.64.$n.2/24" --gateway "100.64.$n.1" \
		>"$TMP/ep$n.out" 2>"$TMP/ep$n.err" &
	pid=$!
	EP_PIDS+=("$pid")
	for _ in $(seq 50); do
		# Several endpoints share sub: route by source address.
		if grep -q '^ready' "$TMP/ep$n.out" 2>/dev/null; then
			ip -n "$SUB" route add default dev tgpol$n table 10$n &&
			ip -n "$SUB" rule add from "100.64.$n.2" table 10$n
			return
		fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	cat "$TMP/ep$n.err"
	return 1
}

# gstat PATH...: one number of `tungate stats -j`, e.g.
# gstat global scope packets, gstat sub alice reasons scope
gstat() {
	tg -j stats | $PY -c 'import json, sys
d = json.load(sys.stdin)
path = sys.argv[1:]
if path[0] == "sub":
    d = {s["name"]: s for s in d["subscribers"]}
    path = path[1:]
else:
    d = d["global"]
    path = path[1:]
for p in path:
    d = d.get(p, 0) if isinstance(d, dict) else 0
print(d)' "$@"
}
