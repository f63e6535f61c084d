# SPDX-License-Identifier: GPL-2.0-only
# Keyless GRE behind one 802.1Q tag, 3 syslog packets. Concentrator: 1.1.1.1.
EXPECT_DECAP=3
EXPECT_REASONS="ok=3"
$TUNGATE sub add syslog --type gre --remote 1.1.1.2 --local 1.1.1.1 \
	--prefix 2.2.2.3/32
