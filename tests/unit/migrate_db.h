/* SPDX-License-Identifier: GPL-2.0-only */
/* The database cases of the migrate suite (test_migrate_db.c). */
#ifndef TG_TEST_MIGRATE_DB_H
#define TG_TEST_MIGRATE_DB_H

#include <check.h>

TCase *migrate_db_tcase(void);

#endif /* TG_TEST_MIGRATE_DB_H */
