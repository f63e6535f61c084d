// SPDX-License-Identifier: GPL-2.0-only
/*
 * Benchmark reference: nothing but the route lookup that every forwarded
 * packet needs (bpf_fib_lookup on an untunnelled IPv4/IPv6 UDP frame, with
 * the parameters the data plane passes). Its cost relative to XDP_PASS is
 * the floor under every forwarding path's ratio.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#ifndef AF_INET
#define AF_INET 2
#endif
#ifndef AF_INET6
#define AF_INET6 10
#endif

SEC("xdp")
int tg_fib_floor(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct bpf_fib_lookup fib = {};
	struct ethhdr *eth = data;
	struct udphdr *uh;

	if ((void *)(eth + 1) > data_end)
		return XDP_ABORTED;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = (void *)(eth + 1);

		uh = (void *)(iph + 1);
		if ((void *)(uh + 1) > data_end)
			return XDP_ABORTED;
		fib.family = AF_INET;
		fib.tos = iph->tos;
		fib.tot_len = bpf_ntohs(iph->tot_len);
		fib.ipv4_src = iph->saddr;
		fib.ipv4_dst = iph->daddr;
	} else {
		struct ipv6hdr *ip6h = (void *)(eth + 1);

		uh = (void *)(ip6h + 1);
		if ((void *)(uh + 1) > data_end)
			return XDP_ABORTED;
		fib.family = AF_INET6;
		fib.tot_len = sizeof(*ip6h) + bpf_ntohs(ip6h->payload_len);
		__builtin_memcpy(fib.ipv6_src, &ip6h->saddr, 16);
		__builtin_memcpy(fib.ipv6_dst, &ip6h->daddr, 16);
	}
	fib.l4_protocol = IPPROTO_UDP;
	fib.sport = uh->source;
	fib.dport = uh->dest;
	fib.ifindex = ctx->ingress_ifindex;
	return bpf_fib_lookup(ctx, &fib, sizeof(fib), 0) ==
			       BPF_FIB_LKUP_RET_SUCCESS ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
