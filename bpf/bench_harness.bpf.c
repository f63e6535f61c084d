// SPDX-License-Identifier: GPL-2.0-only
/*
 * Benchmark harness: BPF_PROG_TEST_RUN with a repeat count runs the program
 * again and again on the same buffer, and a decapsulating program leaves it
 * shorter and rewritten after the first pass. This program puts the original
 * frame back at the start of every iteration and then tail-calls the program
 * under test, so each iteration sees the same packet. To rotate the
 * traffic over many subscribers, it then writes the next subscriber's
 * bytes (addresses, tunnel ids, checksums) over the frame, taken in turn
 * from a table the benchmark fills. Its own cost, rewrite included, is
 * measured by tail-calling the trivial tg_pass instead and subtracted.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include "tungate_bench.h"

/* The pristine frame, written by the benchmark before each run. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tg_bench_frame);
} tg_bench_frame SEC(".maps");

/* Per-subscriber bytes of the frame, in the order they are sent. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);	/* set by the benchmark before load */
	__type(key, __u32);
	__type(value, struct tg_bench_patch);
} tg_bench_patch SEC(".maps");

/* Iterations so far: selects the patch slot (one CPU runs the test). */
__u32 tg_bench_iter;

/* Slot 0: the program under test (tg_sub_xdp or tg_pass). */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} tg_bench_prog SEC(".maps");

SEC("xdp")
int tg_bench_harness(struct xdp_md *ctx)
{
	struct tg_bench_patch *patch;
	struct tg_bench_frame *f;
	__u32 zero = 0, len, off, plen, slot;
	int cur;

	f = bpf_map_lookup_elem(&tg_bench_frame, &zero);
	if (!f)
		return XDP_ABORTED;
	/* Bounded copy so the verifier accepts len as the store size. */
	len = f->len;
	if (len < ETH_HLEN || len > TG_BENCH_FRAME_MAX)
		return XDP_ABORTED;

	/*
	 * Only the head moves: the program under test removes headers with
	 * bpf_xdp_adjust_head and never touches the tail, so growing the head
	 * back by the difference restores the original length.
	 */
	cur = (int)bpf_xdp_get_buff_len(ctx);
	if (bpf_xdp_adjust_head(ctx, cur - (int)len))
		return XDP_ABORTED;
	if (bpf_xdp_store_bytes(ctx, 0, f->data, len))
		return XDP_ABORTED;

	if (f->subs > 1) {
		slot = f->base + tg_bench_iter++ % f->subs;
		patch = bpf_map_lookup_elem(&tg_bench_patch, &slot);
		off = f->patch_off;
		plen = f->patch_len;
		if (!patch || plen < 1 || plen > TG_BENCH_PATCH_MAX ||
		    plen > len || off > len - plen)
			return XDP_ABORTED;
		if (bpf_xdp_store_bytes(ctx, off, patch->data, plen))
			return XDP_ABORTED;
	}

	bpf_tail_call(ctx, &tg_bench_prog, 0);
	/* Empty slot or failed tail call: an error the benchmark reports. */
	return XDP_ABORTED;
}

char LICENSE[] SEC("license") = "GPL";
