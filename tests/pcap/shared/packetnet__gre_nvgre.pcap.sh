# SPDX-License-Identifier: GPL-2.0-only
# NVGRE: GRE key 0x12345602, protocol 0x6558, inner Ethernet/IPv4/TCP.
EXPECT_DECAP=1
EXPECT_REASONS="ok=1"
$TUNGATE sub add one --type gretap --key 305419778 --remote 100.0.17.1 \
	--local 100.0.17.2 --prefix 10.0.0.1/32
