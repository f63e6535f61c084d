# SPDX-License-Identifier: GPL-2.0-only
# 6in4, a single TCP segment. Concentrator: 10.1.0.2.
EXPECT_DECAP=1
EXPECT_REASONS="ok=1"
$TUNGATE sub add one --type sit --remote 10.1.0.1 --local 10.1.0.2 \
	--prefix 2001:db8:85a3::/64
