# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# Helpers of the RADIUS dial-in tests, sourced after lib.sh: tg-lac from
# the sub namespace, the daemon with its metrics on 127.0.0.1:$MPORT and
# its log in $TMP/run.log, and what they say.
LAC=$ROOT/build/tg-lac
MPORT=$((20000 + $$ % 20000))

lac() {
	in_sub "$LAC" --lns 192.0.2.1 --local 192.0.2.11 --timeout 15 "$@"
}
listening() {
	grep -q "lns: listening" "$TMP/run.log" 2>/dev/null
}
daemon_start() {
	in_conc "$TUNGATE" --db "$DB" --pin-root "$PIN" run \
		--metrics 127.0.0.1:$MPORT >>"$TMP/run.log" 2>&1 &
	BG_PIDS+=($!)
	wait_for 50 listening
}
# event FILE EVENT: tg-lac printed EVENT to FILE.
event() {
	grep -q "\"event\":\"$2\"" "$1"
}
has_session() {
	tg session show "$1" >/dev/null 2>&1
}
no_session() {
	! has_session "$1"
}
logged() {
	grep -q "$1" "$TMP/run.log"
}
no_row() {
	! tg sub show "$1" >/dev/null 2>&1
}
metric() {
	in_conc curl -sf --max-time 5 "http://127.0.0.1:$MPORT/metrics" |
		awk -v n="$1" '$1 == n { print $2 }'
}
