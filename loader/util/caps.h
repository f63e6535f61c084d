/* SPDX-License-Identifier: GPL-2.0-only */
/* The capabilities a command needs, checked before it starts. */
#ifndef TG_CAPS_H
#define TG_CAPS_H

#include <stdbool.h>
#include <linux/types.h>

/* Capability numbers of linux/capability.h (CAP_BPF needs 5.8+ headers). */
#define TG_CAP_NET_BIND_SERVICE 10
#define TG_CAP_NET_ADMIN 12
#define TG_CAP_SYS_ADMIN 21
#define TG_CAP_PERFMON 38
#define TG_CAP_BPF 39

/* Whether this process has capability cap in its effective set. */
bool tg_cap_has(int cap);
/*
 * 0 when this process may use BPF (CAP_BPF, or CAP_SYS_ADMIN which
 * includes it) and, with net_admin, administer the network; else -EPERM
 * after saying which capability is missing, as "tungate: CMD: ...".
 */
int tg_caps_require(const char *cmd, bool net_admin);

/* Whether this kernel knows capability cap (CAP_BPF: 5.8 and later). */
bool tg_cap_known(int cap);
/*
 * Keep only the capabilities of mask (bit n: capability n) that this
 * process has: every other one leaves the effective, permitted,
 * inheritable, ambient and (when CAP_SETPCAP allows) bounding sets, and
 * no_new_privs is set, so no exec gets any back. 0 or negative errno.
 */
int tg_caps_keep(__u64 mask);

#endif /* TG_CAPS_H */
