// SPDX-License-Identifier: GPL-2.0-only
/*
 * Uplink-side XDP program: packets from the network to a subscriber's
 * prefix go into that subscriber's tunnel and out toward it.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "tungate_maps.bpf.h"
#include "lib/uplink.h"
#include "lib/encap_xdp.h"
#include "lib/forward.h"
#include "lib/stats.h"
#include "lib/trace.h"
#include "lib/mss.h"
#include "lib/icmp.h"
#include "lib/police.h"

/* Set through the skeleton before load: record every outcome in tg_trace. */
const volatile __u8 tg_trace_enabled = 0;

SEC("xdp")
int tg_up_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct tg_up u = {};
	struct tg_enc x;
	struct tg_config *cfg;
	struct tg_peer *peer;
	__u32 len = data_end - data;
	__u32 egress = 0, zero = 0;
	int action, reason;
	bool tx = false;

	reason = tg_up_parse(data, data_end, &u);
	if (reason != TG_CONTINUE)
		goto out;
	len = u.ip_len;
	if (u.ip_len > u.encap->mtu) {
		/* Without DF the kernel fragments, then sends it back here. */
		if (!u.df) {
			reason = TG_R_FRAG_NEEDED_LOCAL;
			goto out;
		}
		reason = TG_R_TOO_BIG;
		tx = tg_xdp_too_big(ctx, &u, u.encap);
		goto out;
	}
	/* Scope (inner source), downstream rate; Ethernet + VLANs < 64 B. */
	reason = tg_police_packet(data + (u.l3_off & 63), data_end, u.proto,
				  u.claim, TG_DIR_DOWN, u.ip_len);
	if (reason != TG_CONTINUE)
		goto out;
	peer = bpf_map_lookup_elem(&tg_peer, &u.sub_id);
	cfg = bpf_map_lookup_elem(&tg_config, &zero);
	if (!peer || !cfg) {
		reason = TG_R_INTERNAL;
		goto out;
	}
	reason = tg_encap_prepare(u.encap, peer, cfg, u.proto, u.ip_len, &x);
	if (reason != TG_CONTINUE)
		goto out;
	if (u.encap->flags & TG_ENC_F_MSS_CLAMP) {
		tg_xdp_mss_clamp(ctx, u.l3_off, u.proto, u.encap->mtu);
		data = (void *)(long)ctx->data;
		data_end = (void *)(long)ctx->data_end;
	}
	reason = tg_ip_decrease_ttl(data, data_end, u.l3_off, u.proto);
	if (reason != TG_CONTINUE)
		goto out;
	reason = tg_xdp_encap(ctx, u.l3_off, u.ip_len, u.frame_len, u.encap,
			      peer, &x);
	if (reason != TG_CONTINUE)
		goto out;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	reason = tg_forward_outer(ctx, data, data_end, ctx->ingress_ifindex,
				  &egress);
out:
	if (reason == TG_R_OK)
		/* Lost race with a port removal: flags 0 makes that XDP_ABORTED. */
		action = bpf_redirect_map(&tg_ports, egress, 0);
	else if (reason == TG_R_TOO_BIG)
		/* The ICMP reply, or nothing over the rate limit. */
		action = tx ? XDP_TX : XDP_DROP;
	else
		action = tg_reason_drops(reason) ? XDP_DROP : XDP_PASS;
	tg_count_dir(reason, u.sub_id, len, TG_DIR_DOWN);
	if (tg_trace_enabled)
		tg_trace_record(reason, u.sub_id, egress);
	return action;
}

char LICENSE[] SEC("license") = "GPL";
