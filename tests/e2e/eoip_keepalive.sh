#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# EoIP keepalives of the daemon (`tungate run`) in the sub -- conc -- core
# topology of lib.sh, captured on sub's end of the veth:
#  - a subscriber with --keepalive 1 gets one about every second, each the
#    exact 28 bytes of a RouterOS keepalive (ID 0 as the kernel leaves it,
#    DF, the 'ttl' setting, tunnel id little endian), built here with
#    scapy to compare;
#  - one with --keepalive 0 gets none;
#  - once disabled (and synced), the first gets none either;
#  - /metrics counts them (tungate_keepalives_sent_total).
# Run it under `flock /tmp/tg-e2e.lock`.
#
# Needs root. Outside CI it says SKIP and succeeds; with CI=true a skip fails.
set -uo pipefail

TAG=tg-eka
. "$(dirname "$0")/lib.sh"

require_root_tools
command -v tcpdump >/dev/null || skip "tcpdump not installed"
LOG=$TMP/run.log
DPID=
CPID=
METRICS=127.0.0.1:9187
cleanup() {
	[ -n "$CPID" ] && kill "$CPID" 2>/dev/null && wait "$CPID" 2>/dev/null
	[ -n "$DPID" ] && kill -TERM "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	topo_cleanup
}
trap cleanup EXIT
trap "exit 1" INT TERM

# capture SECONDS FILE: GRE packets arriving at sub for SECONDS.
capture() {
	ip netns exec "$SUB" tcpdump -i "$IF_SUB" -U --immediate-mode -n \
		-w "$2" 'ip proto 47' 2>"$TMP/tcpdump.err" &
	CPID=$!
	for _ in $(seq 50); do
		grep -q 'listening on' "$TMP/tcpdump.err" && break
		sleep 0.1
	done
	sleep "$1"
	kill "$CPID"
	wait "$CPID" 2>/dev/null
	CPID=
}
# keepalives FILE DST: "count min-gap max-gap bad" of the packets to DST,
# bad counting those that differ from the expected bytes (tunnel id 300,
# from 192.0.2.1, TTL 50).
keepalives() {
	$PY - "$1" "$2" <<'PY'
import sys
from scapy.all import IP, Raw, rdpcap
pkts = [p for p in rdpcap(sys.argv[1]) if IP in p and p[IP].dst == sys.argv[2]]
want = bytes(IP(src="192.0.2.1", dst=sys.argv[2], ttl=50, id=0, flags="DF",
               proto=47) / Raw(bytes([0x20, 0x01, 0x64, 0x00, 0x00, 0x00,
                                     300 & 0xff, 300 >> 8])))
bad = sum(bytes(p[IP]) != want for p in pkts)
for p in pkts:
    if bytes(p[IP]) != want:
        print("got  " + bytes(p[IP]).hex(), "\nwant " + want.hex(), file=sys.stderr)
        break
gaps = [float(b.time - a.time) for a, b in zip(pkts, pkts[1:])]
print(len(pkts), min(gaps, default=0), max(gaps, default=0), bad)
PY
}

step "namespaces" topo_links
step "addresses" sub_link 2
step "uplink" core_v4
step "database" tg db init
step "ttl setting" tg config set ttl 50
step "sub ka1" tg sub add ka1 --type eoip --remote 192.0.2.11 --local 192.0.2.1 \
	--tunnel-id 300 --keepalive 1 --prefix 100.64.1.0/24
step "sub ka0" tg sub add ka0 --type eoip --remote 192.0.2.12 --local 192.0.2.1 \
	--tunnel-id 301 --keepalive 0 --prefix 100.64.2.0/24
step "up" tg up --subscriber-if "$IF_CSUB" --uplink-if "$IF_CUP"
nsenter --net=/run/netns/"$CONC" "$TUNGATE" --db "$DB" --pin-root "$PIN" \
	run --interval 250 --metrics "$METRICS" 2>>"$LOG" &
DPID=$!
check "daemon applied the database" wait_log 'sync applied'
check "log: one eoip subscriber to keep alive" \
	wait_log 'eoip keepalives: 1 subscriber$'

capture 3.5 "$TMP/on.pcap"
read -r n gmin gmax bad < <(keepalives "$TMP/on.pcap" 192.0.2.11 2>"$TMP/cmp.err")
check "ka1: 3 or 4 keepalives in 3.5 s (got $n)" test "$n" -ge 3 -a "$n" -le 4
check "ka1: about 1 s apart ($gmin..$gmax s)" \
	$PY -c "import sys; sys.exit(not 0.8 <= $gmin <= $gmax <= 1.2)"
check "ka1: every one the exact bytes ($bad differ)" \
	sh -c "[ '$bad' = 0 ] || { cat '$TMP/cmp.err'; false; }"
read -r n _ _ _ < <(keepalives "$TMP/on.pcap" 192.0.2.12)
check "ka0 (--keepalive 0): none (got $n)" test "$n" = 0
check "metrics: tungate_keepalives_sent_total counts them" \
	nsenter --net=/run/netns/"$CONC" $PY -c "
import re, sys, urllib.request
t = urllib.request.urlopen('http://$METRICS/metrics').read().decode()
m = re.search(r'^tungate_keepalives_sent_total (\d+)$', t, re.M)
sys.exit(not m or int(m[1]) < 3)"

step "disable ka1" tg sub disable ka1
check "daemon applied the change" wait_log 'sync applied.* 1 removed'
check "log: no eoip subscriber left" wait_log 'eoip keepalives: 0 subscribers$'
capture 2.5 "$TMP/off.pcap"
read -r n _ _ _ < <(keepalives "$TMP/off.pcap" 192.0.2.11)
check "ka1 disabled: none after the sync (got $n)" test "$n" = 0
check "log: no fault, no send error" \
	sh -c "! grep -E 'fault|not sent|none sent' '$LOG'"
finish
