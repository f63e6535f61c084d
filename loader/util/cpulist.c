// SPDX-License-Identifier: GPL-2.0-only
/* CPU lists: "0-3,6" to a set and back, the online CPUs. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cpulist.h"

unsigned int tg_cpuset_count(const struct tg_cpuset *s)
{
	unsigned int i, n = 0;

	for (i = 0; i < TG_CPULIST_MAX / 64; i++)
		n += __builtin_popcountll(s->bits[i]);
	return n;
}

/* A CPU number at *p (digits only), moving *p past it. */
static int tg_cpu_num(const char **p, unsigned long *v)
{
	char *end;

	if (!isdigit((unsigned char)**p))
		return -EINVAL;
	errno = 0;
	*v = strtoul(*p, &end, 10);
	if (errno || *v >= TG_CPULIST_MAX)
		return -ERANGE;
	*p = end;
	return 0;
}

int tg_cpulist_parse(const char *text, struct tg_cpuset *s, char *why,
		     size_t len)
{
	const char *p = text;
	unsigned long a, b, c;
	int err;

	memset(s, 0, sizeof(*s));
	if (!*p) {
		snprintf(why, len, "an empty CPU list");
		return -EINVAL;
	}
	for (;;) {
		err = tg_cpu_num(&p, &a);
		b = a;
		if (!err && *p == '-') {
			p++;
			err = tg_cpu_num(&p, &b);
		}
		if (err == -ERANGE) {
			snprintf(why, len, "a CPU number of %d or more",
				 TG_CPULIST_MAX);
			return -EINVAL;
		}
		if (err || (*p && *p != ',')) {
			snprintf(why, len,
				 "'%s' is not a CPU list (numbers and ranges such as 0-3,6)",
				 text);
			return -EINVAL;
		}
		if (b < a) {
			snprintf(why, len, "the range %lu-%lu runs backwards",
				 a, b);
			return -EINVAL;
		}
		for (c = a; c <= b; c++)
			tg_cpuset_add(s, c);
		if (!*p)
			return 0;
		p++;
	}
}

void tg_cpulist_format(const struct tg_cpuset *s, char *buf, size_t len)
{
	unsigned int a, b;
	size_t off = 0;

	buf[0] = '\0';
	for (a = 0; a < TG_CPULIST_MAX; a++) {
		if (!tg_cpuset_has(s, a))
			continue;
		for (b = a; b + 1 < TG_CPULIST_MAX && tg_cpuset_has(s, b + 1);)
			b++;
		if (off < len)
			off += snprintf(buf + off, len - off, "%s%u", off ? "," : "", a);
		if (b > a && off < len)
			off += snprintf(buf + off, len - off, "-%u", b);
		a = b;
	}
}

int tg_cpus_online(struct tg_cpuset *s)
{
	char line[4096], why[128];
	FILE *f = fopen("/sys/devices/system/cpu/online", "re");
	int err = 0;

	if (!f)
		return -errno;
	if (!fgets(line, sizeof(line), f))
		err = -EIO;
	fclose(f);
	if (err)
		return err;
	line[strcspn(line, "\n")] = '\0';
	return tg_cpulist_parse(line, s, why, sizeof(why)) ? -EIO : 0;
}
