// SPDX-License-Identifier: GPL-2.0-only
/* The WireGuard members' settings: parsed, checked and shown. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cli.h"
#include "util/fmt.h"

#include "db/settings.h"
#include "db/wg_settings.h"

const char *const tg_wg_setting_keys[] = {
	"wg_endpoint", "wg_mtu", "wg_allowed_ips", "wg_pool4", "wg_pool6",
	"wg_broker", "wg_broker_cert", "wg_broker_key", NULL,
};

bool tg_wg_setting_key(const char *key)
{
	const char *const *k;

	for (k = tg_wg_setting_keys; *k; k++)
		if (!strcmp(*k, key))
			return true;
	return false;
}

/*
 * "HOST", "HOST:PORT", "IPV6", "[IPV6]" or "[IPV6]:PORT"; port 0 when
 * absent.
 */
static int wg_parse_endpoint(const char *v, struct tg_wg_settings *s)
{
	char a[TG_WG_HOST_MAX + 16], *port = NULL, *end;
	struct in6_addr a6;
	__u64 p = 0;

	if (strlen(v) >= sizeof(a))
		return -EINVAL;
	snprintf(a, sizeof(a), "%s", v);
	if (a[0] == '[') {
		end = strchr(a, ']');
		if (!end || (end[1] && end[1] != ':'))
			return -EINVAL;
		*end = '\0';
		if (end[1])
			port = end + 2;
		if (inet_pton(AF_INET6, a + 1, &a6) != 1)
			return -EINVAL;
		memmove(a, a + 1, strlen(a + 1) + 1);
	} else if (inet_pton(AF_INET6, a, &a6) == 1) {
		/* A bare IPv6 address: no port. */
	} else {
		port = strchr(a, ':');
		if (port)
			*port++ = '\0';
		if (!tg_host_ok(a, TG_WG_HOST_MAX))
			return -EINVAL;
	}
	if (port && tg_parse_u64(port, 1, 65535, &p))
		return -EINVAL;
	snprintf(s->host, sizeof(s->host), "%.*s", TG_WG_HOST_MAX, a);
	s->port = (__u16)p;
	return 0;
}

/* "A.B.C.D:PORT" or "[IPV6]:PORT", both parts required: 0 or -EINVAL. */
static int wg_parse_broker(const char *v, struct tg_wg_settings *s)
{
	char a[INET6_ADDRSTRLEN + 2];
	struct in6_addr a6;
	const char *port;
	size_t n;
	__u64 p;

	if (v[0] == '[') {
		port = strstr(v, "]:");
		n = port ? (size_t)(port - v - 1) : 0;
		if (!n || n >= sizeof(a))
			return -EINVAL;
		memcpy(a, v + 1, n);
		a[n] = '\0';
		port += 2;
		if (inet_pton(AF_INET6, a, &a6) != 1)
			return -EINVAL;
	} else {
		port = strrchr(v, ':');
		n = port ? (size_t)(port - v) : 0;
		if (!n || n >= sizeof(a))
			return -EINVAL;
		memcpy(a, v, n);
		a[n] = '\0';
		port++;
		if (inet_pton(AF_INET, a, &a6) != 1)
			return -EINVAL;
	}
	if (tg_parse_u64(port, 1, 65535, &p))
		return -EINVAL;
	snprintf(s->broker, sizeof(s->broker), "%s", v);
	s->broker_port = p;
	return 0;
}

/* An absolute path without control characters, or "none": 0 or -EINVAL. */
static int wg_parse_path(const char *v, char *out, size_t len, char *err,
			 size_t errlen)
{
	const char *p;

	if (!strcmp(v, "none")) {
		out[0] = '\0';
		return 0;
	}
	for (p = v; *p && (unsigned char)*p >= 0x20 && *p != 0x7f; p++)
		;
	if (v[0] != '/' || *p || strlen(v) >= len) {
		snprintf(err, errlen,
			 "'%.64s': the absolute path of a PEM file (at most %d characters), or 'none'",
			 v, TG_WG_PATH_MAX);
		return -EINVAL;
	}
	snprintf(out, len, "%s", v);
	return 0;
}

/* Comma separated prefixes (spaces around them allowed), 1..MAX. */
static int wg_parse_allowed(const char *v, struct tg_wg_settings *s,
			    char *err, size_t errlen)
{
	char a[TG_PREFIX_STRLEN + 8], why[96];
	size_t n;

	s->nallowed = 0;
	for (;;) {
		v += strspn(v, " ");
		n = strcspn(v, ",");
		while (n && v[n - 1] == ' ')
			n--;
		if (!n || n >= sizeof(a) || s->nallowed == TG_WG_ALLOWED_MAX) {
			snprintf(err, errlen,
				 "1..%d prefixes, comma separated, like " TG_WG_ALLOWED_DEFAULT,
				 TG_WG_ALLOWED_MAX);
			return -EINVAL;
		}
		memcpy(a, v, n);
		a[n] = '\0';
		if (tg_prefix_parse(a, &s->allowed[s->nallowed], why,
				    sizeof(why))) {
			snprintf(err, errlen, "'%s': %s", a, why);
			return -EINVAL;
		}
		s->nallowed++;
		v += n;
		v += strspn(v, " ");
		if (!*v)
			return 0;
		v++;
	}
}

/* A pool of family af whose members' share (len) fits: "none" unsets. */
static int wg_parse_pool(const char *v, int af, unsigned int share,
			 struct tg_prefix *p, char *err, size_t errlen)
{
	char why[96];

	if (tg_prefix_parse(v, p, why, sizeof(why))) {
		snprintf(err, errlen, "'%s': %s", v, why);
		return -EINVAL;
	}
	if (p->family != af || p->len > share) {
		snprintf(err, errlen, "'%s': an %s prefix of length at most %u (each member takes a /%u), or 'none'",
			 v, af == AF_INET ? "IPv4" : "IPv6", share, share);
		return -EINVAL;
	}
	if (tg_prefix_reserved(p)) {
		snprintf(err, errlen, "'%s': overlaps the reserved %s", v,
			 tg_prefix_reserved(p));
		return -EINVAL;
	}
	return 0;
}

/* Parse v of key into s: 0 or -EINVAL (err). */
static int wg_setting_apply(struct tg_wg_settings *s, const char *key,
			    const char *v, char *err, size_t errlen)
{
	__u64 n;

	if (!strcmp(key, "wg_endpoint")) {
		if (!strcmp(v, "none")) {
			s->host[0] = '\0';
			s->port = 0;
		} else if (wg_parse_endpoint(v, s)) {
			snprintf(err, errlen,
				 "'%.64s': HOST[:PORT] (a name, an IPv4 address or [IPV6]), or 'none'",
				 v);
			return -EINVAL;
		}
	} else if (!strcmp(key, "wg_broker")) {
		if (!strcmp(v, "off")) {
			s->broker[0] = '\0';
			s->broker_port = 0;
		} else if (wg_parse_broker(v, s)) {
			snprintf(err, errlen,
				 "'%.64s': ADDRESS:PORT to listen on (0.0.0.0:PORT: every IPv4 address; [IPV6]:PORT), or 'off'",
				 v);
			return -EINVAL;
		}
	} else if (!strcmp(key, "wg_broker_cert")) {
		return wg_parse_path(v, s->broker_cert, sizeof(s->broker_cert),
				     err, errlen);
	} else if (!strcmp(key, "wg_broker_key")) {
		return wg_parse_path(v, s->broker_key, sizeof(s->broker_key),
				     err, errlen);
	} else if (!strcmp(key, "wg_mtu")) {
		if (tg_parse_u64(v, TG_WG_MTU_MIN, TG_WG_MTU_MAX, &n)) {
			snprintf(err, errlen, "'%.64s': a number %d..%d", v,
				 TG_WG_MTU_MIN, TG_WG_MTU_MAX);
			return -EINVAL;
		}
		s->mtu = n;
	} else if (!strcmp(key, "wg_allowed_ips")) {
		return wg_parse_allowed(v, s, err, errlen);
	} else if (!strcmp(key, "wg_pool4")) {
		s->has_pool4 = strcmp(v, "none");
		return s->has_pool4 ? wg_parse_pool(v, AF_INET, TG_WG_POOL4_SHARE,
						    &s->pool4, err, errlen) : 0;
	} else if (!strcmp(key, "wg_pool6")) {
		s->has_pool6 = strcmp(v, "none");
		return s->has_pool6 ? wg_parse_pool(v, AF_INET6, TG_WG_POOL6_SHARE,
						    &s->pool6, err, errlen) : 0;
	} else {
		snprintf(err, errlen, "unknown WireGuard setting");
		return -EINVAL;
	}
	return 0;
}

static void wg_settings_default(struct tg_wg_settings *s)
{
	char err[8];

	memset(s, 0, sizeof(*s));
	s->mtu = TG_WG_MTU_DEFAULT;
	wg_parse_allowed(TG_WG_ALLOWED_DEFAULT, s, err, sizeof(err));
}

int tg_wg_setting_parse(const char *key, const char *value, char *buf,
			size_t len, char *err, size_t errlen)
{
	struct tg_wg_settings s;

	wg_settings_default(&s);
	if (wg_setting_apply(&s, key, value, err, errlen))
		return -EINVAL;
	tg_wg_setting_show(&s, key, buf, len);
	return 0;
}

int tg_wg_settings_load(sqlite3 *db, struct tg_wg_settings *s, char *err,
			size_t errlen)
{
	char v[TG_WG_VALUE_MAX + 1], e[192];
	const char *const *k;
	int ret;

	wg_settings_default(s);
	for (k = tg_wg_setting_keys; *k; k++) {
		ret = tg_db_setting_get(db, *k, v, sizeof(v));
		if (ret == -ENOENT)
			continue;
		if (ret) {
			snprintf(err, errlen, "cannot read the settings");
			return ret;
		}
		if (wg_setting_apply(s, *k, v, e, sizeof(e))) {
			snprintf(err, errlen, "setting %s: %s", *k, e);
			return -EINVAL;
		}
	}
	return 0;
}

void tg_wg_endpoint_format(const struct tg_wg_settings *s, unsigned int port,
			   char *buf, size_t len)
{
	bool v6 = strchr(s->host, ':') != NULL;

	snprintf(buf, len, "%s%s%s:%u", v6 ? "[" : "", s->host, v6 ? "]" : "",
		 port);
}

void tg_wg_setting_show(const struct tg_wg_settings *s, const char *key,
			char *buf, size_t len)
{
	size_t off = 0;
	unsigned int i;

	buf[0] = '\0';
	if (!strcmp(key, "wg_endpoint")) {
		if (!s->host[0])
			snprintf(buf, len, "none");
		else if (!s->port)
			snprintf(buf, len, strchr(s->host, ':') ? "[%s]" : "%s",
				 s->host);
		else
			tg_wg_endpoint_format(s, s->port, buf, len);
	} else if (!strcmp(key, "wg_broker")) {
		snprintf(buf, len, "%s", s->broker[0] ? s->broker : "off");
	} else if (!strcmp(key, "wg_broker_cert") ||
		   !strcmp(key, "wg_broker_key")) {
		const char *f = strcmp(key, "wg_broker_key") ? s->broker_cert :
							       s->broker_key;

		snprintf(buf, len, "%s", f[0] ? f : "none");
	} else if (!strcmp(key, "wg_mtu")) {
		snprintf(buf, len, "%u", s->mtu);
	} else if (!strcmp(key, "wg_allowed_ips")) {
		for (i = 0; i < s->nallowed; i++) {
			char p[TG_PREFIX_STRLEN];

			tg_prefix_format(&s->allowed[i], p, sizeof(p));
			off = tg_cat(buf, len, off, "%s%s", i ? "," : "", p);
		}
	} else if (!strcmp(key, "wg_pool4") || !strcmp(key, "wg_pool6")) {
		bool v4 = !strcmp(key, "wg_pool4");

		if (v4 ? s->has_pool4 : s->has_pool6)
			tg_prefix_format(v4 ? &s->pool4 : &s->pool6, buf, len);
		else
			snprintf(buf, len, "none");
	}
}
