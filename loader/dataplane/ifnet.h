/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The networks of the interfaces `up` attached (subscriber and uplink
 * sides): the access network the tunnels arrive on and the uplink. A
 * subscriber prefix overlapping one would route the concentrator's own
 * neighbours (every tunnel's far end, the core router) into a tunnel.
 */
#ifndef TG_IFNET_H
#define TG_IFNET_H

#include <net/if.h>
#include <stddef.h>

#include "db/sub.h"
#include "util/addr.h"

struct tg_ifnet {
	char ifname[IF_NAMESIZE];
	struct tg_prefix net;		/* an address's network */
};

/*
 * The networks on the interfaces attached under pin_root, link-local ones
 * left out; *v is malloc'ed (NULL with *n 0 when nothing is attached). 0,
 * or negative errno.
 */
int tg_ifnets_load(const char *pin_root, struct tg_ifnet **v, size_t *n);

/*
 * 0 when no prefix of s overlaps a network of v, else -EINVAL with err
 * naming the prefix, the network and its interface.
 */
int tg_ifnets_check(const struct tg_ifnet *v, size_t n, const struct tg_sub *s,
		    char *err, size_t errlen);

#endif /* TG_IFNET_H */
