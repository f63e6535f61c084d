#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Runs inside the test kernel of tests/bench/wg_sync.sh (as /tg/guest.sh):
# N WireGuard members imported from /tg/members.csv, then ROUNDS rounds of
#   tungate sync with the interface deleted (its peers and routes from
#   empty), a sync with nothing to do, a sync after one member changed;
#   wg setconf of the same peers (/tg/peers.conf) on an interface of its
#   own (full each time: setconf replaces every peer), wg syncconf with
#   nothing to do and with that one member changed.
# Prints "TG: bench ROUND WHAT MS" for each, "ok"/"FAIL" lines for the
# checks that each step did what it says, and "N passed, M failed".
DB=/tmp/tungate.db
PIN=/sys/fs/bpf/tungate
TMP=/tmp
. /tg/result.sh
ROUNDS=$(cat /tg/rounds)
N=$(($(wc -l </tg/members.csv) - 1))
# The member that changes, its prefix, and the one it takes in turn.
read -r M MP </tg/change
MQ=100.127.0.1/32

tg() {
	tungate --db "$DB" --pin-root "$PIN" "$@"
}

# Milliseconds since boot (/proc/uptime: 10 ms steps).
ms() {
	awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime
}

# timed ROUND WHAT CMD...: CMD's time, printed; a failure is a FAIL.
timed() {
	r=$1 what=$2
	shift 2
	t0=$(ms)
	if "$@" >/tmp/timed.out 2>&1; then
		echo "TG: bench $r $what $(($(ms) - t0))"
	else
		fail "$what: $(tail -n 3 /tmp/timed.out)"
	fi
}

peers() {
	wg show "$1" peers | grep -c .
}

ip link add c0 type veth peer name u0 && ip link set c0 up && ip link set u0 up ||
	fail "veth"
check "db init" tg db init
check "up" tg up --subscriber-if c0 --uplink-if u0 --mode generic
check "import $N members" tg import /tg/members.csv
check "first sync" tg sync
[ "$(peers tgwg51820)" = "$N" ] && ok "tgwg51820 has $N peers" ||
	fail "tgwg51820 has $(peers tgwg51820) peers"
ip link add wgb type wireguard && ip link set wgb up || fail "wgb"
cp /tg/peers.conf /tmp/peers.conf
sed "s|^AllowedIPs = $MP\$|AllowedIPs = $MQ|" /tg/peers.conf >/tmp/peers1.conf

r=1
while [ $r -le "$ROUNDS" ]; do
	ip link del tgwg51820
	timed $r tungate_full tg sync
	timed $r tungate_nothing tg sync
	grep -q "$N peers (0 added, 0 changed, 0 removed)" /tmp/timed.out ||
		fail "sync with nothing to do: $(cat /tmp/timed.out)"
	if [ $((r % 2)) = 1 ]; then p=$MQ; else p=$MP; fi
	check "change one member" tg sub set "$M" --prefix $p
	timed $r tungate_one tg sync
	wg show tgwg51820 allowed-ips | grep -q "[[:space:]]$p\$" ||
		fail "the changed member's allowed IPs are not $p"
	ip link del wgb && ip link add wgb type wireguard && ip link set wgb up
	timed $r setconf_full wg setconf wgb /tmp/peers.conf
	timed $r setconf_again wg setconf wgb /tmp/peers.conf
	timed $r syncconf_nothing wg syncconf wgb /tmp/peers.conf
	timed $r syncconf_one wg syncconf wgb /tmp/peers1.conf
	wg show wgb allowed-ips | grep -q "[[:space:]]$MQ\$" ||
		fail "syncconf did not change the member"
	wg setconf wgb /tmp/peers.conf
	r=$((r + 1))
done
[ "$(peers wgb)" = "$N" ] && ok "wgb has $N peers" ||
	fail "wgb has $(peers wgb) peers"
[ "$(peers tgwg51820)" = "$N" ] && ok "tgwg51820 has $N peers" ||
	fail "tgwg51820 has $(peers tgwg51820) peers"
tg down >/dev/null 2>&1
finish
