#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# RADIUS accounting against a real FreeRADIUS writing radacct with rlm_sql
# on SQLite, in a network namespace of its own: Start, Interim-Update and
# Stop of three sessions (one past 4 GiB: gigawords) give rows with those
# exact octets; then, FreeRADIUS stopped, two more sessions' records wait
# in the queue and arrive once each when it is back.
set -uo pipefail
cd "$(dirname "$0")/../.."

NS=tg-racct-$$
DIR=$(mktemp -d /tmp/tg-radius-acct.XXXXXX)
DRIVE=build/radius-acct-drive
# shellcheck source=tests/e2e/freeradius.sh
. tests/e2e/freeradius.sh

skip() {
	echo "SKIP radius-acct: $*"
	[ "${CI:-}" = true ] && exit 1
	exit 0
}

cleanup() {
	fr_stop
	ip netns del "$NS" 2>/dev/null
	rm -rf "$DIR"
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || skip "needs root (network namespace)"
fr_available || skip "freeradius, sqlite3 or its SQLite schema not installed"
[ -x "$DRIVE" ] || make --no-print-directory "$DRIVE" >/dev/null || exit 1

fail() {
	echo "FAIL radius-acct: $*"
	[ -f "$DIR/radius.log" ] && tail -20 "$DIR/radius.log"
	exit 1
}

drive() {
	ip netns exec "$NS" "$DRIVE" "$DIR/tg.db" 127.0.0.1 testing123
}

q() {
	fr_sql "$1"
}

ip netns add "$NS" || fail "ip netns add"
ip -n "$NS" link set lo up
fr_config "$DIR" testing123 || fail "FreeRADIUS configuration"
fr_start "$NS" || fail "FreeRADIUS did not start"

BIG=$((5 * 4294967296 + 12345))
out=$(drive <<-EOF
	start A1 alice 100.64.0.1
	start B2 bob 100.64.0.2
	start C3 carol 100.64.0.3
	counters A1 1000 2000
	counters B2 $BIG 7
	counters C3 0 0
	advance 120
	counters A1 1500 2500
	counters B2 $((BIG + 1)) 8
	stop A1
	stop B2
	stop C3
	flush 20
	EOF
)
[ $? = 0 ] || fail "driver (server up): $out"
[ "$out" = "queued 0" ] || fail "records left: $out"
rows=$(q "SELECT username, acctinputoctets, acctoutputoctets, acctterminatecause FROM radacct ORDER BY username")
want="alice|1500|2500|User-Request
bob|$((BIG + 1))|8|User-Request
carol|0|0|User-Request"
[ "$rows" = "$want" ] || fail "radacct rows: got
$rows
expected
$want"
echo "ok: Start/Interim/Stop of 3 sessions; bob's $((BIG + 1)) octets (gigawords) exact"

fr_stop
out=$(drive <<-EOF
	start D4 dave 100.64.0.4
	counters D4 4294967296 4294967297
	stop D4
	start E5 erin 100.64.0.5
	counters E5 11 22
	stop E5
	flush 2
	EOF
)
[ "$out" = "queued 4" ] || fail "with FreeRADIUS down, expected 4 records queued: $out"
n=$(sqlite3 "$DIR/tg.db" "SELECT count(*) FROM radius_acct_queue")
[ "$n" = 4 ] || fail "radius_acct_queue holds $n rows, expected 4"
echo "ok: FreeRADIUS down: 4 records kept in radius_acct_queue"

fr_start "$NS" || fail "FreeRADIUS did not start again"
out=$(echo "flush 30" | drive) || fail "driver (server back): $out"
[ "$out" = "queued 0" ] || fail "records left after restart: $out"
rows=$(q "SELECT username, count(*), acctinputoctets, acctoutputoctets FROM radacct WHERE username IN ('dave', 'erin') GROUP BY username ORDER BY username")
want="dave|1|4294967296|4294967297
erin|1|11|22"
[ "$rows" = "$want" ] || fail "radacct after the restart: got
$rows
expected
$want"
[ "$(q 'SELECT count(*) FROM radacct')" = 5 ] || fail "radacct rows: $(q 'SELECT count(*) FROM radacct'), expected 5"
[ "$(q "SELECT count(*) FROM radacct WHERE acctstoptime IS NULL")" = 0 ] || fail "sessions left open"
echo "ok: queued records arrived once each after FreeRADIUS came back"
echo "PASS radius-acct"
