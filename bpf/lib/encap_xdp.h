/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Encapsulation at the XDP hook: move the head with bpf_xdp_adjust_head,
 * then the hook-neutral writer of encap.h.
 */
#ifndef TG_LIB_ENCAP_XDP_H
#define TG_LIB_ENCAP_XDP_H

#include "encap.h"
#include "csum_xdp.h"

/*
 * Fill the GRE or UDP checksum tg_encap_write() left at frame offset off
 * (0: none), once the payload is in place. TG_CONTINUE or INTERNAL.
 */
static __always_inline int tg_xdp_encap_csum(struct xdp_md *ctx, __u32 l3,
					     int off, const struct tg_encap *e,
					     const struct tg_enc *x)
{
	struct tg_enc_csum c;

	if (!off)
		return TG_CONTINUE;
	tg_encap_csum_args(l3, off, e, x, &c);
	if (tg_xdp_csum_fill(ctx, c.start, c.len, c.seed, c.how))
		return TG_R_INTERNAL;
	return TG_CONTINUE;
}

/*
 * Encapsulate the IP datagram of a frame from the uplink (at l3_off,
 * ip_len bytes, after any VLAN tags, which go): trim Ethernet padding,
 * grow the head for the headers of x, write them and any checksum. The
 * new Ethernet header keeps the frame's addresses (the route lookup
 * rewrites them) with ethertype IPv4. Every packet pointer the caller
 * held is stale afterwards.
 */
static __always_inline int tg_xdp_encap(struct xdp_md *ctx, __u32 l3_off,
					__u32 ip_len, __u32 frame_len,
					const struct tg_encap *e,
					struct tg_peer *peer,
					const struct tg_enc *x)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u8 macs[2 * ETH_ALEN];
	int off;

	if ((void *)(eth + 1) > data_end)
		return TG_R_INTERNAL;
	__builtin_memcpy(macs, eth, sizeof(macs));
	/* Padding after the datagram would end up inside the tunnel. */
	if (frame_len > l3_off + ip_len &&
	    bpf_xdp_adjust_tail(ctx, (int)(l3_off + ip_len) - (int)frame_len))
		return TG_R_INTERNAL;
	if (bpf_xdp_adjust_head(ctx, (int)l3_off -
				(int)(ETH_HLEN + sizeof(struct iphdr) +
				      x->tun_len)))
		return TG_R_INTERNAL;

	/* New head: reload both ends and check again before writing. */
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	if ((void *)(eth + 1) > data_end)
		return TG_R_INTERNAL;
	__builtin_memcpy(eth, macs, sizeof(macs));
	eth->h_proto = bpf_htons(ETH_P_IP);
	off = tg_encap_write(data, data_end, ETH_HLEN, e, peer, x);
	if (off < 0)
		return TG_R_INTERNAL;
	return tg_xdp_encap_csum(ctx, ETH_HLEN, off, e, x);
}

#endif /* TG_LIB_ENCAP_XDP_H */
