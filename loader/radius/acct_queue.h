/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The accounting records waiting for a server's answer, in the table
 * radius_acct_queue (db/schema.c), oldest first.
 */
#ifndef TG_RADIUS_ACCT_QUEUE_H
#define TG_RADIUS_ACCT_QUEUE_H

#include <stddef.h>
#include <sqlite3.h>
#include <linux/types.h>

#include "radius/acct.h"
#include "radius/packet.h"

struct tg_acct_rec {
	__s64 id;
	__s64 created;			/* unix seconds */
	enum tg_acct_kind kind;
	__u8 attrs[TG_RAD_PKT_MAX];
	size_t len;
};

/* What a full queue dropped to store a record. */
#define TG_ACCT_DROPPED_OLD 1		/* its oldest Interim-Update */
#define TG_ACCT_DROPPED_NEW 2		/* the new Interim-Update itself */

/*
 * Store a record; when max records wait already, the oldest
 * Interim-Update but keep goes first, or a new Interim-Update is not
 * stored (returns 0): Starts and Stops are always kept, beyond max if
 * they must. *dropped: 0 or TG_ACCT_DROPPED_*. 0 or -EIO.
 */
int tg_acct_queue_put(sqlite3 *db, __s64 created, enum tg_acct_kind kind,
		      const __u8 *attrs, size_t len, size_t max, __s64 keep,
		      int *dropped);
/* The oldest record: 1, 0 when none wait, -EIO (or -EBADMSG: a bad row). */
int tg_acct_queue_head(sqlite3 *db, struct tg_acct_rec *r);
/* The record answered: 0 or -EIO. */
int tg_acct_queue_del(sqlite3 *db, __s64 id);
/* Records waiting, or -EIO. */
long long tg_acct_queue_len(sqlite3 *db);

#endif /* TG_RADIUS_ACCT_QUEUE_H */
