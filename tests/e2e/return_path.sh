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

cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
TUNGATE=$ROOT/build/tungate
PASS_OBJ=$ROOT/build/pass.bpf.o
PY=/usr/bin/python3
E2E=$ROOT/tests/e2e
BYTES=${BYTES:-2097152}
export TG_TCP_TIMEOUT=10

SUITE="e2e return path"
. "$E2E/result.sh"

[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, XDP, TUN)"
for tool in ip nsenter; do
	command -v "$tool" >/dev/null || skip "$tool not installed"
done
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
[ -x "$TUNGATE" ] || skip "build first: make"
[ -f "$PASS_OBJ" ] || make -s --no-print-directory "${PASS_OBJ#"$ROOT/"}" ||
	skip "cannot build $PASS_OBJ"
if ! mountpoint -q /sys/fs/bpf; then
	mount -t bpf bpf /sys/fs/bpf || skip "cannot mount bpffs on /sys/fs/bpf"
fi

SUB=tg-rp-sub-$$
CONC=tg-rp-conc-$$
CORE=tg-rp-core-$$
PIN=/sys/fs/bpf/tg-rp-$$
TMP=$(mktemp -d /tmp/tg-rp-XXXXXX)
DB=$TMP/tungate.db
PIDS=()
EP_PID=

MAC_SUB=02:00:00:e3:00:01
MAC_CSUB=02:00:00:e3:00:02
MAC_CUP=02:00:00:e3:01:01
MAC_CORE=02:00:00:e3:01:02
CORE4=198.51.100.2
CORE6=2001:db8:ff::2
PORT=5001

cleanup() {
	local p
	for p in $EP_PID "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in $EP_PID "${PIDS[@]}"; do
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
		nsenter --net=/run/netns/"$CONC" "$TUNGATE" --db "$DB" \
			--pin-root "$PIN" down >/dev/null 2>&1
		rm -rf "$PIN"
	fi
	for ns in "$SUB" "$CONC" "$CORE"; do
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap "exit 1" INT TERM

# tungate must see the bpffs: `ip netns exec` would mount a fresh /sys that
# hides it, so enter only the network namespace.
tg() {
	nsenter --net=/run/netns/"$CONC" "$TUNGATE" --db "$DB" --pin-root "$PIN" "$@"
}
in_sub() { ip netns exec "$SUB" "$@"; }
in_core() { ip netns exec "$CORE" "$@"; }
in_conc() { ip netns exec "$CONC" "$@"; }

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
	"eoip eoip 46 --tunnel-id 300 --peer-mac 02:00:00:e3:10:06 --df off | --tunnel-id 300"
	"l2tpv3-ip l2tpv3-ip 46 --session 20 --peer-session 21 --cookie 0102030405060708 --peer-cookie a1a2a3a4 | --session 21 --peer-session 20 --cookie a1a2a3a4 --peer-cookie 0102030405060708"
	"l2tpv3-udp l2tpv3-udp 46 --session 30 --peer-session 31 --sublayer none --udp-csum on | --session 31 --peer-session 30 --sublayer none --local-port 40001"
	"l2tpv2 l2tpv2 46 --tunnel-id 10 --session 20 --peer-tunnel-id 11 --peer-session 21 --peer-port 40002 --ppp-acfc on | --tunnel-id 11 --session 21 --peer-tunnel-id 10 --peer-session 20 --local-port 40002"
)

setup() {
	local ns n
	for ns in "$SUB" "$CONC" "$CORE"; do
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up || return 1
		ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
			net.ipv4.conf.default.rp_filter=0 || return 1
	done
	ip -n "$SUB" link add tg-rp-sub address $MAC_SUB type veth \
		peer name tg-rp-csub address $MAC_CSUB netns "$CONC" &&
	ip -n "$CONC" link add tg-rp-cup address $MAC_CUP type veth \
		peer name tg-rp-core address $MAC_CORE netns "$CORE" || return 1
	for n in $(seq ${#ROWS[@]}); do
		ip -n "$SUB" addr add 192.0.2.1$n/24 dev tg-rp-sub || return 1
		# tungate's FIB lookups toward the subscriber need a neighbour.
		ip -n "$CONC" neigh replace 192.0.2.1$n lladdr $MAC_SUB \
			dev tg-rp-csub nud permanent || return 1
	done
	ip -n "$CONC" addr add 192.0.2.1/24 dev tg-rp-csub &&
	ip -n "$CONC" addr add 198.51.100.1/24 dev tg-rp-cup &&
	ip -n "$CONC" addr add 2001:db8:ff::1/64 dev tg-rp-cup nodad &&
	ip -n "$CORE" addr add $CORE4/24 dev tg-rp-core &&
	ip -n "$CORE" addr add $CORE6/64 dev tg-rp-core nodad &&
	ip -n "$SUB" link set tg-rp-sub up &&
	ip -n "$CONC" link set tg-rp-csub up &&
	ip -n "$CONC" link set tg-rp-cup up &&
	ip -n "$CORE" link set tg-rp-core up &&
	ip -n "$CORE" route add 100.64.0.0/10 via 198.51.100.1 &&
	ip -n "$CORE" route add 2001:db8:1::/48 via 2001:db8:ff::1 &&
	ip netns exec "$CONC" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv6.conf.all.forwarding=1 &&
	ip -n "$SUB" neigh replace 192.0.2.1 lladdr $MAC_CSUB dev tg-rp-sub nud permanent &&
	ip -n "$CONC" neigh replace $CORE4 lladdr $MAC_CORE dev tg-rp-cup nud permanent &&
	ip -n "$CONC" neigh replace $CORE6 lladdr $MAC_CORE dev tg-rp-cup nud permanent &&
	ip -n "$CORE" neigh replace 198.51.100.1 lladdr $MAC_CUP dev tg-rp-core nud permanent &&
	ip -n "$CORE" neigh replace 2001:db8:ff::1 lladdr $MAC_CUP dev tg-rp-core nud permanent &&
	# Finished checksums on what sub and core send, as from a wire.
	ip netns exec "$SUB" $PY "$E2E/tx_csum_off.py" tg-rp-sub &&
	ip netns exec "$CORE" $PY "$E2E/tx_csum_off.py" tg-rp-core &&
	# A veth only takes XDP_REDIRECTed (or XDP_TXed) frames when its
	# peer runs XDP.
	ip -n "$CORE" link set dev tg-rp-core xdp obj "$PASS_OBJ" sec xdp &&
	ip -n "$SUB" link set dev tg-rp-sub xdp obj "$PASS_OBJ" sec xdp
}

# Even without DAD an IPv6 address is briefly tentative (unusable).
v6_ready() {
	for _ in $(seq 100); do
		if [ -z "$(ip -n "$CONC" -6 addr show tentative)" ] &&
			[ -z "$(ip -n "$CORE" -6 addr show tentative)" ]; then
			return 0
		fi
		sleep 0.05
	done
	return 1
}

setup || die "namespace setup"
v6_ready || die "IPv6 addresses in conc and core still tentative"
ok "namespaces sub, conc, core"

tg db init >/dev/null || die "db init"
GWMAC=02:74:67:00:e3:01
check "config set gateway-mac $GWMAC" tg config set gateway-mac $GWMAC ||
	GWMAC=02:74:67:00:00:01
n=0
for row in "${ROWS[@]}"; do
	n=$((n + 1))
	read -r name type fams tgopts <<<"${row%%|*}"
	pfx=()
	[[ $fams == *4* ]] && pfx+=(--prefix "100.64.$n.0/24")
	[[ $fams == *6* ]] && pfx+=(--prefix "2001:db8:1:$n::/64")
	# shellcheck disable=SC2086
	check "sub add $name --type $type $tgopts" \
		tg sub add "$name" --type "$type" --remote 192.0.2.1$n \
		--local 192.0.2.1 "${pfx[@]}" $tgopts
done
check "sync" tg sync || finish
check "up --subscriber-if tg-rp-csub --uplink-if tg-rp-cup" \
	tg up --subscriber-if tg-rp-csub --uplink-if tg-rp-cup || finish
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

for ns in "$SUB" "$CORE"; do
	ip netns exec "$ns" $PY "$E2E/tcp_transfer.py" serve $PORT "$TMP/srv.$ns" &
	PIDS+=($!)
done
for _ in $(seq 50); do
	[ -e "$TMP/srv.$SUB" ] && [ -e "$TMP/srv.$CORE" ] && break
	sleep 0.1
done
if [ ! -e "$TMP/srv.$SUB" ] || [ ! -e "$TMP/srv.$CORE" ]; then
	die "TCP servers did not start"
fi

# start_endpoint N NAME TYPE FAMS OPTIONS...: waits for its ready line.
start_endpoint() {
	local n=$1 name=$2 type=$3 fams=$4 addrs=()
	shift 4
	[[ $fams == *4* ]] && addrs+=(--addr "100.64.$n.2/24" --route 198.51.100.0/24
		--gateway "100.64.$n.1")
	[[ $fams == *6* ]] && addrs+=(--addr "2001:db8:1:$n::2/64" --route 2001:db8:ff::/64
		--gateway6 "2001:db8:1:$n::1")
	# Later options win: a row's own --gateway6 replaces the default.
	# Started without a wrapper function so that $! is the endpoint.
	ip netns exec "$SUB" $PY "$E2E/tunnel_endpoint.py" --type "$type" --local 192.0.2.1$n \
		--remote 192.0.2.1 --tun tgrp$n --mac 02:00:00:e3:10:0$n "${addrs[@]}" \
		"$@" ${RP_ENDPOINT_OPTS:-} >"$TMP/ep.out" 2>"$TMP/ep.err" &
	EP_PID=$!
	for _ in $(seq 50); do
		grep -q '^ready' "$TMP/ep.out" 2>/dev/null && return 0
		kill -0 $EP_PID 2>/dev/null || break
		sleep 0.1
	done
	cat "$TMP/ep.err"
	return 1
}
stop_endpoint() {
	kill $EP_PID 2>/dev/null
	wait $EP_PID 2>/dev/null
	EP_PID=
}

# stat NAME up|down packets|bytes|too_big: from `tungate -j stats NAME`.
stat() {
	tg -j stats "$1" | $PY -c '
import json, sys
s = json.load(sys.stdin)["subscribers"][0]
d, f = sys.argv[1], sys.argv[2]
print(s[d][f] if d in ("up", "down") else s["reasons"].get(f, 0))' "$2" "$3"
}
# gstat REASON packets|bytes: a global counter.
gstat() {
	tg -j stats | $PY -c '
import json, sys
print(json.load(sys.stdin)["global"].get(sys.argv[1], {}).get(sys.argv[2], 0))' "$1" "$2"
}
# counter NAME: the endpoint's counter (0 when absent).
counter() {
	local v
	v=$(tr ' ' '\n' <"$TMP/ep.err" | sed -n "s/^$1=//p")
	echo "${v:-0}"
}

# One family's pings and TCP transfers. TCP needs both directions of the
# tunnel, so it only runs when both pings worked.
traffic() {
	local what=$1 me=$2 core=$3 big=$4 conc=$5 fwd=0 rev=0
	check "$what: ping sub -> core ($me -> $core)" \
		in_sub $PY "$E2E/icmp_echo.py" "$me" "$core" 3 && fwd=1
	check "$what: ping core -> sub ($core -> $me)" \
		in_core $PY "$E2E/icmp_echo.py" "$core" "$me" 3 && rev=1
	if [ -n "$big" ]; then
		check "$what: ping core -> sub, $big-byte packets (tunnel MTU)" \
			in_core $PY "$E2E/icmp_echo.py" "$core" "$me" 2 $((big - 28))
	fi
	# Sent by the concentrator itself: routed to tg0, encapsulated there.
	check "$what: ping conc -> sub ($conc -> $me, through tg0)" \
		in_conc $PY "$E2E/icmp_echo.py" "$conc" "$me" 3
	if [ $fwd = 1 ] && [ $rev = 1 ]; then
		check "$what: TCP sub -> core, $BYTES bytes" \
			in_sub $PY "$E2E/tcp_transfer.py" put "$me" "$core" $PORT "$BYTES"
		check "$what: TCP core -> sub, $BYTES bytes" \
			in_core $PY "$E2E/tcp_transfer.py" put "$core" "$me" $PORT "$BYTES"
	else
		fail "$what: TCP both ways (not run: a ping failed)"
	fi
}

n=0
for row in "${ROWS[@]}"; do
	n=$((n + 1))
	read -r name type fams tgopts <<<"${row%%|*}"
	epopts=${row#*|}
	[[ $name =~ ${RP_ONLY:-.} ]] || continue
	echo "# $name ($type)"
	# shellcheck disable=SC2086
	if ! check "$name: endpoint starts" start_endpoint $n "$name" "$type" "$fams" $epopts; then
		stop_endpoint
		continue
	fi
	if [[ $fams == *4* ]]; then
		traffic "$name IPv4" 100.64.$n.2 $CORE4 1400 198.51.100.1
		if [[ $tgopts == *"--df off"* ]]; then
			# DF clear and too big for the tunnel: XDP leaves it to
			# the kernel, which fragments it to the route MTU on
			# tg0; each fragment is encapsulated by the TC program.
			fl=$(gstat frag_needed_local packets)
			check "$name IPv4: ping core -> sub, 2000 bytes, DF clear (fragmented, reassembled)" \
				in_core $PY "$E2E/icmp_echo_nodf.py" $CORE4 100.64.$n.2 3 1972
			fl2=$(gstat frag_needed_local packets)
			check "$name IPv4: frag_needed_local counted ($fl -> $fl2)" \
				test "$fl2" -gt "$fl"
			# No neighbour for the outer destination: the TC
			# program hands the packet to bpf_redirect_neigh().
			ip -n "$CONC" neigh del 192.0.2.1$n dev tg-rp-csub
			nn=$(gstat fib_no_neigh packets)
			check "$name IPv4: ping conc -> sub, no neighbour for 192.0.2.1$n yet" \
				in_conc $PY "$E2E/icmp_echo.py" 198.51.100.1 100.64.$n.2 3
			nn2=$(gstat fib_no_neigh packets)
			check "$name IPv4: fib_no_neigh counted ($nn -> $nn2)" \
				test "$nn2" -gt "$nn"
			ip -n "$CONC" neigh replace 192.0.2.1$n lladdr $MAC_SUB \
				dev tg-rp-csub nud permanent
		fi
	fi
	if [[ $fams == *6* ]]; then
		# sit carries only IPv6: its TCP goes over IPv6.
		traffic "$name IPv6" 2001:db8:1:$n::2 $CORE6 "" 2001:db8:ff::1
	fi
	stop_endpoint
	echo "       endpoint: $(cat "$TMP/ep.err")"

	up_p=$(stat "$name" up packets) up_b=$(stat "$name" up bytes)
	dn_p=$(stat "$name" down packets) dn_b=$(stat "$name" down bytes)
	check "$name: tungate counted up $up_p packets / $up_b bytes, down $dn_p / $dn_b (>= $BYTES bytes each way)" \
		test "${up_b:-0}" -ge "$BYTES" -a "${dn_b:-0}" -ge "$BYTES"
	bad=$(tr ' ' '\n' <"$TMP/ep.err" |
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
		tb=$(stat "$name" reason too_big)
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
