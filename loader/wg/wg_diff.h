/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What to send a WireGuard device so its peers become the ones wanted,
 * as 'wg syncconf' does: only peers it lacks or has otherwise, of those
 * only what differs (allowed IPs replaced only when their set differs),
 * and the removal of peers nobody wants. A peer's endpoint is compared
 * only when pinned: a learnt one is never sent, so never overwritten.
 */
#ifndef TG_WG_DIFF_H
#define TG_WG_DIFF_H

#include <sys/types.h>

#include "wg/wg_nl.h"

struct tg_wg_diff {
	unsigned int added;	/* peers it did not have */
	unsigned int changed;	/* it had otherwise */
	unsigned int removed;	/* nobody wants */
};

/*
 * want: every peer the device should have, each with its keepalive,
 * pinned endpoint (or none) and allowed IPs; have: what the device has
 * (its peers get sorted by key). Into out, room for nwant + have->npeers:
 * the peers to send. Returns how many, or -ENOMEM.
 */
ssize_t tg_wg_diff(const struct tg_wg_peer *want, size_t nwant,
		   struct tg_wg_state *have, struct tg_wg_peer *out,
		   struct tg_wg_diff *d);

#endif /* TG_WG_DIFF_H */
