/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Database -> the kernel's WireGuard: one interface tgwgPORT per listen
 * port the enabled wireguard members use, each with exactly their peers
 * (public key, allowed IPs = the member's prefixes, the endpoint and a
 * persistent keepalive of TG_WG_KEEPALIVE_S when pinned, no keepalive when
 * learnt) and a route of protocol TG_WG_RT_PROTO for each of those
 * prefixes. Only peers missing or otherwise are sent (see wg_diff.h).
 * Peers of members disabled or deleted are removed, interfaces no member
 * uses any more deleted.
 */
#ifndef TG_WG_SYNC_H
#define TG_WG_SYNC_H

#include <stdbool.h>
#include <net/if.h>
#include <sqlite3.h>

#include "db/sub.h"

/* The protocol of the routes to WireGuard interfaces (tg0's is 240). */
#define TG_WG_RT_PROTO 241
/* Listen ports, so interfaces, at most. */
#define TG_WG_PORTS_MAX 16

struct tg_wg_dev_stats {
	char ifname[IF_NAMESIZE];
	__u16 port;
	unsigned int peers;	/* it has now */
	unsigned int added;	/* peers it did not have */
	unsigned int changed;	/* it had otherwise */
	unsigned int removed;
	int routes;		/* installed */
	bool policed;		/* runs the data plane's programs (up ran) */
};

struct tg_wg_sync_stats {
	bool any;		/* WireGuard members or interfaces there were */
	char public_key[TG_WG_KEY_B64 + 1];	/* the interfaces' */
	struct tg_wg_dev_stats dev[TG_WG_PORTS_MAX];
	unsigned int ndev;
	unsigned int deleted;	/* interfaces no member uses */
	char failed[256];	/* on error: why */
};

/*
 * Put the kernel's WireGuard in step with the enabled wireguard members
 * of db (rows are checked as sync checks them). Without members and
 * without interfaces of tungate's, nothing is touched (a kernel without
 * WireGuard is fine then). The private key comes from key_path, made
 * there when missing. 0 or a negative errno with st->failed.
 */
int tg_wg_sync(sqlite3 *db, const char *key_path, struct tg_wg_sync_stats *st);

#endif /* TG_WG_SYNC_H */
