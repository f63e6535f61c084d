# SPDX-License-Identifier: GPL-2.0-only
# Keyless GRE both ways. 172.27.1.66 owns 66.59.111.190; the other end is
# enrolled with 172.28.2.0/24 only, so its three NTP replies from other
# servers (packets 10, 38, 40) are spoofed_src drops.
# MSS clamping off: the check wants the TCP SYNs as captured.
EXPECT_DECAP=37
EXPECT_REASONS="ok=37 spoofed_src=3"
EXPECT_AT="10=spoofed_src 38=spoofed_src 40=spoofed_src"
$TUNGATE sub add near --type gre --remote 172.27.1.66 --local 66.59.109.137 \
	--mss-clamp off --prefix 66.59.111.190/32
$TUNGATE sub add far --type gre --remote 66.59.109.137 --local 172.27.1.66 \
	--mss-clamp off --prefix 172.28.2.0/24
