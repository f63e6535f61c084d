/* SPDX-License-Identifier: GPL-2.0-only */
/* Internet checksum over packet memory, and incremental IPv4 updates. */
#ifndef TG_LIB_CSUM_H
#define TG_LIB_CSUM_H

#include <linux/ip.h>
#include "ctx/ctx.h"
#include "parse.h"

/* Longest span tg_csum_span() sums: a jumbo frame. */
#define TG_CSUM_MAX_LEN 9216
/* bpf_csum_diff() takes at most 512 bytes, a multiple of 4, per call. */
#define TG_CSUM_CHUNK 512
#define TG_CSUM_MAX_CHUNKS (TG_CSUM_MAX_LEN / TG_CSUM_CHUNK)

static __always_inline __u16 tg_csum_fold(__u64 sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

/*
 * All offsets the sum reaches are below this power of two: with the tail
 * offset masked to it, every path to the tail looks the same to the
 * verifier, which then checks the tail once instead of once per path.
 */
#define TG_CSUM_OFF_MASK 0x3fff

/*
 * Sum of the words bytes at pos (a multiple of 4; p <= words < 2p, or
 * any count of 512-byte chunks more when p is 512), p a constant power
 * of two. bpf_csum_diff() reads only what the verifier knows to be in
 * the packet: a variable size is allowed up to the bytes checked after
 * the pointer. So the first words mod p bytes (< p) go in one call,
 * covered by the check of p bytes at pos, and the rest in calls of p
 * bytes, each checked: two helper calls for any span under 1 KiB,
 * instead of one per power of two in its length.
 */
static __always_inline int tg_csum_words(void *data_end, void *pos,
					 __u64 words, __u64 p, __u64 *sump)
{
	__u64 head = words & (p - 1), sum = 0;
	int i;

	if (pos + p > data_end)
		return -1;
	/* Sums are 32-bit partials; accumulate them in 64 bits. */
	if (head)
		sum = (__u32)bpf_csum_diff(NULL, 0, pos, head, 0);
	pos += head;
	/*
	 * words / p is 1 below 512, but older verifiers (6.1) do not track
	 * a division: they would walk the loop for every chunk count.
	 */
	for (i = 0; i < (p == TG_CSUM_CHUNK ? TG_CSUM_MAX_CHUNKS : 1); i++) {
		if (i >= words / p)
			break;
		if (pos + p > data_end)
			return -1;
		sum += (__u32)bpf_csum_diff(NULL, 0, pos, p, 0);
		pos += p;
	}
	*sump = sum;
	return 0;
}

/*
 * Sum len bytes at offset off from data (len <= TG_CSUM_MAX_LEN) into
 * *sump, ones' complement, in the representation bpf_csum_diff() uses
 * (16-bit words as loaded from memory). off must be the start of the
 * checksummed data or an even distance from it. Returns 0, or -1 when
 * out of bounds.
 */
static __always_inline int tg_csum_span(void *data, void *data_end, __u64 off,
					__u64 len, __u64 *sump)
{
	__u64 sum = 0, words = len & ~3ULL;
	void *pos;
	__u8 *b;
	int err;

	if (len > TG_CSUM_MAX_LEN || off > TG_CSUM_OFF_MASK - TG_CSUM_MAX_LEN)
		return -1;
	pos = data + tg_bound(off, TG_CSUM_OFF_MASK - TG_CSUM_MAX_LEN);
	/* Whole words by bpf_csum_diff(), sized by the largest power of 2. */
	if (words >= 512)
		err = tg_csum_words(data_end, pos, words, 512, &sum);
	else if (words >= 256)
		err = tg_csum_words(data_end, pos, words, 256, &sum);
	else if (words >= 128)
		err = tg_csum_words(data_end, pos, words, 128, &sum);
	else if (words >= 64)
		err = tg_csum_words(data_end, pos, words, 64, &sum);
	else if (words >= 32)
		err = tg_csum_words(data_end, pos, words, 32, &sum);
	else if (words >= 16)
		err = tg_csum_words(data_end, pos, words, 16, &sum);
	else if (words >= 8)
		err = tg_csum_words(data_end, pos, words, 8, &sum);
	else if (words >= 4)
		err = tg_csum_words(data_end, pos, words, 4, &sum);
	else
		err = 0;
	if (err)
		return -1;
	/*
	 * 0..3 bytes left, which bpf_csum_diff() does not take: a whole
	 * 16-bit word first, an odd byte padded with 0. The mask is a no-op
	 * at run time; it merges the states of the branches above.
	 */
	b = data + ((off + words) & TG_CSUM_OFF_MASK);
	if (len & 2) {
		if ((void *)(b + 2) > data_end)
			return -1;
		sum += bpf_htons((__u16)(b[0] << 8 | b[1]));
		b += 2;
	}
	if (len & 1) {
		if ((void *)(b + 1) > data_end)
			return -1;
		sum += bpf_htons((__u16)(b[0] << 8));
	}
	*sump = sum;
	return 0;
}

/* Where the field lies in the header summed from, and its kind. */
#define TG_CSUM_AT_ICMP 2		/* ICMP, ICMPv6 */
#define TG_CSUM_AT_GRE 4
#define TG_CSUM_AT_UDP (6 | TG_CSUM_UDP)
#define TG_CSUM_FIELD 0xff
#define TG_CSUM_UDP 0x100		/* a result of 0 is sent as 0xffff */

/* Headers summed from start within this many bytes of the frame start. */
#define TG_CSUM_START_MAX 256

/*
 * Fill the checksum field of the header at start (a frame offset): the
 * ones' complement of the sum over len bytes from start (the field
 * itself 0), plus seed (a pseudo header, in bpf_csum_diff()
 * representation). how: TG_CSUM_AT_*. Works on data/data_end; callers
 * holding the hook's context use tg_ctx_csum_fill(), verified once for
 * all of them. Returns 0, or -1 when out of bounds.
 */
static __always_inline int tg_csum_fill(void *data, void *data_end,
					__u64 start, __u64 len, __u64 seed,
					__u64 how)
{
	__u64 sum = 0;
	__u16 *f, c;

	if (start > TG_CSUM_START_MAX)
		return -1;
	if (tg_csum_span(data, data_end, start, len, &sum))
		return -1;
	c = tg_csum_fold(sum + (seed & 0xffffffff));
	/* UDP: 0 means "no checksum"; its ones' complement twin says 0. */
	if ((how & TG_CSUM_UDP) && !c)
		c = 0xffff;
	f = data + tg_bound(start, TG_CSUM_START_MAX) + (how & TG_CSUM_FIELD & 0x1e);
	if ((void *)(f + 1) > data_end)
		return -1;
	*f = c;
	return 0;
}

/*
 * tg_csum_fill() on the frame of ctx (linear: see ctx_linearize()). A
 * global function, verified once for all callers, like the GRE checksum
 * check.
 */
__noinline int tg_ctx_csum_fill(struct __ctx_buff *ctx, __u64 start,
				__u64 len, __u64 seed, __u64 how)
{
	void *data = ctx_data(ctx);
	void *data_end = ctx_data_end(ctx);

	return tg_csum_fill(data, data_end, start, len, seed, how);
}

/* Decrement the IPv4 TTL, updating the header checksum like ip_decrease_ttl(). */
static __always_inline void tg_ip4_decrease_ttl(struct iphdr *iph)
{
	__u32 check = iph->check;

	/* The TTL is the high byte of its 16-bit word: network order 0x0100. */
	check += bpf_htons(0x0100);
	iph->check = (__u16)(check + (check >= 0xffff));
	iph->ttl--;
}

#endif /* TG_LIB_CSUM_H */
