# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Shared by the namespace tests and the demo: result counting, the
# sub -- conc -- core topology and running tungate inside conc.
#
#   ns SUB [NAME-sub] --veth-- [NAME-csub] ns CONC [NAME-cup] --veth-- [NAME-core] ns CORE
#   192.0.2.10-12/24           192.0.2.1/24        198.51.100.1/24        198.51.100.2/24
#
# routed_setup builds the same three namespaces routed by BIRD instead
# (see there): the BGP suite and the demo.
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
. "$ROOT/tests/cli/tg_db.sh"

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

# log_count PATTERN: lines of the daemon's log ($LOG) matching (extended regex).
log_count() {
	grep -cE -- "$1" "$LOG"
}
# wait_log PATTERN [N [SECONDS]]: until N lines match (default 1, 5 s).
wait_log() {
	local n=${2:-1} t=$((${3:-5} * 10)) _
	for _ in $(seq "$t"); do
		[ "$(log_count "$1")" -ge "$n" ] && return 0
		sleep 0.1
	done
	return 1
}

topo_cleanup() {
	local pid ns
	for pid in "${BG_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for pid in "${BG_PIDS[@]}"; do
		wait "$pid" 2>/dev/null
	done
	# Anything still running inside our namespaces (BIRD, endpoints,
	# servers) was started here.
	for ns in "$SUB" "$CONC" "$CORE"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill "$pid" 2>/dev/null
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
in_conc() {
	nsenter --net=/run/netns/"$CONC" "$@"
}
# tg ARGS...: tungate in conc on $DB, or on PostgreSQL with $DB its
# snapshot when TG_CLI_PG_URL is set (tests/cli/tg_db.sh).
tg() {
	tg_db_opts
	in_conc "$TUNGATE" "${TG_DB_OPTS[@]}" --pin-root "$PIN" "$@"
}

# topo_links: the three namespaces (no reverse path filter) and the two
# veth pairs between them, up.
topo_links() {
	local ns
	for ns in "$SUB" "$CONC" "$CORE"; do
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up || return 1
		ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
			net.ipv4.conf.default.rp_filter=0 || return 1
	done
	ip -n "$SUB" link add "$IF_SUB" address $MAC_SUB type veth \
		peer name "$IF_CSUB" address $MAC_CSUB netns "$CONC" &&
	ip -n "$CONC" link add "$IF_CUP" address $MAC_CUP type veth \
		peer name "$IF_CORE" address $MAC_CORE netns "$CORE" &&
	ip -n "$SUB" link set "$IF_SUB" up &&
	ip -n "$CONC" link set "$IF_CSUB" up &&
	ip -n "$CONC" link set "$IF_CUP" up &&
	ip -n "$CORE" link set "$IF_CORE" up
}

# sub_link NSUBS: the outer addresses 192.0.2.11..1N in sub and
# 192.0.2.1 in conc, with static neighbours both ways (the XDP path
# forwards only to resolved neighbours).
sub_link() {
	local n
	for n in $(seq "$1"); do
		ip -n "$SUB" addr add 192.0.2.1$n/24 dev "$IF_SUB" &&
		ip -n "$CONC" neigh replace 192.0.2.1$n lladdr $MAC_SUB \
			dev "$IF_CSUB" nud permanent || return 1
	done
	ip -n "$CONC" addr add 192.0.2.1/24 dev "$IF_CSUB" &&
	ip -n "$SUB" neigh replace 192.0.2.1 lladdr $MAC_CSUB dev "$IF_SUB" nud permanent
}

# wire_ends: finished checksums on what sub and core send, as from a wire;
# XDP on both, as a veth only takes XDP_REDIRECTed (or XDP_TXed) frames
# when its peer runs XDP.
wire_ends() {
	ip netns exec "$SUB" $PY "$E2E/tx_csum_off.py" "$IF_SUB" &&
	ip netns exec "$CORE" $PY "$E2E/tx_csum_off.py" "$IF_CORE" &&
	ip -n "$CORE" link set dev "$IF_CORE" xdp obj "$PASS_OBJ" sec xdp &&
	ip -n "$SUB" link set dev "$IF_SUB" xdp obj "$PASS_OBJ" sec xdp
}

topo_setup() {
	topo_links &&
	ip -n "$SUB" addr add 192.0.2.10/24 dev "$IF_SUB" &&
	ip -n "$SUB" addr add 192.0.2.11/24 dev "$IF_SUB" &&
	ip -n "$SUB" addr add 192.0.2.12/24 dev "$IF_SUB" &&
	ip -n "$CONC" addr add 192.0.2.1/24 dev "$IF_CSUB" &&
	core_v4 &&
	# A veth only takes XDP_REDIRECTed frames when its peer runs XDP.
	ip -n "$CORE" link set dev "$IF_CORE" xdp obj "$PASS_OBJ" sec xdp
}

# core_v4: IPv4 between conc (198.51.100.1/24) and core ($CORE4), core's
# route to the subscribers (100.64.0.0/10) via conc, forwarding in conc and
# static neighbours both ways (the XDP path needs a resolved neighbour for
# the FIB lookup).
core_v4() {
	ip -n "$CONC" addr add 198.51.100.1/24 dev "$IF_CUP" &&
	ip -n "$CORE" addr add $CORE4/24 dev "$IF_CORE" &&
	ip -n "$CORE" route add 100.64.0.0/10 via 198.51.100.1 &&
	ip netns exec "$CONC" sysctl -qw net.ipv4.ip_forward=1 &&
	ip -n "$CONC" neigh replace $CORE4 lladdr $MAC_CORE dev "$IF_CUP" nud permanent &&
	ip -n "$CORE" neigh replace 198.51.100.1 lladdr $MAC_CUP dev "$IF_CORE" nud permanent
}
# core_v6: the same for IPv6: 2001:db8:ff::1/64 and $CORE6, route to
# 2001:db8:1::/48.
core_v6() {
	ip -n "$CONC" addr add 2001:db8:ff::1/64 dev "$IF_CUP" nodad &&
	ip -n "$CORE" addr add $CORE6/64 dev "$IF_CORE" nodad &&
	ip -n "$CORE" route add 2001:db8:1::/48 via 2001:db8:ff::1 &&
	ip netns exec "$CONC" sysctl -qw net.ipv6.conf.all.forwarding=1 &&
	ip -n "$CONC" neigh replace $CORE6 lladdr $MAC_CORE dev "$IF_CUP" nud permanent &&
	ip -n "$CORE" neigh replace 2001:db8:ff::1 lladdr $MAC_CUP dev "$IF_CORE" nud permanent
}
# tunnel_setup NSUBS: for userspace tunnel endpoints in sub (endpoint_start
# N, N up to NSUBS): both families between conc and core, no BIRD.
tunnel_setup() {
	topo_links && sub_link "$1" && core_v4 && core_v6 && wire_ends
}

# add_alice [OPTIONS...], add_bob [OPTIONS...]: the subscribers of
# topo_setup whose frames send_tunnels.py sends: alice, IPIP from
# 192.0.2.10 with 100.64.1.0/24; bob, GRE key 7 from 192.0.2.11 with
# 100.64.2.0/24. Dies when refused.
add_alice() {
	tg sub add alice --type ipip --remote 192.0.2.10 --local 192.0.2.1 \
		--prefix 100.64.1.0/24 "$@" >/dev/null || die "sub add alice"
}
add_bob() {
	tg sub add bob --type gre --key 7 --remote 192.0.2.11 --local 192.0.2.1 \
		--prefix 100.64.2.0/24 "$@" >/dev/null || die "sub add bob"
}
# way_down: the way down to alice and bob: conc's neighbours for their
# outer addresses, and XDP on sub's veth end so that it takes redirected
# frames.
way_down() {
	ip -n "$CONC" neigh replace 192.0.2.10 lladdr $MAC_SUB dev "$IF_CSUB" nud permanent &&
	ip -n "$CONC" neigh replace 192.0.2.11 lladdr $MAC_SUB dev "$IF_CSUB" nud permanent &&
	ip -n "$SUB" link set dev "$IF_SUB" xdp obj "$PASS_OBJ" sec xdp
}

# sink_start [SECONDS]: the UDP receiver in core, for SECONDS at most
# (default 60); its JSON report goes to $TMP/sink.json.
sink_start() {
	rm -f "$TMP/sink.ready" "$TMP/sink.stop"
	ip netns exec "$CORE" $PY "$E2E/udp_sink.py" "$TMP/sink.ready" \
		"$TMP/sink.stop" "${1:-60}" >"$TMP/sink.json" &
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

# stream_start KIND:PPS...: numbered tunnel frames from sub at a fixed
# rate (seq_stream.py) until stream_stop; its report goes to
# $TMP/stream.json. Start the receiver first.
stream_start() {
	rm -f "$TMP/stream.stop"
	ip netns exec "$SUB" $PY "$E2E/seq_stream.py" "$IF_SUB" $MAC_CSUB \
		"$TMP/stream.stop" "$@" >"$TMP/stream.json" &
	STREAM_PID=$!
	BG_PIDS+=("$STREAM_PID")
}
stream_stop() {
	touch "$TMP/stream.stop"
	wait "$STREAM_PID"
}
# stream_field KIND FIELD: sent or seconds, from seq_stream.py's report.
stream_field() {
	$PY -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]][sys.argv[3]])' \
		"$TMP/stream.json" "$1" "$2"
}
# veth_drops: frames the sub -- conc veth pair dropped itself (its ring full
# when the stream catches up in a burst after the sender was starved of
# CPU): lost before tungate sees them.
veth_drops() {
	{
		ip -n "$SUB" -s -j link show "$IF_SUB"
		echo
		ip -n "$CONC" -s -j link show "$IF_CSUB"
		echo
	} | $PY -c 'import json, sys
n = 0
for line in sys.stdin:
    if line.strip():
        st = json.loads(line)[0]["stats64"]
        n += st["tx"]["dropped"] + st["rx"]["dropped"]
print(n)'
}

# send KIND COUNT: tunnel frames from sub (see send_tunnels.py).
send() {
	ip netns exec "$SUB" $PY "$E2E/send_tunnels.py" "$IF_SUB" $MAC_CSUB "$1" "$2"
}

# stat PATH...: one number out of `tungate stats -j`, e.g.
# stat global ok packets, stat sub alice up packets, stat sub alice reasons spoofed_src
stat() {
	tg -j stats --interval 0 | $PY -c 'import json, sys
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
# passed_to_kernel: packets decapsulated and handed to the kernel (its
# own forwarding, ICMP), by the global counters.
PASS_REASONS="fib_no_neigh fib_unreachable fib_not_fwded fib_fwd_disabled fib_frag_needed fib_other egress_unmanaged ttl_expired"
passed_to_kernel() {
	local r sum=0
	for r in $PASS_REASONS; do
		sum=$((sum + $(stat global "$r" packets)))
	done
	echo $sum
}

# ---------------------------------------------------------------------------
# The routed topology (BGP suite, demo): the same namespaces, with BIRD 2 in
# conc and core peering over eBGP on the conc -- core link (one session per
# family), and userspace tunnel endpoints (tunnel_endpoint.py) in sub:
#
#   ns SUB [NAME-sub] --veth-- [NAME-csub] ns CONC [NAME-cup] --veth-- [NAME-core] ns CORE
#   192.0.2.1N/24              192.0.2.1/24        203.0.113.1/30        203.0.113.2/30
#   TUN tgN: 100.64.N.2/24,                        2001:db8:fe::1/64     2001:db8:fe::2/64
#            2001:db8:1:N::2/64                                          lo: 198.51.100.2,
#                                                                            203.0.113.130,
#                                                                            2001:db8:ff::2
#
# Core announces 198.51.100.0/24, 203.0.113.128/25 (a "community network")
# and 2001:db8:ff::/64: conc's only routes there are the ones BIRD learnt. Conc announces the subscriber prefixes of
# `tungate bird`'s include ($BIRD_INC) and exports everything else BIRD
# knows to its kernel table; core's kernel gets the subscriber routes.
LINK4_CONC=203.0.113.1
LINK4_CORE=203.0.113.2
LINK6_CONC=2001:db8:fe::1
LINK6_CORE=2001:db8:fe::2
CORE4=198.51.100.2
CORE6=2001:db8:ff::2
COMM4=203.0.113.130
AS_CONC=64496
AS_CORE=64497
BIRD_INC=$TMP/tungate-bird.conf
TCP_PORT=5001

in_sub() { ip netns exec "$SUB" "$@"; }
in_core() { ip netns exec "$CORE" "$@"; }

# wait_for TENTHS CMD...: CMD succeeds within TENTHS tenths of a second.
wait_for() {
	local n=$1 i
	shift
	for i in $(seq "$n"); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	"$@"
}
# ms_since T0: milliseconds since T0 (date +%s%N).
ms_since() {
	echo $((($(date +%s%N) - $1) / 1000000))
}
# tunnels_in PIN N: N tunnel entries in the maps under PIN (also where
# nothing is attached, which 'status' does not count). A light probe:
# propagation times are measured with it.
tunnels_in() {
	[ "$(bpftool map dump pinned "$1/tg_tunnels" 2>/dev/null | grep -c '"key"')" = "$2" ]
}
# pfx4_in PIN ADDR: ADDR is in a subscriber prefix of the maps under PIN
# (one lookup: light enough to time a change with).
pfx4_in() {
	bpftool map lookup pinned "$1/tg_prefix4" key 32 0 0 0 ${2//./ } >/dev/null 2>&1
}
# in_maps N: N tunnels in force in the data plane (tungate status).
in_maps() {
	[ "$(tg -j status | $PY -c 'import json,sys; print(json.load(sys.stdin)["subscribers"])')" = "$1" ]
}
# daemon_start [OPTIONS...]: tungate run in conc, stderr appended to $LOG.
# nsenter execs tungate: $! (DPID) is the daemon itself.
daemon_start() {
	nsenter --net=/run/netns/"$CONC" "$TUNGATE" --db "$DB" --pin-root "$PIN" \
		run --interval 250 "$@" 2>>"$LOG" &
	DPID=$!
}
# daemon_stop: SIGTERM, wait; its exit status in DSTATUS.
daemon_stop() {
	[ -n "${DPID:-}" ] || return 0
	kill -TERM "$DPID" 2>/dev/null
	wait "$DPID"
	DSTATUS=$?
	DPID=
}
# daemon_pid: the tungate run of this test.
daemon_pid() {
	pgrep -f "pin-root $PIN run"
}
# session_count: the dial-in sessions tungate lists.
session_count() {
	tg -j session list | $PY -c 'import json,sys; print(len(json.load(sys.stdin)))'
}
# lac_field FILE EVENT KEY: KEY of the first EVENT tg-lac printed to FILE.
lac_field() {
	$PY -c 'import json, sys
for l in open(sys.argv[1]):
    try:
        e = json.loads(l)
    except ValueError:
        continue
    if e.get("event") == sys.argv[2]:
        print(e.get(sys.argv[3])); break' "$@"
}

# routed_setup NSUBS: namespaces, links, addresses, static neighbours (the
# XDP path forwards only to resolved neighbours).
routed_setup() {
	topo_links && sub_link "$1" &&
	ip -n "$CONC" addr add $LINK4_CONC/30 dev "$IF_CUP" &&
	ip -n "$CONC" addr add $LINK6_CONC/64 dev "$IF_CUP" nodad &&
	ip -n "$CORE" addr add $LINK4_CORE/30 dev "$IF_CORE" &&
	ip -n "$CORE" addr add $LINK6_CORE/64 dev "$IF_CORE" nodad &&
	ip -n "$CORE" addr add $CORE4/32 dev lo &&
	ip -n "$CORE" addr add $COMM4/32 dev lo &&
	ip -n "$CORE" addr add $CORE6/128 dev lo &&
	ip netns exec "$CONC" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv6.conf.all.forwarding=1 &&
	ip -n "$CONC" neigh replace $LINK4_CORE lladdr $MAC_CORE dev "$IF_CUP" nud permanent &&
	ip -n "$CONC" neigh replace $LINK6_CORE lladdr $MAC_CORE dev "$IF_CUP" nud permanent &&
	ip -n "$CORE" neigh replace $LINK4_CONC lladdr $MAC_CUP dev "$IF_CORE" nud permanent &&
	ip -n "$CORE" neigh replace $LINK6_CONC lladdr $MAC_CUP dev "$IF_CORE" nud permanent &&
	wire_ends
}

# v6_ready: even without DAD an IPv6 address is briefly tentative
# (unusable); wait until conc's and core's are not.
v6_ready() {
	local _
	for _ in $(seq 100); do
		[ -z "$(ip -n "$CONC" -6 addr show tentative)" ] &&
			[ -z "$(ip -n "$CORE" -6 addr show tentative)" ] && return 0
		sleep 0.05
	done
	return 1
}

# bird_conf conc|core: the configuration of that side's BIRD.
bird_conf() {
	local me=$1 as=$AS_CONC peer_as=$AS_CORE l4=$LINK4_CONC p4=$LINK4_CORE
	local l6=$LINK6_CONC p6=$LINK6_CORE exp4 exp6 kexp4 kexp6
	if [ "$me" = conc ]; then
		# The subscriber prefixes to BGP; not to the kernel, whose
		# routes to them are tungate's own (proto 240, to tg0).
		echo "include \"$BIRD_INC\";"
		exp4='filter tungate_bgp4' exp6='filter tungate_bgp6'
		kexp4='proto != "tungate4"' kexp6='proto != "tungate6"'
	else
		as=$AS_CORE peer_as=$AS_CONC l4=$LINK4_CORE p4=$LINK4_CONC
		l6=$LINK6_CORE p6=$LINK6_CONC
		echo "protocol static core4 { ipv4; route 198.51.100.0/24 blackhole;"
		echo "	route 203.0.113.128/25 blackhole; }"
		echo "protocol static core6 { ipv6; route 2001:db8:ff::/64 blackhole; }"
		exp4='where proto = "core4"' exp6='where proto = "core6"'
		kexp4='source = RTS_BGP' kexp6='source = RTS_BGP'
	fi
	cat <<CONF
router id $l4;
protocol device {}
protocol kernel kernel4 { ipv4 { export where $kexp4; }; }
protocol kernel kernel6 { ipv6 { export where $kexp6; }; }
template bgp peer {
	local as $as;
	neighbor as $peer_as;
	hold time 6;
	keepalive time 2;
	connect delay time 1;
	connect retry time 2;
	error wait time 1, 2;
}
protocol bgp bgp4 from peer {
	local $l4;
	neighbor $p4;
	ipv4 { import all; export $exp4; };
}
protocol bgp bgp6 from peer {
	local $l6;
	neighbor $p6;
	ipv6 { import all; export $exp6; };
}
CONF
}

# bird_start conc|core [NS]: BIRD in that namespace (or in NS), its
# configuration from bird_conf NAME, control socket $TMP/bird-NAME.ctl.
bird_start() {
	local ns=$CONC _
	[ "$1" = core ] && ns=$CORE
	ns=${2:-$ns}
	bird_conf "$1" >"$TMP/bird-$1.conf" || return 1
	ip netns exec "$ns" bird -c "$TMP/bird-$1.conf" -s "$TMP/bird-$1.ctl" \
		-P "$TMP/bird-$1.pid" || return 1
	for _ in $(seq 50); do
		[ -S "$TMP/bird-$1.ctl" ] && return 0
		sleep 0.1
	done
	return 1
}
# birdc_in conc|core ARGS...
birdc_in() {
	local who=$1
	shift
	birdc -s "$TMP/bird-$who.ctl" "$@"
}
# bgp_state conc: "bgp4 STATE SINCE bgp6 STATE SINCE" of conc's sessions.
bgp_state() {
	birdc_in "$1" show protocols | awk '$1 ~ /^bgp[46]$/ {
		printf "%s %s %s %s ", $1, $6, $4, $5 }'
}
bgp_established() {
	[ "$(bgp_state "$1" | grep -o Established | wc -l)" = 2 ]
}
# wait_bgp: both sessions up and core's subscriber and conc's core routes
# in the kernels (30 s at most).
wait_bgp() {
	local _
	for _ in $(seq 300); do
		if bgp_established conc &&
			ip -n "$CONC" route show proto bird | grep -q '^198.51.100.0/24' &&
			ip -n "$CONC" -6 route show proto bird | grep -q '^2001:db8:ff::/64'; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# rows_add: `tungate sub add` of every row of ROWS ("NAME TYPE FAMILIES
# TUNGATE-OPTIONS | ENDPOINT-OPTIONS"); row N has the outer address
# 192.0.2.1N and, by FAMILIES (4, 6, 46), the prefixes 100.64.N.0/24 and
# 2001:db8:1:N::/64. Setup steps: the suite dies when one fails.
rows_add() {
	local n=0 row name type fams tgopts pfx
	for row in "${ROWS[@]}"; do
		n=$((n + 1))
		read -r name type fams tgopts <<<"${row%%|*}"
		pfx=()
		[[ $fams == *4* ]] && pfx+=(--prefix "100.64.$n.0/24")
		[[ $fams == *6* ]] && pfx+=(--prefix "2001:db8:1:$n::/64")
		# shellcheck disable=SC2086
		step "sub add $name --type $type $tgopts" \
			tg sub add "$name" --type "$type" --remote 192.0.2.1$n \
			--local 192.0.2.1 "${pfx[@]}" $tgopts
	done
}

# endpoint_start N TYPE FAMILIES ENDPOINT-OPTIONS...: the userspace tunnel
# endpoint of subscriber N (outer 192.0.2.1N, inner 100.64.N.2 and/or
# 2001:db8:1:N::2, routes to core's prefixes into the tunnel); waits for its
# ready line. One at a time: each routes core's prefixes into its tunnel.
endpoint_start() {
	local n=$1 type=$2 fams=$3 addrs=()
	shift 3
	[[ $fams == *4* ]] && addrs+=(--addr "100.64.$n.2/24"
		--route 198.51.100.0/24 --gateway "100.64.$n.1")
	[[ $fams == *6* ]] && addrs+=(--addr "2001:db8:1:$n::2/64"
		--route 2001:db8:ff::/64 --gateway6 "2001:db8:1:$n::1")
	ip netns exec "$SUB" $PY "$E2E/tunnel_endpoint.py" --type "$type" \
		--local 192.0.2.1$n --remote 192.0.2.1 --tun tg$n \
		--mac 02:00:00:e2:10:0$n "${addrs[@]}" "$@" \
		>"$TMP/ep$n.out" 2>"$TMP/ep$n.err" &
	EP_PID=$!
	BG_PIDS+=("$EP_PID")
	endpoint_wait "$n"
}
# endpoint_wait N: until endpoint N ($EP_PID) says ready; its errors when
# it does not.
endpoint_wait() {
	local _
	for _ in $(seq 50); do
		grep -q '^ready' "$TMP/ep$1.out" 2>/dev/null && return 0
		kill -0 "$EP_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$TMP/ep$1.err"
	return 1
}
endpoint_stop() {
	[ -n "${EP_PID:-}" ] || return 0
	kill "$EP_PID" 2>/dev/null
	wait "$EP_PID" 2>/dev/null
	EP_PID=
}

# tcp_servers_start: tcp_transfer.py servers in sub and core.
tcp_servers_start() {
	local ns _
	for ns in "$SUB" "$CORE"; do
		ip netns exec "$ns" $PY "$E2E/tcp_transfer.py" serve $TCP_PORT \
			"$TMP/tcp.$ns" >/dev/null &
		BG_PIDS+=($!)
	done
	for _ in $(seq 50); do
		[ -e "$TMP/tcp.$SUB" ] && [ -e "$TMP/tcp.$CORE" ] && return 0
		sleep 0.1
	done
	return 1
}
# ping_from sub|core SRC DST [COUNT]; tcp_put sub|core SRC DST BYTES
ping_from() {
	ip netns exec "$(ns_of "$1")" $PY "$E2E/icmp_echo.py" "$2" "$3" "${4:-3}"
}
tcp_put() {
	ip netns exec "$(ns_of "$1")" $PY "$E2E/tcp_transfer.py" put "$2" "$3" \
		$TCP_PORT "$4"
}
# pings_and_tcp WHAT ME CORE: pings sub ME <-> core CORE both ways; TCP
# needs both directions of the tunnel, so its $BYTES-byte transfers both
# ways run only when both pings worked.
pings_and_tcp() {
	local what=$1 me=$2 core=$3 fwd=0 rev=0
	check "$what: ping sub -> core ($me -> $core)" ping_from sub "$me" "$core" && fwd=1
	check "$what: ping core -> sub ($core -> $me)" ping_from core "$core" "$me" && rev=1
	if [ $fwd = 1 ] && [ $rev = 1 ]; then
		check "$what: TCP sub -> core, $BYTES bytes" tcp_put sub "$me" "$core" "$BYTES"
		check "$what: TCP core -> sub, $BYTES bytes" tcp_put core "$core" "$me" "$BYTES"
	else
		fail "$what: TCP both ways (not run: a ping failed)"
	fi
}
ns_of() {
	case $1 in
	sub) echo "$SUB" ;;
	core) echo "$CORE" ;;
	*) echo "$CONC" ;;
	esac
}
