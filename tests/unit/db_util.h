/* SPDX-License-Identifier: GPL-2.0-only */
/* Helpers for unit tests of the subscriber database. */
#ifndef TG_TEST_DB_UTIL_H
#define TG_TEST_DB_UTIL_H

#include <sqlite3.h>

/*
 * Every row of every configuration table of db as text (free() it): two
 * equal snapshots show that a refused change wrote nothing.
 */
char *tg_test_db_snapshot(sqlite3 *db);

#endif /* TG_TEST_DB_UTIL_H */
