// SPDX-License-Identifier: GPL-2.0-only
/* The radcli sender thread of the accounting. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <radcli/radcli.h>

#include "util/fmt.h"
#include "util/log.h"
#include "radius/acct_send.h"
#include "radius/handle.h"

#define AS_PORT "1813"

struct tg_acct_sender {
	rc_handle *rh;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int efd;
	bool stop, job, done;
	struct tg_acct_rec rec;
	__u32 delay;
	enum tg_acct_sent res;
};

int tg_acct_server_list(const char *servers, const char *secret, char *buf,
			size_t len)
{
	char one[300];
	size_t off = 0, n;
	const char *p = servers, *end;

	*buf = '\0';
	while (p && *p) {
		end = strchr(p, ',');
		n = end ? (size_t)(end - p) : strlen(p);
		while (n && *p == ' ')
			p++, n--;
		while (n && p[n - 1] == ' ')
			n--;
		/* A host (IPv6 in brackets), an optional port; no secret. */
		if (!n || n >= sizeof(one) - 8)
			return -EINVAL;
		memcpy(one, p, n);
		one[n] = '\0';
		if (strpbrk(one, " \t") || strchr(one, ':') != strrchr(one, ':'))
			return -EINVAL;
		off = tg_cat(buf, len, off, "%s%s%s:%s", off ? "," : "", one,
			     strchr(one, ':') ? "" : ":" AS_PORT, secret);
		if (off >= len)
			return -ENOSPC;
		p = end ? end + 1 : NULL;
	}
	return off ? 0 : -EINVAL;
}

/* Attributes radcli takes as a 32-bit number (host order). */
static bool as_numeric(uint8_t type)
{
	switch (type) {
	case TG_RA_NAS_IP: case TG_RA_NAS_PORT: case TG_RA_SERVICE_TYPE:
	case TG_RA_FRAMED_PROTOCOL: case TG_RA_FRAMED_IP:
	case TG_RA_SESSION_TIMEOUT: case TG_RA_ACCT_STATUS:
	case TG_RA_ACCT_DELAY: case TG_RA_ACCT_IN_OCTETS:
	case TG_RA_ACCT_OUT_OCTETS: case TG_RA_ACCT_AUTHENTIC:
	case TG_RA_ACCT_SESSION_TIME: case TG_RA_ACCT_IN_PACKETS:
	case TG_RA_ACCT_OUT_PACKETS: case TG_RA_ACCT_TERMINATE:
	case TG_RA_ACCT_IN_GIGAWORDS: case TG_RA_ACCT_OUT_GIGAWORDS:
	case TG_RA_EVENT_TIMESTAMP: case TG_RA_NAS_PORT_TYPE:
		return true;
	}
	return false;
}

/*
 * The stored attributes as radcli's list, Acct-Delay-Time added; NAS-Port
 * in *port, as rc_acct adds it itself.
 */
static int as_pairs(rc_handle *rh, const struct tg_acct_rec *r, __u32 delay,
		    VALUE_PAIR **out, uint32_t *port)
{
	VALUE_PAIR *vp = NULL;
	struct tg_rad_attr a;
	size_t off = 0;
	uint32_t v;
	int ret;

	while ((ret = tg_rad_next(r->attrs, r->len, &off, &a)) > 0) {
		if (a.vendor)
			goto bad;
		if (a.type == TG_RA_NAS_PORT) {
			if (tg_rad_u32(&a, port))
				goto bad;
		} else if (as_numeric(a.type)) {
			if (tg_rad_u32(&a, &v) ||
			    !rc_avpair_add(rh, &vp, a.type, &v, 4, 0))
				goto bad;
		} else if (!rc_avpair_add(rh, &vp, a.type, a.val, a.len, 0)) {
			goto bad;
		}
	}
	if (ret < 0 || !rc_avpair_add(rh, &vp, TG_RA_ACCT_DELAY, &delay, 4, 0))
		goto bad;
	*out = vp;
	return 0;
bad:
	rc_avpair_free(vp);
	return -EBADMSG;
}

static enum tg_acct_sent as_send(struct tg_acct_sender *s)
{
	uint32_t port = 0;
	VALUE_PAIR *vp;
	int rc;

	if (as_pairs(s->rh, &s->rec, s->delay, &vp, &port))
		return TG_ACCT_SENT_BAD;
	rc = rc_acct(s->rh, port, vp);
	rc_avpair_free(vp);
	if (rc == OK_RC)
		return TG_ACCT_SENT_OK;
	return TG_ACCT_SENT_NONE;
}

static void *as_main(void *arg)
{
	struct tg_acct_sender *s = arg;
	enum tg_acct_sent res;
	uint64_t one = 1;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (!s->stop && !s->job)
			pthread_cond_wait(&s->cv, &s->mu);
		if (s->stop)
			break;
		/* The record stays put while job is set: no lock to send. */
		pthread_mutex_unlock(&s->mu);
		res = as_send(s);
		pthread_mutex_lock(&s->mu);
		s->res = res;
		s->job = false;
		s->done = true;
		if (write(s->efd, &one, sizeof(one)) < 0)
			pr_warn("radius accounting: eventfd: %s\n", strerror(errno));
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* A radcli handle for the servers, tried in turn (radcli's failover). */
static rc_handle *as_handle(const struct tg_acct_config *cfg)
{
	char list[4096], err[96];
	struct tg_rad_handle_cfg hc = {
		.servers = list,
		.timeout_s = cfg->timeout,
		.retries = cfg->retries ? cfg->retries : 1,
	};
	rc_handle *rh;
	int ret;

	ret = tg_acct_server_list(cfg->servers, cfg->secret, list, sizeof(list));
	if (ret) {
		pr_warn("radius accounting: servers '%s': %s\n",
			cfg->servers ? cfg->servers : "",
			ret == -ENOSPC ? "too long" :
			"expected host[:port] separated by commas");
		return NULL;
	}
	rh = tg_rad_handle(&hc, err, sizeof(err));
	explicit_bzero(list, sizeof(list));
	if (!rh)
		pr_warn("radius accounting: %s\n", err);
	return rh;
}

int tg_acct_sender_open(const struct tg_acct_config *cfg,
			struct tg_acct_sender **out)
{
	struct tg_acct_sender *s = calloc(1, sizeof(*s));
	int err;

	if (!s)
		return -ENOMEM;
	s->efd = -1;
	s->rh = as_handle(cfg);
	if (!s->rh) {
		err = -EINVAL;
		goto fail;
	}
	s->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (s->efd < 0) {
		err = -errno;
		goto fail;
	}
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	err = -pthread_create(&s->thread, NULL, as_main, s);
	if (err) {
		pr_warn("radius accounting: thread: %s\n", strerror(-err));
		pthread_mutex_destroy(&s->mu);
		pthread_cond_destroy(&s->cv);
		goto fail;
	}
	*out = s;
	return 0;
fail:
	if (s->efd >= 0)
		close(s->efd);
	if (s->rh)
		rc_destroy(s->rh);
	free(s);
	return err;
}

void tg_acct_sender_close(struct tg_acct_sender *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	s->stop = true;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->thread, NULL);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	close(s->efd);
	rc_destroy(s->rh);
	free(s);
}

int tg_acct_sender_fd(const struct tg_acct_sender *s)
{
	return s->efd;
}

int tg_acct_sender_post(struct tg_acct_sender *s, const struct tg_acct_rec *r,
			__u32 delay)
{
	int err = 0;

	pthread_mutex_lock(&s->mu);
	if (s->job || s->done) {
		err = -EBUSY;
	} else {
		memcpy(&s->rec, r, sizeof(*r));
		s->delay = delay;
		s->job = true;
		pthread_cond_signal(&s->cv);
	}
	pthread_mutex_unlock(&s->mu);
	return err;
}

int tg_acct_sender_result(struct tg_acct_sender *s, enum tg_acct_sent *res)
{
	uint64_t n;
	int got = 0;

	if (read(s->efd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return -errno;
	pthread_mutex_lock(&s->mu);
	if (s->done) {
		*res = s->res;
		s->done = false;
		got = 1;
	}
	pthread_mutex_unlock(&s->mu);
	return got;
}
