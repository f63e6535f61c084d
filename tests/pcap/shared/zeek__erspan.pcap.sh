# SPDX-License-Identifier: GPL-2.0-only
# gretap (0x6558) with the key field present: key 0 and key 0x02000000, one
# subscriber each. 55 outer IPv4 fragments stay for the kernel, of 10 bridged
# ARP frames the 5 requests are answered in the tunnel (neigh_reply) and the
# 5 replies are control, 2 LLMNR queries to 224.0.0.252 are reserved_dst,
# 6 inner packets from a link-local fe80:: address (LLMNR, DHCPv6) are
# spoofed_src: no subscriber may hold link-local addresses.
# MSS clamping off: the check wants the TCP SYNs as captured.
EXPECT_DECAP=214
EXPECT_REASONS="ok=214 spoofed_src=6 reserved_dst=2 control=5 neigh_reply=5 outer_fragment=55"
$TUNGATE sub add key0 --type gretap --key 0 --remote 10.200.0.3 \
	--local 10.200.0.224 --mss-clamp off --prefix 192.168.69.10/32
$TUNGATE sub add key2 --type gretap --key 33554432 --remote 10.200.0.3 \
	--local 10.200.0.224 --mss-clamp off --prefix 192.168.69.2/32
