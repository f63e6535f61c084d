#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Inside a test kernel: the replay of one case prepared by cases.sh, as
# guest.sh's batch left it in /tmp/replay-NAME.txt and .pcap, compared
# byte for byte with the host's lines and output capture.
#
#   sh replay_case.sh line /tg/cases/NAME    its line of the batch file
#   sh replay_case.sh check /tg/cases/NAME   ok or FAIL with the difference
d=$2
c=${d##*/}
o=/tmp/replay-$c
if [ "$1" = line ]; then
	# args holds one option or value per line; topo is the case's file.
	# shellcheck disable=SC2046
	echo "--db $d/db --in $d/in.pcap --out $o.pcap --lines $o.txt" \
		$(sed "s|^topo\$|$d/topo|" "$d/args")
	exit 0
fi
if [ ! -f "$o.pcap" ]; then
	echo "FAIL - replay $c: no output (see the replay errors below)"
elif ! cmp -s "$o.txt" "$d/host.txt"; then
	echo "FAIL - replay $c: lines differ from the host's"
	diff "$d/host.txt" "$o.txt" | head -n 20 | sed 's/^/    /'
elif ! cmp -s "$o.pcap" "$d/host.pcap"; then
	echo "FAIL - replay $c: output pcap differs from the host's"
	cmp "$o.pcap" "$d/host.pcap" 2>&1 | sed 's/^/    /'
else
	echo "ok   - replay $c"
fi
rm -f "$o.pcap" "$o.txt"
