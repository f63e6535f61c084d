/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The attributes of one accounting record, as stored in the queue and
 * sent: everything but Acct-Delay-Time, which is set when it is sent.
 */
#ifndef TG_RADIUS_ACCT_RECORD_H
#define TG_RADIUS_ACCT_RECORD_H

#include "radius/acct.h"
#include "radius/packet.h"

/* The low 32 bits of a 64-bit counter and its gigawords (bits 32..63). */
static inline __u32 tg_acct_low(__u64 v)
{
	return (__u32)v;
}

static inline __u32 tg_acct_giga(__u64 v)
{
	return (__u32)(v >> 32);
}

/*
 * Write the record of kind for session s into b; c: its counters (NULL
 * for a Start), cause: for a Stop. b->err says whether it fitted.
 */
void tg_acct_record(struct tg_rad_buf *b, const struct tg_acct_config *cfg,
		    const struct tg_acct_session *s, enum tg_acct_kind kind,
		    const struct tg_acct_counters *c, enum tg_acct_cause cause,
		    __s64 now);

#endif /* TG_RADIUS_ACCT_RECORD_H */
