#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Fetches Debian's own kernel of a series and unpacks it, never installs it:
#
#   tests/kernels/fetch.sh SERIES      (6.1: bookworm; 6.12: bookworm-backports)
#
# Prints "ROOT RELEASE": the unpacked package and its kernel release. The
# package comes from an apt configuration of its own under the cache
# (bookworm, its updates and security, and bookworm-backports), so the
# host's apt sources stay as they are. Everything is kept in the cache
# ($TUNGATE_KERNEL_CACHE, default /var/cache/tungate/kernels): a later run
# reuses the newest kernel of the series it already has when the mirror
# cannot be reached.
set -euo pipefail

series=$1
cache=${TUNGATE_KERNEL_CACHE:-/var/cache/tungate/kernels}
apt=$cache/apt
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$cache/debs"

key=/usr/share/keyrings/debian-archive-keyring.gpg
cat >"$apt/sources.list" <<SOURCES
deb [signed-by=$key] http://deb.debian.org/debian bookworm main
deb [signed-by=$key] http://deb.debian.org/debian bookworm-updates main
deb [signed-by=$key] http://deb.debian.org/debian bookworm-backports main
deb [signed-by=$key] http://deb.debian.org/debian-security bookworm-security main
SOURCES
opts=(-o "Dir::Etc::SourceList=$apt/sources.list"
	-o Dir::Etc::SourceParts=/nonexistent
	-o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache"
	-o Dir::State::status=/dev/null -o APT::Sandbox::User=root)

# The unpacked kernel of the series already in the cache, newest first.
cached() {
	local d
	for d in $(ls -d "$cache"/root/"$series".*-amd64 2>/dev/null | sort -rV); do
		[ -f "$d/.complete" ] && { echo "$d"; return 0; }
	done
	return 1
}

pkg=
if apt-get "${opts[@]}" -qq update >"$cache/update.log" 2>&1; then
	# linux-image-amd64's newest version of the series names the package.
	ver=$(apt-cache "${opts[@]}" madison linux-image-amd64 |
		awk -F'|' '{ gsub(/ /, "", $2); print $2 }' |
		grep -E "^${series//./\\.}\\.[0-9]" | sort -rV | head -n1)
	[ -n "$ver" ] && pkg=$(apt-cache "${opts[@]}" depends \
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
	(cd "$cache/debs" && ls "${pkg}"_*.deb >/dev/null 2>&1 ||
		apt-get "${opts[@]}" -qq download "$pkg") >&2
	rm -rf "$root"
	mkdir -p "$root"
	dpkg-deb -x "$(ls "$cache/debs/${pkg}"_*.deb | sort -V | tail -n1)" "$root"
	depmod -b "$root" "$release"
	touch "$root/.complete"
fi
echo "$root $release"
