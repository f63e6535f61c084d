#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Builds the initramfs of the dial-in client:
#
#   tests/lns/initramfs.sh KROOT KVER CLIENT OUT.cpio.gz
#
# KROOT is a kernel package unpacked with dpkg-deb -x, KVER its release,
# CLIENT the client's packages unpacked by tests/lns/fetch.sh. The image
# (tests/kernels/image.sh) holds xl2tpd, pppd with its pppol2tp.so plugin
# at the paths they look for each other, dhcpcd, the modules for the
# network card, PPP and L2TP, and tests/lns/guest.sh as /tg/guest.sh.
set -euo pipefail

kroot=$1 kver=$2 client=$3 out=$4
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../kernels/image.sh"

# The card qemu gives, and PPP over L2TP in the kernel (pppol2tp sockets).
MODULES=(virtio_pci virtio_net l2tp_ppp)

trap 'rm -rf "${img:-}"' EXIT
image_new
pppd_plugins=$(cd "$client" && ls -d usr/lib/pppd/*/)
for f in usr/sbin/xl2tpd usr/sbin/pppd "${pppd_plugins}pppol2tp.so" \
	usr/sbin/dhcpcd; do
	image_elf "$client/$f" "/$f"
done
image_modules "$kroot" "$kver" "${MODULES[@]}"
mkdir -p "$img/tg"
install -m 0755 "$here/guest.sh" "$here/dhcpcd-hook.sh" "$img/tg/"
image_pack "$out"
