/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ARP and IPv6 neighbour discovery inside Ethernet tunnels (gretap, EoIP,
 * L2TPv3): the subscriber's router asks for its gateway's address, and
 * the answer (tg_config.gw_mac) goes back inside the same tunnel, built in
 * place of the request, so that a stock peer needs no static neighbour
 * entry. Requests we do not answer go to the kernel untouched.
 */
#ifndef TG_LIB_NEIGH_H
#define TG_LIB_NEIGH_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include "tungate_maps.bpf.h"
#include "parse.h"
#include "csum_xdp.h"
#include "encap.h"
#include "tunnel.h"

#define TG_ARP_HLEN 28
#define TG_ARPHRD_ETHER 1
#define TG_ARPOP_REQUEST 1
#define TG_ARPOP_REPLY 2
#define TG_ND_NA 136
#define TG_ND_HOP_LIMIT 255
#define TG_ND_OPT_TLLA 2
/* NA: ICMPv6 header with flags, target, target link-layer address option. */
#define TG_NA_LEN (8 + 16 + 8)
/* Router, Solicited, Override. */
#define TG_NA_FLAGS 0xe0000000
#define TG_NEIGH_MAX_OFF 256

struct tg_arp {
	__be16 htype;
	__be16 ptype;
	__u8 hlen;
	__u8 plen;
	__be16 oper;
	__u8 sha[ETH_ALEN];
	__be32 spa;
	__u8 tha[ETH_ALEN];
	__be32 tpa;
} __attribute__((packed));

/* What the reply needs from the request, saved before it is overwritten. */
struct tg_neigh_req {
	__u8 l2[TG_ENC_L3_MAX];	/* outer Ethernet and VLAN tags */
	__u8 mac[ETH_ALEN];	/* requester: inner Ethernet source */
	__be32 spa, tpa;	/* ARP: sender, target */
	struct in6_addr src;	/* NS: source, target */
	struct in6_addr target;
};

/* An ARP request for another address than the sender's own. */
static __always_inline bool tg_arp_answerable(const struct tg_arp *a)
{
	return a->htype == bpf_htons(TG_ARPHRD_ETHER) &&
	       a->ptype == bpf_htons(ETH_P_IP) && a->hlen == ETH_ALEN &&
	       a->plen == 4 && a->oper == bpf_htons(TG_ARPOP_REQUEST) &&
	       a->spa && a->spa != a->tpa;
}

/* A neighbour solicitation from an address (DAD comes from ::). */
static __always_inline bool tg_ns_answerable(const struct ipv6hdr *ip6h,
					     const __u8 *icmp)
{
	const __u32 *s = (const __u32 *)&ip6h->saddr;

	return ip6h->nexthdr == IPPROTO_ICMPV6 &&
	       ip6h->hop_limit == TG_ND_HOP_LIMIT && icmp[0] == TG_ICMPV6_ND_NS &&
	       icmp[1] == 0 && (s[0] | s[1] | s[2] | s[3]) &&
	       /* The target is never multicast. */
	       icmp[8] != 0xff;
}

/*
 * Resize the frame to a reply of plen bytes of payload_proto inside
 * subscriber sub_id's tunnel (outer IPv4 at l3) and write the outer IPv4
 * and tunnel headers, inner Ethernet to the learnt peer address. Returns
 * the tunnel header length | (offset of a checksum still to fill) << 16,
 * or -1. A global function: verified once, for ARP and ND alike.
 */
__noinline int tg_xdp_neigh_encap(struct xdp_md *ctx, __u64 sub_id, __u64 l3,
				  __u64 plen, __u64 payload_proto)
{
	void *data, *data_end;
	struct tg_config *cfg;
	struct tg_encap *e;
	struct tg_peer *peer;
	struct tg_enc x;
	__u8 head[TG_ENC_L3_MAX];
	__u32 key = sub_id, zero = 0, len, cur;
	int csum;

	e = bpf_map_lookup_elem(&tg_encap, &key);
	peer = bpf_map_lookup_elem(&tg_peer, &key);
	cfg = bpf_map_lookup_elem(&tg_config, &zero);
	if (!e || !peer || !cfg || l3 > TG_ENC_L3_MAX || plen > 128)
		return -1;
	if (tg_encap_prepare(e, peer, cfg, payload_proto, plen, &x) !=
	    TG_CONTINUE)
		return -1;
	/* To whoever asked (just learnt), even when another is configured. */
	__builtin_memcpy(x.dmac, peer->mac, ETH_ALEN);
	len = l3 + sizeof(struct iphdr) + x.tun_len + plen;
	cur = bpf_xdp_get_buff_len(ctx);
	if (len > cur) {
		/*
		 * Grow at the head: XDP guarantees headroom, not tailroom
		 * (a veth frame taken over from an skb may have none). The
		 * outer Ethernet header and tags move along.
		 */
		if (bpf_xdp_load_bytes(ctx, 0, head, sizeof(head)) ||
		    bpf_xdp_adjust_head(ctx, (int)cur - (int)len) ||
		    bpf_xdp_store_bytes(ctx, 0, head, sizeof(head)))
			return -1;
	} else if (len < cur &&
		   bpf_xdp_adjust_tail(ctx, (int)len - (int)cur)) {
		return -1;
	}
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	csum = tg_encap_write(data, data_end, l3, e, peer, &x);
	if (csum < 0)
		return -1;
	return x.tun_len | csum << 16;
}

/*
 * Answer the ARP request or neighbour solicitation of subscriber sub_id
 * at frame offset off (the ARP / IPv6 header, untagged inner Ethernet
 * right before it; outer IPv4 at l3). kind: TG_NEIGH_*. Returns
 * NEIGH_REPLY when the frame now holds the answer (XDP_TX), CONTROL when
 * the request is left for the kernel. A global function: verified once,
 * apart from the decapsulation pipeline.
 */
__noinline int tg_xdp_neigh_reply(struct xdp_md *ctx, __u64 sub_id, __u64 off,
				  __u64 l3, __u64 kind)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 l2[2 * ETH_ALEN], mac[ETH_ALEN];
	/* The reply's payload, built here, then stored in the frame. */
	__u8 pl[sizeof(struct ipv6hdr) + TG_NA_LEN] = {};
	struct tg_config *cfg;
	struct tg_encap *e;
	struct tg_peer *peer;
	struct iphdr *oip;
	__u32 key = sub_id, zero = 0, len, plen;
	__u64 sum;
	__u8 *m;
	int ret, i;

	if (off > TG_NEIGH_MAX_OFF || off < ETH_HLEN || l3 > TG_ENC_L3_MAX)
		return TG_R_CONTROL;
	e = bpf_map_lookup_elem(&tg_encap, &key);
	peer = bpf_map_lookup_elem(&tg_peer, &key);
	cfg = bpf_map_lookup_elem(&tg_config, &zero);
	if (!e || !peer || !cfg || e->type == TG_TUN_NONE ||
	    tg_mac_zero(cfg->gw_mac))
		return TG_R_CONTROL;

	if ((void *)((__u8 *)data + sizeof(l2)) > data_end)
		return TG_R_CONTROL;
	__builtin_memcpy(l2, data, sizeof(l2));
	/*
	 * The verifier refuses negative constant offsets from a variable
	 * packet pointer: subtract from the offset, kept apart from data.
	 */
	len = off - ETH_HLEN + ETH_ALEN;
	asm volatile("" : "+r"(len));
	m = data + len;
	if ((void *)(m + ETH_ALEN) > data_end)
		return TG_R_CONTROL;
	__builtin_memcpy(mac, m, ETH_ALEN);

	m = data + off;
	if (kind == TG_NEIGH_ARP) {
		struct tg_arp *req = (void *)m, *a = (void *)pl;

		if ((void *)(req + 1) > data_end || !tg_arp_answerable(req))
			return TG_R_CONTROL;
		a->htype = bpf_htons(TG_ARPHRD_ETHER);
		a->ptype = bpf_htons(ETH_P_IP);
		a->hlen = ETH_ALEN;
		a->plen = 4;
		a->oper = bpf_htons(TG_ARPOP_REPLY);
		__builtin_memcpy(a->sha, cfg->gw_mac, ETH_ALEN);
		a->spa = req->tpa;
		__builtin_memcpy(a->tha, mac, ETH_ALEN);
		a->tpa = req->spa;
		plen = TG_ARP_HLEN;
	} else {
		struct ipv6hdr *req = (void *)m, *ip6h = (void *)pl;
		__u8 *icmp = (void *)(req + 1), *na = (__u8 *)(ip6h + 1);

		if ((void *)(icmp + 24) > data_end ||
		    !tg_ns_answerable(req, icmp))
			return TG_R_CONTROL;
		*(__be32 *)ip6h = bpf_htonl(0x60000000);
		ip6h->payload_len = bpf_htons(TG_NA_LEN);
		ip6h->nexthdr = IPPROTO_ICMPV6;
		ip6h->hop_limit = TG_ND_HOP_LIMIT;
		/* From the address asked about, to the asker. */
		__builtin_memcpy(&ip6h->saddr, icmp + 8, sizeof(ip6h->saddr));
		__builtin_memcpy(&ip6h->daddr, &req->saddr, sizeof(ip6h->daddr));
		na[0] = TG_ND_NA;
		*(__be32 *)(na + 4) = bpf_htonl(TG_NA_FLAGS);
		__builtin_memcpy(na + 8, icmp + 8, 16);
		na[24] = TG_ND_OPT_TLLA;
		na[25] = 1;		/* length in units of 8 bytes */
		__builtin_memcpy(na + 26, cfg->gw_mac, ETH_ALEN);
		/*
		 * Checksum over the pseudo header (addresses, length, next
		 * header: each term on its own, a 32-bit sum of two would
		 * lose a carry) and the message.
		 */
		sum = 0;
#pragma unroll
		for (i = 0; i < 8; i++)
			sum += ((__u32 *)&ip6h->saddr)[i];
		sum += (__u64)bpf_htonl(TG_NA_LEN);
		sum += (__u64)bpf_htonl(IPPROTO_ICMPV6);
#pragma unroll
		for (i = 0; i < TG_NA_LEN / 4; i++)
			sum += ((__u32 *)na)[i];
		*(__u16 *)(na + 2) = tg_csum_fold(sum);
		plen = sizeof(pl);
	}

	/* The asker's address and port: learnt, as from its data. */
	if (*(__u32 *)peer->mac != *(__u32 *)mac ||
	    *(__u16 *)(peer->mac + 4) != *(__u16 *)(mac + 4))
		__builtin_memcpy(peer->mac, mac, ETH_ALEN);
	oip = data + l3;
	if ((void *)(oip + 1) > data_end)
		return TG_R_CONTROL;
	if (oip->protocol == IPPROTO_UDP) {
		struct udphdr *uh = (void *)oip + (oip->ihl & 0xf) * 4;

		if ((void *)(uh + 1) > data_end)
			return TG_R_CONTROL;
		if (peer->udp_port != bpf_ntohs(uh->source))
			peer->udp_port = bpf_ntohs(uh->source);
	}

	ret = tg_xdp_neigh_encap(ctx, sub_id, l3, plen,
				 kind == TG_NEIGH_ARP ? ETH_P_ARP : ETH_P_IPV6);
	if (ret < 0)
		return TG_R_CONTROL;
	/* Outer tags and ethertype stay where they are; swap the addresses. */
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if ((void *)((__u8 *)data + 2 * ETH_ALEN) > data_end)
		return TG_R_INTERNAL;
	__builtin_memcpy(data, l2 + ETH_ALEN, ETH_ALEN);
	__builtin_memcpy((__u8 *)data + ETH_ALEN, l2, ETH_ALEN);
	off = l3 + sizeof(struct iphdr) + (ret & 0xffff);
	if (off > TG_NEIGH_MAX_OFF)
		return TG_R_INTERNAL;
	if (bpf_xdp_store_bytes(ctx, off, pl,
				kind == TG_NEIGH_ARP ? TG_ARP_HLEN : sizeof(pl)))
		return TG_R_INTERNAL;
	/* The tunnel's own checksum covers the payload: last. */
	ret >>= 16;
	if (!ret)
		return TG_R_NEIGH_REPLY;
	len = off + plen;
	if (e->type == TG_TUN_L2TPV3_UDP) {
		len -= ret - 6;
		ret = tg_xdp_csum_fill(ctx, ret - 6, len,
				       tg_udp4_pseudo(e, len), TG_CSUM_AT_UDP);
	} else {
		len -= ret - 4;
		ret = tg_xdp_csum_fill(ctx, ret - 4, len, 0, TG_CSUM_AT_GRE);
	}
	return ret ? TG_R_INTERNAL : TG_R_NEIGH_REPLY;
}

#endif /* TG_LIB_NEIGH_H */
