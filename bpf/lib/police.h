/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-subscriber policing, shared by the XDP and TC programs: the access
 * scope of community-class subscribers (tg_community4/6), then the GCRA
 * bucket of the direction (tg_police, tg_bucket). Takes a pointer to the
 * IP header and data_end, never a hook context.
 *
 * Concurrency. One subscriber's packets may arrive on several CPUs at
 * once (RSS spreads flows), and the admitted rate must stay exact
 * (within 1%) even then, so the state cannot be per CPU. Options weighed,
 * measured with tests/bench (TG_BENCH_POLICE_ONLY=1; 1M subscribers,
 * 2-vCPU AMD EPYC VM, ns/packet, noise about +-10%):
 *
 *                      ipip (decap)            enc-ipip (encap)
 *                 unpol  admit  drop  2cpu*  unpol  admit  drop  2cpu*
 *   CAS (chosen)   253    300    137   487    213    268    97    337
 *   bpf_spin_lock  219    405    207   515    278    336   153    402
 *   (* admit, h+path with the same subscriber on both CPUs at once)
 *
 * - compare-and-swap of the 64-bit tat (chosen): a conforming packet
 *   costs one BPF_CMPXCHG on a line shared with the other CPUs of that
 *   subscriber; a refused one only reads it, so a flood over the rate
 *   (the common contended case) mostly reads: drops cost about half an
 *   unpoliced packet. Lock-free: no CPU spins on another. Retries are
 *   bounded (TG_POLICE_TRIES); a packet that loses every race is refused,
 *   so contention can only under-admit, never over-admit.
 * - bpf_spin_lock: a lock taken and released on every packet, drops
 *   included (drops 1.5x the CAS figure above, admits no better), a lock
 *   word in the value, and userspace updates need care (BPF_F_LOCK).
 * - steering each subscriber to one CPU (cpumap): exact with no atomics,
 *   but costs a redirect per packet, puts a whole subscriber on one core
 *   (a 10-100 Gbit/s class cannot be served by one core) and needs the
 *   tunnel lookup done before the steering, i.e. twice. Not measured.
 *
 * The clock. Most of what an admitted packet costs is bpf_ktime_get_ns():
 * 34 ns a call here against 16 for bpf_ktime_get_coarse_ns() (64 calls
 * in a loop); the locked cmpxchg is within the noise. A bucket whose
 * tolerance is long enough (TG_GCRA_COARSE_TOL: every class with the
 * default burst) runs on the coarse clock with the tolerance lowered by
 * the clock's possible lag, so that it never admits more than the fine
 * clock would; shorter ones keep the fine clock, as a tick may be longer
 * than their whole burst (see gcra.h). tests/bench, rounds that run every
 * mode in turn, x the unpoliced path, three runs each:
 *
 *                                  ipip (decap)       enc-ipip (encap)
 *   fine clock for every bucket (the earlier code):
 *     admit                        1.16 1.18 1.17     1.17 1.16 1.19
 *     drop                         0.56 0.58 0.57     0.43 0.42 0.44
 *   as now:
 *     admit, default burst         1.10 1.08 1.10     1.11 1.10 1.09
 *     admit, burst under 200 ms    1.18 1.17 1.15     1.15 1.19 1.17
 *     drop                         0.45 0.43 0.43     0.32 0.35 0.35
 *
 * (Drops gain from the coarse clock too, the benchmark's bucket in debt
 * having a long tolerance, and upstream from policing before the head
 * moves.)
 */
#ifndef TG_LIB_POLICE_H
#define TG_LIB_POLICE_H

#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include "tungate_maps.bpf.h"
#include "claim.h"
#include "parse.h"
#include "gcra.h"

/* Compare-and-swap attempts before a packet is refused as if over rate. */
#define TG_POLICE_TRIES 4

/*
 * Scope: the far address of a community-scope subscriber's packet (the
 * destination upstream, the source downstream) must lie in the community
 * prefixes. ip has been bounds-checked for its fixed header by the caller.
 */
static __always_inline bool tg_police_in_scope(void *ip, void *data_end,
					       __u16 proto, __u32 dir)
{
	if (proto == ETH_P_IP) {
		struct iphdr *iph = ip;
		struct tg_lpm4_key k = { .prefixlen = 32 };

		if ((void *)(iph + 1) > data_end)
			return false;
		k.addr = dir == TG_DIR_UP ? iph->daddr : iph->saddr;
		return bpf_map_lookup_elem(&tg_community4, &k);
	} else {
		struct ipv6hdr *ip6h = ip;
		struct tg_lpm6_key k = { .prefixlen = 128 };

		if ((void *)(ip6h + 1) > data_end)
			return false;
		if (dir == TG_DIR_UP)
			__builtin_memcpy(k.addr, &ip6h->daddr, sizeof(k.addr));
		else
			__builtin_memcpy(k.addr, &ip6h->saddr, sizeof(k.addr));
		return bpf_map_lookup_elem(&tg_community6, &k);
	}
}

/*
 * The bucket of direction dir, at the rate of interval and tolerance
 * (tg_police fields of that direction): true when a packet of len bytes
 * conforms (and has been charged), false when it is over the rate.
 * first: the bytes that must conform, len itself but for a GSO packet
 * (tg_police_gso()), which is admitted when its first segment conforms
 * and charged whole: the bucket carries the rest as debt.
 *
 * Race accepted: now is read before the loop, so a CPU that loses a race
 * retries with a now a few ns old; that is at most a few ns of credit
 * lost, never gained.
 */
static __always_inline bool tg_police_bucket(__u64 interval, __u64 tol,
					     __u32 sub_id, __u32 dir, __u32 len,
					     __u32 first)
{
	__u64 now, cost, extra = 0, old, nt;
	struct tg_bucket *b;
	__u64 *tat;
	int i;

	b = bpf_map_lookup_elem(&tg_bucket, &sub_id);
	if (!b)
		return true;	/* beyond the map: sync never set a rate */
	tat = &b->tat[dir & 1];
	/* Either clock: see gcra.h. */
	if (tg_gcra_coarse(tol)) {
		now = bpf_ktime_get_coarse_ns();
		tol = tg_gcra_coarse_tol(tol);
	} else {
		now = bpf_ktime_get_ns();
	}
	now = tg_gcra_time(now);
	tol = tg_gcra_time(tol);
	cost = tg_gcra_cost(first, interval);
	if (len > first)
		extra = tg_gcra_cost(len - first, interval);
	for (i = 0; i < TG_POLICE_TRIES; i++) {
		old = *(volatile __u64 *)tat;
		if (!tg_gcra_admit(old, now, cost, tol, &nt))
			return false;
		nt += extra;
		if (__sync_val_compare_and_swap(tat, old, nt) == old)
			return true;
	}
	return false;
}

/*
 * Police one packet in direction dir (enum tg_dir) of the subscriber of
 * claim (its rate and scope in the claim's slot, its buckets shared):
 * ip is its IP header (proto ETH_P_IP or ETH_P_IPV6), len the IP
 * datagram's length. Returns TG_CONTINUE, or TG_R_SCOPE / TG_R_POLICED_UP /
 * TG_R_POLICED_DOWN to drop it. Costs one inlined array lookup for a
 * subscriber with neither a rate nor a scope in that direction (the claim
 * was checked when it was taken: tg_gen is not read again).
 *
 * tg_police_gso() is the same for a GSO packet of len bytes in all whose
 * first segment is first bytes long (TC only: a WireGuard interface takes
 * and gives GRO-merged packets). Refusing one whose whole length does
 * not fit the burst would starve a TCP flow on a small burst; admitting
 * it on its first segment lets one GSO packet (64 KiB at most) beyond the
 * burst through, and the rate holds over time.
 */
static __always_inline int tg_police_gso(void *ip, void *data_end,
					 __u16 proto, __u32 claim, __u32 dir,
					 __u32 len, __u32 first)
{
	struct tg_police *p;
	__u64 interval, tol;
	__u32 flags;

	p = tg_police_of(claim);
	if (!p)
		return TG_CONTINUE;
	/*
	 * Read at once: p is dead from here on, so the verifier walks the
	 * rest once, not once per slot's map.
	 */
	flags = p->flags;
	interval = p->interval[dir & 1];
	tol = p->tolerance[dir & 1];
	if ((flags & TG_RATE_F_COMMUNITY) &&
	    !tg_police_in_scope(ip, data_end, proto, dir))
		return TG_R_SCOPE;
	if (interval &&
	    !tg_police_bucket(interval, tol, TG_CLAIM_ID_OF(claim), dir, len,
			      first))
		return dir == TG_DIR_UP ? TG_R_POLICED_UP : TG_R_POLICED_DOWN;
	return TG_CONTINUE;
}

static __always_inline int tg_police_packet(void *ip, void *data_end,
					    __u16 proto, __u32 claim,
					    __u32 dir, __u32 len)
{
	return tg_police_gso(ip, data_end, proto, claim, dir, len, len);
}

#endif /* TG_LIB_POLICE_H */
