/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * TCP MSS clamping: a SYN or SYN-ACK whose MSS option is larger than the
 * tunnel can carry gets the largest MSS that fits, with the TCP checksum
 * updated incrementally (RFC 1624), so neither end sends segments that
 * would need fragmenting or an ICMP round trip.
 */
#ifndef TG_LIB_MSS_H
#define TG_LIB_MSS_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include "ctx/ctx.h"
#include "parse.h"
#include "ip.h"

#define TG_TCPOPT_EOL 0
#define TG_TCPOPT_NOP 1
#define TG_TCPOPT_MSS 2
#define TG_TCPOLEN_MSS 4
/* Options walked before giving up (a SYN carries about six). */
#define TG_TCPOPT_MAX 12
/* IP + TCP headers without options, per family. */
#define TG_MSS_OVERHEAD4 40
#define TG_MSS_OVERHEAD6 60
/* Offsets of an IP header in the frame, at most (Ethernet, two tags). */
#define TG_MSS_L3_MAX 64

/*
 * Clamp the MSS of the TCP SYN in the IP datagram at data + l3_off
 * (proto ETH_P_IP / ETH_P_IPV6, host order) for a tunnel of inner MTU
 * mtu. Anything else (not TCP, not a SYN, a fragment, IPv6 extension
 * headers, no MSS option, a smaller MSS) is left alone.
 */
static __always_inline void tg_mss_clamp(void *data, void *data_end,
					 __u32 l3_off, __u16 proto, __u16 mtu)
{
	struct tcphdr *th;
	__u16 limit, mss;
	__u32 csum;
	__u8 *opt, *end;
	int i;

	if (l3_off > TG_MSS_L3_MAX)
		return;
	if (proto == ETH_P_IP) {
		struct iphdr *iph = data + tg_bound(l3_off, TG_MSS_L3_MAX);

		if ((void *)(iph + 1) > data_end || iph->protocol != IPPROTO_TCP)
			return;
		/* Only the first fragment has the TCP header; then ihl. */
		if (iph->frag_off & bpf_htons(TG_IP_OFFSET))
			return;
		th = (void *)iph + (iph->ihl & 0xf) * 4;
		limit = mtu - TG_MSS_OVERHEAD4;
	} else {
		struct ipv6hdr *ip6h = data + tg_bound(l3_off, TG_MSS_L3_MAX);

		if ((void *)(ip6h + 1) > data_end ||
		    ip6h->nexthdr != IPPROTO_TCP)
			return;
		th = (void *)(ip6h + 1);
		limit = mtu - TG_MSS_OVERHEAD6;
	}
	if ((void *)(th + 1) > data_end || !th->syn)
		return;
	if (mtu <= TG_MSS_OVERHEAD6)
		return;

	opt = (void *)(th + 1);
	end = (void *)th + th->doff * 4;
#pragma unroll
	for (i = 0; i < TG_TCPOPT_MAX; i++) {
		if ((void *)(opt + 1) > data_end || opt + 1 > end)
			return;
		if (opt[0] == TG_TCPOPT_EOL)
			return;
		if (opt[0] == TG_TCPOPT_NOP) {
			opt++;
			continue;
		}
		if ((void *)(opt + 2) > data_end || opt + 2 > end || opt[1] < 2)
			return;
		if (opt[0] == TG_TCPOPT_MSS)
			break;
		opt += opt[1];
	}
	if (i == TG_TCPOPT_MAX || opt[1] != TG_TCPOLEN_MSS ||
	    (void *)(opt + TG_TCPOLEN_MSS) > data_end ||
	    opt + TG_TCPOLEN_MSS > end)
		return;
	mss = opt[2] << 8 | opt[3];
	if (mss <= limit)
		return;
	/* RFC 1624: HC' = ~(~HC + ~m + m'), 16-bit words in wire order. */
	csum = (__u16)~th->check;
	csum += (__u16)~*(__u16 *)(opt + 2);
	opt[2] = limit >> 8;
	opt[3] = limit & 0xff;
	csum += *(__u16 *)(opt + 2);
	csum = (csum & 0xffff) + (csum >> 16);
	csum = (csum & 0xffff) + (csum >> 16);
	th->check = (__u16)~csum;
}

/*
 * tg_mss_clamp() on the frame of ctx, a global function: the verifier
 * walks the option loop once on its own instead of once for every state
 * of the caller.
 */
__noinline int tg_ctx_mss_clamp(struct __ctx_buff *ctx, __u64 l3_off,
				__u64 proto, __u64 mtu)
{
	void *data = ctx_data(ctx);
	void *data_end = ctx_data_end(ctx);

	tg_mss_clamp(data, data_end, l3_off, proto, mtu);
	return 0;
}

#endif /* TG_LIB_MSS_H */
