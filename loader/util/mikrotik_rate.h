/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The RADIUS attribute Mikrotik-Rate-Limit, which l2tpns, accel-ppp and
 * RouterOS read:
 *   rx[/tx] [rx-burst[/tx-burst] [rx-threshold[/tx-threshold]
 *   [rx-time[/tx-time] [priority] [rx-min[/tx-min]]]]]
 * seen from the router: rx is what the client uploads, tx what it
 * downloads. Rates are bits/s with k (1000), M (10^6) or G (10^9); times
 * seconds; a missing tx part is the rx part.
 */
#ifndef TG_UTIL_MIKROTIK_RATE_H
#define TG_UTIL_MIKROTIK_RATE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

/* RouterOS queues top out at 4G; anything above is a typo. */
#define TG_MT_RATE_MAX 100000000000ULL

struct tg_mt_rate {
	__u64 rx, tx;			/* bits/s, 0: unlimited */
	/* The optional parts; fields: how many of the six groups were given. */
	unsigned int fields;
	__u64 rx_burst, tx_burst;	/* bits/s, 0: no bursting */
	__u64 rx_threshold, tx_threshold;
	__u64 rx_time, tx_time;		/* seconds */
	__u64 priority;			/* 1..8, 0: not given */
	__u64 rx_min, tx_min;
};

/*
 * Parse text (surrounding double quotes allowed) into r: 0, or -EINVAL
 * with the cause in err naming the part ("burst rate 'x': ...").
 */
int tg_mt_rate_parse(const char *text, struct tg_mt_rate *r, char *err,
		     size_t errlen);
/* Whether r asks for anything beyond its two rates. */
bool tg_mt_rate_extras(const struct tg_mt_rate *r);
/* A rate as short as it reads back: 5M, 512k, 1500k, 2G, 123; 0: 0. */
void tg_mt_rate_format(__u64 bps, char *buf, size_t len);

#endif /* TG_UTIL_MIKROTIK_RATE_H */
