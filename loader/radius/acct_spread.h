/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * When a session's Interim-Updates fall: every interval seconds (the
 * Acct-Interim-Interval of its Access-Accept, else the setting; at least
 * TG_ACCT_INTERIM_MIN), the first one between half an interval and one
 * interval after it came up, at a point drawn from its Acct-Session-Id,
 * so that sessions that came up together (a restart, a LAC's return)
 * spread their records over half the interval.
 */
#ifndef TG_RADIUS_ACCT_SPREAD_H
#define TG_RADIUS_ACCT_SPREAD_H

#include <linux/types.h>
#include "radius/acct.h"

static inline __u32 tg_acct_interval(__u32 reply, __u32 setting)
{
	__u32 v = reply ? reply : setting;

	return v && v < TG_ACCT_INTERIM_MIN ? TG_ACCT_INTERIM_MIN : v;
}

/* FNV-1a of the session id. */
static inline __u32 tg_acct_hash(const char *id)
{
	__u32 h = 2166136261u;

	while (*id)
		h = (h ^ (__u8)*id++) * 16777619u;
	return h;
}

static inline __s64 tg_acct_first_due(const char *id, __u32 interval,
				      __s64 now)
{
	__u32 half = interval / 2;

	return now + half + tg_acct_hash(id) % (interval - half);
}

#endif /* TG_RADIUS_ACCT_SPREAD_H */
