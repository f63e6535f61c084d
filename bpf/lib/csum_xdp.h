/* SPDX-License-Identifier: GPL-2.0-only */
/* Filling a checksum over the rest of an XDP frame. */
#ifndef TG_LIB_CSUM_XDP_H
#define TG_LIB_CSUM_XDP_H

#include <linux/bpf.h>
#include "csum.h"

/*
 * tg_csum_fill() on an XDP frame. A global function, verified once for
 * all callers, like the GRE checksum check.
 */
__noinline int tg_xdp_csum_fill(struct xdp_md *ctx, __u64 start, __u64 len,
				__u64 seed, __u64 how)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	return tg_csum_fill(data, data_end, start, len, seed, how);
}

#endif /* TG_LIB_CSUM_XDP_H */
