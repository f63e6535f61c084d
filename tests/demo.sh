#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The demo behind `make demo`: three network namespaces (subscribers,
# concentrator, core) joined by veth, BIRD in the concentrator and the core
# peering over BGP, a sample SQLite database made with the CLI (an
# internet-class subscriber on GRE, a community-class one on L2TPv2),
# tungate attached with native XDP and its daemon keeping the data plane
# and BIRD in step with the database; then traffic through both tunnels,
# the counters, and a change applied live. Everything is removed at the
# end, also on failure or Ctrl-C.
set -uo pipefail

TAG=tg-demo
. "$(dirname "$0")/e2e/lib.sh"
BYTES=524288
export TG_TCP_TIMEOUT=10

trap topo_cleanup EXIT
trap "exit 1" INT TERM
[ "$(id -u)" = 0 ] || { echo "demo: run as root (namespaces, XDP)" >&2; exit 1; }
require_root_tools
for tool in bird birdc; do
	command -v $tool >/dev/null || { echo "demo: $tool missing: ci/install-deps.sh installs bird2" >&2; exit 1; }
done

status=0
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() {
	echo "conc# tungate $*"
	tg "$@"
}
# try WHAT CMD...: one line, ok or FAILED (with the command's output).
try() {
	local what=$1 out
	shift
	if out=$("$@" 2>&1); then
		printf '  %-50s ok\n' "$what"
	else
		printf '  %-50s FAILED\n' "$what"
		sed 's/^/      /' <<<"$out" | tail -3
		status=1
	fi
}
# refused WHAT CMD...: must fail.
refused() {
	local what=$1
	shift
	if "$@" >/dev/null 2>&1; then
		printf '  %-50s FAILED (got through)\n' "$what"
		status=1
	else
		printf '  %-50s refused, as it should\n' "$what"
	fi
}
die_demo() {
	echo "demo: $*" >&2
	exit 1
}

say "Topology"
cat <<TXT
  subscribers              concentrator                 core
  ana 192.0.2.11 (GRE) --- 192.0.2.1     203.0.113.1 --- 203.0.113.2
  bob 192.0.2.12 (L2TPv2)  tungate XDP   BIRD AS$AS_CONC   BIRD AS$AS_CORE
                                                         198.51.100.2   (internet)
                                                         203.0.113.130  (community)
TXT
routed_setup 2 || die_demo "namespace setup failed"

say "A sample subscriber database"
run db init
run class add members --down-rate 20mbit --up-rate 5mbit --scope internet
run class add neighbours --down-rate 10mbit --up-rate 2mbit --scope community
run community add 203.0.113.128/25
run sub add ana --type gre --key 7 --class members \
	--remote 192.0.2.11 --local 192.0.2.1 --prefix 100.64.1.0/24
run sub add bob --type l2tpv2 --tunnel-id 10 --session 20 \
	--peer-tunnel-id 11 --peer-session 21 --peer-port 40002 \
	--class neighbours --remote 192.0.2.12 --local 192.0.2.1 \
	--prefix 100.64.2.0/24
run sub list

say "BGP: BIRD announces the subscribers' prefixes, tungate attaches"
run bird --output "$BIRD_INC"
echo "conc# bird   (bird.conf: include \"$BIRD_INC\"; BGP exports filter tungate_bgp4)"
bird_start conc || die_demo "BIRD did not start in conc"
bird_start core || die_demo "BIRD did not start in core"
run sync >/dev/null
run up --subscriber-if "$IF_CSUB" --uplink-if "$IF_CUP" || die_demo "up failed"
# The daemon keeps maps, routes and BIRD in step with the database; a
# build without it leaves that to sync and bird.
RUN_PID=
if tg run help >/dev/null 2>&1; then
	echo "conc# tungate run --bird-output $BIRD_INC --birdc-socket ... &"
	nsenter --net=/run/netns/"$CONC" "$TUNGATE" --db "$DB" --pin-root "$PIN" \
		run --bird-output "$BIRD_INC" --birdc-socket "$TMP/bird-conc.ctl" \
		2>"$TMP/run.log" &
	RUN_PID=$!
	BG_PIDS+=("$RUN_PID")
fi
wait_bgp || die_demo "BGP did not come up"
echo "conc# birdc show protocols"
birdc_in conc show protocols | awk '$2 == "BGP" || $2 == "Static"' | sed 's/^/  /'
echo "core# ip route show proto bird   (learnt from tungate's BIRD include)"
ip -n "$CORE" route show proto bird | sed 's/^/  /'
echo "conc# ip route show proto bird   (learnt from core: decapsulated traffic follows it)"
ip -n "$CONC" route show proto bird | sed 's/^/  /'

say "Traffic through the tunnels (userspace tunnel endpoints in subscribers)"
tcp_servers_start || die_demo "TCP servers did not start"
echo "ana: GRE, class members (20/5 Mbit/s, internet)"
if endpoint_start 1 gre 4 --key 7; then
	try "ping 100.64.1.2 -> $CORE4" ping_from sub 100.64.1.2 $CORE4
	try "TCP $BYTES bytes up" tcp_put sub 100.64.1.2 $CORE4 $BYTES
	try "TCP $BYTES bytes down" tcp_put core $CORE4 100.64.1.2 $BYTES
else
	echo "  endpoint did not start"
	status=1
fi
endpoint_stop
echo "bob: L2TPv2, class neighbours (10/2 Mbit/s, community only)"
if endpoint_start 2 l2tpv2 4 --tunnel-id 11 --session 21 --peer-tunnel-id 10 \
	--peer-session 20 --local-port 40002 --route 203.0.113.128/25; then
	try "ping 100.64.2.2 -> $COMM4 (community)" ping_from sub 100.64.2.2 $COMM4
	try "TCP $BYTES bytes up" tcp_put sub 100.64.2.2 $COMM4 $BYTES
	try "TCP $BYTES bytes down" tcp_put core $COMM4 100.64.2.2 $BYTES
	refused "ping 100.64.2.2 -> $CORE4 (internet)" ping_from sub 100.64.2.2 $CORE4 2
else
	echo "  endpoint did not start"
	status=1
fi
endpoint_stop

say "Counters"
run stats --interval 0
say "State"
run status

say "A change while the daemon runs"
run sub disable bob
if [ -z "$RUN_PID" ]; then
	run sync
	run bird --output "$BIRD_INC" --birdc-socket "$TMP/bird-conc.ctl"
fi
withdrawn() {
	local _
	for _ in $(seq 50); do
		ip -n "$CORE" route show proto bird | grep -q '^100.64.2.0/24' || return 0
		sleep 0.1
	done
	return 1
}
try "core: bob's 100.64.2.0/24 withdrawn over BGP" withdrawn
if [ -n "$RUN_PID" ]; then
	echo "daemon log:"
	sed 's/^/  /' "$TMP/run.log"
fi

say "Detach"
[ -n "$RUN_PID" ] && kill "$RUN_PID" && wait "$RUN_PID"
run down

if [ "$status" = 0 ]; then
	say "Demo done: both tunnels carried traffic, the community subscriber stayed in its community"
else
	say "Demo FAILED: see the lines marked FAILED"
fi
exit $status
