# SPDX-License-Identifier: GPL-2.0-only
# NVGRE (protocol 0x6558) enrolled as type gre with its key: gretap and gre
# are different tunnels, so the packet is an unknown tunnel.
EXPECT_DECAP=0
EXPECT_REASONS="unknown_tunnel=1"
$TUNGATE sub add one --type gre --key 305419778 --remote 100.0.17.1 \
	--local 100.0.17.2 --prefix 10.0.0.1/32
