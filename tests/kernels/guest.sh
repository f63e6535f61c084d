#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Runs inside a test kernel, started by its /init (tests/kernels/run.sh
# builds the image): tungate up in every mode on veth pairs with a ping
# through an enrolled tunnel, a WireGuard member's peer kept in step with
# the database (sync and the daemon) and its traffic policed and counted
# (wg_police.sh), then every pcap case through one replay
# --batch, compared byte for byte with the host's run. Prints ok and FAIL
# lines (tests/e2e/result.sh), "TG: insns MODE PROGRAM N" for every loaded
# program, "TG: uptime STAGE S" when each stage ends, and "N passed, M
# failed" last.
PIN=/sys/fs/bpf/tungate
DB=/tmp/tungate.db
TMP=/tmp
. /tg/result.sh

# tg.only=STAGE on the kernel command line: that stage alone (run.sh's
# TG_KERNELS_ONLY).
ONLY=$(sed -n 's/.*tg\.only=\([a-z_,]*\).*/\1/p' /proc/cmdline)

# Whether stage $1 runs.
stage() {
	case ",$ONLY," in
	,,|*,$1,*) return 0 ;;
	esac
	return 1
}

# The kernel's uptime in seconds when STAGE ended, for the run's timings.
uptime_at() {
	echo "TG: uptime $1 $(cut -d' ' -f1 /proc/uptime)"
}
uptime_at boot

# The concentrator's namespace with the host's bpffs (ip netns exec would
# mount a /sys of its own without it).
conc() {
	nsenter --net=/run/netns/conc "$@"
}

tg() {
	conc tungate --db "$DB" --pin-root "$PIN" "$@"
}

# The daemon in the background: 'tungate run "$@"' in conc, its PID (not a
# shell's: nsenter becomes tungate) in $tgd_pid, for tgd_stop.
tgd_start() {
	nsenter --net=/run/netns/conc tungate --db "$DB" --pin-root "$PIN" \
		run "$@" &
	tgd_pid=$!
}

tgd_stop() {
	kill "$tgd_pid" 2>/dev/null
	wait "$tgd_pid" 2>/dev/null
}

# A subscriber router (sub, 192.0.2.10) with the kernel's own GRE tunnel
# to the concentrator (conc, 192.0.2.1), which routes its 100.64.1.0/24
# and 2001:db8:1::/48 to core (198.51.100.2, 2001:db8:ff::2) and back. The far ends of the veth pairs carry an
# XDP_PASS program so that native XDP can redirect into them.
topo_up() {
	for ns in sub conc core; do
		ip netns add $ns && ip -n $ns link set lo up || return 1
	done
	ip link add s0 netns sub type veth peer name c0 netns conc &&
	ip link add u0 netns conc type veth peer name k0 netns core &&
	ip -n sub addr add 192.0.2.10/24 dev s0 &&
	ip -n conc addr add 192.0.2.1/24 dev c0 &&
	ip -n conc addr add 198.51.100.1/24 dev u0 &&
	ip -n core addr add 198.51.100.2/24 dev k0 &&
	for l in sub:s0 conc:c0 conc:u0 core:k0; do
		ip -n ${l%%:*} link set ${l#*:} up || return 1
	done
	ip -n core route add 100.64.0.0/10 via 198.51.100.1 &&
	conc sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward' &&
	ip -n sub link add gre1 type gre local 192.0.2.10 remote 192.0.2.1 \
		key 7 &&
	ip -n sub addr add 100.64.1.1/24 dev gre1 &&
	ip -n sub link set gre1 up &&
	ip -n sub route add 198.51.100.0/24 dev gre1 src 100.64.1.1 &&
	ip -n sub addr add 2001:db8:1::1/64 dev gre1 nodad &&
	ip -n sub route add 2001:db8:ff::/64 dev gre1 src 2001:db8:1::1 &&
	ip -n conc addr add 2001:db8:ff::1/64 dev u0 nodad &&
	ip -n core addr add 2001:db8:ff::2/64 dev k0 nodad &&
	ip -n core route add 2001:db8:1::/48 via 2001:db8:ff::1 &&
	conc sh -c 'echo 1 >/proc/sys/net/ipv6/conf/all/forwarding' &&
	ip -n sub link set dev s0 xdp obj /tg/pass.bpf.o sec xdp &&
	ip -n core link set dev k0 xdp obj /tg/pass.bpf.o sec xdp
}

# alice's packets in direction DIR (up or down).
alice() {
	tg -j stats alice --interval 0 |
		sed -n "s/.*\"$1\":{\"packets\":\([0-9]*\).*/\1/p"
}

# "TG: insns MODE PROGRAM N" for each program (whose name starts with
# $3, if given) of the status -j output in file $2.
insns_of() {
	tr '{' '\n' <"$2" |
		sed -n "s/.*\"name\": *\"\(${3:-}[a-z_]*\)\".*\"verified_insns\": *\([0-9]*\).*/\1 \2/p" |
		while read -r prog n; do
			echo "TG: insns $1 $prog $n"
		done
}

# ping_mode MODE [steer]: up in MODE (steer: c0 steered over both CPUs)
# and sync; from alice's router through its GRE tunnel, pings to core
# (forwarded) and to the concentrator's own address (handed to its
# kernel), IPv4 and IPv6, three each, counted by the data plane; down.
ping_mode() {
	m=$1
	steer=
	[ "${2:-}" = steer ] && steer="--steer c0:0-1"
	# shellcheck disable=SC2086
	check "$m: up $steer" tg up --subscriber-if c0 --uplink-if u0 --mode "$m" $steer
	# down removed the maps: the subscriber goes in again.
	check "$m: sync" tg sync
	tg -j status >/tmp/status.json 2>&1
	insns_of "$m" /tmp/status.json
	grep -q "\"mode\": *\"$m\"" /tmp/status.json &&
		ok "$m: status shows mode $m" ||
		fail "$m: status shows mode $m: $(cat /tmp/status.json)"
	if [ -n "$steer" ]; then
		m="$m steered"
		grep -q '"steer_cpus": *"0-1"' /tmp/status.json &&
			grep -q '"name": *"tg_steer_xdp"' /tmp/status.json &&
			grep -q '"name": *"tg_sub_cpumap"' /tmp/status.json &&
			ok "$m: status shows c0 steered over CPUs 0-1" ||
			fail "$m: status shows c0 steered: $(cat /tmp/status.json)"
	fi
	# Outer neighbours first, so that XDP forwards from the first packet.
	conc ping -c 1 -W 2 192.0.2.10 >/dev/null 2>&1
	conc ping -c 1 -W 2 198.51.100.2 >/dev/null 2>&1
	conc ping6 -c 1 -W 2 2001:db8:ff::2 >/dev/null 2>&1
	up0=$(alice up)
	down0=$(alice down)
	check "$m: ping core through GRE" \
		ip netns exec sub ping -c 3 -W 3 -I 100.64.1.1 198.51.100.2
	check "$m: ping the concentrator itself through GRE" \
		ip netns exec sub ping -c 3 -W 3 -I 100.64.1.1 198.51.100.1
	check "$m: ping6 core through GRE" \
		ip netns exec sub ping6 -c 3 -W 3 -I 2001:db8:1::1 2001:db8:ff::2
	check "$m: ping6 the concentrator itself through GRE" \
		ip netns exec sub ping6 -c 3 -W 3 -I 2001:db8:1::1 2001:db8:ff::1
	up1=$(alice up)
	down1=$(alice down)
	# Up: the six forwarded (what the kernel takes is not counted up).
	if [ $((up1 - up0)) -ge 6 ] && [ $((down1 - down0)) -ge 12 ]; then
		ok "$m: alice counted $((up1 - up0)) up, $((down1 - down0)) down"
	else
		fail "$m: alice counted ${up0:-?}..${up1:-?} up, ${down0:-?}..${down1:-?} down"
	fi
	check "$m: down" tg down
}

topo=
if topo_up >/tmp/topo.log 2>&1; then
	topo=up
	ok "namespaces sub, conc, core with a GRE tunnel"
	check "db and subscriber" sh -c "
		tungate --db $DB db init &&
		tungate --db $DB sub add alice --type gre --key 7 \
			--remote 192.0.2.10 --local 192.0.2.1 \
			--prefix 100.64.1.0/24 --prefix 2001:db8:1::/48"
	if stage modes; then
		for m in native generic tc; do
			ping_mode $m
		done
		# Steering: the cpumap program, its redirects to the devmap
		# and what it passes to the kernel, on this kernel.
		for m in native generic; do
			ping_mode $m steer
		done
	fi
else
	fail "namespaces"
	sed 's/^/    /' /tmp/topo.log
fi

uptime_at modes

# WireGuard peers in step with the database. A member router (namespace
# wgm, 203.0.113.2 on a veth of its own to conc's 203.0.113.1) with the
# kernel's WireGuard configured by Debian's 'wg' from what 'tungate sync'
# reports; tungate keeps tgwg51820 in conc over netlink (routes are read
# with ip -n: nsenter would run busybox's ip, which has no proto filter).
# Its pinned endpoint lets the concentrator start the handshake: a member
# enabled again is reachable at once.
wg_member() {
	ip netns exec wgm "$@"
}

# The member's pings to core: 0 when all three came back.
wg_ping() {
	wg_member ping -c "${1:-3}" -W "${2:-3}" -I 100.64.2.1 198.51.100.2
}

# Peers of conc's interface, as the kernel has them.
wg_peers() {
	conc wg show tgwg51820 peers 2>/dev/null | grep -c .
}

# Wait up to 5 s for conc's interface to have $1 peers: true when it has,
# with the milliseconds waited in $waited.
wg_peers_wait() {
	waited=0
	until [ "$(wg_peers)" = "$1" ] || [ $waited -ge 5000 ]; do
		sleep 0.1
		waited=$((waited + 100))
	done
	[ "$(wg_peers)" = "$1" ]
}

# status and status -j count the members in force: alice's tunnel, as
# sub show has her liveness, and $1 WireGuard members, $2 of them up and
# $3 down. $4 says when. Alice's router may start sending meanwhile (its
# IPv6 on the GRE link): read again until her state stays the same.
wg_status() {
	a=$(alice_live)
	for i in 1 2 3; do
		tg status >/tmp/wgstatus 2>&1
		tg -j status 2>&1 | tr -d ' \n' >/tmp/wgstatus.json
		a0=$a
		a=$(alice_live)
		[ "$a" = "$a0" ] && break
	done
	n=$(($1 + 1))
	up=$(($2 + $([ "$a" = up ] && echo 1 || echo 0)))
	idle=$([ "$a" = idle ] && echo 1 || echo 0)
	down=$(($3 + $([ "$a" = down ] && echo 1 || echo 0)))
	line="subscribers $n ($1 wireguard): $up up, $idle idle, $down down"
	[ "$1" = 0 ] && line="subscribers $n: $up up, $idle idle, $down down"
	grep -qx "$line" /tmp/wgstatus &&
		ok "wireguard: status: $line ($4)" ||
		fail "wireguard: status, not '$line' (alice ${a:-?}): $(grep '^subscribers' /tmp/wgstatus)"
	json="\"subscribers\":$n,\"wireguard\":$1,\"liveness\":{\"down\":$down,\"idle\":$idle,\"up\":$up}"
	grep -qF "$json" /tmp/wgstatus.json &&
		ok "wireguard: status -j: $json" ||
		fail "wireguard: status -j, not $json: $(grep -o '"subscribers".*"liveness":{[^}]*}' /tmp/wgstatus.json)"
}

# Alice's liveness as sub show has it: up, idle or down.
alice_live() {
	tg sub show alice 2>&1 | sed -n 's/^liveness: *\([a-z]*\):.*/\1/p'
}

# The peers as tungate shows them: wgm up after its pings, with its
# endpoint; wgn, which never connects, down.
wg_state() {
	tg sub show wgm >/tmp/wgshow 2>&1
	age=$(sed -n 's/^wireguard: *up, handshake \([0-9]*\) s ago, endpoint 203\.0\.113\.2:51820, rx [1-9][0-9]* B, tx [1-9][0-9]* B$/\1/p' /tmp/wgshow)
	[ -n "$age" ] && [ "$age" -lt 180 ] &&
		ok "wireguard: sub show: up, handshake $age s ago, its endpoint" ||
		fail "wireguard: sub show: $(cat /tmp/wgshow)"
	tg -j sub show wgm >/tmp/wgshow.json 2>&1
	grep -q '"wireguard":{"interface":"tgwg51820","peer":true,"state":"up","last_handshake":[0-9]*,"handshake_age_seconds":[0-9]*,"endpoint":"203.0.113.2:51820","rx_bytes":[1-9][0-9]*,"tx_bytes":[1-9][0-9]*}' \
		/tmp/wgshow.json && ok "wireguard: sub show -j: up" ||
		fail "wireguard: sub show -j: $(cat /tmp/wgshow.json)"
	wg genkey | wg pubkey >/tmp/wgn.pub
	check "wireguard: sub add a member that never connects" \
		tungate --db "$DB" sub add wgn --type wireguard \
		--public-key "$(cat /tmp/wgn.pub)" --prefix 100.64.4.0/24
	check "wireguard: sync with it" tg sync
	# Keepalive 25 for the pinned member, none for the learnt one.
	conc wg show tgwg51820 dump 2>&1 |
		awk -v m="$(cat /tmp/wgm.pub)" -v n="$(cat /tmp/wgn.pub)" '
			$1 == m && $8 == 25 { pinned = 1 }
			$1 == n && $8 == "off" { learnt = 1 }
			END { exit !(pinned && learnt) }' &&
		ok "wireguard: keepalive 25 when pinned, none when learnt" ||
		fail "wireguard: keepalives: $(conc wg show tgwg51820 dump 2>&1)"
	tg sync 2>&1 | grep -q '2 peers (0 added, 0 changed, 0 removed)' &&
		ok "wireguard: sync again with both changes nothing" ||
		fail "wireguard: sync again: $(tg sync 2>&1)"
	tg sub show wgn 2>&1 |
		grep -q '^wireguard: *down, no handshake yet, endpoint none, rx 0 B, tx 0 B$' &&
		ok "wireguard: sub show: a member never connected is down" ||
		fail "wireguard: sub show wgn: $(tg sub show wgn 2>&1)"
	wg_status 2 1 1 "wgm up, wgn never connected"
	tg -j stats --interval 0 >/tmp/wgstats.json 2>&1
	grep -q '"wireguard":\[{"name":"wgm","interface":"tgwg51820","peer":true,"state":"up",.*},{"name":"wgn","interface":"tgwg51820","peer":true,"state":"down","last_handshake":null,"handshake_age_seconds":null,"endpoint":null,"rx_bytes":0,"tx_bytes":0}\]' \
		/tmp/wgstats.json && ok "wireguard: stats -j: wgm up, wgn down" ||
		fail "wireguard: stats -j: $(cat /tmp/wgstats.json)"
	tg stats --interval 0 >/tmp/wgstats 2>&1
	grep -q '^wgm  *up, handshake [0-9]* s ago' /tmp/wgstats &&
		grep -q '^wgn  *down, no handshake yet' /tmp/wgstats &&
		ok "wireguard: stats: wgm up, wgn down" ||
		fail "wireguard: stats: $(cat /tmp/wgstats)"
	tg stats --prometheus >/tmp/wgprom 2>&1
	grep -q '^tungate_wg_up{subscriber="wgm"} 1$' /tmp/wgprom &&
		grep -q '^tungate_wg_up{subscriber="wgn"} 0$' /tmp/wgprom &&
		grep -q '^tungate_wg_handshake_age_seconds{subscriber="wgm"} [0-9]*$' /tmp/wgprom &&
		! grep -q 'handshake_age_seconds{subscriber="wgn"}' /tmp/wgprom &&
		grep -q '^tungate_wg_bytes_total{subscriber="wgm",direction="up"} [1-9]' /tmp/wgprom &&
		ok "wireguard: metrics: wgm up with its handshake age, wgn down" ||
		fail "wireguard: metrics: $(grep tungate_wg /tmp/wgprom)"
	check "wireguard: sub del wgn" tungate --db "$DB" sub del wgn
	check "wireguard: sync without wgn" tg sync
}

# An IPv6 endpoint pinned: the kernel has it, the member pings over it,
# sub show reports it; then the IPv4 one again. The member's IPv4 address
# is away meanwhile: a packet it sent over IPv4 (its keepalive) after the
# sync would move the concentrator's endpoint back there, as WireGuard
# follows a roaming peer.
wg_endpoint6() {
	ip -n wgm addr add 2001:db8:203::2/64 dev wm0 nodad &&
		ip -n conc addr add 2001:db8:203::1/64 dev wc0 nodad &&
		ip -n wgm addr del 203.0.113.2/24 dev wm0 ||
		{ fail "wireguard: IPv6 only on the member's link"; return; }
	check "wireguard: pin an IPv6 endpoint" tungate --db "$DB" sub set wgm \
		--remote '[2001:db8:203::2]:51820'
	tg sync >/tmp/wgsync6 2>&1 &&
		grep -q '1 peers (0 added, 1 changed, 0 removed)' /tmp/wgsync6 &&
		ok "wireguard: sync with it: the peer changed" ||
		fail "wireguard: sync with it: $(cat /tmp/wgsync6)"
	conc wg show tgwg51820 endpoints 2>&1 | grep -q '\[2001:db8:203::2\]:51820$' &&
		ok "wireguard: the kernel has the IPv6 endpoint" ||
		fail "wireguard: endpoints: $(conc wg show tgwg51820 endpoints 2>&1)"
	wg_member wg set wg0 peer "$cpub" endpoint '[2001:db8:203::1]:51820'
	check "wireguard: ping over the IPv6 endpoint" wg_ping
	tg sub show wgm 2>&1 |
		grep -q '^wireguard: *up, handshake [0-9]* s ago, endpoint \[2001:db8:203::2\]:51820,' &&
		ok "wireguard: sub show: the IPv6 endpoint" ||
		fail "wireguard: sub show: $(tg sub show wgm 2>&1)"
	check "wireguard: the member's IPv4 address back" \
		ip -n wgm addr add 203.0.113.2/24 dev wm0
	check "wireguard: pin the IPv4 endpoint again" tungate --db "$DB" \
		sub set wgm --remote 203.0.113.2:51820
	check "wireguard: sync with it" tg sync
	wg_member wg set wg0 peer "$cpub" endpoint 203.0.113.1:51820
	check "wireguard: ping over IPv4 again" wg_ping
}

# The member's namespace, its veth to conc and its keys.
wg_member_ns() {
	ip netns add wgm && ip -n wgm link set lo up &&
		ip link add wm0 netns wgm type veth peer name wc0 netns conc &&
		ip -n wgm addr add 203.0.113.2/24 dev wm0 &&
		ip -n conc addr add 203.0.113.1/24 dev wc0 &&
		ip -n wgm link set wm0 up && ip -n conc link set wc0 up &&
		(umask 077 && wg genkey >/tmp/wgm.key) &&
		wg pubkey </tmp/wgm.key >/tmp/wgm.pub
}

# The member's wg0 (100.64.2.1) toward the concentrator's key $1, with
# core's network routed through it.
wg_member_link() {
	ip -n wgm link add wg0 type wireguard &&
		wg_member wg set wg0 listen-port 51820 private-key /tmp/wgm.key \
			peer "$1" endpoint 203.0.113.1:51820 \
			allowed-ips 198.51.100.0/24 persistent-keepalive 25 &&
		ip -n wgm addr add 100.64.2.1/24 dev wg0 &&
		ip -n wgm link set wg0 up &&
		ip -n wgm route add 198.51.100.0/24 dev wg0
}

wireguard_stage() {
	wg_member_ns || { fail "wireguard: member namespace and keys"; return; }
	check "wireguard: up" tg up --subscriber-if c0 --uplink-if u0 --mode generic
	check "wireguard: sub add --type wireguard" tungate --db "$DB" sub add wgm \
		--type wireguard --public-key "$(cat /tmp/wgm.pub)" \
		--remote 203.0.113.2:51820 --prefix 100.64.2.0/24
	tg -j sync >/tmp/wgsync.json 2>&1
	cpub=$(sed -n 's/.*"public_key": *"\([A-Za-z0-9+\/=]*\)".*/\1/p' /tmp/wgsync.json)
	grep -q '"name": *"tgwg51820", *"port": *51820, *"peers": *1, *"added": *1' \
		/tmp/wgsync.json && [ -n "$cpub" ] &&
		ok "wireguard: sync made tgwg51820 with the member's peer" ||
		fail "wireguard: sync: $(cat /tmp/wgsync.json)"
	conc wg show tgwg51820 dump >/tmp/wgdump 2>&1
	# The interface's own line, then the peer's: key, endpoint, IPs, keepalive.
	awk -v c="$cpub" -v m="$(cat /tmp/wgm.pub)" '
		NR == 1 && $2 == c && $3 == 51820 { dev = 1 }
		NR == 2 && $1 == m && $3 == "203.0.113.2:51820" &&
			$4 == "100.64.2.0/24" && $8 == 25 { peer = 1 }
		END { exit !(dev && peer) }' /tmp/wgdump &&
		ok "wireguard: the kernel has the key, port and peer tungate set" ||
		fail "wireguard: wg show dump: $(cat /tmp/wgdump)"
	ip -n conc route show proto 241 | grep -q '^100.64.2.0/24 dev tgwg51820' &&
		ok "wireguard: route to the member's prefix" ||
		fail "wireguard: routes: $(ip -n conc route show proto 241)"
	wg_status 1 0 1 "wgm not connected yet"
	wg_member_link "$cpub" || fail "wireguard: member interface"
	check "wireguard: ping core through the concentrator" wg_ping
	check "wireguard: sync again changes nothing" sh -c \
		"nsenter --net=/run/netns/conc tungate --db $DB --pin-root $PIN sync |
			grep -q 'tgwg51820: port 51820, public key $cpub, 1 peers (0 added, 0 changed, 0 removed)'"
	wg_state
	wg_endpoint6
	check "wireguard: sub disable" tungate --db "$DB" sub disable wgm
	check "wireguard: sync after disable" tg sync
	[ "$(wg_peers)" = 0 ] && ok "wireguard: disabled member's peer removed" ||
		fail "wireguard: peers after disable: $(conc wg show tgwg51820 2>&1)"
	wg_ping 2 1 >/dev/null 2>&1 && fail "wireguard: disabled member still pings" ||
		ok "wireguard: disabled member's pings stop at once"
	ip -n conc route show proto 241 | grep -q . &&
		fail "wireguard: route left: $(ip -n conc route show proto 241)" ||
		ok "wireguard: disabled member's route removed"
	wg_status 0 0 0 "wgm disabled"
	check "wireguard: sub enable" tungate --db "$DB" sub enable wgm
	check "wireguard: sync after enable" tg sync
	check "wireguard: enabled member pings again" wg_ping
	# The daemon: a member disabled is cut off within its interval.
	tgd_start --interval 100 >/tmp/wgrun.log 2>&1
	sleep 2
	check "wireguard: daemon: sub disable" tungate --db "$DB" sub disable wgm
	wg_peers_wait 0 && ok "wireguard: daemon removed the peer in $waited ms" ||
		fail "wireguard: daemon left the peer: $(tail -n 5 /tmp/wgrun.log)"
	wg_ping 2 1 >/dev/null 2>&1 && fail "wireguard: daemon: disabled member still pings" ||
		ok "wireguard: daemon: disabled member's pings stop"
	check "wireguard: daemon: sub enable" tungate --db "$DB" sub enable wgm
	i=0
	until wg_ping 1 1 >/dev/null 2>&1 || [ $i -ge 10 ]; do
		i=$((i + 1))
	done
	check "wireguard: daemon: enabled member pings again" wg_ping
	tgd_stop
	check "wireguard: sub del" tungate --db "$DB" sub del wgm
	check "wireguard: sync after del" tg sync
	ip -n conc link show tgwg51820 >/dev/null 2>&1 &&
		fail "wireguard: tgwg51820 left with no member" ||
		ok "wireguard: the interface no member uses is deleted"
	check "wireguard: down" tg down
	ip netns del wgm
}

# Stage $1 (its function $1_stage) when it is selected and the namespaces
# are there.
run_stage() {
	if ! stage "$1"; then
		:
	elif [ -n "$topo" ]; then
		"$1_stage"
	else
		fail "$1: no namespaces"
	fi
	uptime_at "$1"
}

run_stage wireguard
# WireGuard members enrolling themselves through the broker.
. /tg/wg_enrol.sh
run_stage wg_enrol
# WireGuard members policed and counted.
. /tg/wg_police.sh
run_stage wg_police

stage replays || finish

# One replay process for every case: the programs are loaded (verified)
# once; each case still runs in a namespace of its own, on maps emptied
# and filled from its own database.
for d in /tg/cases/*; do
	sh /tg/replay_case.sh line "$d"
done >/tmp/replay.batch
tungate replay --batch /tmp/replay.batch 2>/tmp/replay.err
for d in /tg/cases/*; do
	sh /tg/replay_case.sh check "$d"
done >/tmp/replay.log
cat /tmp/replay.log
if grep -q '^FAIL - replay' /tmp/replay.log; then
	echo "replay errors:"
	tail -n 40 /tmp/replay.err | sed 's/^/    /'
fi
good=$(grep -c '^ok   - replay' /tmp/replay.log)
bad=$(grep -c '^FAIL - replay' /tmp/replay.log)
passed=$((passed + good))
failed=$((failed + bad))
uptime_at replays
n=$(ls /tg/cases | wc -l)
[ "$n" -gt 0 ] && [ $((good + bad)) -eq "$n" ] ||
	fail "replay: $((good + bad)) results for $n cases"

finish
