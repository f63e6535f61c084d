# SPDX-License-Identifier: GPL-2.0-only
# L2TPv3 over IP, session 0x11223344, no cookie, no sublayer: the bridged
# frame says IPv4 but its header has version 1, so inner_malformed drop.
# The prefix is any but the tunnel's own endpoint, which no subscriber may
# route into its tunnel.
EXPECT_DECAP=0
EXPECT_REASONS="inner_malformed=1"
TSHARK_ARGS=(-o "l2tp.cookie_size:None" -o "l2tp.l2_specific:None"
	-d l2tp.pw_type==0,eth)
$TUNGATE sub add bad --type l2tpv3-ip --session 287454020 --sublayer none \
	--remote 192.168.0.1 --local 192.168.0.2 --prefix 192.168.1.0/24
