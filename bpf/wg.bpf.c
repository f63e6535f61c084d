// SPDX-License-Identifier: GPL-2.0-only
/*
 * WireGuard members: TC programs on each tgwgPORT interface. Ingress
 * (tg_wg_in) sees what a member sends once WireGuard has decrypted it,
 * egress (tg_wg_out) what goes to a member before it is encrypted; both
 * police and count it as the tunnel programs do (reserved destinations
 * upstream, scope, the member's buckets, counters by reason, tg_seen).
 * The member is the owner of the source (in) or the destination (out):
 * WireGuard's cryptokey routing already refused a source outside the
 * sending peer's allowed IPs, which are its member's prefixes.
 *
 * Why TC and not XDP: WireGuard has no native XDP, and generic XDP on it
 * runs on the decrypted packet as an skb anyway, with no egress hook at
 * all; TC is the hook with both directions on 6.1 and 6.12 alike.
 */
/* TC only. */
#define TG_HOOK_TC
#include "ctx/ctx.h"
#include "tungate_maps.bpf.h"
#include "lib/wgmember.h"
#include "lib/police.h"
#include "lib/reserved.h"
#include "lib/stats.h"

/* Bytes pulled into the head: the IPv6 header and a TCP header in full. */
#define TG_WG_PULL 100

/*
 * Where the IP header starts: 0 on WireGuard, an L3 device. Set through
 * the skeleton by the unit tests only: BPF_PROG_TEST_RUN leaves an
 * Ethernet header on a TC program's packet.
 */
const volatile __u32 tg_wg_l3_off = 0;

static __always_inline int tg_wg(struct __sk_buff *skb, __u32 dir)
{
	__u16 proto = bpf_ntohs(skb->protocol);
	__u32 off = tg_bound(tg_wg_l3_off, ETH_HLEN);
	__u32 pull = skb->len < TG_WG_PULL + off ? skb->len : TG_WG_PULL + off;
	struct tg_wg w = { .len = skb->len, .segs = 1 };
	void *data, *data_end;
	int reason;

	if (skb->data_end - skb->data < pull &&
	    bpf_skb_pull_data(skb, pull)) {
		reason = TG_R_INTERNAL;
		goto out;
	}
	data = (void *)(long)skb->data + off;
	data_end = (void *)(long)skb->data_end;
	reason = tg_wg_parse(data, data_end, proto, skb->len - off, skb->gso_size,
			     skb->gso_segs, dir, &w);
	/* A source that is no WireGuard member's: not the peer's own. */
	if (reason == TG_R_NOT_SUBSCRIBER && dir == TG_DIR_UP)
		reason = TG_R_SPOOFED_SRC;
	if (reason != TG_CONTINUE)
		goto out;
	if (dir == TG_DIR_UP) {
		reason = tg_reserved_dst(data, data_end, w.proto);
		if (reason != TG_CONTINUE)
			goto out;
	}
	reason = tg_police_gso(data, data_end, w.proto, w.claim, dir, w.len,
			       w.first);
	if (reason == TG_CONTINUE)
		reason = TG_R_OK;
out:
	tg_count_segs(reason, w.sub_id, w.len, dir, w.segs);
	if (w.sub_id && dir == TG_DIR_UP)
		tg_seen_note(w.sub_id, reason);
	return tg_reason_drops(reason) ? TC_ACT_SHOT : TC_ACT_OK;
}

SEC("tc")
int tg_wg_in(struct __sk_buff *skb)
{
	return tg_wg(skb, TG_DIR_UP);
}

SEC("tc")
int tg_wg_out(struct __sk_buff *skb)
{
	return tg_wg(skb, TG_DIR_DOWN);
}

char LICENSE[] SEC("license") = "GPL";
