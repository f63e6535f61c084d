// SPDX-License-Identifier: GPL-2.0-only
/* Subscriber rows: reading, adding, changing and deleting them, and
 * their checks against the other rows. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "db/anycast.h"
#include "db/overlap.h"
#include "db/sub.h"
#include "util/log.h"

static int tg_sub_load_prefixes(sqlite3_stmt *st, struct tg_sub *s)
{
	struct tg_prefix *p;
	char err[64];
	const char *txt;
	int rc;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, s->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		txt = (const char *)sqlite3_column_text(st, 0);
		p = realloc(s->prefix, (s->nprefix + 1) * sizeof(*p));
		if (!p)
			return -ENOMEM;
		s->prefix = p;
		if (!txt || tg_prefix_parse(txt, &p[s->nprefix], err,
					    sizeof(err))) {
			pr_warn("database: subscriber '%s': prefix '%s': %s\n",
				s->name, txt ? txt : "", err);
			return -EINVAL;
		}
		s->nprefix++;
	}
	return rc == SQLITE_DONE ? 0 : -EIO;
}

/* Row id -> index into the records, sorted by id. */
struct tg_sub_idx {
	__s64 id;
	size_t i;
};

static int tg_sub_idx_cmp(const void *a, const void *b)
{
	const struct tg_sub_idx *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* Find the record of rowid id through idx (sorted by id). */
static struct tg_sub *tg_sub_by_id(struct tg_sub *v, const struct tg_sub_idx *idx,
				   size_t n, __s64 id)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (idx[mid].id == id)
			return &v[idx[mid].i];
		if (idx[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Every prefix in one pass, attached to its record in v. */
static int tg_sub_load_all_prefixes(sqlite3 *db, struct tg_sub *v, size_t n)
{
	struct tg_sub_idx *idx = malloc((n + 1) * sizeof(*idx));
	sqlite3_stmt *st = NULL;
	struct tg_prefix p;
	struct tg_sub *s;
	const char *txt;
	char err[64];
	size_t i;
	int ret = -EIO, rc;

	if (!idx)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		idx[i].id = v[i].id;
		idx[i].i = i;
	}
	qsort(idx, n, sizeof(*idx), tg_sub_idx_cmp);
	if (sqlite3_prepare_v2(db,
			       "SELECT subscriber_id, prefix FROM prefix ORDER BY subscriber_id, rowid",
			       -1, &st, NULL) != SQLITE_OK)
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		s = tg_sub_by_id(v, idx, n, sqlite3_column_int64(st, 0));
		if (!s)
			continue;
		txt = (const char *)sqlite3_column_text(st, 1);
		if (!txt || tg_prefix_parse(txt, &p, err, sizeof(err))) {
			pr_warn("database: subscriber '%s': prefix '%s': %s\n",
				s->name, txt ? txt : "", err);
			ret = -EINVAL;
			goto out;
		}
		ret = tg_sub_add_prefix(s, &p);
		if (ret)
			goto out;
	}
	ret = rc == SQLITE_DONE ? 0 : -EIO;
out:
	free(idx);
	sqlite3_finalize(st);
	return ret;
}

/*
 * Rows matching where (with one ? bound to arg when not NULL). bulk: many
 * rows, prefixes read in one pass; else one prefix query per row.
 */
static int tg_db_sub_query(sqlite3 *db, const char *where, const char *arg,
			   bool bulk, struct tg_sub **subs, size_t *n)
{
	sqlite3_stmt *st = NULL, *pst = NULL;
	struct tg_sub *v = NULL, *nv;
	size_t cnt = 0, cap = 0;
	char sql[TG_SUB_SQL_MAX + 128], cols[TG_SUB_SQL_MAX];
	int err = -EIO, rc;

	/* Many rows: prefixes merged in one pass. */
	if (tg_sub_sql(TG_SQL_COLUMNS, cols, sizeof(cols)))
		goto out;
	snprintf(sql, sizeof(sql), "SELECT %s FROM subscriber %s%s", cols,
		 where, bulk || arg ? " ORDER BY name" : "");
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db,
			       "SELECT prefix FROM prefix WHERE subscriber_id = ? ORDER BY rowid",
			       -1, &pst, NULL) != SQLITE_OK) {
		pr_warn("database: %s\n", sqlite3_errmsg(db));
		goto out;
	}
	if (arg)
		sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (cnt == cap) {
			cap = cap ? cap * 2 : 16;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				err = -ENOMEM;
				goto out;
			}
			v = nv;
		}
		err = tg_sub_from_row(st, &v[cnt]);
		if (err)
			goto out;
		cnt++;
		if (!bulk) {
			err = tg_sub_load_prefixes(pst, &v[cnt - 1]);
			if (err)
				goto out;
		}
	}
	if (rc != SQLITE_DONE) {
		err = -EIO;
		goto out;
	}
	if (bulk) {
		err = tg_sub_load_all_prefixes(db, v, cnt);
		if (err)
			goto out;
	}
	err = 0;
	*subs = v;
	*n = cnt;
	v = NULL;
	cnt = 0;
out:
	tg_sub_list_free(v, cnt);
	sqlite3_finalize(st);
	sqlite3_finalize(pst);
	return err;
}

int tg_db_sub_list(sqlite3 *db, bool enabled_only, struct tg_sub **subs,
		   size_t *n)
{
	return tg_db_sub_query(db, enabled_only ? "WHERE " TG_SUB_LIVE : "",
			       NULL, true, subs, n);
}

int tg_db_sub_list_type(sqlite3 *db, enum tg_tunnel_type type,
			struct tg_sub **subs, size_t *n)
{
	return tg_db_sub_query(db, "WHERE " TG_SUB_LIVE " AND type = ?",
			       tg_tun_type_name(type), true, subs, n);
}

int tg_db_sub_list_dirty(sqlite3 *db, struct tg_sub **subs, size_t *n)
{
	return tg_db_sub_query(db,
			       "WHERE " TG_SUB_LIVE " AND dp_id IN (SELECT dp_id FROM dp_dirty)",
			       NULL, false, subs, n);
}

int tg_db_sub_find_user(sqlite3 *db, const char *user, struct tg_sub **v,
			size_t *n)
{
	return tg_db_sub_query(db, "WHERE ppp_user = ?", user, false, v, n);
}

int tg_db_sub_get(sqlite3 *db, const char *name, struct tg_sub *s)
{
	struct tg_sub *v;
	size_t n;
	int err;

	err = tg_db_sub_query(db, "WHERE name = ?", name, false, &v, &n);
	if (err)
		return err;
	if (!n) {
		free(v);
		return -ENOENT;
	}
	*s = v[0];
	free(v);
	return 0;
}

int tg_db_sub_name(sqlite3 *db, __u32 dp_id, char *buf, size_t len)
{
	sqlite3_stmt *st;
	int err = -EIO, rc;

	if (sqlite3_prepare_v2(db, "SELECT name FROM subscriber WHERE dp_id = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(st, 1, dp_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(buf, len, "%s", (const char *)sqlite3_column_text(st, 0));
		err = 0;
	} else if (rc == SQLITE_DONE) {
		err = -ENOENT;
	}
	sqlite3_finalize(st);
	return err;
}

int tg_db_sub_del(sqlite3 *db, const char *name)
{
	sqlite3_stmt *st;
	int err = 0;

	if (sqlite3_prepare_v2(db, "DELETE FROM subscriber WHERE name = ?", -1,
			       &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		err = -EIO;
	else if (!sqlite3_changes(db))
		err = -ENOENT;
	sqlite3_finalize(st);
	return err;
}

/*
 * A value of column only one subscriber may have (opt names it): 0,
 * -EEXIST with the other's name in err, or -EIO.
 */
static int sub_unique_text(sqlite3 *db, const char *column, const char *opt,
			   const char *v, __s64 self, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	char sql[96];
	int rc;

	snprintf(sql, sizeof(sql),
		 "SELECT name FROM subscriber WHERE %s = ? AND id != ?", column);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(db));
		return -EIO;
	}
	sqlite3_bind_text(st, 1, v, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, self);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(err, errlen, "%s '%s': subscriber '%s' has it", opt, v,
			 (const char *)sqlite3_column_text(st, 0));
	else if (rc != SQLITE_DONE)
		snprintf(err, errlen, "%s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? -EEXIST : rc == SQLITE_DONE ? 0 : -EIO;
}

/* Class c of s, the class 'default' when s names none: 0 or -ENOENT. */
static int tg_sub_class(sqlite3 *db, const struct tg_sub *s,
			struct tg_class *c)
{
	return tg_db_class_get(db, *s->cls ? s->cls : "default", c);
}

int tg_db_sub_conflicts(sqlite3 *db, const struct tg_sub *s, __s64 self,
			char *err, size_t errlen)
{
	char sql[TG_SUB_SQL_MAX + 128], cols[TG_SUB_SQL_MAX];
	char a[TG_PREFIX_STRLEN], remote[16], local[16];
	struct tg_prefix_clash pc;
	sqlite3_stmt *st = NULL;
	struct tg_tun_key k, ok;
	struct tg_class c;
	struct tg_sub o;
	int ret, rc;

	ret = tg_sub_class(db, s, &c);
	if (ret == -ENOENT && *s->cls) {
		snprintf(err, errlen, "--class '%s': no such class", s->cls);
		return -EINVAL;
	}
	if (!ret && !s->has_burst && c.burst < s->mtu) {
		tg_size_format(c.burst, a, sizeof(a));
		snprintf(err, errlen,
			 "--mtu '%u': larger than the burst %s of class '%s'; give a --burst of at least one MTU",
			 s->mtu, a, c.name);
		return -EINVAL;
	}
	if (ret && ret != -ENOENT)
		goto io;

	ret = -EIO;
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM subscriber WHERE name = ? AND id != ?",
			       -1, &st, NULL) != SQLITE_OK)
		goto io;
	sqlite3_bind_text(st, 1, s->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, self);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	st = NULL;
	if (rc == SQLITE_ROW) {
		snprintf(err, errlen, "name '%s': already exists", s->name);
		return -EEXIST;
	}
	if (rc != SQLITE_DONE)
		goto io;
	if (tg_sub_member(s)) {
		ret = sub_unique_text(db, "ppp_user", "--user", s->user, self,
				      err, errlen);
		if (ret)
			return ret;
		/* Its tunnel identity is its session's. */
		goto prefixes;
	}
	if (s->type == TG_TUN_WIREGUARD) {
		/* Its key is its identity. */
		ret = sub_unique_text(db, "wg_public_key", "--public-key",
				      s->wg_key, self, err, errlen);
		if (ret)
			return ret;
		goto prefixes;
	}

	tg_sub_tun_key(s, &k);
	tg_ip4_format(s->remote, remote, sizeof(remote));
	tg_ip4_format(s->local, local, sizeof(local));
	if (tg_sub_sql(TG_SQL_COLUMNS, cols, sizeof(cols)))
		goto io;
	snprintf(sql, sizeof(sql), "SELECT %s FROM subscriber "
		 "WHERE remote = ? AND local = ? AND type = ? AND id != ?", cols);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		goto io;
	sqlite3_bind_text(st, 1, remote, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, local, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, tg_tun_type_name(s->type), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, self);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (tg_sub_from_row(st, &o))
			continue;
		tg_sub_tun_key(&o, &ok);
		if (!memcmp(&k, &ok, sizeof(k))) {
			snprintf(err, errlen,
				 "tunnel: subscriber '%s' has the same type, --remote, --local and id",
				 o.name);
			sqlite3_finalize(st);
			return -EEXIST;
		}
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_DONE)
		goto io;
prefixes:
	if (!s->nprefix)
		return 0;
	ret = tg_anycast_holds(db, s->prefix, s->nprefix, err, errlen);
	if (ret == 1)
		return -EEXIST;
	if (ret)
		goto io;
	ret = tg_db_prefix_clash(db, s->prefix, s->nprefix, self, false, &pc);
	if (ret == 1) {
		snprintf(err, errlen, "--prefix '%s': overlaps '%s' of subscriber '%s'",
			 pc.prefix, pc.other, pc.owner);
		return -EEXIST;
	}
	if (!ret)
		return 0;
io:
	snprintf(err, errlen, "cannot read the database: %s", sqlite3_errmsg(db));
	return -EIO;
}

static int tg_db_prefixes_insert(sqlite3 *db, const struct tg_sub *s)
{
	char pfx[TG_PREFIX_STRLEN];
	sqlite3_stmt *st = NULL;
	unsigned int i;
	int err = -EIO;

	if (sqlite3_prepare_v2(db,
			       "INSERT INTO prefix(subscriber_id, prefix) VALUES(?, ?)",
			       -1, &st, NULL) != SQLITE_OK)
		goto out;
	for (i = 0; i < s->nprefix; i++) {
		tg_prefix_format(&s->prefix[i], pfx, sizeof(pfx));
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, s->id);
		sqlite3_bind_text(st, 2, pfx, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto out;
	}
	err = 0;
out:
	sqlite3_finalize(st);
	return err;
}

int tg_db_sub_insert(sqlite3 *db, struct tg_sub *s)
{
	sqlite3_stmt *st = NULL, *pst = NULL;
	int err;

	err = tg_db_sub_insert_cached(db, s, &st, &pst);
	sqlite3_finalize(st);
	sqlite3_finalize(pst);
	return err;
}

int tg_db_sub_insert_cached(sqlite3 *db, struct tg_sub *s, sqlite3_stmt **ins,
			    sqlite3_stmt **pins)
{
	char pfx[TG_PREFIX_STRLEN], sql[TG_SUB_SQL_MAX];
	unsigned int i;
	int err = -EIO;

	if (!*ins && (tg_sub_sql(TG_SQL_INSERT, sql, sizeof(sql)) ||
		      sqlite3_prepare_v2(db, sql, -1, ins, NULL) != SQLITE_OK))
		goto out;
	if (!*pins && sqlite3_prepare_v2(db,
			       "INSERT INTO prefix(subscriber_id, prefix) VALUES(?, ?)",
			       -1, pins, NULL) != SQLITE_OK)
		goto out;
	sqlite3_reset(*ins);
	tg_sub_bind(*ins, s);
	if (sqlite3_step(*ins) != SQLITE_DONE)
		goto out;
	s->id = sqlite3_last_insert_rowid(db);
	for (i = 0; i < s->nprefix; i++) {
		tg_prefix_format(&s->prefix[i], pfx, sizeof(pfx));
		sqlite3_reset(*pins);
		sqlite3_bind_int64(*pins, 1, s->id);
		sqlite3_bind_text(*pins, 2, pfx, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(*pins) != SQLITE_DONE)
			goto out;
	}
	err = 0;
out:
	if (err)
		pr_warn("database: subscriber '%s': %s\n", s->name,
			sqlite3_errmsg(db));
	return err;
}

int tg_db_sub_replace(sqlite3 *db, struct tg_sub *s)
{
	char sql[TG_SUB_SQL_MAX];
	sqlite3_stmt *st = NULL;
	int err = -EIO;

	if (tg_sub_sql(TG_SQL_UPDATE, sql, sizeof(sql)) ||
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		goto out;
	tg_sub_bind(st, s);
	sqlite3_bind_int64(st, tg_sub_ncolumns() + 1, s->id);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto out;
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(db, "DELETE FROM prefix WHERE subscriber_id = ?",
			       -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(st, 1, s->id);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto out;
	err = tg_db_prefixes_insert(db, s);
out:
	if (err)
		pr_warn("database: subscriber '%s': %s\n", s->name,
			sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return err;
}

static int sub_add(sqlite3 *db, struct tg_sub *s, bool radius,
		   tg_sub_add_fn then, void *ctx, char *err, size_t errlen)
{
	__u32 dp_id;
	int ret;

	ret = tg_sub_validate(s, err, errlen);
	if (ret)
		return ret;
	if (tg_db_exec(db, "BEGIN IMMEDIATE")) {
		snprintf(err, errlen, "database busy or not writable: %s",
			 sqlite3_errmsg(db));
		return -EIO;
	}
	ret = tg_db_sub_conflicts(db, s, 0, err, errlen);
	if (ret)
		goto out;
	ret = tg_db_dp_id_alloc(db, TG_MAX_SUBS_DEFAULT, &dp_id);
	if (ret) {
		snprintf(err, errlen, "no free data plane id below %u",
			 TG_MAX_SUBS_DEFAULT);
		goto out;
	}
	s->dp_id = dp_id;
	ret = tg_db_sub_insert(db, s);
	if (!ret && radius)
		ret = tg_db_exec_id(db, "UPDATE subscriber SET origin = 'radius'"
				    " WHERE id = ?", s->id);
	if (ret) {
		snprintf(err, errlen, "cannot write: %s", sqlite3_errmsg(db));
		goto out;
	}
	if (then) {
		ret = then(db, s, ctx, err, errlen);
		if (ret)
			goto out;
	}
	ret = tg_db_exec(db, "COMMIT");
	if (ret)
		snprintf(err, errlen, "cannot commit: %s", sqlite3_errmsg(db));
out:
	if (ret) {
		tg_db_exec(db, "ROLLBACK");
		s->dp_id = 0;
	}
	return ret;
}

int tg_db_sub_add(sqlite3 *db, struct tg_sub *s, char *err, size_t errlen)
{
	return sub_add(db, s, false, NULL, NULL, err, errlen);
}

int tg_db_sub_add_then(sqlite3 *db, struct tg_sub *s, tg_sub_add_fn then,
		       void *ctx, char *err, size_t errlen)
{
	return sub_add(db, s, false, then, ctx, err, errlen);
}

int tg_db_sub_add_radius(sqlite3 *db, struct tg_sub *s, char *err,
			 size_t errlen)
{
	return sub_add(db, s, true, NULL, NULL, err, errlen);
}

int tg_db_exec_id(sqlite3 *db, const char *sql, __s64 id)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

int tg_db_sub_origin(sqlite3 *db, const char *name, bool *radius)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT origin = 'radius' FROM subscriber"
			       " WHERE name = ?", -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*radius = sqlite3_column_int(st, 0) != 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : -EIO;
}

int tg_db_sub_update(sqlite3 *db, const char *old_name, struct tg_sub *s,
		     char *err, size_t errlen)
{
	struct tg_sub old;
	int ret;

	ret = tg_sub_validate(s, err, errlen);
	if (ret)
		return ret;
	if (tg_db_exec(db, "BEGIN IMMEDIATE")) {
		snprintf(err, errlen, "database busy or not writable: %s",
			 sqlite3_errmsg(db));
		return -EIO;
	}
	ret = tg_db_sub_get(db, old_name, &old);
	if (ret) {
		snprintf(err, errlen, ret == -ENOENT ?
			 "subscriber '%s' does not exist" :
			 "subscriber '%s': cannot read the database", old_name);
		goto out;
	}
	s->id = old.id;
	s->dp_id = old.dp_id;
	tg_sub_free(&old);
	ret = tg_db_sub_conflicts(db, s, s->id, err, errlen);
	if (ret)
		goto out;
	ret = tg_db_sub_replace(db, s);
	if (ret) {
		snprintf(err, errlen, "cannot write: %s", sqlite3_errmsg(db));
		goto out;
	}
	ret = tg_db_exec(db, "COMMIT");
	if (ret)
		snprintf(err, errlen, "cannot commit: %s", sqlite3_errmsg(db));
out:
	if (ret)
		tg_db_exec(db, "ROLLBACK");
	return ret;
}
