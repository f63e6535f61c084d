# SPDX-License-Identifier: GPL-2.0-only
# Juniper Mist: an AP (44.32.200.205, UDP 36025) to its edge concentrator
# (192.168.11.250, UDP 1701), session 0x1b3902e7 toward the edge, no cookie,
# no sublayer, inner 802.1Q (VLAN 3157, or priority tag 0 for IPv6).
# Toward the edge: 8 control messages, 11 ARP/LLC frames, 3 router
# solicitations and 1 neighbour solicitation are control; 2 DHCP discovers
# from 0.0.0.0 and MLD reports from :: and from fe80:: (link-local: no
# subscriber's) are spoofed_src. The 72 packets toward the AP's port are not
# ours.
EXPECT_DECAP=36
EXPECT_REASONS="ok=36 control=23 spoofed_src=4 not_tunnel=72"
TSHARK_ARGS=(-o "l2tp.cookie_size:None" -o "l2tp.l2_specific:None"
	-d l2tp.pw_type==0,eth -d l2tp.pw_type==4,eth)
$TUNGATE sub add ap --type l2tpv3-udp --session 456721127 --sublayer none \
	--remote 44.32.200.205 --local 192.168.11.250 \
	--prefix 10.10.10.0/24
