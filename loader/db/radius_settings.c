// SPDX-License-Identifier: GPL-2.0-only
/* RADIUS settings: parsed, checked, defaulted and shown. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/addr.h"
#include "util/cli.h"
#include "util/fmt.h"

#include "db/radius_settings.h"
#include "db/settings.h"

const char *const tg_radius_setting_keys[] = {
	"aaa", "radius_servers", "radius_acct_servers", "radius_secret",
	"radius_timeout", "radius_retries", "radius_nas_identifier",
	"radius_nas_ip", "radius_accounting", "radius_interim", "radius_dae",
	"radius_dae_clients", NULL,
};

bool tg_radius_setting_key(const char *key)
{
	const char *const *k;

	for (k = tg_radius_setting_keys; *k; k++)
		if (!strcmp(*k, key))
			return true;
	return false;
}

/* "host[:port]" with port default def_port: 0 or -EINVAL. */
static int rs_hostport(const char *v, size_t len, uint16_t def_port,
		       char *host, size_t hostlen, uint16_t *port)
{
	char a[TG_RADIUS_HOST_MAX + 8];
	char *colon;
	__u64 p = def_port;

	if (!len || len >= sizeof(a))
		return -EINVAL;
	memcpy(a, v, len);
	a[len] = '\0';
	colon = strchr(a, ':');
	if (colon) {
		*colon = '\0';
		if (tg_parse_u64(colon + 1, 1, 65535, &p))
			return -EINVAL;
	}
	if (!tg_host_ok(a, TG_RADIUS_HOST_MAX) || strlen(a) >= hostlen)
		return -EINVAL;
	snprintf(host, hostlen, "%s", a);
	*port = (uint16_t)p;
	return 0;
}

/* A comma list of host[:port], 1..TG_RADIUS_SERVERS_MAX of them. */
static int rs_servers(const char *v, struct tg_radius_server *out,
		      unsigned int *n)
{
	size_t len;

	*n = 0;
	for (;;) {
		len = strcspn(v, ",");
		if (*n == TG_RADIUS_SERVERS_MAX ||
		    rs_hostport(v, len, TG_RADIUS_AUTH_PORT, out[*n].host,
				sizeof(out[*n].host), &out[*n].port))
			return -EINVAL;
		++*n;
		if (!v[len])
			return 0;
		v += len + 1;
	}
}

/* A comma list of IPv4 addresses. */
static int rs_addrs(const char *v, struct in_addr *out, unsigned int max,
		    unsigned int *n)
{
	char a[INET_ADDRSTRLEN];
	size_t len;

	*n = 0;
	for (;;) {
		len = strcspn(v, ",");
		if (*n == max || !len || len >= sizeof(a))
			return -EINVAL;
		memcpy(a, v, len);
		a[len] = '\0';
		if (inet_pton(AF_INET, a, &out[*n]) != 1 || !out[*n].s_addr)
			return -EINVAL;
		++*n;
		if (!v[len])
			return 0;
		v += len + 1;
	}
}

static int rs_dae(const char *v, struct in_addr *addr, uint16_t *port)
{
	char host[TG_RADIUS_HOST_MAX + 1];

	if (rs_hostport(v, strlen(v), TG_RADIUS_DAE_PORT, host, sizeof(host),
			port) ||
	    inet_pton(AF_INET, host, addr) != 1)
		return -EINVAL;
	return 0;
}

static bool rs_text_ok(const char *v, size_t max)
{
	size_t i, n = strlen(v);

	if (!n || n > max)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] == 0x7f)
			return false;
	return true;
}

static int rs_number(const char *v, __u64 lo, __u64 hi, unsigned int *out)
{
	__u64 n;

	if (tg_parse_u64(v, lo, hi, &n))
		return -EINVAL;
	if (out)
		*out = (unsigned int)n;
	return 0;
}

/* Check key = v; with s, store it there too. */
static int rs_apply(struct tg_radius_settings *s, const char *key,
		    const char *v, char *err, size_t errlen)
{
	struct tg_radius_settings tmp;
	unsigned int n;

	if (!s)
		s = &tmp;
	if (!strcmp(key, "aaa")) {
		if (!strcmp(v, "local"))
			s->aaa = TG_AAA_LOCAL;
		else if (!strcmp(v, "radius"))
			s->aaa = TG_AAA_RADIUS;
		else
			goto bad_aaa;
	} else if (!strcmp(key, "radius_servers")) {
		if (rs_servers(v, s->auth, &s->n_auth))
			goto bad_servers;
	} else if (!strcmp(key, "radius_acct_servers")) {
		if (strcmp(v, "none") && rs_servers(v, s->acct, &s->n_acct))
			goto bad_servers;
	} else if (!strcmp(key, "radius_secret")) {
		if (!rs_text_ok(v, TG_RADIUS_SECRET_MAX)) {
			snprintf(err, errlen,
				 "1..%d printable characters",
				 TG_RADIUS_SECRET_MAX);
			return -EINVAL;
		}
		snprintf(s->secret, sizeof(s->secret), "%s", v);
	} else if (!strcmp(key, "radius_timeout")) {
		if (rs_number(v, 1, TG_RADIUS_TIMEOUT_MAX, &s->timeout_s)) {
			snprintf(err, errlen, "'%s': seconds per try, 1..%d", v,
				 TG_RADIUS_TIMEOUT_MAX);
			return -EINVAL;
		}
	} else if (!strcmp(key, "radius_retries")) {
		if (rs_number(v, 0, TG_RADIUS_RETRIES_MAX, &s->retries)) {
			snprintf(err, errlen, "'%s': a number 0..%d", v,
				 TG_RADIUS_RETRIES_MAX);
			return -EINVAL;
		}
	} else if (!strcmp(key, "radius_nas_identifier")) {
		if (!rs_text_ok(v, sizeof(s->nas_identifier) - 1)) {
			snprintf(err, errlen, "'%.64s': 1..%zu printable characters",
				 v, sizeof(s->nas_identifier) - 1);
			return -EINVAL;
		}
		snprintf(s->nas_identifier, sizeof(s->nas_identifier), "%s", v);
	} else if (!strcmp(key, "radius_nas_ip")) {
		if (inet_pton(AF_INET, v, &s->nas_ip) != 1 || !s->nas_ip.s_addr) {
			snprintf(err, errlen, "'%.64s': not an IPv4 address", v);
			return -EINVAL;
		}
	} else if (!strcmp(key, "radius_accounting")) {
		if (strcmp(v, "on") && strcmp(v, "off")) {
			snprintf(err, errlen, "'%.64s': on or off", v);
			return -EINVAL;
		}
		s->accounting = !strcmp(v, "on");
	} else if (!strcmp(key, "radius_interim")) {
		if (rs_number(v, 0, TG_RADIUS_INTERIM_MAX, &n) ||
		    (n && n < TG_RADIUS_INTERIM_MIN)) {
			snprintf(err, errlen,
				 "'%.64s': 0 (only the servers' Acct-Interim-Interval) or %d..%d seconds",
				 v, TG_RADIUS_INTERIM_MIN, TG_RADIUS_INTERIM_MAX);
			return -EINVAL;
		}
		s->interim_s = n;
	} else if (!strcmp(key, "radius_dae")) {
		s->dae = strcmp(v, "off");
		if (s->dae && rs_dae(v, &s->dae_addr, &s->dae_port)) {
			snprintf(err, errlen,
				 "'%.64s': an IPv4 address of this host (and :PORT, default %d), or 'off'",
				 v, TG_RADIUS_DAE_PORT);
			return -EINVAL;
		}
	} else if (!strcmp(key, "radius_dae_clients")) {
		if (rs_addrs(v, s->dae_clients,
			     sizeof(s->dae_clients) / sizeof(s->dae_clients[0]),
			     &s->n_dae_clients)) {
			snprintf(err, errlen,
				 "'%.64s': up to %zu IPv4 addresses, comma separated",
				 v, sizeof(s->dae_clients) / sizeof(s->dae_clients[0]));
			return -EINVAL;
		}
	} else {
		snprintf(err, errlen, "unknown RADIUS setting");
		return -EINVAL;
	}
	return 0;
bad_aaa:
	snprintf(err, errlen, "'%.64s': local or radius", v);
	return -EINVAL;
bad_servers:
	snprintf(err, errlen,
		 "'%.64s': up to %d servers HOST[:PORT], comma separated (port default %d)",
		 v, TG_RADIUS_SERVERS_MAX, TG_RADIUS_AUTH_PORT);
	return -EINVAL;
}

int tg_radius_setting_parse(const char *key, const char *v, char *buf,
			    size_t len, char *err, size_t errlen)
{
	if (rs_apply(NULL, key, v, err, errlen))
		return -EINVAL;
	snprintf(buf, len, "%s", v);
	return 0;
}

/* The defaults that follow other settings, once every key is read. */
static void rs_defaults(const struct tg_lns_settings *lns,
			struct tg_radius_settings *s, bool acct_set,
			bool dae_clients_set)
{
	unsigned int i;

	if (!*s->nas_identifier)
		snprintf(s->nas_identifier, sizeof(s->nas_identifier), "%s",
			 lns->name);
	if (!s->nas_ip.s_addr && lns->on)
		s->nas_ip = ((const struct sockaddr_in *)&lns->listen.ss)->sin_addr;
	if (!acct_set) {
		for (i = 0; i < s->n_auth; i++) {
			s->acct[i] = s->auth[i];
			s->acct[i].port = s->auth[i].port == 65535 ? 65535 :
					  s->auth[i].port + 1;
		}
		s->n_acct = s->n_auth;
	}
	if (!dae_clients_set) {
		const unsigned int max = sizeof(s->dae_clients) /
					 sizeof(s->dae_clients[0]);
		struct in_addr a;
		unsigned int j;

		s->n_dae_clients = 0;
		for (i = 0; i < s->n_auth + s->n_acct; i++) {
			const char *h = i < s->n_auth ? s->auth[i].host :
					s->acct[i - s->n_auth].host;

			if (inet_pton(AF_INET, h, &a) != 1)
				continue;
			for (j = 0; j < s->n_dae_clients; j++)
				if (s->dae_clients[j].s_addr == a.s_addr)
					break;
			if (j == s->n_dae_clients && j < max)
				s->dae_clients[s->n_dae_clients++] = a;
		}
	}
}

int tg_radius_settings_load(sqlite3 *db, const struct tg_lns_settings *lns,
			    struct tg_radius_settings *s, char *err,
			    size_t errlen)
{
	char v[TG_RADIUS_VALUE_MAX + 1], e[192];
	bool acct_set = false, dae_clients_set = false, acct_given = false;
	const char *const *k;
	int ret;

	memset(s, 0, sizeof(*s));
	s->timeout_s = TG_RADIUS_TIMEOUT_S;
	s->retries = TG_RADIUS_RETRIES;
	s->interim_s = TG_RADIUS_INTERIM_S;
	s->dae_port = TG_RADIUS_DAE_PORT;
	for (k = tg_radius_setting_keys; *k; k++) {
		ret = tg_db_setting_get(db, *k, v, sizeof(v));
		if (ret == -ENOENT)
			continue;
		if (ret)
			return ret;
		if (rs_apply(s, *k, v, e, sizeof(e))) {
			snprintf(err, errlen, "setting %s: %s", *k, e);
			return -EINVAL;
		}
		if (!strcmp(*k, "radius_acct_servers"))
			acct_set = strcmp(v, "none");
		else if (!strcmp(*k, "radius_dae_clients"))
			dae_clients_set = true;
		else if (!strcmp(*k, "radius_accounting"))
			acct_given = true;
	}
	if (!acct_given)
		s->accounting = s->aaa == TG_AAA_RADIUS;
	rs_defaults(lns, s, acct_set, dae_clients_set);
	if (s->aaa != TG_AAA_RADIUS)
		return 0;
	if (!s->n_auth) {
		snprintf(err, errlen,
			 "setting aaa: radius needs radius_servers (HOST[:PORT],...)");
		return -EINVAL;
	}
	if (!*s->secret) {
		snprintf(err, errlen,
			 "setting aaa: radius needs radius_secret, the secret shared with the servers");
		return -EINVAL;
	}
	return 0;
}

static size_t rs_show_servers(char *buf, size_t len,
			      const struct tg_radius_server *v, unsigned int n)
{
	size_t off = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		off = tg_cat(buf, len, off, "%s%s:%u", i ? "," : "", v[i].host,
			     v[i].port);
	if (!n)
		snprintf(buf, len, "none");
	return off;
}

void tg_radius_setting_show(const struct tg_radius_settings *s,
			    const char *key, char *buf, size_t len)
{
	char a[INET_ADDRSTRLEN];
	size_t off = 0;
	unsigned int i;

	buf[0] = '\0';
	if (!strcmp(key, "aaa")) {
		snprintf(buf, len, "%s", s->aaa == TG_AAA_RADIUS ? "radius" : "local");
	} else if (!strcmp(key, "radius_servers")) {
		rs_show_servers(buf, len, s->auth, s->n_auth);
	} else if (!strcmp(key, "radius_acct_servers")) {
		rs_show_servers(buf, len, s->acct, s->n_acct);
	} else if (!strcmp(key, "radius_secret")) {
		snprintf(buf, len, "%s", *s->secret ? "(set)" : "none");
	} else if (!strcmp(key, "radius_timeout")) {
		snprintf(buf, len, "%u", s->timeout_s);
	} else if (!strcmp(key, "radius_retries")) {
		snprintf(buf, len, "%u", s->retries);
	} else if (!strcmp(key, "radius_nas_identifier")) {
		snprintf(buf, len, "%s", s->nas_identifier);
	} else if (!strcmp(key, "radius_nas_ip")) {
		if (s->nas_ip.s_addr)
			inet_ntop(AF_INET, &s->nas_ip, buf, len);
		else
			snprintf(buf, len, "none");
	} else if (!strcmp(key, "radius_accounting")) {
		snprintf(buf, len, "%s", s->accounting ? "on" : "off");
	} else if (!strcmp(key, "radius_interim")) {
		snprintf(buf, len, "%u", s->interim_s);
	} else if (!strcmp(key, "radius_dae")) {
		if (!s->dae) {
			snprintf(buf, len, "off");
			return;
		}
		inet_ntop(AF_INET, &s->dae_addr, a, sizeof(a));
		snprintf(buf, len, "%s:%u", a, s->dae_port);
	} else if (!strcmp(key, "radius_dae_clients")) {
		for (i = 0; i < s->n_dae_clients; i++) {
			inet_ntop(AF_INET, &s->dae_clients[i], a, sizeof(a));
			off = tg_cat(buf, len, off, "%s%s", i ? "," : "", a);
		}
		if (!off)
			snprintf(buf, len, "none");
	}
}
