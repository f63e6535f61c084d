/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ARP and neighbour discovery answers inside Ethernet tunnels at the TC
 * hook: neigh.h's reply, built in the socket buffer (resized at its
 * tail) and sent back out of the interface the request came in on.
 */
#ifndef TG_LIB_NEIGH_SKB_H
#define TG_LIB_NEIGH_SKB_H

#include <linux/bpf.h>
#include "neigh.h"
#include "csum_skb.h"
#include "linear_skb.h"

/*
 * tg_xdp_neigh_encap() on a linear skb: resize it to the reply of plen
 * bytes of payload_proto and write the outer IPv4 and tunnel headers.
 * The tunnel header length | (offset of a checksum still to fill) << 16,
 * or -1.
 */
__noinline int tg_skb_neigh_encap(struct __sk_buff *skb, __u64 claim,
				  __u64 l3, __u64 plen, __u64 payload_proto)
{
	void *data, *data_end;
	struct tg_encap *e = NULL;
	struct tg_peer *peer = NULL;
	struct tg_enc x;
	__u32 len;
	int csum;

	len = tg_neigh_prepare(claim, l3, plen, payload_proto, &x, &e, &peer);
	if (!len || !e || !peer)
		return -1;
	if (bpf_skb_change_tail(skb, len, 0))
		return -1;
	if (tg_skb_linear(skb))
		return -1;
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	csum = tg_encap_write(data, data_end, l3, e, peer, &x);
	if (csum < 0)
		return -1;
	return x.tun_len | csum << 16;
}

/*
 * tg_xdp_neigh_reply() on a linear skb: NEIGH_REPLY when it now holds the
 * answer (the caller redirects it to the ingress interface), CONTROL
 * when the request is left for the kernel.
 */
__noinline int tg_skb_neigh_reply(struct __sk_buff *skb, __u64 claim,
				  __u64 off, __u64 l3, __u64 kind)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	const struct tg_encap *e = NULL;
	struct tg_neigh_ans *a = tg_neigh_ans_get();
	struct tg_enc_csum c = {};
	int ret, pos;

	if (!a)
		return TG_R_INTERNAL;
	ret = tg_neigh_answer(data, data_end, claim, off, l3, kind, a, &e);
	if (ret != TG_CONTINUE)
		return ret;
	if (!e)
		return TG_R_CONTROL;
	ret = tg_skb_neigh_encap(skb, claim, l3, a->plen, a->proto);
	if (ret < 0)
		return TG_R_CONTROL;
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	pos = tg_neigh_finish(data, data_end, l3, ret, a, e, &c);
	if (pos < 0 ||
	    bpf_skb_store_bytes(skb, pos, a->pl, a->proto == ETH_P_ARP ?
					TG_ARP_HLEN : sizeof(a->pl), 0) ||
	    (c.len && tg_skb_csum_fill(skb, c.start, c.len, c.seed, c.how)))
		return TG_R_INTERNAL;
	return TG_R_NEIGH_REPLY;
}

#endif /* TG_LIB_NEIGH_SKB_H */
