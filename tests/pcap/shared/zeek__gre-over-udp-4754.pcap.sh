# SPDX-License-Identifier: GPL-2.0-only
# GRE in UDP (port 4754): not IP protocol 47 nor an L2TP port, so not ours
# even with its endpoints enrolled as GRE.
EXPECT_DECAP=0
EXPECT_REASONS="not_tunnel=14"
$TUNGATE sub add udp --type gre --remote 192.168.0.107 --local 192.168.5.1 \
	--prefix 172.17.0.2/32
