// SPDX-License-Identifier: GPL-2.0-only
/* tungate run: logging subscribers that go down and come back. */
#include <stdlib.h>
#include <string.h>

#include "daemon/live_log.h"
#include "daemon/run.h"
#include "dataplane/counters.h"
#include "dataplane/liveness.h"
#include "db/db.h"

/* The maps' capacity changed (or first look): start again, silently. */
static int live_log_resize(struct tg_live_log *l, __u32 capacity)
{
	tg_live_log_free(l);
	l->state = malloc(capacity);
	l->seen = malloc((size_t)capacity * sizeof(*l->seen));
	if (!l->state || !l->seen) {
		tg_live_log_free(l);
		return -1;
	}
	l->capacity = capacity;
	return 0;
}

/* What the rest of a look found, after TG_LIVE_LOG_NAMES names. */
struct live_more {
	unsigned int down, back;
};

static void live_log_one(sqlite3 *db, __u32 id, enum tg_live now,
			 const struct tg_seen *s,
			 const struct tg_clock *c, __u32 timeout_s,
			 unsigned int *named, struct live_more *more)
{
	char name[TG_NAME_MAX + 1], ago[16];

	/*
	 * Deleted meanwhile: no one's to report. (One disabled is: it went
	 * silent with its tunnel.)
	 */
	if (tg_db_sub_name(db, id, name, sizeof(name)))
		return;
	if (*named >= TG_LIVE_LOG_NAMES) {
		if (now == TG_LIVE_DOWN)
			more->down++;
		else
			more->back++;
		return;
	}
	(*named)++;
	if (now == TG_LIVE_DOWN) {
		tg_run_log("subscriber %s down: nothing heard for %u s", name,
			   timeout_s);
		return;
	}
	tg_fmt_ago(c, tg_seen_last(s), ago, sizeof(ago));
	tg_run_log("subscriber %s back: %s (last heard %s ago)", name,
		   now == TG_LIVE_UP ? "traffic" : "keepalives only", ago);
}

void tg_live_log_tick(struct tg_live_log *l, const struct tg_maps *m,
		      sqlite3 *db, __u64 now_ms)
{
	struct live_more more = {};
	unsigned int named = 0;
	struct tg_clock c;
	enum tg_live st, was;
	bool first = false;
	__u32 id;

	if (now_ms < l->next_ms || m->seen < 0)
		return;
	/*
	 * Due again in a second even when there is nothing to look at now
	 * (the database missing): the daemon's poll waits for next_ms.
	 */
	l->next_ms = now_ms + TG_LIVE_LOG_MS;
	if (!db || !m->capacity)
		return;
	if (l->capacity != m->capacity) {
		if (live_log_resize(l, m->capacity))
			return;
		first = true;
	}
	if (tg_seen_read(m, NULL, 0, l->seen))
		return;
	tg_clock_now(&c);
	for (id = 1; id < l->capacity; id++) {
		st = tg_live_state(&l->seen[id], c.mono_ns, l->timeout_s);
		was = l->state[id];
		l->state[id] = st;
		/*
		 * All zero: never heard since sync gave the id to its
		 * subscriber, which is no news.
		 */
		if (first || st == was || !tg_seen_last(&l->seen[id]) ||
		    (st != TG_LIVE_DOWN && was != TG_LIVE_DOWN))
			continue;
		live_log_one(db, id, st, &l->seen[id], &c, l->timeout_s,
			     &named, &more);
	}
	if (more.down || more.back)
		tg_run_log("and %u more subscribers down, %u more back",
			   more.down, more.back);
}

void tg_live_log_free(struct tg_live_log *l)
{
	free(l->state);
	free(l->seen);
	l->state = NULL;
	l->seen = NULL;
	l->capacity = 0;
}
