/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by the benchmark programs and the benchmarks: the frame the
 * harness restores before every iteration, the per-subscriber patches
 * it writes over it to rotate the traffic over many subscribers, and the
 * subscriber table of the lookup floor (bpf/router_floor.bpf.c).
 */
#ifndef TUNGATE_BENCH_FRAME_H
#define TUNGATE_BENCH_FRAME_H

#include <linux/types.h>

#define TG_BENCH_FRAME_MAX 256
/* Bytes of a frame that differ from one subscriber to the next. */
#define TG_BENCH_PATCH_MAX 96

/*
 * Single entry (key 0) of the tg_bench_frame array map. With subs > 1,
 * iteration k also writes patch slot base + k % subs of tg_bench_patch
 * over data[patch_off .. patch_off + patch_len): the frame of another
 * subscriber.
 */
struct tg_bench_frame {
	__u32 len;		/* bytes used in data, 14..TG_BENCH_FRAME_MAX */
	__u32 subs;		/* subscribers rotated over; 0 or 1: none */
	__u32 base;		/* first slot in tg_bench_patch */
	__u16 patch_off;	/* 0..TG_BENCH_FRAME_MAX - patch_len */
	__u16 patch_len;	/* 1..TG_BENCH_PATCH_MAX */
	__u8 data[TG_BENCH_FRAME_MAX];
};
_Static_assert(sizeof(struct tg_bench_frame) == 272, "tg_bench_frame layout");

/* One subscriber's bytes of a frame: a tg_bench_patch array entry. */
struct tg_bench_patch {
	__u8 data[TG_BENCH_PATCH_MAX];
};
_Static_assert(sizeof(struct tg_bench_patch) == 96, "tg_bench_patch layout");

/*
 * Key of the lookup floor's subscriber table: a subscriber's inner
 * address, IPv4 as IPv4-mapped IPv6 (::ffff:a.b.c.d).
 */
struct tg_floor_key {
	__u8 addr[16];
};

/*
 * A subscriber's record in the lookup floor's table, the size of a cache
 * line: the packets and bytes it sent or received, counted per packet.
 */
struct tg_floor_sub {
	__u64 packets;
	__u64 bytes;
	__u8 pad[48];
};
_Static_assert(sizeof(struct tg_floor_sub) == 64, "tg_floor_sub layout");

/* The key of IPv4 address a (network order). */
static inline void tg_floor_key4(struct tg_floor_key *k, __be32 a)
{
	__builtin_memset(k->addr, 0, 10);
	k->addr[10] = 0xff;
	k->addr[11] = 0xff;
	__builtin_memcpy(k->addr + 12, &a, 4);
}

#endif /* TUNGATE_BENCH_FRAME_H */
