/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What each concentrator (POP) keeps in PostgreSQL for itself: its row of
 * the table pop (last contact, version, subscriber counts, state), written
 * by its daemon every pop-heartbeat seconds, and its usage records in
 * pop_usage. Neither is shared configuration: no snapshot pulls them, no
 * push bumps the change counter for them.
 */
#ifndef TG_DB_PG_POP_H
#define TG_DB_PG_POP_H

#include <stdbool.h>
#include <stddef.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <linux/types.h>

#include "db/name.h"
#include "db/pop.h"
#include "db/pop_timing.h"
#include "db/usage.h"

/* Create pop and pop_usage when missing (an older init): 0 or -EIO. */
int tg_pg_pop_tables(PGconn *c, char *err, size_t errlen);

/*
 * The heartbeat and down limit as PostgreSQL's settings have them: 0,
 * -EINVAL (an invalid value, cause in err) or -EIO.
 */
int tg_pg_pop_timing(PGconn *c, struct tg_pop_timing *t, char *err,
		     size_t errlen);

/* One POP as this concentrator knows itself, or as pop has it. */
struct tg_pop_row {
	char name[TG_NAME_MAX + 1];
	char host[256];
	char version[32];
	char state[16];		/* serving, drained, stopped; down on read */
	long long attached;	/* subscribers in the data plane */
	long long enabled;	/* enabled subscribers in the database */
	__s64 last;		/* last contact, unix seconds; -1: none */
	__s64 age;		/* seconds since it; -1: none */
	__s64 started;		/* when its daemon started; -1: unknown */
};

/*
 * This concentrator as db has it: name, host, this version, the counts,
 * state serving or drained (stopped: the daemon is ending). 0 or -EIO.
 */
int tg_pop_self(sqlite3 *db, bool stopped, struct tg_pop_row *p);

/* Upsert p's row with PostgreSQL's time as its last contact: 0 or -EIO. */
int tg_pg_pop_beat(PGconn *c, const struct tg_pop_row *p, __s64 started,
		   char *err, size_t errlen);

/*
 * Every POP of pop by name, its state down when stopped or unheard of for
 * down_after seconds: fn(ctx, row) each. 0 or -EIO.
 */
int tg_pg_pop_each(PGconn *c, __s64 down_after,
		   void (*fn)(void *ctx, const struct tg_pop_row *p),
		   void *ctx, char *err, size_t errlen);

/*
 * Remove the row of POP name when it is down (as tg_pg_pop_each says):
 * 0, -EBUSY (not down), -ENOENT (no such row) or -EIO (err).
 */
int tg_pg_pop_del(PGconn *c, const char *name, __s64 down_after, char *err,
		  size_t errlen);

/*
 * Push db's usage records not pushed yet (TG_POP_USAGE_PUSHED_KEY) to
 * pop_usage as POP pop; a record there already stays as it is. Records
 * pushed, or -EIO (the mark unchanged: the next push sends them again).
 */
long tg_pg_usage_push(PGconn *c, sqlite3 *db, const char *pop, char *err,
		      size_t errlen);

/*
 * fn(ctx, row) for each record of pop_usage as tg_db_usage_each does
 * (row->pop its POP): 0 or -EIO.
 */
int tg_pg_usage_each(PGconn *c, const char *only, __s64 since, __s64 until,
		     bool by_time,
		     void (*fn)(void *ctx, const struct tg_usage_row *r),
		     void *ctx, char *err, size_t errlen);
/* Whether name has records there or is a subscriber: 1, 0 or -EIO. */
int tg_pg_usage_known(PGconn *c, const char *name);

#endif /* TG_DB_PG_POP_H */
