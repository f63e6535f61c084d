// SPDX-License-Identifier: GPL-2.0-only
/* Reading a FreeRADIUS SQL database from SQLite or PostgreSQL. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "cmd/freeradius_source.h"

static const char *const fr_tables[FR_NTABLES] = {
	"radcheck", "radreply", "radgroupcheck", "radgroupreply", "radusergroup",
};

/*
 * Columns: id, name, attr, op, value, priority. The same text for both
 * servers; unquoted names, so PostgreSQL's 'UserName' is username.
 */
static const char *const fr_queries[FR_NTABLES] = {
	"SELECT id, username, attribute, op, value, 0 FROM radcheck ORDER BY id",
	"SELECT id, username, attribute, op, value, 0 FROM radreply ORDER BY id",
	"SELECT id, groupname, attribute, op, value, 0 FROM radgroupcheck ORDER BY id",
	"SELECT id, groupname, attribute, op, value, 0 FROM radgroupreply ORDER BY id",
	"SELECT id, username, NULL, NULL, groupname, priority FROM radusergroup ORDER BY id",
};

/* Older schemas have radusergroup without id: the order of the rows then. */
static const char fr_usergroup_noid[] =
	"SELECT 0, username, NULL, NULL, groupname, priority FROM radusergroup";

const char *fr_table_name(enum fr_table t)
{
	return t < FR_NTABLES ? fr_tables[t] : "?";
}

bool fr_source_is_postgresql(const char *src)
{
	return !strncmp(src, "postgresql://", 13) ||
	       !strncmp(src, "postgres://", 11) || strchr(src, '=');
}

static int fr_add(struct fr_source *s, enum fr_table t, const char *const *v)
{
	struct fr_row *r, *nr;

	if (s->n == s->cap) {
		nr = realloc(s->rows, (2 * s->cap + 64) * sizeof(*nr));
		if (!nr)
			return -ENOMEM;
		s->rows = nr;
		s->cap = 2 * s->cap + 64;
	}
	r = &s->rows[s->n];
	memset(r, 0, sizeof(*r));
	r->table = t;
	r->id = v[0] ? strtoll(v[0], NULL, 10) : 0;
	r->priority = v[5] ? strtoll(v[5], NULL, 10) : 0;
	r->name = strdup(v[1] ? v[1] : "");
	r->attr = strdup(v[2] ? v[2] : "");
	r->op = strdup(v[3] ? v[3] : "");
	r->value = strdup(v[4] ? v[4] : "");
	s->n++;
	if (!r->name || !r->attr || !r->op || !r->value)
		return -ENOMEM;
	return 0;
}

static int fr_read_sqlite(const char *path, struct fr_source *s, char *err,
			  size_t errlen)
{
	const char *v[6];
	sqlite3_stmt *st = NULL;
	sqlite3 *db = NULL;
	struct stat sb;
	int t, i, rc, ret = 0;

	/* sqlite3 would open a missing file as an empty database. */
	if (stat(path, &sb)) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return ret;
	}
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(db));
		ret = -EIO;
		goto out;
	}
	sqlite3_busy_timeout(db, 5000);
	/* One read transaction: the tables as they were at one moment. */
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	for (t = 0; t < FR_NTABLES; t++) {
		rc = sqlite3_prepare_v2(db, fr_queries[t], -1, &st, NULL);
		if (rc != SQLITE_OK && t == FR_RADUSERGROUP)
			rc = sqlite3_prepare_v2(db, fr_usergroup_noid, -1, &st,
						NULL);
		if (rc != SQLITE_OK) {
			snprintf(err, errlen,
				 "%s: not a FreeRADIUS SQL database: table %s: %s",
				 path, fr_tables[t], sqlite3_errmsg(db));
			ret = -EINVAL;
			goto out;
		}
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			for (i = 0; i < 6; i++)
				v[i] = (const char *)sqlite3_column_text(st, i);
			ret = fr_add(s, t, v);
			if (ret) {
				snprintf(err, errlen, "out of memory");
				goto out;
			}
		}
		if (rc != SQLITE_DONE) {
			snprintf(err, errlen, "%s: table %s: %s", path,
				 fr_tables[t], sqlite3_errmsg(db));
			ret = -EIO;
			goto out;
		}
		sqlite3_finalize(st);
		st = NULL;
	}
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return ret;
}

/* The server's message without its trailing newline. */
static void fr_pq_err(char *err, size_t errlen, const char *what,
		      const char *msg)
{
	int len = strlen(msg);

	while (len && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
		len--;
	snprintf(err, errlen, "%s: %.*s", what, len, msg);
}

/* One snapshot of every table, written to by no one. */
static const char fr_begin[] =
	"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

static int fr_read_pq(const char *conninfo, struct fr_source *s, char *err,
		      size_t errlen)
{
	PGresult *res = NULL;
	const char *v[6];
	char what[64];
	PGconn *c;
	int t, i, r, ret = 0;

	c = PQconnectdb(conninfo);
	if (PQstatus(c) != CONNECTION_OK) {
		fr_pq_err(err, errlen, "PostgreSQL", PQerrorMessage(c));
		ret = -EIO;
		goto out;
	}
	PQclear(PQexec(c, fr_begin));
	for (t = 0; t < FR_NTABLES; t++) {
		res = PQexec(c, fr_queries[t]);
		if (PQresultStatus(res) != PGRES_TUPLES_OK &&
		    t == FR_RADUSERGROUP) {
			/* The failed query ended the transaction: a new one. */
			PQclear(res);
			PQclear(PQexec(c, "ROLLBACK"));
			PQclear(PQexec(c, fr_begin));
			res = PQexec(c, fr_usergroup_noid);
		}
		if (PQresultStatus(res) != PGRES_TUPLES_OK) {
			snprintf(what, sizeof(what),
				 "not a FreeRADIUS SQL database: table %s",
				 fr_tables[t]);
			fr_pq_err(err, errlen, what, PQresultErrorMessage(res));
			ret = -EINVAL;
			goto out;
		}
		for (r = 0; r < PQntuples(res); r++) {
			for (i = 0; i < 6; i++)
				v[i] = PQgetisnull(res, r, i) ? NULL :
				       PQgetvalue(res, r, i);
			ret = fr_add(s, t, v);
			if (ret) {
				snprintf(err, errlen, "out of memory");
				goto out;
			}
		}
		PQclear(res);
		res = NULL;
	}
out:
	PQclear(res);
	PQfinish(c);
	return ret;
}

int fr_source_read(const char *src, struct fr_source *out, char *err,
		   size_t errlen)
{
	int ret;

	memset(out, 0, sizeof(*out));
	out->postgresql = fr_source_is_postgresql(src);
	ret = out->postgresql ? fr_read_pq(src, out, err, errlen) :
				fr_read_sqlite(src, out, err, errlen);
	if (ret)
		fr_source_free(out);
	return ret;
}

void fr_source_free(struct fr_source *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->rows[i].name);
		free(s->rows[i].attr);
		free(s->rows[i].op);
		free(s->rows[i].value);
	}
	free(s->rows);
	s->rows = NULL;
	s->n = s->cap = 0;
}
