# SPDX-License-Identifier: GPL-2.0-only
# 6in4, one FTP reply (hop limit 63). Concentrator: 81.131.67.131.
EXPECT_DECAP=1
EXPECT_REASONS="ok=1"
$TUNGATE sub add ftp --type sit --remote 139.18.25.33 --local 81.131.67.131 \
	--prefix 2001:638:902:1::/64
