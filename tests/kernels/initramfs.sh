#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Builds the initramfs a test kernel boots:
#
#   tests/kernels/initramfs.sh KROOT KVER PAYLOAD OUT.cpio.gz
#
# KROOT is a kernel package unpacked with dpkg-deb -x, KVER its release.
# The image (tests/kernels/image.sh) holds the ELF files of PAYLOAD/bin
# with every library they link, the modules the guest loads and PAYLOAD
# itself as /tg.
set -euo pipefail

kroot=$1 kver=$2 payload=$3 out=$4
. "$(dirname "${BASH_SOURCE[0]}")/image.sh"

# veth for the topologies, clsact and cls_bpf for --mode tc, the kernel's
# own GRE and IPIP for the subscriber routers in the guest, WireGuard for
# its members and the concentrator's interfaces.
MODULES=(veth sch_ingress cls_bpf ip_gre ipip wireguard)

trap 'rm -rf "${img:-}"' EXIT
image_new
for f in "$payload"/bin/*; do
	image_elf "$f" "/bin/${f##*/}"
done
image_modules "$kroot" "$kver" "${MODULES[@]}"
mkdir -p "$img/tg"
cp -a "$payload"/. "$img/tg/"
rm -rf "$img/tg/bin"
image_pack "$out"
