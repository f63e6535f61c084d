# SPDX-License-Identifier: GPL-2.0-only
# IPv4 in IPv4, a single TCP segment. Concentrator: 10.1.0.2.
EXPECT_DECAP=1
EXPECT_REASONS="ok=1"
$TUNGATE sub add one --type ipip --remote 10.1.0.1 --local 10.1.0.2 \
	--prefix 10.1.0.3/32
