# SPDX-License-Identifier: GPL-2.0-only
# L2TPv2 (L bit set, FF 03 PPP address field) between a LAC
# (192.168.101.233) and an LNS (192.168.98.222), both ways, from two calls:
# tunnel/session 3257/25 and 56152/24 toward the LNS, 2/1 and 1/1 back.
# Every call is enrolled, but an address belongs to one subscriber only, so
# the calls enrolled without a prefix (56152/24, 1/1: 19 packets each) and
# the 3 packets from the LAC's own address are spoofed_src. Control
# messages (T bit) and PPP LCP/IPCP/PAP/CCP are control; the 19 packets to
# no one's address (2 IGMP reports to 224.0.0.22, 3 SSDP to
# 239.255.255.250, 14 broadcasts) are reserved_dst.
EXPECT_DECAP=55
EXPECT_REASONS="ok=55 reserved_dst=19 spoofed_src=41 control=53"
$TUNGATE sub add lac --type l2tpv2 --tunnel-id 3257 --session 25 \
	--remote 192.168.101.233 --local 192.168.98.222 --prefix 172.16.10.2/32
$TUNGATE sub add lac-old --type l2tpv2 --tunnel-id 56152 --session 24 \
	--remote 192.168.101.233 --local 192.168.98.222
$TUNGATE sub add lns --type l2tpv2 --tunnel-id 2 --session 1 \
	--remote 192.168.98.222 --local 192.168.101.233 \
	--prefix 172.16.10.1/32 --prefix 172.16.10.5/32
$TUNGATE sub add lns-old --type l2tpv2 --tunnel-id 1 --session 1 \
	--remote 192.168.98.222 --local 192.168.101.233
