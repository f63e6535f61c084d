/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * FreeRADIUS users as tungate dial-in members: what rlm_sql would answer
 * for each user (its radcheck, radreply, then its groups by priority with
 * their Fall-Through), turned into a member record and a rate.
 */
#ifndef TG_CMD_FREERADIUS_MAP_H
#define TG_CMD_FREERADIUS_MAP_H

#include "cmd/freeradius_source.h"
#include "cmd/import.h"

/* The note of every member an import made: how a re-import knows it. */
#define FR_NOTE "imported from FreeRADIUS"

struct fr_member {
	/* name, type, user, password, enabled, prefixes, note; mtu if has_mtu */
	struct tg_sub s;
	bool has_mtu;
	unsigned int line;		/* a row of the user's */
	bool has_rate;			/* a rate other than unlimited both ways */
	__u64 down, up;			/* bits/s, 0: unlimited */
	const char *group;		/* the rate's group, NULL: the user's own */
	unsigned int rate_line;
};

/*
 * Rows are known by their index in the source plus one (the "line" of
 * struct bad_rows).
 */
struct fr_map {
	struct fr_member *m;
	size_t n;
	size_t nusers;
	struct bad_rows skipped;	/* users that cannot be members, why */
	struct bad_rows unmapped;	/* rows tungate has nothing for */
};

/*
 * Map every user of src. Values that do not read (an address, a prefix,
 * a rate) go to bad: they refuse the import. 0 or -ENOMEM.
 */
int fr_map(const struct fr_source *src, struct fr_map *out,
	   struct bad_rows *bad);
void fr_map_free(struct fr_map *m);

#endif /* TG_CMD_FREERADIUS_MAP_H */
