// SPDX-License-Identifier: GPL-2.0-only
/* PAP (RFC 1334) and CHAP-MD5 (RFC 1994), the authenticator's side. */
#include <stdio.h>
#include <string.h>
#include <nettle/md5.h>

#include "lns/ppp_internal.h"

/* PAP and CHAP codes. */
enum {
	PAP_REQ = 1,
	PAP_ACK = 2,
	PAP_NAK = 3,
	CHAP_CHALLENGE = 1,
	CHAP_RESPONSE = 2,
	CHAP_SUCCESS = 3,
	CHAP_FAILURE = 4,
};

#define CHAP_RESEND_MS 3000

void ppp_chap_md5(uint8_t id, const char *secret, const uint8_t *chal,
		  size_t chal_len, uint8_t out[16])
{
	struct md5_ctx c;

	md5_init(&c);
	md5_update(&c, 1, &id);
	md5_update(&c, strlen(secret), (const uint8_t *)secret);
	md5_update(&c, chal_len, chal);
	md5_digest(&c, MD5_DIGEST_SIZE, out);
}

/* code, id, length, data: one PAP or CHAP packet. */
static void send_auth(struct ppp *p, uint16_t proto, uint8_t code,
		      uint8_t id, const uint8_t *data, size_t len)
{
	uint8_t pkt[PPP_HDR_LEN + 2 * PPP_NAME_MAX];

	if (len > sizeof(pkt) - PPP_HDR_LEN)
		len = sizeof(pkt) - PPP_HDR_LEN;
	pkt[0] = code;
	pkt[1] = id;
	ppp_put16(pkt + 2, (uint16_t)(PPP_HDR_LEN + len));
	memcpy(pkt + PPP_HDR_LEN, data, len);
	p->ops->send(p->ctx, p, proto, pkt, PPP_HDR_LEN + len);
}

static void send_challenge(struct ppp *p, uint64_t now)
{
	uint8_t v[1 + 16 + sizeof(p->cfg.name)];
	size_t n = strlen(p->cfg.name);

	v[0] = sizeof(p->challenge);
	memcpy(v + 1, p->challenge, sizeof(p->challenge));
	memcpy(v + 1 + sizeof(p->challenge), p->cfg.name, n);
	send_auth(p, PPP_CHAP, CHAP_CHALLENGE, p->chap_id, v,
		  1 + sizeof(p->challenge) + n);
	p->chap_at = now + CHAP_RESEND_MS;
}

void ppp_auth_start(struct ppp *p, uint64_t now)
{
	p->phase = PPP_PHASE_AUTH;
	p->auth_busy = false;
	p->auth_deadline = now + PPP_AUTH_MS;
	if (p->auth_proto == PPP_CHAP) {
		p->ops->random(p->ctx, p->challenge, sizeof(p->challenge));
		p->ops->random(p->ctx, &p->chap_id, 1);
		send_challenge(p, now);
	}
}

/* A length-prefixed string of a PAP request: false if it overruns. */
static bool pap_string(const uint8_t **d, const uint8_t *end, char *out)
{
	size_t n;

	if (*d >= end || (size_t)(end - *d) < 1u + **d)
		return false;
	n = **d;
	memcpy(out, *d + 1, n);
	out[n] = '\0';
	*d += 1 + n;
	return true;
}

/*
 * A user name is logged and looked up, never a control character: they
 * become '?' (no member's name has one, so such a login fails).
 */
static void name_clean(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static void pap_input(struct ppp *p, uint8_t code, uint8_t id,
		      const uint8_t *d, size_t len)
{
	struct ppp_auth_req r = { .proto = PPP_PAP };
	const uint8_t *end = d + len;

	if (code != PAP_REQ || p->auth_proto != PPP_PAP || p->auth_busy ||
	    !pap_string(&d, end, r.user) || !pap_string(&d, end, r.password)) {
		p->bad++;
		return;
	}
	name_clean(r.user);
	p->chap_id = id;	/* the id the Ack or Nak repeats */
	p->auth_busy = true;
	snprintf(p->user, sizeof(p->user), "%s", r.user);
	p->ops->auth(p->ctx, p, &r);
}

static void chap_input(struct ppp *p, uint8_t code, uint8_t id,
		       const uint8_t *d, size_t len)
{
	struct ppp_auth_req r = { .proto = PPP_CHAP };
	size_t name;

	if (code != CHAP_RESPONSE || p->auth_proto != PPP_CHAP ||
	    p->auth_busy || id != p->chap_id || len < 1 + 16 || d[0] != 16) {
		p->bad++;
		return;
	}
	name = len - 1 - 16;
	if (name >= sizeof(r.user)) {
		p->bad++;
		return;
	}
	memcpy(r.user, d + 17, name);
	r.user[name] = '\0';
	name_clean(r.user);
	r.chap_id = id;
	memcpy(r.challenge, p->challenge, sizeof(r.challenge));
	memcpy(r.response, d + 1, 16);
	p->auth_busy = true;
	snprintf(p->user, sizeof(p->user), "%s", r.user);
	p->ops->auth(p->ctx, p, &r);
}

void ppp_auth_input(struct ppp *p, uint16_t proto, const uint8_t *pkt,
		    size_t len, uint64_t now)
{
	size_t plen;

	if (p->phase != PPP_PHASE_AUTH || len < PPP_HDR_LEN) {
		p->bad++;
		return;
	}
	plen = ppp_get16(pkt + 2);
	if (plen < PPP_HDR_LEN || plen > len) {
		p->bad++;
		return;
	}
	if (proto == PPP_PAP)
		pap_input(p, pkt[0], pkt[1], pkt + PPP_HDR_LEN,
			  plen - PPP_HDR_LEN);
	else
		chap_input(p, pkt[0], pkt[1], pkt + PPP_HDR_LEN,
			   plen - PPP_HDR_LEN);
}

void ppp_auth_done(struct ppp *p, bool ok, const char *msg,
		   struct in_addr peer4, uint64_t now)
{
	uint8_t v[1 + PPP_NAME_MAX];
	size_t n = msg ? strlen(msg) : 0;

	if (p->phase != PPP_PHASE_AUTH || !p->auth_busy)
		return;		/* the link went away meanwhile */
	p->auth_busy = false;
	if (n > PPP_NAME_MAX - 1)
		n = PPP_NAME_MAX - 1;
	if (p->auth_proto == PPP_PAP) {
		v[0] = (uint8_t)n;
		memcpy(v + 1, msg, n);
		send_auth(p, PPP_PAP, ok ? PAP_ACK : PAP_NAK, p->chap_id, v,
			  1 + n);
	} else {
		send_auth(p, PPP_CHAP, ok ? CHAP_SUCCESS : CHAP_FAILURE,
			  p->chap_id, (const uint8_t *)msg, n);
	}
	if (!ok) {
		ppp_fail(p, "authentication failed");
		return;
	}
	p->phase = PPP_PHASE_NETWORK;
	p->auth_deadline = 0;
	p->peer4 = peer4;
	ppp_fsm_lower_up(&p->ipcp, now);
	ppp_fsm_open(&p->ipcp, now);
	ppp_fsm_lower_up(&p->ipv6cp, now);
	ppp_fsm_open(&p->ipv6cp, now);
}

void ppp_auth_tick(struct ppp *p, uint64_t now)
{
	if (p->phase != PPP_PHASE_AUTH || !p->auth_deadline)
		return;
	if (now >= p->auth_deadline) {
		ppp_fail(p, "the member did not authenticate in time");
		return;
	}
	/* The challenge again until a response arrives (RFC 1994 4.1). */
	if (p->auth_proto == PPP_CHAP && !p->auth_busy && now >= p->chap_at)
		send_challenge(p, now);
}
