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

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
tungate=${TUNGATE:-$top/build/tungate}
case $tungate in
/*) ;;
*) tungate=$PWD/$tungate ;;
esac
python=/usr/bin/python3

skip() {
	if [ "${CI:-}" = true ]; then
		echo "FAIL: $* (a skip is a failure under CI=true)" >&2
		echo "0 passed, 1 failed"
		exit 1
	fi
	echo "SKIP: $*" >&2
	echo "0 passed, 0 failed"
	exit 0
}

if [ "$(id -u)" -ne 0 ]; then
	skip "round trip needs root: tungate replay creates a network namespace"
fi
if [ ! -x "$tungate" ]; then
	echo "FAIL: $tungate not built (run make)" >&2
	echo "0 passed, 1 failed"
	exit 1
fi

tmp=$(mktemp -d /tmp/tungate-roundtrip.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

cases=()
if [ $# -gt 0 ]; then
	for c in "$@"; do
		cases+=("${c%/}")
	done
else
	for d in "$here"/enc_*/; do
		d=${d%/}
		[ -f "$d/in.pcap" ] && [ "$(cat "$d/side" 2>/dev/null)" = uplink ] &&
			cases+=("${d##*/}")
	done
fi
[ ${#cases[@]} -gt 0 ] || skip "no enc_* case directory in $here"

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
