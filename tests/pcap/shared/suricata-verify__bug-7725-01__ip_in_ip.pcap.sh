# SPDX-License-Identifier: GPL-2.0-only
# IPv4 in IPv4, ping both ways: each end enrolled as the other's subscriber.
EXPECT_DECAP=6
EXPECT_REASONS="ok=6"
$TUNGATE sub add east --type ipip --remote 10.0.0.94 --local 10.1.0.237 \
	--prefix 192.168.0.94/32
$TUNGATE sub add west --type ipip --remote 10.1.0.237 --local 10.0.0.94 \
	--prefix 192.168.0.237/32
