// SPDX-License-Identifier: GPL-2.0-only
/*
 * TC egress program of tg0, the device the kernel routes subscriber
 * prefixes to (routes of tungate's own protocol, with each subscriber's
 * tunnel MTU). What reaches it is what XDP leaves to the stack: IPv4
 * fragments of DF-clear packets too big for the tunnel (the kernel
 * fragmented them to the route MTU), and packets the concentrator
 * originates toward subscribers. Each is encapsulated with the uplink
 * program's header writer and sent on by its outer destination. No MTU
 * check: the route MTU already holds.
 */
/* A TC egress hook only: XDP has none. */
#define TG_HOOK_TC
#include "ctx/ctx.h"
#include "tungate_maps.bpf.h"
#include "lib/uplink.h"
#include "lib/downstream.h"
#include "lib/encap.h"
#include "lib/forward.h"
#include "lib/stats.h"

SEC("tc")
int tg_egress_tc(struct __sk_buff *skb)
{
	struct bpf_fib_lookup fib = {};
	void *data, *data_end;
	struct tg_up u = {};
	struct tg_enc x = {};
	struct tg_peer *peer = NULL;
	__u32 len = skb->len;
	int action = TC_ACT_SHOT, reason, rc;

	/* A GSO skb would be cut by the segmentation of the wrong tunnel. */
	if (skb->gso_size) {
		reason = TG_R_UNSUPPORTED_PAYLOAD;
		goto out;
	}
	/* The GRE and UDP checksums sum the whole packet: make it linear. */
	if (ctx_linearize(skb)) {
		reason = TG_R_INTERNAL;
		goto out;
	}
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	reason = tg_up_parse(data, data_end, &u);
	/* The kernel forwarded it and already decremented the TTL. */
	if (reason == TG_R_TTL_EXPIRED)
		reason = TG_CONTINUE;
	if (reason != TG_CONTINUE)
		goto out;
	len = u.ip_len;
	/* Only the kernel's own Ethernet framing comes here: no VLAN tags. */
	if (u.l3_off != ETH_HLEN) {
		reason = TG_R_UNSUPPORTED_PAYLOAD;
		goto out;
	}
	/* Same scope, downstream bucket and headers as tg_up_xdp. */
	reason = tg_down_prepare(data + ETH_HLEN, data_end, &u, &x, &peer);
	if (reason == TG_CONTINUE && !peer)
		reason = TG_R_INTERNAL;
	if (reason != TG_CONTINUE)
		goto out;
	reason = tg_encapsulate(skb, u.l3_off, u.ip_len, u.frame_len, u.encap,
				peer, &x);
	if (reason != TG_CONTINUE)
		goto out;

	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	/* Looked up as if received on tg0: forwarding must be on there. */
	reason = tg_fib_outer_fill(&fib, data, data_end, skb->ifindex);
	if (reason != TG_CONTINUE)
		goto out;
	rc = bpf_fib_lookup(skb, &fib, sizeof(fib), 0);
	if (rc == BPF_FIB_LKUP_RET_SUCCESS) {
		struct ethhdr *eth = data;

		if ((void *)(eth + 1) > data_end) {
			reason = TG_R_INTERNAL;
			goto out;
		}
		if (bpf_map_lookup_elem(&tg_ports, &fib.ifindex)) {
			__builtin_memcpy(eth->h_dest, fib.dmac, ETH_ALEN);
			__builtin_memcpy(eth->h_source, fib.smac, ETH_ALEN);
			reason = TG_R_OK;
			action = bpf_redirect(fib.ifindex, 0);
			goto out;
		}
		reason = TG_R_EGRESS_UNMANAGED;
	} else {
		reason = tg_fib_reason(rc);
	}
	/*
	 * No neighbour yet, or an egress that is not ours: the kernel
	 * resolves the next hop of the outer header and transmits
	 * (fib.ifindex is filled in for NO_NEIGH too). TC_ACT_OK would only
	 * send the packet into tg0's peer; the stack's output path is not
	 * reachable from here otherwise.
	 */
	if (reason == TG_R_FIB_NO_NEIGH || reason == TG_R_EGRESS_UNMANAGED)
		action = bpf_redirect_neigh(fib.ifindex, NULL, 0, 0);
out:
	tg_count_dir(reason, u.sub_id, len, TG_DIR_DOWN);
	return action;
}

char LICENSE[] SEC("license") = "GPL";
