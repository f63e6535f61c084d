/* SPDX-License-Identifier: GPL-2.0-only */
/* Usage accounting: per-subscriber byte and packet records per interval. */
#ifndef TG_USAGE_H
#define TG_USAGE_H

#include <stddef.h>
#include <sqlite3.h>
#include <linux/types.h>

#include "dataplane/dataplane.h"

/*
 * Append every active subscriber's usage since its last record
 * (bytes/packets each way) to the usage table, and when dir is not NULL to
 * a text file for this interval (`name ip class up_bytes down_bytes`
 * lines). 0 or negative errno (reported).
 */
int tg_usage_tick(sqlite3 *db, const struct tg_maps *m, const char *dir);

/*
 * Final record of the subscribers with these dp ids, before sync removes
 * them or their counters go. Same transaction semantics.
 *
 * One is written for each of these ids that is in the data plane
 * (dp_state) or has an open mark, also when it used nothing; a second one
 * for the same subscriber only for what it used since. Its text file is
 * due even when dir is NULL: the next tick with a dir writes it (always
 * so inside a caller's transaction, where a savepoint is used). Call it
 * inside the sync's transaction or after it commits, never for a
 * subscriber that stays: a final record says it left the data plane, so
 * when it is back its counters count from zero (sync zeroes them).
 */
int tg_usage_final(sqlite3 *db, const struct tg_maps *m,
		   const __u32 *dp_ids, size_t n, const char *dir);

/*
 * Write the text file of every period still due (usage_file) under dir,
 * each atomically: <dir>/usage-<YYYYmmddTHHMMSSZ>.txt. 0 or negative errno
 * (logged).
 */
int tg_usage_write_files(sqlite3 *db, const char *dir);

/*
 * "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS][Z]" (UTC) or unix seconds.
 * 0, -EINVAL or -ERANGE.
 */
int tg_usage_date_parse(const char *s, __s64 *out);

/* Unix seconds as YYYYmmddTHHMMSSZ (UTC). 0 or -EINVAL. */
int tg_usage_time_format(__s64 t, char *buf, size_t len);

#endif /* TG_USAGE_H */
