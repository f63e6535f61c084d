/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Forwarding of a decapsulated packet: TTL, route lookup, egress check,
 * TTL decrement and MAC rewrite. Works on data/data_end; the hook
 * context is only handed through to bpf_fib_lookup(), which takes both
 * xdp_md and __sk_buff.
 */
#ifndef TG_LIB_FORWARD_H
#define TG_LIB_FORWARD_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include "tungate_maps.bpf.h"
#include "parse.h"
#include "ip.h"
#include "csum.h"

#ifndef AF_INET
#define AF_INET 2
#endif
#ifndef AF_INET6
#define AF_INET6 10
#endif

/* Traffic class and flow label of the first IPv6 word, network order. */
#define TG_IPV6_FLOWINFO_MASK bpf_htonl(0x0fffffff)

static __always_inline int tg_fib_reason(int rc)
{
	switch (rc) {
	case BPF_FIB_LKUP_RET_NO_NEIGH:
		return TG_R_FIB_NO_NEIGH;
	case BPF_FIB_LKUP_RET_BLACKHOLE:
		return TG_R_FIB_BLACKHOLE;
	case BPF_FIB_LKUP_RET_UNREACHABLE:
		return TG_R_FIB_UNREACHABLE;
	case BPF_FIB_LKUP_RET_PROHIBIT:
		return TG_R_FIB_PROHIBIT;
	case BPF_FIB_LKUP_RET_NOT_FWDED:
		return TG_R_FIB_NOT_FWDED;
	case BPF_FIB_LKUP_RET_FWD_DISABLED:
		return TG_R_FIB_FWD_DISABLED;
	case BPF_FIB_LKUP_RET_FRAG_NEEDED:
		return TG_R_FIB_FRAG_NEEDED;
	}
	return TG_R_FIB_OTHER;
}

/* TCP/UDP ports for the multipath hash; left 0 when not there. */
static __always_inline void tg_fib_ports(struct bpf_fib_lookup *fib, void *l4,
					 void *data_end)
{
	__be16 *ports = l4;

	if (fib->l4_protocol != IPPROTO_TCP && fib->l4_protocol != IPPROTO_UDP)
		return;
	if ((void *)(ports + 2) > data_end)
		return;
	fib->sport = ports[0];
	fib->dport = ports[1];
}

/*
 * Route lookup for the filled-in fib; on success the egress must be a port
 * we manage: then the Ethernet addresses are rewritten and *egress set.
 */
static __always_inline int tg_fib_egress(void *ctx, struct bpf_fib_lookup *fib,
					 struct ethhdr *eth, __u32 *egress)
{
	int rc;

	rc = bpf_fib_lookup(ctx, fib, sizeof(*fib), 0);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		return tg_fib_reason(rc);
	/* Redirect only to ports we manage; the rest goes via the stack. */
	if (!bpf_map_lookup_elem(&tg_ports, &fib->ifindex))
		return TG_R_EGRESS_UNMANAGED;
	__builtin_memcpy(eth->h_dest, fib->dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, fib->smac, ETH_ALEN);
	*egress = fib->ifindex;
	return TG_R_OK;
}

/*
 * Route the decapsulated packet at data (Ethernet + inner IP, as left by
 * tg_decap). Returns TG_R_OK with *egress set when the caller is to
 * redirect to *egress (ctx_redirect_port()), else the reason not to.
 */
static __always_inline int tg_forward(void *ctx, void *data, void *data_end,
				      __u32 ingress_ifindex, __u32 *egress)
{
	struct ethhdr *eth = data;
	struct bpf_fib_lookup fib = {};
	struct ipv6hdr *ip6h = NULL;
	struct iphdr *iph = NULL;
	int rc;

	if ((void *)(eth + 1) > data_end)
		return TG_R_INTERNAL;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		iph = (void *)(eth + 1);
		if ((void *)(iph + 1) > data_end)
			return TG_R_INTERNAL;
		/* Left for the kernel to answer with ICMP time exceeded. */
		if (iph->ttl <= 1)
			return TG_R_TTL_EXPIRED;
		fib.family = AF_INET;
		fib.tos = iph->tos;
		fib.l4_protocol = iph->protocol;
		fib.tot_len = bpf_ntohs(iph->tot_len);
		fib.ipv4_src = iph->saddr;
		fib.ipv4_dst = iph->daddr;
		/* Only a first fragment (or none) carries the ports. */
		if (!(iph->frag_off & bpf_htons(TG_IP_OFFSET)) &&
		    !(iph->frag_off & bpf_htons(TG_IP_MF)))
			tg_fib_ports(&fib, (void *)iph + iph->ihl * 4, data_end);
	} else {
		ip6h = (void *)(eth + 1);
		if ((void *)(ip6h + 1) > data_end)
			return TG_R_INTERNAL;
		if (ip6h->hop_limit <= 1)
			return TG_R_TTL_EXPIRED;
		fib.family = AF_INET6;
		fib.flowinfo = *(__be32 *)ip6h & TG_IPV6_FLOWINFO_MASK;
		fib.l4_protocol = ip6h->nexthdr;
		fib.tot_len = sizeof(*ip6h) + bpf_ntohs(ip6h->payload_len);
		__builtin_memcpy(fib.ipv6_src, &ip6h->saddr, sizeof(fib.ipv6_src));
		__builtin_memcpy(fib.ipv6_dst, &ip6h->daddr, sizeof(fib.ipv6_dst));
		tg_fib_ports(&fib, ip6h + 1, data_end);
	}
	fib.ifindex = ingress_ifindex;

	rc = tg_fib_egress(ctx, &fib, eth, egress);
	if (rc != TG_R_OK)
		return rc;
	if (iph)
		tg_ip4_decrease_ttl(iph);
	else if (ip6h)
		ip6h->hop_limit--;
	return TG_R_OK;
}

/*
 * The route lookup of an encapsulated packet at data (Ethernet + outer
 * IPv4 as written by tg_encap_write()), by its outer destination.
 * TG_CONTINUE or INTERNAL.
 */
static __always_inline int tg_fib_outer_fill(struct bpf_fib_lookup *fib,
					     void *data, void *data_end,
					     __u32 ingress_ifindex)
{
	struct iphdr *iph = data + ETH_HLEN;

	if ((void *)(iph + 1) > data_end)
		return TG_R_INTERNAL;
	fib->family = AF_INET;
	fib->l4_protocol = iph->protocol;
	fib->tot_len = bpf_ntohs(iph->tot_len);
	fib->ipv4_src = iph->saddr;
	fib->ipv4_dst = iph->daddr;
	if (iph->protocol == IPPROTO_UDP)
		tg_fib_ports(fib, iph + 1, data_end);
	fib->ifindex = ingress_ifindex;
	return TG_CONTINUE;
}

/*
 * Route an encapsulated packet at data by its outer destination. Same
 * result as tg_forward(); the outer TTL is ours, fresh, and not
 * decremented.
 */
static __always_inline int tg_forward_outer(void *ctx, void *data,
					    void *data_end,
					    __u32 ingress_ifindex,
					    __u32 *egress)
{
	struct bpf_fib_lookup fib = {};
	int rc;

	rc = tg_fib_outer_fill(&fib, data, data_end, ingress_ifindex);
	if (rc != TG_CONTINUE)
		return rc;
	return tg_fib_egress(ctx, &fib, data, egress);
}

/* Decrement the TTL / hop limit of the IP header at data + off. */
static __always_inline int tg_ip_decrease_ttl(void *data, void *data_end,
					      __u32 off, __u16 proto)
{
	if (off > 64)
		return TG_R_INTERNAL;
	if (proto == ETH_P_IP) {
		struct iphdr *iph = data + tg_bound(off, 64);

		if ((void *)(iph + 1) > data_end)
			return TG_R_INTERNAL;
		tg_ip4_decrease_ttl(iph);
	} else {
		struct ipv6hdr *ip6h = data + tg_bound(off, 64);

		if ((void *)(ip6h + 1) > data_end)
			return TG_R_INTERNAL;
		ip6h->hop_limit--;
	}
	return TG_CONTINUE;
}

#endif /* TG_LIB_FORWARD_H */
