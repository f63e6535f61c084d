# SPDX-License-Identifier: GPL-2.0-only
# L2TPv3 over IP enrolled as L2TPv3 over UDP: the type is part of the
# tunnel's identity, so every packet is an unknown tunnel.
EXPECT_DECAP=0
EXPECT_REASONS="unknown_tunnel=10"
$TUNGATE sub add a --type l2tpv3-udp --session 1 --remote 172.31.1.211 \
	--local 172.31.6.72 --sublayer none --prefix 10.10.10.1/32
$TUNGATE sub add b --type l2tpv3-udp --session 1 --remote 172.31.6.72 \
	--local 172.31.1.211 --sublayer none --prefix 10.10.10.2/32
