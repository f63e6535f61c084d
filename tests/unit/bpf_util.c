// SPDX-License-Identifier: GPL-2.0-only
/* Helpers for unit tests that load BPF programs. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "bpf_util.h"

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
