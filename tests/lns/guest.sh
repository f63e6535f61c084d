#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Runs inside a test kernel, started by its /init (tests/lns/vm_client.sh
# builds the image): a member's router dialling in. xl2tpd (LAC) and pppd
# with pppol2tp.so bring up ppp0 through the concentrator at 192.0.2.1;
# then the address IPCP gave, a ping to core through the session, the
# IPv6 address from the RA, the prefix DHCPv6 delegates (dhcpcd), pings
# to core's IPv6 address from both, and a clean hang-up. Reports "TG: ..." lines
# the host turns into checks. On the kernel command line, tg.auth=chap|pap
# says which authentication pppd accepts; tg.verbose=1 shows the daemons'
# logs at the end, as does any failure.
CORE4=198.51.100.2
CORE6=2001:db8:ff::2
auth=chap
verbose=
bad=
for w in $(cat /proc/cmdline); do
	case $w in
	tg.auth=*) auth=${w#tg.auth=} ;;
	tg.verbose=*) verbose=${w#tg.verbose=} ;;
	esac
done
case $auth in
chap) refuse='refuse-pap' ;;
*) refuse='refuse-chap' ;;
esac

# until SECONDS CMD...: CMD until it succeeds, every half second.
until_ok() {
	n=$(($1 * 2))
	shift
	while [ $n -gt 0 ]; do
		"$@" && return 0
		sleep 0.5
		n=$((n - 1))
	done
	return 1
}

# pinged NAME PING...: "TG: NAME ok", or FAIL with what ping said.
pinged() {
	name=$1
	shift
	if "$@" >/tmp/ping 2>&1; then
		echo "TG: $name ok"
	else
		echo "TG: $name FAIL"
		sed 's/^/TG: | /' /tmp/ping
		bad=1
	fi
}

report_logs() {
	for f in /tmp/xl2tpd.log /tmp/ppp.log /tmp/dhcpcd.log; do
		[ -s $f ] || continue
		echo "TG: --- $f"
		tail -n 40 $f | sed 's/^/TG: | /'
	done
}

ip link set eth0 up
ip addr add 192.0.2.2/24 dev eth0
# ppp0 takes these when pppd makes it: SLAAC from the RA.
echo 2 >/proc/sys/net/ipv6/conf/default/accept_ra
echo 1 >/proc/sys/net/ipv6/conf/default/autoconf
echo "TG: auth $auth"

mkdir -p /etc/ppp /etc/xl2tpd /var/run/xl2tpd
: >/etc/ppp/options
cat >/etc/ppp/options.exo <<OPTIONS
user alice@exo.cat
password secret
noauth
$refuse
refuse-mschap
refuse-mschap-v2
refuse-eap
noccp
+ipv6
defaultroute
debug
logfile /tmp/ppp.log
OPTIONS
cat >/etc/xl2tpd/xl2tpd.conf <<CONF
[global]
port = 1701

[lac exo]
lns = 192.0.2.1
hostname = exo-cpe
name = alice@exo.cat
ppp debug = yes
pppoptfile = /etc/ppp/options.exo
require authentication = no
autodial = yes
redial = no
CONF
xl2tpd -D -c /etc/xl2tpd/xl2tpd.conf -p /var/run/xl2tpd.pid \
	-C /var/run/xl2tpd/l2tp-control >/tmp/xl2tpd.log 2>&1 &

ppp_inet() {
	ip -4 addr show dev ppp0 2>/dev/null | grep -q ' inet '
}
if until_ok 60 ppp_inet; then
	a=$(ip -4 addr show dev ppp0 | sed -n 's/.* inet \([0-9.]*\).*/\1/p')
	echo "TG: ppp0 inet $a"
else
	echo "TG: ppp0 down"
	report_logs
	exit 1
fi
for a in CHAP PAP; do
	grep -q "$a authentication succeeded" /tmp/ppp.log &&
		echo "TG: authenticated $(echo $a | tr A-Z a-z)"
done
pinged ping4 ping -c 3 -W 3 $CORE4

global6() {
	ip -6 addr show dev ppp0 scope global 2>/dev/null |
		sed -n 's/.* inet6 \([0-9a-f:]*\/[0-9]*\).*/\1/p' | head -n 1 |
		grep .
}
if until_ok 20 global6 >/dev/null; then
	echo "TG: ppp0 inet6 $(global6)"
else
	echo "TG: ppp0 inet6 none"
	bad=1
fi
ip -6 route show default dev ppp0 | grep -q . && echo "TG: ra route ok" ||
	echo "TG: ra route none"

# Prefix delegation only, on a DUID of our own (ppp0 has no link-layer
# address to make one from).
mkdir -p /var/lib/dhcpcd /run/dhcpcd
echo 00:03:00:01:02:00:00:00:00:02 >/var/lib/dhcpcd/duid
cat >/tmp/dhcpcd.conf <<CONF
noipv6rs
ia_pd 1
script /tg/dhcpcd-hook.sh
CONF
dhcpcd -f /tmp/dhcpcd.conf -6 -B -d ppp0 >/tmp/dhcpcd.log 2>&1 &
dhc=$!
if until_ok 30 test -s /tmp/pd; then
	pd=$(cat /tmp/pd)
	echo "TG: pd $pd"
else
	pd=
	echo "TG: pd none"
	bad=1
fi
kill $dhc 2>/dev/null

pinged ping6 ping6 -c 3 -W 3 $CORE6
if [ -n "$pd" ]; then
	# An address of the delegated prefix, as a router gives its LAN.
	pdaddr=${pd%%::/*}::1
	ip -6 addr add "$pdaddr/128" dev lo
	pinged "ping6 pd" ping6 -c 3 -W 3 -I "$pdaddr" $CORE6
fi

# Hang up as a router does: pppd ends the PPP session (LCP
# Terminate-Request), xl2tpd then the call and the tunnel.
pppd_pid=$(pidof pppd)
kill "$pppd_pid"
until_ok 10 sh -c "! kill -0 $pppd_pid 2>/dev/null" &&
	echo "TG: hangup ok" || echo "TG: hangup FAIL"
kill "$(cat /var/run/xl2tpd.pid)"
sleep 2
[ -n "$verbose$bad" ] && report_logs
exit 0
