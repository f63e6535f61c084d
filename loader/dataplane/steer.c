// SPDX-License-Identifier: GPL-2.0-only
/* The steering map tg_steer and the cpumap of tg_steer_xdp. */
#include <errno.h>
#include <string.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>

#include "dataplane/steer.h"
#include "util/cli.h"
#include "tungate.h"

int tg_steer_get(int fd, __u32 ifindex, struct tg_cpuset *s)
{
	struct tg_steer v;
	__u32 i;

	memset(s, 0, sizeof(*s));
	if (bpf_map_lookup_elem(fd, &ifindex, &v))
		return -errno;
	if (v.flags & TG_STEER_F_OFF)
		return -ENOENT;
	for (i = 0; i < v.ncpus && i < TG_STEER_CPU_MAX; i++)
		tg_cpuset_add(s, v.cpu[i]);
	return 0;
}

int tg_steer_set(int fd, __u32 ifindex, const struct tg_cpuset *s)
{
	struct tg_steer v;
	unsigned int cpu;

	memset(&v, 0, sizeof(v));
	for (cpu = 0; cpu < TG_CPULIST_MAX; cpu++) {
		if (!tg_cpuset_has(s, cpu))
			continue;
		if (cpu >= TG_STEER_CPU_MAX || v.ncpus >= TG_STEER_CPU_MAX)
			return -ERANGE;
		v.cpu[v.ncpus++] = cpu;
	}
	if (!v.ncpus)
		return -EINVAL;
	return bpf_map_update_elem(fd, &ifindex, &v, BPF_ANY) ? -errno : 0;
}

int tg_steer_off(int fd, __u32 ifindex)
{
	struct tg_steer v;

	if (bpf_map_lookup_elem(fd, &ifindex, &v))
		return errno == ENOENT ? 0 : -errno;
	v.flags |= TG_STEER_F_OFF;
	return bpf_map_update_elem(fd, &ifindex, &v, BPF_EXIST) ? -errno : 0;
}

int tg_steer_fill(int cpus_fd, const struct tg_cpuset *s, int prog_fd)
{
	struct bpf_cpumap_val val;
	__u32 cpu;
	int err;

	for (cpu = 0; cpu < TG_STEER_CPU_MAX; cpu++) {
		if (!tg_cpuset_has(s, cpu))
			continue;
		memset(&val, 0, sizeof(val));
		val.qsize = TG_STEER_QSIZE;
		val.bpf_prog.fd = prog_fd;
		if (bpf_map_update_elem(cpus_fd, &cpu, &val, BPF_ANY)) {
			err = -errno;
			tg_err("up: couldn't start the subscriber program's queue on CPU %u (cpumap): %s (%d)",
			       cpu, strerror(-err), err);
			return err;
		}
	}
	return 0;
}
