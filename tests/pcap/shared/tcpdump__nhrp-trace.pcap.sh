# SPDX-License-Identifier: GPL-2.0-only
# Keyed GRE (key 1000) carrying NHRP (0x2001) between three DMVPN routers:
# every leg enrolled, nothing may be decapsulated (one NHRP packet quotes an
# IPv4 packet, which must not be taken for the payload).
EXPECT_DECAP=0
EXPECT_REASONS="unsupported_payload=4"
$TUNGATE sub add r1-r3 --type gre --key 1000 --remote 192.168.200.1 \
	--local 192.168.200.3 --prefix 10.255.255.3/32
$TUNGATE sub add r3-r1 --type gre --key 1000 --remote 192.168.200.3 \
	--local 192.168.200.1
$TUNGATE sub add r1-r2 --type gre --key 1000 --remote 192.168.200.1 \
	--local 192.168.200.2
$TUNGATE sub add r2-r3 --type gre --key 1000 --remote 192.168.200.2 \
	--local 192.168.200.3
