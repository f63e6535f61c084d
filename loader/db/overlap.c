// SPDX-License-Identifier: GPL-2.0-only
/*
 * Overlapping subscriber prefixes: among prefixes in memory (check,
 * import) and of some subscribers against the database's (sub add/set,
 * sync).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "db/overlap.h"

static int tg_owned_prefix_cmp(const void *a, const void *b)
{
	const struct tg_owned_prefix *x = a, *y = b;
	int c;

	if (x->p.family != y->p.family)
		return x->p.family - y->p.family;
	c = memcmp(x->p.addr, y->p.addr, 16);
	if (c)
		return c;
	return x->p.len - y->p.len;
}

size_t tg_prefix_overlaps(struct tg_owned_prefix *v, size_t n,
			  tg_overlap_fn found, void *ctx)
{
	size_t i, act, cnt = 0;

	if (n < 2)
		return 0;	/* nothing to sort; qsort() takes no NULL array */
	qsort(v, n, sizeof(*v), tg_owned_prefix_cmp);
	/* Sorted by start, a nested prefix follows its container. */
	for (i = 1, act = 0; i < n; i++) {
		if (!tg_prefix_overlap(&v[act].p, &v[i].p)) {
			act = i;
			continue;
		}
		found(ctx, &v[i], &v[act]);
		cnt++;
	}
	return cnt;
}

/* p cut to its first len bits. */
static void tg_prefix_cut(const struct tg_prefix *p, unsigned int len,
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
static void tg_prefix_glob(const struct tg_prefix *p, char *buf, size_t len)
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

static void tg_clash_fill(struct tg_prefix_clash *o, unsigned int index,
			  const struct tg_prefix *p, const char *other,
			  const unsigned char *owner)
{
	o->index = index;
	tg_prefix_format(p, o->prefix, sizeof(o->prefix));
	snprintf(o->other, sizeof(o->other), "%s", other);
	snprintf(o->owner, sizeof(o->owner), "%s", owner ? (const char *)owner : "");
}

int tg_db_prefix_clash(sqlite3 *db, const struct tg_prefix *pfx, unsigned int n,
		       __s64 self, bool enabled_only, struct tg_prefix_clash *o)
{
	const char *en = enabled_only ? " AND s.enabled = 1" : "";
	char b[TG_PREFIX_STRLEN], glob[64], err[64], sql[256];
	sqlite3_stmt *eq = NULL, *in = NULL;
	const struct tg_prefix *p;
	struct tg_prefix q;
	const char *txt;
	unsigned int j, l;
	int ret = -EIO, rc;

	snprintf(sql, sizeof(sql), "SELECT s.name FROM prefix p"
		 " JOIN subscriber s ON s.id = p.subscriber_id"
		 " WHERE p.prefix = ?1 AND s.id != ?2%s", en);
	if (sqlite3_prepare_v2(db, sql, -1, &eq, NULL) != SQLITE_OK)
		goto out;
	snprintf(sql, sizeof(sql), "SELECT p.prefix, s.name FROM prefix p"
		 " JOIN subscriber s ON s.id = p.subscriber_id"
		 " WHERE p.prefix GLOB ?1 AND s.id != ?2%s", en);
	if (sqlite3_prepare_v2(db, sql, -1, &in, NULL) != SQLITE_OK)
		goto out;
	for (j = 0; j < n; j++) {
		p = &pfx[j];
		/* Prefixes holding p: one lookup per shorter length. */
		for (l = 0; l <= p->len; l++) {
			tg_prefix_cut(p, l, &q);
			tg_prefix_format(&q, b, sizeof(b));
			sqlite3_reset(eq);
			sqlite3_bind_text(eq, 1, b, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int64(eq, 2, self);
			rc = sqlite3_step(eq);
			if (rc == SQLITE_ROW) {
				tg_clash_fill(o, j, p, b, sqlite3_column_text(eq, 0));
				ret = 1;
				goto out;
			}
			if (rc != SQLITE_DONE)
				goto out;
		}
		/* Prefixes inside p: a range of the text index. */
		tg_prefix_glob(p, glob, sizeof(glob));
		sqlite3_reset(in);
		sqlite3_bind_text(in, 1, glob, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(in, 2, self);
		while ((rc = sqlite3_step(in)) == SQLITE_ROW) {
			txt = (const char *)sqlite3_column_text(in, 0);
			if (!txt || tg_prefix_parse(txt, &q, err, sizeof(err)) ||
			    !tg_prefix_overlap(p, &q))
				continue;
			tg_clash_fill(o, j, p, txt, sqlite3_column_text(in, 1));
			ret = 1;
			goto out;
		}
		if (rc != SQLITE_DONE)
			goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(eq);
	sqlite3_finalize(in);
	return ret;
}
