// SPDX-License-Identifier: GPL-2.0-only
/* IPv4/IPv6 addresses and prefixes. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "util/addr.h"

int tg_ip4_parse(const char *s, __be32 *addr)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return -EINVAL;
	*addr = a.s_addr;
	return 0;
}

void tg_ip4_format(__be32 addr, char *buf, size_t len)
{
	struct in_addr a = { .s_addr = addr };

	if (!inet_ntop(AF_INET, &a, buf, len) && len)
		buf[0] = '\0';
}

static int tg_prefix_len_parse(const char *s, int max)
{
	int v = 0;

	if (!*s || (s[0] == '0' && s[1]))
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > max)
			return -1;
	}
	return v;
}

int tg_prefix_parse(const char *s, struct tg_prefix *p, char *err,
		    size_t errlen)
{
	char buf[TG_PREFIX_STRLEN + 8];
	const char *slash;
	int max, len, i;
	size_t alen;

	memset(p, 0, sizeof(*p));
	slash = strchr(s, '/');
	alen = slash ? (size_t)(slash - s) : strlen(s);
	if (!alen || alen >= sizeof(buf)) {
		snprintf(err, errlen, "not an IPv4 or IPv6 prefix");
		return -EINVAL;
	}
	memcpy(buf, s, alen);
	buf[alen] = '\0';

	if (inet_pton(AF_INET, buf, p->addr) == 1) {
		p->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, p->addr) == 1) {
		p->family = AF_INET6;
		max = 128;
	} else {
		snprintf(err, errlen, "not an IPv4 or IPv6 address");
		return -EINVAL;
	}

	len = slash ? tg_prefix_len_parse(slash + 1, max) : max;
	if (len < 0) {
		snprintf(err, errlen, "prefix length must be 0..%d", max);
		return -EINVAL;
	}
	p->len = len;

	for (i = len; i < max; i++) {
		if (p->addr[i / 8] & (0x80 >> (i % 8))) {
			snprintf(err, errlen, "host bits set");
			return -EINVAL;
		}
	}
	return 0;
}

void tg_prefix_format(const struct tg_prefix *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (!inet_ntop(p->family, p->addr, a, sizeof(a)))
		strcpy(a, "?");
	snprintf(buf, len, "%s/%u", a, p->len);
}

/* True when the first bits bits of a and b are equal. */
static bool tg_bits_equal(const __u8 *a, const __u8 *b, int bits)
{
	int bytes = bits / 8, rem = bits % 8;

	if (memcmp(a, b, bytes))
		return false;
	if (!rem)
		return true;
	return !((a[bytes] ^ b[bytes]) & (0xff00 >> rem));
}

bool tg_prefix_overlap(const struct tg_prefix *a, const struct tg_prefix *b)
{
	if (a->family != b->family)
		return false;
	return tg_bits_equal(a->addr, b->addr, a->len < b->len ? a->len : b->len);
}

bool tg_prefix_equal(const struct tg_prefix *a, const struct tg_prefix *b)
{
	return a->family == b->family && a->len == b->len &&
	       tg_bits_equal(a->addr, b->addr, a->len);
}

/* Ranges never routed to a subscriber (RFC 6890 and the like). */
static const char *const tg_reserved_ranges[] = {
	"0.0.0.0/8",		/* this network */
	"127.0.0.0/8",		/* loopback */
	"169.254.0.0/16",	/* link-local */
	"224.0.0.0/4",		/* multicast */
	"240.0.0.0/4",		/* reserved, and the broadcast address */
	"::/128",		/* unspecified */
	"::1/128",		/* loopback */
	"::ffff:0:0/96",	/* IPv4-mapped */
	"fe80::/10",		/* link-local */
	"ff00::/8",		/* multicast */
};

const char *tg_prefix_reserved(const struct tg_prefix *p)
{
	struct tg_prefix r;
	char e[8];
	size_t i;

	for (i = 0; i < sizeof(tg_reserved_ranges) /
			sizeof(tg_reserved_ranges[0]); i++) {
		if (!tg_prefix_parse(tg_reserved_ranges[i], &r, e, sizeof(e)) &&
		    tg_prefix_overlap(p, &r))
			return tg_reserved_ranges[i];
	}
	return NULL;
}

const char *tg_ip4_reserved(__be32 addr)
{
	struct tg_prefix p = { .family = AF_INET, .len = 32 };

	memcpy(p.addr, &addr, 4);
	return tg_prefix_reserved(&p);
}

int tg_mac_parse(const char *s, __u8 mac[6])
{
	unsigned int i, v;

	for (i = 0; i < 6; i++) {
		if (!isxdigit((unsigned char)s[0]) ||
		    !isxdigit((unsigned char)s[1]))
			return -EINVAL;
		if (sscanf(s, "%2x", &v) != 1)
			return -EINVAL;
		mac[i] = v;
		s += 2;
		if (i < 5) {
			if (*s != ':' && *s != '-')
				return -EINVAL;
			s++;
		}
	}
	return *s ? -EINVAL : 0;
}

void tg_mac_format(const __u8 mac[6], char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
		 mac[2], mac[3], mac[4], mac[5]);
}

bool tg_mac_unicast(const __u8 mac[6])
{
	static const __u8 zero[6];

	return !(mac[0] & 1) && memcmp(mac, zero, 6);
}


int tg_rate_parse(const char *s, __u64 *bps)
{
	static const struct {
		const char *unit;
		__u64 mul;
	} units[] = {
		{ "bit", 1 }, { "kbit", 1000 }, { "mbit", 1000000 },
		{ "gbit", 1000000000 }, { "tbit", 1000000000000ULL },
	};
	__u64 whole = 0, frac = 0, fdiv = 1, mul = 0, v;
	const char *p = s;
	unsigned int i;

	if (!strcmp(s, "unlimited")) {
		*bps = 0;
		return 0;
	}
	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		whole = whole * 10 + (*p - '0');
		if (whole > TG_RATE_MAX)
			return -ERANGE;
	}
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		for (; isdigit((unsigned char)*p); p++) {
			if (fdiv >= 1000)
				return -EINVAL;
			frac = frac * 10 + (*p - '0');
			fdiv *= 10;
		}
	}
	if (!*p) {
		mul = 1;
	} else {
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (!strcasecmp(p, units[i].unit))
				mul = units[i].mul;
		if (!mul)
			return -EINVAL;
	}
	if (whole > TG_RATE_MAX / mul)
		return -ERANGE;
	v = whole * mul;
	if (frac) {
		if (mul % fdiv)
			return -EINVAL;	/* below one bit per second */
		v += frac * (mul / fdiv);
	}
	if (!v || v > TG_RATE_MAX)
		return -ERANGE;
	*bps = v;
	return 0;
}

void tg_rate_format(__u64 bps, char *buf, size_t len)
{
	if (!bps)
		snprintf(buf, len, "unlimited");
	else if (!(bps % 1000000000))
		snprintf(buf, len, "%llugbit", (unsigned long long)(bps / 1000000000));
	else if (!(bps % 1000000))
		snprintf(buf, len, "%llumbit", (unsigned long long)(bps / 1000000));
	else if (!(bps % 1000))
		snprintf(buf, len, "%llukbit", (unsigned long long)(bps / 1000));
	else
		snprintf(buf, len, "%llubit", (unsigned long long)bps);
}


int tg_size_parse(const char *s, __u64 *bytes)
{
	__u64 v = 0, mul = 1;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		v = v * 10 + (*p - '0');
		if (v > TG_SIZE_MAX)
			return -ERANGE;
	}
	if (*p == 'k' || *p == 'K')
		mul = 1024;
	else if (*p == 'm' || *p == 'M')
		mul = 1024 * 1024;
	else if (*p)
		return -EINVAL;
	if (*p && p[1] && strcasecmp(p + 1, "b"))
		return -EINVAL;
	if (v > TG_SIZE_MAX / mul)
		return -ERANGE;
	*bytes = v * mul;
	return *bytes ? 0 : -ERANGE;
}

void tg_size_format(__u64 bytes, char *buf, size_t len)
{
	if (bytes && !(bytes % (1024 * 1024)))
		snprintf(buf, len, "%llum", (unsigned long long)(bytes >> 20));
	else if (bytes && !(bytes % 1024))
		snprintf(buf, len, "%lluk", (unsigned long long)(bytes >> 10));
	else
		snprintf(buf, len, "%llu", (unsigned long long)bytes);
}

int tg_rate_parse_opt(const char *opt, const char *s, __u64 *bps, char *err,
		      size_t errlen)
{
	int ret = tg_rate_parse(s, bps);

	if (ret)
		snprintf(err, errlen, "%s '%s': %s", opt, s, ret == -ERANGE ?
			 "zero or above 10tbit" :
			 "not a rate like 512kbit, 10mbit, 1.5gbit or unlimited");
	return ret ? -EINVAL : 0;
}

int tg_size_parse_opt(const char *opt, const char *s, __u64 *bytes,
		      char *err, size_t errlen)
{
	int ret = tg_size_parse(s, bytes);

	if (ret)
		snprintf(err, errlen, "%s '%s': %s", opt, s, ret == -ERANGE ?
			 "zero or above 4g" : "not a size like 1500, 15k or 1m");
	return ret ? -EINVAL : 0;
}

bool tg_host_ok(const char *h, size_t max)
{
	size_t i, n = strlen(h);

	if (!n || n > max || h[0] == '-' || h[0] == '.')
		return false;
	for (i = 0; i < n; i++)
		if (!((h[i] >= 'a' && h[i] <= 'z') || (h[i] >= 'A' && h[i] <= 'Z') ||
		      (h[i] >= '0' && h[i] <= '9') || h[i] == '.' || h[i] == '-'))
			return false;
	return true;
}
