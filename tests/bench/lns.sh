#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The LNS at scale, in namespaces (tests/e2e/lib.sh's topology), driven by
# tg-lac (tests/lac):
#   - N dial-in sessions (default 10,000) over T tunnels (default 100):
#     setup rate as tg-lac sees it, time until all are in the maps, the
#     daemon's memory per session (RSS after minus before, / N);
#   - the same against l2tpns (tests/bench/l2tpns_baseline.sh) on the same
#     box, as a ratio;
#   - the LAC restarted without a goodbye (as a router that reboots): every
#     member dials again and takes its old session over;
# (The per-packet cost of a dial-in session beside a static l2tpv2
# subscriber's is measured by build/bench: its l2tpv2-dialin paths.)
# Figures are printed as "lns: ..." lines. Needs root.
set -uo pipefail
TAG=tg-blns
CORE4=198.51.100.2
CORE6=2001:db8:ff::2
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/../e2e/lib.sh"
LAC=$ROOT/build/tg-lac
N=${LNS_BENCH_SESSIONS:-10000}
T=${LNS_BENCH_TUNNELS:-10}
W=${LNS_BENCH_WINDOW:-100}	# setups in flight: l2tpns's best

cleanup() {
	pkill -f "pin-root $PIN run" 2>/dev/null
	pkill -KILL -f "$LAC --lns 192.0.2.1" 2>/dev/null
	topo_cleanup
}
trap cleanup EXIT
trap "exit 1" INT TERM

require_root_tools
[ -x "$LAC" ] || skip "build first: make ($LAC)"

now_ms() { date +%s%3N; }
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
# bulk FILE: tg-lac bringing up every member from sub, in the background.
bulk() {
	in_sub "$LAC" --lns 192.0.2.1 --local 192.0.2.11 --sessions "$N" \
		--tunnels "$T" --window "$W" --timeout 600 --user 'm%d@exo.cat' \
		--password secret >"$1" 2>&1 &
}

step "namespaces" tunnel_setup 1
step "db init" tg db init
$PY "$ROOT/tests/bench/members_csv.py" "$N" >"$TMP/m.csv"
step "$N members" tg import "$TMP/m.csv"
step "lns" tg config set lns 192.0.2.1
step "lns-address" tg config set lns-address 100.64.0.1
step "up" tg up --subscriber-if "$IF_CSUB" --uplink-if "$IF_CUP"
in_conc "$TUNGATE" --db "$DB" --pin-root "$PIN" run >"$TMP/run.log" 2>&1 &
step "daemon" wait_for 100 grep -q "lns: listening" "$TMP/run.log"
step "first sync" wait_for 100 grep -q "sync applied" "$TMP/run.log"
sleep 1
pid=$(daemon_pid)
rss0=$(rss_kb "$pid")

# --- N sessions ---------------------------------------------------------------
t0=$(now_ms)
bulk "$TMP/bulk1.json"
check "$N sessions up" wait_for 6000 grep -q '"event":"bulk".*"up":'"$N"',' "$TMP/bulk1.json"
check "$N sessions in the maps" wait_for 6000 in_maps "$N"
t1=$(now_ms)
sleep 2
rss1=$(rss_kb "$pid")
echo "lns: $N sessions over $T tunnels: setup $(lac_field "$TMP/bulk1.json" bulk setup_s) s" \
	"($(lac_field "$TMP/bulk1.json" bulk sessions_per_s) sessions/s as the LAC saw them);" \
	"all in the maps after $(((t1 - t0) / 1000)).$(((t1 - t0) % 1000 / 100)) s" \
	"($((N * 1000 / (t1 - t0))) sessions/s)"
echo "lns: daemon memory: $rss0 kB before, $rss1 kB with $N sessions:" \
	"$(((rss1 - rss0) * 1024 / N)) bytes per session"

# --- the LAC restarted without a goodbye -----------------------------------
pkill -KILL -f "$LAC --lns 192.0.2.1"
t0=$(now_ms)
bulk "$TMP/bulk2.json"
check "after a LAC restart: $N sessions up again" \
	wait_for 6000 grep -q '"event":"bulk".*"up":'"$N"',' "$TMP/bulk2.json"
redialled() { [ "$(grep -c 'dialled again' "$TMP/run.log")" -ge "$N" ]; }
check "after a LAC restart: every member dialled again" wait_for 6000 redialled
t1=$(now_ms)
check "after a LAC restart: $N sessions listed" \
	test "$(session_count)" = "$N"
echo "lns: re-setup of $N sessions after a LAC restart:" \
	"$(lac_field "$TMP/bulk2.json" bulk setup_s) s" \
	"($(lac_field "$TMP/bulk2.json" bulk sessions_per_s) sessions/s), takeovers logged after" \
	"$(((t1 - t0) / 1000)).$(((t1 - t0) % 1000 / 100)) s"

pkill -TERM -f "$LAC --lns 192.0.2.1"

# --- the baseline: l2tpns, same box, same simulator, same sessions ---------
if bash "$ROOT/tests/bench/l2tpns_baseline.sh" "$N" "$T" "$W" >"$TMP/l2tpns.json" 2>"$TMP/l2tpns.err" &&
	[ "$(lac_field "$TMP/l2tpns.json" bulk up)" = "$N" ]; then
	ok "baseline: l2tpns brought up $N sessions"
	base=$(lac_field "$TMP/l2tpns.json" bulk sessions_per_s)
	ours=$(lac_field "$TMP/bulk1.json" bulk sessions_per_s)
	echo "lns: l2tpns 2.4.1 with FreeRADIUS, same simulator and window: $N sessions in" \
		"$(lac_field "$TMP/l2tpns.json" bulk setup_s) s ($base sessions/s);" \
		"tungate/l2tpns: $($PY -c "print('%.2f' % ($ours / $base))")"
else
	fail "baseline: l2tpns: $(cat "$TMP/l2tpns.err" "$TMP/l2tpns.json" | tail -3)"
fi
finish
