/* SPDX-License-Identifier: GPL-2.0-only */
/* Reading the usage records. */
#ifndef TG_DB_USAGE_H
#define TG_DB_USAGE_H

#include <stdbool.h>
#include "db/conn.h"

/* One usage record as read; texts valid during the callback only. */
struct tg_usage_row {
	const char *pop;		/* NULL: this POP's own (SQLite) */
	const char *name;
	__s64 subscriber_id;
	__u32 dp_id;
	const char *cls, *ip;		/* NULL: none */
	__s64 start, end;		/* unix seconds; start -1: unknown */
	__u64 up_bytes, down_bytes, up_packets, down_packets;
	bool final;
};
/*
 * fn(ctx, row) for each record whose period ends in (since, until], of
 * subscriber only (NULL: all); by name then age, by_time: by age only.
 * 0 or -EIO.
 */
int tg_db_usage_each(sqlite3 *db, const char *only, __s64 since,
		     __s64 until, bool by_time,
		     void (*fn)(void *ctx, const struct tg_usage_row *r),
		     void *ctx);
/* Whether name has records or is a subscriber: 1, 0 or -EIO. */
int tg_db_usage_known(sqlite3 *db, const char *name);
/* Records of the period ending at period_end (0 when unreadable). */
long long tg_db_usage_count(sqlite3 *db, __s64 period_end);

#endif /* TG_DB_USAGE_H */
