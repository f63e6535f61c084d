/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Encapsulation toward a subscriber, every tunnel type: what the headers
 * will be (tg_encap_prepare), then writing them in front of a payload that
 * already sits at its final place (tg_encap_write), both on data/data_end;
 * tg_encapsulate() does the whole on the hook's context, moving the head in
 * between (ctx_encap_head()).
 *
 * Frame after encapsulation:
 *   Ethernet (14) | outer IPv4 (20) | tunnel header | [inner Ethernet (14)]
 *   | payload (IPv4/IPv6 datagram, or ARP / ND inside Ethernet tunnels)
 */
#ifndef TG_LIB_ENCAP_H
#define TG_LIB_ENCAP_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include "tungate_maps.bpf.h"
#include "parse.h"
#include "csum.h"
#include "ip.h"
#include "gre.h"
#include "l2tp.h"
#include "ppp.h"
#include "ctx/ctx.h"

#define TG_TTL_DEFAULT 64
#define TG_L2SPEC_LEN 4

/* Headers to write, from tg_encap_prepare(). */
struct tg_enc {
	__u32 tun_len;		/* tunnel header bytes after the outer IPv4 */
	__u32 payload_len;	/* bytes after the tunnel header */
	__u16 payload_proto;	/* ETH_P_IP, ETH_P_IPV6 or ETH_P_ARP, host */
	__u16 dport;		/* UDP destination port, host order */
	__u8 proto;		/* outer IP protocol */
	__u8 ttl;		/* outer TTL */
	__u8 l2;		/* an inner Ethernet header goes in */
	__u8 pad;
	__u8 dmac[ETH_ALEN];	/* inner Ethernet destination */
	__u8 smac[ETH_ALEN];	/* inner Ethernet source: our gateway MAC */
};

static __always_inline bool tg_mac_zero(const __u8 *m)
{
	return !(*(__u32 *)m | *(__u16 *)(m + 4));
}

/* Outer TTL toward subscriber e: its own, else the default, else 64. */
static __always_inline __u8 tg_encap_ttl(const struct tg_encap *e,
					 const struct tg_config *cfg)
{
	return e->ttl ? e->ttl : cfg->default_ttl ? cfg->default_ttl :
						    TG_TTL_DEFAULT;
}

/*
 * Decide the headers for sending payload_len bytes of payload_proto to the
 * subscriber e. Returns TG_CONTINUE, or the reason not to: the tunnel
 * cannot carry that protocol (UNSUPPORTED_PAYLOAD), or the Ethernet peer
 * address is not known yet (NO_PEER_MAC).
 */
static __always_inline int tg_encap_prepare(const struct tg_encap *e,
					    const struct tg_peer *peer,
					    const struct tg_config *cfg,
					    __u16 payload_proto,
					    __u32 payload_len,
					    struct tg_enc *x)
{
	__u32 len = 0;

	x->payload_proto = payload_proto;
	x->payload_len = payload_len;
	x->l2 = 0;
	x->dport = 0;
	x->ttl = tg_encap_ttl(e, cfg);
	switch (e->type) {
	case TG_TUN_IPIP:
		if (payload_proto != ETH_P_IP)
			return TG_R_UNSUPPORTED_PAYLOAD;
		x->proto = IPPROTO_IPIP;
		break;
	case TG_TUN_SIT:
		if (payload_proto != ETH_P_IPV6)
			return TG_R_UNSUPPORTED_PAYLOAD;
		x->proto = IPPROTO_IPV6;
		break;
	case TG_TUN_GRE:
	case TG_TUN_GRETAP:
		x->proto = IPPROTO_GRE;
		len = sizeof(struct tg_gre_hdr);
		if (e->flags & TG_ENC_F_GRE_CSUM)
			len += 4;
		if (e->flags & TG_ENC_F_GRE_KEY)
			len += 4;
		if (e->flags & TG_ENC_F_GRE_SEQ)
			len += 4;
		x->l2 = e->type == TG_TUN_GRETAP;
		break;
	case TG_TUN_EOIP:
		x->proto = IPPROTO_GRE;
		len = sizeof(struct tg_eoip_hdr);
		x->l2 = 1;
		break;
	case TG_TUN_L2TPV3_UDP:
		len = sizeof(struct udphdr) + 4;
		/* fall through */
	case TG_TUN_L2TPV3_IP:
		x->proto = e->type == TG_TUN_L2TPV3_IP ? IPPROTO_L2TP :
							   IPPROTO_UDP;
		len += 4 + (e->cookie_len & 0xc);
		if (e->flags & TG_ENC_F_L2SPEC)
			len += TG_L2SPEC_LEN;
		x->l2 = 1;
		break;
	case TG_TUN_L2TPV2:
		if (payload_proto != ETH_P_IP && payload_proto != ETH_P_IPV6)
			return TG_R_UNSUPPORTED_PAYLOAD;
		x->proto = IPPROTO_UDP;
		len = sizeof(struct udphdr) + 6 + 2;
		if (!(e->flags & TG_ENC_F_PPP_ACFC))
			len += 2;
		break;
	default:
		return TG_R_INTERNAL;
	}
	if (x->proto == IPPROTO_UDP)
		x->dport = e->peer_port ? e->peer_port :
			   peer->udp_port ? peer->udp_port : TG_L2TP_UDP_PORT;
	if (x->l2) {
		/* Configured, else learnt from the subscriber's own frames. */
		if (e->flags & TG_ENC_F_PEER_MAC)
			__builtin_memcpy(x->dmac, e->peer_mac, ETH_ALEN);
		else if (!tg_mac_zero(peer->mac))
			__builtin_memcpy(x->dmac, peer->mac, ETH_ALEN);
		else
			return TG_R_NO_PEER_MAC;
		__builtin_memcpy(x->smac, cfg->gw_mac, ETH_ALEN);
		len += ETH_HLEN;
	} else if (payload_proto == ETH_P_ARP) {
		/* ARP needs an Ethernet tunnel. */
		return TG_R_UNSUPPORTED_PAYLOAD;
	}
	x->tun_len = len;
	return TG_CONTINUE;
}

/*
 * Next outer IPv4 id of a subscriber sending without DF. tg_peer.ip_id is
 * 16 bits and BPF atomics are 32 or 64 bits wide: add to the 32-bit word
 * that holds ip_id and the pad after it (little endian: ip_id is its low
 * half). The add that wraps ip_id carries into pad; the one CPU that saw
 * 0xffff takes the carry back out, so pad is zero again right after.
 */
static __always_inline __be16 tg_next_ip_id(struct tg_peer *peer)
{
	__u32 *word = (__u32 *)&peer->ip_id;
	__u32 old = __sync_fetch_and_add(word, 1);

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "tg_next_ip_id() assumes a little-endian target"
#endif
	if ((old & 0xffff) == 0xffff)
		__sync_fetch_and_add(word, -0x10000);
	return bpf_htons((__u16)old);
}

/* Header checksum of the 20-byte IPv4 header at iph (checksum field 0). */
static __always_inline __u16 tg_ip4_csum(const struct iphdr *iph)
{
	const __u32 *w = (const __u32 *)iph;
	__u64 sum = (__u64)w[0] + w[1] + w[2] + w[3] + w[4];

	return tg_csum_fold(sum);
}

/* Outer Ethernet header and VLAN tags in front of the outer IPv4, at most. */
#define TG_ENC_L3_MAX (ETH_HLEN + 4 * TG_VLAN_MAX_DEPTH)

/*
 * Write the outer IPv4 and tunnel headers (and the inner Ethernet header)
 * in front of the payload: data is the frame start (Ethernet and any VLAN
 * tags, l3 bytes, written by the caller), the payload begins at l3 + 20 +
 * x->tun_len. Returns
 * the offset of a checksum still to be filled over the rest of the frame
 * (GRE or UDP checksum, for tg_encap_csum()) or 0 when there is none,
 * or -1 when out of bounds.
 */
static __always_inline int tg_encap_write(void *data, void *data_end,
					  __u32 l3, const struct tg_encap *e,
					  struct tg_peer *peer,
					  const struct tg_enc *x)
{
	struct iphdr *iph;
	__u32 tot_len = sizeof(*iph) + x->tun_len + x->payload_len;
	__u8 *p;
	int csum_off = 0;

	if (l3 > TG_ENC_L3_MAX)
		return -1;
	iph = data + tg_bound(l3, TG_ENC_L3_MAX);
	p = (void *)(iph + 1);
	if ((void *)(iph + 1) > data_end)
		return -1;
	*(__u16 *)iph = bpf_htons(0x4500);	/* version 4, ihl 5, tos 0 */
	iph->tot_len = bpf_htons(tot_len);
	if (e->flags & TG_ENC_F_DF) {
		iph->id = 0;
		iph->frag_off = bpf_htons(TG_IP_DF);
	} else {
		iph->id = tg_next_ip_id(peer);
		iph->frag_off = 0;
	}
	iph->ttl = x->ttl;
	iph->protocol = x->proto;
	iph->check = 0;
	iph->saddr = e->local;
	iph->daddr = e->remote;
	iph->check = tg_ip4_csum(iph);

	if (x->proto == IPPROTO_UDP) {
		struct udphdr *uh = (void *)p;

		if ((void *)(uh + 1) > data_end)
			return -1;
		uh->source = bpf_htons(e->local_port ? e->local_port :
						       TG_L2TP_UDP_PORT);
		uh->dest = bpf_htons(x->dport);
		uh->len = bpf_htons(tot_len - sizeof(*iph));
		uh->check = 0;
		if (e->flags & TG_ENC_F_UDP_CSUM)
			csum_off = (void *)&uh->check - data;
		p = (void *)(uh + 1);
	}

	switch (e->type) {
	case TG_TUN_GRE:
	case TG_TUN_GRETAP: {
		struct tg_gre_hdr *gh = (void *)p;
		__u16 flags = 0;

		if ((void *)(gh + 1) > data_end)
			return -1;
		if (e->flags & TG_ENC_F_GRE_CSUM)
			flags |= TG_GRE_F_CSUM;
		if (e->flags & TG_ENC_F_GRE_KEY)
			flags |= TG_GRE_F_KEY;
		if (e->flags & TG_ENC_F_GRE_SEQ)
			flags |= TG_GRE_F_SEQ;
		gh->flags = bpf_htons(flags);
		gh->proto = bpf_htons(x->l2 ? ETH_P_TEB : x->payload_proto);
		p = (void *)(gh + 1);
		if (flags & TG_GRE_F_CSUM) {
			if ((void *)(p + 4) > data_end)
				return -1;
			*(__u32 *)p = 0;	/* checksum + reserved1 */
			csum_off = p - (__u8 *)data;
			p += 4;
		}
		if (flags & TG_GRE_F_KEY) {
			if ((void *)(p + 4) > data_end)
				return -1;
			*(__be32 *)p = bpf_htonl(e->peer_id);
			p += 4;
		}
		if (flags & TG_GRE_F_SEQ) {
			if ((void *)(p + 4) > data_end)
				return -1;
			*(__be32 *)p =
				bpf_htonl(__sync_fetch_and_add(&peer->gre_seq, 1));
			p += 4;
		}
		break;
	}
	case TG_TUN_EOIP: {
		struct tg_eoip_hdr *eh = (void *)p;

		if ((void *)(eh + 1) > data_end)
			return -1;
		eh->flags = bpf_htons(TG_EOIP_FLAGS);
		eh->proto = bpf_htons(TG_EOIP_PROTO);
		eh->len = bpf_htons(ETH_HLEN + x->payload_len);
		/* The tunnel id is little endian on the wire. */
		eh->id[0] = e->peer_id & 0xff;
		eh->id[1] = (e->peer_id >> 8) & 0xff;
		p = (void *)(eh + 1);
		break;
	}
	case TG_TUN_L2TPV3_UDP:
	case TG_TUN_L2TPV3_IP:
		if (e->type == TG_TUN_L2TPV3_UDP) {
			if ((void *)(p + 4) > data_end)
				return -1;
			/* T clear, version 3, reserved */
			*(__be32 *)p = bpf_htonl(TG_L2TP_V3 << 16);
			p += 4;
		}
		if ((void *)(p + 4) > data_end)
			return -1;
		*(__be32 *)p = bpf_htonl(e->peer_id);
		p += 4;
		if (e->cookie_len & 0xc) {
			if ((void *)(p + 4) > data_end)
				return -1;
			*(__u32 *)p = *(__u32 *)e->peer_cookie;
			p += 4;
		}
		if (e->cookie_len & 0x8) {
			if ((void *)(p + 4) > data_end)
				return -1;
			*(__u32 *)p = *(__u32 *)(e->peer_cookie + 4);
			p += 4;
		}
		if (e->flags & TG_ENC_F_L2SPEC) {
			if ((void *)(p + 4) > data_end)
				return -1;
			*(__u32 *)p = 0;
			p += 4;
		}
		break;
	case TG_TUN_L2TPV2:
		if ((void *)(p + 6) > data_end)
			return -1;
		/* No L, S, O, P bits: version 2, tunnel id, session id. */
		*(__be16 *)p = bpf_htons(TG_L2TP_V2);
		*(__be16 *)(p + 2) = bpf_htons(e->peer_id >> 16);
		*(__be16 *)(p + 4) = bpf_htons(e->peer_id & 0xffff);
		p += 6;
		if (!(e->flags & TG_ENC_F_PPP_ACFC)) {
			if ((void *)(p + 2) > data_end)
				return -1;
			p[0] = TG_PPP_ADDRESS;
			p[1] = TG_PPP_CONTROL;
			p += 2;
		}
		if ((void *)(p + 2) > data_end)
			return -1;
		*(__be16 *)p = bpf_htons(x->payload_proto == ETH_P_IP ?
						 TG_PPP_IP : TG_PPP_IPV6);
		p += 2;
		break;
	}

	if (x->l2) {
		struct ethhdr *ieth = (void *)p;

		if ((void *)(ieth + 1) > data_end)
			return -1;
		__builtin_memcpy(ieth->h_dest, x->dmac, ETH_ALEN);
		__builtin_memcpy(ieth->h_source, x->smac, ETH_ALEN);
		ieth->h_proto = bpf_htons(x->payload_proto);
	}
	return csum_off;
}

/* UDP pseudo header of the outer datagram, bpf_csum_diff() style. */
static __always_inline __u32 tg_udp4_pseudo(const struct tg_encap *e,
					    __u32 udp_len)
{
	__u64 sum = (__u64)e->local + e->remote + bpf_htons(IPPROTO_UDP) +
		    bpf_htons(udp_len);

	sum = (sum & 0xffffffff) + (sum >> 32);
	return (__u32)((sum & 0xffffffff) + (sum >> 32));
}

/* A checksum still to fill over the encapsulated frame: tg_csum_fill() args. */
struct tg_enc_csum {
	__u32 start;		/* frame offset of the GRE or UDP header */
	__u32 len;		/* bytes from there to the frame end */
	__u32 seed;		/* UDP pseudo header, 0 for GRE */
	__u32 how;		/* TG_CSUM_AT_* */
};

/*
 * Where the GRE or UDP checksum tg_encap_write() left at frame offset off
 * (> 0) is summed from, over how much, seeded with what; the outer IPv4
 * header sits at l3.
 */
static __always_inline void tg_encap_csum_args(__u32 l3, int off,
					       const struct tg_encap *e,
					       const struct tg_enc *x,
					       struct tg_enc_csum *c)
{
	/* The frame ends here; the field is 4 bytes into GRE, 6 into UDP. */
	__u32 end = l3 + sizeof(struct iphdr) + x->tun_len + x->payload_len;

	if (x->proto == IPPROTO_UDP) {
		c->start = off - 6;
		c->len = end - c->start;
		c->seed = tg_udp4_pseudo(e, c->len);
		c->how = TG_CSUM_AT_UDP;
	} else {
		c->start = off - 4;
		c->len = end - c->start;
		c->seed = 0;
		c->how = TG_CSUM_AT_GRE;
	}
}

/*
 * Fill the GRE or UDP checksum tg_encap_write() left at frame offset off
 * (0: none), once the payload is in place. TG_CONTINUE or INTERNAL.
 */
static __always_inline int tg_encap_csum(struct __ctx_buff *ctx, __u32 l3,
					 int off, const struct tg_encap *e,
					 const struct tg_enc *x)
{
	struct tg_enc_csum c;

	if (!off)
		return TG_CONTINUE;
	tg_encap_csum_args(l3, off, e, x, &c);
	if (tg_ctx_csum_fill(ctx, c.start, c.len, c.seed, c.how))
		return TG_R_INTERNAL;
	return TG_CONTINUE;
}

/*
 * Encapsulate the IP datagram of a frame from the uplink (at l3_off,
 * ip_len bytes; at XDP after any VLAN tags, which go): trim anything after
 * the datagram (Ethernet padding would end up inside the tunnel), make
 * room for the headers of x after the Ethernet header, write them and any
 * checksum. The Ethernet addresses stay (the route lookup rewrites them),
 * the ethertype becomes IPv4. Every packet pointer the caller held is
 * stale afterwards.
 */
static __always_inline int tg_encapsulate(struct __ctx_buff *ctx,
					  __u32 l3_off, __u32 ip_len,
					  __u32 frame_len,
					  const struct tg_encap *e,
					  struct tg_peer *peer,
					  const struct tg_enc *x)
{
	struct ethhdr *eth;
	void *data, *data_end;
	int off;

	if (frame_len > l3_off + ip_len &&
	    ctx_change_tail(ctx, frame_len, l3_off + ip_len))
		return TG_R_INTERNAL;
	if (ctx_encap_head(ctx, l3_off, sizeof(struct iphdr) + x->tun_len))
		return TG_R_INTERNAL;

	/* New head: reload both ends and check again before writing. */
	data = ctx_data(ctx);
	data_end = ctx_data_end(ctx);
	eth = data;
	if ((void *)(eth + 1) > data_end)
		return TG_R_INTERNAL;
	eth->h_proto = bpf_htons(ETH_P_IP);
	off = tg_encap_write(data, data_end, ETH_HLEN, e, peer, x);
	if (off < 0)
		return TG_R_INTERNAL;
	return tg_encap_csum(ctx, ETH_HLEN, off, e, x);
}

#endif /* TG_LIB_ENCAP_H */
