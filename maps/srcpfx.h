/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A subscriber's own prefixes in its tg_police entry (tg_police.src,
 * tungate.h), shared by the BPF programs (the anti-spoofing check) and
 * userspace (sync and the benchmark fill them): plain C, no BPF helper.
 *
 * Why there: the tg_police entry of the claim's slot is read for every
 * packet of a subscriber anyway, and it is one cache line. The prefix
 * hash costs a bucket and an element, two more lines, for every packet
 * once many subscribers are active. Exact because sync refuses prefixes
 * that overlap another subscriber's: the longest prefix holding a source
 * is the subscriber's own exactly when one of its own prefixes holds it.
 * And atomic as the claims are: the entry belongs to the slot, written
 * before the flip that puts it in force.
 */
#ifndef TG_SRCPFX_H
#define TG_SRCPFX_H

#include <linux/types.h>
#include "tungate.h"

/* Network-order mask of the first bits bits of a 32-bit word (any bits). */
static inline __be32 tg_src_mask(int bits)
{
	__u32 m;

	if (bits <= 0)
		return 0;
	if (bits >= 32)
		return 0xffffffff;
	m = ~0U << (32 - bits);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	m = __builtin_bswap32(m);
#endif
	return (__be32)m;
}

/* Start p's prefix set empty: with no prefix added, no source is his. */
static inline void tg_src_init(struct tg_police *p)
{
	p->src = TG_SRC_V4 | TG_SRC_V6;
	p->src4 = 0;
	p->src4_len = 0;
	__builtin_memset(p->src6, 0, sizeof(p->src6));
	__builtin_memset(p->src6_len, 0, sizeof(p->src6_len));
}

/*
 * The two IPv6 prefixes in address order, then length: an entry does not
 * depend on the order its prefixes were added in (sync compares entries).
 */
static inline void tg_src6_order(struct tg_police *p)
{
	__be32 t[2];
	__u8 l;
	int c = __builtin_memcmp(p->src6[0], p->src6[1], 8);

	if (c < 0 || (!c && p->src6_len[0] <= p->src6_len[1]))
		return;
	__builtin_memcpy(t, p->src6[0], 8);
	__builtin_memcpy(p->src6[0], p->src6[1], 8);
	__builtin_memcpy(p->src6[1], t, 8);
	l = p->src6_len[0];
	p->src6_len[0] = p->src6_len[1];
	p->src6_len[1] = l;
}

/*
 * Add one of the subscriber's prefixes (addr: network order, 4 or 16
 * bytes, host bits zero; ipv6: family). One that does not fit takes its
 * family out of the entry: its sources are then looked up in the maps.
 */
static inline void tg_src_add(struct tg_police *p, int ipv6, const __u8 *addr,
			      __u8 len)
{
	if (!ipv6) {
		if (!(p->src & TG_SRC_4)) {
			__builtin_memcpy(&p->src4, addr, 4);
			p->src4_len = len;
			p->src |= TG_SRC_4;
		} else {
			p->src &= ~(TG_SRC_V4 | TG_SRC_4);
			p->src4 = 0;
			p->src4_len = 0;
		}
		return;
	}
	if (len <= 64 && !(p->src & TG_SRC_6A)) {
		__builtin_memcpy(p->src6[0], addr, 8);
		p->src6_len[0] = len;
		p->src |= TG_SRC_6A;
	} else if (len <= 64 && !(p->src & TG_SRC_6B)) {
		__builtin_memcpy(p->src6[1], addr, 8);
		p->src6_len[1] = len;
		p->src |= TG_SRC_6B;
		tg_src6_order(p);
	} else {
		p->src &= ~(TG_SRC_V6 | TG_SRC_6A | TG_SRC_6B);
		__builtin_memset(p->src6, 0, sizeof(p->src6));
		__builtin_memset(p->src6_len, 0, sizeof(p->src6_len));
	}
}

/* Whether the 64 bits at a (network order) lie in the /len at pfx. */
static inline int tg_src6_in(const __be32 *a, const __be32 *pfx, int len)
{
	return !((a[0] ^ pfx[0]) & tg_src_mask(len)) &&
	       !((a[1] ^ pfx[1]) & tg_src_mask(len - 32));
}

/*
 * The verdict of the entry's prefixes on an inner source: 1 his, 0 not
 * his, -1 the entry does not decide that family. src, src4, src4_len:
 * the entry's fields; addr the IPv4 source, or hi the IPv6 source's first
 * 64 bits (as two network-order words) and src6/src6_len the entry's.
 */
static inline int tg_src4_verdict(__u8 src, __be32 src4, __u8 src4_len,
				  __be32 addr)
{
	if (!(src & TG_SRC_V4))
		return -1;
	return (src & TG_SRC_4) && !((addr ^ src4) & tg_src_mask(src4_len));
}

static inline int tg_src6_verdict(__u8 src, const __be32 src6[][2],
				  const __u8 *src6_len, const __be32 *hi)
{
	if (!(src & TG_SRC_V6))
		return -1;
	return ((src & TG_SRC_6A) && tg_src6_in(hi, src6[0], src6_len[0])) ||
	       ((src & TG_SRC_6B) && tg_src6_in(hi, src6[1], src6_len[1]));
}

#endif /* TG_SRCPFX_H */
