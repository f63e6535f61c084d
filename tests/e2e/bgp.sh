#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# tungate beside BIRD (routed topology of lib.sh): BIRD 2 in conc and core
# peer over eBGP on the conc -- core link, across tungate's uplink program.
#
# - Core announces 198.51.100.0/24 and 2001:db8:ff::/64; conc's kernel
#   route there comes only from BIRD, and decapsulated subscriber traffic
#   follows it with bpf_fib_lookup (forwarded, counted ok; nothing handed
#   to the kernel).
# - Conc's BIRD announces the subscriber prefixes of `tungate bird`'s
#   include; core learns them and its replies reach the subscribers
#   encapsulated. A prefix added later reaches core through `tungate bird
#   --birdc-socket`.
# - Ping and a TCP transfer both ways for every tunnel type, through the
#   userspace tunnel endpoint (tunnel_endpoint.py).
# - While tungate is attached, upgraded (`up` again) and detached (`down`),
#   both BGP sessions stay Established (never restarted), and GRE from an
#   address that is no subscriber's keeps reaching conc's kernel.
#
# Needs root, bird2 and /dev/net/tun. Outside CI it says SKIP and
# succeeds; with CI=true a skip fails.
set -uo pipefail

TAG=tg-bgp
. "$(dirname "$0")/lib.sh"
BYTES=${BYTES:-262144}
export TG_TCP_TIMEOUT=10
UNKNOWN=192.0.2.99

trap topo_cleanup EXIT
trap "exit 1" INT TERM
require_root_tools
# Immune to rebuilds of build/ while it runs.
cp "$TUNGATE" "$TMP/tungate" && TUNGATE=$TMP/tungate
for tool in bird birdc; do
	command -v $tool >/dev/null || skip "$tool not installed (bird2)"
done
[ -c /dev/net/tun ] || skip "no /dev/net/tun"

# Subscribers, one per tunnel type: name type families tungate-options |
# endpoint options (ids as seen from the endpoint). Row N uses outer
# 192.0.2.1N and prefixes 100.64.N.0/24, 2001:db8:1:N::/64.
ROWS=(
	"ipip ipip 4 | "
	"sit sit 6 | "
	"gre gre 46 --key 7 | --key 7"
	"gretap gretap 4 --key 9 | --key 9"
	"eoip eoip 4 --tunnel-id 300 | --tunnel-id 300"
	"l2tpv3-ip l2tpv3-ip 4 --session 20 --peer-session 21 --cookie 0102030405060708 --peer-cookie a1a2a3a4 | --session 21 --peer-session 20 --cookie a1a2a3a4 --peer-cookie 0102030405060708"
	"l2tpv3-udp l2tpv3-udp 4 --session 30 --peer-session 31 --sublayer none | --session 31 --peer-session 30 --sublayer none --local-port 40001"
	"l2tpv2 l2tpv2 4 --tunnel-id 10 --session 20 --peer-tunnel-id 11 --peer-session 21 --peer-port 40002 | --tunnel-id 11 --session 21 --peer-tunnel-id 10 --peer-session 20 --local-port 40002"
)

routed_setup ${#ROWS[@]} || die "namespace setup"
ip -n "$SUB" addr add $UNKNOWN/24 dev "$IF_SUB" || die "address $UNKNOWN"
v6_ready || die "IPv6 addresses still tentative"

tg db init >/dev/null || die "db init"
rows_add
# Nothing attached yet: the include withdraws everything.
check "tungate bird --output $BIRD_INC before up: no routes" sh -c \
	"'$TUNGATE' --db '$DB' --pin-root '$PIN' bird --output '$BIRD_INC' |
		grep -q 'withdrawn (data plane detached)'"
step "BIRD started in core" bird_start core
step "BIRD started in conc (including tungate's file)" bird_start conc
step "sync" tg sync
step "up --subscriber-if $IF_CSUB --uplink-if $IF_CUP (native XDP)" \
	tg up --subscriber-if "$IF_CSUB" --uplink-if "$IF_CUP"
step "tungate bird --birdc-socket: attached, announcing" \
	tg bird --output "$BIRD_INC" --birdc-socket "$TMP/bird-conc.ctl"
check "both BGP sessions Established, core's prefixes in conc's kernel" wait_bgp
SINCE=$(bgp_state conc)
echo "       conc: $SINCE"

# Conc has no address in 198.51.100.0/24: BIRD's route is its only way.
routes=$(ip -n "$CONC" -4 route show match $CORE4)
check "conc: the only route to $CORE4 is BIRD's ($routes)" \
	test "$(echo "$routes" | wc -l)" = 1 -a -n "$(echo "$routes" | grep "via $LINK4_CORE .*proto bird")"
routes=$(ip -n "$CONC" -6 route show match $CORE6 | grep -v '^default')
check "conc: the only route to $CORE6 is BIRD's ($routes)" \
	test "$(echo "$routes" | wc -l)" = 1 -a -n "$(echo "$routes" | grep 'proto bird')"
check "conc: no BIRD route to the subscribers in the kernel (tungate's own)" \
	sh -c "! ip -n $CONC route show proto bird | grep -q '^100.64' &&
		! ip -n $CONC -6 route show proto bird | grep -q '^2001:db8:1:'"

# Core learnt every subscriber prefix from conc's BIRD.
core_has() {
	local fam=-4
	[[ $1 == *:* ]] && fam=-6
	ip -n "$CORE" $fam route show proto bird | grep -q "^$1 via $2"
}
core_learns() {
	local _
	for _ in $(seq 100); do
		core_has "$@" && return 0
		sleep 0.1
	done
	return 1
}
n=0
for row in "${ROWS[@]}"; do
	n=$((n + 1))
	read -r name type fams _ <<<"${row%%|*}"
	[[ $fams == *4* ]] && check "core learnt $name's 100.64.$n.0/24 via $LINK4_CONC" \
		core_learns 100.64.$n.0/24 $LINK4_CONC
	[[ $fams == *6* ]] && check "core learnt $name's 2001:db8:1:$n::/64 via $LINK6_CONC" \
		core_learns 2001:db8:1:$n::/64 $LINK6_CONC
done

# unknown_passes PHASE: GRE from $UNKNOWN (no subscriber) reaches conc's
# IP stack (a raw GRE socket there receives all 5 packets).
unknown_passes() {
	rm -f "$TMP/raw.ready"
	in_conc $PY -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 47)
s.settimeout(0.2)
open(sys.argv[1], "w").close()
n, end = 0, time.monotonic() + 5
while n < 5 and time.monotonic() < end:
    try:
        d, a = s.recvfrom(2048)
    except socket.timeout:
        continue
    n += a[0] == sys.argv[2]
print(n)
sys.exit(0 if n == 5 else 1)' "$TMP/raw.ready" $UNKNOWN >"$TMP/raw.out" &
	local pid=$! _
	for _ in $(seq 50); do
		[ -e "$TMP/raw.ready" ] && break
		sleep 0.1
	done
	in_sub $PY -c '
import sys
from scapy.all import GRE, IP, UDP, Ether, Raw, sendp
p = (Ether(dst=sys.argv[2]) / IP(src=sys.argv[3], dst="192.0.2.1") / GRE() /
     IP(src="100.64.200.1", dst="198.51.100.2") / UDP(sport=4000, dport=9) / Raw(b"unknown"))
sendp([p] * 5, iface=sys.argv[1], verbose=False)' "$IF_SUB" $MAC_CSUB $UNKNOWN
	wait $pid
}
# same_since A B: two bgp_state lines alike, their "since" times within
# 50 ms (BIRD prints the same instant a millisecond apart now and then; a
# restart moves it by seconds).
same_since() {
	awk -v a="$1" -v b="$2" 'function ms(t, f) {
		split(t, f, ":")
		return (f[1] * 3600 + f[2] * 60 + f[3]) * 1000
	}
	BEGIN {
		n = split(a, x, " ")
		if (n != split(b, y, " "))
			exit 1
		for (i = 1; i <= n; i++) {
			if (x[i] ~ /^[0-9]+:[0-9]+:[0-9.]+$/ &&
			    y[i] ~ /^[0-9]+:[0-9]+:[0-9.]+$/) {
				d = ms(x[i]) - ms(y[i])
				if (d < -50 || d > 50)
					exit 1
			} else if (x[i] != y[i]) {
				exit 1
			}
		}
	}'
}
# session_kept PHASE: both sessions Established since the first check.
session_kept() {
	local now
	now=$(bgp_state conc)
	check "$1: BGP sessions still Established, not restarted ($now)" \
		same_since "$now" "$SINCE"
}

# What conc's own IP stack forwarded (IPv4 and IPv6).
kernel_forwarded() {
	ip netns exec "$CONC" awk '$1 == "Ip:" && $7 ~ /^[0-9]+$/ { n += $7 }
		$1 == "Ip6OutForwDatagrams" { n += $2 } END { print n + 0 }' \
		/proc/net/snmp /proc/net/snmp6
}

# Every tunnel type both ways. Decapsulated packets must be forwarded by
# XDP along BIRD's route: the reasons that hand a packet to the kernel
# (passed_to_kernel) must not grow.
tcp_servers_start || die "TCP servers did not start"
ok_before=$(stat global ok packets)
kern_before=$(passed_to_kernel)
fwd_before=$(kernel_forwarded)
n=0
for row in "${ROWS[@]}"; do
	n=$((n + 1))
	read -r name type fams _ <<<"${row%%|*}"
	epopts=${row#*|}
	# shellcheck disable=SC2086
	step "$name: endpoint starts" endpoint_start $n "$type" "$fams" $epopts
	[[ $fams == *4* ]] && pings_and_tcp "$name IPv4" 100.64.$n.2 $CORE4
	[[ $fams == *6* ]] && pings_and_tcp "$name IPv6" 2001:db8:1:$n::2 $CORE6
	endpoint_stop
	up=$(stat sub "$name" up bytes) down=$(stat sub "$name" down bytes)
	check "$name: tungate counted $up bytes up, $down down (>= $BYTES each)" \
		test "$up" -ge "$BYTES" -a "$down" -ge "$BYTES"
done
d_ok=$(($(stat global ok packets) - ok_before))
d_kern=$(($(passed_to_kernel) - kern_before))
check "decapsulated traffic forwarded by XDP: ok +$d_ok, passed to the kernel +$d_kern" \
	test "$d_ok" -gt 0 -a "$d_kern" = 0
d_fwd=$(($(kernel_forwarded) - fwd_before))
check "conc's kernel forwarded none of it (ForwDatagrams +$d_fwd)" test "$d_fwd" = 0

# Attached.
session_kept "attached"
u0=$(stat global unknown_tunnel packets)
check "attached: unknown GRE from $UNKNOWN reaches conc's kernel" unknown_passes
u1=$(stat global unknown_tunnel packets)
check "attached: counted unknown_tunnel ($u0 -> $u1)" test $((u1 - u0)) -ge 5

# A prefix added later reaches core through BIRD's reconfiguration.
add_prefix() {
	tg sub set ipip --add-prefix 100.64.99.0/24 >/dev/null &&
		tg sync >/dev/null &&
		tg bird --output "$BIRD_INC" --birdc-socket "$TMP/bird-conc.ctl"
}
check "sub set ipip --add-prefix 100.64.99.0/24; sync; bird --birdc-socket" add_prefix
check "core learnt 100.64.99.0/24" core_learns 100.64.99.0/24 $LINK4_CONC
session_kept "BIRD reconfigured"

# Upgraded: up again replaces the programs on their pinned links.
check "upgrade: up again" tg up --subscriber-if "$IF_CSUB" --uplink-if "$IF_CUP"
sleep 7	# more than the hold time: a lost keepalive would show
session_kept "upgraded"
check "upgraded: unknown GRE from $UNKNOWN reaches conc's kernel" unknown_passes
step "upgraded: gre endpoint starts" endpoint_start 3 gre 46 --key 7
pings_and_tcp "upgraded: gre IPv4" 100.64.3.2 $CORE4
check "upgraded: gre IPv6: ping sub -> core" ping_from sub 2001:db8:1:3::2 $CORE6
endpoint_stop

# Detached.
check "down" tg down
check "down: no XDP left on $IF_CSUB and $IF_CUP" \
	sh -c "! ip -n $CONC -d link show | grep -q 'prog/xdp'"
sleep 7
session_kept "detached"
check "detached: unknown GRE from $UNKNOWN reaches conc's kernel" unknown_passes

# The daemon: SIGKILLed (several times, right after database changes, so
# some kills land in a sync) under a continuous UDP stream through the gre
# subscriber, restarted each time; no packet of the stream may be lost, and
# the last daemon applies what the killed ones left.
daemon_start() {
	# Not through a shell function: $! must be tungate itself.
	nsenter --net=/run/netns/"$CONC" "$TUNGATE" --db "$DB" --pin-root "$PIN" \
		run --interval 100 --bird-output "$BIRD_INC" \
		--birdc-socket "$TMP/bird-conc.ctl" 2>>"$TMP/run.log" &
	RUN_PID=$!
	BG_PIDS+=("$RUN_PID")
}
# kill9: SIGKILL the daemon (checked to be tungate), wait until it is gone.
kill9() {
	[ "$(cat /proc/"$RUN_PID"/comm 2>/dev/null)" = tungate ] || return 1
	kill -9 "$RUN_PID" || return 1
	wait "$RUN_PID" 2>/dev/null
	! kill -0 "$RUN_PID" 2>/dev/null
}
check "up again" tg up --subscriber-if "$IF_CSUB" --uplink-if "$IF_CUP"
daemon_start
check "gre endpoint starts" endpoint_start 3 gre 46 --key 7 || finish
sink_start || die "UDP receiver did not start"
rm -f "$TMP/stream.stop"
in_sub $PY -c '
import os, socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 0))
n, t = 0, time.monotonic()
while not os.path.exists(sys.argv[3]):
    s.sendto(b"stream %d" % n, (sys.argv[2], 9999))
    n += 1
    t += 0.002
    time.sleep(max(0, t - time.monotonic()))
print(n)' 100.64.3.2 $CORE4 "$TMP/stream.stop" >"$TMP/stream.sent" &
STREAM_PID=$!
BG_PIDS+=("$STREAM_PID")
sleep 1
kills=0
for i in 1 2 3 4 5 6; do
	# A change for the daemon to apply, then SIGKILL 0..300 ms later.
	if [ $((i % 2)) = 1 ]; then
		tg sub set ipip --add-prefix 100.64.97.0/24 >/dev/null
	else
		tg sub set ipip --del-prefix 100.64.97.0/24 >/dev/null
	fi
	sleep "0.$((RANDOM % 3))$((RANDOM % 10))"
	kill9 && kills=$((kills + 1))
	daemon_start
	sleep 0.5
done
check "daemon killed with SIGKILL $kills times under the stream, restarted" test $kills = 6
# A change for the last daemon: a prefix for the streaming subscriber.
tg sub set gre --add-prefix 100.64.98.0/24 >/dev/null
applied() {
	local _
	for _ in $(seq 50); do
		ip -n "$CONC" route show proto 240 | grep -q '^100.64.98.0/24 dev tg0' &&
			core_has 100.64.98.0/24 $LINK4_CONC && return 0
		sleep 0.1
	done
	return 1
}
check "restarted daemon applied 'sub set gre --add-prefix 100.64.98.0/24': route to tg0, core learnt it" \
	applied
sleep 1
touch "$TMP/stream.stop"
wait "$STREAM_PID"
sink_stop
sent=$(cat "$TMP/stream.sent")
got=$(sink_field stream count)
bad=$(sink_field stream bad)
check "stream through gre: $got of $sent packets arrived, none twice ($bad)" \
	test "$got" = "$sent" -a "$bad" = 0 -a "${sent:-0}" -gt 1000
endpoint_stop
nothing_to_sync() {
	tg -j sync --dry-run --full | $PY -c 'import json, sys
j = json.load(sys.stdin)
print(j)
sys.exit(0 if j["added"] == j["changed"] == j["removed"] == 0 else 1)'
}
check "nothing left to sync after the kills (sync --dry-run --full)" nothing_to_sync
bird_current() {
	tg bird --output "$BIRD_INC" | grep 'is current'
}
check "BIRD include current after the kills" bird_current

# What the daemon announces follows this POP within a second: the anycast
# prefix and a home POP elsewhere (MED 100 at core), a drain and the data
# plane going (every route withdrawn from BIRD), and back.
conc_routes() {
	birdc_in conc show route | grep -c ' blackhole \[tungate[46] '
}
# wait_routes N TENTHS: conc's BIRD has N routes of tungate within TENTHS.
wait_routes() {
	local _
	for _ in $(seq "$2"); do
		[ "$(conc_routes)" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
core_med() {
	birdc_in core show route 100.64.1.0/24 all | grep -q "BGP.med: $1"
}
tg config set anycast 192.0.2.1/32 >/dev/null &&
	tg sub set ipip --home-pop elsewhere >/dev/null
check "anycast and home POP: core learnt 192.0.2.1/32" \
	core_learns 192.0.2.1 $LINK4_CONC
check "home POP elsewhere: core sees ipip's 100.64.1.0/24 with MED 100" \
	wait_for 30 core_med 100
core_med 100 || { grep -F 100.64.1.0/24 "$BIRD_INC"; birdc_in core show route 100.64.1.0/24 all; } |
	sed 's/^/       /'
tg sub set ipip --no-home-pop >/dev/null
check "no home POP: MED gone at core" wait_for 30 sh -c \
	"! birdc -s '$TMP/bird-core.ctl' show route 100.64.1.0/24 all | grep -q BGP.med"
n_all=$(conc_routes)
tgc() { nsenter --net=/run/netns/"$CONC" "$TUNGATE" --db "$DB" --pin-root "$PIN" "$@"; }
# withdrawn_by CMD...: after CMD conc's BIRD has no route of tungate within
# 1.5 s (the daemon looks every 250 ms); says how long it took. Timed under
# the machine's bench lock, unless something holds that for a minute.
withdrawn_by() {
	local t0 t1 rc=1 lock=""
	exec 9>/tmp/tg-bench.lock
	flock -w 60 9 || lock=" (bench lock busy: timed without it)"
	t0=$(date +%s%N)
	if "$@" >/dev/null && wait_routes 0 15; then
		t1=$(date +%s%N)
		echo "withdrawn from conc's BIRD $(((t1 - t0) / 1000000)) ms after$lock"
		rc=0
	fi
	flock -u 9
	exec 9>&-
	return $rc
}
# back_by CMD...: the routes of before back within 1.5 s of CMD.
back_by() {
	"$@" >/dev/null && wait_routes "$n_all" 15
}
check "drain with the daemon: every route withdrawn within 1.5 s" withdrawn_by tgc drain
sed 's/^/       /' "$TMP/out"
check "drained: core lost 100.64.1.0/24 and 192.0.2.1/32" wait_for 50 sh -c \
	"! ip -n $CORE route show proto bird | grep -q -e '^100.64.1.0/24' -e '^192.0.2.1 '"
drained_status() { tgc -j status | grep -q '"bgp":"drained"'; }
check "drained: status -j says bgp drained" drained_status
check "drain --off: the $n_all routes back within 1.5 s" back_by tgc drain --off
check "resumed: core learnt 100.64.1.0/24 again" core_learns 100.64.1.0/24 $LINK4_CONC
check "data plane detached under the daemon: every route withdrawn within 1.5 s" \
	withdrawn_by tgc down
sed 's/^/       /' "$TMP/out"
check "the daemon logged the detach" grep -q 'now withdrawn (data plane detached)' "$TMP/run.log"
check "attached again: the $n_all routes back within 1.5 s" \
	back_by tgc up --subscriber-if "$IF_CSUB" --uplink-if "$IF_CUP"
kill "$RUN_PID"
wait "$RUN_PID"
rc=$?
check "daemon exits 0 on SIGTERM (got $rc)" test $rc = 0
check "one daemon at a time: 7 starts, 6 killed, 1 ended by SIGTERM" \
	test "$(grep -c 'started' "$TMP/run.log")" = 7 -a -z "$(pgrep -f "run --interval 100 --bird-output $BIRD_INC")"
session_kept "after the daemon part"

finish
