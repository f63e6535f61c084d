// SPDX-License-Identifier: GPL-2.0-only
/*
 * Subscriber routes to the egress device, from the data plane maps, over
 * rtnetlink: the routes of tungate's protocol in the main table listed,
 * a replace for each wanted prefix that has none or another one, then a
 * delete for every other route of ours, so there is no moment without a
 * route and a sync that changed a few subscribers changes a few routes. Every request is acknowledged on its own; a
 * refused one is reported by prefix and the others still go in.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <bpf/bpf.h>

#include "util/cli.h"
#include "dataplane/dataplane.h"
#include "util/log.h"
#include "routing/routes.h"
#include "routing/rtnl.h"
#include "tungate.h"

struct rt_key {
	__u8 family;
	__u8 plen;
	__u8 addr[16];		/* network byte order, bits past plen clear */
};

/* A route to change: its prefix, and what a delete must match. */
struct rt {
	struct rt_key k;
	__u32 mtu;
	__u32 oif;
	__u32 prio;
	bool has_prio;
};

struct rt_set {
	struct rt *v;
	int n, cap;
};

struct rt_sync {
	struct tg_rtnl nl;
	const char *dev;
	__u32 ifindex;
	int proto;		/* of the routes it owns */
	bool dev_only;		/* owns only the routes through dev */
	struct rt_set want;
	struct rt_set have;	/* ours, as the kernel listed them */
	struct rt_set stale;
	bool deleting;
	int refused;
};

static int rt_push(struct rt_set *s, const struct rt *r)
{
	void *v;

	if (s->n == s->cap) {
		v = realloc(s->v, (s->cap ? 2 * s->cap : 64) * sizeof(*s->v));
		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = s->cap ? 2 * s->cap : 64;
	}
	s->v[s->n++] = *r;
	return 0;
}

static int rt_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct rt_key));
}

static void rt_sort(struct rt_set *s)
{
	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), rt_cmp);
}

/* s must be sorted (rt_sort). */
static const struct rt *rt_find(const struct rt_set *s, const struct rt_key *k)
{
	struct rt key = { .k = *k };

	return s->n ? bsearch(&key, s->v, s->n, sizeof(*s->v), rt_cmp) : NULL;
}

static const char *rt_str(const struct rt_key *k, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN];

	inet_ntop(k->family, k->addr, addr, sizeof(addr));
	snprintf(buf, len, "%s/%u", addr, k->plen);
	return buf;
}

/* Clear the bits of addr (len bytes) after the first plen. */
static void rt_mask(__u8 *addr, unsigned int len, unsigned int plen)
{
	unsigned int i;

	for (i = 0; i < len; i++) {
		if (plen >= 8 * (i + 1))
			continue;
		addr[i] &= plen > 8 * i ? (__u8)(0xff << (8 - (plen - 8 * i))) : 0;
	}
}

/*
 * The tunnel MTU of the subscriber a prefix's claims name, in the slot of
 * the claim that holds: 0 when none holds or that slot has no
 * encapsulation, or is a WireGuard member's (routed to its interface).
 */
static __u32 rt_mtu(const struct tg_maps *m, const struct tg_owners *o)
{
	__u32 claim = tg_owner_now(m, o), id = TG_CLAIM_ID_OF(claim);
	struct tg_encap e;

	if (!claim ||
	    bpf_map_lookup_elem(tg_encap_fd(m, TG_CLAIM_SLOT_OF(claim)), &id,
				&e) ||
	    e.type == TG_TUN_NONE || e.type == TG_TUN_WIREGUARD)
		return 0;
	return e.mtu;
}


/* Wanted routes of one family, from its prefix map. */
static int rt_collect(const struct tg_maps *m, int v6, struct rt_set *want)
{
	struct tg_lpm6_key k6, *p6 = NULL;
	struct tg_lpm4_key k4, *p4 = NULL;
	int lpm_fd = v6 ? m->prefix6 : m->prefix4;
	struct tg_owners o;
	struct rt r;
	int err;

	for (;;) {
		memset(&r, 0, sizeof(r));
		if (v6) {
			if (bpf_map_get_next_key(lpm_fd, p6, &k6))
				break;
			p6 = &k6;
			/* Masked copies: the key itself walks on. */
			r.k.family = AF_INET6;
			r.k.plen = k6.prefixlen;
			memcpy(r.k.addr, k6.addr, 16);
			rt_mask(r.k.addr, 16, k6.prefixlen);
			err = bpf_map_lookup_elem(lpm_fd, &k6, &o);
		} else {
			if (bpf_map_get_next_key(lpm_fd, p4, &k4))
				break;
			p4 = &k4;
			r.k.family = AF_INET;
			r.k.plen = k4.prefixlen;
			memcpy(r.k.addr, &k4.addr, 4);
			rt_mask(r.k.addr, 4, k4.prefixlen);
			err = bpf_map_lookup_elem(lpm_fd, &k4, &o);
		}
		if (err)
			continue;
		r.mtu = rt_mtu(m, &o);
		/* IPv6 routes take no MTU below the IPv6 minimum. */
		if (!r.mtu || (v6 && r.mtu < 1280))
			continue;
		err = rt_push(want, &r);
		if (err)
			return err;
	}
	if (errno != ENOENT) {
		err = -errno;
		tg_err("routes: couldn't walk the prefix map: %s", strerror(-err));
		return err;
	}
	return 0;
}

/* The kernel refused a request: name its route and the kernel's reason. */
static void rt_refused(void *data, long tag, int err, const char *msg)
{
	struct rt_sync *s = data;
	const struct rt *r = s->deleting ? &s->stale.v[tag] : &s->want.v[tag];
	char p[INET6_ADDRSTRLEN + 8];

	/* Gone already: what a delete wanted. */
	if (s->deleting && err == -ESRCH)
		return;
	s->refused++;
	if (s->deleting)
		tg_err("routes: couldn't delete route %s (proto %d): %s (%d)%s%s",
		       rt_str(&r->k, p, sizeof(p)), s->proto, strerror(-err),
		       err, *msg ? ": " : "", msg);
	else
		tg_err("routes: couldn't replace route %s dev %s mtu %u: %s (%d)%s%s",
		       rt_str(&r->k, p, sizeof(p)), s->dev, r->mtu,
		       strerror(-err), err, *msg ? ": " : "", msg);
}

static struct nlmsghdr *rt_msg(struct rt_sync *s, unsigned short type,
			       unsigned short flags, long tag, const struct rt *r)
{
	struct nlmsghdr *nlh = tg_rtnl_put(&s->nl, type, flags, tag);
	struct rtmsg *rtm;

	if (!nlh)
		return NULL;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = r->k.family;
	rtm->rtm_dst_len = r->k.plen;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = s->proto;
	mnl_attr_put(nlh, RTA_DST, r->k.family == AF_INET ? 4 : 16, r->k.addr);
	return nlh;
}

/*
 * As `ip route replace PREFIX dev DEV mtu MTU proto 240 table main`: link
 * scope for IPv4, universe for IPv6; the kernel's default metric.
 */
static int rt_replace(struct rt_sync *s, long tag)
{
	const struct rt *r = &s->want.v[tag];
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	struct nlattr *mx;

	nlh = rt_msg(s, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, tag, r);
	if (!nlh)
		return -EIO;
	rtm = mnl_nlmsg_get_payload(nlh);
	rtm->rtm_type = RTN_UNICAST;
	rtm->rtm_scope = r->k.family == AF_INET ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
	mnl_attr_put_u32(nlh, RTA_OIF, s->ifindex);
	if (!r->mtu)
		return 0;
	mx = mnl_attr_nest_start(nlh, RTA_METRICS);
	mnl_attr_put_u32(nlh, RTAX_MTU, r->mtu);
	mnl_attr_nest_end(nlh, mx);
	return 0;
}

/* Deletes exactly the route the dump showed. */
static int rt_delete(struct rt_sync *s, long tag)
{
	const struct rt *r = &s->stale.v[tag];
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;

	nlh = rt_msg(s, RTM_DELROUTE, 0, tag, r);
	if (!nlh)
		return -EIO;
	rtm = mnl_nlmsg_get_payload(nlh);
	rtm->rtm_scope = RT_SCOPE_NOWHERE;
	if (r->oif)
		mnl_attr_put_u32(nlh, RTA_OIF, r->oif);
	if (r->has_prio)
		mnl_attr_put_u32(nlh, RTA_PRIORITY, r->prio);
	return 0;
}

static int rt_attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	unsigned int type = mnl_attr_get_type(a);

	if (type <= RTA_MAX)
		tb[type] = a;
	return MNL_CB_OK;
}

static int rt_metric_cb(const struct nlattr *a, void *data)
{
	__u32 *mtu = data;

	if (mnl_attr_get_type(a) == RTAX_MTU &&
	    !mnl_attr_validate(a, MNL_TYPE_U32))
		*mtu = mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

/* A route of the dump: remembered when ours. */
static int rt_dumped(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[RTA_MAX + 1] = { 0 };
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct rt_sync *s = data;
	unsigned int alen;
	struct rt r = { 0 };
	__u32 table;

	if (nlh->nlmsg_type != RTM_NEWROUTE ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm))
		return 0;
	if (mnl_attr_parse(nlh, sizeof(*rtm), rt_attr_cb, tb) < 0)
		return 0;
	/* Kernels without strict dump checking send every route. */
	table = tb[RTA_TABLE] && !mnl_attr_validate(tb[RTA_TABLE], MNL_TYPE_U32) ?
			mnl_attr_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	alen = rtm->rtm_family == AF_INET ? 4 : 16;
	if (rtm->rtm_protocol != s->proto || table != RT_TABLE_MAIN ||
	    (rtm->rtm_flags & RTM_F_CLONED) ||
	    (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6) ||
	    rtm->rtm_dst_len > alen * 8)
		return 0;
	r.k.family = rtm->rtm_family;
	r.k.plen = rtm->rtm_dst_len;
	if (tb[RTA_DST]) {
		if (mnl_attr_get_payload_len(tb[RTA_DST]) != alen)
			return 0;
		memcpy(r.k.addr, mnl_attr_get_payload(tb[RTA_DST]), alen);
	}
	if (tb[RTA_OIF] && !mnl_attr_validate(tb[RTA_OIF], MNL_TYPE_U32))
		r.oif = mnl_attr_get_u32(tb[RTA_OIF]);
	if (tb[RTA_PRIORITY] && !mnl_attr_validate(tb[RTA_PRIORITY], MNL_TYPE_U32)) {
		r.prio = mnl_attr_get_u32(tb[RTA_PRIORITY]);
		r.has_prio = true;
	}
	if (tb[RTA_METRICS])
		mnl_attr_parse_nested(tb[RTA_METRICS], rt_metric_cb, &r.mtu);
	if (s->dev_only && r.oif != s->ifindex)
		return 0;
	return rt_push(&s->have, &r);
}

static int rt_list(struct rt_sync *s, int family)
{
	struct rtmsg rtm = {
		.rtm_family = family,
		.rtm_table = RT_TABLE_MAIN,
		.rtm_protocol = s->proto,
	};
	int err;

	err = tg_rtnl_dump(&s->nl, RTM_GETROUTE, &rtm, sizeof(rtm), rt_dumped, s);
	if (err) {
		tg_err("routes: couldn't list the routes of proto %d: %s",
		       s->proto, strerror(-err));
		return err;
	}
	return 0;
}

/* The routes of s->proto made exactly s->want (unsorted yet). */
static int rt_apply(struct rt_sync *s)
{
	int i, err;

	rt_sort(&s->want);
	err = rt_list(s, AF_INET);
	if (!err)
		err = rt_list(s, AF_INET6);
	if (err)
		return err;
	rt_sort(&s->have);
	for (i = 0; i < s->want.n && !err; i++) {
		const struct rt *h = rt_find(&s->have, &s->want.v[i].k);

		if (!h || h->mtu != s->want.v[i].mtu || h->oif != s->ifindex)
			err = rt_replace(s, i);
	}
	if (!err)
		err = tg_rtnl_flush(&s->nl);
	/* A route refused stays wanted: its old route, if any, is kept. */
	for (i = 0; i < s->have.n && !err; i++)
		if (!rt_find(&s->want, &s->have.v[i].k))
			err = rt_push(&s->stale, &s->have.v[i]);
	s->deleting = true;
	for (i = 0; i < s->stale.n && !err; i++)
		err = rt_delete(s, i);
	if (!err)
		err = tg_rtnl_flush(&s->nl);
	if (!err && s->refused) {
		tg_err("routes: %d of %d route changes for dev '%s' refused, the others made",
		       s->refused, s->want.n + s->stale.n, s->dev);
		err = s->nl.err;
	}
	if (!err)
		err = s->want.n - s->refused;
	return err;
}

/* A new reconciliation for dev: NULL with err set. */
static struct rt_sync *rt_sync_new(const char *dev, int proto, bool dev_only,
				   int *err)
{
	__u32 ifindex = if_nametoindex(dev);
	struct rt_sync *s;

	if (!ifindex) {
		*err = -errno;
		tg_err("routes: no device '%s': %s", dev, strerror(-*err));
		return NULL;
	}
	/* Heap: its socket buffers are too big for a thread's stack. */
	s = calloc(1, sizeof(*s));
	if (!s) {
		*err = -ENOMEM;
		return NULL;
	}
	s->dev = dev;
	s->ifindex = ifindex;
	s->proto = proto;
	s->dev_only = dev_only;
	*err = tg_rtnl_open(&s->nl, rt_refused, s);
	if (*err) {
		free(s);
		return NULL;
	}
	return s;
}

static void rt_sync_free(struct rt_sync *s)
{
	tg_rtnl_close(&s->nl);
	free(s->want.v);
	free(s->have.v);
	free(s->stale.v);
	free(s);
}

int tg_routes_sync(const struct tg_maps *m, const char *dev)
{
	struct rt_sync *s;
	int err;

	s = rt_sync_new(dev, TG_RT_PROTO, false, &err);
	if (!s)
		return err;
	err = rt_collect(m, 0, &s->want);
	if (!err)
		err = rt_collect(m, 1, &s->want);
	if (!err)
		err = rt_apply(s);
	rt_sync_free(s);
	return err;
}

int tg_routes_sync_dev(const char *dev, int proto, const struct tg_prefix *v,
		       size_t n)
{
	struct rt_sync *s;
	struct rt r;
	size_t i;
	int err = 0;

	s = rt_sync_new(dev, proto, true, &err);
	if (!s)
		return err;
	for (i = 0; i < n && !err; i++) {
		memset(&r, 0, sizeof(r));
		r.k.family = v[i].family;
		r.k.plen = v[i].len;
		memcpy(r.k.addr, v[i].addr, v[i].family == AF_INET ? 4 : 16);
		err = rt_push(&s->want, &r);
	}
	if (!err)
		err = rt_apply(s);
	rt_sync_free(s);
	return err;
}

static int link_attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	unsigned int type = mnl_attr_get_type(a);

	if (type <= IFLA_MAX)
		tb[type] = a;
	return MNL_CB_OK;
}

static int link_alias(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	bool *ours = data;

	if (nlh->nlmsg_type != RTM_NEWLINK ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifi) ||
	    mnl_attr_parse(nlh, sizeof(*ifi), link_attr_cb, tb) < 0)
		return 0;
	if (tb[IFLA_IFNAME] && tb[IFLA_IFALIAS] &&
	    !mnl_attr_validate(tb[IFLA_IFNAME], MNL_TYPE_NUL_STRING) &&
	    !mnl_attr_validate(tb[IFLA_IFALIAS], MNL_TYPE_NUL_STRING) &&
	    !strcmp(mnl_attr_get_str(tb[IFLA_IFNAME]), TG_EGRESS_DEV) &&
	    !strcmp(mnl_attr_get_str(tb[IFLA_IFALIAS]), TG_EGRESS_ALIAS))
		*ours = true;
	return 0;
}

bool tg_egress_dev_ours(void)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct tg_rtnl *nl;
	bool ours = false;

	if (!if_nametoindex(TG_EGRESS_DEV))
		return false;
	nl = malloc(sizeof(*nl));
	if (!nl)
		return false;
	/* Every link, matched by name: a concentrator has few. */
	if (!tg_rtnl_open(nl, NULL, NULL)) {
		tg_rtnl_dump(nl, RTM_GETLINK, &ifi, sizeof(ifi), link_alias, &ours);
		tg_rtnl_close(nl);
	}
	free(nl);
	return ours;
}
