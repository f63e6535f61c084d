/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Header cursor shared by every parser. Parsers take the cursor and the
 * frame's data_end, never a hook context, so XDP and TC can share them.
 */
#ifndef TG_LIB_PARSE_H
#define TG_LIB_PARSE_H

#include <stdbool.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "tungate.h"

/* Returned by pipeline stages that have not reached a verdict yet. */
#define TG_CONTINUE (-1)

/*
 * pos: next unparsed byte. end: logical end of the data, i.e. the end of
 * the outer IPv4 datagram once that is known (Ethernet trailer padding is
 * not payload). end never lies beyond data_end, but the verifier only
 * learns bounds from comparisons against data_end, so every check is made
 * against both: data_end for the verifier, end for the protocol.
 */
struct hdr_cursor {
	void *pos;
	void *end;
};

/* The smallest power of two less one that is >= max (a constant > 0). */
#define TG_MASK_OF(max) ((2ULL << (63 - __builtin_clzll(max))) - 1)

/*
 * v, already checked to be <= max, with that bound restated where v is
 * used. After "if (v > max) return", clang may reload v from the stack
 * slot it saved it to before the check and add that copy to a packet
 * pointer; kernels before 6.4 do not carry the checked bound over to the
 * reloaded copy. The mask is a no-op at run time (v <= max); the empty asm
 * hides that from clang, so the mask stays and the verifier sees the bound
 * on the very register it adds.
 */
#define tg_bound(v, max)						\
	({								\
		__u64 __tg_v = (v);					\
		asm volatile("" : "+r"(__tg_v));			\
		__tg_v & TG_MASK_OF(max);				\
	})

/* True when the cursor has fewer than len bytes before the logical end. */
static __always_inline bool tg_cur_short(const struct hdr_cursor *c, __u32 len)
{
	return c->pos + len > c->end;
}

#endif /* TG_LIB_PARSE_H */
