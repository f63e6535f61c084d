/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by the benchmark harness program and the benchmark: the frame the
 * harness restores before every iteration.
 */
#ifndef TUNGATE_BENCH_FRAME_H
#define TUNGATE_BENCH_FRAME_H

#include <linux/types.h>

#define TG_BENCH_FRAME_MAX 256

/* Single entry (key 0) of the tg_bench_frame array map. */
struct tg_bench_frame {
	__u32 len;		/* bytes used in data, 14..TG_BENCH_FRAME_MAX */
	__u8 data[TG_BENCH_FRAME_MAX];
};
_Static_assert(sizeof(struct tg_bench_frame) == 260, "tg_bench_frame layout");

#endif /* TUNGATE_BENCH_FRAME_H */
