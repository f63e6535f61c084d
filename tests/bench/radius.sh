#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The LNS's logins through RADIUS, in namespaces (tests/e2e/lib.sh's
# topology), driven by tg-lac (tests/lac), FreeRADIUS of Debian in the
# concentrator's namespace (tests/lac/l2tpns.sh's radius_start: its
# `users` file, one Framed-IP-Address a member):
#   - logins: N members (default 1,000) over T tunnels with W setups in
#     flight (lns.sh's 10 and 100), alternately checked by tungate's
#     database (aaa local: members a%d, rows in the database) and by
#     FreeRADIUS (aaa radius: members m%d, only in its users file), R
#     rounds (default 2: local radius local radius), a fresh daemon each
#     run: setup rate as the LAC saw it, time until all are in the maps,
#     the daemon's RSS; the mean rates and radius/local;
#   - accounting: A sessions (default 10,000) up through FreeRADIUS with
#     radius_accounting on and radius_interim 60, accounting to the same
#     server, whose default accounting section writes its detail file
#     (and radwtmp); over S seconds (default 180: at least two interim
#     rounds) the daemon's CPU time (utime+stime) and RSS, the records
#     FreeRADIUS logged per second by kind.
# Figures are printed as "radius: ..." and "accounting: ..." lines.
# Needs root and freeradius.
set -uo pipefail
TAG=tg-brad
CORE4=198.51.100.2
CORE6=2001:db8:ff::2
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/../e2e/lib.sh"
# shellcheck source=tests/lac/l2tpns.sh
. "$ROOT/tests/lac/l2tpns.sh"
LAC=$ROOT/build/tg-lac
N=${RADIUS_BENCH_SESSIONS:-1000}
T=${LNS_BENCH_TUNNELS:-10}
W=${LNS_BENCH_WINDOW:-100}
ROUNDS=${RADIUS_BENCH_ROUNDS:-2}
ACCT_N=${RADIUS_BENCH_ACCT_SESSIONS:-10000}
ACCT_S=${RADIUS_BENCH_ACCT_SECONDS:-180}
MPORT=$((20000 + $$ % 20000))
L2TPNS_DIR=$TMP/radius		# FreeRADIUS's users, config, state, log
DETAIL=$L2TPNS_DIR/radacct/127.0.0.1
HZ=$(getconf CLK_TCK)
LAC_PID=

cleanup() {
	if [ -n "$LAC_PID" ]; then
		kill -KILL "$LAC_PID" 2>/dev/null
		wait "$LAC_PID" 2>/dev/null
	fi
	pkill -f "pin-root $PIN run" 2>/dev/null
	[ -n "$RADIUS_PID" ] && kill "$RADIUS_PID" 2>/dev/null
	topo_cleanup
}
trap cleanup EXIT
trap "exit 1" INT TERM

require_root_tools
command -v freeradius >/dev/null || skip "freeradius not installed"
[ -x "$LAC" ] || skip "build first: make ($LAC)"

now_ms() { date +%s%3N; }
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
# cpu_ticks PID: utime + stime of all its threads.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# secs MS: seconds with two decimals.
secs() { printf '%d.%02d' $(($1 / 1000)) $(($1 % 1000 / 10)); }
radius_up() { in_conc ss -Hlun | grep -q ':1813 '; }

# daemon_start: a fresh `tungate run` (metrics on $MPORT); DPID.
daemon_start() {
	: >"$TMP/run.log"
	# Not through in_conc: $! must be the daemon, not a subshell.
	nsenter --net=/run/netns/"$CONC" "$TUNGATE" --db "$DB" --pin-root "$PIN" run \
		--metrics 127.0.0.1:$MPORT >"$TMP/run.log" 2>&1 &
	DPID=$!
	wait_for 100 grep -q "lns: listening" "$TMP/run.log" &&
		wait_for 100 grep -q "sync applied" "$TMP/run.log"
}
# stop PID: SIGTERM, SIGKILL after 5 s.
stop() {
	local _
	kill "$1" 2>/dev/null
	for _ in $(seq 50); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
daemon_stop() { stop "$DPID"; }
# bulk COUNT USER-PATTERN FILE: tg-lac bringing them up, held until
# SIGTERM; LAC_PID.
bulk() {
	ip netns exec "$SUB" "$LAC" --lns 192.0.2.1 --local 192.0.2.11 --sessions "$1" \
		--tunnels "$T" --window "$W" --timeout 600 --user "$2" \
		--password secret >"$3" 2>&1 &
	LAC_PID=$!
}
bulk_stop() {
	stop "$LAC_PID"
	LAC_PID=
}
all_up() { grep -q '"event":"bulk".*"up":'"$1"',' "$2"; }
# records KIND: Accounting-Requests of that Acct-Status-Type FreeRADIUS
# logged (Start, Interim-Update, Stop).
records() {
	cat "$DETAIL"/detail-* 2>/dev/null | grep -c "Acct-Status-Type = $1\$"
}

# metric_sum REGEX: the sum of the daemon's samples whose name{labels}
# match, empty when there is none.
metric_sum() {
	in_conc curl -sf --max-time 5 "http://127.0.0.1:$MPORT/metrics" |
		awk -v re="$1" '$1 ~ re { s += $2; n++ } END { if (n) printf "%d", s }'
}
SENT='^tungate_radius_acct_records_total[{].*result="sent"'

# login_run local|radius PATTERN: one run of N logins; prints its line,
# appends its rate to $TMP/rates.AAA.
login_run() {
	local aaa=$1 pat=$2 out=$TMP/bulk-$1-$3.json rss0 rss1 t0 t1 rate dc rc
	tg config set aaa "$aaa" >/dev/null || { fail "aaa $aaa"; return; }
	daemon_start || { fail "$aaa: daemon did not start"; return; }
	rss0=$(rss_kb "$DPID")
	dc=$(cpu_ticks "$DPID") rc=$(cpu_ticks "$RADIUS_PID")
	t0=$(now_ms)
	bulk "$N" "$pat" "$out"
	if ! wait_for 1200 all_up "$N" "$out" || ! wait_for 600 in_maps "$N"; then
		fail "$aaa: $N sessions up: $(tail -2 "$out")"
		bulk_stop
		daemon_stop
		return
	fi
	t1=$(now_ms)
	rss1=$(rss_kb "$DPID")
	dc=$(($(cpu_ticks "$DPID") - dc)) rc=$(($(cpu_ticks "$RADIUS_PID") - rc))
	rate=$(lac_field "$out" bulk sessions_per_s)
	ok "aaa $aaa: $N sessions up, in the maps"
	echo "$rate" >>"$TMP/rates.$aaa"
	echo "radius: aaa $aaa: $N sessions over $T tunnels:" \
		"$(lac_field "$out" bulk setup_s) s ($rate sessions/s as the LAC saw them);" \
		"all in the maps after $(secs $((t1 - t0))) s;" \
		"CPU meanwhile: daemon $(secs $((dc * 1000 / HZ))) s," \
		"FreeRADIUS $(secs $((rc * 1000 / HZ))) s;" \
		"daemon RSS $rss0 kB before, $rss1 kB with them"
	bulk_stop
	wait_for 600 in_maps 0 || fail "$aaa: sessions still in the maps after the LAC left"
	daemon_stop
}

step "namespaces" tunnel_setup 1
in_conc ip link set lo up
mkdir -p "$L2TPNS_DIR"
: >"$L2TPNS_DIR/users"
users=$N
[ "$ACCT_S" -gt 0 ] && [ "$ACCT_N" -gt "$users" ] && users=$ACCT_N
l2tpns_users 'm%d@exo.cat' "$users" secret
step "FreeRADIUS, $users users" radius_start "$CONC"
step "FreeRADIUS listening" wait_for 300 radius_up
step "db init" tg db init
# The local members: a%d, their addresses clear of the users' (100.64.16.0 up).
$PY "$ROOT/tests/bench/members_csv.py" "$N" a >"$TMP/a.csv"
step "$N local members" tg import "$TMP/a.csv"
step "lns" tg config set lns 192.0.2.1
step "lns-address" tg config set lns-address 100.64.0.1
step "radius-servers" tg config set radius-servers 127.0.0.1
step "radius-secret" tg config set radius-secret testing123
step "radius-accounting off" tg config set radius-accounting off
step "up" tg up --subscriber-if "$IF_CSUB" --uplink-if "$IF_CUP"

# --- logins: local database and FreeRADIUS, alternately ----------------------
for ((r = 1; r <= ROUNDS; r++)); do
	login_run local 'a%d@exo.cat' "$r"
	login_run radius 'm%d@exo.cat' "$r"
done
if [ -s "$TMP/rates.local" ] && [ -s "$TMP/rates.radius" ]; then
	$PY - "$TMP/rates.local" "$TMP/rates.radius" "$N" <<'EOF'
import sys
loc = [float(x) for x in open(sys.argv[1])]
rad = [float(x) for x in open(sys.argv[2])]
ml, mr = sum(loc) / len(loc), sum(rad) / len(rad)
print("radius: %s logins, mean of %d runs each: local database %.0f sessions/s,"
      " FreeRADIUS %.0f sessions/s; radius/local %.2f"
      % (sys.argv[3], len(loc), ml, mr, mr / ml))
EOF
fi

# --- accounting: ACCT_N sessions, interim every 60 s -------------------------
# starts_at_least N: FreeRADIUS logged N Acct-Starts or more.
starts_at_least() {
	[ "$(records Start)" -ge "$1" ]
}
acct() {
	local out=$TMP/bulk-acct.json t0 t1 rss0 rss1 rss2 c0 c1 s0 s1 i0 i1 x0 x1 m0 m1 ms
	if ! tg config set radius-accounting on >/dev/null ||
		! tg config set radius-interim 60 >/dev/null ||
		! tg config set aaa radius >/dev/null; then
		fail "accounting settings"
		return
	fi
	daemon_start || { fail "accounting: daemon did not start"; return; }
	rss0=$(rss_kb "$DPID")
	t0=$(now_ms)
	bulk "$ACCT_N" 'm%d@exo.cat' "$out"
	if ! wait_for 3000 all_up "$ACCT_N" "$out" || ! wait_for 1200 in_maps "$ACCT_N"; then
		fail "accounting: $ACCT_N sessions up: $(tail -2 "$out")"
		return
	fi
	t1=$(now_ms)
	echo "accounting: $ACCT_N sessions through FreeRADIUS, accounting on:" \
		"$(lac_field "$out" bulk setup_s) s ($(lac_field "$out" bulk sessions_per_s)" \
		"sessions/s as the LAC saw them); all in the maps after $(secs $((t1 - t0))) s"
	if ! wait_for 600 starts_at_least 1; then
		echo "accounting: not measured: the daemon does not send accounting yet" \
			"(no Acct-Start reached FreeRADIUS within 60 s of $ACCT_N sessions up)"
		bulk_stop
		daemon_stop
		return
	fi
	wait_for 600 starts_at_least "$ACCT_N"
	ms=$(($(now_ms) - t1))
	echo "accounting: $(records Start) of $ACCT_N Acct-Starts logged $(secs "$ms") s" \
		"after the last session was in the maps"
	rss1=$(rss_kb "$DPID")
	c0=$(cpu_ticks "$DPID") s0=$(records Start) i0=$(records Interim-Update) x0=$(records Stop)
	m0=$(metric_sum "$SENT")
	t0=$(now_ms)
	sleep "$ACCT_S"
	c1=$(cpu_ticks "$DPID") s1=$(records Start) i1=$(records Interim-Update) x1=$(records Stop)
	m1=$(metric_sum "$SENT")
	t1=$(now_ms)
	rss2=$(rss_kb "$DPID")
	ms=$((t1 - t0))
	echo "accounting: $ACCT_N sessions, interim 60 s, over $(secs "$ms") s: daemon CPU" \
		"$($PY -c "print('%.1f' % (($c1 - $c0) * 100000.0 / $HZ / $ms))") % of one core;" \
		"RSS $rss0 kB before the sessions, $rss1 kB with them, $rss2 kB at the end"
	echo "accounting: FreeRADIUS logged $((i1 - i0)) Interim-Updates," \
		"$((s1 - s0)) Starts, $((x1 - x0)) Stops:" \
		"$($PY -c "print('%.1f' % (($i1 - $i0 + $s1 - $s0 + $x1 - $x0) * 1000.0 / $ms))")" \
		"records/s (expected $((ACCT_N / 60))/s of Interim-Updates)"
	if [ -n "$m0" ] && [ -n "$m1" ]; then
		echo "accounting: the daemon counted $((m1 - m0)) records sent:" \
			"$($PY -c "print('%.1f' % (($m1 - $m0) * 1000.0 / $ms))") records/s;" \
			"queued in all $(metric_sum '^tungate_radius_acct_records_total[{].*result="queued"')," \
			"queue at the end $(metric_sum '^tungate_radius_acct_queue$')," \
			"retries $(metric_sum '^tungate_radius_acct_retries_total$')," \
			"dropped $(metric_sum '^tungate_radius_acct_dropped_total')"
	fi
	bulk_stop
	daemon_stop
}
if [ "$ACCT_S" -gt 0 ]; then
	acct
fi
finish
