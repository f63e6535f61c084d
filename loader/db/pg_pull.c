// SPDX-License-Identifier: GPL-2.0-only
/* PostgreSQL -> the snapshot: pull a picture, write what differs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fmt.h"
#include "db/conn.h"
#include "db/dp_id.h"
#include "db/pg.h"
#include "db/pg_rev.h"
#include "db/pg_tables.h"
#include "db/settings.h"
#include "tungate.h"

static int pg_sqlite(sqlite3 *db, const char *sql, long *changed, char *err,
		     size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "snapshot: %s", msg ? msg : "error");
		sqlite3_free(msg);
		return -EIO;
	}
	if (changed)
		*changed += sqlite3_changes(db);
	return 0;
}

/*
 * The rows of t in PostgreSQL (all, or those of a revision after since
 * or, xids not empty, written by a transaction xids says: pg_xids())
 * into temp.<dst>_<t>: pgn_<t> for the new picture (pg_<t>, the last one,
 * is replaced only once every table came whole), pgd_<t> for what
 * changed. Rows fetched, or -errno.
 */
static int pg_fetch(PGconn *c, sqlite3 *db, const struct tg_pg_table *t,
		    const char *dst, long long since, const char *xids, char *err,
		    size_t errlen)
{
	char sql[TG_PG_SQL_MAX], *end;
	struct tg_pg_cols cols;
	sqlite3_stmt *ins = NULL;
	PGresult *r = NULL;
	int i, row, n, ret = -EIO;
	size_t off;

	if (tg_pg_columns(db, t, &cols)) {
		snprintf(err, errlen, "snapshot: no table %s", t->name);
		return -EIO;
	}
	snprintf(sql, sizeof(sql),
		 "DROP TABLE IF EXISTS temp.%s_%s;"
		 "CREATE TEMP TABLE %s_%s AS SELECT %s FROM main.\"%s\" WHERE 0",
		 dst, t->name, dst, t->name, cols.list, t->name);
	if (pg_sqlite(db, sql, NULL, err, errlen))
		return -EIO;
	off = tg_cat(sql, sizeof(sql), 0, "SELECT %s FROM \"%s\"", cols.list,
		     t->name);
	if (since >= 0)
		off = tg_cat(sql, sizeof(sql), off, " WHERE tg_rev > %lld", since);
	if (since >= 0 && *xids)
		tg_cat(sql, sizeof(sql), off, " OR %s", xids);
	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		tg_pg_error(c, err, errlen);
		ret = strstr(err, "does not exist") ? -EPROTO : -EIO;
		goto out;
	}
	if (PQnfields(r) != cols.n) {
		snprintf(err, errlen, "table %s: %d columns there, %d here",
			 t->name, PQnfields(r), cols.n);
		ret = -EPROTO;
		goto out;
	}
	off = tg_cat(sql, sizeof(sql), 0, "INSERT INTO temp.%s_%s VALUES (", dst,
		     t->name);
	for (i = 0; i < cols.n; i++)
		off = tg_cat(sql, sizeof(sql), off, "%s?", i ? ", " : "");
	tg_cat(sql, sizeof(sql), off, ")");
	if (sqlite3_prepare_v2(db, sql, -1, &ins, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "snapshot: %s", sqlite3_errmsg(db));
		goto out;
	}
	n = PQntuples(r);
	for (row = 0; row < n; row++) {
		for (i = 0; i < cols.n; i++) {
			const char *v = PQgetvalue(r, row, i);

			if (PQgetisnull(r, row, i))
				sqlite3_bind_null(ins, i + 1);
			else if (cols.type[i] == TG_PG_INT)
				sqlite3_bind_int64(ins, i + 1, strtoll(v, &end, 10));
			else if (cols.type[i] == TG_PG_REAL)
				sqlite3_bind_double(ins, i + 1, strtod(v, &end));
			else
				sqlite3_bind_text(ins, i + 1, v, -1, SQLITE_STATIC);
		}
		if (sqlite3_step(ins) != SQLITE_DONE) {
			snprintf(err, errlen, "snapshot: %s", sqlite3_errmsg(db));
			goto out;
		}
		sqlite3_reset(ins);
	}
	ret = n;
out:
	sqlite3_finalize(ins);
	PQclear(r);
	return ret;
}

/*
 * Subscribers new to this snapshot get a data plane id of its own, as
 * 'sub add' gives one; the update marks them for the next sync.
 */
static int pg_new_dp_ids(sqlite3 *db, char *err, size_t errlen)
{
	sqlite3_stmt *sel = NULL, *upd = NULL;
	struct tg_dp_ids ids;
	int ret, rc;
	__u32 id;

	ret = tg_dp_ids_begin(db, TG_MAX_SUBS_DEFAULT, &ids);
	if (ret) {
		snprintf(err, errlen, "snapshot: cannot read the data plane ids");
		return ret;
	}
	ret = -EIO;
	if (sqlite3_prepare_v2(db, "SELECT id FROM subscriber WHERE dp_id IS NULL",
			       -1, &sel, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "UPDATE subscriber SET dp_id = ? WHERE id = ?",
			       -1, &upd, NULL) != SQLITE_OK)
		goto out;
	while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
		if (tg_dp_ids_next(&ids, &id)) {
			snprintf(err, errlen, "no free data plane id below %u",
				 TG_MAX_SUBS_DEFAULT);
			ret = -ENOSPC;
			goto out;
		}
		sqlite3_bind_int64(upd, 1, id);
		sqlite3_bind_int64(upd, 2, sqlite3_column_int64(sel, 0));
		if (sqlite3_step(upd) != SQLITE_DONE)
			goto out;
		sqlite3_reset(upd);
	}
	if (rc == SQLITE_DONE && !tg_dp_ids_end(db, &ids))
		ret = 0;
out:
	if (ret == -EIO)
		snprintf(err, errlen, "snapshot: %s", sqlite3_errmsg(db));
	sqlite3_finalize(sel);
	sqlite3_finalize(upd);
	tg_dp_ids_free(&ids);
	return ret;
}

/*
 * Make the shared rows of the snapshot equal to temp.pg_<table> (src
 * "pg", a whole picture), or write the rows of temp.pgd_<table> and
 * delete the keys of temp.pg_gone (src "pgd", what changed), inside the
 * caller's transaction: removed rows first (children first), then
 * changed and new ones (parents first). Foreign keys are checked at the
 * commit, when the picture is whole.
 */
static int pg_apply(sqlite3 *db, const char *src, long *changed, char *err,
		    size_t errlen)
{
	char sql[TG_PG_SQL_MAX * 2];
	const struct tg_pg_table *t;
	bool full = !strcmp(src, "pg");
	struct tg_pg_cols cols;
	char only[192];
	size_t i;

	if (pg_sqlite(db, "PRAGMA defer_foreign_keys = ON", NULL, err, errlen))
		return -EIO;
	for (i = tg_pg_ntables; i-- > 0;) {
		t = &tg_pg_tables[i];
		if (!strcmp(src, "pg"))
			snprintf(sql, sizeof(sql),
				 "DELETE FROM main.\"%s\" WHERE (%s) AND \"%s\" NOT IN"
				 " (SELECT \"%s\" FROM temp.pg_%s)",
				 t->name, tg_pg_shared(t), t->key, t->key, t->name);
		else
			/* By the key's index: a text key of an integer
			 * column compares as the integer. */
			snprintf(sql, sizeof(sql),
				 "DELETE FROM main.\"%s\" WHERE \"%s\" IN"
				 " (SELECT key FROM temp.pg_gone WHERE tbl = '%s')"
				 " AND (%s) AND \"%s\" NOT IN"
				 " (SELECT \"%s\" FROM temp.%s_%s)",
				 t->name, t->key, t->name, tg_pg_shared(t), t->key,
				 t->key, src, t->name);
		if (pg_sqlite(db, sql, changed, err, errlen))
			return -EIO;
	}
	for (i = 0; i < tg_pg_ntables; i++) {
		t = &tg_pg_tables[i];
		if (tg_pg_columns(db, t, &cols))
			return -EIO;
		/* What changed is compared with its own rows alone. */
		*only = '\0';
		if (!full)
			snprintf(only, sizeof(only),
				 " WHERE \"%s\" IN (SELECT \"%s\" FROM temp.%s_%s)",
				 t->key, t->key, src, t->name);
		snprintf(sql, sizeof(sql),
			 "UPDATE main.\"%s\" SET (%s) = (SELECT %s FROM temp.%s_%s p"
			 " WHERE p.\"%s\" = main.\"%s\".\"%s\")"
			 " WHERE (%s) AND \"%s\" IN (SELECT \"%s\" FROM"
			 " (SELECT %s FROM temp.%s_%s EXCEPT"
			 " SELECT %s FROM main.\"%s\"%s))",
			 t->name, cols.list, cols.list, src, t->name, t->key,
			 t->name, t->key, tg_pg_shared(t), t->key, t->key, cols.list,
			 src, t->name, cols.list, t->name, only);
		if (pg_sqlite(db, "SAVEPOINT pg_update", NULL, err, errlen))
			return -EIO;
		if (pg_sqlite(db, sql, changed, err, errlen)) {
			/*
			 * Two rows that swapped a unique value (names, a
			 * prefix) cannot be updated one by one: those that
			 * changed go and come back whole (a subscriber with a
			 * new data plane id). Their children go with them:
			 * only a whole picture has them all to come back.
			 */
			if (strcmp(src, "pg"))
				return -EAGAIN;
			snprintf(sql, sizeof(sql),
				 "ROLLBACK TO pg_update;"
				 "DELETE FROM main.\"%s\" WHERE (%s) AND \"%s\" IN"
				 " (SELECT \"%s\" FROM (SELECT %s FROM temp.%s_%s"
				 " EXCEPT SELECT %s FROM main.\"%s\"))",
				 t->name, tg_pg_shared(t), t->key, t->key, cols.list,
				 src, t->name, cols.list, t->name);
			if (pg_sqlite(db, sql, changed, err, errlen))
				return -EIO;
		}
		if (pg_sqlite(db, "RELEASE pg_update", NULL, err, errlen))
			return -EIO;
		snprintf(sql, sizeof(sql),
			 "INSERT INTO main.\"%s\" (%s) SELECT %s FROM temp.%s_%s p"
			 " WHERE NOT EXISTS (SELECT 1 FROM main.\"%s\" m"
			 " WHERE m.\"%s\" = p.\"%s\")",
			 t->name, cols.list, cols.list, src, t->name, t->name,
			 t->key, t->key);
		if (pg_sqlite(db, sql, changed, err, errlen))
			return -EIO;
		if (t->local_col && pg_new_dp_ids(db, err, errlen))
			return -EIO;
	}
	return 0;
}

/*
 * The rows pulled into the snapshot (a transaction of its own), with the
 * counter and the xmin of the pull's snapshot (when not empty): 0,
 * -EAGAIN (what changed cannot be applied alone: pull everything), -EIO.
 */
static int pg_apply_all(sqlite3 *db, const char *src, long long counter,
			const char *xmin, long *changed, char *err,
			size_t errlen)
{
	char buf[32], had[32] = "";
	bool moved;
	int ret;

	*changed = 0;
	if (pg_sqlite(db, "BEGIN IMMEDIATE", NULL, err, errlen))
		return -EIO;
	ret = pg_apply(db, src, changed, err, errlen);
	if (ret == -EAGAIN) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return ret;
	}
	/* Written only when it moves: every write wakes the daemon. */
	moved = counter >= 0 && tg_pg_local_counter(db) != counter;
	if (!ret && moved) {
		snprintf(buf, sizeof(buf), "%lld", counter);
		ret = tg_db_setting_set(db, "pg_counter", buf);
	}
	/*
	 * An older xmin kept only makes the next pull fetch more: written
	 * along with something else, or when what it fetched came again.
	 */
	if (!ret && *xmin &&
	    (tg_db_setting_get(db, TG_PG_XMIN_KEY, had, sizeof(had)) || moved ||
	     *changed || !strcmp(src, "pgd")) && strcmp(had, xmin))
		ret = tg_db_setting_set(db, TG_PG_XMIN_KEY, xmin);
	if (ret)
		snprintf(err, errlen, "snapshot: %s", sqlite3_errmsg(db));
	if (!ret)
		ret = pg_sqlite(db, "COMMIT", NULL, err, errlen);
	if (ret) {
		/* The refusal of a row names it; keep that, not ROLLBACK's. */
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return -EIO;
	}
	return 0;
}

/*
 * The keys deleted after revision since (or by a transaction xids says)
 * into temp.pg_gone (tbl, key):
 * how many, or -EIO.
 */
static int pg_fetch_gone(PGconn *c, sqlite3 *db, long long since,
			 const char *xids, char *err, size_t errlen)
{
	sqlite3_stmt *ins = NULL;
	PGresult *r = NULL;
	char sql[320];
	int row, i, ret = -EIO;
	size_t off;

	if (pg_sqlite(db, "DROP TABLE IF EXISTS temp.pg_gone;"
		      "CREATE TEMP TABLE pg_gone (tbl TEXT, key TEXT)", NULL, err,
		      errlen))
		return -EIO;
	off = tg_cat(sql, sizeof(sql), 0,
		     "SELECT tbl, key FROM tungate_tombstone WHERE rev > %lld", since);
	if (*xids)
		tg_cat(sql, sizeof(sql), off, " OR %s", xids);
	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		tg_pg_error(c, err, errlen);
		goto out;
	}
	if (sqlite3_prepare_v2(db, "INSERT INTO temp.pg_gone VALUES (?, ?)", -1,
			       &ins, NULL) != SQLITE_OK)
		goto snap;
	for (row = 0; row < PQntuples(r); row++) {
		for (i = 0; i < 2; i++)
			sqlite3_bind_text(ins, i + 1, PQgetvalue(r, row, i), -1,
					  SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE)
			goto snap;
		sqlite3_reset(ins);
	}
	ret = row;
	goto out;
snap:
	snprintf(err, errlen, "snapshot: %s", sqlite3_errmsg(db));
out:
	sqlite3_finalize(ins);
	PQclear(r);
	return ret;
}

/* The xmin of this pull, kept beside the snapshot (temp) for a push. */
static int pg_pulled(sqlite3 *db, const char *xmin, char *err, size_t errlen)
{
	char sql[160];

	snprintf(sql, sizeof(sql),
		 "CREATE TEMP TABLE IF NOT EXISTS pg_pulled (xmin TEXT);"
		 "DELETE FROM temp.pg_pulled;"
		 "INSERT INTO temp.pg_pulled VALUES ('%s')", xmin);
	return pg_sqlite(db, sql, NULL, err, errlen);
}

/*
 * The condition on the column col of the transactions a pull must fetch
 * besides the revisions: those from the xmin of the last pull on, but the
 * last push of this snapshot (its rows are here as it wrote them). Empty
 * when there is no such xmin: 0, or -ENOENT.
 */
static int pg_xids(sqlite3 *db, const char *col, char *sql, size_t len)
{
	char xmin[32], own[32];

	*sql = '\0';
	if (tg_db_setting_get(db, TG_PG_XMIN_KEY, xmin, sizeof(xmin)) ||
	    strspn(xmin, "0123456789") != strlen(xmin) || !*xmin)
		return -ENOENT;
	/* Two ranges of the index around own: its rows may be many. */
	if (!tg_db_setting_get(db, TG_PG_OWN_KEY, own, sizeof(own)) && *own &&
	    strspn(own, "0123456789") == strlen(own) &&
	    strtoull(own, NULL, 10) >= strtoull(xmin, NULL, 10))
		tg_cat(sql, len, 0,
		       "(%s >= '%s'::xid8 AND %s < '%s'::xid8) OR %s > '%s'::xid8",
		       col, xmin, col, own, col, own);
	else
		tg_cat(sql, len, 0, "%s >= '%s'::xid8", col, xmin);
	return 0;
}

int tg_pg_pull(PGconn *c, sqlite3 *db, bool *full, long long *counter,
	       long *changed, char *err, size_t errlen)
{
	long long since = *full ? -1 : tg_pg_local_counter(db);
	char xmin[32] = "", rows_x[128] = "", gone_x[128] = "";
	const char *dst = "pgn";
	PGresult *r = NULL;
	long rows = 0;
	int ret = -EIO;
	size_t i;

	*changed = 0;
	r = PQexec(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		tg_pg_error(c, err, errlen);
		PQclear(r);
		return -EIO;
	}
	PQclear(r);
	r = NULL;
	ret = tg_pg_meta(c, counter, err, errlen);
	if (ret)
		goto out;
	/* Only what changed since the snapshot was whole, when PostgreSQL can say. */
	if (since >= 0 && since <= *counter) {
		ret = tg_pg_rev_since(c, since, err, errlen);
		if (ret < 0)
			goto out;
		if (!ret)
			since = -1;
	} else {
		since = -1;
	}
	ret = tg_pg_rev_xmin(c, xmin, sizeof(xmin), err, errlen);
	if (ret < 0)
		goto out;
	/* With ids, only from the xmin of the pull before: none, all of it. */
	if (ret && (pg_xids(db, "tg_xid", rows_x, sizeof(rows_x)) ||
		    pg_xids(db, "xid", gone_x, sizeof(gone_x))))
		since = -1;
	*full = since < 0;
	if (!*full)
		dst = "pgd";
	/*
	 * Even at the same counter: rows changed by hand in SQL carry the
	 * next one, until a push moves the counter to it.
	 */
	for (i = 0; i < tg_pg_ntables; i++) {
		ret = pg_fetch(c, db, &tg_pg_tables[i], dst, since, rows_x, err,
			       errlen);
		if (ret < 0)
			goto out;
		rows += ret;
	}
	ret = *full ? 0 : pg_fetch_gone(c, db, since, gone_x, err, errlen);
	if (ret > 0)
		rows += ret;
out:
	PQclear(r);
	r = PQexec(c, ret < 0 ? "ROLLBACK" : "COMMIT");
	if (ret >= 0 && PQresultStatus(r) != PGRES_COMMAND_OK) {
		tg_pg_error(c, err, errlen);
		ret = -EIO;
	}
	PQclear(r);
	if (ret < 0)
		return ret;
	/* For the push that may follow: the snapshot is this pull's picture. */
	if (*xmin && pg_pulled(db, xmin, err, errlen))
		return -EIO;
	if (!*full) {
		if (!rows && since == *counter)
			return 0;
		ret = pg_apply_all(db, dst, *counter, xmin, changed, err,
				   errlen);
		if (ret != -EAGAIN)
			return ret;
		*full = true;
		return tg_pg_pull(c, db, full, counter, changed, err, errlen);
	}
	for (i = 0; !ret && i < tg_pg_ntables; i++) {
		char sql[160];

		snprintf(sql, sizeof(sql),
			 "DROP TABLE IF EXISTS temp.pg_%s;"
			 "ALTER TABLE temp.pgn_%s RENAME TO pg_%s",
			 tg_pg_tables[i].name, tg_pg_tables[i].name,
			 tg_pg_tables[i].name);
		ret = pg_sqlite(db, sql, NULL, err, errlen);
	}
	if (!ret)
		ret = pg_apply_all(db, "pg", *counter, xmin, changed, err,
				   errlen);
	return ret;
}
