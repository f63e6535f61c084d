#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Runs inside the 6.12 guest of tests/bench/wg_police.sh, as its
# /tg/guest.sh: the cost of tungate's programs on a WireGuard interface.
# Two member namespaces, each with its own WireGuard link to the
# concentrator (conc): m1 a member of tungate's tgwg51820 (its TC
# programs attached, a class of 10 Gbit/s both ways: every packet goes
# through the bucket and is admitted), m2 a peer of a plain WireGuard
# interface of conc's (wgp0, no program), each behind a veth of its own;
# core behind conc's uplink (tungate's uplink program on it in generic
# mode sees both). TCP transfers of KIB KiB with busybox's nc (dd | nc,
# timed on the receiving side: tests/kernels/wg_police.sh's
# wgp_transfer), up (member to core) and down, the two
# members in turn (who goes first alternating), ROUNDS rounds, with the
# kernel's BPF run statistics on. Prints "TG: bench ..." lines: for each
# round the rates and the guest's CPU time per packet of each interface,
# tungate's as ratios of the plain interface's, and what tungate's
# programs took (ns per run, share of the guest's CPU); per direction the
# medians. Under emulation every figure is inflated and noisy; the share
# is the steadiest: the programs' own time against all the guest did.
# shellcheck disable=SC2046 # set -- ... $(prog_stats) splits on purpose
PIN=/sys/fs/bpf/tungate
DB=/tmp/tungate.db
KIB=${KIB:-8192}
ROUNDS=${ROUNDS:-5}

conc() {
	nsenter --net=/run/netns/conc "$@"
}

tg() {
	conc tungate --db "$DB" --pin-root "$PIN" "$@"
}

# Member $1 (m1, m2), its veth address 203.0.113.$2 and conc's
# 203.0.113.$3, its wg0 100.64.$4.1/24 toward conc's port $5 whose public
# key is in /tmp/$6.pub.
member() {
	ip netns add "$1" && ip -n "$1" link set lo up &&
		ip link add v"$1" netns "$1" type veth peer name c"$1" netns conc &&
		ip -n "$1" addr add 203.0.113."$2"/31 dev v"$1" &&
		ip -n conc addr add 203.0.113."$3"/31 dev c"$1" &&
		ip -n "$1" link set v"$1" up && ip -n conc link set c"$1" up &&
		ip -n "$1" link add wg0 type wireguard &&
		ip netns exec "$1" wg set wg0 listen-port 51820 \
			private-key /tmp/"$1".key peer "$(cat /tmp/"$6".pub)" \
			endpoint 203.0.113."$3":"$5" allowed-ips 198.51.100.0/24 &&
		ip -n "$1" addr add 100.64."$4".1/24 dev wg0 &&
		ip -n "$1" link set wg0 up &&
		ip -n "$1" route add 198.51.100.0/24 dev wg0
}

setup() {
	for ns in conc core; do
		ip netns add $ns && ip -n $ns link set lo up || return 1
	done
	for k in m1 m2 wgp0; do
		(umask 077 && wg genkey >/tmp/$k.key) &&
			wg pubkey </tmp/$k.key >/tmp/$k.pub || return 1
	done
	ip link add u0 netns conc type veth peer name k0 netns core &&
		ip link add s0 netns conc type veth peer name s1 netns core &&
		ip -n conc addr add 198.51.100.1/24 dev u0 &&
		ip -n core addr add 198.51.100.2/24 dev k0 &&
		ip -n conc link set u0 up && ip -n core link set k0 up &&
		ip -n conc link set s0 up && ip -n core link set s1 up &&
		ip -n core route add 100.64.0.0/10 via 198.51.100.1 &&
		conc sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward' || return 1
	tungate --db "$DB" db init >/dev/null &&
		tungate --db "$DB" class add fast --down-rate 10gbit \
			--up-rate 10gbit >/dev/null &&
		tungate --db "$DB" sub add m1 --type wireguard --class fast \
			--public-key "$(cat /tmp/m1.pub)" \
			--remote 203.0.113.2:51820 --prefix 100.64.1.0/24 >/dev/null &&
		tg up --subscriber-if s0 --uplink-if u0 --mode generic >/dev/null &&
		tg -j sync >/tmp/sync.json || return 1
	sed -n 's/.*"public_key": *"\([A-Za-z0-9+\/=]*\)".*/\1/p' \
		/tmp/sync.json >/tmp/tgwg.pub
	# The plain interface: the same kernel WireGuard, no program.
	ip -n conc link add wgp0 type wireguard &&
		conc wg set wgp0 listen-port 51821 private-key /tmp/wgp0.key \
			peer "$(cat /tmp/m2.pub)" endpoint 203.0.113.4:51820 \
			allowed-ips 100.64.2.0/24 &&
		ip -n conc link set wgp0 up &&
		ip -n conc route add 100.64.2.0/24 dev wgp0 || return 1
	member m1 2 3 1 51820 tgwg && member m2 4 5 2 51821 wgp0 || return 1
	ip netns exec m1 ping -c 1 -W 5 198.51.100.2 >/dev/null &&
		ip netns exec m2 ping -c 1 -W 5 198.51.100.2 >/dev/null
}

# wgp_transfer (the kernels suite's), in Mbit/s.
. /tg/wg_police.sh
# shellcheck disable=SC2034 # read by wgp_transfer
WGP_KIB=$KIB
transfer() {
	wgp_transfer "$@" | awk '{ printf "%.2f\n", $1 / 1e6 }'
}

median() {
	tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END {
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

if ! setup >/tmp/setup.log 2>&1; then
	echo "TG: bench FAIL setup"
	sed 's/^/    /' /tmp/setup.log
	exit 1
fi
# CPU time the guest spent busy (user, system, irq, softirq), in ns
# (the shell multiplies: busybox awk prints no integer over 2^31).
busy_ns() {
	echo $(($(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat) * 10000000))
}

# Packets through conc's interface $1, both ways.
pkts() {
	ip -n conc -s link show dev "$1" |
		awk '/RX:/ { getline; n += $2 } /TX:/ { getline; n += $2 } END { print n }'
}

# run_time_ns and run_cnt of tungate's two programs, summed: "NS RUNS".
prog_stats() {
	tg -j status | tr '{' '\n' | grep '"name": *"tg_wg_' |
		sed -n 's/.*"run_cnt": *\([0-9]*\), *"run_time_ns": *\([0-9]*\).*/\2 \1/p' |
		awk '{ ns += $1; n += $2 } END { print ns + 0, n + 0 }'
}

# One transfer of member $1 in direction $2 through conc's interface $3:
# sets rate (Mbit/s), cpp (guest CPU ns per packet of the interface) and,
# for tungate's, pns (its programs' ns per run) and share (of the CPU).
measure() {
	b0=$(busy_ns)
	k0=$(pkts "$3")
	set -- "$1" "$2" "$3" $(prog_stats)
	r0=$4 c0=$5
	rate=$(transfer_of "$1" "$2")
	b1=$(busy_ns)
	k1=$(pkts "$3")
	set -- "$1" "$2" "$3" $(prog_stats)
	cpp=$(awk -v b=$((b1 - b0)) -v k=$((k1 - k0)) 'BEGIN { printf "%d", (k > 0 ? b / k : 0) }')
	pns=$(awk -v r=$(($4 - r0)) -v c=$(($5 - c0)) 'BEGIN { printf "%d", (c > 0 ? r / c : 0) }')
	share=$(awk -v r=$(($4 - r0)) -v b=$((b1 - b0)) 'BEGIN { printf "%.4f", (b > 0 ? r / b : 0) }')
}

# A transfer of member $1 (m1: 100.64.1.1, m2: 100.64.2.1) in direction $2.
transfer_of() {
	if [ "$2" = up ]; then
		transfer "$1" core 198.51.100.2
	else
		transfer core "$1" 100.64.${1#m}.1
	fi
}

# One round of direction $1, the plain interface first or not ($2).
round() {
	if [ "$2" = plain ]; then
		measure m2 "$1" wgp0
		p=$rate pc=$cpp
		measure m1 "$1" tgwg51820
	else
		measure m1 "$1" tgwg51820
		t=$rate tc=$cpp tp=$pns ts=$share
		measure m2 "$1" wgp0
		p=$rate pc=$cpp
		rate=$t cpp=$tc pns=$tp share=$ts
	fi
	t=$rate tc=$cpp
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }'
}

echo 1 >/proc/sys/kernel/bpf_stats_enabled
for dir in up down; do
	rates='' cpus='' pnss='' shares=''
	for r in $(seq 1 "$ROUNDS"); do
		# Who goes first alternates: neither gets a warmer machine.
		if [ $((r % 2)) = 1 ]; then
			round "$dir" plain
		else
			round "$dir" tg
		fi
		x=$(ratio "$t" "$p")
		y=$(ratio "$tc" "$pc")
		echo "TG: bench round $r $dir: plain $p Mbit/s $pc ns/pkt, tungate $t Mbit/s $tc ns/pkt; tungate/plain rate $x, CPU per packet $y; programs $pns ns/run, $share of the CPU"
		rates="$rates $x" cpus="$cpus $y" pnss="$pnss $pns" shares="$shares $share"
	done
	echo "TG: bench $dir medians: tungate/plain rate $(echo "$rates" | median), CPU per packet $(echo "$cpus" | median); programs $(echo "$pnss" | median) ns/run, $(echo "$shares" | median) of the guest's CPU"
done
tg -j stats m1 --interval 0 | sed 's/^/TG: bench stats /'
tg -j status | tr '{' '\n' |
	sed -n 's/.*"name": *"\(tg_wg_[a-z]*\)".*"verified_insns": *\([0-9]*\).*/TG: bench insns \1 \2/p'
