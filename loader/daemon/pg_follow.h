/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The daemon following PostgreSQL: a thread that LISTENs for pushes and
 * pulls what each changed (and compares everything every TG_PG_FULL_S
 * seconds, and at start) into the snapshot the daemon syncs from, so that
 * the main loop never waits for PostgreSQL. Down, slow or failing, it is said once and tried again
 * with backoff; the snapshot, and the data plane, stay as they were. It
 * follows the primary only (of several hosts, the one that takes
 * writes): a standby promoted is followed from its first try after.
 */
#ifndef TG_DAEMON_PG_FOLLOW_H
#define TG_DAEMON_PG_FOLLOW_H

#include <pthread.h>
#include <stdbool.h>

#define TG_PG_FULL_S 30
/*
 * Tries while it is down are at most this far apart: a change is applied
 * within about that long of PostgreSQL being back (a connection attempt
 * to a server that is down costs it nothing).
 */
#define TG_PG_BACKOFF_MAX_MS 5000

struct tg_pg_follow {
	pthread_t th;
	int wake;		/* eventfd: the snapshot changed */
	int stop;		/* eventfd: the thread is to end */
	const char *url, *snap;
	bool running;
};

/* Start following url into snap: 0 or negative errno (logged). */
int tg_pg_follow_start(struct tg_pg_follow *f, const char *url,
		       const char *snap);
/* The fd readable when the snapshot changed (-1 when not following). */
int tg_pg_follow_fd(const struct tg_pg_follow *f);
/* Take what the fd says. */
void tg_pg_follow_read(struct tg_pg_follow *f);
void tg_pg_follow_stop(struct tg_pg_follow *f);

#endif /* TG_DAEMON_PG_FOLLOW_H */
