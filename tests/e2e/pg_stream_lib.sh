# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# What the suites that take PostgreSQL away under traffic share
# (postgres_outage.sh, postgres_standby.sh), on lib.sh's topology with
# alice (IPIP) and bob (GRE) in the maps:
#  - pg_stream_setup: the clean-up on exit and what the suites need;
#  - stream_begin / count_stream: a numbered stream of RATE frames/s
#    through both tunnels, counted at the end by the sender, the
#    receiver and tungate;
#  - wait_in_maps, changes_made: how long until changes are in the maps;
#  - view / refused / answered: the operator's CLI (op, defined by the
#    suite: tungate on PostgreSQL with a snapshot of its own), a change it
#    is refused and a read answered from its snapshot.

RATE=200		# frames per second through each tunnel

# pg_stream_setup: the daemon, PostgreSQL and the topology cleaned up on
# exit; a skip (lib.sh's) when something the suites need is missing.
pg_stream_setup() {
	trap 'daemon_stop; pg_cleanup; topo_cleanup' EXIT
	trap "exit 1" INT TERM
	require_root_tools
	command -v bpftool >/dev/null || skip "bpftool not installed"
	command -v sqlite3 >/dev/null || skip "sqlite3 not installed"
	pg_require
}

# stream_begin: the counters as they are (A0, B0, D0), the receiver and a
# stream of RATE frames/s through alice's and bob's tunnels, until both
# are seen to flow.
stream_begin() {
	A0=$(stat sub alice up packets)
	B0=$(stat sub bob up packets)
	D0=$(veth_drops)
	sink_start 300 || die "UDP receiver did not start"
	stream_start ipip:$RATE gre-key:$RATE
	check "the stream flows through both tunnels" wait_for 30 flowing
}
flowing() {
	[ "$(stat sub alice up packets)" -gt "$A0" ] &&
		[ "$(stat sub bob up packets)" -gt "$B0" ]
}
# count_stream WHAT: the stream stopped; its frames sent, received and
# counted by tungate (alice's and bob's up packets since stream_begin),
# each printed; all of them arrived, once, and the veth dropped none.
count_stream() {
	local what=$1 kind sub sent got bad up base rc=0 drops
	stream_stop
	sink_stop
	for kind in ipip gre-key; do
		sub=alice base=$A0
		[ $kind = gre-key ] && sub=bob base=$B0
		sent=$(stream_field $kind sent)
		got=$(sink_field $kind count)
		bad=$(sink_field $kind bad)
		up=$(($(stat sub $sub up packets) - base))
		echo "# $what: $kind ($sub): $sent sent in $(printf %.1f "$(stream_field $kind seconds)") s, $got received ($bad twice or garbled), $up counted by tungate: $((sent - got)) lost"
		[ "$sent" -gt 0 ] && [ "$got" = "$sent" ] && [ "$bad" = 0 ] &&
			[ "$up" = "$sent" ] || rc=1
	done
	drops=$(($(veth_drops) - D0))
	[ "$drops" = 0 ] || echo "# $what: the veth dropped $drops frames before XDP"
	[ $rc = 0 ] || stream_reasons "$what"
	return $rc
}
# stream_reasons WHAT: where frames went other than forwarded, by
# tungate's counters (alice's and bob's reasons, the global ones), the
# conc -- core veth pair's and core's UDP (a receiver's buffer full).
stream_reasons() {
	echo "# $1: core's UDP: $(ip netns exec "$CORE" $PY -c 'import sys
rows = [l.split() for l in open("/proc/net/snmp") if l.startswith("Udp:")]
print(dict(zip(rows[0][1:], rows[1][1:])))')"
	echo "# $1: conc -- core veth: $(ip -n "$CONC" -s -j link show "$IF_CUP" |
		$PY -c 'import json, sys; print(json.load(sys.stdin)[0]["stats64"]["tx"])'), core $(
		ip -n "$CORE" -s -j link show "$IF_CORE" |
		$PY -c 'import json, sys; print(json.load(sys.stdin)[0]["stats64"]["rx"])')"
	tg -j stats --interval 0 | $PY -c 'import json, sys
def n(v):
    return v.get("packets", 0) if isinstance(v, dict) else v
d = json.load(sys.stdin)
subs = {s["name"]: s for s in d["subscribers"]}
for name in ("alice", "bob"):
    r = {k: n(v) for k, v in subs.get(name, {}).get("reasons", {}).items() if n(v)}
    print("# %s: %s reasons %s" % (sys.argv[1], name, json.dumps(r)))
g = {k: n(v) for k, v in d["global"].items() if k != "ok" and n(v)}
print("# %s: global %s" % (sys.argv[1], json.dumps(g)))' "$1"
}

# wait_in_maps T0 MS ADDR...: until every IPv4 ADDR is in a subscriber
# prefix of the maps, at most MS milliseconds after T0 (date +%s%N); the
# milliseconds since T0 then in IN_MS.
wait_in_maps() {
	local t0=$1 ms=$2
	shift 2
	until all_in_maps "$@"; do
		[ "$(ms_since "$t0")" -lt "$ms" ] || break
		sleep 0.02
	done
	IN_MS=$(ms_since "$t0")
	all_in_maps "$@"
}
all_in_maps() {
	local a
	for a in "$@"; do
		pfx4_in "$PIN" "$a" || return 1
	done
}

# The change refused while PostgreSQL cannot take it, made once it can:
# carol, an L2TPv2 subscriber with 100.64.3.0/24 ('sub add "${CAROL[@]}"'),
# and bob's new prefix 100.64.12.0/24.
CAROL=(carol --type l2tpv2 --tunnel-id 10 --session 20 --remote 192.0.2.12
	--local 192.0.2.1 --prefix 100.64.3.0/24)
# changes_made T0 MS WHAT SINCE: the operator makes both; both are in the
# maps within MS milliseconds of T0, the time printed as "# WHAT: ...
# after SINCE".
changes_made() {
	local t0=$1 ms=$2 what=$3 since=$4 t_cli in
	op sub add "${CAROL[@]}" >/dev/null &&
		op sub set bob --add-prefix 100.64.12.0/24 >/dev/null || return 1
	t_cli=$(ms_since "$t0")
	wait_in_maps "$t0" $((ms + 2000)) 100.64.3.1 100.64.12.1
	in=$?
	echo "# $what: both changes in the maps $IN_MS ms after $since (the CLI's two pushes done after $t_cli ms)"
	[ $in = 0 ] && [ "$IN_MS" -le "$ms" ]
}

# view: what the operator's snapshot holds, as its reads show it.
view() {
	local what
	for what in sub class community; do
		op -j "$what" list 2>/dev/null
	done
	op -j config show 2>/dev/null
}
# refused PATTERN ARGS...: the operator's change is refused in one line
# matching PATTERN (extended regex; the line in $TMP/refused.out), and
# its snapshot holds what it held (else what changed is shown).
refused() {
	local pat=$1 before after
	shift
	before=$(view)
	! op "$@" >"$TMP/refused.out" 2>&1 &&
		test "$(grep -c . "$TMP/refused.out")" = 1 &&
		grep -qE -- "$pat" "$TMP/refused.out" || return 1
	after=$(view)
	[ "$before" = "$after" ] && return 0
	diff <(echo "$before") <(echo "$after")
	return 1
}
# answered PATTERN ARGS...: the operator's read, PostgreSQL out of reach,
# succeeds, its output matches and it says it came from the snapshot.
answered() {
	local pat=$1
	shift
	op "$@" >"$TMP/read.out" 2>"$TMP/read.err" &&
		grep -q -- "$pat" "$TMP/read.out" &&
		grep -q 'answered from the snapshot' "$TMP/read.err"
}
