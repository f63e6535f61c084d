/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tungate run: a log line when a subscriber goes down (silent for the
 * liveness timeout) and when it comes back.
 */
#ifndef TG_LIVE_LOG_H
#define TG_LIVE_LOG_H

#include <stdbool.h>
#include <sqlite3.h>
#include <linux/types.h>

#include "dataplane/dataplane.h"

/* Look at the data plane this often, ms. */
#define TG_LIVE_LOG_MS 1000
/* Subscribers named per look and change; the rest are counted. */
#define TG_LIVE_LOG_NAMES 20

struct tg_live_log {
	__u8 *state;		/* by sub_id: enum tg_live last seen */
	struct tg_seen *seen;	/* read buffer, by sub_id */
	__u32 capacity;		/* of both: 0 until the first look */
	__u32 timeout_s;	/* liveness-timeout */
	__u64 next_ms;		/* CLOCK_MONOTONIC ms of the next look */
};

/*
 * Look at tg_seen of m when its time has come (now_ms), logging every
 * subscriber whose state changed to or from down (names from db). The
 * first look only learns the states.
 */
void tg_live_log_tick(struct tg_live_log *l, const struct tg_maps *m,
		      sqlite3 *db, __u64 now_ms);
void tg_live_log_free(struct tg_live_log *l);

#endif /* TG_LIVE_LOG_H */
