#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# What tungate's programs on a WireGuard interface cost: Debian's 6.12
# booted in qemu (tests/kernels/boot.sh) runs tests/bench/wg_police_guest.sh,
# TCP through a WireGuard interface with tungate's TC programs (a member
# policed by a class that admits everything) beside a plain one, in turn,
# in the same VM; prints each round and, per direction, tungate's rate as
# a ratio of the plain interface's. Under emulation both sides cost more
# than on hardware; the ratio is what the programs add to the kernel's
# WireGuard (the crypto dominates). WG_BENCH_KIB (KiB per transfer,
# default 8192) and WG_BENCH_ROUNDS (5) change it. Needs root; outside
# CI a missing tool is a SKIP.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
kdir=$top/tests/kernels
TUNGATE=${TUNGATE:-$top/build/tungate}

skip() {
	[ "${CI:-}" = true ] && { echo "FAIL: wg_police bench: $*"; exit 1; }
	echo "SKIP: wg_police bench: $*"
	exit 0
}

[ "$(id -u)" = 0 ] || skip "needs root"
for tool in qemu-system-x86_64 cpio depmod dpkg-deb apt-get; do
	command -v $tool >/dev/null || skip "$tool is not installed"
done
[ -x /bin/busybox ] && [ -x /bin/dash ] || skip "busybox-static and dash are needed"
[ -x "$TUNGATE" ] || { echo "FAIL: $TUNGATE not built (run make)"; exit 1; }

. "$kdir/boot.sh"
tmp=$(mktemp -d /tmp/tungate-wgbench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

read -r root release < <(bash "$kdir/fetch.sh" 6.12) ||
	skip "no 6.12 kernel package"
wgroot=$(bash "$kdir/debs.sh" wireguard wireguard-tools) ||
	skip "wireguard-tools could not be fetched"
payload=$tmp/payload
mkdir -p "$payload/bin"
cp "$TUNGATE" "$payload/bin/tungate"
cp "$wgroot/usr/bin/wg" "$payload/bin/wg"
sed -e "s/^KIB=.*/KIB=${WG_BENCH_KIB:-8192}/" \
	-e "s/^ROUNDS=.*/ROUNDS=${WG_BENCH_ROUNDS:-5}/" \
	"$here/wg_police_guest.sh" >"$payload/guest.sh"
cp "$kdir/wg_police.sh" "$payload/"
img=$tmp/initramfs.cpio.gz
bash "$kdir/initramfs.sh" "$root" "$release" "$payload" "$img" ||
	{ echo "FAIL: cannot build the initramfs"; exit 1; }

echo "WireGuard: tungate's TC programs beside a plain interface, $release in qemu (TCG)"
# One vCPU (WG_BENCH_SMP): with two, a guest panicked once in the slab
# allocator under this load, at an emulated cmpxchg16b (TCG); the ratio
# needs no second CPU.
BOOT_SMP=${WG_BENCH_SMP:-1} flock /tmp/tg-bench.lock bash -c ". '$kdir/boot.sh'; boot_guest '$tmp/console.log' 1800 \
	'$root/boot/vmlinuz-$release' '$img' '' -nic none" >/dev/null
log=$tmp/console.log.txt
grep '^TG: bench ' "$log" | sed 's/^TG: bench /  /'
if ! grep -q '^TG: bench down median' "$log" || ! grep -q '^TG: exit 0$' "$log"; then
	echo "FAIL: the guest did not finish; console tail:"
	tail -n 30 "$log" | sed 's/^/    /'
	exit 1
fi
