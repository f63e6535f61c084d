#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# tungate wg config: a WireGuard member's wg-quick file, its refusals
# (database unchanged), --new-key (the member's key changes, the private
# key is printed, never stored), and its QR codes decoded back to the file
# with zbarimg: the PNG, and the terminal's half blocks made an image.
set -uo pipefail
cd "$(dirname "$0")/../.."

TG=${TUNGATE:-build/tungate}
PY=/usr/bin/python3
TMP=$(mktemp -d /tmp/tg-wgcfg-test.XXXXXX)
DB=$TMP/tungate.db
trap 'rm -rf "$TMP"' EXIT

. tests/cli/lib.sh

WK1=xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=
expect_ok "db init" tg db init
expect_ok "add member" tg sub add carol --type wireguard --public-key "$WK1" \
	--prefix 100.64.3.0/24 --prefix 2001:db8:3::/48 --listen-port 51900
expect_ok "add gre" tg sub add alice --type gre --remote 192.0.2.10 \
	--local 198.51.100.1 --prefix 100.64.1.0/24

expect_refused "no wg-endpoint" "wg config: no endpoint for members to dial: set it with 'tungate config set wg-endpoint" \
	tg wg config carol
expect_ok "set wg-endpoint" tg config set wg-endpoint vpn.example.net
expect_refused "unknown member" "wg config: no subscriber 'nobody'" \
	tg wg config nobody
expect_refused "not wireguard" "wg config: subscriber 'alice' is of type gre, not wireguard" \
	tg wg config alice
expect_refused "no name" "wg config: missing NAME" tg wg config
expect_refused "unknown option" "wg config: unexpected argument '--nope'" \
	tg wg config carol --nope
expect_refused "--qr without a key" "wg config: --qr: a QR code without the private key does not import" \
	tg wg config carol --qr
expect_refused "--qr-png without a key" "wg config: --qr-png: a QR code without the private key" \
	tg wg config carol --qr-png "$TMP/x.png"
cp "$DB" "$TMP/before.db"
if tg -j wg config carol --new-key --qr >"$TMP/out" 2>"$TMP/err"; then
	bad "--qr and -j: accepted"
else
	json_check "--qr and -j" "'--qr draws the code, -j prints JSON' in j['error']"
	cmp -s "$DB" "$TMP/before.db" && ok || bad "--qr and -j: database changed"
fi
[ -e "$TMP/x.png" ] && bad "refused --qr-png made a file" || ok

# The file: the router's key left to it, its addresses, the concentrator.
expect_ok "wg config" tg wg config carol
cp "$TMP/out" "$TMP/carol.conf"
cpub=$(sed -n 's/^PublicKey = //p' "$TMP/carol.conf")
$PY - "$TMP/carol.conf" "$cpub" <<'PY' && ok || bad "wg config file: $(cat "$TMP/carol.conf")"
import sys
text = open(sys.argv[1]).read()
want = f"""# tungate WireGuard member carol
[Interface]
# PrivateKey = this router's own key ('wg genkey'), which never leaves it
Address = 100.64.3.1/24, 2001:db8:3::1/48
MTU = 1420

[Peer]
PublicKey = {sys.argv[2]}
Endpoint = vpn.example.net:51900
AllowedIPs = 0.0.0.0/0, ::/0
PersistentKeepalive = 25
"""
sys.exit(text != want or len(sys.argv[2]) != 44)
PY
[ -f "$TMP/wireguard.key" ] && [ "$(stat -c %a "$TMP/wireguard.key")" = 600 ] && ok ||
	bad "the concentrator's key file: $(ls -l "$TMP")"
expect_ok "wg config -j" tg -j wg config carol
json_check "wg config -j" "j['name'] == 'carol' and j['public_key'] is None and j['config'] == open('$TMP/carol.conf').read()"
expect_ok "settings" tg config set wg-mtu 1380
expect_ok "wg config after wg-mtu" tg wg config carol
grep -qx 'MTU = 1380' "$TMP/out" && ok || bad "wg-mtu: $(cat "$TMP/out")"

# --new-key: a new pair; the public key stored, the private one printed.
expect_ok "wg config --new-key" tg wg config carol --new-key
cp "$TMP/out" "$TMP/new.conf"
priv=$(sed -n 's/^PrivateKey = //p' "$TMP/new.conf")
newpub=$(sed -n "s/^tungate: subscriber 'carol' has the new public key \([^;]*\); its old key stops working.*/\1/p" "$TMP/err")
[ ${#priv} = 44 ] && [ ${#newpub} = 44 ] && [ "$newpub" != "$WK1" ] && ok ||
	bad "--new-key: $(cat "$TMP/out" "$TMP/err")"
expect_ok "show after --new-key" tg -j sub show carol
json_check "the new public key stored" "j['public_key'] == '$newpub'"
grep -rqF -- "$priv" "$TMP"/tungate.db* && bad "the private key is in the database" || ok
expect_ok "export" tg export
grep -qF -- "$priv" "$TMP/out" && bad "the private key is exported" || ok
expect_ok "wg config -j --new-key" tg -j wg config carol --new-key
json_check "-j --new-key" "len(j['public_key']) == 44 and j['public_key'] != '$newpub' and 'PrivateKey = ' in j['config']"

# The PNG decodes back to the file; it is made 0600 and never written over.
expect_ok "wg config --new-key --qr-png" tg wg config carol --new-key --qr-png "$TMP/carol.png"
cp "$TMP/out" "$TMP/png.conf"
[ "$(stat -c %a "$TMP/carol.png")" = 600 ] && ok || bad "PNG mode $(stat -c %a "$TMP/carol.png")"
zbarimg --raw -q --nodbus "$TMP/carol.png" >"$TMP/decoded" 2>"$TMP/zerr"
# zbarimg ends what it decoded with a newline of its own.
{ cat "$TMP/png.conf"; echo; } | cmp -s - "$TMP/decoded" && ok ||
	bad "PNG decodes to: $(cat "$TMP/decoded" "$TMP/zerr")"
grep -q '^PrivateKey = ' "$TMP/decoded" && ok || bad "PNG without the private key"
expect_refused "--qr-png over a file" "wg config: --qr-png '$TMP/carol.png': File exists (not written over" \
	tg wg config carol --new-key --qr-png "$TMP/carol.png"

# The terminal's code: half blocks of light modules, made an image again.
expect_ok "wg config --new-key --qr" tg wg config carol --new-key --qr
cp "$TMP/out" "$TMP/qr.txt"
$PY - "$TMP/qr.txt" "$TMP/qr.png" <<'PY' || bad "the terminal's code does not read: $(head -3 "$TMP/qr.txt")"
import re, struct, sys, zlib
rows = []
for line in open(sys.argv[1], encoding="utf-8"):
    line = re.sub(r"\x1b\[[0-9;]*m", "", line.rstrip("\n"))
    top = [c in "\u2588\u2580" for c in line]
    bottom = [c in "\u2588\u2584" for c in line]
    rows += [top, bottom]
s = 4
w = len(rows[0]) * s
raw = b"".join(b"\0" + bytes(255 if v else 0 for v in r for _ in range(s))
               for r in rows for _ in range(s))
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
png = (b"\x89PNG\r\n\x1a\n" +
       chunk(b"IHDR", struct.pack(">IIBBBBB", w, len(rows) * s, 8, 0, 0, 0, 0)) +
       chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
open(sys.argv[2], "wb").write(png)
PY
zbarimg --raw -q --nodbus "$TMP/qr.png" >"$TMP/qrdecoded" 2>/dev/null
grep -q '^PrivateKey = ' "$TMP/qrdecoded" &&
	grep -qx 'Endpoint = vpn.example.net:51900' "$TMP/qrdecoded" &&
	grep -qx 'Address = 100.64.3.1/24, 2001:db8:3::1/48' "$TMP/qrdecoded" && ok ||
	bad "the terminal's code decodes to: $(cat "$TMP/qrdecoded")"
expect_ok "show after --qr" tg -j sub show carol
qpriv=$(sed -n 's/^PrivateKey = //p' "$TMP/qrdecoded")
grep -rqF -- "$qpriv" "$TMP"/tungate.db* && bad "the private key is in the database" || ok

cli_finish
