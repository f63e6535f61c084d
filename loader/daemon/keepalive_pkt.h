/* SPDX-License-Identifier: GPL-2.0-only */
/* The EoIP keepalive the daemon sends, byte for byte. */
#ifndef TG_DAEMON_KEEPALIVE_PKT_H
#define TG_DAEMON_KEEPALIVE_PKT_H

#include <linux/types.h>

/* An IPv4 header without options and the 8 bytes of the EoIP header. */
#define TG_KA_PKT_LEN 28

/*
 * Write the keepalive from local to remote of EoIP tunnel id with outer
 * TTL ttl into buf (TG_KA_PKT_LEN bytes), IPv4 header checksum included.
 */
void tg_ka_pkt_build(__u8 *buf, __be32 local, __be32 remote, __u8 ttl,
		     __u16 id);

#endif /* TG_DAEMON_KEEPALIVE_PKT_H */
