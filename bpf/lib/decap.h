/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Decapsulation: cut the tunnel headers out (the head move is the hook's,
 * ctx_decap_head()) and check the GRE checksum before that.
 */
#ifndef TG_LIB_DECAP_H
#define TG_LIB_DECAP_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include "ctx/ctx.h"
#include "tunnel.h"

/*
 * Remove everything between the outer Ethernet header and the inner IP
 * header (outer IP, tunnel headers, inner Ethernet; at XDP any VLAN tags
 * too). The Ethernet header keeps the outer addresses and carries the
 * inner ethertype. Every packet pointer the caller held is stale
 * afterwards.
 */
static __always_inline int tg_decap(struct __ctx_buff *ctx,
				    const struct tg_decap *d)
{
	struct ethhdr *eth;
	void *data_end;

	if (ctx_decap_head(ctx, d->outer_off, d->inner_off, d->inner_proto))
		return TG_R_INTERNAL;

	/* New head: reload both ends and check again before writing. */
	eth = ctx_data(ctx);
	data_end = ctx_data_end(ctx);
	if ((void *)(eth + 1) > data_end)
		return TG_R_INTERNAL;
	eth->h_proto = bpf_htons(d->inner_proto);
	return TG_CONTINUE;
}

/*
 * GRE checksum of the frame, as a global function: the verifier checks it
 * once on its own instead of once for every parser state that reaches
 * it. Returns TG_CONTINUE or the reason to refuse the packet. 64-bit
 * arguments: clang spills 32-bit ones in a way that loses their bounds.
 */
__noinline int tg_gre_csum(struct __ctx_buff *ctx, __u64 off, __u64 len)
{
	void *data = ctx_data(ctx);
	void *data_end = ctx_data_end(ctx);

	return tg_gre_csum_verdict(data, data_end, off, len);
}

#endif /* TG_LIB_DECAP_H */
