// SPDX-License-Identifier: GPL-2.0-only
/* A dial-in session's PPP: frames to protocols, timers, the end of it. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "lns/ppp_internal.h"

struct ppp *ppp_of(struct ppp_fsm *f)
{
	return f->ctx;
}

void ppp_fsm_out(struct ppp_fsm *f, const uint8_t *buf, size_t len)
{
	struct ppp *p = ppp_of(f);

	p->ops->send(p->ctx, p, f->proto, buf, len);
}

uint64_t ppp_now(const struct ppp *p)
{
	return p->now;
}

void ppp_init(struct ppp *p, const struct ppp_config *cfg,
	      const struct ppp_ops *ops, void *ctx)
{
	memset(p, 0, sizeof(*p));
	p->cfg = *cfg;
	if (!p->cfg.mru)
		p->cfg.mru = PPP_MRU_DEFAULT;
	if (!p->cfg.echo_ms)
		p->cfg.echo_ms = PPP_ECHO_MS;
	if (!p->cfg.echo_fails)
		p->cfg.echo_fails = PPP_ECHO_FAILS;
	p->ops = ops;
	p->ctx = ctx;
	p->ask_mru = p->cfg.mru != 1500;
	p->auth_proto = p->cfg.chap ? PPP_CHAP : p->cfg.pap ? PPP_PAP : 0;
	ppp_fsm_init(&p->lcp, PPP_LCP, &ppp_lcp_ops, p);
	ppp_fsm_init(&p->ipcp, PPP_IPCP, &ppp_ipcp_ops, p);
	ppp_fsm_init(&p->ipv6cp, PPP_IPV6CP, &ppp_ipv6cp_ops, p);
}

void ppp_start(struct ppp *p, uint64_t now)
{
	uint8_t b[4];

	p->now = now;
	do {
		p->ops->random(p->ctx, b, sizeof(b));
		p->magic = ppp_get32(b);
	} while (!p->magic);
	p->phase = PPP_PHASE_ESTABLISH;
	ppp_fsm_lower_up(&p->lcp, now);
	ppp_fsm_open(&p->lcp, now);
}

void ppp_fail(struct ppp *p, const char *why)
{
	if (!p->why[0])
		snprintf(p->why, sizeof(p->why), "%s", why);
}

void ppp_close(struct ppp *p, const char *why, uint64_t now)
{
	ppp_fail(p, why);
	p->now = now;
	ppp_fsm_close(&p->lcp, p->why, now);
}

/* A failure noted while handling a packet closes the link after it. */
static void settle(struct ppp *p, uint64_t now)
{
	if (p->why[0] && p->lcp.state != PPP_CLOSING &&
	    p->lcp.state != PPP_CLOSED && p->phase != PPP_PHASE_DEAD)
		ppp_fsm_close(&p->lcp, p->why, now);
}

/* LCP Protocol-Reject: the protocol, then the rejected packet. */
static void protocol_reject(struct ppp *p, uint16_t proto,
			    const uint8_t *pkt, size_t len)
{
	uint8_t d[PPP_MTU_MAX];

	if (len > sizeof(d) - 2 - PPP_HDR_LEN)
		len = sizeof(d) - 2 - PPP_HDR_LEN;
	ppp_put16(d, proto);
	memcpy(d + 2, pkt, len);
	ppp_fsm_send(&p->lcp, PPP_PROTREJ, p->lcp.id++, d, 2 + len);
}

void ppp_input(struct ppp *p, uint16_t proto, const uint8_t *pkt,
	       size_t len, uint64_t now)
{
	p->now = now;
	switch (proto) {
	case PPP_LCP:
		ppp_fsm_input(&p->lcp, pkt, len, now);
		break;
	case PPP_PAP:
	case PPP_CHAP:
		ppp_auth_input(p, proto, pkt, len, now);
		break;
	case PPP_IPCP:
	case PPP_IPV6CP:
		/* Before authentication an NCP packet is silently dropped. */
		if (p->phase != PPP_PHASE_NETWORK) {
			p->bad++;
			break;
		}
		ppp_fsm_input(proto == PPP_IPCP ? &p->ipcp : &p->ipv6cp, pkt,
			      len, now);
		break;
	default:
		if (p->lcp.state == PPP_OPENED)
			protocol_reject(p, proto, pkt, len);
		else
			p->bad++;
		break;
	}
	settle(p, now);
}

void ppp_tick(struct ppp *p, uint64_t now)
{
	p->now = now;
	ppp_fsm_tick(&p->lcp, now);
	ppp_fsm_tick(&p->ipcp, now);
	ppp_fsm_tick(&p->ipv6cp, now);
	ppp_auth_tick(p, now);
	ppp_echo_tick(p, now);
	settle(p, now);
}

static uint64_t earliest(uint64_t a, uint64_t b)
{
	return b && b < a ? b : a;
}

uint64_t ppp_deadline(const struct ppp *p)
{
	uint64_t d = UINT64_MAX;

	d = earliest(d, p->lcp.timer_at);
	d = earliest(d, p->ipcp.timer_at);
	d = earliest(d, p->ipv6cp.timer_at);
	if (p->phase == PPP_PHASE_AUTH) {
		d = earliest(d, p->auth_deadline);
		if (p->auth_proto == PPP_CHAP && !p->auth_busy)
			d = earliest(d, p->chap_at);
	}
	if (p->lcp.state == PPP_OPENED)
		d = earliest(d, p->echo_at);
	return d;
}

int ppp_frame_parse(const uint8_t *buf, size_t len, uint16_t *proto,
		    const uint8_t **pkt, size_t *pkt_len)
{
	/* Address and Control, unless the member compresses them (ACFC). */
	if (len >= 2 && buf[0] == 0xff && buf[1] == 0x03) {
		buf += 2;
		len -= 2;
	}
	if (len < 1)
		return -1;
	/* An odd first byte is a one-byte protocol (PFC). */
	if (buf[0] & 1) {
		*proto = buf[0];
		buf++;
		len--;
	} else {
		if (len < 2 || !(buf[1] & 1))
			return -1;
		*proto = ppp_get16(buf);
		buf += 2;
		len -= 2;
	}
	*pkt = buf;
	*pkt_len = len;
	return 0;
}
