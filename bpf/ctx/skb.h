/* SPDX-License-Identifier: GPL-2.0-only */
/* The TC (socket buffer) side of the context layer (see ctx.h). */
#ifndef TG_CTX_SKB_H
#define TG_CTX_SKB_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define __ctx_buff __sk_buff

#define CTX_HOOK_XDP 0
#define CTX_HOOK_TC 1
#define CTX_SEC "tc"
/* Program names end in the hook's: tg_sub_tc, tg_up_tc. */
#define CTX_PROG(name) name##_tc

#define CTX_ACT_OK TC_ACT_OK
#define CTX_ACT_DROP TC_ACT_SHOT
#define CTX_ACT_TX TC_ACT_REDIRECT
#define CTX_ACT_REDIRECT TC_ACT_REDIRECT

/*
 * bpf_skb_adjust_room(BPF_ADJ_ROOM_MAC) adds and cuts right after the
 * 14-byte Ethernet header: VLAN tags still in the data (not taken off by
 * the driver) would stay in front of the new headers. Such packets are
 * left to the kernel.
 */
#define CTX_MOVES_VLAN_TAGS 0

/*
 * bpf_skb_adjust_room() flags that also set skb->protocol to the inner
 * family when shrinking (Linux 6.3); newer than some UAPI headers.
 */
#define TG_ADJ_ROOM_DECAP_L3_IPV4 (1ULL << 7)
#define TG_ADJ_ROOM_DECAP_L3_IPV6 (1ULL << 8)

/* Bytes of L2 header ctx_resize() keeps in place: all of them at TC. */
#define CTX_L2_MAX (ETH_HLEN + 2 * 4)

static __always_inline void *ctx_data(const struct __sk_buff *ctx)
{
	return (void *)(long)ctx->data;
}

static __always_inline void *ctx_data_end(const struct __sk_buff *ctx)
{
	return (void *)(long)ctx->data_end;
}

/* The packet's length, paged part included. */
static __always_inline __u32 ctx_full_len(const struct __sk_buff *ctx)
{
	return ctx->len;
}

static __always_inline __u32 ctx_ingress_ifindex(const struct __sk_buff *ctx)
{
	return ctx->ingress_ifindex;
}

/*
 * Parsers, checksums and replies read up to the packet's end: pull the
 * paged part in when there is one. 0, or -1 when the kernel cannot.
 */
static __always_inline int ctx_linearize(struct __sk_buff *ctx)
{
	if (ctx->data_end - ctx->data < ctx->len &&
	    bpf_skb_pull_data(ctx, ctx->len))
		return -1;
	return 0;
}

/*
 * A GRO-merged packet: cutting or adding tunnel headers would leave its
 * segmentation to the wrong protocol.
 */
static __always_inline bool ctx_is_gso(const struct __sk_buff *ctx)
{
	return ctx->gso_size;
}

static __always_inline int ctx_store_bytes(struct __sk_buff *ctx, __u32 off,
					   const void *from, __u32 len)
{
	return bpf_skb_store_bytes(ctx, off, from, len, 0);
}

/* Make the packet len bytes long (it was cur) by moving its tail. */
static __always_inline int ctx_change_tail(struct __sk_buff *ctx, __u32 cur,
					   __u32 len)
{
	return bpf_skb_change_tail(ctx, len, 0);
}

/*
 * The IPv6 half of ctx_decap_head() on kernels whose
 * bpf_skb_adjust_room() refuses the DECAP flags (before 6.3): there
 * bpf_skb_change_proto() is what sets skb->protocol, without which the
 * kernel's stack would take the packet for IPv4. Going from IPv4 to IPv6
 * it inserts the 20 bytes the headers differ by after the Ethernet
 * header, so those 20 bytes of the inner header are cut with the
 * tunnel's and written back there.
 */
static __always_inline int ctx_decap6_compat(struct __sk_buff *ctx, __u32 cut)
{
	__u8 head[sizeof(struct ipv6hdr) - sizeof(struct iphdr)];

	if (bpf_skb_load_bytes(ctx, ETH_HLEN + cut, head, sizeof(head)) ||
	    bpf_skb_adjust_room(ctx, -(__s32)(cut + sizeof(head)),
				BPF_ADJ_ROOM_MAC, 0) ||
	    bpf_skb_change_proto(ctx, bpf_htons(ETH_P_IPV6), 0) ||
	    bpf_skb_store_bytes(ctx, ETH_HLEN, head, sizeof(head),
				BPF_F_RECOMPUTE_CSUM))
		return -1;
	return 0;
}

/*
 * Cut the tunnel headers of a packet (outer L3 at outer_off, right after
 * the Ethernet header; the inner L3 header of inner_proto at inner_off):
 * everything between the Ethernet header and the inner L3 header goes,
 * and skb->protocol becomes the inner family. The ethertype is the
 * caller's to write once the pointers are reloaded.
 */
static __always_inline int ctx_decap_head(struct __sk_buff *ctx,
					  __u32 outer_off, __u32 inner_off,
					  __u16 inner_proto)
{
	__u64 flags = inner_proto == ETH_P_IP ? TG_ADJ_ROOM_DECAP_L3_IPV4 :
						TG_ADJ_ROOM_DECAP_L3_IPV6;
	__u32 cut;

	if (outer_off != ETH_HLEN || inner_off <= ETH_HLEN)
		return -1;
	cut = inner_off - ETH_HLEN;
	/*
	 * Kernels before 6.3 refuse the flags. There, skb->protocol staying
	 * the outer IPv4 is right for IPv4 inside; IPv6 needs the compat way.
	 */
	if (bpf_skb_adjust_room(ctx, -(__s32)cut, BPF_ADJ_ROOM_MAC, flags) &&
	    (inner_proto == ETH_P_IP ?
		     bpf_skb_adjust_room(ctx, -(__s32)cut, BPF_ADJ_ROOM_MAC, 0) :
		     ctx_decap6_compat(ctx, cut)))
		return -1;
	return 0;
}

/*
 * Remove len bytes right after the 14-byte Ethernet header (see the XDP
 * twin; the first 14 bytes stay). Not with VLAN tags in the data
 * (CTX_MOVES_VLAN_TAGS): they would go with the cut, and
 * bpf_skb_adjust_room() refuses such a packet anyway, its skb->protocol
 * being the tag's. No flag: the packet stays IPv4 as it was.
 */
static __always_inline int ctx_cut_after_l2(struct __sk_buff *ctx, __u32 len)
{
	return bpf_skb_adjust_room(ctx, -(__s32)len, BPF_ADJ_ROOM_MAC, 0);
}

/*
 * Room for grow bytes of outer IPv4 and tunnel headers right after the
 * Ethernet header (the L3 header at l3_off must be there).
 * ENCAP_L3_IPV4: skb->protocol becomes IPv4 (an IPv6 payload too) and
 * the network header the outer one, which is what the stack needs if
 * bpf_redirect_neigh() resolves the next hop.
 */
static __always_inline int ctx_encap_head(struct __sk_buff *ctx, __u32 l3_off,
					  __u32 grow)
{
	if (l3_off != ETH_HLEN)
		return -1;
	return bpf_skb_adjust_room(ctx, grow, BPF_ADJ_ROOM_MAC,
				   BPF_F_ADJ_ROOM_ENCAP_L3_IPV4);
}

/*
 * Make the packet len bytes long, its start in place: resized at the
 * tail, then linear again for direct access.
 */
static __always_inline int ctx_resize(struct __sk_buff *ctx, __u32 len)
{
	if (bpf_skb_change_tail(ctx, len, 0))
		return -1;
	return ctx_linearize(ctx);
}

/*
 * Send on through port ifindex. The ports map is the XDP devmap; at TC
 * the route lookup has already checked the port is in it.
 */
#define ctx_redirect_port(ctx, ports, ifindex) bpf_redirect(ifindex, 0)

/* Back out where the packet came in. */
static __always_inline int ctx_tx(struct __sk_buff *ctx)
{
	return bpf_redirect(ctx->ingress_ifindex, 0);
}

#endif /* TG_CTX_SKB_H */
