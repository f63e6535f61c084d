/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Invitations of WireGuard members: what a member enrolling with its
 * token becomes (name, class, prefixes, listen port), until when, and
 * whether it was used. Only the token's SHA-256 is kept: the token itself
 * is shown once, when made. Since schema version 11; shared through
 * PostgreSQL like the subscribers.
 */
#ifndef TG_DB_WG_INVITE_H
#define TG_DB_WG_INVITE_H

#include <stdbool.h>
#include <stddef.h>
#include "db/conn.h"
#include "db/name.h"
#include "db/sub.h"

/* 144 random bits, base64url without padding: 24 characters. */
#define TG_WG_TOKEN_BYTES 18
#define TG_WG_TOKEN_LEN 24
#define TG_WG_HASH_HEX 64
#define TG_WG_PREFIXES_MAX 3000		/* the prefixes' text */
#define TG_WG_EXPIRES_DEFAULT (7 * 86400)
#define TG_WG_EXPIRES_MAX (366 * 86400)

#define TG_WG_INVITE_TABLE						\
	"CREATE TABLE IF NOT EXISTS wg_invite ("			\
	"name TEXT NOT NULL PRIMARY KEY"				\
	" CHECK(length(name) BETWEEN 1 AND 63 AND name GLOB '[A-Za-z0-9]*'"\
	" AND name NOT GLOB '*[^A-Za-z0-9._-]*'),"			\
	" token_hash TEXT NOT NULL UNIQUE CHECK(length(token_hash) = 64"\
	" AND token_hash NOT GLOB '*[^0-9a-f]*'),"			\
	" class TEXT NOT NULL CHECK(length(class) BETWEEN 1 AND 63),"	\
	" prefixes TEXT NOT NULL CHECK(length(prefixes) BETWEEN 9 AND 3000"\
	" AND prefixes NOT GLOB '*[^0-9A-Fa-f.:/ ]*'),"			\
	" listen_port INTEGER CHECK(listen_port BETWEEN 1 AND 65535),"	\
	" created INTEGER NOT NULL,"					\
	" expires INTEGER NOT NULL CHECK(expires > created),"		\
	" used INTEGER,"						\
	" used_key TEXT CHECK(used_key IS NULL OR length(used_key) = 44)"\
	") STRICT;"

struct tg_wg_invite {
	char name[TG_NAME_MAX + 1];
	char cls[TG_NAME_MAX + 1];
	struct tg_prefix prefix[TG_SUB_PREFIX_MAX];
	unsigned int nprefix;
	bool has_listen_port;
	__u16 listen_port;
	__s64 created, expires;		/* unix seconds */
	__s64 used;			/* when, 0: not used */
	char used_key[TG_WG_KEY_B64 + 1];	/* who used it */
};

/* A new token: 0 or -errno (no random bytes). */
int tg_wg_token_new(char token[TG_WG_TOKEN_LEN + 1]);
/* Whether token is of the form tg_wg_token_new() makes. */
bool tg_wg_token_wellformed(const char *token);
/* The SHA-256 of token, lower-case hex: what is stored. */
void tg_wg_token_hash(const char *token, char hex[TG_WG_HASH_HEX + 1]);

/*
 * "30s", "15m", "12h", "7d" or plain seconds, 1 s .. TG_WG_EXPIRES_MAX:
 * 0 or -EINVAL.
 */
int tg_wg_duration_parse(const char *s, __s64 *secs);

/* Store iv with the hash of its token: 0, -EEXIST (name), -EIO. */
int tg_db_wg_invite_add(sqlite3 *db, const struct tg_wg_invite *iv,
			const char *hash);
/* Every invitation by name (free the list): 0 or -EIO. */
int tg_db_wg_invite_list(sqlite3 *db, struct tg_wg_invite **v, size_t *n);
/* 0, -ENOENT or -EIO. */
int tg_db_wg_invite_del(sqlite3 *db, const char *name);
/* The invitation of a token's hash: 0, -ENOENT or -EIO. */
int tg_db_wg_invite_find(sqlite3 *db, const char *hash,
			 struct tg_wg_invite *iv);
/*
 * Mark the invitation of hash used by key at now, if it still is unused
 * and unexpired: 0, -ESTALE (it is not any more) or -EIO.
 */
int tg_db_wg_invite_use(sqlite3 *db, const char *hash, const char *key,
			__s64 now);

/*
 * The member iv makes with public key key (NULL: a placeholder, for the
 * checks made when inviting): 0 or -EINVAL (err).
 */
int tg_wg_invite_sub(const struct tg_wg_invite *iv, const char *key,
		     struct tg_sub *s, char *err, size_t errlen);

/*
 * The first block of length share in pool that no subscriber's prefix,
 * no unused invitation's and no anycast prefix overlaps: 0, -ENOSPC (the
 * pool is full) or -EIO.
 */
int tg_db_wg_pool_next(sqlite3 *db, const struct tg_prefix *pool,
		       unsigned int share, struct tg_prefix *out);

/*
 * The first of n prefixes that overlaps a prefix of another unused
 * invitation than name: 1 with the owner and its prefix, 0, -EIO.
 */
int tg_db_wg_invite_clash(sqlite3 *db, const char *name,
			  const struct tg_prefix *p, unsigned int n,
			  char owner[TG_NAME_MAX + 1],
			  char other[TG_PREFIX_STRLEN]);

#endif /* TG_DB_WG_INVITE_H */
