# SPDX-License-Identifier: GPL-2.0-only
# Linux L2TPv3 Ethernet pseudowire, session 1 both ways, ping and DNS
# bridged between 10.10.10.1 and 10.10.10.2: both ends enrolled.
# Over UDP port 1234 both ways (configured), 8-byte cookie, default
# sublayer.
EXPECT_DECAP=10
EXPECT_REASONS="ok=10"
TSHARK_ARGS=(-o "l2tp.cookie_size:8 Byte Cookie" -o "l2tp.l2_specific:Default L2-Specific"
	-d l2tp.pw_type==0,eth -d udp.port==1234,l2tp)
$TUNGATE config set l2tpv3-udp-port 1234
$TUNGATE sub add a --type l2tpv3-udp --session 1 --remote 172.31.1.211 \
	--local 172.31.6.72 --cookie deadbeefcafebabe \
	--prefix 10.10.10.1/32 --prefix 10.16.1.11/32 --prefix 192.203.230.10/32
$TUNGATE sub add b --type l2tpv3-udp --session 1 --remote 172.31.6.72 \
	--local 172.31.1.211 --cookie deadbeefcafebabe --prefix 10.10.10.2/32
