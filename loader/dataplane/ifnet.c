// SPDX-License-Identifier: GPL-2.0-only
/* The networks of the attached interfaces, and prefixes against them. */
#include <dirent.h>
#include <errno.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "dataplane/attach.h"
#include "dataplane/ifnet.h"

/* Whether ifname is one of the n names of the attached interfaces. */
static bool ifnet_attached(char (*names)[IF_NAMESIZE], size_t n,
			   const char *ifname)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(names[i], ifname))
			return true;
	return false;
}

/* The network of an interface address, false when it has none of ours. */
static bool ifnet_of(const struct ifaddrs *ifa, struct tg_prefix *p)
{
	const __u8 *a, *m;
	unsigned int i, size;

	if (!ifa->ifa_addr || !ifa->ifa_netmask)
		return false;
	memset(p, 0, sizeof(*p));
	p->family = ifa->ifa_addr->sa_family;
	if (p->family == AF_INET) {
		a = (const __u8 *)&((const struct sockaddr_in *)ifa->ifa_addr)->sin_addr;
		m = (const __u8 *)&((const struct sockaddr_in *)ifa->ifa_netmask)->sin_addr;
		size = 4;
	} else if (p->family == AF_INET6) {
		a = ((const struct sockaddr_in6 *)ifa->ifa_addr)->sin6_addr.s6_addr;
		m = ((const struct sockaddr_in6 *)ifa->ifa_netmask)->sin6_addr.s6_addr;
		size = 16;
		if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
			return false;	/* link-local: never a subscriber's */
	} else {
		return false;
	}
	for (i = 0; i < size; i++) {
		p->addr[i] = a[i] & m[i];
		p->len += __builtin_popcount(m[i]);
	}
	return true;
}

int tg_ifnets_load(const char *pin_root, struct tg_ifnet **v, size_t *n)
{
	char (*names)[IF_NAMESIZE] = NULL, (*nn)[IF_NAMESIZE];
	struct ifaddrs *ifs = NULL, *ifa;
	struct tg_ifnet *out = NULL, *o;
	size_t nnames = 0, cnt = 0;
	struct tg_attach a;
	struct dirent *de;
	int err = 0;
	DIR *dir;

	*v = NULL;
	*n = 0;
	dir = opendir(pin_root);
	if (!dir)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(dir))) {
		if (tg_attach_parse(de->d_name, &a) ||
		    a.role == TG_ROLE_EGRESS)
			continue;
		nn = realloc(names, (nnames + 1) * sizeof(*names));
		if (!nn) {
			err = -ENOMEM;
			break;
		}
		names = nn;
		memcpy(names[nnames++], a.ifname, IF_NAMESIZE);
	}
	closedir(dir);
	if (err || !nnames)
		goto out;
	if (getifaddrs(&ifs)) {
		err = -errno;
		goto out;
	}
	for (ifa = ifs; ifa; ifa = ifa->ifa_next) {
		struct tg_prefix p;

		if (!ifnet_attached(names, nnames, ifa->ifa_name) ||
		    !ifnet_of(ifa, &p))
			continue;
		o = realloc(out, (cnt + 1) * sizeof(*out));
		if (!o) {
			err = -ENOMEM;
			goto out;
		}
		out = o;
		snprintf(out[cnt].ifname, sizeof(out[cnt].ifname), "%s",
			 ifa->ifa_name);
		out[cnt++].net = p;
	}
	*v = out;
	*n = cnt;
	out = NULL;
out:
	if (ifs)
		freeifaddrs(ifs);
	free(names);
	free(out);
	return err;
}

int tg_ifnets_check(const struct tg_ifnet *v, size_t n, const struct tg_sub *s,
		    char *err, size_t errlen)
{
	char a[TG_PREFIX_STRLEN], b[TG_PREFIX_STRLEN];
	unsigned int i;
	size_t j;

	for (i = 0; i < s->nprefix; i++) {
		for (j = 0; j < n; j++) {
			if (!tg_prefix_overlap(&s->prefix[i], &v[j].net))
				continue;
			tg_prefix_format(&s->prefix[i], a, sizeof(a));
			tg_prefix_format(&v[j].net, b, sizeof(b));
			snprintf(err, errlen,
				 "--prefix '%s': overlaps %s, the network of the concentrator's interface %s",
				 a, b, v[j].ifname);
			return -EINVAL;
		}
	}
	return 0;
}
