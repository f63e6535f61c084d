// SPDX-License-Identifier: GPL-2.0-only
/* Helpers for unit tests of the subscriber database. */
#include <stdio.h>
#include <check.h>

#include "db_util.h"
#include "db/conn.h"

char *tg_test_db_snapshot(sqlite3 *db)
{
	static const char *const q[] = {
		"SELECT * FROM subscriber ORDER BY id",
		"SELECT * FROM prefix ORDER BY rowid",
		"SELECT * FROM setting ORDER BY key",
		"SELECT * FROM class ORDER BY name",
		"SELECT * FROM community ORDER BY prefix",
		"SELECT * FROM dp_id_pending ORDER BY dp_id",
	};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	sqlite3_stmt *st;
	unsigned int i;
	int c;

	for (i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		ck_assert_int_eq(sqlite3_prepare_v2(db, q[i], -1, &st, NULL),
				 SQLITE_OK);
		while (sqlite3_step(st) == SQLITE_ROW) {
			for (c = 0; c < sqlite3_column_count(st); c++) {
				const unsigned char *t = sqlite3_column_text(st, c);

				fprintf(f, "%s|", t ? (const char *)t : "NULL");
			}
			fputc('\n', f);
		}
		sqlite3_finalize(st);
		fputs("--\n", f);
	}
	fclose(f);
	return buf;
}

int tg_test_db_plant(sqlite3 *db, const char *sql)
{
	if (!tg_db_exec(db, sql))
		return 0;
	ck_assert_int_eq(tg_db_exec(db, "PRAGMA ignore_check_constraints = ON"), 0);
	ck_assert_msg(!tg_db_exec(db, sql), "%s: %s", sql, sqlite3_errmsg(db));
	ck_assert_int_eq(tg_db_exec(db, "PRAGMA ignore_check_constraints = OFF"), 0);
	return 1;
}
