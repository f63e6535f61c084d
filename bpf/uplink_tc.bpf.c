// SPDX-License-Identifier: GPL-2.0-only
/*
 * Uplink-side TC ingress program: the pipeline of tg_up_xdp (same
 * parser, policing, header writer and route lookup) on the socket
 * buffer: bpf_skb_adjust_room makes room for the tunnel headers,
 * bpf_redirect sends the result toward the subscriber.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include "tungate_maps.bpf.h"
#include "lib/uplink.h"
#include "lib/downstream.h"
#include "lib/encap_skb.h"
#include "lib/linear_skb.h"
#include "lib/forward.h"
#include "lib/stats.h"
#include "lib/trace.h"
#include "lib/mss_skb.h"

/* Set through the skeleton before load: record every outcome in tg_trace. */
const volatile __u8 tg_trace_enabled = 0;

SEC("tc")
int tg_up_tc(struct __sk_buff *skb)
{
	void *data, *data_end;
	struct tg_up u = {};
	struct tg_enc x = {};
	struct tg_peer *peer = NULL;
	__u32 len = skb->len;
	__u32 egress = 0;
	int action, reason;

	/* The GRE and UDP checksums sum the whole packet: make it linear. */
	if (tg_skb_linear(skb)) {
		reason = TG_R_INTERNAL;
		goto out;
	}
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	reason = tg_up_parse(data, data_end, &u);
	if (reason != TG_CONTINUE)
		goto out;
	len = u.ip_len;
	/*
	 * VLAN tags in the data (not taken off by the driver), or a GSO
	 * packet, which the tunnel's segmentation would cut wrongly: the
	 * kernel routes it (to tg0, whose program encapsulates).
	 */
	if (u.l3_off != ETH_HLEN || skb->gso_size) {
		reason = TG_R_UNSUPPORTED_PAYLOAD;
		goto out;
	}
	/*
	 * Too big for the tunnel: the kernel routes it to tg0 with the
	 * tunnel's MTU, and so answers ICMP (DF) or fragments (no DF).
	 */
	if (u.ip_len > u.encap->mtu) {
		reason = u.df ? TG_R_TOO_BIG : TG_R_FRAG_NEEDED_LOCAL;
		goto out;
	}
	/* Scope (inner source), downstream rate, headers: as tg_up_xdp. */
	reason = tg_down_prepare(data + ETH_HLEN, data_end, &u, &x, &peer);
	if (reason == TG_CONTINUE && !peer)
		reason = TG_R_INTERNAL;
	if (reason != TG_CONTINUE)
		goto out;
	if (u.encap->flags & TG_ENC_F_MSS_CLAMP)
		tg_skb_mss_clamp(skb, ETH_HLEN, u.proto, u.encap->mtu);
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	reason = tg_ip_decrease_ttl(data, data_end, ETH_HLEN, u.proto);
	if (reason != TG_CONTINUE)
		goto out;
	reason = tg_skb_encap(skb, u.ip_len, u.frame_len, u.encap, peer, &x);
	if (reason != TG_CONTINUE)
		goto out;
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	reason = tg_forward_outer(skb, data, data_end, skb->ingress_ifindex,
				  &egress);
out:
	if (reason == TG_R_OK)
		action = bpf_redirect(egress, 0);
	else
		action = tg_reason_drops(reason) ? TC_ACT_SHOT : TC_ACT_OK;
	tg_count_dir(reason, u.sub_id, len, TG_DIR_DOWN);
	if (tg_trace_enabled)
		tg_trace_record(reason, u.sub_id, egress);
	return action;
}

char LICENSE[] SEC("license") = "GPL";
