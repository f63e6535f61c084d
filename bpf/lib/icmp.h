/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ICMP "fragmentation needed" / ICMPv6 "packet too big" for a datagram
 * larger than the subscriber's tunnel carries, built in place from the
 * datagram itself and sent back out of the interface it came in on, so
 * that path MTU discovery works. At most TG_ICMP_RATE per second per CPU.
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
#include "csum_xdp.h"
#include "uplink.h"

#define TG_ICMP_RATE 100			/* replies per second per CPU */
#define TG_NSEC_PER_SEC 1000000000ULL
#define TG_ICMP_HLEN 8
#define TG_ICMP_DEST_UNREACH 3
#define TG_ICMP_FRAG_NEEDED 4
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

/* Never an error about an error (RFC 1122 3.2.2, RFC 4443 2.4). */
static __always_inline bool tg_icmp_is_error(void *data, void *data_end,
					     const struct tg_up *u)
{
	__u8 *l4, *type;

	if (u->l3_off > TG_ICMP_L2_MAX)
		return true;
	l4 = data + u->l3_off;
	if (u->proto == ETH_P_IP) {
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

/*
 * Turn the frame (datagram u, too big for e->mtu) into the ICMP reply to
 * its sender: same Ethernet header and VLAN tags with the addresses
 * swapped, a new IP header and ICMP header in front of the datagram, which
 * is cut to fit. Returns true when the caller is to send it (XDP_TX);
 * false: drop (rate limit, an ICMP error itself, helper failure).
 */
static __always_inline bool tg_xdp_too_big(struct xdp_md *ctx,
					   const struct tg_up *u,
					   const struct tg_encap *e)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 l3 = u->l3_off, hlen, quote, max, i;
	__u8 l2[TG_ICMP_L2_MAX], mac[ETH_ALEN];
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

	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if ((void *)((__u8 *)data + TG_ICMP_L2_MAX) > data_end)
		return false;
	__builtin_memcpy(data, l2, sizeof(l2));
	/* Back to the sender: swap the Ethernet addresses. */
	__builtin_memcpy(mac, data, ETH_ALEN);
	__builtin_memcpy(data, (__u8 *)data + ETH_ALEN, ETH_ALEN);
	__builtin_memcpy((__u8 *)data + ETH_ALEN, mac, ETH_ALEN);

	if (l3 > TG_ICMP_L2_MAX)
		return false;
	if (v4) {
		struct iphdr *iph = data + l3;
		struct iphdr *orig = (void *)(iph + 1) + TG_ICMP_HLEN;
		__u8 *icmp = (void *)(iph + 1);

		if ((void *)(orig + 1) > data_end)
			return false;
		*(__u16 *)iph = bpf_htons(0x4500);
		iph->tot_len = bpf_htons(hlen + quote);
		iph->id = 0;
		iph->frag_off = 0;
		iph->ttl = TG_ICMP_TTL;
		iph->protocol = IPPROTO_ICMP;
		iph->check = 0;
		iph->saddr = e->local;
		iph->daddr = orig->saddr;
		iph->check = tg_csum_fold((__u64)((__u32 *)iph)[0] +
					  ((__u32 *)iph)[1] + ((__u32 *)iph)[2] +
					  ((__u32 *)iph)[3] + ((__u32 *)iph)[4]);
		icmp[0] = TG_ICMP_DEST_UNREACH;
		icmp[1] = TG_ICMP_FRAG_NEEDED;
		*(__u16 *)(icmp + 2) = 0;
		*(__u16 *)(icmp + 4) = 0;
		*(__be16 *)(icmp + 6) = bpf_htons(e->mtu);
	} else {
		struct ipv6hdr *ip6h = data + l3;
		struct ipv6hdr *orig = (void *)(ip6h + 1) + TG_ICMP_HLEN;
		__u8 *icmp = (void *)(ip6h + 1);
		__u32 *w;

		if ((void *)(orig + 1) > data_end)
			return false;
		*(__be32 *)ip6h = bpf_htonl(0x60000000);
		ip6h->payload_len = bpf_htons(TG_ICMP_HLEN + quote);
		ip6h->nexthdr = IPPROTO_ICMPV6;
		ip6h->hop_limit = TG_ICMP_TTL;
		/* From the address the datagram was for, to its sender. */
		ip6h->saddr = orig->daddr;
		ip6h->daddr = orig->saddr;
		icmp[0] = TG_ICMPV6_PKT_TOOBIG;
		icmp[1] = 0;
		*(__u16 *)(icmp + 2) = 0;
		*(__be32 *)(icmp + 4) = bpf_htonl(e->mtu);
		/* Pseudo header: addresses, upper-layer length, next header. */
		w = (__u32 *)&ip6h->saddr;
#pragma unroll
		for (i = 0; i < 8; i++)
			seed += w[i];
		/* Each term on its own: a 32-bit sum of two would lose a carry. */
		seed += (__u64)bpf_htonl(TG_ICMP_HLEN + quote);
		seed += (__u64)bpf_htonl(IPPROTO_ICMPV6);
		seed = (seed & 0xffffffff) + (seed >> 32);
		seed = (seed & 0xffffffff) + (seed >> 32);
	}
	return !tg_xdp_csum_fill(ctx, l3 + hlen - TG_ICMP_HLEN,
				 TG_ICMP_HLEN + quote, seed, TG_CSUM_AT_ICMP);
}

#endif /* TG_LIB_ICMP_H */
