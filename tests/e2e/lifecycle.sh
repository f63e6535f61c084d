#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Attach, status and detach, through real interfaces (sub -- conc -- core
# topology of lib.sh): `tungate up` in native XDP mode (the default), then
# again (programs replaced, same links), in generic XDP mode and in TC mode;
# in each mode an IPIP, a GRE, an L2TPv2 and a gretap subscriber (userspace
# tunnel endpoints in sub; gretap's finds the gateway by ARP inside the
# tunnel) ping core and core pings them, so every packet is decapsulated and
# encapsulated, and every ARP answered, by the programs of that mode.
# `status -j` must tell the interfaces, modes, programs, version, subscriber
# count, map fill levels and last sync; `down --keep-state` keeps maps and counters;
# a WireGuard member's sync names a kernel without WireGuard, and status counts
# the member the maps hold (the tunnels only on maps without tg_encap1);
# `down` leaves nothing. The fallback to generic XDP is shown on `lo` and a bridge
# (no native XDP), and bad interface names and modes are refused.
#
# Needs root. Outside CI it says SKIP and succeeds; with CI=true a skip fails.
set -uo pipefail

TAG=tgl
. "$(dirname "$0")/lib.sh"
PIN2=/sys/fs/bpf/tgl-lo-$$

require_root_tools
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
command -v tc >/dev/null || skip "tc not installed"
cleanup() {
	endpoint_stop
	if [ -d "$PIN2" ]; then
		in_conc "$TUNGATE" --pin-root "$PIN2" down >/dev/null 2>&1
		rm -rf "$PIN2"
	fi
	topo_cleanup
}
trap cleanup EXIT
trap "exit 1" INT TERM

# Subscriber N: name, tunnel type, families, tungate options | endpoint
# options. Outer address 192.0.2.1N, inner 100.64.N.2 and 2001:db8:1:N::2
# (endpoint_start in lib.sh).
ROWS=(
	"alice ipip 4 | "
	"bob gre 4 --key 7 | --key 7"
	"carol l2tpv2 4 --tunnel-id 10 --session 20 --peer-tunnel-id 11 --peer-session 21 --peer-port 40002 | --tunnel-id 11 --session 21 --peer-tunnel-id 10 --peer-session 20 --local-port 40002"
	"dave gretap 46 --key 9 --gre-csum | --key 9"
)
GWMAC=02:74:67:00:e4:01

tunnel_setup ${#ROWS[@]} || die "namespace setup"

tg db init >/dev/null || die "db init"
# The gateway MAC answered inside Ethernet tunnels (ARP).
step "config set gateway-mac $GWMAC" tg config set gateway-mac $GWMAC
rows_add
step "sync" tg sync

# up_ok WHAT EXPECT ARGS...: up succeeds and prints EXPECT for both ports.
up_ok() {
	local what=$1 expect=$2
	shift 2
	if tg up --subscriber-if "$IF_CSUB" --uplink-if "$IF_CUP" "$@" \
		>"$TMP/up.out" 2>"$TMP/up.err" &&
		[ "$(grep -c -- "$expect" "$TMP/up.out")" = 2 ]; then
		ok "$what"
	else
		fail "$what"
		sed 's/^/       /' "$TMP/up.out" "$TMP/up.err"
	fi
}

# status_check WHAT PYTHON-EXPR: `status -j` parsed as s; the expression
# must hold. ifs maps ifname -> interface, maps name -> map.
status_check() {
	local what=$1 expr=$2
	tg -j status >"$TMP/status.json" 2>"$TMP/status.err"
	if $PY - "$TMP/status.json" "$expr" <<'EOF' >"$TMP/status.out" 2>&1; then
import json, sys
s = json.load(open(sys.argv[1]))
ifs = {i["ifname"]: i for i in s["interfaces"]}
maps = {m["name"]: m for m in s["maps"]}
if not eval("(" + sys.argv[2] + ")"):
    print(json.dumps(s, indent=1))
    sys.exit(1)
EOF
		ok "$what"
	else
		fail "$what"
		sed 's/^/       /' "$TMP/status.out" "$TMP/status.err"
	fi
}

# xdp_on IF: some XDP program attached to conc's IF.
xdp_on() {
	ip -n "$CONC" -d link show "$1" | grep -q 'prog/xdp'
}
tc_prog_on() {
	tc -n "$CONC" filter show dev "$1" ingress | grep -q "$2"
}

# ep_counter N NAME: a counter endpoint N printed when it stopped.
ep_counter() {
	local v
	v=$(tr ' ' '\n' <"$TMP/ep$1.err" | sed -n "s/^$2=//p")
	echo "${v:-0}"
}

# too_big MODE: a DF datagram from core over alice's tunnel MTU (1400) gets
# "fragmentation needed" with that MTU back (from XDP, or in tc mode from
# the kernel routing it to tg0).
too_big() {
	ip netns exec "$CORE" $PY -c 'from scapy.all import IP, UDP, ICMP, Raw, conf, sr1
conf.verb = 0
r = sr1(IP(src="198.51.100.2", dst="100.64.1.2", flags="DF") /
        UDP(sport=40000, dport=9) / Raw(b"x" * 1450), timeout=3)
assert r is not None and ICMP in r, "no ICMP error"
assert (r[ICMP].type, r[ICMP].code, r[ICMP].nexthopmtu) == (3, 4, 1400), r[ICMP].summary()'
}

# traffic MODE: every subscriber pings core and core pings it, through its
# tunnel; its up and down counters must grow.
traffic() {
	local mode=$1 n=0 row name type epopts up0 dn0 up1 dn1
	for row in "${ROWS[@]}"; do
		n=$((n + 1))
		read -r name type fams _ <<<"${row%%|*}"
		epopts=${row#*|}
		up0=$(stat sub "$name" up packets)
		nr0=$(stat global neigh_reply packets)
		dn0=$(stat sub "$name" down packets)
		# shellcheck disable=SC2086
		if ! check "$mode: $name ($type) endpoint starts" \
			endpoint_start $n "$type" "$fams" $epopts; then
			endpoint_stop
			continue
		fi
		check "$mode: $name: ping sub -> core through the tunnel" \
			ping_from sub 100.64.$n.2 198.51.100.2 3
		check "$mode: $name: ping core -> sub through the tunnel" \
			ping_from core 198.51.100.2 100.64.$n.2 3
		if [[ $fams == *6* ]]; then
			check "$mode: $name: ping sub -> core, IPv6" \
				ping_from sub 2001:db8:1:$n::2 $CORE6 3
			check "$mode: $name: ping core -> sub, IPv6" \
				ping_from core $CORE6 2001:db8:1:$n::2 3
		fi
		endpoint_stop
		bad=$(tr ' ' '\n' <"$TMP/ep$n.err" |
			grep -E '^(rx_(wrong|bad|short|not|gre_unsupported|gre_bad|other_ethertype|inner)|tx_tunnel_error)' |
			tr '\n' ' ')
		check "$mode: $name: endpoint saw nothing malformed${bad:+ ($bad)}" \
			test -z "$bad"
		if [ "$type" = gretap ]; then
			check "$mode: $name: gateway MAC learnt by ARP inside the tunnel ($(ep_counter $n gw_mac_v4))" \
				test "$(ep_counter $n gw_mac_v4)" = $GWMAC -a \
				"$(ep_counter $n arp_reply_received)" -gt 0
			check "$mode: $name: and by neighbour discovery ($(ep_counter $n gw_mac_v6))" \
				test "$(ep_counter $n gw_mac_v6)" = $GWMAC -a \
				"$(ep_counter $n na_received)" -gt 0
			nr1=$(stat global neigh_reply packets)
			check "$mode: $name: answered by tungate (neigh_reply $nr0 -> $nr1)" \
				test "$nr1" -ge $((nr0 + 2))
		fi
		up1=$(stat sub "$name" up packets)
		dn1=$(stat sub "$name" down packets)
		check "$mode: $name: counted by tungate: up $up0 -> $up1, down $dn0 -> $dn1 (+6 each)" \
			test $((up1 - up0)) -ge 6 -a $((dn1 - dn0)) -ge 6
	done
}

VERSION=$("$TUNGATE" --version | awk '{ print $2 }')

echo "# native XDP (the default)"
up_ok "up: both ports attached in native mode" "XDP program attached (native)"
check "up: links pinned (link_sub_$IF_CSUB, link_up_$IF_CUP)" \
	test -e "$PIN/link_sub_$IF_CSUB" -a -e "$PIN/link_up_$IF_CUP"
status_check "status -j: interfaces, roles, native mode, XDP programs" \
	"ifs['$IF_CSUB']['role'] == 'subscriber' and ifs['$IF_CSUB']['mode'] == 'native'
	 and ifs['$IF_CSUB']['state'] == 'attached'
	 and ifs['$IF_CSUB']['program']['name'] == 'tg_sub_xdp'
	 and ifs['$IF_CUP']['role'] == 'uplink' and ifs['$IF_CUP']['mode'] == 'native'
	 and ifs['$IF_CUP']['program']['name'] == 'tg_up_xdp'
	 and ifs['tg0']['role'] == 'egress' and ifs['tg0']['program']['name'] == 'tg_egress_tc'
	 and all(len(i['program']['tag']) == 16 and i['program']['id'] > 0
	         and i['program']['load_time'] > 1.6e18 and i['ifindex'] > 0
	         for i in s['interfaces'])"
status_check "status -j: version $VERSION, up_time, 4 subscribers (none WireGuard), last sync" \
	"s['version'] == '$VERSION' and s['up_time'] > 1.6e18
	 and s['subscribers'] == 4 and s['wireguard'] == 0
	 and s['sync']['result'] == 0
	 and s['sync']['count'] >= 1 and s['sync']['subscribers'] == 4"
status_check "status -j: fill levels (tg_tunnels 4, tg_prefix4 4, tg_encap + tg_encap1 4, tg_ports 2)" \
	"maps['tg_tunnels']['entries'] == 4 and maps['tg_tunnels']['max_entries'] > 4
	 and maps['tg_prefix4']['entries'] == 4
	 and maps['tg_encap']['entries'] + maps['tg_encap1']['entries'] == 4
	 and all(maps[m]['max_entries'] == maps['tg_encap']['max_entries']
	         for m in ('tg_gen', 'tg_encap1', 'tg_police1'))
	 and maps['tg_ports']['entries'] == 2
	 and maps['tg_sub_stats']['entries'] is None
	 and all(m['max_entries'] > 0 for m in s['maps'])"
status_text() {
	tg status >"$TMP/st.txt" &&
		grep -q "^  $IF_CSUB .*subscriber native  attached prog [0-9]* tg_sub_xdp tag" "$TMP/st.txt" &&
		grep -q "^version     $VERSION (last up " "$TMP/st.txt" &&
		grep -q "^  tg_tunnels  *4 / " "$TMP/st.txt"
}
check "status (text): interfaces, version, fill levels" status_text
traffic native
check "native: DF datagram over the tunnel MTU: fragmentation needed, MTU 1400" too_big

old_id=$(tg -j status | $PY -c 'import json,sys
print([i for i in json.load(sys.stdin)["interfaces"] if i["role"] == "subscriber"][0]["program"]["id"])')
up_ok "up again: programs replaced, native mode kept" "XDP program replaced (native)"
status_check "status -j: new subscriber program on the same link" \
	"ifs['$IF_CSUB']['program']['id'] != $old_id and ifs['$IF_CSUB']['mode'] == 'native'
	 and ifs['$IF_CSUB']['pin'] == 'link_sub_$IF_CSUB'"

# Jumbo frames: native XDP takes one page per frame (the programs are not
# multi-buffer), so an MTU making larger tunnel frames is refused by sync
# and up, naming the limit; generic XDP takes it.
jumbo_refused() {
	local what=$1
	shift
	if "$@" >"$TMP/j.out" 2>"$TMP/j.err"; then
		echo "       accepted: $(cat "$TMP/j.out")"
		return 1
	fi
	grep -q "$what: subscriber 'alice': --mtu 9000 makes tunnel frames of up to 9038 bytes, but native XDP on $IF_CSUB takes frames of at most [0-9]* .*--mode generic" \
		"$TMP/j.err" || { echo "       $(cat "$TMP/j.err")"; return 1; }
}
step "sub set alice --mtu 9000" tg sub set alice --mtu 9000
check "native: sync refuses an MTU of 9000, naming the limit" jumbo_refused sync tg sync
check "native: up refuses it too" jumbo_refused up \
	tg up --subscriber-if "$IF_CSUB" --uplink-if "$IF_CUP"
status_check "native: the refused up left the attachment alone" \
	"ifs['$IF_CSUB']['mode'] == 'native' and ifs['$IF_CSUB']['pin'] == 'link_sub_$IF_CSUB'"

echo "# generic XDP"
up_ok "up --mode generic: reattached in generic mode" \
	"XDP program reattached (generic)" --mode generic
check "generic: sync takes an MTU of 9000" tg sync
step "sub set alice --mtu 1400" tg sub set alice --mtu 1400
step "sync" tg sync
status_check "status -j: both ports in generic mode" \
	"ifs['$IF_CSUB']['mode'] == 'generic' and ifs['$IF_CUP']['mode'] == 'generic'"
check "generic XDP shown by ip link on $IF_CSUB" \
	sh -c "ip -n $CONC -d link show $IF_CSUB | grep -q 'xdpgeneric'"
traffic generic
check "generic: DF datagram over the tunnel MTU: fragmentation needed, MTU 1400" too_big

echo "# TC"
up_ok "up --mode tc: reattached as TC programs" "TC program reattached (tc)" --mode tc
check "tc: no XDP left on $IF_CSUB and $IF_CUP" \
	sh -c "! ip -n $CONC -d link show $IF_CSUB | grep -q prog/xdp &&
		! ip -n $CONC -d link show $IF_CUP | grep -q prog/xdp"
check "tc: clsact ingress filters tg_sub_tc on $IF_CSUB, tg_up_tc on $IF_CUP" \
	sh -c "tc -n $CONC filter show dev $IF_CSUB ingress | grep -q tg_sub_tc &&
		tc -n $CONC filter show dev $IF_CUP ingress | grep -q tg_up_tc"
status_check "status -j: tc mode, TC programs, pins tc_sub_/tc_up_" \
	"ifs['$IF_CSUB']['mode'] == 'tc' and ifs['$IF_CSUB']['program']['name'] == 'tg_sub_tc'
	 and ifs['$IF_CUP']['mode'] == 'tc' and ifs['$IF_CUP']['program']['name'] == 'tg_up_tc'
	 and ifs['$IF_CSUB']['pin'] == 'tc_sub_$IF_CSUB' and ifs['$IF_CUP']['state'] == 'attached'"
check "tc: no link pins left" \
	sh -c "! ls '$PIN' | grep -q '^link_'"
traffic tc
check "tc: DF datagram over the tunnel MTU: fragmentation needed, MTU 1400" too_big
up_ok "up again without --mode: TC programs replaced, tc mode kept" \
	"TC program replaced (tc)"

echo "# down --keep-state, up again"
a_up=$(stat sub alice up packets)
a_dn=$(stat sub alice down packets)
check "down --keep-state" tg down --keep-state
check "down --keep-state: no attachment pins, maps kept" \
	sh -c "ls '$PIN' >'$TMP/ls' && ! grep -qE '^(link|tc)_' '$TMP/ls' &&
		grep -q '^tg_tunnels$' '$TMP/ls' && grep -q '^tg_sub_stats$' '$TMP/ls'"
check "down --keep-state: TC filters gone" \
	sh -c "! tc -n $CONC filter show dev $IF_CSUB ingress | grep -q tg_sub_tc &&
		! tc -n $CONC filter show dev $IF_CUP ingress | grep -q tg_up_tc"
check "down --keep-state: counters kept (alice up $a_up, down $a_dn)" \
	test "$(stat sub alice up packets)" = "$a_up" -a \
	"$(stat sub alice down packets)" = "$a_dn"
status_nothing() {
	! tg status >"$TMP/st.out" 2>&1 &&
		grep -q "nothing attached under $PIN" "$TMP/st.out"
}
check "status with nothing attached: fails, says so" status_nothing
up_ok "up after down --keep-state: attached in native mode" \
	"XDP program attached (native)"
check "up after down --keep-state: counters continue (alice up $a_up)" \
	test "$(stat sub alice up packets)" = "$a_up"
status_check "status -j: still 4 subscribers on the kept maps" \
	"s['subscribers'] == 4 and maps['tg_tunnels']['entries'] == 4"

echo "# fallback and refusals"
# lo has no native XDP: the default mode falls back to generic and says so.
tg2() {
	in_conc "$TUNGATE" --pin-root "$PIN2" "$@"
}
fallback() {
	tg2 up --subscriber-if lo >"$TMP/fb.out" 2>"$TMP/fb.err" &&
		[ "$(wc -l <"$TMP/fb.err")" = 1 ] &&
		grep -q "iface 'lo': the driver refused native XDP (Operation not supported); attaching in generic mode" \
			"$TMP/fb.err" &&
		grep -q "lo: subscriber XDP program attached (generic)" "$TMP/fb.out" &&
		tg2 -j status | $PY -c 'import json, sys
s = json.load(sys.stdin)
assert [(i["ifname"], i["mode"], i["state"]) for i in s["interfaces"]] == [("lo", "generic", "attached")]'
}
if check "up on lo (no native XDP): one line on stderr, generic mode" fallback; then
	sed 's/^/       stderr: /' "$TMP/fb.err"
fi
forced_native() {
	tg2 down >/dev/null && ! tg2 up --subscriber-if lo --mode native \
		>"$TMP/fn.out" 2>&1 && grep -q "try --mode generic" "$TMP/fn.out"
}
check "up --mode native on lo: refused, suggests --mode generic" forced_native
# A bridge has no native XDP either: its driver refuses it.
bridge_fallback() {
	ip -n "$CONC" link add tgl-x0 type bridge &&
		ip -n "$CONC" link set tgl-x0 up &&
		tg2 up --subscriber-if tgl-x0 >"$TMP/inj.out" 2>"$TMP/inj.err" &&
		grep -q "iface 'tgl-x0': the driver refused native XDP" "$TMP/inj.err" &&
		grep -q "tgl-x0: subscriber XDP program attached (generic)" "$TMP/inj.out" &&
		ip -n "$CONC" -d link show tgl-x0 | grep -q xdpgeneric &&
		tg2 down >/dev/null
}
check "up on a bridge (no native XDP): generic" bridge_fallback
# refused WHAT EXPECT ARGS...: tungate ARGS fails and says EXPECT.
refused() {
	local what=$1 expect=$2
	shift 2
	if ! tg "$@" >"$TMP/ref.out" 2>&1 && grep -qF -- "$expect" "$TMP/ref.out"; then
		ok "$what"
	else
		fail "$what"
		sed 's/^/       /' "$TMP/ref.out"
	fi
}
refused "up: unknown interface refused" "tungate: up: interface 'tgl-nosuch0': No such device" \
	up --subscriber-if tgl-nosuch0
refused "up: over-long interface name refused" \
	"tungate: up: interface name 'abcdefghijklmnopq': not a valid name" \
	up --subscriber-if abcdefghijklmnopq
refused "up: unknown mode refused" "tungate: up: --mode 'fast': expected native, generic or tc" \
	up --subscriber-if "$IF_CSUB" --mode fast
refused "up: no subscriber interface refused" "at least one --subscriber-if" \
	up --uplink-if "$IF_CUP"
refused "status: unknown argument refused" "tungate: status: unknown argument '--bogus'" \
	status --bogus

echo "# prefixes on the concentrator's own networks"
# 192.0.2.0/24 is the access network on $IF_CSUB, 198.51.100.0/24 the
# uplink's: routed into a tunnel, they would take every tunnel's far end
# (or the core router) with them.
refused "sub add: a prefix on the access network refused" \
	"overlaps 192.0.2.0/24, the network of the concentrator's interface $IF_CSUB" \
	sub add erin --type gre --remote 192.0.2.40 --local 192.0.2.1 \
	--prefix 192.0.2.128/25
refused "sub set: a prefix holding the uplink network refused" \
	"overlaps 198.51.100.0/24, the network of the concentrator's interface $IF_CUP" \
	sub set alice --prefix 198.51.0.0/16
printf 'name,type,remote,local,prefixes\nerin,gre,192.0.2.40,192.0.2.1,192.0.2.7/32\n' \
	>"$TMP/onlink.csv"
refused "import: a prefix on the access network refused" \
	"erin': --prefix '192.0.2.7/32': overlaps 192.0.2.0/24" import "$TMP/onlink.csv"
step "erin on 100.64.9.0/24" tg sub add erin --type gre --remote 192.0.2.40 \
	--local 192.0.2.1 --prefix 100.64.9.0/24
step "sync" tg sync
n_in=$(tg -j status | $PY -c 'import json,sys; print(json.load(sys.stdin)["subscribers"])')
step "erin's prefix moved onto the access network without tungate" \
	sqlite3 "$DB" "UPDATE prefix SET prefix = '192.0.2.7/32' WHERE prefix = '100.64.9.0/24'"
refused "sync: that row refused, the maps as they were" \
	"subscriber 'erin': --prefix '192.0.2.7/32': overlaps 192.0.2.0/24" sync
check "sync refused: the subscribers in force unchanged" in_maps "$n_in"
step "erin removed" tg sub del erin
step "sync" tg sync
check "refusals left the attachment alone" \
	sh -c "ls '$PIN' | grep -q '^link_sub_$IF_CSUB\$' && ip -n $CONC -d link show $IF_CSUB | grep -q 'prog/xdp'"

echo "# a WireGuard member"
# The kernel's WireGuard, not the maps: a kernel without it is named, the
# maps are written all the same; with it, sync makes tgwg51820 in conc.
step "WireGuard member" tg sub add wgm --type wireguard \
	--public-key xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg= --prefix 100.64.8.0/24
# status counts it with the tunnels: never heard, down.
wg_counted() {
	status_check "status -j: 5 subscribers, 1 of them WireGuard, down" \
		"s['subscribers'] == 5 and s['wireguard'] == 1
		 and s['liveness']['down'] >= 1 and sum(s['liveness'].values()) == 5"
	check "status: subscribers 5 (1 wireguard)" wg_status_text
	# Maps of an older layout (no tg_encap1): the tunnels, as before.
	mv "$PIN/tg_encap1" "$PIN/tg_encap1_aside" &&
		tg -j status >"$TMP/status.json" 2>&1
	mv "$PIN/tg_encap1_aside" "$PIN/tg_encap1"
	$PY -c 'import json, sys
s = json.load(open(sys.argv[1]))
sys.exit(not (s["subscribers"] == 4 and s["wireguard"] is None))' "$TMP/status.json" &&
		ok "status -j without tg_encap1: the 4 tunnels, wireguard null" ||
		fail "status -j without tg_encap1: $(head -c 300 "$TMP/status.json")"
}
wg_status_text() {
	tg status >"$TMP/st.txt" &&
		grep -q '^subscribers 5 (1 wireguard): [0-9]* up, [0-9]* idle, [1-9][0-9]* down$' "$TMP/st.txt"
}
if ip -n "$CONC" link add "tgl-wg$$" type wireguard 2>/dev/null; then
	ip -n "$CONC" link del "tgl-wg$$"
	check "sync: the member's peer on tgwg51820" \
		sh -c "'$TUNGATE' --db '$DB' --pin-root '$PIN' sync 2>&1 | grep -q '^wireguard tgwg51820: port 51820, .* 1 peers'"
	wg_counted
	step "WireGuard member removed" tg sub del wgm
	check "sync: the interface no member uses deleted" tg sync
	check "tgwg51820 gone" sh -c "! ip -n '$CONC' link show tgwg51820 2>/dev/null"
else
	refused "sync: a kernel without WireGuard is named" \
		"tungate: sync: the maps are written, but WireGuard is not: the kernel has no WireGuard (load the module: modprobe wireguard)" sync
	wg_counted
	step "WireGuard member removed" tg sub del wgm
	check "sync without WireGuard members: nothing asked of the kernel" tg sync
fi
# Made by the first sync with a member, kept for the next ones.
[ "$(command stat -c %a "$TMP/wireguard.key" 2>&1)" = 600 ] &&
	ok "private key beside the database, mode 600" ||
	fail "private key: $(ls -l "$TMP/wireguard.key" 2>&1)"

echo "# down"
check "down" tg down
check "down: pin root $PIN removed" test ! -e "$PIN"
check "down: no XDP, no TC filter, no tg0 left" \
	sh -c "! ip -n $CONC -d link show $IF_CSUB | grep -q prog/xdp &&
		! ip -n $CONC -d link show $IF_CUP | grep -q prog/xdp &&
		! tc -n $CONC filter show dev $IF_CSUB ingress | grep -q bpf &&
		! ip -n $CONC link show dev tg0 2>/dev/null"
down_again() {
	tg down | grep -q "nothing under $PIN"
}
check "down again: nothing to do, succeeds" down_again
status_none() {
	! tg -j status >"$TMP/st.out" 2>&1 &&
		grep -q '"error":"status: pin root' "$TMP/st.out"
}
check "status -j without a pin root: {\"error\": ...}, non-zero" status_none

finish
