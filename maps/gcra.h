/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * GCRA (virtual scheduling) arithmetic of the policer, shared by the BPF
 * programs, the loader's sync (rate/burst -> tg_police) and the userspace
 * unit tests: plain integer C, no BPF helper, no 128-bit type (the BPF
 * backend has no 128-bit division).
 *
 * Units:
 * - rate in bit/s of inner IP bytes, burst in bytes (what sync gets);
 * - interval: ns per byte << TG_RATE_SHIFT (tg_police.interval);
 * - tolerance: ns, the burst at the rate (tg_police.tolerance);
 * - tat and now: "time units" of 2^-TG_TAT_SHIFT ns (tg_bucket.tat).
 *
 * Why sub-ns time units: at 100 Gbit/s a 64-byte packet lasts 5.12 ns; a
 * cost rounded to whole ns would be 2.3% off for every such packet, always
 * in the same direction. In 1/64 ns it is 327.68 -> 328 (0.1%). The price:
 * now << 6 wraps after 2^58 ns (9.1 years of uptime).
 *
 * Range checked (tests/unit/test_gcra.c): rates TG_GCRA_RATE_MIN ..
 * TG_GCRA_RATE_MAX, packets up to 65535 bytes, bursts up to
 * TG_GCRA_BURST_MAX: interval <= 2^27 * 1e9 / 1000 < 2^48, so
 * len * interval < 2^64; tolerance << TG_TAT_SHIFT < 2^64.
 */
#ifndef TG_LIB_GCRA_H
#define TG_LIB_GCRA_H

#include <linux/types.h>
#include "tungate.h"

#ifndef __cplusplus
#include <stdbool.h>
#endif

#define TG_TAT_SHIFT 6
#define TG_GCRA_RATE_MIN 1000ULL		/* bit/s */
#define TG_GCRA_RATE_MAX 1000000000000ULL	/* 1 Tbit/s */
#define TG_GCRA_BURST_MAX (1ULL << 32)		/* bytes */
/*
 * Smallest burst: the largest packet we carry (9 KB jumbo plus headers).
 * A packet longer than the burst could never conform and the subscriber
 * would starve; sync raises smaller bursts to this.
 */
#define TG_GCRA_BURST_MIN 9216ULL

/*
 * floor-or-nearest of x * 1e9 / d without overflow for x < 2^35 and
 * d <= 2^40: long division by thousands (r < d, so r * 1000 < 2^50).
 */
static inline __u64 tg_gcra_mul1e9_div(__u64 x, __u64 d)
{
	__u64 q = x / d, r = x % d;
	int i;

	for (i = 0; i < 3; i++) {
		q = q * 1000 + (r * 1000) / d;
		r = (r * 1000) % d;
	}
	/* Round to nearest: no systematic bias either way. */
	return q + (2 * r >= d);
}

/* ns per byte << TG_RATE_SHIFT at rate_bps; 0 (unlimited) for rate 0. */
static inline __u64 tg_gcra_interval(__u64 rate_bps)
{
	if (!rate_bps)
		return 0;
	if (rate_bps < TG_GCRA_RATE_MIN)
		rate_bps = TG_GCRA_RATE_MIN;
	if (rate_bps > TG_GCRA_RATE_MAX)
		rate_bps = TG_GCRA_RATE_MAX;
	/* 8 bits per byte, 1e9 ns per s, TG_RATE_SHIFT fraction bits. */
	return tg_gcra_mul1e9_div(8ULL << TG_RATE_SHIFT, rate_bps);
}

/* ns the burst lasts at rate_bps; 0 for rate 0. */
static inline __u64 tg_gcra_tolerance(__u64 rate_bps, __u64 burst)
{
	if (!rate_bps)
		return 0;
	if (rate_bps < TG_GCRA_RATE_MIN)
		rate_bps = TG_GCRA_RATE_MIN;
	if (rate_bps > TG_GCRA_RATE_MAX)
		rate_bps = TG_GCRA_RATE_MAX;
	if (burst < TG_GCRA_BURST_MIN)
		burst = TG_GCRA_BURST_MIN;
	if (burst > TG_GCRA_BURST_MAX)
		burst = TG_GCRA_BURST_MAX;
	/*
	 * Straight from bits, not burst * interval: interval is rounded, and
	 * the error would be multiplied by the burst.
	 */
	return tg_gcra_mul1e9_div(burst * 8, rate_bps);
}

/* Fill direction dir of p from a rate (bit/s, 0: unlimited) and a burst. */
static inline void tg_gcra_set(struct tg_police *p, unsigned int dir,
			       __u64 rate_bps, __u64 burst)
{
	p->interval[dir & 1] = tg_gcra_interval(rate_bps);
	p->tolerance[dir & 1] = tg_gcra_tolerance(rate_bps, burst);
}

/*
 * The clock. bpf_ktime_get_ns() is most of what an admitted packet costs
 * (about 30 ns of 45 on a KVM guest with the TSC clock source, measured
 * with tests/bench); bpf_ktime_get_coarse_ns() costs a few ns but only
 * moves once a tick (1 to 10 ms; HZ 1000 to 100) and lags the real time
 * by up to a tick. GCRA kept on the coarse clock is GCRA on a time axis
 * that moves in steps:
 * - the long-run rate is exact as long as the bucket holds more than a
 *   tick's credit (tolerance > tick: a flood keeps the theoretical arrival
 *   time ahead of now and no credit is lost at a step);
 * - over any interval the coarse clock advances at most its lag more
 *   than real time, so it could admit up to lag * rate beyond the burst:
 *   the tolerance is lowered by TG_GCRA_COARSE_LAG to make up for it, so
 *   it never admits more than the fine clock would, and at most
 *   TG_GCRA_COARSE_LAG * rate less burst (2-5% of the burst).
 * Used for tolerances of at least TG_GCRA_COARSE_TOL (every class with
 * the default burst, 300 ms at the rate), the fine clock below.
 */
#define TG_GCRA_COARSE_TOL 200000000ULL		/* ns */
#define TG_GCRA_COARSE_LAG 10000000ULL		/* ns: one tick at HZ 100 */

/* True when a bucket of tolerance tol (ns) runs on the coarse clock. */
static inline bool tg_gcra_coarse(__u64 tol)
{
	return tol >= TG_GCRA_COARSE_TOL;
}

/* The tolerance (ns) a bucket on the coarse clock decides with. */
static inline __u64 tg_gcra_coarse_tol(__u64 tol)
{
	return tol - TG_GCRA_COARSE_LAG;
}

/* Cost of len bytes in time units, rounded to nearest. */
static inline __u64 tg_gcra_cost(__u32 len, __u64 interval)
{
	const int sh = TG_RATE_SHIFT - TG_TAT_SHIFT;

	return ((__u64)len * interval + (1ULL << (sh - 1))) >> sh;
}

/* A bpf_ktime_get_ns() value, or a tolerance, in time units. */
static inline __u64 tg_gcra_time(__u64 ns)
{
	return ns << TG_TAT_SHIFT;
}

/*
 * The decision: a packet costing cost time units arrives at now, with the
 * bucket's theoretical arrival time tat; tol in time units. Conforms when
 * the arrival time it leaves is at most tol ahead of now: from an idle
 * bucket that admits exactly the burst, then the rate. On true, *new_tat
 * is what to store; a refused packet changes nothing.
 */
static inline bool tg_gcra_admit(__u64 tat, __u64 now, __u64 cost, __u64 tol,
				 __u64 *new_tat)
{
	__u64 t = (tat > now ? tat : now) + cost;

	if (t - now > tol)
		return false;
	*new_tat = t;
	return true;
}

#endif /* TG_LIB_GCRA_H */
