#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Access scope through tunnels (topology in police_lib.sh): the community
# is 203.0.113.0/24; core answers on 203.0.113.2 (inside) and 198.51.100.2
# (outside). Subscriber 'member' (row 1) has a community-scope class,
# 'inet' (row 2) an internet-scope one. Pings both ways: member reaches and
# is reached from the community only, inet everything; the refused packets
# are counted as reason scope, per subscriber and globally. With
# scope-action drop nothing comes back to member's refused ping; with
# scope-action icmp its kernel gets ICMP administratively prohibited (3/13)
# from the tunnel's local address through the tunnel (its TUN device).
#
# Needs root. Outside CI it says SKIP and succeeds; with CI=true a skip fails.
TAG=tg-pol-scope
# shellcheck source=tests/e2e/police_lib.sh
. "$(dirname "$0")/police_lib.sh"

trap cleanup EXIT
trap "exit 1" INT TERM
require

setup 2 || die "namespace setup"
tg db init >/dev/null || die "db init"
step "community add 203.0.113.0/24" tg community add 203.0.113.0/24
step "class add members --scope community" \
	tg class add members --down-rate 20mbit --up-rate 20mbit --scope community
step "class add home (internet scope)" \
	tg class add home --down-rate 20mbit --up-rate 20mbit
step "sub add member --class members" add_sub 1 member --class members
step "sub add inet --class home" add_sub 2 inet --class home
step "sync" tg sync
step "up" tg up --subscriber-if tg-pol-csub --uplink-if tg-pol-cup
step "endpoint of member starts" start_endpoint 1
step "endpoint of inet starts" start_endpoint 2

ping_ok() { "$@" $PY "$E2E/icmp_echo.py" "$SRC" "$DST" 2; }
ping_refused() { ! "$@" $PY "$E2E/icmp_echo.py" "$SRC" "$DST" 1; }
ping_silent() { "$@" $PY "$E2E/icmp_prohibited.py" "$SRC" "$DST" 1 --none; }
ping_prohibited() {
	"$@" $PY "$E2E/icmp_prohibited.py" "$SRC" "$DST" 2 >"$TMP/prohibited.out" &&
		grep -q "from 192.0.2.1\$" "$TMP/prohibited.out"
}

SRC=100.64.1.2 DST=$COMM4
check "member -> community $DST: answered" ping_ok in_sub
SRC=100.64.1.2 DST=$CORE4
check "member -> internet $DST: refused, nothing back (scope-action drop)" \
	ping_silent in_sub
up_scope=$(gstat sub member reasons scope)
check "member: scope drops counted upstream ($up_scope)" test "${up_scope:-0}" -ge 1
step "config set scope-action icmp" tg config set scope-action icmp
step "sync" tg sync
check "member -> internet $DST: ICMP administratively prohibited from 192.0.2.1 through the tunnel" \
	ping_prohibited in_sub
icmp_scope=$(gstat sub member reasons scope)
check "member: answered refusals counted as scope too ($up_scope -> $icmp_scope)" \
	test "${icmp_scope:-0}" -ge $((${up_scope:-0} + 2))
echo "  $(tail -1 "$TMP/prohibited.out" 2>/dev/null)"
step "config set scope-action drop" tg config set scope-action drop
step "sync" tg sync
check "member -> internet $DST: nothing back again" ping_silent in_sub
up_scope=$(gstat sub member reasons scope)
SRC=$COMM4 DST=100.64.1.2
check "community $SRC -> member: answered" ping_ok in_core
SRC=$CORE4 DST=100.64.1.2
check "internet $SRC -> member: not delivered" ping_refused in_core
dn_scope=$(gstat sub member reasons scope)
check "member: scope drops counted downstream ($up_scope -> $dn_scope)" \
	test "${dn_scope:-0}" -gt "${up_scope:-0}"

SRC=100.64.2.2 DST=$COMM4
check "inet -> community $DST: answered" ping_ok in_sub
SRC=100.64.2.2 DST=$CORE4
check "inet -> internet $DST: answered" ping_ok in_sub
SRC=$CORE4 DST=100.64.2.2
check "internet $SRC -> inet: answered" ping_ok in_core
inet_scope=$(gstat sub inet reasons scope)
check "inet: no scope drops (${inet_scope:-0})" test "${inet_scope:-0}" = 0
g_scope=$(gstat global scope packets)
check "global scope counter ($g_scope) = member's ($dn_scope)" \
	test "${g_scope:-0}" = "${dn_scope:-x}"

# Leaving the class's scope takes effect at the next sync.
step "class set members --scope internet" tg class set members --scope internet
step "sync" tg sync
SRC=100.64.1.2 DST=$CORE4
check "member, now internet scope -> $DST: answered" ping_ok in_sub

step "down" tg down
finish
