#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# A real Prometheus server scraping the daemon's /metrics: the topology of
# lib.sh, tungate up on the veths, `tungate run --metrics` and Prometheus
# (scrape interval 1 s) both in conc on loopback. Tunnel frames sent from
# sub must grow the subscriber's byte counter, read back through
# Prometheus' HTTP API, by exactly their inner bytes. Bad requests (wrong
# path and method, 1 MB request lines, headers and bodies, garbage) get
# error answers, and a client that sends nothing or stops half-way is
# closed once idle 5 s, while normal scrapes go on and the daemon applies
# a new subscriber within 1 s.
#
# Needs root. Outside CI it says SKIP and succeeds; with CI=true a skip fails.
set -uo pipefail

TAG=tg-prom
. "$(dirname "$0")/lib.sh"
N=60
MPORT=$((20000 + $$ % 20000))	# tungate's /metrics
PPORT=$((MPORT + 1))		# Prometheus

require_root_tools
for tool in prometheus promtool curl; do
	command -v $tool >/dev/null || skip "$tool missing (Debian packages prometheus, curl)"
done
trap topo_cleanup EXIT
trap "exit 1" INT TERM

topo_setup || die "namespace setup"
tg db init >/dev/null || die "db init"
tg class add silver --down-rate 20mbit --up-rate 5mbit >/dev/null ||
	die "class add silver"
add_alice --class silver
step "sync" tg sync
step "up (native XDP)" tg up --subscriber-if "$IF_CSUB" --uplink-if "$IF_CUP"

# nsenter execs the program: $! is its pid.
nsenter --net=/run/netns/"$CONC" "$TUNGATE" --db "$DB" --pin-root "$PIN" run --interval 100 \
	--metrics 127.0.0.1:$MPORT 2>"$TMP/run.log" &
RUN_PID=$!
BG_PIDS+=("$RUN_PID")
metrics() { in_conc curl -sf --max-time 5 "http://127.0.0.1:$MPORT/metrics"; }
for _ in $(seq 50); do
	metrics >/dev/null && break
	sleep 0.1
done
check "daemon serves /metrics on 127.0.0.1:$MPORT" metrics
metrics >"$TMP/metrics.txt"
check "promtool check metrics on the daemon's text" \
	sh -c "promtool check metrics <'$TMP/metrics.txt'"

cat >"$TMP/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: tungate
    static_configs:
      - targets: ['127.0.0.1:$MPORT']
EOF
nsenter --net=/run/netns/"$CONC" prometheus --config.file="$TMP/prometheus.yml" \
	--storage.tsdb.path="$TMP/tsdb" --web.listen-address=127.0.0.1:$PPORT \
	>"$TMP/prometheus.log" 2>&1 &
BG_PIDS+=($!)

# query PROMQL: the value of its first series, or "none".
query() {
	in_conc curl -s --max-time 5 "http://127.0.0.1:$PPORT/api/v1/query" \
		--data-urlencode "query=$1" | $PY -c 'import json, sys
try:
    r = json.load(sys.stdin)["data"]["result"]
    print(r[0]["value"][1] if r else "none")
except Exception:
    print("none")'
}
# wait_for PROMQL VALUE SECONDS: until the query gives VALUE.
wait_for() {
	local end=$((SECONDS + $3))
	while [ $SECONDS -le $end ]; do
		[ "$(query "$1")" = "$2" ] && return 0
		sleep 0.25
	done
	return 1
}
BYTES='tungate_subscriber_bytes_total{subscriber="alice",class="silver",direction="up"}'
check "Prometheus scrapes the daemon (up == 1)" wait_for 'up{job="tungate"}' 1 30
check "Prometheus has alice's up bytes (0)" wait_for "$BYTES" 0 10

# The inner IP bytes of send_tunnels.py's ipip frames: IP + UDP + "ipip <i>".
want=$($PY -c "print(sum(28 + len('ipip %d' % i) for i in range($N)))")
sink_start || die "UDP receiver did not start"
send ipip $N || fail "sending ipip frames"
sink_stop
check "through Prometheus: alice's up bytes grew by exactly $want" \
	wait_for "$BYTES" "$want" 10
got=$(query "$BYTES")
[ "$got" = "$want" ] || echo "       last value: $got"
check "through Prometheus: alice's up packets $N" \
	wait_for 'tungate_subscriber_packets_total{subscriber="alice",direction="up"}' $N 5

# Bad requests, with a client that sends nothing and one that trickles
# bytes holding connections open meanwhile.
probe() { in_conc $PY "$E2E/http_probe.py" 127.0.0.1 $MPORT "$1"; }
probe idle >"$TMP/idle" &
IDLE_PID=$!
probe trickle >"$TMP/trickle" &
TRICKLE_PID=$!
BG_PIDS+=("$IDLE_PID" "$TRICKLE_PID")
sleep 0.5
# expect KIND STATUS
expect() {
	local got
	got=$(probe "$1" | cut -d' ' -f1)
	check "$1 request: $2 (got $got)" test "$got" = "$2"
}
expect path 404
expect method 405
expect version 505
expect garbage 400
expect huge 414
expect hugeheader 431
expect hugebody 405
v=$(probe get)
check "a normal scrape while two clients stall: 200 (got $v)" \
	test "${v%% *}" = 200
# The daemon's sync goes on: a new subscriber is in the maps within 1 s.
tunnels() { metrics | awk '$1 == "tungate_map_entries{map=\"tg_tunnels\"}" { print $2 }'; }
tg sub add bob --type gre --key 7 --remote 192.0.2.11 --local 192.0.2.1 \
	--prefix 100.64.2.0/24 >/dev/null || fail "sub add bob"
start=$(date +%s%N)
while [ "$(tunnels)" != 2 ] && [ $(($(date +%s%N) - start)) -lt 1000000000 ]; do
	sleep 0.05
done
ms=$((($(date +%s%N) - start) / 1000000))
check "sub add applied by the daemon while clients stall (${ms} ms <= 1000)" \
	test "$(tunnels)" = 2 -a $ms -le 1000
wait $IDLE_PID $TRICKLE_PID
check "a client sending nothing is closed after 5 s (got $(cat "$TMP/idle"))" \
	grep -q '^closed [5-6]\.' "$TMP/idle"
# It sends for 15 s, then stops a few bytes short of a whole request.
check "a client trickling bytes is closed 5 s after its last (got $(cat "$TMP/trickle"))" \
	grep -qE '^closed (19|20|21)\.' "$TMP/trickle"
check "Prometheus still scrapes (up == 1, bob's series there)" \
	wait_for 'tungate_subscriber_bytes_total{subscriber="bob",direction="up"}' 0 10
check "Prometheus still scrapes: up == 1" wait_for 'up{job="tungate"}' 1 5
check "the daemon is still running" kill -0 $RUN_PID
v=$(metrics | awk '$1 == "tungate_last_sync_success" { print $2 }')
check "tungate_last_sync_success 1 (got $v)" test "$v" = 1

kill -TERM $RUN_PID
wait $RUN_PID
rc=$?
check "daemon exits 0 on SIGTERM (got $rc)" test $rc = 0
[ $rc = 0 ] || tail -5 "$TMP/run.log"
finish
