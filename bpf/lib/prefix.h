/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Subscriber prefixes: the claims of the longest prefix holding an
 * address. One hash probe per prefix length in use (tg_pfx4/6, lengths
 * from tg_pfx_lens), longest first, or the trie (tg_prefix4/6) when the
 * set in force says so (tungate.h). A probe is one bucket of a hash; the
 * trie walks a node per bit that differs, each a cache miss when many
 * subscribers are active. Hook-neutral.
 */
#ifndef TG_LIB_PREFIX_H
#define TG_LIB_PREFIX_H

#include <linux/bpf.h>
#include <linux/in6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "tungate_maps.bpf.h"
#include "claim.h"
#include "srcpfx.h"

/* The set of lengths in force of family fam; NULL: look in the trie. */
static __always_inline const struct tg_pfx_set *tg_pfx_set_of(__u32 fam)
{
	struct tg_pfx_lens *l = bpf_map_lookup_elem(&tg_pfx_lens, &fam);
	const struct tg_pfx_set *s;

	if (!l)
		return NULL;
	s = &l->set[l->in_force & 1];
	if (!s->filled || s->n > TG_PFX_LENS_MAX)
		return NULL;
	return s;
}


/*
 * The lookups are global functions: the verifier checks each once, on
 * its own, and its callers see a number. Inlined, every way out of the
 * probe loop would be a state of its own for the rest of the program,
 * whose verification then exceeds the instruction limit. The claims come
 * back as one __u64 (struct tg_owners, all zero: no prefix holds the
 * address, as for a prefix no claim of which is set).
 */
__noinline __u64 tg_prefix4_owners(__be32 addr)
{
	const struct tg_pfx_set *s = tg_pfx_set_of(TG_PFX_V4);
	struct tg_lpm4_key k = { .prefixlen = 32, .addr = addr };
	struct tg_owners *o = NULL;
	__u64 v = 0;
	__u32 i;

	if (!s) {
		o = bpf_map_lookup_elem(&tg_prefix4, &k);
		/* One call per map: see tg_keep_apart(). */
		tg_keep_apart(o);
	}
	for (i = 0; s && !o && i < TG_PFX_LENS_MAX && i < s->n; i++) {
		k.prefixlen = s->len[i];
		k.addr = addr & tg_src_mask(k.prefixlen);
		o = bpf_map_lookup_elem(&tg_pfx4, &k);
	}
	if (o)
		__builtin_memcpy(&v, o, sizeof(v));
	return v;
}

/* hi, lo: the address's first and last 8 bytes as they lie in memory. */
__noinline __u64 tg_prefix6_owners(__u64 hi, __u64 lo)
{
	const struct tg_pfx_set *s = tg_pfx_set_of(TG_PFX_V6);
	struct tg_lpm6_key k = { .prefixlen = 128 };
	struct tg_owners *o = NULL;
	__be32 a[4], m[4];
	__u64 v = 0;
	__u32 i, len;

	__builtin_memcpy(a, &hi, sizeof(hi));
	__builtin_memcpy(a + 2, &lo, sizeof(lo));
	if (!s) {
		__builtin_memcpy(k.addr, a, sizeof(k.addr));
		o = bpf_map_lookup_elem(&tg_prefix6, &k);
		tg_keep_apart(o);
	}
	for (i = 0; s && !o && i < TG_PFX_LENS_MAX && i < s->n; i++) {
		len = s->len[i];
		k.prefixlen = len;
		m[0] = a[0] & tg_src_mask(len);
		m[1] = a[1] & tg_src_mask(len - 32);
		m[2] = a[2] & tg_src_mask(len - 64);
		m[3] = a[3] & tg_src_mask(len - 96);
		__builtin_memcpy(k.addr, m, sizeof(k.addr));
		o = bpf_map_lookup_elem(&tg_pfx6, &k);
	}
	if (o)
		__builtin_memcpy(&v, o, sizeof(v));
	return v;
}

/* The claims on the longest prefix holding an IPv4 address. */
static __always_inline struct tg_owners tg_prefix4_find(__be32 addr)
{
	__u64 v = tg_prefix4_owners(addr);
	struct tg_owners o;

	__builtin_memcpy(&o, &v, sizeof(o));
	return o;
}

/* The same for an IPv6 address (16 bytes at addr, bounds checked). */
static __always_inline struct tg_owners tg_prefix6_find(const void *addr)
{
	struct tg_owners o;
	__u64 a[2], v;

	__builtin_memcpy(a, addr, sizeof(a));
	v = tg_prefix6_owners(a[0], a[1]);
	__builtin_memcpy(&o, &v, sizeof(o));
	return o;
}

#endif /* TG_LIB_PREFIX_H */
