# SPDX-License-Identifier: GPL-2.0-only
# Juniper Mist: an AP (44.32.200.205) to its edge concentrator
# (192.168.11.250, UDP 1701), session 0x36f267b6 toward the edge, no cookie,
# no sublayer, inner 802.1Q VLAN 5 with one client.
# Toward the edge: 29 ARP/LLC frames, 3 router solicitations and 1
# neighbour solicitation are control; 7 DHCP discovers from 0.0.0.0, 2
# IPv4 packets from 169.254.0.0/16 and 3 MLD reports from fe80:: are
# spoofed_src (link-local: no subscriber's); 2 IGMP packets are
# reserved_dst. The 67 packets toward the AP's port are not ours.
EXPECT_DECAP=63
EXPECT_REASONS="ok=63 reserved_dst=2 control=33 spoofed_src=12 not_tunnel=67"
TSHARK_ARGS=(-o "l2tp.cookie_size:None" -o "l2tp.l2_specific:None"
	-d l2tp.pw_type==0,eth -d l2tp.pw_type==4,eth)
$TUNGATE sub add ap --type l2tpv3-udp --session 921855926 --sublayer none \
	--remote 44.32.200.205 --local 192.168.11.250 \
	--prefix 192.168.69.0/24
