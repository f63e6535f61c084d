// SPDX-License-Identifier: GPL-2.0-only
/* Helpers for unit tests that load BPF programs. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "bpf_util.h"
#include "util/netns.h"

static bool tg_test_skip(const char *why)
{
	const char *ci = getenv("CI");

	if (ci && !strcmp(ci, "true"))
		ck_abort_msg("cannot run under CI=true: %s", why);
	fprintf(stderr, "\nSKIP: %s (set CI=true to make this a failure)\n\n",
		why);
	return false;
}

bool tg_test_need_root(void)
{
	if (geteuid() != 0)
		return tg_test_skip("BPF test needs root");
	if (libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_XDP, NULL) != 1)
		return tg_test_skip("kernel refuses to load an XDP program");
	return true;
}

void tg_test_sh(const char *cmd)
{
	ck_assert_msg(system(cmd) == 0, "failed: %s", cmd);
}

void tg_test_write_file(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");

	ck_assert_msg(f, "%s: %s", path, strerror(errno));
	ck_assert_int_ge(fputs(s, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

void tg_test_topology(unsigned int *sub0, unsigned int *up0)
{
	struct tg_netns_ports ports;

	ck_assert_int_eq(tg_netns_default_topology(&ports), 0);
	ck_assert_uint_ne(ports.sub_ifindex, 0);
	ck_assert_uint_ne(ports.up_ifindex, 0);
	if (sub0)
		*sub0 = ports.sub_ifindex;
	if (up0)
		*up0 = ports.up_ifindex;
}

int tg_test_pin_cpu(void)
{
	int cpu = sched_getcpu();
	cpu_set_t set;

	ck_assert_int_ge(cpu, 0);
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	ck_assert_int_eq(sched_setaffinity(0, sizeof(set), &set), 0);
	return cpu;
}

uint32_t tg_test_inet4(const char *s)
{
	struct in_addr a;

	ck_assert_int_eq(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

void tg_test_map_update(struct bpf_map *m, const void *k, size_t ks,
			const void *v, size_t vs)
{
	ck_assert_msg(bpf_map__update_elem(m, k, ks, v, vs, 0) == 0,
		      "update %s: %s", bpf_map__name(m), strerror(errno));
}
