// SPDX-License-Identifier: GPL-2.0-only
/* The attributes of an Access-Accept, read into what a member gets. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "db/class.h"
#include "radius/reply.h"
#include "util/mikrotik_rate.h"

struct rad_name {
	uint32_t vendor, type;
	const char *name;
};

static const struct rad_name rad_names[] = {
	{ 0, TG_RAD_USER_NAME, "User-Name" },
	{ 0, TG_RAD_SERVICE_TYPE, "Service-Type" },
	{ 0, TG_RAD_FRAMED_PROTOCOL, "Framed-Protocol" },
	{ 0, TG_RAD_FRAMED_IP_ADDRESS, "Framed-IP-Address" },
	{ 0, TG_RAD_FRAMED_IP_NETMASK, "Framed-IP-Netmask" },
	{ 0, TG_RAD_FILTER_ID, "Filter-Id" },
	{ 0, TG_RAD_FRAMED_MTU, "Framed-MTU" },
	{ 0, TG_RAD_REPLY_MESSAGE, "Reply-Message" },
	{ 0, TG_RAD_FRAMED_ROUTE, "Framed-Route" },
	{ 0, TG_RAD_CLASS, "Class" },
	{ 0, TG_RAD_SESSION_TIMEOUT, "Session-Timeout" },
	{ 0, TG_RAD_IDLE_TIMEOUT, "Idle-Timeout" },
	{ 0, TG_RAD_ACCT_INTERIM_INTERVAL, "Acct-Interim-Interval" },
	{ 0, TG_RAD_FRAMED_IPV6_PREFIX, "Framed-IPv6-Prefix" },
	{ 0, TG_RAD_DELEGATED_IPV6_PREFIX, "Delegated-IPv6-Prefix" },
	{ TG_RAD_VENDOR_MIKROTIK, TG_RAD_MIKROTIK_RATE_LIMIT,
	  "Mikrotik-Rate-Limit" },
	{ TG_RAD_VENDOR_WISPR, TG_RAD_WISPR_MAX_UP, "WISPr-Bandwidth-Max-Up" },
	{ TG_RAD_VENDOR_WISPR, TG_RAD_WISPR_MAX_DOWN,
	  "WISPr-Bandwidth-Max-Down" },
};

const char *tg_rad_attr_name(uint32_t vendor, uint32_t type, char *buf,
			     size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(rad_names) / sizeof(rad_names[0]); i++)
		if (rad_names[i].vendor == vendor && rad_names[i].type == type)
			return rad_names[i].name;
	if (vendor)
		snprintf(buf, len, "Vendor-%u-Attr-%u", vendor, type);
	else
		snprintf(buf, len, "Attr-%u", type);
	return buf;
}

static void rad_bad(struct tg_rad_reply *r, const struct tg_rad_attr *a,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void rad_bad(struct tg_rad_reply *r, const struct tg_rad_attr *a,
		    const char *fmt, ...)
{
	char name[48], why[112];
	va_list ap;

	if (r->n_bad == TG_RAD_BAD_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(r->bad[r->n_bad++], sizeof(r->bad[0]), "%s: %s",
		 tg_rad_attr_name(a->vendor, a->vendor ? a->vtype : a->type, name,
				  sizeof(name)), why);
}


/* RFC 3162 2.3: reserved, prefix length, then the prefix's bytes. */
static int rad_prefix6(const struct tg_rad_attr *a, struct tg_prefix *p)
{
	unsigned int bits, bytes, i;

	if (a->len < 2 || a->len > 18)
		return -EINVAL;
	bits = a->val[1];
	bytes = (bits + 7) / 8;
	if (bits > 128 || a->len - 2 < bytes)
		return -EINVAL;
	memset(p, 0, sizeof(*p));
	p->family = AF_INET6;
	p->len = (__u8)bits;
	memcpy(p->addr, a->val + 2, bytes);
	/* Bits past the length are not ours to keep. */
	if (bits % 8)
		p->addr[bytes - 1] &= (uint8_t)(0xff << (8 - bits % 8));
	for (i = bytes; i < 16; i++)
		p->addr[i] = 0;
	return 0;
}

/* RFC 2865 5.22: "prefix[/len] [gateway [metric ...]]", IPv4 here. */
static void rad_route(struct tg_rad_reply *r, const struct tg_rad_attr *a)
{
	char text[TG_RAD_VALUE_MAX + 1], word[64], err[96];
	struct tg_prefix p;
	size_t n;

	if (tg_rad_text(a, text, sizeof(text))) {
		rad_bad(r, a, "not text");
		return;
	}
	n = strcspn(text, " \t");
	if (!n || n + 4 > sizeof(word)) {
		rad_bad(r, a, "'%.64s': not a prefix", text);
		return;
	}
	memcpy(word, text, n);
	word[n] = '\0';
	if (!strchr(word, '/'))
		strcat(word, "/32");
	if (tg_prefix_parse(word, &p, err, sizeof(err)) || p.family != AF_INET) {
		rad_bad(r, a, "'%.64s': not an IPv4 prefix%s%s", text,
			p.family == AF_INET6 ? "" : ": ",
			p.family == AF_INET6 ? "" : err);
		return;
	}
	if (r->n_routes == TG_RAD_ROUTES_MAX) {
		rad_bad(r, a, "'%.64s': more than %d routes", text,
			TG_RAD_ROUTES_MAX);
		return;
	}
	r->routes[r->n_routes++] = p;
}

/* Mikrotik-Rate-Limit: rx is the member's upload as the NAS sees it. */
static void rad_mikrotik(struct tg_rad_reply *r, const struct tg_rad_attr *a,
			 bool *has_mt)
{
	char text[TG_RAD_VALUE_MAX + 1], err[128];
	struct tg_mt_rate mt;
	__u64 rx = 0, tx = 0, b;

	if (tg_rad_text(a, text, sizeof(text))) {
		rad_bad(r, a, "not text");
		return;
	}
	if (tg_mt_rate_parse(text, &mt, err, sizeof(err))) {
		rad_bad(r, a, "'%.48s': %s", text, err);
		return;
	}
	*has_mt = true;
	r->has_rate = true;
	r->up = mt.rx;
	r->down = mt.tx;
	if (mt.rx_burst > mt.rx && mt.rx_time)
		rx = (mt.rx_burst - mt.rx) * mt.rx_time / 8;
	if (mt.tx_burst > mt.tx && mt.tx_time)
		tx = (mt.tx_burst - mt.tx) * mt.tx_time / 8;
	b = rx > tx ? rx : tx;
	if (b) {
		r->has_burst = true;
		r->burst = b < TG_CLASS_BURST_MIN ? TG_CLASS_BURST_MIN :
			   b > TG_BURST_DEFAULT_MAX ? TG_BURST_DEFAULT_MAX : b;
	}
}

static void rad_one(struct tg_rad_reply *r, const struct tg_rad_attr *a,
		    bool *has_mt, bool *has_wispr)
{
	char err[96];
	uint32_t v;

	if (a->vendor == TG_RAD_VENDOR_MIKROTIK &&
	    a->vtype == TG_RAD_MIKROTIK_RATE_LIMIT) {
		rad_mikrotik(r, a, has_mt);
		return;
	}
	if (a->vendor == TG_RAD_VENDOR_WISPR &&
	    (a->vtype == TG_RAD_WISPR_MAX_UP || a->vtype == TG_RAD_WISPR_MAX_DOWN)) {
		if (tg_rad_u32(a, &v)) {
			rad_bad(r, a, "not a 32-bit number of bits/s");
			return;
		}
		/* Mikrotik-Rate-Limit wins, as on RouterOS. */
		if (*has_mt)
			return;
		if (!*has_wispr)
			r->down = r->up = 0;
		*has_wispr = r->has_rate = true;
		if (a->vtype == TG_RAD_WISPR_MAX_UP)
			r->up = v;
		else
			r->down = v;
		return;
	}
	if (a->vendor) {
		rad_bad(r, a, "unknown vendor attribute");
		return;
	}
	switch (a->type) {
	case TG_RAD_FRAMED_IP_ADDRESS:
		if (a->len != 4) {
			rad_bad(r, a, "not an IPv4 address");
			return;
		}
		memcpy(&v, a->val, 4);
		/* RFC 2865: 255.255.255.254 the NAS picks, ...255 the user. */
		if (ntohl(v) >= 0xfffffffe || !v) {
			rad_bad(r, a, "asks for an address from a pool, which this NAS has none of");
			return;
		}
		if (ntohl(v) >> 28 >= 14 || ntohl(v) >> 24 == 127) {
			rad_bad(r, a, "not a unicast address");
			return;
		}
		r->ip.s_addr = v;
		return;
	case TG_RAD_FRAMED_ROUTE:
		rad_route(r, a);
		return;
	case TG_RAD_FRAMED_IPV6_PREFIX:
	case TG_RAD_DELEGATED_IPV6_PREFIX: {
		struct tg_prefix p;

		if (rad_prefix6(a, &p) || !p.len || p.len > 64 ||
		    (a->type == TG_RAD_FRAMED_IPV6_PREFIX && p.len != 64)) {
			rad_bad(r, a, "not an IPv6 prefix of %s",
				a->type == TG_RAD_FRAMED_IPV6_PREFIX ?
				"length 64 (the member's link)" :
				"length 1..64");
			return;
		}
		if (a->type == TG_RAD_FRAMED_IPV6_PREFIX)
			r->prefix6 = p;
		else
			r->pd = p;
		return;
	}
	case TG_RAD_SESSION_TIMEOUT:
	case TG_RAD_IDLE_TIMEOUT:
	case TG_RAD_ACCT_INTERIM_INTERVAL:
		if (tg_rad_u32(a, &v)) {
			rad_bad(r, a, "not a 32-bit number of seconds");
			return;
		}
		if (a->type == TG_RAD_SESSION_TIMEOUT)
			r->session_timeout = v;
		else if (a->type == TG_RAD_IDLE_TIMEOUT)
			r->idle_timeout = v;
		else
			r->interim = v;
		return;
	case TG_RAD_CLASS:
		if (!a->len || a->len > sizeof(r->class_)) {
			rad_bad(r, a, "empty or too long");
			return;
		}
		memcpy(r->class_, a->val, a->len);
		r->class_len = a->len;
		return;
	case TG_RAD_FILTER_ID:
		if (tg_rad_text(a, r->filter_id, sizeof(r->filter_id)) ||
		    tg_name_validate(r->filter_id, err, sizeof(err))) {
			r->filter_id[0] = '\0';
			rad_bad(r, a, "not a tungate class name");
		}
		return;
	case TG_RAD_SERVICE_TYPE:
		if (tg_rad_u32(a, &v) || v != 2)
			rad_bad(r, a, "not Framed-User: members are framed users");
		return;
	case TG_RAD_FRAMED_PROTOCOL:
		if (tg_rad_u32(a, &v) || v != 1)
			rad_bad(r, a, "not PPP: members speak PPP");
		return;
	case TG_RAD_FRAMED_IP_NETMASK:
		if (a->len != 4 || memcmp(a->val, "\xff\xff\xff\xff", 4))
			rad_bad(r, a, "not 255.255.255.255: a member's address is a /32");
		return;
	case TG_RAD_REPLY_MESSAGE:
	case TG_RAD_USER_NAME:
		return;
	default:
		rad_bad(r, a, "not applied by this NAS");
	}
}

void tg_rad_reply_parse(const struct tg_rad_attr *v, size_t n,
			struct tg_rad_reply *r)
{
	bool has_mt = false, has_wispr = false;
	size_t i;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < n; i++)
		rad_one(r, &v[i], &has_mt, &has_wispr);
}
