#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# tg-lac against a real LNS (Debian's l2tpns with FreeRADIUS, see
# l2tpns.sh): CHAP and PAP sessions with the RADIUS address, tunnel
# authentication both ways, a ping through the tun, a wrong password
# refused, the control faults survived, and 200 sessions in bulk.
# Needs root. Outside CI it says SKIP and succeeds; with CI=true a skip fails.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LAC=$ROOT/build/tg-lac
# shellcheck disable=SC2034 # read by result.sh
SUITE=lac-l2tpns
. "$ROOT/tests/e2e/result.sh"

[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
for tool in ip l2tpns freeradius ping ss python3; do
	command -v "$tool" >/dev/null || skip "$tool not installed"
done
[ -x "$LAC" ] || skip "build first: make build/tg-lac"

. "$ROOT/tests/e2e/lock.sh"
e2e_lock

. "$ROOT/tests/lac/l2tpns.sh"
l2tpns_setup || die "setup: namespaces"
TMP=$L2TPNS_DIR
LAC_PID=
trap 'kill "$LAC_PID" 2>/dev/null; l2tpns_cleanup' EXIT

BULK=200
l2tpns_user alice@exo.cat secret 100.64.1.2
l2tpns_user bob@exo.cat other 100.64.1.3
l2tpns_users 'm%d@exo.cat' "$BULK" secret
l2tpns_start tunnel-secret || {
	tail -5 "$TMP"/l2tpns.out "$TMP"/l2tpns.log "$TMP"/radius.log
	die "setup: l2tpns and FreeRADIUS"
}

lac() {
	ip netns exec "$LAC_NS" "$LAC" --lns "$LNS_ADDR" --timeout 10 "$@"
}

# jq-less JSON checks: has EVENT KEY VALUE on a line of FILE.
has() {
	python3 - "$@" <<-'EOF'
	import json, sys
	path, event = sys.argv[1], sys.argv[2]
	want = dict(zip(sys.argv[3::2], sys.argv[4::2]))
	for line in open(path):
	    e = json.loads(line)
	    if e.get("event") != event:
	        continue
	    if all(str(e.get(k)).lower() == v.lower() for k, v in want.items()):
	        sys.exit(0)
	sys.exit(1)
	EOF
}

# run NAME ARGS...: tg-lac to $TMP/NAME.json, its status in $TMP/NAME.rc
run() {
	local name=$1
	shift
	lac "$@" >"$TMP/$name.json" 2>"$TMP/$name.err"
	echo $? >"$TMP/$name.rc"
}
rc() { [ "$(cat "$TMP/$1.rc")" = "$2" ]; }

run chap --auth chap --hold 0.5
check "CHAP: session up with the RADIUS address" \
	has "$TMP/chap.json" session-up auth chap ipv4 100.64.1.2 \
	peer_ipv4 100.64.0.1
check "CHAP: both tunnel and session ids" python3 -c '
import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e["event"] == "session-up":
        assert min(e["local_tid"], e["peer_tid"], e["local_sid"],
                   e["peer_sid"]) > 0, e
        assert e["dns"] == ["198.51.100.53", "198.51.100.54"], e
        sys.exit(0)
sys.exit(1)' "$TMP/chap.json"
check "CHAP: teardown after --hold, exit 0" rc chap 0
check "CHAP: session down by our CDN" \
	has "$TMP/chap.json" session-down reason teardown was_up true

run pap --auth pap --hold 0.2
check "PAP: session up with the RADIUS address" \
	has "$TMP/pap.json" session-up auth pap ipv4 100.64.1.2
check "PAP: exit 0" rc pap 0

run secret --secret tunnel-secret --hold 0.2
check "tunnel authentication: up with the right secret" \
	has "$TMP/secret.json" session-up ipv4 100.64.1.2
run badsecret --secret wrong --hold 0.2
check "tunnel authentication: a wrong secret is refused" \
	has "$TMP/badsecret.json" tunnel-down reason "bad challenge response"
check "tunnel authentication: exit 1" rc badsecret 1

run wrongpw --user bob@exo.cat --password nope --hold 0.2 --timeout 5
check "wrong password: no session" \
	bash -c "! grep -q session-up '$TMP/wrongpw.json'"
check "wrong password: exit 1" rc wrongpw 1

# Data: ping the LNS's address through the session.
ip netns exec "$LAC_NS" "$LAC" --lns "$LNS_ADDR" --tun lac0 \
	>"$TMP/tun.json" 2>"$TMP/tun.err" &
LAC_PID=$!
for ((i = 0; i < 50; i++)); do
	grep -qs session-up "$TMP/tun.json" && break
	sleep 0.1
done
check "tun: session up" has "$TMP/tun.json" session-up ipv4 100.64.1.2
check "tun: the address on lac0" \
	ip netns exec "$LAC_NS" ip -4 addr show dev lac0 to 100.64.1.2
check "tun: ping 100.64.0.1 through the session" \
	ip netns exec "$LAC_NS" ping -c 3 -i 0.2 -W 2 100.64.0.1
kill -TERM "$LAC_PID"
wait "$LAC_PID"
check "tun: SIGTERM tears down with exit 0" test $? = 0
LAC_PID=
check "tun: packets both ways in the stats" python3 -c '
import json, sys
s = [json.loads(l) for l in open(sys.argv[1])][-1]
assert s["event"] == "stats" and s["tx_pkts"] >= 3 and s["rx_pkts"] >= 3, s
' "$TMP/tun.json"

# Faults the LNS must ride out.
run dropsent --drop-sent 2 --hold 0.2
check "fault: the SCCCN lost, retransmitted" \
	has "$TMP/dropsent.json" session-up ipv4 100.64.1.2
run droprecv --drop-recv 2 --hold 0.2
check "fault: the ICRP lost, the LNS retransmits" \
	has "$TMP/droprecv.json" session-up ipv4 100.64.1.2
run dup --dup --hold 0.2
check "fault: every control message twice" \
	has "$TMP/dup.json" session-up ipv4 100.64.1.2
run reorder --reorder 3 --hold 0.2
check "fault: ICRQ and its successor swapped" \
	has "$TMP/reorder.json" session-up ipv4 100.64.1.2
run garbage --garbage 40 --hold 0.5
check "fault: 40 malformed messages, the session still up" \
	has "$TMP/garbage.json" session-up ipv4 100.64.1.2
check "fault: ... and torn down cleanly" rc garbage 0
run cdn --cdn-after 0.3
check "fault: CDN after 0.3 s" \
	has "$TMP/cdn.json" session-down reason cdn-sent was_up true
check "fault: ... exit 0" rc cdn 0
run stopccn --stopccn-after 0.3
check "fault: StopCCN after 0.3 s" \
	has "$TMP/stopccn.json" tunnel-down reason stopccn-sent

# The same user again while up: l2tpns ends the first with a CDN.
run redial --redial --hold 0.3
check "redial: a second session with the same user" python3 -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
up = [e for e in ev if e["event"] == "session-up"]
down = [e for e in ev if e["event"] == "session-down"]
assert len(up) == 2 and up[0]["local_sid"] != up[1]["local_sid"], up
assert down[0]["local_sid"] == up[0]["local_sid"], down
assert down[0]["reason"].startswith("cdn result"), down
' "$TMP/redial.json"
check "redial: exit 0" rc redial 0

run bulk --sessions "$BULK" --tunnels 4 --user 'm%d@exo.cat' --hold 0.5 \
	--timeout 30
check "bulk: $BULK sessions up, none failed" \
	has "$TMP/bulk.json" bulk up "$BULK" failed 0
check "bulk: exit 0" rc bulk 0
grep -h '"bulk"' "$TMP/bulk.json" | sed 's/^/       /'

# An unknown mandatory AVP: the LNS must end the tunnel (RFC 2661 4.1).
run badavp --bad-avp-after 0.2 --hold 5
check "unknown mandatory AVP: the LNS's StopCCN ends the tunnel" \
	has "$TMP/badavp.json" tunnel-down
check "unknown mandatory AVP: ... and the session, before --hold" python3 -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
d = [e for e in ev if e["event"] == "session-down"][0]
assert d["reason"].startswith("stopccn result") and d["t"] < 4, d
' "$TMP/badavp.json"

finish
