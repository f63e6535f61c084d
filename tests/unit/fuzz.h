/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fixed-seed randomness for the unit suites: xorshift64, random bytes, and
 * a mutated copy of a message (cut short or run long, a few bytes changed)
 * in a heap block of its exact size, so that the sanitizer build catches
 * any read past it.
 */
#ifndef TG_TEST_FUZZ_H
#define TG_TEST_FUZZ_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

static inline uint64_t xorshift64(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static inline void random_fill(uint64_t *s, uint8_t *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)xorshift64(s);
}

/*
 * orig (n bytes) mutated into a new block: one time in cut, its length
 * drawn from 0..n+extra; 1..flips bytes changed. *len is set; free() it.
 */
static inline uint8_t *mutate(uint64_t *s, const uint8_t *orig, size_t n,
			      unsigned int cut, size_t extra,
			      unsigned int flips, size_t *len)
{
	unsigned int k, f = 1 + (unsigned int)(xorshift64(s) % flips);
	uint8_t *p;

	*len = xorshift64(s) % cut ? n : xorshift64(s) % (n + extra + 1);
	p = malloc(*len ? *len : 1);
	ck_assert_ptr_nonnull(p);
	for (k = 0; k < *len; k++)
		p[k] = k < n ? orig[k] : (uint8_t)xorshift64(s);
	for (k = 0; k < f && *len; k++)
		p[xorshift64(s) % *len] ^= (uint8_t)(1 + xorshift64(s) % 255);
	return p;
}

#endif /* TG_TEST_FUZZ_H */
