// SPDX-License-Identifier: GPL-2.0-only
/* Capability checks before BPF and network work (see caps.h). */
#include <errno.h>
#include <unistd.h>
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
