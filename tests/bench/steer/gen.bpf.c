// SPDX-License-Identifier: GPL-2.0-only
/*
 * The generator of tests/bench/steer.sh, run by BPF_PROG_TEST_RUN with
 * live frames on the subscriber's veth end: each frame (one GRE tunnel,
 * see gen.c) goes out with the next inner UDP source port of nflows, so
 * that one tunnel carries nflows flows. No UDP checksum: nothing to fix.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* Ethernet, outer IPv4, GRE with key, inner IPv4: the UDP header. */
#define GEN_SPORT_OFF (14 + 20 + 8 + 20)
#define GEN_LEN (GEN_SPORT_OFF + 8 + 18)

/*
 * Set by gen.c before load: the flows and the frame. Not const: clang
 * would copy the frame from the initializer's zeros.
 */
struct {
	__u32 nflows;
	__u8 frame[GEN_LEN];
	__u32 seq;	/* one generator thread: a plain counter */
} cfg = { .nflows = 1 };

SEC("xdp")
int tg_gen(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__be16 *sport = data + GEN_SPORT_OFF;

	if (data + GEN_LEN > data_end)
		return XDP_DROP;
	/*
	 * Live frames are reused as the receiver left them (tungate
	 * decapsulates in place): the whole frame again each time.
	 */
	__builtin_memcpy(data, cfg.frame, GEN_LEN);
	*sport = bpf_htons(20000 + cfg.seq++ % cfg.nflows);
	return XDP_TX;
}

/* The sink on core's veth end. */
SEC("xdp")
int tg_sink(struct xdp_md *ctx)
{
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
