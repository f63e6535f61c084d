/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ICMP errors built in place from the offending datagram and sent back
 * out of the interface it came in on, at most TG_ICMP_RATE per second per
 * CPU (all kinds together):
 * - "fragmentation needed" / ICMPv6 "packet too big" for a datagram from
 *   the uplink larger than the subscriber's tunnel carries, so that path
 *   MTU discovery works (tg_too_big_reply);
 * - "communication administratively prohibited" (ICMP 3/13, ICMPv6 1/1)
 *   for a community-scope subscriber's datagram to a destination outside
 *   the community, encapsulated back through its own tunnel
 *   (tg_scope_icmp).
 *
 * Both are built at XDP only (TG_ICMP_REPLIES). At TC the kernel's stack
 * is right behind the program: a datagram too big for the tunnel is
 * passed on (the kernel routes it to tg0, whose route carries the
 * tunnel's MTU, and answers or fragments it there); a scope refusal is
 * dropped without an answer. Moving both ends of a socket buffer for the
 * reply would need bpf_skb_adjust_room() at the head, which works after
 * the Ethernet header only, and so no VLAN tags.
 */
#ifndef TG_LIB_ICMP_H
#define TG_LIB_ICMP_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include "tungate_maps.bpf.h"
#include "parse.h"
#include "csum.h"
#include "ctx/ctx.h"
#include "encap.h"
#include "uplink.h"
#include "tunnel.h"

#define TG_ICMP_RATE 100			/* replies per second per CPU */
#define TG_NSEC_PER_SEC 1000000000ULL
#define TG_ICMP_HLEN 8
#define TG_ICMP_DEST_UNREACH 3
#define TG_ICMP_FRAG_NEEDED 4
#define TG_ICMP_PROHIBITED 13		/* communication administratively prohibited */
#define TG_ICMPV6_DEST_UNREACH 1
#define TG_ICMPV6_ADM_PROHIBITED 1
#define TG_ICMPV6_PKT_TOOBIG 2
#define TG_ICMPV6_INFO_MIN 128		/* types below are errors */
#define TG_ICMP_ECHOREPLY 0
#define TG_ICMP_ECHO 8
/* The whole reply fits the minimum MTU of its family. */
#define TG_ICMP4_MAX 576
#define TG_ICMP6_MAX 1280
#define TG_ICMP_TTL 64
/* Ethernet and VLAN tags kept from the datagram's frame, at most. */
#define TG_ICMP_L2_MAX (ETH_HLEN + 4 * TG_VLAN_MAX_DEPTH)
/* Frame offsets of the IP headers read or written here, at most. */
#define TG_ICMP_OFF_MAX 255

/*
 * The per-CPU budget: true when a reply may go out now. Per-CPU state, no
 * atomics: a burst spread over CPUs may get up to TG_ICMP_RATE per CPU.
 */
static __always_inline bool tg_icmp_allowed(void)
{
	struct tg_rate *r;
	__u32 zero = 0;
	__u64 now;

	r = bpf_map_lookup_elem(&tg_icmp_rate, &zero);
	if (!r)
		return false;
	now = bpf_ktime_get_ns();
	if (now - r->window_ns >= TG_NSEC_PER_SEC) {
		r->window_ns = now;
		r->sent = 0;
	}
	if (r->sent >= TG_ICMP_RATE)
		return false;
	r->sent++;
	return true;
}

/*
 * Never an error about an error (RFC 1122 3.2.2, RFC 4443 2.4): true when
 * the datagram at frame offset off (proto ETH_P_IP or ETH_P_IPV6) is an
 * ICMP error itself, or cannot be read.
 */
static __always_inline bool tg_icmp_error_at(void *data, void *data_end,
					     __u32 off, __u16 proto)
{
	__u8 *l4, *type;

	if (off > TG_ICMP_OFF_MAX)
		return true;
	l4 = data + tg_bound(off, TG_ICMP_OFF_MAX);
	if (proto == ETH_P_IP) {
		struct iphdr *iph = (void *)l4;

		if ((void *)(iph + 1) > data_end)
			return true;
		if (iph->protocol != IPPROTO_ICMP)
			return false;
		type = l4 + (iph->ihl & 0xf) * 4;
		if ((void *)(type + 1) > data_end)
			return true;
		return *type != TG_ICMP_ECHO && *type != TG_ICMP_ECHOREPLY;
	}
	if ((void *)(l4 + sizeof(struct ipv6hdr) + 1) > data_end)
		return true;
	if (((struct ipv6hdr *)l4)->nexthdr != IPPROTO_ICMPV6)
		return false;
	return l4[sizeof(struct ipv6hdr)] < TG_ICMPV6_INFO_MIN;
}

/* The same for the datagram of a frame from the uplink. */
static __always_inline bool tg_icmp_is_error(void *data, void *data_end,
					     const struct tg_up *u)
{
	return tg_icmp_error_at(data, data_end, u->l3_off, u->proto);
}

/*
 * Put back the Ethernet header and VLAN tags l2 (TG_ICMP_L2_MAX bytes
 * saved from the frame's start before its head moved) with the addresses
 * swapped: back to the sender. 0, or -1 when out of bounds.
 */
static __always_inline int tg_icmp_l2_back(void *data, void *data_end,
					   const __u8 *l2)
{
	if ((void *)((__u8 *)data + TG_ICMP_L2_MAX) > data_end)
		return -1;
	__builtin_memcpy(data, l2, TG_ICMP_L2_MAX);
	__builtin_memcpy(data, l2 + ETH_ALEN, ETH_ALEN);
	__builtin_memcpy((__u8 *)data + ETH_ALEN, l2, ETH_ALEN);
	return 0;
}

/*
 * Write the IP and ICMP headers of an error at frame offset off, in front
 * of the quoted datagram already at off + hlen (quote bytes of it): to
 * the quoted datagram's source, from saddr (IPv4) or from the quoted
 * datagram's destination (IPv6: the concentrator has no IPv6 address of
 * its own there). type, code, and info the second word of the ICMP header.
 * The checksum is left 0 for tg_ctx_csum_fill(), with *seed the pseudo
 * header (ICMPv6) or 0. Returns 0, or -1 when out of bounds.
 */
static __always_inline int tg_icmp_write(void *data, void *data_end, __u32 off,
					 bool v4, __u8 type, __u8 code,
					 __u32 info, __u32 quote, __be32 saddr,
					 __u64 *seed)
{
	__u32 hlen, i;
	__u64 sum = 0;

	if (off > TG_ICMP_OFF_MAX)
		return -1;
	hlen = (v4 ? sizeof(struct iphdr) : sizeof(struct ipv6hdr)) +
	       TG_ICMP_HLEN;
	if (v4) {
		struct iphdr *iph = data + tg_bound(off, TG_ICMP_OFF_MAX);
		struct iphdr *orig = (void *)(iph + 1) + TG_ICMP_HLEN;
		__u8 *icmp = (void *)(iph + 1);

		if ((void *)(orig + 1) > data_end)
			return -1;
		*(__u16 *)iph = bpf_htons(0x4500);
		iph->tot_len = bpf_htons(hlen + quote);
		iph->id = 0;
		iph->frag_off = 0;
		iph->ttl = TG_ICMP_TTL;
		iph->protocol = IPPROTO_ICMP;
		iph->check = 0;
		iph->saddr = saddr;
		iph->daddr = orig->saddr;
		iph->check = tg_csum_fold((__u64)((__u32 *)iph)[0] +
					  ((__u32 *)iph)[1] + ((__u32 *)iph)[2] +
					  ((__u32 *)iph)[3] + ((__u32 *)iph)[4]);
		icmp[0] = type;
		icmp[1] = code;
		*(__u16 *)(icmp + 2) = 0;
		*(__be32 *)(icmp + 4) = bpf_htonl(info);
	} else {
		struct ipv6hdr *ip6h = data + tg_bound(off, TG_ICMP_OFF_MAX);
		struct ipv6hdr *orig = (void *)(ip6h + 1) + TG_ICMP_HLEN;
		__u8 *icmp = (void *)(ip6h + 1);
		__u32 *w;

		if ((void *)(orig + 1) > data_end)
			return -1;
		*(__be32 *)ip6h = bpf_htonl(0x60000000);
		ip6h->payload_len = bpf_htons(TG_ICMP_HLEN + quote);
		ip6h->nexthdr = IPPROTO_ICMPV6;
		ip6h->hop_limit = TG_ICMP_TTL;
		ip6h->saddr = orig->daddr;
		ip6h->daddr = orig->saddr;
		icmp[0] = type;
		icmp[1] = code;
		*(__u16 *)(icmp + 2) = 0;
		*(__be32 *)(icmp + 4) = bpf_htonl(info);
		/* Pseudo header: addresses, upper-layer length, next header. */
		w = (__u32 *)&ip6h->saddr;
#pragma unroll
		for (i = 0; i < 8; i++)
			sum += w[i];
		/* Each term on its own: a 32-bit sum of two would lose a carry. */
		sum += (__u64)bpf_htonl(TG_ICMP_HLEN + quote);
		sum += (__u64)bpf_htonl(IPPROTO_ICMPV6);
		sum = (sum & 0xffffffff) + (sum >> 32);
		sum = (sum & 0xffffffff) + (sum >> 32);
	}
	*seed = sum;
	return 0;
}

#if CTX_HOOK_XDP
/* The hook sends the replies built here (see the top of this file). */
#define TG_ICMP_REPLIES 1

/*
 * Turn the frame (datagram u, too big for e->mtu) into the ICMP reply to
 * its sender: same Ethernet header and VLAN tags with the addresses
 * swapped, a new IP header and ICMP header in front of the datagram, which
 * is cut to fit. Returns true when the caller is to send it (XDP_TX);
 * false: drop (rate limit, an ICMP error itself, helper failure).
 */
static __always_inline bool tg_too_big_reply(struct __ctx_buff *ctx,
					     const struct tg_up *u,
					     const struct tg_encap *e)
{
	void *data = ctx_data(ctx);
	void *data_end = ctx_data_end(ctx);
	__u32 l3 = u->l3_off, hlen, quote, max;
	__u8 l2[TG_ICMP_L2_MAX];
	__u64 seed = 0;
	bool v4 = u->proto == ETH_P_IP;

	if (tg_icmp_is_error(data, data_end, u) || !tg_icmp_allowed())
		return false;
	if ((void *)((__u8 *)data + TG_ICMP_L2_MAX) > data_end)
		return false;
	__builtin_memcpy(l2, data, sizeof(l2));

	hlen = (v4 ? sizeof(struct iphdr) : sizeof(struct ipv6hdr)) +
	       TG_ICMP_HLEN;
	max = (v4 ? TG_ICMP4_MAX : TG_ICMP6_MAX) - hlen;
	quote = u->ip_len < max ? u->ip_len : max;
	if (bpf_xdp_adjust_head(ctx, -(int)hlen))
		return false;
	/* Cut after the quote; the frame now starts hlen bytes earlier. */
	if (bpf_xdp_adjust_tail(ctx, (int)(l3 + quote) - (int)u->frame_len))
		return false;

	data = ctx_data(ctx);
	data_end = ctx_data_end(ctx);
	if (tg_icmp_l2_back(data, data_end, l2))
		return false;

	if (l3 > TG_ICMP_L2_MAX)
		return false;
	if (tg_icmp_write(data, data_end, l3, v4,
			  v4 ? TG_ICMP_DEST_UNREACH : TG_ICMPV6_PKT_TOOBIG,
			  v4 ? TG_ICMP_FRAG_NEEDED : 0, e->mtu, quote, e->local,
			  &seed))
		return false;
	return !tg_ctx_csum_fill(ctx, l3 + hlen - TG_ICMP_HLEN,
				 TG_ICMP_HLEN + quote, seed, TG_CSUM_AT_ICMP);
}

/*
 * Turn the frame from a community-scope subscriber (d: as parsed, not yet
 * decapsulated), whose inner datagram is for a destination outside the
 * community, into ICMP "communication administratively prohibited" (ICMP
 * 3/13 from the tunnel's local address, ICMPv6 1/1 from the refused
 * destination) sent back through the subscriber's tunnel: the same
 * Ethernet header and VLAN tags with the addresses swapped, the headers
 * the return path writes (tg_encap of the tunnel claim's slot, tg_peer),
 * the IP and ICMP headers, and the inner datagram as far as fits in the
 * tunnel MTU and 576 (IPv4) / 1280 (IPv6) bytes. Returns 1 when the caller
 * is to send it (XDP_TX); 0: drop (rate limit, an ICMP error itself, no
 * way back through the tunnel yet, helper failure). A global function:
 * verified once on its own, its stack apart from the caller's.
 */
__noinline int tg_scope_icmp(struct __ctx_buff *ctx, const struct tg_decap *d)
{
	void *data = ctx_data(ctx);
	void *data_end = ctx_data_end(ctx);
	__u32 frame_len = data_end - data, hlen, max, quote, off, l3, in;
	__u32 zero = 0, id;
	bool v4;
	__u8 l2[TG_ICMP_L2_MAX];
	struct tg_config *cfg;
	struct tg_encap *e;
	struct tg_peer *peer;
	struct tg_enc x;
	__u64 seed = 0;
	int csum;

	if (!d)
		return 0;
	id = TG_CLAIM_ID_OF(d->claim);
	l3 = d->outer_off;
	in = d->inner_off;
	if (tg_icmp_error_at(data, data_end, in, d->inner_proto) ||
	    !tg_icmp_allowed())
		return 0;
	e = tg_encap_of(d->claim);
	peer = bpf_map_lookup_elem(&tg_peer, &id);
	cfg = bpf_map_lookup_elem(&tg_config, &zero);
	if (!e || !peer || !cfg || e->type == TG_TUN_NONE)
		return 0;
	v4 = d->inner_proto == ETH_P_IP;
	hlen = (v4 ? sizeof(struct iphdr) : sizeof(struct ipv6hdr)) +
	       TG_ICMP_HLEN;
	max = v4 ? TG_ICMP4_MAX : TG_ICMP6_MAX;
	if (e->mtu < max)
		max = e->mtu;
	if (max <= hlen)
		return 0;
	quote = d->inner_len < max - hlen ? d->inner_len : max - hlen;
	if (tg_encap_prepare(e, peer, cfg, d->inner_proto, hlen + quote, &x) !=
	    TG_CONTINUE)
		return 0;
	if (l3 > TG_ICMP_L2_MAX ||
	    (void *)((__u8 *)data + TG_ICMP_L2_MAX) > data_end)
		return 0;
	__builtin_memcpy(l2, data, sizeof(l2));

	/* Cut after the quote, then make room for the new headers. */
	if (bpf_xdp_adjust_tail(ctx, (int)(in + quote) - (int)frame_len))
		return 0;
	if (bpf_xdp_adjust_head(ctx, (int)in - (int)(l3 + sizeof(struct iphdr) +
						     x.tun_len + hlen)))
		return 0;

	data = ctx_data(ctx);
	data_end = ctx_data_end(ctx);
	if (tg_icmp_l2_back(data, data_end, l2))
		return 0;

	csum = tg_encap_write(data, data_end, l3, e, peer, &x);
	if (csum < 0)
		return 0;
	off = l3 + sizeof(struct iphdr) + x.tun_len;
	if (tg_icmp_write(data, data_end, off, v4,
			  v4 ? TG_ICMP_DEST_UNREACH : TG_ICMPV6_DEST_UNREACH,
			  v4 ? TG_ICMP_PROHIBITED : TG_ICMPV6_ADM_PROHIBITED,
			  0, quote, e->local, &seed))
		return 0;
	if (tg_ctx_csum_fill(ctx, off + hlen - TG_ICMP_HLEN,
			     TG_ICMP_HLEN + quote, seed, TG_CSUM_AT_ICMP))
		return 0;
	/* The tunnel's own checksum (GRE, UDP) covers the ICMP message. */
	return tg_encap_csum(ctx, l3, csum, e, &x) == TG_CONTINUE;
}

#else
#define TG_ICMP_REPLIES 0

static __always_inline bool tg_too_big_reply(struct __ctx_buff *ctx,
					     const struct tg_up *u,
					     const struct tg_encap *e)
{
	return false;
}

static __always_inline int tg_scope_icmp(struct __ctx_buff *ctx,
					 const struct tg_decap *d)
{
	return 0;
}
#endif /* CTX_HOOK_XDP */

#endif /* TG_LIB_ICMP_H */
