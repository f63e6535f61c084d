#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Install the packages tungate builds and tests with. Idempotent: asks dpkg
# first and runs apt-get only for what is missing.
set -euo pipefail

PKGS=(
	make gcc clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev
	libsqlite3-dev sqlite3 check pkg-config iproute2
	python3 python3-scapy tcpdump tshark iperf3 iputils-ping
	bird2
	prometheus
	qemu-system-x86 busybox-static cpio kmod xz-utils
	man-db cppcheck strace
	libmicrohttpd-dev libgnutls28-dev libmnl-dev libpcap-dev libsystemd-dev nettle-dev
	l2tpns freeradius libradcli-dev
	libpq-dev postgresql
	libqrencode-dev zbar-tools
)

missing=()
for p in "${PKGS[@]}"; do
	dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

echo "ci: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
echo "wireshark-common wireshark-common/install-setuid boolean false" |
	debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
