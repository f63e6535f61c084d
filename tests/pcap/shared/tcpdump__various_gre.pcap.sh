# SPDX-License-Identifier: GPL-2.0-only
# Cisco keyed GRE (key 40) behind 802.1Q: payload 0x8909 (Cisco metadata,
# carrying IPv4 and keepalives) and CDP 0x2000 are unsupported_payload, the
# keepalive replies (protocol 0) are control; 70 STP/DTP/CDP/loopback
# frames are not IPv4. Both ends enrolled.
EXPECT_DECAP=0
EXPECT_REASONS="unsupported_payload=22 control=8 not_tunnel=70"
EXPECT_AT="12=control 25=unsupported_payload 49=unsupported_payload"
$TUNGATE sub add r1 --type gre --key 40 --remote 10.172.64.6 \
	--local 10.172.64.7 --prefix 172.17.1.54/32
$TUNGATE sub add r2 --type gre --key 40 --remote 10.172.64.7 \
	--local 10.172.64.6 --prefix 172.17.1.55/32
