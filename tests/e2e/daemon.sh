#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The daemon (`tungate run`) in the sub -- conc -- core topology of lib.sh,
# native XDP on conc's subscriber veth:
#  - subscribers added, changed and deleted with the CLI reach the maps
#    within 1 s (the delay is measured and printed); traffic follows;
#  - SIGHUP compares everything with the maps and repairs a map changed by
#    hand; SIGTERM exits 0 leaving the programs attached and forwarding;
#    --detach-on-exit detaches;
#  - faults: rows failing validation (bad address, bad type, overlapping
#    prefix, written with sqlite3 behind the CLI's back), a database locked
#    by another process, missing (at start and deleted while running),
#    corrupt (garbage written over it): the maps keep the last good state,
#    the fault is logged once, and the daemon recovers when it is fixed;
#  - kill -9 of the daemon under a packet stream loses no packet, and a
#    restarted daemon applies what changed meanwhile; a daemon whose sync
#    is killed half-way (test hook TUNGATE_TEST_SYNC_KILL_AFTER, in the
#    test build build/test/tungate only) is repaired by the next one.
#
# Needs root. Outside CI it says SKIP and succeeds; with CI=true a skip fails.
set -uo pipefail

TAG=tg-dmn
. "$(dirname "$0")/lib.sh"

require_root_tools
command -v bpftool >/dev/null || skip "bpftool not installed"
command -v sqlite3 >/dev/null || skip "sqlite3 not installed"
# The test build, with the hooks: for the sync killed half-way.
TEST_TUNGATE=$ROOT/build/test/tungate
[ -x "$TEST_TUNGATE" ] || make -s -C "$ROOT" --no-print-directory build/test/tungate ||
	skip "cannot build build/test/tungate"
trap 'daemon_stop; topo_cleanup' EXIT
trap "exit 1" INT TERM

LOG=$TMP/run.log
DPID=

# dp: the subscriber entries of the maps as the data plane sees them (the
# claim that holds, by tg_gen), one sorted line each:
# "tunnel REMOTE type T id I -> sub S mtu M" and "prefix P/L -> sub S";
# an entry none of whose claims holds is left out.
dp() {
	{
		bpftool -j map dump pinned "$PIN/tg_tunnels"
		echo
		bpftool -j map dump pinned "$PIN/tg_prefix4"
		echo
	} | PIN=$PIN $PY -c '
import ipaddress, json, os, struct, subprocess, sys
gens = {}
def holds(c):
    sid, slot = c & 0x7fffffff, c >> 31
    if not sid:
        return False
    if sid not in gens:
        key = ["%d" % b for b in struct.pack("<I", sid)]
        r = subprocess.run(["bpftool", "-j", "map", "lookup", "pinned",
                            os.environ["PIN"] + "/tg_gen", "key"] + key,
                           capture_output=True, text=True, check=True)
        gens[sid] = struct.unpack("<I", bytes(int(x, 16) for x in json.loads(r.stdout)["value"]))[0]
    return gens[sid] == slot
out = []
for line in sys.stdin:
    if not line.strip():
        continue
    for e in json.loads(line):
        k = bytes(int(x, 16) for x in e["key"])
        v = bytes(int(x, 16) for x in e["value"])
        if len(k) == 16:
            ip = ipaddress.IPv4Address(k[0:4])
            kid, typ = struct.unpack("<IB", k[8:13])
            for i in (0, 16):
                c, mtu = struct.unpack("<IH", v[i:i + 6])
                if holds(c):
                    out.append("tunnel %s type %d id %d -> sub %d mtu %d" %
                               (ip, typ, kid, c & 0x7fffffff, mtu))
                    break
        else:
            plen = struct.unpack("<I", k[0:4])[0]
            ip = ipaddress.IPv4Address(k[4:8])
            for c in struct.unpack("<II", v[0:8]):
                if holds(c):
                    out.append("prefix %s/%d -> sub %d" % (ip, plen, c & 0x7fffffff))
                    break
print("\n".join(sorted(out)))'
}
# last_fault_has TEXT: the last fault line contains TEXT.
last_fault_has() {
	grep 'fault:' "$LOG" | tail -1 | grep -qF -- "$1"
}
# dp_has PATTERN, dp_lacks PATTERN: whether a dp line matches.
dp_has() {
	local out
	out=$(dp) && grep -qE -- "$1" <<<"$out"
}
dp_lacks() {
	! dp_has "$1"
}
# wait_dp PATTERN [present|absent [T0]]: until a dp line matches (or none
# does), 3 s at most; prints the delay in ms since T0 (date +%s%N, default
# now).
wait_dp() {
	local want=${2:-present} t0=${3:-$(date +%s%N)} now out
	while :; do
		now=$(date +%s%N)
		out=$(dp) || continue
		if grep -qE -- "$1" <<<"$out"; then
			[ "$want" = present ] && break
		else
			[ "$want" = absent ] && break
		fi
		if [ $(((now - t0) / 1000000)) -gt 3000 ]; then
			echo 9999
			return 1
		fi
		sleep 0.02
	done
	echo $(((now - t0) / 1000000))
}
xdp_attached() {
	ip -n "$CONC" -d link show "$IF_CSUB" | grep -q 'prog/xdp'
}
# traffic KIND N: N tunnel frames of KIND from sub; prints how many arrived.
traffic() {
	sink_start || return 1
	send "$1" "$2" >/dev/null || return 1
	sink_stop
	sink_field "$1" count
}

# Bad arguments: refused, named, nothing started.
bad_arg() {
	local out
	out=$("$TUNGATE" --db "$DB" --pin-root "$PIN" run "$@" 2>&1)
	[ $? = 1 ] && grep -q -- "$1" <<<"$out" && [ ! -e "$PIN" ]
}
check "run --interval 5: refused" bad_arg --interval 5
check "run --birdc-socket without --bird-output: refused" \
	bad_arg --birdc-socket /tmp/x.ctl
check "run --frobnicate: refused" bad_arg --frobnicate

# The systemd unit, pointed at this build.
if command -v systemd-analyze >/dev/null; then
	sed "s|/usr/local/sbin/tungate|$TUNGATE|" "$ROOT/loader/tungate.service" \
		>"$TMP/tungate.service"
	check "loader/tungate.service: systemd-analyze verify" \
		systemd-analyze verify "$TMP/tungate.service"
fi

topo_setup || die "namespace setup"

# --- start ------------------------------------------------------------------
tg db init >/dev/null || die "db init"
add_alice
add_bob
step "up (native XDP on $IF_CSUB)" \
	tg up --subscriber-if "$IF_CSUB" --uplink-if "$IF_CUP"
daemon_start --bird-output "$TMP/bird.conf"
check "daemon started and applied the database (2 added)" \
	wait_log 'sync applied \(full\): 2 added'
check "--bird-output: written at start with alice's and bob's prefixes" \
	sh -c "grep -q 'route 100.64.1.0/24' '$TMP/bird.conf' && grep -q 'route 100.64.2.0/24' '$TMP/bird.conf'"
check "log: one start line" test "$(log_count 'started \(version')" = 1
# Set up, it keeps only CAP_BPF, CAP_NET_ADMIN, CAP_PERFMON and
# CAP_NET_BIND_SERVICE (CAP_SYS_ADMIN for CAP_BPF on kernels before 5.8),
# in every set, with no_new_privs.
if [ "$(cat /proc/sys/kernel/cap_last_cap)" -ge 39 ]; then
	want_caps=000000c000001400
else
	want_caps=0000000000201400
fi
caps=$(grep -E '^(CapEff|CapPrm|CapBnd|CapInh|CapAmb|NoNewPrivs):' /proc/"$DPID"/status |
	awk '{ printf "%s=%s ", $1, $2 }')
check "capabilities: only the kept ones ($caps)" test "$caps" = \
	"CapInh:=0000000000000000 CapPrm:=$want_caps CapEff:=$want_caps CapBnd:=$want_caps CapAmb:=0000000000000000 NoNewPrivs:=1 "

# --- changes through the CLI ------------------------------------------------
# Delays from the start of the CLI command (its commit is a little later).
t0=$(date +%s%N)
tg sub add carol --type l2tpv2 --tunnel-id 10 --session 20 \
	--remote 192.0.2.12 --local 192.0.2.1 --prefix 100.64.3.0/24 >/dev/null
d_add=$(wait_dp '^prefix 100.64.3.0/24' present "$t0")
check "sub add: in the maps $d_add ms after the command started (< 1000)" \
	test "$d_add" -lt 1000
check "--bird-output: carol's prefix in the BIRD include" \
	sh -c "for i in \$(seq 30); do grep -q 'route 100.64.3.0/24' '$TMP/bird.conf' && exit 0; sleep 0.1; done; exit 1"
t0=$(date +%s%N)
tg sub set bob --mtu 1300 >/dev/null
d_set=$(wait_dp '^tunnel 192.0.2.11 .* mtu 1300$' present "$t0")
check "sub set --mtu: in the maps after $d_set ms (< 1000)" test "$d_set" -lt 1000
t0=$(date +%s%N)
tg sub del carol >/dev/null
d_del=$(wait_dp '^prefix 100.64.3.0/24' absent "$t0")
check "sub del: out of the maps after $d_del ms (< 1000)" test "$d_del" -lt 1000
echo "     delays from the CLI command's start to the maps (polling every 250 ms): add $d_add ms, set $d_set ms, del $d_del ms"
check "log: a line per applied change (1 added, 1 changed, 1 removed)" \
	sh -c "grep -q '1 added, 0 changed' '$LOG' && grep -q '0 added, 1 changed' '$LOG' && grep -q '1 removed' '$LOG'"
got=$(traffic ipip 20)
check "traffic: 20 of 20 ipip frames through alice's tunnel (got $got)" \
	test "$got" = 20

# --- SIGHUP: full comparison, repairs a map changed by hand ----------------
step "deleting alice's prefix by hand" \
	bpftool map delete pinned "$PIN/tg_prefix4" key hex 18 00 00 00 64 40 01 00
step "alice's prefix deleted by hand" dp_lacks '^prefix 100.64.1.0/24'
kill -HUP "$DPID"
check "SIGHUP: logged, full sync" wait_log 'sync applied \(full\): 0 added, 1 changed'
check "SIGHUP: alice's prefix is back" dp_has '^prefix 100.64.1.0/24 -> sub 1$'

# --- faults -----------------------------------------------------------------
# fault_rows NAME SQL FIX WHO WHY: a bad row written with sqlite3 next to a
# valid change; the maps keep their state, the fault is logged once naming
# the row (WHO) and the cause (WHY), and fixing the row applies the valid
# change.
fault_rows() {
	local name=$1 sql=$2 fix=$3 expect=$4 why=$5 before after faults0 rec0
	before=$(dp)
	faults0=$(log_count 'fault:')
	rec0=$(log_count 'recovered:')
	sqlite3 "$DB" "UPDATE subscriber SET mtu = 1280 WHERE name = 'alice'; $sql" ||
		{ fail "$name: sqlite3"; return; }
	wait_log 'fault:' $((faults0 + 1)) 3
	sleep 2
	after=$(dp)
	check "$name: the maps keep their last good state" test "$before" = "$after"
	check "$name: logged once" test "$(log_count 'fault:')" = $((faults0 + 1))
	check "$name: the log names the row: $(grep 'fault:' "$LOG" | tail -1 | cut -c1-150)" \
		last_fault_has "$expect"
	check "$name: and why" last_fault_has "$why"
	sqlite3 "$DB" "$fix; UPDATE subscriber SET mtu = 1400 WHERE name = 'alice'" ||
		fail "$name: sqlite3 fix"
	check "$name: recovery logged" wait_log 'recovered:' $((rec0 + 1))
	check "$name: the maps follow the database again" \
		dp_has '^tunnel 192.0.2.10 .* mtu 1400$'
}
fault_rows "invalid address" \
	"UPDATE subscriber SET remote = '300.1.2.3' WHERE name = 'bob'" \
	"UPDATE subscriber SET remote = '192.0.2.11' WHERE name = 'bob'" \
	"subscriber 'bob': --remote '300.1.2.3'" "not an IPv4 address"
fault_rows "missing class" \
	"UPDATE subscriber SET class = 'nope' WHERE name = 'bob'" \
	"UPDATE subscriber SET class = NULL WHERE name = 'bob'" \
	"subscriber 'bob': class 'nope'" "no such class"
fault_rows "class row written with its CHECKs ignored" \
	"PRAGMA ignore_check_constraints = ON; INSERT INTO class VALUES('default', NULL, NULL, 10, 'internet')" \
	"DELETE FROM class WHERE name = 'default'" \
	"class 'default'" "--burst"
fault_rows "overlapping prefix" \
	"INSERT INTO prefix VALUES((SELECT id FROM subscriber WHERE name = 'bob'), '100.64.1.128/25')" \
	"DELETE FROM prefix WHERE prefix = '100.64.1.128/25'" \
	"'100.64.1.128/25'" "overlaps"

# schema_refuses NAME SQL WHY: SQLite itself refuses the row (WHY), the maps
# keep their state and the daemon has nothing to log.
schema_refuses() {
	local name=$1 sql=$2 why=$3 before faults0
	before=$(dp)
	faults0=$(log_count 'fault:')
	if sqlite3 "$DB" "$sql" 2>"$TMP/sql.err"; then
		fail "$name: the schema took it"
		return
	fi
	check "$name: refused by SQLite: $(cat "$TMP/sql.err")" grep -qF -- "$why" "$TMP/sql.err"
	sleep 1
	check "$name: the maps keep their state" test "$before" = "$(dp)"
	check "$name: no fault" test "$(log_count 'fault:')" = "$faults0"
}
schema_refuses "bad tunnel type" \
	"UPDATE subscriber SET type = 'pptp' WHERE name = 'bob'" "CHECK constraint failed: type IN"
schema_refuses "mtu out of range" \
	"UPDATE subscriber SET mtu = 20 WHERE name = 'bob'" "CHECK constraint failed: mtu BETWEEN"
schema_refuses "text in a number" \
	"UPDATE subscriber SET mtu = 'large' WHERE name = 'bob'" "cannot store TEXT value"
schema_refuses "duplicate tunnel identity" \
	"UPDATE subscriber SET type = 'ipip', remote = '192.0.2.10', gre_key = NULL WHERE name = 'bob'" \
	"UNIQUE constraint failed: index 'subscriber_identity'"

# A class written by another tool reaches its subscribers: alice and bob
# have none, so a 'default' class changes both, and so does its removal.
n0=$(log_count 'sync applied: 0 added, 2 changed')
sqlite3 "$DB" "INSERT INTO class VALUES('default', 10000000, 10000000, 65536, 'internet')" ||
	fail "class insert with sqlite3"
check "class written by sqlite3: both subscribers synced" \
	wait_log 'sync applied: 0 added, 2 changed' $((n0 + 1))
sqlite3 "$DB" "UPDATE class SET up_rate = 20000000 WHERE name = 'default'" ||
	fail "class update with sqlite3"
check "class updated by sqlite3: both subscribers synced again" \
	wait_log 'sync applied: 0 added, 2 changed' $((n0 + 2))
sqlite3 "$DB" "DELETE FROM class WHERE name = 'default'" || fail "class delete with sqlite3"
check "class deleted by sqlite3: both subscribers synced" \
	wait_log 'sync applied: 0 added, 2 changed' $((n0 + 3))
got=$(traffic ipip 20)
check "after the row faults: 20 of 20 ipip frames arrive (got $got)" test "$got" = 20

# Locked: another process holds an exclusive transaction for 4 s while a
# committed change waits (the daemon is stopped while both are set up).
faults0=$(log_count 'fault:')
rec0=$(log_count 'recovered:')
kill -STOP "$DPID"
tg sub set alice --mtu 1280 >/dev/null
$PY -c 'import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN EXCLUSIVE")
open(sys.argv[2], "w").close()
time.sleep(4)
c.execute("ROLLBACK")' "$DB" "$TMP/locked" &
LOCKER=$!
BG_PIDS+=("$LOCKER")
for _ in $(seq 50); do [ -e "$TMP/locked" ] && break; sleep 0.1; done
kill -CONT "$DPID"
check "locked: fault logged" wait_log 'fault:.*locked' 1 3
check "locked: the maps keep their last good state while locked" \
	dp_has '^tunnel 192.0.2.10 .* mtu 1400$'
wait "$LOCKER"
check "locked: recovery logged after the lock went" wait_log 'recovered:' $((rec0 + 1)) 10
check "locked: logged once ($(($(log_count 'fault:') - faults0)) fault line)" \
	test "$(log_count 'fault:')" = $((faults0 + 1))
check "locked: the waiting change applied" \
	dp_has '^tunnel 192.0.2.10 .* mtu 1280$'

# Deleted while running, then put back.
faults0=$(log_count 'fault:')
rec0=$(log_count 'recovered:')
before=$(dp)
mv "$DB" "$DB.away"
check "deleted: fault logged" wait_log 'fault: database .*No such file' 1 3
# The daemon's CPU time meanwhile (utime + stime, in ms): it waits, it
# does not spin (a wait due at once made it take 300 ms a second).
cpu_ms() {
	awk -v hz="$(getconf CLK_TCK)" '{ print int(($14 + $15) * 1000 / hz) }' "/proc/$DPID/stat"
}
cpu0=$(cpu_ms)
sleep 2
cpu=$(($(cpu_ms) - cpu0))
check "deleted: the daemon waits meanwhile ($cpu ms of CPU in 2 s)" test "$cpu" -le 200
check "deleted: logged once" test "$(log_count 'fault:')" = $((faults0 + 1))
check "deleted: the maps keep their last good state" test "$before" = "$(dp)"
got=$(traffic ipip 20)
check "deleted: traffic still flows (20 of 20, got $got)" test "$got" = 20
mv "$DB.away" "$DB"
check "deleted: recovery logged when it is back" wait_log 'recovered:' $((rec0 + 1))
t0=$(date +%s%N)
tg sub set alice --mtu 1400 >/dev/null
d=$(wait_dp '^tunnel 192.0.2.10 .* mtu 1400$' present "$t0")
check "deleted: changes apply again ($d ms)" test "$d" -lt 1000

# Corrupt: garbage over the first pages, then the good file back.
faults0=$(log_count 'fault:')
rec0=$(log_count 'recovered:')
sqlite3 "$DB" "VACUUM INTO '$TMP/good.db'" || fail "corrupt: saving a copy"
# Nothing left in the WAL that a checkpoint could write back over it.
sqlite3 "$DB" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
before=$(dp)
dd if=/dev/urandom of="$DB" bs=4096 count=2 conv=notrunc status=none
check "corrupt: fault logged" wait_log 'fault: database .*(not a database|malformed|corrupt)' 1 3
sleep 2
check "corrupt: logged once ($(grep 'fault:' "$LOG" | tail -1 | cut -c1-100))" \
	test "$(log_count 'fault:')" = $((faults0 + 1))
check "corrupt: the maps keep their last good state" test "$before" = "$(dp)"
got=$(traffic ipip 20)
check "corrupt: traffic still flows (20 of 20, got $got)" test "$got" = 20
rm -f "$DB-wal" "$DB-shm"
cp "$TMP/good.db" "$DB"
check "corrupt: recovery logged when a good file is back" wait_log 'recovered:' $((rec0 + 1)) 35

# Missing at start: the data plane as it was, the database appears later.
daemon_stop
check "SIGTERM: exit status 0 (got $DSTATUS)" test "$DSTATUS" = 0
check "SIGTERM: logged" sh -c "grep -q 'SIGTERM received' '$LOG' && grep -q 'exiting: the data plane keeps forwarding' '$LOG'"
check "SIGTERM: the program stays attached" xdp_attached
got=$(traffic ipip 20)
check "SIGTERM: traffic flows without the daemon (20 of 20, got $got)" test "$got" = 20
missing0=$(log_count 'fault: database .*No such file')
rec0=$(log_count 'recovered:')
mv "$DB" "$DB.away"
before=$(dp)
daemon_start
check "missing at start: fault logged" \
	wait_log 'fault: database .*No such file' $((missing0 + 1)) 3
sleep 1
check "missing at start: the maps keep their state" test "$before" = "$(dp)"
mv "$DB.away" "$DB"
check "missing at start: recovery logged" wait_log 'recovered:' $((rec0 + 1))

# --- kill -9 under a packet stream -------------------------------------------
drops0=$(veth_drops)
sink_start || die "UDP receiver did not start"
stream_start ipip:300 gre-key:300
sleep 1
# Disowned: no "Killed" notice from the shell; gone when kill -0 fails.
disown "$DPID"
kill -9 "$DPID"
while kill -0 "$DPID" 2>/dev/null; do sleep 0.05; done
DPID=
# Meanwhile: a new subscriber and a change.
tg sub add carol --type l2tpv2 --tunnel-id 10 --session 20 \
	--remote 192.0.2.12 --local 192.0.2.1 --prefix 100.64.3.0/24 >/dev/null
tg sub set bob --mtu 1400 >/dev/null
sleep 1
check "kill -9: nothing applied while no daemon runs" \
	dp_lacks '^prefix 100.64.3.0/24'
n0=$(log_count 'sync applied')
daemon_start
check "kill -9: the restarted daemon applies what changed (1 added, 1 changed)" \
	wait_log 'sync applied: 1 added, 1 changed' 1
check "kill -9: carol in the maps" dp_has '^prefix 100.64.3.0/24'
check "kill -9: bob's new mtu in the maps" dp_has '^tunnel 192.0.2.11 .* mtu 1400$'

# A daemon killed by SIGKILL in the middle of its sync (after 2 map
# writes), under the same stream; then a normal one repairs.
daemon_stop
tg sub del carol >/dev/null
tg sub add dave --type ipip --remote 192.0.2.13 --local 192.0.2.1 \
	--prefix 100.64.4.0/24 >/dev/null
# (A subshell that keeps the shell's "Killed" notice to itself.)
(
	TUNGATE_TEST_SYNC_KILL_AFTER=2 timeout 20 nsenter --net=/run/netns/"$CONC" \
		"$TEST_TUNGATE" --db "$DB" --pin-root "$PIN" run --interval 250 2>>"$LOG"
	exit $?
) 2>/dev/null
st=$?
check "sync killed half-way: the daemon died of SIGKILL (status $st)" test "$st" = 137
daemon_start
check "sync killed half-way: the next daemon repairs (full compare)" \
	wait_log 'sync applied \(full\): 1 added, 0 changed, 1 removed' 1
check "sync killed half-way: dave in" dp_has '^prefix 100.64.4.0/24'
check "sync killed half-way: carol out" dp_lacks '^prefix 100.64.3.0/24'
left=$(tg -j sync --dry-run --full | $PY -c 'import json, sys
d = json.load(sys.stdin)
print(d["added"] + d["changed"] + d["removed"])')
check "sync killed half-way: a full dry run finds nothing left to do ($left)" \
	test "$left" = 0
sleep 1
stream_stop
sink_stop
veth_lost=$(($(veth_drops) - drops0))
lost=0
for kind in ipip gre-key; do
	sent=$(stream_field "$kind" sent)
	got=$(sink_field "$kind" count)
	bad=$(sink_field "$kind" bad)
	echo "     stream $kind: $got of $sent arrived, $bad bad"
	lost=$((lost + sent - got))
	[ "$bad" = 0 -a "$sent" -gt 0 ] || fail "stream $kind: $bad bad, $sent sent"
done
check "stream through the kill -9s and restarts: $lost lost, as many as the veth dropped before XDP ($veth_lost)" \
	test "$lost" = "$veth_lost" ||
	tg -j stats --interval 0 | $PY -c 'import json, sys
d = json.load(sys.stdin)
print("       global:", {k: v["packets"] for k, v in d["global"].items() if v["packets"]})
for s in d["subscribers"]:
    print("       %s: up %d, reasons %s" % (s["name"], s["up"]["packets"], s["reasons"]))'

# --- --detach-on-exit -------------------------------------------------------
daemon_stop
n0=$(log_count 'sync applied')
daemon_start --detach-on-exit
check "--detach-on-exit: started" wait_log 'sync applied' $((n0 + 1))
daemon_stop
check "--detach-on-exit: exit status 0 (got $DSTATUS)" test "$DSTATUS" = 0
check "--detach-on-exit: logged" grep -q 'exiting: data plane detached' "$LOG"
check "--detach-on-exit: no program on $IF_CSUB" sh -c "! ip -n '$CONC' -d link show $IF_CSUB | grep -q 'prog/xdp'"
check "--detach-on-exit: pin root removed" test ! -e "$PIN"

sed 's/^/     log: /' "$LOG"
finish
