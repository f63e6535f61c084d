/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The tables PostgreSQL shares, as the snapshot has them: which rows of
 * each are shared, by which key, and their columns, read from the
 * snapshot's own schema so that a new column is shared with no new code.
 */
#ifndef TG_DB_PG_TABLES_H
#define TG_DB_PG_TABLES_H

#include <stddef.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#define TG_PG_COLS_MAX 64
#define TG_PG_SQL_MAX 8192

enum tg_pg_type { TG_PG_INT, TG_PG_TEXT, TG_PG_REAL };

struct tg_pg_table {
	const char *name;
	const char *key;	/* primary key column, in both databases */
	const char *shared;	/* which snapshot rows are shared (SQL) */
	const char *local_col;	/* column each concentrator keeps its own */
	/*
	 * Which rows of its change log (pg_log.h) were shared before the
	 * command, when that depends on rows it may have deleted too; NULL:
	 * as shared.
	 */
	const char *shared_was;
};

/* Parents before children: the order of inserts (deletes go backwards). */
extern const struct tg_pg_table tg_pg_tables[];
extern const size_t tg_pg_ntables;

struct tg_pg_cols {
	int n;
	char name[TG_PG_COLS_MAX][48];
	enum tg_pg_type type[TG_PG_COLS_MAX];
	char list[TG_PG_SQL_MAX / 4];	/* "c1", "c2", ... quoted */
};

/* The shared columns of t in db's main schema: 0 or -EIO. */
int tg_pg_columns(sqlite3 *db, const struct tg_pg_table *t,
		  struct tg_pg_cols *c);

/* The columns of st's result (all sent as text): 0 or -EIO. */
int tg_pg_stmt_columns(sqlite3_stmt *st, struct tg_pg_cols *c);

/*
 * Every row st gives (the columns cols, in their order) into PostgreSQL's
 * table t, batched: a row of t's key there is updated; with a key of
 * several columns ("a, b") it is left as it is. Rows sent, or -EIO.
 */
long tg_pg_send_rows(PGconn *c, sqlite3_stmt *st, const struct tg_pg_table *t,
		     const struct tg_pg_cols *cols, char *err, size_t errlen);

/* Which snapshot rows of t are shared (SQL). */
const char *tg_pg_shared(const struct tg_pg_table *t);

/* The SQL condition on the setting table: the keys 'config set' writes. */
const char *tg_pg_setting_filter(void);

#endif /* TG_DB_PG_TABLES_H */
