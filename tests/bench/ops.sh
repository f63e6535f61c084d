#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Ops figures at scale: with N subscribers (default 100,000) time the import
# of an N-row CSV, a full sync into empty maps, a re-sync after one change
# and 'sub list -j', each beside the same operation on an empty database
# measured in the same run (and its ratio), against the targets. Uses a
# private database and pin root, removed on exit. Needs root and bpffs.
set -uo pipefail
cd "$(dirname "$0")/../.."

TG=${TUNGATE:-build/tungate}
N=${OPS_BENCH_SUBS:-100000}

if [ "$(id -u)" != 0 ] || ! mountpoint -q /sys/fs/bpf; then
	echo "SKIP: ops bench needs root and bpffs at /sys/fs/bpf"
	[ "${CI:-}" = true ] && exit 1
	exit 0
fi

TMP=$(mktemp -d /tmp/tg-ops-bench.XXXXXX)
PIN=/sys/fs/bpf/tg-ops-bench-$$
NS=tg-ops-bench-$$
RUN_PID=
cleanup() {
	[ -n "$RUN_PID" ] && kill "$RUN_PID" 2>/dev/null && wait "$RUN_PID"
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TMP"
	[ -d "$PIN" ] && rm -rf "$PIN"
}
trap cleanup EXIT

DB=$TMP/bench.db
EMPTY=$TMP/empty.db
# shellcheck source=tests/bench/lib.sh
. tests/bench/lib.sh

tg() { "$TG" --db "$DB" --pin-root "$PIN" "$@"; }
te() { "$TG" --db "$EMPTY" --pin-root "$PIN" "$@"; }

subs_csv "$N" "$TMP/subs.csv"
echo "$SUBS_CSV_HEADER" >"$TMP/header.csv"
"$TG" --db "$DB" db init >/dev/null || exit 1
"$TG" --db "$EMPTY" db init >/dev/null || exit 1
# Create the (empty) maps first: every sync below finds them.
te sync >/dev/null || exit 1

timed e_import te import "$TMP/header.csv"
timed e_list te -j sub list
timed e_sync te sync
timed e_resync te -j sync
timed f_import tg import "$TMP/subs.csv"
timed f_list tg -j sub list
timed f_sync tg sync
# The sync was complete: a second one finds nothing to do.
tg -j sync >"$TMP/again.json" || exit 1
grep -q "\"unchanged\":$N," "$TMP/again.json" || {
	echo "FAIL: second sync: $(head -c 200 "$TMP/again.json")"
	exit 1
}
tg sub set s000050 --mtu 1300 >/dev/null || exit 1
timed f_resync tg -j sync
grep -q '"changed":1,"removed":0,"unchanged":'$((N - 1))',.*"changed":\["s000050"\]' "$TMP/last.out" || {
	echo "FAIL: re-sync: $(head -c 300 "$TMP/last.out")"
	exit 1
}

# Observability at N subscribers: stats -j (rates over its default
# interval), stats --prometheus and a /metrics scrape of the daemon (gzip,
# as Prometheus asks for it, and plain), each beside 'sub list -j' of the
# same database; peak memory of stats --prometheus (beside sub list -j) and
# of the daemon after its scrapes (beside the daemon before them).
# rss_kb VAR CMD...: peak RSS in KiB of CMD into VAR.
rss_kb() {
	local var=$1
	shift
	/usr/bin/time -f %M -o "$TMP/rss" "$@" >/dev/null 2>"$TMP/err" || {
		echo "FAIL: $*: $(head -5 "$TMP/err")"
		exit 1
	}
	printf -v "$var" '%s' "$(tail -1 "$TMP/rss")"
}
hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }
timed f_stats tg -j stats
subs=$(grep -o '"dp_id"' "$TMP/last.out" | wc -l)
[ "$subs" = "$N" ] || { echo "FAIL: stats -j listed $subs subscribers"; exit 1; }
timed f_prom tg stats --prometheus
subs=$(grep -c '^tungate_subscriber_bytes_total{' "$TMP/last.out")
[ "$subs" = $((2 * N)) ] || { echo "FAIL: stats --prometheus: $subs byte series"; exit 1; }
rss_kb prom_rss "$TG" --db "$DB" --pin-root "$PIN" stats --prometheus
rss_kb list_rss "$TG" --db "$DB" -j sub list
have_run=false
if "$TG" run help >/dev/null 2>&1; then
	have_run=true
	ip netns add "$NS" && ip -n "$NS" link set lo up || exit 1
	nsenter --net=/run/netns/"$NS" "$TG" --db "$DB" --pin-root "$PIN" \
		run --metrics 127.0.0.1:9180 2>"$TMP/run.log" &
	RUN_PID=$!
	scrape() {
		nsenter --net=/run/netns/"$NS" curl -sf --max-time 30 "$@" \
			-o "$TMP/scrape" http://127.0.0.1:9180/metrics
	}
	# Up when its first sync is done and it answers (404) on another
	# path: no scrape before the figures.
	for _ in $(seq 300); do
		grep -q "sync applied" "$TMP/run.log" &&
		[ "$(nsenter --net=/run/netns/"$NS" curl -s -o /dev/null \
			-w '%{http_code}' http://127.0.0.1:9180/)" = 404 ] && break
		sleep 0.1
	done
	# Before: the daemon after its first sync.
	run_rss0=$(hwm_kb $RUN_PID)
	# CPU time (utime + stime, clock ticks) of the daemon: load-independent.
	cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$RUN_PID/stat"; }
	cpu0=$(cpu_ticks)
	f_scrape=0
	for _ in 1 2 3; do
		timed one scrape --compressed
		[ "$one" -gt "$f_scrape" ] && f_scrape=$one
	done
	scrape_cpu_ms=$((($(cpu_ticks) - cpu0) * 1000 / $(getconf CLK_TCK) / 3))
	timed f_scrape_plain scrape
	subs=$(grep -c '^tungate_subscriber_bytes_total{' "$TMP/scrape")
	[ "$subs" = $((2 * N)) ] || { echo "FAIL: /metrics: $subs byte series"; exit 1; }
	run_rss=$(hwm_kb $RUN_PID)
	run_mem=$(awk '/^Rss(Anon|File|Shmem):/ { printf "%s %.1f MB  ", $1, $2 / 1024 }' \
		"/proc/$RUN_PID/status")
	kill "$RUN_PID"
	wait "$RUN_PID"
	RUN_PID=
fi

miss=0
row() {
	local what=$1 full=$2 empty=$3 target_ms=$4 verdict
	if [ $((full / 1000000)) -le "$target_ms" ]; then
		verdict=PASS
	else
		verdict=MISS
		miss=$((miss + 1))
	fi
	awk -v w="$what" -v f="$full" -v e="$empty" -v tg="$target_ms" -v v="$verdict" 'BEGIN {
		printf "  %-32s %9.3f s   empty %7.3f s   x%-8.1f target <= %6.3f s  %s\n",
		       w, f / 1e9, e / 1e9, (e > 0 ? f / e : 0), tg / 1000, v
	}'
}

echo "ops bench: $N subscribers ($(grep -c ' 2001:' "$TMP/subs.csv") with an IPv6 prefix too)"
row "import $N-row CSV" "$f_import" "$e_import" 5000
row "full sync into empty maps" "$f_sync" "$e_sync" 2000
row "re-sync after one change" "$f_resync" "$e_resync" 50
row "sub list -j" "$f_list" "$e_list" 1000
echo "ops bench: $((4 - miss)) of 4 targets met"

fails=0
# vs WHAT VALUE BASE-NAME BASE TARGET UNIT: VALUE and its ratio to BASE
# against TARGET (times in ns shown in s, memory in KiB shown in MB).
vs() {
	local what=$1 v=$2 bname=$3 b=$4 target=$5 unit=$6 verdict=PASS
	if [ "$unit" = s ]; then
		[ "$v" -le $((target * 1000000)) ] || verdict=FAIL
		awk -v w="$what" -v v="$v" -v bn="$bname" -v b="$b" -v tg="$target" -v vd="$verdict" 'BEGIN {
			printf "  %-32s %9.3f s   %s %7.3f s   x%-6.1f target <= %6.3f s  %s\n",
			       w, v / 1e9, bn, b / 1e9, (b > 0 ? v / b : 0), tg / 1000, vd
		}'
	else
		[ "$v" -le $((target * 1024)) ] || verdict=FAIL
		awk -v w="$what" -v v="$v" -v bn="$bname" -v b="$b" -v tg="$target" -v vd="$verdict" 'BEGIN {
			printf "  %-32s %9.1f MB  %s %7.1f MB  x%-6.1f target <= %6d MB %s\n",
			       w, v / 1024, bn, b / 1024, (b > 0 ? v / b : 0), tg, vd
		}'
	fi
	[ $verdict = PASS ] || fails=$((fails + 1))
}
echo "observability: $N subscribers, beside 'sub list -j' ($(awk -v v="$f_list" 'BEGIN { printf "%.3f", v / 1e9 }') s, $((list_rss / 1024)) MB)"
vs "stats -j (rates over 250 ms)" "$f_stats" "sub list -j" "$f_list" 1000 s
vs "stats --prometheus" "$f_prom" "sub list -j" "$f_list" 1000 s
vs "stats --prometheus peak RSS" "$prom_rss" "sub list -j" "$list_rss" 64 MB
if $have_run; then
	vs "/metrics scrape, gzip (worst of 3)" "$f_scrape" "sub list -j" "$f_list" 1000 s
	echo "  (daemon CPU time per gzip scrape: $scrape_cpu_ms ms, the first one counting the maps)"
	vs "/metrics scrape, plain" "$f_scrape_plain" "sub list -j" "$f_list" 1000 s
	vs "daemon peak RSS after scrapes" "$run_rss" "before them" "$run_rss0" 64 MB
	echo "  (daemon now: $run_mem)"
	echo "observability: $((6 - fails)) of 6 targets met"
else
	echo "observability: $((3 - fails)) of 3 targets met (no 'tungate run': no scrape figures)"
fi
exit 0
