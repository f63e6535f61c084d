// SPDX-License-Identifier: GPL-2.0-only
/* LCP of a dial-in session: options, echo, protocol rejects. */
#include <stdio.h>
#include <string.h>

#include "lns/ppp_internal.h"

static size_t lcp_build_req(struct ppp_fsm *f, uint8_t *buf, size_t max)
{
	struct ppp *p = ppp_of(f);
	uint8_t v[4];
	size_t off = 0;

	if (p->ask_mru) {
		ppp_put16(v, p->cfg.mru);
		ppp_opt_put(buf, &off, max, LCP_MRU, v, 2);
	}
	if (p->auth_proto) {
		ppp_put16(v, p->auth_proto);
		v[2] = PPP_CHAP_MD5;
		ppp_opt_put(buf, &off, max, LCP_AUTH, v,
			    p->auth_proto == PPP_CHAP ? 3 : 2);
	}
	if (p->magic) {
		ppp_put32(v, p->magic);
		ppp_opt_put(buf, &off, max, LCP_MAGIC, v, 4);
	}
	return off;
}

static uint32_t new_magic(struct ppp *p, uint32_t not)
{
	uint8_t b[4];
	uint32_t m;

	do {
		p->ops->random(p->ctx, b, sizeof(b));
		m = ppp_get32(b);
	} while (!m || m == not);
	return m;
}

/*
 * Answer the member's request: Reject what we do not know or will not do
 * (it asking us to authenticate: the LNS is not the one logging in), Nak
 * a magic number equal to ours (a looped link) or an MRU too small.
 */
static int lcp_recv_req(struct ppp_fsm *f, const uint8_t *opt, size_t len,
			uint8_t *out, size_t *out_len, bool reject_naks)
{
	struct ppp *p = ppp_of(f);
	const uint8_t *o = opt, *end = opt + len, *val, *start;
	uint8_t rej[PPP_MTU_MAX], nak[PPP_MTU_MAX], v[4], type, vlen;
	size_t nrej = 0, nnak = 0;
	uint16_t mru = 1500;
	uint32_t magic = 0;
	bool pfc = false, acfc = false;
	int r;

	for (start = o; (r = ppp_opt_next(&o, end, &type, &val, &vlen)) > 0;
	     start = o) {
		bool bad = false;

		switch (type) {
		case LCP_MRU:
			if (vlen != 2) {
				bad = true;
			} else if (ppp_get16(val) < 64) {
				ppp_put16(v, PPP_MRU_MIN);
				ppp_opt_put(nak, &nnak, sizeof(nak), type, v, 2);
			} else {
				mru = ppp_get16(val);
			}
			break;
		case LCP_ACCM:
			bad = vlen != 4;	/* asynchronous only: no effect */
			break;
		case LCP_MAGIC:
			if (vlen != 4) {
				bad = true;
			} else if (!ppp_get32(val) || ppp_get32(val) == p->magic) {
				ppp_put32(v, new_magic(p, p->magic));
				ppp_opt_put(nak, &nnak, sizeof(nak), type, v, 4);
			} else {
				magic = ppp_get32(val);
			}
			break;
		case LCP_PFC:
			bad = vlen != 0;
			pfc = true;
			break;
		case LCP_ACFC:
			bad = vlen != 0;
			acfc = true;
			break;
		default:
			bad = true;
			break;
		}
		if (bad)
			ppp_opt_put(rej, &nrej, sizeof(rej), type, val, vlen);
	}
	if (r < 0) {
		/* A broken option list: reject the rest as it is. */
		memcpy(rej + nrej, start, (size_t)(end - start));
		nrej += (size_t)(end - start);
	}
	r = ppp_opt_answer(opt, len, rej, nrej, nak, nnak, reject_naks, out,
			   out_len);
	if (r == PPP_CONFACK) {
		p->peer_mru = mru;
		p->peer_magic = magic;
		p->peer_pfc = pfc;
		p->peer_acfc = acfc;
	}
	return r;
}

static void lcp_recv_nak(struct ppp_fsm *f, const uint8_t *opt, size_t len)
{
	struct ppp *p = ppp_of(f);
	const uint8_t *o = opt, *end = opt + len, *val;
	uint8_t type, vlen;

	while (ppp_opt_next(&o, end, &type, &val, &vlen) > 0) {
		if (type == LCP_MRU && vlen == 2 && ppp_get16(val) >= PPP_MRU_MIN &&
		    ppp_get16(val) <= p->cfg.mru) {
			p->cfg.mru = ppp_get16(val);
		} else if (type == LCP_MAGIC) {
			p->magic = new_magic(p, p->magic);
		} else if (type == LCP_AUTH && vlen >= 2) {
			/* The member suggests a protocol: the other one of ours. */
			uint16_t want = ppp_get16(val);

			if (want == PPP_PAP && p->cfg.pap)
				p->auth_proto = PPP_PAP;
			else if (want == PPP_CHAP && vlen == 3 &&
				 val[2] == PPP_CHAP_MD5 && p->cfg.chap)
				p->auth_proto = PPP_CHAP;
			else
				ppp_fail(p, "no authentication protocol in common with the member");
		}
	}
}

static void lcp_recv_rej(struct ppp_fsm *f, const uint8_t *opt, size_t len)
{
	struct ppp *p = ppp_of(f);
	const uint8_t *o = opt, *end = opt + len, *val;
	uint8_t type, vlen;

	while (ppp_opt_next(&o, end, &type, &val, &vlen) > 0) {
		if (type == LCP_MRU)
			p->ask_mru = false;
		else if (type == LCP_MAGIC)
			p->magic = 0;
		else if (type == LCP_AUTH)
			ppp_fail(p, "the member refuses to authenticate");
	}
}

static bool lcp_recv_other(struct ppp_fsm *f, uint8_t code, uint8_t id,
			   const uint8_t *data, size_t len)
{
	struct ppp *p = ppp_of(f);
	uint8_t reply[PPP_MTU_MAX];

	switch (code) {
	case PPP_ECHOREQ:
		if (f->state != PPP_OPENED || len < 4)
			return true;
		if (len > sizeof(reply))
			len = sizeof(reply);
		memcpy(reply, data, len);
		ppp_put32(reply, p->magic);
		ppp_fsm_send(f, PPP_ECHOREP, id, reply, len);
		return true;
	case PPP_ECHOREP:
		if (len >= 4 && id == p->echo_id)
			p->echo_pending = 0;
		return true;
	case PPP_DISCREQ:
		return true;
	case PPP_PROTREJ:
		if (len < 2)
			return true;
		/* The member does no IPv6 (or no IPv4): that NCP stops. */
		if (ppp_get16(data) == PPP_IPV6CP)
			ppp_fsm_lower_down(&p->ipv6cp);
		else if (ppp_get16(data) == PPP_IPCP)
			ppp_fsm_lower_down(&p->ipcp);
		if (p->ipcp.state <= PPP_STARTING &&
		    p->ipv6cp.state <= PPP_STARTING)
			ppp_fail(p, "the member rejects both IPCP and IPv6CP");
		return true;
	}
	return false;
}

static void lcp_up(struct ppp_fsm *f)
{
	struct ppp *p = ppp_of(f);
	uint64_t now = ppp_now(p);

	p->echo_at = now + p->cfg.echo_ms;
	p->echo_pending = 0;
	ppp_auth_start(p, now);
}

static void lcp_down(struct ppp_fsm *f)
{
	struct ppp *p = ppp_of(f);

	ppp_fsm_lower_down(&p->ipcp);
	ppp_fsm_lower_down(&p->ipv6cp);
	p->phase = PPP_PHASE_TERMINATE;
	p->echo_at = 0;
	p->auth_deadline = 0;
}

static void lcp_finished(struct ppp_fsm *f)
{
	struct ppp *p = ppp_of(f);

	if (p->phase == PPP_PHASE_DEAD)
		return;
	p->phase = PPP_PHASE_DEAD;
	if (!p->why[0])
		snprintf(p->why, sizeof(p->why), "%s",
			 f->state == PPP_STOPPED ? "LCP negotiation failed" :
						   PPP_WHY_CLOSED);
	p->ops->down(p->ctx, p, p->why);
}

const struct ppp_fsm_ops ppp_lcp_ops = {
	.name = "LCP",
	.build_req = lcp_build_req,
	.recv_req = lcp_recv_req,
	.recv_nak = lcp_recv_nak,
	.recv_rej = lcp_recv_rej,
	.recv_other = lcp_recv_other,
	.up = lcp_up,
	.down = lcp_down,
	.finished = lcp_finished,
	.send = ppp_fsm_out,
};

/* Dead-peer detection: an Echo-Request each interval, too many unanswered. */
void ppp_echo_tick(struct ppp *p, uint64_t now)
{
	uint8_t magic[4];

	if (p->lcp.state != PPP_OPENED || !p->echo_at || now < p->echo_at)
		return;
	if (p->echo_pending >= p->cfg.echo_fails) {
		ppp_fail(p, PPP_WHY_NO_ECHO);
		return;
	}
	ppp_put32(magic, p->magic);
	p->echo_id++;
	ppp_fsm_send(&p->lcp, PPP_ECHOREQ, p->echo_id, magic, sizeof(magic));
	p->echo_pending++;
	p->echo_at = now + p->cfg.echo_ms;
}
