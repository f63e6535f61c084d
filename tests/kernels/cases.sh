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

. "$(dirname "${BASH_SOURCE[0]}")/../pcap/lib.sh"
pcaps=${SHARED_PCAPS:-$top/../shared/pcaps}
out=$1/cases
bad=0

# enrol_shared CASEFILE DB: a fresh database enrolled as shared.sh does.
enrol_shared() {
	"$tungate" --db "$2" db init >/dev/null &&
		(cd "$(dirname "$1")" && TUNGATE=$tungate TUNGATE_DB=$2 \
			bash -c 'set -e; TSHARK_ARGS=(); source "$1"' enrol "$1" \
			>/dev/null)
}

# prepare NAME CAPTURE [REPLAY OPTION...]: the case's capture, options
# (a topo file copied beside them) and the host's replay, into the case
# directory the caller made and enrolled (db, messages so far in err).
prepare() {
	local name=$1 cap=$2 d=$out/$1 a
	shift 2
	cp "$cap" "$d/in.pcap"
	: >"$d/args"
	for a in "$@"; do
		case $a in
		*/topo) cp "$a" "$d/topo"; a=topo ;;
		esac
		echo "$a" >>"$d/args"
	done
	(cd "$d" && "$tungate" --db db replay --in in.pcap --out host.pcap \
		"$@" >host.txt 2>>err)
}

# done_case NAME STATUS: reports a case that could not be prepared.
done_case() {
	if [ "$2" != 0 ]; then
		echo "cases: $1: cannot prepare it:" >&2
		sed 's/^/  /' "$out/$1/err" >&2
		bad=1
	fi
	rm -f "$out/$1/err"
}

for dir in "$here"/*/; do
	dir=${dir%/}
	[ -f "$dir/in.pcap" ] || continue
	name=${dir##*/}
	mkdir -p "$out/$name"
	pcap_replay_opts "$dir"
	pcap_enrol "$dir" "$out/$name/db" 2>"$out/$name/err" &&
		prepare "$name" "$dir/in.pcap" "${replay_opts[@]}"
	done_case "$name" $?
done

if [ -d "$pcaps" ]; then
	for case in "$here"/shared/*.sh; do
		label=$(basename "$case" .sh)
		cap=$pcaps/${label%%--*}
		[ -f "$cap" ] || continue
		name=shared-$label
		mkdir -p "$out/$name"
		enrol_shared "$case" "$out/$name/db" 2>"$out/$name/err" &&
			prepare "$name" "$cap"
		done_case "$name" $?
	done
fi
exit $bad
