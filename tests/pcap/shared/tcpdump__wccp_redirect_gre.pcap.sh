# SPDX-License-Identifier: GPL-2.0-only
# GRE protocol 0x883e (WCCP redirect header before the IPv4 packet): not a
# payload tungate knows, so passed untouched even from an enrolled tunnel.
EXPECT_DECAP=0
EXPECT_REASONS="unsupported_payload=1"
$TUNGATE sub add wccp --type gre --remote 10.254.127.194 \
	--local 10.254.214.82 --prefix 10.254.127.195/32
