/* SPDX-License-Identifier: GPL-2.0-only */
/* TCP MSS clamping at the TC hook: mss.h on the linear part of an skb. */
#ifndef TG_LIB_MSS_SKB_H
#define TG_LIB_MSS_SKB_H

#include <linux/bpf.h>
#include "mss.h"

/* A global function, like tg_xdp_mss_clamp(): the option loop once. */
__noinline int tg_skb_mss_clamp(struct __sk_buff *skb, __u64 l3_off,
				__u64 proto, __u64 mtu)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;

	tg_mss_clamp(data, data_end, l3_off, proto, mtu);
	return 0;
}

#endif /* TG_LIB_MSS_SKB_H */
