// SPDX-License-Identifier: GPL-2.0-only
/* A device's peers against the wanted ones (see wg_diff.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "wg/wg_diff.h"

static int key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, TG_WG_KEY_LEN);
}

static bool has_prefix(const struct tg_prefix *v, size_t n,
		       const struct tg_prefix *p)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (tg_prefix_equal(&v[i], p))
			return true;
	return false;
}

/* The same set of allowed IPs, in whatever order. */
static bool same_allowed(const struct tg_wg_peer *w,
			 const struct tg_wg_state *have,
			 const struct tg_wg_peer_state *h)
{
	const struct tg_prefix *hv = have->allowed + h->allowed_at;
	size_t i;

	for (i = 0; i < w->nallowed; i++)
		if (!has_prefix(hv, h->nallowed, &w->allowed[i]))
			return false;
	for (i = 0; i < h->nallowed; i++)
		if (!has_prefix(w->allowed, w->nallowed, &hv[i]))
			return false;
	return true;
}

/* The pinned endpoint of w is the one the kernel has. */
static bool same_endpoint(const struct tg_wg_peer *w,
			  const struct tg_wg_peer_state *h)
{
	if (w->ep_addr6)
		return h->ep_family == AF_INET6 && h->ep_port == w->ep_port &&
		       !memcmp(h->ep_addr, w->ep_addr6, 16);
	return h->ep_family == AF_INET && h->ep_port == w->ep_port &&
	       !memcmp(h->ep_addr, &w->ep_addr, 4);
}

ssize_t tg_wg_diff(const struct tg_wg_peer *want, size_t nwant,
		   struct tg_wg_state *have, struct tg_wg_peer *out,
		   struct tg_wg_diff *d)
{
	const struct tg_wg_peer_state *h;
	struct tg_wg_peer *o;
	bool *wanted;
	size_t i, n = 0;

	memset(d, 0, sizeof(*d));
	wanted = calloc(have->npeers ? have->npeers : 1, sizeof(*wanted));
	if (!wanted)
		return -ENOMEM;
	/* The key first in tg_wg_peer_state: sorted and searched by it. */
	qsort(have->peers, have->npeers, sizeof(*have->peers), key_cmp);
	for (i = 0; i < nwant; i++) {
		h = have->npeers ? bsearch(want[i].key, have->peers,
					   have->npeers, sizeof(*have->peers),
					   key_cmp) : NULL;
		o = &out[n];
		*o = want[i];
		if (!h) {
			/* A new peer's keepalive is 0 until set. */
			o->same_keepalive = !o->keepalive;
			d->added++;
			n++;
			continue;
		}
		wanted[h - have->peers] = true;
		o->same_allowed = same_allowed(&want[i], have, h);
		o->same_keepalive = h->keepalive == want[i].keepalive;
		if ((o->ep_addr || o->ep_addr6) && same_endpoint(&want[i], h)) {
			o->ep_addr = 0;
			o->ep_addr6 = NULL;
		}
		if (o->same_allowed && o->same_keepalive && !o->ep_addr &&
		    !o->ep_addr6)
			continue;
		d->changed++;
		n++;
	}
	for (i = 0; i < have->npeers; i++) {
		if (wanted[i])
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		memcpy(out[n].key, have->peers[i].key, TG_WG_KEY_LEN);
		out[n++].remove = true;
		d->removed++;
	}
	free(wanted);
	return n;
}
