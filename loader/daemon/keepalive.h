/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * EoIP keepalives from the daemon: RouterOS takes an EoIP interface down
 * when nothing came for 10 of its keepalive intervals, and a subscriber
 * that sends no traffic would hear nothing back. Every enabled eoip
 * subscriber gets one every --keepalive (else eoip-keepalive) seconds,
 * the subscribers spread over the interval.
 */
#ifndef TG_DAEMON_KEEPALIVE_H
#define TG_DAEMON_KEEPALIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <sqlite3.h>
#include <linux/types.h>

#include "db/settings.h"
#include "db/sub.h"

/* One subscriber to keep alive, as the last sync applied it. */
struct tg_ka_peer {
	__be32 remote, local;
	__u16 id;		/* tunnel id, host order */
	__u8 ttl;		/* outer TTL, as the data plane's */
	__u32 every_ms;
	__u64 next_ms;		/* CLOCK_MONOTONIC */
};

struct tg_keepalive {
	int fd;			/* raw IPv4 socket, -1: none */
	int fd_err;		/* why none: negative errno */
	struct tg_ka_peer *peer;	/* by remote, local, id */
	size_t n;
	__u64 deadline;		/* ms: the next one due, UINT64_MAX: none */
	/* Read by the metrics thread as they grow. */
	__u64 sent, failed;
	bool fail_logged;	/* until a send succeeds again */
	bool fd_logged;
};

void tg_keepalive_init(struct tg_keepalive *k);
/*
 * The raw socket, opened while the daemon still has CAP_NET_RAW (it
 * keeps the socket, not the capability). 0 or negative errno, kept in
 * fd_err and logged once there is somebody to send to.
 */
int tg_keepalive_open(struct tg_keepalive *k);
void tg_keepalive_close(struct tg_keepalive *k);
/*
 * Take the eoip subscribers of subs (the others are skipped) with their
 * intervals from st; one that stays (same tunnel, same interval) keeps its
 * turn, a new one gets a turn spread by its position. 0 or -ENOMEM.
 */
int tg_keepalive_set(struct tg_keepalive *k, const struct tg_sub *subs,
		     size_t n, const struct tg_settings *st, __u64 now_ms);
/* The same from the database, after a sync: 0 or negative errno. */
int tg_keepalive_load(struct tg_keepalive *k, sqlite3 *db, __u64 now_ms);
/* Send what is due, in batches. */
void tg_keepalive_tick(struct tg_keepalive *k, __u64 now_ms);

static inline __u64 tg_keepalive_deadline(const struct tg_keepalive *k)
{
	return k->deadline;
}

#endif /* TG_DAEMON_KEEPALIVE_H */
