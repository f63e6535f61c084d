/* SPDX-License-Identifier: GPL-2.0-only */
/* Helpers for unit tests that load BPF programs. */
#ifndef TG_TEST_BPF_UTIL_H
#define TG_TEST_BPF_UTIL_H

#include <stdbool.h>

/*
 * True when the test runs as root and the kernel loads BPF programs.
 * Otherwise prints "SKIP: <reason>" to stderr and returns false, so the
 * test returns early; with CI=true in the environment it fails the test
 * instead, since CI must run everything.
 */
bool tg_test_need_root(void);

#endif /* TG_TEST_BPF_UTIL_H */
