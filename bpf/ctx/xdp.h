/* SPDX-License-Identifier: GPL-2.0-only */
/* The XDP side of the context layer (see ctx.h). */
#ifndef TG_CTX_XDP_H
#define TG_CTX_XDP_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define __ctx_buff xdp_md

#define CTX_HOOK_XDP 1
#define CTX_HOOK_TC 0
#ifdef TG_HOOK_CPUMAP
/*
 * Built with -DTG_HOOK_CPUMAP: the program of a cpumap entry, run on the
 * CPU steering picked (bpf/steer.bpf.c). ingress_ifindex is still the
 * receiving interface; rx_queue_index is 0.
 */
#define CTX_SEC "xdp/cpumap"
#define CTX_PROG(name) name##_cpumap
#else
#define CTX_SEC "xdp"
/* Program names end in the hook's: tg_sub_xdp, tg_up_xdp. */
#define CTX_PROG(name) name##_xdp
#endif

#define CTX_ACT_OK XDP_PASS
#define CTX_ACT_DROP XDP_DROP
#define CTX_ACT_TX XDP_TX
#define CTX_ACT_REDIRECT XDP_REDIRECT

/*
 * The head moves over the whole L2 header: VLAN tags in front of the IP
 * header go with the bytes cut or come before the bytes added.
 */
#define CTX_MOVES_VLAN_TAGS 1

/* Bytes of L2 header (Ethernet, two VLAN tags) kept by ctx_resize(). */
#define CTX_L2_MAX (ETH_HLEN + 2 * 4)

static __always_inline void *ctx_data(const struct xdp_md *ctx)
{
	return (void *)(long)ctx->data;
}

static __always_inline void *ctx_data_end(const struct xdp_md *ctx)
{
	return (void *)(long)ctx->data_end;
}

/* The frame's length as it came in. */
static __always_inline __u32 ctx_full_len(const struct xdp_md *ctx)
{
	return ctx_data_end(ctx) - ctx_data(ctx);
}

static __always_inline __u32 ctx_ingress_ifindex(const struct xdp_md *ctx)
{
	return ctx->ingress_ifindex;
}

/* An XDP frame is one buffer (no multi-buffer programs here). */
static __always_inline int ctx_linearize(struct xdp_md *ctx)
{
	return 0;
}

/* No GRO before XDP. */
static __always_inline bool ctx_is_gso(const struct xdp_md *ctx)
{
	return false;
}

static __always_inline int ctx_store_bytes(struct xdp_md *ctx, __u32 off,
					   const void *from, __u32 len)
{
	return bpf_xdp_store_bytes(ctx, off, (void *)from, len);
}

/* Make the frame len bytes long (it was cur) by moving its tail. */
static __always_inline int ctx_change_tail(struct xdp_md *ctx, __u32 cur,
					   __u32 len)
{
	return bpf_xdp_adjust_tail(ctx, (int)len - (int)cur);
}

/*
 * Make the bytes between the Ethernet header and the L3 header (at l3_off)
 * exactly room bytes, moving the head: the MAC addresses stay, the
 * ethertype is the caller's to write once the pointers are reloaded.
 */
static __always_inline int ctx_l2_room(struct xdp_md *ctx, __u32 l3_off,
				       __u32 room)
{
	void *data = ctx_data(ctx);
	void *data_end = ctx_data_end(ctx);
	struct ethhdr *eth = data;
	__u8 macs[2 * ETH_ALEN];

	if ((void *)(eth + 1) > data_end)
		return -1;
	__builtin_memcpy(macs, eth, sizeof(macs));
	if (bpf_xdp_adjust_head(ctx, (int)l3_off - (int)(ETH_HLEN + room)))
		return -1;
	/* New head: reload both ends and check again before writing. */
	data = ctx_data(ctx);
	data_end = ctx_data_end(ctx);
	eth = data;
	if ((void *)(eth + 1) > data_end)
		return -1;
	__builtin_memcpy(eth, macs, sizeof(macs));
	return 0;
}

/*
 * Cut the tunnel headers of a frame (outer L3 at outer_off, the inner
 * L3 header of inner_proto at inner_off): everything between the MAC
 * addresses' Ethernet header and the inner L3 header goes.
 */
static __always_inline int ctx_decap_head(struct xdp_md *ctx, __u32 outer_off,
					  __u32 inner_off, __u16 inner_proto)
{
	return ctx_l2_room(ctx, inner_off, 0);
}

/*
 * Remove len bytes right after the L2 header, keeping the frame's start
 * where the L2 header was: the head moves, so the first bytes (as many as
 * the L2 header has) are left over from the bytes cut and the caller
 * writes the whole L2 header again, tags included.
 */
static __always_inline int ctx_cut_after_l2(struct xdp_md *ctx, __u32 len)
{
	return bpf_xdp_adjust_head(ctx, (int)len);
}

/* Room for grow bytes of outer IPv4 and tunnel headers before l3_off. */
static __always_inline int ctx_encap_head(struct xdp_md *ctx, __u32 l3_off,
					  __u32 grow)
{
	return ctx_l2_room(ctx, l3_off, grow);
}

/*
 * Make the frame len bytes long, its first CTX_L2_MAX bytes in place:
 * XDP guarantees headroom, not tailroom (a veth frame taken over from an
 * skb may have none), so it grows at the head, moving those bytes along,
 * and shrinks at the tail.
 */
static __always_inline int ctx_resize(struct xdp_md *ctx, __u32 len)
{
	__u32 cur = bpf_xdp_get_buff_len(ctx);
	__u8 head[CTX_L2_MAX];

	if (len > cur) {
		if (bpf_xdp_load_bytes(ctx, 0, head, sizeof(head)) ||
		    bpf_xdp_adjust_head(ctx, (int)cur - (int)len) ||
		    bpf_xdp_store_bytes(ctx, 0, head, sizeof(head)))
			return -1;
	} else if (len < cur &&
		   bpf_xdp_adjust_tail(ctx, (int)len - (int)cur)) {
		return -1;
	}
	return 0;
}

/*
 * Send on through port ifindex of the devmap ports. Flags 0: a lost race
 * with a port's removal makes it XDP_ABORTED.
 */
#define ctx_redirect_port(ctx, ports, ifindex) \
	bpf_redirect_map(ports, ifindex, 0)

#ifdef TG_HOOK_CPUMAP
/*
 * Back out where the frame came in: a cpumap program has no XDP_TX, so
 * through that interface's entry in the ports devmap (tg_ports, defined
 * where this is used; the kernel redirects from cpumap programs since 5.9).
 */
#define ctx_tx(ctx) bpf_redirect_map(&tg_ports, (ctx)->ingress_ifindex, 0)
#else
/* Back out where the frame came in. */
static __always_inline int ctx_tx(struct xdp_md *ctx)
{
	return XDP_TX;
}
#endif

#endif /* TG_CTX_XDP_H */
