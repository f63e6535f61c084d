#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The dial-in client in qemu against Debian's l2tpns with FreeRADIUS,
# with CHAP and with PAP (tests/lns/suite.sh).
exec bash "$(dirname "$0")/suite.sh" l2tpns
