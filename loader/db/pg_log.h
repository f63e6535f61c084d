/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The snapshot's log of what a command changed in the shared tables, what
 * lets a push send those rows alone and a refused change be taken back
 * without a copy of every shared row. Triggers on each shared table (in
 * the snapshot itself: the command writes through a connection of its
 * own) record, while the log is armed, the key of every row inserted,
 * updated or deleted into pg_undo_<table>, with the row as it was before
 * its first change (pg_was 1) or none (pg_was 0: new). The command arms it
 * after its pull and disarms it once pushed or taken back; the daemon's
 * own writes in between (under the snapshot's lock, none to shared rows)
 * are logged too and weigh nothing in the push (a row as it was is not
 * sent).
 */
#ifndef TG_DB_PG_LOG_H
#define TG_DB_PG_LOG_H

#include <stddef.h>
#include <sqlite3.h>

/*
 * The log tables and triggers made (again, when the table's columns
 * changed), the log emptied and armed: 0 or -EIO (err).
 */
int tg_pg_log_arm(sqlite3 *db, char *err, size_t errlen);

/* The log emptied and disarmed: 0 or -EIO (err). */
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
