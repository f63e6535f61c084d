// SPDX-License-Identifier: GPL-2.0-only
/*
 * Subscriber-side program: decapsulates tunnel traffic from subscribers,
 * checks the inner source and forwards it. One source, built twice: for
 * XDP (tg_sub_xdp in subscriber.bpf.o) and, with -DTG_HOOK_TC, for TC
 * ingress on interfaces where XDP is not wanted (tg_sub_tc in
 * subscriber_tc.bpf.o). What differs between the hooks is in ctx/.
 */
#include "ctx/ctx.h"
#include "tungate_maps.bpf.h"
#include "lib/tunnel.h"
#include "lib/decap.h"
#include "lib/forward.h"
#include "lib/stats.h"
#include "lib/trace.h"
#include "lib/learn.h"
#include "lib/mss.h"
#include "lib/neigh.h"
#include "lib/keepalive.h"
#include "lib/police.h"
#include "lib/reserved.h"
#include "lib/icmp.h"

/*
 * Police (a destination no one has, scope, upstream rate) before
 * decapsulation, at both hooks: the tunnel headers are still there, so a
 * scope refusal can be answered through the tunnel (tg_scope_icmp()),
 * and a refused packet costs no head move. The inner datagram is read at
 * its offset in the tunnel frame. 0 polices the decapsulated packet (and
 * so never answers a scope refusal).
 */
#define TG_POLICE_BEFORE_DECAP 1

/* Set through the skeleton before load: record every outcome in tg_trace. */
const volatile __u8 tg_trace_enabled = 0;

/*
 * The inner datagram at ip (d: as parsed) against reserved destinations,
 * scope (inner destination) and the upstream rate. *tx: a scope refusal
 * is answered with the frame (only before decapsulation).
 */
static __always_inline int tg_sub_police(struct __ctx_buff *ctx,
					 const struct tg_decap *d, void *ip,
					 void *data_end, __u32 len, bool *tx)
{
	struct tg_config *cfg;
	__u32 zero = 0;
	int reason;

	reason = tg_reserved_dst(ip, data_end, d->inner_proto);
	if (reason != TG_CONTINUE)
		return reason;
	reason = tg_police_packet(ip, data_end, d->inner_proto, d->claim,
				  TG_DIR_UP, len);
	if (reason == TG_R_SCOPE && TG_POLICE_BEFORE_DECAP && TG_ICMP_REPLIES) {
		cfg = bpf_map_lookup_elem(&tg_config, &zero);
		if (cfg && (cfg->flags & TG_CFG_F_SCOPE_ICMP))
			*tx = tg_scope_icmp(ctx, d);
	}
	return reason;
}

SEC(CTX_SEC)
int CTX_PROG(tg_sub)(struct __ctx_buff *ctx)
{
	void *data, *data_end;
	struct tg_decap d = {};
	__u32 len = ctx_full_len(ctx);
	__u32 egress = 0;
	int action, reason;
	bool tx = false;

	/* Parser, checksums and replies read the whole packet: linear. */
	if (ctx_linearize(ctx)) {
		reason = TG_R_INTERNAL;
		goto out;
	}
	data = ctx_data(ctx);
	data_end = ctx_data_end(ctx);
	reason = tg_decap_parse(data, data_end, &d);
	if (d.csum_len) {
		int csum = tg_gre_csum(ctx, d.csum_off, d.csum_len);

		if (csum != TG_CONTINUE)
			reason = csum;
	}
	if (reason == TG_R_CONTROL && d.neigh) {
		/* ARP / neighbour solicitation: answered or left alone. */
		reason = tg_neigh_reply(ctx, d.claim, d.neigh_off,
					d.outer_off, d.neigh);
		goto out;
	}
	if (reason == TG_R_KEEPALIVE) {
		/* EoIP or GRE: answered in the frame, not policed. */
		reason = tg_keepalive_reply(ctx, d.claim, d.keepalive,
					    d.outer_off, d.inner_off);
		goto out;
	}
	if (reason != TG_CONTINUE)
		goto out;
	/*
	 * What the hook cannot decapsulate is left to the kernel: a
	 * GRO-merged tunnel packet (its segmentation would belong to the
	 * tunnel, not to the payload), VLAN tags the head cannot move over.
	 */
	if (ctx_is_gso(ctx) ||
	    (!CTX_MOVES_VLAN_TAGS && d.outer_off != ETH_HLEN)) {
		reason = TG_R_UNSUPPORTED_PAYLOAD;
		goto out;
	}
	data = ctx_data(ctx);
	data_end = ctx_data_end(ctx);
	if (d.learn)
		tg_learn(data, data_end, &d);
	/* Count the inner datagram from here on. */
	len = d.inner_len;
	if (d.inner_off > TG_ICMP_OFF_MAX) {
		reason = TG_R_INTERNAL;
		goto out;
	}
	if (TG_POLICE_BEFORE_DECAP) {
		reason = tg_sub_police(ctx, &d, data + d.inner_off, data_end,
				       len, &tx);
		if (reason != TG_CONTINUE)
			goto out;
	}
	reason = tg_decap(ctx, &d);
	if (reason != TG_CONTINUE)
		goto out;
	data = ctx_data(ctx);
	data_end = ctx_data_end(ctx);
	if (!TG_POLICE_BEFORE_DECAP) {
		reason = tg_sub_police(ctx, &d, data + ETH_HLEN, data_end, len,
				       &tx);
		if (reason != TG_CONTINUE)
			goto out;
	}
	if (d.mss_mtu) {
		tg_ctx_mss_clamp(ctx, ETH_HLEN, d.inner_proto, d.mss_mtu);
		data = ctx_data(ctx);
		data_end = ctx_data_end(ctx);
	}
	reason = tg_forward(ctx, data, data_end, ctx_ingress_ifindex(ctx),
			    &egress);
out:
	if (reason == TG_R_OK)
		action = ctx_redirect_port(ctx, &tg_ports, egress);
	else if (reason == TG_R_NEIGH_REPLY || reason == TG_R_KEEPALIVE)
		/* The answer goes back out where the request came in. */
		action = ctx_tx(ctx);
	else if (reason == TG_R_SCOPE && tx)
		/* The ICMP reply through the tunnel. */
		action = ctx_tx(ctx);
	else
		action = tg_reason_drops(reason) ? CTX_ACT_DROP : CTX_ACT_OK;
	tg_count(reason, d.sub_id, len);
	if (d.sub_id)
		tg_seen_note(d.sub_id, reason);
	if (tg_trace_enabled)
		tg_trace_record(reason, d.sub_id, egress);
	return action;
}

char LICENSE[] SEC("license") = "GPL";
