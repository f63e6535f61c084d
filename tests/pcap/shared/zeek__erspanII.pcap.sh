# SPDX-License-Identifier: GPL-2.0-only
# ERSPAN type II (GRE with sequence numbers, protocol 0x88be): mirrored
# traffic, not a payload tungate knows, even with its endpoints enrolled.
EXPECT_DECAP=0
EXPECT_REASONS="unsupported_payload=4"
$TUNGATE sub add mirror --type gre --remote 2.2.2.2 --local 1.1.1.1 \
	--prefix 23.0.0.2/32 --prefix 23.0.0.3/32
