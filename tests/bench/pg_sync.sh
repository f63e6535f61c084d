#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# PostgreSQL beside SQLite with N subscribers (default 100,000: lib.sh's
# subs_csv, imported into each), ROUNDS interleaved rounds (default 3),
# medians; each PostgreSQL figure also as its ratio to SQLite's in the
# same round (the median of those ratios):
#  - a full sync into empty maps (a pin root of its own each time: the
#    maps are made, then filled), from
#      sqlite     the SQLite database ('tungate sync');
#      pg fresh   PostgreSQL pulled into a new snapshot, then the sync (a
#                 new concentrator);
#      pg warm    PostgreSQL through a snapshot that has it all: a pull
#                 that finds nothing to change, then the sync (a
#                 concentrator whose maps are gone, as after a reboot);
#  - the propagation of one change (a subscriber disabled, then enabled
#    again: two per round) from the end of the command that made it until
#    the maps have it, found by a lookup of its prefix:
#      sqlite     the command on the SQLite database, a 'tungate run'
#                 following it;
#      pg         the command against PostgreSQL (through a snapshot of
#                 its own), two concentrators each running 'tungate run'
#                 against it (a namespace, snapshot and pin root each):
#                 the later of the two, and each;
#    and the command's own time (against PostgreSQL it pulls first, then
#    pushes what it changed), also as its ratio to SQLite's.
# A PostgreSQL cluster of its own (tests/e2e/pg_lib.sh), namespaces, pin
# roots and temp dir, all removed on exit; the timed part holds
# /tmp/tg-bench.lock. Knobs: PG_BENCH_SUBS, PG_BENCH_ROUNDS.
# Needs root, bpffs and PostgreSQL's server (Debian's postgresql).
set -uo pipefail
TAG=tg-bpg
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/../e2e/lib.sh"
# shellcheck source=tests/e2e/pg_lib.sh
. "$E2E/pg_lib.sh"
# shellcheck source=tests/e2e/lock.sh
. "$E2E/lock.sh"
# shellcheck source=tests/bench/lib.sh
. "$ROOT/tests/bench/lib.sh"
SUITE="pg sync bench"

N=${PG_BENCH_SUBS:-100000}
ROUNDS=${PG_BENCH_ROUNDS:-3}
SQ=$TMP/sqlite.db
OP=$TMP/op.db			# the snapshot of the commands against PostgreSQL
WARM=$TMP/warm.db
CONC2=$TAG-c2-$$
CONC_SQ=$TAG-sq-$$
PIN2=$PIN-2
PIN_SQ=$PIN-sq
PIN_SYNC=$PIN-sync
DAEMONS=()

cleanup() {
	local pid
	for pid in "${DAEMONS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${DAEMONS[@]}"; do
		wait "$pid" 2>/dev/null
	done
	rm -rf "$PIN2" "$PIN_SQ" "$PIN_SYNC"
	ip netns del "$CONC2" 2>/dev/null
	ip netns del "$CONC_SQ" 2>/dev/null
	pg_cleanup
	topo_cleanup
}
trap cleanup EXIT
trap "exit 1" INT TERM

require_root_tools
command -v bpftool >/dev/null || skip "bpftool not installed"
pg_require

sq() {
	"$TUNGATE" --db "$SQ" "$@"
}
pgc() {
	"$TUNGATE" --db "$PG_URL" --snapshot "$OP" "$@"
}
# secs NS: seconds, three decimals.
secs() {
	awk -v v="$1" 'BEGIN { printf "%.3f", v / 1e9 }'
}

# PostgreSQL's user must reach its directory inside ours.
chmod 0711 "$TMP"
step "PostgreSQL cluster of our own in $TMP/pg" pg_init "$TMP/pg"
subs_csv "$N" "$TMP/subs.csv"
step "db init (SQLite)" sq db init
step "db init (PostgreSQL)" pgc db init
timed imp_sq sq import "$TMP/subs.csv"
timed imp_pg pgc import "$TMP/subs.csv"
step "a snapshot that has it all" \
	"$TUNGATE" --db "$PG_URL" --snapshot "$WARM" config show

bench_lock
echo "pg sync: $N subscribers ($(grep -c ' 2001:' "$TMP/subs.csv") with an IPv6 prefix too)," \
	"$ROUNDS rounds, medians; PostgreSQL also as its ratio to SQLite in each round"
echo "pg sync: imported (once): SQLite $(secs "$imp_sq") s, PostgreSQL $(secs "$imp_pg") s" \
	"(x$(ratio "$imp_pg" "$imp_sq"))"

# full_sync VAR DB [SNAPSHOT]: a full sync into an empty pin root, timed
# into VAR; every subscriber added.
full_sync() {
	local var=$1 db=$2 snap=()
	[ $# -gt 2 ] && snap=(--snapshot "$3")
	rm -rf "$PIN_SYNC"
	timed "$var" "$TUNGATE" --db "$db" "${snap[@]}" --pin-root "$PIN_SYNC" sync
	rm -rf "$PIN_SYNC"
	grep -q "^sync: $N added, 0 changed, 0 removed, 0 unchanged" "$TMP/last.out" ||
		fail "full sync from $db: $(head -1 "$TMP/last.out")"
}
S_SQ=() S_FRESH=() S_WARM=() R_FRESH=() R_WARM=()
for round in $(seq "$ROUNDS"); do
	full_sync sq "$SQ"
	rm -f "$TMP/fresh.db"*
	full_sync fresh "$PG_URL" "$TMP/fresh.db"
	full_sync warm "$PG_URL" "$WARM"
	S_SQ+=("$sq") S_FRESH+=("$fresh") S_WARM+=("$warm")
	R_FRESH+=("$(ratio "$fresh" "$sq")") R_WARM+=("$(ratio "$warm" "$sq")")
	echo "pg sync: round $round: full sync: sqlite $(secs "$sq") s," \
		"pg fresh $(secs "$fresh") s, pg warm $(secs "$warm") s"
done
rm -f "$TMP/fresh.db"*

# conc_start NS PIN DB: lib.sh's daemon_start in a namespace NS made here,
# maps under PIN, its snapshot (PostgreSQL) $TMP/NS.db, its log
# $TMP/NS.log; until its first sync is applied.
conc_start() {
	ip netns add "$1" || return 1
	CONC=$1 PIN=$2 DB=$3 LOG=$TMP/$1.log TUNGATE_SNAPSHOT=$TMP/$1.db daemon_start
	DAEMONS+=("$DPID")
}
started() {
	wait_for 1800 grep -q 'sync applied' "$TMP/$1.log"
}
step "conc A: tungate run against PostgreSQL" conc_start "$CONC" "$PIN" "$PG_URL"
step "conc B: tungate run against PostgreSQL" conc_start "$CONC2" "$PIN2" "$PG_URL"
step "conc S: tungate run on SQLite" conc_start "$CONC_SQ" "$PIN_SQ" "$SQ"
for ns in "$CONC" "$CONC2" "$CONC_SQ"; do
	step "$ns: its first sync" started "$ns"
done

I=$((N / 2))
NAME=$(printf 's%06d' "$I")
ADDR=$(subs_csv_addr "$I")
# in_state PIN disable|enable: NAME's prefix is out of / in the maps.
in_state() {
	if [ "$2" = disable ]; then
		! pfx4_in "$1" "$ADDR"
	else
		pfx4_in "$1" "$ADDR"
	fi
}
# change sq|pg disable|enable: the command, then until its concentrators'
# maps have the change (60 s at most); the times in ms into CLI, A, B
# (sq: A only).
change() {
	local who=$1 verb=$2 cmd=sq t0 t1 _
	A='' B=''
	[ "$who" = sq ] && B=-
	[ "$who" = pg ] && cmd=pgc
	t0=$(date +%s%N)
	$cmd sub "$verb" "$NAME" >/dev/null || { fail "$who: sub $verb $NAME"; return 1; }
	t1=$(date +%s%N)
	CLI=$(((t1 - t0) / 1000000))
	for _ in $(seq 6000); do
		if [ "$who" = sq ]; then
			[ -z "$A" ] && in_state "$PIN_SQ" "$verb" && A=$(ms_since "$t1")
		else
			[ -z "$A" ] && in_state "$PIN" "$verb" && A=$(ms_since "$t1")
			[ -z "$B" ] && in_state "$PIN2" "$verb" && B=$(ms_since "$t1")
		fi
		[ -n "$A" ] && [ -n "$B" ] && return 0
		sleep 0.01
	done
	fail "$who sub $verb $NAME: not in the maps after 60 s (${A:-no}, ${B:-no})"
	return 1
}
P_SQ=() P_PG=() P_A=() P_B=() C_SQ=() C_PG=() R_P=() R_C=()
for round in $(seq "$ROUNDS"); do
	for verb in disable enable; do
		change sq "$verb" || continue
		C_SQ+=("$CLI") P_SQ+=("$A")
		s=$A cs=$CLI
		change pg "$verb" || continue
		late=$A
		[ "$B" -gt "$late" ] && late=$B
		C_PG+=("$CLI") P_A+=("$A") P_B+=("$B") P_PG+=("$late")
		R_P+=("$(ratio "$late" "$s")") R_C+=("$(ratio "$CLI" "$cs")")
		echo "pg sync: round $round: sub $verb: sqlite $s ms; pg $late ms" \
			"(A $A ms, B $B ms; the command $CLI ms, x$(ratio "$CLI" "$cs") sqlite's $cs ms)"
	done
done
[ ${#P_PG[@]} -gt 0 ] || die "no propagation measured"

echo "pg sync: full sync of $N subscribers into empty maps, medians of $ROUNDS:"
printf '  %-36s %8s s\n' "sqlite" "$(secs "$(median "${S_SQ[@]}")")"
printf '  %-36s %8s s   x%s sqlite\n' "pg fresh (pull into a new snapshot)" \
	"$(secs "$(median "${S_FRESH[@]}")")" "$(median "${R_FRESH[@]}")"
printf '  %-36s %8s s   x%s sqlite\n' "pg warm (snapshot up to date)" \
	"$(secs "$(median "${S_WARM[@]}")")" "$(median "${R_WARM[@]}")"
p=$(median "${P_PG[@]}")
echo "pg sync: propagation of one change with $N subscribers, from the command's end, medians of ${#P_PG[@]}:"
printf '  %-36s %8s ms  (the command %s ms)\n' "sqlite, to its daemon" \
	"$(median "${P_SQ[@]}")" "$(median "${C_SQ[@]}")"
printf '  %-36s %8s ms  x%s sqlite (A %s ms, B %s ms; the command %s ms)\n' \
	"pg, to both concentrators" "$p" "$(median "${R_P[@]}")" \
	"$(median "${P_A[@]}")" "$(median "${P_B[@]}")" "$(median "${C_PG[@]}")"
c=$(median "${C_PG[@]}")
printf '  %-36s %8s ms  x%s sqlite (%s ms)\n' "the command on pg" "$c" \
	"$(median "${R_C[@]}")" "$(median "${C_SQ[@]}")"
verdict=MISS
[ "$p" -le 1000 ] && verdict=PASS
echo "pg sync: target: a change in both data planes within 1 s: $p ms $verdict"
verdict=MISS
[ "$c" -lt 500 ] && verdict=PASS
echo "pg sync: target: the command on pg under 0.5 s: $c ms $verdict"
[ "$failed" = 0 ] && ok "every full sync added all $N, every change reached the maps"
finish
