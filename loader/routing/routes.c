// SPDX-License-Identifier: GPL-2.0-only
/*
 * Subscriber routes to the egress device, from the data plane maps. The
 * routes are installed by one ip(8) child process in batch mode: `route
 * replace` for each wanted prefix, then `route del` for every other route
 * of tungate's protocol, so there is no moment without a route.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "util/cli.h"
#include "dataplane/dataplane.h"
#include "util/log.h"
#include "routing/routes.h"
#include "tungate.h"

#define RT_LINE 256

struct rt_set {
	char (*v)[INET6_ADDRSTRLEN + 8];
	int n;
};

static int rt_add(struct rt_set *s, const char *p)
{
	void *v = realloc(s->v, (s->n + 1) * sizeof(*s->v));

	if (!v)
		return -ENOMEM;
	s->v = v;
	snprintf(s->v[s->n++], sizeof(*s->v), "%s", p);
	return 0;
}

static int rt_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* s must be sorted (rt_sort). */
static int rt_has(const struct rt_set *s, const char *p)
{
	char key[sizeof(*s->v)];

	snprintf(key, sizeof(key), "%s", p);
	return s->n && bsearch(key, s->v, s->n, sizeof(*s->v), rt_cmp);
}

static void rt_sort(struct rt_set *s)
{
	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), rt_cmp);
}

/* One `ip -batch -` for all changes: a route per line, family from it. */
static FILE *rt_batch_open(void)
{
	FILE *f = popen("ip -batch -", "w");

	if (!f)
		tg_err("routes: couldn't run ip: %s", strerror(errno));
	return f;
}

/* 0, or -EIO when ip refused a line (its message is on stderr). */
static int rt_batch_close(FILE *f)
{
	int status = pclose(f);

	return status != -1 && WIFEXITED(status) && !WEXITSTATUS(status) ?
		       0 : -EIO;
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
 * encapsulation.
 */
static __u32 rt_mtu(const struct tg_maps *m, const struct tg_owners *o)
{
	__u32 claim = tg_owner_now(m, o), id = TG_CLAIM_ID_OF(claim);
	struct tg_encap e;

	if (!claim ||
	    bpf_map_lookup_elem(tg_encap_fd(m, TG_CLAIM_SLOT_OF(claim)), &id,
				&e) ||
	    e.type == TG_TUN_NONE)
		return 0;
	return e.mtu;
}

/* Wanted routes of one family: replace each, remember its prefix. */
static int rt_install(FILE *ip, const struct tg_maps *m, int v6,
		      const char *dev, struct rt_set *want)
{
	struct tg_lpm6_key k6, *p6 = NULL;
	struct tg_lpm4_key k4, *p4 = NULL;
	char addr[INET6_ADDRSTRLEN], prefix[INET6_ADDRSTRLEN + 8];
	int lpm_fd = v6 ? m->prefix6 : m->prefix4;
	struct tg_owners o;
	__u8 a4[4], a6[16];
	int err, n = 0;
	__u32 mtu;

	for (;;) {
		if (v6) {
			if (bpf_map_get_next_key(lpm_fd, p6, &k6))
				break;
			p6 = &k6;
			/* Masked copies: the key itself walks on. */
			memcpy(a6, k6.addr, 16);
			rt_mask(a6, 16, k6.prefixlen);
			inet_ntop(AF_INET6, a6, addr, sizeof(addr));
			snprintf(prefix, sizeof(prefix), "%s/%u", addr,
				 k6.prefixlen);
			err = bpf_map_lookup_elem(lpm_fd, &k6, &o);
		} else {
			if (bpf_map_get_next_key(lpm_fd, p4, &k4))
				break;
			p4 = &k4;
			memcpy(a4, &k4.addr, 4);
			rt_mask(a4, 4, k4.prefixlen);
			inet_ntop(AF_INET, a4, addr, sizeof(addr));
			snprintf(prefix, sizeof(prefix), "%s/%u", addr,
				 k4.prefixlen);
			err = bpf_map_lookup_elem(lpm_fd, &k4, &o);
		}
		if (err)
			continue;
		mtu = rt_mtu(m, &o);
		/* IPv6 routes take no MTU below the IPv6 minimum. */
		if (!mtu || (v6 && mtu < 1280))
			continue;
		fprintf(ip, "route replace %s dev %s mtu %u proto %d table main\n",
			prefix, dev, mtu, TG_RT_PROTO);
		err = rt_add(want, prefix);
		if (err)
			return err;
		n++;
	}
	if (errno != ENOENT) {
		err = -errno;
		tg_err("routes: couldn't walk the prefix map: %s", strerror(-err));
		return err;
	}
	return n;
}

/* Delete the routes of our protocol that are not in want (sorted). */
static int rt_prune(FILE *ip, int v6, const struct rt_set *want)
{
	char line[RT_LINE], prefix[RT_LINE], cmd[96];
	int err = 0;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "ip %s route show table main proto %d",
		 v6 ? "-6" : "-4", TG_RT_PROTO);
	f = popen(cmd, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%255s", prefix) != 1)
			continue;
		/* ip prints host routes without their length. */
		if (!strchr(prefix, '/'))
			strcat(prefix, v6 ? "/128" : "/32");
		if (!rt_has(want, prefix))
			fprintf(ip, "route del %s proto %d table main\n", prefix,
				TG_RT_PROTO);
	}
	if (pclose(f))
		err = -EIO;
	return err;
}

int tg_routes_sync(const struct tg_maps *m, const char *dev)
{
	struct rt_set want = { 0 };
	int n4, n6, err, cerr;
	FILE *ip;

	ip = rt_batch_open();
	if (!ip)
		return -EIO;
	n4 = rt_install(ip, m, 0, dev, &want);
	if (n4 < 0) {
		err = n4;
		goto out;
	}
	n6 = rt_install(ip, m, 1, dev, &want);
	if (n6 < 0) {
		err = n6;
		goto out;
	}
	rt_sort(&want);
	err = rt_prune(ip, 0, &want);
	if (!err)
		err = rt_prune(ip, 1, &want);
	if (!err)
		err = n4 + n6;
out:
	cerr = rt_batch_close(ip);
	if (cerr && err >= 0) {
		tg_err("routes: ip refused a route change for dev '%s'", dev);
		err = cerr;
	}
	free(want.v);
	return err;
}

bool tg_egress_dev_ours(void)
{
	char line[1024];
	bool ours = false;
	FILE *f;

	if (!if_nametoindex(TG_EGRESS_DEV))
		return false;
	f = popen("ip -o link show dev " TG_EGRESS_DEV " 2>/dev/null", "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, " alias " TG_EGRESS_ALIAS))
			ours = true;
	pclose(f);
	return ours;
}
