#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Runs suites of tests/run.sh again and again with other work competing
# for the CPUs, to find checks that depend on timing (a check must wait
# for a condition, never for a time).
#
#   bash tests/stress.sh [--rounds N] [--hogs N] SUITE-SCRIPT...
#   e.g. bash tests/stress.sh --rounds 5 tests/e2e/upgrade.sh tests/e2e/bgp.sh
#
# --hogs N busy loops (default: one per CPU but one) run at the same
# priority as the suites. Each failed run's whole log is kept and named;
# the last line counts the runs and failures per suite. Exits 1 when any
# run failed.
set -uo pipefail
cd "$(dirname "$0")/.."

rounds=3 hogs=$(($(nproc) > 1 ? $(nproc) - 1 : 1))
while [ $# -gt 0 ]; do
	case $1 in
	--rounds) rounds=$2; shift 2 ;;
	--hogs) hogs=$2; shift 2 ;;
	-*) echo "usage: $0 [--rounds N] [--hogs N] SUITE-SCRIPT..." >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || { echo "usage: $0 [--rounds N] [--hogs N] SUITE-SCRIPT..." >&2; exit 2; }

logs=$(mktemp -d /tmp/tg-stress.XXXXXX)
pids=()
stop_hogs() {
	[ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null
	wait 2>/dev/null
}
trap stop_hogs EXIT
trap 'exit 1' INT TERM
for _ in $(seq "$hogs"); do
	( while :; do :; done ) &
	pids+=($!)
done

declare -A runs fails
bad=0
for r in $(seq "$rounds"); do
	for s in "$@"; do
		name=$(basename "$s" .sh)
		log=$logs/$name.$r.log
		runs[$name]=$((${runs[$name]:-0} + 1))
		# One namespace run at a time (tests/e2e/lock.sh).
		if CI=true flock /tmp/tg-e2e.lock bash "$s" >"$log" 2>&1; then
			echo "round $r: $name: ok"
			rm -f "$log"
		else
			fails[$name]=$((${fails[$name]:-0} + 1))
			bad=1
			echo "round $r: $name: FAILED, log $log:"
			grep -E '^(FAIL|SKIP)' "$log" | sed 's/^/    /'
		fi
	done
done
for name in "${!runs[@]}"; do
	printf '%s: %d runs, %d failed\n' "$name" "${runs[$name]}" \
		"${fails[$name]:-0}"
done
[ "$bad" = 0 ] && rmdir "$logs"
exit "$bad"
