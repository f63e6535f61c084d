/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Learning from a subscriber's own traffic what the return path needs:
 * the Ethernet address behind Ethernet tunnels and the UDP source port of
 * L2TP over UDP, in tg_peer[sub_id].
 */
#ifndef TG_LIB_LEARN_H
#define TG_LIB_LEARN_H

#include <linux/if_ether.h>
#include "tungate_maps.bpf.h"
#include "tunnel.h"

/* Frame offsets beyond this are not learnt from (none are that long). */
#define TG_LEARN_MAX_OFF 512

/*
 * Compare first, write only when different: the entry's cache line stays
 * shared between CPUs while nothing changes. Two CPUs seeing different
 * values at once may each write theirs: the last one wins, as it would in
 * any order of packets.
 */
static __always_inline void tg_learn(void *data, void *data_end,
				     const struct tg_decap *d)
{
	struct tg_peer *peer;
	__u8 *mac;

	peer = bpf_map_lookup_elem(&tg_peer, &d->sub_id);
	if (!peer)
		return;
	if ((d->learn & TG_LEARN_PORT) && peer->udp_port != d->udp_sport)
		peer->udp_port = d->udp_sport;
	if (!(d->learn & TG_LEARN_MAC) || d->mac_off > TG_LEARN_MAX_OFF)
		return;
	mac = data + tg_bound(d->mac_off, TG_LEARN_MAX_OFF) + ETH_ALEN;	/* the source address */
	if ((void *)(mac + ETH_ALEN) > data_end)
		return;
	if (*(__u32 *)mac != *(__u32 *)peer->mac ||
	    *(__u16 *)(mac + 4) != *(__u16 *)(peer->mac + 4)) {
		*(__u32 *)peer->mac = *(__u32 *)mac;
		*(__u16 *)(peer->mac + 4) = *(__u16 *)(mac + 4);
	}
}

#endif /* TG_LIB_LEARN_H */
