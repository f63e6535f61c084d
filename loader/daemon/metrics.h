/* SPDX-License-Identifier: GPL-2.0-only */
/* Prometheus text exposition of the data plane's counters, and /metrics. */
#ifndef TG_METRICS_H
#define TG_METRICS_H

#include <stdio.h>
#include <sqlite3.h>

#include "dataplane/dataplane.h"

struct tg_metrics;

/*
 * Serve GET /metrics on addr ("PORT" = 127.0.0.1:PORT, "A.B.C.D:PORT",
 * "[v6]:PORT") from a thread of its own, reading the pinned maps under
 * pin_root and names/classes from the database at db_path (own
 * connection, read-only). 0 or negative errno (reported).
 */
int tg_metrics_start(const char *addr, const char *db_path,
		     const char *pin_root, struct tg_metrics **out);
void tg_metrics_stop(struct tg_metrics *m);
struct tg_lnsd;
/* Also the counters of the daemon's LNS d (NULL: none). */
void tg_metrics_lns(struct tg_metrics *m, const struct tg_lnsd *d);
/* Also the count of EoIP keepalives the daemon sent (NULL: none). */
void tg_metrics_keepalives(struct tg_metrics *m, const __u64 *sent);
/*
 * Also the broker's enrolment requests by result (TG_WG_ENROL_N counters
 * of daemon/wg_broker.h, NULL: none).
 */
void tg_metrics_wg_enrol(struct tg_metrics *m, const __u64 *results);
/* Write the exposition text (same as stats --prometheus). */
int tg_metrics_write(FILE *f, sqlite3 *db, const struct tg_maps *m);

#endif /* TG_METRICS_H */
