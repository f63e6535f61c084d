# SPDX-License-Identifier: GPL-2.0-only
# PPTP: enhanced GRE (version 1, PPP inside) both ways plus its TCP control
# connection and ARP. Both ends enrolled as plain GRE: nothing may be
# decapsulated.
EXPECT_DECAP=0
EXPECT_REASONS="gre_unsupported=17 not_tunnel=11"
$TUNGATE sub add pptp-c --type gre --remote 20.0.0.2 --local 20.0.0.1 \
	--prefix 17.1.1.122/32
$TUNGATE sub add pptp-s --type gre --remote 20.0.0.1 --local 20.0.0.2 \
	--prefix 40.0.0.2/32
