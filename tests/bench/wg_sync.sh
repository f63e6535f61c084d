#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The sync of WG_BENCH_N WireGuard members (default 2,000) in Debian's
# 6.12 booted in qemu (tests/kernels: the kernel package, initramfs and
# boot helpers), against what an operator could run instead: 'wg setconf'
# of the same peers from a file (Debian's wg), in the same run. The guest
# (tests/bench/wg_sync_guest.sh) times, in WG_BENCH_ROUNDS rounds (default
# 3; medians here):
#   tungate sync, full      the interface deleted: every peer and route
#                           made again (wg setconf makes no routes)
#   tungate sync, nothing   the same database again
#   tungate sync, one       one member's prefix changed
#   wg setconf              every peer (setconf replaces them all, so the
#                           same again with nothing to do)
#   wg syncconf             with nothing to do, with one member changed
# each also as its ratio to wg setconf of the same round. The figures are
# of an emulated machine (TCG): the ratios are what carries over. The
# boot and the timing hold /tmp/tg-bench.lock. The members' endpoints are
# learnt, so their peers have no persistent keepalive (with one, every
# peer without an endpoint makes the kernel start handshakes, X25519
# included, when set and again after). WG_BENCH_N=10000 for 10,000.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
kernels=$top/tests/kernels
TUNGATE=${TUNGATE:-$top/build/tungate}
N=${WG_BENCH_N:-2000}
ROUNDS=${WG_BENCH_ROUNDS:-3}

skip() {
	if [ "${CI:-}" = true ]; then
		echo "FAIL: wg sync bench: $* (a skip is a failure under CI=true)"
		exit 1
	fi
	echo "SKIP: wg sync bench: $*"
	exit 0
}

[ "$(id -u)" = 0 ] || skip "needs root"
for tool in qemu-system-x86_64 cpio depmod dpkg-deb apt-get xz flock; do
	command -v $tool >/dev/null || skip "$tool is not installed"
done
[ -x /bin/busybox ] || skip "busybox-static is needed"
[ -x "$TUNGATE" ] || { echo "FAIL: $TUNGATE not built (run make)"; exit 1; }

. "$kernels/boot.sh"
. "$top/tests/e2e/lock.sh"
tmp=$(mktemp -d /tmp/tg-wgbench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

payload=$tmp/payload
mkdir -p "$payload/bin"
cp "$TUNGATE" "$payload/bin/tungate"
cp "$here/wg_sync_guest.sh" "$payload/guest.sh"
cp "$top/tests/e2e/result.sh" "$payload/"
wgroot=$(bash "$kernels/debs.sh" wireguard wireguard-tools) ||
	{ echo "FAIL: wireguard-tools could not be fetched"; exit 1; }
cp "$wgroot/usr/bin/wg" "$payload/bin/wg"
echo "$ROUNDS" >"$payload/rounds"
# The members and the same peers for wg: random public keys (any 32
# bytes are a key to WireGuard), one /32 each from 100.64.0.1 up.
/usr/bin/python3 - "$N" "$payload/members.csv" "$payload/peers.conf" \
	"$payload/change" <<'PY' ||
import base64, os, sys
n = int(sys.argv[1])
priv = bytearray(os.urandom(32))
priv[0] &= 248
priv[31] = (priv[31] & 127) | 64
with open(sys.argv[2], "w") as csv, open(sys.argv[3], "w") as conf:
    csv.write("name,type,public_key,prefixes\n")
    conf.write("[Interface]\nPrivateKey = %s\nListenPort = 51821\n" %
               base64.b64encode(bytes(priv)).decode())
    for i in range(1, n + 1):
        key = base64.b64encode(os.urandom(32)).decode()
        ip = "100.%d.%d.%d/32" % (64 + i // 65536, i // 256 % 256, i % 256)
        csv.write("m%d,wireguard,%s,%s\n" % (i, key, ip))
        # No endpoint, so no keepalive: as tungate sets a learnt one.
        conf.write("\n[Peer]\nPublicKey = %s\nAllowedIPs = %s\n" %
                   (key, ip))
        # The member that changes: the one in the middle.
        if i == n // 2:
            open(sys.argv[4], "w").write("m%d %s\n" % (i, ip))
PY
	{ echo "FAIL: cannot make the members"; exit 1; }

read -r root release < <(bash "$kernels/fetch.sh" 6.12) ||
	{ echo "FAIL: no 6.12 kernel package"; exit 1; }
img=$tmp/initramfs.cpio.gz
bash "$kernels/initramfs.sh" "$root" "$release" "$payload" "$img" ||
	{ echo "FAIL: cannot build the initramfs"; exit 1; }

bench_lock
log=$tmp/console.log
boot_guest "$log" 3000 "$root/boot/vmlinuz-$release" "$img" "" -nic none
rc=$?
sed -n '/^TG: kernel /,$p' "$log.txt" | grep -v '^TG: bench '
if [ $rc -ne 0 ] || ! grep -q '^TG: exit 0$' "$log.txt"; then
	echo "FAIL: the guest (qemu exit $rc); console tail:"
	tail -n 30 "$log.txt" | sed 's/^/    /'
	exit 1
fi

# Medians of each figure and of its ratio to wg setconf in its round.
echo
echo "WireGuard sync of $N members, $release under qemu TCG, median of $ROUNDS rounds"
awk '
$1 == "TG:" && $2 == "bench" { t[$3, $4] = $5; r[$3] = 1; w[$4] = 1 }
function median(v, n,   i, j, x) {
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && v[j - 1] > v[j]; j--) {
			x = v[j]; v[j] = v[j - 1]; v[j - 1] = x
		}
	return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
function row(what, label,   k, n, ms, q) {
	n = 0
	for (k in r) {
		n++
		ms[n] = t[k, what]
		q[n] = t[k, "setconf_full"] ? t[k, what] / t[k, "setconf_full"] : 0
	}
	printf "  %-34s %9d ms %8.2fx\n", label, median(ms, n), median(q, n)
}
END {
	printf "  %-34s %12s %9s\n", "", "time", "/setconf"
	row("setconf_full", "wg setconf (every peer)")
	row("tungate_full", "tungate sync, from empty")
	row("tungate_nothing", "tungate sync, nothing to do")
	row("tungate_one", "tungate sync, one member changed")
	row("setconf_again", "wg setconf again (nothing to do)")
	row("syncconf_nothing", "wg syncconf, nothing to do")
	row("syncconf_one", "wg syncconf, one member changed")
}' "$log.txt"
