// SPDX-License-Identifier: GPL-2.0-only
/*
 * Subscriber-side TC ingress program: the pipeline of tg_sub_xdp (same
 * parser, checks, policing and route lookup) for interfaces where XDP is
 * not wanted, working on the socket buffer: bpf_skb_adjust_room cuts the
 * tunnel headers, bpf_redirect sends the result on.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include "tungate_maps.bpf.h"
#include "lib/tunnel.h"
#include "lib/decap_skb.h"
#include "lib/linear_skb.h"
#include "lib/forward.h"
#include "lib/stats.h"
#include "lib/trace.h"
#include "lib/learn.h"
#include "lib/mss_skb.h"
#include "lib/neigh_skb.h"
#include "lib/police.h"
#include "lib/reserved.h"

/* Set through the skeleton before load: record every outcome in tg_trace. */
const volatile __u8 tg_trace_enabled = 0;

SEC("tc")
int tg_sub_tc(struct __sk_buff *skb)
{
	void *data, *data_end;
	struct tg_decap d = {};
	__u32 len = skb->len;
	__u32 egress = 0;
	int action, reason;

	/* Parser, checksums and replies read the whole packet: linear. */
	if (tg_skb_linear(skb)) {
		reason = TG_R_INTERNAL;
		goto out;
	}
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	reason = tg_decap_parse(data, data_end, &d);
	if (d.csum_len) {
		int csum = tg_skb_gre_csum(skb, d.csum_off, d.csum_len);

		if (csum != TG_CONTINUE)
			reason = csum;
	}
	if (reason == TG_R_CONTROL && d.neigh) {
		/* ARP / neighbour solicitation: answered or left alone. */
		reason = tg_skb_neigh_reply(skb, d.claim, d.neigh_off,
					    d.outer_off, d.neigh);
		goto out;
	}
	if (reason != TG_CONTINUE)
		goto out;
	/*
	 * A GRO-merged tunnel packet: its segmentation would belong to the
	 * tunnel, not to the payload. Left to the kernel.
	 */
	if (skb->gso_size) {
		reason = TG_R_UNSUPPORTED_PAYLOAD;
		goto out;
	}
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	if (d.learn)
		tg_learn(data, data_end, &d);
	reason = tg_skb_decap(skb, &d);
	if (reason != TG_CONTINUE)
		goto out;
	/* Decapsulated from here on: count the inner datagram. */
	len = d.inner_len;
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	/*
	 * Anti-spoofing passed: a destination no one has, scope (inner
	 * destination), upstream rate.
	 */
	reason = tg_reserved_dst(data + ETH_HLEN, data_end, d.inner_proto);
	if (reason != TG_CONTINUE)
		goto out;
	reason = tg_police_packet(data + ETH_HLEN, data_end, d.inner_proto,
				  d.claim, TG_DIR_UP, len);
	if (reason != TG_CONTINUE)
		goto out;
	if (d.mss_mtu) {
		tg_skb_mss_clamp(skb, ETH_HLEN, d.inner_proto, d.mss_mtu);
		data = (void *)(long)skb->data;
		data_end = (void *)(long)skb->data_end;
	}
	reason = tg_forward(skb, data, data_end, skb->ingress_ifindex, &egress);
out:
	if (reason == TG_R_OK)
		action = bpf_redirect(egress, 0);
	else if (reason == TG_R_NEIGH_REPLY)
		/* The answer goes back out where the request came in. */
		action = bpf_redirect(skb->ingress_ifindex, 0);
	else
		action = tg_reason_drops(reason) ? TC_ACT_SHOT : TC_ACT_OK;
	tg_count(reason, d.sub_id, len);
	if (tg_trace_enabled)
		tg_trace_record(reason, d.sub_id, egress);
	return action;
}

char LICENSE[] SEC("license") = "GPL";
