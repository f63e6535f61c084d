#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# End to end, both directions, every tunnel type, through native XDP on veth:
#
#   ns sub [tg-rp-sub] --veth-- [tg-rp-csub] ns conc [tg-rp-cup] --veth-- [tg-rp-core] ns core
#   192.0.2.11-19/24            192.0.2.1/24         198.51.100.1/24        198.51.100.2/24
#   TUN 100.64.N.2,                                  2001:db8:ff::1/64      2001:db8:ff::2/64
#       2001:db8:1:N::2
#
# tungate runs in conc: subscriber program on tg-rp-csub, uplink program on
# tg-rp-cup. For each subscriber (one per tunnel type or option set) a
# userspace tunnel endpoint (tunnel_endpoint.py: a TUN device plus a raw or
# UDP socket) runs in sub with the subscriber's inner addresses. Pings and
# SHA-256-checked TCP transfers go from sub to core and from core to sub, all
# through the tunnel; Ethernet-carrying types find tungate's gateway MAC with
# ARP / neighbour discovery inside the tunnel. Then the subscriber's counters
# must show traffic up and down, and the endpoint must have seen nothing
# malformed coming back.
#
# RP_ONLY=REGEX runs only the subscribers whose name matches;
# RP_ENDPOINT_OPTS adds options to every endpoint (e.g. --gateway-mac MAC).
#
# Needs root. Outside CI it says SKIP and succeeds; with CI=true a skip fails.
set -uo pipefail

TAG=tg-rp
. "$(dirname "$0")/lib.sh"
SUITE="e2e return path"
BYTES=${BYTES:-2097152}
export TG_TCP_TIMEOUT=10

trap topo_cleanup EXIT
trap "exit 1" INT TERM
require_root_tools
[ -c /dev/net/tun ] || skip "no /dev/net/tun"

# Subscribers: name, type, families, tungate options, endpoint options.
# Endpoint ids are from its own side: its --session is tungate's
# --peer-session and so on. N (the row number) picks the outer address
# 192.0.2.1N and the prefixes 100.64.N.0/24, 2001:db8:1:N::/64.
ROWS=(
	"ipip ipip 4 --df off | "
	"sit sit 6 | "
	"gre gre 46 | --mtu 1500"
	"gre-csum gre 46 --key 7 --gre-csum --gre-seq | --key 7 --gre-csum --gre-seq"
	"gretap gretap 46 --key 9 --gre-csum | --key 9 --gateway6 fe80::1"
	"eoip eoip 46 --tunnel-id 300 --peer-mac 02:00:00:e2:10:06 --df off | --tunnel-id 300"
	"l2tpv3-ip l2tpv3-ip 46 --session 20 --peer-session 21 --cookie 0102030405060708 --peer-cookie a1a2a3a4 | --session 21 --peer-session 20 --cookie a1a2a3a4 --peer-cookie 0102030405060708"
	"l2tpv3-udp l2tpv3-udp 46 --session 30 --peer-session 31 --sublayer none --udp-csum on | --session 31 --peer-session 30 --sublayer none --local-port 40001"
	"l2tpv2 l2tpv2 46 --tunnel-id 10 --session 20 --peer-tunnel-id 11 --peer-session 21 --peer-port 40002 --ppp-acfc on | --tunnel-id 11 --session 21 --peer-tunnel-id 10 --peer-session 20 --local-port 40002"
)

tunnel_setup ${#ROWS[@]} || die "namespace setup"
v6_ready || die "IPv6 addresses in conc and core still tentative"

tg db init >/dev/null || die "db init"
GWMAC=02:74:67:00:e3:01
step "config set gateway-mac $GWMAC" tg config set gateway-mac $GWMAC
rows_add
step "sync" tg sync
step "up --subscriber-if tg-rp-csub --uplink-if tg-rp-cup" \
	tg up --subscriber-if tg-rp-csub --uplink-if tg-rp-cup
check "uplink program attached to tg-rp-cup ($PIN/link_up_tg-rp-cup)" \
	test -e "$PIN/link_up_tg-rp-cup"
# The slow lane: tg0 with its TC egress program, subscriber routes to it.
check "up made tg0 with the TC egress program" \
	sh -c "ip -n $CONC -o link show dev tg0 | grep -q 'alias tungate' &&
		tc -n $CONC filter show dev tg0 egress | grep -q tg_egress_tc"
check "up routed 100.64.1.0/24 to tg0, tunnel MTU 1400, proto 240" \
	sh -c "ip -n $CONC -4 route show proto 240 | grep -q '^100.64.1.0/24 dev tg0 .*mtu 1400'"
check "up routed 2001:db8:1:3::/64 to tg0 (proto 240)" \
	sh -c "ip -n $CONC -6 route show proto 240 | grep -q '^2001:db8:1:3::/64 dev tg0'"
check "up again: tg0 kept, routes replaced" \
	tg up --subscriber-if tg-rp-csub --uplink-if tg-rp-cup
# sync keeps the routes in step with the subscribers' prefixes.
route_of() {
	ip -n "$CONC" -4 route show proto 240 | grep -q "^$1 dev tg0"
}
sync_adds_route() {
	tg sub set ipip --add-prefix 100.64.99.0/24 >/dev/null &&
		tg sync >/dev/null && route_of 100.64.99.0/24
}
sync_removes_route() {
	tg sub set ipip --del-prefix 100.64.99.0/24 >/dev/null &&
		tg sync >/dev/null && ! route_of 100.64.99.0/24
}
check "sync adds the route of a new prefix" sync_adds_route
check "sync removes the route of a removed prefix" sync_removes_route
# A route the kernel refuses (IPv6 off on tg0) is named with the kernel's
# reason; the other routes are installed all the same, and sync fails.
# The routes are read whole first: grep -q ending a pipe early would fail
# it under pipefail.
v6_off_sync_names_refused() {
	local routes
	ip netns exec "$CONC" sysctl -qw net.ipv6.conf.tg0.disable_ipv6=1 &&
		ip -n "$CONC" -4 route del 100.64.4.0/24 proto 240 &&
		! tg sync >/dev/null 2>"$TMP/refused.err" &&
		grep -q "couldn't replace route 2001:db8:1:3::/64 dev tg0 mtu [0-9]*: Permission denied" \
			"$TMP/refused.err" &&
		routes=$(ip -n "$CONC" -4 route show proto 240) &&
		grep -q '^100.64.1.0/24 dev tg0' <<<"$routes" &&
		grep -q '^100.64.4.0/24 dev tg0' <<<"$routes"
}
v6_on_sync_restores() {
	local routes
	ip netns exec "$CONC" sysctl -qw net.ipv6.conf.tg0.disable_ipv6=0 &&
		tg sync >/dev/null && routes=$(ip -n "$CONC" -6 route show proto 240) &&
		grep -q '^2001:db8:1:3::/64 dev tg0' <<<"$routes"
}
check "sync: a refused route is named, the others installed" v6_off_sync_names_refused
sed "s/^/  | /" "$TMP/refused.err" 2>/dev/null
check "sync: IPv6 back on tg0, its routes back" v6_on_sync_restores

tcp_servers_start || die "TCP servers did not start"

# counter NAME: the endpoint's counter (0 when absent).
counter() {
	local v
	v=$(tr ' ' '\n' <"$TMP/ep$n.err" | sed -n "s/^$1=//p")
	echo "${v:-0}"
}

# One family: pings_and_tcp, pings of the tunnel MTU (when BIG is set)
# and from conc itself.
rp_traffic() {
	local what=$1 me=$2 core=$3 big=$4 conc=$5
	pings_and_tcp "$what" "$me" "$core"
	if [ -n "$big" ]; then
		check "$what: ping core -> sub, $big-byte packets (tunnel MTU)" \
			in_core $PY "$E2E/icmp_echo.py" "$core" "$me" 2 $((big - 28))
	fi
	# Sent by the concentrator itself: routed to tg0, encapsulated there.
	check "$what: ping conc -> sub ($conc -> $me, through tg0)" \
		in_conc $PY "$E2E/icmp_echo.py" "$conc" "$me" 3
}

n=0
for row in "${ROWS[@]}"; do
	n=$((n + 1))
	read -r name type fams tgopts <<<"${row%%|*}"
	epopts=${row#*|}
	[[ $name =~ ${RP_ONLY:-.} ]] || continue
	echo "# $name ($type)"
	# shellcheck disable=SC2086
	step "$name: endpoint starts" \
		endpoint_start $n "$type" "$fams" $epopts ${RP_ENDPOINT_OPTS:-}
	if [[ $fams == *4* ]]; then
		rp_traffic "$name IPv4" 100.64.$n.2 $CORE4 1400 198.51.100.1
		if [[ $tgopts == *"--df off"* ]]; then
			# DF clear and too big for the tunnel: XDP leaves it to
			# the kernel, which fragments it to the route MTU on
			# tg0; each fragment is encapsulated by the TC program.
			fl=$(stat global frag_needed_local packets)
			check "$name IPv4: ping core -> sub, 2000 bytes, DF clear (fragmented, reassembled)" \
				in_core $PY "$E2E/icmp_echo_nodf.py" $CORE4 100.64.$n.2 3 1972
			fl2=$(stat global frag_needed_local packets)
			check "$name IPv4: frag_needed_local counted ($fl -> $fl2)" \
				test "$fl2" -gt "$fl"
			# No neighbour for the outer destination: the TC
			# program hands the packet to bpf_redirect_neigh().
			ip -n "$CONC" neigh del 192.0.2.1$n dev tg-rp-csub
			nn=$(stat global fib_no_neigh packets)
			check "$name IPv4: ping conc -> sub, no neighbour for 192.0.2.1$n yet" \
				in_conc $PY "$E2E/icmp_echo.py" 198.51.100.1 100.64.$n.2 3
			nn2=$(stat global fib_no_neigh packets)
			check "$name IPv4: fib_no_neigh counted ($nn -> $nn2)" \
				test "$nn2" -gt "$nn"
			ip -n "$CONC" neigh replace 192.0.2.1$n lladdr $MAC_SUB \
				dev tg-rp-csub nud permanent
		fi
	fi
	if [[ $fams == *6* ]]; then
		# sit carries only IPv6: its TCP goes over IPv6.
		rp_traffic "$name IPv6" 2001:db8:1:$n::2 $CORE6 "" 2001:db8:ff::1
	fi
	endpoint_stop
	echo "       endpoint: $(cat "$TMP/ep$n.err")"

	up_p=$(stat sub "$name" up packets) up_b=$(stat sub "$name" up bytes)
	dn_p=$(stat sub "$name" down packets) dn_b=$(stat sub "$name" down bytes)
	check "$name: tungate counted up $up_p packets / $up_b bytes, down $dn_p / $dn_b (>= $BYTES bytes each way)" \
		test "${up_b:-0}" -ge "$BYTES" -a "${dn_b:-0}" -ge "$BYTES"
	bad=$(tr ' ' '\n' <"$TMP/ep$n.err" |
		grep -E '^(rx_(wrong|bad|short|not|gre_unsupported|gre_bad|other_ethertype|inner)|tx_tunnel_error)' |
		tr '\n' ' ')
	check "$name: endpoint saw nothing malformed or misaddressed${bad:+ ($bad)}" test -z "$bad"
	case $type in
	gretap | eoip | l2tpv3-*)
		check "$name: gateway MAC $(counter gw_mac_v4) learnt by ARP inside the tunnel" \
			test "$(counter gw_mac_v4)" = $GWMAC -a "$(counter arp_reply_received)" -gt 0
		check "$name: gateway MAC $(counter gw_mac_v6) learnt by neighbour discovery" \
			test "$(counter gw_mac_v6)" = $GWMAC -a "$(counter na_received)" -gt 0
		;;
	esac
	if [[ $tgopts == *--gre-csum* ]]; then
		check "$name: $(counter rx_gre_csum_ok) packets with a valid GRE checksum received" \
			test "$(counter rx_gre_csum_ok)" -gt 0
	fi
	if [[ $tgopts == *--gre-seq* ]]; then
		check "$name: $(counter rx_gre_seq) packets with a GRE sequence number received" \
			test "$(counter rx_gre_seq)" -gt 0
	fi
	case $name in
	gre)
		# Its endpoint's TUN has MTU 1500: only MSS clamping (both
		# directions) keeps TCP segments within the tunnel's 1400.
		tb=$(stat sub "$name" reasons too_big)
		check "$name: MSS clamped both ways: no too_big (got ${tb:-?})" test "${tb:-1}" = 0
		;;
	esac
done

check "down" tg down
check "down: pin root $PIN removed" test ! -e "$PIN"
check "down: tg0 and its routes removed" \
	sh -c "! ip -n $CONC link show dev tg0 2>/dev/null &&
		test -z \"\$(ip -n $CONC route show proto 240)\""

finish
