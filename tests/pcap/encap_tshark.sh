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

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
pcap_start tshark tshark
pcap_cases uplink "$@"

passed=0
failed=0
for c in "${cases[@]}"; do
	dir=$here/$c
	out=$tmp/$c
	mkdir -p "$out"
	db=$out/tungate.db
	pcap_replay_opts "$dir"
	if ! pcap_enrol "$dir" "$db" 2>"$out/log" ||
		! "$tungate" --db "$db" -j replay --in "$dir/in.pcap" \
			--out "$out/out.pcap" "${replay_opts[@]}" \
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
