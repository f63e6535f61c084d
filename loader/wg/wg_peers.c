// SPDX-License-Identifier: GPL-2.0-only
/* The WireGuard members as the kernel has them (see wg_peers.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>

#include "wg/wg_link.h"
#include "wg/wg_peers.h"
#include "wg/wg_sync.h"

int tg_wg_peers_read(struct tg_wg_peers *ps, char *err, size_t errlen)
{
	unsigned int ports[TG_WG_PORTS_MAX * 4];
	struct tg_wg_state st;
	struct tg_wg_nl nl;
	char ifname[IF_NAMESIZE];
	int nports, i, ret;
	size_t j;
	void *v;

	memset(ps, 0, sizeof(*ps));
	ps->now = time(NULL);
	nports = tg_wg_link_ports(ports, sizeof(ports) / sizeof(ports[0]));
	if (nports < 0) {
		snprintf(err, errlen, "cannot list the interfaces: %s",
			 strerror(-nports));
		return nports;
	}
	if (!nports)
		return 0;
	ret = tg_wg_nl_open(&nl, err, errlen);
	if (ret)
		return ret == -ENOENT ? 0 : ret;
	for (i = 0; i < nports; i++) {
		snprintf(ifname, sizeof(ifname), TG_WG_IFNAME_FMT, ports[i]);
		ret = tg_wg_nl_get(&nl, ifname, &st, err, errlen);
		/* Gone since listed: a sync deleted it. */
		if (ret == -ENODEV)
			continue;
		if (ret)
			goto out;
		v = st.npeers ? realloc(ps->v, (ps->n + st.npeers) *
					sizeof(*ps->v)) : ps->v;
		if (!v) {
			tg_wg_state_free(&st);
			ret = -ENOMEM;
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		ps->v = v;
		for (j = 0; j < st.npeers; j++) {
			ps->v[ps->n].port = ports[i];
			ps->v[ps->n++].p = st.peers[j];
		}
		tg_wg_state_free(&st);
	}
	ret = 0;
out:
	tg_wg_nl_close(&nl);
	if (ret)
		tg_wg_peers_free(ps);
	return ret;
}

void tg_wg_peers_free(struct tg_wg_peers *ps)
{
	free(ps->v);
	ps->v = NULL;
	ps->n = 0;
}

const struct tg_wg_peer_state *tg_wg_peers_find(const struct tg_wg_peers *ps,
						const struct tg_sub *s)
{
	__u8 key[TG_WG_KEY_LEN];
	size_t i;

	if (s->type != TG_TUN_WIREGUARD || tg_wg_key_parse(s->wg_key, key))
		return NULL;
	for (i = 0; i < ps->n; i++)
		if (ps->v[i].port == tg_sub_wg_port(s) &&
		    !memcmp(ps->v[i].p.key, key, TG_WG_KEY_LEN))
			return &ps->v[i].p;
	return NULL;
}

__s64 tg_wg_handshake_age(__s64 handshake, __s64 now)
{
	if (!handshake)
		return -1;
	return now > handshake ? now - handshake : 0;
}

bool tg_wg_peer_up(__s64 handshake, __s64 now)
{
	__s64 age = tg_wg_handshake_age(handshake, now);

	return age >= 0 && age <= TG_WG_UP_S;
}

void tg_wg_peer_endpoint_format(const struct tg_wg_peer_state *p, char *buf,
				size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (!p->ep_family || !inet_ntop(p->ep_family, p->ep_addr, a, sizeof(a))) {
		snprintf(buf, len, "%s", "");
		return;
	}
	snprintf(buf, len, p->ep_family == AF_INET6 ? "[%s]:%u" : "%s:%u", a,
		 p->ep_port);
}

void tg_wg_member_text(const struct tg_sub *s,
		       const struct tg_wg_peer_state *p, __s64 now, char *buf,
		       size_t len)
{
	char ep[TG_WG_EP_STRLEN], hs[48];
	__s64 age;

	if (!p) {
		snprintf(buf, len, "down, not a peer of " TG_WG_IFNAME_FMT
			 " (%s)", tg_sub_wg_port(s),
			 s->enabled ? "not synced yet" : "disabled");
		return;
	}
	age = tg_wg_handshake_age(p->handshake, now);
	if (age < 0)
		snprintf(hs, sizeof(hs), "no handshake yet");
	else
		snprintf(hs, sizeof(hs), "handshake %lld s ago", (long long)age);
	tg_wg_peer_endpoint_format(p, ep, sizeof(ep));
	snprintf(buf, len, "%s, %s, endpoint %s, rx %llu B, tx %llu B",
		 tg_wg_peer_up(p->handshake, now) ? "up" : "down", hs,
		 *ep ? ep : "none", (unsigned long long)p->rx_bytes,
		 (unsigned long long)p->tx_bytes);
}

void tg_wg_member_json(struct json_writer *w, const struct tg_sub *s,
		       const struct tg_wg_peer_state *p, __s64 now)
{
	char ep[TG_WG_EP_STRLEN], ifname[IF_NAMESIZE];

	snprintf(ifname, sizeof(ifname), TG_WG_IFNAME_FMT, tg_sub_wg_port(s));
	jsonw_string_field(w, "interface", ifname);
	jsonw_bool_field(w, "peer", p);
	jsonw_string_field(w, "state", p && tg_wg_peer_up(p->handshake, now) ?
			   "up" : "down");
	if (p && p->handshake) {
		jsonw_int_field(w, "last_handshake", p->handshake);
		jsonw_int_field(w, "handshake_age_seconds",
				tg_wg_handshake_age(p->handshake, now));
	} else {
		jsonw_null_field(w, "last_handshake");
		jsonw_null_field(w, "handshake_age_seconds");
	}
	if (p)
		tg_wg_peer_endpoint_format(p, ep, sizeof(ep));
	if (p && *ep)
		jsonw_string_field(w, "endpoint", ep);
	else
		jsonw_null_field(w, "endpoint");
	jsonw_uint_field(w, "rx_bytes", p ? p->rx_bytes : 0);
	jsonw_uint_field(w, "tx_bytes", p ? p->tx_bytes : 0);
}

int tg_wg_members_load(sqlite3 *db, const char *only, struct tg_wg_members *m,
		       char *err, size_t errlen)
{
	size_t i, n = 0;
	int ret;

	memset(m, 0, sizeof(*m));
	ret = tg_db_sub_list_type(db, TG_TUN_WIREGUARD, &m->subs, &m->n);
	if (ret) {
		snprintf(err, errlen, "cannot read the wireguard members: %s",
			 sqlite3_errmsg(db));
		return ret;
	}
	for (i = 0; i < m->n; i++) {
		if (only && strcmp(m->subs[i].name, only)) {
			tg_sub_free(&m->subs[i]);
			continue;
		}
		m->subs[n++] = m->subs[i];
	}
	m->n = n;
	ret = n ? tg_wg_peers_read(&m->peers, err, errlen) : 0;
	if (ret)
		tg_wg_members_free(m);
	return ret;
}

void tg_wg_members_free(struct tg_wg_members *m)
{
	tg_sub_list_free(m->subs, m->n);
	tg_wg_peers_free(&m->peers);
	memset(m, 0, sizeof(*m));
}
