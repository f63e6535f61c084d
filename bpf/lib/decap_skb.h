/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Decapsulation at the TC hook: cut the tunnel headers out with
 * bpf_skb_adjust_room, the counterpart of decap.h's XDP version.
 */
#ifndef TG_LIB_DECAP_SKB_H
#define TG_LIB_DECAP_SKB_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include "tunnel.h"

/*
 * bpf_skb_adjust_room() flags that also set skb->protocol to the inner
 * family when shrinking (Linux 6.3); newer than some UAPI headers.
 */
#define TG_ADJ_ROOM_DECAP_L3_IPV4 (1ULL << 7)
#define TG_ADJ_ROOM_DECAP_L3_IPV6 (1ULL << 8)

/*
 * Remove everything between the outer MAC addresses and the inner IP
 * header (outer IP, tunnel headers, inner Ethernet) of an skb whose
 * Ethernet header carries no VLAN tag in the data. The Ethernet header
 * keeps the outer addresses and gets the inner ethertype. Every packet
 * pointer the caller held is stale afterwards.
 */
static __always_inline int tg_skb_decap(struct __sk_buff *skb,
					const struct tg_decap *d)
{
	__u64 flags = d->inner_proto == ETH_P_IP ? TG_ADJ_ROOM_DECAP_L3_IPV4 :
						   TG_ADJ_ROOM_DECAP_L3_IPV6;
	struct ethhdr *eth;
	void *data, *data_end;

	if (d->outer_off != ETH_HLEN || d->inner_off <= ETH_HLEN)
		return TG_R_INTERNAL;
	/*
	 * Kernels before 6.3 refuse the flags: there skb->protocol keeps the
	 * outer family (IPv4), right for IPv4 inside and, for IPv6 inside,
	 * enough for a redirect, but not for the kernel's own stack.
	 */
	if (bpf_skb_adjust_room(skb, -(__s32)(d->inner_off - ETH_HLEN),
				BPF_ADJ_ROOM_MAC, flags) &&
	    bpf_skb_adjust_room(skb, -(__s32)(d->inner_off - ETH_HLEN),
				BPF_ADJ_ROOM_MAC, 0))
		return TG_R_INTERNAL;

	/* New layout: reload both ends and check again before writing. */
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	eth = data;
	if ((void *)(eth + 1) > data_end)
		return TG_R_INTERNAL;
	eth->h_proto = bpf_htons(d->inner_proto);
	return TG_CONTINUE;
}

/*
 * GRE checksum of the (linear) skb, as a global function like
 * tg_xdp_gre_csum(). TG_CONTINUE or the reason to refuse the packet.
 */
__noinline int tg_skb_gre_csum(struct __sk_buff *skb, __u64 off, __u64 len)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;

	return tg_gre_csum_verdict(data, data_end, off, len);
}

#endif /* TG_LIB_DECAP_SKB_H */
