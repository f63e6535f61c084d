/* SPDX-License-Identifier: GPL-2.0-only */
/* XDP decapsulation: cut the tunnel headers out with bpf_xdp_adjust_head. */
#ifndef TG_LIB_DECAP_H
#define TG_LIB_DECAP_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include "tunnel.h"

/*
 * Remove everything between the outer MAC addresses and the inner IP
 * header (VLAN tags, outer IP, tunnel headers, inner Ethernet). The new
 * Ethernet header keeps the outer addresses and carries the inner
 * ethertype. Every packet pointer the caller held is stale afterwards.
 */
static __always_inline int tg_xdp_decap(struct xdp_md *ctx,
					const struct tg_decap *d)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u8 macs[2 * ETH_ALEN];

	if ((void *)(eth + 1) > data_end)
		return TG_R_INTERNAL;
	__builtin_memcpy(macs, eth, sizeof(macs));
	if (bpf_xdp_adjust_head(ctx, (int)d->inner_off - ETH_HLEN))
		return TG_R_INTERNAL;

	/* New head: reload both ends and check again before writing. */
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	if ((void *)(eth + 1) > data_end)
		return TG_R_INTERNAL;
	__builtin_memcpy(eth, macs, sizeof(macs));
	eth->h_proto = bpf_htons(d->inner_proto);
	return TG_CONTINUE;
}

/*
 * GRE checksum of the frame, as a global function: the verifier checks it
 * once on its own instead of once for every parser state that reaches
 * it. Returns TG_CONTINUE or the reason to refuse the packet. 64-bit
 * arguments: clang spills 32-bit ones in a way that loses their bounds.
 */
__noinline int tg_xdp_gre_csum(struct xdp_md *ctx, __u64 off, __u64 len)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	return tg_gre_csum_verdict(data, data_end, off, len);
}

#endif /* TG_LIB_DECAP_H */
