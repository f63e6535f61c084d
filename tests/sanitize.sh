#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The unit and CLI suites and the /metrics server against the loader built
# with AddressSanitizer, LeakSanitizer and UndefinedBehaviorSanitizer (make
# san, in build-san/): any report makes the command that hit it fail, so
# the suites fail.
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0
failed=0
suite() {
	local name=$1
	shift
	printf -- '--- %s\n' "$name"
	if "$@"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL: $name"
	fi
}

if ! make --no-print-directory san; then
	echo "FAIL: make san"
	echo "0 passed, 1 failed"
	exit 1
fi
# bpf_encap and bpf_police drive the BPF programs with packets: their work
# is the kernel's, which no sanitizer sees, and the plain unit run has
# them; the sanitized one runs every suite of userspace code.
suite "unit (sanitized)" env TG_UNIT_SKIP="bpf_encap bpf_police" \
	build-san/unit-tests
suite "cli (sanitized)" env TUNGATE=build-san/tungate bash tests/cli/test_cli.sh
suite "metrics server (sanitized)" env TUNGATE=build-san/tungate \
	bash tests/cli/test_metrics_http.sh
echo "sanitizers: $passed passed, $failed failed"
[ $failed -eq 0 ]
