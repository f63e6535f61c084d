#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The /metrics server under idle connections, in a namespace of its own:
#  - `tungate run --metrics` started with the soft open file limit of a
#    systemd service (1024) raises it to make room for 1024 clients;
#  - 1,000 idle TCP connections from 127.0.0.1 (Prometheus' own address
#    on the same host): the daemon holds them all and its VmRSS grows by
#    at most 8 KiB a connection (its memory limit per connection); a
#    scrape meanwhile answers 200 and the daemon's sync goes on; every one
#    is closed 5 s (+2) after connecting and their descriptors are freed;
#  - past 1024 connections the rest wait in the listen backlog: a scrape
#    made then is answered once the idle ones go;
#  - on a routable address one client address holds at most 32
#    connections (the rest are closed at once) while another still
#    scrapes;
#  - SIGTERM with 1,000 connections open: exit 0 within 2 s.
# Figures (RSS, scrape times) are printed.
#
# Needs root. Outside CI it says SKIP and succeeds; with CI=true a skip fails.
set -uo pipefail

TAG=tg-midle
. "$(dirname "$0")/lib.sh"
MPORT=$((20000 + $$ % 20000))
LPORT=$((MPORT + 1))
N=1000

require_root_tools
command -v curl >/dev/null || skip "curl missing (Debian package curl)"
trap topo_cleanup EXIT
trap "exit 1" INT TERM

ip netns add "$CONC" && ip -n "$CONC" link set lo up &&
	ip -n "$CONC" addr add 203.0.113.1/32 dev lo &&
	ip -n "$CONC" addr add 203.0.113.2/32 dev lo || die "namespace setup"
tg db init >/dev/null || die "db init"
tg sync >/dev/null || die "sync"

# scrape [CURL-ARGS...]: "STATUS SECONDS" of GET /metrics on loopback.
scrape() {
	in_conc curl -s -o "$TMP/scrape" -w '%{http_code} %{time_total}' \
		--max-time 15 "$@" "http://127.0.0.1:$MPORT/metrics"
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
fds() { ls "/proc/$1/fd" | wc -l; }
# idle_start N SECONDS HOST PORT [SOURCE]: http_idle.py in the background
# into $TMP/idle, until all N are connected (10 s at most).
idle_start() {
	local _
	: >"$TMP/idle"
	in_conc $PY "$E2E/http_idle.py" "$3" "$4" "$1" "$2" ${5:-} \
		>"$TMP/idle" 2>"$TMP/idle.err" &
	IDLE_PID=$!
	BG_PIDS+=("$IDLE_PID")
	for _ in $(seq 100); do
		grep -q '^connected' "$TMP/idle" && return 0
		kill -0 $IDLE_PID 2>/dev/null || break
		sleep 0.1
	done
	cat "$TMP/idle.err"
	return 1
}
# closed K FIRST LAST: http_idle.py's closed line, fields as named.
idle_field() { awk -v f="$1" '$1 == "closed" { print $f }' "$TMP/idle"; }

(ulimit -Sn 1024 && exec nsenter --net=/run/netns/"$CONC" "$TUNGATE" \
	--db "$DB" --pin-root "$PIN" run --interval 100 \
	--metrics 127.0.0.1:$MPORT) 2>"$TMP/run.log" &
RUN_PID=$!
BG_PIDS+=("$RUN_PID")
for _ in $(seq 50); do
	[ "$(scrape | cut -d' ' -f1)" = 200 ] && break
	sleep 0.1
done
check "daemon serves /metrics on 127.0.0.1:$MPORT" \
	test "$(scrape | cut -d' ' -f1)" = 200
soft=$(awk '/^Max open files/ { print $4 }' "/proc/$RUN_PID/limits")
check "open file limit raised from 1024 to 1280 (got $soft)" test "$soft" = 1280

for _ in 1 2 3 4 5; do
	scrape >/dev/null
done
rss0=$(rss_kb $RUN_PID)
fds0=$(fds $RUN_PID)
t0=$(scrape | cut -d' ' -f2)

idle_start $N 12 127.0.0.1 $MPORT || die "$N idle connections"
for _ in $(seq 20); do
	[ "$(fds $RUN_PID)" -ge $((fds0 + N)) ] && break
	sleep 0.05
done
held=$(($(fds $RUN_PID) - fds0))
check "the daemon holds all $N idle connections (got $held)" test $held -ge $N
rss1=$(rss_kb $RUN_PID)
bound=$((N * 8))
check "VmRSS with $N idle connections: $rss0 -> $rss1 KiB (+$((rss1 - rss0)), bound +$bound)" \
	test $((rss1 - rss0)) -le $bound
v=$(scrape)
check "a scrape while they are open: 200 (got $v, before: ${t0} s)" \
	test "${v%% *}" = 200
check "... and it is whole" grep -q '^tungate_syncs_total ' "$TMP/scrape"
tg sub add bob --type gre --key 7 --remote 192.0.2.11 --local 192.0.2.1 \
	--prefix 100.64.2.0/24 >/dev/null || fail "sub add bob"
subs() {
	scrape >/dev/null
	awk '$1 == "tungate_subscribers" { print $2 }' "$TMP/scrape"
}
for _ in $(seq 20); do
	[ "$(subs)" = 1 ] && break
	sleep 0.1
done
check "the daemon's sync goes on meanwhile (bob in the maps within 2 s)" \
	test "$(subs)" = 1
wait $IDLE_PID
check "the server closed all $N after 5 s idle (got: $(cat "$TMP/idle" | tail -1))" \
	awk -v n=$N '$1 == "closed" && $2 == n && $5 >= 4.5 && $6 <= 7 { ok = 1 }
		END { exit !ok }' "$TMP/idle"
check "their descriptors are freed ($(fds $RUN_PID), before $fds0)" \
	test "$(fds $RUN_PID)" -le $((fds0 + 1))

# Past the limit: 1,100 connect; 1024 are served, the rest queue.
idle_start 1100 12 127.0.0.1 $MPORT || die "1100 idle connections"
sleep 0.5
v=$(scrape)
secs=${v#* }
check "past 1024 connections a scrape waits for room: 200 after ${secs} s (3..8)" \
	awk -v s="$secs" -v c="${v%% *}" 'BEGIN { exit !(c == 200 && s >= 3 && s <= 8) }'
wait $IDLE_PID

# A routable address: 32 connections per client address.
in_conc "$TUNGATE" --db "$DB" --pin-root "$PIN" stats \
	--listen 203.0.113.1:$LPORT 2>"$TMP/listen.log" &
LISTEN_PID=$!
BG_PIDS+=("$LISTEN_PID")
lscrape() {
	in_conc curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
		--interface "$1" "http://203.0.113.1:$LPORT/metrics"
}
for _ in $(seq 50); do
	[ "$(lscrape 203.0.113.2)" = 200 ] && break
	sleep 0.1
done
idle_start 100 3 203.0.113.1 $LPORT 203.0.113.1 || die "100 idle connections"
v=$(lscrape 203.0.113.2)
check "another address scrapes while one holds its 32: $v" test "$v" = 200
v=$(lscrape 203.0.113.1)
check "the holding address gets no more (got '$v')" test "$v" = 000
wait $IDLE_PID
check "68 of 100 closed at once (got: $(tail -1 "$TMP/idle"))" \
	awk '$1 == "closed" && $2 == 68 && $6 < 1 { ok = 1 } END { exit !ok }' \
	"$TMP/idle"
kill $LISTEN_PID
wait $LISTEN_PID

idle_start $N 12 127.0.0.1 $MPORT || die "$N idle connections"
start=$(date +%s%N)
kill -TERM $RUN_PID
wait $RUN_PID
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
check "SIGTERM with $N connections open: exit 0 (got $rc) in $ms ms (<= 2000)" \
	test $rc = 0 -a $ms -le 2000
[ $rc = 0 ] || tail -5 "$TMP/run.log"
finish
