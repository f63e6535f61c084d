#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Live veth benchmark: packets per second a concentrator forwards from a
# generator to a sink, three namespaces joined by veth:
#
#   ns GEN [tgbv-gM] --veth-- [tgbv-iM] ns CONC [tgbv-oM] --veth-- [tgbv-sM] ns SINK
#
# one such pair of links per mode slot M (1 kernel, 2 router floor,
# 3 tungate),
# so that every mode is set up once and the rounds only choose the links:
#   kernel   no XDP in conc, the kernel forwards (ip_forward=1);
#   floor    the xdp_fwd-style router of bpf/router_floor.bpf.c;
#   tungate  tungate up on tgbv-i3/tgbv-o3 with ENROLL ipip and ENROLL GRE
#            subscribers enrolled (tungate import, sync): the generator
#            sends their tunnel frames (ipip, GRE with key 7), each
#            subscriber from its own outer and inner source address.
# kernel and floor forward the same inner IPv4/UDP packets the tunnels
# carry, with the same sources (the kernel has no tunnel of its own
# here). Traffic rotates over 1 and ACTIVE subscribers: a different one
# for every packet (a fixed stride through them).
#
# The generator (veth-bench gen) is BPF_PROG_TEST_RUN in live-frame mode
# redirecting frames out of tgbv-gM, on GEN_CPU; the sink an XDP program
# counting and dropping on tgbv-sM. On veth, frames redirected into a
# veth are processed by its peer's NAPI, run in the softirq of the CPU
# that sent them: the concentrator's work would share the generator's
# CPU. So tgbv-iM runs threaded NAPI, its kthread pinned to CONC_CPU: the
# concentrator's XDP (or the kernel's forwarding) runs there, and so does
# the sink's XDP (its NAPI is scheduled from the concentrator's CPU).
# Offered is what the generator produced in the window, forwarded what
# the sink counted; frames the concentrator's veth queue had no room for
# are offered, not forwarded.
#
# ROUNDS rounds, each measuring every mode at every count once, SECS s
# after WARM s; medians over the rounds of pps and of the ratios taken
# within each round. Targets are printed PASS/MISS, never fail the run.
# Knobs: VETH_BENCH_SECONDS (2), VETH_BENCH_WARMUP (0.5),
# VETH_BENCH_ROUNDS (5), VETH_BENCH_MODES (all of MODES below),
# VETH_BENCH_ENROLL (50000 per tunnel type),
# VETH_BENCH_ACTIVE (50000), VETH_BENCH_GEN_CPU (0), VETH_BENCH_CONC_CPU
# (1), VETH_BENCH_SIZE (64, bytes of the inner IPv4 packet).
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

SECS=${VETH_BENCH_SECONDS:-2}
WARM=${VETH_BENCH_WARMUP:-0.5}
ROUNDS=${VETH_BENCH_ROUNDS:-5}
ENROLL=${VETH_BENCH_ENROLL:-50000}
ACTIVE=${VETH_BENCH_ACTIVE:-50000}
GEN_CPU=${VETH_BENCH_GEN_CPU:-0}
CONC_CPU=${VETH_BENCH_CONC_CPU:-1}
SIZE=${VETH_BENCH_SIZE:-64}
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

# --- links, one pair per mode --------------------------------------------
# Mode slot S: gen 192.0.2.(16S+2)/28 -- conc 192.0.2.(16S+1)/28, conc
# 198.51.100.(16S+1)/28 -- sink 198.51.100.(16S+2)/28, the traffic's
# destination. MACs 02:00:00:b0:0S:01..04 along the way.
declare -A SLOT COUNT_MAP
mac() { printf '02:00:00:b0:%02x:%02x' "$1" "$2"; }
dst_of() { echo "198.51.100.$((16 * $1 + 2))"; }

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

# links SLOT: slot SLOT's two veth pairs (tgbv-gSLOT ... tgbv-sSLOT),
# addresses, static neighbours, the sink program (its counter map in
# COUNT_MAP[SLOT]) and the concentrator's NAPI threaded on CONC_CPU.
links() {
	local s=$1 g=tgbv-g$1 i=tgbv-i$1 o=tgbv-o$1 k=tgbv-s$1 id dst
	dst=$(dst_of "$s")
	ip -n "$GEN" link add "$g" address "$(mac "$s" 1)" type veth \
		peer name "$i" address "$(mac "$s" 2)" netns "$CONC" &&
	ip -n "$CONC" link add "$o" address "$(mac "$s" 3)" type veth \
		peer name "$k" address "$(mac "$s" 4)" netns "$SINK" &&
	ip -n "$GEN" addr add "192.0.2.$((16 * s + 2))/28" dev "$g" &&
	ip -n "$CONC" addr add "192.0.2.$((16 * s + 1))/28" dev "$i" &&
	ip -n "$CONC" addr add "198.51.100.$((16 * s + 1))/28" dev "$o" &&
	ip -n "$SINK" addr add "$dst/28" dev "$k" &&
	ip -n "$CONC" neigh replace "$dst" lladdr "$(mac "$s" 4)" \
		dev "$o" nud permanent || return 1
	for id in "$GEN $g" "$CONC $i" "$CONC $o" "$SINK $k"; do
		ip -n "${id% *}" link set "${id#* }" up || return 1
	done
	COUNT_MAP[$s]=$(in_ns "$SINK" "$VB" sink "$k") || return 1
	in_ns "$CONC" "$VB" gro "$i" &&
	ip netns exec "$CONC" sh -c "echo 1 >/sys/class/net/$i/threaded" &&
	pin_napi "$i"
}

# pin_napi IF: IF's NAPI kthreads (napi/IF-ID) onto CONC_CPU, at the
# highest nice level: the machine is shared, the concentrator's CPU
# should be its own.
pin_napi() {
	local pid comm n=0
	for pid in $(ps -e -o pid=); do
		comm=$(cat "/proc/$pid/comm" 2>/dev/null) || continue
		[[ $comm == "napi/$1-"* ]] || continue
		taskset -pc "$CONC_CPU" "$pid" >/dev/null &&
			renice -n -20 -p "$pid" >/dev/null || return 1
		n=$((n + 1))
	done
	[ "$n" -gt 0 ]
}

# --- modes ----------------------------------------------------------------
# A mode NAME is mode_NAME_setup (run once: sets SLOT[NAME], makes the
# slot's links, loads what conc runs on them) and mode_NAME_frames COUNT
# (the generator's options for COUNT subscribers); mode_NAME_enter and
# mode_NAME_leave, when defined, run around each of its measurements.
# Add it to MODES: every mode is measured in every round and compared to
# the BASELINES.
mode_kernel_setup() { SLOT[kernel]=1 && links 1; }
mode_kernel_frames() { plain_frames 1 "$IPIP_INNER"; }
mode_floor_setup() {
	SLOT[floor]=2 && links 2 && in_ns "$CONC" "$VB" floor tgbv-i2 tgbv-o2
}
mode_floor_frames() { plain_frames 2 "$IPIP_INNER"; }
# The tungate modes share slot 3's links and one tungate.
mode_tg_ipip_setup() { tungate_setup tg_ipip; }
mode_tg_ipip_frames() { tunnel_frames "$IPIP_REMOTE" "$IPIP_INNER"; }
mode_tg_gre_setup() { tungate_setup tg_gre; }
mode_tg_gre_frames() { tunnel_frames "$GRE_REMOTE" "$GRE_INNER" --gre 7; }
MODES=${VETH_BENCH_MODES:-kernel floor tg_ipip tg_gre}
BASELINES=
for b in kernel floor; do
	[[ " $MODES " == *" $b "* ]] && BASELINES="$BASELINES $b"
done

# plain_frames SLOT INNER: IPv4/UDP from INNER+i to the slot's sink.
plain_frames() {
	echo --smac "$(mac "$1" 1)" --dmac "$(mac "$1" 2)" \
		--src "$(ip4 "$2")" --dst "$(dst_of "$1")"
}
# tunnel_frames REMOTE INNER [--gre KEY]: the same inside a tunnel from
# REMOTE+i to tungate (slot 3).
tunnel_frames() {
	local remote=$1 inner=$2
	shift 2
	echo "$(plain_frames 3 "$inner")" --outer-src "$(ip4 "$remote")" \
		--outer-dst "$LOCAL" "$@"
}

# tungate_setup MODE: slot 3, set up by the first tungate mode.
tungate_setup() {
	SLOT[$1]=3
	[ -e "$PIN" ] && return 0
	links 3 &&
	subscribers_csv >"$TMP/subs.csv" &&
	tg db init &&
	tg import "$TMP/subs.csv" &&
	tg sync &&
	tg up --subscriber-if tgbv-i3 --uplink-if tgbv-o3
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
	local m=$1 n=$2 s=${SLOT[$1]} r
	if declare -F "mode_${m}_enter" >/dev/null; then
		"mode_${m}_enter" || return 1
	fi
	# shellcheck disable=SC2046 # the frame options are words
	r=$(in_ns "$GEN" nice -n -20 "$VB" gen --dev "tgbv-g$s" --cpu "$GEN_CPU" \
		--warm "$WARM" --secs "$SECS" --count-map "${COUNT_MAP[$s]}" \
		--subs "$n" --size "$SIZE" $("mode_${m}_frames")) || return 1
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
# napi_cpu: the CPUs the concentrator's NAPI threads may run on.
napi_cpu() {
	local pid
	for pid in $(ps -e -o pid=); do
		[[ $(cat "/proc/$pid/comm" 2>/dev/null) == napi/tgbv-i* ]] &&
			taskset -pc "$pid" | sed 's/.*: //'
	done | sort -u | tr '\n' ' '
}
echo "veth: $(nproc) CPUs; generator (BPF_PROG_TEST_RUN, live frames) on CPU $GEN_CPU;" \
	"concentrator's veth NAPI threaded, on CPU $(napi_cpu)"
echo "veth: the sink's XDP_DROP runs in the softirq of the concentrator's CPU;" \
	"${SIZE}-byte inner IPv4/UDP packets, $ROUNDS rounds of $SECS s after $WARM s"

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
# median of the arguments (numbers)
median() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }'; }

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
			for b in $BASELINES; do
				x=${RES[$b,$n,$round]}
				RATIO[$MODE,$b,$n,$round]=$(ratio "${r#* }" "${x#* }")
			done
		done
		a=$(median "${fr[@]}") note=
		# Everything offered got through: the generator was the limit.
		awk -v a="$a" 'BEGIN { exit !(a >= 0.98) }' && note=" (source-bound)"
		printf 'veth: %6s active: %-8s forwarded %8.0f pps of %9.0f offered, arrived %s%s;' \
			"$n" "$MODE" "$(median "${fw[@]}")" "$(median "${of[@]}")" "$a" "$note"
		for b in $BASELINES; do
			printf ' %sx %s' "$(x "$MODE" "$b" "$n")" "$b"
		done
		echo
	done
done
# target MODE BASE N MIN: the median of MODE/BASE at N against MIN.
target() {
	local v
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
		[[ $BASELINES == *floor* ]] && target "$MODE" floor "$n" "$min"
		[[ $BASELINES == *kernel* ]] && target "$MODE" kernel "$n" 1.0
	done
done
counted=$(tungate_counted)
echo "veth: tungate's counters, packets by reason: ${counted:-none}"
check "tungate forwarded through its tunnels (ok counted most)" \
	test "${counted%% *}" = ok
finish
