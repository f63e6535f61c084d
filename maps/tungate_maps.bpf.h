/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Map definitions of the data plane, included by BPF programs only.
 * Keys, values and sizes come from tungate.h; userspace finds the maps by
 * these names (pinned under the pin root, LIBBPF_PIN_BY_NAME).
 */
#ifndef TUNGATE_MAPS_BPF_H
#define TUNGATE_MAPS_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "tungate.h"

/* Tunnel identity of a packet from a subscriber -> its tunnel. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct tg_tun_key);
	__type(value, struct tg_tunnel);
	__uint(max_entries, TG_MAX_SUBS_DEFAULT);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tg_tunnels SEC(".maps");

/*
 * Subscriber prefixes -> their claims (struct tg_owners): where the return
 * path sends to, and what the inner sources of a tunnel may be.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct tg_lpm4_key);
	__type(value, struct tg_owners);
	__uint(max_entries, TG_MAX_SUBS_DEFAULT * TG_PREFIXES_PER_SUB);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tg_prefix4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct tg_lpm6_key);
	__type(value, struct tg_owners);
	__uint(max_entries, TG_MAX_SUBS_DEFAULT * TG_PREFIXES_PER_SUB);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tg_prefix6 SEC(".maps");

/*
 * The same entries by hash, and the prefix lengths they hold (struct
 * tg_pfx_lens, [TG_PFX_V4] and [TG_PFX_V6]): see tungate.h.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct tg_lpm4_key);
	__type(value, struct tg_owners);
	__uint(max_entries, TG_MAX_SUBS_DEFAULT * TG_PREFIXES_PER_SUB);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tg_pfx4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct tg_lpm6_key);
	__type(value, struct tg_owners);
	__uint(max_entries, TG_MAX_SUBS_DEFAULT * TG_PREFIXES_PER_SUB);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tg_pfx6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct tg_pfx_lens);
	__uint(max_entries, 2);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tg_pfx_lens SEC(".maps");

/*
 * Per-subscriber counters, at sub_id * ncpus + cpu (sub_id 0: no
 * subscriber): see struct tg_sub_line. The loader makes it capacity *
 * ncpus entries.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct tg_sub_line);
	__uint(max_entries, TG_MAX_SUBS_DEFAULT);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tg_sub_stats SEC(".maps");

/* Packets and bytes by enum tg_reason. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct tg_counter);
	__uint(max_entries, TG_R_MAX);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tg_global_stats SEC(".maps");

/* Runtime configuration, entry 0, written by sync. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct tg_config);
	__uint(max_entries, 1);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tg_config SEC(".maps");

/* Interfaces decapsulated packets may be redirected to, by ifindex. */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
	__uint(max_entries, TG_MAX_PORTS);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tg_ports SEC(".maps");

/* The slot in force (0 or 1) of each subscriber, by sub_id: see tungate.h. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, TG_MAX_SUBS_DEFAULT);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tg_gen SEC(".maps");

/*
 * How to encapsulate toward each subscriber, by sub_id, for slot 0
 * (tg_encap) and slot 1 (tg_encap1); written by sync.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct tg_encap);
	__uint(max_entries, TG_MAX_SUBS_DEFAULT);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tg_encap SEC(".maps"), tg_encap1 SEC(".maps");

/* What the programs learn about each subscriber's peer, by sub_id. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct tg_peer);
	__uint(max_entries, TG_MAX_SUBS_DEFAULT);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tg_peer SEC(".maps");

/* Rate limit of the ICMP "too big" replies, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct tg_rate);
	__uint(max_entries, 1);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tg_icmp_rate SEC(".maps");

/* Outcome of the last packet, per CPU; private to each loaded copy. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct tg_trace);
	__uint(max_entries, 1);
} tg_trace SEC(".maps");

/*
 * Rate and scope of each subscriber, by sub_id, for slot 0 (tg_police) and
 * slot 1 (tg_police1); written by sync.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct tg_police);
	__uint(max_entries, TG_MAX_SUBS_DEFAULT);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tg_police SEC(".maps"), tg_police1 SEC(".maps");

/*
 * GCRA state of each subscriber, by sub_id; written by the programs (sync
 * zeroes an entry when its id goes to a new subscriber). Shared by all
 * CPUs, updated with compare-and-swap: see lib/police.h.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct tg_bucket);
	__uint(max_entries, TG_MAX_SUBS_DEFAULT);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tg_bucket SEC(".maps");

/*
 * When each subscriber was last heard (struct tg_seen), by sub_id; written
 * by the programs (sync zeroes an entry when its id goes to a new
 * subscriber).
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct tg_seen);
	__uint(max_entries, TG_MAX_SUBS_DEFAULT);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tg_seen SEC(".maps");

/* Community prefixes: what community-scope subscribers may reach. */
#define TG_COMMUNITY_MAX 4096
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct tg_lpm4_key);
	__type(value, __u32);
	__uint(max_entries, TG_COMMUNITY_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tg_community4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct tg_lpm6_key);
	__type(value, __u32);
	__uint(max_entries, TG_COMMUNITY_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tg_community6 SEC(".maps");

/* Data plane bookkeeping (struct tg_meta); userspace only. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct tg_meta);
	__uint(max_entries, 1);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tg_meta SEC(".maps");

/*
 * The CPUs of each steered subscriber interface (struct tg_steer), by
 * ifindex; written by up, read by tg_steer_xdp (bpf/steer.bpf.c).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct tg_steer);
	__uint(max_entries, TG_MAX_PORTS);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tg_steer SEC(".maps");

#endif /* TUNGATE_MAPS_BPF_H */
