// SPDX-License-Identifier: GPL-2.0-only
/* Access-Requests through radcli in worker threads. */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <radcli/radcli.h>

#include "radius/client.h"
#include "radius/handle.h"

struct rad_item {
	struct rad_item *next;
	union {
		struct tg_rad_request req;
		struct tg_rad_answer ans;
	};
};

struct tg_rad_client {
	pthread_mutex_t lock;
	pthread_cond_t more;
	struct rad_item *reqs, **reqs_tail;	/* FIFO */
	struct rad_item *answers, **answers_tail;
	unsigned int busy;		/* queued or being asked */
	unsigned int refs;		/* the daemon and each worker */
	bool stopping;
	int efd;
	struct tg_radius_settings cfg;
	struct tg_rad_server_stats stats[TG_RADIUS_SERVERS_MAX];
};

static void rad_unref(struct tg_rad_client *c)
{
	struct rad_item *it;
	bool last;

	pthread_mutex_lock(&c->lock);
	last = !--c->refs;
	pthread_mutex_unlock(&c->lock);
	if (!last)
		return;
	while ((it = c->reqs)) {
		c->reqs = it->next;
		explicit_bzero(&it->req, sizeof(it->req));
		free(it);
	}
	while ((it = c->answers)) {
		c->answers = it->next;
		free(it);
	}
	close(c->efd);
	explicit_bzero(c->cfg.secret, sizeof(c->cfg.secret));
	pthread_mutex_destroy(&c->lock);
	pthread_cond_destroy(&c->more);
	free(c);
}

/* A radcli handle that asks server i only. */
static rc_handle *rad_handle(const struct tg_radius_settings *s, unsigned int i)
{
	char v[TG_RADIUS_HOST_MAX + TG_RADIUS_SECRET_MAX + 16], err[96];
	struct tg_rad_handle_cfg hc = {
		.servers = v,
		.timeout_s = s->timeout_s,
		.retries = s->retries,
		.nas_identifier = s->nas_identifier,
		.nas_ip = s->nas_ip,
	};
	rc_handle *rh;

	snprintf(v, sizeof(v), "%s:%u:%s", s->auth[i].host, s->auth[i].port,
		 s->secret);
	rh = tg_rad_handle(&hc, err, sizeof(err));
	explicit_bzero(v, sizeof(v));
	return rh;
}

static int rad_add(rc_handle *rh, VALUE_PAIR **l, int attr, const void *v,
		   int len)
{
	return rc_avpair_add(rh, l, attr, v, len, 0) ? 0 : -ENOMEM;
}

/* The request's attributes (RFC 2865 5.; CHAP: RFC 2865 2.2). */
static VALUE_PAIR *rad_pairs(rc_handle *rh, const struct tg_rad_request *r)
{
	const struct ppp_auth_req *a = &r->auth;
	uint32_t port = (uint32_t)r->tunnel << 16 | r->session;
	uint32_t port_type = 5, service = 2, framed = 1;
	char calling[INET_ADDRSTRLEN], called[INET_ADDRSTRLEN];
	uint8_t chap[17];
	VALUE_PAIR *l = NULL;
	int err;

	inet_ntop(AF_INET, &r->calling, calling, sizeof(calling));
	inet_ntop(AF_INET, &r->called, called, sizeof(called));
	err = rad_add(rh, &l, PW_USER_NAME, a->user, -1);
	if (!err && a->proto == PPP_PAP) {
		err = rad_add(rh, &l, PW_USER_PASSWORD, a->password, -1);
	} else if (!err) {
		chap[0] = a->chap_id;
		memcpy(chap + 1, a->response, 16);
		err = rad_add(rh, &l, PW_CHAP_PASSWORD, chap, sizeof(chap));
		if (!err)
			err = rad_add(rh, &l, PW_CHAP_CHALLENGE, a->challenge,
				      sizeof(a->challenge));
	}
	if (!err)
		err = rad_add(rh, &l, PW_NAS_PORT, &port, 0);
	if (!err)
		err = rad_add(rh, &l, PW_NAS_PORT_TYPE, &port_type, 0);
	if (!err)
		err = rad_add(rh, &l, PW_SERVICE_TYPE, &service, 0);
	if (!err)
		err = rad_add(rh, &l, PW_FRAMED_PROTOCOL, &framed, 0);
	if (!err)
		err = rad_add(rh, &l, PW_CALLING_STATION_ID, calling, -1);
	if (!err)
		err = rad_add(rh, &l, PW_CALLED_STATION_ID, called, -1);
	if (err) {
		rc_avpair_free(l);
		return NULL;
	}
	return l;
}

/* radcli's pairs back to wire values, for tg_rad_reply_parse(). */
static void rad_reply(VALUE_PAIR *got, struct tg_rad_reply *r)
{
	struct tg_rad_attr v[64];
	uint8_t num[64][4];
	size_t n = 0;
	VALUE_PAIR *p;

	for (p = got; p && n < sizeof(v) / sizeof(v[0]); p = p->next) {
		memset(&v[n], 0, sizeof(v[n]));
		v[n].vendor = VENDOR(p->attribute);
		if (v[n].vendor) {
			v[n].type = TG_RAD_VENDOR_SPECIFIC;
			v[n].vtype = ATTRID(p->attribute);
		} else {
			v[n].type = ATTRID(p->attribute);
		}
		switch (p->type) {
		case PW_TYPE_INTEGER:
		case PW_TYPE_IPADDR:
		case PW_TYPE_DATE:
			/* radcli keeps these in host order. */
			num[n][0] = p->lvalue >> 24;
			num[n][1] = p->lvalue >> 16;
			num[n][2] = p->lvalue >> 8;
			num[n][3] = p->lvalue;
			v[n].val = num[n];
			v[n].len = 4;
			break;
		default:
			v[n].val = (const uint8_t *)p->strvalue;
			v[n].len = p->lvalue;
		}
		n++;
	}
	tg_rad_reply_parse(v, n, r);
}

static void rad_ask(struct tg_rad_client *c, rc_handle **rh,
		    const struct tg_rad_request *req, struct tg_rad_answer *ans)
{
	char msg[PW_MAX_MSG_SIZE];
	VALUE_PAIR *send, *got = NULL;
	unsigned int i;
	int rc;

	ans->result = TG_RAD_ERROR;
	ans->server = -1;
	for (i = 0; i < c->cfg.n_auth; i++) {
		if (!rh[i])
			continue;
		send = rad_pairs(rh[i], req);
		if (!send)
			return;
		rc = rc_auth(rh[i], 0, send, &got, msg);
		rc_avpair_free(send);
		if (rc == OK_RC || rc == REJECT_RC) {
			ans->server = (int)i;
			ans->result = rc == OK_RC ? TG_RAD_ACCEPT : TG_RAD_REJECT;
			__atomic_add_fetch(rc == OK_RC ? &c->stats[i].accepts :
					   &c->stats[i].rejects, 1,
					   __ATOMIC_RELAXED);
			if (rc == OK_RC)
				rad_reply(got, &ans->reply);
			rc_avpair_free(got);
			return;
		}
		rc_avpair_free(got);
		got = NULL;
		__atomic_add_fetch(&c->stats[i].failures, 1, __ATOMIC_RELAXED);
		ans->result = TG_RAD_TIMEOUT;
	}
}

static void *rad_worker(void *arg)
{
	struct tg_rad_client *c = arg;
	rc_handle *rh[TG_RADIUS_SERVERS_MAX] = {};
	struct rad_item *it;
	uint64_t one = 1;
	unsigned int i;

	for (i = 0; i < c->cfg.n_auth; i++)
		rh[i] = rad_handle(&c->cfg, i);
	for (;;) {
		pthread_mutex_lock(&c->lock);
		while (!c->reqs && !c->stopping)
			pthread_cond_wait(&c->more, &c->lock);
		if (c->stopping) {
			pthread_mutex_unlock(&c->lock);
			break;
		}
		it = c->reqs;
		c->reqs = it->next;
		if (!c->reqs)
			c->reqs_tail = &c->reqs;
		pthread_mutex_unlock(&c->lock);

		{
			struct tg_rad_request req = it->req;

			explicit_bzero(&it->req, sizeof(it->req));
			memset(&it->ans, 0, sizeof(it->ans));
			it->ans.tunnel = req.tunnel;
			it->ans.session = req.session;
			it->ans.serial = req.serial;
			it->ans.proto = req.auth.proto;
			snprintf(it->ans.user, sizeof(it->ans.user), "%s",
				 req.auth.user);
			rad_ask(c, rh, &req, &it->ans);
			explicit_bzero(&req, sizeof(req));
		}
		it->next = NULL;
		pthread_mutex_lock(&c->lock);
		c->busy--;
		if (c->stopping) {
			free(it);
		} else {
			*c->answers_tail = it;
			c->answers_tail = &it->next;
		}
		pthread_mutex_unlock(&c->lock);
		if (write(c->efd, &one, sizeof(one)) < 0) {
			/* The counter is full: the daemon reads it anyway. */
		}
	}
	for (i = 0; i < c->cfg.n_auth; i++)
		if (rh[i])
			rc_destroy(rh[i]);
	rad_unref(c);
	return NULL;
}

int tg_rad_client_start(const struct tg_radius_settings *s,
			struct tg_rad_client **out, char *err, size_t errlen)
{
	struct tg_rad_client *c;
	pthread_attr_t at;
	pthread_t th;
	unsigned int i;
	rc_handle *probe;

	*out = NULL;
	/* The settings are checked once here, not in each worker. */
	probe = rad_handle(s, 0);
	if (!probe) {
		snprintf(err, errlen, "radcli refuses the settings of server %s:%u",
			 s->auth[0].host, s->auth[0].port);
		return -EINVAL;
	}
	rc_destroy(probe);
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (c->efd < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		free(c);
		return -errno;
	}
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->more, NULL);
	c->reqs_tail = &c->reqs;
	c->answers_tail = &c->answers;
	c->cfg = *s;
	c->refs = 1;
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	for (i = 0; i < TG_RAD_THREADS; i++) {
		pthread_mutex_lock(&c->lock);
		c->refs++;
		pthread_mutex_unlock(&c->lock);
		if (pthread_create(&th, &at, rad_worker, c)) {
			pthread_mutex_lock(&c->lock);
			c->refs--;
			pthread_mutex_unlock(&c->lock);
			break;
		}
	}
	pthread_attr_destroy(&at);
	if (!i) {
		snprintf(err, errlen, "cannot start its threads");
		rad_unref(c);
		return -EAGAIN;
	}
	*out = c;
	return 0;
}

int tg_rad_client_fd(const struct tg_rad_client *c)
{
	return c ? c->efd : -1;
}

int tg_rad_client_submit(struct tg_rad_client *c,
			 const struct tg_rad_request *r)
{
	struct rad_item *it = calloc(1, sizeof(*it));

	if (!it)
		return -ENOMEM;
	it->req = *r;
	pthread_mutex_lock(&c->lock);
	*c->reqs_tail = it;
	c->reqs_tail = &it->next;
	c->busy++;
	pthread_cond_signal(&c->more);
	pthread_mutex_unlock(&c->lock);
	return 0;
}

bool tg_rad_client_take(struct tg_rad_client *c, struct tg_rad_answer *a)
{
	struct rad_item *it;
	uint64_t n;

	pthread_mutex_lock(&c->lock);
	it = c->answers;
	if (it) {
		c->answers = it->next;
		if (!c->answers)
			c->answers_tail = &c->answers;
	} else if (read(c->efd, &n, sizeof(n)) < 0) {
		/* Nothing to drain. */
	}
	pthread_mutex_unlock(&c->lock);
	if (!it)
		return false;
	*a = it->ans;
	free(it);
	return true;
}

unsigned int tg_rad_client_busy(struct tg_rad_client *c)
{
	unsigned int n;

	pthread_mutex_lock(&c->lock);
	n = c->busy;
	pthread_mutex_unlock(&c->lock);
	return n;
}

const struct tg_rad_server_stats *tg_rad_client_stats(
	const struct tg_rad_client *c, unsigned int i)
{
	return c && i < c->cfg.n_auth ? &c->stats[i] : NULL;
}

/*
 * The workers end when their request does: a dead server's wait is not
 * the daemon's. The last one frees the client.
 */
void tg_rad_client_stop(struct tg_rad_client *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	c->stopping = true;
	pthread_cond_broadcast(&c->more);
	pthread_mutex_unlock(&c->lock);
	rad_unref(c);
}
