// SPDX-License-Identifier: GPL-2.0-only
/* The thread that pulls PostgreSQL's changes into the snapshot. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "db/pg.h"
#include "db/pg_pop.h"
#include "daemon/pg_follow.h"
#include "daemon/run.h"

#define PG_CONNECT_S 5
#define PG_LOCK_WAIT_MS 50

struct follow {
	struct tg_pg_follow *f;
	PGconn *c;
	sqlite3 *db;
	int lock;		/* the snapshot, flock()ed around a pull */
	bool down;		/* unreachable: said once */
	unsigned int backoff_ms;
	char shown[256];
	char last[512];		/* the last refusal said */
	char beat_last[512];	/* the last heartbeat failure said */
	bool tables;		/* pop and pop_usage are there */
	__s64 started;		/* the daemon's start, unix seconds */
	unsigned int beat_s;	/* the heartbeat interval in force */
	char timing_last[192];	/* the last invalid heartbeat setting said */
};

static uint64_t follow_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

/* Wait up to ms for fd (-1: none) or the stop: 1 stop, 0 otherwise. */
static int follow_wait(struct follow *w, int fd, short events, int ms)
{
	struct pollfd p[2] = {
		{ .fd = w->f->stop, .events = POLLIN },
		{ .fd = fd, .events = events },
	};

	if (poll(p, fd >= 0 ? 2 : 1, ms) < 0 && errno != EINTR)
		return 1;
	return !!(p[0].revents & POLLIN);
}

static void follow_down(struct follow *w, const char *why)
{
	if (!w->down)
		tg_run_log("database %s: %s; forwarding with the snapshot, trying again",
			   w->shown, why);
	w->down = true;
	w->tables = false;
	PQfinish(w->c);
	w->c = NULL;
}

/*
 * The server's notices ("terminating connection due to immediate shutdown
 * command") are not printed: what they announce is said once, as the
 * connection is lost.
 */
static void follow_notice(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

/* Connect without blocking the stop: 0, 1 stop, -1 failed (said). */
static int follow_connect(struct follow *w)
{
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;
	uint64_t until = follow_ms() + PG_CONNECT_S * 1000;
	struct tg_pg_params p = { 0 };
	char err[512];
	PGresult *r;

	/*
	 * The primary, whatever the URL says: a standby takes no LISTEN
	 * (NOTIFY is not replicated) and no heartbeat. Of several hosts,
	 * libpq skips those that are read-only; none left (a failover under
	 * way), it is down until a standby is promoted.
	 */
	tg_pg_params(&p, w->f->url, PG_CONNECT_S, true);
	w->c = PQconnectStartParams(p.keys, p.vals, 1);
	if (!w->c || PQstatus(w->c) == CONNECTION_BAD)
		goto bad;
	PQsetNoticeProcessor(w->c, follow_notice, NULL);
	while (st != PGRES_POLLING_OK) {
		if (st == PGRES_POLLING_FAILED || follow_ms() >= until)
			goto bad;
		if (follow_wait(w, PQsocket(w->c), st == PGRES_POLLING_READING ?
				POLLIN : POLLOUT, (int)(until - follow_ms())))
			return 1;
		st = PQconnectPoll(w->c);
	}
	r = PQexec(w->c, "LISTEN " TG_PG_CHANNEL);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		PQclear(r);
		goto bad;
	}
	PQclear(r);
	if (w->down)
		tg_run_log("database %s: reachable again", w->shown);
	w->down = false;
	w->backoff_ms = 0;
	return 0;
bad:
	follow_down(w, w->c && follow_ms() < until ?
		    tg_pg_error(w->c, err, sizeof(err)) :
		    "cannot connect: timed out");
	return -1;
}

/*
 * One pull under the snapshot's lock (*full: a compare of everything, else
 * what changed; on return, which it was): 0, 1 stop, -1 connection lost.
 */
static int follow_pull(struct follow *w, bool *full)
{
	long long counter;
	char err[512];
	long changed;
	uint64_t t0;
	int ret;

	while (flock(w->lock, LOCK_EX | LOCK_NB))
		if (follow_wait(w, -1, 0, PG_LOCK_WAIT_MS))
			return 1;
	t0 = follow_ms();
	ret = tg_pg_pull(w->c, w->db, full, &counter, &changed, err, sizeof(err));
	flock(w->lock, LOCK_UN);
	if (ret && PQstatus(w->c) != CONNECTION_OK) {
		follow_down(w, err);
		return -1;
	}
	if (ret) {
		/* Refused rows stay refused until they change: said once. */
		if (strcmp(err, w->last))
			tg_run_log("database %s: cannot apply: %s; the snapshot stays as it was",
				   w->shown, err);
		snprintf(w->last, sizeof(w->last), "%s", err);
		return 0;
	}
	*w->last = '\0';
	if (changed) {
		uint64_t one = 1;

		tg_run_log("database %s: change %lld pulled (%ld rows, %s, %llu ms)",
			   w->shown, counter, changed,
			   *full ? "all compared" : "only what changed",
			   (unsigned long long)(follow_ms() - t0));
		if (write(w->f->wake, &one, sizeof(one)) < 0)
			return 0;
	}
	return 0;
}

/*
 * This POP's row (stopped: the daemon is ending) and its usage records
 * not pushed yet: 0, or -1 connection lost. Refusals are said once.
 */
static int follow_beat(struct follow *w, bool stopped)
{
	struct tg_pop_row p;
	char err[512];
	int ret;

	ret = tg_pop_self(w->db, stopped, &p);
	if (ret) {
		snprintf(err, sizeof(err), "snapshot: %s", sqlite3_errmsg(w->db));
		goto refused;
	}
	ret = w->tables ? 0 : tg_pg_pop_tables(w->c, err, sizeof(err));
	if (!ret) {
		w->tables = true;
		ret = tg_pg_pop_beat(w->c, &p, w->started, err, sizeof(err));
	}
	if (!ret && tg_pg_usage_push(w->c, w->db, p.name, err, sizeof(err)) < 0)
		ret = -EIO;
	if (ret && PQstatus(w->c) != CONNECTION_OK) {
		follow_down(w, err);
		return -1;
	}
	if (!ret) {
		if (*w->beat_last)
			tg_run_log("database %s: POP %s recorded again", w->shown,
				   p.name);
		*w->beat_last = '\0';
		return 0;
	}
refused:
	if (strcmp(err, w->beat_last))
		tg_run_log("database %s: cannot record POP %s: %s; trying again",
			   w->shown, p.name, err);
	snprintf(w->beat_last, sizeof(w->beat_last), "%s", err);
	return 0;
}

/*
 * The heartbeat interval of the snapshot's settings (pulled with the
 * others); an invalid one keeps the interval in force, said once.
 */
static void follow_timing(struct follow *w)
{
	struct tg_pop_timing t;
	char err[192];

	if (tg_pop_timing_load(w->db, &t, err, sizeof(err))) {
		if (strcmp(err, w->timing_last))
			tg_run_log("database %s: %s; POP heartbeat stays every %u s",
				   w->shown, err, w->beat_s);
		snprintf(w->timing_last, sizeof(w->timing_last), "%s", err);
		return;
	}
	*w->timing_last = '\0';
	if (t.beat != w->beat_s)
		tg_run_log("database %s: POP heartbeat every %u s", w->shown,
			   t.beat);
	w->beat_s = t.beat;
}

/* Whether a NOTIFY came (read by now, maybe during a query): all taken. */
static bool follow_notified(struct follow *w)
{
	bool any = false;
	PGnotify *n;

	while ((n = PQnotifies(w->c))) {
		any = true;
		PQfreemem(n);
	}
	return any;
}

static void follow_loop(struct follow *w)
{
	uint64_t next_full = 0, next_beat = 0, last_beat = 0, next, now;
	bool due = true;

	for (;;) {
		if (!w->c) {
			int ret = follow_connect(w);

			if (ret > 0)
				return;
			if (ret < 0) {
				w->backoff_ms = w->backoff_ms ?
						w->backoff_ms * 2 : 500;
				if (w->backoff_ms > TG_PG_BACKOFF_MAX_MS)
					w->backoff_ms = TG_PG_BACKOFF_MAX_MS;
				if (follow_wait(w, -1, 0, w->backoff_ms))
					return;
				continue;
			}
			/*
			 * Everything compared: the server may be another one
			 * (a standby promoted), whose change counter need not
			 * go on from the last one pulled.
			 */
			due = true;
			next_full = 0;
			next_beat = last_beat = 0;
		}
		if (due || follow_ms() >= next_full) {
			bool full = follow_ms() >= next_full;
			int ret = follow_pull(w, &full);

			if (ret > 0)
				return;
			if (ret < 0)
				continue;
			due = false;
			/* Every 30 s, a compare of everything, notified or not. */
			if (full)
				next_full = follow_ms() + TG_PG_FULL_S * 1000;
			/* A new interval counts from the last beat. */
			follow_timing(w);
			if (last_beat)
				next_beat = last_beat + w->beat_s * 1000ULL;
		}
		if (follow_ms() >= next_beat) {
			if (follow_beat(w, false) < 0)
				continue;
			last_beat = follow_ms();
			next_beat = last_beat + w->beat_s * 1000ULL;
		}
		/*
		 * One that came during a pull or a heartbeat is held by libpq
		 * already: the socket would not say it before the next beat.
		 */
		if (follow_notified(w)) {
			due = true;
			continue;
		}
		now = follow_ms();
		next = next_full < next_beat ? next_full : next_beat;
		if (follow_wait(w, PQsocket(w->c), POLLIN,
				next > now ? (int)(next - now) : 0))
			return;
		if (!PQconsumeInput(w->c) || PQstatus(w->c) != CONNECTION_OK) {
			char err[512];

			follow_down(w, tg_pg_error(w->c, err, sizeof(err)));
			continue;
		}
		if (follow_notified(w))
			due = true;
	}
}

static void *follow_main(void *arg)
{
	struct follow w = { .f = arg, .lock = -1, .started = time(NULL),
			    .beat_s = TG_POP_BEAT_S };

	tg_pg_url_shown(w.f->url, w.shown, sizeof(w.shown));
	w.lock = open(w.f->snap, O_RDONLY | O_CLOEXEC);
	if (w.lock < 0 ||
	    sqlite3_open_v2(w.f->snap, &w.db, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK) {
		tg_run_log("database %s: cannot open the snapshot %s; not following",
			   w.shown, w.f->snap);
		goto out;
	}
	sqlite3_busy_timeout(w.db, 5000);
	sqlite3_exec(w.db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	follow_loop(&w);
	/* Said stopped (down at once in 'pop list'), not left to age. */
	if (w.c && PQstatus(w.c) == CONNECTION_OK) {
		PQclear(PQexec(w.c, "SET statement_timeout = 2000"));
		follow_beat(&w, true);
	}
out:
	PQfinish(w.c);
	sqlite3_close(w.db);
	if (w.lock >= 0)
		close(w.lock);
	return NULL;
}

int tg_pg_follow_start(struct tg_pg_follow *f, const char *url,
		       const char *snap)
{
	int err;

	*f = (struct tg_pg_follow){ .url = url, .snap = snap, .wake = -1,
				    .stop = -1 };
	f->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	f->stop = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (f->wake < 0 || f->stop < 0) {
		err = -errno;
		goto fail;
	}
	err = -pthread_create(&f->th, NULL, follow_main, f);
	if (err)
		goto fail;
	f->running = true;
	return 0;
fail:
	tg_run_log("postgresql: cannot start following it: %s", strerror(-err));
	tg_pg_follow_stop(f);
	return err;
}

int tg_pg_follow_fd(const struct tg_pg_follow *f)
{
	return f->running ? f->wake : -1;
}

void tg_pg_follow_read(struct tg_pg_follow *f)
{
	uint64_t v;

	if (read(f->wake, &v, sizeof(v)) < 0)
		return;
}

void tg_pg_follow_stop(struct tg_pg_follow *f)
{
	uint64_t one = 1;

	if (f->running && write(f->stop, &one, sizeof(one)) == sizeof(one))
		pthread_join(f->th, NULL);
	f->running = false;
	if (f->wake >= 0)
		close(f->wake);
	if (f->stop >= 0)
		close(f->stop);
	f->wake = f->stop = -1;
}
