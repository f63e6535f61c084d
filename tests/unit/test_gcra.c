// SPDX-License-Identifier: GPL-2.0-only
/*
 * The policer's GCRA arithmetic (bpf/lib/gcra.h), compiled for userspace
 * from the header the BPF programs use, against a simulated clock: the
 * rate/burst conversion is exact, nothing overflows over the whole range,
 * and under steady, bursty and adversarial arrivals the admitted bytes
 * stay within 1% of rate * time + burst.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "gcra.h"

/* Start the clock at a realistic uptime, and near the 9-year limit. */
#define BOOT_NS 123456789012345ULL
#define LATE_NS (1ULL << 57)

static const uint64_t rates[] = {
	64000ULL, 1000000ULL, 10000000ULL, 100000000ULL, 1000000000ULL,
	10000000000ULL, 100000000000ULL,
};
#define N_RATES (sizeof(rates) / sizeof(rates[0]))

static const uint32_t sizes[] = { 64, 1500, 9000 };
#define N_SIZES (sizeof(sizes) / sizeof(sizes[0]))

static uint64_t rng = 88172645463325252ULL;

static uint64_t xorshift(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

START_TEST(test_conversion_exact)
{
	uint64_t r, burst = 100000;

	for (r = TG_GCRA_RATE_MIN; r <= TG_GCRA_RATE_MAX; r = r * 3 + 7) {
		unsigned __int128 want_i =
			((unsigned __int128)8000000000ULL << TG_RATE_SHIFT);
		uint64_t iv = tg_gcra_interval(r);
		uint64_t tol = tg_gcra_tolerance(r, burst);
		/* Exact quotient by 128-bit arithmetic, rounded to nearest. */
		uint64_t q = (uint64_t)((want_i + r / 2) / r);
		uint64_t qt = (uint64_t)(((unsigned __int128)burst * 8000000000ULL +
					  r / 2) / r);

		ck_assert_msg(iv == q || iv + 1 == q || iv == q + 1,
			      "interval at %llu: %llu, want %llu",
			      (unsigned long long)r, (unsigned long long)iv,
			      (unsigned long long)q);
		ck_assert_msg(tol == qt || tol + 1 == qt || tol == qt + 1,
			      "tolerance at %llu: %llu, want %llu",
			      (unsigned long long)r, (unsigned long long)tol,
			      (unsigned long long)qt);
	}
	ck_assert_uint_eq(tg_gcra_interval(0), 0);
	ck_assert_uint_eq(tg_gcra_tolerance(0, 1000), 0);
	/* 1 Mbit/s: 8000 ns per byte; 9216-byte floor on the burst. */
	ck_assert_uint_eq(tg_gcra_interval(1000000), 8000ULL << TG_RATE_SHIFT);
	ck_assert_uint_eq(tg_gcra_tolerance(1000000, 100), 9216ULL * 8000);
}
END_TEST

/* The extremes: largest cost and tolerance fit in 64 bits with room. */
START_TEST(test_no_overflow)
{
	uint64_t iv = tg_gcra_interval(1);	/* clamped to RATE_MIN */
	uint64_t tol = tg_gcra_tolerance(1, ~0ULL);
	unsigned __int128 c = (unsigned __int128)65535 * iv;
	__u64 t;
	uint64_t now = tg_gcra_time(LATE_NS);

	ck_assert_uint_eq(iv, tg_gcra_interval(TG_GCRA_RATE_MIN));
	ck_assert(c < ((unsigned __int128)1 << 64));
	ck_assert_uint_eq(tg_gcra_cost(65535, iv),
			  (uint64_t)((c + (1ULL << 17)) >> 18));
	ck_assert_uint_lt(tol, 1ULL << (64 - TG_TAT_SHIFT - 2));
	/* An admit at the late clock with the largest numbers. */
	ck_assert(tg_gcra_admit(0, now, tg_gcra_cost(9000, iv),
				tg_gcra_time(tol), &t));
	ck_assert_uint_gt(t, now);
	/* 100 Gbit/s, 64 bytes: 5.12 ns = 327.68 units -> 328, not 5 ns. */
	ck_assert_uint_eq(tg_gcra_cost(64, tg_gcra_interval(100000000000ULL)),
			  328);
	/* The top of the range still has 7 significant digits. */
	ck_assert_uint_gt(tg_gcra_interval(TG_GCRA_RATE_MAX), 100000);
}
END_TEST

enum pattern {
	STEADY,		/* evenly spaced, 10x the rate */
	BURSTY,		/* clumps of 64 back-to-back packets, 10x on average */
	JUST_OVER,	/* spaced by the cost truncated to whole ns */
	RANDOM,		/* random sizes 64..9000 and random gaps, 3x */
	ON_OFF,		/* 20x for a while, idle long enough to refill */
	UNDER,		/* half the rate: all must pass */
	N_PATTERNS,
};

struct sim {
	uint64_t offered, admitted;	/* bytes */
	uint64_t elapsed_ns;
	uint64_t refills;		/* idle periods that refilled the burst */
};

/*
 * Run pattern p at rate r (bit/s) with packets of size len (RANDOM: any)
 * until about target admitted packets' worth of time has passed.
 */
static struct sim simulate(enum pattern p, uint64_t r, uint64_t burst,
			   uint32_t len, uint64_t start_ns, uint64_t target)
{
	struct tg_police pol = { 0 };
	double ns_per_byte = 8e9 / (double)r;
	__u64 tat = 0, nt;
	uint64_t now = start_ns, tol, end;
	double gap;
	struct sim s = { 0 };
	uint64_t i = 0;

	tg_gcra_set(&pol, TG_DIR_UP, r, burst);
	tol = tg_gcra_time(pol.tolerance[TG_DIR_UP]);
	end = start_ns + (uint64_t)(target * len * ns_per_byte);
	gap = len * ns_per_byte / 10;	/* 10x the rate */
	if (p == UNDER)
		gap = len * ns_per_byte * 2;
	if (p == RANDOM)
		gap = 4532 * ns_per_byte / 3;	/* mean size, 3x */
	for (; now < end; i++) {
		uint32_t n = len;
		uint64_t cost;

		if (p == RANDOM)
			n = 64 + xorshift() % (9000 - 64 + 1);
		cost = tg_gcra_cost(n, pol.interval[TG_DIR_UP]);
		s.offered += n;
		s.elapsed_ns = now - start_ns;	/* at the last arrival */
		if (tg_gcra_admit(tat, tg_gcra_time(now), cost, tol, &nt)) {
			tat = nt;
			s.admitted += n;
		}
		switch (p) {
		case STEADY:
		case UNDER:
			now = start_ns + (uint64_t)((i + 1) * gap);
			break;
		case BURSTY:
			if ((i + 1) % 64 == 0)
				now = start_ns + (uint64_t)((i + 1) * gap);
			break;
		case JUST_OVER:
			/* Whole ns, rounded down: bets on a truncated cost. */
			now += (cost >> TG_TAT_SHIFT) ? cost >> TG_TAT_SHIFT : 1;
			break;
		case RANDOM:
			now += (uint64_t)(xorshift() % (uint64_t)(2 * gap + 1));
			break;
		case ON_OFF:
			/* 20x for 1000 packets' worth of rate, then idle. */
			if ((i + 1) % 20000 == 0) {
				now += (uint64_t)((burst + 2 * len) * ns_per_byte);
				s.refills++;
			} else {
				now += (uint64_t)(gap / 2) + 1;
			}
			break;
		default:
			break;
		}
	}
	return s;
}

static void check_pattern(enum pattern p, uint64_t r, uint32_t len,
			  uint64_t start)
{
	/* Larger than a BURSTY clump's worth of credit (6.4 packets). */
	uint64_t burst = 100000;
	struct sim s = simulate(p, r, burst, len, start, 20000);
	uint64_t b = burst < TG_GCRA_BURST_MIN ? TG_GCRA_BURST_MIN : burst;
	double want, limit = (double)r / 8 * s.elapsed_ns / 1e9 + b;

	if (p == UNDER) {
		ck_assert_msg(s.admitted == s.offered,
			      "under the rate at %llu bit/s, %u B: %llu of %llu",
			      (unsigned long long)r, len,
			      (unsigned long long)s.admitted,
			      (unsigned long long)s.offered);
		return;
	}
	/* Never more than the rate allows; no less unless less was offered. */
	want = limit < (double)s.offered ? limit : (double)s.offered;
	ck_assert_msg(s.admitted <= limit * 1.01 && s.admitted >= want * 0.99,
		      "pattern %d at %llu bit/s, %u B: admitted %llu, "
		      "rate*time+burst %.0f (%+.3f%%)",
		      p, (unsigned long long)r, len,
		      (unsigned long long)s.admitted, limit,
		      100.0 * ((double)s.admitted / limit - 1));
	if (getenv("TG_GCRA_VERBOSE"))
		printf("pattern %d rate %llu len %u: %+.4f%%\n", p,
		       (unsigned long long)r, len,
		       100.0 * ((double)s.admitted / want - 1));
}

START_TEST(test_patterns)
{
	enum pattern p = (enum pattern)_i;
	size_t i, j;

	for (i = 0; i < N_RATES; i++)
		for (j = 0; j < N_SIZES; j++) {
			check_pattern(p, rates[i], sizes[j], BOOT_NS);
			if (j == 0)
				check_pattern(p, rates[i], sizes[j], LATE_NS);
		}
}
END_TEST

/*
 * No starvation at low rates under high packet rates: 64 kbit/s offered
 * 64-byte packets at 1 Mpps still gets its rate, neither zero nor more.
 */
START_TEST(test_low_rate_high_pps)
{
	struct tg_police pol = { 0 };
	__u64 tat = 0, nt;
	uint64_t now, admitted = 0, i;
	uint64_t n = 10000000;	/* 10 s at 1 Mpps */
	double limit;

	tg_gcra_set(&pol, TG_DIR_DOWN, 64000, 9216);
	for (i = 0; i < n; i++) {
		now = tg_gcra_time(BOOT_NS + i * 1000);
		if (tg_gcra_admit(tat, now,
				  tg_gcra_cost(64, pol.interval[TG_DIR_DOWN]),
				  tg_gcra_time(pol.tolerance[TG_DIR_DOWN]),
				  &nt)) {
			tat = nt;
			admitted += 64;
		}
	}
	limit = 64000.0 / 8 * 10 + 9216;
	ck_assert_msg(admitted < limit * 1.01 && admitted > limit * 0.99,
		      "admitted %llu of %.0f",
		      (unsigned long long)admitted, limit);
}
END_TEST

Suite *gcra_suite(void)
{
	Suite *s = suite_create("gcra");
	TCase *tc = tcase_create("arith");

	tcase_add_test(tc, test_conversion_exact);
	tcase_add_test(tc, test_no_overflow);
	tcase_add_loop_test(tc, test_patterns, 0, N_PATTERNS);
	tcase_add_test(tc, test_low_rate_high_pps);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}
