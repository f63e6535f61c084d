# SPDX-License-Identifier: GPL-2.0-only
# Keyless GRE, ping both ways (pcapng): both ends enrolled.
EXPECT_DECAP=2
EXPECT_REASONS="ok=2"
$TUNGATE sub add left --type gre --remote 203.0.113.1 --local 192.0.2.2 \
	--prefix 10.1.2.1/32
$TUNGATE sub add right --type gre --remote 192.0.2.2 --local 203.0.113.1 \
	--prefix 10.1.2.2/32
