#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Inside a test kernel: replays one case prepared by cases.sh and compares
# the lines and the output capture byte for byte with the host's. Prints
# its result in one write, so that parallel runs do not interleave.
#
#   sh replay_case.sh /tg/cases/NAME
d=$1
c=${d##*/}
o=/tmp/replay-$c
# shellcheck disable=SC2046 # args holds one option or value per line
(cd "$d" && tungate --db db replay --in in.pcap --out "$o.pcap" \
	$(cat args) >"$o.txt" 2>"$o.err")
{
	if ! cmp -s "$o.txt" "$d/host.txt"; then
		echo "FAIL - replay $c: lines differ from the host's"
		diff "$d/host.txt" "$o.txt" | head -n 20 | sed 's/^/    /'
		tail -n 20 "$o.err" | sed 's/^/    /'
	elif ! cmp -s "$o.pcap" "$d/host.pcap"; then
		echo "FAIL - replay $c: output pcap differs from the host's"
		cmp "$o.pcap" "$d/host.pcap" 2>&1 | sed 's/^/    /'
	else
		echo "ok   - replay $c"
	fi
} >"$o.out"
cat "$o.out"
rm -f "$o.pcap" "$o.txt" "$o.err" "$o.out"
