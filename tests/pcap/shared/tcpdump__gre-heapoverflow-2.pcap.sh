# SPDX-License-Identifier: GPL-2.0-only
# Fuzzer output: ethertype 0x3030, then IPv4 whose total length (12336)
# runs far past the captured bytes.
EXPECT_DECAP=0
EXPECT_REASONS="not_tunnel=1 truncated=1"
EXPECT_AT="1=not_tunnel 2=truncated"
$TUNGATE sub add fuzz --type gre --remote 48.48.48.48 --local 48.48.48.48 \
	--prefix 48.48.49.0/24
