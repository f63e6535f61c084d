// SPDX-License-Identifier: GPL-2.0-only
/* The accounting queue in the database. */
#include <errno.h>
#include <string.h>

#include "db/conn.h"
#include "radius/acct_queue.h"

static int aq_step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

long long tg_acct_queue_len(sqlite3 *db)
{
	long long n;

	if (tg_db_int(db, "SELECT count(*) FROM radius_acct_queue", &n))
		return -EIO;
	return n;
}

/* The oldest Interim-Update but keep out of the queue: 1, 0 none, -EIO. */
static int aq_drop_interim(sqlite3 *db, __s64 keep)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db,
			       "DELETE FROM radius_acct_queue WHERE id = (SELECT id"
			       " FROM radius_acct_queue WHERE kind = ?1 AND id <> ?2"
			       " ORDER BY id LIMIT 1)", -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int(st, 1, TG_ACCT_INTERIM);
	sqlite3_bind_int64(st, 2, keep);
	if (aq_step_done(st))
		return -EIO;
	return sqlite3_changes(db) > 0;
}

int tg_acct_queue_put(sqlite3 *db, __s64 created, enum tg_acct_kind kind,
		      const __u8 *attrs, size_t len, size_t max, __s64 keep,
		      int *dropped)
{
	long long n = tg_acct_queue_len(db);
	sqlite3_stmt *st;
	int ret;

	*dropped = 0;
	if (n < 0)
		return -EIO;
	if ((size_t)n >= max) {
		ret = aq_drop_interim(db, keep);
		if (ret < 0)
			return ret;
		if (!ret && kind == TG_ACCT_INTERIM) {
			*dropped = TG_ACCT_DROPPED_NEW;
			return 0;
		}
		*dropped = ret ? TG_ACCT_DROPPED_OLD : 0;
	}
	if (sqlite3_prepare_v2(db,
			       "INSERT INTO radius_acct_queue (created, kind, attrs)"
			       " VALUES (?, ?, ?)", -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(st, 1, created);
	sqlite3_bind_int(st, 2, kind);
	sqlite3_bind_blob(st, 3, attrs, len, SQLITE_STATIC);
	return aq_step_done(st);
}

int tg_acct_queue_head(sqlite3 *db, struct tg_acct_rec *r)
{
	sqlite3_stmt *st;
	const void *blob;
	int rc, ret = 0;

	if (sqlite3_prepare_v2(db,
			       "SELECT id, created, kind, attrs FROM radius_acct_queue"
			       " ORDER BY id LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		r->id = sqlite3_column_int64(st, 0);
		r->created = sqlite3_column_int64(st, 1);
		r->kind = sqlite3_column_int(st, 2);
		blob = sqlite3_column_blob(st, 3);
		r->len = sqlite3_column_bytes(st, 3);
		ret = 1;
		if (r->len > sizeof(r->attrs) || (r->len && !blob))
			ret = -EBADMSG;
		else if (r->len)
			memcpy(r->attrs, blob, r->len);
	} else if (rc != SQLITE_DONE) {
		ret = -EIO;
	}
	sqlite3_finalize(st);
	return ret;
}

int tg_acct_queue_del(sqlite3 *db, __s64 id)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, "DELETE FROM radius_acct_queue WHERE id = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(st, 1, id);
	return aq_step_done(st);
}
