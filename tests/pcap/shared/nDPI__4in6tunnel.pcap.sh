# SPDX-License-Identifier: GPL-2.0-only
# IPv4 in IPv6: the outer header is IPv6, not ours.
EXPECT_DECAP=0
EXPECT_REASONS="not_tunnel=4"
