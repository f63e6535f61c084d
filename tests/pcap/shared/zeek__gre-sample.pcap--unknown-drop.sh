# SPDX-License-Identifier: GPL-2.0-only
# Only 172.27.1.66 enrolled, unknown tunnels dropped: the 19 packets from
# the other end are unknown_tunnel drops, left untouched.
# MSS clamping off: the check wants the TCP SYNs as captured.
EXPECT_DECAP=21
EXPECT_REASONS="ok=21 unknown_tunnel=19"
$TUNGATE config set unknown-tunnel drop
$TUNGATE sub add near --type gre --remote 172.27.1.66 --local 66.59.109.137 \
	--mss-clamp off --prefix 66.59.111.190/32
