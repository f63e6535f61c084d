#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Builds the initramfs a test kernel boots:
#
#   tests/kernels/initramfs.sh KROOT KVER PAYLOAD OUT.cpio.gz
#
# KROOT is a kernel package unpacked with dpkg-deb -x, KVER its release.
# The image holds a static busybox for the basic commands, dash as /bin/sh
# and Debian's own ip(8) (busybox's sh would run its ip applet instead),
# the ELF files of PAYLOAD/bin with every library they link, the modules
# the guest loads (decompressed, in load order in /lib/modules/order) and
# PAYLOAD itself as /tg. /init is tests/kernels/init.
set -euo pipefail

kroot=$1 kver=$2 payload=$3 out=$4
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# veth for the topologies, clsact and cls_bpf for --mode tc, the kernel's
# own GRE and IPIP for the subscriber routers in the guest.
MODULES=(veth sch_ingress cls_bpf ip_gre ipip)
APPLETS=(cat cmp cp cut date dmesg echo env grep head insmod kill ln ls
	mkdir mknod mount mv ping poweroff printf ps rm seq sha256sum sleep
	sort sync tail tee test timeout touch tr true false umount uname wc
	xargs "[" sed awk base64 gzip od hexdump stat nsenter diff ping6)

root=$(mktemp -d /tmp/tungate-initramfs.XXXXXX)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,lib,lib64,proc,sys,dev,tmp,run,etc,mnt} \
	"$root"/lib/modules "$root"/usr
ln -s ../bin "$root/usr/bin"
ln -s ../sbin "$root/usr/sbin"
ln -s ../lib "$root/usr/lib"

cp /bin/busybox "$root/bin/busybox"
for a in "${APPLETS[@]}"; do
	ln -s busybox "$root/bin/$a"
done

# ELF files and, recursively, the libraries they need at their paths.
copy_elf() {
	local f=$1 dst=$2 lib
	install -D -m 0755 "$f" "$root$dst"
	ldd "$f" | awk '/=> \//{ print $3 } /^\t\//{ print $1 }' |
		while read -r lib; do
			[ -e "$root$lib" ] || install -D -m 0755 "$lib" "$root$lib"
		done
}
copy_elf /bin/dash /bin/sh
copy_elf "$(command -v ip)" /sbin/ip
for f in "$payload"/bin/*; do
	copy_elf "$f" "/bin/${f##*/}"
done

# The modules the guest loads, each after its dependencies.
[ -f "$kroot/lib/modules/$kver/modules.dep" ] ||
	depmod -b "$kroot" "$kver"
: >"$root/lib/modules/order"
for m in "${MODULES[@]}"; do
	modprobe -d "$kroot" -S "$kver" --show-depends "$m" |
		awk '$1 == "insmod" { print $2 }'
done | awk '!seen[$0]++' | while read -r ko; do
	name=${ko##*/}
	base=${name%.xz}
	case $name in
	*.xz) xz -dc "$ko" >"$root/lib/modules/$base" ;;
	*) cp "$ko" "$root/lib/modules/$base" ;;
	esac
	echo "$base" >>"$root/lib/modules/order"
done

mkdir -p "$root/tg"
cp -a "$payload"/. "$root/tg/"
rm -rf "$root/tg/bin"
install -m 0755 "$here/init" "$root/init"

(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 >"$out"
