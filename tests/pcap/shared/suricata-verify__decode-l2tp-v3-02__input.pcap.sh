# SPDX-License-Identifier: GPL-2.0-only
# Linux L2TPv3 Ethernet pseudowire, session 1 both ways, ping and DNS
# bridged between 10.10.10.1 and 10.10.10.2: both ends enrolled.
# Over UDP 1701, 4-byte cookie cafebabe, no sublayer.
EXPECT_DECAP=10
EXPECT_REASONS="ok=10"
TSHARK_ARGS=(-o "l2tp.cookie_size:4 Byte Cookie" -o "l2tp.l2_specific:None"
	-d l2tp.pw_type==0,eth)
$TUNGATE sub add a --type l2tpv3-udp --session 1 --remote 172.31.1.211 \
	--local 172.31.6.72 --cookie cafebabe --sublayer none \
	--prefix 10.10.10.1/32 --prefix 10.16.1.11/32 --prefix 192.203.230.10/32
$TUNGATE sub add b --type l2tpv3-udp --session 1 --remote 172.31.6.72 \
	--local 172.31.1.211 --cookie cafebabe --sublayer none --prefix 10.10.10.2/32
