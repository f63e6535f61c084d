# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Debian packages for the test guests, never installed on the host: an apt
# configuration of its own under the cache (bookworm, its updates and
# security, and bookworm-backports), so the host's apt sources stay as
# they are. Source it; it sets cache (the cache directory,
# $TUNGATE_KERNEL_CACHE, default /var/cache/tungate/kernels) and apt_opts
# (apt-get's and apt-cache's options for that configuration).

cache=${TUNGATE_KERNEL_CACHE:-/var/cache/tungate/kernels}
apt_dir=$cache/apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" \
	"$cache/debs"

apt_key=/usr/share/keyrings/debian-archive-keyring.gpg
cat >"$apt_dir/sources.list" <<SOURCES
deb [signed-by=$apt_key] http://deb.debian.org/debian bookworm main
deb [signed-by=$apt_key] http://deb.debian.org/debian bookworm-updates main
deb [signed-by=$apt_key] http://deb.debian.org/debian bookworm-backports main
deb [signed-by=$apt_key] http://deb.debian.org/debian-security bookworm-security main
SOURCES
apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list"
	-o Dir::Etc::SourceParts=/nonexistent
	-o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
	-o Dir::State::status=/dev/null -o APT::Sandbox::User=root)

# apt_update: the package lists; messages in $cache/update.log.
apt_update() {
	apt-get "${apt_opts[@]}" -qq update >"$cache/update.log" 2>&1
}

# apt_deb PKG: the newest .deb of PKG in the cache (none: empty, status 1).
apt_deb() {
	ls "$cache/debs/$1"_*.deb 2>/dev/null | sort -V | tail -n1 | grep .
}

# apt_download PKG...: each package into the cache.
apt_download() {
	(cd "$cache/debs" && apt-get "${apt_opts[@]}" -qq download "$@") >&2
}
