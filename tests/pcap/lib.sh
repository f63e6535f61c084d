# SPDX-License-Identifier: GPL-2.0-only
#
# Sourced by the pcap suites (run.sh, roundtrip.sh, encap_tshark.sh): the
# paths, the skip rule, the checks every suite makes before it starts, and
# the list of cases it runs. Each suite prints "N passed, M failed" last.
#
# Sets: here (tests/pcap), top (the repository), tungate (absolute path,
# env TUNGATE or build/tungate), python, tmp (removed on exit), cases.
# Also used by tests/kernels/cases.sh for pcap_enrol and pcap_replay_opts.

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
tungate=${TUNGATE:-$top/build/tungate}
case $tungate in
/*) ;;
*) tungate=$PWD/$tungate ;;
esac
python=/usr/bin/python3

# A skip says why; under CI=true it is a failure.
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

# pcap_start NAME [tshark]: root, the binary (and tshark), a temp dir.
pcap_start() {
	if [ "$(id -u)" -ne 0 ]; then
		skip "$1 needs root: tungate replay creates a network namespace"
	fi
	if [ "${2:-}" = tshark ]; then
		command -v tshark >/dev/null || skip "tshark is not installed"
	fi
	if [ ! -x "$tungate" ]; then
		echo "FAIL: $tungate not built (run make)" >&2
		echo "0 passed, 1 failed"
		exit 1
	fi
	tmp=$(mktemp -d "/tmp/tungate-$1.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
}

# pcap_enrol DIR DB: a fresh database DB enrolled as the case in DIR says
# (its db.sh, when it has one); messages on stderr.
pcap_enrol() {
	"$tungate" --db "$2" db init >/dev/null || return
	[ -f "$1/db.sh" ] || return 0
	(cd "$1" && TUNGATE=$tungate TUNGATE_DB=$2 bash db.sh >/dev/null)
}

# pcap_replay_opts DIR: the case's replay options (its topo file, the
# uplink side when its file side says so) into the array replay_opts.
pcap_replay_opts() {
	replay_opts=()
	[ -f "$1/topo" ] && replay_opts+=(--topo "$1/topo")
	[ "$(cat "$1/side" 2>/dev/null)" = uplink ] && replay_opts+=(--side uplink)
	return 0
}

# pcap_cases [uplink] [CASE...]: the named cases, else every case
# directory (with "uplink": every enc_* case replayed on the uplink side).
pcap_cases() {
	local uplink=false d c
	if [ "${1:-}" = uplink ]; then
		uplink=true
		shift
	fi
	cases=()
	if [ $# -gt 0 ]; then
		for c in "$@"; do
			cases+=("${c%/}")
		done
		return
	fi
	for d in "$here"/*/; do
		d=${d%/}
		[ -f "$d/in.pcap" ] || continue
		if $uplink; then
			case ${d##*/} in enc_*) ;; *) continue ;; esac
			[ "$(cat "$d/side" 2>/dev/null)" = uplink ] || continue
		fi
		cases+=("${d##*/}")
	done
	[ ${#cases[@]} -gt 0 ] || skip "no case directory in $here"
}
