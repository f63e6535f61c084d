# SPDX-License-Identifier: GPL-2.0-only
# The keyed gretap tunnel enrolled without a key: a keyless tunnel is a
# different tunnel, so every unfragmented packet is an unknown tunnel.
EXPECT_DECAP=0
EXPECT_REASONS="unknown_tunnel=232 outer_fragment=55"
$TUNGATE sub add keyless --type gretap --remote 10.200.0.3 \
	--local 10.200.0.224 --prefix 192.168.69.0/24
