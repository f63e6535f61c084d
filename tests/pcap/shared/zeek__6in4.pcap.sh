# SPDX-License-Identifier: GPL-2.0-only
# 6in4, one UDP packet. Concentrator: 5.6.7.8.
EXPECT_DECAP=1
EXPECT_REASONS="ok=1"
$TUNGATE sub add one --type sit --remote 1.2.3.4 --local 5.6.7.8 \
	--prefix dead::/64
