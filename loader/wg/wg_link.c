// SPDX-License-Identifier: GPL-2.0-only
/* tungate's WireGuard links over rtnetlink (see wg_link.h). */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "db/sub.h"
#include "routing/rtnl.h"
#include "wg/wg_link.h"
#include "wg/wg_nl.h"

struct link_req {
	char *err;
	size_t errlen;
};

static void link_refused(void *data, long tag, int e, const char *msg)
{
	struct link_req *r = data;

	snprintf(r->err, r->errlen, "%s%s%s", strerror(-e), *msg ? ": " : "",
		 msg);
}

/* One RTM_NEWLINK or RTM_DELLINK of ifname; kind: a new link's. */
static int link_msg(const char *ifname, unsigned short type,
		    unsigned short flags, const char *kind, char *err,
		    size_t errlen)
{
	struct link_req req = { err, errlen };
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	struct nlattr *info;
	struct tg_rtnl *nl;
	int ret;

	/* Heap: its buffers are too big for a thread's stack. */
	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return -ENOMEM;
	ret = tg_rtnl_open(nl, link_refused, &req);
	if (ret) {
		free(nl);
		snprintf(err, errlen, "no rtnetlink socket: %s", strerror(-ret));
		return ret;
	}
	nlh = tg_rtnl_put(nl, type, flags, 0);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	if (type == RTM_NEWLINK) {
		ifi->ifi_flags = IFF_UP;
		ifi->ifi_change = IFF_UP;
	}
	mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
	if (kind) {
		info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
		mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
		mnl_attr_nest_end(nlh, info);
	}
	ret = tg_rtnl_flush(nl);
	if (!ret && nl->failed)
		ret = nl->err;
	tg_rtnl_close(nl);
	free(nl);
	return ret;
}

int tg_wg_link_up(const char *ifname, char *err, size_t errlen)
{
	int ret;

	if (!if_nametoindex(ifname)) {
		ret = link_msg(ifname, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL,
			       "wireguard", err, errlen);
		/* No such kind: the kernel has no WireGuard. */
		if (ret == -EOPNOTSUPP)
			snprintf(err, errlen, "%s", TG_WG_NO_MODULE);
		if (ret != -EEXIST)
			return ret;
	}
	return link_msg(ifname, RTM_NEWLINK, 0, NULL, err, errlen);
}

int tg_wg_link_del(const char *ifname, char *err, size_t errlen)
{
	int ret = link_msg(ifname, RTM_DELLINK, 0, NULL, err, errlen);

	return ret == -ENODEV ? 0 : ret;
}

int tg_wg_link_ports(unsigned int *ports, size_t max)
{
	struct if_nameindex *v, *i;
	unsigned int port;
	size_t n = 0;
	char tail;

	v = if_nameindex();
	if (!v)
		return -errno;
	for (i = v; i->if_index && n < max; i++)
		if (sscanf(i->if_name, TG_WG_IFNAME_FMT "%c", &port, &tail) == 1 &&
		    port >= 1 && port <= 65535)
			ports[n++] = port;
	if_freenameindex(v);
	return n;
}
