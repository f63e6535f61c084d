/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tungate's WireGuard interfaces as links: tgwgPORT, one per listen port,
 * made and taken away over rtnetlink. A link of that name is tungate's.
 */
#ifndef TG_WG_LINK_H
#define TG_WG_LINK_H

#include <stddef.h>

/* Make ifname a WireGuard link (when missing) and set it up: 0 or -errno. */
int tg_wg_link_up(const char *ifname, char *err, size_t errlen);
/* Delete ifname (its routes and peers go with it): 0 or -errno. */
int tg_wg_link_del(const char *ifname, char *err, size_t errlen);

/*
 * The listen ports of the tgwgPORT links there are, into ports (at most
 * max): their count, or a negative errno.
 */
int tg_wg_link_ports(unsigned int *ports, size_t max);

#endif /* TG_WG_LINK_H */
