# SPDX-License-Identifier: GPL-2.0-only
# Keyless GRE carrying IPv6 (0x86dd), one UDP packet. Concentrator: 10.1.1.2.
EXPECT_DECAP=1
EXPECT_REASONS="ok=1"
$TUNGATE sub add one --type gre --remote 10.1.1.0 --local 10.1.1.2 \
	--prefix 1:1:1:1::/64
