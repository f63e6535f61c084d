/* SPDX-License-Identifier: GPL-2.0-only */
/* Outcome of the last packet in tg_trace[0], for replay and tests. */
#ifndef TG_LIB_TRACE_H
#define TG_LIB_TRACE_H

#include "tungate_maps.bpf.h"

static __always_inline void tg_trace_record(__u32 reason, __u32 sub_id,
					    __u32 ifindex)
{
	struct tg_trace *t;
	__u32 zero = 0;

	t = bpf_map_lookup_elem(&tg_trace, &zero);
	if (!t)
		return;
	t->reason = reason;
	t->sub_id = sub_id;
	t->ifindex = ifindex;
	t->seq++;
}

#endif /* TG_LIB_TRACE_H */
