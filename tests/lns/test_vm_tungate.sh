#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The dial-in client in qemu against tungate's LNS, with CHAP and with
# PAP (tests/lns/suite.sh).
exec bash "$(dirname "$0")/suite.sh" tungate
