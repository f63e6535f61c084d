// SPDX-License-Identifier: GPL-2.0-only
/*
 * The RADIUS side of the daemon's sessions (aaa radius): accounting
 * records of every session (radius_accounting), CoA and Disconnect
 * requests (radius_dae), and Idle-Timeout. The counters are the data
 * plane's per-subscriber ones (inner IP packets and their bytes; input:
 * what the member sent), taken relative to the session's start.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "daemon/lns_member.h"
#include "daemon/run.h"
#include "dataplane/counters.h"
#include "db/class.h"
#include "radius/config.h"

static uint64_t lnsd_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct lns_session *lnsd_by_acct_id(struct tg_lnsd *d, const char *id)
{
	unsigned int i, j;

	for (i = 0; i < LNS_TUNNELS_MAX; i++) {
		struct lns_tunnel *t = d->srv.lns.tunnels[i];

		for (j = 0; t && j < t->n_sessions; j++) {
			struct lnsd_member *m = t->sessions[j]->user;

			if (m && m->online && !strcmp(m->acct_id, id))
				return t->sessions[j];
		}
	}
	return NULL;
}

/* The data plane's counters of dp_id: 0, or -errno (maps not open). */
static int lnsd_dp_counters(const struct tg_lnsd *d, __u32 dp_id,
			    struct tg_acct_counters *c)
{
	struct tg_sub_counters sc;
	int err;

	if (!d->maps || d->maps->sub_stats < 0 || !dp_id)
		return -EAGAIN;
	err = tg_sub_counters_read(d->maps, &dp_id, 1, &sc);
	if (err)
		return err;
	c->in_octets = sc.bytes[TG_DIR_UP];
	c->in_packets = sc.packets[TG_DIR_UP];
	c->out_octets = sc.bytes[TG_DIR_DOWN];
	c->out_packets = sc.packets[TG_DIR_DOWN];
	return 0;
}

/*
 * The session's counters since its start. Counters lower than at the
 * start were zeroed by the sync (its data plane id was new to the maps):
 * they count from zero then.
 */
static int lnsd_session_counters(const struct tg_lnsd *d,
				 struct lnsd_member *m,
				 struct tg_acct_counters *c)
{
	struct tg_acct_counters cur;
	int err = lnsd_dp_counters(d, m->dp_id, &cur);

	if (err)
		return err;
	if (cur.in_octets < m->base.in_octets ||
	    cur.out_octets < m->base.out_octets ||
	    cur.in_packets < m->base.in_packets ||
	    cur.out_packets < m->base.out_packets)
		memset(&m->base, 0, sizeof(m->base));
	c->in_octets = cur.in_octets - m->base.in_octets;
	c->out_octets = cur.out_octets - m->base.out_octets;
	c->in_packets = cur.in_packets - m->base.in_packets;
	c->out_packets = cur.out_packets - m->base.out_packets;
	m->last = *c;
	return 0;
}

static int lnsd_acct_counters(void *ctx, const char *id,
			      struct tg_acct_counters *c)
{
	struct tg_lnsd *d = ctx;
	struct lns_session *ls = lnsd_by_acct_id(d, id);

	return ls ? lnsd_session_counters(d, ls->user, c) : -ENOENT;
}

static void lnsd_acct_session(const struct tg_lnsd *d,
			      const struct lns_session *ls,
			      const struct lnsd_member *m,
			      struct tg_acct_session *s)
{
	const struct sockaddr_in *peer =
		(const struct sockaddr_in *)&ls->tunnel->peer.ss;
	const struct sockaddr_in *us =
		(const struct sockaddr_in *)&d->cfg.listen.ss;

	memset(s, 0, sizeof(*s));
	snprintf(s->id, sizeof(s->id), "%s", m->acct_id);
	snprintf(s->user, sizeof(s->user), "%.*s", (int)sizeof(s->user) - 1,
		 ls->ppp ? ls->ppp->user : "");
	memcpy(s->class_, m->class_, m->class_len);
	s->class_len = m->class_len;
	s->ip = ls->ppp ? ls->ppp->peer4.s_addr : 0;
	inet_ntop(AF_INET, &peer->sin_addr, s->calling, sizeof(s->calling));
	inet_ntop(AF_INET, &us->sin_addr, s->called, sizeof(s->called));
	s->nas_port = (__u32)ls->tunnel->id << 16 | ls->id;
	s->interim = m->interim;
	s->started = m->started;
}

void lnsd_acct_base(const struct tg_lnsd *d, struct lnsd_member *m)
{
	/*
	 * A RADIUS row is new with the session: its counters start at zero
	 * (the sync zeroes a data plane id new to the maps); a local
	 * member's go on from its sessions before.
	 */
	memset(&m->base, 0, sizeof(m->base));
	if (!m->radius && lnsd_dp_counters(d, m->dp_id, &m->base))
		memset(&m->base, 0, sizeof(m->base));
}

/* A session's accounting begins: its Start, or (resume) none. */
static void lnsd_acct_begin(struct tg_lnsd *d, struct lns_session *ls,
			    struct lnsd_member *m, bool resume)
{
	struct tg_acct_session s;

	m->up_ms = lnsd_mono_ms();
	if (!d->acct || !*m->acct_id)
		return;
	lnsd_acct_session(d, ls, m, &s);
	if ((resume ? tg_acct_resume : tg_acct_start)(d->acct, &s, time(NULL)))
		d->db_errors++;
	m->accounted = true;
}

void lnsd_acct_up(struct tg_lnsd *d, struct lns_session *ls,
		  struct lnsd_member *m)
{
	lnsd_acct_begin(d, ls, m, false);
}

void lnsd_acct_resume(struct tg_lnsd *d, struct lns_session *ls,
		      struct lnsd_member *m)
{
	lnsd_acct_begin(d, ls, m, true);
}

/*
 * Acct-Terminate-Cause of a session the LNS ended for why (the daemon's
 * own reasons are set before it closes one): the LAC's CDN or the
 * member's LCP Terminate-Request are the user's; the tunnel lost, the
 * LAC gone or the LCP echoes unanswered, the carrier's.
 */
static enum tg_acct_cause lnsd_cause(const char *why)
{
	static const struct {
		const char *why;
		enum tg_acct_cause cause;
	} map[] = {
		{ LNS_WHY_CDN, TG_ACCT_USER_REQUEST },
		{ PPP_WHY_CLOSED, TG_ACCT_USER_REQUEST },
		{ LNS_WHY_STOPCCN, TG_ACCT_LOST_CARRIER },
		{ LNS_WHY_RESTARTED, TG_ACCT_LOST_CARRIER },
		{ LNS_WHY_SILENT, TG_ACCT_LOST_CARRIER },
		{ PPP_WHY_NO_ECHO, TG_ACCT_LOST_CARRIER },
		{ LNS_WHY_STOPPED, TG_ACCT_NAS_REBOOT },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(why, map[i].why))
			return map[i].cause;
	return TG_ACCT_NAS_ERROR;
}

void lnsd_acct_down(struct tg_lnsd *d, struct lns_session *ls,
		    struct lnsd_member *m, const char *why)
{
	struct tg_acct_counters c;
	int err;

	(void)ls;
	if (!d->acct || !m->accounted)
		return;
	/* The maps unreadable: the last counters read. */
	if (lnsd_session_counters(d, m, &c))
		c = m->last;
	err = tg_acct_stop(d->acct, m->acct_id, &c,
			   m->cause ? m->cause : lnsd_cause(why), time(NULL));
	if (err && err != -ENOENT)
		d->db_errors++;
	m->accounted = false;
}

void lnsd_end(struct lns_session *ls, struct lnsd_member *m,
	      enum tg_acct_cause cause, uint64_t now)
{
	if (m)
		m->cause = cause;
	lns_session_close(ls, LNS_CDN_ADMIN, LNS_ERR_NONE, now);
}

/* Sessions the data plane heard nothing from for their Idle-Timeout. */
static void lnsd_idle(struct tg_lnsd *d, uint64_t now)
{
	unsigned int i, j;

	if (!d->maps || d->maps->seen < 0)
		return;
	for (i = 0; i < LNS_TUNNELS_MAX; i++) {
		struct lns_tunnel *t = d->srv.lns.tunnels[i];

		for (j = 0; t && j < t->n_sessions; j++) {
			struct lnsd_member *m = t->sessions[j]->user;
			struct tg_seen seen;
			uint64_t last;

			if (!m || !m->online || !m->idle_timeout ||
			    tg_seen_read(d->maps, &m->dp_id, 1, &seen))
				continue;
			/* Both CLOCK_MONOTONIC; nothing heard yet: since up. */
			last = seen.packet_ns / 1000000;
			if (last < m->up_ms)
				last = m->up_ms;
			if (now < last + m->idle_timeout * 1000ULL)
				continue;
			d->idle_timeouts++;
			tg_run_log("lns: member '%s': no packet for its Idle-Timeout of %u s: its session ends",
				   m->name, m->idle_timeout);
			lnsd_end(t->sessions[j], m, TG_ACCT_IDLE_TIMEOUT, now);
			j--;	/* the last session took its place */
		}
	}
}

void lnsd_radius_second(struct tg_lnsd *d, uint64_t now)
{
	d->next_sec = now + 1000;
	lnsd_idle(d, now);
	if (d->acct) {
		if (tg_acct_tick(d->acct, time(NULL)))
			d->db_errors++;
		tg_acct_get_stats(d->acct, &d->acct_st);
	}
	if (d->dae)
		tg_dae_get_stats(d->dae, &d->dae_st);
}

/* The one live session every identification given names. */
static int lnsd_dae_find(void *ctx, const struct tg_dae_ident *id,
			 __u64 *handle)
{
	struct tg_lnsd *d = ctx;
	unsigned int i, j, n = 0;

	for (i = 0; i < LNS_TUNNELS_MAX; i++) {
		struct lns_tunnel *t = d->srv.lns.tunnels[i];

		for (j = 0; t && j < t->n_sessions; j++) {
			struct lns_session *ls = t->sessions[j];
			struct lnsd_member *m = ls->user;

			if (!m || !m->online || !ls->ppp)
				continue;
			if (*id->session_id && strcmp(id->session_id, m->acct_id))
				continue;
			if (*id->user && strcmp(id->user, ls->ppp->user))
				continue;
			if (id->ip.s_addr && id->ip.s_addr != ls->ppp->peer4.s_addr)
				continue;
			*handle = (__u64)m->id;
			n++;
		}
	}
	if (!n)
		return TG_DAE_EC_CONTEXT_NOT_FOUND;
	return n == 1 ? 0 : TG_DAE_EC_INVALID_REQUEST;
}

static struct lns_session *lnsd_by_member(struct tg_lnsd *d, __u64 handle)
{
	unsigned int i, j;

	for (i = 0; i < LNS_TUNNELS_MAX; i++) {
		struct lns_tunnel *t = d->srv.lns.tunnels[i];

		for (j = 0; t && j < t->n_sessions; j++) {
			struct lnsd_member *m = t->sessions[j]->user;

			if (m && m->online && (__u64)m->id == handle)
				return t->sessions[j];
		}
	}
	return NULL;
}

/*
 * A CoA-Request: the RADIUS row's rates and class, written at once (the
 * sync that follows polices at them); a local member's row is the
 * operator's and is not changed.
 */
static int lnsd_dae_change(void *ctx, __u64 handle,
			   const struct tg_dae_change *c)
{
	struct tg_lnsd *d = ctx;
	struct lns_session *ls = lnsd_by_member(d, handle);
	struct lnsd_member *m = ls ? ls->user : NULL;
	struct tg_class cls;
	struct tg_sub s;
	char err[256];
	int ret;

	if (!m)
		return TG_DAE_EC_CONTEXT_NOT_FOUND;
	if (!m->radius) {
		tg_run_log("lns: CoA for member '%s' refused: its row is a local subscriber's",
			   m->name);
		return TG_DAE_EC_ADMIN_PROHIBITED;
	}
	if (c->has_class && *c->class_ &&
	    (strlen(c->class_) >= sizeof(s.cls) ||
	     tg_db_class_get(d->db, c->class_, &cls)))
		return TG_DAE_EC_INVALID_VALUE;
	if (!d->db || tg_db_sub_get(d->db, m->name, &s)) {
		d->db_errors++;
		return TG_DAE_EC_RESOURCES_UNAVAILABLE;
	}
	if (c->has_up) {
		s.has_up_rate = true;
		s.up_rate = c->up_bps;
	}
	if (c->has_down) {
		s.has_down_rate = true;
		s.down_rate = c->down_bps;
	}
	if (c->has_class)
		snprintf(s.cls, sizeof(s.cls), "%.*s", (int)sizeof(s.cls) - 1,
			 c->class_);
	ret = tg_db_sub_update(d->db, m->name, &s, err, sizeof(err));
	tg_sub_free(&s);
	if (ret) {
		tg_run_log("lns: CoA for member '%s' not applied: %s", m->name,
			   err);
		if (ret == -EIO)
			d->db_errors++;
		return ret == -EIO ? TG_DAE_EC_RESOURCES_UNAVAILABLE :
				     TG_DAE_EC_INVALID_VALUE;
	}
	if (c->has_timeout) {
		m->session_timeout = c->session_timeout;
		m->ends_at = c->session_timeout ?
			     lnsd_mono_ms() + c->session_timeout * 1000ULL : 0;
		if (m->ends_at && (!d->next_end || m->ends_at < d->next_end))
			d->next_end = m->ends_at;
	}
	d->dae_changes++;
	d->changed = true;
	tg_run_log("lns: CoA applied to member '%s'", m->name);
	return 0;
}

static int lnsd_dae_disconnect(void *ctx, __u64 handle)
{
	struct tg_lnsd *d = ctx;
	struct lns_session *ls = lnsd_by_member(d, handle);

	if (!ls)
		return TG_DAE_EC_CONTEXT_NOT_FOUND;
	d->dae_disconnects++;
	tg_run_log("lns: Disconnect-Request: member '%s': its session ends",
		   ((struct lnsd_member *)ls->user)->name);
	lnsd_end(ls, ls->user, TG_ACCT_ADMIN_RESET, lnsd_mono_ms());
	return 0;
}

static const struct tg_dae_ops lnsd_dae_ops = {
	.find = lnsd_dae_find,
	.change = lnsd_dae_change,
	.disconnect = lnsd_dae_disconnect,
};

int lnsd_radius_open(struct tg_lnsd *d)
{
	struct tg_acct_config ac;
	struct tg_dae_config dc;
	int ret;

	if (d->rad.aaa != TG_AAA_RADIUS)
		return 0;
	d->next_sec = lnsd_mono_ms() + 1000;
	if (d->rad.accounting) {
		_Static_assert(sizeof(d->acct_servers) >= TG_RADIUS_ACCT_LIST_MAX,
			       "acct_servers");
		tg_radius_acct_config(&d->rad, &ac, d->acct_servers);
		ret = tg_acct_open(&ac, d->db, lnsd_acct_counters, d, &d->acct);
		if (ret) {
			tg_run_log("lns: not started: RADIUS accounting: %s",
				   strerror(-ret));
			return ret;
		}
		tg_run_log("lns: RADIUS accounting to %s (Interim-Update every %u s unless the server says)",
			   d->acct_servers, d->rad.interim_s);
	}
	if (d->rad.dae) {
		tg_radius_dae_config(&d->rad, &dc, d->dae_clients);
		ret = tg_dae_open(&dc, &lnsd_dae_ops, d, &d->dae);
		if (ret) {
			tg_run_log("lns: not started: RADIUS CoA/Disconnect server: %s",
				   strerror(-ret));
			tg_acct_close(d->acct);
			d->acct = NULL;
			return ret;
		}
	}
	return 0;
}

void lnsd_radius_close(struct tg_lnsd *d)
{
	if (d->acct) {
		tg_acct_get_stats(d->acct, &d->acct_st);
		tg_acct_close(d->acct);
	}
	tg_dae_close(d->dae);
	d->acct = NULL;
	d->dae = NULL;
	explicit_bzero(d->dae_clients, sizeof(d->dae_clients));
}

int tg_lnsd_acct_fd(const struct tg_lnsd *d)
{
	return d->on && d->acct ? tg_acct_fd(d->acct) : -1;
}

void tg_lnsd_acct_read(struct tg_lnsd *d)
{
	if (!d->on || !d->acct)
		return;
	if (tg_acct_read(d->acct, time(NULL)) < 0)
		d->db_errors++;
	tg_acct_get_stats(d->acct, &d->acct_st);
}

int tg_lnsd_dae_fd(const struct tg_lnsd *d)
{
	return d->on && d->dae ? tg_dae_fd(d->dae) : -1;
}

void tg_lnsd_dae_read(struct tg_lnsd *d)
{
	if (!d->on || !d->dae)
		return;
	tg_dae_read(d->dae, time(NULL));
	tg_dae_get_stats(d->dae, &d->dae_st);
}

void tg_lnsd_set_maps(struct tg_lnsd *d, const struct tg_maps *m)
{
	d->maps = m;
}
