#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Steering (tungate up --steer): the subscriber interface of the policing
# topology (police_lib.sh) steered over every CPU.
#   - one GRE tunnel (checksum, key, sequence) carrying 64 inner UDP flows,
#     sent from one CPU: every datagram arrives at core intact, and the
#     work was done on every CPU (per-CPU counters); with --no-steer, on
#     the sending CPU only;
#   - TCP with 8 streams through a userspace GRE endpoint, policed at
#     POL_RATE Mbit/s (default 20): goodput >= 85% of the rate and no more
#     than rate x time + burst arrived, as in police_tcp.sh;
#   - what goes to the kernel still does: ping and TCP to the
#     concentrator's own address outside the tunnel, ping through it;
#   - the setting: status shows it, up run again keeps it, --steer IF:CPUS
#     changes it, --no-steer ends it, bad values are refused and change
#     nothing.
# Needs root and 2 CPUs. Outside CI it says SKIP and succeeds; with CI=true
# a skip fails.
TAG=tg-steer
# shellcheck source=tests/e2e/police_lib.sh
. "$(dirname "$0")/police_lib.sh"
IF_SUB=tg-steer-sub
IF_CSUB=tg-steer-csub
IF_CUP=tg-steer-cup
IF_CORE=tg-steer-core

RATE=${POL_RATE:-20}
SECS=${POL_SECS:-6}
PORT=5201
FLOWS=64
COUNT=640

trap cleanup EXIT
trap "exit 1" INT TERM
require iperf3 bpftool taskset bird birdc
[ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs"

# steer_of IF: the steered CPUs status -j gives IF ("null": none).
steer_of() {
	tg -j status | $PY -c 'import json, sys
for i in json.load(sys.stdin)["interfaces"]:
    if i["ifname"] == sys.argv[1]:
        print(i.get("steer_cpus") or "null")' "$1"
}
# prog_of IF: the name of IF's program.
prog_of() {
	tg -j status | $PY -c 'import json, sys
for i in json.load(sys.stdin)["interfaces"]:
    if i["ifname"] == sys.argv[1]:
        print((i.get("program") or {}).get("name"))' "$1"
}
# status_says REGEX: tungate status prints a line matching REGEX.
status_says() {
	tg status | grep -q -- "$1"
}
# per_cpu: packets counted by the data plane on each CPU, all reasons,
# one line "N0 N1 ...".
per_cpu() {
	bpftool -j map dump pinned "$PIN/tg_global_stats" | $PY -c 'import json, sys
tot = {}
for e in json.load(sys.stdin):
    for v in e["values"]:
        val = v["value"]
        n = val["packets"] if isinstance(val, dict) else int.from_bytes(bytes(int(b, 16) for b in val[:8]), "little")
        tot[v["cpu"]] = tot.get(v["cpu"], 0) + n
print(" ".join(str(tot[c]) for c in sorted(tot)))'
}
# flows_burst WHAT: COUNT frames of FLOWS flows from CPU 0, all counted at
# core's sink, none bad; sets DELTA to the packets counted per CPU.
flows_burst() {
	local before after
	before=$(per_cpu)
	sink_start || die "sink"
	in_sub taskset -c 0 $PY "$E2E/steer_flows.py" "$IF_SUB" "$MAC_CSUB" \
		192.0.2.11 100.64.2 $FLOWS $COUNT || fail "$1: sender failed"
	sink_stop
	after=$(per_cpu)
	DELTA=$($PY -c 'import sys
a, b = sys.argv[1].split(), sys.argv[2].split()
print(" ".join(str(int(y) - int(x)) for x, y in zip(a, b)))' "$before" "$after")
	check "$1: $COUNT datagrams of $FLOWS flows arrived ($(sink_field steer count))" \
		test "$(sink_field steer count)" = $COUNT
	check "$1: none bad or repeated" test "$(sink_field steer bad)" = 0
	echo "       $1: packets per CPU: $DELTA"
}

setup 2 || die "namespace setup"
tg db init >/dev/null || die "db init"
step "class r$RATE: ${RATE}mbit both ways" \
	tg class add r$RATE --down-rate ${RATE}mbit --up-rate ${RATE}mbit
step "sub add alice (GRE, class r$RATE)" add_sub 1 alice --class r$RATE
# bob: the tunnel of send_tunnels.py's gre-key frames and steer_flows.py.
step "sub add bob (GRE key 7, unpoliced)" tg sub add bob --type gre --key 7 \
	--remote 192.0.2.11 --local 192.0.2.1 --prefix 100.64.2.0/24
step "sync" tg sync

# The setting's command line first: refused values change nothing.
step "up --steer $IF_CSUB" tg up --subscriber-if $IF_CSUB --uplink-if $IF_CUP \
	--steer $IF_CSUB
online=$(cat /sys/devices/system/cpu/online)
check "status: steered over every online CPU ($online)" \
	test "$(steer_of $IF_CSUB)" = "$online"
check "status: $IF_CSUB runs tg_steer_xdp" test "$(prog_of $IF_CSUB)" = tg_steer_xdp
check "status (text) says it, with tg_sub_cpumap on those CPUs" \
	status_says "steered over CPUs $online: prog [0-9]* tg_sub_cpumap"
step "up again without --steer" tg up --subscriber-if $IF_CSUB --uplink-if $IF_CUP
check "re-run of up keeps the steering" test "$(steer_of $IF_CSUB)" = "$online"
check "re-run of up keeps tg_steer_xdp" test "$(prog_of $IF_CSUB)" = tg_steer_xdp

# refused MESSAGE-PART ARGS...: up fails, says MESSAGE-PART, nothing changes.
refused() {
	local want=$1 out
	shift
	out=$(tg up --subscriber-if $IF_CSUB --uplink-if $IF_CUP "$@" 2>&1)
	if [ $? -ne 0 ] && grep -q -- "$want" <<<"$out" &&
		[ "$(steer_of $IF_CSUB)" = "$online" ]; then
		ok "refused: up $* ($out)"
	else
		fail "refused: up $*: wanted '$want', got: $out; steering $(steer_of $IF_CSUB)"
	fi
}
refused "CPU 999: steering takes CPUs 0-127" --steer $IF_CSUB:999
refused "is not online" --steer $IF_CSUB:127
refused "runs backwards" --steer $IF_CSUB:1-0
refused "is not a CPU list" --steer $IF_CSUB:x
refused "an empty CPU list" --steer $IF_CSUB:
refused "is not a --subscriber-if of this up" --steer $IF_CUP
refused "is not a --subscriber-if of this up" --steer nosuchif
refused "already given by --steer" --steer $IF_CSUB --no-steer $IF_CSUB
refused "steering needs XDP, not --mode tc" --mode tc --steer $IF_CSUB
refused "add --no-steer $IF_CSUB" --mode tc
refused "needs a value" --steer
step "up --steer $IF_CSUB:0" tg up --subscriber-if $IF_CSUB --uplink-if $IF_CUP \
	--steer $IF_CSUB:0
check "status: steered over CPU 0" test "$(steer_of $IF_CSUB)" = 0
step "up --steer $IF_CSUB:0-1" tg up --subscriber-if $IF_CSUB --uplink-if $IF_CUP \
	--steer $IF_CSUB:0-1
check "status: steered over CPUs 0-1" test "$(steer_of $IF_CSUB)" = 0-1

# BGP from a router on the access network (192.0.2.12) to BIRD in conc:
# its packets arrive on the steered interface and go to the kernel from
# the CPU they were steered to. Kept up through every up below.
bgp_conf() {
	cat <<CONF
router id $1;
protocol device {}
protocol bgp access {
	local $1 as $2;
	neighbor $3 as $4;
	hold time 6;
	keepalive time 2;
	connect retry time 2;
	ipv4 { import none; export none; };
}
CONF
}
bgp_conf 192.0.2.1 64496 192.0.2.12 64510 >"$TMP/bird-conc.conf"
bgp_conf 192.0.2.12 64510 192.0.2.1 64496 >"$TMP/bird-sub.conf"
in_conc bird -c "$TMP/bird-conc.conf" -s "$TMP/bird-conc.ctl" -P "$TMP/bird-conc.pid" ||
	die "BIRD in conc"
in_sub bird -c "$TMP/bird-sub.conf" -s "$TMP/bird-sub.ctl" -P "$TMP/bird-sub.pid" ||
	die "BIRD in sub"
bgp_up() {
	birdc -s "$TMP/bird-conc.ctl" show protocols access | grep -q Established
}
check "BGP to BIRD in conc over the steered interface: Established" \
	wait_for 300 bgp_up
bgp_since=$(birdc -s "$TMP/bird-conc.ctl" show protocols access | awk '$1 == "access" { print $4, $5 }')

# Many flows in one tunnel, sent from CPU 0.
flows_burst "steered"
read -r c0 c1 _ <<<"$DELTA"
check "steered: CPU 0 and CPU 1 both did work ($c0, $c1 packets)" \
	test "${c0:-0}" -gt 0 -a "${c1:-0}" -gt 0
step "up --no-steer $IF_CSUB" tg up --subscriber-if $IF_CSUB --uplink-if $IF_CUP \
	--no-steer $IF_CSUB
check "status: not steered" test "$(steer_of $IF_CSUB)" = null
check "status: $IF_CSUB runs tg_sub_xdp" test "$(prog_of $IF_CSUB)" = tg_sub_xdp
flows_burst "not steered"
read -r c0 c1 _ <<<"$DELTA"
# The kernel's own packets (neighbour discovery) may come on CPU 1.
check "not steered: CPU 0 did it, CPU 1 at most a stray few ($c0, $c1 packets)" \
	test "${c1:-0}" -le 16 -a "${c0:-0}" -ge $COUNT

# Hitless: a numbered stream through bob's tunnel while up turns steering
# on, keeps it, changes its CPUs and turns it off again.
# udp_rcvbuf_errors: datagrams core's kernel dropped for a full socket
# buffer (the sink is a Python loop: a busy machine can stall it).
udp_rcvbuf_errors() {
	in_core awk '$1 == "Udp:" && $2 ~ /^[0-9]/ { print $6 }' /proc/net/snmp
}
bob0=$(stat sub bob up packets)
rcvbuf0=$(udp_rcvbuf_errors)
sink_start || die "sink"
rm -f "$TMP/stream.stop"
in_sub $PY "$E2E/seq_stream.py" "$IF_SUB" $MAC_CSUB "$TMP/stream.stop" \
	gre-key:2000 >"$TMP/stream.json" &
STREAM_PID=$!
PIDS+=("$STREAM_PID")
sleep 1
ups=0
for opt in "--steer $IF_CSUB" "" "--steer $IF_CSUB:1" "--no-steer $IF_CSUB" \
	"--steer $IF_CSUB:0-1" ""; do
	# shellcheck disable=SC2086
	tg up --subscriber-if $IF_CSUB --uplink-if $IF_CUP $opt >/dev/null &&
		ups=$((ups + 1))
	sleep 0.3
done
sleep 0.5
touch "$TMP/stream.stop"
wait "$STREAM_PID"
sink_stop
sent=$($PY -c 'import json, sys; print(json.load(open(sys.argv[1]))["gre-key"]["sent"])' "$TMP/stream.json")
got=$(sink_field gre-key count)
check "6 ups turning steering on, off and over other CPUs ($ups ok)" test $ups = 6
fwd=$(($(stat sub bob up packets) - bob0))
rcvbuf=$(($(udp_rcvbuf_errors) - rcvbuf0))
check "hitless: tungate forwarded every packet ($fwd of $sent)" \
	test "$fwd" = "$sent" -a "$sent" -gt 2000
check "hitless: $got arrived + $rcvbuf dropped by core's full socket buffer = $sent sent, each once (repeats: $(sink_field gre-key bad))" \
	test $((got + rcvbuf)) = "$sent" -a "$(sink_field gre-key bad)" = 0
check "status: steered over CPUs 0-1 again" test "$(steer_of $IF_CSUB)" = 0-1

# What the kernel takes still reaches it: outside the tunnel (from bob's
# outer address) and through it (to the concentrator's uplink address).
step "endpoint starts" start_endpoint 1
check "ping the concentrator outside the tunnel" \
	in_sub ping -c 3 -W 3 -I 192.0.2.12 192.0.2.1
in_conc $PY "$E2E/tcp_transfer.py" serve 5001 "$TMP/tcp.conc" >/dev/null &
PIDS+=($!)
wait_for 50 test -e "$TMP/tcp.conc"
check "TCP to the concentrator outside the tunnel, 1 MB" \
	in_sub $PY "$E2E/tcp_transfer.py" put 192.0.2.12 192.0.2.1 5001 1000000
check "ping the concentrator through the tunnel" \
	ping_from sub 100.64.1.2 198.51.100.1

# Policing across CPUs: 8 TCP streams in one tunnel.
pol_before=$(per_cpu)
in_core iperf3 -s -p $PORT -B $CORE4 >"$TMP/iperf3-server.log" 2>&1 &
PIDS+=($!)
wait_for 50 grep -q listening "$TMP/iperf3-server.log"
burst=$(tg -j class show r$RATE | $PY -c 'import json,sys; print(json.load(sys.stdin)["burst"])')
before=$(gstat sub alice reasons policed_up)
if in_sub iperf3 -c $CORE4 -p $PORT -B 100.64.1.2 -P 8 -t "$SECS" -O 1 -J \
	>"$TMP/iperf3.json" 2>&1; then
	read -r bps bytes secs < <($PY -c 'import json, sys
d = json.load(open(sys.argv[1]))["end"]["sum_received"]
print(int(d["bits_per_second"]), d["bytes"], d["seconds"])' "$TMP/iperf3.json")
	after=$(gstat sub alice reasons policed_up)
	read -r c0 c1 _ < <($PY -c 'import sys
a, b = sys.argv[1].split(), sys.argv[2].split()
print(" ".join(str(int(y) - int(x)) for x, y in zip(a, b)))' "$pol_before" "$(per_cpu)")
	check "steered TCP: both CPUs did work ($c0, $c1 packets)" \
		test "${c0:-0}" -gt 0 -a "${c1:-0}" -gt 0
	echo "       ${RATE} Mbit/s, 8 streams: goodput $((bps / 1000)) kbit/s, $bytes bytes in $secs s, policed_up +$((after - before))"
	want=$((RATE * 1000000 * 85 / 100))
	check "steered, ${RATE} Mbit/s: goodput $((bps / 1000)) kbit/s >= 85% ($((want / 1000)) kbit/s)" \
		test "$bps" -ge "$want"
	max=$($PY -c 'import sys; r, s, b = map(float, sys.argv[1:]); print(int(r * 1e6 * s / 8 + b))' \
		"$RATE" "$secs" "$burst")
	check "steered, ${RATE} Mbit/s: $bytes bytes received <= rate x $secs s + burst ($max)" \
		test "$bytes" -le "$max"
	check "steered: the bucket dropped packets (policed_up +$((after - before)))" \
		test "$((after - before))" -gt 0
else
	fail "iperf3 failed"
	sed 's/^/       /' "$TMP/iperf3.json" | head -20
fi

check "BGP session still Established, never reset (since $bgp_since)" \
	test "$(birdc -s "$TMP/bird-conc.ctl" show protocols access | awk '$1 == "access" { print $4, $5, $6 }')" = "$bgp_since Established"
step "down" tg down
check "down removed tg_steer" test ! -e "$PIN/tg_steer"
finish
