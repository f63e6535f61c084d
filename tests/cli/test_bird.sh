#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# tungate bird: the include file's content (IPv4 and IPv6 prefixes of the
# enabled subscribers only, accepted by `bird -p`), atomic replacement only
# when the content changes, refusals (missing or bad options, a directory, a
# missing or read-only directory, no database) and BIRD reconfiguration
# through birdc: accepted by a running BIRD (its routes are the file's), and
# a refusal reported with BIRD's own message and the file kept.
# What this POP announces: no routes while its data plane is not attached
# or it is drained (tungate drain), the anycast prefixes, the MED of a
# subscriber with a home POP, a dial-in member's prefixes only with its
# session here.
#
# All but the detached include needs root and bpffs (tungate up on a veth
# in a namespace), the BIRD part bird2: outside CI it says SKIP for them;
# with CI=true a skip fails.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1

TG=$PWD/build/tungate
REAL_TG=$TG
TMP=$(mktemp -d /tmp/tg-bird-test.XXXXXX)
DB=$TMP/tungate.db
NS=tg-bird-test-$$
PIN=/sys/fs/bpf/tg-bird-test-$$
SUITE="cli bird"
. tests/e2e/result.sh
. tests/cli/tg_db.sh

cleanup() {
	[ -s "$TMP/bird.pid" ] && kill "$(cat "$TMP/bird.pid")" 2>/dev/null
	[ -d "$PIN" ] && tg_db_opts && nsenter --net=/run/netns/"$NS" \
		"$REAL_TG" "${TG_DB_OPTS[@]}" --pin-root "$PIN" down >/dev/null 2>&1
	rm -rf "$PIN"
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap "exit 1" INT TERM

# refused WHAT MESSAGE CMD...: non-zero exit, "tungate: ...MESSAGE" on
# stderr, nothing on stdout.
refused() {
	local what=$1 msg=$2
	shift 2
	if "$@" >"$TMP/o" 2>"$TMP/e"; then
		fail "$what: accepted"
	elif ! grep -q "^tungate: .*$msg" "$TMP/e" || [ -s "$TMP/o" ]; then
		fail "$what: stdout '$(cat "$TMP/o")', stderr '$(cat "$TMP/e")', expected '$msg'"
	else
		ok "$what: refused ($(head -1 "$TMP/e"))"
	fi
}

[ -x "$TG" ] || skip "build first: make"

tg db init >/dev/null || die "db init"
tg sub add alice --type gre --key 7 --remote 192.0.2.10 --local 192.0.2.1 \
	--prefix 100.64.1.0/24 --prefix 2001:db8:1::/48 >/dev/null &&
tg sub add bob --type l2tpv2 --tunnel-id 1 --session 2 --remote 192.0.2.11 \
	--local 192.0.2.1 --prefix 100.64.2.0/28 --prefix 100.64.2.64/26 \
	>/dev/null &&
tg sub add carol --type sit --remote 192.0.2.12 --local 192.0.2.1 \
	--prefix 2001:db8:3::/48 >/dev/null &&
tg sub add dave --type gre --remote 192.0.2.13 --local 192.0.2.1 \
	--prefix 100.64.4.0/24 --prefix 2001:db8:4::/48 >/dev/null &&
tg sub disable dave >/dev/null || die "sub add"

check "bird help" sh -c "'$TG' bird help | grep -q 'Usage: tungate bird'"

# No data plane attached here: the protocols are there, without routes.
tg config set anycast 192.0.2.1/32,2001:db8::1/128 >/dev/null || die "anycast"
tg bird --output "$TMP/detached.conf" >"$TMP/w" 2>&1
check "detached: no routes ($(cat "$TMP/w"))" grep -q \
	"^wrote $TMP/detached.conf (0 IPv4, 0 IPv6 routes; withdrawn (data plane detached))$" "$TMP/w"
check "detached: both protocols, no route" sh -c "
	grep -q '^protocol static tungate4 {' '$TMP/detached.conf' &&
	grep -q '^protocol static tungate6 {' '$TMP/detached.conf' &&
	! grep -q '^.route' '$TMP/detached.conf'"
tg -j bird --output "$TMP/detached.conf" >"$TMP/j" 2>&1
check "detached: -j state detached" /usr/bin/python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
sys.exit(0 if j["state"] == "detached" and j["routes4"] == 0 else 1)' "$TMP/j"
tg config set anycast none >/dev/null || die "anycast none"

# From here on the data plane is attached: up on a veth in a namespace.
[ "$(id -u)" = 0 ] || skip "needs root to attach the data plane (the rest)"
mountpoint -q /sys/fs/bpf || skip "no bpffs at /sys/fs/bpf (the rest)"
ip netns add "$NS" || die "ip netns add"
ip -n "$NS" link add tgb0 type veth peer name tgb1 &&
	ip -n "$NS" link set tgb0 up && ip -n "$NS" link set tgb1 up ||
	die "veth in $NS"
tg_db_opts
nsenter --net=/run/netns/"$NS" "$TG" "${TG_DB_OPTS[@]}" --pin-root "$PIN" up \
	--subscriber-if tgb0 >"$TMP/up" 2>&1 || die "up: $(cat "$TMP/up")"
# Every command below sees that data plane.
cat >"$TMP/tgx" <<EOF
#!/bin/sh
exec /usr/bin/nsenter --net=/run/netns/$NS "$REAL_TG" --pin-root "$PIN" "\$@"
EOF
chmod +x "$TMP/tgx"
TG=$TMP/tgx
refused "no --output" "--output FILE is required" tg bird
refused "--output without a value" "" tg bird --output
refused "unknown option" "unexpected argument '--bogus'" \
	tg bird --output "$TMP/x" --bogus
refused "empty --output" "output '': empty path" tg bird --output ""
refused "--output a directory" "output '$TMP': not a regular file" \
	tg bird --output "$TMP"
refused "--output in a missing directory" "No such file or directory" \
	tg bird --output "$TMP/none/bird.conf"
refused "no database" "" "$TG" --db "$TMP/none.db" bird --output "$TMP/x.conf"
check "nothing written by the refusals" test ! -e "$TMP/x.conf" -a ! -e "$TMP/x"

OUT=$TMP/etc/bird-tungate.conf
mkdir -p "$TMP/etc"
tg bird --output "$OUT" >"$TMP/w" 2>&1
check "bird --output writes the file: $(cat "$TMP/w")" \
	grep -q "^wrote $OUT (3 IPv4, 2 IPv6 routes; announcing)$" "$TMP/w"
# The routes of each protocol, in order, without the comments.
routes() {
	sed -n "/^protocol static $1 {/,/^}/p" "$OUT" |
		sed -n 's/^\troute \([^ ]*\) blackhole { krt_metric = 4294967295; };.*/\1/p' |
		tr '\n' ' '
}
r4=$(routes tungate4)
r6=$(routes tungate6)
check "tungate4: alice's and bob's IPv4 prefixes ($r4)" \
	test "$r4" = "100.64.1.0/24 100.64.2.0/28 100.64.2.64/26 "
check "tungate6: alice's and carol's IPv6 prefixes ($r6)" \
	test "$r6" = "2001:db8:1::/48 2001:db8:3::/48 "
check "disabled dave is not in it" sh -c "! grep -q -e dave -e 100.64.4 -e 2001:db8:4 '$OUT'"
check "ipv4 and ipv6 channels" \
	sh -c "grep -A1 'protocol static tungate4' '$OUT' | grep -q '^	ipv4;$' &&
		grep -A1 'protocol static tungate6' '$OUT' | grep -q '^	ipv6;$'"
check "mode 0644" test "$(stat -c %a "$OUT")" = 644

ino=$(stat -c %i "$OUT")
tg bird --output "$OUT" >"$TMP/w" 2>&1
check "unchanged database: bird says current ($(cat "$TMP/w"))" grep -q 'is current' "$TMP/w"
check "unchanged database: file not replaced (same inode)" \
	test "$(stat -c %i "$OUT")" = "$ino"
tg -j bird --output "$OUT" >"$TMP/j" 2>&1
check "-j: changed false, 3 and 2 routes" /usr/bin/python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
sys.exit(0 if j["changed"] is False and j["reconfigured"] is False and
         j["routes4"] == 3 and j["routes6"] == 2 else 1)' "$TMP/j"

tg sub enable dave >/dev/null
tg bird --output "$OUT" >"$TMP/w" 2>&1
check "enabled dave: written again ($(cat "$TMP/w"))" \
	grep -q '^wrote .*(4 IPv4, 3 IPv6 routes; announcing)' "$TMP/w"
check "replaced by rename (new inode)" test "$(stat -c %i "$OUT")" != "$ino"
check "dave's prefixes in it" grep -q '2001:db8:4::/48' "$OUT"
check "no temporary file left" test "$(ls "$TMP/etc")" = bird-tungate.conf

# A directory that cannot be written: the old file stays as it was.
cp "$OUT" "$TMP/before.conf"
tg sub disable dave >/dev/null
ro_dir() {
	if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
		# root writes through permissions: a read-only bind mount.
		tg_db_opts
		unshare -m sh -c 'mount --bind -o ro "$1" "$1" && shift && exec "$@"' \
			sh "$TMP/etc" "$TG" "${TG_DB_OPTS[@]}" bird --output "$OUT"
	else
		chmod 555 "$TMP/etc"
		tg bird --output "$OUT"
		local rc=$?
		chmod 755 "$TMP/etc"
		return $rc
	fi
}
refused "read-only directory" \
	"output '$OUT': cannot create a temporary file beside it: Read-only file system\|Permission denied" \
	ro_dir
check "read-only directory: file unchanged" cmp -s "$OUT" "$TMP/before.conf"

refused "birdc socket that does not exist" "birdc -s '$TMP/none.ctl' configure failed" \
	tg bird --output "$OUT" --birdc-socket "$TMP/none.ctl"
check "birdc failure: the file is written all the same" \
	sh -c "! grep -q 2001:db8:4 '$OUT'"
tg sub enable dave >/dev/null
tg -j bird --output "$OUT" --birdc-socket "$TMP/none.ctl" >"$TMP/j" 2>"$TMP/e"
check "-j: a birdc failure is one {\"error\": ...} line on stdout" /usr/bin/python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
sys.exit(0 if len(lines) == 1 and "configure failed" in json.loads(lines[0])["error"] else 1)' "$TMP/j"
tg sub disable dave >/dev/null
ln -s "$OUT" "$TMP/link.conf"
link_kept() {
	tg bird --output "$TMP/link.conf" >/dev/null &&
		test -L "$TMP/link.conf" && ! grep -q 2001:db8:4 "$OUT"
}
check "a symbolic link stays; its target is replaced" link_kept
tg sub enable dave >/dev/null
# no_path CMD...: CMD (a function too) with a PATH finding nothing.
no_path() {
	local PATH=/nonexistent
	"$@"
}
refused "no birdc on PATH" "configure failed: cannot run birdc" \
	no_path tg bird --output "$OUT" \
	--birdc-socket "$TMP/none.ctl"

# With BIRD itself.
if ! command -v bird >/dev/null || ! command -v birdc >/dev/null; then
	skip "bird2 not installed (BIRD part)"
fi
[ "$(id -u)" = 0 ] || skip "needs root to run BIRD in a namespace"
cat >"$TMP/bird.conf" <<EOF
router id 192.0.2.1;
protocol device {}
include "$OUT";
EOF
check "bird -p accepts a configuration including it" bird -p -c "$TMP/bird.conf"
ip netns exec "$NS" bird -c "$TMP/bird.conf" -s "$TMP/bird.ctl" -P "$TMP/bird.pid" ||
	die "bird did not start"
for _ in $(seq 50); do
	[ -S "$TMP/bird.ctl" ] && break
	sleep 0.1
done
tg sub disable carol >/dev/null
tg bird --output "$OUT" --birdc-socket "$TMP/bird.ctl" >"$TMP/w" 2>&1
check "bird --birdc-socket: written and BIRD reconfigured ($(cat "$TMP/w"))" \
	grep -q 'BIRD reconfigured' "$TMP/w"
birdc -s "$TMP/bird.ctl" show route >"$TMP/routes"
n=$(grep -c ' blackhole \[tungate[46] ' "$TMP/routes")
check "BIRD has the file's 4 + 2 routes (got $n)" test "$n" = 6
check "BIRD dropped disabled carol's 2001:db8:3::/48" \
	sh -c "! grep -q '2001:db8:3::/48' '$TMP/routes'"
# BIRD refuses its configuration: its message, exit 1, the file kept.
echo "bogus_statement;" >>"$TMP/bird.conf"
tg sub enable carol >/dev/null
refused "BIRD refuses the configuration" \
	"configure failed: .*bird.conf:4:.*syntax error" \
	tg bird --output "$OUT" --birdc-socket "$TMP/bird.ctl"
check "BIRD refused: the new file is kept" grep -q '2001:db8:3::/48' "$OUT"
check "BIRD refused: BIRD still runs (and has the old routes)" \
	sh -c "birdc -s '$TMP/bird.ctl' show route | grep -q '100.64.1.0/24' &&
		! birdc -s '$TMP/bird.ctl' show route | grep -q '2001:db8:3::/48'"
sed -i '/^bogus_statement;$/d' "$TMP/bird.conf"

# --- What this POP announces -------------------------------------------------
tg config set anycast 192.0.2.1/32,2001:db8::1/128 >/dev/null &&
	tg pop name bcn-1 >/dev/null &&
	tg sub set alice --home-pop bcn-1 >/dev/null &&
	tg sub set carol --home-pop vlc-1 >/dev/null || die "anycast, home POPs"
tg bird --output "$OUT" --birdc-socket "$TMP/bird.ctl" >"$TMP/w" 2>&1
check "anycast and home POPs: written, BIRD reconfigured ($(cat "$TMP/w"))" \
	grep -q "^wrote $OUT (5 IPv4, 4 IPv6 routes; announcing); BIRD reconfigured$" "$TMP/w"
M=4294967295
# line PROTOCOL TEXT: TEXT is a whole line of that protocol.
line() {
	sed -n "/^protocol static $1 {/,/^}/p" "$OUT" | grep -qxF "$2"
}
check "anycast IPv4 route" line tungate4 "	route 192.0.2.1/32 blackhole { krt_metric = $M; };	# anycast"
check "anycast IPv6 route" line tungate6 "	route 2001:db8::1/128 blackhole { krt_metric = $M; };	# anycast"
check "alice at her home POP: MED 0" \
	line tungate4 "	route 100.64.1.0/24 blackhole { krt_metric = $M; bgp_med = 0; };	# alice"
check "carol away from her home POP: MED 100" \
	line tungate6 "	route 2001:db8:3::/48 blackhole { krt_metric = $M; bgp_med = 100; };	# carol"
check "bob without a home POP: no MED" \
	line tungate4 "	route 100.64.2.0/28 blackhole { krt_metric = $M; };	# bob"
check "bird -p accepts the MEDs" bird -p -c "$TMP/bird.conf"
birdc -s "$TMP/bird.ctl" show route all >"$TMP/routes"
check "BIRD: carol's route carries MED 100" sh -c \
	"grep -A6 '^2001:db8:3::/48' '$TMP/routes' | grep -q 'BGP.med: 100'"
check "BIRD: the anycast routes" sh -c \
	"grep -q '^192.0.2.1/32 ' '$TMP/routes' && grep -q '^2001:db8::1/128 ' '$TMP/routes'"

# A dial-in member's prefixes: only on the POP holding its session.
tg sub add erin --type l2tpv2 --user erin@exo.cat --password s3cret \
	--prefix 100.64.5.1/32 >/dev/null || die "dial-in member"
tg bird --output "$OUT" >/dev/null
check "dial-in member without a session here: not announced" \
	sh -c "! grep -q '100.64.5.1/32' '$OUT'"
# The session as the daemon writes it: this POP's own, in its database
# file or, against PostgreSQL, its snapshot.
sqlite3 "$DB" "INSERT INTO session(subscriber_id, remote, local, peer_port,
	local_port, tunnel_id, session_id, peer_tunnel_id, peer_session,
	started, state) SELECT id, '192.0.2.5', '198.51.100.1', 1701, 1701, 3,
	4, 5, 6, 1000, 'up' FROM subscriber WHERE name = 'erin'" ||
	die "session of erin"
tg bird --output "$OUT" >/dev/null
check "dial-in member with its session here: announced" \
	line tungate4 "	route 100.64.5.1/32 blackhole { krt_metric = $M; };	# erin"

# Drained: no routes, BIRD withdraws them; back with drain --off.
tg drain --bird-output "$OUT" --birdc-socket "$TMP/bird.ctl" >"$TMP/w" 2>&1
check "drain: $(cat "$TMP/w")" grep -qx "POP bcn-1 drained: drained" "$TMP/w"
check "drained: both protocols, no route" sh -c "
	grep -q '^protocol static tungate4 {' '$OUT' &&
	grep -q '^protocol static tungate6 {' '$OUT' && ! grep -q '^.route' '$OUT'"
check "drained: bird -p accepts it" bird -p -c "$TMP/bird.conf"
n=$(birdc -s "$TMP/bird.ctl" show route | grep -c ' blackhole \[tungate[46] ')
check "drained: BIRD has no route of tungate (got $n)" test "$n" = 0
tg -j bird --output "$OUT" >"$TMP/j" 2>&1
check "drained: bird -j says so" grep -q '"state":"drained"' "$TMP/j"
tg -j status >"$TMP/j" 2>&1
check "drained: status -j bgp drained" grep -q '"bgp":"drained"' "$TMP/j"
tg drain --bird-output "$OUT" --birdc-socket "$TMP/bird.ctl" >"$TMP/w" 2>&1
check "drain again: $(cat "$TMP/w")" grep -qx "POP bcn-1 drained already: drained" "$TMP/w"
tg drain --off --bird-output "$OUT" --birdc-socket "$TMP/bird.ctl" >"$TMP/w" 2>&1
check "drain --off: $(cat "$TMP/w")" grep -qx "POP bcn-1 resumed: announcing" "$TMP/w"
n=$(birdc -s "$TMP/bird.ctl" show route | grep -c ' blackhole \[tungate[46] ')
check "resumed: BIRD has the 10 routes again (got $n)" test "$n" = 10
tg status >"$TMP/w" 2>&1
check "status: bgp announcing" grep -qx "bgp         announcing" "$TMP/w"

finish
