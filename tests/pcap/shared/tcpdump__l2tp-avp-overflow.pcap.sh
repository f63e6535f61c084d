# SPDX-License-Identifier: GPL-2.0-only
# Fuzzer output: L2TPv2 control messages to UDP 1701 whose IPv4 total
# length runs past the captured bytes (truncated), and two 8-byte frames.
EXPECT_DECAP=0
EXPECT_REASONS="not_tunnel|truncated=20"
EXPECT_AT="1=truncated 2=truncated 3=truncated 4=truncated 5=truncated 6=truncated
8=truncated 9=truncated 10=truncated 11=truncated 12=truncated 14=truncated
15=truncated 16=truncated 17=truncated 18=truncated 19=truncated 20=truncated"
$TUNGATE sub add fuzz --type l2tpv2 --tunnel-id 560 --session 2056 \
	--remote 192.0.2.229 --local 198.51.100.1
