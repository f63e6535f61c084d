#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Fetches Debian packages for a test guest and unpacks them together,
# never installs them:
#
#   tests/kernels/debs.sh NAME PKG...
#
# Prints the directory they are unpacked in, under the cache of
# tests/kernels/apt.sh (NAME/ and a digest of the .deb files). Packages
# already in the cache are used as they are (the mirror is asked only for
# what is missing).
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/apt.sh"
name=$1
shift

missing=()
for p in "$@"; do
	apt_deb "$p" >/dev/null || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if ! apt_update || ! apt_download "${missing[@]}"; then
		echo "fetch: cannot download ${missing[*]} (see $cache/update.log)" >&2
		exit 1
	fi
fi

debs=()
for p in "$@"; do
	debs+=("$(apt_deb "$p")")
done
root=$cache/$name/$(basename -a "${debs[@]}" | sha256sum | cut -c1-12)
if [ ! -f "$root/.complete" ]; then
	rm -rf "$root"
	mkdir -p "$root"
	for d in "${debs[@]}"; do
		dpkg-deb -x "$d" "$root"
	done
	touch "$root/.complete"
fi
echo "$root"
