// SPDX-License-Identifier: GPL-2.0-only
/* Consistency checks of the database beyond SQLite's own. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "db/db.h"

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

struct chk_pfx {
	struct tg_prefix p;
	size_t owner;
};

static int chk_pfx_cmp(const void *a, const void *b)
{
	const struct chk_pfx *x = a, *y = b;
	int c;

	if (x->p.family != y->p.family)
		return x->p.family - y->p.family;
	c = memcmp(x->p.addr, y->p.addr, 16);
	if (c)
		return c;
	return x->p.len - y->p.len;
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

/* Why tg_sub_from_row() refused the row st is on. */
static void chk_row_cause(sqlite3_stmt *st, char *buf, size_t len)
{
	static const struct {
		int col;
		const char *field;
	} f[] = { { 3, "type" }, { 4, "remote" }, { 5, "local" },
		  { 9, "cookie" }, { 20, "peer_cookie" }, { 23, "peer_mac" } };
	struct tg_sub s;
	const char *txt;
	size_t i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		txt = (const char *)sqlite3_column_text(st, f[i].col);
		tg_sub_init(&s);
		if (f[i].col <= 5 && !txt) {
			snprintf(buf, len, "%s: missing", f[i].field);
			return;
		}
		if (!txt || !*txt ||
		    !tg_sub_set_field(&s, f[i].field, txt, buf, len)) {
			tg_sub_free(&s);
			continue;
		}
		/* buf holds the cause, naming field and value. */
		tg_sub_free(&s);
		return;
	}
	snprintf(buf, len, "invalid type, address, cookie or MAC in its row");
}

/*
 * Sort v (prefixes with their owner's index) and report each prefix that
 * overlaps another: sorted by start, nested ones follow.
 */
static void chk_overlaps(struct chk *c, struct chk_pfx *pf, size_t np,
			 const char *(*owner)(void *ctx, size_t i), void *ctx)
{
	char a[TG_PREFIX_STRLEN], b[TG_PREFIX_STRLEN];
	size_t i, act;

	if (np < 2)
		return;	/* nothing to sort; qsort() takes no NULL array */
	qsort(pf, np, sizeof(*pf), chk_pfx_cmp);
	for (i = 1, act = 0; i < np; i++) {
		if (!tg_prefix_overlap(&pf[act].p, &pf[i].p)) {
			act = i;
			continue;
		}
		tg_prefix_format(&pf[i].p, a, sizeof(a));
		tg_prefix_format(&pf[act].p, b, sizeof(b));
		chk_report(c, owner(ctx, pf[i].owner),
			   "prefix '%s': overlaps '%s' of subscriber '%s'", a, b,
			   owner(ctx, pf[act].owner));
	}
}

static const char *chk_sub_name(void *ctx, size_t i)
{
	return ((struct tg_sub *)ctx)[i].name;
}

static int chk_subs(sqlite3 *db, struct chk *c, __u32 capacity)
{
	struct chk_pfx *pf = NULL;
	struct chk_key *keys = NULL;
	struct tg_sub *v = NULL, *nv, *byid = NULL;
	struct tg_settings set;
	struct tg_class cls;
	sqlite3_stmt *st = NULL, *pst = NULL;
	char sql[1024], err[256], a[TG_PREFIX_STRLEN];
	const char *txt, *name;
	size_t n = 0, np = 0, i;
	struct tg_prefix p;
	int ret = -EIO, rc;

	snprintf(sql, sizeof(sql), "SELECT %s FROM subscriber ORDER BY name",
		 tg_sub_columns());
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
		if (tg_sub_from_row(st, &v[n])) {
			chk_row_cause(st, err, sizeof(err));
			chk_report(c, name, "%s", err);
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
		if (tg_sub_validate(&v[n], err, sizeof(err)))
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
		char e[256];
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
	struct chk_pfx *pf = NULL, *npf;
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

/* p cut to its first len bits. */
static void chk_prefix_cut(const struct tg_prefix *p, unsigned int len,
			   struct tg_prefix *q)
{
	unsigned int i;

	*q = *p;
	q->len = len;
	for (i = 0; i < 16; i++) {
		if (i * 8 >= len)
			q->addr[i] = 0;
		else if (i * 8 + 8 > len)
			q->addr[i] &= 0xff << (8 - len % 8);
	}
}

/*
 * A GLOB pattern matching the canonical text of every prefix inside p:
 * its fixed leading octets (IPv4), or its fixed leading hextets before
 * the first zero one, which "::" may hide (IPv6).
 */
static void chk_prefix_glob(const struct tg_prefix *p, char *buf, size_t len)
{
	size_t off = 0;
	unsigned int i, h;

	buf[0] = '\0';
	if (p->family == AF_INET) {
		for (i = 0; i < p->len / 8 && i < 4; i++)
			off += snprintf(buf + off, len - off, "%u.", p->addr[i]);
	} else {
		/*
		 * Text keeps a lone zero group ("0:"); a run of two or more
		 * may be written "::", so the pattern stops there, as it does
		 * at a zero group that the free bits may continue.
		 */
		for (i = 0; i < p->len / 16 && i < 8; i++) {
			h = p->addr[2 * i] << 8 | p->addr[2 * i + 1];
			if (!h && (i + 1 >= p->len / 16 ||
				   !(p->addr[2 * i + 2] | p->addr[2 * i + 3])))
				break;
			off += snprintf(buf + off, len - off, "%x:", h);
		}
	}
	snprintf(buf + off, len - off, "*");
}

int tg_db_prefix_overlap_subs(sqlite3 *db, const struct tg_sub *subs,
			      size_t n, char *msg, size_t len)
{
	char a[TG_PREFIX_STRLEN], b[TG_PREFIX_STRLEN], glob[64], err[64];
	sqlite3_stmt *eq = NULL, *in = NULL;
	const struct tg_prefix *p;
	struct tg_prefix q;
	const char *txt;
	unsigned int j, l;
	size_t i;
	int ret = -EIO, rc;

	if (sqlite3_prepare_v2(db, "SELECT s.name FROM prefix p"
			       " JOIN subscriber s ON s.id = p.subscriber_id"
			       " WHERE p.prefix = ? AND s.enabled = 1 AND s.id != ?",
			       -1, &eq, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT p.prefix, s.name FROM prefix p"
			       " JOIN subscriber s ON s.id = p.subscriber_id"
			       " WHERE p.prefix GLOB ? AND s.enabled = 1 AND s.id != ?",
			       -1, &in, NULL) != SQLITE_OK)
		goto out;
	for (i = 0; i < n; i++) {
		for (j = 0; j < subs[i].nprefix; j++) {
			p = &subs[i].prefix[j];
			tg_prefix_format(p, a, sizeof(a));
			/* Prefixes holding p: one lookup per shorter length. */
			for (l = 0; l <= p->len; l++) {
				chk_prefix_cut(p, l, &q);
				tg_prefix_format(&q, b, sizeof(b));
				sqlite3_reset(eq);
				sqlite3_bind_text(eq, 1, b, -1, SQLITE_TRANSIENT);
				sqlite3_bind_int64(eq, 2, subs[i].id);
				rc = sqlite3_step(eq);
				if (rc == SQLITE_ROW) {
					snprintf(msg, len, "subscriber '%s': prefix '%s': overlaps '%s' of subscriber '%s'",
						 subs[i].name, a, b,
						 (const char *)sqlite3_column_text(eq, 0));
					ret = 1;
					goto out;
				}
				if (rc != SQLITE_DONE)
					goto out;
			}
			/* Prefixes inside p: a range of the text index. */
			chk_prefix_glob(p, glob, sizeof(glob));
			sqlite3_reset(in);
			sqlite3_bind_text(in, 1, glob, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int64(in, 2, subs[i].id);
			while ((rc = sqlite3_step(in)) == SQLITE_ROW) {
				txt = (const char *)sqlite3_column_text(in, 0);
				if (!txt || tg_prefix_parse(txt, &q, err, sizeof(err)) ||
				    !tg_prefix_overlap(p, &q))
					continue;
				snprintf(msg, len, "subscriber '%s': prefix '%s': overlaps '%s' of subscriber '%s'",
					 subs[i].name, a, txt,
					 (const char *)sqlite3_column_text(in, 1));
				ret = 1;
				goto out;
			}
			if (rc != SQLITE_DONE)
				goto out;
		}
	}
	ret = 0;
out:
	sqlite3_finalize(eq);
	sqlite3_finalize(in);
	return ret;
}
