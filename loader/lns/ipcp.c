// SPDX-License-Identifier: GPL-2.0-only
/*
 * IPCP (RFC 1332, DNS of RFC 1877) and IPv6CP (RFC 5072) of a dial-in
 * session: the member gets the address the login decided, the DNS servers
 * configured, and an interface id of its own.
 */
#include <string.h>

#include "lns/ppp_internal.h"

static size_t ipcp_build_req(struct ppp_fsm *f, uint8_t *buf, size_t max)
{
	struct ppp *p = ppp_of(f);
	size_t off = 0;

	if (p->cfg.local4.s_addr)
		ppp_opt_put(buf, &off, max, IPCP_ADDR, &p->cfg.local4, 4);
	return off;
}

/* Options whose answer is one value of ours: Ack it or Nak it to that. */
static void want4(uint8_t *nak, size_t *nnak, uint8_t type,
		  const uint8_t *val, struct in_addr want)
{
	if (memcmp(val, &want, 4))
		ppp_opt_put(nak, nnak, PPP_MTU_MAX, type, &want, 4);
}

static int ipcp_recv_req(struct ppp_fsm *f, const uint8_t *opt, size_t len,
			 uint8_t *out, size_t *out_len, bool reject_naks)
{
	struct ppp *p = ppp_of(f);
	const uint8_t *o = opt, *end = opt + len, *val, *start = opt;
	uint8_t rej[PPP_MTU_MAX], nak[PPP_MTU_MAX], type, vlen;
	size_t nrej = 0, nnak = 0;
	int r;

	while ((r = ppp_opt_next(&o, end, &type, &val, &vlen)) > 0) {
		if (vlen == 4 && type == IPCP_ADDR && p->peer4.s_addr)
			want4(nak, &nnak, type, val, p->peer4);
		else if (vlen == 4 && type == IPCP_DNS1 && p->cfg.dns4[0].s_addr)
			want4(nak, &nnak, type, val, p->cfg.dns4[0]);
		else if (vlen == 4 && type == IPCP_DNS2 && p->cfg.dns4[1].s_addr)
			want4(nak, &nnak, type, val, p->cfg.dns4[1]);
		else
			ppp_opt_put(rej, &nrej, sizeof(rej), type, val, vlen);
		start = o;
	}
	if (r < 0) {
		memcpy(rej + nrej, start, (size_t)(end - start));
		nrej += (size_t)(end - start);
	}
	return ppp_opt_answer(opt, len, rej, nrej, nak, nnak, reject_naks,
			      out, out_len);
}

/* Our address is ours to say: a Nak of it changes nothing. */
static void ipcp_recv_nak(struct ppp_fsm *f, const uint8_t *opt, size_t len)
{
}

static void ipcp_recv_rej(struct ppp_fsm *f, const uint8_t *opt, size_t len)
{
	struct ppp *p = ppp_of(f);

	if (len >= 2 && opt[0] == IPCP_ADDR)
		p->cfg.local4.s_addr = 0;
}

static void ipcp_up(struct ppp_fsm *f)
{
	struct ppp *p = ppp_of(f);

	if (p->ops->ip_up)
		p->ops->ip_up(p->ctx, p);
}

const struct ppp_fsm_ops ppp_ipcp_ops = {
	.name = "IPCP",
	.build_req = ipcp_build_req,
	.recv_req = ipcp_recv_req,
	.recv_nak = ipcp_recv_nak,
	.recv_rej = ipcp_recv_rej,
	.up = ipcp_up,
	.send = ppp_fsm_out,
};

static size_t ipv6cp_build_req(struct ppp_fsm *f, uint8_t *buf, size_t max)
{
	struct ppp *p = ppp_of(f);
	size_t off = 0;

	ppp_opt_put(buf, &off, max, IPV6CP_IFID, p->cfg.local_ifid, 8);
	return off;
}

static const uint8_t zero_ifid[8];

/* The member's id: any but zero and ours (section 4.1 of RFC 5072). */
static int ipv6cp_recv_req(struct ppp_fsm *f, const uint8_t *opt,
			   size_t len, uint8_t *out, size_t *out_len,
			   bool reject_naks)
{
	struct ppp *p = ppp_of(f);
	const uint8_t *o = opt, *end = opt + len, *val, *start = opt;
	uint8_t rej[PPP_MTU_MAX], nak[PPP_MTU_MAX], type, vlen, id[8];
	size_t nrej = 0, nnak = 0;
	int r;

	while ((r = ppp_opt_next(&o, end, &type, &val, &vlen)) > 0) {
		if (type != IPV6CP_IFID || vlen != 8) {
			ppp_opt_put(rej, &nrej, sizeof(rej), type, val, vlen);
		} else if (!memcmp(val, zero_ifid, 8) ||
			   !memcmp(val, p->cfg.local_ifid, 8)) {
			do {
				p->ops->random(p->ctx, id, sizeof(id));
			} while (!memcmp(id, zero_ifid, 8) ||
				 !memcmp(id, p->cfg.local_ifid, 8));
			ppp_opt_put(nak, &nnak, sizeof(nak), type, id, 8);
		} else {
			memcpy(p->peer_ifid, val, 8);
		}
		start = o;
	}
	if (r < 0) {
		memcpy(rej + nrej, start, (size_t)(end - start));
		nrej += (size_t)(end - start);
	}
	return ppp_opt_answer(opt, len, rej, nrej, nak, nnak, reject_naks,
			      out, out_len);
}

/* The member suggests another id for us: taken unless zero or its own. */
static void ipv6cp_recv_nak(struct ppp_fsm *f, const uint8_t *opt,
			    size_t len)
{
	struct ppp *p = ppp_of(f);

	if (len >= 10 && opt[0] == IPV6CP_IFID && opt[1] == 10 &&
	    memcmp(opt + 2, zero_ifid, 8) && memcmp(opt + 2, p->peer_ifid, 8))
		memcpy(p->cfg.local_ifid, opt + 2, 8);
}

static void ipv6cp_recv_rej(struct ppp_fsm *f, const uint8_t *opt,
			    size_t len)
{
	ppp_fail(ppp_of(f), "the member rejects an IPv6 interface identifier");
}

static void ipv6cp_up(struct ppp_fsm *f)
{
	struct ppp *p = ppp_of(f);

	if (p->ops->ip6_up)
		p->ops->ip6_up(p->ctx, p);
}

const struct ppp_fsm_ops ppp_ipv6cp_ops = {
	.name = "IPv6CP",
	.build_req = ipv6cp_build_req,
	.recv_req = ipv6cp_recv_req,
	.recv_nak = ipv6cp_recv_nak,
	.recv_rej = ipv6cp_recv_rej,
	.up = ipv6cp_up,
	.send = ppp_fsm_out,
};
