/* SPDX-License-Identifier: GPL-2.0-only */
/* Per-CPU counters by reason, globally and per subscriber. */
#ifndef TG_LIB_STATS_H
#define TG_LIB_STATS_H

#include "tungate_maps.bpf.h"

/*
 * Reasons of a packet that passed the rate check and went on, redirected
 * or to the kernel (expiring TTL, FIB answers, a port tungate does not
 * manage): charged to the bucket, so counted as the subscriber's traffic.
 */
static __always_inline bool tg_reason_is_traffic(__u32 reason)
{
	return reason == TG_R_OK || reason == TG_R_TTL_EXPIRED ||
	       (reason >= TG_R_FIB_NO_NEIGH && reason <= TG_R_EGRESS_UNMANAGED);
}

/*
 * The possible CPUs (libbpf_num_possible_cpus()), set through the skeleton
 * before load: the stride of tg_sub_stats. 0 (not set): nothing is
 * counted per subscriber.
 */
const volatile __u32 tg_ncpus = 0;

/* This CPU's counters of subscriber sub_id, NULL when there are none. */
static __always_inline struct tg_sub_counters *tg_sub_counters_of(__u32 sub_id)
{
	__u32 cpu = bpf_get_smp_processor_id(), key;
	struct tg_sub_line *l;
	__u64 k;

	if (cpu >= tg_ncpus)
		return NULL;
	/* Past 2^32 (an id far beyond the map): not another one's line. */
	k = (__u64)sub_id * tg_ncpus + cpu;
	if (k >> 32)
		return NULL;
	key = k;
	l = bpf_map_lookup_elem(&tg_sub_stats, &key);
	return l ? &l->c : NULL;
}

/*
 * Count segs packets (a GSO packet's segments; 1 for any other) of len
 * bytes in all under reason; the subscriber's traffic
 * (tg_reason_is_traffic) also as packets of direction dir (enum tg_dir).
 * Per-CPU values: plain adds, no atomics. A sub_id beyond the map (or 0)
 * is not counted per subscriber; the array lookup already refuses
 * out-of-range keys.
 */
static __always_inline void tg_count_segs(__u32 reason, __u32 sub_id,
					  __u32 len, __u32 dir, __u32 segs)
{
	struct tg_sub_counters *s;
	struct tg_counter *g;

	g = bpf_map_lookup_elem(&tg_global_stats, &reason);
	if (g) {
		g->packets += segs;
		g->bytes += len;
	}
	if (!sub_id)
		return;
	s = tg_sub_counters_of(sub_id);
	if (!s)
		return;
	if (reason < TG_R_SUB_MAX)
		s->reasons[reason] += segs;
	else if (reason == TG_R_NEIGH_REPLY)
		/* No per-subscriber slot of its own: tunnel control. */
		s->reasons[TG_R_CONTROL] += segs;
	if (tg_reason_is_traffic(reason)) {
		s->packets[dir & 1] += segs;
		s->bytes[dir & 1] += len;
	}
}

static __always_inline void tg_count_dir(__u32 reason, __u32 sub_id,
					 __u32 len, __u32 dir)
{
	tg_count_segs(reason, sub_id, len, dir, 1);
}

/*
 * Start loading what tg_count_dir() and (seen: from the subscriber's
 * side) tg_seen_note() will write for subscriber sub_id, as soon as it
 * is known: once many subscribers are active those lines are cache (and
 * TLB) misses. Loaded here, they come in while the packet
 * is parsed, policed and routed instead of one after the other at the
 * end. A read only: nothing changes, and the counting stays where it is.
 * tests/bench, ipip, 1M active subscribers: 1,420-1,610 ns a packet
 * without, 1,070-1,310 with (counters then in a per-CPU array).
 *
 * A global function: the verifier walks it once, its callers see a
 * number (inlined, its branches multiply the parser's states past the
 * instruction limit of 6.1).
 */
__noinline int tg_count_warm(__u32 sub_id, __u32 seen)
{
	struct tg_sub_counters *s;
	struct tg_seen *n;

	s = tg_sub_counters_of(sub_id);
	if (s)
		asm volatile("" : : "r"(*(volatile __u64 *)s));
	if (!seen)
		return 0;
	n = bpf_map_lookup_elem(&tg_seen, &sub_id);
	if (n)
		asm volatile("" : : "r"(*(volatile __u64 *)n));
	return 0;
}

/* Subscriber side: forwarded packets count as TG_DIR_UP. */
static __always_inline void tg_count(__u32 reason, __u32 sub_id, __u32 len)
{
	tg_count_dir(reason, sub_id, len, TG_DIR_UP);
}

/*
 * Note in tg_seen that subscriber sub_id (not 0) was just heard, its
 * packet counted under reason: keepalives and tunnel control each time
 * (they are few), anything else once per TG_SEEN_GRAIN_NS at most. Read
 * before writing: a line written by every CPU on every packet would
 * bounce between them. Two CPUs may both write in the same instant:
 * either time will do.
 */
static __always_inline void tg_seen_note(__u32 sub_id, __u32 reason)
{
	struct tg_seen *s = bpf_map_lookup_elem(&tg_seen, &sub_id);
	__u64 now;

	if (!s)
		return;
	now = bpf_ktime_get_coarse_ns();
	if (reason == TG_R_KEEPALIVE || reason == TG_R_CONTROL)
		s->keepalive_ns = now;
	else if (now - s->packet_ns >= TG_SEEN_GRAIN_NS || !s->packet_ns)
		s->packet_ns = now;
}

/* Reasons whose packets are dropped; every other one but OK is passed. */
static __always_inline bool tg_reason_drops(__u32 reason)
{
	struct tg_config *cfg;
	__u32 zero = 0;

	switch (reason) {
	case TG_R_SPOOFED_SRC:
	case TG_R_BAD_COOKIE:
	case TG_R_GRE_BAD_CSUM:
	case TG_R_INNER_MALFORMED:
	case TG_R_NO_PEER_MAC:
	case TG_R_POLICED_UP:
	case TG_R_POLICED_DOWN:
	case TG_R_SCOPE:
	case TG_R_RESERVED_DST:
	case TG_R_FIB_BLACKHOLE:
	case TG_R_FIB_PROHIBIT:
	case TG_R_INTERNAL:
		return true;
	case TG_R_UNKNOWN_TUNNEL:
		cfg = bpf_map_lookup_elem(&tg_config, &zero);
		return cfg && (cfg->flags & TG_CFG_F_DROP_UNKNOWN);
	}
	return false;
}

#endif /* TG_LIB_STATS_H */
