// SPDX-License-Identifier: GPL-2.0-only
/* Database -> the kernel's WireGuard interfaces (see wg_sync.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/sub.h"
#include "dataplane/dataplane.h"
#include "routing/routes.h"
#include "wg/privkey.h"
#include "wg/wg_attach.h"
#include "wg/wg_diff.h"
#include "wg/wg_link.h"
#include "wg/wg_nl.h"
#include "wg/wg_sync.h"

struct wg_ctx {
	struct tg_wg_nl nl;
	__u8 priv[TG_WG_KEY_LEN];
	struct tg_sub *subs;
	size_t nsubs;
	struct tg_wg_sync_stats *st;
};

static int port_cmp(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

static bool port_in(const unsigned int *v, size_t n, unsigned int port)
{
	return n && bsearch(&port, v, n, sizeof(*v), port_cmp);
}

/* The peers and routes of the interface of port. */
static int wg_sync_dev(struct wg_ctx *c, unsigned int port)
{
	struct tg_wg_dev_stats *d = &c->st->dev[c->st->ndev++];
	struct tg_wg_dev dev = { .ifname = d->ifname,
				 .private_key = c->priv, .port = port };
	struct tg_wg_peer *want = NULL, *peers = NULL;
	struct tg_prefix *routes = NULL;
	struct tg_wg_state have = {};
	struct tg_wg_diff diff;
	size_t nw = 0, nr = 0, i, cap;
	char why[200];
	ssize_t n;
	int ret;

	snprintf(d->ifname, sizeof(d->ifname), TG_WG_IFNAME_FMT, port);
	d->port = port;
	ret = tg_wg_link_up(d->ifname, why, sizeof(why));
	if (ret) {
		snprintf(c->st->failed, sizeof(c->st->failed),
			 "cannot make interface %s: %s", d->ifname, why);
		return ret;
	}
	/* Policed and counted from its first packet on, once up ran. */
	ret = tg_wg_attach(tg_pin_root(), d->ifname, &d->policed, why,
			   sizeof(why));
	if (ret) {
		snprintf(c->st->failed, sizeof(c->st->failed), "%s", why);
		return ret;
	}
	ret = tg_wg_nl_get(&c->nl, d->ifname, &have, why, sizeof(why));
	if (ret) {
		snprintf(c->st->failed, sizeof(c->st->failed),
			 "cannot read interface %s: %s", d->ifname, why);
		return ret;
	}
	for (i = 0, cap = 0; i < c->nsubs; i++)
		cap += c->subs[i].nprefix;
	want = calloc(c->nsubs ? c->nsubs : 1, sizeof(*want));
	peers = calloc(have.npeers + c->nsubs + 1, sizeof(*peers));
	routes = calloc(cap ? cap : 1, sizeof(*routes));
	if (!want || !peers || !routes) {
		ret = -ENOMEM;
		snprintf(c->st->failed, sizeof(c->st->failed), "out of memory");
		goto out;
	}
	for (i = 0; i < c->nsubs; i++) {
		const struct tg_sub *s = &c->subs[i];
		struct tg_wg_peer *p = &want[nw];

		if (tg_sub_wg_port(s) != port)
			continue;
		tg_wg_key_parse(s->wg_key, p->key);
		p->ep_addr = s->remote;
		p->ep_addr6 = s->has_remote6 ? s->remote6 : NULL;
		p->ep_port = s->peer_port;
		/* A learnt endpoint: the member's router keeps the path open. */
		p->keepalive = p->ep_addr || p->ep_addr6 ? TG_WG_KEEPALIVE_S : 0;
		p->allowed = s->prefix;
		p->nallowed = s->nprefix;
		memcpy(routes + nr, s->prefix, s->nprefix * sizeof(*routes));
		nr += s->nprefix;
		nw++;
	}
	d->peers = nw;
	n = tg_wg_diff(want, nw, &have, peers, &diff);
	if (n < 0) {
		ret = n;
		snprintf(c->st->failed, sizeof(c->st->failed), "out of memory");
		goto out;
	}
	d->added = diff.added;
	d->changed = diff.changed;
	d->removed = diff.removed;
	ret = tg_wg_nl_set(&c->nl, &dev, peers, n, why, sizeof(why));
	if (ret) {
		snprintf(c->st->failed, sizeof(c->st->failed),
			 "cannot set the peers of %s: %s", d->ifname, why);
		goto out;
	}
	d->routes = tg_routes_sync_dev(d->ifname, TG_WG_RT_PROTO, routes, nr);
	if (d->routes < 0) {
		ret = d->routes;
		snprintf(c->st->failed, sizeof(c->st->failed),
			 "the routes to %s are not all in place: %s", d->ifname,
			 strerror(-ret));
	}
out:
	tg_wg_state_free(&have);
	free(want);
	free(peers);
	free(routes);
	return ret;
}

int tg_wg_sync(sqlite3 *db, const char *key_path, struct tg_wg_sync_stats *st)
{
	unsigned int want[TG_WG_PORTS_MAX], have[64];
	struct wg_ctx c = { .st = st };
	__u8 pub[TG_WG_KEY_LEN];
	size_t nwant = 0, i;
	char why[256];
	int nhave, ret;

	memset(st, 0, sizeof(*st));
	ret = tg_db_sub_list_type(db, TG_TUN_WIREGUARD, &c.subs, &c.nsubs);
	if (ret) {
		snprintf(st->failed, sizeof(st->failed),
			 "cannot read the wireguard members: %s",
			 sqlite3_errmsg(db));
		return ret;
	}
	for (i = 0; i < c.nsubs; i++) {
		const struct tg_sub *s = &c.subs[i];

		ret = tg_sub_validate(s, why, sizeof(why));
		if (ret) {
			snprintf(st->failed, sizeof(st->failed),
				 "subscriber '%.63s': %.160s", s->name, why);
			goto out;
		}
		if (port_in(want, nwant, tg_sub_wg_port(s)))
			continue;
		if (nwant == TG_WG_PORTS_MAX) {
			snprintf(st->failed, sizeof(st->failed),
				 "subscriber '%s': more than %d listen ports",
				 s->name, TG_WG_PORTS_MAX);
			ret = -E2BIG;
			goto out;
		}
		want[nwant++] = tg_sub_wg_port(s);
		qsort(want, nwant, sizeof(*want), port_cmp);
	}
	nhave = tg_wg_link_ports(have, sizeof(have) / sizeof(have[0]));
	if (nhave < 0) {
		ret = nhave;
		snprintf(st->failed, sizeof(st->failed),
			 "cannot list the interfaces: %s", strerror(-ret));
		goto out;
	}
	st->any = nwant || nhave;
	if (!st->any)
		goto out;
	/* Interfaces no member uses: gone with their peers and routes. */
	for (i = 0; i < (size_t)nhave; i++) {
		char ifname[IF_NAMESIZE];

		if (port_in(want, nwant, have[i]))
			continue;
		snprintf(ifname, sizeof(ifname), TG_WG_IFNAME_FMT, have[i]);
		ret = tg_wg_link_del(ifname, why, sizeof(why));
		if (ret) {
			snprintf(st->failed, sizeof(st->failed),
				 "cannot delete interface %s: %.200s", ifname, why);
			goto out;
		}
		st->deleted++;
	}
	if (!nwant)
		goto out;
	ret = tg_wg_privkey_load(key_path, true, c.priv, pub, why, sizeof(why));
	if (ret) {
		snprintf(st->failed, sizeof(st->failed), "private key: %.200s", why);
		goto out;
	}
	tg_wg_key_format(pub, st->public_key);
	ret = tg_wg_nl_open(&c.nl, why, sizeof(why));
	if (ret) {
		snprintf(st->failed, sizeof(st->failed), "%s", why);
		goto out;
	}
	for (i = 0; i < nwant && !ret; i++)
		ret = wg_sync_dev(&c, want[i]);
	tg_wg_nl_close(&c.nl);
out:
	memset(c.priv, 0, sizeof(c.priv));
	tg_sub_list_free(c.subs, c.nsubs);
	return ret;
}
