/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The subscriber-side decapsulation pipeline up to (not including) the
 * head adjustment: outer headers -> tunnel identity -> tg_tunnels lookup
 * -> tunnel checks -> inner header -> anti-spoofing. Nothing here writes
 * to the packet or needs the hook context, so XDP and TC share it.
 */
#ifndef TG_LIB_TUNNEL_H
#define TG_LIB_TUNNEL_H

#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include "tungate_maps.bpf.h"
#include "claim.h"
#include "prefix.h"
#include "stats.h"
#include "parse.h"
#include "eth.h"
#include "ip.h"
#include "gre.h"
#include "l2tp.h"
#include "ppp.h"

#define TG_ICMPV6_ND_FIRST 133	/* router solicitation */
#define TG_ICMPV6_ND_LAST 137	/* redirect */

/* Result of tg_decap_parse() for the stages that rewrite the packet. */
struct tg_decap {
	__u32 sub_id;		/* subscriber of the tunnel; 0 until found */
	__u32 claim;		/* the tunnel's claim that holds (its slot) */
	__u32 inner_off;	/* frame start to inner IP header, bytes */
	__u32 inner_len;	/* inner IP datagram length, header included */
	__u16 inner_proto;	/* ETH_P_IP or ETH_P_IPV6, host order */
	/*
	 * GRE checksum still to verify when csum_len != 0: bytes csum_off ..
	 * csum_off + csum_len of the frame. The caller runs
	 * tg_gre_csum_verdict() on them (in a subprogram of its own, so the
	 * verifier walks the summing loop once), and a failure overrides
	 * whatever tg_decap_parse() returned: the checksum is the first thing
	 * checked after the tunnel lookup.
	 */
	__u32 csum_off;
	__u32 csum_len;
	/*
	 * What to learn about the peer once the packet is accepted
	 * (TG_LEARN_*): the inner Ethernet source at mac_off, the outer UDP
	 * source port udp_sport (host order).
	 */
	__u32 mac_off;
	__u16 udp_sport;
	__u8 learn;
	/* TCP MSS clamping: the tunnel's MTU when asked for, else 0. */
	__u16 mss_mtu;
	/*
	 * A request to answer (TG_NEIGH_*, with CONTROL): ARP or IPv6
	 * neighbour solicitation in an untagged inner Ethernet frame at
	 * neigh_off; the outer IPv4 header is at outer_off.
	 */
	__u8 neigh;
	/*
	 * A keepalive to answer (TG_KA_*, with KEEPALIVE): an EoIP one (the
	 * outer IPv4 at outer_off), a GRE one to reflect (also inner_off).
	 */
	__u8 keepalive;
	__u16 neigh_off;
	__u16 outer_off;
};

#define TG_KA_EOIP 1
#define TG_KA_GRE 2

#define TG_NEIGH_ARP 1
#define TG_NEIGH_NS 2
#define TG_ICMPV6_ND_NS 135

#define TG_LEARN_MAC 0x01
#define TG_LEARN_PORT 0x02

/* UDP to one of the configured L2TP ports: v3 or v2 by the version nibble. */
static __always_inline int tg_parse_l2tp_udp(struct hdr_cursor *c,
					     void *data_end,
					     struct tg_tun_key *key)
{
	struct udphdr *uh = c->pos;
	struct tg_config *cfg;
	__u32 zero = 0;
	__u16 dport;
	int ver;

	if ((void *)(uh + 1) > data_end || tg_cur_short(c, sizeof(*uh)))
		return TG_R_TRUNCATED;
	/* Looked up only here: other tunnel types never pay for it. */
	cfg = bpf_map_lookup_elem(&tg_config, &zero);
	if (!cfg)
		return TG_R_INTERNAL;
	dport = bpf_ntohs(uh->dest);
	/* A configured port of 0 means disabled: never match port 0. */
	if (!dport ||
	    (dport != cfg->l2tpv3_udp_port && dport != cfg->l2tpv2_udp_port))
		return TG_R_NOT_TUNNEL;
	c->pos = uh + 1;
	ver = tg_l2tp_udp_version(c, data_end);
	if (ver < 0)
		return TG_R_TRUNCATED;
	if (ver == TG_L2TP_V3 && dport == cfg->l2tpv3_udp_port)
		return tg_parse_l2tpv3_udp(c, data_end, key);
	if (ver == TG_L2TP_V2 && dport == cfg->l2tpv2_udp_port)
		return tg_parse_l2tpv2(c, data_end, key);
	return TG_R_NOT_TUNNEL;
}

/* Inner Ethernet frame: IPv4/IPv6 go on, ARP and the rest are control. */
static __always_inline int tg_parse_inner_eth(struct hdr_cursor *c,
					      void *data_end, __u16 *proto)
{
	int ret = tg_parse_eth(c, data_end);

	if (ret < 0)
		return TG_R_TRUNCATED;
	if (ret == bpf_htons(ETH_P_IP))
		*proto = ETH_P_IP;
	else if (ret == bpf_htons(ETH_P_IPV6))
		*proto = ETH_P_IPV6;
	else
		return TG_R_CONTROL;
	return TG_CONTINUE;
}

/* IPv6 neighbour discovery (ICMPv6 133..137 right after the header). */
static __always_inline bool tg_is_nd(const struct hdr_cursor *c,
				     void *data_end)
{
	struct ipv6hdr *ip6h = c->pos;
	__u8 *type = (__u8 *)(ip6h + 1);

	if ((void *)(type + 1) > data_end || (void *)(type + 1) > c->end)
		return false;
	return ip6h->nexthdr == IPPROTO_ICMPV6 &&
	       *type >= TG_ICMPV6_ND_FIRST && *type <= TG_ICMPV6_ND_LAST;
}

/*
 * IPv6 from a link-local source: on a PPP link that is the member's
 * router talking to ours (Router Solicitation, DHCPv6), the LNS's to
 * answer.
 */
static __always_inline bool tg_is_link_local(const struct hdr_cursor *c,
					     void *data_end)
{
	struct ipv6hdr *ip6h = c->pos;

	if ((void *)(ip6h + 1) > data_end || (void *)(ip6h + 1) > c->end)
		return false;
	return ip6h->saddr.in6_u.u6_addr8[0] == 0xfe &&
	       (ip6h->saddr.in6_u.u6_addr8[1] & 0xc0) == 0x80;
}

/*
 * GRE keepalive request (Cisco IOS, RouterOS), the inner IPv4 header at
 * the cursor (checked by tg_inner_ip_len(), len bytes long): from our
 * end of the tunnel to the sender, carrying a GRE header of version 0
 * and protocol 0 (a keepalive reply), for us to route back as any
 * packet. Anything less exact is not one: it goes on to the anti-spoof
 * check like other traffic, so that an address of the concentrator's
 * cannot be used to send through the tunnel. Not a fragment, and a TTL
 * that survives being forwarded (the inner header checksum is not
 * verified: a wrong one goes back as wrong, the sender drops it).
 */
static __always_inline bool tg_is_gre_keepalive(const struct hdr_cursor *c,
						void *data_end,
						const struct tg_tun_key *key,
						__u32 len)
{
	struct iphdr *iph = c->pos;
	struct tg_gre_hdr *gh;
	__u32 hlen, glen;
	__u16 flags;

	if ((void *)(iph + 1) > data_end)
		return false;
	if (iph->saddr != key->local || iph->daddr != key->remote ||
	    iph->protocol != IPPROTO_GRE || iph->ttl <= 1 ||
	    tg_ip4_is_fragment(iph))
		return false;
	hlen = iph->ihl * 4;
	gh = (void *)iph + hlen;
	if ((void *)(gh + 1) > data_end)
		return false;
	flags = bpf_ntohs(gh->flags);
	/* Version 0, no routing or other flags but C, K and S. */
	if ((flags & TG_GRE_F_UNSUPP) || gh->proto)
		return false;
	glen = tg_gre_hlen(flags);
	return hlen + glen <= len;
}

/*
 * Note an ARP packet (kind ARP, cursor after the inner Ethernet header)
 * or a neighbour solicitation (kind NS, cursor on the IPv6 header) for
 * tg_neigh_reply(), when the inner frame carries no VLAN tag.
 */
static __always_inline void tg_neigh_mark(const struct hdr_cursor *c,
					  void *data, void *data_end,
					  struct tg_decap *d, __u8 kind)
{
	__u32 off = c->pos - data;
	__be16 *proto;
	__u8 *type;

	if (off != d->mac_off + ETH_HLEN)
		return;
	if (kind == TG_NEIGH_ARP) {
		proto = c->pos - 2;
		if ((void *)(proto + 1) > data_end ||
		    *proto != bpf_htons(ETH_P_ARP))
			return;
	} else {
		type = c->pos + sizeof(struct ipv6hdr);
		if ((void *)(type + 1) > data_end || *type != TG_ICMPV6_ND_NS)
			return;
	}
	d->neigh = kind;
	d->neigh_off = off;
}

/*
 * The verdict of the tg_police entry of claim (its slot's) on an inner
 * source (tg_src4/6_verdict()): a global function, as the prefix lookups
 * (prefix.h), so that the verifier walks it once and its callers see a
 * number: inlined, its branches multiply the parser's states past the
 * instruction limit of older kernels (6.1). a0, a1: the IPv4 source, or
 * the IPv6 source's first 64 bits, as two network-order words; v6: which.
 */
__noinline int tg_own_src(__u32 claim, __u32 a0, __u32 a1, __u32 v6)
{
	const struct tg_police *p = tg_police_of(claim);
	__be32 src6[TG_SRC6_MAX][2], hi[2] = { a0, a1 };
	__u8 src6_len[TG_SRC6_MAX];

	if (!p)
		return -1;
	if (!v6)
		return tg_src4_verdict(p->src, p->src4, p->src4_len, a0);
	__builtin_memcpy(src6, p->src6, sizeof(src6));
	__builtin_memcpy(src6_len, p->src6_len, sizeof(src6_len));
	return tg_src6_verdict(p->src, src6, src6_len, hi);
}

/*
 * The inner source must belong to the tunnel's subscriber (/32, /128), in
 * the same slot: one of the prefixes its tg_police entry of that slot
 * holds (maps/srcpfx.h), or, where the entry does not decide the family,
 * the longest prefix holding it must carry the tunnel's claim.
 */
static __always_inline int tg_antispoof(const struct hdr_cursor *c,
					void *data_end, __u16 proto,
					__u32 claim)
{
	struct tg_owners owner;
	__be32 hi[2];
	int v;

	if (proto == ETH_P_IP) {
		struct iphdr *iph = c->pos;

		if ((void *)(iph + 1) > data_end)
			return TG_R_INTERNAL;
		v = tg_own_src(claim, iph->saddr, 0, 0);
		if (v < 0)
			owner = tg_prefix4_find(iph->saddr);
	} else {
		struct ipv6hdr *ip6h = c->pos;

		if ((void *)(ip6h + 1) > data_end)
			return TG_R_INTERNAL;
		__builtin_memcpy(hi, &ip6h->saddr, sizeof(hi));
		v = tg_own_src(claim, hi[0], hi[1], 1);
		if (v < 0)
			owner = tg_prefix6_find(&ip6h->saddr);
	}
	if (v < 0)
		v = tg_owners_have(&owner, claim);
	return v ? TG_CONTINUE : TG_R_SPOOFED_SRC;
}

/*
 * Classify one frame from the subscriber side. Returns TG_CONTINUE when
 * the packet is to be decapsulated (d filled in), else the reason for
 * leaving it alone or dropping it; d->sub_id and d->claim are set as soon
 * as the tunnel is known, so refusals after the lookup count per
 * subscriber. A tunnel none of whose claims holds is unknown. KEEPALIVE:
 * a keepalive for the caller to answer (d->keepalive). Either way the
 * caller then verifies a pending GRE checksum (d->csum_len).
 */
static __always_inline int tg_decap_parse(void *data, void *data_end,
					  struct tg_decap *d)
{
	struct hdr_cursor c = { .pos = data, .end = data_end };
	struct tg_gre_info gre = {};
	struct tg_tun_key key = {};
	const struct tg_tun_claim *tun;
	struct tg_tunnel *t;
	struct udphdr *uh;
	struct iphdr *oip;
	__u16 inner = 0;	/* inner ethertype; 0: an Ethernet frame follows */
	bool l2;
	int ret;

	ret = tg_parse_eth(&c, data_end);
	if (ret < 0)
		return TG_R_TRUNCATED;
	if (ret != bpf_htons(ETH_P_IP))
		return TG_R_NOT_TUNNEL;
	d->outer_off = c.pos - data;
	ret = tg_parse_outer_ip4(&c, data_end, &oip);
	if (ret != TG_CONTINUE)
		return ret;
	/* Addresses stay in network order in the key, as sync writes them. */
	key.remote = oip->saddr;
	key.local = oip->daddr;
	uh = c.pos;

	switch (oip->protocol) {
	case IPPROTO_IPIP:
		key.type = TG_TUN_IPIP;
		break;
	case IPPROTO_IPV6:
		key.type = TG_TUN_SIT;
		break;
	case IPPROTO_GRE:
		ret = tg_parse_gre(&c, data_end, &key, &gre);
		break;
	case IPPROTO_L2TP:
		ret = tg_parse_l2tpv3_ip(&c, data_end, &key);
		break;
	default:	/* IPPROTO_UDP: tg_parse_outer_ip4() let nothing else by */
		ret = tg_parse_l2tp_udp(&c, data_end, &key);
		break;
	}
	if (ret != TG_CONTINUE)
		return ret;

	t = bpf_map_lookup_elem(&tg_tunnels, &key);
	if (!t)
		return TG_R_UNKNOWN_TUNNEL;
	/* Claimed only for a slot not (or no longer) in force: not there. */
	tun = tg_tunnel_claim(t);
	if (!tun)
		return TG_R_UNKNOWN_TUNNEL;
	d->claim = tun->claim;
	d->sub_id = TG_CLAIM_ID_OF(tun->claim);
	tg_count_warm(d->sub_id, true);
	/*
	 * Read now: past the cookie check tun is dead, and the verifier walks
	 * the rest of the parser once for both claims, not once per claim
	 * (the two pointers' offsets differ).
	 */
	d->mss_mtu = tun->flags & TG_TUN_F_MSS_CLAMP ? tun->mtu : 0;

	switch (key.type) {
	case TG_TUN_IPIP:
		inner = ETH_P_IP;
		break;
	case TG_TUN_SIT:
		inner = ETH_P_IPV6;
		break;
	case TG_TUN_GRE:
	case TG_TUN_GRETAP:
		/* Summing the payload is costly: only when the sender asked. */
		if (gre.csum) {
			d->csum_off = gre.start - data;
			d->csum_len = c.end - gre.start;
		}
		if (key.type == TG_TUN_GRETAP)
			break;
		if (gre.proto == ETH_P_IP || gre.proto == ETH_P_IPV6)
			inner = gre.proto;
		else if (gre.proto == 0)
			return TG_R_CONTROL;	/* keepalive reply */
		else
			return TG_R_UNSUPPORTED_PAYLOAD;
		break;
	case TG_TUN_EOIP:
		if (gre.keepalive) {
			d->keepalive = TG_KA_EOIP;
			return TG_R_KEEPALIVE;
		}
		break;
	case TG_TUN_L2TPV3_UDP:
		d->learn = TG_LEARN_PORT;
		/* fall through */
	case TG_TUN_L2TPV3_IP:
		ret = tg_l2tpv3_check_cookie(&c, data_end, tun);
		if (ret != TG_CONTINUE)
			return ret;
		break;
	case TG_TUN_L2TPV2:
		d->learn = TG_LEARN_PORT;
		ret = tg_parse_ppp(&c, data_end);
		if (ret < 0)
			return TG_R_TRUNCATED;
		if (!ret)
			return TG_R_CONTROL;
		inner = ret;
		break;
	default:
		return TG_R_INTERNAL;
	}

	if (d->learn) {
		/* Checked when parsed: the UDP header lies before the cursor. */
		if ((void *)(uh + 1) > data_end)
			return TG_R_INTERNAL;
		d->udp_sport = bpf_ntohs(uh->source);
	}
	l2 = !inner;
	if (l2) {
		d->learn |= TG_LEARN_MAC;
		d->mac_off = c.pos - data;
		ret = tg_parse_inner_eth(&c, data_end, &inner);
		if (ret == TG_R_CONTROL)
			tg_neigh_mark(&c, data, data_end, d, TG_NEIGH_ARP);
		if (ret != TG_CONTINUE)
			return ret;
	}
	ret = tg_inner_ip_len(&c, data_end, inner);
	if (ret < 0)
		return TG_R_INNER_MALFORMED;
	d->inner_len = ret;
	if (key.type == TG_TUN_GRE && inner == ETH_P_IP &&
	    tg_is_gre_keepalive(&c, data_end, &key, d->inner_len)) {
		d->keepalive = TG_KA_GRE;
		d->inner_off = c.pos - data;
		d->inner_proto = inner;
		return TG_R_KEEPALIVE;
	}
	if (l2 && inner == ETH_P_IPV6 && tg_is_nd(&c, data_end)) {
		tg_neigh_mark(&c, data, data_end, d, TG_NEIGH_NS);
		return TG_R_CONTROL;
	}
	if (key.type == TG_TUN_L2TPV2 && inner == ETH_P_IPV6 &&
	    tg_is_link_local(&c, data_end))
		return TG_R_CONTROL;
	ret = tg_antispoof(&c, data_end, inner, d->claim);
	if (ret != TG_CONTINUE)
		return ret;

	d->inner_off = c.pos - data;
	d->inner_proto = inner;
	return TG_CONTINUE;
}

#endif /* TG_LIB_TUNNEL_H */
