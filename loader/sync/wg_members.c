// SPDX-License-Identifier: GPL-2.0-only
/* The WireGuard members sync put in the maps, as the data plane finds them. */
#include <string.h>

#include "dataplane/dataplane.h"
#include "sync/kvset.h"
#include "sync/wg_members.h"
#include "tungate.h"

int tg_wg_in_force(const struct tg_maps *m, __u32 *n,
		   int (*each)(void *ctx, __u32 sub_id), void *ctx)
{
	struct tg_kv gen = { .ksz = 4, .vsz = 4 };
	struct tg_kv enc = { .ksz = 4, .vsz = sizeof(struct tg_encap) };
	const struct tg_encap *e;
	const __u8 *v;
	__u32 id, slot, k;
	size_t i;
	int err;

	*n = 0;
	/*
	 * The slots first, each one's entries after: a sync flipping a
	 * member meanwhile may leave it out of this count, never count it
	 * twice (its two entries are read against one tg_gen).
	 */
	err = tg_kv_read_map(m->gen, "tg_gen", &gen, true);
	for (k = 0; !err && k < TG_CLAIMS; k++) {
		err = tg_kv_read_map(tg_encap_fd(m, k),
				     k ? "tg_encap1" : "tg_encap", &enc, true);
		for (i = 0; !err && i < enc.n; i++) {
			memcpy(&id, tg_kv_at(&enc, i), sizeof(id));
			e = (const void *)(tg_kv_at(&enc, i) + enc.ksz);
			v = tg_kv_find(&gen, &id);
			slot = 0;
			if (v)
				memcpy(&slot, v, sizeof(slot));
			if (e->type != TG_TUN_WIREGUARD || slot != k || !id)
				continue;
			(*n)++;
			if (each)
				err = each(ctx, id);
		}
		tg_kv_free(&enc);
	}
	tg_kv_free(&gen);
	return err;
}
