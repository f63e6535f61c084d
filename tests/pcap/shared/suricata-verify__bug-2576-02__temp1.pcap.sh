# SPDX-License-Identifier: GPL-2.0-only
# Keyless gretap (0x6558): a whole HTTP exchange bridged one way, so both
# inner hosts are behind the one subscriber.
EXPECT_DECAP=17
EXPECT_REASONS="ok=17"
$TUNGATE sub add bridge --type gretap --remote 192.168.0.23 \
	--local 192.168.0.20 --prefix 10.95.48.225/32 --prefix 14.215.177.39/32
