// SPDX-License-Identifier: GPL-2.0-only
/* Rate classes and community prefixes in the database. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cli.h"
#include "db/class.h"
#include "util/log.h"

const char *tg_scope_name(enum tg_scope s)
{
	return s == TG_SCOPE_COMMUNITY ? "community" : "internet";
}

int tg_scope_parse(const char *s, enum tg_scope *out)
{
	if (!strcmp(s, "internet"))
		*out = TG_SCOPE_INTERNET;
	else if (!strcmp(s, "community"))
		*out = TG_SCOPE_COMMUNITY;
	else
		return -EINVAL;
	return 0;
}

int tg_class_validate(const struct tg_class *c, char *err, size_t errlen)
{
	char b[32];

	if (tg_name_validate(c->name, err, errlen))
		return -EINVAL;
	if (c->down_rate > TG_RATE_MAX || c->up_rate > TG_RATE_MAX) {
		snprintf(err, errlen, "rate %llu: above %llu",
			 (unsigned long long)(c->down_rate > TG_RATE_MAX ?
					      c->down_rate : c->up_rate),
			 TG_RATE_MAX);
		return -EINVAL;
	}
	if (c->burst > TG_SIZE_MAX) {
		snprintf(err, errlen, "--burst %llu: above %llu",
			 (unsigned long long)c->burst, TG_SIZE_MAX);
		return -EINVAL;
	}
	if (c->burst < TG_CLASS_BURST_MIN) {
		tg_size_format(c->burst, b, sizeof(b));
		snprintf(err, errlen,
			 "--burst '%s': smaller than the smallest MTU (576 bytes)",
			 b);
		return -EINVAL;
	}
	return 0;
}

static int tg_class_from_row(sqlite3_stmt *st, struct tg_class *c)
{
	char err[128];

	if (!tg_class_read_row(st, c, err, sizeof(err)))
		return 0;
	pr_warn("database: class '%s': %s\n", c->name, err);
	return -EINVAL;
}

static int tg_class_query(sqlite3 *db, const char *name, struct tg_class **v,
			  size_t *n)
{
	struct tg_class *a = NULL, *na;
	char cols[128], sql[192];
	sqlite3_stmt *st = NULL;
	size_t cnt = 0;
	int err = -EIO, rc;

	if (tg_class_sql(TG_CSQL_COLUMNS, cols, sizeof(cols)))
		goto out;
	snprintf(sql, sizeof(sql), "SELECT %s FROM class %s", cols,
		 name ? "WHERE name = ?" : "ORDER BY name");
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		goto out;
	if (name)
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		na = realloc(a, (cnt + 1) * sizeof(*a));
		if (!na) {
			err = -ENOMEM;
			goto out;
		}
		a = na;
		err = tg_class_from_row(st, &a[cnt]);
		if (err)
			goto out;
		cnt++;
	}
	if (rc != SQLITE_DONE) {
		err = -EIO;
		goto out;
	}
	err = 0;
	*v = a;
	*n = cnt;
	a = NULL;
out:
	free(a);
	sqlite3_finalize(st);
	return err;
}

int tg_db_class_get(sqlite3 *db, const char *name, struct tg_class *c)
{
	struct tg_class *v;
	size_t n;
	int err;

	err = tg_class_query(db, name, &v, &n);
	if (err)
		return err;
	if (n)
		*c = v[0];
	free(v);
	return n ? 0 : -ENOENT;
}

int tg_db_class_list(sqlite3 *db, struct tg_class **v, size_t *n)
{
	return tg_class_query(db, NULL, v, n);
}

__u64 tg_burst_default(__u64 down_rate, __u64 up_rate)
{
	__u64 rate = down_rate > up_rate ? down_rate : up_rate, b;

	/* bits/s x ms / 8000 = bytes; 10 tbit/s x 200 ms fits easily. */
	b = rate / 8000 * TG_BURST_DEFAULT_MS +
	    rate % 8000 * TG_BURST_DEFAULT_MS / 8000;
	b = (b + 1023) / 1024 * 1024;
	if (b > TG_BURST_DEFAULT_MAX)
		return TG_BURST_DEFAULT_MAX;
	return b > TG_BURST_DEFAULT_MIN ? b : TG_BURST_DEFAULT_MIN;
}

/*
 * Note the subscribers taking their rates or scope from class name (those
 * without a class for 'default') as needing a sync.
 */
static int tg_class_mark_dirty(sqlite3 *db, const char *name)
{
	sqlite3_stmt *st;
	int err = 0;

	if (sqlite3_prepare_v2(db,
			       "INSERT OR IGNORE INTO dp_dirty SELECT dp_id FROM subscriber"
			       " WHERE dp_id IS NOT NULL AND (class = ?1"
			       " OR (?1 = 'default' AND class IS NULL))",
			       -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		err = -EIO;
	sqlite3_finalize(st);
	return err;
}

static int tg_class_write(sqlite3 *db, const struct tg_class *c, bool update)
{
	char sql[192];
	sqlite3_stmt *st;
	int err = 0;

	if (tg_class_sql(update ? TG_CSQL_UPDATE : TG_CSQL_INSERT, sql,
			 sizeof(sql)) ||
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	tg_class_bind(st, c);
	if (sqlite3_step(st) != SQLITE_DONE)
		err = -EIO;
	sqlite3_finalize(st);
	return err ? err : tg_class_mark_dirty(db, c->name);
}

int tg_db_class_insert(sqlite3 *db, const struct tg_class *c)
{
	return tg_class_write(db, c, false);
}

/* Names of the subscribers matching sql (one ? = class name), listed in buf. */
static int tg_class_users(sqlite3 *db, const char *sql, const char *name,
			  char *buf, size_t len)
{
	sqlite3_stmt *st;
	size_t off = 0;
	int n = 0, rc;

	buf[0] = '\0';
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n < 10 && off < len)
			off += snprintf(buf + off, len - off, "%s'%s'",
					n ? ", " : "",
					(const char *)sqlite3_column_text(st, 0));
		n++;
	}
	if (n > 10 && off < len)
		snprintf(buf + off, len - off, " and %d more", n - 10);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? n : -EIO;
}

static int tg_begin(sqlite3 *db, char *err, size_t errlen)
{
	if (!tg_db_exec(db, "BEGIN IMMEDIATE"))
		return 0;
	snprintf(err, errlen, "database busy or not writable: %s",
		 sqlite3_errmsg(db));
	return -EIO;
}

static int tg_commit(sqlite3 *db, int ret, char *err, size_t errlen)
{
	if (!ret) {
		ret = tg_db_exec(db, "COMMIT");
		if (ret)
			snprintf(err, errlen, "cannot commit: %s",
				 sqlite3_errmsg(db));
	}
	if (ret)
		tg_db_exec(db, "ROLLBACK");
	return ret;
}

int tg_db_class_add(sqlite3 *db, const struct tg_class *c, char *err,
		    size_t errlen)
{
	struct tg_class old;
	int ret;

	ret = tg_class_validate(c, err, errlen);
	if (ret)
		return ret;
	ret = tg_begin(db, err, errlen);
	if (ret)
		return ret;
	ret = tg_db_class_get(db, c->name, &old);
	if (!ret) {
		snprintf(err, errlen, "class '%s': already exists", c->name);
		ret = -EEXIST;
	} else if (ret == -ENOENT) {
		ret = tg_class_write(db, c, false);
		if (ret)
			snprintf(err, errlen, "cannot write: %s", sqlite3_errmsg(db));
	} else {
		snprintf(err, errlen, "cannot read the database");
	}
	return tg_commit(db, ret, err, errlen);
}

int tg_db_class_update(sqlite3 *db, const struct tg_class *c, char *err,
		       size_t errlen)
{
	char users[512], b[32], sql[256];
	struct tg_class old;
	int ret, n;

	ret = tg_class_validate(c, err, errlen);
	if (ret)
		return ret;
	ret = tg_begin(db, err, errlen);
	if (ret)
		return ret;
	ret = tg_db_class_get(db, c->name, &old);
	if (ret) {
		snprintf(err, errlen, ret == -ENOENT ? "class '%s' does not exist" :
			 "class '%s': cannot read the database", c->name);
		goto out;
	}
	/* Every subscriber taking its burst from the class must still fit. */
	snprintf(sql, sizeof(sql),
		 "SELECT name FROM subscriber WHERE (class = ?1%s) AND burst IS NULL AND mtu > %llu ORDER BY name",
		 strcmp(c->name, "default") ? "" : " OR class IS NULL",
		 (unsigned long long)c->burst);
	n = tg_class_users(db, sql, c->name, users, sizeof(users));
	if (n < 0) {
		ret = n;
		snprintf(err, errlen, "cannot read the database");
		goto out;
	}
	if (n) {
		tg_size_format(c->burst, b, sizeof(b));
		snprintf(err, errlen,
			 "--burst '%s': smaller than the MTU of %d subscriber%s of the class: %s",
			 b, n, n == 1 ? "" : "s", users);
		ret = -EINVAL;
		goto out;
	}
	ret = tg_class_write(db, c, true);
	if (ret)
		snprintf(err, errlen, "cannot write: %s", sqlite3_errmsg(db));
out:
	return tg_commit(db, ret, err, errlen);
}

int tg_db_class_del(sqlite3 *db, const char *name, char *err, size_t errlen)
{
	char users[512];
	sqlite3_stmt *st;
	int ret, n;

	ret = tg_begin(db, err, errlen);
	if (ret)
		return ret;
	n = tg_class_users(db, "SELECT name FROM subscriber WHERE class = ? ORDER BY name",
			   name, users, sizeof(users));
	if (n < 0) {
		ret = n;
		snprintf(err, errlen, "cannot read the database");
		goto out;
	}
	if (n) {
		snprintf(err, errlen, "class '%s': in use by %d subscriber%s: %s",
			 name, n, n == 1 ? "" : "s", users);
		ret = -EBUSY;
		goto out;
	}
	ret = -EIO;
	if (sqlite3_prepare_v2(db, "DELETE FROM class WHERE name = ?", -1, &st,
			       NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_DONE)
		ret = sqlite3_changes(db) ? 0 : -ENOENT;
	sqlite3_finalize(st);
	if (!ret)
		ret = tg_class_mark_dirty(db, name);
	if (ret == -ENOENT)
		snprintf(err, errlen, "class '%s' does not exist", name);
	else if (ret)
		snprintf(err, errlen, "cannot write: %s", sqlite3_errmsg(db));
out:
	return tg_commit(db, ret, err, errlen);
}

int tg_db_class_count(sqlite3 *db, const char *name)
{
	sqlite3_stmt *st;
	int n = -EIO;

	if (sqlite3_prepare_v2(db, strcmp(name, "default") ?
			       "SELECT count(*) FROM subscriber WHERE class = ?" :
			       "SELECT count(*) FROM subscriber WHERE class = ? OR class IS NULL",
			       -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

int tg_db_community_insert(sqlite3 *db, const struct tg_prefix *p,
			   sqlite3_stmt **st)
{
	char a[TG_PREFIX_STRLEN];

	if (!*st && sqlite3_prepare_v2(db, "INSERT INTO community(prefix) VALUES(?)",
				       -1, st, NULL) != SQLITE_OK)
		return -EIO;
	tg_prefix_format(p, a, sizeof(a));
	sqlite3_reset(*st);
	sqlite3_bind_text(*st, 1, a, -1, SQLITE_TRANSIENT);
	return sqlite3_step(*st) == SQLITE_DONE ? 0 : -EIO;
}

int tg_db_community_list(sqlite3 *db, struct tg_prefix **v, size_t *n)
{
	struct tg_prefix *a = NULL, *na;
	sqlite3_stmt *st = NULL;
	const char *txt;
	char e[64];
	size_t cnt = 0;
	int err = -EIO, rc;

	if (sqlite3_prepare_v2(db, "SELECT prefix FROM community ORDER BY prefix",
			       -1, &st, NULL) != SQLITE_OK)
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		na = realloc(a, (cnt + 1) * sizeof(*a));
		if (!na) {
			err = -ENOMEM;
			goto out;
		}
		a = na;
		txt = (const char *)sqlite3_column_text(st, 0);
		if (!txt || tg_prefix_parse(txt, &a[cnt], e, sizeof(e))) {
			pr_warn("database: community prefix '%s': %s\n",
				txt ? txt : "", e);
			err = -EINVAL;
			goto out;
		}
		cnt++;
	}
	if (rc != SQLITE_DONE)
		goto out;
	err = 0;
	*v = a;
	*n = cnt;
	a = NULL;
out:
	free(a);
	sqlite3_finalize(st);
	return err;
}

int tg_db_community_add(sqlite3 *db, const struct tg_prefix *p, char *err,
			size_t errlen)
{
	char a[TG_PREFIX_STRLEN], b[TG_PREFIX_STRLEN];
	struct tg_prefix *v = NULL;
	sqlite3_stmt *st;
	size_t n = 0, i;
	int ret;

	tg_prefix_format(p, a, sizeof(a));
	ret = tg_begin(db, err, errlen);
	if (ret)
		return ret;
	ret = tg_db_community_list(db, &v, &n);
	if (ret) {
		snprintf(err, errlen, "cannot read the database");
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (!tg_prefix_overlap(p, &v[i]))
			continue;
		tg_prefix_format(&v[i], b, sizeof(b));
		snprintf(err, errlen, "prefix '%s': %s community prefix '%s'",
			 a, tg_prefix_equal(p, &v[i]) ? "already is" : "overlaps",
			 b);
		ret = -EEXIST;
		goto out;
	}
	ret = -EIO;
	if (sqlite3_prepare_v2(db, "INSERT INTO community(prefix) VALUES(?)", -1,
			       &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_DONE)
		ret = 0;
	else
		snprintf(err, errlen, "cannot write: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
out:
	free(v);
	return tg_commit(db, ret, err, errlen);
}

int tg_db_community_del(sqlite3 *db, const struct tg_prefix *p)
{
	char a[TG_PREFIX_STRLEN];
	sqlite3_stmt *st;
	int err = -EIO;

	tg_prefix_format(p, a, sizeof(a));
	if (sqlite3_prepare_v2(db, "DELETE FROM community WHERE prefix = ?", -1,
			       &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_DONE)
		err = sqlite3_changes(db) ? 0 : -ENOENT;
	sqlite3_finalize(st);
	return err;
}
