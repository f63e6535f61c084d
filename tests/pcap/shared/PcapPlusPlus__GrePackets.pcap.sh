# SPDX-License-Identifier: GPL-2.0-only
# Assorted GRE: 1-2 PPTP (version 1), 3 keepalive request with checksum
# (inner IPv4/GRE sent back to the outer source), 4 checksummed GRE with an
# ICMP reply inside (loopback addresses: the route lookup may call it local),
# 5 GRE in GRE, 6 under an IPv6 outer header, 7 keyed gretap.
EXPECT_DECAP=3
EXPECT_REASONS="gre_unsupported=2 control=1 ok|fib_not_fwded=3 not_tunnel=1"
EXPECT_AT="1=gre_unsupported 2=gre_unsupported 3=control 4=ok|fib_not_fwded 5=ok 6=not_tunnel 7=ok"
$TUNGATE sub add pptp --type gre --remote 192.168.2.65 --local 192.168.2.254
$TUNGATE sub add lo --type gre --remote 127.0.0.1 --local 127.0.0.1 \
	--prefix 127.0.0.1/32
$TUNGATE sub add rip --type gre --remote 86.106.164.150 \
	--local 72.205.54.70 --prefix 10.10.13.2/32
$TUNGATE sub add tap --type gretap --key 65000 --remote 1.2.3.4 \
	--local 4.3.2.1 --prefix 10.0.0.4/32
