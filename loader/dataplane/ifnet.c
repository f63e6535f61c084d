// SPDX-License-Identifier: GPL-2.0-only
/* The networks of the attached interfaces, and prefixes against them. */
#include <errno.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include "dataplane/attach.h"
#include "dataplane/ifnet.h"

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
	struct ifaddrs *ifs, *ifa;
	struct tg_ifnet *out = NULL, *o;
	struct tg_prefix p;
	size_t cnt = 0;

	*v = NULL;
	*n = 0;
	if (access(pin_root, F_OK))
		return 0;	/* nothing attached */
	if (getifaddrs(&ifs))
		return -errno;
	for (ifa = ifs; ifa; ifa = ifa->ifa_next) {
		if (!ifnet_of(ifa, &p) || !tg_attach_on(pin_root, ifa->ifa_name))
			continue;
		o = realloc(out, (cnt + 1) * sizeof(*out));
		if (!o) {
			freeifaddrs(ifs);
			free(out);
			return -ENOMEM;
		}
		out = o;
		snprintf(out[cnt].ifname, sizeof(out[cnt].ifname), "%s",
			 ifa->ifa_name);
		out[cnt++].net = p;
	}
	freeifaddrs(ifs);
	*v = out;
	*n = cnt;
	return 0;
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
