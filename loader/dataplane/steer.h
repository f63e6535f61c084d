/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Steering of subscriber interfaces (tungate up --steer): the CPUs of
 * each one in the pinned map tg_steer, by ifindex, and the cpumap whose
 * entries run the subscriber program on those CPUs (bpf/steer.bpf.c).
 */
#ifndef TG_DATAPLANE_STEER_H
#define TG_DATAPLANE_STEER_H

#include <linux/types.h>
#include "util/cpulist.h"

/* ifindex's CPUs in tg_steer (fd) into *s: 0, -ENOENT (not steered). */
int tg_steer_get(int fd, __u32 ifindex, struct tg_cpuset *s);
/* Steer ifindex over *s (1..TG_STEER_CPU_MAX CPUs below it). */
int tg_steer_set(int fd, __u32 ifindex, const struct tg_cpuset *s);
/*
 * ifindex not steered any more (TG_STEER_F_OFF: a steering program still
 * running finds its CPUs); 0 when it was not.
 */
int tg_steer_off(int fd, __u32 ifindex);
/*
 * Give every CPU of *s an entry in the cpumap cpus_fd that runs prog_fd.
 * 0, or negative errno (reported, naming the CPU).
 */
int tg_steer_fill(int cpus_fd, const struct tg_cpuset *s, int prog_fd);

#endif /* TG_DATAPLANE_STEER_H */
