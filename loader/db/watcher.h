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

#endif /* TG_DB_WATCHER_H */
