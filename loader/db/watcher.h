/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Whether a 'tungate run' watches a database: it holds an open file
 * description lock (a read lock far past any byte SQLite locks) on the
 * file while it has it open; anyone may look for it without taking it.
 */
#ifndef TG_DB_WATCHER_H
#define TG_DB_WATCHER_H

#include <stdbool.h>

/* Mark path as watched: an fd to close when done, or negative errno. */
int tg_db_watch_hold(const char *path);
/* Whether a process holds the mark on path now. */
bool tg_db_watched(const char *path);

/*
 * A command that may take back what it writes (PostgreSQL's snapshot,
 * from its pull to its push) marks the file busy through its fd (open
 * for writing), which it closes when done: a write lock on the byte
 * after the watch mark, taken once a daemon's look at the file ends. 0
 * or negative errno.
 */
int tg_db_busy_hold(int fd);
/*
 * The daemon, through its watch fd: a look at the file that no command
 * holds busy, a read lock until tg_db_look_end(). 1 taken, 0 busy,
 * negative errno.
 */
int tg_db_look_begin(int fd);
void tg_db_look_end(int fd);

#endif /* TG_DB_WATCHER_H */
