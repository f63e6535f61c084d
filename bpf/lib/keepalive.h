/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Tunnel keepalives answered in the data plane: a member's MikroTik or
 * Cisco-style router takes its tunnel down when its keepalives go
 * unanswered, and the kernel has no EoIP or GRE device of the tunnel to
 * answer them. EoIP keepalives are answered with tungate's own; GRE ones
 * carry their answer, which is routed back (reflected) as the sender
 * expects. Either way the frame goes back out where it came in, MAC
 * addresses swapped, VLAN tags as received (as neigh.h does). At TC a
 * GRE keepalive with VLAN tags in the data (they are not, unless a
 * second one, or the hardware left them) goes to the kernel as control,
 * as decapsulated traffic does.
 */
#ifndef TG_LIB_KEEPALIVE_H
#define TG_LIB_KEEPALIVE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include "tungate_maps.bpf.h"
#include "ctx/ctx.h"
#include "parse.h"
#include "claim.h"
#include "csum.h"
#include "encap.h"
#include "gre.h"
#include "tunnel.h"

/*
 * An EoIP keepalive as tungate sends it, whether answering one here or
 * on its own (the daemon's periodic ones are byte for byte the same):
 * 28 bytes after the Ethernet header and any VLAN tags, nothing after.
 *
 *   off  bytes        field
 *    0   45 00        IPv4, IHL 5, TOS 0
 *    2   00 1c        total length 28
 *    4   00 00        identification 0
 *    6   40 00        DF, fragment offset 0
 *    8   tt           TTL: tg_encap.ttl, else tg_config.default_ttl,
 *                     else 64 (tg_encap_ttl(), as for data)
 *    9   2f           protocol 47
 *   10   cc cc        header checksum
 *   12   l l l l      source: the subscriber's --local (tg_encap.local)
 *   16   r r r r      destination: its --remote (tg_encap.remote)
 *   20   20 01        EoIP: K bit, version 1
 *   22   64 00        EoIP protocol
 *   24   00 00        payload length 0: a keepalive
 *   26   i0 i1        tunnel id (tg_encap.peer_id), LITTLE endian
 *
 * RouterOS sends the same shape every 10 s (its own TTL, id and flags),
 * which is what tg_parse_gre() takes for a keepalive.
 */
#define TG_EOIP_KA_LEN (sizeof(struct iphdr) + sizeof(struct tg_eoip_hdr))
_Static_assert(sizeof(struct iphdr) + sizeof(struct tg_eoip_hdr) == 28,
	       "EoIP keepalive length");

/* Farthest inner header of a GRE keepalive: tags, IPv4 options, GRE. */
#define TG_KA_INNER_MAX 127

/* Swap the Ethernet addresses of the frame at data: back to the sender. */
static __always_inline int tg_ka_swap_macs(void *data, void *data_end)
{
	struct ethhdr *eth = data;
	__u8 mac[ETH_ALEN];

	if ((void *)(eth + 1) > data_end)
		return -1;
	__builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mac, ETH_ALEN);
	return 0;
}

/*
 * Answer the EoIP keepalive of the subscriber of claim (outer IPv4 at
 * frame offset l3) with ours, in place: Ethernet padding after the
 * datagram (RouterOS's come padded to 60 bytes) is cut first, so the
 * frame is the L2 header and the 28 bytes above, as ours always are.
 */
static __always_inline int tg_eoip_keepalive(struct __ctx_buff *ctx,
					     __u32 claim, __u64 l3)
{
	__u32 id = TG_CLAIM_ID_OF(claim), zero = 0;
	struct tg_config *cfg;
	struct tg_eoip_hdr *eh;
	struct tg_encap *e;
	struct iphdr *iph;
	void *data, *data_end;
	__u32 peer_id;
	__be32 local, remote;
	__u8 ttl;

	e = tg_encap_at(claim, &id);
	cfg = bpf_map_lookup_elem(&tg_config, &zero);
	if (!e || !cfg || e->type != TG_TUN_EOIP || l3 > TG_ENC_L3_MAX)
		return TG_R_CONTROL;
	/* Read before the frame changes: nothing is left half written. */
	ttl = tg_encap_ttl(e, cfg);
	peer_id = e->peer_id;
	local = e->local;
	remote = e->remote;
	/*
	 * Only ever shorter (the datagram received is 28 bytes or more), at
	 * the tail: the frame's start stays.
	 */
	if (ctx_resize(ctx, l3 + TG_EOIP_KA_LEN))
		return TG_R_CONTROL;

	data = ctx_data(ctx);
	data_end = ctx_data_end(ctx);
	iph = data + tg_bound(l3, TG_ENC_L3_MAX);
	eh = (void *)(iph + 1);
	if ((void *)(eh + 1) > data_end || tg_ka_swap_macs(data, data_end))
		return TG_R_INTERNAL;
	*(__u16 *)iph = bpf_htons(0x4500);	/* version 4, ihl 5, tos 0 */
	iph->tot_len = bpf_htons(TG_EOIP_KA_LEN);
	iph->id = 0;
	iph->frag_off = bpf_htons(TG_IP_DF);
	iph->ttl = ttl;
	iph->protocol = IPPROTO_GRE;
	iph->check = 0;
	iph->saddr = local;
	iph->daddr = remote;
	iph->check = tg_ip4_csum(iph);
	eh->flags = bpf_htons(TG_EOIP_FLAGS);
	eh->proto = bpf_htons(TG_EOIP_PROTO);
	eh->len = 0;
	/* Little endian on the wire, as tg_encap_write() writes it. */
	eh->id[0] = peer_id & 0xff;
	eh->id[1] = (peer_id >> 8) & 0xff;
	return TG_R_KEEPALIVE;
}

/*
 * Reflect a GRE keepalive (checked by tg_is_gre_keepalive(); outer IPv4
 * at frame offset l3, the inner IPv4 header at inner_off): what a Linux
 * GRE device and router do with it. The outer IPv4 and GRE headers go,
 * the inner TTL goes down by one (checksum updated incrementally, as
 * ip_decrease_ttl()), and the inner packet goes back to the sender, its
 * destination, with the L2 header as received but the addresses
 * swapped. Bytes after the inner datagram stay, as on decapsulated
 * traffic.
 */
static __always_inline int tg_gre_keepalive(struct __ctx_buff *ctx, __u64 l3,
					    __u64 inner_off)
{
	void *data = ctx_data(ctx);
	void *data_end = ctx_data_end(ctx);
	__u8 l2[TG_ENC_L3_MAX];
	struct iphdr *iph;
	__u8 *p;

	/*
	 * Left to the kernel as before: VLAN tags the hook cannot cut
	 * behind (TC), a GRO-merged packet (never seen: keepalives come
	 * alone).
	 */
	if (l3 > TG_ENC_L3_MAX || inner_off <= l3 ||
	    inner_off > TG_KA_INNER_MAX || ctx_is_gso(ctx) ||
	    (!CTX_MOVES_VLAN_TAGS && l3 != ETH_HLEN))
		return TG_R_CONTROL;
	/* The frame holds more than that: the inner datagram follows. */
	if (data + sizeof(l2) > data_end)
		return TG_R_CONTROL;
	__builtin_memcpy(l2, data, sizeof(l2));
	if (ctx_cut_after_l2(ctx, inner_off - l3))
		return TG_R_CONTROL;

	/* New head: reload both ends and check again before writing. */
	data = ctx_data(ctx);
	data_end = ctx_data_end(ctx);
	p = data;
	if ((void *)(p + sizeof(l2)) > data_end)
		return TG_R_INTERNAL;
	__builtin_memcpy(p, l2 + ETH_ALEN, ETH_ALEN);
	__builtin_memcpy(p + ETH_ALEN, l2, ETH_ALEN);
	/*
	 * The tags and the ethertype (IPv4, as outside) again: l3 is 14, 18
	 * or 22 (tg_parse_eth() takes two tags), in constant pieces.
	 */
	__builtin_memcpy(p + 12, l2 + 12, 2);
	if (l3 > ETH_HLEN)
		__builtin_memcpy(p + 14, l2 + 14, 4);
	if (l3 > ETH_HLEN + 4)
		__builtin_memcpy(p + 18, l2 + 18, 4);
	iph = data + tg_bound(l3, TG_ENC_L3_MAX);
	if ((void *)(iph + 1) > data_end)
		return TG_R_INTERNAL;
	tg_ip4_decrease_ttl(iph);
	return TG_R_KEEPALIVE;
}

/*
 * Answer the keepalive of the subscriber of claim, kind TG_KA_* (from
 * tg_decap_parse(): outer IPv4 at l3, a GRE one's inner IPv4 at
 * inner_off). Returns KEEPALIVE when the frame holds the answer (the
 * caller sends it back: ctx_tx()), CONTROL when it is left to the kernel
 * untouched, INTERNAL when it was damaged. A global function: verified
 * once, apart from the decapsulation pipeline.
 */
__noinline int tg_keepalive_reply(struct __ctx_buff *ctx, __u64 claim,
				  __u64 kind, __u64 l3, __u64 inner_off)
{
	if (kind == TG_KA_EOIP)
		return tg_eoip_keepalive(ctx, claim, l3);
	if (kind == TG_KA_GRE)
		return tg_gre_keepalive(ctx, l3, inner_off);
	return TG_R_INTERNAL;
}

#endif /* TG_LIB_KEEPALIVE_H */
