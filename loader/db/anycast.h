/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The anycast setting: the concentrator's tunnel prefixes that every POP
 * announces through BIRD (shared through PostgreSQL like the other
 * 'config set' settings).
 */
#ifndef TG_DB_ANYCAST_H
#define TG_DB_ANYCAST_H

#include <stdbool.h>
#include <stddef.h>
#include "db/conn.h"
#include "util/addr.h"

#define TG_ANYCAST_KEY "anycast"
/* Prefixes of the setting at most: a few tunnel addresses, not a table. */
#define TG_ANYCAST_MAX 8
/* Its longest text: every prefix and a comma. */
#define TG_ANYCAST_STRLEN (TG_ANYCAST_MAX * TG_PREFIX_STRLEN)

struct tg_anycast {
	unsigned int n;
	struct tg_prefix p[TG_ANYCAST_MAX];
};

/*
 * Parse "P[,P...]" or "none" (no prefixes): valid IPv4 or IPv6 prefixes,
 * host bits zero, none reserved (loopback, multicast, ...), no two that
 * overlap, at most TG_ANYCAST_MAX. 0, or -EINVAL with the cause in err.
 */
int tg_anycast_parse(const char *v, struct tg_anycast *a, char *err,
		     size_t errlen);
/* Canonical text: prefixes comma separated, "none" when there is none. */
void tg_anycast_format(const struct tg_anycast *a, char *buf, size_t len);
/*
 * The setting of db: 0 (none when unset), -EINVAL (an invalid value,
 * cause in err) or -EIO.
 */
int tg_anycast_load(sqlite3 *db, struct tg_anycast *a, char *err,
		    size_t errlen);

/*
 * Whether a prefix of a overlaps (holds, is held by or equals) a prefix of
 * a subscriber of db (enabled_only: an enabled one), through the prefix
 * index: 1 with "'A': overlaps 'P' of subscriber 'S'" in err, 0, or
 * -EIO.
 */
int tg_anycast_clash(sqlite3 *db, const struct tg_anycast *a,
		     bool enabled_only, char *err, size_t errlen);
/*
 * The first of the n prefixes p (a subscriber's) that overlaps a prefix
 * of db's anycast setting: 1 with "--prefix 'P': overlaps the anycast
 * prefix 'A'" in err, 0 (also when the setting is unset or invalid: that
 * is refused where it is read), or -EIO.
 */
int tg_anycast_holds(sqlite3 *db, const struct tg_prefix *p, unsigned int n,
		     char *err, size_t errlen);

#endif /* TG_DB_ANYCAST_H */
