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
#include "ctx/ctx.h"
#include "csum.h"
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
 * A reply being built: the request's outer Ethernet addresses and the
 * payload (an ARP reply or a neighbour advertisement).
 */
struct tg_neigh_ans {
	__u8 l2[2 * ETH_ALEN];	/* outer destination and source of the request */
	__u8 pl[sizeof(struct ipv6hdr) + TG_NA_LEN];
	__u32 plen;		/* bytes of pl in use */
	__u16 proto;		/* ETH_P_ARP or ETH_P_IPV6 */
};

/*
 * Where the reply is built, per CPU; private to each loaded copy. Off the
 * stack: the reply's global function calls the encapsulating one, and the
 * three frames with the program's own must fit in 512 bytes, counted in
 * 32-byte steps.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct tg_neigh_ans);
	__uint(max_entries, 1);
} tg_neigh_scratch SEC(".maps");

/* The reply buffer of this CPU, cleared; NULL only if the map is broken. */
static __always_inline struct tg_neigh_ans *tg_neigh_ans_get(void)
{
	__u32 zero = 0;
	struct tg_neigh_ans *a;

	a = bpf_map_lookup_elem(&tg_neigh_scratch, &zero);
	if (a)
		__builtin_memset(a, 0, sizeof(*a));
	return a;
}

/*
 * The hook-neutral half of an answer: check the ARP request or neighbour
 * solicitation of the subscriber of claim at frame offset off (untagged inner
 * Ethernet right before it; outer IPv4 at l3; kind TG_NEIGH_*), build the
 * reply's payload in a, its tunnel in *ep, and learn the asker's MAC
 * address and UDP port. TG_CONTINUE, or CONTROL when the request is left
 * for the kernel.
 */
static __always_inline int tg_neigh_answer(void *data, void *data_end,
					   __u32 claim, __u64 off, __u64 l3,
					   __u64 kind, struct tg_neigh_ans *a,
					   const struct tg_encap **ep)
{
	__u8 mac[ETH_ALEN];
	struct tg_config *cfg;
	struct tg_encap *e;
	struct tg_peer *peer;
	struct iphdr *oip;
	__u32 key = TG_CLAIM_ID_OF(claim), zero = 0, len;
	__u64 sum;
	__u8 *m;
	int i;

	if (off > TG_NEIGH_MAX_OFF || off < ETH_HLEN || l3 > TG_ENC_L3_MAX)
		return TG_R_CONTROL;
	e = tg_encap_at(claim, &key);
	peer = bpf_map_lookup_elem(&tg_peer, &key);
	cfg = bpf_map_lookup_elem(&tg_config, &zero);
	if (!e || !peer || !cfg || e->type == TG_TUN_NONE ||
	    tg_mac_zero(cfg->gw_mac))
		return TG_R_CONTROL;
	*ep = e;

	if ((void *)((__u8 *)data + sizeof(a->l2)) > data_end)
		return TG_R_CONTROL;
	__builtin_memcpy(a->l2, data, sizeof(a->l2));
	/*
	 * The verifier refuses negative constant offsets from a variable
	 * packet pointer: subtract from the offset, kept apart from data.
	 */
	len = off - ETH_HLEN + ETH_ALEN;
	m = data + tg_bound(len, TG_NEIGH_MAX_OFF);
	if ((void *)(m + ETH_ALEN) > data_end)
		return TG_R_CONTROL;
	__builtin_memcpy(mac, m, ETH_ALEN);

	m = data + tg_bound(off, TG_NEIGH_MAX_OFF);
	if (kind == TG_NEIGH_ARP) {
		struct tg_arp *req = (void *)m, *r = (void *)a->pl;

		if ((void *)(req + 1) > data_end || !tg_arp_answerable(req))
			return TG_R_CONTROL;
		r->htype = bpf_htons(TG_ARPHRD_ETHER);
		r->ptype = bpf_htons(ETH_P_IP);
		r->hlen = ETH_ALEN;
		r->plen = 4;
		r->oper = bpf_htons(TG_ARPOP_REPLY);
		__builtin_memcpy(r->sha, cfg->gw_mac, ETH_ALEN);
		r->spa = req->tpa;
		__builtin_memcpy(r->tha, mac, ETH_ALEN);
		r->tpa = req->spa;
		a->plen = TG_ARP_HLEN;
		a->proto = ETH_P_ARP;
	} else {
		struct ipv6hdr *req = (void *)m, *ip6h = (void *)a->pl;
		__u8 *icmp = (void *)(req + 1), *na = (__u8 *)(ip6h + 1);

		if ((void *)(icmp + 24) > data_end ||
		    !tg_ns_answerable(req, icmp))
			return TG_R_CONTROL;
		*(__be32 *)ip6h = bpf_htonl(0x60000000);
		ip6h->payload_len = bpf_htons(TG_NA_LEN);
		ip6h->nexthdr = IPPROTO_ICMPV6;
		ip6h->hop_limit = TG_ND_HOP_LIMIT;
		/*
		 * From the address asked about (also the advertised target),
		 * to the asker. Word by word: bytes would take a register
		 * each, and their spills the stack the call chain needs.
		 */
#pragma unroll
		for (i = 0; i < 4; i++)
			((__u32 *)&ip6h->saddr)[i] = ((__u32 *)(na + 8))[i] =
				((const __u32 *)(icmp + 8))[i];
		__builtin_memcpy(&ip6h->daddr, &req->saddr, sizeof(ip6h->daddr));
		na[0] = TG_ND_NA;
		*(__be32 *)(na + 4) = bpf_htonl(TG_NA_FLAGS);
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
		a->plen = sizeof(a->pl);
		a->proto = ETH_P_IPV6;
	}

	/* The asker's address and port: learnt, as from its data. */
	if (*(__u32 *)peer->mac != *(__u32 *)mac ||
	    *(__u16 *)(peer->mac + 4) != *(__u16 *)(mac + 4))
		__builtin_memcpy(peer->mac, mac, ETH_ALEN);
	oip = data + tg_bound(l3, TG_ENC_L3_MAX);
	if ((void *)(oip + 1) > data_end)
		return TG_R_CONTROL;
	if (oip->protocol == IPPROTO_UDP) {
		struct udphdr *uh = (void *)oip + (oip->ihl & 0xf) * 4;

		if ((void *)(uh + 1) > data_end)
			return TG_R_CONTROL;
		if (peer->udp_port != bpf_ntohs(uh->source))
			peer->udp_port = bpf_ntohs(uh->source);
	}
	return TG_CONTINUE;
}

/*
 * Look up what the reply of plen bytes of payload_proto to the subscriber
 * of claim (outer IPv4 at l3) needs and prepare its tunnel headers into x:
 * to whoever asked (just learnt), even when another MAC is configured.
 * The length the frame must have, or 0 on failure.
 */
static __always_inline __u32 tg_neigh_prepare(__u32 claim, __u64 l3,
					      __u64 plen, __u64 payload_proto,
					      struct tg_enc *x,
					      struct tg_encap **ep,
					      struct tg_peer **peerp)
{
	struct tg_config *cfg;
	struct tg_encap *e;
	struct tg_peer *peer;
	__u32 key = TG_CLAIM_ID_OF(claim), zero = 0;

	e = tg_encap_at(claim, &key);
	peer = bpf_map_lookup_elem(&tg_peer, &key);
	cfg = bpf_map_lookup_elem(&tg_config, &zero);
	if (!e || !peer || !cfg || l3 > TG_ENC_L3_MAX || plen > 128)
		return 0;
	if (tg_encap_prepare(e, peer, cfg, payload_proto, plen, x) !=
	    TG_CONTINUE)
		return 0;
	__builtin_memcpy(x->dmac, peer->mac, ETH_ALEN);
	*ep = e;
	*peerp = peer;
	return l3 + sizeof(struct iphdr) + x->tun_len + plen;
}

/*
 * The last writes of a reply whose tunnel headers are in place (enc: the
 * tunnel header length | the frame offset of a checksum still to fill
 * << 16, from tg_neigh_encap()): the outer Ethernet addresses swapped
 * (tags and ethertype stay). Returns the frame offset of the payload,
 * where the caller stores a->pl, then fills the tunnel's checksum c over
 * it when c->len (it covers the payload: last); -1 when out of bounds.
 */
static __always_inline int tg_neigh_finish(void *data, void *data_end,
					   __u64 l3, __u32 enc,
					   const struct tg_neigh_ans *a,
					   const struct tg_encap *e,
					   struct tg_enc_csum *c)
{
	__u32 off = l3 + sizeof(struct iphdr) + (enc & 0xffff);
	__u32 csum = enc >> 16, end = off + a->plen;

	if ((void *)((__u8 *)data + 2 * ETH_ALEN) > data_end ||
	    off > TG_NEIGH_MAX_OFF)
		return -1;
	__builtin_memcpy(data, a->l2 + ETH_ALEN, ETH_ALEN);
	__builtin_memcpy((__u8 *)data + ETH_ALEN, a->l2, ETH_ALEN);
	c->len = 0;
	if (!csum)
		return off;
	/* The field is 6 bytes into UDP, 4 into GRE. */
	if (e->type == TG_TUN_L2TPV3_UDP) {
		c->start = csum - 6;
		c->len = end - c->start;
		c->seed = tg_udp4_pseudo(e, c->len);
		c->how = TG_CSUM_AT_UDP;
	} else {
		c->start = csum - 4;
		c->len = end - c->start;
		c->seed = 0;
		c->how = TG_CSUM_AT_GRE;
	}
	return off;
}

/* ctx_resize() keeps the outer Ethernet header and tags in place. */
_Static_assert(TG_ENC_L3_MAX <= CTX_L2_MAX, "ctx_resize() keeps the L2 header");

/*
 * Resize the frame to a reply of plen bytes of payload_proto inside the
 * tunnel of the subscriber of claim (outer IPv4 at l3) and write the outer
 * IPv4 and tunnel headers, inner Ethernet to the learnt peer address. Returns
 * the tunnel header length | (offset of a checksum still to fill) << 16,
 * or -1. A global function: verified once, for ARP and ND alike.
 */
__noinline int tg_neigh_encap(struct __ctx_buff *ctx, __u64 claim, __u64 l3,
			      __u64 plen, __u64 payload_proto)
{
	void *data, *data_end;
	struct tg_encap *e = NULL;
	struct tg_peer *peer = NULL;
	struct tg_enc x;
	__u32 len;
	int csum;

	len = tg_neigh_prepare(claim, l3, plen, payload_proto, &x, &e, &peer);
	if (!len || !e || !peer)
		return -1;
	if (ctx_resize(ctx, len))
		return -1;
	data = ctx_data(ctx);
	data_end = ctx_data_end(ctx);
	csum = tg_encap_write(data, data_end, l3, e, peer, &x);
	if (csum < 0)
		return -1;
	return x.tun_len | csum << 16;
}

/*
 * Answer the ARP request or neighbour solicitation of the subscriber of
 * claim (the tunnel's, in force) at frame offset off (the ARP / IPv6
 * header, untagged inner Ethernet right before it; outer IPv4 at l3).
 * kind: TG_NEIGH_*. Returns NEIGH_REPLY when the frame now holds the
 * answer (the caller sends it back: ctx_tx()), CONTROL when the request
 * is left for the kernel. A global function: verified once, apart from
 * the decapsulation pipeline.
 */
__noinline int tg_neigh_reply(struct __ctx_buff *ctx, __u64 claim, __u64 off,
			      __u64 l3, __u64 kind)
{
	void *data = ctx_data(ctx);
	void *data_end = ctx_data_end(ctx);
	const struct tg_encap *e = NULL;
	struct tg_neigh_ans *a = tg_neigh_ans_get();
	struct tg_enc_csum c = {};
	int ret, pos;

	if (!a)
		return TG_R_INTERNAL;
	ret = tg_neigh_answer(data, data_end, claim, off, l3, kind, a, &e);
	if (ret != TG_CONTINUE)
		return ret;
	if (!e)
		return TG_R_CONTROL;
	ret = tg_neigh_encap(ctx, claim, l3, a->plen, a->proto);
	if (ret < 0)
		return TG_R_CONTROL;
	data = ctx_data(ctx);
	data_end = ctx_data_end(ctx);
	pos = tg_neigh_finish(data, data_end, l3, ret, a, e, &c);
	if (pos < 0 ||
	    ctx_store_bytes(ctx, pos, a->pl, a->proto == ETH_P_ARP ?
					TG_ARP_HLEN : sizeof(a->pl)) ||
	    (c.len && tg_ctx_csum_fill(ctx, c.start, c.len, c.seed, c.how)))
		return TG_R_INTERNAL;
	return TG_R_NEIGH_REPLY;
}

#endif /* TG_LIB_NEIGH_H */
