// SPDX-License-Identifier: GPL-2.0-only
/* The snapshot's log of a command's changes to shared rows (see pg_log.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util/fmt.h"
#include "db/pg_log.h"
#include "db/pg_tables.h"
#include "db/settings.h"

static int log_exec(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	snprintf(err, errlen, "snapshot: %s", msg ? msg : sqlite3_errmsg(db));
	sqlite3_free(msg);
	return -EIO;
}

/* Every column of t, the one each concentrator keeps its own too. */
static int log_columns(sqlite3 *db, const struct tg_pg_table *t,
		       struct tg_pg_cols *c)
{
	struct tg_pg_table all = *t;

	all.local_col = NULL;
	return tg_pg_columns(db, &all, c);
}

/*
 * The row under key k (OLD or NEW) logged unless its key is already:
 * with its columns (was) or none. An upsert's DO NOTHING, not a conflict
 * clause: the statement that fired the trigger would impose its own.
 */
static size_t log_row(char *sql, size_t len, size_t off,
		      const struct tg_pg_table *t,
		      const struct tg_pg_cols *c, const char *k, int was)
{
	int i;

	off = tg_cat(sql, len, off, "INSERT INTO pg_undo_%s (pg_key, pg_was%s%s)"
		     " VALUES (%s.\"%s\", %d", t->name, was ? ", " : "",
		     was ? c->list : "", k, t->key, was);
	for (i = 0; was && i < c->n; i++)
		off = tg_cat(sql, len, off, ", %s.\"%s\"", k, c->name[i]);
	return tg_cat(sql, len, off, ") ON CONFLICT (pg_key) DO NOTHING;");
}

/* t's log table and its three triggers, made anew. */
static int log_make(sqlite3 *db, const struct tg_pg_table *t, char *err,
		    size_t errlen)
{
	char sql[TG_PG_SQL_MAX * 2];
	struct tg_pg_cols c;
	size_t off;

	if (log_columns(db, t, &c)) {
		snprintf(err, errlen, "snapshot: table %s", t->name);
		return -EIO;
	}
	off = tg_cat(sql, sizeof(sql), 0,
		     "DROP TABLE IF EXISTS temp.pg_undo_%s;"
		     "CREATE TEMP TABLE pg_undo_%s AS SELECT NULL AS pg_key,"
		     " 0 AS pg_was, %s FROM main.\"%s\" WHERE 0;"
		     "CREATE UNIQUE INDEX temp.pg_undo_%s_key ON pg_undo_%s (pg_key);",
		     t->name, t->name, c.list, t->name, t->name, t->name);
	off = tg_cat(sql, sizeof(sql), off,
		     "CREATE TEMP TRIGGER pg_undo_%s_i AFTER INSERT ON main.\"%s\" BEGIN ",
		     t->name, t->name);
	off = log_row(sql, sizeof(sql), off, t, &c, "NEW", 0);
	off = tg_cat(sql, sizeof(sql), off,
		     "END; CREATE TEMP TRIGGER pg_undo_%s_u BEFORE UPDATE ON main.\"%s\" BEGIN ",
		     t->name, t->name);
	off = log_row(sql, sizeof(sql), off, t, &c, "OLD", 1);
	off = log_row(sql, sizeof(sql), off, t, &c, "NEW", 0);
	off = tg_cat(sql, sizeof(sql), off,
		     "END; CREATE TEMP TRIGGER pg_undo_%s_d BEFORE DELETE ON main.\"%s\" BEGIN ",
		     t->name, t->name);
	off = log_row(sql, sizeof(sql), off, t, &c, "OLD", 1);
	off = tg_cat(sql, sizeof(sql), off, "END;");
	if (off >= sizeof(sql)) {
		snprintf(err, errlen, "snapshot: table %s: too many columns", t->name);
		return -ENOSPC;
	}
	return log_exec(db, sql, err, errlen);
}

/* The log tables and triggers gone (inside the caller's transaction). */
static int log_drop(sqlite3 *db, char *err, size_t errlen)
{
	char sql[512];
	size_t i;

	for (i = 0; i < tg_pg_ntables; i++) {
		snprintf(sql, sizeof(sql),
			 "DROP TRIGGER IF EXISTS temp.pg_undo_%s_i;"
			 "DROP TRIGGER IF EXISTS temp.pg_undo_%s_u;"
			 "DROP TRIGGER IF EXISTS temp.pg_undo_%s_d;"
			 "DROP TABLE IF EXISTS temp.pg_undo_%s",
			 tg_pg_tables[i].name, tg_pg_tables[i].name,
			 tg_pg_tables[i].name, tg_pg_tables[i].name);
		if (log_exec(db, sql, err, errlen))
			return -EIO;
	}
	return 0;
}

int tg_pg_log_arm(sqlite3 *db, char *err, size_t errlen)
{
	size_t i;

	if (log_exec(db, "BEGIN", err, errlen))
		return -EIO;
	if (log_drop(db, err, errlen))
		goto fail;
	for (i = 0; i < tg_pg_ntables; i++)
		if (log_make(db, &tg_pg_tables[i], err, errlen))
			goto fail;
	if (!log_exec(db, "COMMIT", err, errlen))
		return 0;
fail:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -EIO;
}

int tg_pg_log_disarm(sqlite3 *db, char *err, size_t errlen)
{
	if (log_exec(db, "BEGIN", err, errlen))
		return -EIO;
	if (!log_drop(db, err, errlen) && !log_exec(db, "COMMIT", err, errlen))
		return 0;
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -EIO;
}

/*
 * t's logged rows back as they were (inside the caller's transaction,
 * the triggers gone): what was new, deleted (children first, with
 * step 0); what was there, its columns back, or back whole (step 1).
 * Updated in place, not deleted and inserted: a subscriber's prefixes
 * would go with it.
 */
static int log_undo_table(sqlite3 *db, const struct tg_pg_table *t, int step,
			  char *err, size_t errlen)
{
	char sql[TG_PG_SQL_MAX * 2];
	struct tg_pg_cols c;
	size_t off;

	if (!step) {
		snprintf(sql, sizeof(sql),
			 "DELETE FROM main.\"%s\" WHERE \"%s\" IN"
			 " (SELECT pg_key FROM temp.pg_undo_%s WHERE NOT pg_was)",
			 t->name, t->key, t->name);
		return log_exec(db, sql, err, errlen);
	}
	if (log_columns(db, t, &c)) {
		snprintf(err, errlen, "snapshot: table %s", t->name);
		return -EIO;
	}
	off = tg_cat(sql, sizeof(sql), 0,
		     "UPDATE main.\"%s\" SET (%s) = (SELECT %s FROM temp.pg_undo_%s u"
		     " WHERE u.pg_key = main.\"%s\".\"%s\") WHERE \"%s\" IN"
		     " (SELECT pg_key FROM temp.pg_undo_%s WHERE pg_was);",
		     t->name, c.list, c.list, t->name, t->name, t->key, t->key,
		     t->name);
	off = tg_cat(sql, sizeof(sql), off,
		     "INSERT INTO main.\"%s\" (%s) SELECT %s FROM temp.pg_undo_%s"
		     " WHERE pg_was AND pg_key NOT IN (SELECT \"%s\" FROM main.\"%s\")",
		     t->name, c.list, c.list, t->name, t->key, t->name);
	if (off >= sizeof(sql))
		return -ENOSPC;
	return log_exec(db, sql, err, errlen);
}

int tg_pg_log_undo(sqlite3 *db, char *err, size_t errlen)
{
	char e2[256];
	size_t i;
	int ret = -EIO;

	if (log_exec(db, "BEGIN IMMEDIATE", err, errlen))
		return -EIO;
	if (log_exec(db, "PRAGMA defer_foreign_keys = ON", err, errlen))
		goto fail;
	/* The undo itself is not logged. */
	for (i = 0; i < tg_pg_ntables; i++) {
		snprintf(e2, sizeof(e2),
			 "DROP TRIGGER IF EXISTS temp.pg_undo_%s_i;"
			 "DROP TRIGGER IF EXISTS temp.pg_undo_%s_u;"
			 "DROP TRIGGER IF EXISTS temp.pg_undo_%s_d",
			 tg_pg_tables[i].name, tg_pg_tables[i].name,
			 tg_pg_tables[i].name);
		if (log_exec(db, e2, err, errlen))
			goto fail;
	}
	for (i = tg_pg_ntables; i-- > 0;)
		if (log_undo_table(db, &tg_pg_tables[i], 0, err, errlen))
			goto fail;
	for (i = 0; i < tg_pg_ntables; i++)
		if (log_undo_table(db, &tg_pg_tables[i], 1, err, errlen))
			goto fail;
	if (!log_drop(db, err, errlen) && !log_exec(db, "COMMIT", err, errlen))
		return 0;
fail:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	/* What cannot be put back is compared whole at the next pull. */
	tg_pg_log_disarm(db, e2, sizeof(e2));
	tg_db_setting_set(db, "pg_counter", "-1");
	return ret;
}

int tg_pg_log_sql(const struct tg_pg_table *t, const struct tg_pg_cols *cols,
		  char *up, char *del, size_t len)
{
	size_t a, b;

	a = tg_cat(up, len, 0,
		   "SELECT %s FROM main.\"%s\" WHERE (%s) AND \"%s\" IN"
		   " (SELECT pg_key FROM temp.pg_undo_%s)"
		   " EXCEPT SELECT %s FROM temp.pg_undo_%s WHERE pg_was",
		   cols->list, t->name, tg_pg_shared(t), t->key, t->name,
		   cols->list, t->name);
	b = tg_cat(del, len, 0,
		   "SELECT pg_key FROM temp.pg_undo_%s u WHERE pg_was AND (%s)"
		   " AND NOT EXISTS (SELECT 1 FROM main.\"%s\" WHERE \"%s\" ="
		   " u.pg_key AND (%s))",
		   t->name, t->shared_was ? t->shared_was : tg_pg_shared(t),
		   t->name, t->key, tg_pg_shared(t));
	return a < len && b < len ? 0 : -ENOSPC;
}
