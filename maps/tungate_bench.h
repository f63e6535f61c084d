/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by the benchmark harness program and the benchmark: the frame the
 * harness restores before every iteration, and the per-subscriber patches
 * it writes over it to rotate the traffic over many subscribers.
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

#endif /* TUNGATE_BENCH_FRAME_H */
