// SPDX-License-Identifier: GPL-2.0-only
/* Router advertisements and DHCPv6 prefix delegation of a session. */
#include <string.h>

#include "lns/ipv6.h"
#include "lns/ppp_util.h"

#define IP6_HDR 40
#define UDP_HDR 8
#define ICMP6_RS 133
#define ICMP6_RA 134
#define DHCP6_CLIENT_PORT 546
#define DHCP6_SERVER_PORT 547

/* DHCPv6 message types and options (RFC 8415 sections 7.3, 21). */
enum {
	D6_SOLICIT = 1,
	D6_ADVERTISE = 2,
	D6_REQUEST = 3,
	D6_CONFIRM = 4,
	D6_RENEW = 5,
	D6_REBIND = 6,
	D6_REPLY = 7,
	D6_RELEASE = 8,
	D6_DECLINE = 9,
	D6_INFO_REQUEST = 11,
};

enum {
	O_CLIENTID = 1,
	O_SERVERID = 2,
	O_IA_NA = 3,
	O_STATUS = 13,
	O_RAPID_COMMIT = 14,
	O_DNS = 23,
	O_IA_PD = 25,
	O_IAPREFIX = 26,
};

enum {
	S_SUCCESS = 0,
	S_NO_ADDRS = 2,
	S_NO_PREFIX = 6,
};

static const struct in6_addr all_routers = {
	{ { 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 } }
};
static const struct in6_addr all_dhcp = {
	{ { 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2 } }
};

static void link_local(struct in6_addr *a, const uint8_t ifid[8])
{
	memset(a, 0, sizeof(*a));
	a->s6_addr[0] = 0xfe;
	a->s6_addr[1] = 0x80;
	memcpy(a->s6_addr + 8, ifid, 8);
}

static uint32_t sum16(uint32_t s, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += ppp_get16(p + i);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	return s;
}

uint16_t lns_ipv6_csum(const struct in6_addr *src, const struct in6_addr *dst,
		       uint8_t next, const uint8_t *l4, size_t len)
{
	uint32_t s = 0;

	s = sum16(s, src->s6_addr, 16);
	s = sum16(s, dst->s6_addr, 16);
	s += (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff) + next;
	s = sum16(s, l4, len);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* The IPv6 header before l4 of len bytes; checksum at l4 + csum_off. */
static size_t finish(const struct lns_ipv6 *v, const struct in6_addr *dst,
		     uint8_t next, uint8_t hops, uint8_t *out, size_t len,
		     size_t csum_off)
{
	struct in6_addr src;
	uint16_t c;

	link_local(&src, v->local_ifid);
	memset(out, 0, IP6_HDR);
	out[0] = 0x60;
	ppp_put16(out + 4, (uint16_t)len);
	out[6] = next;
	out[7] = hops;
	memcpy(out + 8, &src, 16);
	memcpy(out + 24, dst, 16);
	ppp_put16(out + IP6_HDR + csum_off, 0);
	c = lns_ipv6_csum(&src, dst, next, out + IP6_HDR, len);
	/* A UDP checksum of 0 is sent as all ones (RFC 8200 8.1). */
	if (next == IPPROTO_UDP && !c)
		c = 0xffff;
	ppp_put16(out + IP6_HDR + csum_off, c);
	return IP6_HDR + len;
}

size_t lns_ra_build(const struct lns_ipv6 *v, const struct in6_addr *dst,
		    uint8_t *out, size_t max)
{
	uint8_t *ra = out + IP6_HDR;
	size_t n = 16, i;

	if (max < IP6_HDR + 16 + 32 + 8 + 16 * LNS_DNS6_MAX)
		return 0;
	memset(ra, 0, 16);
	ra[0] = ICMP6_RA;
	ra[4] = 64;		/* hop limit for the member */
	/* O: DNS by DHCPv6 too; the /64 by SLAAC, so no M. */
	ra[5] = 0x40;
	ppp_put16(ra + 6, LNS_RA_LIFETIME);
	if (!IN6_IS_ADDR_UNSPECIFIED(&v->prefix)) {
		memset(ra + n, 0, 32);
		ra[n] = 3;		/* prefix information */
		ra[n + 1] = 4;
		ra[n + 2] = 64;
		ra[n + 3] = 0xc0;	/* on-link, autonomous */
		ppp_put32(ra + n + 4, LNS_PREFIX_VALID);
		ppp_put32(ra + n + 8, LNS_PREFIX_PREFERRED);
		memcpy(ra + n + 16, &v->prefix, 8);
		n += 32;
	}
	if (v->n_dns) {
		ra[n] = 25;		/* RDNSS, RFC 8106 */
		ra[n + 1] = (uint8_t)(1 + 2 * v->n_dns);
		ppp_put16(ra + n + 2, 0);
		ppp_put32(ra + n + 4, 3 * LNS_RA_LIFETIME);
		n += 8;
		for (i = 0; i < v->n_dns; i++, n += 16)
			memcpy(ra + n, &v->dns[i], 16);
	}
	return finish(v, dst, IPPROTO_ICMPV6, 255, out, n, 2);
}

enum lns_ipv6_kind lns_ipv6_classify(const uint8_t *pkt, size_t len)
{
	struct in6_addr src, dst;
	const uint8_t *l4 = pkt + IP6_HDR;
	size_t plen;

	if (len < IP6_HDR || pkt[0] >> 4 != 6)
		return LNS_V6_OTHER;
	plen = ppp_get16(pkt + 4);
	memcpy(&src, pkt + 8, 16);
	memcpy(&dst, pkt + 24, 16);
	if (pkt[6] == IPPROTO_ICMPV6 && !memcmp(&dst, &all_routers, 16)) {
		if (plen < 8 || IP6_HDR + plen > len || l4[0] != ICMP6_RS ||
		    l4[1] || pkt[7] != 255 ||
		    lns_ipv6_csum(&src, &dst, IPPROTO_ICMPV6, l4, plen))
			return LNS_V6_BAD;
		return LNS_V6_RS;
	}
	if (pkt[6] == IPPROTO_UDP && !memcmp(&dst, &all_dhcp, 16)) {
		if (plen < UDP_HDR + 4 || IP6_HDR + plen > len ||
		    ppp_get16(l4 + 2) != DHCP6_SERVER_PORT ||
		    ppp_get16(l4 + 4) != plen ||
		    lns_ipv6_csum(&src, &dst, IPPROTO_UDP, l4, plen))
			return LNS_V6_BAD;
		return LNS_V6_DHCP;
	}
	return LNS_V6_OTHER;
}

/* Find option code among the options at p (len bytes): its value or NULL. */
static const uint8_t *opt_find(const uint8_t *p, size_t len, uint16_t code,
			       uint16_t *olen)
{
	while (len >= 4) {
		uint16_t c = ppp_get16(p), l = ppp_get16(p + 2);

		if ((size_t)l + 4 > len)
			return NULL;
		if (c == code) {
			*olen = l;
			return p + 4;
		}
		p += 4 + l;
		len -= 4 + (size_t)l;
	}
	return NULL;
}

/* Whether the options are well formed: every length within. */
static bool opts_ok(const uint8_t *p, size_t len)
{
	while (len >= 4) {
		size_t l = ppp_get16(p + 2);

		if (l + 4 > len)
			return false;
		p += 4 + l;
		len -= 4 + l;
	}
	return len == 0;
}

struct d6_out {
	uint8_t *p;
	size_t n;
	size_t max;
	bool overflow;
};

static uint8_t *put_opt(struct d6_out *o, uint16_t code, const void *val,
			size_t len)
{
	uint8_t *at;

	if (o->overflow || o->n + 4 + len > o->max) {
		o->overflow = true;
		return NULL;
	}
	at = o->p + o->n;
	ppp_put16(at, code);
	ppp_put16(at + 2, (uint16_t)len);
	if (val && len)
		memcpy(at + 4, val, len);
	o->n += 4 + len;
	return at + 4;
}

static void put_status(struct d6_out *o, uint16_t status)
{
	uint8_t v[2];

	ppp_put16(v, status);
	put_opt(o, O_STATUS, v, sizeof(v));
}

/* An IA_PD (iaid) with the delegated prefix, or NoPrefixAvail. */
static void put_ia_pd(struct d6_out *o, const struct lns_ipv6 *v,
		      const uint8_t iaid[4], bool release)
{
	size_t start = o->n;
	uint8_t *ia = put_opt(o, O_IA_PD, NULL, 12);
	uint8_t *px;

	if (!ia)
		return;
	memcpy(ia, iaid, 4);
	ppp_put32(ia + 4, release ? 0 : LNS_PREFIX_PREFERRED / 2);
	ppp_put32(ia + 8, release ? 0 : LNS_PREFIX_PREFERRED / 5 * 4);
	if (release || IN6_IS_ADDR_UNSPECIFIED(&v->pd)) {
		put_status(o, release ? S_SUCCESS : S_NO_PREFIX);
	} else {
		px = put_opt(o, O_IAPREFIX, NULL, 25);
		if (px) {
			ppp_put32(px, LNS_PREFIX_PREFERRED);
			ppp_put32(px + 4, LNS_PREFIX_VALID);
			px[8] = v->pd_len;
			memcpy(px + 9, &v->pd, 16);
		}
	}
	if (!o->overflow)
		ppp_put16(o->p + start + 2, (uint16_t)(o->n - start - 4));
}

size_t lns_dhcpv6_answer(const struct lns_ipv6 *v, const uint8_t *pkt,
			 size_t len, uint8_t *out, size_t max)
{
	const uint8_t *msg, *opts, *cid, *sid, *o;
	struct d6_out d = { .max = max };
	struct in6_addr src;
	uint16_t cid_len, sid_len, olen;
	size_t mlen, rest;
	uint8_t type, reply;

	if (lns_ipv6_classify(pkt, len) != LNS_V6_DHCP ||
	    max < IP6_HDR + UDP_HDR + 4)
		return 0;
	memcpy(&src, pkt + 8, 16);
	msg = pkt + IP6_HDR + UDP_HDR;
	mlen = ppp_get16(pkt + 4) - UDP_HDR;
	type = msg[0];
	opts = msg + 4;
	if (!opts_ok(opts, mlen - 4))
		return 0;
	cid = opt_find(opts, mlen - 4, O_CLIENTID, &cid_len);
	sid = opt_find(opts, mlen - 4, O_SERVERID, &sid_len);
	if (!cid && type != D6_INFO_REQUEST)
		return 0;
	/* Messages to one server must name us (RFC 8415 section 16). */
	if ((type == D6_REQUEST || type == D6_RENEW || type == D6_RELEASE) &&
	    (!sid || sid_len != v->duid_len || memcmp(sid, v->duid, sid_len)))
		return 0;
	switch (type) {
	case D6_SOLICIT:
		reply = opt_find(opts, mlen - 4, O_RAPID_COMMIT, &olen) ?
			D6_REPLY : D6_ADVERTISE;
		break;
	case D6_REQUEST:
	case D6_RENEW:
	case D6_REBIND:
	case D6_RELEASE:
	case D6_INFO_REQUEST:
		reply = D6_REPLY;
		break;
	default:
		return 0;	/* Confirm, Decline, server messages */
	}

	d.p = out + IP6_HDR + UDP_HDR;
	d.max = max - IP6_HDR - UDP_HDR;
	d.p[0] = reply;
	memcpy(d.p + 1, msg + 1, 3);	/* transaction id */
	d.n = 4;
	put_opt(&d, O_SERVERID, v->duid, v->duid_len);
	if (cid)
		put_opt(&d, O_CLIENTID, cid, cid_len);
	if (reply == D6_REPLY && type == D6_SOLICIT)
		put_opt(&d, O_RAPID_COMMIT, NULL, 0);
	if (type == D6_RELEASE)
		put_status(&d, S_SUCCESS);
	/* Every IA the member asked about, in its order. */
	for (o = opts, rest = mlen - 4; rest >= 4 && type != D6_INFO_REQUEST;) {
		uint16_t c = ppp_get16(o), l = ppp_get16(o + 2);

		if (c == O_IA_PD && l >= 12) {
			put_ia_pd(&d, v, o + 4, type == D6_RELEASE);
		} else if (c == O_IA_NA && l >= 12 && type != D6_RELEASE) {
			/* Addresses come from the /64 by SLAAC, not here. */
			size_t start = d.n;
			uint8_t *ia = put_opt(&d, O_IA_NA, NULL, 12);

			if (ia) {
				memcpy(ia, o + 4, 4);
				memset(ia + 4, 0, 8);
				put_status(&d, S_NO_ADDRS);
				if (!d.overflow)
					ppp_put16(d.p + start + 2,
						  (uint16_t)(d.n - start - 4));
			}
		}
		o += 4 + l;
		rest -= 4 + (size_t)l;
	}
	if (v->n_dns && type != D6_RELEASE)
		put_opt(&d, O_DNS, v->dns, 16 * v->n_dns);
	if (d.overflow)
		return 0;
	/* UDP header, then IPv6 around it. */
	ppp_put16(out + IP6_HDR, DHCP6_SERVER_PORT);
	ppp_put16(out + IP6_HDR + 2, DHCP6_CLIENT_PORT);
	ppp_put16(out + IP6_HDR + 4, (uint16_t)(UDP_HDR + d.n));
	return finish(v, &src, IPPROTO_UDP, 64, out, UDP_HDR + d.n, 6);
}
