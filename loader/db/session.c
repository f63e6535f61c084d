// SPDX-License-Identifier: GPL-2.0-only
/* The session table: what the LNS has up, for the sync and the CLI. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <nettle/sha2.h>

#include "db/conn.h"
#include "db/session.h"
#include "db/settings.h"

#define SESSION_COLUMNS							\
	"x.subscriber_id, s.name, s.ppp_user, x.remote, x.local,"	\
	" x.peer_port, x.local_port, x.tunnel_id, x.session_id,"	\
	" x.peer_tunnel_id, x.peer_session, x.started, x.lac, x.kill,"	\
	" x.state, x.acct_session_id, x.radius_class, x.session_timeout,"\
	" x.idle_timeout, x.interim, x.base_in_octets, x.base_out_octets,"\
	" x.base_in_packets, x.base_out_packets"

int tg_db_session_put(sqlite3 *db, const struct tg_session *s)
{
	sqlite3_stmt *st;
	char a[16], b[16];
	int rc;

	if (sqlite3_prepare_v2(db,
			       "INSERT OR REPLACE INTO session (subscriber_id,"
			       " remote, local, peer_port, local_port, tunnel_id,"
			       " session_id, peer_tunnel_id, peer_session, started,"
			       " lac, kill, state, acct_session_id, radius_class,"
			       " session_timeout, idle_timeout, interim,"
			       " base_in_octets, base_out_octets,"
			       " base_in_packets, base_out_packets)"
			       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
			       " ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			       -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	tg_ip4_format(s->remote, a, sizeof(a));
	tg_ip4_format(s->local, b, sizeof(b));
	sqlite3_bind_int64(st, 1, s->subscriber_id);
	sqlite3_bind_text(st, 2, a, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, b, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, s->peer_port);
	sqlite3_bind_int(st, 5, s->local_port);
	sqlite3_bind_int(st, 6, s->tunnel_id);
	sqlite3_bind_int(st, 7, s->session_id);
	sqlite3_bind_int(st, 8, s->peer_tunnel_id);
	sqlite3_bind_int(st, 9, s->peer_session);
	sqlite3_bind_int64(st, 10, s->started);
	sqlite3_bind_text(st, 11, s->lac, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 12, s->kill);
	if (s->state)
		sqlite3_bind_text(st, 13, s->state, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 14, s->acct_session_id, -1, SQLITE_STATIC);
	if (s->radius_class_len)
		sqlite3_bind_blob(st, 15, s->radius_class,
				  (int)s->radius_class_len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 16, s->session_timeout);
	sqlite3_bind_int64(st, 17, s->idle_timeout);
	sqlite3_bind_int64(st, 18, s->interim);
	sqlite3_bind_int64(st, 19, (__s64)(s->base.in_octets & INT64_MAX));
	sqlite3_bind_int64(st, 20, (__s64)(s->base.out_octets & INT64_MAX));
	sqlite3_bind_int64(st, 21, (__s64)(s->base.in_packets & INT64_MAX));
	sqlite3_bind_int64(st, 22, (__s64)(s->base.out_packets & INT64_MAX));
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

int tg_db_session_del(sqlite3 *db, __s64 id)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, "DELETE FROM session WHERE subscriber_id = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

static void session_text(sqlite3_stmt *st, int k, char *buf, size_t len)
{
	const char *t = (const char *)sqlite3_column_text(st, k);

	snprintf(buf, len, "%s", t ? t : "");
}

static int session_from_row(sqlite3_stmt *st, struct tg_session *s)
{
	char a[32];

	memset(s, 0, sizeof(*s));
	s->subscriber_id = sqlite3_column_int64(st, 0);
	session_text(st, 1, s->name, sizeof(s->name));
	session_text(st, 2, s->user, sizeof(s->user));
	session_text(st, 3, a, sizeof(a));
	if (tg_ip4_parse(a, &s->remote))
		return -EINVAL;
	session_text(st, 4, a, sizeof(a));
	if (tg_ip4_parse(a, &s->local))
		return -EINVAL;
	s->peer_port = sqlite3_column_int(st, 5);
	s->local_port = sqlite3_column_int(st, 6);
	s->tunnel_id = sqlite3_column_int(st, 7);
	s->session_id = sqlite3_column_int(st, 8);
	s->peer_tunnel_id = sqlite3_column_int(st, 9);
	s->peer_session = sqlite3_column_int(st, 10);
	s->started = sqlite3_column_int64(st, 11);
	session_text(st, 12, s->lac, sizeof(s->lac));
	s->kill = sqlite3_column_int(st, 13) != 0;
	if (sqlite3_column_type(st, 14) != SQLITE_NULL) {
		s->state = strdup((const char *)sqlite3_column_text(st, 14));
		if (!s->state)
			return -ENOMEM;
	}
	session_text(st, 15, s->acct_session_id, sizeof(s->acct_session_id));
	s->radius_class_len = (size_t)sqlite3_column_bytes(st, 16);
	if (s->radius_class_len > sizeof(s->radius_class))
		s->radius_class_len = 0;
	if (s->radius_class_len)
		memcpy(s->radius_class, sqlite3_column_blob(st, 16),
		       s->radius_class_len);
	s->session_timeout = (uint32_t)sqlite3_column_int64(st, 17);
	s->idle_timeout = (uint32_t)sqlite3_column_int64(st, 18);
	s->interim = (uint32_t)sqlite3_column_int64(st, 19);
	s->base.in_octets = (uint64_t)sqlite3_column_int64(st, 20);
	s->base.out_octets = (uint64_t)sqlite3_column_int64(st, 21);
	s->base.in_packets = (uint64_t)sqlite3_column_int64(st, 22);
	s->base.out_packets = (uint64_t)sqlite3_column_int64(st, 23);
	return 0;
}

void tg_acct_session_id(const uint8_t salt[16], __s64 started,
			__u16 tunnel_id, __u16 session_id,
			char out[TG_ACCT_SESSION_ID_LEN + 1])
{
	uint8_t in[16 + 8 + 4], d[SHA256_DIGEST_SIZE];
	uint64_t t = (uint64_t)started;
	struct sha256_ctx c;
	int i;

	memcpy(in, salt, 16);
	for (i = 0; i < 8; i++)
		in[16 + i] = (uint8_t)(t >> (56 - 8 * i));
	in[24] = tunnel_id >> 8;
	in[25] = tunnel_id & 0xff;
	in[26] = session_id >> 8;
	in[27] = session_id & 0xff;
	sha256_init(&c);
	sha256_update(&c, sizeof(in), in);
	sha256_digest(&c, sizeof(d), d);
	for (i = 0; i < TG_ACCT_SESSION_ID_LEN / 2; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

int tg_db_acct_salt(sqlite3 *db, uint8_t salt[16])
{
	char hex[40];
	unsigned int i, b;

	if (!tg_db_setting_get(db, "acct_salt", hex, sizeof(hex)) &&
	    strlen(hex) == 32) {
		for (i = 0; i < 16; i++) {
			if (sscanf(hex + 2 * i, "%2x", &b) != 1)
				return -EIO;
			salt[i] = (uint8_t)b;
		}
		return 0;
	}
	if (getrandom(salt, 16, 0) != 16)
		return -EIO;
	for (i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", salt[i]);
	return tg_db_setting_set(db, "acct_salt", hex);
}

void tg_db_session_list_free(struct tg_session *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].state);
	free(v);
}

/* Every session (id 0) or the one of subscriber id, by member name. */
static int session_select(sqlite3 *db, __s64 id, struct tg_session **out,
			  size_t *nout)
{
	struct tg_session *v = NULL, *nv;
	size_t n = 0, cap = 0;
	sqlite3_stmt *st;
	int rc, err = 0;

	/* Two texts: the lookup by subscriber_id uses the primary key. */
	if (sqlite3_prepare_v2(db, id ?
			       "SELECT " SESSION_COLUMNS " FROM session x"
			       " JOIN subscriber s ON s.id = x.subscriber_id"
			       " WHERE x.subscriber_id = ?" :
			       "SELECT " SESSION_COLUMNS " FROM session x"
			       " JOIN subscriber s ON s.id = x.subscriber_id"
			       " ORDER BY s.name", -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	if (id)
		sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				err = -ENOMEM;
				break;
			}
			v = nv;
		}
		err = session_from_row(st, &v[n]);
		if (err)
			break;
		n++;
	}
	if (!err && rc != SQLITE_DONE)
		err = -EIO;
	sqlite3_finalize(st);
	if (err) {
		tg_db_session_list_free(v, n);
		return err;
	}
	*out = v;
	*nout = n;
	return 0;
}

int tg_db_session_list(sqlite3 *db, struct tg_session **out, size_t *nout)
{
	return session_select(db, 0, out, nout);
}

int tg_db_session_of(sqlite3 *db, __s64 id, struct tg_session *out)
{
	struct tg_session *v;
	size_t n;
	int err = id ? session_select(db, id, &v, &n) : -ENOENT;

	if (err)
		return err;
	if (n) {
		*out = v[0];
		out->state = NULL;
	}
	tg_db_session_list_free(v, n);
	return n ? 0 : -ENOENT;
}

int tg_db_session_kill(sqlite3 *db, const char *name)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, "UPDATE session SET kill = 1 WHERE"
			       " subscriber_id = (SELECT id FROM subscriber"
			       " WHERE name = ?)", -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return -EIO;
	return sqlite3_changes(db) ? 0 : -ENOENT;
}

static int session_cmp(const void *a, const void *b)
{
	const struct tg_session *x = a, *y = b;

	return x->subscriber_id < y->subscriber_id ? -1 :
	       x->subscriber_id > y->subscriber_id;
}

void tg_session_apply(const struct tg_session *x, struct tg_sub *s)
{
	s->online = true;
	s->remote = x->remote;
	s->local = x->local;
	s->has_tunnel_id = s->has_session = true;
	s->tunnel_id = x->tunnel_id;
	s->session = x->session_id;
	s->has_peer_tunnel_id = s->has_peer_session = true;
	s->peer_tunnel_id = x->peer_tunnel_id;
	s->peer_session = x->peer_session;
	s->has_peer_port = s->has_local_port = true;
	s->peer_port = x->peer_port;
	s->local_port = x->local_port;
}

/* A few members (what an incremental sync reads): one lookup each. */
#define SESSION_FEW 64

int tg_db_session_overlay(sqlite3 *db, struct tg_sub *v, size_t n)
{
	struct tg_session *ss, key, *x;
	size_t ns, i;
	int err;

	if (n <= SESSION_FEW) {
		for (i = 0; i < n; i++) {
			struct tg_session one;

			if (!tg_sub_member(&v[i]))
				continue;
			err = tg_db_session_of(db, v[i].id, &one);
			if (err == -ENOENT)
				continue;
			if (err)
				return err;
			tg_session_apply(&one, &v[i]);
		}
		return 0;
	}
	err = tg_db_session_list(db, &ss, &ns);
	if (err)
		return err;
	if (ns)
		qsort(ss, ns, sizeof(*ss), session_cmp);
	for (i = 0; i < n; i++) {
		if (!tg_sub_member(&v[i]))
			continue;
		key.subscriber_id = v[i].id;
		x = ns ? bsearch(&key, ss, ns, sizeof(*ss), session_cmp) : NULL;
		if (!x)
			continue;
		tg_session_apply(x, &v[i]);
	}
	tg_db_session_list_free(ss, ns);
	return 0;
}

int tg_db_session_counts(sqlite3 *db, unsigned int *tunnels,
			 unsigned int *up, unsigned int *ending)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT count(DISTINCT tunnel_id),"
			       " coalesce(sum(kill = 0), 0), coalesce(sum(kill), 0)"
			       " FROM session", -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*tunnels = sqlite3_column_int(st, 0);
		*up = sqlite3_column_int(st, 1);
		*ending = sqlite3_column_int(st, 2);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -EIO;
}
