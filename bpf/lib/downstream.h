/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The downstream steps every encapsulating program takes between
 * tg_up_parse() and moving the head: police the datagram (scope, rate),
 * then prepare the tunnel headers. Hook-neutral.
 */
#ifndef TG_LIB_DOWNSTREAM_H
#define TG_LIB_DOWNSTREAM_H

#include "tungate_maps.bpf.h"
#include "uplink.h"
#include "police.h"
#include "encap.h"

/*
 * The datagram u (IP header at ip) toward its subscriber: TG_CONTINUE
 * with x prepared and *peer the subscriber's tg_peer entry, or the
 * reason to stop (policed, out of scope, not encapsulable, INTERNAL).
 */
static __always_inline int tg_down_prepare(void *ip, void *data_end,
					   const struct tg_up *u,
					   struct tg_enc *x,
					   struct tg_peer **peer)
{
	struct tg_config *cfg;
	struct tg_peer *p;
	__u32 zero = 0, sub_id = u->sub_id;
	int reason;

	reason = tg_police_packet(ip, data_end, u->proto, u->claim,
				  TG_DIR_DOWN, u->ip_len);
	if (reason != TG_CONTINUE)
		return reason;
	p = bpf_map_lookup_elem(&tg_peer, &sub_id);
	cfg = bpf_map_lookup_elem(&tg_config, &zero);
	if (!p || !cfg)
		return TG_R_INTERNAL;
	*peer = p;
	return tg_encap_prepare(u->encap, p, cfg, u->proto, u->ip_len, x);
}

#endif /* TG_LIB_DOWNSTREAM_H */
