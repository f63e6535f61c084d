/* SPDX-License-Identifier: GPL-2.0-only */
/* Overlapping prefixes: in memory, and against the database's. */
#ifndef TG_DB_OVERLAP_H
#define TG_DB_OVERLAP_H

#include <stdbool.h>
#include "db/conn.h"
#include "db/name.h"
#include "util/addr.h"

/* Prefix index of the caller's list that overlaps other of subscriber owner. */
struct tg_prefix_clash {
	unsigned int index;
	char prefix[TG_PREFIX_STRLEN];
	char other[TG_PREFIX_STRLEN];
	char owner[TG_NAME_MAX + 1];
};
/*
 * The first of the n prefixes of subscriber self (rowid; 0: a new one)
 * that overlaps a prefix of another subscriber in db (enabled_only: an
 * enabled one), through the prefix index: 1 with it in o, 0, or negative
 * errno.
 */
int tg_db_prefix_clash(sqlite3 *db, const struct tg_prefix *p, unsigned int n,
		       __s64 self, bool enabled_only, struct tg_prefix_clash *o);

/* A prefix and the index of who holds it, in the caller's list. */
struct tg_owned_prefix {
	struct tg_prefix p;
	size_t owner;
};
typedef void (*tg_overlap_fn)(void *ctx, const struct tg_owned_prefix *in,
			      const struct tg_owned_prefix *out);
/*
 * Sort v and call found(ctx, in, out) for each prefix in that overlaps an
 * earlier one, out (its container or its equal). Returns how many.
 */
size_t tg_prefix_overlaps(struct tg_owned_prefix *v, size_t n,
			  tg_overlap_fn found, void *ctx);

#endif /* TG_DB_OVERLAP_H */
