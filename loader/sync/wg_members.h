/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The WireGuard members sync put in the maps: no tunnel entry, a tg_encap
 * entry of type TG_TUN_WIREGUARD in their slot.
 */
#ifndef TG_SYNC_WG_MEMBERS_H
#define TG_SYNC_WG_MEMBERS_H

#include <linux/types.h>

struct tg_maps;

/*
 * The number of WireGuard members in force into *n, as the programs on
 * tgwgPORT find them: the sub_ids whose tg_encap in the slot in force
 * (m->gen, m->encap, m->encap1) says TG_TUN_WIREGUARD; each(ctx, its
 * sub_id) for every one of them when each is not NULL. The counterpart of
 * tg_tunnels_in_force(). 0 or negative errno.
 */
int tg_wg_in_force(const struct tg_maps *m, __u32 *n,
		   int (*each)(void *ctx, __u32 sub_id), void *ctx);

#endif /* TG_SYNC_WG_MEMBERS_H */
