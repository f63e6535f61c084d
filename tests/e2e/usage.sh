#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Usage accounting end to end (topology in lib.sh): real tunnel packets up
# from sub and plain packets down from core through the subscriber and
# uplink programs in conc (native XDP on veth). The usage records, written
# by 'tungate usage record' and by 'tungate run --usage-interval 1' killed
# with SIGKILL and restarted again and again under traffic, must add up to
# exactly the inner IP bytes and packets sent, per subscriber and
# direction; so must the per-interval text files; deleting (daemon) and
# disabling (tungate sync) a subscriber write its final record.
#
# Needs root. Outside CI it says SKIP and succeeds; with CI=true a skip fails.
set -uo pipefail
# The file modes checked below must not depend on the caller's umask.
umask 022

TAG=tg-usg
. "$(dirname "$0")/lib.sh"

require_root_tools
command -v sqlite3 >/dev/null || skip "sqlite3 not installed"
trap topo_cleanup EXIT
trap "exit 1" INT TERM

U=$TMP/usage
RUN_PID=
# Expected totals: EXP[name.up_bytes] ...
declare -A EXP
for n in alice bob; do
	for f in up_bytes up_packets down_bytes down_packets; do
		EXP[$n.$f]=0
	done
done

# up KIND COUNT: tunnel frames from sub (send_tunnels.py); ipip is alice's,
# gre-key bob's. Each carries IP/UDP with the payload "KIND INDEX".
up() {
	local who=alice bytes
	[ "$1" = gre-key ] && who=bob
	send "$1" "$2" || return 1
	bytes=$($PY -c 'import sys
k, n = sys.argv[1], int(sys.argv[2])
print(sum(28 + len("%s %d" % (k, i)) for i in range(n)))' "$1" "$2")
	EXP[$who.up_bytes]=$((EXP[$who.up_bytes] + bytes))
	EXP[$who.up_packets]=$((EXP[$who.up_packets] + $2))
}
# down NAME ADDR COUNT SIZE: UDP datagrams from core to the subscriber's
# address, paced so that no veth queue overflows.
down() {
	ip netns exec "$CORE" $PY -c 'import socket, sys, time
dst, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(n):
    s.sendto(b"d" * size, (dst, 9999))
    if i % 10 == 9:
        time.sleep(0.002)' "$2" "$3" "$4" || return 1
	EXP[$1.down_bytes]=$((EXP[$1.down_bytes] + $3 * (28 + $4)))
	EXP[$1.down_packets]=$((EXP[$1.down_packets] + $3))
}
# traffic N: some of everything to alice and, while BOB=1, to bob (a
# receiver in core, so that no ICMP comes back).
BOB=1
traffic() {
	sink_start || return 1
	up ipip "$1" && down alice 100.64.1.5 "$1" 100 &&
		if [ $BOB = 1 ]; then
			up gre-key $(($1 / 2 + 1)) && down bob 100.64.2.5 7 1200
		fi
	local rc=$?
	sink_stop
	return $rc
}
# rec NAME FIELD: the sum of the records in the database.
rec() {
	sqlite3 "$DB" "PRAGMA busy_timeout = 5000; SELECT COALESCE(sum($2), 0) FROM usage WHERE name = '$1'" | tail -1
}
# totals_match: every record sum equals what was sent (diff on stdout).
totals_match() {
	local n f got bad=0
	for n in alice bob; do
		for f in up_bytes up_packets down_bytes down_packets; do
			got=$(rec "$n" "$f")
			if [ "$got" != "${EXP[$n.$f]}" ]; then
				echo "$n $f: records $got, sent ${EXP[$n.$f]}"
				bad=1
			fi
		done
	done
	return $bad
}
# sent: the expected totals, for the test names.
sent() {
	local n
	for n in alice bob; do
		printf '%s up %s B %s p, down %s B %s p; ' "$n" \
			"${EXP[$n.up_bytes]}" "${EXP[$n.up_packets]}" \
			"${EXP[$n.down_bytes]}" "${EXP[$n.down_packets]}"
	done
}
# files_match: the text files add up to the records, name by name.
files_match() {
	local n f got want bad=0
	for n in alice bob; do
		for f in 4 5; do
			got=$(cat "$U"/usage-*.txt | awk -v n="$n" -v f="$f" '$1 == n { s += $f } END { print s + 0 }')
			want=$(rec "$n" "$([ $f = 4 ] && echo up_bytes || echo down_bytes)")
			if [ "$got" != "$want" ]; then
				echo "$n field $f: files $got, records $want"
				bad=1
			fi
		done
	done
	return $bad
}
daemon_start() {
	nsenter --net=/run/netns/"$CONC" "$TUNGATE" --db "$DB" --pin-root "$PIN" \
		run --interval 100 --usage-interval 1 --usage-dir "$U" \
		2>>"$TMP/run.log" &
	RUN_PID=$!
	BG_PIDS+=("$RUN_PID")
}
daemon_kill() {
	kill "-$1" "$RUN_PID" 2>/dev/null
	wait "$RUN_PID" 2>/dev/null
	RUN_PID=
}

topo_setup || die "namespace setup"
way_down || die "neighbours and XDP on $IF_SUB"

tg db init >/dev/null || die "db init"
add_alice
add_bob
step "sync" tg sync
step "up" tg up --subscriber-if "$IF_CSUB" --uplink-if "$IF_CUP"

# --- usage record --------------------------------------------------------
check "no records yet" tg usage record --dir "$U"
traffic 50 || fail "traffic"
check "usage record --dir" tg usage record --dir "$U"
check "records add up to what was sent ($(sent))" totals_match
check "stats agree: alice up $(stat sub alice up bytes), down $(stat sub alice down bytes)" \
	test "$(stat sub alice up bytes)" = "${EXP[alice.up_bytes]}" -a \
	"$(stat sub alice down bytes)" = "${EXP[alice.down_bytes]}"
check "text files add up: $(files_match | tr '\n' ';')" files_match
check "a file per record: $(ls "$U" | tr '\n' ' ')" test "$(ls "$U" | wc -l)" = 2
# Who used what is the operator's business: 0700 and 0600, whatever the umask.
modes=$(command stat -c %a "$U" "$U"/usage-*.txt | sort -u | tr '\n' ' ')
check "usage directory 700, files 600 (got $modes)" test "$modes" = "600 700 "
check "record again: nothing new" tg usage record
check "still: $(totals_match | tr '\n' ';')" totals_match

# --- the daemon, killed and restarted under traffic ------------------------
daemon_start
traffic 40 || fail "traffic"
check "daemon's records add up within 5 s" wait_for 50 totals_match
for round in 1 2 3 4 5 6; do
	traffic $((10 + round)) || fail "traffic"
	sleep "0.$((RANDOM % 10))$((RANDOM % 10))"
	daemon_kill 9
	[ $((round % 2)) = 0 ] && { traffic 5 || fail "traffic"; }
	daemon_start
	sleep "0.$((RANDOM % 10))"
done
check "after 6 SIGKILLs and restarts: records add up within 5 s ($(sent))" \
	wait_for 50 totals_match
nrec=$(sqlite3 "$DB" 'SELECT count(*) FROM usage') nfiles=$(ls "$U" | wc -l)
check "records so far: $nrec (more than the first 2), files: $nfiles (more than 2)" \
	test "$nrec" -gt 2 -a "$nfiles" -gt 2
check "up again: programs replaced, pinned maps and counters kept" \
	tg up --subscriber-if "$IF_CSUB" --uplink-if "$IF_CUP"
traffic 8 || fail "traffic"
check "records add up after it within 5 s ($(sent))" wait_for 50 totals_match
sleep 2.5
check "no record counted twice (2 more ticks): $(totals_match | tr '\n' ';')" totals_match
check "text files add up: $(files_match | tr '\n' ';')" files_match
check "daemon logged no usage failure" sh -c "! grep -q 'usage not recorded' '$TMP/run.log'"

# --- final records ---------------------------------------------------------
traffic 9 || fail "traffic"
check "sub del bob (the daemon syncs)" tg sub del bob
bob_final() {
	[ "$(sqlite3 "$DB" "PRAGMA busy_timeout = 5000; SELECT count(*) FROM usage WHERE name = 'bob' AND final = 1" | tail -1)" = 1 ]
}
check "the daemon's sync wrote bob's final record" wait_for 50 bob_final
check "records add up within 3 s" wait_for 30 totals_match
daemon_kill TERM
BOB=0
traffic 6 || fail "traffic"
step "sub disable alice" tg sub disable alice
check "sync (takes alice out)" tg sync
check "the sync wrote alice's final record" test "$(sqlite3 "$DB" \
	"SELECT count(*) FROM usage WHERE name = 'alice' AND final = 1")" = 1
check "records add up ($(sent))" totals_match
check "usage record writes the files still due" tg usage record --dir "$U"
check "none due" test "$(sqlite3 "$DB" 'SELECT count(*) FROM usage_file')" = 0
check "text files add up: $(files_match | tr '\n' ';')" files_match
check "a final record is a line of its period's file" \
	sh -c "grep -h '^bob ' '$U'/usage-*.txt | grep -q '^bob 100.64.2.0/24 - '"

# --- the report --------------------------------------------------------------
json() { $PY -c "import json, sys; j = json.load(sys.stdin); sys.exit(0 if ($1) else 1)"; }
tg -j usage >"$TMP/u.json"
check "usage -j: totals per subscriber, ended" json \
	"[s['name'] for s in j['subscribers']] == ['alice', 'bob'] and \
j['subscribers'][0]['up']['bytes'] == ${EXP[alice.up_bytes]} and \
j['subscribers'][1]['down']['packets'] == ${EXP[bob.down_packets]} and \
all(s['ended'] for s in j['subscribers'])" <"$TMP/u.json"
tg -j usage bob --rows >"$TMP/r.json"
check "usage bob --rows -j: the records, the last final" json \
	"len(j['records']) >= 3 and j['records'][-1]['final'] and \
sum(r['up']['bytes'] for r in j['records']) == ${EXP[bob.up_bytes]}" <"$TMP/r.json"
tg -j usage --since "$(date -u -d tomorrow +%F)" >"$TMP/s.json"
check "usage --since tomorrow: nothing" json "j['subscribers'] == []" <"$TMP/s.json"
tg -j usage --until 2000-01-01T00:00Z >"$TMP/s.json"
check "usage --until 2000: nothing" json "j['subscribers'] == []" <"$TMP/s.json"
check "usage (text)" sh -c "'$TUNGATE' --db '$DB' usage | grep -q '^alice .* ended\$'"
bad_date() {
	! tg usage --since 2026-02-30 2>"$TMP/err" &&
		grep -q "usage: --since '2026-02-30': not a date" "$TMP/err"
}
check "bad date refused" bad_date
check "unknown subscriber refused" sh -c "! '$TUNGATE' --db '$DB' usage nosuch 2>/dev/null"

finish
