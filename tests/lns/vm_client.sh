#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# A member's router dialling in to a concentrator (LNS): Debian's own
# xl2tpd and pppd (pppol2tp.so) in Debian's kernel booted in qemu (TCG),
# as tests/lns/guest.sh, against an LNS in a network namespace.
#
#   tests/lns/vm_client.sh [--lns l2tpns|tungate] [--auth chap|pap]
#       [--capture FILE] [--kernel SERIES] [--initrd FILE] [--verbose]
#
#   guest eth0 --tap-- [wire: br0] --veth-- acc [LNS] upl --veth-- core [CORE]
#   192.0.2.2/24                      192.0.2.1/24 198.51.100.1/24 .2/24
#                                                  2001:db8:ff::1/64 ::2/64
#
# The LNS is a function that brings it up in the LNS namespace: l2tpns
# (Debian's l2tpns with FreeRADIUS, each with a configuration of its own in
# the temp dir) or tungate. The member is alice@exo.cat, password secret,
# with 100.64.1.2 and the delegated prefix 2001:db8:1:100::/56. The access
# link is captured to FILE with --capture (both directions, on the wire's
# end in the guest's namespace). --initrd takes an image
# tests/lns/initramfs.sh built (else it is built here); --verbose shows the
# guest daemons' logs. Prints ok/FAIL lines and "N passed, M failed".
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/tests/e2e/result.sh"
SUITE='lns-vm'
TUNGATE=${TUNGATE:-$top/build/tungate}
PASS_OBJ=$(dirname "$TUNGATE")/pass.bpf.o

lns=l2tpns auth=chap capture='' series=6.1 initrd='' verbose=''
while [ $# -gt 0 ]; do
	case $1 in
	--lns) lns=$2; shift ;;
	--auth) auth=$2; shift ;;
	--capture) capture=$(realpath -m "$2"); shift ;;
	--kernel) series=$2; shift ;;
	--initrd) initrd=$(realpath "$2"); shift ;;
	--verbose) verbose=1 ;;
	*) echo "usage: $0 [--lns l2tpns|tungate] [--auth chap|pap]" \
		"[--capture FILE] [--kernel SERIES] [--initrd FILE] [--verbose]" >&2
		exit 2 ;;
	esac
	shift
done
case $lns:$auth in
l2tpns:chap | l2tpns:pap | tungate:chap | tungate:pap) ;;
*) echo "vm_client: --lns l2tpns|tungate, --auth chap|pap" >&2; exit 2 ;;
esac

[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, tap)"
for tool in qemu-system-x86_64 cpio depmod modprobe dpkg-deb apt-get xz \
	ip nsenter unshare tcpdump flock; do
	command -v $tool >/dev/null || skip "$tool is not installed"
done
[ -x /bin/busybox ] && [ -x /bin/dash ] ||
	skip "busybox-static and dash are needed"
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
case $lns in
l2tpns)
	for tool in l2tpns freeradius; do
		command -v $tool >/dev/null || skip "$tool is not installed"
	done ;;
tungate)
	for f in "$TUNGATE" "$PASS_OBJ"; do
		[ -e "$f" ] || die "$f not built (run make)"
	done ;;
esac

# The namespaces of tests/e2e/lib.sh: the guest's side ($SUB, the wire),
# the LNS ($CONC) and core ($CORE); lib.sh's tg runs tungate in $CONC.
tungate=$TUNGATE pass_obj=$PASS_OBJ
TAG=tg-vm
. "$top/tests/e2e/lib.sh"
TUNGATE=$tungate PASS_OBJ=$pass_obj
SUITE='lns-vm'
trap topo_cleanup EXIT
trap 'exit 1' INT TERM


# The daemons run through bg_conc (an alias: a function would put a shell
# between $! and the daemon, and the daemon would outlive its cleanup).
shopt -s expand_aliases
alias bg_conc='nsenter --net=/run/netns/"$CONC"'

# listening PATTERN: a UDP socket in $CONC whose line has PATTERN.
listening() {
	in_conc ss -Hlun | grep -q -- "$1"
}

# The three namespaces: the guest's tap bridged to a veth whose far end
# (acc) is the LNS's access interface, and core behind the LNS.
topo_up() {
	local ns
	for ns in "$SUB" "$CONC" "$CORE"; do
		ip netns add "$ns" && ip -n "$ns" link set lo up || return 1
	done
	ip -n "$SUB" tuntap add dev tap0 mode tap &&
	ip -n "$SUB" link add br0 type bridge &&
	ip -n "$SUB" link add wacc type veth peer name acc netns "$CONC" &&
	ip -n "$CONC" link add upl type veth peer name core netns "$CORE" &&
	for l in "$SUB:tap0" "$SUB:wacc"; do
		ip -n "${l%%:*}" link set "${l#*:}" master br0 || return 1
	done &&
	for l in "$SUB:tap0" "$SUB:wacc" "$SUB:br0" "$CONC:acc" "$CONC:upl" \
		"$CORE:core"; do
		ip -n "${l%%:*}" link set "${l#*:}" up || return 1
	done &&
	ip -n "$CONC" addr add 192.0.2.1/24 dev acc &&
	ip -n "$CONC" addr add 198.51.100.1/24 dev upl &&
	ip -n "$CONC" addr add 2001:db8:ff::1/64 dev upl nodad &&
	ip -n "$CORE" addr add 198.51.100.2/24 dev core &&
	ip -n "$CORE" addr add 2001:db8:ff::2/64 dev core nodad &&
	ip -n "$CORE" route add 100.64.0.0/10 via 198.51.100.1 &&
	ip -n "$CORE" route add 2001:db8::/32 via 2001:db8:ff::1 &&
	ip netns exec "$CONC" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv6.conf.all.forwarding=1 net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0
}

# lns_start_l2tpns: FreeRADIUS with alice (a copy of Debian's
# configuration, alice first in its users file), then l2tpns (host name
# lns.exo.test, IPv6 prefix 2001:db8:64::/64) with its own /etc/l2tpns.
LNS_V6_NET=
lns_start_l2tpns() {
	local raddb=$TMP/raddb etc=$TMP/l2tpns
	LNS_V6_NET=2001:db8:64::/64
	cp -a /etc/freeradius/3.0 "$raddb" || return 1
	{
		printf '%s\n' '"alice@exo.cat" Cleartext-Password := "secret"' \
			'	Service-Type = Framed-User,' \
			'	Framed-Protocol = PPP,' \
			'	Framed-IP-Address = 100.64.1.2,' \
			'	Delegated-IPv6-Prefix = 2001:db8:1:100::/56' ''
		cat "$raddb/mods-config/files/authorize"
	} >"$TMP/authorize" && mv "$TMP/authorize" \
		"$raddb/mods-config/files/authorize" || return 1
	cat >"$raddb/clients.conf" <<-CLIENTS
	client localhost {
		ipaddr = 127.0.0.1
		secret = testing123
	}
	client lns {
		ipaddr = 192.0.2.1
		secret = testing123
	}
	CLIENTS
	# Root all along, its pid file in the temp dir.
	sed -i -e '/^[[:space:]]*\(user\|group\) = /d' \
		-e "s|^run_dir = .*|run_dir = $TMP|" "$raddb/radiusd.conf"
	bg_conc setsid freeradius -f -d "$raddb" -l "$TMP/radius.log" &
	BG_PIDS+=($!)

	mkdir -p "$etc"
	echo 100.64.255.0/24 >"$etc/ip_pool"
	: >"$etc/users"
	cat >"$etc/startup-config" <<-CONFIG
	set debug 3
	set log_file "$TMP/l2tpns.log"
	set pid_file "$TMP/l2tpns.pid"
	set bind_address 192.0.2.1
	set cluster_interface "acc"
	set radius_authtypes "chap,pap"
	set peer_address 100.64.0.1
	set primary_radius 127.0.0.1
	set radius_secret "testing123"
	set radius_accounting no
	set cli_bind_address 127.0.0.1
	set ipv6_prefix 2001:db8:64::
	CONFIG
	# In a session of its own: l2tpns signals its whole process group.
	bg_conc setsid unshare -m sh -c \
		'mount --bind "$1" /etc/l2tpns && exec l2tpns -h lns.exo.test' \
		l2tpns "$etc" >"$TMP/l2tpns.out" 2>&1 &
	BG_PIDS+=($!)
	wait_for 200 listening 192.0.2.1:1701 &&
		wait_for 200 listening ':1812 ' || {
		echo "l2tpns or FreeRADIUS did not start:"
		tail -n 20 "$TMP/l2tpns.out" "$TMP/l2tpns.log" "$TMP/radius.log"
		return 1
	}
}

# lns_start_tungate: tungate up on acc (uplink up), the LNS settings,
# alice as a dial-in member and the daemon in the background. The far
# ends of the veth pairs carry an XDP_PASS program so that native XDP can
# redirect into them.
lns_start_tungate() {
	LNS_V6_NET=2001:db8:1:1::/64
	mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf || return 1
	ip -n "$SUB" link set dev wacc xdp obj "$PASS_OBJ" sec xdp &&
	ip -n "$CORE" link set dev core xdp obj "$PASS_OBJ" sec xdp &&
	tg db init &&
	tg config set lns 192.0.2.1 &&
	tg config set lns-name lns.exo.test &&
	tg config set lns-auth chap,pap &&
	tg config set lns-address 100.64.0.1 &&
	tg config set lns-dns 198.51.100.53,2001:db8:ff::53 &&
	tg sub add alice --type l2tpv2 --user alice@exo.cat --password secret \
		--prefix 100.64.1.2/32 --prefix 2001:db8:1:1::/64 \
		--prefix 2001:db8:1:100::/56 &&
	tg up --subscriber-if acc --uplink-if upl || return 1
	bg_conc "$TUNGATE" --db "$DB" --pin-root "$PIN" run \
		2>"$TMP/tungate.log" &
	BG_PIDS+=($!)
	wait_for 200 listening 192.0.2.1:1701 || {
		echo "tungate run does not listen on 192.0.2.1:1701:"
		tail -n 20 "$TMP/tungate.log"
		return 1
	}
}

# The kernel, the client's packages and the image (unless given).
{
	read -r kroot release < <(bash "$top/tests/kernels/fetch.sh" "$series") ||
		die "no $series kernel package"
	if [ -z "$initrd" ]; then
		client=$(bash "$here/fetch.sh") || die "no client packages"
		initrd=$TMP/initramfs.cpio.gz
		bash "$here/initramfs.sh" "$kroot" "$release" "$client" \
			"$initrd" || die "cannot build the initramfs"
	fi
} 2>&1

# One namespace run at a time on this machine.
. "$top/tests/e2e/lock.sh"
e2e_lock
start=$SECONDS
step "namespaces" topo_up
# The capture is taken on the wire's end in the guest's namespace (wacc):
# on acc it would miss the data plane's frames both ways (XDP runs before
# any capture on acc, and what it redirects into acc leaves without
# passing one). acc finishes the UDP checksums of what it sends, as a
# wire's NIC does: a veth leaves them to the receiver, unmade in the
# capture.
if [ -n "$capture" ]; then
	ip netns exec "$CONC" python3 "$top/tests/e2e/tx_csum_off.py" acc ||
		die "cannot turn checksum offload off on acc"
	nsenter --net=/run/netns/"$SUB" tcpdump -Z root -i wacc -U -s 0 \
		-w "$capture" 2>"$TMP/tcpdump.log" &
	BG_PIDS+=($!)
	wait_for 50 grep -q 'listening on' "$TMP/tcpdump.log" ||
		die "tcpdump did not start: $(cat "$TMP/tcpdump.log")"
fi
step "LNS $lns" "lns_start_$lns"

# watch_tungate: the daemon's sessions and alice's counters every second
# while the guest runs (until $TMP/guest.done), one JSON document a line.
watch_tungate() {
	while [ ! -e "$TMP/guest.done" ]; do
		tg -j session list 2>/dev/null | tr -d '\n' >>"$TMP/sessions"
		echo >>"$TMP/sessions"
		tg -j stats alice --interval 0 2>/dev/null | tr -d '\n' \
			>>"$TMP/stats"
		echo >>"$TMP/stats"
		sleep 1
	done
}
no_sessions() {
	[ "$(tg -j session list | tr -d ' \n')" = "[]" ]
}
watcher=
if [ "$lns" = tungate ]; then
	watch_tungate &
	watcher=$!
	BG_PIDS+=("$watcher")
fi

. "$top/tests/kernels/boot.sh"
log=$TMP/console.log
BOOT_SMP=1 BOOT_MEM=512 BOOT_NETNS=$SUB boot_guest "$log" 300 \
	"$kroot/boot/vmlinuz-$release" "$initrd" \
	"tg.auth=$auth${verbose:+ tg.verbose=1}" \
	-netdev tap,id=n0,ifname=tap0,script=no,downscript=no \
	-device virtio-net-pci,netdev=n0,mac=52:54:00:00:02:02,romfile=
rc=$?
touch "$TMP/guest.done"
[ -z "$watcher" ] || wait "$watcher"
echo "guest ($release, $auth against $lns): $((SECONDS - start)) s"
guest=$TMP/guest.txt
sed -n '/^TG: kernel /,$p' "$log.txt" >"$guest"
[ -n "$verbose" ] && cat "$guest"

# got PATTERN: the guest's line "TG: PATTERN" (an extended regex).
got() {
	grep -qE "^TG: ($1)\$" "$guest"
}
# expect WHAT PATTERN LINES: a check on the guest's line PATTERN; when it
# fails, the guest's lines that start with LINES tell what it saw.
expect() {
	if got "$2"; then
		ok "$auth: $1"
	else
		fail "$auth: $1: $(grep -E "^TG: $3" "$guest" | head -n 3 |
			tr '\n' ' ')"
	fi
}
expect "ppp0 up with 100.64.1.2 from IPCP" 'ppp0 inet 100\.64\.1\.2' 'ppp0'
upper=$(echo "$auth" | tr a-z A-Z)
expect "authenticated with $upper" "authenticated $auth" 'authenticated'
expect "ping core 198.51.100.2 through the session" 'ping4 ok' 'ping4'
a6=$(sed -n 's|^TG: ppp0 inet6 \([0-9a-f:]*\)/64$|\1|p' "$guest")
if [ -n "$a6" ] && python3 -c 'import ipaddress, sys
a, net = ipaddress.ip_address(sys.argv[1]), ipaddress.ip_network(sys.argv[2])
sys.exit(a not in net)' "$a6" "$LNS_V6_NET"; then
	ok "$auth: IPv6 address $a6 in $LNS_V6_NET from the RA"
else
	fail "$auth: IPv6 address in $LNS_V6_NET from the RA: $(grep \
		'^TG: ppp0 inet6' "$guest")"
fi
expect "default route from the RA" 'ra route ok' 'ra route'
expect "prefix 2001:db8:1:100::/56 delegated by DHCPv6" \
	'pd 2001:db8:1:100::/56' 'pd'
expect "ping6 core 2001:db8:ff::2 through the session" 'ping6 ok' \
	'ping6 [a-zA-Z]'
expect "ping6 core from the delegated prefix" 'ping6 pd ok' 'ping6 pd'
expect "hang up" 'hangup ok' 'hangup'
if [ "$lns" = tungate ]; then
	grep -q '"alice@exo.cat"' "$TMP/sessions" &&
		ok "$auth: tungate session list showed alice's session" ||
		fail "$auth: tungate session list showed alice's session"
	# The most each way: nine echoes went up (three to each core address)
	# and their replies down; at least six each way in XDP.
	read -r pup pdown < <(python3 -c 'import json, sys
best = [0, 0]
for line in open(sys.argv[1]):
    try:
        subs = json.loads(line)["subscribers"]
    except (ValueError, KeyError):
        continue
    for s in subs:
        now = [s["up"]["packets"], s["down"]["packets"]]
        best = [max(b, n) for b, n in zip(best, now)]
print(*best)' "$TMP/stats")
	what="alice's packets in the data plane: ${pup:-?} up, ${pdown:-?} down"
	[ "${pup:-0}" -ge 6 ] && [ "${pdown:-0}" -ge 6 ] &&
		ok "$auth: $what" || fail "$auth: $what"
	wait_for 50 no_sessions &&
		ok "$auth: the session ended with the hang-up" ||
		fail "$auth: the session ended with the hang-up: $(tg session list)"
fi
if [ $rc -ne 0 ] || ! got 'exit 0'; then
	fail "$auth: guest ended with qemu status $rc; console tail:"
	tail -n 30 "$log.txt" | sed 's/^/    /'
elif [ "$failed" -gt 0 ] && [ -z "$verbose" ]; then
	grep '^TG: |' "$guest" | sed 's/^/    /'
fi
if [ "$failed" -gt 0 ]; then
	for f in "$TMP/l2tpns.log" "$TMP/radius.log" "$TMP/tungate.log"; do
		[ -s "$f" ] || continue
		echo "    --- $f (tail)"
		tail -n 40 "$f" | sed 's/^/    /'
	done
fi
finish
