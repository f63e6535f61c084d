/* SPDX-License-Identifier: GPL-2.0-only */
/* Outer IPv4 parsing and validation of inner IPv4/IPv6 headers. */
#ifndef TG_LIB_IP_H
#define TG_LIB_IP_H

#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include "parse.h"

#define TG_IP_DF 0x4000
#define TG_IP_MF 0x2000
#define TG_IP_OFFSET 0x1fff

static __always_inline bool tg_ip4_is_fragment(const struct iphdr *iph)
{
	/* frag_off is network order: compare against swapped constants. */
	return iph->frag_off & bpf_htons(TG_IP_MF | TG_IP_OFFSET);
}

static __always_inline bool tg_outer_proto_ours(__u8 proto)
{
	switch (proto) {
	case IPPROTO_IPIP:
	case IPPROTO_IPV6:
	case IPPROTO_GRE:
	case IPPROTO_L2TP:
	case IPPROTO_UDP:
		return true;
	}
	return false;
}

/*
 * Outer IPv4 header at the cursor. On TG_CONTINUE, *iphp is the header,
 * c->pos its payload and c->end the end of the datagram by tot_len.
 */
static __always_inline int tg_parse_outer_ip4(struct hdr_cursor *c,
					      void *data_end,
					      struct iphdr **iphp)
{
	struct iphdr *iph = c->pos;
	__u32 hlen, tot_len;

	if ((void *)(iph + 1) > data_end || tg_cur_short(c, sizeof(*iph)))
		return TG_R_TRUNCATED;
	if (iph->version != 4 || !tg_outer_proto_ours(iph->protocol))
		return TG_R_NOT_TUNNEL;

	hlen = iph->ihl * 4;
	tot_len = bpf_ntohs(iph->tot_len);
	if (hlen < sizeof(*iph) || tot_len < hlen)
		return TG_R_TRUNCATED;
	/*
	 * The whole datagram must be there; from here on its end, not the
	 * frame's, bounds every header (Ethernet padding is not payload).
	 */
	if ((void *)iph + tot_len > data_end)
		return TG_R_TRUNCATED;
	if (tg_ip4_is_fragment(iph))
		return TG_R_OUTER_FRAGMENT;

	c->pos = (void *)iph + hlen;
	c->end = (void *)iph + tot_len;
	*iphp = iph;
	return TG_CONTINUE;
}

/*
 * Validate the inner IP header at the cursor against the version the
 * tunnel says it carries (ETH_P_IP or ETH_P_IPV6, host order). Returns
 * the datagram length (header included) or -1 when malformed.
 */
static __always_inline int tg_inner_ip_len(const struct hdr_cursor *c,
					   void *data_end, __u16 ethertype)
{
	if (ethertype == ETH_P_IP) {
		struct iphdr *iph = c->pos;
		__u32 tot_len;

		if ((void *)(iph + 1) > data_end || tg_cur_short(c, sizeof(*iph)))
			return -1;
		tot_len = bpf_ntohs(iph->tot_len);
		if (iph->version != 4 || iph->ihl < 5 || tot_len < iph->ihl * 4 ||
		    tg_cur_short(c, tot_len))
			return -1;
		return tot_len;
	} else {
		struct ipv6hdr *ip6h = c->pos;
		__u32 tot_len;

		if ((void *)(ip6h + 1) > data_end ||
		    tg_cur_short(c, sizeof(*ip6h)))
			return -1;
		tot_len = sizeof(*ip6h) + bpf_ntohs(ip6h->payload_len);
		if (ip6h->version != 6 || tg_cur_short(c, tot_len))
			return -1;
		return tot_len;
	}
}

#endif /* TG_LIB_IP_H */
