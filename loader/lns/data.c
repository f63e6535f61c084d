// SPDX-License-Identifier: GPL-2.0-only
/* PPP frames of dial-in sessions in L2TPv2 data messages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lns/data.h"
#include "lns/ppp_util.h"

#define DATA_HDR_MAX 16		/* flags, length, ids, Ns/Nr, offset size */

static void ppp_send(void *ctx, struct ppp *p, uint16_t proto,
		     const uint8_t *pkt, size_t len)
{
	struct lns_session *s = ctx;
	struct lns_tunnel *t = s->tunnel;
	uint8_t frame[DATA_HDR_MAX + PPP_MTU_MAX];

	if (len > PPP_MTU_MAX - 4)
		return;
	/* No L, S or O bit: as xl2tpd and l2tpns send their data. */
	ppp_put16(frame, L2TP_VERSION);
	ppp_put16(frame + 2, t->peer_id);
	ppp_put16(frame + 4, s->peer_id);
	frame[6] = 0xff;
	frame[7] = 0x03;
	ppp_put16(frame + 8, proto);
	memcpy(frame + 10, pkt, len);
	t->lns->cb.xmit(t->lns->ctx, &t->peer, frame, 10 + len);
}

static void ppp_auth(void *ctx, struct ppp *p, const struct ppp_auth_req *r)
{
	struct lns_session *s = ctx;
	struct lns *l = s->tunnel->lns;

	l->cb.auth(l->ctx, s, r);
}

static void ppp_ip_up(void *ctx, struct ppp *p)
{
	struct lns_session *s = ctx;
	struct lns *l = s->tunnel->lns;

	if (l->cb.ip_up)
		l->cb.ip_up(l->ctx, s);
}

/* An IPv6 packet of ours to the member, in PPP. */
static void send_ipv6(struct lns_session *s, const uint8_t *pkt, size_t len)
{
	if (!len)
		return;
	s->tunnel->lns->v6_answers++;
	ppp_send(s, s->ppp, PPP_IPV6, pkt, len);
}

static void ppp_ip6_up(void *ctx, struct ppp *p)
{
	struct lns_session *s = ctx;
	struct lns *l = s->tunnel->lns;
	static const struct in6_addr all_nodes = {
		{ { 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 } }
	};
	uint8_t ra[PPP_MTU_MAX];

	memcpy(s->v6.local_ifid, p->cfg.local_ifid, 8);
	memcpy(s->v6.peer_ifid, p->peer_ifid, 8);
	/* An unsolicited RA: the member need not wait for its RS. */
	send_ipv6(s, ra, lns_ra_build(&s->v6, &all_nodes, ra, sizeof(ra)));
	if (l->cb.ip6_up)
		l->cb.ip6_up(l->ctx, s);
}

/* The member's RS and DHCPv6 are answered here; other IPv6 is not ours. */
static void ipv6_input(struct lns *l, struct lns_session *s,
		       const uint8_t *pkt, size_t len)
{
	uint8_t out[PPP_MTU_MAX];
	struct in6_addr src;

	if (s->ppp->ipv6cp.state != PPP_OPENED) {
		l->data_ip++;
		return;
	}
	switch (lns_ipv6_classify(pkt, len)) {
	case LNS_V6_RS:
		memcpy(&src, pkt + 8, sizeof(src));
		send_ipv6(s, out, lns_ra_build(&s->v6, &src, out, sizeof(out)));
		break;
	case LNS_V6_DHCP:
		send_ipv6(s, out, lns_dhcpv6_answer(&s->v6, pkt, len, out,
						    sizeof(out)));
		break;
	case LNS_V6_BAD:
		l->v6_bad++;
		break;
	case LNS_V6_OTHER:
		l->data_ip++;
		break;
	}
}

/* Called from inside PPP: the session closes once PPP has returned. */
static void ppp_down(void *ctx, struct ppp *p, const char *why)
{
	struct lns_session *s = ctx;

	snprintf(s->ended, sizeof(s->ended), "%s", why);
}

static void ppp_random(void *ctx, uint8_t *buf, size_t len)
{
	struct lns_session *s = ctx;
	struct lns *l = s->tunnel->lns;

	l->cb.random(l->ctx, buf, len);
}

static const struct ppp_ops session_ppp_ops = {
	.send = ppp_send,
	.auth = ppp_auth,
	.ip_up = ppp_ip_up,
	.ip6_up = ppp_ip6_up,
	.down = ppp_down,
	.random = ppp_random,
};

int lns_ppp_adopt(struct lns *l, struct lns_session *s)
{
	s->ppp = malloc(sizeof(*s->ppp));
	if (!s->ppp)
		return -1;
	ppp_init(s->ppp, &l->cfg.ppp, &session_ppp_ops, s);
	return 0;
}

int lns_ppp_start(struct lns *l, struct lns_session *s, uint64_t now)
{
	s->ppp = malloc(sizeof(*s->ppp));
	if (!s->ppp)
		return -1;
	ppp_init(s->ppp, &l->cfg.ppp, &session_ppp_ops, s);
	ppp_start(s->ppp, now);
	return 0;
}

/* PPP ended inside the last call: CDN, and the session is gone. */
static void settle(struct lns_session *s, uint64_t now)
{
	if (s->ended[0])
		lns_session_close(s, LNS_CDN_ADMIN, LNS_ERR_NONE, now);
}

void lns_auth_done(struct lns_session *s, bool ok, const char *msg,
		   struct in_addr peer4, uint64_t now)
{
	if (!s->ppp)
		return;
	ppp_auth_done(s->ppp, ok, msg, peer4, now);
	settle(s, now);
}

/* The header of a data message: tunnel, session and where PPP starts. */
static int data_parse(const uint8_t *buf, size_t len, uint16_t *tunnel,
		      uint16_t *session, size_t *off)
{
	uint16_t flags;
	size_t o = 2;

	if (len < 6)
		return -1;
	flags = ppp_get16(buf);
	if ((flags & L2TP_HDR_T) || (flags & L2TP_HDR_VER) != L2TP_VERSION)
		return -1;
	if (flags & L2TP_HDR_L) {
		if (ppp_get16(buf + 2) != len)
			return -1;
		o += 2;
	}
	if (len < o + 4)
		return -1;
	*tunnel = ppp_get16(buf + o);
	*session = ppp_get16(buf + o + 2);
	o += 4;
	if (flags & L2TP_HDR_S)
		o += 4;
	if (flags & L2TP_HDR_O) {
		if (len < o + 2)
			return -1;
		o += 2 + ppp_get16(buf + o);
	}
	if (o > len)
		return -1;
	*off = o;
	return 0;
}

void lns_data_input(struct lns *l, const struct lns_addr *from,
		    const uint8_t *buf, size_t len, uint64_t now)
{
	uint16_t tid, sid, proto;
	struct lns_tunnel *t;
	struct lns_session *s;
	const uint8_t *pkt;
	size_t off, plen;

	if (data_parse(buf, len, &tid, &sid, &off) ||
	    ppp_frame_parse(buf + off, len - off, &proto, &pkt, &plen)) {
		l->data_bad++;
		return;
	}
	t = lns_tunnel_by_id(l, tid);
	if (!t || t->state != LNS_TUN_ESTABLISHED ||
	    memcmp(&t->peer.ss, &from->ss, from->len) ||
	    !(s = lns_session_by_id(t, sid)) || !s->ppp) {
		l->data_unknown++;
		return;
	}
	/*
	 * IP reaches userspace only before the data plane takes the session,
	 * and IPv6 that the data plane leaves to the LNS (RS, DHCPv6).
	 */
	if (proto == PPP_IPV6) {
		ipv6_input(l, s, pkt, plen);
		return;
	}
	if (proto == PPP_IP) {
		l->data_ip++;
		return;
	}
	ppp_input(s->ppp, proto, pkt, plen, now);
	settle(s, now);
}

void lns_ppp_tick(struct lns_tunnel *t, uint64_t now)
{
	unsigned int i = t->n_sessions;

	/* Backwards: closing a session moves the last one into its place. */
	while (i--) {
		struct lns_session *s = t->sessions[i];

		if (!s->ppp)
			continue;
		ppp_tick(s->ppp, now);
		settle(s, now);
	}
}

uint64_t lns_ppp_deadline(const struct lns_tunnel *t)
{
	uint64_t d = UINT64_MAX, x;
	unsigned int i;

	for (i = 0; i < t->n_sessions; i++) {
		if (!t->sessions[i]->ppp)
			continue;
		x = ppp_deadline(t->sessions[i]->ppp);
		if (x < d)
			d = x;
	}
	return d;
}
