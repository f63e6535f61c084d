/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * How often each POP's daemon writes its row of PostgreSQL's table pop,
 * and how long a POP may go unheard of before 'pop list' says it is down:
 * settings shared through PostgreSQL like the other 'config set' ones.
 */
#ifndef TG_DB_POP_TIMING_H
#define TG_DB_POP_TIMING_H

#include <stddef.h>
#include "db/conn.h"

#define TG_POP_BEAT_KEY "pop_heartbeat"
#define TG_POP_DOWN_AFTER_KEY "pop_down_after"
/* Heartbeat interval, seconds. */
#define TG_POP_BEAT_S 10
#define TG_POP_BEAT_MIN 1
#define TG_POP_BEAT_MAX 300
/* Unset, the down limit is this many heartbeats. */
#define TG_POP_DOWN_BEATS 3
/* Set, at least this many heartbeats: one late beat is not a POP down. */
#define TG_POP_DOWN_MIN_BEATS 2
#define TG_POP_DOWN_AFTER_MAX 86400

struct tg_pop_timing {
	unsigned int beat;		/* seconds between heartbeats */
	unsigned int down_after;	/* seconds unheard of: down */
};

/*
 * The timing from the settings' text (NULL: unset, its default): 0, or
 * -EINVAL with the cause in err, naming the setting as 'config set'
 * spells it.
 */
int tg_pop_timing_parse(const char *beat, const char *down_after,
			struct tg_pop_timing *t, char *err, size_t errlen);
/* The timing of db's settings: 0, -EINVAL (cause in err) or -EIO. */
int tg_pop_timing_load(sqlite3 *db, struct tg_pop_timing *t, char *err,
		       size_t errlen);

#endif /* TG_DB_POP_TIMING_H */
