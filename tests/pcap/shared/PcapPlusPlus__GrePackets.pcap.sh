# SPDX-License-Identifier: GPL-2.0-only
# Assorted GRE: 1-2 PPTP (version 1), 3 keepalive request with checksum
# and 4 checksummed GRE with an ICMP reply inside, both between loopback
# addresses (no subscriber may have them: unknown tunnels), 5 GRE in GRE,
# 6 under an IPv6 outer header, 7 keyed gretap.
EXPECT_DECAP=2
EXPECT_REASONS="gre_unsupported=2 unknown_tunnel=2 ok=2 not_tunnel=1"
EXPECT_AT="1=gre_unsupported 2=gre_unsupported 3=unknown_tunnel 4=unknown_tunnel 5=ok 6=not_tunnel 7=ok"
$TUNGATE sub add pptp --type gre --remote 192.168.2.65 --local 192.168.2.254
$TUNGATE sub add rip --type gre --remote 86.106.164.150 \
	--local 72.205.54.70 --prefix 10.10.13.2/32
$TUNGATE sub add tap --type gretap --key 65000 --remote 1.2.3.4 \
	--local 4.3.2.1 --prefix 10.0.0.4/32
