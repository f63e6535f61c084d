#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# End-to-end decapsulation through real interfaces (topology in lib.sh):
# tungate runs in conc with its subscriber program on the sub-facing veth
# (native XDP). Tunnel packets sent from sub must reach a UDP socket in core
# decapsulated, TTL decremented once, counted as ok; spoofed ones must not
# arrive; plain traffic to conc keeps working; `tungate down` leaves nothing.
#
# Needs root. Outside CI it says SKIP and succeeds; with CI=true a skip fails.
set -uo pipefail

TAG=tg-e2e
. "$(dirname "$0")/lib.sh"
N=100

require_root_tools
trap topo_cleanup EXIT
trap "exit 1" INT TERM

topo_setup || die "namespace setup"

# Subscribers: one IPIP, one keyed GRE, one L2TPv2.
tg db init >/dev/null || die "db init"
add_alice
add_bob
tg sub add carol --type l2tpv2 --tunnel-id 10 --session 20 \
	--remote 192.0.2.12 --local 192.0.2.1 --prefix 100.64.3.0/24 \
	>/dev/null || die "sub add carol"
step "sync" tg sync
step "up (native XDP on $IF_CSUB)" \
	tg up --subscriber-if "$IF_CSUB" --uplink-if "$IF_CUP"
check "link pinned at $PIN/link_sub_$IF_CSUB" test -e "$PIN/link_sub_$IF_CSUB"
check "XDP attached to $IF_CSUB" \
	sh -c "ip -n '$CONC' -d link show $IF_CSUB | grep -q 'prog/xdp'"
# Running up again replaces the program on the pinned link.
up_again() {
	tg up --subscriber-if "$IF_CSUB" --uplink-if "$IF_CUP" | grep -q replaced
}
check "up again replaces the program" up_again

ok_before=$(stat global ok packets) || die "tungate stats"
spoof_before=$(stat global spoofed_src packets)

sink_start || die "UDP receiver did not start"
for kind in ipip gre-key l2tpv2 spoof; do
	send "$kind" $N || fail "sending $kind frames"
done
sink_stop

for kind in ipip gre-key l2tpv2; do
	got=$(sink_field "$kind" count)
	ttl=$(sink_field "$kind" ttl)
	bad=$(sink_field "$kind" bad)
	check "$kind: $N of $N arrived decapsulated in core (got $got)" \
		test "$got" = "$N" -a "$bad" = 0
	check "$kind: TTL 63 after one hop (got $ttl)" test "$ttl" = 63
done
got=$(sink_field spoof count)
check "spoofed source: none arrived (got $got)" test "$got" = 0

d_ok=$(($(stat global ok packets) - ok_before))
d_spoof=$(($(stat global spoofed_src packets) - spoof_before))
check "stats: global ok grew by $((3 * N)) (got $d_ok)" test "$d_ok" = $((3 * N))
check "stats: global spoofed_src grew by $N (got $d_spoof)" test "$d_spoof" = $N
a_up=$(stat sub alice up packets)
a_spoof=$(stat sub alice reasons spoofed_src)
check "stats: alice $N up, $N spoofed_src (got $a_up, $a_spoof)" \
	test "$a_up" = $N -a "$a_spoof" = $N
b_bytes=$(stat sub bob up bytes)
check "stats: bob's up bytes count inner IP bytes (got $b_bytes)" \
	test "$b_bytes" -gt $((N * 28))

# Not a tunnel: passed to conc's own stack, counted as not_tunnel.
nt_before=$(stat global not_tunnel packets)
ping3() {
	if command -v ping >/dev/null; then
		ip netns exec "$SUB" ping -q -c 3 -i 0.2 -W 2 -I 192.0.2.10 192.0.2.1
	else
		ip netns exec "$SUB" $PY "$E2E/icmp_echo.py" 192.0.2.10 192.0.2.1 3
	fi
}
check "plain ping sub -> conc with tungate attached" ping3
d_nt=$(($(stat global not_tunnel packets) - nt_before))
check "stats: global not_tunnel grew by at least 3 (got $d_nt)" test "$d_nt" -ge 3

check "down" tg down
check "down: pin root $PIN removed" test ! -e "$PIN"
check "down: no XDP left on $IF_CSUB" \
	sh -c "! ip -n '$CONC' -d link show $IF_CSUB | grep -q 'prog/xdp'"

finish
