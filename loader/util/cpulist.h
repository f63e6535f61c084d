/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CPU lists as the kernel writes them (/sys/devices/system/cpu/online,
 * taskset -c): "0-3,6". A set is a bitmap of TG_CPULIST_MAX CPUs.
 */
#ifndef TG_UTIL_CPULIST_H
#define TG_UTIL_CPULIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TG_CPULIST_MAX 1024

struct tg_cpuset {
	uint64_t bits[TG_CPULIST_MAX / 64];
};

static inline bool tg_cpuset_has(const struct tg_cpuset *s, unsigned int cpu)
{
	return cpu < TG_CPULIST_MAX && (s->bits[cpu / 64] >> (cpu % 64) & 1);
}

static inline void tg_cpuset_add(struct tg_cpuset *s, unsigned int cpu)
{
	if (cpu < TG_CPULIST_MAX)
		s->bits[cpu / 64] |= 1ULL << (cpu % 64);
}

unsigned int tg_cpuset_count(const struct tg_cpuset *s);

/*
 * Parse text ("0-3,6") into *s. 0, or -EINVAL with why (a sentence
 * naming the bad part) in why.
 */
int tg_cpulist_parse(const char *text, struct tg_cpuset *s, char *why,
		     size_t len);

/* *s in the list form, ranges merged: "0-3,6"; "" when empty. */
void tg_cpulist_format(const struct tg_cpuset *s, char *buf, size_t len);

/* The online CPUs (sysfs). 0 or negative errno. */
int tg_cpus_online(struct tg_cpuset *s);

#endif /* TG_UTIL_CPULIST_H */
