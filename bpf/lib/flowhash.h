/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The flow hash steering spreads by (bpf/steer.bpf.c): addresses,
 * protocol and ports of the packet inside a tunnel (IPIP, 6in4, GRE with
 * any checksum/key/sequence options, gretap, EoIP), or of the packet
 * itself when it is no tunnel tungate reads inside (L2TP is hashed by its
 * outer addresses and UDP ports: one session, one CPU). Only where a
 * packet goes depends on it: a short or odd frame gets some hash and the
 * subscriber program decides what it is. Fragments are hashed without
 * ports (only the first one has them), so one datagram's fragments stay
 * together.
 */
#ifndef TG_LIB_FLOWHASH_H
#define TG_LIB_FLOWHASH_H

#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include "parse.h"
#include "eth.h"
#include "gre.h"

/* Mix v into h (the murmur3 32-bit step). */
static __always_inline __u32 tg_fh_mix(__u32 h, __u32 v)
{
	v *= 0xcc9e2d51;
	v = (v << 15) | (v >> 17);
	v *= 0x1b873593;
	h ^= v;
	h = (h << 13) | (h >> 19);
	return h * 5 + 0xe6546b64;
}

/* The murmur3 finalizer: every input bit moves every output bit. */
static __always_inline __u32 tg_fh_final(__u32 h)
{
	h ^= h >> 16;
	h *= 0x85ebca6b;
	h ^= h >> 13;
	h *= 0xc2b2ae35;
	return h ^ (h >> 16);
}

static __always_inline bool tg_fh_has_ports(__u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	       proto == IPPROTO_SCTP || proto == IPPROTO_UDPLITE;
}

/* The two 16-bit ports at p, as one word (0 when cut short). */
static __always_inline __u32 tg_fh_ports(void *p, void *data_end)
{
	__u32 *ports = p;

	if ((void *)(ports + 1) > data_end)
		return 0;
	return *ports;
}

/*
 * IPv4 header at c: its flow into *h. *proto and *l4 (the payload) for a
 * caller that looks inside (tunnels); returns -1 when cut short.
 */
static __always_inline int tg_fh_ipv4(struct hdr_cursor *c, void *data_end,
				      __u32 *h, __u8 *proto, void **l4)
{
	struct iphdr *iph = c->pos;
	__u32 hlen;

	if ((void *)(iph + 1) > data_end)
		return -1;
	hlen = iph->ihl * 4;
	if (hlen < sizeof(*iph))
		return -1;
	*h = tg_fh_mix(*h, iph->saddr);
	*h = tg_fh_mix(*h, iph->daddr);
	*h = tg_fh_mix(*h, iph->protocol);
	*proto = iph->protocol;
	*l4 = c->pos + tg_bound(hlen, 60);
	/* More fragments or an offset: a fragment, hashed without ports. */
	if (iph->frag_off & bpf_htons(0x3fff)) {
		*proto = 0;
		return 0;
	}
	if (tg_fh_has_ports(iph->protocol))
		*h = tg_fh_mix(*h, tg_fh_ports(*l4, data_end));
	return 0;
}

/* IPv6 header at c: its flow into *h (extension headers not followed). */
static __always_inline void tg_fh_ipv6(struct hdr_cursor *c, void *data_end,
				       __u32 *h)
{
	struct ipv6hdr *ip6 = c->pos;
	int i;

	if ((void *)(ip6 + 1) > data_end)
		return;
#pragma unroll
	for (i = 0; i < 4; i++) {
		*h = tg_fh_mix(*h, ip6->saddr.in6_u.u6_addr32[i]);
		*h = tg_fh_mix(*h, ip6->daddr.in6_u.u6_addr32[i]);
	}
	*h = tg_fh_mix(*h, ip6->nexthdr);
	if (tg_fh_has_ports(ip6->nexthdr))
		*h = tg_fh_mix(*h, tg_fh_ports(ip6 + 1, data_end));
}

/* An Ethernet frame inside a tunnel (gretap, EoIP) at c. */
static __always_inline void tg_fh_inner_eth(struct hdr_cursor *c,
					    void *data_end, __u32 *h)
{
	int proto = tg_parse_eth(c, data_end);
	void *l4;
	__u8 p;

	if (proto == bpf_htons(ETH_P_IP))
		tg_fh_ipv4(c, data_end, h, &p, &l4);
	else if (proto == bpf_htons(ETH_P_IPV6))
		tg_fh_ipv6(c, data_end, h);
	else
		*h = tg_fh_mix(*h, proto);
}

/*
 * GRE at c (version 0 with its optional fields, or EoIP): the payload's
 * flow into *h. Returns false when it is none tungate hashes inside.
 */
static __always_inline bool tg_fh_gre(struct hdr_cursor *c, void *data_end,
				      __u32 *h)
{
	struct tg_gre_hdr *gh = c->pos;
	__u16 flags, proto;
	void *l4;
	__u8 p;

	if ((void *)(gh + 1) > data_end)
		return false;
	flags = bpf_ntohs(gh->flags);
	proto = bpf_ntohs(gh->proto);
	if (flags == TG_EOIP_FLAGS && proto == TG_EOIP_PROTO) {
		c->pos += sizeof(struct tg_eoip_hdr);
		tg_fh_inner_eth(c, data_end, h);
		return true;
	}
	if (flags & TG_GRE_F_UNSUPP)
		return false;
	c->pos += tg_gre_hlen(flags);
	if (proto == ETH_P_IP)
		tg_fh_ipv4(c, data_end, h, &p, &l4);
	else if (proto == ETH_P_IPV6)
		tg_fh_ipv6(c, data_end, h);
	else if (proto == ETH_P_TEB)
		tg_fh_inner_eth(c, data_end, h);
	else
		return false;
	return true;
}

/* The flow hash of the frame data..data_end. */
static __always_inline __u32 tg_flow_hash(void *data, void *data_end)
{
	struct hdr_cursor c = { .pos = data, .end = data_end };
	__u32 h = 0, outer = 0;
	void *l4 = NULL;
	__u8 proto = 0;
	int eth;

	eth = tg_parse_eth(&c, data_end);
	if (eth == bpf_htons(ETH_P_IPV6)) {
		tg_fh_ipv6(&c, data_end, &h);
		return tg_fh_final(h);
	}
	if (eth != bpf_htons(ETH_P_IP))
		return tg_fh_final(tg_fh_mix(0, eth));
	if (tg_fh_ipv4(&c, data_end, &outer, &proto, &l4))
		return tg_fh_final(outer);
	c.pos = l4;
	switch (proto) {
	case IPPROTO_IPIP:
		tg_fh_ipv4(&c, data_end, &h, &proto, &l4);
		break;
	case IPPROTO_IPV6:
		tg_fh_ipv6(&c, data_end, &h);
		break;
	case IPPROTO_GRE:
		if (!tg_fh_gre(&c, data_end, &h))
			h = outer;
		break;
	default:
		h = outer;
	}
	return tg_fh_final(h);
}

#endif /* TG_LIB_FLOWHASH_H */
