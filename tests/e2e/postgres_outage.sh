#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# PostgreSQL stopped for 30 s under traffic, in the sub -- conc -- core
# topology of lib.sh, against a cluster of the suite's own (pg_lib.sh);
# the concentrator's commands and its daemon use PostgreSQL through its
# snapshot, an operator's CLI elsewhere through another:
#  - a numbered stream through alice's IPIP and bob's GRE tunnels
#    (seq_stream.py) runs from before PostgreSQL stops until after it is
#    back: every frame arrives, once, and tungate counted every one (the
#    figures are printed);
#  - while it is down the daemon says so once and its own loop goes on
#    (SIGHUP: a full sync from the snapshot); CLI writes are refused in
#    one line and change nothing; reads are answered from the snapshot;
#  - once it is back, the changes refused meanwhile, made again, are in
#    the maps within a few seconds (the time from its start is printed);
#  - a daemon restarted while it is down comes up from its snapshot,
#    changes nothing, and a numbered stream flows through its start.
# PG_OUTAGE_SECONDS changes the 30 s (for a quick look; CI keeps 30).
#
# Needs root. Outside CI it says SKIP and succeeds; with CI=true a skip fails.
set -uo pipefail

TAG=tg-pgo
. "$(dirname "$0")/lib.sh"
. "$E2E/pg_lib.sh"
. "$E2E/pg_stream_lib.sh"
SUITE="e2e postgres outage"

pg_stream_setup

OUTAGE=${PG_OUTAGE_SECONDS:-30}
BACK_MS=8000		# back -> in the maps: the daemon's longest wait
			# between tries (5 s), a pull, a push
LOG=$TMP/run.log
DPID=

# PostgreSQL's user must reach its directory inside ours.
chmod 0711 "$TMP"
step "PostgreSQL cluster of our own in $TMP/pg" pg_init "$TMP/pg"
# lib.sh's tg, add_alice, in_maps, stat and daemon_start: the concentrator
# against PostgreSQL through its snapshot.
DB=$PG_URL
export TUNGATE_SNAPSHOT=$TMP/conc.db
# op ARGS...: the operator's CLI on another machine (its own snapshot).
op() {
	"$TUNGATE" --db "$PG_URL" --snapshot "$TMP/op.db" "$@"
}

topo_setup || die "namespace setup"
step "db init (PostgreSQL)" tg db init
add_alice
add_bob
step "up (the concentrator pulls its snapshot)" \
	tg up --subscriber-if "$IF_CSUB" --uplink-if "$IF_CUP"
daemon_start
check "daemon started, follows PostgreSQL" wait_log 'sync applied \(full\)'
check "alice and bob in the maps" wait_for 30 in_maps 2
step "the operator's CLI pulls its snapshot" op sub list

echo "# PostgreSQL down for $OUTAGE s under a stream of $RATE frames/s per tunnel"
stream_begin
step "PostgreSQL stops" pg_stop
t_down=$(date +%s%N)
check "daemon: PostgreSQL unreachable, said" \
	wait_log 'forwarding with the snapshot, trying again' 1 10

# The operator's changes are refused as PostgreSQL is unreachable.
DOWN='unreachable \(.*\); the change is not made'
check "down: sub add carol refused, one line, nothing changed" \
	refused "$DOWN" sub add "${CAROL[@]}"
sed 's/^/  | /' "$TMP/refused.out"
check "down: sub set bob --add-prefix refused" \
	refused "$DOWN" sub set bob --add-prefix 100.64.12.0/24
check "down: sub disable alice refused" refused "$DOWN" sub disable alice
check "down: sub del alice refused (its data plane id kept)" refused "$DOWN" sub del alice
check "down: class add refused" refused "$DOWN" class add gold --down-rate 10mbit
check "down: config set refused" refused "$DOWN" config set ttl 32
check "down: sub list answered from the snapshot" answered bob sub list
check "down: sub show alice answered from the snapshot" answered 192.0.2.10 sub show alice
check "down: export answered from the snapshot" answered '^sub,alice,' export
check "down: the concentrator's status answers, alice and bob in its maps" in_maps 2
HUP_DONE='sync applied \(full\): 0 added, 0 changed, 0 removed'
n=$(log_count "$HUP_DONE")
kill -HUP "$DPID"
check "down: the daemon answers SIGHUP with a full sync from its snapshot" \
	wait_log "$HUP_DONE" $((n + 1))

# The rest of the outage: the daemon tries again meanwhile.
sleep "$(awk -v s="$OUTAGE" -v ms="$(ms_since "$t_down")" \
	'BEGIN { s -= ms / 1000; print (s > 0 ? s : 0) }')"
check "down $OUTAGE s: the daemon said it once ($(log_count 'forwarding with the snapshot') lines)" \
	test "$(log_count 'forwarding with the snapshot')" = 1
check "down $OUTAGE s: the daemon is still running" kill -0 "$DPID"
check "down $OUTAGE s: alice and bob still in the maps" in_maps 2
step "PostgreSQL starts again" pg_start
t_up=$(date +%s%N)
down_ms=$(((t_up - t_down) / 1000000))

# The refused changes made again: the time from PostgreSQL's start until
# both are in the maps.
check "back: the refused changes, made again, are in the maps within $((BACK_MS / 1000)) s" \
	changes_made "$t_up" $BACK_MS back "PostgreSQL's start"
grep '^# back:' "$TMP/out"
check "back: the daemon said so once" wait_log 'reachable again' 1 5
check "back: carol in the maps (3 tunnels)" wait_for 30 in_maps 3
sleep 1
check "0 frames lost while PostgreSQL was down $((down_ms / 1000)) s and once it was back" \
	count_stream outage
grep '^# outage:' "$TMP/out"
check "after: the fault and the recovery each said once" \
	test "$(log_count 'forwarding with the snapshot')-$(log_count 'reachable again')" = 1-1

echo "# a daemon restarted while PostgreSQL is down"
stream_begin
step "PostgreSQL stops" pg_stop
daemon_stop
check "daemon stopped (SIGTERM), the data plane left forwarding" \
	wait_log 'exiting: the data plane keeps forwarding'
LOG=$TMP/run2.log
daemon_start
check "restarted: said PostgreSQL is unreachable" \
	wait_log 'forwarding with the snapshot' 1 10
check "restarted: came up from its snapshot (its first sync: nothing to change)" \
	wait_log 'sync applied( \(full\))?: 0 added, 0 changed, 0 removed'
check "restarted: alice, bob and carol in the maps" in_maps 3
sleep 1
check "restarted: 0 frames lost through the restart" count_stream restart
grep '^# restart:' "$TMP/out"
step "PostgreSQL starts again" pg_start
check "restarted: PostgreSQL reachable again, said" wait_log 'reachable again' 1 10
carol_gone() {
	! pfx4_in "$PIN" 100.64.3.1
}
del_carol() {
	op sub del carol >/dev/null && wait_for 80 carol_gone
}
check "restarted: a change made once it is back is applied (carol out of the maps)" del_carol
daemon_stop
sed 's/^/  | /' "$TMP/run.log" "$LOG"
finish
