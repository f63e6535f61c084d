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

/*
 * Write a row the schema's CHECKs may refuse, as a file written with
 * them ignored holds it, so that the readers' own checks are tested:
 * 1 when the schema refused sql (then written anyway), 0 when it took it.
 */
int tg_test_db_plant(sqlite3 *db, const char *sql);

#endif /* TG_TEST_DB_UTIL_H */
