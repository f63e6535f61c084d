// SPDX-License-Identifier: GPL-2.0-only
/* The accounting engine: sessions, Interim-Updates, the queue's sending. */
#include <errno.h>
#include <poll.h>
#include <time.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "db/conn.h"
#include "util/log.h"
#include "radius/acct.h"
#include "radius/acct_queue.h"
#include "radius/acct_record.h"
#include "radius/acct_send.h"
#include "radius/acct_spread.h"

struct acct_sess {
	struct tg_acct_session s;
	__u32 interval;			/* 0: no Interim-Updates */
	__s64 due;
};

/* A record made, not yet in the database. */
struct acct_pend {
	__s64 created;
	enum tg_acct_kind kind;
	size_t len;
	__u8 *attrs;
	int dropped;			/* what storing it dropped */
};

struct tg_acct {
	struct tg_acct_config cfg;
	sqlite3 *db;			/* NULL while the daemon has none */
	/*
	 * Records made since the last store, oldest first: stored together
	 * in one transaction, kept here while the database cannot take
	 * them (closed, busy), so that none is lost meanwhile.
	 */
	struct acct_pend *pend;
	size_t npend, cappend;
	bool store_failing;		/* said once until it works again */
	__s64 answered;			/* sent, its row still to delete */
	tg_acct_counters_fn counters;
	void *ctx;
	struct tg_acct_sender *snd;
	struct acct_sess *sess;
	size_t n, cap;
	/* The record being sent (id 0: none), the next try's time. */
	__s64 inflight;
	enum tg_acct_kind inflight_kind;
	__s64 retry_at;
	unsigned int backoff;
	bool down;			/* no server answered the last try */
	bool closing;			/* nothing more sent */
	struct tg_acct_stats st;
};

const char *tg_acct_kind_name(enum tg_acct_kind k)
{
	switch (k) {
	case TG_ACCT_START:
		return "start";
	case TG_ACCT_STOP:
		return "stop";
	case TG_ACCT_INTERIM:
		return "interim";
	default:
		return "?";
	}
}

int tg_acct_open(const struct tg_acct_config *cfg, sqlite3 *db,
		 tg_acct_counters_fn counters, void *ctx, struct tg_acct **out)
{
	struct tg_acct *a = calloc(1, sizeof(*a));
	long long n;
	int err;

	if (!a)
		return -ENOMEM;
	a->cfg = *cfg;
	if (!a->cfg.queue_max)
		a->cfg.queue_max = TG_ACCT_QUEUE_MAX_DEFAULT;
	if (a->cfg.interim && a->cfg.interim < TG_ACCT_INTERIM_MIN)
		a->cfg.interim = TG_ACCT_INTERIM_MIN;
	a->db = db;
	a->counters = counters;
	a->ctx = ctx;
	a->backoff = TG_ACCT_BACKOFF_MIN;
	n = tg_acct_queue_len(db);
	if (n < 0) {
		pr_warn("radius accounting: table radius_acct_queue unreadable: %s\n",
			sqlite3_errmsg(db));
		free(a);
		return -EIO;
	}
	err = tg_acct_sender_open(&a->cfg, &a->snd);
	if (err) {
		free(a);
		return err;
	}
	if (n)
		pr_info("radius accounting: %lld records of a previous run to send\n", n);
	*out = a;
	return 0;
}

void tg_acct_close(struct tg_acct *a)
{
	struct pollfd p;

	if (!a)
		return;
	/* The record on its way: its answer decides whether it stays. */
	a->closing = true;
	while (a->inflight) {
		p = (struct pollfd){ .fd = tg_acct_fd(a), .events = POLLIN };
		if (poll(&p, 1, 1000) > 0 && tg_acct_read(a, time(NULL)))
			break;
	}
	tg_acct_sender_close(a->snd);
	if (a->npend)
		pr_warn("radius accounting: %zu records could not be stored before the end\n",
			a->npend);
	while (a->npend)
		free(a->pend[--a->npend].attrs);
	free(a->pend);
	free(a->sess);
	free(a);
}

void tg_acct_set_db(struct tg_acct *a, sqlite3 *db)
{
	if (a)
		a->db = db;
}

int tg_acct_fd(const struct tg_acct *a)
{
	return tg_acct_sender_fd(a->snd);
}

int tg_acct_busy(const struct tg_acct *a)
{
	return a->inflight != 0;
}

void tg_acct_get_stats(const struct tg_acct *a, struct tg_acct_stats *st)
{
	long long n = a->db ? tg_acct_queue_len(a->db) : 0;

	*st = a->st;
	st->queue_len = (n > 0 ? n : 0) + a->npend;
}

/*
 * The records made so far into the queue, in one transaction: 0, or
 * -EAGAIN (no database) / -EIO with every record kept for the next try.
 */
static int acct_store(struct tg_acct *a)
{
	int err = 0;
	size_t i;

	if (!a->npend)
		return 0;
	if (!a->db)
		return -EAGAIN;
	if (tg_db_begin_write(a->db))
		err = -EIO;
	for (i = 0; !err && i < a->npend; i++) {
		struct acct_pend *p = &a->pend[i];

		err = tg_acct_queue_put(a->db, p->created, p->kind, p->attrs,
					p->len, a->cfg.queue_max, a->inflight,
					&p->dropped);
	}
	if (!err && tg_db_commit(a->db))
		err = -EIO;
	if (err) {
		tg_db_rollback(a->db);
		if (!a->store_failing)
			pr_warn("radius accounting: %zu records not stored yet (%s): kept and stored later\n",
				a->npend, sqlite3_errmsg(a->db));
		a->store_failing = true;
		return err;
	}
	if (a->store_failing)
		pr_info("radius accounting: records stored again\n");
	a->store_failing = false;
	for (i = 0; i < a->npend; i++) {
		struct acct_pend *p = &a->pend[i];

		if (p->dropped && a->st.dropped++ % 1000 == 0)
			pr_warn("radius accounting: queue full (%u records): oldest Interim-Updates dropped (%llu so far)\n",
				a->cfg.queue_max, (unsigned long long)a->st.dropped);
		if (p->dropped != TG_ACCT_DROPPED_NEW)
			a->st.queued[p->kind]++;
		free(p->attrs);
	}
	a->npend = 0;
	return 0;
}

/* The oldest record to the sender, unless one is out or a retry waits. */
static int acct_dispatch(struct tg_acct *a, __s64 now)
{
	static struct tg_acct_rec r;	/* 4 KiB: not on the stack */
	int ret;

	if (!a->db)
		return 0;
	if (a->answered) {
		if (tg_acct_queue_del(a->db, a->answered))
			return -EIO;
		a->answered = 0;
	}
	while (!a->inflight && !a->closing && now >= a->retry_at) {
		ret = tg_acct_queue_head(a->db, &r);
		if (ret <= 0 && ret != -EBADMSG)
			return ret;
		if (ret == -EBADMSG || r.kind < TG_ACCT_START ||
		    r.kind >= TG_ACCT_KINDS) {
			/* Not a record this code wrote: it would block the rest. */
			pr_warn("radius accounting: queue row %lld unreadable, deleted\n",
				(long long)r.id);
			a->st.unsendable++;
			if (tg_acct_queue_del(a->db, r.id))
				return -EIO;
			continue;
		}
		ret = tg_acct_sender_post(a->snd, &r,
					  now > r.created ? now - r.created : 0);
		if (ret)
			return ret;
		a->inflight = r.id;
		a->inflight_kind = r.kind;
	}
	return 0;
}

/* The records made so far stored, then the oldest sent. */
static int acct_send(struct tg_acct *a, __s64 now)
{
	int err = acct_store(a);

	if (err == -EAGAIN)
		return 0;	/* no database now: kept until there is */
	return err ? err : acct_dispatch(a, now);
}

int tg_acct_read(struct tg_acct *a, __s64 now)
{
	enum tg_acct_sent res;
	int ret = tg_acct_sender_result(a->snd, &res);

	if (ret <= 0 || !a->inflight)
		return ret;
	switch (res) {
	case TG_ACCT_SENT_OK:
		/* Deleted before the next record goes out, never sent twice. */
		a->answered = a->inflight;
		a->st.sent[a->inflight_kind]++;
		if (a->down)
			pr_info("radius accounting: a server answers again\n");
		a->down = false;
		a->backoff = TG_ACCT_BACKOFF_MIN;
		a->retry_at = 0;
		break;
	case TG_ACCT_SENT_NONE:
		a->st.retried++;
		if (!a->down)
			pr_warn("radius accounting: no server answered; records kept and retried\n");
		a->down = true;
		a->retry_at = now + a->backoff;
		a->backoff = a->backoff * 2 > TG_ACCT_BACKOFF_MAX ?
			     TG_ACCT_BACKOFF_MAX : a->backoff * 2;
		break;
	case TG_ACCT_SENT_BAD:
		pr_warn("radius accounting: radcli refused record %lld (%s), deleted\n",
			(long long)a->inflight, tg_acct_kind_name(a->inflight_kind));
		a->st.unsendable++;
		a->answered = a->inflight;
		break;
	}
	a->inflight = 0;
	return acct_dispatch(a, now);
}

static int acct_put(struct tg_acct *a, const struct tg_acct_session *s,
		    enum tg_acct_kind kind, const struct tg_acct_counters *c,
		    enum tg_acct_cause cause, __s64 now)
{
	static __u8 buf[TG_RAD_PKT_MAX];
	struct acct_pend *p;
	struct tg_rad_buf b;

	tg_rad_buf_init(&b, buf, TG_RAD_PKT_MAX - TG_RAD_HDR_LEN - 6);
	tg_acct_record(&b, &a->cfg, s, kind, c, cause, now);
	if (b.err) {
		pr_warn("radius accounting: %s record of session '%s' too long\n",
			tg_acct_kind_name(kind), s->id);
		return b.err;
	}
	if (a->npend == a->cappend) {
		size_t cap = a->cappend ? a->cappend * 2 : 16;

		p = realloc(a->pend, cap * sizeof(*p));
		if (!p)
			goto nomem;
		a->pend = p;
		a->cappend = cap;
	}
	p = &a->pend[a->npend];
	p->attrs = malloc(b.len);
	if (!p->attrs)
		goto nomem;
	memcpy(p->attrs, buf, b.len);
	p->len = b.len;
	p->kind = kind;
	p->created = now;
	a->npend++;
	return 0;
nomem:
	pr_warn("radius accounting: %s record of session '%s' lost: out of memory\n",
		tg_acct_kind_name(kind), s->id);
	return -ENOMEM;
}

static struct acct_sess *acct_find(struct tg_acct *a, const char *id)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (!strcmp(a->sess[i].s.id, id))
			return &a->sess[i];
	return NULL;
}

static int acct_add(struct tg_acct *a, const struct tg_acct_session *s,
		    __s64 now)
{
	struct acct_sess *e = acct_find(a, s->id);

	if (!e) {
		if (a->n == a->cap) {
			size_t cap = a->cap ? a->cap * 2 : 64;
			void *p = realloc(a->sess, cap * sizeof(*a->sess));

			if (!p)
				return -ENOMEM;
			a->sess = p;
			a->cap = cap;
		}
		e = &a->sess[a->n++];
	}
	e->s = *s;
	e->interval = tg_acct_interval(s->interim, a->cfg.interim);
	e->due = e->interval ? tg_acct_first_due(s->id, e->interval, now) : 0;
	return 0;
}

int tg_acct_start(struct tg_acct *a, const struct tg_acct_session *s,
		  __s64 now)
{
	int err = acct_add(a, s, now);

	if (!err)
		err = acct_put(a, s, TG_ACCT_START, NULL, 0, now);
	return err ? err : acct_send(a, now);
}

int tg_acct_resume(struct tg_acct *a, const struct tg_acct_session *s,
		   __s64 now)
{
	return acct_add(a, s, now);
}

int tg_acct_stop(struct tg_acct *a, const char *id,
		 const struct tg_acct_counters *c, enum tg_acct_cause cause,
		 __s64 now)
{
	struct acct_sess *e = acct_find(a, id);
	int err;

	if (!e)
		return -ENOENT;
	err = acct_put(a, &e->s, TG_ACCT_STOP, c, cause, now);
	*e = a->sess[--a->n];
	return err ? err : acct_send(a, now);
}

int tg_acct_tick(struct tg_acct *a, __s64 now)
{
	struct tg_acct_counters c;
	size_t i;

	for (i = 0; i < a->n; i++) {
		struct acct_sess *e = &a->sess[i];

		if (!e->interval || e->due > now)
			continue;
		e->due += e->interval;
		if (e->due <= now)
			e->due = now + e->interval;
		if (a->counters(a->ctx, e->s.id, &c))
			continue;
		acct_put(a, &e->s, TG_ACCT_INTERIM, &c, 0, now);
	}
	/* Every record due this second (and any kept) in one transaction. */
	return acct_send(a, now);
}
