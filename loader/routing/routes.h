/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel routes of subscriber prefixes to tungate's egress device: what
 * the XDP fast path leaves to the stack (DF-clear packets too big for the
 * tunnel) and what the concentrator itself sends to a subscriber is
 * fragmented to the tunnel MTU by the kernel and encapsulated by the TC
 * program on that device.
 */
#ifndef TG_ROUTES_H
#define TG_ROUTES_H

#include <stdbool.h>
#include <stddef.h>

#include "util/addr.h"

/* The egress device tungate creates, and the protocol of its routes. */
#define TG_EGRESS_DEV "tg0"
#define TG_EGRESS_PEER "tg0-peer"
#define TG_RT_PROTO 240
/* The alias up gives the egress device it creates. */
#define TG_EGRESS_ALIAS "tungate"

struct tg_maps;

/*
 * Route every prefix in the tg_prefix4/tg_prefix6 maps of m whose claim
 * that holds has an encapsulation (tg_encap or tg_encap1, by the claim's
 * slot) to dev with that tunnel MTU (proto TG_RT_PROTO, table main);
 * remove the other routes of that protocol. Returns the number of routes
 * installed, or a negative errno (reported).
 */
int tg_routes_sync(const struct tg_maps *m, const char *dev);

/*
 * Make the routes of protocol proto in table main through dev exactly
 * the prefixes v[0..n) (scope link for IPv4, no MTU of their own), as
 * tg_routes_sync() does, touching no route through another device.
 * Returns the number installed, or a negative errno (reported).
 */
int tg_routes_sync_dev(const char *dev, int proto, const struct tg_prefix *v,
		       size_t n);

/* True when the egress device exists and up made it (its alias says so). */
bool tg_egress_dev_ours(void);

#endif /* TG_ROUTES_H */
