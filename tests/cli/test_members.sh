#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Dial-in members and the LNS's settings on the command line: members are
# enrolled without tunnel fields, their passwords never leave the
# database, every bad member, setting and session argument is refused with
# the database unchanged; session rows (as the daemon writes them) are
# listed, shown, killed and overlay the member for the sync.
set -uo pipefail
cd "$(dirname "$0")/../.."

TG=${TUNGATE:-build/tungate}
PY=/usr/bin/python3
TMP=$(mktemp -d /tmp/tg-members-test.XXXXXX)
DB=$TMP/tungate.db
# The sync's dry run opens the maps: its own pin root, never the default.
PIN=/sys/fs/bpf/tg-members-test-$$
trap 'rm -rf "$TMP" "$PIN"' EXIT
. tests/cli/lib.sh

tg() { tg_db --pin-root "$PIN" "$@"; }

tg db init >/dev/null || { echo "FAIL: db init"; echo "0 passed, 1 failed"; exit 1; }

# --- members -----------------------------------------------------------------
M=(--type l2tpv2 --prefix 100.64.1.2/32)
expect_ok "add member" tg sub add alice "${M[@]}" --user alice@exo.cat \
	--password 's3cret!' --prefix 2001:db8:1:1::/64 --prefix 2001:db8:1:100::/56
expect_ok "show -j" tg -j sub show alice
json_check "member fields" "j['user'] == 'alice@exo.cat' and j['password'] is True \
and j['remote'] is None and j['local'] is None and j['tunnel_id'] is None"
expect_ok "show" tg sub show alice
grep -q '^password: *set$' "$TMP/out" && ok || bad "show password: $(cat "$TMP/out")"
grep -q 's3cret' "$TMP/out" && bad "show prints the password" || ok
expect_ok "list" tg sub list
grep -q 'dial-in alice@exo.cat' "$TMP/out" && ok || bad "list: $(cat "$TMP/out")"
expect_ok "export" tg export
grep -q 's3cret' "$TMP/out" && bad "export prints the password" || ok
expect_ok "export json" tg export --format json
grep -q 's3cret' "$TMP/out" && bad "export json prints the password" || ok
[ "$(cli_sql "SELECT ppp_password FROM subscriber WHERE name = 'alice'")" = 's3cret!' ] &&
	ok || bad "password not stored"

# Each bad member: refused with its reason, the file unchanged.
while IFS='|' read -r desc msg args; do
	[ -n "$desc" ] || continue
	# shellcheck disable=SC2086
	expect_refused "$desc" "$msg" tg sub add bob $args
done <<'EOF'
user taken|--user 'alice@exo.cat': subscriber 'alice' has it|--type l2tpv2 --prefix 100.64.1.3/32 --user alice@exo.cat --password x
user on gre|--user is valid for type l2tpv2 only|--type gre --prefix 100.64.1.3/32 --user bob --password x
password alone|--password needs --user|--type gre --remote 192.0.2.5 --local 192.0.2.1 --prefix 100.64.1.3/32 --password x
no ipv4 /32|a dial-in member needs an IPv4 /32 --prefix|--type l2tpv2 --prefix 100.64.1.0/24 --user bob --password x
member with remote|--remote is not valid with --user|--type l2tpv2 --prefix 100.64.1.3/32 --user bob --password x --remote 192.0.2.5
member with tunnel id|--tunnel-id is not valid with --user|--type l2tpv2 --prefix 100.64.1.3/32 --user bob --password x --tunnel-id 5
member with peer port|--peer-port is not valid with --user|--type l2tpv2 --prefix 100.64.1.3/32 --user bob --password x --peer-port 1701
prefix taken|overlaps|--type l2tpv2 --prefix 100.64.1.2/32 --user bob --password x
static l2tpv2 without remote|--remote is required|--type l2tpv2 --tunnel-id 5 --session 6 --prefix 100.64.1.3/32
EOF
# A user with a space, given as one argument.
expect_refused "space in user (argument)" "spaces and control characters" \
	tg sub add bob --type l2tpv2 --prefix 100.64.1.3/32 --user "b ob" --password x
long=$(printf 'u%.0s' $(seq 254))
expect_refused "user too long" "--user: longer than 253 characters" \
	tg sub add bob --type l2tpv2 --prefix 100.64.1.3/32 --user "$long" --password x
expect_ok "member without password" tg sub add bob --type l2tpv2 \
	--prefix 100.64.1.3/32 --user bob@exo.cat
expect_ok "show bob" tg sub show bob
grep -q 'none (the member cannot log in)' "$TMP/out" && ok || bad "bob password: $(cat "$TMP/out")"
expect_ok "set password" tg sub set bob --password other
[ "$(cli_sql "SELECT ppp_password FROM subscriber WHERE name = 'bob'")" = other ] &&
	ok || bad "set password"
expect_ok "set keeps password" tg sub set bob --note hello
[ "$(cli_sql "SELECT ppp_password FROM subscriber WHERE name = 'bob'")" = other ] &&
	ok || bad "sub set lost the password"

# Export then import into a new database: members come back, passwords not.
expect_ok "export csv" tg export -o "$TMP/all.csv"
expect_ok "import" "$TG" --db "$TMP/new.db" db init
expect_ok "import csv" "$TG" --db "$TMP/new.db" import "$TMP/all.csv"
[ "$(sqlite3 "$TMP/new.db" "SELECT ppp_user || ',' || coalesce(ppp_password, 'NULL') FROM subscriber WHERE name = 'alice'")" = 'alice@exo.cat,NULL' ] &&
	ok || bad "import: member not as expected"

# Rows written with sqlite3 meet the schema.
sql_refused "sqlite3: a second row with alice's user" "UNIQUE" \
	"INSERT INTO subscriber (name, type, ppp_user, mtu) VALUES ('carol', 'l2tpv2', 'alice@exo.cat', 1400)"

# --- settings ----------------------------------------------------------------
expect_ok "lns defaults" tg -j config show
json_check "lns off" "j['lns'] == 'off' and j['lns_auth'] == 'chap,pap' and j['lns_secret'] == 'none'"
expect_ok "lns on" tg config set lns 192.0.2.1
expect_ok "lns port" tg config set lns 192.0.2.1:1702
expect_ok "lns secret" tg config set lns-secret tunnel-s3cret
expect_ok "lns auth" tg config set lns-auth chap
expect_ok "lns dns" tg config set lns-dns 198.51.100.53,2001:db8:ff::53,198.51.100.54
expect_ok "lns name" tg config set lns-name lns.exo.test
expect_ok "lns address" tg config set lns_address 100.64.0.1
expect_ok "show" tg -j config show
json_check "lns values" "j['lns'] == '192.0.2.1:1702' and j['lns_secret'] == 'set' \
and j['lns_auth'] == 'chap' and j['lns_dns'] == '198.51.100.53,198.51.100.54,2001:db8:ff::53' \
and j['lns_name'] == 'lns.exo.test' and j['lns_address'] == '100.64.0.1'"
expect_ok "show text" tg config show
grep -q 'tunnel-s3cret' "$TMP/out" && bad "config show prints the secret" || ok
expect_ok "export" tg export
grep -q 'tunnel-s3cret' "$TMP/out" && bad "export prints the tunnel secret" || ok
while IFS='|' read -r desc msg key value; do
	[ -n "$desc" ] || continue
	expect_refused "$desc" "$msg" tg config set "$key" "$value"
done <<'EOF'
lns ipv6|an IPv4 address of this host|lns|2001:db8::1
lns any|an IPv4 address of this host|lns|0.0.0.0
lns name|is not ADDRESS|lns|concentrator
lns port 0|is not ADDRESS|lns|192.0.2.1:0
lns port big|is not ADDRESS|lns|192.0.2.1:70000
secret space|without spaces|lns-secret|a b
auth mschap|chap, pap or chap,pap|lns-auth|mschap
dns three|up to two IPv4 and two IPv6 addresses|lns-dns|192.0.2.1,192.0.2.2,192.0.2.3
dns three v6|up to two IPv4 and two IPv6 addresses|lns-dns|2001:db8::1,2001:db8::2,2001:db8::3
dns junk|up to two IPv4 and two IPv6 addresses|lns-dns|192.0.2.1,
dns multicast|up to two IPv4 and two IPv6 addresses|lns-dns|ff02::1
dns unspecified|up to two IPv4 and two IPv6 addresses|lns-dns|0.0.0.0
address|not an IPv4 address|lns-address|300.1.1.1
EOF
expect_refused "lns-address = lns" "members would route their tunnel into itself" \
	tg config set lns-address 192.0.2.1
expect_ok "lns off" tg config set lns off

# --- sessions ----------------------------------------------------------------
expect_ok "no sessions" tg -j session list
json_check "empty" "j == []"
expect_refused "show none" "member 'alice' has no session up" tg session show alice
expect_refused "kill none" "member 'alice' has no session up" tg session kill alice
expect_refused "show no name" "missing NAME" tg session show
expect_refused "list extra" "unexpected argument 'x'" tg session list x
# A session as the daemon writes it: this POP's own, in its database file
# or, against PostgreSQL, its snapshot.
sqlite3 "$DB" "INSERT INTO session (subscriber_id, remote, local, peer_port,
	local_port, tunnel_id, session_id, peer_tunnel_id, peer_session, started, lac)
	SELECT id, '192.0.2.2', '192.0.2.1', 1701, 1701, 100, 200, 7, 9,
	strftime('%s', 'now') - 3700, 'exo-cpe' FROM subscriber WHERE name = 'alice'" &&
	ok || bad "session row"
expect_ok "list" tg session list
grep -q '^alice .*192.0.2.2:1701 .*100/7 .*200/9 .*01:01:.. *up *exo-cpe' "$TMP/out" &&
	ok || bad "session list: $(cat "$TMP/out")"
expect_ok "show -j" tg -j session show alice
json_check "session" "j['name'] == 'alice' and j['user'] == 'alice@exo.cat' and \
j['lac'] == '192.0.2.2' and j['tunnel_id'] == 100 and j['session_id'] == 200 and \
j['peer_tunnel_id'] == 7 and j['peer_session'] == 9 and j['state'] == 'up' and j['uptime'] >= 3700"
expect_ok "sub show -j with session" tg -j sub show alice
json_check "sub show session" "j['session']['tunnel_id'] == 100 and j['session']['lac'] == '192.0.2.2'"
expect_ok "sub show with session" tg sub show alice
grep -q '^session: *up 01:01:.. from 192.0.2.2:1701 (exo-cpe), tunnel 100/7, session 200/9$' "$TMP/out" &&
	ok || bad "sub show session: $(grep session: "$TMP/out")"
expect_ok "sub show offline" tg sub show bob
grep -q '^session: *none (not dialled in)$' "$TMP/out" && ok || bad "offline: $(grep session: "$TMP/out")"
expect_ok "sub show -j offline" tg -j sub show bob
json_check "offline session null" "j['session'] is None"
# The sync's view: alice with the session's identity, bob (offline) absent.
expect_ok "sync dry run" tg sync --dry-run
grep -q 'alice' "$TMP/out" && ok || bad "dry run: $(cat "$TMP/out")"
grep -q 'bob' "$TMP/out" && bad "offline member bob in the sync: $(cat "$TMP/out")" || ok
sql_refused "session of two" "UNIQUE" "INSERT INTO session (subscriber_id,
	remote, local, peer_port, local_port, tunnel_id, session_id, peer_tunnel_id,
	peer_session, started) SELECT id, '192.0.2.3', '192.0.2.1', 1701, 1701, 100, 200, 8,
	10, 0 FROM subscriber WHERE name = 'bob'"
expect_ok "kill" tg session kill alice
expect_ok "show after kill" tg -j session show alice
json_check "ending" "j['state'] == 'ending'"
expect_ok "delete member" tg sub del alice
expect_ok "sessions gone with it" tg -j session list
json_check "empty again" "j == []"

cli_finish
