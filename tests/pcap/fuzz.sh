#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The data plane fuzzed through the real programs: every generated
# subscriber-side case of tests/pcap and every shared capture with a case
# file (../shared/pcaps, see shared.sh), each frame as it is and mutated
# (fixed seed), replayed through the XDP build (and the TC build for the
# generated cases); see fuzz.py for what is checked. MUTANTS (default 8)
# mutated copies per frame.
#
# Environment: TUNGATE (default build/tungate), SHARED_PCAPS (default
# ../shared/pcaps; without it only the generated cases are fuzzed), CI=true
# turns a skip into a failure.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

pcap_start fuzz
$python -c 'import scapy' 2>/dev/null || skip "fuzz: $python has no scapy"
pcaps=${SHARED_PCAPS:-$top/../shared/pcaps}
[ -d "$pcaps" ] || echo "NOTE: no capture directory $pcaps: generated cases only"
$python "$here/fuzz.py" "$top" "$tungate" "$(realpath -m "$pcaps")" "$tmp"
