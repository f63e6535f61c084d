/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Decapsulation at the TC hook: cut the tunnel headers out with
 * bpf_skb_adjust_room, the counterpart of decap.h's XDP version.
 */
#ifndef TG_LIB_DECAP_SKB_H
#define TG_LIB_DECAP_SKB_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include "tunnel.h"

/*
 * bpf_skb_adjust_room() flags that also set skb->protocol to the inner
 * family when shrinking (Linux 6.3); newer than some UAPI headers.
 */
#define TG_ADJ_ROOM_DECAP_L3_IPV4 (1ULL << 7)
#define TG_ADJ_ROOM_DECAP_L3_IPV6 (1ULL << 8)

/*
 * The IPv6 half of tg_skb_decap() on kernels whose bpf_skb_adjust_room()
 * refuses the DECAP flags (before 6.3): there bpf_skb_change_proto() is
 * what sets skb->protocol, without which the kernel's stack would take the
 * packet for IPv4. Going from IPv4 to IPv6 it inserts the 20 bytes the
 * headers differ by after the Ethernet header, so those 20 bytes of the
 * inner header are cut with the tunnel's and written back there.
 */
static __always_inline int tg_skb_decap6_compat(struct __sk_buff *skb,
						__u32 cut)
{
	__u8 head[sizeof(struct ipv6hdr) - sizeof(struct iphdr)];

	if (bpf_skb_load_bytes(skb, ETH_HLEN + cut, head, sizeof(head)) ||
	    bpf_skb_adjust_room(skb, -(__s32)(cut + sizeof(head)),
				BPF_ADJ_ROOM_MAC, 0) ||
	    bpf_skb_change_proto(skb, bpf_htons(ETH_P_IPV6), 0) ||
	    bpf_skb_store_bytes(skb, ETH_HLEN, head, sizeof(head),
				BPF_F_RECOMPUTE_CSUM))
		return -1;
	return 0;
}

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
	__u32 cut;

	if (d->outer_off != ETH_HLEN || d->inner_off <= ETH_HLEN)
		return TG_R_INTERNAL;
	cut = d->inner_off - ETH_HLEN;
	/*
	 * Kernels before 6.3 refuse the flags. There, skb->protocol staying
	 * the outer IPv4 is right for IPv4 inside; IPv6 needs the compat way.
	 */
	if (bpf_skb_adjust_room(skb, -(__s32)cut, BPF_ADJ_ROOM_MAC, flags) &&
	    (d->inner_proto == ETH_P_IP ?
		     bpf_skb_adjust_room(skb, -(__s32)cut, BPF_ADJ_ROOM_MAC, 0) :
		     tg_skb_decap6_compat(skb, cut)))
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
