// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel check `tungate up` makes before it touches anything: the
 * release against the oldest one the programs are verified on, and the
 * newest BPF helpers they call, probed on the running kernel.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <bpf/libbpf.h>

#include "dataplane/kernel.h"

int tg_kernel_release_ok(const char *release)
{
	unsigned int major, minor;

	if (sscanf(release, "%u.%u", &major, &minor) != 2)
		return -1;
	if (major != TG_KERNEL_MIN_MAJOR)
		return major > TG_KERNEL_MIN_MAJOR;
	return minor >= TG_KERNEL_MIN_MINOR;
}

/* The helpers the programs call that came last (5.8 to 5.18). */
static const struct {
	enum bpf_prog_type type;
	enum bpf_func_id id;
	const char *name;
} tg_kernel_helpers[] = {
	{ BPF_PROG_TYPE_XDP, BPF_FUNC_xdp_get_buff_len, "bpf_xdp_get_buff_len" },
	{ BPF_PROG_TYPE_XDP, BPF_FUNC_xdp_load_bytes, "bpf_xdp_load_bytes" },
	{ BPF_PROG_TYPE_XDP, BPF_FUNC_xdp_store_bytes, "bpf_xdp_store_bytes" },
	{ BPF_PROG_TYPE_XDP, BPF_FUNC_ktime_get_coarse_ns, "bpf_ktime_get_coarse_ns" },
	{ BPF_PROG_TYPE_XDP, BPF_FUNC_fib_lookup, "bpf_fib_lookup (XDP)" },
	{ BPF_PROG_TYPE_SCHED_CLS, BPF_FUNC_fib_lookup, "bpf_fib_lookup (TC)" },
	{ BPF_PROG_TYPE_SCHED_CLS, BPF_FUNC_skb_adjust_room, "bpf_skb_adjust_room" },
};

int tg_kernel_check(char *why, size_t len)
{
	char missing[256] = "";
	struct utsname u;
	size_t i, used = 0;
	int ok;

	if (uname(&u))
		return -errno;
	for (i = 0; i < sizeof(tg_kernel_helpers) / sizeof(tg_kernel_helpers[0]); i++) {
		if (libbpf_probe_bpf_helper(tg_kernel_helpers[i].type,
					    tg_kernel_helpers[i].id, NULL) == 1)
			continue;
		used += snprintf(missing + used, sizeof(missing) - used, "%s%s",
				 used ? ", " : "", tg_kernel_helpers[i].name);
		if (used >= sizeof(missing))
			break;
	}
	ok = tg_kernel_release_ok(u.release);
	if (!missing[0] && ok != 0)
		return 0;
	if (missing[0])
		snprintf(why, len, "Linux %s lacks %s; tungate needs Linux %d.%d or newer",
			 u.release, missing, TG_KERNEL_MIN_MAJOR, TG_KERNEL_MIN_MINOR);
	else
		snprintf(why, len, "Linux %s is older than %d.%d, the oldest kernel "
			 "whose verifier tungate's programs are checked on",
			 u.release, TG_KERNEL_MIN_MAJOR, TG_KERNEL_MIN_MINOR);
	return -ENOTSUP;
}
