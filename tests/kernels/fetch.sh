#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Fetches Debian's own kernel of a series and unpacks it, never installs it:
#
#   tests/kernels/fetch.sh SERIES      (6.1: bookworm; 6.12: bookworm-backports)
#
# Prints "ROOT RELEASE": the unpacked package and its kernel release. The
# package comes through tests/kernels/apt.sh and is kept in its cache: a
# later run reuses the newest kernel of the series it already has when the
# mirror cannot be reached.
set -euo pipefail

series=$1
. "$(dirname "${BASH_SOURCE[0]}")/apt.sh"

# The unpacked kernel of the series already in the cache, newest first.
cached() {
	local d
	for d in $(ls -d "$cache"/root/"$series".*-amd64 2>/dev/null | sort -rV); do
		[ -f "$d/.complete" ] && { echo "$d"; return 0; }
	done
	return 1
}

pkg=
if apt_update; then
	# linux-image-amd64's newest version of the series names the package.
	ver=$(apt-cache "${apt_opts[@]}" madison linux-image-amd64 |
		awk -F'|' '{ gsub(/ /, "", $2); print $2 }' |
		grep -E "^${series//./\\.}\\.[0-9]" | sort -rV | head -n1)
	[ -n "$ver" ] && pkg=$(apt-cache "${apt_opts[@]}" depends \
		"linux-image-amd64=$ver" | awk '/Depends: linux-image-/ { print $2; exit }')
fi
if [ -z "$pkg" ]; then
	if root=$(cached); then
		echo "fetch: no package list for $series; using the cached ${root##*/}" >&2
		echo "$root ${root##*/}"
		exit 0
	fi
	echo "fetch: cannot find Debian's $series kernel (see $cache/update.log)" >&2
	exit 1
fi

release=${pkg#linux-image-}
root=$cache/root/$release
if [ ! -f "$root/.complete" ]; then
	apt_deb "$pkg" >/dev/null || apt_download "$pkg"
	rm -rf "$root"
	mkdir -p "$root"
	dpkg-deb -x "$(apt_deb "$pkg")" "$root"
	depmod -b "$root" "$release"
	touch "$root/.complete"
fi
echo "$root $release"
