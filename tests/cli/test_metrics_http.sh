#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The /metrics server of `stats --listen` on loopback, for the sanitized
# build (tests/sanitize.sh): every kind of bad request of http_probe.py,
# gzip, plain, HEAD, a second server on the same port (refused, with the
# cause), 300 idle connections, then SIGTERM with them open.
# Each request must be answered as expected and the process exit 0 with
# no sanitizer report. Needs root and bpffs (maps under a private pin
# root, nothing attached): outside CI it says SKIP, under CI=true that fails.
set -uo pipefail
cd "$(dirname "$0")/../.."

TG=${TUNGATE:-build/tungate}
PY=/usr/bin/python3
E2E=tests/e2e
PORT=$((20000 + $$ % 20000))
TMP=$(mktemp -d /tmp/tg-metrics-http.XXXXXX)
PIN=/sys/fs/bpf/tg-metrics-http-$$
PID=
passed=0
failed=0

cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID"
	rm -rf "$TMP"
	[ -d "$PIN" ] && rm -rf "$PIN"
}
trap cleanup EXIT

if [ "$(id -u)" != 0 ] || ! mountpoint -q /sys/fs/bpf; then
	echo "SKIP: metrics http: needs root and bpffs at /sys/fs/bpf"
	[ "${CI:-}" = true ] && exit 1
	exit 0
fi
command -v curl >/dev/null || { echo "FAIL: curl missing"; exit 1; }

# expect WHAT WANT GOT
expect() {
	if [ "$2" = "$3" ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL: $1: expected '$2', got '$3'"
	fi
}
tg() { "$TG" --db "$TMP/tungate.db" --pin-root "$PIN" "$@"; }

tg db init >/dev/null && tg sync >/dev/null || { echo "FAIL: db init, sync"; exit 1; }
# Not through tg(): $! must be tungate itself.
"$TG" --db "$TMP/tungate.db" --pin-root "$PIN" stats --listen 127.0.0.1:$PORT \
	2>"$TMP/err" &
PID=$!
URL=http://127.0.0.1:$PORT/metrics
get() { curl -s -o "$TMP/body" -w '%{http_code}' --max-time 10 "$@" "$URL"; }
for _ in $(seq 100); do
	[ "$(get)" = 200 ] && break
	sleep 0.1
done
expect "plain GET" 200 "$(get)"
expect "plain body" 1 "$(grep -c '^tungate_syncs_total ' "$TMP/body")"
expect "gzip GET" 200 "$(get --compressed)"
expect "gzip body" 1 "$(grep -c '^tungate_syncs_total ' "$TMP/body")"
expect "gzip;q=0 is plain" "" "$(curl -s -D - -o /dev/null -H 'Accept-Encoding: gzip;q=0' "$URL" | grep -i '^content-encoding')"
expect "HEAD" 200 "$(get -I)"
for kp in path:404 method:405 version:505 garbage:400 huge:414 \
	hugeheader:431 hugebody:405; do
	v=$($PY $E2E/http_probe.py 127.0.0.1 $PORT "${kp%:*}")
	expect "${kp%:*} request" "${kp#*:}" "${v%% *}"
done
"$TG" --db "$TMP/tungate.db" --pin-root "$PIN" stats --listen 127.0.0.1:$PORT \
	>/dev/null 2>"$TMP/err2"
expect "a second server on the port: exit status" 1 $?
expect "... and why" "tungate: metrics: address '127.0.0.1:$PORT': cannot listen: Address already in use" \
	"$(cat "$TMP/err2")"
$PY $E2E/http_idle.py 127.0.0.1 $PORT 300 1 >"$TMP/idle" 2>&1 &
IDLE=$!
for _ in $(seq 50); do
	grep -q '^connected' "$TMP/idle" && break
	sleep 0.1
done
expect "300 idle connections" "connected 300" "$(head -1 "$TMP/idle")"
kill -TERM $PID
wait $PID
rc=$?
PID=
wait $IDLE
expect "SIGTERM with 300 connections open: exit status" 0 $rc
expect "sanitizer reports" 0 "$(grep -cE 'Sanitizer|runtime error' "$TMP/err")"
[ $failed = 0 ] || sed 's/^/       /' "$TMP/err"
echo "metrics http: $passed passed, $failed failed"
[ $failed = 0 ]
