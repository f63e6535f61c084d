/* SPDX-License-Identifier: GPL-2.0-only */
/* Ethernet with up to TG_VLAN_MAX_DEPTH 802.1Q / 802.1ad tags. */
#ifndef TG_LIB_ETH_H
#define TG_LIB_ETH_H

#include <linux/if_ether.h>
#include "parse.h"

struct tg_vlan_hdr {
	__be16 tci;
	__be16 proto;		/* ethertype of what follows */
};

static __always_inline bool tg_eth_is_vlan(__be16 proto)
{
	return proto == bpf_htons(ETH_P_8021Q) ||
	       proto == bpf_htons(ETH_P_8021AD);
}

/*
 * Parse an Ethernet header and its VLAN tags (either TPID, any order).
 * Returns the ethertype that follows, network order, or -1 when the
 * frame is cut short. A third tag is returned as is: callers see a VLAN
 * ethertype they do not handle.
 */
static __always_inline int tg_parse_eth(struct hdr_cursor *c, void *data_end)
{
	struct ethhdr *eth = c->pos;
	struct tg_vlan_hdr *vh;
	__be16 proto;
	int i;

	if ((void *)(eth + 1) > data_end || tg_cur_short(c, sizeof(*eth)))
		return -1;
	c->pos = eth + 1;
	proto = eth->h_proto;

#pragma unroll
	for (i = 0; i < TG_VLAN_MAX_DEPTH; i++) {
		if (!tg_eth_is_vlan(proto))
			break;
		vh = c->pos;
		if ((void *)(vh + 1) > data_end || tg_cur_short(c, sizeof(*vh)))
			return -1;
		c->pos = vh + 1;
		proto = vh->proto;
	}
	return proto;
}

#endif /* TG_LIB_ETH_H */
