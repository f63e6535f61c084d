// SPDX-License-Identifier: GPL-2.0-only
/*
 * Uplink-side program: packets from the network to a subscriber's prefix
 * go into that subscriber's tunnel and out toward it. One source, built
 * twice: for XDP (tg_up_xdp in uplink.bpf.o) and, with -DTG_HOOK_TC, for
 * TC ingress (tg_up_tc in uplink_tc.bpf.o). What differs between the
 * hooks is in ctx/.
 */
#include "ctx/ctx.h"
#include "tungate_maps.bpf.h"
#include "lib/uplink.h"
#include "lib/downstream.h"
#include "lib/encap.h"
#include "lib/forward.h"
#include "lib/stats.h"
#include "lib/trace.h"
#include "lib/mss.h"
#include "lib/icmp.h"

/* Set through the skeleton before load: record every outcome in tg_trace. */
const volatile __u8 tg_trace_enabled = 0;

SEC(CTX_SEC)
int CTX_PROG(tg_up)(struct __ctx_buff *ctx)
{
	void *data, *data_end;
	struct tg_up u = {};
	struct tg_enc x = {};
	struct tg_peer *peer = NULL;
	__u32 len = ctx_full_len(ctx);
	__u32 egress = 0;
	int action, reason;
	bool tx = false;

	/* The GRE and UDP checksums sum the whole packet: make it linear. */
	if (ctx_linearize(ctx)) {
		reason = TG_R_INTERNAL;
		goto out;
	}
	data = ctx_data(ctx);
	data_end = ctx_data_end(ctx);
	reason = tg_up_parse(data, data_end, &u);
	if (reason != TG_CONTINUE)
		goto out;
	len = u.ip_len;
	/*
	 * VLAN tags the head cannot move over, or a GSO packet, which the
	 * tunnel's segmentation would cut wrongly: the kernel routes it (to
	 * tg0, whose program encapsulates).
	 */
	if ((!CTX_MOVES_VLAN_TAGS && u.l3_off != ETH_HLEN) || ctx_is_gso(ctx)) {
		reason = TG_R_UNSUPPORTED_PAYLOAD;
		goto out;
	}
	if (u.ip_len > u.encap->mtu) {
		/*
		 * Without DF the kernel fragments (routing it to tg0 with the
		 * tunnel's MTU), then sends it back here. With DF the ICMP
		 * error is built here (XDP) or by the kernel (TC).
		 */
		if (!u.df) {
			reason = TG_R_FRAG_NEEDED_LOCAL;
			goto out;
		}
		reason = TG_R_TOO_BIG;
		tx = tg_too_big_reply(ctx, &u, u.encap);
		goto out;
	}
	/* Scope (inner source), downstream rate; Ethernet + VLANs < 64 B. */
	reason = tg_down_prepare(data + (u.l3_off & 63), data_end, &u, &x,
				 &peer);
	if (reason == TG_CONTINUE && !peer)
		reason = TG_R_INTERNAL;
	if (reason != TG_CONTINUE)
		goto out;
	if (u.encap->flags & TG_ENC_F_MSS_CLAMP) {
		tg_ctx_mss_clamp(ctx, u.l3_off, u.proto, u.encap->mtu);
		data = ctx_data(ctx);
		data_end = ctx_data_end(ctx);
	}
	reason = tg_ip_decrease_ttl(data, data_end, u.l3_off, u.proto);
	if (reason != TG_CONTINUE)
		goto out;
	reason = tg_encapsulate(ctx, u.l3_off, u.ip_len, u.frame_len, u.encap,
				peer, &x);
	if (reason != TG_CONTINUE)
		goto out;
	data = ctx_data(ctx);
	data_end = ctx_data_end(ctx);
	reason = tg_forward_outer(ctx, data, data_end, ctx_ingress_ifindex(ctx),
				  &egress);
out:
	if (reason == TG_R_OK)
		action = ctx_redirect_port(ctx, &tg_ports, egress);
	else if (reason == TG_R_TOO_BIG && TG_ICMP_REPLIES)
		/* The ICMP reply, or nothing over the rate limit. */
		action = tx ? ctx_tx(ctx) : CTX_ACT_DROP;
	else
		action = tg_reason_drops(reason) ? CTX_ACT_DROP : CTX_ACT_OK;
	tg_count_dir(reason, u.sub_id, len, TG_DIR_DOWN);
	if (tg_trace_enabled)
		tg_trace_record(reason, u.sub_id, egress);
	return action;
}

char LICENSE[] SEC("license") = "GPL";
