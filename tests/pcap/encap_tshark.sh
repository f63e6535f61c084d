#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Replays every uplink pcap case (tests/pcap/enc_*) and has tshark dissect
# each packet tungate encapsulated (and each ICMP error it sent back): no
# expert warning, no bad checksum, and the dissected fields equal the
# subscriber's record in the database (tshark_encap.py says which).
#
#   tests/pcap/encap_tshark.sh [CASE...]    (default: every enc_* uplink case)
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
	skip "tshark check needs root: tungate replay creates a network namespace"
fi
command -v tshark >/dev/null || skip "tshark is not installed"
if [ ! -x "$tungate" ]; then
	echo "FAIL: $tungate not built (run make)" >&2
	echo "0 passed, 1 failed"
	exit 1
fi

tmp=$(mktemp -d /tmp/tungate-tshark.XXXXXX)
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
	dir=$here/$c
	out=$tmp/$c
	mkdir -p "$out"
	db=$out/tungate.db
	topo=()
	[ -f "$dir/topo" ] && topo=(--topo "$dir/topo")
	if ! "$tungate" --db "$db" db init >"$out/log" 2>&1 ||
		! (cd "$dir" && TUNGATE=$tungate TUNGATE_DB=$db bash db.sh) \
			>>"$out/log" 2>&1 ||
		! "$tungate" --db "$db" -j replay --side uplink \
			--in "$dir/in.pcap" --out "$out/out.pcap" "${topo[@]}" \
			>"$out/verdicts.json" 2>>"$out/log"; then
		failed=$((failed + 1))
		echo "FAIL: $c: database or replay:"
		sed 's/^/  /' "$out/log"
		continue
	fi
	if "$python" "$here/tshark_encap.py" --case "$c" --db "$db" \
		--out "$out/out.pcap" --verdicts "$out/verdicts.json" \
		>"$out/check.log" 2>&1; then
		passed=$((passed + 1))
		tail -n 1 "$out/check.log"
	else
		failed=$((failed + 1))
		echo "FAIL: $c"
		sed 's/^/  /' "$out/check.log"
	fi
done

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
