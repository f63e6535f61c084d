#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# loader/tungate.service as systemd would run it, without systemd as PID 1:
# its ExecStartPre (`tungate up`), ExecStart (`tungate run`) and `sync`,
# `status` run in conc (topology of lib.sh) with exactly the unit's
# capabilities (CapabilityBoundingSet, AmbientCapabilities, NoNewPrivileges
# through setpriv, as root without any other capability) inside a mount
# namespace made like the unit's ProtectSystem=strict, ReadWritePaths=,
# ProtectHome= and PrivateTmp= (every value read from the unit file).
#  - the notification protocol (Type=notify): a socket standing in for
#    systemd's (notify_listen.py, passed as NOTIFY_SOCKET, WATCHDOG_USEC
#    set) gets STATUS= lines, READY=1 only after the first sync applied the
#    database (none while it is missing), WATCHDOG=1 every WATCHDOG_USEC/2,
#    RELOADING=1 then READY=1 around SIGHUP, and STOPPING=1 on SIGTERM;
#  - without CAP_BPF (or CAP_NET_ADMIN) `up` and `run` refuse with a
#    message naming the capability;
#  - `run` sends EoIP keepalives with the unit's capabilities (CAP_NET_RAW),
#    and without CAP_NET_RAW runs all the same, saying so once.
#
# Needs root. Outside CI it says SKIP and succeeds; with CI=true a skip fails.
set -uo pipefail

TAG=tg-svc
. "$(dirname "$0")/lib.sh"
UNIT=$ROOT/loader/tungate.service
# The unit's state directory (StateDirectory=), and where systemd's
# notification socket would be: outside /tmp, which PrivateTmp= hides.
STATE=/var/lib/tg-svc-$$
NOTIFY=/run/tg-svc-$$.notify
# The binary as the unit finds it: outside /tmp, /home and /root, which
# the sandbox hides (this tree may be checked out under any of them).
BIN=/run/tg-svc-$$.bin
WD_USEC=1000000

require_root_tools
for tool in setpriv unshare capsh strace; do
	command -v $tool >/dev/null || skip "$tool not installed"
done
DPID=
LPID=
cleanup() {
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	[ -n "$LPID" ] && kill "$LPID" 2>/dev/null && wait "$LPID" 2>/dev/null
	rm -rf "$STATE" "$NOTIFY" "$BIN"
	topo_cleanup
}
trap cleanup EXIT
trap "exit 1" INT TERM

# unit_get KEY: the value of KEY= in the unit (the last one; empty if none).
unit_get() {
	sed -n "s/^$1=//p" "$UNIT" | tail -1
}
# setpriv's form of a capability list: "CAP_BPF CAP_X" -> "-all,+bpf,+x".
caps_arg() {
	local c out=-all
	for c in $1; do
		out+=",+$(tr 'A-Z' 'a-z' <<<"${c#CAP_}")"
	done
	echo "$out"
}

TYPE=$(unit_get Type)
WATCHDOG=$(unit_get WatchdogSec)
BOUND=$(unit_get CapabilityBoundingSet)
AMBIENT=$(unit_get AmbientCapabilities)
NNP=$(unit_get NoNewPrivileges)
PROTECT=$(unit_get ProtectSystem)
RW=$(unit_get ReadWritePaths)
HOME_=$(unit_get ProtectHome)
PTMP=$(unit_get PrivateTmp)
check "unit: Type=notify (got '$TYPE')" test "$TYPE" = notify
check "unit: WatchdogSec= set (got '$WATCHDOG')" test -n "$WATCHDOG"
check "unit: capabilities bounded ('$BOUND'), none of them CAP_SYS_ADMIN" \
	sh -c "[ -n '$BOUND' ] && ! echo '$BOUND' | grep -q CAP_SYS_ADMIN"
check "unit: no User= (root without other capabilities)" \
	sh -c "! grep -q '^User=' '$UNIT'"

# The unit's commands, pointed at this build, the test's pin root and
# conc's interfaces (as an operator edits eth1 and eth0).
unit_cmd() {
	unit_get "$1" | sed -e "s|/usr/local/sbin/tungate|$TUNGATE --pin-root $PIN|" \
		-e "s|\\beth1\\b|$IF_CSUB|" -e "s|\\beth0\\b|$IF_CUP|"
}
mkdir -p "$BIN" && cp "$TUNGATE" "$BIN/tungate" || die "setup: $BIN"
TUNGATE=$BIN/tungate
PRE=$(unit_cmd ExecStartPre)
START=$(unit_cmd ExecStart)

# sandbox [CAPS] -- CMD...: CMD in conc as the unit runs it: a private
# mount namespace with ProtectSystem=strict (all read-only but /dev, /proc,
# /sys and ReadWritePaths), the state directory writable, ProtectHome=yes
# (/home, /root empty, inaccessible), PrivateTmp=yes (an empty /tmp), then
# as root with only CAPS (default: the unit's) and NoNewPrivileges=.
# Every step execs the next: with SANDBOX_EXEC=exec, in the background, $!
# is CMD's pid. SANDBOX_WRAP (e.g. strace) runs setpriv and CMD.
sandbox() {
	local bound=$BOUND ambient=$AMBIENT
	if [ "$1" != -- ]; then
		bound=$1 ambient=$1
		shift
	fi
	shift
	${SANDBOX_EXEC:-} nsenter --net=/run/netns/"$CONC" \
		unshare -m --propagation private \
		env PROTECT="$PROTECT" RW="$RW $STATE" HOME_="$HOME_" PTMP="$PTMP" \
		WRAP="${SANDBOX_WRAP:-}" \
		sh -c '
		set -e
		for d in $RW; do mount --bind "$d" "$d"; done
		[ "$PROTECT" = strict ] && mount -o remount,bind,ro /
		if [ "$HOME_" = yes ]; then
			for d in /home /root; do
				[ -d $d ] && mount -t tmpfs -o mode=000 tmpfs $d
			done
		fi
		[ "$PTMP" = yes ] && mount -t tmpfs tmpfs /tmp &&
			mount -t tmpfs tmpfs /var/tmp
		exec $WRAP "$@"' sh \
		setpriv --inh-caps="$(caps_arg "$ambient")" \
		--ambient-caps="$(caps_arg "$ambient")" \
		--bounding-set="$(caps_arg "$bound")" \
		${NNP:+--no-new-privs} "$@"
}

topo_setup || die "setup: namespace setup"
# The harness itself: the sandbox must hold what it claims, or the checks
# below would show nothing.
mkdir -p "$STATE" || die "setup: $STATE"
DB=$STATE/tungate.db
export TUNGATE_DB=$DB
step "sandbox: the system is read-only" \
	sandbox -- sh -c '! touch /usr/tg-svc-probe 2>/dev/null'
step "sandbox: the state directory is writable" \
	sandbox -- sh -c "touch '$STATE/probe' && rm '$STATE/probe'"
step "sandbox: /root is out of reach" \
	sandbox -- sh -c '! ls /root/ >/dev/null 2>&1'
step "sandbox: /tmp is private" \
	sandbox -- sh -c "[ ! -e '$TMP' ]"
want=$(tr ' ' '\n' <<<"$BOUND" | tr 'A-Z' 'a-z' | sort | paste -sd,)
eff=$(sandbox -- sh -c 'grep ^CapEff: /proc/self/status' | awk '{ print $2 }')
got=$(capsh --decode="$eff" | sed 's/^[^=]*=//' | tr ',' '\n' | sort | paste -sd,)
step "sandbox: effective capabilities $got, the unit's $want" test "$got" = "$want"
step "sandbox: no new privileges" \
	sandbox -- sh -c 'grep -q "^NoNewPrivs:[[:space:]]*1" /proc/self/status'

step "db init" tg db init
step "sub add alice" add_alice
step "sub add bob" add_bob

# --- ExecStartPre, sync, status with the unit's capabilities ---------------
# shellcheck disable=SC2086
check "ExecStartPre ($(unit_get ExecStartPre)) with the unit's capabilities" \
	sandbox -- $PRE
check "  it attached XDP to $IF_CSUB" \
	sh -c "ip -n '$CONC' -d link show '$IF_CSUB' | grep -q 'prog/xdp'"
check "sync with the unit's capabilities" sandbox -- "$TUNGATE" --pin-root "$PIN" sync
sandbox -- "$TUNGATE" --pin-root "$PIN" -j status >"$TMP/status.json" 2>"$TMP/status.err"
st=$?
status_ok() {
	[ "$st" = 0 ] && $PY - "$TMP/status.json" "$IF_CSUB" "$IF_CUP" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
ifs = sorted((i["ifname"], i["state"]) for i in s["interfaces"]
             if i["ifname"] in sys.argv[2:])
sys.exit(0 if s["subscribers"] == 2 and
         ifs == sorted((n, "attached") for n in sys.argv[2:]) else 1)
PY
}
check "status -j with the unit's capabilities: 2 subscribers, both interfaces attached" \
	status_ok || cat "$TMP/status.json" "$TMP/status.err"

# --- ExecStart and the notification protocol ---------------------------------
NLOG=$TMP/notify.log
$PY "$E2E/notify_listen.py" "$NOTIFY" "$NLOG" &
LPID=$!
for _ in $(seq 50); do [ -S "$NOTIFY" ] && break; sleep 0.1; done
step "notification socket $NOTIFY" test -S "$NOTIFY"
# notes PATTERN: notifications matching (extended regex), counted.
notes() {
	grep -cE -- "$1" "$NLOG"
}
# wait_note PATTERN [N [SECONDS]]: until N notifications match.
wait_note() {
	local n=${2:-1} _
	for _ in $(seq $((${3:-5} * 10))); do
		[ "$(notes "$1")" -ge "$n" ] && return 0
		sleep 0.1
	done
	return 1
}

# Started with the database away: alive (watchdog, status) but not ready.
mv "$DB" "$DB.away"
# shellcheck disable=SC2086
NOTIFY_SOCKET=$NOTIFY WATCHDOG_USEC=$WD_USEC SANDBOX_EXEC=exec \
	sandbox -- $START 2>"$TMP/run.log" &
DPID=$!
check "database missing: STATUS= tells the fault" \
	wait_note 'STATUS=fault: database .*No such file' 1 5
sleep 2
check "database missing: no READY=1 ($(notes READY=1) seen)" test "$(notes READY=1)" = 0
check "database missing: WATCHDOG=1 all the same ($(notes WATCHDOG=1) seen)" \
	test "$(notes WATCHDOG=1)" -ge 3
mv "$DB.away" "$DB"
check "database back: READY=1 with STATUS=in step, 2 subscribers" \
	wait_note '(^| )READY=1\|STATUS=in step, 2 subscribers$' 1 5
check "  after the first sync applied it (logged before)" \
	grep -q 'sync applied' "$TMP/run.log"
left=$(tg -j sync --dry-run --full | $PY -c 'import json, sys
d = json.load(sys.stdin)
print(d["added"] + d["changed"] + d["removed"])')
check "  the maps in step with the database: a full dry run finds $left to do" \
	test "$left" = 0

# Watchdog: every WATCHDOG_USEC/2, never a gap as long as WATCHDOG_USEC.
n0=$(notes WATCHDOG=1)
sleep 3
n1=$(notes WATCHDOG=1)
check "WATCHDOG=1 every $((WD_USEC / 2000)) ms: $((n1 - n0)) in 3 s (4 to 7)" \
	test $((n1 - n0)) -ge 4 -a $((n1 - n0)) -le 7
gap=$(awk '/WATCHDOG=1/ { if (t != "" && $1 - t > g) g = $1 - t; t = $1 } END { print g + 0 }' "$NLOG")
check "WATCHDOG=1: longest gap $gap ms (< $((WD_USEC / 1000)))" test "$gap" -lt $((WD_USEC / 1000))

# A reload.
r0=$(notes RELOADING=1)
kill -HUP "$DPID"
check "SIGHUP: RELOADING=1 with MONOTONIC_USEC=" \
	wait_note 'RELOADING=1\|MONOTONIC_USEC=[0-9]+\|STATUS=reloading' $((r0 + 1)) 3
reload_line=$(grep -n 'RELOADING=1' "$NLOG" | tail -1 | cut -d: -f1)
check "SIGHUP: READY=1 again once the full sync is done" \
	sh -c "for i in \$(seq 30); do tail -n +$reload_line '$NLOG' | grep -qE '(^| )READY=1\\|STATUS=in step' && exit 0; sleep 0.1; done; exit 1"
check "SIGHUP: the daemon did the full sync" \
	grep -q 'sync applied (full): 0 added, 0 changed, 0 removed, 2 unchanged' "$TMP/run.log"

# SIGTERM: STOPPING=1, exit 0.
kill -TERM "$DPID"
wait "$DPID"
st=$?
DPID=
check "SIGTERM: exit status 0 (got $st)" test "$st" = 0
check "SIGTERM: STOPPING=1 sent" wait_note 'STOPPING=1\|STATUS=stopping' 1 3
wait "$LPID"
LPID=
check "the data plane still attached after the daemon stopped" \
	sh -c "ip -n '$CONC' -d link show '$IF_CSUB' | grep -q 'prog/xdp'"

# RestrictAddressFamilies=: every socket ExecStartPre and ExecStart open
# (metrics, a BIRD include, notifications) is of a family the unit allows.
FAMS=$(unit_get RestrictAddressFamilies)
MPORT=$((20000 + $$ % 20000))
TRACE="strace -f -qq -e trace=socket -o"
# shellcheck disable=SC2086
SANDBOX_WRAP="$TRACE $STATE/strace.pre" sandbox -- $PRE >/dev/null 2>&1
# shellcheck disable=SC2086
NOTIFY_SOCKET=$NOTIFY SANDBOX_WRAP="$TRACE $STATE/strace.run" \
	sandbox -- timeout --preserve-status -s TERM 2 $START \
	--metrics 127.0.0.1:$MPORT --bird-output "$STATE/bird.conf" >/dev/null 2>&1
used=$(cat "$STATE/strace.pre" "$STATE/strace.run" | grep -o 'socket(AF_[A-Z0-9]*' |
	sed 's/socket(//' | sort -u | paste -sd' ')
outside=$(for f in $used; do [[ " $FAMS " == *" $f "* ]] || echo "$f"; done)
check "RestrictAddressFamilies=$FAMS: ExecStartPre and ExecStart use $used" \
	test -n "$used" -a -z "$outside"

# Outside systemd (no NOTIFY_SOCKET) the daemon runs as before.
# shellcheck disable=SC2086
sandbox -- timeout --preserve-status -s TERM 2 $START 2>"$TMP/run2.log"
st=$?
check "without NOTIFY_SOCKET: runs, syncs and exits 0 on SIGTERM (got $st)" \
	sh -c "[ $st = 0 ] && grep -q 'sync applied' '$TMP/run2.log'"

# EoIP keepalives: the raw socket is opened before the daemon drops its
# capabilities, so the unit must grant CAP_NET_RAW; without it the daemon
# runs all the same and says once that it sends none.
step "sub add eve (eoip)" tg sub add eve --type eoip --remote 192.0.2.12 \
	--local 192.0.2.1 --tunnel-id 5 --keepalive 1
# shellcheck disable=SC2086
sandbox -- timeout --preserve-status -s TERM 2 $START 2>"$TMP/run3.log"
check "keepalives with the unit's capabilities: one eoip subscriber, none refused" \
	sh -c "grep -q 'eoip keepalives: 1 subscriber\$' '$TMP/run3.log' &&
		! grep -qE 'none sent|not sent' '$TMP/run3.log'"
NORAW=${BOUND//CAP_NET_RAW/}
# shellcheck disable=SC2086
sandbox "$NORAW" -- timeout --preserve-status -s TERM 2 $START 2>"$TMP/run4.log"
st=$?
check "without CAP_NET_RAW: runs (got $st), says once that it sends no keepalives" \
	sh -c "[ $st = 0 ] && [ \$(grep -c 'none sent: no raw socket' '$TMP/run4.log') = 1 ]"

# --- without the capabilities ------------------------------------------------
# refused CAPS WHAT EXPECT CMD...: CMD with only CAPS fails, naming EXPECT.
refused() {
	local caps=$1 what=$2 expect=$3
	shift 3
	if ! sandbox "$caps" -- "$@" >"$TMP/ref.out" 2>&1 &&
		grep -qF "missing capability $expect" "$TMP/ref.out"; then
		ok "$what: $(head -1 "$TMP/ref.out" | cut -c1-90)..."
	else
		fail "$what"
		sed 's/^/       /' "$TMP/ref.out"
	fi
}
NOBPF=${BOUND//CAP_BPF/}
NONET=${BOUND//CAP_NET_ADMIN/}
# shellcheck disable=SC2086
refused "$NOBPF" "ExecStartPre without CAP_BPF: refused" CAP_BPF $PRE
# shellcheck disable=SC2086
refused "$NOBPF" "ExecStart without CAP_BPF: refused" CAP_BPF $START
# shellcheck disable=SC2086
refused "$NONET" "ExecStartPre without CAP_NET_ADMIN: refused" CAP_NET_ADMIN $PRE
refused "$NOBPF" "sync without CAP_BPF: refused" CAP_BPF "$TUNGATE" --pin-root "$PIN" sync
check "the refusals left the data plane attached" \
	sh -c "ip -n '$CONC' -d link show '$IF_CSUB' | grep -q 'prog/xdp'"

sed 's/^/     notify: /' "$NLOG" | grep -v WATCHDOG | head -20
finish
