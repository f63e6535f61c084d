#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The tungate command line on a temporary database: db init, sub add of every
# tunnel type, list/show, refusals (clear message, non-zero exit, database
# file unchanged), del, config, and sync on a private pin root when root.
set -uo pipefail
cd "$(dirname "$0")/../.."

TG=${TUNGATE:-build/tungate}
PY=/usr/bin/python3
TMP=$(mktemp -d /tmp/tg-cli-test.XXXXXX)
PIN=/sys/fs/bpf/tg-cli-test-$$
DB=$TMP/var/tungate.db
RUN_PID=
# The schema version this build writes (db/conn.h).
V=$(sed -n 's/^#define TG_DB_VERSION \([0-9]*\)$/\1/p' loader/db/conn.h)
RUN_PID=
cleanup() {
	[ -n "$RUN_PID" ] && kill "$RUN_PID" 2>/dev/null && wait "$RUN_PID"
	rm -rf "$TMP"
	[ -d "$PIN" ] && rm -rf "$PIN"
	[ -d "$PIN-small" ] && rm -rf "$PIN-small"
}
trap cleanup EXIT

. tests/cli/lib.sh

add() { tg sub add "$@"; }
L=(--local 198.51.100.1)

# --- build ------------------------------------------------------------------
# The test hooks (TUNGATE_TEST_*) exist only in the test build
# (build/test/tungate); the binary under test has none. The test build,
# when there, shows that the search finds them.
if strings "$TG" | grep TUNGATE_TEST_ >"$TMP/hooks"; then
	bad "$TG reads test hooks: $(tr '\n' ' ' <"$TMP/hooks")"
else
	ok
fi
TG_TEST=$(dirname "$TG")/test/tungate
if [ -x "$TG_TEST" ]; then
	strings "$TG_TEST" | grep TUNGATE_TEST_SYNC_KILL_AFTER >/dev/null && ok ||
		bad "$TG_TEST: no test hook found"
fi

# --- database ---------------------------------------------------------------
expect_refused "list before init" "does not exist; run 'tungate db init'" tg sub list
# A mistyped path is refused, not created: the directory must exist.
expect_refused "db init without its directory" \
	"directory $TMP/var does not exist; create it first" tg db init
[ -e "$TMP/var" ] && bad "db init made $TMP/var" || ok
mkdir -m 0700 "$TMP/var" "$TMP/modes"
expect_ok "db init" tg db init
[ -f "$DB" ] && ok || bad "db init made no file"
cp "$DB" "$TMP/init.db"
expect_ok "db init again" tg db init
cmp -s "$DB" "$TMP/init.db" && ok || bad "second db init changed the file"
expect_ok "db init -j" tg -j db init
json_check "db init -j" "j['version'] == $V"
expect_ok "TUNGATE_DB" env TUNGATE_DB="$DB" "$TG" sub list

# The database holds cookies and secrets: 0600 whatever the umask, and so
# are its -wal and -shm files (held open by a reader while tungate writes).
D0=$TMP/modes/tungate.db
(umask 022 && "$TG" --db "$D0" db init >/dev/null) || bad "db init under umask 022"
mode=$(stat -c %a "$D0" 2>/dev/null)
[ "$mode" = 600 ] && ok || bad "new database is mode $mode under umask 022, want 600"
if $PY - "$D0" "$TG" >"$TMP/out" 2>&1 <<'PY'
import os, sqlite3, subprocess, sys
db, tg = sys.argv[1:]
os.umask(0o022)
reader = sqlite3.connect(db)
reader.execute("SELECT count(*) FROM subscriber").fetchall()
subprocess.run([tg, "--db", db, "sub", "add", "m", "--type", "ipip",
                "--remote", "192.0.2.80", "--local", "198.51.100.1"],
               check=True, capture_output=True)
modes = {s: oct(os.stat(db + s).st_mode & 0o777) for s in ("-wal", "-shm")}
print(modes)
sys.exit(0 if set(modes.values()) == {"0o600"} else 1)
PY
then ok; else bad "write-ahead log and shared memory modes: $(cat "$TMP/out")"; fi
expect_refused "--db wins over TUNGATE_DB" "$TMP/nope.db does not exist" \
	env TUNGATE_DB="$DB" "$TG" --db "$TMP/nope.db" sub list

# --- every tunnel type ------------------------------------------------------
expect_ok "add ipip" add t-ipip --type ipip --remote 192.0.2.10 "${L[@]}" \
	--prefix 100.64.0.0/28
expect_ok "add sit" add t-sit --type sit --remote 192.0.2.11 "${L[@]}" \
	--prefix 2001:db8:11::/48 --mtu 1480
expect_ok "add gre keyed" add t-gre --type gre --remote 192.0.2.12 "${L[@]}" \
	--key 4294967295 --prefix 100.64.0.16/28 --prefix 2001:db8:12::/48
expect_ok "add gre keyless" add t-gre0 --type gre --remote 192.0.2.12 "${L[@]}" \
	--prefix 100.64.0.32/28
expect_ok "add gretap" add t-gretap --type gretap --remote 192.0.2.13 "${L[@]}" \
	--key 0 --prefix 100.64.0.48/28
expect_ok "add eoip" add t-eoip --type eoip --remote 192.0.2.14 "${L[@]}" \
	--tunnel-id 0 --prefix 100.64.0.64/28
expect_ok "add l2tpv3-ip" add t-l3ip --type l2tpv3-ip --remote 192.0.2.15 "${L[@]}" \
	--session 1 --cookie 0A0b0c0d --sublayer none --prefix 100.64.0.80/28
expect_ok "add l2tpv3-udp" add t-l3udp --type l2tpv3-udp --remote 192.0.2.16 "${L[@]}" \
	--session 4294967295 --cookie 0102030405060708 --prefix 100.64.0.96/28
expect_ok "add l2tpv2" add t-l2 --type l2tpv2 --remote 192.0.2.17 "${L[@]}" \
	--tunnel-id 65535 --session 1 --mtu 1280 --prefix 2001:db8:17::/48
expect_ok "add disabled" add t-off --type ipip --remote 192.0.2.18 "${L[@]}" \
	--disabled --note 'spare "line" 3'
expect_ok "add -j" tg -j sub add t-j --type ipip --remote 192.0.2.19 "${L[@]}"
json_check "add -j" "j['name'] == 't-j' and j['dp_id'] == 11 and j['prefixes'] == []"

expect_ok "list -j" tg sub list -j
json_check "list -j count" "len(j) == 11"
json_check "list -j sorted" "[s['name'] for s in j] == sorted(s['name'] for s in j)"
json_check "list -j dp_ids" "sorted(s['dp_id'] for s in j) == list(range(1, 12))"
expect_ok "global -j list" tg -j sub list
json_check "global -j list" "len(j) == 11"
expect_ok "show gre -j" tg sub show t-gre -j
json_check "show gre" "j['type'] == 'gre' and j['key'] == 4294967295 and \
j['remote'] == '192.0.2.12' and j['local'] == '198.51.100.1' and \
j['prefixes'] == ['100.64.0.16/28', '2001:db8:12::/48'] and j['mtu'] == 1400 \
and j['enabled'] is True and j['session'] is None and j['sublayer'] is None"
expect_ok "show gre keyless" tg -j sub show t-gre0
json_check "show gre keyless" "j['key'] is None"
expect_ok "show l2tpv3-ip" tg -j sub show t-l3ip
json_check "show l2tpv3-ip" "j['session'] == 1 and j['cookie'] == '0a0b0c0d' and \
j['sublayer'] == 'none'"
expect_ok "show l2tpv3-udp" tg -j sub show t-l3udp
json_check "show l2tpv3-udp" "j['session'] == 4294967295 and \
j['cookie'] == '0102030405060708' and j['sublayer'] == 'default'"
expect_ok "show l2tpv2" tg -j sub show t-l2
json_check "show l2tpv2" "j['tunnel_id'] == 65535 and j['session'] == 1 and j['mtu'] == 1280"
expect_ok "show eoip" tg -j sub show t-eoip
json_check "show eoip" "j['tunnel_id'] == 0 and j['key'] is None and j['keepalive'] is None"

# --- keepalive (eoip only) ----------------------------------------------------
expect_ok "eoip --keepalive" tg sub set t-eoip --keepalive 1
expect_ok "eoip --keepalive -j" tg -j sub show t-eoip
json_check "eoip --keepalive" "j['keepalive'] == 1"
expect_ok "eoip --keepalive show" tg sub show t-eoip
grep -qE '^keepalive: +1$' "$TMP/out" && ok || bad "keepalive line: $(cat "$TMP/out")"
expect_ok "eoip --keepalive 0" tg sub set t-eoip --keepalive 0
expect_ok "eoip --keepalive 0 -j" tg -j sub show t-eoip
json_check "eoip --keepalive 0: off, not unset" "j['keepalive'] == 0"
expect_ok "eoip --keepalive 3600" tg sub set t-eoip --keepalive 3600
expect_refused "eoip --keepalive range" "--keepalive '3601': out of range 0..3600" \
	tg sub set t-eoip --keepalive 3601
expect_refused "eoip --keepalive word" "--keepalive 'often': not a number" \
	tg sub set t-eoip --keepalive often
expect_ok "eoip --keepalive default" tg sub set t-eoip --keepalive default
expect_ok "eoip --keepalive default -j" tg -j sub show t-eoip
json_check "eoip --keepalive default: the setting's" "j['keepalive'] is None"
expect_refused "gre --keepalive" "--keepalive is not valid for type gre" \
	tg sub set t-gre --keepalive 10
expect_refused "gre add --keepalive" "--keepalive is not valid for type gre" \
	add x --type gre --remote 192.0.2.30 "${L[@]}" --keepalive 10
expect_refused "type change keeps a keepalive" "--keepalive is not valid for type gretap" \
	tg sub set t-eoip --keepalive 5 --type gretap --tunnel-id none
expect_ok "show disabled" tg -j sub show t-off
json_check "show disabled" "j['enabled'] is False and j['note'] == 'spare \"line\" 3'"
expect_ok "show text" tg sub show t-gre
grep -q '2001:db8:12::/48' "$TMP/out" && ok || bad "show text lacks the prefix"
expect_ok "list text" tg sub list
[ "$(grep -c '^t-' "$TMP/out")" = 11 ] && ok || bad "list text: $(cat "$TMP/out")"

# --- refusals ----------------------------------------------------------------
A=(--type gre --remote 192.0.2.30 "${L[@]}")
expect_refused "host bits" "sub add: --prefix '192.0.2.1/24': host bits set" \
	add x "${A[@]}" --prefix 192.0.2.1/24
expect_refused "v6 host bits" "--prefix '2001:db8::1/64': host bits set" \
	add x "${A[@]}" --prefix 2001:db8::1/64
expect_refused "bad prefix" "--prefix '100.64.0.0/33'" add x "${A[@]}" --prefix 100.64.0.0/33
expect_refused "garbage prefix" "--prefix 'foo'" add x "${A[@]}" --prefix foo
expect_refused "overlap other" "overlaps '100.64.0.16/28' of subscriber 't-gre'" \
	add x "${A[@]}" --prefix 100.64.0.24/29
expect_refused "overlap v6" "of subscriber 't-sit'" add x "${A[@]}" --prefix 2001:db8:11:5::/64
expect_refused "overlap own" "overlaps '100.64.1.0/24'" \
	add x "${A[@]}" --prefix 100.64.1.0/24 --prefix 100.64.1.128/25
expect_refused "duplicate name" "name 't-gre': already exists" \
	add t-gre "${A[@]}"
expect_refused "duplicate tunnel" "subscriber 't-gre' has the same type" \
	add x --type gre --remote 192.0.2.12 "${L[@]}" --key 4294967295
expect_refused "duplicate keyless" "subscriber 't-gre0'" \
	add x --type gre --remote 192.0.2.12 "${L[@]}"
expect_refused "unknown type" "--type 'vxlan': unknown" add x --type vxlan --remote 192.0.2.30 "${L[@]}"
expect_refused "missing type" "--type is required" add x --remote 192.0.2.30 "${L[@]}"
expect_refused "missing remote" "--remote is required" add x --type ipip "${L[@]}"
expect_refused "missing local" "--local is required" add x --type ipip --remote 192.0.2.30
expect_refused "bad remote" "--remote '192.0.2': not an IPv4 address" \
	add x --type ipip --remote 192.0.2 "${L[@]}"
expect_refused "v6 remote" "--remote '2001:db8::1'" add x --type ipip --remote 2001:db8::1 "${L[@]}"
expect_refused "zero local" "--local is required" \
	add x --type ipip --remote 192.0.2.30 --local 0.0.0.0
# Reserved ranges, as a prefix (whatever overlaps one) | the range named.
while read -r p r; do
	expect_refused "reserved prefix $p" "--prefix '$p': overlaps the reserved range $r" \
		add x "${A[@]}" --prefix "$p"
done <<'RESERVED'
224.0.0.0/4 224.0.0.0/4
224.0.0.251/32 224.0.0.0/4
127.0.0.0/8 127.0.0.0/8
127.0.0.1/32 127.0.0.0/8
0.0.0.0/8 0.0.0.0/8
255.255.255.255/32 240.0.0.0/4
240.0.0.0/4 240.0.0.0/4
169.254.0.0/16 169.254.0.0/16
192.0.0.0/2 224.0.0.0/4
fe80::/10 fe80::/10
fe80::1/128 fe80::/10
ff00::/8 ff00::/8
ff02::1/128 ff00::/8
::1/128 ::1/128
::/128 ::/128
::ffff:0.0.0.0/96 ::ffff:0:0/96
::ffff:192.0.2.1/128 ::ffff:0:0/96
RESERVED
expect_refused "prefix holds --local" \
	"--prefix '198.51.100.0/24': holds the concentrator's own address 198.51.100.1 (--local)" \
	add x "${A[@]}" --prefix 198.51.100.0/24
expect_refused "prefix is --local" "holds the concentrator's own address" \
	add x "${A[@]}" --prefix 198.51.100.1/32
expect_refused "prefix holds --remote" \
	"--prefix '192.0.2.0/24': holds the subscriber's own tunnel endpoint 192.0.2.30 (--remote)" \
	add x "${A[@]}" --prefix 192.0.2.0/24
# Outer addresses: unicast, outside the reserved ranges.
for a in 127.0.0.1 127.1.2.3 224.0.0.1 239.255.255.250 169.254.1.1 \
	255.255.255.255 240.0.0.1 0.1.2.3 0.255.255.255; do
	expect_refused "remote $a" "--remote '$a': not a unicast address" \
		add x --type ipip --remote "$a" "${L[@]}"
	expect_refused "local $a" "--local '$a': not a unicast address" \
		add x --type ipip --remote 192.0.2.30 --local "$a"
done
expect_refused "name help" "name 'help': reserved for the command line's help" \
	add help "${A[@]}"
expect_refused "class help" "name 'help': reserved" tg class add help --down-rate 1mbit
expect_refused "missing name" "missing NAME" add --type ipip
expect_refused "bad name" "name 'a/b'" add a/b --type ipip --remote 192.0.2.30 "${L[@]}"
expect_refused "long name" "longer than 63" add "$(printf 'n%.0s' {1..64})" "${A[@]}"
expect_refused "key on ipip" "--key is not valid for type ipip" \
	add x --type ipip --remote 192.0.2.30 "${L[@]}" --key 1
expect_refused "key range" "--key '4294967296': out of range 0..4294967295" \
	add x "${A[@]}" --key 4294967296
expect_refused "key junk" "--key '12a': not a number" add x "${A[@]}" --key 12a
expect_refused "key negative" "--key '-1'" add x "${A[@]}" --key -1
# Digits only: no blank of any kind, no sign, before or after.
for v in $'\t7' $'\n7' $'\v7' ' 7' '+7' '7 ' $'7\n'; do
	expect_refused "key '$v'" "--key '$v': not a number" add x "${A[@]}" --key "$v"
	expect_refused "mtu '$v'" "--mtu '${v/7/1400}'" add x "${A[@]}" --mtu "${v/7/1400}"
done
expect_refused "key no value" "option --key needs a value" add x "${A[@]}" --key
expect_refused "session on gre" "--session is not valid for type gre" \
	add x "${A[@]}" --session 5
expect_refused "tunnel-id on gre" "--tunnel-id is not valid for type gre" \
	add x "${A[@]}" --tunnel-id 5
expect_refused "cookie on gre" "--cookie is not valid for type gre" \
	add x "${A[@]}" --cookie 01020304
expect_refused "sublayer on gre" "--sublayer is not valid for type gre" \
	add x "${A[@]}" --sublayer none
expect_refused "eoip no id" "--tunnel-id is required for type eoip" \
	add x --type eoip --remote 192.0.2.30 "${L[@]}"
expect_refused "eoip id range" "--tunnel-id '65536': out of range 0..65535" \
	add x --type eoip --remote 192.0.2.30 "${L[@]}" --tunnel-id 65536
expect_refused "l2tpv3 no session" "--session is required for type l2tpv3-udp" \
	add x --type l2tpv3-udp --remote 192.0.2.30 "${L[@]}"
expect_refused "l2tpv3 session 0" "--session '0': out of range 1..4294967295" \
	add x --type l2tpv3-ip --remote 192.0.2.30 "${L[@]}" --session 0
expect_refused "cookie length" "--cookie '010203': must be 8 or 16 hex digits" \
	add x --type l2tpv3-ip --remote 192.0.2.30 "${L[@]}" --session 9 --cookie 010203
expect_refused "cookie hex" "--cookie '0102030g'" \
	add x --type l2tpv3-ip --remote 192.0.2.30 "${L[@]}" --session 9 --cookie 0102030g
expect_refused "sublayer value" "--sublayer 'maybe'" \
	add x --type l2tpv3-ip --remote 192.0.2.30 "${L[@]}" --session 9 --sublayer maybe
expect_refused "l2tpv2 no tunnel-id" "--tunnel-id is required for type l2tpv2" \
	add x --type l2tpv2 --remote 192.0.2.30 "${L[@]}" --session 9
expect_refused "l2tpv2 tunnel-id 0" "--tunnel-id '0': out of range 1..65535" \
	add x --type l2tpv2 --remote 192.0.2.30 "${L[@]}" --session 9 --tunnel-id 0
expect_refused "l2tpv2 session range" "--session '65536': out of range 1..65535" \
	add x --type l2tpv2 --remote 192.0.2.30 "${L[@]}" --session 65536 --tunnel-id 9
expect_refused "mtu low" "--mtu '575': out of range 576..9000" add x "${A[@]}" --mtu 575
expect_refused "mtu high" "--mtu '9001'" add x "${A[@]}" --mtu 9001
expect_refused "mtu v6" "--mtu '1279': out of range 1280..9000" \
	add x "${A[@]}" --mtu 1279 --prefix 2001:db8:30::/48
expect_refused "v6 on ipip" "type ipip carries only IPv4" \
	add x --type ipip --remote 192.0.2.30 "${L[@]}" --prefix 2001:db8:30::/48
expect_refused "unknown option" "unknown option '--colour'" add x "${A[@]}" --colour red
expect_refused "del unknown" "subscriber 'nobody' does not exist" tg sub del nobody
expect_refused "show unknown" "subscriber 'nobody' does not exist" tg sub show nobody
expect_refused "unknown command" "sub: unknown command 'frob'" tg sub frob
expect_refused "ambiguous object" "'s' is ambiguous: sub, session, sync, stats, status" tg s
expect_refused "unknown object" "unknown object 'nope'" tg nope

# JSON errors: one object on stdout, nothing on stderr.
cp "$DB" "$TMP/before.db"
if tg -j sub add x "${A[@]}" --prefix 192.0.2.1/24 >"$TMP/out" 2>"$TMP/err"; then
	bad "-j refusal accepted"
else
	ok
fi
json_check "-j error" "list(j) == ['error'] and 'host bits set' in j['error']"
[ -s "$TMP/err" ] && bad "-j error wrote stderr: $(cat "$TMP/err")" || ok
cmp -s "$DB" "$TMP/before.db" && ok || bad "-j refusal changed the database"

# --- del ---------------------------------------------------------------------
expect_ok "del" tg sub del t-gre0
expect_refused "show deleted" "subscriber 't-gre0' does not exist" tg sub show t-gre0
expect_ok "list after del" tg -j sub list
json_check "list after del" "len(j) == 10 and 't-gre0' not in [s['name'] for s in j]"
expect_ok "prefix free after del" add t-new "${A[@]}" --prefix 100.64.0.32/28
expect_ok "show new" tg -j sub show t-new
json_check "dp_id not reused" "j['dp_id'] == 12"

# --- config ------------------------------------------------------------------
expect_ok "config show" tg config show -j
json_check "config defaults" "j == {'unknown_tunnel': 'pass', 'l2tpv3_udp_port': 1701, \
'l2tpv2_udp_port': 1701, 'gateway_mac': '02:74:67:00:00:01', 'ttl': 64, 'scope_action': 'drop', 'liveness_timeout': 120, \
'eoip_keepalive': 10, 'anycast': [], 'pop_heartbeat': 10, 'pop_down_after': 30, 'lns': 'off', 'lns_secret': 'none', 'lns_auth': 'chap,pap', 'lns_name': 'tungate', 'lns_dns': 'none', \
'lns_address': '169.254.0.1', 'lns_echo_interval': '10', \
'lns_echo_failures': '6', 'aaa': 'local', 'radius_servers': 'none', 'radius_acct_servers': 'none', \
'radius_secret': 'none', 'radius_timeout': '3', 'radius_retries': '2', 'radius_nas_identifier': 'tungate', \
'radius_nas_ip': 'none', 'radius_accounting': 'off', 'radius_interim': '600', 'radius_dae': 'off', \
'radius_dae_clients': 'none', 'wg_endpoint': 'none', 'wg_mtu': '1420', \
'wg_allowed_ips': '0.0.0.0/0,::/0', 'wg_pool4': 'none', 'wg_pool6': 'none', 'wg_broker': 'off', 'wg_broker_cert': 'none', 'wg_broker_key': 'none'}"
expect_ok "config set unknown-tunnel" tg config set unknown-tunnel drop
expect_ok "config set l2tpv3-udp-port" tg config set l2tpv3-udp-port 0
expect_ok "config set l2tpv2-udp-port" tg config set l2tpv2-udp-port 1702
expect_ok "config show" tg -j config show
json_check "config values" "j == {'unknown_tunnel': 'drop', 'l2tpv3_udp_port': 0, \
'l2tpv2_udp_port': 1702, 'gateway_mac': '02:74:67:00:00:01', 'ttl': 64, 'scope_action': 'drop', 'liveness_timeout': 120, \
'eoip_keepalive': 10, 'anycast': [], 'pop_heartbeat': 10, 'pop_down_after': 30, 'lns': 'off', 'lns_secret': 'none', 'lns_auth': 'chap,pap', 'lns_name': 'tungate', 'lns_dns': 'none', \
'lns_address': '169.254.0.1', 'lns_echo_interval': '10', \
'lns_echo_failures': '6', 'aaa': 'local', 'radius_servers': 'none', 'radius_acct_servers': 'none', \
'radius_secret': 'none', 'radius_timeout': '3', 'radius_retries': '2', 'radius_nas_identifier': 'tungate', \
'radius_nas_ip': 'none', 'radius_accounting': 'off', 'radius_interim': '600', 'radius_dae': 'off', \
'radius_dae_clients': 'none', 'wg_endpoint': 'none', 'wg_mtu': '1420', \
'wg_allowed_ips': '0.0.0.0/0,::/0', 'wg_pool4': 'none', 'wg_pool6': 'none', 'wg_broker': 'off', 'wg_broker_cert': 'none', 'wg_broker_key': 'none'}"
expect_ok "config show text" tg config show
grep -qx 'unknown-tunnel drop' "$TMP/out" && ok || bad "config text: $(cat "$TMP/out")"
expect_refused "config bad key" "unknown key 'mtu'" tg config set mtu 1400
expect_ok "config set scope-action icmp" tg config set scope-action icmp
expect_ok "config show" tg -j config show
json_check "scope action" "j['scope_action'] == 'icmp'"
expect_ok "config set scope_action drop" tg config set scope_action drop
expect_refused "config bad scope action" "scope-action 'reject': must be 'drop' or 'icmp'" \
	tg config set scope-action reject
# anycast: the tunnel prefixes every POP announces, canonical, shared.
expect_ok "config set anycast" tg config set anycast 192.0.2.1,2001:DB8::1/128,198.51.100.0/31
expect_ok "config show anycast" tg -j config show
json_check "anycast" "j['anycast'] == ['192.0.2.1/32', '2001:db8::1/128', '198.51.100.0/31']"
expect_ok "config show anycast text" tg config show
grep -qx 'anycast 192.0.2.1/32,2001:db8::1/128,198.51.100.0/31' "$TMP/out" && ok ||
	bad "anycast text: $(cat "$TMP/out")"
while IFS='|' read -r v msg; do
	expect_refused "anycast '$v'" "config set: anycast: $msg" tg config set anycast "$v"
done <<'EOF_ANY'
192.0.2.1/24|'192.0.2.1/24': host bits set
192.0.2.1,192.0.2.1/32|'192.0.2.1/32': given twice as 192.0.2.1/32
192.0.2.0/24,192.0.2.8/29|'192.0.2.8/29': overlaps 192.0.2.0/24
192.0.2.1,,192.0.2.2|'192.0.2.1,,192.0.2.2': empty prefix
|'': empty prefix
foo|'foo': not an IPv4 or IPv6 address
224.0.0.1|'224.0.0.1': in reserved range
192.0.2.1,192.0.2.2,192.0.2.3,192.0.2.4,192.0.2.5,192.0.2.6,192.0.2.7,192.0.2.8,192.0.2.9|more than 8 prefixes
EOF_ANY
expect_ok "config set anycast none" tg config set anycast none
expect_ok "config show anycast none" tg -j config show
json_check "anycast none" "j['anycast'] == []"
# No anycast prefix may overlap a subscriber's (either way, or equal),
# enabled or not; nor a subscriber's prefix an anycast one.
while IFS='|' read -r v msg; do
	expect_refused "anycast '$v' over a subscriber's prefix" "config set: anycast: $msg" \
		tg config set anycast "$v"
done <<'EOF_ANY'
192.0.2.1,100.64.0.16/28|'100.64.0.16/28': overlaps '100.64.0.16/28' of subscriber 't-gre'
100.64.0.17|'100.64.0.17/32': overlaps '100.64.0.16/28' of subscriber 't-gre'
2001:db8:12::/47|'2001:db8:12::/47': overlaps '2001:db8:12::/48' of subscriber 't-gre'
2001:db8:11:5::1|'2001:db8:11:5::1/128': overlaps '2001:db8:11::/48' of subscriber 't-sit'
EOF_ANY
expect_ok "config show after the refusals" tg -j config show
json_check "anycast still none" "j['anycast'] == []"
expect_ok "config set anycast beside the subscribers" tg config set anycast 192.0.2.1,2001:db8:ff::1/128
expect_refused "sub add over an anycast prefix" \
	"sub add: --prefix '2001:db8:ff::/64': overlaps the anycast prefix '2001:db8:ff::1/128' (config set anycast)" \
	add t-x --type gre --remote 192.0.2.31 "${L[@]}" --prefix 2001:db8:ff::/64
expect_refused "sub add of an anycast prefix, disabled" \
	"--prefix '2001:db8:ff::1/128': overlaps the anycast prefix '2001:db8:ff::1/128'" \
	add t-x --type gre --remote 192.0.2.31 "${L[@]}" --disabled --prefix 2001:db8:ff::1/128
expect_refused "sub set inside an anycast prefix" \
	"sub set: --prefix '192.0.2.0/30': overlaps the anycast prefix '192.0.2.1/32' (config set anycast)" \
	tg sub set t-gre --add-prefix 192.0.2.0/30
expect_ok "config set anycast none again" tg config set anycast none

# The POP heartbeat and down limit: shared, checked as a pair.
while IFS='|' read -r k v msg; do
	expect_refused "$k '$v'" "config set: $msg" tg config set "$k" "$v"
done <<'EOF_POP'
pop-heartbeat|0|pop-heartbeat '0': out of range 1..300
pop-heartbeat|301|pop-heartbeat '301': out of range 1..300
pop-heartbeat|10s|pop-heartbeat '10s': not a number
pop-down-after|1|pop-down-after '1': out of range 2..86400
pop-down-after|86401|pop-down-after '86401': out of range 2..86400
pop-down-after|19|pop-down-after: pop-down-after 19 is less than 2 times pop-heartbeat 10 (give at least 20)
EOF_POP
expect_ok "config set pop-heartbeat 20" tg config set pop-heartbeat 20
expect_ok "config show pop" tg -j config show
json_check "pop-down-after follows the heartbeat (3 beats)" \
	"(j['pop_heartbeat'], j['pop_down_after']) == (20, 60)"
expect_ok "config set pop_down_after 40" tg config set pop_down_after 40
expect_refused "pop-heartbeat over half pop-down-after" \
	"config set: pop-heartbeat: pop-down-after 40 is less than 2 times pop-heartbeat 21 (give at least 42)" \
	tg config set pop-heartbeat 21
expect_ok "config show pop text" tg config show
grep -qx 'pop-heartbeat 20' "$TMP/out" && grep -qx 'pop-down-after 40' "$TMP/out" && ok ||
	bad "pop timing text: $(cat "$TMP/out")"
[ "$(cli_sql "SELECT key || '=' || value FROM setting WHERE key LIKE 'pop\_%' ESCAPE '\\' ORDER BY key" | tr '\n' ' ')" = \
	"pop_down_after=40 pop_heartbeat=20 " ] && ok ||
	bad "pop timing in the shared settings: $(cli_sql "SELECT key, value FROM setting")"
expect_ok "config set pop-heartbeat 10" tg config set pop-heartbeat 10
expect_ok "config set pop-down-after 30" tg config set pop-down-after 30

# drain: this POP's own setting, idempotent; the state it is in now.
expect_ok "drain" tg -j --pin-root "$TMP/nopins" drain
json_check "drain" "j['drained'] is True and j['changed'] is True and j['state'] == 'drained'"
expect_ok "drain again" tg --pin-root "$TMP/nopins" drain
grep -q '^POP .* drained already: drained$' "$TMP/out" && ok || bad "drain again: $(cat "$TMP/out")"
expect_ok "drain --off" tg --pin-root "$TMP/nopins" drain --off
grep -q '^POP .* resumed: withdrawn (data plane detached)$' "$TMP/out" && ok ||
	bad "drain --off: $(cat "$TMP/out")"
expect_ok "drain --off again" tg -j --pin-root "$TMP/nopins" drain --off
json_check "drain --off again" "j['drained'] is False and j['changed'] is False and j['state'] == 'detached'"
expect_ok "drain --bird-output" tg --pin-root "$TMP/nopins" drain --bird-output "$TMP/drain.conf"
grep -q '^protocol static tungate4 {' "$TMP/drain.conf" && ! grep -q '^.route' "$TMP/drain.conf" &&
	grep -q '^# POP .*: drained, no routes' "$TMP/drain.conf" && ok ||
	bad "drain --bird-output: $(cat "$TMP/drain.conf")"
expect_ok "undrain" tg --pin-root "$TMP/nopins" drain --off
# An include that cannot be written: exit 1 with the cause, the drain stands.
if tg --pin-root "$TMP/nopins" drain --bird-output "$TMP/none/x.conf" >"$TMP/out" 2>"$TMP/err"; then
	bad "drain into a missing directory: accepted"
else
	grep -q "output '$TMP/none/x.conf': cannot create a temporary file" "$TMP/err" &&
		grep -q "drained: drained" "$TMP/out" && ok || bad "drain into a missing directory: $(cat "$TMP/out" "$TMP/err")"
fi
expect_ok "undrain again" tg --pin-root "$TMP/nopins" drain --off
expect_refused "drain bad argument" "drain: unexpected argument 'now'" tg --pin-root "$TMP/nopins" drain now
expect_refused "drain socket without output" "--birdc-socket '/x': needs --bird-output" \
	tg --pin-root "$TMP/nopins" drain --birdc-socket /x
expect_refused "drain --bird-output without a value" "needs a value" tg --pin-root "$TMP/nopins" drain --bird-output
expect_refused "config bad value" "unknown-tunnel 'maybe': must be 'pass' or 'drop'" \
	tg config set unknown-tunnel maybe
expect_refused "config bad port" "l2tpv3-udp-port '65536': not a port 0..65535" \
	tg config set l2tpv3-udp-port 65536
expect_refused "config missing value" "needs KEY VALUE" tg config set l2tpv2-udp-port

# --- pop -------------------------------------------------------------------
# This concentrator's POP name: the host name's first label by default, a
# setting of its own (never pushed to PostgreSQL: its counter stays).
host=$(hostname | cut -d. -f1)
expect_ok "pop name (default)" tg pop name
[ "$(cat "$TMP/out")" = "$host" ] && ok || bad "pop name default: $(cat "$TMP/out"), want $host"
expect_ok "pop name -j (default)" tg -j pop name
json_check "pop name -j (default)" "j == {'name': '$host', 'set': False}"
expect_refused "pop name with a space" "pop name: name 'pop a': must be 1..63 letters" \
	tg pop name 'pop a'
expect_refused "pop name starting with '-'" "unexpected argument '-x'" tg pop name -x
expect_refused "pop name too long" "must be 1..63" tg pop name "$(printf 'p%.0s' $(seq 64))"
expect_refused "pop name with two names" "pop name: unexpected argument 'b'" tg pop name a b
expect_refused "pop unknown command" "pop" tg pop rename a
expect_ok "pop name pop-a" tg pop name pop-a
[ ! -s "$TMP/out" ] && ok || bad "pop name NAME printed: $(cat "$TMP/out")"
expect_ok "pop name (set)" tg -j pop name
json_check "pop name (set)" "j == {'name': 'pop-a', 'set': True}"
expect_refused "pop list: bad --down-after" "--down-after" tg pop list --down-after x
if ! cli_pg; then
	expect_ok "pop list (SQLite: this POP)" tg pop list
	grep -Eq "^pop-a +serving +$host +[^ ]+ +0 +[0-9]+ +- +-$" "$TMP/out" && ok ||
		bad "pop list text: $(cat "$TMP/out")"
	expect_ok "pop list -j (SQLite)" tg -j pop list
	enabled=$(tg -j sub list | $PY -c 'import json,sys; print(sum(1 for s in json.load(sys.stdin) if s["enabled"]))')
	json_check "pop list -j: this POP, its enabled subscribers ($enabled)" \
		"[(p['name'], p['state'], p['enabled'], p['last_contact']) for p in j['pops']] == [('pop-a', 'serving', $enabled, None)]"
	expect_refused "pop del on SQLite" "pop del: only with PostgreSQL" tg pop del pop-a
else
	# No daemon has written a row yet.
	expect_ok "pop list -j (PostgreSQL, no daemon)" tg -j pop list
	json_check "pop list -j (PostgreSQL, no daemon)" "j == {'pops': []}"
	expect_refused "pop del of no POP" "pop del: no POP 'pop-z'" tg pop del pop-z
fi

# Usage records (as the daemon writes them) are this POP's: reported with
# its name, per POP and in total.
if ! cli_pg; then
	$PY - "$DB" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = [(1, 'u-a', 1, None, '192.0.2.1', 100, 200, 10, 20, 1, 2, 0),
	(1, 'u-a', 1, None, '192.0.2.1', 200, 300, 5, 5, 1, 1, 1),
	(2, 'u-b', 2, None, None, 100, 200, 7, 8, 1, 1, 0)]
db.executemany("INSERT INTO usage (subscriber_id, name, dp_id, class, ip, period_start,"
	" period_end, up_bytes, down_bytes, up_packets, down_packets, final)"
	" VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)
db.commit()
PY
	expect_ok "usage (SQLite)" tg usage
	grep -Eq '^u-a +pop-a +- +192.0.2.1 +2 +15 +25 +2 +3 ended$' "$TMP/out" && ok ||
		bad "usage text: $(cat "$TMP/out")"
	expect_ok "usage --per-pop (SQLite)" tg usage --per-pop u-b
	[ "$(sed 1d "$TMP/out" | tr -s ' ')" = "u-b pop-a - - 1 7 8 1 1" ] && ok ||
		bad "usage --per-pop: $(cat "$TMP/out")"
	expect_ok "usage -j (SQLite)" tg -j usage
	json_check "usage -j: per POP and total" "[(s['name'], s['records'], s['up']['bytes'], \
[(p['pop'], p['records'], p['down']['bytes']) for p in s['pops']]) for s in j['subscribers']] == \
[('u-a', 2, 15, [('pop-a', 2, 25)]), ('u-b', 1, 7, [('pop-a', 1, 8)])]"
	expect_ok "usage --rows -j (SQLite)" tg -j usage --rows u-a
	json_check "usage --rows -j: each record's POP" "[(r['pop'], r['end']) for r in j['records']] == [('pop-a', 200), ('pop-a', 300)]"
	expect_refused "usage --rows --per-pop" "--per-pop is for totals" tg usage --rows --per-pop
fi

# --- help and prefixes --------------------------------------------------------
for h in "help" "sub help" "config help" "db help" "sync help" "--help" \
	"class help" "community help" "import help" "export help" "sub set --help" \
	"pop help" "pop list help" "usage help"; do
	# shellcheck disable=SC2086
	expect_ok "$h" "$TG" $h
	[ -s "$TMP/out" ] && ok || bad "$h printed nothing"
done
expect_ok "prefix matching" tg su l -j
json_check "prefix matching" "len(j) == 11"
expect_ok "--version" "$TG" --version

# --- newer database ---------------------------------------------------------
cp "$DB" "$TMP/new.db"
sqlite3 "$TMP/new.db" "PRAGMA user_version = $((V + 1))" && ok || bad "sqlite3 failed"
cp "$TMP/new.db" "$TMP/new.copy"
if "$TG" --db "$TMP/new.db" db init >"$TMP/out" 2>"$TMP/err"; then
	bad "db init accepted a newer database"
else
	grep -q "schema version $((V + 1)) is newer" "$TMP/err" && ok ||
		bad "newer database: $(cat "$TMP/err")"
fi
cmp -s "$TMP/new.db" "$TMP/new.copy" && ok || bad "newer database changed"

# --- sub set, enable, disable ------------------------------------------------
expect_ok "set" tg sub set t-gre --add-prefix 100.64.9.0/24 --del-prefix 2001:db8:12::/48 \
	--mtu 1300 --gre-csum --ttl 30 --df off --note "moved"
expect_ok "show after set" tg -j sub show t-gre
json_check "set fields" "j['prefixes'] == ['100.64.0.16/28', '100.64.9.0/24'] and \
j['mtu'] == 1300 and j['gre_csum'] is True and j['ttl'] == 30 and j['df'] is False \
and j['note'] == 'moved' and j['key'] == 4294967295 and j['dp_id'] == 3"
expect_ok "set --prefix replaces" tg sub set t-gre --prefix 100.64.10.0/24 --prefix 100.64.11.0/24
expect_ok "show" tg -j sub show t-gre
json_check "prefix replaced" "j['prefixes'] == ['100.64.10.0/24', '100.64.11.0/24']"
expect_ok "set keyless" tg sub set t-gretap --key none --peer-mac 02:00:00:00:00:0a
expect_ok "show" tg -j sub show t-gretap
json_check "keyless" "j['key'] is None and j['peer_mac'] == '02:00:00:00:00:0a'"
expect_ok "set l2tpv2 return path" tg sub set t-l2 --peer-session 7 --peer-tunnel-id 8 \
	--peer-port 1702 --local-port 1703 --udp-csum on --ppp-acfc on --mss-clamp off
expect_ok "show" tg -j sub show t-l2
json_check "l2tpv2 return path" "j['peer_session'] == 7 and j['peer_tunnel_id'] == 8 and \
j['peer_port'] == 1702 and j['local_port'] == 1703 and j['udp_csum'] and j['ppp_acfc'] \
and j['mss_clamp'] is False"
expect_ok "set l2tpv3 peer cookie" tg sub set t-l3udp --peer-cookie 0a0b0c0d --peer-session 3
expect_ok "rename" tg sub set t-j --name t-k
expect_ok "show renamed" tg -j sub show t-k
json_check "renamed keeps dp_id" "j['dp_id'] == 11"
expect_ok "disable" tg sub disable t-k
expect_ok "show disabled" tg -j sub show t-k
json_check "disabled" "j['enabled'] is False"
expect_ok "enable" tg sub en t-k
expect_ok "show enabled" tg -j sub show t-k
json_check "enabled" "j['enabled'] is True"
expect_ok "set -j" tg -j sub set t-k --note hi
json_check "set -j prints the record" "j['note'] == 'hi' and j['effective']['scope'] == 'internet'"
# The home POP: a name, shown, cleared by 'none' or --no-home-pop.
expect_ok "show no home pop" tg -j sub show t-k
json_check "no home pop" "j['home_pop'] is None"
expect_ok "set --home-pop" tg sub set t-k --home-pop bcn-1
expect_ok "show home pop" tg -j sub show t-k
json_check "home pop" "j['home_pop'] == 'bcn-1'"
expect_ok "show home pop text" tg sub show t-k
grep -q '^home-pop *bcn-1$\|^home_pop *bcn-1$\|home.pop.*bcn-1' "$TMP/out" && ok || bad "home pop text: $(cat "$TMP/out")"
expect_ok "list home pop" tg -j sub list
json_check "list home pop" "[s['home_pop'] for s in j if s['name'] == 't-k'] == ['bcn-1']"
expect_ok "set --no-home-pop" tg sub set t-k --no-home-pop
expect_ok "show no home pop again" tg -j sub show t-k
json_check "no home pop again" "j['home_pop'] is None"
expect_ok "set --home-pop again" tg sub set t-k --home-pop bcn-1
expect_ok "set --home-pop none" tg sub set t-k --home-pop none
expect_ok "show home pop none" tg -j sub show t-k
json_check "home pop none" "j['home_pop'] is None"
expect_refused "bad home pop" "--home-pop 'bcn 1': not a valid POP name" \
	tg sub set t-k --home-pop 'bcn 1'
expect_refused "bad home pop start" "--home-pop" \
	tg sub set t-k --home-pop -x
expect_refused "long home pop" "not a valid POP name" \
	tg sub set t-k --home-pop "$(printf 'p%.0s' $(seq 64))"
expect_refused "home pop without value" "needs a value" tg sub set t-k --home-pop

S=(tg sub set t-k)
expect_refused "set overlap" "overlaps '100.64.0.0/28' of subscriber 't-ipip'" "${S[@]}" --prefix 100.64.0.0/29
expect_refused "set overlap v6" "of subscriber 't-sit'" tg sub set t-gre --add-prefix 2001:db8:11::/64
expect_refused "set del unknown prefix" "--del-prefix '100.64.99.0/24': subscriber 't-k' has no such prefix" \
	"${S[@]}" --del-prefix 100.64.99.0/24
expect_refused "set duplicate tunnel" "subscriber 't-ipip' has the same type" "${S[@]}" --remote 192.0.2.10
expect_refused "set rename taken" "name 't-ipip': already exists" "${S[@]}" --name t-ipip
expect_refused "set unknown sub" "subscriber 'nobody' does not exist" tg sub set nobody --mtu 1400
expect_refused "set dp-id" "unknown option '--dp-id'" "${S[@]}" --dp-id 5
expect_refused "set type needs clearing" "--tunnel-id is required for type eoip" "${S[@]}" --type eoip
expect_refused "peer-session on ipip" "--peer-session is not valid for type ipip" "${S[@]}" --peer-session 5
expect_refused "gre-seq on ipip" "--gre-seq is not valid for type ipip" "${S[@]}" --gre-seq
expect_refused "peer-mac on gre" "--peer-mac is not valid for type gre" \
	tg sub set t-gre --peer-mac 02:00:00:00:00:01
expect_refused "peer-mac multicast" "--peer-mac '01:00:5e:00:00:01': not a unicast MAC address" \
	tg sub set t-gretap --peer-mac 01:00:5e:00:00:01
expect_refused "peer-mac malformed" "--peer-mac '02:00'" tg sub set t-gretap --peer-mac 02:00
expect_refused "peer-cookie length" "--peer-cookie '0a0b': must be 8 or 16 hex digits" \
	tg sub set t-l3udp --peer-cookie 0a0b
expect_refused "peer-port 0" "--peer-port '0': out of range 1..65535" tg sub set t-l2 --peer-port 0
expect_refused "peer-tunnel-id range" "--peer-tunnel-id '65536': out of range 1..65535" \
	tg sub set t-l2 --peer-tunnel-id 65536
expect_refused "l2tpv2 peer-session range" "--peer-session '70000': out of range 1..65535" \
	tg sub set t-l2 --peer-session 70000
expect_refused "ttl 0" "--ttl '0': out of range 1..255" "${S[@]}" --ttl 0
expect_refused "df value" "--df 'maybe': must be 'on' or 'off'" "${S[@]}" --df maybe
expect_refused "zero rate" "--down-rate '0': zero" "${S[@]}" --down-rate 0
expect_refused "malformed rate" "--up-rate '10mb': not a rate like 512kbit" "${S[@]}" --up-rate 10mb
expect_refused "malformed burst" "--burst '15q': not a size" "${S[@]}" --burst 15q
expect_refused "burst below mtu" "--burst '1k': smaller than one MTU (1400 bytes)" "${S[@]}" --burst 1k
expect_refused "unknown class" "--class 'gold': no such class" "${S[@]}" --class gold
expect_refused "mtu v6 set" "--mtu '1279': out of range 1280..9000" tg sub set t-sit --mtu 1279
expect_refused "add unknown class" "--class 'gold': no such class" \
	add y "${A[@]}" --class gold

# --- classes and community ----------------------------------------------------
expect_ok "class add" tg class add gold --down-rate 10mbit --up-rate 1.5gbit --burst 15k
expect_ok "class add default" tg class add default --down-rate 512kbit --up-rate 2000000
expect_ok "class add community" tg class add guifi --scope community --burst 1m
expect_ok "class show -j" tg -j class show gold
json_check "class gold" "j == {'name': 'gold', 'down_rate': 10000000, 'up_rate': 1500000000, \
'burst': 15360, 'scope': 'internet', 'subscribers': 0}"
expect_ok "class default burst" tg -j class show default
json_check "class default burst: 2 Mbit/s for 300 ms" "j['burst'] == 75776"
expect_ok "class list" tg -j class list
json_check "class list" "[c['name'] for c in j] == ['default', 'gold', 'guifi'] and \
j[2]['down_rate'] is None and j[0]['up_rate'] == 2000000"
expect_ok "class set" tg class set gold --down-rate unlimited --scope community
expect_ok "class show" tg -j class show gold
json_check "class set" "j['down_rate'] is None and j['scope'] == 'community' and j['burst'] == 15360"
expect_ok "sub set class" tg sub set t-k --class gold --up-rate 1mbit
expect_ok "show class" tg -j sub show t-k
json_check "class in effect" "j['class'] == 'gold' and j['up_rate'] == 1000000 and \
j['effective'] == {'class': 'gold', 'down_rate': None, 'up_rate': 1000000, 'burst': 15360, 'scope': 'community'}"
expect_ok "default class in effect" tg -j sub show t-ipip
json_check "default class" "j['class'] is None and j['effective']['class'] == 'default' and \
j['effective']['down_rate'] == 512000"
expect_refused "class del in use" "class 'gold': in use by 1 subscriber: 't-k'" tg class del gold
expect_refused "class burst below an mtu" "smaller than the MTU of 1 subscriber of the class: 't-k'" \
	tg class set gold --burst 1k
expect_refused "class zero rate" "--down-rate '0kbit': zero" tg class add c0 --down-rate 0kbit
expect_refused "class bad rate" "--up-rate 'fast': not a rate" tg class add c0 --up-rate fast
expect_refused "class tiny burst" "--burst '100': smaller than the smallest MTU (576 bytes)" \
	tg class add c0 --burst 100
expect_refused "class bad scope" "--scope 'world': must be 'internet' or 'community'" \
	tg class add c0 --scope world
expect_refused "class exists" "class 'gold': already exists" tg class add gold
expect_refused "class unknown" "class 'nope' does not exist" tg class show nope
expect_ok "class del unused" tg class del guifi
expect_ok "community add" tg community add 10.0.0.0/8
expect_ok "community add v6" tg community add 2001:db8:c000::/36
expect_ok "community list" tg -j community list
json_check "community list" "j == ['10.0.0.0/8', '2001:db8:c000::/36']"
expect_refused "community overlap" "prefix '10.1.0.0/16': overlaps community prefix '10.0.0.0/8'" \
	tg community add 10.1.0.0/16
expect_refused "community host bits" "prefix '10.0.0.1/8': host bits set" tg community add 10.0.0.1/8
expect_refused "community del unknown" "'192.0.2.0/24' is not a community prefix" \
	tg community del 192.0.2.0/24
expect_ok "config gateway-mac" tg config set gateway-mac 02:00:5E:00:53:01
expect_ok "config ttl" tg config set ttl 32
expect_ok "config show" tg -j config show
json_check "config v2" "j['gateway_mac'] == '02:00:5e:00:53:01' and j['ttl'] == 32"
expect_refused "config bad mac" "gateway-mac '01:00:5e:00:00:01': not a unicast" \
	tg config set gateway-mac 01:00:5e:00:00:01
expect_refused "config bad ttl" "ttl '0': out of range 1..255" tg config set ttl 0
expect_ok "config eoip-keepalive" tg config set eoip-keepalive 30
expect_ok "config eoip_keepalive 0" tg config set eoip_keepalive 0
expect_ok "config eoip-keepalive 3600" tg config set eoip-keepalive 3600
expect_ok "config show" tg -j config show
json_check "config eoip-keepalive" "j['eoip_keepalive'] == 3600"
expect_ok "config show text" tg config show
grep -qx 'eoip-keepalive 3600' "$TMP/out" && ok || bad "config text: $(cat "$TMP/out")"
expect_refused "config eoip-keepalive range" "eoip-keepalive '3601': out of range 0..3600" \
	tg config set eoip-keepalive 3601
expect_refused "config eoip-keepalive negative" "eoip-keepalive '-1': " \
	tg config set eoip-keepalive -1
expect_refused "config eoip-keepalive word" "eoip-keepalive '10s': not a number" \
	tg config set eoip-keepalive 10s
expect_ok "config eoip-keepalive back" tg config set eoip-keepalive 10
expect_ok "config help" tg config help
grep -q 'eoip-keepalive S' "$TMP/out" && ok || bad "config help: no eoip-keepalive"

# --- db check, migrate -----------------------------------------------------------
expect_ok "db check" tg db check
expect_ok "db check -j" tg -j db check
json_check "db check ok" "j == {'version': $V, 'problems': [], 'ok': True}"
cp "$DB" "$TMP/broken.db"
sqlite3 "$TMP/broken.db" "UPDATE prefix SET prefix = '100.64.0.0/24' WHERE prefix = '100.64.0.48/28'; \
UPDATE subscriber SET dp_id = 999999 WHERE name = 't-sit'" && ok || bad "sqlite3 failed"
if "$TG" --db "$TMP/broken.db" -j db check >"$TMP/out" 2>"$TMP/err"; then
	bad "db check accepted a broken database"
else
	json_check "db check problems" "not j['ok'] and \
any(p['subscriber'] == 't-sit' and 'dp_id 999999' in p['message'] for p in j['problems']) and \
any('overlaps' in p['message'] for p in j['problems'])"
fi
V1=$TMP/v1.db
sqlite3 "$V1" "CREATE TABLE subscriber (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, \
enabled INTEGER NOT NULL DEFAULT 1 CHECK(enabled IN (0,1)), type TEXT NOT NULL, remote TEXT NOT NULL, \
local TEXT NOT NULL, gre_key INTEGER, session_id INTEGER, tunnel_id INTEGER, cookie TEXT, \
sublayer INTEGER NOT NULL DEFAULT 1, mtu INTEGER NOT NULL DEFAULT 1400, dp_id INTEGER UNIQUE, note TEXT); \
CREATE TABLE prefix (subscriber_id INTEGER NOT NULL REFERENCES subscriber(id) ON DELETE CASCADE, \
prefix TEXT NOT NULL UNIQUE); CREATE INDEX prefix_subscriber ON prefix(subscriber_id); \
CREATE TABLE setting (key TEXT PRIMARY KEY, value TEXT NOT NULL); \
INSERT INTO subscriber(name, type, remote, local, gre_key, dp_id) VALUES('old', 'gre', '192.0.2.10', '198.51.100.1', 7, 1); \
INSERT INTO prefix VALUES(1, '100.64.0.0/28'); PRAGMA user_version = 1;" && ok || bad "sqlite3 v1 failed"
cp "$V1" "$TMP/v1.copy"
if "$TG" --db "$V1" sub list >"$TMP/out" 2>"$TMP/err"; then
	bad "v1 database accepted"
else
	grep -qF "schema version 1 is older than $V: run 'tungate db migrate'" "$TMP/err" && ok ||
		bad "v1 message: $(cat "$TMP/err")"
fi
cmp -s "$V1" "$TMP/v1.copy" && ok || bad "refused v1 database changed"
expect_ok "db check v1" "$TG" --db "$V1" db check
cmp -s "$V1" "$TMP/v1.copy" && ok || bad "db check changed the v1 database"
expect_ok "db migrate" "$TG" --db "$V1" -j db migrate
json_check "migrated" "j['from'] == 1 and j['version'] == $V"
expect_ok "migrated list" "$TG" --db "$V1" -j sub list
json_check "migrated rows" "j[0]['name'] == 'old' and j[0]['key'] == 7 and j[0]['df'] is True and \
j[0]['prefixes'] == ['100.64.0.0/28']"
expect_ok "db migrate again" "$TG" --db "$V1" db migrate
expect_ok "db check migrated" "$TG" --db "$V1" db check

# --- export, import ----------------------------------------------------------------
expect_ok "export" tg export
cp "$TMP/out" "$TMP/export.csv"
grep -q '^class,gold,' "$TMP/export.csv" && grep -q '^community,' "$TMP/export.csv" &&
	grep -q '^setting,gateway_mac,' "$TMP/export.csv" && ok || bad "export lacks rows: $(head -5 "$TMP/export.csv")"
expect_ok "export json" tg export --format json
json_check "export json" "j['version'] == $V and len(j['subscribers']) == 11 and \
[c['name'] for c in j['classes']] == ['default', 'gold'] and j['community'] == ['10.0.0.0/8', '2001:db8:c000::/36'] \
and j['settings']['ttl'] == '32'"
D2=$TMP/copy.db
expect_ok "init copy" "$TG" --db "$D2" db init
expect_ok "import" "$TG" --db "$D2" import "$TMP/export.csv"
expect_ok "export copy" "$TG" --db "$D2" export
cmp -s "$TMP/out" "$TMP/export.csv" && ok || bad "export of the import differs: $(diff "$TMP/out" "$TMP/export.csv" | head)"
expect_ok "export json copy" "$TG" --db "$D2" export --format json
cp "$TMP/out" "$TMP/copy.json"
expect_ok "export json orig" tg export --format json
cmp -s "$TMP/out" "$TMP/copy.json" && ok || bad "json export of the import differs: $(diff "$TMP/out" "$TMP/copy.json")"
printf 'name,type,remote,local,key,prefixes,class,burst\n' >"$TMP/bad.csv"
printf 'n1,gre,192.0.2.40,198.51.100.1,1,100.64.20.0/24,,\n' >>"$TMP/bad.csv"
printf 'n2,gre,192.0.2.40,198.51.100.1,1,,,\n' >>"$TMP/bad.csv"
printf 'n3,gre,192.0.2.41,198.51.100.1,,100.64.20.0/25,,\n' >>"$TMP/bad.csv"
printf 'n4,gre,192.0.2.42,198.51.100.1,,,silver,\n' >>"$TMP/bad.csv"
printf 'n5,gre,192.0.2.43,198.51.100.1,,,,100\n' >>"$TMP/bad.csv"
printf 't-ipip,gre,192.0.2.44,198.51.100.1,,,,\n' >>"$TMP/bad.csv"
printf 'n7,gre,192.0.2.45,198.51.100.1,,192.0.2.1/24,,\n' >>"$TMP/bad.csv"
printf 'n8,gre,192.0.2.46,198.51.100.1,,,,\n' >>"$TMP/bad.csv"
printf 'n9,gre,192.0.2.47,198.51.100.1,,224.0.0.0/4,,\n' >>"$TMP/bad.csv"
printf 'n10,gre,127.0.0.1,198.51.100.1,,,,\n' >>"$TMP/bad.csv"
printf 'help,gre,192.0.2.48,198.51.100.1,,,,\n' >>"$TMP/bad.csv"
expect_refused "import bad rows" "9 bad rows, nothing imported" tg import "$TMP/bad.csv"
for l in "line 3: subscriber 'n2': tunnel" "line 4: subscriber 'n3': --prefix '100.64.20.0/25': overlaps" \
	"line 5: subscriber 'n4': --class 'silver'" "line 6: subscriber 'n5': --burst '100'" \
	"line 7: subscriber 't-ipip': name already exists" "line 8: subscriber 'n7': --prefix '192.0.2.1/24': host bits set" \
	"line 10: subscriber 'n9': --prefix '224.0.0.0/4': overlaps the reserved range" \
	"line 11: subscriber 'n10': --remote '127.0.0.1': not a unicast address" \
	"line 12: subscriber 'help': name 'help': reserved"; do
	grep -qF "$l" "$TMP/err" && ok || bad "import report lacks '$l': $(cat "$TMP/err")"
done
cp "$DB" "$TMP/before.db"
if tg -j import "$TMP/bad.csv" >"$TMP/out" 2>"$TMP/err"; then bad "-j import accepted"; else ok; fi
json_check "-j import rows" "len(j['rows']) == 9 and j['rows'][0]['line'] == 3 and 'error' in j"
cmp -s "$DB" "$TMP/before.db" && ok || bad "-j import refusal changed the database"
# Community prefixes nested in one of the database's, one after another.
printf 'kind,prefixes\ncommunity,10.1.0.0/16\ncommunity,10.2.0.0/16\n' >"$TMP/com.csv"
expect_refused "import community overlaps" "2 bad rows, nothing imported" tg import "$TMP/com.csv"
grep -qF "line 3: community: prefix '10.2.0.0/16': overlaps community prefix '10.0.0.0/8'" "$TMP/err" &&
	ok || bad "import community report: $(cat "$TMP/err")"
expect_refused "import unknown column" "column 'colour': unknown" \
	tg import <(printf 'name,colour\nx,red\n')
expect_refused "import missing file" "import: $TMP/none.csv: No such file" tg import "$TMP/none.csv"
# Hostile files, one per row: printf format of the file | what stderr says.
long=$(printf 'c%.0s' $(seq 64))
while IFS='|' read -r fmt msg; do
	printf "$fmt" >"$TMP/hostile.csv"
	expect_refused "import $fmt" "$msg" tg import "$TMP/hostile.csv"
done <<EOF_CSV
name,type,remote,local\nzed\\0evil,ipip,192.0.2.61,198.51.100.1\n|line 2: a NUL byte
\\0|line 1: a NUL byte
name,type,remote,local\n\n\nz,ipip,192.0.2.61,198.51.100.1\\0\n|line 4: a NUL byte
kind,name,down_rate,up_rate\nclass,$long,10mbit,5mbit\n|class: name '$long': longer than 63 characters
name,type,remote,local\n$long,ipip,192.0.2.61,198.51.100.1\n|name '$long': longer than 63 characters
EOF_CSV
# A byte order mark, as spreadsheets write, is no part of the first column.
printf '\xef\xbb\xbfname,type,remote,local,prefixes\nbom1,ipip,192.0.2.62,198.51.100.1,100.64.62.0/24\n' >"$TMP/bom.csv"
"$TG" --db "$TMP/bom.db" db init >/dev/null
expect_ok "import with a byte order mark" "$TG" --db "$TMP/bom.db" import "$TMP/bom.csv"
expect_ok "imported with a byte order mark" "$TG" --db "$TMP/bom.db" sub show bom1
# --keepalive is checked on imported rows as on the command line.
printf 'kind,name,type,remote,local,tunnel_id,keepalive,value\nsub,k1,eoip,192.0.2.63,198.51.100.1,9,5,\nsetting,eoip_keepalive,,,,,,20\n' >"$TMP/ka.csv"
"$TG" --db "$TMP/ka.db" db init >/dev/null
expect_ok "import eoip keepalive" "$TG" --db "$TMP/ka.db" import "$TMP/ka.csv"
expect_ok "imported eoip keepalive" "$TG" --db "$TMP/ka.db" -j sub show k1
json_check "imported eoip keepalive" "j['keepalive'] == 5"
expect_ok "imported eoip_keepalive setting" "$TG" --db "$TMP/ka.db" -j config show
json_check "imported eoip_keepalive setting" "j['eoip_keepalive'] == 20"
printf 'name,type,remote,local,keepalive\nk2,gre,192.0.2.64,198.51.100.1,5\n' >"$TMP/ka-gre.csv"
expect_refused "import gre keepalive" "--keepalive is not valid for type gre" \
	"$TG" --db "$TMP/ka.db" import "$TMP/ka-gre.csv"
printf 'kind,name,value\nsetting,eoip_keepalive,3601\n' >"$TMP/ka-set.csv"
expect_refused "import eoip_keepalive range" "setting 'eoip_keepalive': value '3601' is not valid" \
	"$TG" --db "$TMP/ka.db" import "$TMP/ka-set.csv"
# What only the whole imported picture shows: the heartbeat and the down
# limit as a pair; the anycast prefixes against every subscriber's.
printf 'kind,name,value\nsetting,pop_heartbeat,20\nsetting,pop_down_after,30\n' >"$TMP/pop-set.csv"
expect_refused "import pop_down_after under 2 heartbeats" \
	"import: $TMP/pop-set.csv: settings: pop-down-after 30 is less than 2 times pop-heartbeat 20 (give at least 40); nothing imported" \
	"$TG" --db "$TMP/ka.db" import "$TMP/pop-set.csv"
printf 'kind,name,value\nsetting,pop_heartbeat,301\n' >"$TMP/pop-set.csv"
expect_refused "import pop_heartbeat range" "setting 'pop_heartbeat': value '301' is not valid" \
	"$TG" --db "$TMP/ka.db" import "$TMP/pop-set.csv"
printf 'kind,name,type,remote,local,prefixes,value\nsetting,anycast,,,,,100.64.40.1/32\nsub,a1,ipip,192.0.2.65,198.51.100.1,100.64.40.0/24,\n' >"$TMP/any.csv"
expect_refused "import anycast over a subscriber's prefix" \
	"import: $TMP/any.csv: setting anycast: '100.64.40.1/32': overlaps '100.64.40.0/24' of subscriber 'a1'; nothing imported" \
	"$TG" --db "$TMP/ka.db" import "$TMP/any.csv"
expect_ok "after the refused imports" "$TG" --db "$TMP/ka.db" -j config show
json_check "after the refused imports: settings as they were" \
	"(j['pop_heartbeat'], j['pop_down_after'], j['anycast']) == (10, 30, [])"
expect_refused "after the refused imports: no a1" "does not exist" "$TG" --db "$TMP/ka.db" sub show a1
printf 'kind,name,value\nsetting,pop_heartbeat,20\nsetting,pop_down_after,40\n' >"$TMP/pop-set.csv"
expect_ok "import pop_heartbeat, pop_down_after" "$TG" --db "$TMP/ka.db" import "$TMP/pop-set.csv"
expect_ok "imported pop settings" "$TG" --db "$TMP/ka.db" -j config show
json_check "imported pop settings" "(j['pop_heartbeat'], j['pop_down_after']) == (20, 40)"
printf 'name,type,remote,local,prefixes\nq1,ipip,192.0.2.50,198.51.100.1,100.64.30.0/24 100.64.31.0/24\n' >"$TMP/ok.csv"
expect_ok "import simple" tg -j import "$TMP/ok.csv"
json_check "import simple" "j['subscribers'] == 1"
expect_ok "imported" tg -j sub show q1
json_check "imported" "j['prefixes'] == ['100.64.30.0/24', '100.64.31.0/24'] and j['dp_id'] == 13"

# --- sync (root, bpffs) --------------------------------------------------------
if [ "$(id -u)" != 0 ] || ! mountpoint -q /sys/fs/bpf; then
	echo "SKIP: sync needs root and bpffs at /sys/fs/bpf"
	[ "${CI:-}" = true ] && bad "sync skipped under CI=true"
else
	expect_ok "sync dry run" tg --pin-root "$PIN" -j sync --dry-run
	json_check "sync dry run" "j['added'] == 11 and j['dry_run'] and len(j['subscribers']['added']) == 11"
	expect_ok "sync" tg --pin-root "$PIN" -j sync
	json_check "sync adds" "(j['added'], j['changed'], j['removed'], j['unchanged']) == (11, 0, 0, 0) \
and 't-gre' in j['subscribers']['added'] and not j['incremental']"
	expect_ok "sync again" tg --pin-root "$PIN" -j sync
	json_check "sync twice" "(j['added'], j['changed'], j['removed'], j['unchanged']) == (0, 0, 0, 11) \
and j['incremental']"
	expect_ok "del for sync" tg sub del t-ipip
	expect_ok "set for sync" tg sub set t-gre --mtu 1280
	expect_ok "add for sync" add t-late --type ipip --remote 192.0.2.60 "${L[@]}"
	expect_ok "sync dry run text" tg --pin-root "$PIN" sync --dry-run
	grep -qx 'sync (dry run, nothing written): 1 added, 1 changed, 1 removed, 9 unchanged' "$TMP/out" &&
		grep -qx '  + t-late' "$TMP/out" && grep -qx '  ~ t-gre' "$TMP/out" &&
		grep -qx '  - t-ipip' "$TMP/out" && ok || bad "dry run text: $(cat "$TMP/out")"
	expect_ok "sync removal" tg --pin-root "$PIN" sync
	grep -qx 'sync: 1 added, 1 changed, 1 removed, 9 unchanged' "$TMP/out" && ok ||
		bad "sync text: $(cat "$TMP/out")"
	# Nothing is attached to this pin root: the sync says so.
	grep -qF "maps under $PIN updated, but no subscriber interface is attached" "$TMP/out" &&
		ok || bad "sync does not say that nothing is attached: $(cat "$TMP/out")"
	expect_ok "sync -j attached" tg --pin-root "$PIN" -j sync
	json_check "sync -j attached" "j['attached'] == 0"

	# Who applies a change: 'tungate sync', or the daemon watching the
	# database when one runs.
	"$TG" --db "$DB" --pin-root "$PIN" run --interval 50 --usage-interval 0 \
		2>"$TMP/run.log" &
	RUN_PID=$!
	for _ in $(seq 100); do
		grep -q 'sync applied' "$TMP/run.log" && break
		sleep 0.1
	done
	expect_ok "disable under the daemon" tg sub disable t-k
	grep -qx "disabled subscriber 't-k'; the running 'tungate run' applies it" "$TMP/out" &&
		ok || bad "disable under the daemon: $(cat "$TMP/out") (daemon: $(cat "$TMP/run.log"))"
	expect_ok "enable under the daemon" tg sub enable t-k
	grep -qF "the running 'tungate run' applies it" "$TMP/out" && ok ||
		bad "enable under the daemon: $(cat "$TMP/out")"
	kill "$RUN_PID" && wait "$RUN_PID"
	RUN_PID=
	expect_ok "set without the daemon" tg sub set t-k --note back
	grep -qx "changed subscriber 't-k'; run 'tungate sync' to apply" "$TMP/out" &&
		ok || bad "set without the daemon: $(cat "$TMP/out")"
	expect_ok "sync after the daemon" tg --pin-root "$PIN" sync
	[ "$(bpftool map dump pinned "$PIN/tg_tunnels" -j | $PY -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 11 ] &&
		ok || bad "tg_tunnels does not hold 11 entries"
	expect_ok "sync full" tg --pin-root "$PIN" -j sync --full
	json_check "sync full" "(j['added'], j['changed'], j['removed'], j['unchanged']) == (0, 0, 0, 11)"
	# A refused change touches neither the database nor the maps.
	for m in tg_tunnels tg_prefix4 tg_gen tg_encap tg_encap1; do
		bpftool map dump pinned "$PIN/$m"
	done >"$TMP/maps.before"
	expect_refused "refusal before sync" "overlaps" tg sub set t-gre --add-prefix 100.64.0.48/30
	expect_ok "sync after refusal" tg --pin-root "$PIN" -j sync
	json_check "nothing to sync" "(j['added'], j['changed'], j['removed']) == (0, 0, 0)"
	for m in tg_tunnels tg_prefix4 tg_gen tg_encap tg_encap1; do
		bpftool map dump pinned "$PIN/$m"
	done >"$TMP/maps.after"
	cmp -s "$TMP/maps.before" "$TMP/maps.after" && ok || bad "maps changed after a refusal"

	# A prefix over the anycast prefixes written by hand (SQL, in
	# PostgreSQL when the suite runs there): sync refuses it naming the
	# row, db check lists it, the maps stay; the daemon says it once and
	# applies the database again once the row is gone.
	expect_ok "anycast beside the subscribers" tg config set anycast 203.0.113.192/32
	any_row() {
		if [ "$1" = in ]; then
			cli_sql "INSERT INTO prefix (subscriber_id, prefix) SELECT id, '203.0.113.192/30' FROM subscriber WHERE name = 't-gre'"
		else
			cli_sql "DELETE FROM prefix WHERE prefix = '203.0.113.192/30'"
		fi
	}
	any_msg="setting anycast: '203.0.113.192/32': overlaps '203.0.113.192/30' of subscriber 't-gre'"
	any_row in
	if tg --pin-root "$PIN" sync >"$TMP/out" 2>"$TMP/err"; then
		bad "sync of a prefix over the anycast prefix: accepted"
	else
		grep -qF "the maps are as they were: $any_msg" "$TMP/err" && ok ||
			bad "sync of a prefix over the anycast prefix: $(cat "$TMP/err")"
	fi
	if tg db check >"$TMP/out" 2>"$TMP/err"; then
		bad "db check of a prefix over the anycast prefix: ok"
	else
		grep -qF "$any_msg" "$TMP/out" && ok || bad "db check: $(cat "$TMP/out" "$TMP/err")"
	fi
	for m in tg_tunnels tg_prefix4 tg_gen tg_encap tg_encap1; do
		bpftool map dump pinned "$PIN/$m"
	done >"$TMP/maps.after"
	cmp -s "$TMP/maps.before" "$TMP/maps.after" && ok || bad "maps changed by a refused sync"
	any_row out
	expect_ok "sync once the row is gone" tg --pin-root "$PIN" sync
	tg_db_opts
	"$TG" "${TG_DB_OPTS[@]}" --pin-root "$PIN" run --interval 50 --usage-interval 0 \
		2>"$TMP/run-any.log" &
	RUN_PID=$!
	any_log() { [ "$(grep -cF "$1" "$TMP/run-any.log")" -ge "${2:-1}" ]; }
	for _ in $(seq 100); do any_log 'sync applied' && break; sleep 0.1; done
	any_row in
	for _ in $(seq 100); do any_log "sync failed: $any_msg" && break; sleep 0.1; done
	any_log "sync failed: $any_msg" && ok || bad "daemon: no refusal said: $(cat "$TMP/run-any.log")"
	any_row out
	for _ in $(seq 100); do any_log 'sync applied' 2 && break; sleep 0.1; done
	any_log 'sync applied' 2 && [ "$(grep -c 'fault: sync failed' "$TMP/run-any.log")" = 1 ] && ok ||
		bad "daemon: the refusal said more than once, or not recovered: $(tr "\n" "~" <"$TMP/run-any.log")"
	kill "$RUN_PID" && wait "$RUN_PID"
	RUN_PID=
	for m in tg_tunnels tg_prefix4 tg_gen tg_encap tg_encap1; do
		bpftool map dump pinned "$PIN/$m"
	done >"$TMP/maps.after"
	cmp -s "$TMP/maps.before" "$TMP/maps.after" && ok || bad "maps changed by the refused row"
	expect_ok "anycast none again" tg config set anycast none

	# A sync that fails half-way (a prefix map of 2 entries) is undone.
	PIN2=$PIN-small
	D3=$TMP/small.db
	"$TG" --db "$D3" db init >/dev/null
	mkdir "$PIN2" && bpftool map create "$PIN2/tg_prefix4" type lpm_trie key 8 value 8 \
		entries 2 name tg_prefix4 flags 1 && ok || bad "cannot create a small tg_prefix4"
	t3() { "$TG" --db "$D3" --pin-root "$PIN2" "$@"; }
	expect_ok "small: add a" t3 sub add a --type ipip --remote 192.0.2.70 "${L[@]}" --prefix 100.64.70.0/24
	expect_ok "small: sync" t3 sync
	expect_ok "small: add b" t3 sub add b --type ipip --remote 192.0.2.71 "${L[@]}" \
		--prefix 100.64.71.0/24 --prefix 100.64.72.0/24
	expect_ok "small: set a" t3 sub set a --mtu 1300
	for m in tg_tunnels tg_prefix4 tg_gen tg_encap tg_encap1; do bpftool map dump pinned "$PIN2/$m"; done >"$TMP/small.before"
	if t3 sync >"$TMP/out" 2>"$TMP/err"; then
		bad "small: sync into a full map succeeded"
	else
		grep -qF "the maps are as they were: map tg_prefix4: cannot write an entry" "$TMP/err" && ok ||
			bad "small: message: $(cat "$TMP/err")"
	fi
	for m in tg_tunnels tg_prefix4 tg_gen tg_encap tg_encap1; do bpftool map dump pinned "$PIN2/$m"; done >"$TMP/small.after"
	cmp -s "$TMP/small.before" "$TMP/small.after" && ok || bad "small: maps changed by a failed sync"
	expect_ok "small: dry run still sees it all" t3 -j sync --dry-run
	json_check "small: pending" "j['subscribers'] == {'added': ['b'], 'changed': ['a'], 'removed': []}"
	expect_ok "small: make room" t3 sub set b --del-prefix 100.64.72.0/24
	expect_ok "small: sync" t3 -j sync
	json_check "small: applied" "j['subscribers'] == {'added': ['b'], 'changed': ['a'], 'removed': []}"
	rm -rf "$PIN2"
	expect_refused "pin root off bpffs" "is not a bpf filesystem" \
		tg --pin-root "$TMP/pins" sync

	# replay --batch: every line checked before any replay runs; the
	# replays as each alone prints and writes them; one that fails is
	# named by its line and the others still run.
	B=$TMP/replay.batch
	CAP=tests/pcap/gre_keyed/in.pcap
	expect_refused "batch with options" "takes the replays' options from its file only" \
		tg replay --batch "$B" --in "$CAP"
	expect_refused "batch file missing" "replay: $B: No such file or directory" \
		tg replay --batch "$B"
	printf '\n# nothing\n' >"$B"
	expect_refused "batch without a replay" "replay: $B: no replay in it" \
		tg replay --batch "$B"
	printf -- '--in %s --out %s\n\n--in %s --out %s --bogus 1\n' "$CAP" \
		"$TMP/b1.pcap" "$CAP" "$TMP/b2.pcap" >"$B"
	expect_refused "batch: unknown option" "replay: $B:3: unknown argument '--bogus'" \
		tg replay --batch "$B"
	printf -- '--in %s\n' "$CAP" >"$B"
	expect_refused "batch: no --out" "replay: $B:1: --out is required" \
		tg replay --batch "$B"
	printf -- '--in %s --out %s --side sideways\n' "$CAP" "$TMP/b1.pcap" >"$B"
	expect_refused "batch: bad --side" "replay: $B:1: --side 'sideways': expected subscriber or uplink" \
		tg replay --batch "$B"
	[ -e "$TMP/b1.pcap" ] && bad "batch: a refused batch wrote a capture" || ok
	for side in subscriber uplink; do
		expect_ok "replay alone, $side" tg replay --in "$CAP" \
			--out "$TMP/alone-$side.pcap" --side "$side"
		cp "$TMP/out" "$TMP/alone-$side.txt"
	done
	{
		echo "--db $DB --in $CAP --out $TMP/b-subscriber.pcap --lines $TMP/b-subscriber.txt"
		echo "--in $TMP/missing.pcap --out $TMP/b-missing.pcap"
		echo "--in $CAP --side uplink --out $TMP/b-uplink.pcap --lines $TMP/b-uplink.txt"
	} >"$B"
	expect_refused "batch with a missing capture" "replay: $B:2: this replay failed" \
		tg replay --batch "$B"
	grep -qF "replay: $B: 1 of 3 replays failed" "$TMP/err" && ok ||
		bad "batch: no count of the failed replays: $(cat "$TMP/err")"
	for side in subscriber uplink; do
		cmp -s "$TMP/alone-$side.txt" "$TMP/b-$side.txt" &&
			cmp -s "$TMP/alone-$side.pcap" "$TMP/b-$side.pcap" && ok ||
			bad "batch: the $side replay differs from the one alone"
	done
	[ -s "$TMP/alone-subscriber.txt" ] && ok || bad "replay alone printed nothing"
fi

# WireGuard members: a key (unique), an endpoint learnt or pinned as
# ADDR:PORT, the listen port of their interface.
WK1=xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=
WK2=HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=
expect_ok "add wireguard" tg sub add t-wg --type wireguard --public-key "$WK1" \
	--prefix 100.64.77.0/24 --prefix 2001:db8:77::/48
expect_ok "show wireguard" tg -j sub show t-wg
json_check "wireguard record" "j['type'] == 'wireguard' and j['public_key'] == '$WK1' and j['remote'] is None and j['local'] is None and j['listen_port'] is None and j['peer_port'] is None"
expect_ok "show wireguard text" tg sub show t-wg
grep -q "^public_key: *$WK1\$" "$TMP/out" && grep -q '^endpoint: *learnt' "$TMP/out" &&
	grep -q '^interface: *tgwg51820 (listen port 51820, the default)$' "$TMP/out" && ok ||
	bad "wireguard show: $(cat "$TMP/out")"
# No interface (and here no WireGuard in the kernel): down, nothing fails.
grep -q '^wireguard: *down, not a peer of tgwg51820 (not synced yet)$' "$TMP/out" && ok ||
	bad "wireguard peer state: $(cat "$TMP/out")"
expect_ok "show wireguard peer -j" tg -j sub show t-wg
json_check "wireguard peer down" "j['wireguard'] == {'interface': 'tgwg51820', 'peer': False, 'state': 'down', 'last_handshake': None, 'handshake_age_seconds': None, 'endpoint': None, 'rx_bytes': 0, 'tx_bytes': 0}"
expect_ok "pin the endpoint" tg sub set t-wg --remote 192.0.2.77:51821 --listen-port 51900
expect_ok "show pinned" tg sub show t-wg
grep -q '^endpoint: *192.0.2.77:51821 (pinned)$' "$TMP/out" &&
	grep -q '^interface: *tgwg51900 (listen port 51900)$' "$TMP/out" && ok ||
	bad "wireguard pinned show: $(cat "$TMP/out")"
expect_ok "show pinned -j" tg -j sub show t-wg
json_check "pinned endpoint" "j['remote'] == '192.0.2.77' and j['peer_port'] == 51821 and j['listen_port'] == 51900"
expect_ok "list wireguard" tg sub list
grep -q '^t-wg .* wireguard .*peer of tgwg51900' "$TMP/out" && ok || bad "wireguard list: $(cat "$TMP/out")"
# An IPv6 endpoint: [ADDR]:PORT, stored and shown as such.
expect_ok "pin an IPv6 endpoint" tg sub set t-wg --remote '[2001:DB8:78::9]:51822'
expect_ok "show IPv6 endpoint" tg sub show t-wg
grep -q '^endpoint: *\[2001:db8:78::9\]:51822 (pinned)$' "$TMP/out" && ok ||
	bad "wireguard IPv6 endpoint show: $(cat "$TMP/out")"
expect_ok "show IPv6 endpoint -j" tg -j sub show t-wg
json_check "IPv6 endpoint" "j['remote'] == '2001:db8:78::9' and j['peer_port'] == 51822"
expect_ok "export IPv6 endpoint" tg export
grep -q '^sub,t-wg,on,wireguard,2001:db8:78::9,' "$TMP/out" && ok ||
	bad "wireguard IPv6 endpoint export: $(grep t-wg "$TMP/out")"
expect_refused "IPv6 endpoint without port" "--remote '[2001:db8::1]': not [IPV6]:PORT" \
	tg sub set t-wg --remote '[2001:db8::1]'
expect_refused "IPv6 endpoint port 0" "--remote '[2001:db8::1]:0': port out of range 1..65535" \
	tg sub set t-wg --remote '[2001:db8::1]:0'
expect_refused "IPv6 endpoint unclosed" "--remote '[2001:db8::1:51820': not [IPV6]:PORT" \
	tg sub set t-wg --remote '[2001:db8::1:51820'
expect_refused "IPv6 endpoint not an address" "--remote '[2001:db8::g]:51820': not an IPv6 address" \
	tg sub set t-wg --remote '[2001:db8::g]:51820'
expect_refused "IPv6 endpoint multicast" "--remote 'ff02::1': not a unicast address (reserved range ff00::/8)" \
	tg sub set t-wg --remote '[ff02::1]:51820'
expect_refused "IPv6 endpoint in its prefix" "holds the subscriber's own tunnel endpoint 2001:db8:78::9" \
	tg sub set t-wg --add-prefix 2001:db8:78::/64
expect_refused "IPv6 remote for gre" "--remote '2001:db8::1': not an IPv4 address (type gre; an IPv6 endpoint is for type wireguard only)" \
	tg sub add t-gre6 --type gre --remote '2001:db8::1' --local 198.51.100.1
expect_refused "IPv6 endpoint for a new member without port" "not [IPV6]:PORT" \
	tg sub add t-wg2 --type wireguard --public-key "$WK2" --remote '[2001:db8::2]'
expect_ok "endpoint learnt again" tg sub set t-wg --remote none
expect_ok "show learnt" tg -j sub show t-wg
json_check "learnt endpoint" "j['remote'] is None and j['peer_port'] is None"
expect_refused "same key twice" "--public-key '$WK1': subscriber 't-wg' has it" \
	tg sub add t-wg2 --type wireguard --public-key "$WK1" --prefix 100.64.78.0/24
expect_refused "key missing" "--public-key is required for type wireguard" \
	tg sub add t-wg2 --type wireguard --prefix 100.64.78.0/24
expect_refused "key too short" "--public-key 'abc': not a WireGuard key (base64 of 32 bytes" \
	tg sub add t-wg2 --type wireguard --public-key abc
expect_refused "key not canonical" "not a WireGuard key" \
	tg sub add t-wg2 --type wireguard --public-key "${WK2%w=}x="
expect_refused "key of 33 bytes" "--public-key: longer than 44 characters" \
	tg sub add t-wg2 --type wireguard --public-key "${WK2%=}AAAA"
expect_refused "wireguard --local" "--local is not valid for type wireguard" \
	tg sub add t-wg2 --type wireguard --public-key "$WK2" --local 198.51.100.1
expect_refused "endpoint without port" "--remote: type wireguard pins an endpoint as ADDR:PORT" \
	tg sub add t-wg2 --type wireguard --public-key "$WK2" --remote 192.0.2.78
expect_refused "endpoint port 0" "--remote '192.0.2.78:0': port out of range 1..65535" \
	tg sub add t-wg2 --type wireguard --public-key "$WK2" --remote 192.0.2.78:0
expect_refused "endpoint reserved" "--remote '127.0.0.1': not a unicast address" \
	tg sub add t-wg2 --type wireguard --public-key "$WK2" --remote 127.0.0.1:51820
expect_refused "listen port 0" "--listen-port" \
	tg sub add t-wg2 --type wireguard --public-key "$WK2" --listen-port 0
expect_refused "gre with a key" "--public-key is not valid for type gre" \
	tg sub add t-wg2 --type gre --remote 192.0.2.78 --local 198.51.100.1 --public-key "$WK2"
expect_refused "gre with a listen port" "--listen-port is not valid for type gre" \
	tg sub add t-wg2 --type gre --remote 192.0.2.78 --local 198.51.100.1 --listen-port 51820
expect_refused "wireguard with a GRE key" "--key is not valid for type wireguard" \
	tg sub add t-wg2 --type wireguard --public-key "$WK2" --key 5
expect_refused "set the same key" "--public-key '$WK1': subscriber 't-wg' has it" \
	tg sub add t-wg2 --type wireguard --public-key "$WK1"
expect_ok "second wireguard member" tg sub add t-wg2 --type wireguard --public-key "$WK2" \
	--remote 192.0.2.78:51820
expect_refused "set a key another has" "--public-key '$WK1': subscriber 't-wg' has it" \
	tg sub set t-wg2 --public-key "$WK1"
expect_ok "del second wireguard member" tg sub del t-wg2

cli_finish
