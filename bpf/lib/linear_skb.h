/* SPDX-License-Identifier: GPL-2.0-only */
/* The whole socket buffer in its linear part, for direct packet access. */
#ifndef TG_LIB_LINEAR_SKB_H
#define TG_LIB_LINEAR_SKB_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/*
 * Parsers, checksums and replies read up to the packet's end: pull the
 * paged part in when there is one. 0, or -1 when the kernel cannot.
 */
static __always_inline int tg_skb_linear(struct __sk_buff *skb)
{
	if (skb->data_end - skb->data < skb->len &&
	    bpf_skb_pull_data(skb, skb->len))
		return -1;
	return 0;
}

#endif /* TG_LIB_LINEAR_SKB_H */
