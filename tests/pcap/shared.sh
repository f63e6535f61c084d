#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Replays every third-party capture in ../shared/pcaps (beside the repo)
# that has a case file tests/pcap/shared/<file name>.sh, with a fresh
# database enrolled by that file, and checks the result against tshark's
# dissection of the input with tests/pcap/shared/check.py. Further case
# files <file name>--<variant>.sh replay the same capture with another
# enrolment (a wrong cookie, a missing key...).
#
# A case file is run by bash with TUNGATE and TUNGATE_DB set; besides the
# enrolment it sets EXPECT_DECAP (packets decapsulated) and optionally
# EXPECT_REASONS ('reason[|reason]=count ...' covering every reason seen),
# EXPECT_AT ('index=reason[|reason] ...') and TSHARK_ARGS (a bash array of
# extra tshark arguments, e.g. L2TPv3 cookie and sublayer preferences).
#
# Environment: TUNGATE (default build/tungate), SHARED_PCAPS (default
# ../shared/pcaps), ONLY (a shell pattern: only the capture files it
# matches), CI=true turns every skip into a failure, V=1 prints every
# packet's verdict.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1

TUNGATE=${TUNGATE:-$PWD/build/tungate}
PCAPS=${SHARED_PCAPS:-../shared/pcaps}
CASES=tests/pcap/shared
PY=/usr/bin/python3

skip() {
	echo "SKIP: shared pcaps: $*"
	if [ "${CI:-}" = true ]; then
		echo "FAIL: skipping is a failure under CI=true"
		exit 1
	fi
	exit 0
}

[ "$(id -u)" = 0 ] || skip "needs root (replay creates a network namespace)"
[ -d "$PCAPS" ] || skip "no capture directory $PCAPS"
command -v tshark >/dev/null || skip "tshark is not installed"
[ -x $PY ] || skip "$PY is not installed"
if [ ! -x "$TUNGATE" ]; then
	echo "FAIL: $TUNGATE not built"
	echo "0 passed, 1 failed"
	exit 1
fi

TMP=$(mktemp -d /tmp/tungate-shared.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

passed=0
failed=0

# Runs one case in $TMP/<n>; prints its detail lines; returns non-zero when
# it failed.
run_case() {
	local cap=$1 case=$2 dir=$3 rc
	local db=$dir/db.sqlite out=$dir/out.pcap verdicts=$dir/verdicts.json

	mkdir -p "$dir"
	if ! "$TUNGATE" --db "$db" db init >"$dir/init.log" 2>&1; then
		sed 's/^/  /' "$dir/init.log"
		return 1
	fi
	# The case file enrols, then its expectations are written out.
	if ! TUNGATE=$TUNGATE TUNGATE_DB=$db bash -c '
		set -e
		EXPECT_DECAP= EXPECT_REASONS= EXPECT_AT=
		TSHARK_ARGS=()
		source "$1"
		declare -p EXPECT_DECAP EXPECT_REASONS EXPECT_AT TSHARK_ARGS \
			>"$2"' case "$case" "$dir/expect" >"$dir/enrol.log" 2>&1; then
		echo "  enrolment failed:"
		sed 's/^/    /' "$dir/enrol.log"
		return 1
	fi
	local EXPECT_DECAP EXPECT_REASONS EXPECT_AT TSHARK_ARGS
	# shellcheck disable=SC1091
	source "$dir/expect"
	if [ -z "$EXPECT_DECAP" ]; then
		echo "  $case sets no EXPECT_DECAP"
		return 1
	fi

	timeout 300 "$TUNGATE" --db "$db" -j replay --in "$cap" --out "$out" \
		>"$verdicts" 2>"$dir/replay.err"
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "  replay exited with status $rc (124: timed out)"
		sed 's/^/    /' "$dir/replay.err" | head -20
		return 1
	fi

	local args=(--in "$cap" --out "$out" --verdicts "$verdicts"
		--expect-decap "$EXPECT_DECAP" --expect-reasons "$EXPECT_REASONS"
		--expect-at "$EXPECT_AT")
	local a
	for a in "${TSHARK_ARGS[@]}"; do
		args+=("--tshark-arg=$a")
	done
	[ "${V:-}" = 1 ] && args+=(-v)
	$PY "$CASES/check.py" "${args[@]}" >"$dir/check.log" 2>&1
	rc=$?
	sed 's/^/  /' "$dir/check.log"
	return $rc
}

n=0
for cap in "$PCAPS"/*; do
	name=$(basename "$cap")
	case $name in
	*.pcap | *.pcapng | *.cap) ;;
	*) continue ;;
	esac
	# shellcheck disable=SC2053
	[[ $name == ${ONLY:-*} ]] || continue
	cases=()
	for case in "$CASES/$name.sh" "$CASES/$name"--*.sh; do
		[ -f "$case" ] && cases+=("$case")
	done
	if [ ${#cases[@]} -eq 0 ]; then
		echo "NOTE $name: no case file $CASES/$name.sh, not checked"
		continue
	fi
	for case in "${cases[@]}"; do
		n=$((n + 1))
		label=$(basename "$case" .sh)
		detail=$(run_case "$cap" "$case" "$TMP/$n")
		rc=$?
		summary=$(printf '%s\n' "$detail" |
			grep -m1 '^  decapsulated=' | sed 's/^  //')
		if [ $rc -eq 0 ]; then
			passed=$((passed + 1))
			echo "PASS $label: $summary"
		else
			failed=$((failed + 1))
			echo "FAIL $label: ${summary:-no result}"
			printf '%s\n' "$detail" | grep -v '^  decapsulated='
		fi
	done
done

[ $n -gt 0 ] || skip "no capture in $PCAPS has a case file"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
