#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# A reference LNS for the LAC simulator: Debian's l2tpns with its own
# FreeRADIUS, in a network namespace of its own, joined by a veth to the
# namespace the LAC runs in.
#
#   ns $LNS_NS [tg-lns] 192.0.2.1/24 --veth-- 192.0.2.2/24 [tg-lac] ns $LAC_NS
#   l2tpns: UDP 1701, tun0 with 100.64.0.1 (the members' peer address)
#   FreeRADIUS on 127.0.0.1:1812 (secret testing123): every user in
#   $L2TPNS_DIR/users (l2tpns_user NAME PASSWORD [ADDRESS])
#
# Source it, then: l2tpns_setup (namespaces, veth, temp dir; sets the
# cleanup trap), l2tpns_user ..., l2tpns_start [l2tp-secret],
# l2tpns_stop, l2tpns_cleanup. Usable by benchmarks as well as tests.
# Both run in sessions of their own: l2tpns signals its process group
# when it stops.
# Run as a script: starts it, prints the namespaces and waits for a signal.

L2TPNS_TAG=${L2TPNS_TAG:-tg-l2tpns}
LNS_NS=$L2TPNS_TAG-lns-$$
LAC_NS=$L2TPNS_TAG-lac-$$
LNS_ADDR=192.0.2.1
LAC_ADDR=192.0.2.2
LNS_PEER=100.64.0.1
LNS_DNS1=198.51.100.53
LNS_DNS2=198.51.100.54
L2TPNS_DIR=
L2TPNS_PID=
RADIUS_PID=

l2tpns_cleanup() {
	l2tpns_stop
	ip netns del "$LNS_NS" 2>/dev/null
	ip netns del "$LAC_NS" 2>/dev/null
	[ -n "$L2TPNS_DIR" ] && rm -rf "$L2TPNS_DIR"
	L2TPNS_DIR=
}

# The namespaces, the veth and the temp dir; the trap removes them.
l2tpns_setup() {
	L2TPNS_DIR=$(mktemp -d "/tmp/$L2TPNS_TAG-XXXXXX") || return 1
	trap 'l2tpns_cleanup' EXIT
	trap 'exit 130' INT TERM
	ip netns add "$LNS_NS" || return 1
	ip netns add "$LAC_NS" || return 1
	ip link add tg-lns netns "$LNS_NS" type veth peer name tg-lac \
		netns "$LAC_NS" || return 1
	ip -n "$LNS_NS" addr add "$LNS_ADDR/24" dev tg-lns
	ip -n "$LAC_NS" addr add "$LAC_ADDR/24" dev tg-lac
	ip -n "$LNS_NS" link set lo up
	ip -n "$LAC_NS" link set lo up
	ip -n "$LNS_NS" link set tg-lns up
	ip -n "$LAC_NS" link set tg-lac up
	: >"$L2TPNS_DIR/users"
}

# l2tpns_user NAME PASSWORD [FRAMED-IP]: a RADIUS user (before start).
l2tpns_user() {
	{
		printf '"%s" Cleartext-Password := "%s"\n' "$1" "$2"
		[ -n "${3:-}" ] && printf '\tFramed-IP-Address = %s,\n' "$3"
		printf '\tService-Type = Framed-User\n\n'
	} >>"$L2TPNS_DIR/users"
}

# l2tpns_users PATTERN N PASSWORD: users PATTERN%d 1..N, 100.64.16.0 up.
l2tpns_users() {
	local i
	# shellcheck disable=SC2059 # the pattern is the format
	for ((i = 1; i <= $2; i++)); do
		printf '"%s" Cleartext-Password := "%s"\n' \
			"$(printf "$1" "$i")" "$3"
		printf '\tFramed-IP-Address = 100.64.%d.%d,\n' \
			$((16 + i / 256)) $((i % 256))
		printf '\tService-Type = Framed-User\n\n'
	done >>"$L2TPNS_DIR/users"
}

# radius_start NETNS: FreeRADIUS in NETNS with the users of
# $L2TPNS_DIR/users; its config, state, log and accounting (the default
# detail module: $L2TPNS_DIR/radacct/127.0.0.1/detail-*) there; sets
# RADIUS_PID. Clients: Debian's, localhost with testing123.
radius_start() {
	local r=$L2TPNS_DIR/raddb ns=$1
	cp -a /etc/freeradius/3.0 "$r" || return 1
	cp "$L2TPNS_DIR/users" "$r/mods-config/files/authorize"
	# Root in the test's namespace, state in the temp dir.
	sed -i -e '/^\s*user = /d' -e '/^\s*group = /d' \
		-e "s|^\s*run_dir = .*|run_dir = $L2TPNS_DIR|" \
		-e "s|^\s*logdir = .*|logdir = $L2TPNS_DIR|" "$r/radiusd.conf"
	setsid ip netns exec "$ns" freeradius -f -d "$r" \
		-l "$L2TPNS_DIR/radius.log" &
	RADIUS_PID=$!
}

# l2tpns_start [L2TP-SECRET]: FreeRADIUS, then l2tpns; waits for both.
l2tpns_start() {
	local secret=${1:-} i cfg
	radius_start "$LNS_NS" || return 1
	cat >"$L2TPNS_DIR/startup-config" <<-EOF
	set debug 3
	set log_file "$L2TPNS_DIR/l2tpns.log"
	set pid_file "$L2TPNS_DIR/l2tpns.pid"
	set bind_address $LNS_ADDR
	set peer_address $LNS_PEER
	set iftun_address $LNS_PEER
	set primary_dns $LNS_DNS1
	set secondary_dns $LNS_DNS2
	set primary_radius 127.0.0.1
	set primary_radius_port 1812
	set radius_secret "testing123"
	set radius_accounting no
	set radius_authtypes "chap,pap"
	set cli_bind_address 127.0.0.1
	set cluster_interface lo
	set cluster_hb_timeout 10
	set ipv6_prefix 2001:db8:64::
	set ppp_keepalive yes
	EOF
	cfg=$L2TPNS_DIR/startup-config
	[ -n "$secret" ] && echo "set l2tp_secret \"$secret\"" >>"$cfg"
	setsid ip netns exec "$LNS_NS" l2tpns -c "$cfg" \
		>"$L2TPNS_DIR/l2tpns.out" 2>&1 &
	L2TPNS_PID=$!
	for ((i = 0; i < 300; i++)); do
		# l2tpns serves once it has elected itself cluster master.
		if grep -qs 'declaring myself the master' \
			"$L2TPNS_DIR/l2tpns.log" &&
			ip netns exec "$LNS_NS" ss -Hlun |
			grep -q ':1812 '; then
			return 0
		fi
		kill -0 "$L2TPNS_PID" 2>/dev/null || return 1
		kill -0 "$RADIUS_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# SIGTERM, then SIGKILL after 3 s: l2tpns may linger over its sessions.
l2tpns_stop() {
	local pid i
	for pid in $L2TPNS_PID $RADIUS_PID; do
		kill "$pid" 2>/dev/null
	done
	for pid in $L2TPNS_PID $RADIUS_PID; do
		for ((i = 0; i < 30; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	L2TPNS_PID=
	RADIUS_PID=
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -u
	[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 1; }
	l2tpns_setup || exit 1
	l2tpns_user alice@exo.cat secret 100.64.1.2
	l2tpns_users "${1:-m%d@exo.cat}" "${2:-0}" secret
	l2tpns_start "${3:-}" || { echo "l2tpns did not start" >&2; exit 1; }
	echo "LNS_NS=$LNS_NS LAC_NS=$LAC_NS DIR=$L2TPNS_DIR"
	wait "$L2TPNS_PID"
fi
