/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Encapsulation at the TC hook: grow the skb after its Ethernet header
 * with bpf_skb_adjust_room, then the hook-neutral writer of encap.h.
 */
#ifndef TG_LIB_ENCAP_SKB_H
#define TG_LIB_ENCAP_SKB_H

#include "encap.h"
#include "csum_skb.h"

/*
 * Encapsulate the IP datagram of an skb (Ethernet at data, no VLAN tags:
 * the IP header at ETH_HLEN, ip_len bytes; the whole packet linear):
 * trim anything after the datagram, insert the headers of x after the
 * Ethernet header, write them and any checksum. The Ethernet addresses
 * stay (the route lookup rewrites them), the ethertype becomes IPv4.
 * Every packet pointer the caller held is stale afterwards.
 */
static __always_inline int tg_skb_encap(struct __sk_buff *skb, __u32 ip_len,
					__u32 frame_len,
					const struct tg_encap *e,
					struct tg_peer *peer,
					const struct tg_enc *x)
{
	__u32 grow = sizeof(struct iphdr) + x->tun_len;
	struct tg_enc_csum c;
	struct ethhdr *eth;
	void *data, *data_end;
	int off;

	if (frame_len > ETH_HLEN + ip_len &&
	    bpf_skb_change_tail(skb, ETH_HLEN + ip_len, 0))
		return TG_R_INTERNAL;
	/*
	 * ENCAP_L3_IPV4: skb->protocol becomes IPv4 (an IPv6 payload too)
	 * and the network header the outer one, which is what the stack
	 * needs if bpf_redirect_neigh() resolves the next hop.
	 */
	if (bpf_skb_adjust_room(skb, grow, BPF_ADJ_ROOM_MAC,
				BPF_F_ADJ_ROOM_ENCAP_L3_IPV4))
		return TG_R_INTERNAL;

	/* New head: reload both ends and check again before writing. */
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	eth = data;
	if ((void *)(eth + 1) > data_end)
		return TG_R_INTERNAL;
	eth->h_proto = bpf_htons(ETH_P_IP);
	off = tg_encap_write(data, data_end, ETH_HLEN, e, peer, x);
	if (off < 0)
		return TG_R_INTERNAL;
	if (!off)
		return TG_CONTINUE;
	tg_encap_csum_args(ETH_HLEN, off, e, x, &c);
	if (tg_skb_csum_fill(skb, c.start, c.len, c.seed, c.how))
		return TG_R_INTERNAL;
	return TG_CONTINUE;
}

#endif /* TG_LIB_ENCAP_SKB_H */
