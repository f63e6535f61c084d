#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Fetches the dial-in client's Debian packages (xl2tpd, ppp with its
# pppol2tp.so plugin, dhcpcd-base) and unpacks them, never installs
# them:
#
#   tests/lns/fetch.sh
#
# Prints the directory they are unpacked in (tests/kernels/debs.sh).
set -euo pipefail

exec bash "$(dirname "${BASH_SOURCE[0]}")/../kernels/debs.sh" lns \
	xl2tpd ppp dhcpcd-base
