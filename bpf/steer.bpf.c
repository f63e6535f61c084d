// SPDX-License-Identifier: GPL-2.0-only
/*
 * Steering program of a steered subscriber interface (tungate up
 * --steer): one tunnel hashes to one receive queue, so one CPU would do
 * all of its work. This program only picks a CPU by the inner flow
 * (lib/flowhash.h) among the interface's CPUs (tg_steer) and hands the
 * frame to it through tg_cpus, whose entries run the subscriber program
 * built for the cpumap (tg_sub_cpumap, subscriber_cpumap.bpf.o): decap,
 * anti-spoof, policing, counters and forwarding happen there, as on the
 * receiving CPU without steering. One flow always takes one CPU, so its
 * packets stay in order.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "tungate_maps.bpf.h"
#include "lib/flowhash.h"

/*
 * CPU number -> its queue and the program run there; filled by up before
 * it attaches this program. Not pinned: each up makes its own, and the
 * frames queued in the one it replaces are still processed.
 */
struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__type(key, __u32);
	__type(value, struct bpf_cpumap_val);
	__uint(max_entries, TG_STEER_CPU_MAX);
} tg_cpus SEC(".maps");

SEC("xdp")
int tg_steer_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 ifindex = ctx->ingress_ifindex, i, cpu;
	struct tg_steer *s;

	s = bpf_map_lookup_elem(&tg_steer, &ifindex);
	/*
	 * up writes the entry before it attaches this program and removes
	 * it only after the interface runs another: none here means a
	 * broken pin root. The kernel then gets the frame as it came.
	 */
	if (!s || !s->ncpus || s->ncpus > TG_STEER_CPU_MAX)
		return XDP_PASS;
	i = tg_flow_hash(data, data_end) % s->ncpus;
	if (i >= TG_STEER_CPU_MAX)
		return XDP_PASS;
	cpu = s->cpu[i];
	/* A CPU without an entry (never, see up): to the kernel as well. */
	return bpf_redirect_map(&tg_cpus, cpu, XDP_PASS);
}

char LICENSE[] SEC("license") = "GPL";
