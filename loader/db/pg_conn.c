// SPDX-License-Identifier: GPL-2.0-only
/* PostgreSQL: the connection, its errors, the shared schema. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fmt.h"
#include "db/conn.h"
#include "db/pg.h"
#include "db/pg_rev.h"
#include "db/pg_pop.h"
#include "db/pg_tables.h"
#include "db/settings.h"

bool tg_pg_url(const char *db)
{
	return db && (!strncmp(db, "postgresql://", 13) ||
		      !strncmp(db, "postgres://", 11));
}

/* libpq's message on one line: its own line breaks become "; ". */
static void pg_one_line(const char *msg, char *buf, size_t len)
{
	size_t o = 0;

	for (; *msg && o + 3 < len; msg++) {
		if (*msg == '\n' || *msg == '\t') {
			while (msg[1] == '\n' || msg[1] == '\t')
				msg++;
			if (msg[1] && o)
				o += snprintf(buf + o, len - o, "; ");
			continue;
		}
		buf[o++] = *msg;
	}
	buf[o] = '\0';
}

const char *tg_pg_error(PGconn *c, char *buf, size_t len)
{
	pg_one_line(c ? PQerrorMessage(c) : "out of memory", buf, len);
	if (!*buf)
		snprintf(buf, len, "unknown error");
	return buf;
}

/* SQLSTATE read_only_sql_transaction: a write on a hot standby. */
#define PG_READ_ONLY "25006"

const char *tg_pg_result_error(PGconn *c, const PGresult *r, char *buf,
			       size_t len)
{
	const char *st = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;

	if (st && !strcmp(st, PG_READ_ONLY)) {
		snprintf(buf, len,
			 "the server is read-only (a standby): changes need the primary (target_session_attrs=read-write, tungate's default)");
		return buf;
	}
	return tg_pg_error(c, buf, len);
}

void tg_pg_params(struct tg_pg_params *p, const char *url, int timeout_s,
		  bool primary)
{
	int i = 0;

	snprintf(p->timeout, sizeof(p->timeout), "%d", timeout_s);
	/*
	 * Keywords are taken in order, the last one of a name winning: what
	 * comes before dbname (the URL, expanded) is a default.
	 */
	if (!primary) {
		p->keys[i] = "target_session_attrs";
		p->vals[i++] = "read-write";
	}
	p->keys[i] = "dbname";
	p->vals[i++] = url;
	p->keys[i] = "connect_timeout";
	p->vals[i++] = p->timeout;
	if (primary) {
		p->keys[i] = "target_session_attrs";
		p->vals[i++] = "read-write";
	}
	p->keys[i] = p->vals[i] = NULL;
}

int tg_pg_connect(const char *url, int timeout_s, PGconn **out, char *err,
		  size_t errlen)
{
	struct tg_pg_params p = { 0 };
	PGconn *c;

	tg_pg_params(&p, url, timeout_s, false);
	c = PQconnectdbParams(p.keys, p.vals, 1);
	if (!c || PQstatus(c) != CONNECTION_OK) {
		tg_pg_error(c, err, errlen);
		PQfinish(c);
		*out = NULL;
		return -EIO;
	}
	*out = c;
	return 0;
}

int tg_pg_exec(PGconn *c, const char *sql, char *err, size_t errlen)
{
	PGresult *r = PQexec(c, sql);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK ||
		 PQresultStatus(r) == PGRES_TUPLES_OK;

	if (!ok)
		tg_pg_result_error(c, r, err, errlen);
	PQclear(r);
	return ok ? 0 : -EIO;
}

int tg_pg_bool(PGconn *c, const char *sql, char *err, size_t errlen)
{
	PGresult *r = PQexec(c, sql);
	int ret;

	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		tg_pg_error(c, err, errlen);
		PQclear(r);
		return -EIO;
	}
	ret = !strcmp(PQgetvalue(r, 0, 0), "t");
	PQclear(r);
	return ret;
}

static const char *pg_type(enum tg_pg_type t)
{
	return t == TG_PG_INT ? "bigint" : t == TG_PG_REAL ?
	       "double precision" : "text";
}

/* CREATE TABLE of t, its columns those of the current SQLite schema. */
static int pg_create(PGconn *c, sqlite3 *mem, const struct tg_pg_table *t,
		     char *err, size_t errlen)
{
	struct tg_pg_cols cols;
	char sql[TG_PG_SQL_MAX];
	size_t off;
	int i;

	if (tg_pg_columns(mem, t, &cols)) {
		snprintf(err, errlen, "no columns for table %s", t->name);
		return -EIO;
	}
	off = tg_cat(sql, sizeof(sql), 0, "CREATE TABLE IF NOT EXISTS \"%s\" (",
		     t->name);
	for (i = 0; i < cols.n; i++)
		off = tg_cat(sql, sizeof(sql), off, "\"%s\" %s%s, ",
			     cols.name[i], pg_type(cols.type[i]),
			     strcmp(cols.name[i], t->key) ? "" : " NOT NULL");
	off = tg_cat(sql, sizeof(sql), off, "PRIMARY KEY (\"%s\"))", t->key);
	if (off >= sizeof(sql))
		return -ENOSPC;
	return tg_pg_exec(c, sql, err, errlen);
}

/* The current schema in an in-memory SQLite: where the columns come from. */
static int pg_schema(sqlite3 **mem, char *err, size_t errlen)
{
	if (sqlite3_open(":memory:", mem) != SQLITE_OK ||
	    tg_db_create_version(*mem, TG_DB_VERSION)) {
		snprintf(err, errlen, "cannot build the schema");
		return -EIO;
	}
	return 0;
}

int tg_pg_init(PGconn *c, char *err, size_t errlen)
{
	sqlite3 *mem = NULL;
	char sql[160];
	size_t i;
	int ret = -EIO;

	if (pg_schema(&mem, err, errlen))
		goto out;
	if (tg_pg_exec(c, "BEGIN", err, errlen) ||
	    tg_pg_exec(c, "CREATE TABLE IF NOT EXISTS tungate_meta ("
		    "one integer PRIMARY KEY CHECK (one = 1),"
		    " version integer NOT NULL, counter bigint NOT NULL)",
		    err, errlen))
		goto rollback;
	/* Two first inits at once: the second waits here, then sees the row. */
	if (tg_pg_exec(c, "LOCK TABLE tungate_meta", err, errlen))
		goto rollback;
	snprintf(sql, sizeof(sql),
		 "INSERT INTO tungate_meta VALUES (1, %d, 0) ON CONFLICT DO NOTHING",
		 TG_DB_VERSION);
	if (tg_pg_exec(c, sql, err, errlen))
		goto rollback;
	ret = tg_pg_meta(c, NULL, err, errlen);
	if (ret)
		goto rollback;
	ret = -EIO;
	for (i = 0; i < tg_pg_ntables; i++)
		if (pg_create(c, mem, &tg_pg_tables[i], err, errlen))
			goto rollback;
	if (tg_pg_pop_tables(c, err, errlen) || tg_pg_rev_tables(c, err, errlen))
		goto rollback;
	ret = tg_pg_exec(c, "COMMIT", err, errlen);
	goto out;
rollback:
	tg_pg_exec(c, "ROLLBACK", sql, sizeof(sql));
out:
	sqlite3_close(mem);
	return ret;
}

/* The columns of t in the current schema that PostgreSQL lacks, added. */
static int pg_add_columns(PGconn *c, sqlite3 *mem, const struct tg_pg_table *t,
			  char *err, size_t errlen)
{
	struct tg_pg_cols cols;
	char sql[256];
	int i;

	if (tg_pg_columns(mem, t, &cols)) {
		snprintf(err, errlen, "no columns for table %s", t->name);
		return -EIO;
	}
	for (i = 0; i < cols.n; i++) {
		snprintf(sql, sizeof(sql),
			 "ALTER TABLE \"%s\" ADD COLUMN IF NOT EXISTS \"%s\" %s",
			 t->name, cols.name[i], pg_type(cols.type[i]));
		if (tg_pg_exec(c, sql, err, errlen))
			return -EIO;
	}
	return 0;
}

int tg_pg_migrate(PGconn *c, int *from, char *err, size_t errlen)
{
	char sql[160], e2[64];
	long long counter;
	sqlite3 *mem = NULL;
	PGresult *r;
	size_t i;
	int ret = -EIO;

	*from = 0;
	if (pg_schema(&mem, err, errlen))
		goto out;
	if (tg_pg_exec(c, "BEGIN", err, errlen))
		goto out;
	/* Commands and daemons of other POPs wait for the new version. */
	if (tg_pg_exec(c, "LOCK TABLE tungate_meta", err, errlen)) {
		if (strstr(err, "does not exist")) {
			snprintf(err, errlen, "does not exist; run 'tungate db init'");
			ret = -ENOENT;
		}
		goto rollback;
	}
	r = PQexec(c, "SELECT version, counter FROM tungate_meta");
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		PQclear(r);
		snprintf(err, errlen, "no schema version; run 'tungate db init'");
		ret = -ENOENT;
		goto rollback;
	}
	*from = atoi(PQgetvalue(r, 0, 0));
	counter = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
	PQclear(r);
	if (*from > TG_DB_VERSION || *from < 1) {
		snprintf(err, errlen,
			 "schema version %d there: cannot migrate, this tungate has %d",
			 *from, TG_DB_VERSION);
		ret = -EPROTONOSUPPORT;
		goto rollback;
	}
	ret = -EIO;
	/* Tables a later version added, before their revisions. */
	for (i = 0; i < tg_pg_ntables; i++)
		if (pg_create(c, mem, &tg_pg_tables[i], err, errlen))
			goto rollback;
	/* The row revisions of this tungate, on tables of any version. */
	if (tg_pg_rev_tables(c, err, errlen))
		goto rollback;
	if (*from == TG_DB_VERSION) {
		ret = tg_pg_exec(c, "COMMIT", err, errlen);
		goto out;
	}
	for (i = 0; i < tg_pg_ntables; i++)
		if (pg_add_columns(c, mem, &tg_pg_tables[i], err, errlen))
			goto rollback;
	snprintf(sql, sizeof(sql),
		 "UPDATE tungate_meta SET version = %d, counter = counter + 1",
		 TG_DB_VERSION);
	/* Every follower pulls the new picture (and its new columns). */
	if (tg_pg_exec(c, sql, err, errlen))
		goto rollback;
	snprintf(sql, sizeof(sql), "NOTIFY " TG_PG_CHANNEL ", '%lld'",
		 counter + 1);
	if (tg_pg_exec(c, sql, err, errlen) || tg_pg_exec(c, "COMMIT", err, errlen))
		goto rollback;
	ret = 0;
	goto out;
rollback:
	tg_pg_exec(c, "ROLLBACK", e2, sizeof(e2));
out:
	sqlite3_close(mem);
	return ret;
}

int tg_pg_meta(PGconn *c, long long *counter, char *err, size_t errlen)
{
	PGresult *r = PQexec(c, "SELECT version, counter FROM tungate_meta");
	int ret = 0, ver;

	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		if (PQresultStatus(r) == PGRES_TUPLES_OK ||
		    strstr(PQerrorMessage(c), "does not exist")) {
			snprintf(err, errlen,
				 "does not exist; run 'tungate db init'");
			ret = -ENOENT;
		} else {
			tg_pg_error(c, err, errlen);
			ret = -EIO;
		}
	} else if ((ver = atoi(PQgetvalue(r, 0, 0))) != TG_DB_VERSION) {
		snprintf(err, errlen, "schema version %d there, this tungate has %d",
			 ver, TG_DB_VERSION);
		ret = -EPROTO;
	} else if (counter) {
		*counter = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
	}
	PQclear(r);
	return ret;
}

long long tg_pg_local_counter(sqlite3 *db)
{
	char buf[32];

	if (tg_db_setting_get(db, "pg_counter", buf, sizeof(buf)))
		return -1;
	return strtoll(buf, NULL, 10);
}

const char *tg_pg_url_shown(const char *url, char *buf, size_t len)
{
	const char *auth = strstr(url, "://"), *at, *colon, *slash;

	snprintf(buf, len, "%s", url);
	if (!auth)
		return buf;
	auth += 3;
	slash = strchr(auth, '/');
	at = strchr(auth, '@');
	if (!at || (slash && at > slash))
		return buf;
	colon = memchr(auth, ':', at - auth);
	if (colon)
		snprintf(buf, len, "%.*s:***%s", (int)(colon - url), url, at);
	return buf;
}
