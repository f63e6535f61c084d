#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The userspace tunnel endpoint against itself, without tungate:
#
#   ns a [tg-rp-a] --veth-- [tg-rp-b] ns b
#   192.0.2.10/24             192.0.2.1/24
#   tun 100.64.1.2/24         tun 100.64.1.1/24
#       2001:db8:1::2/64          2001:db8:1::1/64
#
# For every tunnel type one endpoint runs in each namespace (ids, cookies and
# UDP ports deliberately different in each direction); ping both ways and a
# TCP transfer both ways must work. Ethernet-carrying types find each other's
# MAC with ARP / neighbour discovery inside the tunnel.
#
# PAIR_ONLY=REGEX runs only the tunnel types that match.
#
# Needs root. Outside CI it says SKIP and succeeds; with CI=true a skip fails.
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
PY=/usr/bin/python3
E2E=$ROOT/tests/e2e
BYTES=${BYTES:-1000000}

SUITE="e2e endpoint pair"
. "$E2E/result.sh"

[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, TUN)"
command -v ip >/dev/null || skip "ip not installed"
[ -c /dev/net/tun ] || skip "no /dev/net/tun"

A=tg-rp-a-$$
B=tg-rp-b-$$
TMP=$(mktemp -d /tmp/tg-rp-pair-XXXXXX)
PIDS=()

stop_all() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	PIDS=()
}
cleanup() {
	stop_all
	ip netns del "$A" 2>/dev/null
	ip netns del "$B" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap "exit 1" INT TERM

setup() {
	ip netns add "$A" && ip netns add "$B" &&
	ip -n "$A" link set lo up && ip -n "$B" link set lo up &&
	ip -n "$A" link add tg-rp-a type veth peer name tg-rp-b netns "$B" &&
	ip -n "$A" addr add 192.0.2.10/24 dev tg-rp-a &&
	ip -n "$B" addr add 192.0.2.1/24 dev tg-rp-b &&
	ip -n "$A" link set tg-rp-a up && ip -n "$B" link set tg-rp-b up
}
setup || {
	fail "namespace setup"
	finish
}

in_a() { ip netns exec "$A" "$@"; }
in_b() { ip netns exec "$B" "$@"; }

# start NS NAME ARGS...: an endpoint, waiting for its ready line.
start() {
	local ns=$1 name=$2
	shift 2
	ip netns exec "$ns" $PY "$E2E/tunnel_endpoint.py" --tun "$name" "$@" \
		>"$TMP/$name.out" 2>"$TMP/$name.err" &
	PIDS+=($!)
	for _ in $(seq 50); do
		grep -q '^ready' "$TMP/$name.out" 2>/dev/null && return 0
		sleep 0.1
	done
	cat "$TMP/$name.err" >&2
	return 1
}

for ns in "$A" "$B"; do
	ip netns exec "$ns" $PY "$E2E/tcp_transfer.py" serve 5001 "$TMP/srv.$ns" &
	PIDS+=($!)
done
SERVERS=("${PIDS[@]}")

# pair TYPE V6(0|1) "A options" "B options"
pair() {
	local type=$1 v6=$2 oa=$3 ob=$4 a4=100.64.1.2 b4=100.64.1.1
	local a6=2001:db8:1::2 b6=2001:db8:1::1 aa=() ab=()
	[[ $type =~ ${PAIR_ONLY:-.} ]] || return
	[ "$type" != sit ] && aa+=(--addr "$a4/24") && ab+=(--addr "$b4/24")
	[ "$v6" = 1 ] && aa+=(--addr "$a6/64") && ab+=(--addr "$b6/64")
	# shellcheck disable=SC2086
	if ! start "$A" tgrpa --type "$type" --local 192.0.2.10 --remote 192.0.2.1 \
		"${aa[@]}" --gateway $b4 --gateway6 $b6 --mac 02:00:00:74:00:0a $oa ||
		! start "$B" tgrpb --type "$type" --local 192.0.2.1 --remote 192.0.2.10 \
		"${ab[@]}" --gateway $a4 --gateway6 $a6 --mac 02:00:00:74:00:0b $ob; then
		fail "$type: endpoints start"
		return
	fi
	if [ "$type" != sit ]; then
		check "$type: ping a -> b (IPv4)" in_a $PY "$E2E/icmp_echo.py" $a4 $b4 3
		check "$type: ping b -> a (IPv4)" in_b $PY "$E2E/icmp_echo.py" $b4 $a4 3
		check "$type: TCP a -> b (IPv4, $BYTES bytes)" \
			in_a $PY "$E2E/tcp_transfer.py" put $a4 $b4 5001 "$BYTES"
		check "$type: TCP b -> a (IPv4, $BYTES bytes)" \
			in_b $PY "$E2E/tcp_transfer.py" put $b4 $a4 5001 "$BYTES"
	fi
	if [ "$v6" = 1 ]; then
		check "$type: ping a -> b (IPv6)" in_a $PY "$E2E/icmp_echo.py" $a6 $b6 3
		check "$type: ping b -> a (IPv6)" in_b $PY "$E2E/icmp_echo.py" $b6 $a6 3
		check "$type: TCP a -> b (IPv6, $BYTES bytes)" \
			in_a $PY "$E2E/tcp_transfer.py" put $a6 $b6 5001 "$BYTES"
	fi
	kill "${PIDS[@]:2}" 2>/dev/null
	wait "${PIDS[@]:2}" 2>/dev/null
	PIDS=("${SERVERS[@]}")
	echo "       a: $(cat "$TMP/tgrpa.err")"
	echo "       b: $(cat "$TMP/tgrpb.err")"
}

pair ipip 0 "" ""
pair sit 1 "" ""
pair gre 1 "" ""
pair gre 1 "--key 7 --gre-csum --gre-seq" "--key 7 --gre-csum --gre-seq"
pair gretap 1 "--key 9" "--key 9"
pair gretap 1 "" ""
pair eoip 1 "--tunnel-id 300" "--tunnel-id 300"
pair l2tpv3-ip 1 "--session 20 --peer-session 21 --cookie 0102030405060708 --peer-cookie a1a2a3a4" \
	"--session 21 --peer-session 20 --cookie a1a2a3a4 --peer-cookie 0102030405060708"
pair l2tpv3-udp 1 "--session 30 --peer-session 31 --sublayer none --local-port 40001" \
	"--session 31 --peer-session 30 --sublayer none --peer-port 40001"
pair l2tpv2 1 "--tunnel-id 10 --session 20 --peer-tunnel-id 11 --peer-session 21 --local-port 40002" \
	"--tunnel-id 11 --session 21 --peer-tunnel-id 10 --peer-session 20 --peer-port 40002 --ppp-acfc"

finish
