// SPDX-License-Identifier: GPL-2.0-only
/* The dynamic authorization server (RFC 5176). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "util/log.h"
#include "radius/dae.h"
#include "radius/packet.h"

#define DAE_DUPS 16
#define DAE_LOGS 32

struct dae_dup {
	struct sockaddr_in src;
	__u8 id;
	__u8 auth[TG_RAD_AUTH_LEN];
	__s64 when;			/* 0: free */
	size_t len;
	__u8 answer[TG_RAD_PKT_MAX];
};

struct dae_log {
	struct in_addr addr;
	__s64 when;
};

struct tg_dae {
	struct tg_dae_config cfg;
	struct tg_dae_ops ops;
	void *ctx;
	int fd;
	struct tg_dae_stats st;
	struct dae_dup dups[DAE_DUPS];
	unsigned int dup_next;
	struct dae_log logs[DAE_LOGS];
	unsigned int log_next;
};

const char *tg_dae_drop_name(enum tg_dae_drop r)
{
	static const char *const names[] = {
#define X(n, s) [TG_DAE_DROP_##n] = s,
		TG_DAE_DROPS(X)
#undef X
	};

	return r < TG_DAE_DROP_MAX ? names[r] : "?";
}

int tg_dae_new(const struct tg_dae_config *cfg, const struct tg_dae_ops *ops,
	       void *ctx, struct tg_dae **out)
{
	struct tg_dae *d = calloc(1, sizeof(*d));

	if (!d)
		return -ENOMEM;
	d->cfg = *cfg;
	if (!d->cfg.port)
		d->cfg.port = TG_DAE_PORT;
	d->ops = *ops;
	d->ctx = ctx;
	d->fd = -1;
	*out = d;
	return 0;
}

int tg_dae_open(const struct tg_dae_config *cfg, const struct tg_dae_ops *ops,
		void *ctx, struct tg_dae **out)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	char addr[INET_ADDRSTRLEN];
	struct tg_dae *d;
	int err = tg_dae_new(cfg, ops, ctx, &d);

	if (err)
		return err;
	sa.sin_addr = d->cfg.listen;
	sa.sin_port = htons(d->cfg.port);
	d->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (d->fd < 0 || bind(d->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		err = -errno;
		pr_warn("radius dynamic authorization: couldn't listen on %s port %u: %s\n",
			inet_ntop(AF_INET, &sa.sin_addr, addr, sizeof(addr)),
			d->cfg.port, strerror(-err));
		tg_dae_close(d);
		return err;
	}
	*out = d;
	return 0;
}

void tg_dae_close(struct tg_dae *d)
{
	if (!d)
		return;
	if (d->fd >= 0)
		close(d->fd);
	free(d);
}

int tg_dae_fd(const struct tg_dae *d)
{
	return d->fd;
}

void tg_dae_get_stats(const struct tg_dae *d, struct tg_dae_stats *st)
{
	*st = d->st;
}

static const struct tg_dae_client *dae_client(const struct tg_dae *d,
					      struct in_addr a)
{
	size_t i;

	for (i = 0; i < d->cfg.nclients; i++)
		if (d->cfg.clients[i].addr.s_addr == a.s_addr)
			return &d->cfg.clients[i];
	return NULL;
}

/* Count the reason; log it once a minute per source. */
static size_t dae_drop(struct tg_dae *d, const struct sockaddr_in *src,
		       enum tg_dae_drop why, __s64 now)
{
	char addr[INET_ADDRSTRLEN];
	struct dae_log *l = NULL;
	unsigned int i;

	d->st.drops[why]++;
	for (i = 0; i < DAE_LOGS; i++)
		if (d->logs[i].when && d->logs[i].addr.s_addr == src->sin_addr.s_addr)
			l = &d->logs[i];
	if (l && now - l->when < TG_DAE_LOG_SECONDS)
		return 0;
	if (!l) {
		l = &d->logs[d->log_next];
		d->log_next = (d->log_next + 1) % DAE_LOGS;
		l->addr = src->sin_addr;
	}
	l->when = now;
	pr_warn("radius dynamic authorization: packet from %s port %u refused: %s (%llu so far; next report from it in a minute)\n",
		inet_ntop(AF_INET, &src->sin_addr, addr, sizeof(addr)),
		ntohs(src->sin_port), tg_dae_drop_name(why),
		(unsigned long long)d->st.drops[why]);
	return 0;
}

static struct dae_dup *dae_dup_find(struct tg_dae *d,
				    const struct sockaddr_in *src,
				    const __u8 *pkt, __s64 now)
{
	unsigned int i;

	for (i = 0; i < DAE_DUPS; i++) {
		struct dae_dup *e = &d->dups[i];

		if (e->when && now - e->when <= TG_DAE_DUP_SECONDS &&
		    e->src.sin_addr.s_addr == src->sin_addr.s_addr &&
		    e->src.sin_port == src->sin_port && e->id == pkt[1] &&
		    !memcmp(e->auth, pkt + 4, TG_RAD_AUTH_LEN))
			return e;
	}
	return NULL;
}

/* A text attribute into buf (NUL added): 0, or 407 for bytes 0 or NUL. */
static int dae_text(const struct tg_rad_attr *a, char *buf, size_t len)
{
	return tg_rad_text(a, buf, len) ? TG_DAE_EC_INVALID_VALUE : 0;
}

/* A CoA-Request's vendor attribute: 0, 401 or 407. */
static int dae_vsa(const struct tg_rad_attr *a, struct tg_dae_change *c)
{
	struct tg_mt_rate r;
	char text[TG_RAD_VALUE_MAX + 1], err[128];
	uint32_t v;

	if (a->vendor == TG_RAD_VENDOR_MIKROTIK &&
	    a->vtype == TG_RAD_MIKROTIK_RATE_LIMIT) {
		if (dae_text(a, text, sizeof(text)) ||
		    tg_mt_rate_parse(text, &r, err, sizeof(err)))
			return TG_DAE_EC_INVALID_VALUE;
		/* rx: what the member uploads. */
		c->has_up = c->has_down = true;
		c->up_bps = r.rx;
		c->down_bps = r.tx;
		return 0;
	}
	if (a->vendor == TG_RAD_VENDOR_WISPR &&
	    (a->vtype == TG_RAD_WISPR_MAX_UP ||
	     a->vtype == TG_RAD_WISPR_MAX_DOWN)) {
		if (tg_rad_u32(a, &v))
			return TG_DAE_EC_INVALID_VALUE;
		if (a->vtype == TG_RAD_WISPR_MAX_UP) {
			c->has_up = true;
			c->up_bps = v;
		} else {
			c->has_down = true;
			c->down_bps = v;
		}
		return 0;
	}
	return TG_DAE_EC_UNSUPPORTED_ATTRIBUTE;
}

/* Error-Causes found while reading, the first of each kind kept. */
struct dae_req {
	struct tg_dae_ident id;
	struct tg_dae_change c;
	bool coa;
	int unsupported, mismatch, invalid;
};

static void dae_note(int *slot, int ec)
{
	if (ec && !*slot)
		*slot = ec;
}

static void dae_attr(const struct tg_dae *d, const struct tg_rad_attr *a,
		     struct dae_req *r)
{
	char text[TG_RAD_VALUE_MAX + 1];
	uint32_t v;

	switch (a->type) {
	case TG_RAD_USER_NAME:
		dae_note(&r->invalid, dae_text(a, r->id.user, sizeof(r->id.user)));
		return;
	case TG_RAD_ACCT_SESSION_ID:
		dae_note(&r->invalid, dae_text(a, r->id.session_id,
					       sizeof(r->id.session_id)));
		return;
	case TG_RAD_FRAMED_IP_ADDRESS:
		if (tg_rad_u32(a, &v) || !v)
			dae_note(&r->invalid, TG_DAE_EC_INVALID_VALUE);
		else
			r->id.ip.s_addr = htonl(v);
		return;
	case TG_RAD_NAS_IP_ADDRESS:
		if (tg_rad_u32(a, &v))
			dae_note(&r->invalid, TG_DAE_EC_INVALID_VALUE);
		else if (d->cfg.nas_ip.s_addr && htonl(v) != d->cfg.nas_ip.s_addr)
			dae_note(&r->mismatch, TG_DAE_EC_NAS_MISMATCH);
		return;
	case TG_RAD_NAS_IDENTIFIER:
		if (dae_text(a, text, sizeof(text)))
			dae_note(&r->invalid, TG_DAE_EC_INVALID_VALUE);
		else if (d->cfg.nas_identifier && *d->cfg.nas_identifier &&
			 strcmp(text, d->cfg.nas_identifier))
			dae_note(&r->mismatch, TG_DAE_EC_NAS_MISMATCH);
		return;
	case TG_RAD_EVENT_TIMESTAMP:
	case TG_RAD_MESSAGE_AUTHENTICATOR:
	case TG_RAD_PROXY_STATE:
		return;
	}
	if (!r->coa) {
		dae_note(&r->unsupported, TG_DAE_EC_UNSUPPORTED_ATTRIBUTE);
		return;
	}
	switch (a->type) {
	case TG_RAD_FILTER_ID:
		dae_note(&r->invalid, dae_text(a, r->c.class_, sizeof(r->c.class_)));
		r->c.has_class = true;
		return;
	case TG_RAD_SESSION_TIMEOUT:
		if (tg_rad_u32(a, &r->c.session_timeout))
			dae_note(&r->invalid, TG_DAE_EC_INVALID_VALUE);
		r->c.has_timeout = true;
		return;
	case TG_RAD_VENDOR_SPECIFIC: {
		int ec = dae_vsa(a, &r->c);

		if (ec == TG_DAE_EC_UNSUPPORTED_ATTRIBUTE)
			dae_note(&r->unsupported, ec);
		else
			dae_note(&r->invalid, ec);
		return;
	}
	}
	dae_note(&r->unsupported, TG_DAE_EC_UNSUPPORTED_ATTRIBUTE);
}

/* The request's action: 0 or its Error-Cause. */
static int dae_act(struct tg_dae *d, const __u8 *attrs, size_t len, bool coa)
{
	struct dae_req r = { .coa = coa };
	struct tg_rad_attr a;
	size_t off = 0;
	__u64 h;
	int ec;

	while (tg_rad_next(attrs, len, &off, &a) > 0)
		dae_attr(d, &a, &r);
	if (r.unsupported)
		return r.unsupported;
	if (r.mismatch)
		return r.mismatch;
	if (!*r.id.session_id && !*r.id.user && !r.id.ip.s_addr)
		return TG_DAE_EC_MISSING_ATTRIBUTE;
	if (r.invalid)
		return r.invalid;
	if (coa && !r.c.has_up && !r.c.has_down && !r.c.has_class &&
	    !r.c.has_timeout)
		return TG_DAE_EC_MISSING_ATTRIBUTE;
	ec = d->ops.find(d->ctx, &r.id, &h);
	if (ec)
		return ec;
	return coa ? d->ops.change(d->ctx, h, &r.c) : d->ops.disconnect(d->ctx, h);
}

/* The answer to pkt (len bytes, checked) into out. */
static size_t dae_answer(struct tg_dae *d, const struct tg_dae_client *cl,
			 const __u8 *pkt, size_t len, int ec, __u8 *out,
			 size_t cap)
{
	bool coa = pkt[0] == TG_RC_COA_REQUEST;
	struct tg_rad_buf b;
	struct tg_rad_attr a;
	size_t off = 0, ma_off = 0;
	bool ma = false;
	__u8 zero[TG_RAD_AUTH_LEN] = { 0 };

	tg_rad_buf_init(&b, out + TG_RAD_HDR_LEN, cap - TG_RAD_HDR_LEN);
	while (tg_rad_next(pkt + TG_RAD_HDR_LEN, len - TG_RAD_HDR_LEN, &off, &a) > 0) {
		if (a.type == TG_RAD_PROXY_STATE)
			tg_rad_put(&b, a.type, a.val, a.len);
		ma |= a.type == TG_RAD_MESSAGE_AUTHENTICATOR;
	}
	if (ec)
		tg_rad_put_u32(&b, TG_RAD_ERROR_CAUSE, ec);
	if (ma) {
		ma_off = TG_RAD_HDR_LEN + b.len + 2;
		tg_rad_put(&b, TG_RAD_MESSAGE_AUTHENTICATOR, zero, TG_RAD_AUTH_LEN);
	}
	if (b.err)
		return 0;
	out[0] = coa ? (ec ? TG_RC_COA_NAK : TG_RC_COA_ACK) :
		       (ec ? TG_RC_DISCONNECT_NAK : TG_RC_DISCONNECT_ACK);
	out[1] = pkt[1];
	out[2] = (TG_RAD_HDR_LEN + b.len) >> 8;
	out[3] = (TG_RAD_HDR_LEN + b.len) & 0xff;
	memcpy(out + 4, pkt + 4, TG_RAD_AUTH_LEN);
	if (ma)
		tg_rad_msg_auth(out, TG_RAD_HDR_LEN + b.len, ma_off, pkt + 4,
				cl->secret, out + ma_off);
	tg_rad_authenticator(out, TG_RAD_HDR_LEN + b.len, pkt + 4, cl->secret,
			     out + 4);
	if (coa)
		ec ? d->st.coa_nak++ : d->st.coa_ack++;
	else
		ec ? d->st.disconnect_nak++ : d->st.disconnect_ack++;
	return TG_RAD_HDR_LEN + b.len;
}

/* Attributes well formed, the Message-Authenticator right if given. */
static int dae_check(const __u8 *pkt, size_t len, const char *secret)
{
	static const __u8 zero[TG_RAD_AUTH_LEN];
	struct tg_rad_attr a;
	size_t off = 0, at;
	__u8 want[TG_RAD_AUTH_LEN];
	int ret, bad = 0;

	for (;;) {
		at = TG_RAD_HDR_LEN + off;
		ret = tg_rad_next(pkt + TG_RAD_HDR_LEN, len - TG_RAD_HDR_LEN, &off, &a);
		if (ret < 0)
			return TG_DAE_DROP_MALFORMED;
		if (!ret)
			break;
		if (a.type != TG_RAD_MESSAGE_AUTHENTICATOR)
			continue;
		if (a.len != TG_RAD_AUTH_LEN)
			return TG_DAE_DROP_MALFORMED;
		tg_rad_msg_auth(pkt, len, at + 2, zero, secret, want);
		if (!tg_rad_auth_eq(want, a.val))
			bad = 1;
	}
	return bad ? TG_DAE_DROP_BAD_MSG_AUTH : -1;
}

size_t tg_dae_handle(struct tg_dae *d, const struct sockaddr_in *src,
		     const __u8 *pkt, size_t len, __u8 *out, size_t cap,
		     __s64 now)
{
	static const __u8 zero[TG_RAD_AUTH_LEN];
	const struct tg_dae_client *cl = dae_client(d, src->sin_addr);
	__u8 want[TG_RAD_AUTH_LEN];
	struct dae_dup *dup;
	size_t plen, n;
	int why;

	if (!cl)
		return dae_drop(d, src, TG_DAE_DROP_UNKNOWN_CLIENT, now);
	if (len < TG_RAD_HDR_LEN)
		return dae_drop(d, src, TG_DAE_DROP_MALFORMED, now);
	/* Octets past Length are padding (RFC 2865 §3). */
	plen = (size_t)pkt[2] << 8 | pkt[3];
	if (plen < TG_RAD_HDR_LEN || plen > len || plen > TG_RAD_PKT_MAX)
		return dae_drop(d, src, TG_DAE_DROP_MALFORMED, now);
	if (pkt[0] != TG_RC_COA_REQUEST && pkt[0] != TG_RC_DISCONNECT_REQUEST)
		return dae_drop(d, src, TG_DAE_DROP_BAD_CODE, now);
	tg_rad_authenticator(pkt, plen, zero, cl->secret, want);
	if (!tg_rad_auth_eq(want, pkt + 4))
		return dae_drop(d, src, TG_DAE_DROP_BAD_AUTH, now);
	why = dae_check(pkt, plen, cl->secret);
	if (why >= 0)
		return dae_drop(d, src, why, now);
	dup = dae_dup_find(d, src, pkt, now);
	if (dup) {
		d->st.duplicates++;
		if (dup->len > cap)
			return 0;
		memcpy(out, dup->answer, dup->len);
		return dup->len;
	}
	n = dae_answer(d, cl, pkt, plen,
		       dae_act(d, pkt + TG_RAD_HDR_LEN, plen - TG_RAD_HDR_LEN,
			       pkt[0] == TG_RC_COA_REQUEST), out, cap);
	if (!n)
		return 0;
	dup = &d->dups[d->dup_next];
	d->dup_next = (d->dup_next + 1) % DAE_DUPS;
	dup->src = *src;
	dup->id = pkt[1];
	memcpy(dup->auth, pkt + 4, TG_RAD_AUTH_LEN);
	dup->when = now;
	dup->len = n;
	memcpy(dup->answer, out, n);
	return n;
}

int tg_dae_read(struct tg_dae *d, __s64 now)
{
	static __u8 in[TG_RAD_PKT_MAX + 1], out[TG_RAD_PKT_MAX];
	struct sockaddr_in src;
	socklen_t sl;
	ssize_t n;
	size_t m;

	for (;;) {
		sl = sizeof(src);
		n = recvfrom(d->fd, in, sizeof(in), MSG_DONTWAIT,
			     (struct sockaddr *)&src, &sl);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -errno;
		if (sl != sizeof(src) || src.sin_family != AF_INET)
			continue;
		m = tg_dae_handle(d, &src, in, n, out, sizeof(out), now);
		if (m && sendto(d->fd, out, m, 0, (struct sockaddr *)&src,
				sizeof(src)) < 0)
			pr_debug("radius dynamic authorization: answer not sent: %s\n",
				 strerror(errno));
	}
}
