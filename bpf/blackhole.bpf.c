// SPDX-License-Identifier: GPL-2.0-only
/*
 * A link that loses every packet while it stays up: attached by the e2e
 * suites on both TC hooks of an interface, what a peer that vanishes
 * silently (a frozen machine, a cut beyond a switch) looks like to BGP.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int tg_blackhole(struct __sk_buff *skb)
{
	return TC_ACT_SHOT;
}

char LICENSE[] SEC("license") = "GPL";
