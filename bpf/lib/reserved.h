/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Destinations no subscriber's packet may be forwarded to, as a BNG
 * drops them: IPv4 "this network" (0.0.0.0/8), link-local
 * (169.254.0.0/16), multicast (224.0.0.0/4), reserved and the limited
 * broadcast (240.0.0.0/4); IPv6 unspecified (::) and IPv4-mapped
 * (::ffff:0:0/96). What is addressed to the concentrator itself is not
 * among them: that still goes to its kernel.
 */
#ifndef TG_LIB_RESERVED_H
#define TG_LIB_RESERVED_H

#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include "parse.h"

/*
 * TG_R_RESERVED_DST when the inner datagram at ip (proto ETH_P_IP or
 * ETH_P_IPV6, its header checked by the parser) goes to such an address,
 * else TG_CONTINUE.
 */
static __always_inline int tg_reserved_dst(void *ip, void *data_end,
					   __u16 proto)
{
	if (proto == ETH_P_IP) {
		struct iphdr *iph = ip;
		__u32 d;

		if ((void *)(iph + 1) > data_end)
			return TG_R_INTERNAL;
		d = bpf_ntohl(iph->daddr);
		if (!(d >> 24) || d >> 28 >= 0xe || d >> 16 == 0xa9fe)
			return TG_R_RESERVED_DST;
	} else {
		struct ipv6hdr *ip6h = ip;
		__u32 *d;

		if ((void *)(ip6h + 1) > data_end)
			return TG_R_INTERNAL;
		d = (__u32 *)&ip6h->daddr;
		if (!d[0] && !d[1] &&
		    (d[2] == bpf_htonl(0xffff) || (!d[2] && !d[3])))
			return TG_R_RESERVED_DST;
	}
	return TG_CONTINUE;
}

#endif /* TG_LIB_RESERVED_H */
