# SPDX-License-Identifier: GPL-2.0-only
# 6in4, ping6 both ways: each end enrolled as the other's subscriber.
EXPECT_DECAP=10
EXPECT_REASONS="ok=10"
$TUNGATE sub add one --type sit --remote 10.0.0.1 --local 10.0.0.2 \
	--prefix 2001:db8:0:1::1/128
$TUNGATE sub add two --type sit --remote 10.0.0.2 --local 10.0.0.1 \
	--prefix 2001:db8:0:1::2/128
