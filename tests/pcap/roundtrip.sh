#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Round trip of every uplink pcap case (tests/pcap/enc_*): the packets
# tungate's uplink program encapsulates are sent back through its
# subscriber-side program and must come out as the original inner packets
# (TTL two less, MSS clamped); see roundtrip.py for exactly what is compared.
#
#   tests/pcap/roundtrip.sh [CASE...]    (default: every enc_* uplink case)
#
# Env: TUNGATE (default build/tungate), CI=true turns a skip into a failure.
set -u

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
pcap_start roundtrip
pcap_cases uplink "$@"

passed=0
failed=0
for c in "${cases[@]}"; do
	if "$python" "$here/roundtrip.py" --tungate "$tungate" \
		--case "$here/$c" --work "$tmp/$c" >"$tmp/$c.log" 2>&1; then
		passed=$((passed + 1))
		tail -n 1 "$tmp/$c.log"
	else
		failed=$((failed + 1))
		echo "FAIL: $c"
		sed 's/^/  /' "$tmp/$c.log"
	fi
done

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
