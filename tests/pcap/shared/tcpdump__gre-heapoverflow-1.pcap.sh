# SPDX-License-Identifier: GPL-2.0-only
# Fuzzer output, captured length far below the wire length: ethertype
# 0x3030, then an IPv4 ethertype in front of a header of version 0.
EXPECT_DECAP=0
EXPECT_REASONS="not_tunnel|truncated=2"
EXPECT_AT="1=not_tunnel"
$TUNGATE sub add fuzz --type gre --remote 48.48.48.48 --local 48.48.48.48 \
	--prefix 48.48.49.0/24
