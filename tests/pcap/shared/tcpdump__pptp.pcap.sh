# SPDX-License-Identifier: GPL-2.0-only
# PPTP control connection and one enhanced GRE (version 1) LCP packet, its
# endpoints enrolled as plain GRE: nothing may be decapsulated.
EXPECT_DECAP=0
EXPECT_REASONS="gre_unsupported=1 not_tunnel=22"
$TUNGATE sub add pptp --type gre --remote 10.1.1.11 --local 10.1.1.10
