# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Result counting shared by the namespace tests: ok/fail lines, a final
# "N passed, M failed" line, and the SKIP rule (a loud SKIP outside CI, a
# failure under CI=true). check shows a command's output only when it
# fails; it writes it to $TMP/out, or to /dev/null before TMP exists.
# step runs a setup step the same way but counts nothing: when it fails the
# suite ends failed (die).

passed=0
failed=0
ok() {
	echo "ok   - $*"
	passed=$((passed + 1))
}
fail() {
	echo "FAIL - $*"
	failed=$((failed + 1))
}
# check WHAT CMD...
check() {
	local what=$1 out=${TMP:+$TMP/out}
	shift
	if "$@" >"${out:-/dev/null}" 2>&1; then
		ok "$what"
	else
		fail "$what"
		[ -n "$out" ] && sed 's/^/       /' "$out"
		return 1
	fi
}
# step WHAT CMD...: a setup step the checks rely on, not a check.
step() {
	local what=$1 out=${TMP:+$TMP/out}
	shift
	if ! "$@" >"${out:-/dev/null}" 2>&1; then
		[ -n "$out" ] && sed 's/^/       /' "$out"
		die "setup: $what"
	fi
}
finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}
die() {
	fail "$*"
	finish
}
# skip WHY: what is skipped is named by $SUITE (or the script's name).
skip() {
	echo "SKIP: ${SUITE:-$(basename "$0" .sh)}: $*"
	if [ "${CI:-}" = true ]; then
		echo "0 passed, 1 failed"
		exit 1
	fi
	exit 0
}
