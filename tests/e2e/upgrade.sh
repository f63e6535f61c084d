#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Hitless upgrade and map migration, end to end (topology in lib.sh):
#
# 1. Two numbered UDP streams run through tunnels from sub to a receiver in
#    core (alice: IPIP, unlimited; bob: keyed GRE, sending twice his up
#    rate) through tungate's native XDP program in conc, while `tungate up`
#    runs 20 times, alternating this build and a second one with another
#    version string (build/upgrade). Every one of alice's packets must
#    arrive (count, each index once), her counters must grow across every
#    upgrade and end equal to what was sent, the programs must change and
#    keep the same maps, and bob must stay at his rate: a token bucket
#    reset by an upgrade would let a burst through each time.
# 2. Maps of layout 1 (no generations: tg_tunnels and the prefix tries
#    name bare sub_ids, no tg_gen, tg_encap1, tg_police1; written by
#    to_layout1.py from what is in force; tg_police without the
#    subscriber's own prefixes) and a per-CPU tg_sub_stats one counter
#    shorter: sync refuses them, up migrates them (prefixes become slot-0
#    claims, tg_police entries grow, tg_sub_stats becomes a flat array of
#    a line per subscriber and CPU, the missing maps are created), entries
#    kept, a full sync writes the own prefixes, traffic flows.
# 3. A map changed in a way no migration knows (tg_tunnels' key): up
#    refuses it with a message naming the map and the way out, and changes
#    nothing.
#
# Needs root. Outside CI it says SKIP and succeeds; with CI=true a skip fails.
set -uo pipefail

TAG=tg-upg
. "$(dirname "$0")/lib.sh"

UPS=20
RATE_A=2000		# alice, packets/s
RATE_B=1000		# bob, packets/s
BOB_RATE=200kbit	# bob's up rate: 25000 bytes/s
BOB_BYTES_S=25000
BOB_BURST=8800
BOB_LEN=44		# inner IP bytes of bob's frames (IP, UDP, "gre-key N")
UPGRADE_BUILD=build/upgrade
UPGRADE_VERSION=0.0.0-upgrade-test
TUNGATE_B=$ROOT/$UPGRADE_BUILD/tungate

require_root_tools
command -v bpftool >/dev/null || skip "bpftool not installed"
trap topo_cleanup EXIT
trap "exit 1" INT TERM

# The second build: another directory, another version string (make
# TG_VERSION=...; a tree whose loader/util/cli.h does not take it builds the
# second one with the same string, which fails the version check only).
build_b() {
	make -s -C "$ROOT" --no-print-directory BUILD=$UPGRADE_BUILD "$@" \
		"$UPGRADE_BUILD/tungate" >"$TMP/make.out" 2>&1
}
if ! build_b TG_VERSION=$UPGRADE_VERSION; then
	if ! grep -q "TG_VERSION.*redefined" "$TMP/make.out" || ! build_b; then
		sed 's/^/       /' "$TMP/make.out"
		die "building the second build ($UPGRADE_BUILD)"
	fi
fi
va=$("$TUNGATE" --version)
vb=$("$TUNGATE_B" --version)
step "two builds: '$va' and '$vb'" test "$va" != "$vb"

# tgb ARGS: tungate of the second build on the same database and pin root.
tgb() {
	in_conc "$TUNGATE_B" --db "$DB" --pin-root "$PIN" "$@"
}
# map_id NAME: id of the map pinned under $PIN.
map_id() {
	bpftool -j map show pinned "$PIN/$1" | $PY -c 'import json, sys; print(json.load(sys.stdin)["id"])'
}
# link_prog IFACE: id of the program on the subscriber link of IFACE.
link_prog() {
	bpftool -j link show pinned "$PIN/link_sub_$1" | $PY -c 'import json, sys; print(json.load(sys.stdin)["prog_id"])'
}
# prog_maps ID: the map ids the program uses, space separated.
prog_maps() {
	bpftool -j prog show id "$1" | $PY -c 'import json, sys; print(*json.load(sys.stdin).get("map_ids", []))'
}
# pins_state: every pin under $PIN with the id of what it holds.
pins_state() {
	local f
	for f in "$PIN"/*; do
		case $f in
		*/link_*) echo "$f $(bpftool -j link show pinned "$f")" ;;
		*) echo "$f $(bpftool -j map show pinned "$f")" ;;
		esac
	done
}

topo_setup || die "namespace setup"

tg db init >/dev/null || die "db init"
add_alice
add_bob --up-rate $BOB_RATE --burst $BOB_BURST
step "sync" tg sync
step "up (this build)" tg up --subscriber-if "$IF_CSUB" --uplink-if "$IF_CUP"
xdp_mode=$(ip -n "$CONC" -j -d link show "$IF_CSUB" | $PY -c 'import json, sys
print(json.load(sys.stdin)[0].get("xdp", {}).get("mode"))')
check "native XDP on $IF_CSUB (mode $xdp_mode)" test "$xdp_mode" = 1
meta_layout() {
	bpftool -j map lookup pinned "$PIN/tg_meta" key 0 0 0 0 | $PY -c 'import json, sys
v = json.load(sys.stdin)["value"]
print(int("".join(b[2:] for b in reversed(v[:4])), 16))'
}
LAYOUT=$(sed -n 's/^#define TG_LAYOUT_VERSION //p' "$ROOT/maps/tungate.h")
check "tg_meta records layout $LAYOUT (got $(meta_layout))" test "$(meta_layout)" = "$LAYOUT"
# meta_version: the version string of the last up, from tg_meta.
meta_version() {
	bpftool -j map lookup pinned "$PIN/tg_meta" key 0 0 0 0 | $PY -c 'import json, sys
v = bytes(int(b, 16) for b in json.load(sys.stdin)["value"][40:72])
print(v.split(b"\0")[0].decode())'
}

stats_id=$(map_id tg_sub_stats)
bucket_id=$(map_id tg_bucket)
prog=$(link_prog "$IF_CSUB")

# --- 1. hitless upgrade under a continuous stream --------------------------
kern0=$(passed_to_kernel)
# The receiver without its usual time limit: the ups take a while.
sink_start 600 || die "UDP receiver did not start"
stream_start ipip:$RATE_A gre-key:$RATE_B
sleep 1

start=$SECONDS
prev=$(stat sub alice up packets)
up_ok=0 grew=0 changed=0 same_maps=0 versions=0
for i in $(seq $UPS); do
	if [ $((i % 2)) = 1 ]; then up=tgb v=$vb; else up=tg v=$va; fi
	if $up up --subscriber-if "$IF_CSUB" --uplink-if "$IF_CUP" \
		>"$TMP/up.out" 2>&1 && grep -q replaced "$TMP/up.out"; then
		up_ok=$((up_ok + 1))
	else
		echo "       up $i ($up):"
		sed 's/^/       /' "$TMP/up.out"
	fi
	[ "tungate $(meta_version)" = "$v" ] && versions=$((versions + 1))
	np=$(link_prog "$IF_CSUB")
	[ "$np" != "$prog" ] && changed=$((changed + 1))
	prog=$np
	maps=" $(prog_maps "$prog") "
	case $maps in
	*" $stats_id "*" $bucket_id "* | *" $bucket_id "*" $stats_id "*)
		same_maps=$((same_maps + 1)) ;;
	esac
	sleep 0.2
	cur=$(stat sub alice up packets)
	if [ "$cur" -gt "$prev" ]; then
		grew=$((grew + 1))
	else
		echo "       after up $i: alice up packets $prev -> $cur"
	fi
	prev=$cur
done
elapsed=$((SECONDS - start))
sleep 0.5
stream_stop
sink_stop

check "$UPS ups alternating two builds in ${elapsed}s, each replaced the program ($up_ok)" \
	test $up_ok = $UPS
check "the program on the link changed at every up ($changed of $UPS)" \
	test $changed = $UPS
check "every new program uses the same tg_sub_stats ($stats_id) and tg_bucket ($bucket_id) ($same_maps of $UPS)" \
	test $same_maps = $UPS
check "tg_meta named the build of each up ($versions of $UPS)" \
	test $versions = $UPS
check "alice's counters grew after every up ($grew of $UPS)" test $grew = $UPS

sent_a=$(stream_field ipip sent)
secs_a=$(stream_field ipip seconds)
got_a=$(sink_field ipip count)
bad_a=$(sink_field ipip bad)
check "alice: $got_a of $sent_a packets arrived (${secs_a}s at $RATE_A/s), each index once (repeats: $bad_a)" \
	test "$got_a" = "$sent_a" -a "$bad_a" = 0 -a "$sent_a" -gt $((RATE_A * 5))
a_up=$(stat sub alice up packets)
check "alice's up packets count every packet sent, never reset ($a_up of $sent_a)" \
	test "$a_up" = "$sent_a"

sent_b=$(stream_field gre-key sent)
secs_b=$(stream_field gre-key seconds)
got_b=$(sink_field gre-key count)
b_up=$(stat sub bob up packets)
b_pol=$(stat sub bob reasons policed_up)
# Every one of alice's is counted as hers (checked above): what the data
# plane handed to the kernel to forward (no neighbour entry yet, say) is
# bob's, not counted per subscriber.
b_kern=$(($(passed_to_kernel) - kern0))
# GCRA: the rate over the whole time plus one burst; each reset of the
# bucket would let about another burst through.
read -r exp_b slack_b < <($PY -c 'import sys
s, r, b, l = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
e = (s * r + b) / l
print(int(e), int(max(0.03 * e, b / l / 2)))' "$secs_b" $BOB_BYTES_S $BOB_BURST $BOB_LEN)
check "bob: $got_b arrived, expected $exp_b +- $slack_b at $BOB_RATE over ${secs_b}s with one burst (a reset bucket adds $((BOB_BURST / BOB_LEN)) each)" \
	test $((got_b - exp_b)) -le "$slack_b" -a $((exp_b - got_b)) -le "$slack_b"
check "bob's counters: $b_up forwarded + $b_pol policed + $b_kern to the kernel = $sent_b sent" \
	test $((b_up + b_pol + b_kern)) = "$sent_b" -a $((b_up + b_kern)) = "$got_b"

# --- 2. layout 1 is migrated by up, refused by sync ------------------------
alice_id=$(tg -j sub show alice | $PY -c 'import json, sys; print(json.load(sys.stdin)["dp_id"])')
key=$($PY -c 'import sys; print(*int(sys.argv[1]).to_bytes(4, "little"))' "$alice_id")
# max: the subscriber capacity; tg_sub_stats has a line per subscriber
# and CPU (new_size bytes, the counters first: COUNTERS_SIZE).
max=$(bpftool -j map show pinned "$PIN/tg_encap" | $PY -c 'import json, sys; print(json.load(sys.stdin)["max_entries"])')
lines=$(bpftool -j map show pinned "$PIN/tg_sub_stats" | $PY -c 'import json, sys; print(json.load(sys.stdin)["max_entries"])')
ncpu=$((lines / max))
check "tg_sub_stats: a line for each of $max subscribers on each of $ncpu CPUs ($lines)" \
	test "$ncpu" -ge 1 -a $((ncpu * max)) = "$lines"
new_size=$(bpftool -j map show pinned "$PIN/tg_sub_stats" | $PY -c 'import json, sys; print(json.load(sys.stdin)["bytes_value"])')
COUNTERS_SIZE=160
# The old per-CPU value: one counter fewer; counter n holds n + 1.
old_size=$((COUNTERS_SIZE - 8))
counters() {
	$PY -c 'import sys
n, old = int(sys.argv[1]) // 8, int(sys.argv[2]) // 8
print(*b"".join((i + 1 if i < old else 0).to_bytes(8, "little") for i in range(n)))' "$@"
}
old_val=$(counters $old_size $old_size)
bpftool map create "$PIN/tg_sub_stats_old" type percpu_array key 4 \
	value $old_size entries "$max" name tg_sub_stats &&
	bpftool map update pinned "$PIN/tg_sub_stats_old" key $key value $old_val &&
	mv "$PIN/tg_sub_stats_old" "$PIN/tg_sub_stats" ||
	die "making an old-layout tg_sub_stats"
set_meta_layout() {
	local v
	v=$(bpftool -j map lookup pinned "$PIN/tg_meta" key 0 0 0 0 | $PY -c 'import json, sys
v = [int(b, 16) for b in json.load(sys.stdin)["value"]]
v[:4] = int(sys.argv[1]).to_bytes(4, "little")
print(*v)' "$1")
	bpftool map update pinned "$PIN/tg_meta" key 0 0 0 0 value $v
}
# police_value ID [MAP]: hex bytes of MAP[ID] (default tg_police, the
# slot in force after to_layout1.py).
police_value() {
	local k
	k=$($PY -c 'import sys; print(*int(sys.argv[1]).to_bytes(4, "little"))' "$1")
	bpftool -j map lookup pinned "$PIN/${2:-tg_police}" key $k | $PY -c 'import json, sys
print(" ".join("%02x" % int(b, 16) for b in json.load(sys.stdin)["value"]))'
}
bob_id=$(tg -j sub show bob | $PY -c 'import json, sys; print(json.load(sys.stdin)["dp_id"])')
l1=$($PY "$E2E/to_layout1.py" "$PIN") || die "rewriting the maps as layout 1"
bob_pol=$(police_value "$bob_id")
step "maps rewritten as layout 1 ($l1)" \
	test ! -e "$PIN/tg_gen" -a ! -e "$PIN/tg_encap1" -a ! -e "$PIN/tg_police1"
set_meta_layout 1 || die "setting tg_meta's layout to 1"
old_id=$(map_id tg_sub_stats)
old_p4=$(map_id tg_prefix4)
# prefix4_value PREFIX: hex bytes of the value of a tg_prefix4 key.
prefix4_value() {
	local k
	k=$($PY -c 'import ipaddress, sys
n = ipaddress.ip_network(sys.argv[1])
print(*(n.prefixlen.to_bytes(4, "little") + n.network_address.packed))' "$1")
	bpftool -j map lookup pinned "$PIN/tg_prefix4" key $k | $PY -c 'import json, sys
print(" ".join("%02x" % int(b, 16) for b in json.load(sys.stdin)["value"]))'
}
alice_p4=$(tg -j sub show alice | $PY -c 'import json, sys; print(json.load(sys.stdin)["prefixes"][0])')

tg sync >"$TMP/sync.out" 2>&1
rc=$?
check "sync refuses the old layout (status $rc)" test $rc != 0
check "sync's message names tg_sub_stats and says to run up" \
	grep -q "map tg_sub_stats .* run tungate up to migrate" "$TMP/sync.out"
check "sync's message names tg_prefix4 too" \
	grep -q "map tg_prefix4 is lpm_trie key 8 value 4 .* run tungate up to migrate" "$TMP/sync.out"
check "sync changed nothing (tg_sub_stats $old_id, tg_prefix4 $old_p4, no tg_gen, layout 1)" \
	test "$(map_id tg_sub_stats)" = "$old_id" -a "$(map_id tg_prefix4)" = "$old_p4" \
	-a ! -e "$PIN/tg_gen" -a "$(meta_layout)" = 1
a4=$(prefix4_value "$alice_p4")
check "layout 1: alice's prefix $alice_p4 holds her bare sub_id ($a4)" \
	test "$a4" = "$(printf '%02x %02x %02x %02x' $key)"

check "up migrates" tg up --subscriber-if "$IF_CSUB" --uplink-if "$IF_CUP"
cp "$TMP/out" "$TMP/migrate.out"
check "up said it migrated tg_sub_stats" \
	grep -q "map tg_sub_stats migrated from layout 1" "$TMP/migrate.out"
check "up said it migrated tg_prefix4 and tg_prefix6" \
	sh -c "grep -q 'map tg_prefix4 migrated from layout 1 (lpm_trie key 8 value 4 .*value 8' '$TMP/migrate.out' &&
		grep -q 'map tg_prefix6 migrated from layout 1' '$TMP/migrate.out'"
check "up said it migrated tg_police" \
	grep -q "map tg_police migrated from layout 1 (array key 4 value 40 .*value 64" "$TMP/migrate.out"
zeros=$($PY -c 'print(" ".join(["00"] * 24))')
check "bob's tg_police entry: his rate kept, no prefixes yet ($(police_value "$bob_id"))" \
	test "$(police_value "$bob_id")" = "$bob_pol $zeros"
a4=$(prefix4_value "$alice_p4")
check "alice's prefix is now her slot-0 claim, no second claim ($a4)" \
	test "$a4" = "$(printf '%02x %02x %02x %02x' $key) 00 00 00 00"
check "tg_prefix4 is a new map ($old_p4 -> $(map_id tg_prefix4))" \
	test "$(map_id tg_prefix4)" != "$old_p4"
gen_max=$(bpftool -j map show pinned "$PIN/tg_gen" | $PY -c 'import json, sys; print(json.load(sys.stdin)["max_entries"])')
check "tg_gen, tg_encap1, tg_police1 created, sized for the $max subscribers ($gen_max)" \
	test -e "$PIN/tg_encap1" -a -e "$PIN/tg_police1" -a "$gen_max" = "$max"
# pfx_state: "filled ENTRIES" or "empty ENTRIES": the IPv4 set in force of
# tg_pfx_lens and the entries of tg_pfx4.
pfx_state() {
	local n
	n=$(bpftool -j map dump pinned "$PIN/tg_pfx4" | $PY -c 'import json, sys; print(len(json.load(sys.stdin)))')
	bpftool -j map lookup pinned "$PIN/tg_pfx_lens" key 0 0 0 0 | $PY -c 'import json, sys
v = [int(b, 16) for b in json.load(sys.stdin)["value"]]
s = 8 + 16 * (v[0] & 1)
print("filled" if v[s] else "empty", sys.argv[1])' "$n"
}
p4_max=$(bpftool -j map show pinned "$PIN/tg_prefix4" | $PY -c 'import json, sys; print(json.load(sys.stdin)["max_entries"])')
h4_max=$(bpftool -j map show pinned "$PIN/tg_pfx4" | $PY -c 'import json, sys; print(json.load(sys.stdin)["max_entries"])')
check "tg_pfx4 created empty, sized like tg_prefix4 ($h4_max of $p4_max), the tries in force ($(pfx_state))" \
	test "$h4_max" = "$p4_max" -a "$(pfx_state)" = "empty 0"
alice_gen=$(bpftool -j map lookup pinned "$PIN/tg_gen" key $key | $PY -c 'import json, sys
print(int("".join(b[2:] for b in reversed(json.load(sys.stdin)["value"])), 16))')
check "alice's slot in force is 0 (got $alice_gen)" test "$alice_gen" = 0
new_id=$(map_id tg_sub_stats)
vsize=$(bpftool -j map show pinned "$PIN/tg_sub_stats" | $PY -c 'import json, sys; print(json.load(sys.stdin)["bytes_value"])')
check "tg_sub_stats is a new map ($old_id -> $new_id) of $new_size byte values (got $vsize)" \
	test "$new_id" != "$old_id" -a "$vsize" = "$new_size"
# Alice's line of every CPU (at sub_id * ncpu + cpu): what the old map held
# for that CPU, the rest zero.
migrated_ok() {
	local c k
	for ((c = 0; c < ncpu; c++)); do
		k=$($PY -c 'import sys; print(*int(sys.argv[1]).to_bytes(4, "little"))' \
			$((alice_id * ncpu + c)))
		bpftool -j map lookup pinned "$PIN/tg_sub_stats" key $k | $PY -c 'import json, sys
want = [int(b) for b in sys.argv[1].split()]
sys.exit([int(b, 16) for b in json.load(sys.stdin)["value"]] != want)' \
			"$(counters $new_size $old_size)" || return 1
	done
}
check "alice's entry kept on every CPU, the added counter zero" migrated_ok
check "tg_meta records layout $LAYOUT again (got $(meta_layout))" \
	test "$(meta_layout)" = "$LAYOUT"
check "no temporary pin left" test ! -e "$PIN/tg_sub_stats_migrating"
prog=$(link_prog "$IF_CSUB")
check "the program now uses the migrated map" \
	sh -c "echo ' $(prog_maps "$prog") ' | grep -q ' $new_id '"
check "sync accepts the migrated maps" tg sync
p4_n=$(bpftool -j map dump pinned "$PIN/tg_prefix4" | $PY -c 'import json, sys; print(len(json.load(sys.stdin)))')
check "sync filled tg_pfx4 like tg_prefix4 ($p4_n entries) and put it in force ($(pfx_state))" \
	test "$(pfx_state)" = "filled $p4_n"
check "a full sync" tg sync --full
# alice_src: "SRC SRC4": the flags and the IPv4 prefix of alice's entry
# in the slot in force (the sync wrote the other one, then flipped).
alice_src() {
	local map=tg_police
	[ "$(bpftool -j map lookup pinned "$PIN/tg_gen" key $key | $PY -c 'import json, sys
print(int(json.load(sys.stdin)["value"][0], 16))')" = 1 ] && map=tg_police1
	police_value "$alice_id" $map | $PY -c 'import ipaddress, sys
v = bytes.fromhex(sys.stdin.read().replace(" ", ""))
print(v[63], "%s/%d" % (ipaddress.ip_address(v[40:44]), v[60]))'
}
check "the full sync wrote alice's own prefix into her tg_police entry ($(alice_src))" \
	test "$(alice_src)" = "$((0x01 | 0x02 | 0x04)) $alice_p4"
before=$(stat sub alice up packets)
sink_start || die "UDP receiver did not start"
send ipip 50 || fail "sending ipip frames"
sink_stop
after=$(stat sub alice up packets)
check "after the migration: 50 of 50 arrived (got $(sink_field ipip count)), alice's up packets go on from the migrated ones ($before -> $after)" \
	test "$(sink_field ipip count)" = 50 -a "$before" = "$ncpu" -a "$after" = $((ncpu + 50))

# --- 3. a change without a known migration is refused ----------------------
mv "$PIN/tg_tunnels" "$PIN/tg_tunnels_saved" &&
	bpftool map create "$PIN/tg_tunnels" type hash key 12 value 32 \
		entries 16 name tg_tunnels || die "making a foreign tg_tunnels"
before_pins=$(pins_state)
tg up --subscriber-if "$IF_CSUB" --uplink-if "$IF_CUP" >"$TMP/up.out" 2>&1
rc=$?
check "up refuses tg_tunnels with another key size (status $rc)" test $rc != 0
check "the message names the map, both shapes and the way out" \
	grep -q "map tg_tunnels is hash key 12 .*needs hash key 16 .*'tungate down' then 'tungate up'" "$TMP/up.out"
sed 's/^/       /' "$TMP/up.out"
check "nothing changed: same pins, maps and programs" \
	test "$before_pins" = "$(pins_state)"
sync_refused() { ! tg sync; }
check "sync refuses it too" sync_refused
rm -f "$PIN/tg_tunnels" && mv "$PIN/tg_tunnels_saved" "$PIN/tg_tunnels"
check "with the map back, up works again" \
	tg up --subscriber-if "$IF_CSUB" --uplink-if "$IF_CUP"

check "down" tg down
check "down: pin root $PIN removed" test ! -e "$PIN"
finish
