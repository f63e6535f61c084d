# SPDX-License-Identifier: GPL-2.0-only
# Keyless GRE carrying IPv4 that is itself GRE: decapsulated once, the inner
# GRE packet is forwarded as it is. Both ends enrolled.
EXPECT_DECAP=628
EXPECT_REASONS="ok=628"
$TUNGATE sub add east --type gre --remote 86.106.164.150 \
	--local 72.205.54.70 --prefix 10.10.13.2/32
$TUNGATE sub add west --type gre --remote 72.205.54.70 \
	--local 86.106.164.150 --prefix 10.10.11.2/32
