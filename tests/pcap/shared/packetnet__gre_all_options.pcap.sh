# SPDX-License-Identifier: GPL-2.0-only
# GRE with checksum (all valid), key 121212 and sequence numbers, ping both
# ways: both ends enrolled.
EXPECT_DECAP=10
EXPECT_REASONS="ok=10"
$TUNGATE sub add left --type gre --key 121212 --remote 203.0.113.1 \
	--local 192.0.2.2 --prefix 10.1.2.1/32
$TUNGATE sub add right --type gre --key 121212 --remote 192.0.2.2 \
	--local 203.0.113.1 --prefix 10.1.2.2/32
