/* SPDX-License-Identifier: GPL-2.0-only */
/* Consistency of the database beyond SQLite's own. */
#ifndef TG_DB_CHECK_H
#define TG_DB_CHECK_H

#include "db/conn.h"

struct tg_sub;

/*
 * PRAGMA integrity_check plus tungate's consistency checks (overlapping
 * prefixes, duplicate tunnel identities, dp_id out of range or duplicated,
 * class references, invalid values). Calls report(ctx, subscriber or NULL,
 * message) for each problem; returns the number of problems or negative
 * errno.
 */
int tg_db_check(sqlite3 *db, __u32 capacity,
		void (*report)(void *ctx, const char *who, const char *msg),
		void *ctx);

/*
 * The first problem tg_db_check() would report about the subscribers (no
 * integrity check) into msg as "subscriber 'NAME': CAUSE": 1 when there is
 * one, 0 when none, or negative errno.
 */
int tg_db_check_subs(sqlite3 *db, __u32 capacity, char *msg, size_t len);
/*
 * Whether two enabled subscribers' prefixes overlap (or one does not
 * parse): 1 with the first such pair in msg, 0, or negative errno.
 */
int tg_db_prefix_overlap(sqlite3 *db, char *msg, size_t len);
/*
 * The same for the prefixes of subs (enabled, as read from db) against
 * every other enabled subscriber's, through the prefix index: cheap for a
 * few subscribers.
 */
int tg_db_prefix_overlap_subs(sqlite3 *db, const struct tg_sub *subs,
			      size_t n, char *msg, size_t len);

#endif /* TG_DB_CHECK_H */
