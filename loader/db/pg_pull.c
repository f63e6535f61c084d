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

static const char *pg_shared(const struct tg_pg_table *t)
{
	return t->shared ? t->shared : tg_pg_setting_filter();
}

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
 * The rows of t in PostgreSQL (all, or those of a revision after since)
 * into temp.<dst>_<t>: pgn_<t> for the new picture (pg_<t>, the last one,
 * what a failed push goes back to, is replaced only once every table came
 * whole), pgd_<t> for what changed. Rows fetched, or -errno.
 */
static int pg_fetch(PGconn *c, sqlite3 *db, const struct tg_pg_table *t,
		    const char *dst, long long since, char *err, size_t errlen)
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
		tg_cat(sql, sizeof(sql), off, " WHERE tg_rev > %lld", since);
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

int tg_pg_keep_local(sqlite3 *db, char *err, size_t errlen)
{
	const struct tg_pg_table *t;
	char sql[512];
	size_t i;

	for (i = 0; i < tg_pg_ntables; i++) {
		t = &tg_pg_tables[i];
		if (!t->local_col)
			continue;
		snprintf(sql, sizeof(sql),
			 "DROP TABLE IF EXISTS temp.pgk_%s;"
			 "CREATE TEMP TABLE pgk_%s AS SELECT \"%s\" AS k, \"%s\" AS v"
			 " FROM main.\"%s\" WHERE (%s) AND \"%s\" IS NOT NULL",
			 t->name, t->name, t->key, t->local_col, t->name,
			 pg_shared(t), t->local_col);
		if (pg_sqlite(db, sql, NULL, err, errlen))
			return -EIO;
	}
	return 0;
}

/*
 * A revert: rows of t the command had deleted come back with the data
 * plane id they had (tg_pg_keep_local()), where no other row took it.
 */
static int pg_kept_dp_ids(sqlite3 *db, const struct tg_pg_table *t,
			  char *err, size_t errlen)
{
	char sql[1024];

	snprintf(sql, sizeof(sql),
		 "UPDATE main.\"%s\" SET \"%s\" = (SELECT v FROM temp.pgk_%s k"
		 " WHERE k.k = main.\"%s\".\"%s\") WHERE \"%s\" IS NULL AND \"%s\" IN"
		 " (SELECT k FROM temp.pgk_%s WHERE v NOT IN (SELECT \"%s\""
		 " FROM main.\"%s\" WHERE \"%s\" IS NOT NULL))",
		 t->name, t->local_col, t->name, t->name, t->key, t->local_col,
		 t->key, t->name, t->local_col, t->name, t->local_col);
	return pg_sqlite(db, sql, NULL, err, errlen);
}

/*
 * Subscribers new to this snapshot get a data plane id of its own, as
 * 'sub add' gives one (on a revert, first the one they had); the update
 * marks them for the next sync.
 */
static int pg_new_dp_ids(sqlite3 *db, const struct tg_pg_table *t,
			 bool revert, char *err, size_t errlen)
{
	sqlite3_stmt *sel = NULL, *upd = NULL;
	struct tg_dp_ids ids;
	int ret, rc;
	__u32 id;

	if (revert && pg_kept_dp_ids(db, t, err, errlen))
		return -EIO;
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
static int pg_apply(sqlite3 *db, const char *src, bool revert, long *changed,
		    char *err, size_t errlen)
{
	char sql[TG_PG_SQL_MAX * 2];
	const struct tg_pg_table *t;
	struct tg_pg_cols cols;
	size_t i;

	if (pg_sqlite(db, "PRAGMA defer_foreign_keys = ON", NULL, err, errlen))
		return -EIO;
	for (i = tg_pg_ntables; i-- > 0;) {
		t = &tg_pg_tables[i];
		if (!strcmp(src, "pg"))
			snprintf(sql, sizeof(sql),
				 "DELETE FROM main.\"%s\" WHERE (%s) AND \"%s\" NOT IN"
				 " (SELECT \"%s\" FROM temp.pg_%s)",
				 t->name, pg_shared(t), t->key, t->key, t->name);
		else
			snprintf(sql, sizeof(sql),
				 "DELETE FROM main.\"%s\" WHERE (%s) AND"
				 " CAST(\"%s\" AS TEXT) IN (SELECT key FROM"
				 " temp.pg_gone WHERE tbl = '%s') AND \"%s\" NOT IN"
				 " (SELECT \"%s\" FROM temp.%s_%s)",
				 t->name, pg_shared(t), t->key, t->name, t->key,
				 t->key, src, t->name);
		if (pg_sqlite(db, sql, changed, err, errlen))
			return -EIO;
	}
	for (i = 0; i < tg_pg_ntables; i++) {
		t = &tg_pg_tables[i];
		if (tg_pg_columns(db, t, &cols))
			return -EIO;
		snprintf(sql, sizeof(sql),
			 "UPDATE main.\"%s\" SET (%s) = (SELECT %s FROM temp.%s_%s p"
			 " WHERE p.\"%s\" = main.\"%s\".\"%s\")"
			 " WHERE (%s) AND \"%s\" IN (SELECT \"%s\" FROM"
			 " (SELECT %s FROM temp.%s_%s EXCEPT"
			 " SELECT %s FROM main.\"%s\"))",
			 t->name, cols.list, cols.list, src, t->name, t->key,
			 t->name, t->key, pg_shared(t), t->key, t->key, cols.list,
			 src, t->name, cols.list, t->name);
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
				 t->name, pg_shared(t), t->key, t->key, cols.list,
				 src, t->name, cols.list, t->name);
			if (pg_sqlite(db, sql, changed, err, errlen))
				return -EIO;
		}
		if (pg_sqlite(db, "RELEASE pg_update", NULL, err, errlen))
			return -EIO;
		snprintf(sql, sizeof(sql),
			 "INSERT INTO main.\"%s\" (%s) SELECT %s FROM temp.%s_%s"
			 " WHERE \"%s\" NOT IN (SELECT \"%s\" FROM main.\"%s\")",
			 t->name, cols.list, cols.list, src, t->name, t->key,
			 t->key, t->name);
		if (pg_sqlite(db, sql, changed, err, errlen))
			return -EIO;
		if (t->local_col && pg_new_dp_ids(db, t, revert, err, errlen))
			return -EIO;
	}
	return 0;
}

/*
 * The rows pulled into the snapshot (a transaction of its own): 0,
 * -EAGAIN (what changed cannot be applied alone: pull everything), -EIO.
 */
static int pg_apply_all(sqlite3 *db, const char *src, long long counter,
			long *changed, char *err, size_t errlen)
{
	char buf[32];
	int ret;

	*changed = 0;
	if (pg_sqlite(db, "BEGIN IMMEDIATE", NULL, err, errlen))
		return -EIO;
	/* No counter: a revert (tg_pg_revert()). */
	ret = pg_apply(db, src, counter < 0, changed, err, errlen);
	if (ret == -EAGAIN) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return ret;
	}
	/* Written only when it moves: every write wakes the daemon. */
	if (!ret && counter >= 0 && tg_pg_local_counter(db) != counter) {
		snprintf(buf, sizeof(buf), "%lld", counter);
		ret = tg_db_setting_set(db, "pg_counter", buf);
		if (ret)
			snprintf(err, errlen, "snapshot: %s", sqlite3_errmsg(db));
	}
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
 * The keys deleted after revision since into temp.pg_gone (tbl, key):
 * how many, or -EIO.
 */
static int pg_fetch_gone(PGconn *c, sqlite3 *db, long long since, char *err,
			 size_t errlen)
{
	sqlite3_stmt *ins = NULL;
	PGresult *r = NULL;
	char sql[128];
	int row, i, ret = -EIO;

	if (pg_sqlite(db, "DROP TABLE IF EXISTS temp.pg_gone;"
		      "CREATE TEMP TABLE pg_gone (tbl TEXT, key TEXT)", NULL, err,
		      errlen))
		return -EIO;
	snprintf(sql, sizeof(sql),
		 "SELECT tbl, key FROM tungate_tombstone WHERE rev > %lld", since);
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

int tg_pg_revert(sqlite3 *db, char *err, size_t errlen)
{
	long changed;

	return pg_apply_all(db, "pg", -1, &changed, err, errlen);
}

int tg_pg_pull(PGconn *c, sqlite3 *db, bool *full, long long *counter,
	       long *changed, char *err, size_t errlen)
{
	long long since = *full ? -1 : tg_pg_local_counter(db);
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
	*full = since < 0;
	if (!*full)
		dst = "pgd";
	/*
	 * Even at the same counter: rows changed by hand in SQL carry the
	 * next one, until a push moves the counter to it.
	 */
	for (i = 0; i < tg_pg_ntables; i++) {
		ret = pg_fetch(c, db, &tg_pg_tables[i], dst, since, err, errlen);
		if (ret < 0)
			goto out;
		rows += ret;
	}
	ret = *full ? 0 : pg_fetch_gone(c, db, since, err, errlen);
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
	if (!*full) {
		if (!rows && since == *counter)
			return 0;
		ret = pg_apply_all(db, dst, *counter, changed, err, errlen);
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
		ret = pg_apply_all(db, "pg", *counter, changed, err, errlen);
	return ret;
}
