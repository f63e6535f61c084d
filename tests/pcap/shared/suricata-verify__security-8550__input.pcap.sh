# SPDX-License-Identifier: GPL-2.0-only
# Both fragments of an outer IPv4 packet carrying GRE: left to the kernel.
# The prefix is any but the tunnel's own endpoint, which no subscriber may
# route into its tunnel.
EXPECT_DECAP=0
EXPECT_REASONS="outer_fragment=2"
$TUNGATE sub add frag --type gre --remote 10.85.50.1 --local 10.85.50.2 \
	--prefix 10.85.51.0/24
