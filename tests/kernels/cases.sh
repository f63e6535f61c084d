#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Prepares every pcap regression case for a replay inside a test kernel:
#
#   tests/kernels/cases.sh OUTDIR
#
# One directory per case under OUTDIR/cases: its database (enrolled as
# tests/pcap/run.sh and tests/pcap/shared.sh enrol it), in.pcap, the
# replay options in `args` and what replay prints and writes on this host
# (host.txt, host.pcap). The guest runs the same replay and compares.
# Covers the generated cases (tests/pcap/*/) and, when ../shared/pcaps is
# there, every shared capture with a case file. Env: TUNGATE, SHARED_PCAPS.
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tungate=${TUNGATE:-$top/build/tungate}
pcaps=${SHARED_PCAPS:-$top/../shared/pcaps}
out=$1/cases
mkdir -p "$out"
bad=0

# prepare NAME CAPTURE ENROL [REPLAY OPTION...]: ENROL is run by bash in
# the case's own directory with TUNGATE and TUNGATE_DB set.
prepare() {
	local name=$1 cap=$2 enrol=$3 d=$out/$1 a
	shift 3
	mkdir -p "$d"
	cp "$cap" "$d/in.pcap"
	: >"$d/args"
	for a in "$@"; do
		case $a in
		*/topo) cp "$a" "$d/topo"; a=topo ;;
		esac
		echo "$a" >>"$d/args"
	done
	if ! "$tungate" --db "$d/db" db init >/dev/null 2>"$d/err" ||
		! (cd "$(dirname "$enrol")" && TUNGATE=$tungate TUNGATE_DB=$d/db \
			bash -c 'set -e; TSHARK_ARGS=(); source "$1"' enrol "$enrol") \
			>/dev/null 2>>"$d/err" ||
		! (cd "$d" && "$tungate" --db db replay --in in.pcap \
			--out host.pcap "$@" >host.txt 2>>err); then
		echo "cases: $name: cannot prepare it:" >&2
		sed 's/^/  /' "$d/err" >&2
		bad=1
	fi
	rm -f "$d/err"
}

for dir in "$top"/tests/pcap/*/; do
	dir=${dir%/}
	[ -f "$dir/in.pcap" ] || continue
	opts=()
	[ -f "$dir/topo" ] && opts+=(--topo "$dir/topo")
	[ "$(cat "$dir/side" 2>/dev/null)" = uplink ] && opts+=(--side uplink)
	enrol=$dir/db.sh
	[ -f "$enrol" ] || enrol=/dev/null
	prepare "${dir##*/}" "$dir/in.pcap" "$enrol" "${opts[@]}"
done

if [ -d "$pcaps" ]; then
	for case in "$top"/tests/pcap/shared/*.sh; do
		label=$(basename "$case" .sh)
		cap=$pcaps/${label%%--*}
		[ -f "$cap" ] || continue
		prepare "shared-$label" "$cap" "$case"
	done
fi
exit $bad
