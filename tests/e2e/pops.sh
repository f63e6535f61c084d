#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Two POPs on one PostgreSQL, their tunnel address anycast over BGP:
#
#                       [asub] ns POP A [aup]
#   ns ACCESS          /  BIRD, tungate run   \        (both links of a POP
#   192.0.2.10 ipip -- ns CORE, BIRD            )       go to core: the
#   192.0.2.11 gre     \  sink 198.51.100.2    /        subscriber side and
#                       [bsub] ns POP B [bup]           the upstream side)
#
# Each POP has its own snapshot, pin root, BIRD and `tungate run --db
# postgresql://... --bird-output FILE --birdc-socket SOCK`; both announce
# the anycast tunnel address 192.0.2.1/32 (the shared setting anycast)
# on their subscriber-side session and the subscriber prefixes on their
# upstream-side one. Core prefers POP A (local preference) and routes the
# access namespace's tunnel packets and the sink's replies by what BGP
# chose; BGP hold time 3 s, keepalive 1 s.
#  - a change made on POP A's CLI is in both data planes within 1 s;
#  - GRE and IPIP subscribers' traffic flows both ways through POP A (by
#    each POP's per-subscriber counters);
#  - `drain` on POP A moves the traffic to POP B with no packet of a
#    numbered stream lost; `drain --off` brings A's announcements back;
#  - POP A silent (every packet of its links dropped on core's side, its
#    BIRD and daemon frozen with SIGSTOP: no session closed, no heartbeat):
#    core notices by its hold timer only; the stream resumes through POP
#    B with a gap (lost / rate, printed) under the hold time and a
#    margin, none twice; 'pop list' on POP B says A down after the shared
#    pop-down-after (3 s here, heartbeat 1 s); A back (links whole,
#    SIGCONT): its sessions come up again, the stream returns to it with
#    no loss and 'pop list' says it serving;
#  - POP A stopped (kill -9 of its BIRD and daemon, then its links down):
#    the stream resumes through POP B; the gap (lost / rate) is printed
#    and must stay under the hold time and a margin.
#
# Needs root, bird2 and PostgreSQL. Outside CI it says SKIP and succeeds;
# with CI=true a skip fails.
set -uo pipefail

TAG=tg-pops
. "$(dirname "$0")/lib.sh"
. "$E2E/pg_lib.sh"
SUITE="e2e pops"

# lib.sh's namespaces: SUB is the access side, CONC is POP A, CORE the
# core; POP B is one more.
POPB=$TAG-popb-$$
PINB=/sys/fs/bpf/$TAG-b-$$
declare -A NS=([a]=$CONC [b]=$POPB) PINS=([a]=$PIN [b]=$PINB) DPID=()
BLACKHOLE_OBJ=$ROOT/build/blackhole.bpf.o
ANYCAST=192.0.2.1
RATE=500	# packets per second of each kind in the numbered streams
HOLD=3
MARGIN=2	# s beyond the hold time a failover may take on a loaded machine
BEAT=1		# the shared pop-heartbeat and pop-down-after, seconds
DOWN_AFTER=3
FROZEN=()	# POP A's processes stopped by silence_a

# The links, from the POP's side and from core's: POP:IF:MAC:ADDR for
# POP a|b, side sub|up; core's end is CIF/CMAC/CADDR.
declare -A IF=([asub]=$TAG-asub [aup]=$TAG-aup [bsub]=$TAG-bsub [bup]=$TAG-bup)
declare -A CIF=([asub]=$TAG-casub [aup]=$TAG-caup [bsub]=$TAG-cbsub [bup]=$TAG-cbup)
declare -A MAC=([asub]=02:00:00:e3:0a:01 [aup]=02:00:00:e3:0a:02
	[bsub]=02:00:00:e3:0b:01 [bup]=02:00:00:e3:0b:02)
declare -A CMAC=([asub]=02:00:00:e3:c0:01 [aup]=02:00:00:e3:c0:02
	[bsub]=02:00:00:e3:c0:03 [bup]=02:00:00:e3:c0:04)
declare -A ADDR=([asub]=203.0.113.1 [aup]=203.0.113.5 [bsub]=203.0.113.9 [bup]=203.0.113.13)
declare -A CADDR=([asub]=203.0.113.2 [aup]=203.0.113.6 [bsub]=203.0.113.10 [bup]=203.0.113.14)
IF_ACC=$TAG-acc
IF_CACC=$TAG-cacc
MAC_CACC=02:00:00:e3:c0:05
CORE_ACC=192.0.2.9
ACC_NET=192.0.2.8/29

pops_cleanup() {
	local p pid
	for pid in "${FROZEN[@]}"; do
		kill -CONT "$pid" 2>/dev/null
	done
	for p in a b; do
		pid=${DPID[$p]:-}
		[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid"
	done
	for pid in $(ip netns pids "$POPB" 2>/dev/null); do
		kill "$pid" 2>/dev/null
	done
	if [ -d "$PINB" ]; then
		tgp b down >/dev/null 2>&1
		rm -rf "$PINB"
	fi
	ip netns del "$POPB" 2>/dev/null
	pg_cleanup
	topo_cleanup
}
trap pops_cleanup EXIT
trap "exit 1" INT TERM
require_root_tools
cp "$TUNGATE" "$TMP/tungate" && TUNGATE=$TMP/tungate
for tool in bird birdc bpftool psql; do
	command -v $tool >/dev/null || skip "$tool not installed"
done
[ -x "$PG_BIN/initdb" ] || skip "PostgreSQL server not installed (postgresql)"
id postgres >/dev/null 2>&1 || skip "no user postgres"
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
[ -f "$BLACKHOLE_OBJ" ] || make -s -C "$ROOT" --no-print-directory \
	"${BLACKHOLE_OBJ#"$ROOT/"}" || skip "cannot build $BLACKHOLE_OBJ"

# tgp a|b ARGS...: tungate in that POP against PostgreSQL, through its
# snapshot.
tgp() {
	local p=$1
	shift
	nsenter --net=/run/netns/"${NS[$p]}" "$TUNGATE" --db "$PG_URL" \
		--snapshot "$TMP/snap-$p.db" --pin-root "${PINS[$p]}" "$@"
}
# lib.sh's helpers (stat, topo_cleanup) call tg: POP $ON (default a).
tg() {
	tgp "${ON:-a}" "$@"
}
# stat_on a|b PATH...: lib.sh's stat on that POP.
stat_on() {
	local ON=$1
	shift
	stat "$@"
}
# daemon_start a|b: tungate run in that POP, following PostgreSQL and
# keeping its BIRD include current; nsenter execs tungate: $! is the
# daemon itself.
daemon_start() {
	nsenter --net=/run/netns/"${NS[$1]}" "$TUNGATE" --db "$PG_URL" \
		--snapshot "$TMP/snap-$1.db" --pin-root "${PINS[$1]}" run \
		--interval 250 --bird-output "$TMP/inc-$1.conf" \
		--birdc-socket "$TMP/bird-$1.ctl" 2>>"$TMP/run-$1.log" &
	DPID[$1]=$!
}

# links: the namespaces, the access -- core link and both links of each
# POP to core, with static neighbours (the XDP path forwards only to
# resolved ones) and the POPs' own routes (to the access side by the
# subscriber side, to the sink by the upstream side).
link_pop() {
	local p=$1 ns=${NS[$1]} s l
	ip netns add "$ns" && ip -n "$ns" link set lo up &&
	ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 &&
	ip -n "$ns" addr add $ANYCAST/32 dev lo || return 1
	for s in sub up; do
		l=$p$s
		ip -n "$ns" link add "${IF[$l]}" address "${MAC[$l]}" type veth \
			peer name "${CIF[$l]}" address "${CMAC[$l]}" netns "$CORE" &&
		ip -n "$ns" addr add "${ADDR[$l]}/30" dev "${IF[$l]}" &&
		ip -n "$CORE" addr add "${CADDR[$l]}/30" dev "${CIF[$l]}" &&
		ip -n "$ns" link set "${IF[$l]}" up &&
		ip -n "$CORE" link set "${CIF[$l]}" up &&
		ip -n "$ns" neigh replace "${CADDR[$l]}" lladdr "${CMAC[$l]}" \
			dev "${IF[$l]}" nud permanent &&
		ip -n "$CORE" neigh replace "${ADDR[$l]}" lladdr "${MAC[$l]}" \
			dev "${CIF[$l]}" nud permanent &&
		# Finished checksums as from a wire; XDP so that the veth
		# takes the frames the POP redirects to it.
		ip netns exec "$CORE" $PY "$E2E/tx_csum_off.py" "${CIF[$l]}" &&
		ip -n "$CORE" link set dev "${CIF[$l]}" xdp obj "$PASS_OBJ" sec xdp ||
			return 1
	done
	ip -n "$ns" route add $ACC_NET via "${CADDR[${p}sub]}" &&
	ip -n "$ns" route add $CORE4/32 via "${CADDR[${p}up]}"
}
links() {
	local ns
	for ns in "$SUB" "$CORE"; do
		ip netns add "$ns" && ip -n "$ns" link set lo up &&
		ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
			net.ipv4.conf.default.rp_filter=0 || return 1
	done
	ip netns exec "$CORE" sysctl -qw net.ipv4.ip_forward=1 &&
	ip -n "$CORE" addr add $CORE4/32 dev lo &&
	ip -n "$SUB" link add "$IF_ACC" address $MAC_SUB type veth \
		peer name "$IF_CACC" address $MAC_CACC netns "$CORE" &&
	ip -n "$SUB" addr add 192.0.2.10/29 dev "$IF_ACC" &&
	ip -n "$SUB" addr add 192.0.2.11/29 dev "$IF_ACC" &&
	ip -n "$CORE" addr add $CORE_ACC/29 dev "$IF_CACC" &&
	ip -n "$SUB" link set "$IF_ACC" up &&
	ip -n "$CORE" link set "$IF_CACC" up &&
	ip -n "$SUB" route add default via $CORE_ACC &&
	ip -n "$SUB" neigh replace $CORE_ACC lladdr $MAC_CACC dev "$IF_ACC" nud permanent &&
	ip netns exec "$SUB" $PY "$E2E/tx_csum_off.py" "$IF_ACC" &&
	link_pop a && link_pop b
}

# bird_pop a|b: a POP's BIRD configuration: the anycast address to core
# on the subscriber-side session, the subscriber prefixes on the
# upstream-side one, both from tungate's include.
bird_pop() {
	local p=$1
	cat <<CONF
router id ${ADDR[${p}sub]};
protocol device {}
include "$TMP/inc-$p.conf";
template bgp core {
	local as $AS_CONC;
	neighbor as $AS_CORE;
	hold time $HOLD;
	keepalive time 1;
	connect delay time 1;
	connect retry time 1;
	error wait time 1, 2;
}
protocol bgp sub from core {
	local ${ADDR[${p}sub]};
	neighbor ${CADDR[${p}sub]};
	ipv4 { import none; export where proto = "tungate4" && net = $ANYCAST/32; };
}
protocol bgp up from core {
	local ${ADDR[${p}up]};
	neighbor ${CADDR[${p}up]};
	ipv4 { import none; export where proto = "tungate4" && net != $ANYCAST/32; };
}
CONF
}
# bird_core: core's BIRD: a session on each POP link, what it learns to
# its kernel, POP A preferred.
bird_core() {
	local l pref
	cat <<CONF
router id ${CADDR[asub]};
protocol device {}
protocol kernel { ipv4 { export where source = RTS_BGP; }; }
template bgp pop {
	local as $AS_CORE;
	neighbor as $AS_CONC;
	hold time $HOLD;
	keepalive time 1;
	connect delay time 1;
	connect retry time 1;
	error wait time 1, 2;
}
CONF
	for l in asub aup bsub bup; do
		pref=100
		[ "${l:0:1}" = a ] && pref=200
		cat <<CONF
protocol bgp $l from pop {
	local ${CADDR[$l]};
	neighbor ${ADDR[$l]};
	ipv4 { import filter { bgp_local_pref = $pref; accept; }; export none; };
}
CONF
	done
}
# bird_conf core|a|b: for lib.sh's bird_start.
bird_conf() {
	if [ "$1" = core ]; then
		bird_core
	else
		bird_pop "$1"
	fi
}
# sessions_up: core's four sessions Established.
sessions_up() {
	[ "$(birdc_in core show protocols | grep -c Established)" = 4 ]
}
# via DST: the next hop of core's route to DST.
via() {
	ip -n "$CORE" route show match "$1" proto bird | awk '{ print $3; exit }'
}
# served_by a|b: core sends the tunnel packets and the subscribers'
# replies to that POP.
served_by() {
	[ "$(via $ANYCAST)" = "${ADDR[${1}sub]}" ] &&
	[ "$(via 100.64.1.2)" = "${ADDR[${1}up]}" ] &&
	[ "$(via 100.64.2.2)" = "${ADDR[${1}up]}" ]
}
# withdrawn a|b: core has no route from that POP.
withdrawn() {
	! ip -n "$CORE" route show proto bird | grep -qE "via (${ADDR[${1}sub]}|${ADDR[${1}up]}) "
}
# moved FROM TO: core has nothing from FROM and serves all through TO.
moved() {
	withdrawn "$1" && served_by "$2"
}

# ep_start N TYPE OUTER PREFIX ENDPOINT-OPTIONS...: a subscriber's tunnel
# endpoint in the access namespace (lib.sh's endpoint_wait, endpoint_stop),
# inner address .2 of PREFIX, core's sink routed into it.
ep_start() {
	local n=$1 type=$2 outer=$3 pfx=$4
	shift 4
	ip netns exec "$SUB" $PY "$E2E/tunnel_endpoint.py" --type "$type" \
		--local "$outer" --remote $ANYCAST --tun tg$n \
		--addr "${pfx%.0/24}.2/24" --route $CORE4/32 "$@" \
		>"$TMP/ep$n.out" 2>"$TMP/ep$n.err" &
	EP_PID=$!
	BG_PIDS+=("$EP_PID")
	endpoint_wait "$n"
}

# stream_start: the numbered ipip and gre-key streams (seq_stream.py, the
# frames of send_tunnels.py: alice's and bob's) from the access namespace
# to the anycast address, and core's sink.
stream_start() {
	sink_start || return 1
	rm -f "$TMP/stream.stop"
	ip netns exec "$SUB" $PY "$E2E/seq_stream.py" "$IF_ACC" $MAC_CACC \
		"$TMP/stream.stop" ipip:$RATE gre-key:$RATE >"$TMP/stream.json" &
	STREAM_PID=$!
	BG_PIDS+=("$STREAM_PID")
}
stream_stop() {
	touch "$TMP/stream.stop"
	wait "$STREAM_PID"
	sink_stop
}
# sent KIND: frames of KIND the stream sent.
sent() {
	$PY -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]]["sent"])' \
		"$TMP/stream.json" "$1"
}
# lost KIND: frames of KIND sent and not received (duplicates count
# as bad, checked apart).
lost() {
	echo $(($(sent "$1") - $(sink_field "$1" count)))
}
# up_packets a|b: alice's and bob's packets up counted by that POP.
up_packets() {
	echo $(($(stat_on "$1" sub alice up packets) + $(stat_on "$1" sub bob up packets)))
}
# grows a|b: that POP's count of alice's and bob's packets grows.
grows() {
	local n
	n=$(up_packets "$1")
	sleep 0.2
	[ "$(up_packets "$1")" -gt "$n" ]
}
# leaves_a WHAT WHEN CMD...: the stream on POP A, CMD takes A away; core
# then serves everything through POP B and the stream grows there. Prints
# "# WHAT: core moved to POP B N ms after WHEN".
leaves_a() {
	local what=$1 when=$2 t0 t1
	shift 2
	stream_start || return 1
	wait_for 50 grows a || return 1
	t0=$(date +%s%N)
	"$@" || return 1
	wait_for 100 served_by b || return 1
	t1=$(ms_since "$t0")
	wait_for 50 grows b || return 1
	echo "# $what: core moved to POP B $t1 ms after $when"
}
# gaps WHAT: the stream stopped, each kind's gap (lost / rate) printed
# and checked under the hold time and a margin, none delivered twice.
gaps() {
	local k l gap
	for k in ipip gre-key; do
		l=$(lost $k)
		gap=$((l * 1000 / RATE))
		echo "# $1 gap, $k: $l of $(sent $k) lost at $RATE/s: $gap ms"
		check "$k stream: gap $gap ms < hold time $HOLD s + $MARGIN s, none twice" \
			test "$gap" -lt $(((HOLD + MARGIN) * 1000)) -a "$(sink_field $k bad)" = 0
	done
}
# no_loss WHAT: the stream stopped, every frame of each kind received
# once.
no_loss() {
	local k
	for k in ipip gre-key; do
		check "$k stream $1: $(sink_field $k count) of $(sent $k) received, 0 lost, none twice" \
			test "$(lost $k)" = 0 -a "$(sink_field $k bad)" = 0 -a "$(sent $k)" -gt $RATE
	done
}

chmod 0711 "$TMP"
step "namespaces and links" links
step "PostgreSQL cluster of our own in $TMP/pg" pg_init "$TMP/pg"
echo "# PostgreSQL: $PG_URL"
step "db init (POP A)" tgp a db init
step "config set anycast $ANYCAST/32 (POP A)" tgp a config set anycast $ANYCAST/32
step "config set pop-heartbeat $BEAT (POP A)" tgp a config set pop-heartbeat $BEAT
step "config set pop-down-after $DOWN_AFTER (POP A)" tgp a config set pop-down-after $DOWN_AFTER
step "sub add alice (ipip 192.0.2.10, 100.64.1.0/24)" tgp a sub add alice --type ipip \
	--remote 192.0.2.10 --local $ANYCAST --prefix 100.64.1.0/24
step "sub add bob (gre key 7 192.0.2.11, 100.64.2.0/24)" tgp a sub add bob --type gre \
	--key 7 --remote 192.0.2.11 --local $ANYCAST --prefix 100.64.2.0/24
for p in a b; do
	step "POP $p: pop name $p" tgp $p pop name $p
	step "POP $p: bird --output" tgp $p bird --output "$TMP/inc-$p.conf"
	step "POP $p: up" tgp $p up --subscriber-if "${IF[${p}sub]}" --uplink-if "${IF[${p}up]}"
done
step "core: BIRD" bird_start core
for p in a b; do
	step "POP $p: BIRD" bird_start $p "${NS[$p]}"
	daemon_start $p
done
check "core: four BGP sessions Established" wait_for 300 sessions_up
# pops STATE...: 'pop list' (PostgreSQL, by POP $ON, default a) has a
# and b in these states.
pops() {
	[ "$(tgp "${ON:-a}" -j pop list | $PY -c 'import json, sys
print(" ".join(p["name"] + ":" + p["state"] for p in json.load(sys.stdin)["pops"]))')" = "a:$1 b:$2" ]
}
# pops_on a|b STATE...: pops by that POP.
pops_on() {
	local ON=$1
	shift
	pops "$@"
}
check "pop list (PostgreSQL): POPs a and b, serving" wait_for 50 pops serving serving
# state a|b STATE: that POP's stats name it and say STATE.
state() {
	[ "$(tgp "$1" -j stats --interval 0 | $PY -c 'import json, sys
p = json.load(sys.stdin)["pop"]
print(p["name"] + ":" + p["state"])')" = "$1:$2" ]
}
check "core: anycast $ANYCAST and the subscriber prefixes via POP A" wait_for 100 served_by a

echo "# a change on POP A's CLI"
# The time from the end of the CLI's push until the change is in each
# POP's maps, and until core has learnt its prefix from POP A's BIRD.
propagate() {
	local t0 a='' b='' r='' _
	tunnels_in "$PIN" 2 && tunnels_in "$PINB" 2 || return 1
	tgp a sub add carol --type ipip --remote 192.0.2.12 --local $ANYCAST \
		--prefix 100.64.3.0/24 >/dev/null || return 1
	t0=$(date +%s%N)
	for _ in $(seq 300); do
		[ -z "$a" ] && tunnels_in "$PIN" 3 && a=$(ms_since "$t0")
		[ -z "$b" ] && tunnels_in "$PINB" 3 && b=$(ms_since "$t0")
		[ -z "$r" ] && [ "$(via 100.64.3.1)" = "${ADDR[aup]}" ] && r=$(ms_since "$t0")
		[ -n "$a" ] && [ -n "$b" ] && [ -n "$r" ] && break
		sleep 0.01
	done
	echo "# propagation: ${a:-over 3000} ms to POP A's maps, ${b:-over 3000} ms to POP B's, ${r:-over 3000} ms to core's route (BIRD)"
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt 1000 ] && [ "$b" -lt 1000 ] && [ -n "$r" ]
}
check "sub add carol on POP A: in both data planes within 1 s" propagate
grep '^# propagation' "$TMP/out"

echo "# traffic through POP A"
# both_ways WHAT N TYPE OUTER PREFIX OPTIONS...: ping access -> core and
# core -> access through that subscriber's tunnel.
both_ways() {
	local what=$1 n=$2 me
	shift 2
	me=${3%.0/24}.2
	step "$what: endpoint starts" ep_start "$n" "$@"
	check "$what: ping access -> core ($me -> $CORE4)" ping_from sub "$me" $CORE4
	check "$what: ping core -> access ($CORE4 -> $me)" ping_from core $CORE4 "$me"
	endpoint_stop
}
both_ways "alice (ipip) via POP A" 1 ipip 192.0.2.10 100.64.1.0/24
both_ways "bob (gre) via POP A" 2 gre 192.0.2.11 100.64.2.0/24 --key 7
# counted SUB a|b: SUB's packets both ways on that POP ("up down").
counted() {
	echo "$(stat_on "$2" sub "$1" up packets) $(stat_on "$2" sub "$1" down packets)"
}
for s in alice bob; do
	ca=$(counted $s a) cb=$(counted $s b)
	check "$s: POP A counted packets both ways ($ca), POP B none ($cb)" \
		test "${ca% *}" -ge 3 -a "${ca#* }" -ge 3 -a "$cb" = "0 0"
done

echo "# drain"
drain_moves() {
	local t0 t1
	stream_start || return 1
	wait_for 50 grows a || return 1
	t0=$(date +%s%N)
	tgp a drain || return 1
	wait_for 50 moved a b || return 1
	t1=$(ms_since "$t0")
	wait_for 20 grows b || return 1
	echo "# drain: core moved to POP B $t1 ms after 'tungate drain' on POP A"
}
check "drain on POP A: core moves to POP B, traffic follows" drain_moves
grep '^# drain' "$TMP/out"
states() {
	state a "$1" && state b "$2"
}
check "stats: POP A drained, POP B serving" states drained serving
n=$(up_packets a)
sleep 0.5
check "drained POP A carries no more of the stream ($n, then $(up_packets a))" \
	test "$(up_packets a)" = "$n"
drain_off() {
	tgp a drain --off && wait_for 50 served_by a && wait_for 20 grows a
}
check "drain --off on POP A: announcements back, core and the stream back on POP A" drain_off
check "stats: POP A and POP B serving" states serving serving
stream_stop
no_loss "across drain and drain --off"

echo "# POP A silent"
# blackhole on|off: every packet of POP A's two links dropped on core's
# side, both ways (blackhole.bpf.o on both TC hooks), the links up; off:
# whole again.
blackhole() {
	local l
	for l in asub aup; do
		if [ "$1" = off ]; then
			tc -n "$CORE" qdisc del dev "${CIF[$l]}" clsact || return 1
			continue
		fi
		tc -n "$CORE" qdisc add dev "${CIF[$l]}" clsact &&
		tc -n "$CORE" filter add dev "${CIF[$l]}" ingress bpf da \
			obj "$BLACKHOLE_OBJ" sec tc &&
		tc -n "$CORE" filter add dev "${CIF[$l]}" egress bpf da \
			obj "$BLACKHOLE_OBJ" sec tc || return 1
	done
}
# silence_a: POP A vanishes without a word: its links lose everything,
# then its BIRD and daemon freeze (no session closed, no heartbeat).
silence_a() {
	blackhole on || return 1
	FROZEN=("$(cat "$TMP/bird-a.pid")" "${DPID[a]}") || return 1
	kill -STOP "${FROZEN[@]}"
}
# wake_a: its links whole again, then its processes go on.
wake_a() {
	blackhole off || return 1
	kill -CONT "${FROZEN[@]}" || return 1
	FROZEN=()
}
check "POP A silent: core's hold timer moves it to POP B, the stream resumes there" \
	leaves_a silent "POP A went silent" silence_a
grep '^# silent' "$TMP/out"
check "pop list on POP B: A down after pop-down-after ($DOWN_AFTER s), B serving" \
	wait_for $(((DOWN_AFTER + 3) * 10)) pops_on b down serving
sleep 0.5
stream_stop
gaps silent
back() {
	local t0 t1
	stream_start || return 1
	wait_for 50 grows b || return 1
	t0=$(date +%s%N)
	wake_a || return 1
	wait_for 150 sessions_up || return 1
	wait_for 50 served_by a || return 1
	t1=$(ms_since "$t0")
	wait_for 50 grows a || return 1
	echo "# back: core moved to POP A again $t1 ms after it woke"
}
check "POP A back: four sessions Established, core and the stream back on POP A" back
grep '^# back' "$TMP/out"
check "pop list on POP B: A and B serving" wait_for 50 pops_on b serving serving
stream_stop
no_loss "back to POP A"

echo "# POP A stopped"
# dead PID: the process has exited (a zombie too: BIRD is not our child
# and waits for its reaper, its sockets closed).
dead() {
	[ ! -e /proc/"$1" ] || [ "$(awk '{ print $3 }' /proc/"$1"/stat)" = Z ]
}
# stop_a: kill -9 of POP A's BIRD and daemon, then its links down.
stop_a() {
	local bird
	bird=$(cat "$TMP/bird-a.pid") || return 1
	kill -9 "$bird" "${DPID[a]}" || return 1
	wait "${DPID[a]}" 2>/dev/null
	DPID[a]=
	wait_for 20 dead "$bird" || return 1
	ip -n "$CONC" link set "${IF[asub]}" down &&
	ip -n "$CONC" link set "${IF[aup]}" down
}
check "POP A killed, links down: core moves to POP B, the stream resumes there" \
	leaves_a failover "the kill" stop_a
grep '^# failover' "$TMP/out"
sleep 0.5
stream_stop
gaps failover
both_ways "alice (ipip) via POP B" 1 ipip 192.0.2.10 100.64.1.0/24
both_ways "bob (gre) via POP B" 2 gre 192.0.2.11 100.64.2.0/24 --key 7
for s in alice bob; do
	cb=$(counted $s b)
	check "$s: POP B counted packets both ways ($cb)" \
		test "${cb% *}" -ge 3 -a "${cb#* }" -ge 3
done
finish
