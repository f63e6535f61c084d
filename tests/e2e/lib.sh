# SPDX-License-Identifier: GPL-2.0-only
# Shared by the namespace tests and the demo: result counting, the
# sub -- conc -- core topology and running tungate inside conc.
#
#   ns SUB [NAME-sub] --veth-- [NAME-csub] ns CONC [NAME-cup] --veth-- [NAME-core] ns CORE
#   192.0.2.10-12/24           192.0.2.1/24        198.51.100.1/24        198.51.100.2/24
#
# Source it after setting TAG (a short name prefix, e.g. tg-e2e); it sets
# ROOT, TUNGATE, PY, SUB, CONC, CORE, PIN, TMP, DB and the interface names.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TUNGATE=$ROOT/build/tungate
PASS_OBJ=$ROOT/build/pass.bpf.o
PY=/usr/bin/python3
E2E=$ROOT/tests/e2e

SUB=$TAG-sub-$$
CONC=$TAG-conc-$$
CORE=$TAG-core-$$
PIN=/sys/fs/bpf/$TAG-$$
IF_SUB=$TAG-sub
IF_CSUB=$TAG-csub
IF_CUP=$TAG-cup
IF_CORE=$TAG-core
MAC_SUB=02:00:00:e2:00:01
MAC_CSUB=02:00:00:e2:00:02
MAC_CUP=02:00:00:e2:01:01
MAC_CORE=02:00:00:e2:01:02
TMP=$(mktemp -d "/tmp/$TAG-XXXXXX")
DB=$TMP/tungate.db
BG_PIDS=()

SUITE=$TAG
. "$E2E/result.sh"

require_root_tools() {
	[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, XDP)"
	local tool
	for tool in ip nsenter; do
		command -v "$tool" >/dev/null || skip "$tool not installed"
	done
	$PY -c 'import scapy' 2>/dev/null || skip "scapy missing for $PY"
	[ -x "$TUNGATE" ] || skip "build first: make"
	[ -f "$PASS_OBJ" ] || make -s -C "$ROOT" --no-print-directory \
		"${PASS_OBJ#"$ROOT/"}" || skip "cannot build $PASS_OBJ"
	if ! mountpoint -q /sys/fs/bpf; then
		mount -t bpf bpf /sys/fs/bpf || skip "cannot mount bpffs"
	fi
}

topo_cleanup() {
	local pid ns
	for pid in "${BG_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
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
in_conc() {
	nsenter --net=/run/netns/"$CONC" "$@"
}
tg() {
	in_conc "$TUNGATE" --db "$DB" --pin-root "$PIN" "$@"
}

topo_setup() {
	local ns
	for ns in "$SUB" "$CONC" "$CORE"; do
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up || return 1
	done
	ip -n "$SUB" link add "$IF_SUB" address $MAC_SUB type veth \
		peer name "$IF_CSUB" address $MAC_CSUB netns "$CONC" &&
	ip -n "$CONC" link add "$IF_CUP" address $MAC_CUP type veth \
		peer name "$IF_CORE" address $MAC_CORE netns "$CORE" &&
	ip -n "$SUB" addr add 192.0.2.10/24 dev "$IF_SUB" &&
	ip -n "$SUB" addr add 192.0.2.11/24 dev "$IF_SUB" &&
	ip -n "$SUB" addr add 192.0.2.12/24 dev "$IF_SUB" &&
	ip -n "$CONC" addr add 192.0.2.1/24 dev "$IF_CSUB" &&
	ip -n "$CONC" addr add 198.51.100.1/24 dev "$IF_CUP" &&
	ip -n "$CORE" addr add 198.51.100.2/24 dev "$IF_CORE" &&
	ip -n "$SUB" link set "$IF_SUB" up &&
	ip -n "$CONC" link set "$IF_CSUB" up &&
	ip -n "$CONC" link set "$IF_CUP" up &&
	ip -n "$CORE" link set "$IF_CORE" up &&
	ip -n "$CORE" route add 100.64.0.0/10 via 198.51.100.1 &&
	ip netns exec "$CONC" sysctl -qw net.ipv4.ip_forward=1 &&
	# The XDP path needs a resolved neighbour for the FIB lookup.
	ip -n "$CONC" neigh replace 198.51.100.2 lladdr $MAC_CORE \
		dev "$IF_CUP" nud permanent || return 1
	# A veth only takes XDP_REDIRECTed frames when its peer runs XDP.
	ip -n "$CORE" link set dev "$IF_CORE" xdp obj "$PASS_OBJ" sec xdp
}

# Start the UDP receiver in core; its JSON report goes to $TMP/sink.json.
sink_start() {
	rm -f "$TMP/sink.ready" "$TMP/sink.stop"
	ip netns exec "$CORE" $PY "$E2E/udp_sink.py" "$TMP/sink.ready" \
		"$TMP/sink.stop" >"$TMP/sink.json" &
	SINK_PID=$!
	BG_PIDS+=("$SINK_PID")
	local _
	for _ in $(seq 50); do
		[ -e "$TMP/sink.ready" ] && return 0
		sleep 0.1
	done
	return 1
}
sink_stop() {
	sleep 1
	touch "$TMP/sink.stop"
	wait "$SINK_PID"
}
# sink_field KIND FIELD: count, ttl (comma list) or bad of one sender kind.
sink_field() {
	$PY -c 'import json,sys
d = json.load(open(sys.argv[1])).get(sys.argv[2], {"count": 0, "ttl": [], "bad": 0})
v = d[sys.argv[3]]
print(",".join(str(x) for x in v) if isinstance(v, list) else v)' "$TMP/sink.json" "$1" "$2"
}

# send KIND COUNT: tunnel frames from sub (see send_tunnels.py).
send() {
	ip netns exec "$SUB" $PY "$E2E/send_tunnels.py" "$IF_SUB" $MAC_CSUB "$1" "$2"
}

# stat PATH...: one number out of `tungate stats -j`, e.g.
# stat global ok packets, stat sub alice up packets, stat sub alice reasons spoofed_src
stat() {
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
