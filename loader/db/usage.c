// SPDX-License-Identifier: GPL-2.0-only
/* Reading the usage records. */
#include <errno.h>
#include <stdio.h>

#include "db/usage.h"

static void tg_usage_from_row(sqlite3_stmt *st, struct tg_usage_row *r)
{
	r->pop = NULL;
	r->name = (const char *)sqlite3_column_text(st, 0);
	r->subscriber_id = sqlite3_column_int64(st, 1);
	r->dp_id = sqlite3_column_int64(st, 2);
	r->cls = (const char *)sqlite3_column_text(st, 3);
	r->ip = (const char *)sqlite3_column_text(st, 4);
	r->start = sqlite3_column_type(st, 5) == SQLITE_NULL ?
			   -1 : sqlite3_column_int64(st, 5);
	r->end = sqlite3_column_int64(st, 6);
	r->up_bytes = sqlite3_column_int64(st, 7);
	r->down_bytes = sqlite3_column_int64(st, 8);
	r->up_packets = sqlite3_column_int64(st, 9);
	r->down_packets = sqlite3_column_int64(st, 10);
	r->final = sqlite3_column_int(st, 11);
}

int tg_db_usage_each(sqlite3 *db, const char *only, __s64 since,
		     __s64 until, bool by_time,
		     void (*fn)(void *ctx, const struct tg_usage_row *r),
		     void *ctx)
{
	struct tg_usage_row r;
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db,
			       "SELECT name, subscriber_id, dp_id, class, ip,"
			       " period_start, period_end, up_bytes, down_bytes,"
			       " up_packets, down_packets, final FROM usage"
			       " WHERE period_end > ?1 AND period_end <= ?2"
			       " AND (?3 IS NULL OR name = ?3)"
			       " ORDER BY CASE WHEN ?4 THEN '' ELSE name END, id",
			       -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(st, 1, since);
	sqlite3_bind_int64(st, 2, until);
	if (only)
		sqlite3_bind_text(st, 3, only, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, by_time);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		tg_usage_from_row(st, &r);
		fn(ctx, &r);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

int tg_db_usage_known(sqlite3 *db, const char *name)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db,
			       "SELECT 1 FROM usage WHERE name = ?1 UNION ALL"
			       " SELECT 1 FROM subscriber WHERE name = ?1 LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : -EIO;
}

long long tg_db_usage_count(sqlite3 *db, __s64 period_end)
{
	sqlite3_stmt *st;
	long long n = 0;

	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM usage WHERE period_end = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_int64(st, 1, period_end);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}
