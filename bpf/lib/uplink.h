/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The uplink-side pipeline up to (not including) the head adjustment:
 * Ethernet -> IPv4/IPv6 header -> destination prefix -> subscriber ->
 * how to reach it. Nothing here writes to the packet or needs the hook
 * context.
 */
#ifndef TG_LIB_UPLINK_H
#define TG_LIB_UPLINK_H

#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include "tungate_maps.bpf.h"
#include "claim.h"
#include "prefix.h"
#include "stats.h"
#include "parse.h"
#include "eth.h"
#include "ip.h"


/* Result of tg_up_parse(). */
struct tg_up {
	__u32 sub_id;		/* subscriber the destination belongs to */
	__u32 claim;		/* the prefix's claim that holds (its slot) */
	__u32 l3_off;		/* frame start to the IP header */
	__u32 ip_len;		/* IP datagram length, header included */
	__u32 frame_len;	/* frame length (data_end - data) */
	__u16 proto;		/* ETH_P_IP or ETH_P_IPV6, host order */
	__u8 df;		/* may not be fragmented: IPv4 DF, or IPv6 */
	__u8 ttl;		/* TTL / hop limit */
	struct tg_encap *encap;	/* tg_encap[sub_id] of the claim's slot */
};

/*
 * Classify a frame from the uplink. Returns TG_CONTINUE with u filled in
 * when it is to be sent to a subscriber, else the reason to leave it to
 * the kernel. u->sub_id and u->claim are set as soon as the subscriber
 * is known.
 */
static __always_inline int tg_up_parse(void *data, void *data_end,
				       struct tg_up *u)
{
	struct hdr_cursor c = { .pos = data, .end = data_end };
	struct tg_owners o;
	struct tg_encap *e;
	__u32 claim;
	int ret;

	ret = tg_parse_eth(&c, data_end);
	if (ret < 0)
		return TG_R_TRUNCATED;
	u->l3_off = c.pos - data;
	u->frame_len = data_end - data;
	if (ret == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = c.pos;

		ret = tg_inner_ip_len(&c, data_end, ETH_P_IP);
		if (ret < 0 || (void *)(iph + 1) > data_end)
			return TG_R_TRUNCATED;
		u->ip_len = ret;
		u->proto = ETH_P_IP;
		u->df = !!(iph->frag_off & bpf_htons(TG_IP_DF));
		u->ttl = iph->ttl;
		o = tg_prefix4_find(iph->daddr);
	} else if (ret == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6h = c.pos;

		ret = tg_inner_ip_len(&c, data_end, ETH_P_IPV6);
		if (ret < 0 || (void *)(ip6h + 1) > data_end)
			return TG_R_TRUNCATED;
		u->ip_len = ret;
		u->proto = ETH_P_IPV6;
		u->df = 1;
		u->ttl = ip6h->hop_limit;
		o = tg_prefix6_find(&ip6h->daddr);
	} else {
		return TG_R_NOT_SUBSCRIBER;
	}
	/* No claim in force: the prefix is not (or no longer) routed. */
	claim = tg_owner_of(&o);
	if (!claim)
		return TG_R_NOT_SUBSCRIBER;
	tg_count_warm(TG_CLAIM_ID_OF(claim), false);
	e = tg_encap_of(claim);
	/*
	 * A prefix whose subscriber has no encapsulation yet (or any more),
	 * or a WireGuard member's: the kernel routes it to its interface.
	 */
	if (!e || e->type == TG_TUN_NONE || e->type == TG_TUN_WIREGUARD)
		return TG_R_NOT_SUBSCRIBER;
	u->sub_id = TG_CLAIM_ID_OF(claim);
	u->claim = claim;
	u->encap = e;
	/* Left for the kernel to answer with ICMP time exceeded. */
	if (u->ttl <= 1)
		return TG_R_TTL_EXPIRED;
	return TG_CONTINUE;
}

#endif /* TG_LIB_UPLINK_H */
