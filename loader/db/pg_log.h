/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The log of what a command changed in the snapshot's shared tables, what
 * lets a push send those rows alone and a refused change be put back
 * without a copy of every shared row. The command runs on the snapshot's
 * own connection (tg_db_lend()), whose TEMP triggers on each shared table
 * record, in TEMP tables pg_undo_<table> (nothing of it in the snapshot
 * file), the key of every row inserted, updated or deleted, with the row
 * as it was before its first change (pg_was 1) or none (pg_was 0: new).
 * Armed after the command's pull, disarmed once pushed or put back.
 */
#ifndef TG_DB_PG_LOG_H
#define TG_DB_PG_LOG_H

#include <stddef.h>
#include <sqlite3.h>

/* The log tables and triggers made anew, empty: 0 or -EIO (err). */
int tg_pg_log_arm(sqlite3 *db, char *err, size_t errlen);

/* The log tables and triggers gone: 0 or -EIO (err). */
int tg_pg_log_disarm(sqlite3 *db, char *err, size_t errlen);

/*
 * The rows of the log put back as they were (one transaction), the log
 * disarmed: 0 or -EIO (err; the snapshot is then marked for a whole pull).
 */
int tg_pg_log_undo(sqlite3 *db, char *err, size_t errlen);

/*
 * The SQL of t's logged rows to send (shared, and not as they were: cols'
 * columns) and of the keys to delete there (shared before, gone or no
 * longer shared now). 0 or -ENOSPC.
 */
struct tg_pg_table;
struct tg_pg_cols;
int tg_pg_log_sql(const struct tg_pg_table *t, const struct tg_pg_cols *cols,
		  char *up, char *del, size_t len);

#endif /* TG_DB_PG_LOG_H */
