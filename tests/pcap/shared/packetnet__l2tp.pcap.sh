# SPDX-License-Identifier: GPL-2.0-only
# L2TPv2 data (O and P bits, PPP LCP) inside a PPPoE session: the outer
# frame is not IPv4, so not ours even with the call enrolled.
EXPECT_DECAP=0
EXPECT_REASONS="not_tunnel=1"
$TUNGATE sub add pppoe --type l2tpv2 --tunnel-id 18994 --session 54110 \
	--remote 109.6.1.72 --local 95.136.242.99
