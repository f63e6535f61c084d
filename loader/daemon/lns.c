// SPDX-License-Identifier: GPL-2.0-only
/*
 * The LNS inside 'tungate run': logins checked against the members in the
 * database or by RADIUS servers (aaa radius: an accepted member gets a
 * subscriber row of origin 'radius' for as long as its session lasts,
 * unless a local row has its user, which then takes its place), sessions
 * written to the session table when IPCP or IPv6CP
 * opens (the sync then puts them in the data plane) and removed when they
 * end, 'session kill' and members deleted or disabled obeyed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <nettle/md5.h>

#include "daemon/lns.h"
#include "daemon/lns_member.h"
#include "daemon/run.h"
#include "lns/data.h"
#include "lns/persist.h"

/*
 * A login answered after the datagram that asked (or, with end, a session
 * ended then: never from inside its own PPP).
 */
struct tg_lnsd_auth {
	uint16_t tunnel, session;
	bool ok, end;
	char msg[64];
	struct in_addr peer4;
	struct lnsd_member *m;
};

static struct tg_lnsd *lnsd_of(void *ctx)
{
	struct lns_server *srv = ctx;

	return srv->user;
}

static uint16_t lnsd_port(const struct lns_addr *a)
{
	return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
}

static __be32 lnsd_ip(const struct lns_addr *a)
{
	return ((const struct sockaddr_in *)&a->ss)->sin_addr.s_addr;
}

static void lnsd_peer_text(const struct lns_tunnel *t, char *buf, size_t len)
{
	char a[INET_ADDRSTRLEN] = "?";

	if (t->peer.ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)&t->peer.ss)->sin_addr,
			  a, sizeof(a));
	snprintf(buf, len, "%s:%u", a, lnsd_port(&t->peer));
}

/* The session of a member, by subscriber id; NULL when none is up. */
static struct lns_session *lnsd_find(struct tg_lnsd *d, __s64 id)
{
	struct lns *l = &d->srv.lns;
	unsigned int i, j;

	for (i = 0; i < LNS_TUNNELS_MAX; i++) {
		struct lns_tunnel *t = l->tunnels[i];

		if (!t)
			continue;
		for (j = 0; j < t->n_sessions; j++) {
			struct lnsd_member *m = t->sessions[j]->user;

			if (m && m->id == id)
				return t->sessions[j];
		}
	}
	return NULL;
}

/* The member's addresses: the IPv4 /32, the IPv6 /64 and delegated prefix. */
/*
 * The LNS's DUID (RFC 6355 DUID-UUID): a name-based UUID of this machine's
 * id, or of its host name without one, so that a member's DHCPv6 client
 * finds the same server after a restart, and the machine id itself never
 * goes out.
 */
static void lnsd_duid(uint8_t duid[18])
{
	static const char label[] = "tungate LNS DHCPv6 server";
	char id[256] = "";
	struct md5_ctx c;
	FILE *f;

	f = fopen("/etc/machine-id", "r");
	if (!f || !fgets(id, sizeof(id), f) || strlen(id) < 32)
		gethostname(id, sizeof(id) - 1);
	if (f)
		fclose(f);
	md5_init(&c);
	md5_update(&c, sizeof(label), (const uint8_t *)label);
	md5_update(&c, strlen(id), (const uint8_t *)id);
	duid[0] = 0;
	duid[1] = 4;
	md5_digest(&c, 16, duid + 2);
	duid[2 + 6] = (duid[2 + 6] & 0x0f) | 0x30;	/* version 3: MD5 */
	duid[2 + 8] = (duid[2 + 8] & 0x3f) | 0x80;	/* RFC 4122 variant */
}

static void lnsd_addresses(const struct tg_lnsd *d, const struct tg_sub *s,
			   struct in_addr *peer4, struct lns_ipv6 *v6)
{
	unsigned int i;

	memcpy(v6->duid, d->duid, sizeof(d->duid));
	v6->duid_len = sizeof(d->duid);
	for (v6->n_dns = 0; v6->n_dns < LNS_DNS6_MAX &&
	     !IN6_IS_ADDR_UNSPECIFIED(&d->cfg.dns6[v6->n_dns]); v6->n_dns++)
		v6->dns[v6->n_dns] = d->cfg.dns6[v6->n_dns];

	peer4->s_addr = 0;
	memset(&v6->prefix, 0, sizeof(v6->prefix));
	memset(&v6->pd, 0, sizeof(v6->pd));
	v6->pd_len = 0;
	for (i = 0; i < s->nprefix; i++) {
		const struct tg_prefix *p = &s->prefix[i];

		if (p->family == AF_INET && p->len == 32 && !peer4->s_addr)
			memcpy(peer4, &p->addr, 4);
		else if (p->family == AF_INET6 && p->len == 64 &&
			 IN6_IS_ADDR_UNSPECIFIED(&v6->prefix))
			memcpy(&v6->prefix, &p->addr, 16);
		else if (p->family == AF_INET6 && !v6->pd_len) {
			memcpy(&v6->pd, &p->addr, 16);
			v6->pd_len = p->len;
		}
	}
}

/* Constant time, so that timing tells nothing of the secret. */
static bool lnsd_equal(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint8_t x = 0;
	size_t i;

	for (i = 0; i < n; i++)
		x |= a[i] ^ b[i];
	return !x;
}

static bool lnsd_password_ok(const struct tg_sub *s,
			     const struct ppp_auth_req *r)
{
	uint8_t md5[16];
	size_t n;

	if (!*s->password)
		return false;
	if (r->proto == PPP_PAP) {
		n = strlen(s->password);
		return strlen(r->password) == n &&
		       lnsd_equal((const uint8_t *)s->password,
				  (const uint8_t *)r->password, n);
	}
	ppp_chap_md5(r->chap_id, s->password, r->challenge,
		     sizeof(r->challenge), md5);
	return lnsd_equal(md5, r->response, sizeof(md5));
}

static struct tg_lnsd_auth *lnsd_queue(struct tg_lnsd *d)
{
	struct tg_lnsd_auth *v;

	if (d->n_pending == d->cap_pending) {
		size_t cap = d->cap_pending ? d->cap_pending * 2 : 16;

		v = realloc(d->pending, cap * sizeof(*v));
		if (!v)
			return NULL;
		d->pending = v;
		d->cap_pending = cap;
	}
	v = &d->pending[d->n_pending++];
	memset(v, 0, sizeof(*v));
	return v;
}

/* The login goes to the RADIUS workers; refused at once when it cannot. */
static void lnsd_radius_ask(struct tg_lnsd *d, struct lns_session *ls,
			    const struct ppp_auth_req *r)
{
	struct tg_rad_request q = {
		.tunnel = ls->tunnel->id,
		.session = ls->id,
		.serial = ls->call_serial,
		.auth = *r,
	};
	struct tg_lnsd_auth *a;

	q.calling.s_addr = lnsd_ip(&ls->tunnel->peer);
	q.called.s_addr = lnsd_ip(&d->cfg.listen);
	if (!tg_rad_client_submit(d->rc, &q)) {
		explicit_bzero(&q, sizeof(q));
		return;
	}
	explicit_bzero(&q, sizeof(q));
	a = lnsd_queue(d);
	if (!a)
		return;
	a->tunnel = ls->tunnel->id;
	a->session = ls->id;
	snprintf(a->msg, sizeof(a->msg), "authentication failed");
}

/* Who may log in: an enabled member with this user and password. */
static void lnsd_auth(void *ctx, struct lns_session *ls,
		      const struct ppp_auth_req *r)
{
	struct tg_lnsd *d = lnsd_of(ctx);
	const char *how = r->proto == PPP_PAP ? "PAP" : "CHAP";
	struct tg_lnsd_auth *a = lnsd_queue(d);
	struct tg_sub *v = NULL;
	char peer[64], why[96] = "";
	size_t n = 0;
	int err;

	if (!a)
		return;	/* no memory: PPP's own timeout ends the session */
	if (d->rc) {
		d->n_pending--;
		lnsd_radius_ask(d, ls, r);
		return;
	}
	a->tunnel = ls->tunnel->id;
	a->session = ls->id;
	lnsd_peer_text(ls->tunnel, peer, sizeof(peer));
	err = d->db ? tg_db_sub_find_user(d->db, r->user, &v, &n) : -EIO;
	if (err) {
		d->db_errors++;
		snprintf(why, sizeof(why), "the database cannot be read");
	} else if (!n) {
		snprintf(why, sizeof(why), "no such member");
	} else if (!v->enabled) {
		snprintf(why, sizeof(why), "member '%s' is disabled", v->name);
	} else if (!lnsd_password_ok(v, r)) {
		snprintf(why, sizeof(why), "member '%s': %s", v->name,
			 *v->password ? "wrong password" : "no password set");
	}
	if (*why) {
		d->refused++;
		tg_run_log("lns: login refused: user '%s' (%s) from %s: %s",
			   r->user, how, peer, why);
		snprintf(a->msg, sizeof(a->msg), "authentication failed");
		tg_sub_list_free(v, n);
		return;
	}
	a->m = calloc(1, sizeof(*a->m));
	if (!a->m) {
		d->n_pending--;
		tg_sub_list_free(v, n);
		return;
	}
	a->ok = true;
	a->m->id = v->id;
	a->m->dp_id = v->dp_id;
	snprintf(a->m->name, sizeof(a->m->name), "%s", v->name);
	snprintf(a->msg, sizeof(a->msg), "welcome");
	lnsd_addresses(d, v, &a->peer4, &ls->v6);
	d->logins++;
	tg_run_log("lns: login: member '%s' (user '%s', %s) from %s, tunnel %u session %u",
		   v->name, r->user, how, peer, ls->tunnel->id, ls->id);
	tg_sub_list_free(v, n);
}

/* Logins asked while the last datagrams were handled, answered now. */
static void lnsd_answer(struct tg_lnsd *d, uint64_t now)
{
	struct lns *l = &d->srv.lns;
	struct lns_session *s, *old;
	struct lns_tunnel *t;
	size_t i;

	for (i = 0; i < d->n_pending; i++) {
		struct tg_lnsd_auth *a = &d->pending[i];

		t = lns_tunnel_by_id(l, a->tunnel);
		s = t ? lns_session_by_id(t, a->session) : NULL;
		if (a->end) {
			if (s)
				lns_session_close(s, LNS_CDN_NO_FACILITY,
						  LNS_ERR_RESOURCES, now);
			continue;
		}
		if (!s || s->user) {
			free(a->m);
			continue;
		}
		if (a->ok) {
			/* A router that redials gets the new session. */
			old = lnsd_find(d, a->m->id);
			if (old) {
				d->takeovers++;
				tg_run_log("lns: member '%s' dialled again: its session %u of tunnel %u ends",
					   a->m->name, old->id, old->tunnel->id);
				lnsd_end(old, old->user, TG_ACCT_LOST_CARRIER,
					 now);
			}
			s->user = a->m;
		}
		lns_auth_done(s, a->ok, a->msg, a->peer4, now);
	}
	d->n_pending = 0;
}

/* IPCP or IPv6CP opened: the session goes in the table, then the maps. */
static void lnsd_up(void *ctx, struct lns_session *ls)
{
	struct tg_lnsd *d = lnsd_of(ctx);
	struct lnsd_member *m = ls->user;
	struct lns_tunnel *t = ls->tunnel;
	struct tg_session row = {};
	char peer[64], a4[INET_ADDRSTRLEN];

	if (!m || m->online)
		return;
	row.subscriber_id = m->id;
	row.remote = lnsd_ip(&t->peer);
	row.local = lnsd_ip(&d->cfg.listen);
	row.peer_port = lnsd_port(&t->peer);
	row.local_port = lnsd_port(&d->cfg.listen);
	row.tunnel_id = t->id;
	row.session_id = ls->id;
	row.peer_tunnel_id = t->peer_id;
	row.peer_session = ls->peer_id;
	row.started = time(NULL);
	snprintf(row.lac, sizeof(row.lac), "%s", t->host_name);
	tg_acct_session_id(d->acct_salt, row.started, t->id, ls->id,
			   row.acct_session_id);
	memcpy(row.radius_class, m->class_, m->class_len);
	row.radius_class_len = m->class_len;
	row.session_timeout = m->session_timeout;
	row.idle_timeout = m->idle_timeout;
	row.interim = m->interim;
	lnsd_acct_base(d, m);
	row.base.in_octets = m->base.in_octets;
	row.base.out_octets = m->base.out_octets;
	row.base.in_packets = m->base.in_packets;
	row.base.out_packets = m->base.out_packets;
	lnsd_peer_text(t, peer, sizeof(peer));
	inet_ntop(AF_INET, &ls->ppp->peer4, a4, sizeof(a4));
	if (!d->db || tg_db_session_put(d->db, &row)) {
		struct tg_lnsd_auth *a = lnsd_queue(d);

		d->db_errors++;
		tg_run_log("lns: member '%s': cannot write its session: it ends",
			   m->name);
		if (a) {
			a->tunnel = t->id;
			a->session = ls->id;
			a->end = true;
		}
		return;
	}
	m->online = true;
	d->changed = true;
	snprintf(m->acct_id, sizeof(m->acct_id), "%s", row.acct_session_id);
	m->started = row.started;
	lnsd_acct_up(d, ls, m);
	tg_run_log("lns: session up: member '%s' %s from %s (%s), tunnel %u/%u session %u/%u",
		   m->name, a4, peer, t->host_name, t->id, t->peer_id, ls->id,
		   ls->peer_id);
}

static void lnsd_down(void *ctx, struct lns_session *ls, const char *why)
{
	struct tg_lnsd *d = lnsd_of(ctx);
	struct lnsd_member *m = ls->user;

	if (!m)
		return;
	if (m->online)
		lnsd_acct_down(d, ls, m, why);
	ls->user = NULL;
	if (m->radius && (!d->db ||
			  tg_db_exec_id(d->db, "DELETE FROM subscriber WHERE id = ?"
					" AND origin = 'radius'", m->id)))
		d->db_errors++;
	if (m->online) {
		if (!d->db || tg_db_session_del(d->db, m->id))
			d->db_errors++;
		d->changed = true;
		tg_run_log("lns: session down: member '%s', tunnel %u session %u: %s",
			   m->name, ls->tunnel->id, ls->id, why);
	}
	free(m);
}

static const struct lns_callbacks lnsd_callbacks = {
	.auth = lnsd_auth,
	.ip_up = lnsd_up,
	.ip6_up = lnsd_up,
	.session_down = lnsd_down,
};

static void lnsd_config(const struct tg_lns_settings *s, struct lns_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->host_name, sizeof(c->host_name), "%s", s->name);
	c->secret_len = strlen(s->secret);
	memcpy(c->secret, s->secret, c->secret_len);
	c->ppp.chap = s->chap;
	c->ppp.pap = s->pap;
	snprintf(c->ppp.name, sizeof(c->ppp.name), "%s", s->name);
	c->ppp.local4 = s->local;
	c->ppp.dns4[0] = s->dns[0];
	c->ppp.dns4[1] = s->dns[1];
	c->ppp.echo_ms = s->echo_s * 1000;
	c->ppp.echo_fails = (uint8_t)s->echo_fails;
	/* fe80::1 on our side of every link. */
	c->ppp.local_ifid[7] = 1;
}

/* A member's session saved by the process before, taken over. */
static int lnsd_adopt(struct tg_lnsd *d, const struct tg_session *row,
		      uint64_t now)
{
	struct lns_session *ls;
	struct lnsd_member *m;
	struct in_addr peer4;
	struct tg_sub sub;
	int err;

	if (!row->state || tg_db_sub_get(d->db, row->name, &sub))
		return -EINVAL;
	err = lns_session_load(&d->srv.lns, row->state, now, &ls);
	if (err) {
		tg_sub_free(&sub);
		return err;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		tg_sub_free(&sub);
		lns_session_close(ls, LNS_CDN_NO_FACILITY, LNS_ERR_RESOURCES,
				  now);
		return -ENOMEM;
	}
	m->id = row->subscriber_id;
	m->dp_id = sub.dp_id;
	m->online = true;
	snprintf(m->acct_id, sizeof(m->acct_id), "%s", row->acct_session_id);
	m->started = row->started;
	snprintf(m->name, sizeof(m->name), "%s", row->name);
	if (tg_db_sub_origin(d->db, row->name, &m->radius))
		m->radius = false;
	m->session_timeout = row->session_timeout;
	m->idle_timeout = row->idle_timeout;
	m->interim = row->interim;
	m->base.in_octets = row->base.in_octets;
	m->base.out_octets = row->base.out_octets;
	m->base.in_packets = row->base.in_packets;
	m->base.out_packets = row->base.out_packets;
	memcpy(m->class_, row->radius_class, row->radius_class_len);
	m->class_len = row->radius_class_len;
	if (m->session_timeout) {
		__s64 left = row->started + m->session_timeout - time(NULL);

		m->ends_at = now + (left > 0 ? (uint64_t)left * 1000 : 0);
		if (!d->next_end || m->ends_at < d->next_end)
			d->next_end = m->ends_at;
	}
	lnsd_addresses(d, &sub, &peer4, &ls->v6);
	ls->user = m;
	tg_sub_free(&sub);
	lnsd_acct_resume(d, ls, m);
	return 0;
}

/*
 * What the process before left (tunnels in lns_tunnel, the state of each
 * session in its row) is taken over; sessions that cannot be end.
 */
static void lnsd_take_over(struct tg_lnsd *d, uint64_t now)
{
	unsigned int tunnels = 0, sessions = 0, lost = 0;
	struct tg_session *v = NULL;
	sqlite3_stmt *st;
	size_t n = 0, i;

	if (sqlite3_prepare_v2(d->db, "SELECT state FROM lns_tunnel", -1, &st,
			       NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW)
			if (!lns_tunnel_load(&d->srv.lns,
					     (const char *)sqlite3_column_text(st, 0),
					     now))
				tunnels++;
		sqlite3_finalize(st);
	}
	if (tg_db_session_list(d->db, &v, &n))
		d->db_errors++;
	for (i = 0; i < n; i++) {
		if (!lnsd_adopt(d, &v[i], now)) {
			sessions++;
			continue;
		}
		lost++;
		if (tg_db_session_del(d->db, v[i].subscriber_id))
			d->db_errors++;
	}
	tg_db_session_list_free(v, n);
	if (tg_db_exec(d->db, "DELETE FROM lns_tunnel;"
		       " UPDATE session SET state = NULL WHERE state IS NOT NULL;"
		       /* RADIUS's rows live as long as their sessions. */
		       " DELETE FROM subscriber WHERE origin = 'radius' AND id NOT IN"
		       " (SELECT subscriber_id FROM session)"))
		d->db_errors++;
	if (tunnels || sessions || lost)
		tg_run_log("lns: took over %u tunnel%s and %u session%s from the process before%s",
			   tunnels, tunnels == 1 ? "" : "s", sessions,
			   sessions == 1 ? "" : "s", lost ? "; some could not be" : "");
	if (lost)
		d->changed = true;
}

int tg_lnsd_start(struct tg_lnsd *d, sqlite3 *db, uint64_t now)
{
	struct lns_config c;
	char err[256];
	int ret;

	memset(d, 0, sizeof(*d));
	d->srv.fd = -1;
	d->db = db;
	ret = tg_lns_settings_load(db, &d->cfg, err, sizeof(err));
	if (ret) {
		tg_run_log("lns: not started: %s",
			   ret == -EINVAL ? err : "cannot read the settings");
		return ret;
	}
	if (!d->cfg.on)
		return 0;
	ret = tg_radius_settings_load(db, &d->cfg, &d->rad, err, sizeof(err));
	if (!ret)
		ret = tg_db_acct_salt(db, d->acct_salt);
	if (ret) {
		tg_run_log("lns: not started: %s",
			   ret == -EINVAL ? err : "cannot read the RADIUS settings");
		return ret;
	}
	if (d->rad.aaa == TG_AAA_RADIUS) {
		ret = tg_rad_client_start(&d->rad, &d->rc, err, sizeof(err));
		if (ret) {
			tg_run_log("lns: not started: RADIUS: %s", err);
			return ret;
		}
	}
	d->stop_cause = TG_ACCT_NAS_REBOOT;
	ret = lnsd_radius_open(d);
	if (ret) {
		tg_rad_client_stop(d->rc);
		d->rc = NULL;
		return ret;
	}
	lnsd_duid(d->duid);
	lnsd_config(&d->cfg, &c);
	ret = lns_server_open(&d->srv, &d->cfg.listen, &c, &lnsd_callbacks, d,
			      err, sizeof(err));
	if (ret) {
		tg_run_log("lns: not started: %s", err);
		lnsd_radius_close(d);
		tg_rad_client_stop(d->rc);
		d->rc = NULL;
		return ret;
	}
	d->on = true;
	lnsd_take_over(d, now);
	tg_lns_setting_show(&d->cfg, "lns", err, sizeof(err));
	tg_run_log("lns: listening on %s (%s%s%s, tunnel secret %s)", err,
		   d->cfg.chap ? "CHAP" : "", d->cfg.chap && d->cfg.pap ? ", " : "",
		   d->cfg.pap ? "PAP" : "", *d->cfg.secret ? "set" : "none");
	if (d->rc) {
		tg_radius_setting_show(&d->rad, "radius_servers", err, sizeof(err));
		tg_run_log("lns: logins checked by RADIUS: %s (%u s per try, %u retries)",
			   err, d->rad.timeout_s, d->rad.retries);
	}
	return 0;
}

int tg_lnsd_fd(const struct tg_lnsd *d)
{
	return d->on ? d->srv.fd : -1;
}

void tg_lnsd_read(struct tg_lnsd *d, uint64_t now)
{
	if (!d->on)
		return;
	lns_server_read(&d->srv, now);
	lnsd_answer(d, now);
}

/* Sessions whose Session-Timeout came end; the next one is noted. */
static void lnsd_timeouts(struct tg_lnsd *d, uint64_t now)
{
	struct lns *l = &d->srv.lns;
	unsigned int i, j;

	if (!d->next_end || now < d->next_end)
		return;
	d->next_end = 0;
	for (i = 0; i < LNS_TUNNELS_MAX; i++) {
		struct lns_tunnel *t = l->tunnels[i];

		for (j = 0; t && j < t->n_sessions; j++) {
			struct lnsd_member *m = t->sessions[j]->user;

			if (!m || !m->ends_at)
				continue;
			if (m->ends_at > now) {
				if (!d->next_end || m->ends_at < d->next_end)
					d->next_end = m->ends_at;
				continue;
			}
			d->timeouts++;
			tg_run_log("lns: member '%s': Session-Timeout of %u s reached: its session ends",
				   m->name, m->session_timeout);
			m->ends_at = 0;
			lnsd_end(t->sessions[j], m, TG_ACCT_SESSION_TIMEOUT,
				 now);
			j--;	/* the last session took its place */
		}
	}
}

void tg_lnsd_tick(struct tg_lnsd *d, uint64_t now)
{
	if (!d->on)
		return;
	lnsd_timeouts(d, now);
	if (now >= d->next_sec)
		lnsd_radius_second(d, now);
	lns_tick(&d->srv.lns, now);
	lnsd_answer(d, now);
}

uint64_t tg_lnsd_deadline(const struct tg_lnsd *d)
{
	uint64_t dl;

	if (!d->on)
		return UINT64_MAX;
	dl = lns_deadline(&d->srv.lns);
	if (d->next_sec && d->next_sec < dl)
		dl = d->next_sec;
	return d->next_end && d->next_end < dl ? d->next_end : dl;
}

void tg_lnsd_set_db(struct tg_lnsd *d, sqlite3 *db)
{
	d->db = db;
	tg_acct_set_db(d->acct, db);
}

static int lnsd_id_cmp(const void *a, const void *b)
{
	const __s64 *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

/* Members whose sessions must end: killed, disabled, or deleted. */
void tg_lnsd_reconcile(struct tg_lnsd *d, uint64_t now)
{
	struct lns *l = &d->srv.lns;
	__s64 *keep = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *st;
	unsigned int i, j;

	if (!d->on || !d->db)
		return;
	if (sqlite3_prepare_v2(d->db, "SELECT x.subscriber_id FROM session x"
			       " JOIN subscriber s ON s.id = x.subscriber_id"
			       " WHERE x.kill = 0 AND s.enabled = 1",
			       -1, &st, NULL) != SQLITE_OK) {
		d->db_errors++;
		return;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (n == cap) {
			__s64 *v;

			cap = cap ? cap * 2 : 64;
			v = realloc(keep, cap * sizeof(*keep));
			if (!v) {
				sqlite3_finalize(st);
				free(keep);
				return;
			}
			keep = v;
		}
		keep[n++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	if (n)
		qsort(keep, n, sizeof(*keep), lnsd_id_cmp);
	for (i = 0; i < LNS_TUNNELS_MAX; i++) {
		struct lns_tunnel *t = l->tunnels[i];

		if (!t)
			continue;
		for (j = 0; j < t->n_sessions; j++) {
			struct lns_session *s = t->sessions[j];
			struct lnsd_member *m = s->user;

			if (!m || !m->online ||
			    (n && bsearch(&m->id, keep, n, sizeof(*keep),
					  lnsd_id_cmp)))
				continue;
			d->killed++;
			tg_run_log("lns: member '%s': its session ends (killed, disabled or deleted)",
				   m->name);
			lnsd_end(s, m, TG_ACCT_ADMIN_RESET, now);
			j--;	/* the last session took its place */
		}
	}
	free(keep);
}

/*
 * Save every established tunnel and online session for the next process,
 * in one transaction: 0, or -EIO (nothing saved).
 */
static int lnsd_save(struct tg_lnsd *d, unsigned int *tunnels,
		     unsigned int *sessions)
{
	struct lns *l = &d->srv.lns;
	sqlite3_stmt *ti = NULL, *su = NULL;
	char line[LNS_STATE_MAX];
	unsigned int i, j;
	int ret = -EIO;

	*tunnels = *sessions = 0;
	if (!d->db || tg_db_exec(d->db, "BEGIN IMMEDIATE"))
		return -EIO;
	if (sqlite3_prepare_v2(d->db, "INSERT OR REPLACE INTO lns_tunnel (id, state) VALUES (?, ?)",
			       -1, &ti, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(d->db, "UPDATE session SET state = ? WHERE subscriber_id = ?",
			       -1, &su, NULL) != SQLITE_OK)
		goto out;
	for (i = 0; i < LNS_TUNNELS_MAX; i++) {
		struct lns_tunnel *t = l->tunnels[i];

		if (!t || t->state != LNS_TUN_ESTABLISHED ||
		    lns_tunnel_save(t, line, sizeof(line)) < 0)
			continue;
		sqlite3_bind_int(ti, 1, t->id);
		sqlite3_bind_text(ti, 2, line, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(ti) != SQLITE_DONE)
			goto out;
		sqlite3_reset(ti);
		++*tunnels;
		for (j = 0; j < t->n_sessions; j++) {
			struct lns_session *s = t->sessions[j];
			struct lnsd_member *m = s->user;

			if (!m || !m->online ||
			    lns_session_save(s, line, sizeof(line)) < 0)
				continue;
			sqlite3_bind_text(su, 1, line, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int64(su, 2, m->id);
			if (sqlite3_step(su) != SQLITE_DONE)
				goto out;
			sqlite3_reset(su);
			++*sessions;
		}
	}
	ret = tg_db_exec(d->db, "COMMIT") ? -EIO : 0;
out:
	sqlite3_finalize(ti);
	sqlite3_finalize(su);
	if (ret)
		tg_db_exec(d->db, "ROLLBACK");
	return ret;
}

/* The daemon's members, freed without a word: the sessions stay up. */
static void lnsd_forget(struct tg_lnsd *d)
{
	struct lns *l = &d->srv.lns;
	unsigned int i, j;

	for (i = 0; i < LNS_TUNNELS_MAX; i++) {
		struct lns_tunnel *t = l->tunnels[i];

		for (j = 0; t && j < t->n_sessions; j++) {
			free(t->sessions[j]->user);
			t->sessions[j]->user = NULL;
		}
	}
	lns_detach(l);
}

void tg_lnsd_stop(struct tg_lnsd *d, bool keep)
{
	struct lns *l = &d->srv.lns;
	unsigned int i, j, tunnels, sessions;
	size_t k;

	if (!d->on)
		return;
	for (k = 0; k < d->n_pending; k++)
		free(d->pending[k].m);
	free(d->pending);
	d->pending = NULL;
	d->n_pending = d->cap_pending = 0;
	if (keep && !lnsd_save(d, &tunnels, &sessions)) {
		tg_run_log("lns: %u tunnel%s and %u session%s saved for the next process: they keep forwarding",
			   tunnels, tunnels == 1 ? "" : "s", sessions,
			   sessions == 1 ? "" : "s");
		lnsd_forget(d);
	} else {
		if (keep)
			tg_run_log("lns: cannot save the sessions: every one ends");
		/* StopCCN to every LAC: they redial at once. */
		for (i = 0; i < LNS_TUNNELS_MAX; i++) {
			struct lns_tunnel *t = l->tunnels[i];

			for (j = 0; t && j < t->n_sessions; j++) {
				struct lnsd_member *m = t->sessions[j]->user;

				if (m)
					m->cause = d->stop_cause;
			}
			if (t)
				lns_tunnel_close(t, LNS_STOP_SHUTDOWN,
						 LNS_ERR_NONE, 0);
		}
	}
	lns_server_close(&d->srv);
	lnsd_radius_close(d);
	tg_rad_client_stop(d->rc);
	d->rc = NULL;
	for (k = 0; k < d->n_rad_logged; k++)
		free(d->rad_logged[k]);
	free(d->rad_logged);
	d->rad_logged = NULL;
	d->n_rad_logged = 0;
	explicit_bzero(d->rad.secret, sizeof(d->rad.secret));
	d->on = false;
}

/* An attribute RADIUS gave that the LNS leaves out: said once a run. */
static void lnsd_radius_note(struct tg_lnsd *d, const char *user,
			     const char *what)
{
	size_t n = strcspn(what, ":"), i;
	char **v;

	for (i = 0; i < d->n_rad_logged; i++)
		if (strlen(d->rad_logged[i]) == n &&
		    !strncmp(d->rad_logged[i], what, n))
			return;
	v = realloc(d->rad_logged, (d->n_rad_logged + 1) * sizeof(*v));
	if (!v)
		return;
	d->rad_logged = v;
	v[d->n_rad_logged] = strndup(what, n);
	if (!v[d->n_rad_logged])
		return;
	d->n_rad_logged++;
	tg_run_log("lns: radius: user '%s': %s; not applied (said once for this attribute)",
		   user, what);
}

/* The reply's addresses, class and rates as a member record. */
static int lnsd_radius_sub(struct tg_lnsd *d, const struct tg_rad_answer *a,
			   const char *name, struct tg_sub *s, char *why,
			   size_t len)
{
	const struct tg_rad_reply *r = &a->reply;
	struct tg_prefix p = { .family = AF_INET, .len = 32 };
	struct tg_class c;
	unsigned int i;
	int err = 0;

	tg_sub_init(s);
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->type = TG_TUN_L2TPV2;
	s->enabled = true;
	snprintf(s->user, sizeof(s->user), "%.*s", (int)sizeof(s->user) - 1,
		 a->user);
	snprintf(s->note, sizeof(s->note), "RADIUS member, while its session lasts");
	if (!r->ip.s_addr) {
		snprintf(why, len, "RADIUS gave no Framed-IP-Address (this NAS has no address pool)");
		return -EINVAL;
	}
	memcpy(p.addr, &r->ip, 4);
	err = tg_sub_add_prefix(s, &p);
	for (i = 0; !err && i < r->n_routes; i++)
		if (memcmp(r->routes[i].addr, &r->ip, 4) || r->routes[i].len != 32)
			err = tg_sub_add_prefix(s, &r->routes[i]);
	if (!err && r->prefix6.len)
		err = tg_sub_add_prefix(s, &r->prefix6);
	if (!err && r->pd.len)
		err = tg_sub_add_prefix(s, &r->pd);
	if (err) {
		snprintf(why, len, "out of memory");
		return err;
	}
	if (*r->filter_id) {
		if (!tg_db_class_get(d->db, r->filter_id, &c))
			snprintf(s->cls, sizeof(s->cls), "%s", r->filter_id);
		else
			lnsd_radius_note(d, a->user,
					 "Filter-Id: names no tungate class");
	}
	if (r->has_rate) {
		s->has_down_rate = s->has_up_rate = true;
		s->down_rate = r->down;
		s->up_rate = r->up;
	}
	if (r->has_burst) {
		s->has_burst = true;
		s->burst = r->burst;
	}
	return 0;
}

/*
 * The member RADIUS accepted: a local row with its user takes its place
 * (as it is); else a row of origin radius is written for the session.
 * 0, or -errno with why.
 */
static int lnsd_radius_member(struct tg_lnsd *d, struct lns_session *ls,
			      const struct tg_rad_answer *a,
			      struct lnsd_member *m, struct in_addr *peer4,
			      uint64_t now, char *why, size_t len)
{
	char name[TG_NAME_MAX + 1], err[256];
	struct lns_session *old;
	struct tg_sub *v = NULL, s, cur;
	bool radius = false;
	size_t n = 0;
	int ret;

	if (!d->db || tg_db_sub_find_user(d->db, a->user, &v, &n)) {
		d->db_errors++;
		snprintf(why, len, "the database cannot be read");
		return -EIO;
	}
	if (n && !tg_db_sub_origin(d->db, v->name, &radius) && !radius) {
		ret = 0;
		if (!v->enabled) {
			snprintf(why, len, "local member '%s' is disabled", v->name);
			ret = -EPERM;
		} else {
			m->id = v->id;
			m->dp_id = v->dp_id;
			snprintf(m->name, sizeof(m->name), "%s", v->name);
			lnsd_addresses(d, v, peer4, &ls->v6);
		}
		tg_sub_list_free(v, n);
		return ret;
	}
	tg_sub_list_free(v, n);
	if (tg_name_from_user(a->user, name, sizeof(name))) {
		snprintf(why, len, "no subscriber name can be made of the user");
		return -EINVAL;
	}
	/* The member's row from before: its session ends, or it was left. */
	if (!tg_db_sub_get(d->db, name, &cur)) {
		ret = tg_db_sub_origin(d->db, name, &radius);
		if (!ret && !radius) {
			snprintf(why, len, "its name '%s' is a local subscriber's of another user",
				 name);
			tg_sub_free(&cur);
			return -EEXIST;
		}
		old = lnsd_find(d, cur.id);
		if (old) {
			d->takeovers++;
			tg_run_log("lns: member '%s' dialled again: its session %u of tunnel %u ends",
				   name, old->id, old->tunnel->id);
			lnsd_end(old, old->user, TG_ACCT_LOST_CARRIER, now);
		}
		if (tg_db_exec_id(d->db, "DELETE FROM subscriber WHERE id = ?"
				  " AND origin = 'radius'", cur.id))
			d->db_errors++;
		tg_sub_free(&cur);
	}
	ret = lnsd_radius_sub(d, a, name, &s, why, len);
	if (!ret) {
		ret = tg_db_sub_add_radius(d->db, &s, err, sizeof(err));
		if (ret)
			snprintf(why, len, "its row cannot be written: %.120s",
				 err);
	}
	if (!ret) {
		m->id = s.id;
		m->dp_id = s.dp_id;
		m->radius = true;
		snprintf(m->name, sizeof(m->name), "%s", name);
		lnsd_addresses(d, &s, peer4, &ls->v6);
	}
	tg_sub_free(&s);
	return ret;
}

static const char *lnsd_radius_server(const struct tg_lnsd *d, int i)
{
	return i >= 0 && (unsigned int)i < d->rad.n_auth ?
	       d->rad.auth[i].host : "?";
}

static void lnsd_radius_answer(struct tg_lnsd *d, const struct tg_rad_answer *a,
			       uint64_t now)
{
	const char *how = a->proto == PPP_PAP ? "PAP" : "CHAP";
	struct lns_tunnel *t = lns_tunnel_by_id(&d->srv.lns, a->tunnel);
	struct lns_session *s = t ? lns_session_by_id(t, a->session) : NULL;
	const struct tg_rad_reply *r = &a->reply;
	struct tg_lnsd_auth *q;
	struct lnsd_member *m = NULL;
	char peer[64], why[160] = "";
	unsigned int i;

	/* The session ended, or its id went to another, meanwhile. */
	if (!s || s->call_serial != a->serial || s->user || !s->ppp ||
	    strcmp(s->ppp->user, a->user))
		return;
	lnsd_peer_text(t, peer, sizeof(peer));
	q = lnsd_queue(d);
	if (!q)
		return;
	q->tunnel = a->tunnel;
	q->session = a->session;
	snprintf(q->msg, sizeof(q->msg), "authentication failed");
	switch (a->result) {
	case TG_RAD_REJECT:
		d->rad_rejects++;
		snprintf(why, sizeof(why), "RADIUS server %s rejected it",
			 lnsd_radius_server(d, a->server));
		break;
	case TG_RAD_TIMEOUT:
		d->rad_timeouts++;
		snprintf(why, sizeof(why), "no RADIUS server answered");
		break;
	case TG_RAD_ERROR:
		snprintf(why, sizeof(why), "the RADIUS request could not be made");
		break;
	case TG_RAD_ACCEPT:
		d->rad_accepts++;
		for (i = 0; i < r->n_bad; i++)
			lnsd_radius_note(d, a->user, r->bad[i]);
		m = calloc(1, sizeof(*m));
		if (!m) {
			snprintf(why, sizeof(why), "out of memory");
			break;
		}
		if (lnsd_radius_member(d, s, a, m, &q->peer4, now, why,
				       sizeof(why))) {
			free(m);
			m = NULL;
			break;
		}
		m->session_timeout = r->session_timeout;
		m->idle_timeout = r->idle_timeout;
		m->interim = r->interim;
		memcpy(m->class_, r->class_, r->class_len);
		m->class_len = r->class_len;
		if (r->session_timeout) {
			m->ends_at = now + r->session_timeout * 1000ULL;
			if (!d->next_end || m->ends_at < d->next_end)
				d->next_end = m->ends_at;
		}
		break;
	}
	if (!m) {
		d->refused++;
		tg_run_log("lns: login refused: user '%s' (%s) from %s: %s",
			   a->user, how, peer, why);
		return;
	}
	q->ok = true;
	q->m = m;
	snprintf(q->msg, sizeof(q->msg), "welcome");
	d->logins++;
	tg_run_log("lns: login: member '%s' (user '%s', %s, RADIUS server %s) from %s, tunnel %u session %u",
		   m->name, a->user, how, lnsd_radius_server(d, a->server), peer,
		   a->tunnel, a->session);
}

int tg_lnsd_radius_fd(const struct tg_lnsd *d)
{
	return d->on ? tg_rad_client_fd(d->rc) : -1;
}

void tg_lnsd_radius_read(struct tg_lnsd *d, uint64_t now)
{
	const struct tg_rad_server_stats *st;
	struct tg_rad_answer a;
	unsigned int i;

	if (!d->on || !d->rc)
		return;
	while (tg_rad_client_take(d->rc, &a))
		lnsd_radius_answer(d, &a, now);
	for (i = 0; (st = tg_rad_client_stats(d->rc, i)); i++)
		d->rad_failures[i] = __atomic_load_n(&st->failures,
						     __ATOMIC_RELAXED);
	lnsd_answer(d, now);
}
