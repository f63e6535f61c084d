// SPDX-License-Identifier: GPL-2.0-only
/* Consistency checks of the database beyond SQLite's own. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "db/anycast.h"
#include "db/check.h"
#include "db/class.h"
#include "db/overlap.h"
#include "db/pop_timing.h"
#include "db/wg_settings.h"
#include "db/settings.h"
#include "db/sub.h"

struct chk {
	void (*report)(void *ctx, const char *who, const char *msg);
	void *ctx;
	int problems;
};

static void chk_report(struct chk *c, const char *who, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void chk_report(struct chk *c, const char *who, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->report(c->ctx, who, msg);
	c->problems++;
}

/* Each row of a PRAGMA that is not "ok" is a problem. */
static int chk_pragma(sqlite3 *db, struct chk *c, const char *sql, bool fk)
{
	sqlite3_stmt *st;
	const char *t;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		t = (const char *)sqlite3_column_text(st, 0);
		if (fk)
			chk_report(c, NULL, "table %s row %lld: foreign key to %s has no target",
				   t ? t : "?", sqlite3_column_int64(st, 1),
				   (const char *)sqlite3_column_text(st, 2));
		else if (t && strcmp(t, "ok"))
			chk_report(c, NULL, "integrity: %s", t);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

struct chk_key {
	struct tg_tun_key k;
	size_t owner;
};

static int chk_key_cmp(const void *a, const void *b)
{
	return memcmp(&((const struct chk_key *)a)->k,
		      &((const struct chk_key *)b)->k, sizeof(struct tg_tun_key));
}

static int chk_id_cmp(const void *a, const void *b)
{
	const struct tg_sub *x = a, *y = b;

	return x->dp_id < y->dp_id ? -1 : x->dp_id > y->dp_id;
}

struct chk_overlap {
	struct chk *c;
	const char *(*owner)(void *ctx, size_t i);
	void *ctx;
};

static void chk_overlap_found(void *ctx, const struct tg_owned_prefix *in,
			      const struct tg_owned_prefix *out)
{
	struct chk_overlap *o = ctx;
	char a[TG_PREFIX_STRLEN], b[TG_PREFIX_STRLEN];

	tg_prefix_format(&in->p, a, sizeof(a));
	tg_prefix_format(&out->p, b, sizeof(b));
	chk_report(o->c, o->owner(o->ctx, in->owner),
		   "prefix '%s': overlaps '%s' of subscriber '%s'", a, b,
		   o->owner(o->ctx, out->owner));
}

/* Report each prefix of pf that overlaps another. */
static void chk_overlaps(struct chk *c, struct tg_owned_prefix *pf, size_t np,
			 const char *(*owner)(void *ctx, size_t i), void *ctx)
{
	struct chk_overlap o = { .c = c, .owner = owner, .ctx = ctx };

	tg_prefix_overlaps(pf, np, chk_overlap_found, &o);
}

static const char *chk_sub_name(void *ctx, size_t i)
{
	return ((struct tg_sub *)ctx)[i].name;
}

/* The anycast setting: valid, and no subscriber's prefix overlapping it. */
static void chk_anycast(sqlite3 *db, struct chk *c)
{
	struct tg_anycast ac;
	char err[256];
	int ret;

	ret = tg_anycast_load(db, &ac, err, sizeof(err));
	if (ret == -EINVAL)
		chk_report(c, NULL, "setting anycast: %s", err);
	if (!ret && tg_anycast_clash(db, &ac, false, err, sizeof(err)) > 0)
		chk_report(c, NULL, "setting anycast: %s", err);
}

static int chk_subs(sqlite3 *db, struct chk *c, __u32 capacity)
{
	struct tg_owned_prefix *pf = NULL;
	struct chk_key *keys = NULL;
	struct tg_sub *v = NULL, *nv, *byid = NULL;
	struct tg_settings set;
	struct tg_pop_timing pt;
	struct tg_wg_settings wg;
	struct tg_class cls;
	sqlite3_stmt *st = NULL, *pst = NULL;
	char sql[TG_SUB_SQL_MAX + 64], cols[TG_SUB_SQL_MAX];
	char err[256], rerr[256], a[TG_PREFIX_STRLEN];
	const char *txt, *name;
	size_t n = 0, np = 0, i;
	struct tg_prefix p;
	int ret = -EIO, rc;

	if (tg_sub_sql(TG_SQL_COLUMNS, cols, sizeof(cols)))
		goto out;
	snprintf(sql, sizeof(sql), "SELECT %s FROM subscriber ORDER BY name",
		 cols);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT prefix FROM prefix WHERE subscriber_id = ?",
			       -1, &pst, NULL) != SQLITE_OK)
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		name = (const char *)sqlite3_column_text(st, 1);
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv) {
			ret = -ENOMEM;
			goto out;
		}
		v = nv;
		ret = tg_sub_read_row(st, &v[n], rerr, sizeof(rerr));
		if (ret)
			chk_report(c, name, "%s", rerr);
		if (ret && ret != -ERANGE) {
			tg_sub_free(&v[n]);
			continue;
		}
		sqlite3_reset(pst);
		sqlite3_bind_int64(pst, 1, v[n].id);
		while (sqlite3_step(pst) == SQLITE_ROW) {
			txt = (const char *)sqlite3_column_text(pst, 0);
			if (!txt || tg_prefix_parse(txt, &p, err, sizeof(err))) {
				chk_report(c, name, "prefix '%s': %s",
					   txt ? txt : "", err);
				continue;
			}
			tg_prefix_format(&p, a, sizeof(a));
			if (strcmp(a, txt))
				chk_report(c, name, "prefix '%s': not in canonical form '%s'",
					   txt, a);
			if (tg_sub_add_prefix(&v[n], &p)) {
				ret = -ENOMEM;
				n++;
				goto out;
			}
		}
		/* A number out of range is read cut to its member: said once. */
		if (tg_sub_validate(&v[n], err, sizeof(err)) &&
		    (!ret || strcmp(err, rerr)))
			chk_report(c, name, "%s", err);
		if (!v[n].dp_id || v[n].dp_id >= capacity)
			chk_report(c, name, "dp_id %u: out of range 1..%u",
				   v[n].dp_id, capacity - 1);
		if (*v[n].cls) {
			ret = tg_db_class_get(db, v[n].cls, &cls);
			if (ret == -ENOENT)
				chk_report(c, name, "class '%s': no such class",
					   v[n].cls);
		} else {
			ret = tg_db_class_get(db, "default", &cls);
		}
		if (!ret && !v[n].has_burst && cls.burst < v[n].mtu)
			chk_report(c, name, "mtu %u: larger than the burst %llu of class '%s'",
				   v[n].mtu, (unsigned long long)cls.burst, cls.name);
		n++;
	}
	if (rc != SQLITE_DONE)
		goto out;

	/* Duplicated data plane ids. */
	byid = malloc((n + 1) * sizeof(*byid));
	if (!byid) {
		ret = -ENOMEM;
		goto out;
	}
	memcpy(byid, v, n * sizeof(*v));
	qsort(byid, n, sizeof(*byid), chk_id_cmp);
	for (i = 1; i < n; i++)
		if (byid[i].dp_id && byid[i].dp_id == byid[i - 1].dp_id)
			chk_report(c, byid[i].name, "dp_id %u: also held by subscriber '%s'",
				   byid[i].dp_id, byid[i - 1].name);

	/* Duplicated tunnel identities. */
	keys = malloc((n + 1) * sizeof(*keys));
	if (!keys) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		tg_sub_tun_key(&v[i], &keys[i].k);
		keys[i].owner = i;
		np += v[i].nprefix;
	}
	qsort(keys, n, sizeof(*keys), chk_key_cmp);
	for (i = 1; i < n; i++)
		if (!chk_key_cmp(&keys[i], &keys[i - 1]))
			chk_report(c, v[keys[i].owner].name,
				   "tunnel: subscriber '%s' has the same type, remote, local and id",
				   v[keys[i - 1].owner].name);

	pf = malloc((np + 1) * sizeof(*pf));
	if (!pf) {
		ret = -ENOMEM;
		goto out;
	}
	np = 0;
	for (i = 0; i < n; i++) {
		unsigned int j;

		for (j = 0; j < v[i].nprefix; j++) {
			pf[np].p = v[i].prefix[j];
			pf[np++].owner = i;
		}
	}
	chk_overlaps(c, pf, np, chk_sub_name, v);
	if (tg_db_settings_load(db, &set))
		chk_report(c, NULL, "setting: an invalid value (see 'tungate config show')");
	chk_anycast(db, c);
	if (tg_pop_timing_load(db, &pt, err, sizeof(err)) == -EINVAL)
		chk_report(c, NULL, "setting: %s", err);
	if (tg_wg_settings_load(db, &wg, err, sizeof(err)) == -EINVAL)
		chk_report(c, NULL, "%s", err);
	ret = 0;
out:
	if (ret == -EIO)
		chk_report(c, NULL, "cannot read: %s", sqlite3_errmsg(db));
	free(pf);
	free(keys);
	free(byid);
	tg_sub_list_free(v, n);
	sqlite3_finalize(st);
	sqlite3_finalize(pst);
	return ret;
}

static int chk_classes(sqlite3 *db, struct chk *c)
{
	struct tg_prefix *v = NULL;
	sqlite3_stmt *st;
	char a[TG_PREFIX_STRLEN], b[TG_PREFIX_STRLEN];
	const char *name, *scope;
	size_t n = 0, i, j;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT name, down_rate, up_rate, burst, scope FROM class",
			       -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		name = (const char *)sqlite3_column_text(st, 0);
		scope = (const char *)sqlite3_column_text(st, 4);
		for (i = 1; i <= 2; i++)
			if (sqlite3_column_type(st, i) != SQLITE_NULL &&
			    sqlite3_column_int64(st, i) <= 0)
				chk_report(c, NULL, "class '%s': %s rate %lld: must be above zero",
					   name, i == 1 ? "down" : "up",
					   sqlite3_column_int64(st, i));
		if (sqlite3_column_int64(st, 3) < 576)
			chk_report(c, NULL, "class '%s': burst %lld: smaller than 576",
				   name, sqlite3_column_int64(st, 3));
		if (!scope || (strcmp(scope, "internet") && strcmp(scope, "community")))
			chk_report(c, NULL, "class '%s': scope '%s': not internet or community",
				   name, scope ? scope : "");
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return -EIO;
	if (tg_db_community_list(db, &v, &n)) {
		chk_report(c, NULL, "community: a prefix is not valid");
		return 0;
	}
	for (i = 0; i < n; i++) {
		for (j = i + 1; j < n; j++) {
			if (!tg_prefix_overlap(&v[i], &v[j]))
				continue;
			tg_prefix_format(&v[i], a, sizeof(a));
			tg_prefix_format(&v[j], b, sizeof(b));
			chk_report(c, NULL, "community prefix '%s': overlaps '%s'",
				   a, b);
		}
	}
	free(v);
	return 0;
}

int tg_db_check(sqlite3 *db, __u32 capacity,
		void (*report)(void *ctx, const char *who, const char *msg),
		void *ctx)
{
	struct chk c = { .report = report, .ctx = ctx };
	bool txn = false;
	int ver, err;

	err = chk_pragma(db, &c, "PRAGMA integrity_check", false);
	if (!err)
		err = chk_pragma(db, &c, "PRAGMA foreign_key_check", true);
	if (err)
		return err;
	ver = tg_db_version(db);
	if (ver < 0)
		return ver;
	/* An older schema is checked as it would be after migrating: undone. */
	if (ver < TG_DB_VERSION) {
		char e[1024];
		int from;

		if (tg_db_exec(db, "BEGIN"))
			return -EIO;
		txn = true;
		err = tg_db_migrate_nested(db, &from, e, sizeof(e));
		if (err) {
			chk_report(&c, NULL, "cannot be migrated: %s", e);
			goto out;
		}
	}
	err = chk_subs(db, &c, capacity);
	if (!err)
		err = chk_classes(db, &c);
out:
	if (txn) {
		tg_db_exec(db, "ROLLBACK");
	}
	return err ? err : c.problems;
}

/* The first problem found, as "subscriber 'NAME': CAUSE" or "CAUSE". */
struct chk_first {
	char *msg;
	size_t len;
	bool found;
};

static void chk_first_report(void *ctx, const char *who, const char *msg)
{
	struct chk_first *f = ctx;

	if (f->found)
		return;
	f->found = true;
	if (who)
		snprintf(f->msg, f->len, "subscriber '%s': %s", who, msg);
	else
		snprintf(f->msg, f->len, "%s", msg);
}

int tg_db_check_subs(sqlite3 *db, __u32 capacity, char *msg, size_t len)
{
	struct chk_first f = { .msg = msg, .len = len };
	struct chk c = { .report = chk_first_report, .ctx = &f };
	int err;

	err = chk_subs(db, &c, capacity);
	if (err)
		return err;
	return f.found;
}

struct chk_names {
	char **v;
	size_t n;
};

static const char *chk_names_at(void *ctx, size_t i)
{
	return ((struct chk_names *)ctx)->v[i];
}

int tg_db_prefix_overlap(sqlite3 *db, char *msg, size_t len)
{
	struct chk_first f = { .msg = msg, .len = len };
	struct chk c = { .report = chk_first_report, .ctx = &f };
	struct chk_names names = {};
	struct tg_owned_prefix *pf = NULL, *npf;
	sqlite3_stmt *st = NULL;
	size_t np = 0, cap = 0, i;
	char err[64];
	const char *txt, *name;
	__s64 last = -1, id;
	int ret = -EIO, rc;

	if (sqlite3_prepare_v2(db, "SELECT s.id, s.name, p.prefix FROM prefix p"
			       " JOIN subscriber s ON s.id = p.subscriber_id"
			       " WHERE s.enabled = 1 ORDER BY s.id", -1, &st,
			       NULL) != SQLITE_OK)
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		name = (const char *)sqlite3_column_text(st, 1);
		txt = (const char *)sqlite3_column_text(st, 2);
		if (np == cap) {
			cap = cap ? cap * 2 : 1024;
			npf = realloc(pf, cap * sizeof(*pf));
			if (!npf) {
				ret = -ENOMEM;
				goto out;
			}
			pf = npf;
		}
		if (id != last) {
			char **nv = realloc(names.v, (names.n + 1) * sizeof(char *));

			if (!nv) {
				ret = -ENOMEM;
				goto out;
			}
			names.v = nv;
			names.v[names.n] = strdup(name ? name : "");
			if (!names.v[names.n++]) {
				ret = -ENOMEM;
				goto out;
			}
			last = id;
		}
		if (!txt || tg_prefix_parse(txt, &pf[np].p, err, sizeof(err))) {
			snprintf(msg, len, "subscriber '%s': prefix '%s': %s",
				 name ? name : "", txt ? txt : "", err);
			ret = 1;
			goto out;
		}
		pf[np++].owner = names.n - 1;
	}
	if (rc != SQLITE_DONE)
		goto out;
	chk_overlaps(&c, pf, np, chk_names_at, &names);
	ret = f.found;
out:
	for (i = 0; i < names.n; i++)
		free(names.v[i]);
	free(names.v);
	free(pf);
	sqlite3_finalize(st);
	return ret;
}

int tg_db_prefix_overlap_subs(sqlite3 *db, const struct tg_sub *subs,
			      size_t n, char *msg, size_t len)
{
	struct tg_prefix_clash o;
	size_t i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = tg_db_prefix_clash(db, subs[i].prefix, subs[i].nprefix,
					 subs[i].id, true, &o);
		if (ret == 1)
			snprintf(msg, len, "subscriber '%s': prefix '%s': overlaps '%s' of subscriber '%s'",
				 subs[i].name, o.prefix, o.other, o.owner);
		if (ret)
			return ret;
	}
	return 0;
}
