// SPDX-License-Identifier: GPL-2.0-only
/*
 * Benchmark references, run on the inner packet of a tunnel path: what a
 * router without tunnels spends on the same traffic.
 * tg_router_floor: a plain IP router in XDP, what the kernel's
 * samples/bpf/xdp_fwd does for every packet. Parse Ethernet and IPv4/IPv6,
 * bpf_fib_lookup, TTL / hop limit decrement (IPv4 checksum updated
 * incrementally), MAC rewrite, bpf_redirect_map into a devmap. The floor
 * the tunnel paths are compared to.
 * tg_fib_floor: the parse and the route lookup alone (XDP_PASS when it
 * finds a route).
 * tg_lookup_floor: the router floor plus what any concentrator must do at
 * least, find the subscriber a packet belongs to: one lookup in a hash
 * map of every subscriber (the map type of tg_tunnels) by the inner
 * source address (tg_floor_key_dst: the destination, toward the
 * subscribers), and its record's counters incremented. A packet of no
 * subscriber is dropped; hits and misses are counted for the benchmarks
 * to check.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "tungate_bench.h"

#ifndef AF_INET
#define AF_INET 2
#endif
#ifndef AF_INET6
#define AF_INET6 10
#endif

/* Egress ports by ifindex, filled by the benchmark (xdp_fwd's tx_port). */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
} tg_floor_ports SEC(".maps");

/* Subscribers by inner address; max_entries set by the benchmark. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, struct tg_floor_key);
	__type(value, struct tg_floor_sub);
} tg_floor_subs SEC(".maps");

/* tg_lookup_floor: key by the destination (set before each run). */
__u32 tg_floor_key_dst;
/* tg_lookup_floor's packets of a subscriber found, and of none. */
__u64 tg_floor_hits, tg_floor_misses;

/* RFC 1624 update for the TTL, the high byte of its 16-bit word. */
static __always_inline void ip4_decrease_ttl(struct iphdr *iph)
{
	__u32 check = iph->check;

	check += bpf_htons(0x0100);
	iph->check = (__u16)(check + (check >= 0xffff));
	iph->ttl--;
}

/*
 * The route lookup's parameters for the IP packet behind eth, as xdp_fwd
 * takes them: *iph or *ip6h set to its header. 0, or -1 when it is not a
 * packet to forward (not IP, truncated, TTL expiring).
 */
static __always_inline int floor_parse(struct xdp_md *ctx,
				       struct bpf_fib_lookup *fib,
				       struct iphdr **iph,
				       struct ipv6hdr **ip6h)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct ipv6hdr *h6;
	struct iphdr *h4;

	if ((void *)(eth + 1) > data_end)
		return -1;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		h4 = (void *)(eth + 1);
		if ((void *)(h4 + 1) > data_end || h4->ttl <= 1)
			return -1;
		fib->family = AF_INET;
		fib->tos = h4->tos;
		fib->l4_protocol = h4->protocol;
		fib->tot_len = bpf_ntohs(h4->tot_len);
		fib->ipv4_src = h4->saddr;
		fib->ipv4_dst = h4->daddr;
		*iph = h4;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		h6 = (void *)(eth + 1);
		if ((void *)(h6 + 1) > data_end || h6->hop_limit <= 1)
			return -1;
		fib->family = AF_INET6;
		fib->flowinfo = *(__be32 *)h6 & bpf_htonl(0x0fffffff);
		fib->l4_protocol = h6->nexthdr;
		fib->tot_len = bpf_ntohs(h6->payload_len);
		__builtin_memcpy(fib->ipv6_src, &h6->saddr, 16);
		__builtin_memcpy(fib->ipv6_dst, &h6->daddr, 16);
		*ip6h = h6;
	} else {
		return -1;
	}
	fib->ifindex = ctx->ingress_ifindex;
	return 0;
}

/* Route lookup: BPF_FIB_LKUP_RET_*, or -1 (see floor_parse). */
static __always_inline int floor_lookup(struct xdp_md *ctx,
					struct bpf_fib_lookup *fib,
					struct iphdr **iph,
					struct ipv6hdr **ip6h)
{
	if (floor_parse(ctx, fib, iph, ip6h))
		return -1;
	return bpf_fib_lookup(ctx, fib, sizeof(*fib), 0);
}

/* TTL, MACs and redirect of a routed packet (fib looked up). */
static __always_inline int floor_forward(struct xdp_md *ctx,
					 struct bpf_fib_lookup *fib,
					 struct iphdr *iph,
					 struct ipv6hdr *ip6h)
{
	struct ethhdr *eth;

	/* Only to ports in the devmap, as xdp_fwd checks its tx_port. */
	if (!bpf_map_lookup_elem(&tg_floor_ports, &fib->ifindex))
		return XDP_PASS;
	if (iph)
		ip4_decrease_ttl(iph);
	else if (ip6h)
		ip6h->hop_limit--;
	eth = (void *)(long)ctx->data;
	if ((void *)(eth + 1) > (void *)(long)ctx->data_end)
		return XDP_DROP;
	__builtin_memcpy(eth->h_dest, fib->dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, fib->smac, ETH_ALEN);
	return bpf_redirect_map(&tg_floor_ports, fib->ifindex, 0);
}

SEC("xdp")
int tg_router_floor(struct xdp_md *ctx)
{
	struct bpf_fib_lookup fib = {};
	struct ipv6hdr *ip6h = NULL;
	struct iphdr *iph = NULL;

	if (floor_lookup(ctx, &fib, &iph, &ip6h) != BPF_FIB_LKUP_RET_SUCCESS)
		return XDP_PASS;
	return floor_forward(ctx, &fib, iph, ip6h);
}

SEC("xdp")
int tg_lookup_floor(struct xdp_md *ctx)
{
	struct bpf_fib_lookup fib = {};
	struct ipv6hdr *ip6h = NULL;
	struct iphdr *iph = NULL;
	struct tg_floor_key key;
	struct tg_floor_sub *sub;

	if (floor_parse(ctx, &fib, &iph, &ip6h))
		return XDP_PASS;
	/* The subscriber first, as a concentrator finds it. */
	if (iph)
		tg_floor_key4(&key, tg_floor_key_dst ? iph->daddr : iph->saddr);
	else if (ip6h)
		__builtin_memcpy(key.addr, tg_floor_key_dst ? &ip6h->daddr :
							      &ip6h->saddr, 16);
	else
		return XDP_PASS;
	sub = bpf_map_lookup_elem(&tg_floor_subs, &key);
	if (!sub) {
		tg_floor_misses++;
		return XDP_DROP;
	}
	tg_floor_hits++;
	sub->packets++;
	sub->bytes += fib.tot_len;
	if (bpf_fib_lookup(ctx, &fib, sizeof(fib), 0) !=
	    BPF_FIB_LKUP_RET_SUCCESS)
		return XDP_PASS;
	return floor_forward(ctx, &fib, iph, ip6h);
}

SEC("xdp")
int tg_fib_floor(struct xdp_md *ctx)
{
	struct bpf_fib_lookup fib = {};
	struct ipv6hdr *ip6h = NULL;
	struct iphdr *iph = NULL;

	return floor_lookup(ctx, &fib, &iph, &ip6h) ==
			       BPF_FIB_LKUP_RET_SUCCESS ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
