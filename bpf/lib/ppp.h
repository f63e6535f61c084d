/* SPDX-License-Identifier: GPL-2.0-only */
/* PPP framing inside L2TPv2 data messages (RFC 1661/1662). */
#ifndef TG_LIB_PPP_H
#define TG_LIB_PPP_H

#include <linux/if_ether.h>
#include "parse.h"

#define TG_PPP_ADDRESS 0xff
#define TG_PPP_CONTROL 0x03
#define TG_PPP_IP 0x0021
#define TG_PPP_IPV6 0x0057

/*
 * PPP header at the cursor: optional address/control FF 03, then the
 * protocol, one byte when compressed (PFC: an odd first byte), else two.
 * Returns ETH_P_IP / ETH_P_IPV6 (host order) with the cursor on the
 * datagram, 0 for any other protocol (LCP, NCPs, authentication: the
 * kernel's business), -1 when cut short.
 */
static __always_inline int tg_parse_ppp(struct hdr_cursor *c, void *data_end)
{
	__u8 *p = c->pos;
	__u16 proto;

	if ((void *)(p + 1) > data_end || tg_cur_short(c, 1))
		return -1;
	if (p[0] == TG_PPP_ADDRESS) {
		/* 0xff is no protocol byte: it must start FF 03. */
		if ((void *)(p + 3) > data_end || (void *)(p + 3) > c->end)
			return -1;
		if (p[1] == TG_PPP_CONTROL)
			p += 2;
	}
	proto = p[0];
	if (proto & 1) {
		p += 1;
	} else {
		if ((void *)(p + 2) > data_end || (void *)(p + 2) > c->end)
			return -1;
		proto = proto << 8 | p[1];
		p += 2;
	}
	c->pos = p;
	if (proto == TG_PPP_IP)
		return ETH_P_IP;
	if (proto == TG_PPP_IPV6)
		return ETH_P_IPV6;
	return 0;
}

#endif /* TG_LIB_PPP_H */
