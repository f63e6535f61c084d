/* SPDX-License-Identifier: GPL-2.0-only */
/* Helpers for unit tests that load BPF programs. */
#ifndef TG_TEST_BPF_UTIL_H
#define TG_TEST_BPF_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bpf_map;

/*
 * True when the test runs as root and the kernel loads BPF programs.
 * Otherwise prints "SKIP: <reason>" to stderr and returns false, so the
 * test returns early; with CI=true in the environment it fails the test
 * instead, since CI must run everything.
 */
bool tg_test_need_root(void);

/* Run a shell command; fail the test when it fails. */
void tg_test_sh(const char *cmd);
/* Write s to path (a sysctl under /proc/sys, say); fail the test on error. */
void tg_test_write_file(const char *path, const char *s);
/*
 * Keep the test on the CPU it runs on (per-CPU values are read from it)
 * and return that CPU; fail the test on error.
 */
int tg_test_pin_cpu(void);

/*
 * Build replay's default topology (sub0, up0, default routes, permanent
 * neighbours, forwarding on) in the test's own network namespace and
 * return the two ifindexes; fail the test on error.
 */
void tg_test_topology(unsigned int *sub0, unsigned int *up0);

/* An IPv4 address in network order; fail the test when s is not one. */
uint32_t tg_test_inet4(const char *s);
/* Write one entry of map m; fail the test on error. */
void tg_test_map_update(struct bpf_map *m, const void *k, size_t ks,
			const void *v, size_t vs);

#endif /* TG_TEST_BPF_UTIL_H */
