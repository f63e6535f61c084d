# SPDX-License-Identifier: GPL-2.0-only
# L2TPv2 data carrying IPv6 inside a PPPoE session: the outer frame is not
# IPv4, so not ours even with both calls enrolled.
EXPECT_DECAP=0
EXPECT_REASONS="not_tunnel=9"
$TUNGATE sub add a --type l2tpv2 --tunnel-id 1527 --session 8298 \
	--remote 95.136.242.99 --local 109.6.1.72 \
	--prefix 2a00:5e80:101:212d::/64
$TUNGATE sub add b --type l2tpv2 --tunnel-id 18994 --session 54110 \
	--remote 109.6.1.72 --local 95.136.242.99 --prefix 2606:f200:0:7::/64
