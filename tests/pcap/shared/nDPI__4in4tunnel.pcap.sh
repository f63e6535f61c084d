# SPDX-License-Identifier: GPL-2.0-only
# IPv4 in IPv4 behind two 802.1Q tags, one direction, 5 UDP packets.
# Concentrator: 41.202.46.110.
EXPECT_DECAP=5
EXPECT_REASONS="ok=5"
$TUNGATE sub add qinq --type ipip --remote 69.67.35.146 --local 41.202.46.110 \
	--prefix 10.10.100.25/32
