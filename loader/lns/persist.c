// SPDX-License-Identifier: GPL-2.0-only
/* Tunnels and sessions saved as key=value lines and taken over again. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lns/data.h"
#include "lns/persist.h"

static void hex(const uint8_t *b, size_t n, char *out)
{
	static const char d[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = d[b[i] >> 4];
		out[2 * i + 1] = d[b[i] & 15];
	}
	out[2 * n] = '\0';
}

/* Hex of at most max bytes: the byte count, or -1. */
static int unhex(const char *s, uint8_t *out, size_t max)
{
	size_t n = strlen(s), i;
	unsigned int v;

	if (n % 2 || n / 2 > max)
		return -1;
	for (i = 0; i < n / 2; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return (int)(n / 2);
}

int lns_tunnel_save(const struct lns_tunnel *t, char *buf, size_t len)
{
	const struct sockaddr_in *sin = (const void *)&t->peer.ss;
	char a[INET_ADDRSTRLEN], h[2 * L2TP_NAME_MAX + 1];
	int n;

	if (t->peer.ss.ss_family != AF_INET)
		return -EINVAL;
	inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a));
	hex((const uint8_t *)t->host_name, strlen(t->host_name), h);
	n = snprintf(buf, len, "t=%u pt=%u a=%s p=%u rws=%u ns=%u nr=%u h=%s",
		     t->id, t->peer_id, a, ntohs(sin->sin_port),
		     t->chan.peer_rws, t->chan.ns, t->chan.nr, h);
	return n < 0 || (size_t)n >= len ? -ENOSPC : n;
}

int lns_session_save(const struct lns_session *s, char *buf, size_t len)
{
	const struct ppp *p = s->ppp;
	char u[2 * PPP_NAME_MAX + 1], a[INET_ADDRSTRLEN], pif[17], lif[17];
	int n;

	if (!p)
		return -EINVAL;
	hex((const uint8_t *)p->user, strlen(p->user), u);
	hex(p->peer_ifid, 8, pif);
	hex(p->cfg.local_ifid, 8, lif);
	inet_ntop(AF_INET, &p->peer4, a, sizeof(a));
	n = snprintf(buf, len,
		     "t=%u s=%u ps=%u m=%u pm=%u mru=%u pfc=%d acfc=%d ap=%u"
		     " v4=%s ip=%d ip6=%d pif=%s lif=%s u=%s",
		     s->tunnel->id, s->id, s->peer_id, p->magic, p->peer_magic,
		     p->peer_mru, p->peer_pfc, p->peer_acfc, p->auth_proto, a,
		     p->ipcp.state == PPP_OPENED, p->ipv6cp.state == PPP_OPENED,
		     pif, lif, u);
	return n < 0 || (size_t)n >= len ? -ENOSPC : n;
}

/* The value of key in line (copied to out), or NULL. */
static const char *field(const char *line, const char *key, char *out,
			 size_t len)
{
	size_t k = strlen(key), n;
	const char *p = line, *end;

	while (*p) {
		while (*p == ' ')
			p++;
		end = strchr(p, ' ');
		if (!end)
			end = p + strlen(p);
		if ((size_t)(end - p) > k && !strncmp(p, key, k) && p[k] == '=') {
			n = (size_t)(end - p) - k - 1;
			if (n >= len)
				return NULL;
			memcpy(out, p + k + 1, n);
			out[n] = '\0';
			return out;
		}
		p = end;
	}
	return NULL;
}

static int field_u(const char *line, const char *key, unsigned long max,
		   unsigned long *v)
{
	char buf[24], *end;

	if (!field(line, key, buf, sizeof(buf)) || !buf[0])
		return -EINVAL;
	*v = strtoul(buf, &end, 10);
	return *end || *v > max ? -EINVAL : 0;
}

int lns_tunnel_load(struct lns *l, const char *line, uint64_t now)
{
	unsigned long id, pid, port, rws, ns, nr;
	char a[INET_ADDRSTRLEN + 1], h[2 * L2TP_NAME_MAX + 1];
	struct sockaddr_in *sin;
	struct lns_addr peer = {};
	struct lns_tunnel *t;
	int n;

	if (field_u(line, "t", 65535, &id) || field_u(line, "pt", 65535, &pid) ||
	    field_u(line, "p", 65535, &port) || field_u(line, "rws", 65535, &rws) ||
	    field_u(line, "ns", 65535, &ns) || field_u(line, "nr", 65535, &nr) ||
	    !field(line, "a", a, sizeof(a)) || !field(line, "h", h, sizeof(h)))
		return -EINVAL;
	sin = (struct sockaddr_in *)&peer.ss;
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, a, &sin->sin_addr) != 1)
		return -EINVAL;
	peer.len = sizeof(*sin);
	t = lns_tunnel_adopt(l, (uint16_t)id, (uint16_t)pid, &peer,
			     (uint16_t)rws, now);
	if (!t)
		return -EINVAL;
	t->chan.ns = t->chan.acked = (uint16_t)ns;
	t->chan.nr = (uint16_t)nr;
	n = unhex(h, (uint8_t *)t->host_name, sizeof(t->host_name) - 1);
	t->host_name[n > 0 ? n : 0] = '\0';
	return 0;
}

int lns_session_load(struct lns *l, const char *line, uint64_t now,
		     struct lns_session **out)
{
	unsigned long tid, id, pid, m, pm, mru, pfc, acfc, ap, ip, ip6;
	char a[INET_ADDRSTRLEN + 1], u[2 * PPP_NAME_MAX + 1], hx[17];
	struct lns_tunnel *t;
	struct lns_session *s;
	struct ppp *p;
	int n;

	if (field_u(line, "t", 65535, &tid) || field_u(line, "s", 65535, &id) ||
	    field_u(line, "ps", 65535, &pid) ||
	    field_u(line, "m", UINT32_MAX, &m) ||
	    field_u(line, "pm", UINT32_MAX, &pm) ||
	    field_u(line, "mru", 65535, &mru) || field_u(line, "pfc", 1, &pfc) ||
	    field_u(line, "acfc", 1, &acfc) || field_u(line, "ap", 65535, &ap) ||
	    field_u(line, "ip", 1, &ip) || field_u(line, "ip6", 1, &ip6) ||
	    !field(line, "v4", a, sizeof(a)) || !field(line, "u", u, sizeof(u)))
		return -EINVAL;
	t = lns_tunnel_by_id(l, (uint16_t)tid);
	if (!t)
		return -EINVAL;
	s = lns_session_adopt(t, (uint16_t)id, (uint16_t)pid);
	if (!s)
		return -EINVAL;
	if (lns_ppp_adopt(l, s)) {
		lns_session_close(s, LNS_CDN_NO_FACILITY, LNS_ERR_RESOURCES, now);
		return -ENOMEM;
	}
	p = s->ppp;
	p->now = now;
	p->phase = PPP_PHASE_NETWORK;
	p->lcp.state = PPP_OPENED;
	p->ipcp.state = ip ? PPP_OPENED : PPP_INITIAL;
	p->ipv6cp.state = ip6 ? PPP_OPENED : PPP_INITIAL;
	p->magic = (uint32_t)m;
	p->peer_magic = (uint32_t)pm;
	p->peer_mru = (uint16_t)mru;
	p->peer_pfc = pfc;
	p->peer_acfc = acfc;
	p->auth_proto = (uint16_t)ap;
	p->echo_at = now + p->cfg.echo_ms;
	if (inet_pton(AF_INET, a, &p->peer4) != 1 ||
	    !field(line, "pif", hx, sizeof(hx)) ||
	    unhex(hx, p->peer_ifid, 8) != 8 ||
	    !field(line, "lif", hx, sizeof(hx)) ||
	    unhex(hx, p->cfg.local_ifid, 8) != 8) {
		lns_session_close(s, LNS_CDN_ERROR, LNS_ERR_NONE, now);
		return -EINVAL;
	}
	memcpy(s->v6.local_ifid, p->cfg.local_ifid, 8);
	memcpy(s->v6.peer_ifid, p->peer_ifid, 8);
	n = unhex(u, (uint8_t *)p->user, sizeof(p->user) - 1);
	p->user[n > 0 ? n : 0] = '\0';
	*out = s;
	return 0;
}
