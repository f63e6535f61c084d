#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# WireGuard members' invitations and enrolment on the command line and
# through the broker of 'tungate run' over HTTP on loopback: the wg-*
# settings, every bad invitation and enrolment refused with the database
# unchanged, the member an enrolment makes (the row; its peer needs the
# kernel's WireGuard, which tests/kernels/wg_enrol.sh has), the broker's
# answers, rate limit and counters; the broker over HTTPS with a
# throw-away CA (openssl): its files refused when unreadable, not PEM, a
# key not the certificate's, one without the other; curl enrols trusting
# the CA, and gets nothing over plain HTTP or without the CA; a SIGHUP
# serves renewed files (the fingerprint openssl s_client sees), keeps
# the broker when they broke. Runs on a file, or on PostgreSQL
# (tests/cli/test_cli_pg.sh). The broker needs root and bpffs (the
# daemon's maps under a private pin root): outside CI it says SKIP.
set -uo pipefail
cd "$(dirname "$0")/../.."

TG=${TUNGATE:-build/tungate}
PY=/usr/bin/python3
TMP=$(mktemp -d /tmp/tg-wg-test.XXXXXX)
DB=$TMP/tungate.db
PIN=/sys/fs/bpf/tg-wg-test-$$
PORT=$((20000 + $$ % 20000))
MPORT=$((PORT + 1))
RUN_PID=
cleanup() {
	[ -n "$RUN_PID" ] && kill "$RUN_PID" 2>/dev/null && wait "$RUN_PID"
	rm -rf "$TMP" "$PIN"
}
trap cleanup EXIT
. tests/cli/lib.sh

tg() { tg_db --pin-root "$PIN" "$@"; }
# logged PATTERN [LOG]: PATTERN in the daemon's log (LOG, default
# run.log) within 10 s.
logged() {
	local _
	for _ in $(seq 100); do
		grep -q -- "$1" "${2:-$TMP/run.log}" && return 0
		sleep 0.1
	done
	return 1
}
skip() {
	echo "SKIP: wg: $*"
	[ "${CI:-}" = true ] && fail=$((fail + 1))
}
K1=xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=
K2=HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=
K3=gN65BkIKy1eCE9pP1wdc8ROUtkHLF2PfAqYdyYBz6EA=
K5=FqS8IgQ2t23t3y+A82j9aLrrkI0oHYZchJ0wSKxHxxA=

tg db init >/dev/null || { echo "FAIL: db init"; echo "0 passed, 1 failed"; exit 1; }
expect_ok "class" tg class add home --down-rate 10mbit --up-rate 10mbit

# --- settings ----------------------------------------------------------------
while IFS='|' read -r k v msg; do
	expect_refused "$k '$v'" "config set: $k: $msg" tg config set "$k" "$v"
done <<'EOF_SET'
wg-endpoint|2001:db8::1:5:6:7:8:9|'2001:db8::1:5:6:7:8:9': HOST[:PORT] (a name, an IPv4 address or [IPV6]), or 'none'
wg-endpoint|vpn.example.net:0|'vpn.example.net:0': HOST[:PORT]
wg-mtu|1279|'1279': a number 1280..9000
wg-allowed-ips|100.64.0.1/10|'100.64.0.1/10': host bits set
wg-pool4|2001:db8::/48|'2001:db8::/48': an IPv4 prefix of length at most 32
wg-pool6|2001:db8::/80|'2001:db8::/80': an IPv6 prefix of length at most 64
wg-broker|8080|'8080': ADDRESS:PORT to listen on
EOF_SET
expect_refused "wg invite without an endpoint" "wg invite: no wg-endpoint" \
	tg wg invite m1 --class home --prefix 100.64.8.0/32
expect_ok "wg-endpoint" tg config set wg-endpoint vpn.example.net
expect_ok "wg-allowed-ips" tg config set wg_allowed_ips "100.64.0.0/10, 2001:db8::/32"
expect_ok "config show -j" tg -j config show
json_check "wg settings" "j['wg_endpoint'] == 'vpn.example.net' and j['wg_mtu'] == '1420' \
and j['wg_allowed_ips'] == '100.64.0.0/10,2001:db8::/32' and j['wg_pool4'] == 'none' \
and j['wg_broker'] == 'off'"

# import and export take them, checked as config set checks them.
printf 'kind,name,value\nsetting,wg_mtu,70000\n' >"$TMP/wg-set.csv"
expect_refused "import wg_mtu range" "setting 'wg_mtu': '70000': a number 1280..9000" \
	tg import "$TMP/wg-set.csv"
printf 'kind,name,value\nsetting,wg_pool6,2001:db8:f::/56\n' >"$TMP/wg-set.csv"
expect_ok "import wg_pool6" tg import "$TMP/wg-set.csv"
expect_ok "export" tg export
tr -d '\r' <"$TMP/out" >"$TMP/export.csv"
grep -qx 'setting,wg_pool6,,*2001:db8:f::/56' "$TMP/export.csv" &&
	grep -qx 'setting,wg_endpoint,,*vpn.example.net' "$TMP/export.csv" && ok ||
	bad "export of the wg settings: $(grep wg_ "$TMP/export.csv")"
expect_ok "wg-pool6 none" tg config set wg-pool6 none
# A row written behind config set's back: db check names it.
cli_sql "UPDATE setting SET value = '90' WHERE key = 'wg_mtu'; INSERT INTO setting (key, value) SELECT 'wg_mtu', '90' WHERE NOT EXISTS (SELECT 1 FROM setting WHERE key = 'wg_mtu')"
if tg db check >"$TMP/out" 2>"$TMP/err"; then
	bad "db check of wg_mtu 90: ok"
else
	grep -qF "setting wg_mtu: '90': a number 1280..9000" "$TMP/out" && ok ||
		bad "db check: $(cat "$TMP/out" "$TMP/err")"
fi
expect_ok "wg-mtu" tg config set wg-mtu 1420

# The broker's certificate and key, checked when set.
# A throw-away CA; two certificates of the broker it signed (the second
# replaces the first, as a renewal would); another key.
ossl() { openssl "$@" >>"$TMP/openssl.log" 2>&1; }
mkcert() {
	ossl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$TMP/$1.key" -out "$TMP/$1.csr" -subj "/CN=vpn.example.net" &&
	printf 'subjectAltName=DNS:vpn.example.net,IP:127.0.0.1\n' >"$TMP/$1.ext" &&
	ossl x509 -req -in "$TMP/$1.csr" -CA "$TMP/ca.pem" -CAkey "$TMP/ca.key" \
		-CAcreateserial -days 2 -extfile "$TMP/$1.ext" -out "$TMP/$1.pem"
}
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	-keyout "$TMP/ca.key" -out "$TMP/ca.pem" -subj "/CN=tungate test CA" &&
	mkcert srv1 && mkcert srv2 &&
	ossl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:P-256 -out "$TMP/other.key" &&
	ok || bad "openssl: $(tail -n 5 "$TMP/openssl.log")"
# The certificate with its chain, as Let's Encrypt's fullchain.pem.
CERT=$TMP/broker.pem
KEY=$TMP/broker.key
cat "$TMP/srv1.pem" "$TMP/ca.pem" >"$CERT"
cp "$TMP/srv1.key" "$KEY"
chmod 600 "$KEY"
echo "not a certificate" >"$TMP/garbage.pem"
cp "$TMP/garbage.pem" "$TMP/garbage.key"
chmod 600 "$TMP/garbage.key" "$TMP/other.key"
cp "$TMP/srv1.key" "$TMP/open.key"
chmod 644 "$TMP/open.key"
while IFS='|' read -r k v msg; do
	expect_refused "$k ${v#"$TMP"/}" "config set: $k: $msg" tg config set "$k" "$v"
done <<EOF_TLS
wg-broker-cert|broker.pem|'broker.pem': the absolute path of a PEM file
wg-broker-cert|$TMP/missing.pem|'$TMP/missing.pem': cannot read: No such file or directory
wg-broker-cert|$TMP/garbage.pem|'$TMP/garbage.pem': not a PEM certificate
wg-broker-cert|$KEY|'$KEY': not a PEM certificate
wg-broker-cert|$TMP|'$TMP': not a regular file
wg-broker-key|$TMP/garbage.key|'$TMP/garbage.key': not a PEM private key
wg-broker-key|$TMP/open.key|'$TMP/open.key': mode 0644 lets others read the private key
EOF_TLS
expect_ok "wg-broker-cert" tg config set wg-broker-cert "$CERT"
expect_refused "a key not the certificate's" \
	"config set: wg-broker-key: the key '$TMP/other.key' is not the key of the certificate '$CERT'" \
	tg config set wg-broker-key "$TMP/other.key"
expect_ok "wg-broker-key" tg config set wg-broker-key "$KEY"
expect_ok "config show -j" tg -j config show
json_check "the broker's files" "j['wg_broker_cert'] == '$CERT' and j['wg_broker_key'] == '$KEY'"
expect_refused "another certificate than the key's" \
	"config set: wg-broker-cert: the key '$KEY' is not the key of the certificate '$TMP/srv2.pem' (to change both: 'config set wg-broker-key none' first)" \
	tg config set wg-broker-cert "$TMP/srv2.pem"
expect_ok "wg-broker-key none" tg config set wg-broker-key none
expect_ok "wg-broker-cert none" tg config set wg-broker-cert none
expect_ok "config show" tg config show
grep -qx 'wg-broker-cert none' "$TMP/out" && grep -qx 'wg-broker-key none' "$TMP/out" && ok ||
	bad "config show: $(grep wg-broker "$TMP/out")"

# --- invitations ---------------------------------------------------------------
expect_ok "a member holding 100.64.9.0/24" tg sub add s1 --type wireguard \
	--public-key "$K3" --prefix 100.64.9.0/24
expect_refused "no prefix, no pool" "wg invite: no --prefix and no pool" \
	tg wg invite m1 --class home
expect_refused "no class" "wg invite: --class is required" \
	tg wg invite m1 --prefix 100.64.8.0/32
expect_refused "unknown class" "wg invite: --class 'gold': no such class" \
	tg wg invite m1 --class gold --prefix 100.64.8.0/32
expect_refused "a subscriber's name" "wg invite: name 's1': already exists" \
	tg wg invite s1 --class home --prefix 100.64.8.0/32
expect_refused "a subscriber's prefix" \
	"wg invite: --prefix '100.64.9.128/25': overlaps '100.64.9.0/24' of subscriber 's1'" \
	tg wg invite m1 --class home --prefix 100.64.9.128/25
expect_refused "bad prefix" "wg invite: --prefix '100.64.8.1/24': host bits set" \
	tg wg invite m1 --class home --prefix 100.64.8.1/24
expect_refused "bad expiry" "wg invite: --expires '7w'" \
	tg wg invite m1 --class home --prefix 100.64.8.0/32 --expires 7w
expect_refused "bad name" "wg invite: name 'a b': " tg wg invite 'a b' --class home
expect_ok "a pool s1 fills" tg config set wg-pool4 100.64.9.0/30
expect_refused "full pool" "wg invite: pool 100.64.9.0/30 is full: no free /32 in it" \
	tg wg invite m1 --class home
expect_ok "wg-pool4" tg config set wg-pool4 100.64.8.0/30
expect_ok "wg-pool6" tg config set wg-pool6 2001:db8:8::/63
expect_ok "invite from the pools" tg -j wg invite m1 --class home
json_check "invite -j" "j['name'] == 'm1' and j['prefixes'] == ['100.64.8.0/32', '2001:db8:8::/64'] \
and len(j['token']) == 24 and j['command'] is None"
T1=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$TMP/out")
expect_ok "invite again from the pools" tg wg invite m2 --class home --expires 1s
grep -q "^invited 'm2' (class home, prefixes 100.64.8.1/32 2001:db8:8:1::/64) until " "$TMP/out" &&
	grep -q "the broker is off: set 'tungate config set wg-broker" "$TMP/out" && ok ||
	bad "invite text: $(cat "$TMP/out")"
T2=$(sed -n 's/^token.*: //p' "$TMP/out")
expect_refused "an invitation's prefix" \
	"wg invite: --prefix '100.64.8.0/31': overlaps '100.64.8.0/32' of the invitation 'm1'" \
	tg wg invite m3 --class home --prefix 100.64.8.0/31
expect_refused "an invitation's name" "wg invite: name 'm1': an invitation has it already" \
	tg wg invite m1 --class home --prefix 100.64.10.0/32
expect_ok "invite m3" tg wg invite m3 --class home --prefix 100.64.10.0/24 --listen-port 51900
T3=$(sed -n 's/^token.*: //p' "$TMP/out")
expect_ok "invite m4" tg wg invite m4 --class home --prefix 100.64.11.0/24
T4=$(sed -n 's/^token.*: //p' "$TMP/out")
expect_ok "invite m5" tg wg invite m5 --class home --prefix 100.64.12.0/24
T5=$(sed -n 's/^token.*: //p' "$TMP/out")
# Only hashes are kept.
for t in "$T1" "$T2" "$T3" "$T4" "$T5"; do
	[ ${#t} = 24 ] || bad "token '$t'"
	tg export >"$TMP/export" 2>&1
	if grep -qF -- "$t" "$DB" "$TMP/export" ||
	   [ "$(cli_sql "SELECT count(*) FROM wg_invite WHERE token_hash LIKE '%$t%'")" != 0 ]; then
		bad "token $t stored"
	else
		ok
	fi
done
[ "$(cli_sql "SELECT token_hash FROM wg_invite WHERE name = 'm1'")" = \
	"$(printf '%s' "$T1" | sha256sum | cut -d' ' -f1)" ] && ok || bad "m1's hash"
expect_ok "invites" tg -j wg invites
json_check "invites" "[i['name'] for i in j] == ['m1', 'm2', 'm3', 'm4', 'm5'] \
and j[2]['listen_port'] == 51900 and all(i['used'] is None for i in j) \
and not any('token' in i for i in j)"
expect_ok "uninvite" tg wg uninvite m5
expect_refused "uninvite again" "wg uninvite: no invitation 'm5'" tg wg uninvite m5

# --- enrolment on the command line ---------------------------------------------
sleep 1.1
expect_refused "enrol: forged" "wg enrol: unknown: no invitation has this token" \
	tg wg enrol AAAAAAAAAAAAAAAAAAAAAAAA "$K1"
expect_refused "enrol: not a token" "wg enrol: unknown: not a token" \
	tg wg enrol 'x y' "$K1"
expect_refused "enrol: withdrawn" "wg enrol: unknown: no invitation has this token" \
	tg wg enrol "$T5" "$K1"
expect_refused "enrol: bad key" "wg enrol: bad_key: not a WireGuard public key" \
	tg wg enrol "$T1" "${K1%=}A"
expect_refused "enrol: expired" "wg enrol: expired: the invitation 'm2' expired at " \
	tg wg enrol "$T2" "$K1"
expect_refused "enrol: a member's key" "wg enrol: key_in_use: another member has this public key" \
	tg wg enrol "$T1" "$K3"
expect_ok "enrol from standard input" sh -c "echo '$T1 $K1' | $TG ${TG_DB_OPTS[*]} --pin-root $PIN wg enrol"
grep -qx 'Address = 100.64.8.0/32, 2001:db8:8::1/64' "$TMP/out" &&
	grep -qx 'Endpoint = vpn.example.net:51820' "$TMP/out" &&
	grep -qx 'AllowedIPs = 100.64.0.0/10, 2001:db8::/32' "$TMP/out" &&
	! grep -q '^PrivateKey' "$TMP/out" && ok || bad "enrol printed: $(cat "$TMP/out")"
expect_ok "the member" tg -j sub show m1
json_check "the member" "j['type'] == 'wireguard' and j['public_key'] == '$K1' \
and j['class'] == 'home' and j['prefixes'] == ['100.64.8.0/32', '2001:db8:8::/64'] and j['enabled']"
expect_refused "enrol: used" "wg enrol: used: the invitation 'm1' was used already" \
	tg wg enrol "$T1" "$K2"
expect_ok "a member takes m4's prefix" tg sub add s4 --type wireguard \
	--public-key "$K2" --prefix 100.64.11.128/25
expect_refused "enrol: the member refused" \
	"wg enrol: refused: --prefix '100.64.11.0/24': overlaps '100.64.11.128/25' of subscriber 's4'" \
	tg wg enrol "$T4" 0123456789abcdefghijklmnopqrstuvwxyzABCDEFE=
expect_ok "invites after" tg -j wg invites
json_check "m1 used" "j[0]['used'] is not None and j[0]['used_key'] == '$K1' and j[1]['expired'] \
and j[3]['used'] is None"
expect_ok "db check" tg db check

# --- the broker ------------------------------------------------------------------
if [ "$(id -u)" != 0 ] || ! mountpoint -q /sys/fs/bpf; then
	skip "broker: needs root and bpffs at /sys/fs/bpf"
	cli_finish
	exit
fi
command -v curl >/dev/null || { bad "curl missing"; cli_finish; exit; }
# The maps are written; the WireGuard members' peers need the module.
tg sync >/dev/null 2>&1
[ -e "$PIN/tg_tunnels" ] && ok || bad "sync: no maps under $PIN"
expect_ok "wg-broker" tg config set wg-broker 127.0.0.1:$PORT
expect_ok "invite b1" tg wg invite b1 --class home --prefix 100.64.20.0/24
B1=$(sed -n 's/^token.*: //p' "$TMP/out")
grep -qxF "  wget -qO- http://vpn.example.net:$PORT/wg/openwrt.sh | sh -s -- $B1" "$TMP/out" && ok ||
	bad "invite command: $(cat "$TMP/out")"
expect_ok "invite b2" tg wg invite b2 --class home --prefix 100.64.21.0/24
B2=$(sed -n 's/^token.*: //p' "$TMP/out")
tg_db_opts
"$TG" "${TG_DB_OPTS[@]}" --pin-root "$PIN" run --interval 100 --usage-interval 0 \
	--metrics 127.0.0.1:$MPORT 2>"$TMP/run.log" &
RUN_PID=$!
URL=http://127.0.0.1:$PORT
logged "wg broker: listening on 127.0.0.1:$PORT"
# post FROM FORM: the status, the body in $TMP/body.
post() {
	curl -s -o "$TMP/body" -w '%{http_code}' --max-time 40 --interface "$1" \
		--data "$2" "$URL/wg/enrol"
}
count() {
	curl -s --max-time 10 "http://127.0.0.1:$MPORT/metrics" |
		sed -n "s/^tungate_wg_enrol_total{result=\"$1\"} //p"
}
# enrolled NAME KEY PREFIX ADDRESS: $got and $TMP/body are NAME's file
# (ADDRESS), its row has KEY and PREFIX, its invitation is used by KEY.
enrolled() {
	[ "$got" = 200 ] && grep -qx "Address = $4" "$TMP/body" &&
		grep -qx "# tungate WireGuard member $1" "$TMP/body" && ok ||
		bad "enrol $1: $got $(cat "$TMP/body") $(tail -n 3 "$TMP/run.log")"
	expect_ok "$1's row" tg -j sub show "$1"
	json_check "$1's row" "j['type'] == 'wireguard' and j['public_key'] == '$2' \
and j['prefixes'] == ['$3'] and j['class'] == 'home'"
	[ "$(cli_sql "SELECT used_key FROM wg_invite WHERE name = '$1'")" = "$2" ] && ok ||
		bad "$1's invitation not marked used"
}
# enc VALUE: percent-encoded as the client script does it.
enc() { $PY -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
# refused WHAT FROM FORM STATUS RESULT
refused() {
	local before got
	tg export >"$TMP/rows.before" 2>&1
	cli_sql "SELECT * FROM wg_invite ORDER BY name" >>"$TMP/rows.before"
	got=$(post "$2" "$3")
	[ "$got" = "$4" ] && grep -q "^$4 [A-Za-z ]*: $5: " "$TMP/body" && ok ||
		bad "$1: $got $(cat "$TMP/body")"
	tg export >"$TMP/rows.after" 2>&1
	cli_sql "SELECT * FROM wg_invite ORDER BY name" >>"$TMP/rows.after"
	cmp -s "$TMP/rows.before" "$TMP/rows.after" && ok || bad "$1: rows changed"
	grep -q "wg broker: $2: refused ($5): " "$TMP/run.log" && ok ||
		bad "$1: not logged: $(tail -n 3 "$TMP/run.log")"
}
got=$(curl -s -o "$TMP/body" -w '%{http_code}' --interface 127.0.0.2 \
	-H "Host: vpn.example.net:$PORT" "$URL/wg/openwrt.sh")
[ "$got" = 200 ] && grep -qxF "BROKER=\${2:-http://vpn.example.net:$PORT}" "$TMP/body" &&
	cmp -s <(sed "s|@BROKER@|http://vpn.example.net:$PORT|" loader/wg/tungate-wg-enrol.sh) "$TMP/body" &&
	ok || bad "GET the script: $got $(head -c 300 "$TMP/body")"
got=$(post 127.0.0.2 "token=$B1&key=$(enc "$K5")")
enrolled b1 "$K5" 100.64.20.0/24 100.64.20.1/24
grep -q "wg broker: 127.0.0.2: enrolled b1 with key $K5" "$TMP/run.log" && ok ||
	bad "enrolment not logged: $(tail -n 3 "$TMP/run.log")"
# '+' unencoded is taken as '+' (a key has no spaces).
K4=k+Uy8jv0z1iK5sVYWm4xx4WANQmJK5tHq2UoBwYTRWw=
refused "used again" 127.0.0.2 "token=$B1&key=$(enc "$K4")" 403 used
refused "forged" 127.0.0.3 "token=AAAAAAAAAAAAAAAAAAAAAAAA&key=$(enc "$K4")" 403 unknown
refused "expired" 127.0.0.3 "token=$T2&key=$(enc "$K4")" 403 expired
refused "bad key" 127.0.0.3 "token=$B2&key=nokey" 400 bad_key
refused "a member's key" 127.0.0.3 "token=$B2&key=$(enc "$K5")" 403 key_in_use
refused "no form" 127.0.0.4 "hello" 400 bad_request
refused "long form" 127.0.0.4 "token=$B2&key=$(head -c 600 /dev/zero | tr '\0' x)" 400 bad_request
got=$(post 127.0.0.4 "token=$B2&key=$K4")
[ "$got" = 200 ] && ok || bad "enrol b2 with '+' unencoded: $got $(cat "$TMP/body")"
[ "$(cli_sql "SELECT wg_public_key FROM subscriber WHERE name = 'b2'")" = "$K4" ] && ok ||
	bad "b2's key: $(cli_sql "SELECT wg_public_key FROM subscriber WHERE name = 'b2'")"
got=$(curl -s -o "$TMP/body" -w '%{http_code}' --interface 127.0.0.5 "$URL/other")
[ "$got" = 404 ] && ok || bad "other path: $got"
got=$(curl -s -o "$TMP/body" -w '%{http_code}' --interface 127.0.0.5 "$URL/wg/enrol")
[ "$got" = 405 ] && ok || bad "GET enrol: $got"
# Five requests a minute from one address: the sixth is refused.
for i in 1 2 3; do
	got=$(post 127.0.0.5 "token=AAAAAAAAAAAAAAAAAAAAAAAA&key=$(enc "$K4")")
	[ "$got" = 403 ] || bad "request $((i + 2)) of 127.0.0.5: $got"
done
got=$(post 127.0.0.5 "token=$B2&key=$(enc "$K4")")
[ "$got" = 429 ] && grep -q '^429 Too Many Requests: rate_limited: ' "$TMP/body" && ok ||
	bad "sixth request: $got $(cat "$TMP/body")"
got=$(post 127.0.0.6 "token=AAAAAAAAAAAAAAAAAAAAAAAA&key=$(enc "$K4")")
[ "$got" = 403 ] && ok || bad "another address is not limited: $got"
for r in ok:2 unknown:5 used:1 expired:1 bad_key:1 key_in_use:1 refused:0 \
	bad_request:2 rate_limited:1 error:0; do
	[ "$(count "${r%%:*}")" = "${r#*:}" ] && ok ||
		bad "tungate_wg_enrol_total{result=\"${r%%:*}\"} $(count "${r%%:*}"), expected ${r#*:}"
done
# Off on SIGHUP.
expect_ok "wg-broker off" tg config set wg-broker off
kill -HUP "$RUN_PID"
logged "wg broker: stopped listening on 127.0.0.1:$PORT"
got=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --interface 127.0.0.7 "$URL/wg/openwrt.sh")
[ "$got" = 000 ] && ok || bad "the broker still answers after SIGHUP: $got"

# --- the broker over HTTPS ---------------------------------------------------------
expect_ok "wg-broker again" tg config set wg-broker 127.0.0.1:$PORT
expect_ok "wg-broker-cert alone" tg config set wg-broker-cert "$CERT"
grep -qF "note: the broker serves HTTPS once wg-broker-key is set too" "$TMP/err" && ok ||
	bad "wg-broker-cert alone: no note: $(cat "$TMP/err")"
# One of the two only: the daemon serves nothing, plain HTTP least of all.
kill -HUP "$RUN_PID"
logged "wg broker: wg-broker-cert is set without wg-broker-key: HTTPS needs both; not started" && ok ||
	bad "the certificate alone: $(tail -n 3 "$TMP/run.log")"
got=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --interface 127.0.0.7 "$URL/wg/openwrt.sh")
[ "$got" = 000 ] && ok || bad "plain http with the certificate alone: $got"
expect_ok "wg-broker-key" tg config set wg-broker-key "$KEY"
expect_ok "invite b3" tg wg invite b3 --class home --prefix 100.64.22.0/24
B3=$(sed -n 's/^token.*: //p' "$TMP/out")
grep -qxF "  wget -qO- https://vpn.example.net:$PORT/wg/openwrt.sh | sh -s -- $B3" "$TMP/out" && ok ||
	bad "invite command over https: $(cat "$TMP/out")"
kill -HUP "$RUN_PID"
logged "wg broker: listening on 127.0.0.1:$PORT, https with the certificate of $CERT" && ok ||
	bad "https: $(tail -n 3 "$TMP/run.log")"
HTTPS=https://vpn.example.net:$PORT
# tls CURL-ARGS...: curl trusting the test CA, vpn.example.net on loopback.
tls() {
	curl -s --max-time 20 --cacert "$TMP/ca.pem" --resolve "vpn.example.net:$PORT:127.0.0.1" "$@"
}
got=$(tls -o "$TMP/body" -w '%{http_code}' --interface 127.0.0.8 "$HTTPS/wg/openwrt.sh")
[ "$got" = 200 ] && grep -qxF "BROKER=\${2:-https://vpn.example.net:$PORT}" "$TMP/body" &&
	cmp -s <(sed "s|@BROKER@|https://vpn.example.net:$PORT|" loader/wg/tungate-wg-enrol.sh) "$TMP/body" &&
	ok || bad "GET the script over https: $got $(grep -n 'BROKER=' "$TMP/body")"
got=$(tls -o "$TMP/body" -w '%{http_code}' --interface 127.0.0.8 \
	--data "token=$B3&key=$(enc "$K2")" "$HTTPS/wg/enrol")
[ "$got" = 403 ] && grep -q "key_in_use" "$TMP/body" && ok ||
	bad "a member's key over https: $got $(cat "$TMP/body")"
K6=aQ6dM3yU+8Fp8n5wqkYl8yJ6V5ZyP3lRk2sFq1cHq2U=
got=$(tls -o "$TMP/body" -w '%{http_code}' --interface 127.0.0.8 \
	--data "token=$B3&key=$(enc "$K6")" "$HTTPS/wg/enrol")
enrolled b3 "$K6" 100.64.22.0/24 100.64.22.1/24
[ "$(count ok)" = 3 ] && [ "$(count key_in_use)" = 2 ] && ok ||
	bad "counted over https: ok $(count ok), key_in_use $(count key_in_use)"
# Plain HTTP on the same port gets nothing; nor does a client without the CA.
got=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --interface 127.0.0.9 "$URL/wg/openwrt.sh")
[ "$got" = 000 ] && ok || bad "plain http to the https broker: $got"
curl -s -o /dev/null --max-time 5 --interface 127.0.0.9 \
	--resolve "vpn.example.net:$PORT:127.0.0.1" "$HTTPS/wg/openwrt.sh"
rc=$?
[ $rc = 60 ] && ok || bad "curl without the CA: exit $rc, expected 60 (certificate not trusted)"
# served FILE: the served certificate is FILE's (SHA-256 fingerprints).
fpr() { openssl x509 -noout -fingerprint -sha256 "$@" 2>/dev/null; }
served() {
	[ "$(openssl s_client -connect "127.0.0.1:$PORT" -servername vpn.example.net \
		</dev/null 2>/dev/null | fpr)" = "$(fpr -in "$1")" ]
}
served "$TMP/srv1.pem" && ok || bad "the served certificate is not srv1's"
# Renewed in place (the paths unchanged): served from the next SIGHUP on.
cat "$TMP/srv2.pem" "$TMP/ca.pem" >"$CERT"
cat "$TMP/srv2.key" >"$KEY"
served "$TMP/srv1.pem" && ok || bad "the new certificate served before SIGHUP"
kill -HUP "$RUN_PID"
logged "wg broker: https on 127.0.0.1:$PORT now with the certificate of $CERT" && ok ||
	bad "renewal not logged: $(tail -n 3 "$TMP/run.log")"
served "$TMP/srv2.pem" && ok || bad "after SIGHUP, the served certificate is not srv2's"
got=$(tls -o "$TMP/body" -w '%{http_code}' --interface 127.0.0.10 "$HTTPS/wg/openwrt.sh")
[ "$got" = 200 ] && ok || bad "GET over https after the renewal: $got"
# Files broken behind the daemon's back: the broker stays as it was.
echo "not a certificate" >"$CERT"
kill -HUP "$RUN_PID"
logged "wg broker: '$CERT': not a PEM certificate (no -----BEGIN CERTIFICATE-----); still https on 127.0.0.1:$PORT" && ok ||
	bad "a broken certificate on SIGHUP: $(tail -n 3 "$TMP/run.log")"
served "$TMP/srv2.pem" && ok || bad "a broken certificate replaced the served one"
got=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --interface 127.0.0.10 "$URL/wg/openwrt.sh")
[ "$got" = 000 ] && ok || bad "plain http after a broken certificate: $got"
kill "$RUN_PID" && wait "$RUN_PID"
RUN_PID=
# At start, files that cannot be served: no broker at all.
"$TG" "${TG_DB_OPTS[@]}" --pin-root "$PIN" run --interval 100 --usage-interval 0 \
	2>"$TMP/run2.log" &
RUN_PID=$!
logged "wg broker: '$CERT': not a PEM certificate (no -----BEGIN CERTIFICATE-----); not started" "$TMP/run2.log" && ok ||
	bad "a broken certificate at start: $(tail -n 3 "$TMP/run2.log")"
got=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --interface 127.0.0.10 "$URL/wg/openwrt.sh")
[ "$got" = 000 ] && ok || bad "plain http at start with a broken certificate: $got"
cat "$TMP/run2.log" >>"$TMP/run.log"
kill "$RUN_PID" && wait "$RUN_PID"
RUN_PID=
grep -q 'Sanitizer\|runtime error:' "$TMP/run.log" && bad "sanitizer: $(grep -m3 'Sanitizer\|runtime error' "$TMP/run.log")" || ok
cli_finish
