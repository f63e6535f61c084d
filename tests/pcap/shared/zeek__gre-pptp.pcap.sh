# SPDX-License-Identifier: GPL-2.0-only
# PPTP GRE inside an IPv4-in-IPv6 packet behind 802.1Q: the outer header is
# IPv6, not ours, even with the inner GRE endpoints enrolled.
EXPECT_DECAP=0
EXPECT_REASONS="not_tunnel=2"
$TUNGATE sub add a --type gre --remote 192.52.166.154 --local 16.0.0.200 \
	--prefix 8.8.8.8/32
$TUNGATE sub add b --type gre --remote 16.0.0.200 --local 192.52.166.154 \
	--prefix 172.16.44.3/32
