# SPDX-License-Identifier: GPL-2.0-only
# 6in4 between a tunnel broker (184.105.255.26) and its client
# (174.3.73.24), both ways. The client is enrolled with both of its /64s;
# the broker side is enrolled too, but only with 2604:a880:1:20::/64, so the
# 18 packets from 2a03:2880::/32 that it relays are spoofed_src drops.
# Packet 102 (1813 bytes of IPv6, captured with receive offload) is larger
# than the uplink MTU: fib_frag_needed, passed decapsulated.
# MSS clamping is off: the check wants the TCP SYNs' payload as captured.
EXPECT_DECAP=109
EXPECT_REASONS="ok=108 fib_frag_needed=1 spoofed_src=18"
EXPECT_AT="102=fib_frag_needed"
$TUNGATE sub add client --type sit --remote 174.3.73.24 \
	--local 184.105.255.26 --mss-clamp off \
	--prefix 2001:470:1f17:13f::/64 --prefix 2001:470:1f16:13f::/64
$TUNGATE sub add broker --type sit --remote 184.105.255.26 \
	--local 174.3.73.24 --mss-clamp off --prefix 2604:a880:1:20::/64
