/* SPDX-License-Identifier: GPL-2.0-only */
/* Whether the running kernel can run the data plane: version and helpers. */
#ifndef TG_KERNEL_H
#define TG_KERNEL_H

#include <stddef.h>

/* The oldest kernel the programs are verified and tested on (Debian 12's). */
#define TG_KERNEL_MIN_MAJOR 6
#define TG_KERNEL_MIN_MINOR 1

/*
 * 1 when a kernel release string ("6.1.0-57-amd64") is at least
 * TG_KERNEL_MIN_MAJOR.TG_KERNEL_MIN_MINOR, 0 when older, -1 when it does
 * not start with MAJOR.MINOR.
 */
int tg_kernel_release_ok(const char *release);

/*
 * 0 when this kernel has what the data plane needs. Otherwise -ENOTSUP
 * and one line in why naming the release and the BPF helpers it lacks.
 */
int tg_kernel_check(char *why, size_t len);

#endif /* TG_KERNEL_H */
