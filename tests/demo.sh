#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The demo behind `make demo`: three network namespaces (subscribers,
# concentrator, core) joined by veth, a sample SQLite database, tungate
# attached with native XDP in the concentrator, tunnelled traffic from the
# subscribers, and what came out. Everything is removed at the end.
set -uo pipefail

TAG=tg-demo
. "$(dirname "$0")/e2e/lib.sh"
N=50

[ "$(id -u)" = 0 ] || { echo "demo: run as root (namespaces, XDP)" >&2; exit 1; }
require_root_tools
trap topo_cleanup EXIT
trap "exit 1" INT TERM

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() {
	echo "conc# tungate $*"
	tg "$@"
}

say "Topology"
cat <<TXT
  subscribers ($SUB)          concentrator ($CONC)          core ($CORE)
  192.0.2.10-12  ----veth----  192.0.2.1 | 198.51.100.1  ----veth----  198.51.100.2
  (tunnel endpoints)           tungate XDP on $IF_CSUB      (UDP receiver)
TXT
topo_setup || { echo "demo: namespace setup failed" >&2; exit 1; }

say "A sample subscriber database ($DB)"
run db init
run sub add ana --type ipip --remote 192.0.2.10 --local 192.0.2.1 \
	--prefix 100.64.1.0/24 --note "guifi node, IPIP"
run sub add bob --type gre --key 7 --remote 192.0.2.11 --local 192.0.2.1 \
	--prefix 100.64.2.0/24 --note "backbone, keyed GRE"
run sub add carol --type l2tpv2 --tunnel-id 10 --session 20 \
	--remote 192.0.2.12 --local 192.0.2.1 --prefix 100.64.3.0/24 \
	--note "OpenWrt router, L2TPv2/PPP"
run sub list

say "Fill the data plane maps and attach (native XDP)"
run sync
run up --subscriber-if "$IF_CSUB" --uplink-if "$IF_CUP" || exit 1

say "Traffic: $N UDP packets per subscriber inside its tunnel, and $N spoofed"
sink_start || { echo "demo: receiver did not start" >&2; exit 1; }
for kind in ipip gre-key l2tpv2 spoof; do
	send "$kind" $N || exit 1
done
sink_stop
echo "core received, decapsulated:"
status=0
for kind in ipip gre-key l2tpv2 spoof; do
	got=$(sink_field "$kind" count)
	printf '  %-8s %3s of %s  (inner TTL %s)\n' "$kind" "$got" "$N" \
		"$(sink_field "$kind" ttl)"
	want=$N
	[ "$kind" = spoof ] && want=0
	[ "$got" = "$want" ] || status=1
done

say "Counters"
run stats

say "Detach"
run down
if [ "$status" = 0 ]; then
	say "Demo done: every tunnel packet arrived decapsulated, no spoofed one did"
else
	say "Demo FAILED: traffic did not arrive as expected"
fi
exit $status
