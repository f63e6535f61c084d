// SPDX-License-Identifier: GPL-2.0-only
/* The snapshot -> PostgreSQL: the rows a command changed, in one go. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fmt.h"
#include "db/pg.h"
#include "db/pg_log.h"
#include "db/pg_rev.h"
#include "db/pg_tables.h"
#include "db/conn.h"
#include "db/settings.h"

/* Rows per INSERT: round trips, within PostgreSQL's 65535 parameters. */
#define PG_BATCH_ROWS 500

/*
 * INSERT ... ON CONFLICT of t's key for rows rows: each as the snapshot
 * has it. Allocated; NULL when out of memory.
 */
static char *pg_upsert_sql(const struct tg_pg_table *t,
			   const struct tg_pg_cols *cols, int rows)
{
	size_t len = 256 + strlen(cols->list) * 3 +
		     (size_t)rows * cols->n * 10, off;
	char *sql = malloc(len);
	int i, r, n = 0;

	if (!sql)
		return NULL;
	off = tg_cat(sql, len, 0, "INSERT INTO \"%s\" (%s) VALUES ", t->name,
		     cols->list);
	for (r = 0; r < rows; r++)
		for (i = 0; i < cols->n; i++)
			off = tg_cat(sql, len, off, "%s$%d%s",
				     i ? ", " : r ? ", (" : "(",
				     r * cols->n + i + 1,
				     i == cols->n - 1 ? ")" : "");
	/* A key of several columns: records, each written once and kept. */
	if (strchr(t->key, ',')) {
		off = tg_cat(sql, len, off, " ON CONFLICT (%s) DO NOTHING", t->key);
		goto done;
	}
	off = tg_cat(sql, len, off, " ON CONFLICT (\"%s\") DO ", t->key);
	for (i = 0; i < cols->n; i++) {
		if (!strcmp(cols->name[i], t->key))
			continue;
		off = tg_cat(sql, len, off, "%s\"%s\" = EXCLUDED.\"%s\"",
			     n++ ? ", " : "UPDATE SET ", cols->name[i],
			     cols->name[i]);
	}
	if (!n)
		off = tg_cat(sql, len, off, "NOTHING");
done:
	if (off >= len) {
		free(sql);
		return NULL;
	}
	return sql;
}

/* One INSERT of the rows held in vals (freed): 0 or -EIO. */
static int pg_flush(PGconn *c, const struct tg_pg_table *t,
		    const struct tg_pg_cols *cols, char **vals, int rows,
		    char *err, size_t errlen)
{
	char *sql = pg_upsert_sql(t, cols, rows);
	int i, ret = -EIO;
	PGresult *r;

	if (!sql) {
		snprintf(err, errlen, "out of memory");
	} else {
		r = PQexecParams(c, sql, rows * cols->n, NULL,
				 (const char *const *)vals, NULL, NULL, 0);
		if (PQresultStatus(r) == PGRES_COMMAND_OK)
			ret = 0;
		else
			tg_pg_error(c, err, errlen);
		PQclear(r);
	}
	free(sql);
	for (i = 0; i < rows * cols->n; i++) {
		free(vals[i]);
		vals[i] = NULL;
	}
	return ret;
}

long tg_pg_send_rows(PGconn *c, sqlite3_stmt *st, const struct tg_pg_table *t,
		     const struct tg_pg_cols *cols, char *err, size_t errlen)
{
	int batch = PG_BATCH_ROWS, i, k = 0, rc;
	const unsigned char *v;
	long rows = 0;
	char **vals;

	if (batch * cols->n > 65535)
		batch = 65535 / cols->n;
	vals = calloc((size_t)batch * cols->n, sizeof(*vals));
	if (!vals) {
		snprintf(err, errlen, "out of memory");
		return -EIO;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < cols->n; i++) {
			v = sqlite3_column_text(st, i);
			if (v && !(vals[k * cols->n + i] = strdup((const char *)v)))
				goto nomem;
		}
		rows++;
		if (++k == batch) {
			if (pg_flush(c, t, cols, vals, k, err, errlen))
				goto fail;
			k = 0;
		}
	}
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "snapshot: %s",
			 sqlite3_errmsg(sqlite3_db_handle(st)));
		goto fail;
	}
	if (k && pg_flush(c, t, cols, vals, k, err, errlen))
		goto fail;
	free(vals);
	return rows;
nomem:
	snprintf(err, errlen, "out of memory");
	k++;
fail:
	for (i = 0; i < k * cols->n; i++)
		free(vals[i]);
	free(vals);
	return -EIO;
}

/* Every row st gives, sent with sql: rows sent, or -EIO. */
static long pg_send(PGconn *c, sqlite3_stmt *st, const char *sql, char *err,
		    size_t errlen)
{
	const char *vals[TG_PG_COLS_MAX];
	int i, n = sqlite3_column_count(st), rc;
	PGresult *r;
	long rows = 0;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < n && i < TG_PG_COLS_MAX; i++)
			vals[i] = (const char *)sqlite3_column_text(st, i);
		r = PQexecParams(c, sql, n, NULL, vals, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			tg_pg_error(c, err, errlen);
			PQclear(r);
			return -EIO;
		}
		PQclear(r);
		rows++;
	}
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "snapshot: %s",
			 sqlite3_errmsg(sqlite3_db_handle(st)));
		return -EIO;
	}
	return rows;
}

/* Count (pg == NULL) or send the rows of every table the command changed. */
static long pg_diff(PGconn *c, sqlite3 *db, char *err, size_t errlen)
{
	char up[TG_PG_SQL_MAX], del[TG_PG_SQL_MAX], sql[TG_PG_SQL_MAX];
	const struct tg_pg_table *t;
	struct tg_pg_cols cols;
	sqlite3_stmt *st;
	long total = 0, n;
	size_t i;
	int k;

	for (i = 0; i < tg_pg_ntables; i++) {
		t = &tg_pg_tables[i];
		if (tg_pg_columns(db, t, &cols) ||
		    tg_pg_log_sql(t, &cols, up, del, sizeof(up))) {
			snprintf(err, errlen, "snapshot: table %s", t->name);
			return -EIO;
		}
		for (k = 0; k < 2; k++) {
			if (sqlite3_prepare_v2(db, k ? del : up, -1, &st,
					       NULL) != SQLITE_OK) {
				snprintf(err, errlen, "snapshot: %s",
					 sqlite3_errmsg(db));
				return -EIO;
			}
			snprintf(sql, sizeof(sql),
				 "DELETE FROM \"%s\" WHERE \"%s\" = $1",
				 t->name, t->key);
			if (c && k) {
				n = pg_send(c, st, sql, err, errlen);
			} else if (c) {
				n = tg_pg_send_rows(c, st, t, &cols, err, errlen);
			} else {
				for (n = 0; sqlite3_step(st) == SQLITE_ROW; n++)
					;
			}
			sqlite3_finalize(st);
			if (n < 0)
				return n;
			total += n;
		}
	}
	return total;
}

static int pg_cmd(PGconn *c, const char *sql, char *err, size_t errlen)
{
	PGresult *r = PQexec(c, sql);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK;

	if (!ok && err)
		tg_pg_result_error(c, r, err, errlen);
	PQclear(r);
	return ok ? 0 : -EIO;
}

long tg_pg_pending(sqlite3 *db, char *err, size_t errlen)
{
	return pg_diff(NULL, db, err, errlen);
}

/*
 * After a push: the snapshot is whole at counter, from the xmin of the
 * pull before (pg_rev.h), its own transaction own not to fetch again.
 */
static void pg_pushed(sqlite3 *db, long long counter, const char *own)
{
	char buf[32];
	sqlite3_stmt *st;

	if (tg_db_exec(db, "BEGIN IMMEDIATE"))
		return;
	snprintf(buf, sizeof(buf), "%lld", counter);
	if (tg_db_setting_set(db, "pg_counter", buf))
		goto fail;
	if (*own && sqlite3_prepare_v2(db, "SELECT xmin FROM temp.pg_pulled", -1,
				       &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) &&
		    (tg_db_setting_set(db, TG_PG_XMIN_KEY,
				       (const char *)sqlite3_column_text(st, 0)) ||
		     tg_db_setting_set(db, TG_PG_OWN_KEY, own))) {
			sqlite3_finalize(st);
			goto fail;
		}
		sqlite3_finalize(st);
	}
	if (!tg_db_exec(db, "COMMIT"))
		return;
fail:
	tg_db_exec(db, "ROLLBACK");
}

int tg_pg_push(PGconn *c, sqlite3 *db, long long counter, long *pushed,
	       char *err, size_t errlen)
{
	char sql[96], own[32] = "";
	PGresult *r;
	bool revs;
	long n;
	int ret = -EIO;

	*pushed = 0;
	n = pg_diff(NULL, db, err, errlen);
	if (n <= 0)
		return n;
	if (pg_cmd(c, "BEGIN", err, errlen))
		return -EIO;
	/* Waits for a push under way, then sees what it left. */
	r = PQexec(c, "SELECT counter, to_regclass('tungate_tombstone') IS NOT NULL"
		   " FROM tungate_meta FOR UPDATE");
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		tg_pg_result_error(c, r, err, errlen);
		PQclear(r);
		goto out;
	}
	if (strtoll(PQgetvalue(r, 0, 0), NULL, 10) != counter) {
		PQclear(r);
		ret = -EAGAIN;
		goto out;
	}
	revs = !strcmp(PQgetvalue(r, 0, 1), "t");
	PQclear(r);
	n = pg_diff(c, db, err, errlen);
	if (n < 0 || (revs && tg_pg_rev_prune(c, err, errlen)))
		goto out;
	r = PQexec(c, "SELECT pg_current_xact_id()");
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		snprintf(own, sizeof(own), "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	snprintf(sql, sizeof(sql), "NOTIFY " TG_PG_CHANNEL ", '%lld'",
		 counter + 1);
	if (pg_cmd(c, "UPDATE tungate_meta SET counter = counter + 1", err,
		   errlen) ||
	    pg_cmd(c, sql, err, errlen) || pg_cmd(c, "COMMIT", err, errlen))
		goto out;
	*pushed = n;
	/* The next pull has nothing new to write; a failure costs a compare. */
	pg_pushed(db, counter + 1, own);
	return 0;
out:
	pg_cmd(c, "ROLLBACK", NULL, 0);
	return ret;
}
