// SPDX-License-Identifier: GPL-2.0-only
/* Capability checks before BPF and network work (see caps.h). */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#include "util/caps.h"
#include "util/cli.h"

bool tg_cap_has(int cap)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = {};

	if (syscall(SYS_capget, &hdr, data))
		return false;
	return data[cap / 32].effective & (1U << (cap % 32));
}

int tg_caps_require(const char *cmd, bool net_admin)
{
	const char *missing = NULL;

	if (!tg_cap_has(TG_CAP_BPF) && !tg_cap_has(TG_CAP_SYS_ADMIN))
		missing = "CAP_BPF (BPF maps and programs)";
	else if (net_admin && !tg_cap_has(TG_CAP_NET_ADMIN))
		missing = "CAP_NET_ADMIN (attaching programs, interfaces, routes)";
	if (!missing)
		return 0;
	tg_err("%s: missing capability %s; run it as root, or with the capabilities of tungate.service (CAP_BPF CAP_NET_ADMIN CAP_PERFMON)",
	       cmd, missing);
	return -EPERM;
}

/* The highest capability this kernel knows (63 when it cannot tell). */
static int tg_cap_last(void)
{
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
	int last = 63;

	if (f) {
		if (fscanf(f, "%d", &last) != 1 || last < 0 || last > 63)
			last = 63;
		fclose(f);
	}
	return last;
}

bool tg_cap_known(int cap)
{
	return cap <= tg_cap_last();
}

int tg_caps_keep(__u64 mask)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = {};
	int cap, last = tg_cap_last();
	__u64 perm;

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	perm = data[0].permitted | (__u64)data[1].permitted << 32;
	mask &= perm;
	/* While CAP_SETPCAP is still there; without it exec is bound anyway. */
	for (cap = 0; cap <= last; cap++) {
		if (mask & 1ULL << cap)
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) && errno != EINVAL &&
		    errno != EPERM)
			return -errno;
	}
	data[0].effective = data[0].permitted = mask;
	data[1].effective = data[1].permitted = mask >> 32;
	data[0].inheritable &= mask;
	data[1].inheritable &= mask >> 32;
	/* Ambient capabilities outside permitted and inheritable go too. */
	if (syscall(SYS_capset, &hdr, data))
		return -errno;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	return 0;
}
