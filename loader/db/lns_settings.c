// SPDX-License-Identifier: GPL-2.0-only
/* The LNS's settings: parsed, checked, stored and shown. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cli.h"
#include "util/fmt.h"

#include "db/lns_settings.h"
#include "db/settings.h"

const char *const tg_lns_setting_keys[] = {
	"lns", "lns_secret", "lns_auth", "lns_name", "lns_dns", "lns_address",
	"lns_echo_interval", "lns_echo_failures", NULL,
};

bool tg_lns_setting_key(const char *key)
{
	const char *const *k;

	for (k = tg_lns_setting_keys; *k; k++)
		if (!strcmp(*k, key))
			return true;
	return false;
}

static int lns_parse_listen(const char *v, struct lns_addr *a, char *err,
			    size_t errlen)
{
	if (lns_listen_parse(v, a, err, errlen))
		return -EINVAL;
	/* The data plane carries L2TP over IPv4. */
	if (a->ss.ss_family != AF_INET ||
	    ((struct sockaddr_in *)&a->ss)->sin_addr.s_addr == INADDR_ANY) {
		snprintf(err, errlen,
			 "'%.64s': an IPv4 address of this host (and :PORT), or 'off'",
			 v);
		return -EINVAL;
	}
	return 0;
}

static int lns_parse_auth(const char *v, bool *chap, bool *pap)
{
	*chap = !strcmp(v, "chap") || !strcmp(v, "chap,pap") ||
		!strcmp(v, "pap,chap");
	*pap = !strcmp(v, "pap") || !strcmp(v, "chap,pap") ||
	       !strcmp(v, "pap,chap");
	return *chap || *pap ? 0 : -EINVAL;
}

/*
 * Up to two IPv4 servers (IPCP) and two IPv6 ones (router advertisements
 * and DHCPv6), comma separated, in any order; "none".
 */
static int lns_parse_dns(const char *v, struct in_addr dns[2],
			 struct in6_addr dns6[2])
{
	unsigned int n4 = 0, n6 = 0;
	char a[64];
	size_t len;

	memset(dns, 0, 2 * sizeof(*dns));
	memset(dns6, 0, 2 * sizeof(*dns6));
	if (!strcmp(v, "none"))
		return 0;
	for (;;) {
		len = strcspn(v, ",");
		if (!len || len >= sizeof(a))
			return -EINVAL;
		memcpy(a, v, len);
		a[len] = '\0';
		if (n4 < 2 && inet_pton(AF_INET, a, &dns[n4]) == 1 &&
		    dns[n4].s_addr)
			n4++;
		else if (n6 < 2 && inet_pton(AF_INET6, a, &dns6[n6]) == 1 &&
			 !IN6_IS_ADDR_UNSPECIFIED(&dns6[n6]) &&
			 !IN6_IS_ADDR_MULTICAST(&dns6[n6]))
			n6++;
		else
			return -EINVAL;
		if (!v[len])
			return 0;
		v += len + 1;
	}
}

static bool lns_text_ok(const char *v, size_t max)
{
	size_t i, n = strlen(v);

	if (!n || n > max)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x21 || (unsigned char)v[i] == 0x7f)
			return false;
	return true;
}

int tg_lns_setting_parse(const char *key, const char *v, char *buf,
			 size_t len, char *err, size_t errlen)
{
	struct tg_lns_settings s;

	if (!strcmp(key, "lns")) {
		if (strcmp(v, "off") && lns_parse_listen(v, &s.listen, err, errlen))
			return -EINVAL;
	} else if (!strcmp(key, "lns_secret")) {
		if (strcmp(v, "none") && !lns_text_ok(v, LNS_SECRET_MAX)) {
			snprintf(err, errlen,
				 "1..%d characters without spaces, or 'none'",
				 LNS_SECRET_MAX);
			return -EINVAL;
		}
	} else if (!strcmp(key, "lns_auth")) {
		if (lns_parse_auth(v, &s.chap, &s.pap)) {
			snprintf(err, errlen, "'%s': chap, pap or chap,pap", v);
			return -EINVAL;
		}
	} else if (!strcmp(key, "lns_name")) {
		if (!lns_text_ok(v, sizeof(s.name) - 1)) {
			snprintf(err, errlen,
				 "'%s': 1..%zu characters without spaces", v,
				 sizeof(s.name) - 1);
			return -EINVAL;
		}
	} else if (!strcmp(key, "lns_dns")) {
		if (lns_parse_dns(v, s.dns, s.dns6)) {
			snprintf(err, errlen,
				 "'%s': up to two IPv4 and two IPv6 addresses, comma separated, or 'none'",
				 v);
			return -EINVAL;
		}
	} else if (!strcmp(key, "lns_address")) {
		if (inet_pton(AF_INET, v, &s.local) != 1 || !s.local.s_addr) {
			snprintf(err, errlen, "'%s': not an IPv4 address", v);
			return -EINVAL;
		}
	} else if (!strcmp(key, "lns_echo_interval") ||
		   !strcmp(key, "lns_echo_failures")) {
		bool interval = !strcmp(key, "lns_echo_interval");
		__u64 n;

		if (tg_parse_u64(v, 1, interval ? 3600 : 100, &n)) {
			snprintf(err, errlen, "'%s': a number %s", v,
				 interval ? "of seconds 1..3600" : "1..100");
			return -EINVAL;
		}
	} else {
		snprintf(err, errlen, "unknown LNS setting");
		return -EINVAL;
	}
	snprintf(buf, len, "%s", v);
	return 0;
}

int tg_lns_settings_load(sqlite3 *db, struct tg_lns_settings *s, char *err,
			 size_t errlen)
{
	char v[TG_LNS_VALUE_MAX + 1], chk[TG_LNS_VALUE_MAX + 1], e[160];
	const char *const *k;
	int ret;

	memset(s, 0, sizeof(*s));
	s->chap = s->pap = true;
	s->echo_s = TG_LNS_ECHO_S;
	s->echo_fails = TG_LNS_ECHO_FAILS;
	snprintf(s->name, sizeof(s->name), "%s", TG_LNS_NAME_DEFAULT);
	for (k = tg_lns_setting_keys; *k; k++) {
		ret = tg_db_setting_get(db, *k, v, sizeof(v));
		if (ret == -ENOENT)
			continue;
		if (ret)
			return ret;
		if (tg_lns_setting_parse(*k, v, chk, sizeof(chk), e, sizeof(e))) {
			snprintf(err, errlen, "setting %s: %s", *k, e);
			return -EINVAL;
		}
		if (!strcmp(*k, "lns") && strcmp(v, "off")) {
			s->on = true;
			lns_parse_listen(v, &s->listen, e, sizeof(e));
		} else if (!strcmp(*k, "lns_secret") && strcmp(v, "none")) {
			snprintf(s->secret, sizeof(s->secret), "%.*s",
				 (int)sizeof(s->secret) - 1, v);
		} else if (!strcmp(*k, "lns_auth")) {
			lns_parse_auth(v, &s->chap, &s->pap);
		} else if (!strcmp(*k, "lns_name")) {
			snprintf(s->name, sizeof(s->name), "%.*s",
				 (int)sizeof(s->name) - 1, v);
		} else if (!strcmp(*k, "lns_dns")) {
			lns_parse_dns(v, s->dns, s->dns6);
		} else if (!strcmp(*k, "lns_address")) {
			inet_pton(AF_INET, v, &s->local);
		} else if (!strcmp(*k, "lns_echo_interval")) {
			s->echo_s = (unsigned int)strtoul(v, NULL, 10);
		} else if (!strcmp(*k, "lns_echo_failures")) {
			s->echo_fails = (unsigned int)strtoul(v, NULL, 10);
		}
	}
	if (!s->local.s_addr)
		inet_pton(AF_INET, TG_LNS_ADDRESS_DEFAULT, &s->local);
	/* The member's route to it would swallow the tunnel itself. */
	if (s->on && s->local.s_addr ==
	    ((struct sockaddr_in *)&s->listen.ss)->sin_addr.s_addr) {
		snprintf(err, errlen,
			 "setting lns_address: the listening address; members would route their tunnel into itself");
		return -EINVAL;
	}
	return 0;
}

void tg_lns_setting_show(const struct tg_lns_settings *s, const char *key,
			 char *buf, size_t len)
{
	char a[INET_ADDRSTRLEN], b6[INET6_ADDRSTRLEN];
	const struct sockaddr_in *sin = (const void *)&s->listen.ss;

	buf[0] = '\0';
	if (!strcmp(key, "lns")) {
		if (!s->on) {
			snprintf(buf, len, "off");
			return;
		}
		inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a));
		snprintf(buf, len, "%s:%u", a, ntohs(sin->sin_port));
	} else if (!strcmp(key, "lns_secret")) {
		snprintf(buf, len, "%s", *s->secret ? "set" : "none");
	} else if (!strcmp(key, "lns_auth")) {
		snprintf(buf, len, "%s", s->chap && s->pap ? "chap,pap" :
			 s->chap ? "chap" : "pap");
	} else if (!strcmp(key, "lns_name")) {
		snprintf(buf, len, "%s", s->name);
	} else if (!strcmp(key, "lns_dns")) {
		size_t off = 0;
		unsigned int i;

		for (i = 0; i < 2 && s->dns[i].s_addr; i++) {
			inet_ntop(AF_INET, &s->dns[i], a, sizeof(a));
			off = tg_cat(buf, len, off, "%s%s", off ? "," : "", a);
		}
		for (i = 0; i < 2 && !IN6_IS_ADDR_UNSPECIFIED(&s->dns6[i]); i++) {
			inet_ntop(AF_INET6, &s->dns6[i], b6, sizeof(b6));
			off = tg_cat(buf, len, off, "%s%s", off ? "," : "", b6);
		}
		if (!off)
			snprintf(buf, len, "none");
	} else if (!strcmp(key, "lns_address")) {
		inet_ntop(AF_INET, &s->local, buf, len);
	} else if (!strcmp(key, "lns_echo_interval")) {
		snprintf(buf, len, "%u", s->echo_s);
	} else if (!strcmp(key, "lns_echo_failures")) {
		snprintf(buf, len, "%u", s->echo_fails);
	}
}
