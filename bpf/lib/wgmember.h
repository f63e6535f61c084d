/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * WireGuard members: their traffic crosses the kernel's WireGuard
 * interface (tgwgPORT), an L3 device, so a packet there starts at its IP
 * header and skb->protocol says which. The member is the owner of the
 * packet's own address (the source from it, the destination toward it)
 * in the subscriber prefix maps, as the uplink finds a tunnel member.
 */
#ifndef TG_LIB_WGMEMBER_H
#define TG_LIB_WGMEMBER_H

#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include "tungate_maps.bpf.h"
#include "claim.h"
#include "prefix.h"
#include "stats.h"
#include "parse.h"

/* What tg_wg_parse() found. */
struct tg_wg {
	__u32 sub_id;		/* the member, 0: none */
	__u32 claim;		/* its prefix's claim that holds */
	__u32 len;		/* IP bytes, every GSO segment's headers too */
	__u32 first;		/* IP bytes of the first segment */
	__u32 segs;		/* packets: GSO segments, else 1 */
	__u16 proto;		/* ETH_P_IP or ETH_P_IPV6, host order */
};

/*
 * Bytes of the headers each GSO segment repeats: IP, and TCP or UDP; 0
 * when the packet is cut short. ip was checked for its fixed header.
 */
static __always_inline __u32 tg_wg_hdr_len(void *ip, void *data_end,
					   __u16 proto)
{
	struct tcphdr *th;
	__u32 hlen;
	__u8 l4;

	if (proto == ETH_P_IP) {
		struct iphdr *iph = ip;

		hlen = iph->ihl * 4;
		l4 = iph->protocol;
	} else {
		struct ipv6hdr *ip6h = ip;

		hlen = sizeof(*ip6h);
		l4 = ip6h->nexthdr;
	}
	if (l4 == IPPROTO_UDP)
		return hlen + sizeof(struct udphdr);
	if (l4 != IPPROTO_TCP)
		return hlen;
	th = ip + tg_bound(hlen, 60);
	if ((void *)(th + 1) > data_end)
		return 0;
	return hlen + th->doff * 4;
}

/*
 * Parse the packet (IP header at data, skb_len bytes in the skb, gso_size
 * and gso_segs from it) and find the member whose prefix holds its source
 * (dir TG_DIR_UP) or its destination (TG_DIR_DOWN). TG_CONTINUE with w
 * filled, or the reason: TRUNCATED, NOT_SUBSCRIBER (nobody's, or not a
 * WireGuard member's address).
 */
static __always_inline int tg_wg_parse(void *data, void *data_end,
				       __u16 proto, __u32 skb_len,
				       __u32 gso_size, __u32 gso_segs,
				       __u32 dir, struct tg_wg *w)
{
	struct tg_owners o;
	struct tg_encap *e;
	__u32 hdr, claim;

	w->len = skb_len;
	w->first = skb_len;
	w->segs = 1;
	w->proto = proto;
	if (proto == ETH_P_IP) {
		struct iphdr *iph = data;

		if ((void *)(iph + 1) > data_end || iph->version != 4 ||
		    iph->ihl < 5)
			return TG_R_TRUNCATED;
		o = tg_prefix4_find(dir == TG_DIR_UP ? iph->saddr : iph->daddr);
	} else if (proto == ETH_P_IPV6) {
		struct ipv6hdr *ip6h = data;

		if ((void *)(ip6h + 1) > data_end || ip6h->version != 6)
			return TG_R_TRUNCATED;
		o = tg_prefix6_find(dir == TG_DIR_UP ? &ip6h->saddr :
						       &ip6h->daddr);
	} else {
		return TG_R_NOT_SUBSCRIBER;
	}
	/* A GSO packet counts as the segments it is sent as. */
	if (gso_size && gso_segs > 1) {
		hdr = tg_wg_hdr_len(data, data_end, proto);
		if (!hdr)
			return TG_R_TRUNCATED;
		w->segs = gso_segs;
		w->len = skb_len + (gso_segs - 1) * hdr;
		w->first = hdr + gso_size;
	}
	claim = tg_owner_of(&o);
	if (!claim)
		return TG_R_NOT_SUBSCRIBER;
	e = tg_encap_of(claim);
	if (!e || e->type != TG_TUN_WIREGUARD)
		return TG_R_NOT_SUBSCRIBER;
	w->sub_id = TG_CLAIM_ID_OF(claim);
	w->claim = claim;
	return TG_CONTINUE;
}

#endif /* TG_LIB_WGMEMBER_H */
