# SPDX-License-Identifier: GPL-2.0-only
# Headers cut short: IPv4 with no TCP/UDP header or 4 bytes of UDP, IPv4 GRE
# with 2 bytes of GRE header (4), and the same over IPv6.
# The prefix is any but the tunnel's own endpoint, which no subscriber may
# route into its tunnel.
EXPECT_DECAP=0
EXPECT_REASONS="not_tunnel|truncated=8"
EXPECT_AT="1=not_tunnel 4=truncated 5=not_tunnel 6=not_tunnel 7=not_tunnel 8=not_tunnel"
$TUNGATE sub add short --type gre --remote 1.1.1.1 --local 2.2.2.2 \
	--prefix 1.1.2.0/24
