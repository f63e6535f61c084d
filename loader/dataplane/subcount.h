/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tg_sub_stats, a flat array of one struct tg_sub_line per subscriber and
 * CPU (sub_id * ncpus + cpu): its size, the programs' stride, and one
 * subscriber's values in the form of a per-CPU lookup (ncpus of them).
 */
#ifndef TG_DATAPLANE_SUBCOUNT_H
#define TG_DATAPLANE_SUBCOUNT_H

#include <linux/types.h>

#include "tungate.h"

struct bpf_map;
struct bpf_object;

/* The possible CPUs: the stride of tg_sub_stats; negative errno. */
int tg_sub_ncpus(void);

/* Entries of tg_sub_stats for capacity subscribers; -E2BIG past 2^32. */
int tg_sub_stats_entries(__u32 capacity, __u32 *entries);

/* The subscriber capacity of a tg_sub_stats of max_entries entries. */
__u32 tg_sub_stats_capacity(__u32 max_entries);

/* Size a skeleton's tg_sub_stats for capacity subscribers. */
int tg_sub_stats_set_capacity(struct bpf_map *map, __u32 capacity);

/*
 * Before obj (any program object with the data plane maps) is loaded: set
 * tg_ncpus, the stride of tg_sub_stats, in its .rodata (when it has one)
 * and make its tg_sub_stats hold as many subscribers as its tg_seen.
 * Maps taken from pinned ones or other objects later keep their size.
 * Negative errno.
 */
int tg_obj_sub_stats_setup(struct bpf_object *obj);

/*
 * Subscriber id's values in tg_sub_stats (fd): v[cpu] for each of the
 * tg_sub_ncpus() CPUs, read or written; negative errno.
 */
int tg_sub_counters_get(int fd, __u32 id, struct tg_sub_counters *v);
int tg_sub_counters_put(int fd, __u32 id, const struct tg_sub_counters *v);

/* Subscriber id's values summed over CPUs into *sum; negative errno. */
int tg_sub_counters_sum(int fd, __u32 id, struct tg_sub_counters *sum);

/* a += b, field by field. */
void tg_sub_counters_add(struct tg_sub_counters *a,
			 const struct tg_sub_counters *b);

#endif /* TG_DATAPLANE_SUBCOUNT_H */
