// SPDX-License-Identifier: GPL-2.0-only
/*
 * The member's PPP client: LCP (MRU and magic number asked; MRU, magic and
 * the authentication protocol acked, the rest rejected; echo answered;
 * Terminate both ways), PAP or CHAP-MD5 as the peer, IPCP (0.0.0.0 and the
 * DNS addresses asked, the Nak'd values taken) and IPv6CP (interface id).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lns/ppp.h"
#include "lns/ppp_util.h"
#include "lac.h"

enum {
	CONF_REQ = 1, CONF_ACK, CONF_NAK, CONF_REJ, TERM_REQ, TERM_ACK,
	CODE_REJ, PROTO_REJ, ECHO_REQ, ECHO_REP, DISCARD_REQ,
};
enum { AUTH_REQ = 1, AUTH_ACK, AUTH_NAK };	/* PAP */
enum { CHAP_CHAL = 1, CHAP_RESP, CHAP_OK, CHAP_FAIL };
#define IPV6CP_IFID 1

/* One LCP, IPCP or IPv6CP packet, built the way the LNS builds its own. */
static void fsm_out(struct ppp_fsm *f, const uint8_t *pkt, size_t len)
{
	lac_session_send_ppp(f->ctx, f->proto, pkt, len);
}

static const struct ppp_fsm_ops out_ops = { .send = fsm_out };

static bool rejected(const struct cp *c, uint8_t type)
{
	return c->rejected[type / 8] >> (type % 8) & 1;
}

static void send_cp(struct session *s, uint16_t proto, uint8_t code,
		    uint8_t id, const uint8_t *data, size_t len)
{
	struct ppp_fsm f = { .proto = proto, .ops = &out_ops, .ctx = s };

	ppp_fsm_send(&f, code, id, data, len);
}

static size_t opt_put(uint8_t *p, uint8_t type, const void *v, size_t len)
{
	p[0] = type;
	p[1] = (uint8_t)(2 + len);
	memcpy(p + 2, v, len);
	return 2 + len;
}

static struct cp *cp_of(struct session *s, uint16_t proto)
{
	switch (proto) {
	case PPP_LCP:
		return &s->lcp;
	case PPP_IPCP:
		return &s->ipcp;
	case PPP_IPV6CP:
		return &s->ip6cp;
	}
	return NULL;
}

/* Our Configure-Request of proto, a new id each time it changes. */
static void send_req(struct session *s, uint16_t proto, uint64_t now)
{
	struct cp *c = cp_of(s, proto);
	uint8_t d[64];
	size_t n = 0;

	if (proto == PPP_LCP) {
		uint8_t mru[2] = { s->mru >> 8, s->mru & 0xff };
		uint32_t magic = htonl(s->magic);

		if (!rejected(c, LCP_MRU))
			n += opt_put(d + n, LCP_MRU, mru, 2);
		if (!rejected(c, LCP_MAGIC))
			n += opt_put(d + n, LCP_MAGIC, &magic, 4);
	} else if (proto == PPP_IPCP) {
		n += opt_put(d + n, IPCP_ADDR, &s->addr, 4);
		if (!rejected(c, IPCP_DNS1))
			n += opt_put(d + n, IPCP_DNS1, &s->dns[0], 4);
		if (!rejected(c, IPCP_DNS2))
			n += opt_put(d + n, IPCP_DNS2, &s->dns[1], 4);
	} else {
		n += opt_put(d + n, IPV6CP_IFID, s->ifid, 8);
	}
	send_cp(s, proto, CONF_REQ, ++c->id, d, n);
	c->rtx_at = now + LAC_PPP_RTX_MS;
}

static void send_pap(struct session *s, uint64_t now)
{
	uint8_t d[2 + 2 * 255];
	size_t u = strlen(s->user), p = strlen(opt.password);

	if (u > 255)
		u = 255;
	if (p > 255)
		p = 255;
	d[0] = (uint8_t)u;
	memcpy(d + 1, s->user, u);
	d[1 + u] = (uint8_t)p;
	memcpy(d + 2 + u, opt.password, p);
	send_cp(s, PPP_PAP, AUTH_REQ, ++s->auth_id, d, 2 + u + p);
	s->auth_at = now + LAC_PPP_RTX_MS;
}

void lac_ppp_start(struct session *s, uint64_t now)
{
	memset(&s->lcp, 0, sizeof(s->lcp));
	memset(&s->ipcp, 0, sizeof(s->ipcp));
	memset(&s->ip6cp, 0, sizeof(s->ip6cp));
	s->magic = lac_random();
	s->mru = PPP_MRU_DEFAULT;
	lac_random_bytes(s->ifid, sizeof(s->ifid));
	s->ifid[0] &= ~0x02;	/* not a universal id */
	send_req(s, PPP_LCP, now);
}

static void network_start(struct session *s, uint64_t now)
{
	send_req(s, PPP_IPCP, now);
	send_req(s, PPP_IPV6CP, now);
}

static void fail(struct session *s, const char *why, uint64_t now)
{
	uint8_t reason[64];
	size_t n = strlen(why) < sizeof(reason) ? strlen(why) : sizeof(reason);

	memcpy(reason, why, n);
	send_cp(s, PPP_LCP, TERM_REQ, ++s->lcp.id, reason, n);
	lac_session_cdn(s, 2, why, now);
}

/* Both Configure-Requests acked: the layer above can start. */
static void check_open(struct session *s, uint16_t proto, uint64_t now)
{
	struct cp *c = cp_of(s, proto);

	if (c->opened || !c->req_acked || !c->peer_acked)
		return;
	c->opened = true;
	if (proto == PPP_LCP) {
		if (s->auth == PPP_PAP)
			send_pap(s, now);
		else if (!s->auth)
			network_start(s, now);
		/* CHAP: the peer's Challenge comes. */
	} else if (proto == PPP_IPCP) {
		s->state = S_UP;
		s->up_at = now;
		ev_session_up(s);
	} else {
		ev_ipv6_up(s);
	}
}

/* The peer's LCP request: the options we take, Nak or Reject the rest. */
static void lcp_peer_req(struct session *s, uint8_t id, const uint8_t *d,
			 size_t len, uint64_t now)
{
	uint8_t rej[PPP_MTU_MAX], nak[16];
	size_t nrej = 0, nnak = 0, off = 0;
	uint16_t auth = 0;

	while (off + 2 <= len) {
		uint8_t type = d[off], olen = d[off + 1];

		if (olen < 2 || off + olen > len)
			return;		/* malformed: silently dropped */
		if (type == LCP_AUTH && olen >= 4) {
			uint16_t p = ppp_get16(d + off + 2);

			bool md5 = olen == 5 && d[off + 4] == PPP_CHAP_MD5;

			if ((p == PPP_PAP || (p == PPP_CHAP && md5)) &&
			    (!opt.auth || opt.auth == p)) {
				auth = p;
			} else if (opt.auth == PPP_PAP) {
				static const uint8_t pap[] = {
					LCP_AUTH, 4, 0xc0, 0x23
				};

				memcpy(nak + nnak, pap, sizeof(pap));
				nnak += sizeof(pap);
			} else {
				static const uint8_t chap[] = {
					LCP_AUTH, 5, 0xc2, 0x23, PPP_CHAP_MD5
				};

				memcpy(nak + nnak, chap, sizeof(chap));
				nnak += sizeof(chap);
			}
		} else if (type != LCP_MRU && type != LCP_MAGIC) {
			memcpy(rej + nrej, d + off, olen);
			nrej += olen;
		}
		off += olen;
	}
	if (nrej) {
		send_cp(s, PPP_LCP, CONF_REJ, id, rej, nrej);
	} else if (nnak) {
		send_cp(s, PPP_LCP, CONF_NAK, id, nak, nnak);
	} else {
		s->auth = auth;
		send_cp(s, PPP_LCP, CONF_ACK, id, d, len);
		s->lcp.peer_acked = true;
		check_open(s, PPP_LCP, now);
	}
}

/* IPCP and IPv6CP requests of the peer: its address taken, all acked. */
static void ncp_peer_req(struct session *s, uint16_t proto, uint8_t id,
			 const uint8_t *d, size_t len, uint64_t now)
{
	size_t off = 0;

	while (off + 2 <= len) {
		uint8_t type = d[off], olen = d[off + 1];

		if (olen < 2 || off + olen > len)
			return;
		if (proto == PPP_IPCP && type == IPCP_ADDR && olen == 6)
			memcpy(&s->peer, d + off + 2, 4);
		if (proto == PPP_IPV6CP && type == IPV6CP_IFID && olen == 10)
			memcpy(s->peer_ifid, d + off + 2, 8);
		off += olen;
	}
	send_cp(s, proto, CONF_ACK, id, d, len);
	cp_of(s, proto)->peer_acked = true;
	check_open(s, proto, now);
}

/* A Nak: the values the peer wants in our next request. */
static void take_nak(struct session *s, uint16_t proto, const uint8_t *d,
		     size_t len)
{
	size_t off = 0;

	while (off + 2 <= len) {
		uint8_t type = d[off], olen = d[off + 1];
		const uint8_t *v = d + off + 2;

		if (olen < 2 || off + olen > len)
			return;
		if (proto == PPP_LCP && type == LCP_MRU && olen == 4)
			s->mru = ppp_get16(v);
		else if (proto == PPP_LCP && type == LCP_MAGIC)
			s->magic = lac_random();
		else if (proto == PPP_IPCP && olen == 6 && type == IPCP_ADDR)
			memcpy(&s->addr, v, 4);
		else if (proto == PPP_IPCP && olen == 6 && type == IPCP_DNS1)
			memcpy(&s->dns[0], v, 4);
		else if (proto == PPP_IPCP && olen == 6 && type == IPCP_DNS2)
			memcpy(&s->dns[1], v, 4);
		else if (proto == PPP_IPV6CP && olen == 10 &&
			 type == IPV6CP_IFID)
			memcpy(s->ifid, v, 8);
		off += olen;
	}
}

static void take_rej(struct cp *c, const uint8_t *d, size_t len)
{
	size_t off = 0;

	while (off + 2 <= len && d[off + 1] >= 2) {
		c->rejected[d[off] / 8] |= (uint8_t)(1 << (d[off] % 8));
		off += d[off + 1];
	}
}

static void cp_input(struct session *s, uint16_t proto, const uint8_t *pkt,
		     size_t len, uint64_t now)
{
	struct cp *c = cp_of(s, proto);
	const uint8_t *d = pkt + PPP_HDR_LEN;
	uint8_t code = pkt[0], id = pkt[1];
	size_t n = len - PPP_HDR_LEN;

	switch (code) {
	case CONF_REQ:
		if (proto == PPP_LCP)
			lcp_peer_req(s, id, d, n, now);
		else
			ncp_peer_req(s, proto, id, d, n, now);
		break;
	case CONF_ACK:
		if (id != c->id)
			break;
		c->req_acked = true;
		c->rtx_at = 0;
		check_open(s, proto, now);
		break;
	case CONF_NAK:
	case CONF_REJ:
		if (id != c->id)
			break;
		if (code == CONF_NAK)
			take_nak(s, proto, d, n);
		else
			take_rej(c, d, n);
		send_req(s, proto, now);
		break;
	case TERM_REQ:
		send_cp(s, proto, TERM_ACK, id, NULL, 0);
		if (proto == PPP_LCP)
			lac_session_gone(s, "lcp terminate");
		break;
	case PROTO_REJ:
		if (proto == PPP_LCP && n >= 2) {
			struct cp *r = cp_of(s, ppp_get16(d));

			if (r) {
				r->failed = true;
				r->rtx_at = 0;
			}
		}
		break;
	case ECHO_REQ:
		if (proto == PPP_LCP && !opt.no_echo && n >= 4) {
			uint8_t rep[PPP_MTU_MAX];
			uint32_t magic = htonl(s->magic);

			memcpy(rep, &magic, 4);
			memcpy(rep + 4, d + 4, n - 4);
			send_cp(s, PPP_LCP, ECHO_REP, id, rep, n);
		}
		break;
	case ECHO_REP:
		s->echo_replies++;
		break;
	default:
		break;
	}
}

static void auth_input(struct session *s, uint16_t proto, const uint8_t *pkt,
		       size_t len, uint64_t now)
{
	const uint8_t *d = pkt + PPP_HDR_LEN;
	size_t n = len - PPP_HDR_LEN;
	char why[128];

	/* Some LNSes challenge before they ack our request: take it. */
	if (proto != s->auth || s->authed || !s->lcp.peer_acked)
		return;
	if (proto == PPP_CHAP && pkt[0] == CHAP_CHAL) {
		uint8_t r[1 + 16 + 128];
		size_t u = strlen(s->user);

		if (n < 1 || n < 1u + d[0] || u > 128)
			return;
		r[0] = 16;
		ppp_chap_md5(pkt[1], opt.password, d + 1, d[0], r + 1);
		memcpy(r + 17, s->user, u);
		send_cp(s, PPP_CHAP, CHAP_RESP, pkt[1], r, 17 + u);
		return;
	}
	if ((proto == PPP_PAP && pkt[0] == AUTH_ACK) ||
	    (proto == PPP_CHAP && pkt[0] == CHAP_OK)) {
		s->authed = true;
		s->auth_at = 0;
		network_start(s, now);
		return;
	}
	if ((proto == PPP_PAP && pkt[0] == AUTH_NAK) ||
	    (proto == PPP_CHAP && pkt[0] == CHAP_FAIL)) {
		int m = proto == PPP_PAP ? (n ? d[0] : 0) : (int)n;
		const uint8_t *t = proto == PPP_PAP ? d + 1 : d;

		if (proto == PPP_PAP && n < 1u + m)
			m = 0;
		snprintf(why, sizeof(why), "auth refused: %.*s", m,
			 (const char *)t);
		for (char *p = why; *p; p++)
			if (*p < 0x20 || *p == '"' || *p == '\\')
				*p = '?';
		fail(s, why, now);
	}
}

void lac_ppp_input(struct session *s, const uint8_t *frame, size_t len,
		 uint64_t now)
{
	const uint8_t *pkt;
	size_t n;
	uint16_t proto;

	if (ppp_frame_parse(frame, len, &proto, &pkt, &n))
		return;
	if (proto == PPP_IP || proto == PPP_IPV6) {
		s->rx_pkts++;
		s->rx_bytes += n;
		if (s->tun_fd >= 0 && write(s->tun_fd, pkt, n) < 0)
			perror("tg-lac: tun write");
		return;
	}
	if (n < PPP_HDR_LEN || ppp_get16(pkt + 2) < PPP_HDR_LEN ||
	    ppp_get16(pkt + 2) > n)
		return;
	n = ppp_get16(pkt + 2);
	switch (proto) {
	case PPP_LCP:
	case PPP_IPCP:
	case PPP_IPV6CP:
		if (proto != PPP_LCP && !s->lcp.peer_acked)
			return;
		cp_input(s, proto, pkt, n, now);
		break;
	case PPP_PAP:
	case PPP_CHAP:
		auth_input(s, proto, pkt, n, now);
		break;
	default: {
		uint8_t rej[PPP_MTU_MAX];
		size_t m = n + 2 > sizeof(rej) ? sizeof(rej) - 2 : n;

		rej[0] = proto >> 8;
		rej[1] = proto & 0xff;
		memcpy(rej + 2, pkt, m);
		send_cp(s, PPP_LCP, PROTO_REJ, ++s->lcp.id, rej, m + 2);
	}
	}
}

static bool cp_tick(struct session *s, uint16_t proto, uint64_t now)
{
	struct cp *c = cp_of(s, proto);

	if (c->req_acked || c->failed || !c->rtx_at || now < c->rtx_at)
		return true;
	if (++c->tries >= LAC_PPP_TRIES)
		return false;
	send_req(s, proto, now);
	return true;
}

void lac_ppp_tick(struct session *s, uint64_t now)
{
	char why[32];

	if (s->state != S_PPP && s->state != S_UP)
		return;
	if (!cp_tick(s, PPP_LCP, now) || !cp_tick(s, PPP_IPCP, now)) {
		snprintf(why, sizeof(why), "%s timeout",
			 s->lcp.req_acked ? "ipcp" : "lcp");
		fail(s, why, now);
		return;
	}
	cp_tick(s, PPP_IPV6CP, now);
	if (s->auth == PPP_PAP && !s->authed && s->auth_at &&
	    now >= s->auth_at) {
		if (++s->auth_tries >= LAC_PPP_TRIES)
			fail(s, "pap timeout", now);
		else
			send_pap(s, now);
	}
}

void lac_ppp_terminate(struct session *s)
{
	static const char why[] = "tg-lac teardown";

	send_cp(s, PPP_LCP, TERM_REQ, ++s->lcp.id, (const uint8_t *)why,
		sizeof(why) - 1);
}
