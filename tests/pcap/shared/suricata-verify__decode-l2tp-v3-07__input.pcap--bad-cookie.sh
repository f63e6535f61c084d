# SPDX-License-Identifier: GPL-2.0-only
# As suricata-verify__decode-l2tp-v3-07__input.pcap.sh, but the
# 172.31.1.211 end is enrolled with a cookie one bit off: its 6 packets are
# bad_cookie drops, left untouched; the other end's 4 still decapsulate.
EXPECT_DECAP=4
EXPECT_REASONS="ok=4 bad_cookie=6"
TSHARK_ARGS=(-o "l2tp.cookie_size:8 Byte Cookie" -o "l2tp.l2_specific:None"
	-d l2tp.pw_type==0,eth)
$TUNGATE sub add a --type l2tpv3-ip --session 1 --remote 172.31.1.211 \
	--local 172.31.6.72 --cookie deadbeefcafebabf --sublayer none \
	--prefix 10.10.10.1/32 --prefix 10.16.1.11/32 --prefix 192.203.230.10/32
$TUNGATE sub add b --type l2tpv3-ip --session 1 --remote 172.31.6.72 \
	--local 172.31.1.211 --cookie deadbeefcafebabe --sublayer none \
	--prefix 10.10.10.2/32
