// SPDX-License-Identifier: GPL-2.0-only
/* tg_sub_stats: one subscriber's per-CPU counters in a flat array. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "dataplane/subcount.h"

int tg_sub_ncpus(void)
{
	static int ncpus;

	if (!ncpus)
		ncpus = libbpf_num_possible_cpus();
	return ncpus ? ncpus : -EINVAL;
}

int tg_sub_stats_entries(__u32 capacity, __u32 *entries)
{
	int ncpus = tg_sub_ncpus();
	__u64 n;

	if (ncpus < 0)
		return ncpus;
	n = (__u64)capacity * ncpus;
	if (n > UINT32_MAX)
		return -E2BIG;
	*entries = n;
	return 0;
}

__u32 tg_sub_stats_capacity(__u32 max_entries)
{
	int ncpus = tg_sub_ncpus();

	return ncpus > 0 ? max_entries / ncpus : 0;
}

int tg_sub_stats_set_capacity(struct bpf_map *map, __u32 capacity)
{
	__u32 entries;
	int err;

	err = tg_sub_stats_entries(capacity, &entries);
	return err ? err : bpf_map__set_max_entries(map, entries);
}

/* tg_ncpus in obj's .rodata, when it has one. */
static int obj_set_ncpus(struct bpf_object *obj, int ncpus)
{
	const struct btf_var_secinfo *vs;
	const struct btf_type *sec, *var;
	struct bpf_map *map;
	struct btf *btf;
	size_t size;
	char *data;
	__s32 id;
	int i;

	btf = bpf_object__btf(obj);
	id = btf ? btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC) : -1;
	if (id < 0)
		return 0;
	sec = btf__type_by_id(btf, id);
	bpf_object__for_each_map(map, obj) {
		const char *name = bpf_map__name(map);
		size_t n = strlen(name);

		if (bpf_map__is_internal(map) && n >= 7 &&
		    !strcmp(name + n - 7, ".rodata"))
			break;
	}
	if (!map)
		return 0;
	/* libbpf 1.1 says const; the skeletons write through it too. */
	data = (char *)bpf_map__initial_value(map, &size);
	vs = btf_var_secinfos(sec);
	for (i = 0; i < btf_vlen(sec); i++, vs++) {
		var = btf__type_by_id(btf, vs->type);
		if (strcmp(btf__name_by_offset(btf, var->name_off), "tg_ncpus"))
			continue;
		if (!data || vs->size != sizeof(__u32) ||
		    vs->offset + sizeof(__u32) > size)
			return -EINVAL;
		memcpy(data + vs->offset, &(__u32){ ncpus }, sizeof(__u32));
		return 0;
	}
	return 0;
}

int tg_obj_sub_stats_setup(struct bpf_object *obj)
{
	struct bpf_map *stats, *seen;
	int ncpus = tg_sub_ncpus(), err;

	if (ncpus < 0)
		return ncpus;
	err = obj_set_ncpus(obj, ncpus);
	stats = bpf_object__find_map_by_name(obj, "tg_sub_stats");
	seen = bpf_object__find_map_by_name(obj, "tg_seen");
	if (err || !stats || !seen)
		return err;
	return tg_sub_stats_set_capacity(stats, bpf_map__max_entries(seen));
}

/* Every CPU's line of id: lines[cpu]; put copies them back when set. */
static int lines_io(int fd, __u32 id, struct tg_sub_counters *v, bool put)
{
	int ncpus = tg_sub_ncpus(), cpu;
	struct tg_sub_line l;
	__u64 key;

	if (ncpus < 0)
		return ncpus;
	for (cpu = 0; cpu < ncpus; cpu++) {
		key = (__u64)id * ncpus + cpu;
		if (key > UINT32_MAX)
			return -ENOENT;
		if (put) {
			memset(&l, 0, sizeof(l));
			l.c = v[cpu];
			if (bpf_map_update_elem(fd, &(__u32){ key }, &l, BPF_ANY))
				return -errno;
		} else {
			if (bpf_map_lookup_elem(fd, &(__u32){ key }, &l))
				return -errno;
			v[cpu] = l.c;
		}
	}
	return 0;
}

int tg_sub_counters_get(int fd, __u32 id, struct tg_sub_counters *v)
{
	return lines_io(fd, id, v, false);
}

int tg_sub_counters_put(int fd, __u32 id, const struct tg_sub_counters *v)
{
	return lines_io(fd, id, (struct tg_sub_counters *)v, true);
}

void tg_sub_counters_add(struct tg_sub_counters *a,
			 const struct tg_sub_counters *b)
{
	__u64 *x = (__u64 *)a;
	const __u64 *y = (const __u64 *)b;
	size_t f;

	for (f = 0; f < sizeof(*a) / sizeof(__u64); f++)
		x[f] += y[f];
}

int tg_sub_counters_sum(int fd, __u32 id, struct tg_sub_counters *sum)
{
	int ncpus = tg_sub_ncpus(), cpu, err;
	struct tg_sub_counters *v;

	if (ncpus < 0)
		return ncpus;
	v = calloc(ncpus, sizeof(*v));
	if (!v)
		return -ENOMEM;
	err = tg_sub_counters_get(fd, id, v);
	memset(sum, 0, sizeof(*sum));
	for (cpu = 0; !err && cpu < ncpus; cpu++)
		tg_sub_counters_add(sum, &v[cpu]);
	free(v);
	return err;
}
