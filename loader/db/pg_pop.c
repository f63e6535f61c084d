// SPDX-License-Identifier: GPL-2.0-only
/* Each POP's own rows in PostgreSQL: its heartbeat and usage (pg_pop.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/cli.h"
#include "db/pg.h"
#include "db/pg_pop.h"
#include "db/pg_tables.h"
#include "db/pop.h"
#include "db/settings.h"

/* pop_usage mirrors the snapshot's usage table, its POP first. */
static const char pg_pop_schema[] =
	"CREATE TABLE IF NOT EXISTS pop ("
	" name text PRIMARY KEY, host text NOT NULL, version text NOT NULL,"
	" state text NOT NULL, attached bigint NOT NULL,"
	" enabled bigint NOT NULL, started bigint,"
	" last_contact timestamptz NOT NULL);"
	"CREATE TABLE IF NOT EXISTS pop_usage ("
	" pop text NOT NULL, id bigint NOT NULL, subscriber_id bigint NOT NULL,"
	" name text NOT NULL, dp_id bigint NOT NULL, class text, ip text,"
	" period_start bigint, period_end bigint NOT NULL,"
	" up_bytes bigint NOT NULL, down_bytes bigint NOT NULL,"
	" up_packets bigint NOT NULL, down_packets bigint NOT NULL,"
	" final integer NOT NULL, PRIMARY KEY (pop, id, period_end));"
	"CREATE INDEX IF NOT EXISTS pop_usage_name ON pop_usage (name, period_end)";

static const struct tg_pg_table pg_pop_usage = {
	"pop_usage", "pop, id, period_end", NULL, NULL, NULL,
};

int tg_pg_pop_tables(PGconn *c, char *err, size_t errlen)
{
	int there;

	/* Asked first: CREATE ... IF NOT EXISTS would print a notice. */
	there = tg_pg_bool(c, "SELECT to_regclass('pop') IS NOT NULL AND"
			   " to_regclass('pop_usage') IS NOT NULL", err, errlen);
	if (there < 0)
		return there;
	return there ? 0 : tg_pg_exec(c, pg_pop_schema, err, errlen);
}

int tg_pop_self(sqlite3 *db, bool stopped, struct tg_pop_row *p)
{
	long long n;

	memset(p, 0, sizeof(*p));
	tg_pop_name(db, p->name);
	if (gethostname(p->host, sizeof(p->host)))
		snprintf(p->host, sizeof(p->host), "-");
	p->host[sizeof(p->host) - 1] = '\0';
	snprintf(p->version, sizeof(p->version), "%s", TG_VERSION);
	snprintf(p->state, sizeof(p->state), "%s", stopped ? "stopped" :
		 tg_pop_drained(db) ? "drained" : "serving");
	p->last = p->age = p->started = -1;
	if (tg_db_int(db, "SELECT count(*) FROM dp_state", &n))
		return -EIO;
	p->attached = n;
	if (tg_db_int(db, "SELECT count(*) FROM subscriber WHERE enabled = 1",
		      &n))
		return -EIO;
	p->enabled = n;
	return 0;
}

int tg_pg_pop_beat(PGconn *c, const struct tg_pop_row *p, __s64 started,
		   char *err, size_t errlen)
{
	char att[24], en[24], st[24];
	const char *v[] = { p->name, p->host, p->version, p->state, att, en,
			    started >= 0 ? st : NULL };
	PGresult *r;
	int ok;

	snprintf(att, sizeof(att), "%lld", p->attached);
	snprintf(en, sizeof(en), "%lld", p->enabled);
	snprintf(st, sizeof(st), "%lld", (long long)started);
	r = PQexecParams(c,
			 "INSERT INTO pop VALUES ($1, $2, $3, $4, $5, $6, $7, now())"
			 " ON CONFLICT (name) DO UPDATE SET host = $2,"
			 " version = $3, state = $4, attached = $5, enabled = $6,"
			 " started = $7, last_contact = now()",
			 7, NULL, v, NULL, NULL, 0);
	ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		tg_pg_result_error(c, r, err, errlen);
	PQclear(r);
	return ok ? 0 : -EIO;
}

int tg_pg_pop_timing(PGconn *c, struct tg_pop_timing *t, char *err,
		     size_t errlen)
{
	const char *beat = NULL, *down = NULL, *k;
	PGresult *r;
	int i, ret;

	r = PQexec(c, "SELECT key, value FROM setting WHERE key IN ('"
		   TG_POP_BEAT_KEY "', '" TG_POP_DOWN_AFTER_KEY "')");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		tg_pg_error(c, err, errlen);
		PQclear(r);
		return -EIO;
	}
	for (i = 0; i < PQntuples(r); i++) {
		k = PQgetvalue(r, i, 0);
		if (!strcmp(k, TG_POP_BEAT_KEY))
			beat = PQgetvalue(r, i, 1);
		else
			down = PQgetvalue(r, i, 1);
	}
	ret = tg_pop_timing_parse(beat, down, t, err, errlen);
	PQclear(r);
	return ret;
}

static __s64 pg_pop_int(PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? -1 :
	       strtoll(PQgetvalue(r, row, col), NULL, 10);
}

/* Whether a row of pop is down, $1 the seconds it may go unheard of. */
#define PG_POP_DOWN "(state = 'stopped' OR" \
	" now() - last_contact > make_interval(secs => $1::bigint))"

int tg_pg_pop_del(PGconn *c, const char *name, __s64 down_after, char *err,
		  size_t errlen)
{
	char after[24];
	const char *v[] = { after, name };
	PGresult *r;
	int ret;

	snprintf(after, sizeof(after), "%lld", (long long)down_after);
	r = PQexecParams(c, "WITH gone AS (DELETE FROM pop WHERE name = $2 AND "
			 PG_POP_DOWN " RETURNING 1)"
			 " SELECT (SELECT count(*) FROM gone),"
			 " (SELECT count(*) FROM pop WHERE name = $2)",
			 2, NULL, v, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		tg_pg_result_error(c, r, err, errlen);
		ret = -EIO;
	} else if (strcmp(PQgetvalue(r, 0, 0), "0")) {
		ret = 0;
	} else {
		ret = strcmp(PQgetvalue(r, 0, 1), "0") ? -EBUSY : -ENOENT;
	}
	PQclear(r);
	return ret;
}

int tg_pg_pop_each(PGconn *c, __s64 down_after,
		   void (*fn)(void *ctx, const struct tg_pop_row *p),
		   void *ctx, char *err, size_t errlen)
{
	struct tg_pop_row p;
	char after[24];
	const char *v[] = { after };
	PGresult *r;
	int i;

	snprintf(after, sizeof(after), "%lld", (long long)down_after);
	/* Ages by PostgreSQL's clock: the POPs' own clocks may differ. */
	r = PQexecParams(c,
			 "SELECT name, host, version,"
			 " CASE WHEN " PG_POP_DOWN " THEN 'down' ELSE state END,"
			 " attached, enabled, extract(epoch FROM last_contact)::bigint,"
			 " greatest(0, extract(epoch FROM now() - last_contact))::bigint,"
			 " started FROM pop ORDER BY name",
			 1, NULL, v, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		tg_pg_error(c, err, errlen);
		PQclear(r);
		return -EIO;
	}
	for (i = 0; i < PQntuples(r); i++) {
		memset(&p, 0, sizeof(p));
		snprintf(p.name, sizeof(p.name), "%s", PQgetvalue(r, i, 0));
		snprintf(p.host, sizeof(p.host), "%s", PQgetvalue(r, i, 1));
		snprintf(p.version, sizeof(p.version), "%s", PQgetvalue(r, i, 2));
		snprintf(p.state, sizeof(p.state), "%s", PQgetvalue(r, i, 3));
		p.attached = pg_pop_int(r, i, 4);
		p.enabled = pg_pop_int(r, i, 5);
		p.last = pg_pop_int(r, i, 6);
		p.age = pg_pop_int(r, i, 7);
		p.started = pg_pop_int(r, i, 8);
		fn(ctx, &p);
	}
	PQclear(r);
	return 0;
}

long tg_pg_usage_push(PGconn *c, sqlite3 *db, const char *pop, char *err,
		      size_t errlen)
{
	struct tg_pg_cols cols;
	long long top = 0, mark = 0;
	sqlite3_stmt *st;
	char buf[32];
	long n;

	if (tg_db_int(db, "SELECT coalesce(max(id), 0) FROM usage", &top)) {
		snprintf(err, errlen, "snapshot: %s", sqlite3_errmsg(db));
		return -EIO;
	}
	if (!tg_db_setting_get(db, TG_POP_USAGE_PUSHED_KEY, buf, sizeof(buf)))
		mark = strtoll(buf, NULL, 10);
	/* A mark past the records: they were made again from 1. */
	if (mark > top)
		mark = 0;
	if (mark == top)
		return 0;
	if (sqlite3_prepare_v2(db,
			       "SELECT ?1 AS pop, id, subscriber_id, name, dp_id,"
			       " class, ip, period_start, period_end, up_bytes,"
			       " down_bytes, up_packets, down_packets, final"
			       " FROM usage WHERE id > ?2 AND id <= ?3 ORDER BY id",
			       -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "snapshot: %s", sqlite3_errmsg(db));
		return -EIO;
	}
	sqlite3_bind_text(st, 1, pop, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, mark);
	sqlite3_bind_int64(st, 3, top);
	if (tg_pg_stmt_columns(st, &cols)) {
		snprintf(err, errlen, "snapshot: the usage columns");
		n = -EIO;
	} else {
		n = tg_pg_send_rows(c, st, &pg_pop_usage, &cols, err, errlen);
	}
	sqlite3_finalize(st);
	if (n < 0)
		return n;
	snprintf(buf, sizeof(buf), "%lld", top);
	if (tg_db_setting_set(db, TG_POP_USAGE_PUSHED_KEY, buf)) {
		snprintf(err, errlen, "snapshot: %s", sqlite3_errmsg(db));
		return -EIO;
	}
	return n;
}

int tg_pg_usage_each(PGconn *c, const char *only, __s64 since, __s64 until,
		     bool by_time,
		     void (*fn)(void *ctx, const struct tg_usage_row *r),
		     void *ctx, char *err, size_t errlen)
{
	char a[24], b[24];
	const char *v[] = { a, b, only, by_time ? "t" : "f" };
	struct tg_usage_row u;
	PGresult *r;
	int i;

	snprintf(a, sizeof(a), "%lld", (long long)since);
	snprintf(b, sizeof(b), "%lld", (long long)until);
	r = PQexecParams(c,
			 "SELECT pop, name, subscriber_id, dp_id, class, ip,"
			 " period_start, period_end, up_bytes, down_bytes,"
			 " up_packets, down_packets, final FROM pop_usage"
			 " WHERE period_end > $1::bigint AND period_end <= $2::bigint"
			 " AND ($3::text IS NULL OR name = $3)"
			 " ORDER BY CASE WHEN $4::boolean THEN '' ELSE name END,"
			 " period_end, pop, id",
			 4, NULL, v, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		tg_pg_error(c, err, errlen);
		PQclear(r);
		return -EIO;
	}
	for (i = 0; i < PQntuples(r); i++) {
		u.pop = PQgetvalue(r, i, 0);
		u.name = PQgetvalue(r, i, 1);
		u.subscriber_id = pg_pop_int(r, i, 2);
		u.dp_id = pg_pop_int(r, i, 3);
		u.cls = PQgetisnull(r, i, 4) ? NULL : PQgetvalue(r, i, 4);
		u.ip = PQgetisnull(r, i, 5) ? NULL : PQgetvalue(r, i, 5);
		u.start = pg_pop_int(r, i, 6);
		u.end = pg_pop_int(r, i, 7);
		u.up_bytes = strtoull(PQgetvalue(r, i, 8), NULL, 10);
		u.down_bytes = strtoull(PQgetvalue(r, i, 9), NULL, 10);
		u.up_packets = strtoull(PQgetvalue(r, i, 10), NULL, 10);
		u.down_packets = strtoull(PQgetvalue(r, i, 11), NULL, 10);
		u.final = pg_pop_int(r, i, 12) == 1;
		fn(ctx, &u);
	}
	PQclear(r);
	return 0;
}

int tg_pg_usage_known(PGconn *c, const char *name)
{
	const char *v[] = { name };
	PGresult *r;
	int ret;

	r = PQexecParams(c, "SELECT 1 FROM pop_usage WHERE name = $1 UNION ALL"
			 " SELECT 1 FROM subscriber WHERE name = $1 LIMIT 1",
			 1, NULL, v, NULL, NULL, 0);
	ret = PQresultStatus(r) != PGRES_TUPLES_OK ? -EIO : PQntuples(r) > 0;
	PQclear(r);
	return ret;
}
