/* SPDX-License-Identifier: GPL-2.0-only */
/* Filling a checksum over the rest of a (linear) socket buffer. */
#ifndef TG_LIB_CSUM_SKB_H
#define TG_LIB_CSUM_SKB_H

#include <linux/bpf.h>
#include "csum.h"

/*
 * tg_csum_fill() on the linear part of an skb: the caller pulls the whole
 * packet in first (bpf_skb_pull_data), else the sum fails out of bounds.
 */
__noinline int tg_skb_csum_fill(struct __sk_buff *ctx, __u64 start, __u64 len,
				__u64 seed, __u64 how)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	return tg_csum_fill(data, data_end, start, len, seed, how);
}

#endif /* TG_LIB_CSUM_SKB_H */
