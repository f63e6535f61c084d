#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Live veth benchmark: packets per second a concentrator forwards from a
# generator to a sink, three namespaces joined by veth:
#
#   ns GEN [tgbv-gS] --veth-- [tgbv-iS] ns CONC [tgbv-oS] --veth-- [tgbv-sS] ns SINK
#
# one such pair of links per slot S (1 kernel, 2 router floor, 3
# tungate, 4 router floor with a subscriber lookup), so that every mode is set up once and the rounds only choose
# the links and the direction (up: GEN to SINK, toward the core; down:
# SINK to GEN, toward the subscribers). Modes (MODES):
#   kernel, kernel_down  no XDP in conc, the kernel forwards;
#   floor, floor_down    the xdp_fwd-style router of bpf/router_floor.bpf.c;
#   floor_lookup,        the same router finding each packet's subscriber
#   floor_lookup_down    first (tg_lookup_floor: one hash map lookup by
#                        inner source, or destination down, its map
#                        holding ACTIVE subscribers' addresses): the
#                        least a concentrator does; a packet of none is
#                        dropped, counted, and the run fails on any;
#   tg_ipip, tg_gre      tungate decapsulating (tungate up on tgbv-i3 and
#                        tgbv-o3, ENROLL ipip and ENROLL GRE subscribers
#                        enrolled by tungate import and sync), each
#                        subscriber sending from its own outer and inner
#                        source address;
#   tg_ipip_down         tungate encapsulating toward its ipip subscribers;
#   tg_gre_flows,        one GRE subscriber's tunnel carrying 1 and ACTIVE
#   tg_gre_steer         inner flows (UDP source ports), without and with
#                        steering (up --steer over every CPU): the
#                        second's ratio to the first is the gain of
#                        spreading one tunnel over the CPUs.
# kernel and the floors forward the same inner IPv4/UDP packets the tunnels
# carry (the kernel has no tunnel of its own here); down, to other
# addresses (conc routes tungate's subscriber prefixes to tg0). Traffic
# rotates over 1 and ACTIVE subscribers (or destinations): a different
# one for every packet, at a fixed stride through them.
#
# The generator (veth-bench gen) is BPF_PROG_TEST_RUN in live-frame mode
# redirecting frames out of the sending veth, on GEN_CPU; at the other
# end an XDP program counts and drops. Frames redirected into a veth are
# processed by its peer's NAPI, in the softirq of the CPU that sent them:
# the concentrator's work would share the generator's CPU. So conc's
# veths run threaded NAPI, the kthreads pinned to CONC_CPU at nice -20
# (the machine is shared): the concentrator's XDP (or the kernel's
# forwarding) runs there alone; the receiving ends' NAPI threads run on
# GEN_CPU beside the generator, so that what they cost (an skb from the
# kernel's forwarding costs them more than a frame) is no mode's. Offered is what left the sending veth (sent
# plus dropped for want of room in conc's queue), forwarded what the far
# end counted, over the same window.
#
# ROUNDS rounds, each measuring every mode at every count once, SECS s
# after WARM s; medians over the rounds of pps and of the ratios taken
# within each round. Targets are printed PASS/MISS, never fail the run.
# Knobs: VETH_BENCH_SECONDS (1.5), VETH_BENCH_WARMUP (0.3),
# VETH_BENCH_ROUNDS (5), VETH_BENCH_MODES (all of MODES below),
# VETH_BENCH_ENROLL (50000 per tunnel type),
# VETH_BENCH_ACTIVE (50000), VETH_BENCH_GEN_CPU (0), VETH_BENCH_CONC_CPU
# (1), VETH_BENCH_SIZE (64, bytes of the inner IPv4 packet),
# VETH_BENCH_ORDER (stride: the next packet's subscriber far from the
# last; sequential: the next one).
# Needs root; run measurements alone (flock /tmp/tg-bench.lock).
# shellcheck disable=SC2317 # functions called by traps and by name (mode_*)
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TUNGATE=$ROOT/build/tungate
VB=$ROOT/build/veth-bench
# shellcheck disable=SC2034 # read by result.sh
SUITE=veth-bench
# shellcheck source=tests/e2e/result.sh
. "$ROOT/tests/e2e/result.sh"
# shellcheck source=tests/bench/lib.sh
. "$ROOT/tests/bench/lib.sh"

SECS=${VETH_BENCH_SECONDS:-1.5}
WARM=${VETH_BENCH_WARMUP:-0.3}
ROUNDS=${VETH_BENCH_ROUNDS:-5}
ENROLL=${VETH_BENCH_ENROLL:-50000}
ACTIVE=${VETH_BENCH_ACTIVE:-50000}
GEN_CPU=${VETH_BENCH_GEN_CPU:-0}
CONC_CPU=${VETH_BENCH_CONC_CPU:-1}
SIZE=${VETH_BENCH_SIZE:-64}
ORDER=${VETH_BENCH_ORDER:-stride}
COUNTS="1 $ACTIVE"

GEN=tg-bveth-gen-$$
CONC=tg-bveth-conc-$$
SINK=tg-bveth-sink-$$
PIN=/sys/fs/bpf/tg-bveth-$$
TMP=$(mktemp -d /tmp/tg-bveth-XXXXXX)
DB=$TMP/tungate.db
LOCAL=192.0.2.49	# tungate's tunnel end: tgbv-i3 (slot 3)

cleanup() {
	local ns pid
	for ns in "$GEN" "$CONC" "$SINK"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill "$pid" 2>/dev/null
		done
	done
	if [ -d "$PIN" ]; then
		tg down >/dev/null 2>&1
		rm -rf "$PIN"
	fi
	for ns in "$GEN" "$CONC" "$SINK"; do
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap "exit 1" INT TERM

[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, XDP)"
if [ ! -x "$TUNGATE" ] || [ ! -x "$VB" ]; then
	skip "build first: make build/tungate build/veth-bench"
fi
if ! mountpoint -q /sys/fs/bpf; then
	mount -t bpf bpf /sys/fs/bpf || skip "cannot mount bpffs"
fi
[ "$(nproc)" -ge 2 ] || CONC_CPU=$GEN_CPU

# tungate must see the bpffs: enter only the network namespace.
tg() {
	nsenter --net=/run/netns/"$CONC" "$TUNGATE" --db "$DB" --pin-root "$PIN" "$@"
}
in_ns() {
	local ns=$1
	shift
	nsenter --net=/run/netns/"$ns" "$@"
}
# ip4 N: the dotted form of the 32-bit number N.
ip4() {
	echo "$(($1 >> 24)).$(($1 >> 16 & 255)).$(($1 >> 8 & 255)).$(($1 & 255))"
}
# First inner and outer source of each tunnel type's subscribers:
# subscriber i has INNER+i/32 and sends from REMOTE+i.
IPIP_INNER=$(((100 << 24) + (64 << 16) + 256))	# 100.64.1.0
GRE_INNER=$(((100 << 24) + (80 << 16) + 256))	# 100.80.1.0
IPIP_REMOTE=$(((100 << 24) + (96 << 16) + 256))	# 100.96.1.0
GRE_REMOTE=$(((100 << 24) + (112 << 16) + 256))	# 100.112.1.0
# Destinations of the baselines' way down (kernel, floor).
DOWN_DST=$(((100 << 24) + (100 << 16) + 256))	# 100.100.1.0
DOWN_DST2=$(((100 << 24) + (101 << 16) + 256))	# 100.101.1.0
DOWN_DST4=$(((100 << 24) + (102 << 16) + 256))	# 100.102.1.0

# --- links, one pair per mode --------------------------------------------
# Mode slot S: gen 192.0.2.(16S+2)/28 -- conc 192.0.2.(16S+1)/28, conc
# 198.51.100.(16S+1)/28 -- sink 198.51.100.(16S+2)/28, the way up's
# destination; the way down's destinations are routed to gen (GW_S).
# MACs 02:00:00:b0:0S:01..04 along the way.
declare -A SLOT DIR COUNT_MAP LINKED FLOOR_COUNT
mac() { printf '02:00:00:b0:%02x:%02x' "$1" "$2"; }
dst_of() { echo "198.51.100.$((16 * $1 + 2))"; }
gw_of() { echo "192.0.2.$((16 * $1 + 2))"; }

namespaces() {
	local ns
	for ns in "$GEN" "$CONC" "$SINK"; do
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up || return 1
		ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
			net.ipv4.conf.default.rp_filter=0 || return 1
	done
	ip netns exec "$CONC" sysctl -qw net.ipv4.ip_forward=1
}

# links SLOT: once per slot, slot SLOT's two veth pairs (tgbv-gSLOT ... tgbv-sSLOT),
# addresses, static neighbours both ways, the counting program on both
# outer ends (its map's id in COUNT_MAP[IF]), their NAPI threaded on
# GEN_CPU, and conc's ends' NAPI threaded on CONC_CPU.
links() {
	local s=$1 g=tgbv-g$1 i=tgbv-i$1 o=tgbv-o$1 k=tgbv-s$1 id dst
	[ -n "${LINKED[$s]:-}" ] && return 0
	LINKED[$s]=1
	dst=$(dst_of "$s")
	ip -n "$GEN" link add "$g" address "$(mac "$s" 1)" type veth \
		peer name "$i" address "$(mac "$s" 2)" netns "$CONC" &&
	ip -n "$CONC" link add "$o" address "$(mac "$s" 3)" type veth \
		peer name "$k" address "$(mac "$s" 4)" netns "$SINK" &&
	ip -n "$GEN" addr add "$(gw_of "$s")/28" dev "$g" &&
	ip -n "$CONC" addr add "192.0.2.$((16 * s + 1))/28" dev "$i" &&
	ip -n "$CONC" addr add "198.51.100.$((16 * s + 1))/28" dev "$o" &&
	ip -n "$SINK" addr add "$dst/28" dev "$k" &&
	ip -n "$CONC" neigh replace "$dst" lladdr "$(mac "$s" 4)" \
		dev "$o" nud permanent &&
	ip -n "$CONC" neigh replace "$(gw_of "$s")" lladdr "$(mac "$s" 1)" \
		dev "$i" nud permanent || return 1
	for id in "$GEN $g" "$CONC $i" "$CONC $o" "$SINK $k"; do
		ip -n "${id% *}" link set "${id#* }" up || return 1
	done
	COUNT_MAP[$k]=$(in_ns "$SINK" "$VB" sink "$k") &&
	COUNT_MAP[$g]=$(in_ns "$GEN" "$VB" sink "$g") &&
	threaded "$SINK" "$k" "$GEN_CPU" && threaded "$GEN" "$g" "$GEN_CPU" ||
		return 1
	for id in "$i" "$o"; do
		in_ns "$CONC" "$VB" gro "$id" &&
		threaded "$CONC" "$id" "$CONC_CPU" || return 1
	done
}
# no_ipv6 SLOT: IPv6 off on the slot's four ends.
no_ipv6() {
	local id
	for id in "$GEN tgbv-g$1" "$CONC tgbv-i$1" "$CONC tgbv-o$1" "$SINK tgbv-s$1"; do
		ip netns exec "${id% *}" sysctl -qw \
			"net.ipv6.conf.${id#* }.disable_ipv6=1" || return 1
	done
}
# threaded NS IF CPU: IF's NAPI in a kthread, pinned to CPU.
threaded() {
	ip netns exec "$1" sh -c "echo 1 >/sys/class/net/$2/threaded" &&
	pin_napi "$2" "$3"
}

# pin_napi IF CPU: IF's NAPI kthreads (napi/IF-ID) onto CPU, at the
# highest nice level: the machine is shared, the CPU should be theirs.
pin_napi() {
	local pid comm n=0
	for pid in $(ps -e -o pid=); do
		comm=$(cat "/proc/$pid/comm" 2>/dev/null) || continue
		[[ $comm == "napi/$1-"* ]] || continue
		taskset -pc "$2" "$pid" >/dev/null &&
			renice -n -20 -p "$pid" >/dev/null || return 1
		n=$((n + 1))
	done
	[ "$n" -gt 0 ]
}

# --- modes ----------------------------------------------------------------
# A mode NAME is mode_NAME_setup (run once: sets SLOT[NAME] and DIR[NAME],
# makes the slot's links, loads what conc runs on them) and
# mode_NAME_frames (the generator's options); mode_NAME_enter and
# mode_NAME_leave, when defined, run around each of its measurements.
# DIR up: from gen to sink (toward the core), compared to kernel and
# floor; down: from sink to gen (toward the subscribers), compared to
# kernel_down and floor_down. Add it to MODES.
mode_kernel_setup() { SLOT[kernel]=1 DIR[kernel]=up && links 1; }
mode_kernel_frames() { plain_up 1 "$IPIP_INNER"; }
mode_floor_setup() {
	SLOT[floor]=2 DIR[floor]=up && links 2 &&
	in_ns "$CONC" "$VB" floor tgbv-i2 tgbv-o2
}
mode_floor_frames() { plain_up 2 "$IPIP_INNER"; }
# The lookup floor's map: the ACTIVE sources (down: destinations) sent from.
# No IPv6 on its links: the kernel's own packets there (neighbour and
# multicast listener discovery) would be of no subscriber.
mode_floor_lookup_setup() {
	SLOT[floor_lookup]=4 DIR[floor_lookup]=up && links 4 && no_ipv6 4 &&
	FLOOR_COUNT[floor_lookup]=$(in_ns "$CONC" "$VB" floor-lookup tgbv-i4 \
		tgbv-o4 src "$(ip4 "$IPIP_INNER")" "$ACTIVE")
}
mode_floor_lookup_frames() { plain_up 4 "$IPIP_INNER"; }
# The tungate modes share slot 3's links and one tungate.
mode_tg_ipip_setup() { tungate_setup tg_ipip up; }
mode_tg_ipip_frames() { tunnel_frames "$IPIP_REMOTE" "$IPIP_INNER"; }
mode_tg_gre_setup() { tungate_setup tg_gre up; }
mode_tg_gre_frames() { tunnel_frames "$GRE_REMOTE" "$GRE_INNER" --gre 7; }
# Down: plain packets to DOWN_DST+i routed to gen (the kernel has tungate's
# routes to its subscribers' prefixes: the baselines take other addresses).
mode_kernel_down_setup() {
	SLOT[kernel_down]=1 DIR[kernel_down]=down && links 1 &&
	ip -n "$CONC" route add "$(ip4 $((DOWN_DST & ~65535)))/16" via "$(gw_of 1)"
}
mode_kernel_down_frames() { plain_down 1 "$DOWN_DST"; }
mode_floor_down_setup() {
	SLOT[floor_down]=2 DIR[floor_down]=down && links 2 &&
	ip -n "$CONC" route add "$(ip4 $((DOWN_DST2 & ~65535)))/16" via "$(gw_of 2)" &&
	in_ns "$CONC" "$VB" floor tgbv-o2 tgbv-i2
}
mode_floor_down_frames() { plain_down 2 "$DOWN_DST2"; }
mode_floor_lookup_down_setup() {
	SLOT[floor_lookup_down]=4 DIR[floor_lookup_down]=down && links 4 &&
	no_ipv6 4 &&
	ip -n "$CONC" route add "$(ip4 $((DOWN_DST4 & ~65535)))/16" via "$(gw_of 4)" &&
	FLOOR_COUNT[floor_lookup_down]=$(in_ns "$CONC" "$VB" floor-lookup \
		tgbv-o4 tgbv-i4 dst "$(ip4 "$DOWN_DST4")" "$ACTIVE")
}
mode_floor_lookup_down_frames() { plain_down 4 "$DOWN_DST4"; }
# tungate encapsulating toward its ipip subscribers.
mode_tg_ipip_down_setup() { tungate_setup tg_ipip_down down; }
mode_tg_ipip_down_frames() { plain_down 3 "$IPIP_INNER"; }
# One tunnel, many flows: subscriber 0 of GRE, the inner UDP source port
# stepping; steering turned on and off around each measurement.
mode_tg_gre_flows_setup() { tungate_setup tg_gre_flows up; }
mode_tg_gre_flows_frames() { gre_flows; }
mode_tg_gre_steer_setup() { tungate_setup tg_gre_steer up; }
mode_tg_gre_steer_frames() { gre_flows; }
mode_tg_gre_steer_enter() { tg_up --steer tgbv-i3 >/dev/null; }
mode_tg_gre_steer_leave() { tg_up --no-steer tgbv-i3 >/dev/null; }
MODES=${VETH_BENCH_MODES:-kernel floor floor_lookup tg_ipip tg_gre kernel_down floor_down floor_lookup_down tg_ipip_down tg_gre_flows tg_gre_steer}

# plain_up SLOT INNER: IPv4/UDP from INNER+i to the slot's sink.
plain_up() {
	echo --smac "$(mac "$1" 1)" --dmac "$(mac "$1" 2)" \
		--src "$(ip4 "$2")" --dst "$(dst_of "$1")"
}
# plain_down SLOT DST: IPv4/UDP from the slot's sink to DST+i.
plain_down() {
	echo --smac "$(mac "$1" 4)" --dmac "$(mac "$1" 3)" \
		--src "$(dst_of "$1")" --dst "$(ip4 "$2")" --step dst
}
# tunnel_frames REMOTE INNER [--gre KEY]: plain_up inside a tunnel from
# REMOTE+i to tungate (slot 3).
tunnel_frames() {
	local remote=$1 inner=$2
	shift 2
	echo "$(plain_up 3 "$inner")" --outer-src "$(ip4 "$remote")" \
		--outer-dst "$LOCAL" "$@"
}

gre_flows() { tunnel_frames "$GRE_REMOTE" "$GRE_INNER" --gre 7 --step port; }
tg_up() { tg up --subscriber-if tgbv-i3 --uplink-if tgbv-o3 "$@"; }

# tungate_setup MODE DIR: slot 3, set up by the first tungate mode: the
# subscribers' outer addresses routed to gen.
tungate_setup() {
	SLOT[$1]=3 DIR[$1]=$2
	[ -e "$PIN" ] && return 0
	links 3 &&
	ip -n "$CONC" route add 100.96.0.0/11 via "$(gw_of 3)" &&
	subscribers_csv >"$TMP/subs.csv" &&
	tg db init &&
	tg import "$TMP/subs.csv" &&
	tg sync &&
	tg_up
}
# ENROLL ipip and ENROLL GRE (key 7) subscribers, one /32 each.
subscribers_csv() {
	awk -v n="$ENROLL" -v local="$LOCAL" -v ii="$IPIP_INNER" -v gi="$GRE_INNER" \
		-v ir="$IPIP_REMOTE" -v gr="$GRE_REMOTE" '
	function ip(a) {
		return sprintf("%d.%d.%d.%d", int(a / 16777216), int(a / 65536) % 256,
			int(a / 256) % 256, a % 256)
	}
	BEGIN {
		print "name,type,remote,local,key,prefixes"
		for (i = 0; i < n; i++) {
			printf "i%d,ipip,%s,%s,,%s/32\n", i, ip(ir + i), local, ip(ii + i)
			printf "g%d,gre,%s,%s,7,%s/32\n", i, ip(gr + i), local, ip(gi + i)
		}
	}'
}

# measure MODE COUNT: "OFFERED FORWARDED" pps of one window.
measure() {
	local m=$1 n=$2 ns=$GEN from=tgbv-g${SLOT[$1]} to=tgbv-s${SLOT[$1]} r
	if [ "${DIR[$m]}" = down ]; then
		ns=$SINK from=tgbv-s${SLOT[$1]} to=tgbv-g${SLOT[$1]}
	fi
	if declare -F "mode_${m}_enter" >/dev/null; then
		"mode_${m}_enter" || return 1
	fi
	# shellcheck disable=SC2046 # the frame options are words
	r=$(in_ns "$ns" nice -n -20 "$VB" gen --dev "$from" --cpu "$GEN_CPU" \
		--warm "$WARM" --secs "$SECS" --count-map "${COUNT_MAP[$to]}" \
		--subs "$n" --size "$SIZE" --order "$ORDER" \
		$("mode_${m}_frames")) || return 1
	if declare -F "mode_${m}_leave" >/dev/null; then
		"mode_${m}_leave" || return 1
	fi
	echo "$r"
}

# tungate_counted: what tungate's own counters say it did with the
# packets (ok: decapsulated and forwarded), by reason, most first.
tungate_counted() {
	tg -j stats --interval 0 | /usr/bin/python3 -c 'import json, sys
g = json.load(sys.stdin)["global"]
r = {k: v["packets"] for k, v in g.items() if isinstance(v, dict) and v.get("packets")}
print(" ".join("%s %d" % kv for kv in sorted(r.items(), key=lambda kv: -kv[1])))'
}

# --- run ------------------------------------------------------------------
step "namespaces" namespaces
for MODE in $MODES; do
	step "mode $MODE" "mode_${MODE}_setup"
done
# napi_cpu io|gs: the CPUs the NAPI threads of conc's ends (io) or of
# the outer ends (gs) may run on.
napi_cpu() {
	local pid
	for pid in $(ps -e -o pid=); do
		[[ $(cat "/proc/$pid/comm" 2>/dev/null) == napi/tgbv-[$1]* ]] &&
			taskset -pc "$pid" | sed 's/.*: //'
	done | sort -u | tr '\n' ' '
}
echo "veth: $(nproc) CPUs; generator (BPF_PROG_TEST_RUN, live frames) on CPU $GEN_CPU;" \
	"concentrator's veth NAPI threads on CPU $(napi_cpu io);" \
	"the receiving end's (counting XDP_DROP) on CPU $(napi_cpu gs)"
echo "veth: a veth runs its peer's NAPI in the softirq of the CPU that sends: without" \
	"NAPI threads, generator, concentrator and sink would share the generator's CPU;" \
	"with them, the concentrator's XDP (or the kernel's forwarding) has CPU $CONC_CPU to itself"
echo "veth: ${SIZE}-byte inner IPv4/UDP packets, $ROUNDS rounds of $SECS s after $WARM s;" \
	"subscribers in $ORDER order;" \
	"tungate: $((2 * ENROLL)) subscribers enrolled (ipip, GRE); up: toward the core," \
	"down: toward the subscribers; ratios of packets forwarded per second, medians"

declare -A RES
for round in $(seq "$ROUNDS"); do
	for n in $COUNTS; do
		for MODE in $MODES; do
			r=$(measure "$MODE" "$n") || die "generator: $MODE, $n subscribers"
			RES[$MODE,$n,$round]=$r
		done
	done
	echo "veth: round $round done"
done

# --- figures -------------------------------------------------------------

# base MODE kernel|floor|floor_lookup: the baseline MODE is compared to,
# its direction's, when measured.
base() {
	local b=$2
	[ "${DIR[$1]}" = down ] && b=${2}_down
	[[ " $MODES " == *" $b "* ]] && echo "$b"
}
# x MODE BASE N: the median over the rounds of MODE/BASE at N (forwarded).
declare -A RATIO
x() {
	local v=() round
	for round in $(seq "$ROUNDS"); do
		v+=("${RATIO[$1,$2,$3,$round]}")
	done
	median "${v[@]}"
}
for n in $COUNTS; do
	for MODE in $MODES; do
		fw=() of=() fr=()
		for round in $(seq "$ROUNDS"); do
			r=${RES[$MODE,$n,$round]}
			of+=("${r% *}") fw+=("${r#* }")
			fr+=("$(ratio "${r#* }" "${r% *}")")
			for b in $(base "$MODE" kernel) $(base "$MODE" floor) \
				$(base "$MODE" floor_lookup); do
				x=${RES[$b,$n,$round]}
				RATIO[$MODE,$b,$n,$round]=$(ratio "${r#* }" "${x#* }")
			done
		done
		a=$(median "${fr[@]}") note=
		# Everything offered got through: the generator was the limit.
		awk -v a="$a" 'BEGIN { exit !(a >= 0.98) }' && note=" (source-bound)"
		printf 'veth: %6s active: %-12s %-4s forwarded %8.0f pps of %9.0f offered, arrived %s%s;' \
			"$n" "$MODE" "${DIR[$MODE]}" "$(median "${fw[@]}")" \
			"$(median "${of[@]}")" "$a" "$note"
		for b in $(base "$MODE" floor) $(base "$MODE" floor_lookup) \
			$(base "$MODE" kernel); do
			printf ' %sx %s' "$(x "$MODE" "$b" "$n")" "$b"
		done
		echo
	done
done
# target MODE BASE N MIN: the median of MODE/BASE at N against MIN.
target() {
	local v
	[ -n "$2" ] || return 0
	v=$(x "$1" "$2" "$3")
	if awk -v x="$v" -v t="$4" 'BEGIN { exit !(x >= t) }'; then
		echo "veth: target: $1 >= $4x $2 at $3 active: ${v}x PASS"
	else
		echo "veth: target: $1 >= $4x $2 at $3 active: ${v}x MISS"
	fi
}
for MODE in $MODES; do
	[[ $MODE == tg_* ]] || continue
	for n in $COUNTS; do
		min=1.0
		[ "$n" -gt 1 ] && min=0.95
		target "$MODE" "$(base "$MODE" floor)" "$n" "$min"
		target "$MODE" "$(base "$MODE" kernel)" "$n" 1.0
	done
done
# Steering's gain: tg_gre_steer / tg_gre_flows, forwarded, in each round.
if [[ " $MODES " == *" tg_gre_steer "* && " $MODES " == *" tg_gre_flows "* ]]; then
	for n in $COUNTS; do
		g=()
		for round in $(seq "$ROUNDS"); do
			a=${RES[tg_gre_steer,$n,$round]} b=${RES[tg_gre_flows,$n,$round]}
			g+=("$(ratio "${a#* }" "${b#* }")")
		done
		v=$(median "${g[@]}") t=
		if [ "$n" -gt 1 ]; then
			t=" (target >= 1.6x): MISS"
			awk -v x="$v" 'BEGIN { exit !(x >= 1.6) }' && t=" (target >= 1.6x): PASS"
		fi
		echo "veth: steering over $(nproc) CPUs, one tunnel carrying $n flows:" \
			"${v}x the same without steering$t"
	done
fi
# Every packet of a lookup floor found its subscriber.
for MODE in $MODES; do
	[ -n "${FLOOR_COUNT[$MODE]:-}" ] || continue
	hm=$("$VB" floor-count "${FLOOR_COUNT[$MODE]}") || hm="0 unknown"
	echo "veth: $MODE: ${hm% *} packets found their subscriber, ${hm#* } did not"
	check "$MODE found the subscriber of every packet" \
		test "${hm#* }" = 0 -a "${hm% *}" -gt 0
done
counted=$(tungate_counted)
echo "veth: tungate's counters, packets by reason: ${counted:-none}"
check "tungate forwarded through its tunnels (ok counted most)" \
	test "${counted%% *}" = ok
finish
