/* SPDX-License-Identifier: GPL-2.0-only */
/* The capabilities a command needs, checked before it starts. */
#ifndef TG_CAPS_H
#define TG_CAPS_H

#include <stdbool.h>

/* Capability numbers of linux/capability.h (CAP_BPF needs 5.8+ headers). */
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

#endif /* TG_CAPS_H */
