# SPDX-License-Identifier: GPL-2.0-only
# IPv4 in IPv4, one UDP packet. Concentrator: 5.6.7.8.
EXPECT_DECAP=1
EXPECT_REASONS="ok=1"
$TUNGATE sub add one --type ipip --remote 1.2.3.4 --local 5.6.7.8 \
	--prefix 10.0.0.1/32
