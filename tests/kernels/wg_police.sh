#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Sourced by tests/kernels/guest.sh: its stage wg_police (alone:
# TG_KERNELS_ONLY=wg_police). A WireGuard member of a class of 2 Mbit/s
# both ways and community scope (core's 198.51.100.2 only), behind
# tgwg51820 with tungate's TC programs: TCP transfers with busybox's nc
# (dd | nc, timed on the receiving side) at the class rate up and down
# within a tolerance, pings of a known size counted exactly by `stats`,
# the concentrator's own 198.51.100.1 (outside the scope) refused and
# counted, a source the peer's allowed IPs hold but no member has
# refused and counted as spoofed_src, and `sub disable` under the daemon
# cutting a download at once. Uses guest.sh's conc, tg, insns_of,
# wg_member_ns, wg_member_link, wg_member and wg_peers.
# shellcheck disable=SC2046 # set -- $(wgp_count ...) splits on purpose

WGP_RATE=2000000	# bit/s of the class, both ways
WGP_KIB=800		# KiB per transfer: 3.3 s at the rate

# wgm's counter in direction $1 (up, down): "PACKETS BYTES".
wgp_count() {
	tg -j stats wgm --interval 0 |
		sed -n "s/.*\"$1\":{\"packets\":\([0-9]*\),\"bytes\":\([0-9]*\).*/\1 \2/p"
}

# wgm's packets of reason $1 (0 when none).
wgp_reason() {
	n=$(tg -j stats wgm --interval 0 |
		sed -n "s/.*\"reasons\":{[^}]*\"$1\":\([0-9]*\).*/\1/p")
	echo "${n:-0}"
}

# The global packets of reason $1 (0 when none).
wgp_global() {
	n=$(tg -j stats --interval 0 |
		sed -n "s/.*\"global\":{.*\"$1\":{\"packets\":\([0-9]*\).*/\1/p")
	echo "${n:-0}"
}

wgp_now() {
	cut -d' ' -f1 /proc/uptime
}

# Start a TCP transfer of $4 KiB from namespace $1 to $3 port $5 (nc
# listening in namespace $2, into $wout): the sender's and the
# receiver's pids in spid, lpid.
wgp_start() {
	wout=/tmp/wgp.$2.$5.out
	rm -f "$wout"
	(sleep 600 | ip netns exec "$2" nc -l -p "$5" >"$wout") &
	lpid=$!
	sleep 0.5
	(dd if=/dev/zero bs=1024 count="$4" 2>/dev/null |
		ip netns exec "$1" nc "$3" "$5") &
	spid=$!
}

# Bytes the receiver of the transfer has.
wgp_got() {
	stat -c %s "$wout" 2>/dev/null || echo 0
}

wgp_stop() {
	kill "$spid" "$lpid" 2>/dev/null
	wait "$spid" "$lpid" 2>/dev/null
}

# A TCP transfer of WGP_KIB KiB from namespace $1 to $3 (listening in
# namespace $2): prints the goodput in bit/s, timed from the sender's
# start until the receiver has every byte (0: not within 120 s).
wgp_transfer() {
	want=$((WGP_KIB * 1024))
	wgp_start "$1" "$2" "$3" "$WGP_KIB" 5001
	t0=$(wgp_now)
	i=0
	while [ "$(wgp_got)" -lt "$want" ] && [ $i -lt 1200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	t1=$(wgp_now)
	wgp_stop
	[ $i -ge 1200 ] && { echo 0; return; }
	awk -v b="$want" -v t0="$t0" -v t1="$t1" \
		'BEGIN { printf "%d\n", b * 8 / (t1 - t0) }'
}

# Whether goodput $1 is within the tolerance of the class rate: at most
# 1.1x (the burst, 300 ms of the rate, lets a short transfer run ahead a
# little), at least 0.5x (TCP under a policer, on an emulated CPU that
# others' work on the host slows down: 0.61x was seen on a loaded host).
wgp_rate_ok() {
	awk -v g="$1" -v r="$WGP_RATE" 'BEGIN { exit !(g >= 0.5 * r && g <= 1.1 * r) }'
}

wg_police_stage() {
	wg_member_ns || { fail "wg_police: member namespace and keys"; return; }
	check "wg_police: up" tg up --subscriber-if c0 --uplink-if u0 --mode generic
	check "wg_police: class and community" sh -c "
		tungate --db $DB class add wgslow --down-rate 2mbit --up-rate 2mbit \
			--scope community &&
		tungate --db $DB community add 198.51.100.2/32"
	check "wg_police: sub add" tungate --db "$DB" sub add wgm \
		--type wireguard --public-key "$(cat /tmp/wgm.pub)" --class wgslow \
		--remote 203.0.113.2:51820 --prefix 100.64.2.0/24
	tg -j sync >/tmp/wgpsync.json 2>&1
	cpub=$(sed -n 's/.*"public_key": *"\([A-Za-z0-9+\/=]*\)".*/\1/p' /tmp/wgpsync.json)
	[ -n "$cpub" ] && ok "wg_police: sync made tgwg51820" ||
		fail "wg_police: sync: $(cat /tmp/wgpsync.json)"
	tg -j status >/tmp/wgpstatus.json 2>&1
	insns_of tc /tmp/wgpstatus.json tg_wg_
	grep -q '"role": *"wireguard-in"' /tmp/wgpstatus.json &&
		grep -q '"role": *"wireguard-out"' /tmp/wgpstatus.json &&
		ok "wg_police: status shows tgwg51820's programs both ways" ||
		fail "wg_police: status: $(cat /tmp/wgpstatus.json)"
	wg_member_link "$cpub" || fail "wg_police: member interface"
	# The handshake and core's neighbour, before anything is counted.
	wg_member ping -c 1 -W 5 -I 100.64.2.1 198.51.100.2 >/dev/null 2>&1
	conc ping -c 1 -W 2 198.51.100.2 >/dev/null 2>&1

	# Pings of a known size: 20 each way, 128 IP bytes each.
	set -- $(wgp_count up) $(wgp_count down)
	u0=$1 ub0=$2 d0=$3 db0=$4
	check "wg_police: 20 pings to core" \
		wg_member ping -c 20 -i 0.2 -s 100 -W 3 -I 100.64.2.1 198.51.100.2
	set -- $(wgp_count up) $(wgp_count down)
	if [ $(($1 - u0)) = 20 ] && [ $(($2 - ub0)) = 2560 ] &&
		[ $(($3 - d0)) = 20 ] && [ $(($4 - db0)) = 2560 ]; then
		ok "wg_police: stats counted the 20 pings exactly: 20 packets, 2560 bytes each way"
	else
		fail "wg_police: pings counted up $u0..$1 ($ub0..$2 bytes), down $d0..$3 ($db0..$4 bytes)"
	fi

	# Outside the community scope: the concentrator's uplink address.
	s0=$(wgp_reason scope)
	wg_member ping -c 3 -W 1 -I 100.64.2.1 198.51.100.1 >/dev/null 2>&1 &&
		fail "wg_police: a destination outside the scope answered" ||
		ok "wg_police: a destination outside the scope is refused"
	s1=$(wgp_reason scope)
	[ $((s1 - s0)) = 3 ] && ok "wg_police: 3 scope drops counted" ||
		fail "wg_police: scope drops $s0..$s1"

	# A source the peer may send from (an allowed IP set by hand) that
	# no member has: past WireGuard, refused by tungate.
	g0=$(wgp_global spoofed_src)
	conc wg set tgwg51820 peer "$(cat /tmp/wgm.pub)" \
		allowed-ips 100.64.2.0/24,100.64.9.0/24 &&
		ip -n wgm addr add 100.64.9.1/32 dev wg0 ||
		fail "wg_police: foreign source set-up"
	wg_member ping -c 2 -W 1 -I 100.64.9.1 198.51.100.2 >/dev/null 2>&1 &&
		fail "wg_police: a source of no member got through" ||
		ok "wg_police: a source of no member is refused"
	g1=$(wgp_global spoofed_src)
	# At least the pings (the member's kernel may send more from it).
	[ $((g1 - g0)) -ge 2 ] &&
		ok "wg_police: $((g1 - g0)) spoofed_src drops counted for 2 pings" ||
		fail "wg_police: spoofed_src drops $g0..$g1"
	ip -n wgm addr del 100.64.9.1/32 dev wg0
	check "wg_police: sync puts the allowed IPs back" tg sync

	# The class rate, TCP both ways.
	set -- $(wgp_count up)
	ub0=$2
	up=$(wgp_transfer wgm core 198.51.100.2)
	wgp_rate_ok "$up" &&
		ok "wg_police: upload at $up bit/s, class rate $WGP_RATE" ||
		fail "wg_police: upload at $up bit/s, class rate $WGP_RATE"
	set -- $(wgp_count up)
	[ $(($2 - ub0)) -ge $((WGP_KIB * 1024)) ] &&
		ok "wg_police: upload counted, $(($2 - ub0)) IP bytes" ||
		fail "wg_police: upload counted $ub0..$2 bytes"
	p0=$(wgp_reason policed_down)
	down=$(wgp_transfer core wgm 100.64.2.1)
	wgp_rate_ok "$down" &&
		ok "wg_police: download at $down bit/s, class rate $WGP_RATE" ||
		fail "wg_police: download at $down bit/s, class rate $WGP_RATE"
	echo "TG: wg_police rates up $up down $down class $WGP_RATE"
	[ "$(wgp_reason policed_up)" -gt 0 ] && [ "$(wgp_reason policed_down)" -gt "$p0" ] &&
		ok "wg_police: the buckets dropped beyond the rate both ways" ||
		fail "wg_police: policed_up $(wgp_reason policed_up), policed_down $p0..$(wgp_reason policed_down)"

	# The daemon: a member disabled mid-download is cut off at once.
	tgd_start --interval 100 >/tmp/wgprun.log 2>&1
	sleep 2
	wgp_start core wgm 100.64.2.1 4096 5002
	sleep 2
	before=$(wgp_got)
	check "wg_police: daemon: sub disable mid-download" \
		tungate --db "$DB" sub disable wgm
	wg_peers_wait 0
	at=$(wgp_got)
	sleep 2
	after=$(wgp_got)
	if [ "$before" -gt 0 ] && [ "$(wg_peers)" = 0 ] && [ "$after" = "$at" ] &&
		[ "$after" -lt $((4096 * 1024)) ]; then
		ok "wg_police: download cut in $waited ms: $before bytes before, none 2 s after"
	else
		fail "wg_police: download not cut: $before, $at, $after bytes; peers $(wg_peers)"
	fi
	wgp_stop
	tgd_stop
	check "wg_police: sub del" tungate --db "$DB" sub del wgm
	check "wg_police: class del" tungate --db "$DB" class del wgslow
	check "wg_police: community del" tungate --db "$DB" community del 198.51.100.2/32
	check "wg_police: sync after del" tg sync
	check "wg_police: down" tg down
	ip netns del wgm
}
