// SPDX-License-Identifier: GPL-2.0-only
/*
 * Subscriber-side XDP program: decapsulates tunnel traffic from
 * subscribers, checks the inner source and forwards it.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "tungate_maps.bpf.h"
#include "lib/tunnel.h"
#include "lib/decap.h"
#include "lib/forward.h"
#include "lib/stats.h"
#include "lib/trace.h"
#include "lib/learn.h"
#include "lib/mss.h"
#include "lib/neigh.h"
#include "lib/police.h"
#include "lib/reserved.h"
#include "lib/icmp.h"

/* Set through the skeleton before load: record every outcome in tg_trace. */
const volatile __u8 tg_trace_enabled = 0;

SEC("xdp")
int tg_sub_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct tg_decap d = {};
	__u32 len = data_end - data;
	__u32 egress = 0;
	struct tg_config *cfg;
	__u32 zero = 0;
	int action, reason;
	bool tx = false;

	reason = tg_decap_parse(data, data_end, &d);
	if (d.csum_len) {
		int csum = tg_xdp_gre_csum(ctx, d.csum_off, d.csum_len);

		if (csum != TG_CONTINUE)
			reason = csum;
	}
	if (reason == TG_R_CONTROL && d.neigh) {
		/* ARP / neighbour solicitation: answered or left alone. */
		reason = tg_xdp_neigh_reply(ctx, d.claim, d.neigh_off,
					    d.outer_off, d.neigh);
		goto out;
	}
	if (reason != TG_CONTINUE)
		goto out;
	if (d.learn)
		tg_learn(data, data_end, &d);
	/* Count the inner datagram from here on. */
	len = d.inner_len;
	if (d.inner_off > TG_ICMP_OFF_MAX) {
		reason = TG_R_INTERNAL;
		goto out;
	}
	/*
	 * Anti-spoofing passed: a destination no one has, scope (inner
	 * destination), upstream rate, before decapsulation so that a scope
	 * refusal can still be answered through the tunnel (and a refused
	 * packet costs no head move).
	 */
	reason = tg_reserved_dst(data + d.inner_off, data_end, d.inner_proto);
	if (reason != TG_CONTINUE)
		goto out;
	reason = tg_police_packet(data + d.inner_off, data_end, d.inner_proto,
				  d.claim, TG_DIR_UP, len);
	if (reason == TG_R_SCOPE) {
		cfg = bpf_map_lookup_elem(&tg_config, &zero);
		if (cfg && (cfg->flags & TG_CFG_F_SCOPE_ICMP))
			tx = tg_xdp_scope_icmp(ctx, &d);
	}
	if (reason != TG_CONTINUE)
		goto out;
	reason = tg_xdp_decap(ctx, &d);
	if (reason != TG_CONTINUE)
		goto out;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (d.mss_mtu) {
		tg_xdp_mss_clamp(ctx, ETH_HLEN, d.inner_proto, d.mss_mtu);
		data = (void *)(long)ctx->data;
		data_end = (void *)(long)ctx->data_end;
	}
	reason = tg_forward(ctx, data, data_end, ctx->ingress_ifindex, &egress);
out:
	if (reason == TG_R_OK)
		/* Lost race with a port removal: flags 0 makes that XDP_ABORTED. */
		action = bpf_redirect_map(&tg_ports, egress, 0);
	else if (reason == TG_R_NEIGH_REPLY)
		action = XDP_TX;
	else if (reason == TG_R_SCOPE)
		/* The ICMP reply through the tunnel, or nothing. */
		action = tx ? XDP_TX : XDP_DROP;
	else
		action = tg_reason_drops(reason) ? XDP_DROP : XDP_PASS;
	tg_count(reason, d.sub_id, len);
	if (tg_trace_enabled)
		tg_trace_record(reason, d.sub_id, egress);
	return action;
}

char LICENSE[] SEC("license") = "GPL";
