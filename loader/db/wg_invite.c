// SPDX-License-Identifier: GPL-2.0-only
/* Invitations of WireGuard members (see wg_invite.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <nettle/base64.h>
#include <nettle/sha2.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "util/cli.h"
#include "db/anycast.h"
#include "db/db.h"
#include "db/wg_invite.h"

int tg_wg_token_new(char token[TG_WG_TOKEN_LEN + 1])
{
	struct base64_encode_ctx ctx;
	__u8 raw[TG_WG_TOKEN_BYTES];
	size_t n;

	if (getrandom(raw, sizeof(raw), 0) != sizeof(raw))
		return errno ? -errno : -EIO;
	/* 18 bytes are 24 digits exactly: no padding to finish. */
	base64url_encode_init(&ctx);
	n = base64_encode_update(&ctx, token, sizeof(raw), raw);
	n += base64_encode_final(&ctx, token + n);
	token[n] = '\0';
	memset(raw, 0, sizeof(raw));
	return n == TG_WG_TOKEN_LEN ? 0 : -EIO;
}

bool tg_wg_token_wellformed(const char *token)
{
	size_t n = strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

	return n == TG_WG_TOKEN_LEN && !token[n];
}

void tg_wg_token_hash(const char *token, char hex[TG_WG_HASH_HEX + 1])
{
	__u8 d[SHA256_DIGEST_SIZE];
	struct sha256_ctx ctx;
	int i;

	sha256_init(&ctx);
	sha256_update(&ctx, strlen(token), (const __u8 *)token);
	sha256_digest(&ctx, sizeof(d), d);
	for (i = 0; i < SHA256_DIGEST_SIZE; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

int tg_wg_duration_parse(const char *s, __s64 *secs)
{
	char num[24];
	size_t n = strspn(s, "0123456789");
	__u64 v, unit = 1;

	if (!n || n >= sizeof(num) || (s[n] && s[n + 1]))
		return -EINVAL;
	switch (s[n]) {
	case '\0':
	case 's':
		break;
	case 'm':
		unit = 60;
		break;
	case 'h':
		unit = 3600;
		break;
	case 'd':
		unit = 86400;
		break;
	default:
		return -EINVAL;
	}
	memcpy(num, s, n);
	num[n] = '\0';
	if (tg_parse_u64(num, 1, TG_WG_EXPIRES_MAX, &v) ||
	    v * unit > TG_WG_EXPIRES_MAX)
		return -EINVAL;
	*secs = v * unit;
	return 0;
}

/* Space separated prefixes into p: 0 or -EINVAL. */
static int invite_prefixes(const char *txt, struct tg_prefix *p,
			   unsigned int *n)
{
	char a[TG_PREFIX_STRLEN + 1], why[96];
	size_t len;

	*n = 0;
	while (*txt) {
		len = strcspn(txt, " ");
		if (!len || len >= sizeof(a) || *n == TG_SUB_PREFIX_MAX)
			return -EINVAL;
		memcpy(a, txt, len);
		a[len] = '\0';
		if (tg_prefix_parse(a, &p[(*n)++], why, sizeof(why)))
			return -EINVAL;
		txt += len;
		txt += strspn(txt, " ");
	}
	return *n ? 0 : -EINVAL;
}

/*
 * v (of *cap items of size) with room for item n: v itself, a larger
 * copy, or NULL (v is left as it is).
 */
static void *grow(void *v, size_t n, size_t *cap, size_t size)
{
	void *nv;

	if (n < *cap)
		return v;
	nv = realloc(v, (*cap ? 2 * *cap : 16) * size);
	if (nv)
		*cap = *cap ? 2 * *cap : 16;
	return nv;
}

#define INVITE_COLS "name, class, prefixes, listen_port, created, expires," \
	" used, used_key"

/* The row of st (INVITE_COLS) into iv: 0 or -EIO (a row made by hand). */
static int invite_row(sqlite3_stmt *st, struct tg_wg_invite *iv)
{
	const char *t;

	memset(iv, 0, sizeof(*iv));
	snprintf(iv->name, sizeof(iv->name), "%s",
		 (const char *)sqlite3_column_text(st, 0));
	snprintf(iv->cls, sizeof(iv->cls), "%s",
		 (const char *)sqlite3_column_text(st, 1));
	if (invite_prefixes((const char *)sqlite3_column_text(st, 2),
			    iv->prefix, &iv->nprefix))
		return -EIO;
	iv->has_listen_port = sqlite3_column_type(st, 3) != SQLITE_NULL;
	iv->listen_port = sqlite3_column_int(st, 3);
	iv->created = sqlite3_column_int64(st, 4);
	iv->expires = sqlite3_column_int64(st, 5);
	iv->used = sqlite3_column_int64(st, 6);
	t = (const char *)sqlite3_column_text(st, 7);
	snprintf(iv->used_key, sizeof(iv->used_key), "%s", t ? t : "");
	return 0;
}

int tg_db_wg_invite_add(sqlite3 *db, const struct tg_wg_invite *iv,
			const char *hash)
{
	char txt[TG_WG_PREFIXES_MAX + 1], a[TG_PREFIX_STRLEN];
	sqlite3_stmt *st;
	size_t off = 0;
	unsigned int i;
	int rc;

	for (i = 0; i < iv->nprefix; i++) {
		tg_prefix_format(&iv->prefix[i], a, sizeof(a));
		off += snprintf(txt + off, off < sizeof(txt) ? sizeof(txt) - off : 0,
				"%s%s", i ? " " : "", a);
	}
	if (off >= sizeof(txt))
		return -EINVAL;
	if (sqlite3_prepare_v2(db, "INSERT INTO wg_invite(name, token_hash, class,"
			       " prefixes, listen_port, created, expires)"
			       " VALUES (?, ?, ?, ?, ?, ?, ?)", -1, &st,
			       NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(st, 1, iv->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, iv->cls, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, txt, -1, SQLITE_STATIC);
	if (iv->has_listen_port)
		sqlite3_bind_int(st, 5, iv->listen_port);
	sqlite3_bind_int64(st, 6, iv->created);
	sqlite3_bind_int64(st, 7, iv->expires);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_CONSTRAINT)
		return -EEXIST;
	return rc == SQLITE_DONE ? 0 : -EIO;
}

int tg_db_wg_invite_list(sqlite3 *db, struct tg_wg_invite **v, size_t *n)
{
	struct tg_wg_invite *nv;
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc, ret = 0;

	*v = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(db, "SELECT " INVITE_COLS " FROM wg_invite"
			       " ORDER BY name", -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		nv = grow(*v, *n, &cap, sizeof(**v));
		if (!nv) {
			ret = -ENOMEM;
			break;
		}
		*v = nv;
		ret = invite_row(st, &(*v)[*n]);
		if (ret)
			break;
		(*n)++;
	}
	if (!ret && rc != SQLITE_DONE)
		ret = -EIO;
	sqlite3_finalize(st);
	if (ret) {
		free(*v);
		*v = NULL;
		*n = 0;
	}
	return ret;
}

int tg_db_wg_invite_del(sqlite3 *db, const char *name)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, "DELETE FROM wg_invite WHERE name = ?", -1,
			       &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return -EIO;
	return sqlite3_changes(db) ? 0 : -ENOENT;
}

int tg_db_wg_invite_find(sqlite3 *db, const char *hash,
			 struct tg_wg_invite *iv)
{
	sqlite3_stmt *st;
	int rc, ret;

	if (sqlite3_prepare_v2(db, "SELECT " INVITE_COLS " FROM wg_invite"
			       " WHERE token_hash = ?", -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	ret = rc == SQLITE_ROW ? invite_row(st, iv) :
	      rc == SQLITE_DONE ? -ENOENT : -EIO;
	sqlite3_finalize(st);
	return ret;
}

int tg_db_wg_invite_use(sqlite3 *db, const char *hash, const char *key,
			__s64 now)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, "UPDATE wg_invite SET used = ?3, used_key = ?2"
			       " WHERE token_hash = ?1 AND used IS NULL"
			       " AND expires > ?3", -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return -EIO;
	return sqlite3_changes(db) == 1 ? 0 : -ESTALE;
}

int tg_wg_invite_sub(const struct tg_wg_invite *iv, const char *key,
		     struct tg_sub *s, char *err, size_t errlen)
{
	/* 32 zero bytes: a key no router has, checked as a key. */
	static const char placeholder[] =
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
	unsigned int i;

	tg_sub_init(s);
	snprintf(s->name, sizeof(s->name), "%s", iv->name);
	s->type = TG_TUN_WIREGUARD;
	snprintf(s->cls, sizeof(s->cls), "%s", iv->cls);
	s->has_listen_port = iv->has_listen_port;
	s->listen_port = iv->listen_port;
	if (tg_sub_set_field(s, "public_key", key ? key : placeholder, err,
			     errlen))
		return -EINVAL;
	for (i = 0; i < iv->nprefix; i++)
		if (tg_sub_add_prefix(s, &iv->prefix[i])) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
	return tg_sub_validate(s, err, errlen);
}

/* Prefixes taken in db (of family af): subscribers', invitations', anycast. */
static int pool_taken(sqlite3 *db, int af, struct tg_prefix **v, size_t *n)
{
	struct tg_prefix p[TG_SUB_PREFIX_MAX], *nv;
	struct tg_anycast ac;
	sqlite3_stmt *st;
	size_t cap = 0;
	unsigned int np, i;
	char why[192];
	int rc, ret = 0;

	*v = NULL;
	*n = 0;
	if (tg_anycast_load(db, &ac, why, sizeof(why)))
		ac.n = 0;
	if (sqlite3_prepare_v2(db, "SELECT prefix FROM prefix UNION ALL"
			       " SELECT prefixes FROM wg_invite WHERE used IS NULL"
			       " AND expires > ?", -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(st, 1, (__s64)time(NULL));
	for (rc = SQLITE_ROW; !ret;) {
		if (rc == SQLITE_ROW)
			rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			if (invite_prefixes((const char *)sqlite3_column_text(st, 0),
					    p, &np))
				continue;
		} else if (rc == SQLITE_DONE && ac.n) {
			memcpy(p, ac.p, ac.n * sizeof(*p));
			np = ac.n;
			ac.n = 0;
		} else {
			break;
		}
		for (i = 0; i < np; i++) {
			if (p[i].family != af)
				continue;
			nv = grow(*v, *n, &cap, sizeof(**v));
			if (!nv) {
				ret = -ENOMEM;
				break;
			}
			*v = nv;
			(*v)[(*n)++] = p[i];
		}
	}
	if (!ret && rc != SQLITE_DONE)
		ret = -EIO;
	sqlite3_finalize(st);
	if (ret) {
		free(*v);
		*v = NULL;
	}
	return ret;
}

/* a + one block of length len; false when it wraps past the end. */
static bool block_next(struct tg_prefix *a, unsigned int len)
{
	int i = ((int)len - 1) / 8;
	unsigned int add = 1U << (7 - ((int)len + 7) % 8), sum;

	if (!len)
		return false;
	for (; i >= 0; i--) {
		sum = a->addr[i] + add;
		a->addr[i] = sum & 0xff;
		if (sum < 0x100)
			return true;
		add = 1;
	}
	return false;
}

int tg_db_wg_pool_next(sqlite3 *db, const struct tg_prefix *pool,
		       unsigned int share, struct tg_prefix *out)
{
	struct tg_prefix *taken, c;
	bool moved;
	size_t n, i;
	int ret;

	ret = pool_taken(db, pool->family, &taken, &n);
	if (ret)
		return ret;
	c = *pool;
	c.len = share;
	ret = -ENOSPC;
	for (;;) {
		if (!tg_prefix_overlap(&c, pool))
			break;
		for (i = 0, moved = false; i < n && !moved; i++) {
			if (!tg_prefix_overlap(&c, &taken[i]))
				continue;
			/* Past the taken block when it holds c, else past c. */
			if (taken[i].len < share) {
				memcpy(c.addr, taken[i].addr, sizeof(c.addr));
				moved = block_next(&c, taken[i].len);
			} else {
				moved = block_next(&c, share);
			}
			if (!moved)
				goto out;
		}
		if (!moved) {
			*out = c;
			ret = 0;
			break;
		}
	}
out:
	free(taken);
	return ret;
}

int tg_db_wg_invite_clash(sqlite3 *db, const char *name,
			  const struct tg_prefix *p, unsigned int n,
			  char owner[TG_NAME_MAX + 1],
			  char other[TG_PREFIX_STRLEN])
{
	struct tg_prefix q[TG_SUB_PREFIX_MAX];
	sqlite3_stmt *st;
	unsigned int nq, i, j;
	int rc, ret = 0;

	if (sqlite3_prepare_v2(db, "SELECT name, prefixes FROM wg_invite"
			       " WHERE used IS NULL AND expires > ? AND name != ?",
			       -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(st, 1, (__s64)time(NULL));
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	while (!ret && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (invite_prefixes((const char *)sqlite3_column_text(st, 1),
				    q, &nq))
			continue;
		for (i = 0; i < n && !ret; i++)
			for (j = 0; j < nq && !ret; j++)
				if (tg_prefix_overlap(&p[i], &q[j])) {
					snprintf(owner, TG_NAME_MAX + 1, "%s",
						 (const char *)sqlite3_column_text(st, 0));
					tg_prefix_format(&q[j], other,
							 TG_PREFIX_STRLEN);
					ret = 1;
				}
	}
	if (!ret && rc != SQLITE_DONE)
		ret = -EIO;
	sqlite3_finalize(st);
	return ret;
}
