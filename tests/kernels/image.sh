# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# The pieces of the initramfs a test kernel boots: source it, then
#
#   image_new                      a tree in $img with busybox, dash, ip
#   image_elf FILE DEST            an ELF file and every library it links
#   image_modules KROOT KVER MOD...  the modules, each after its dependencies
#   image_pack OUT.cpio.gz         /init (tests/kernels/init) and the archive
#
# The tree holds a static busybox for the basic commands, dash as /bin/sh
# and Debian's own ip(8) (busybox's sh would run its ip applet instead).
# Modules are decompressed, in load order in /lib/modules/order (the /init
# loads them). The caller removes $img (image_new sets it).

image_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IMAGE_APPLETS=(cat cmp cp cut date dmesg echo env grep head insmod kill ln ls
	mkdir mknod mount mv ping poweroff printf ps rm seq sha256sum sleep
	sort sync tail tee test timeout touch tr true false umount uname wc
	xargs "[" sed awk base64 gzip od hexdump stat nsenter diff ping6
	pidof hostname wget nc dd)

image_new() {
	local a
	img=$(mktemp -d /tmp/tungate-initramfs.XXXXXX)
	mkdir -p "$img"/{bin,sbin,lib,lib64,proc,sys,dev,tmp,run,etc,mnt} \
		"$img"/lib/modules "$img"/usr
	ln -s ../bin "$img/usr/bin"
	ln -s ../sbin "$img/usr/sbin"
	ln -s ../lib "$img/usr/lib"
	cp /bin/busybox "$img/bin/busybox"
	for a in "${IMAGE_APPLETS[@]}"; do
		ln -s busybox "$img/bin/$a"
	done
	image_elf /bin/dash /bin/sh &&
	image_elf "$(command -v ip)" /sbin/ip
}

# image_elf FILE DEST: libraries at their paths; ldd must find them all.
image_elf() {
	local f=$1 dst=$2 lib libs
	install -D -m 0755 "$f" "$img$dst"
	libs=$(ldd "$f") || return 1
	if grep -q 'not found' <<<"$libs"; then
		echo "image: $f: libraries missing on this host:" >&2
		grep 'not found' <<<"$libs" >&2
		return 1
	fi
	awk '/=> \//{ print $3 } /^\t\//{ print $1 }' <<<"$libs" |
		while read -r lib; do
			[ -e "$img$lib" ] || install -D -m 0755 "$lib" "$img$lib"
		done
}

image_modules() {
	local kroot=$1 kver=$2 m ko name base
	shift 2
	[ -f "$kroot/lib/modules/$kver/modules.dep" ] ||
		depmod -b "$kroot" "$kver"
	: >"$img/lib/modules/order"
	for m in "$@"; do
		modprobe -d "$kroot" -S "$kver" --show-depends "$m" |
			awk '$1 == "insmod" { print $2 }'
	done | awk '!seen[$0]++' | while read -r ko; do
		name=${ko##*/}
		base=${name%.xz}
		case $name in
		*.xz) xz -dc "$ko" >"$img/lib/modules/$base" ;;
		*) cp "$ko" "$img/lib/modules/$base" ;;
		esac
		echo "$base" >>"$img/lib/modules/order"
	done
}

image_pack() {
	install -m 0755 "$image_dir/init" "$img/init"
	(cd "$img" && find . | cpio -o -H newc --quiet) | gzip -1 >"$1"
}
