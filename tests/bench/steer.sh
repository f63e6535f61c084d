#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# One GRE tunnel carrying many inner flows through tungate on veth, with
# steering off and on (tungate up --steer), rounds interleaved:
#
#   ns sub [tg-stb-sub] --veth-- [tg-stb-csub] ns conc [tg-stb-cup] --veth-- [tg-stb-core] ns core
#   steer-gen on CPU 0          tungate (native XDP)                        XDP_DROP sink
#
# steer-gen (tests/bench/steer/gen.c) sends with BPF_PROG_TEST_RUN live
# frames on CPU 0; without steering the veth's receive work runs there
# too, so CPU 0 generates and forwards while CPU 1 idles; with steering
# tungate's work goes to the steered CPUs' cpumap queues. The figure is
# what tungate forwarded per second (its ok counter), as a ratio to off.
#
#   tests/bench/steer.sh [ROUNDS] [SECONDS] [FLOWS]     (default 3 3 256)
#
# STEER_BENCH_MODES: the modes of each round, "off 0-1 1" by default (off;
# steered over CPUs 0-1; over CPU 1 only, the generator's CPU left to
# receiving and hashing).
# Needs root, clang, 2 CPUs. Timing: run it under flock /tmp/tg-bench.lock.
set -uo pipefail
TAG=tg-stb
. "$(dirname "$0")/../e2e/lib.sh"
ROUNDS=${1:-3}
SECS=${2:-3}
FLOWS=${3:-256}
MODES=${STEER_BENCH_MODES:-off 0-1 1}

require_root_tools
command -v clang >/dev/null || skip "clang not installed"
[ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs"
trap topo_cleanup EXIT
trap "exit 1" INT TERM

CLANG_INC=$(clang -v -E - </dev/null 2>&1 |
	sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }')
# shellcheck disable=SC2086
clang -g -O2 --target=bpf -mcpu=v3 -Wall -Werror $CLANG_INC \
	-c "$ROOT/tests/bench/steer/gen.bpf.c" -o "$TMP/gen.bpf.o" &&
	gcc -O2 -Wall -Wextra -Werror "$ROOT/tests/bench/steer/gen.c" -lbpf \
		-o "$TMP/steer-gen" || die "building steer-gen"

# Like lib.sh's topo_links, with a receive queue per CPU on each veth, as
# a multiqueue NIC has (a veth sends into its peer's queue of the sending
# CPU: with one queue both CPUs would share one ring and one NAPI).
links() {
	local ns q
	q="numtxqueues $(nproc) numrxqueues $(nproc)"
	for ns in "$SUB" "$CONC" "$CORE"; do
		ip netns add "$ns" && ip -n "$ns" link set lo up || return 1
	done
	# shellcheck disable=SC2086
	ip -n "$SUB" link add "$IF_SUB" address $MAC_SUB $q type veth \
		peer name "$IF_CSUB" address $MAC_CSUB $q netns "$CONC" &&
	ip -n "$CONC" link add "$IF_CUP" address $MAC_CUP $q type veth \
		peer name "$IF_CORE" address $MAC_CORE $q netns "$CORE" &&
	ip -n "$SUB" link set "$IF_SUB" up &&
	ip -n "$CONC" link set "$IF_CSUB" up &&
	ip -n "$CONC" link set "$IF_CUP" up &&
	ip -n "$CORE" link set "$IF_CORE" up
}
links && sub_link 1 && core_v4 || die "namespace setup"
ip -n "$CORE" link set dev "$IF_CORE" xdp obj "$TMP/gen.bpf.o" sec xdp program tg_sink 2>/dev/null ||
	ip -n "$CORE" link set dev "$IF_CORE" xdp obj "$PASS_OBJ" sec xdp || die "core sink"
tg db init >/dev/null || die "db init"
tg sub add bob --type gre --key 7 --remote 192.0.2.11 --local 192.0.2.1 \
	--prefix 100.64.2.0/24 >/dev/null || die "sub add"
tg sync >/dev/null || die "sync"

ok_packets() {
	stat global ok packets
}
# round off|CPUS: one run of SECS, steering off or over CPUS (e.g. 0-1);
# prints the forwarded and the generated packets per second.
round() {
	local opt="--no-steer $IF_CSUB" a b gen
	[ "$1" = off ] || opt="--steer $IF_CSUB:$1"
	# shellcheck disable=SC2086
	tg up --subscriber-if "$IF_CSUB" --uplink-if "$IF_CUP" $opt \
		>/dev/null || die "up $opt"
	a=$(ok_packets)
	gen=$(ip netns exec "$SUB" taskset -c 0 "$TMP/steer-gen" "$TMP/gen.bpf.o" \
		"$IF_SUB" $MAC_CSUB 192.0.2.11 100.64.2.5 "$FLOWS" "$SECS") ||
		die "steer-gen"
	b=$(ok_packets)
	[ -n "${STEER_BENCH_DEBUG:-}" ] && tg -j stats --interval 0 | $PY -c 'import json,sys; d=json.load(sys.stdin); print({k:v for k,v in d["global"].items() if isinstance(v,dict) and v.get("packets")}, file=sys.stderr)'
	$PY -c 'import json, sys
g = json.loads(sys.argv[1])
print(int((int(sys.argv[3]) - int(sys.argv[2])) / g["seconds"]), int(g["pps"]))' \
		"$gen" "$a" "$b"
}

echo "one GRE tunnel, $FLOWS inner flows, $(nproc) CPUs, $(uname -r), $ROUNDS rounds of $SECS s"
echo "steer-gen on CPU 0; modes: $MODES (off: no steering, else the steered CPUs)"
declare -A all
for r in $(seq "$ROUNDS"); do
	line="round $r:"
	for m in $MODES; do
		read -r fwd gen < <(round "$m")
		all[$m]="${all[$m]:-} $fwd"
		line="$line $m $fwd pps (generated $gen);"
	done
	echo "$line"
done
for m in $MODES; do
	echo "$m ${all[$m]}"
done | $PY -c 'import statistics, sys
med = {}
for l in sys.stdin:
    m, *v = l.split()
    med[m] = statistics.median(int(x) for x in v)
base = med.get("off")
for m, v in med.items():
    print("median %-6s %8d pps forwarded%s" % (m, v, " (%.2fx off)" % (v / base) if base and m != "off" else ""))'
