#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The baseline of tests/bench/lns.sh: the same tg-lac bulk setup against
# Debian's l2tpns (with its own FreeRADIUS, tests/lac/l2tpns.sh) on the
# same box. Prints tg-lac's bulk summary (one JSON line).
#
#   tests/bench/l2tpns_baseline.sh SESSIONS TUNNELS WINDOW
set -uo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=tests/lac/l2tpns.sh
. tests/lac/l2tpns.sh
n=$1 t=$2 w=$3

command -v l2tpns >/dev/null || { echo "l2tpns is not installed" >&2; exit 1; }
l2tpns_setup || exit 1
l2tpns_users 'm%d@exo.cat' "$n" secret
l2tpns_start || { echo "l2tpns did not start" >&2; exit 1; }
ip netns exec "$LAC_NS" build/tg-lac --lns "$LNS_ADDR" --local "$LAC_ADDR" \
	--sessions "$n" --tunnels "$t" --window "$w" --timeout 600 \
	--user 'm%d@exo.cat' --password secret --hold 1 |
	grep '"event":"bulk"'
