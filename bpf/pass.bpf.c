// SPDX-License-Identifier: GPL-2.0-only
/* The trivial program every benchmark figure is a ratio to. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int tg_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
