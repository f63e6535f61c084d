/* SPDX-License-Identifier: GPL-2.0-only */
/* The database connection: path, opening, schema version, migration,
 * transactions, plain statements. */
#ifndef TG_DB_CONN_H
#define TG_DB_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <sqlite3.h>
#include <linux/types.h>

#define TG_DB_PATH_DEFAULT "/var/lib/tungate/tungate.db"
#define TG_DB_ENV "TUNGATE_DB"
#define TG_DB_VERSION 12

/* --db, then $TUNGATE_DB, then TG_DB_PATH_DEFAULT. */
const char *tg_db_path(void);

/*
 * Open the database: WAL, busy_timeout 5000, foreign_keys ON. With create,
 * create the directory, file and schema when missing (idempotent). Without,
 * a missing file is an error. A newer schema version is refused. Errors are
 * reported with tg_err(). Returns 0 or negative errno.
 */
int tg_db_open(const char *path, bool create, sqlite3 **out);
void tg_db_close(sqlite3 *db);
/*
 * While db is lent for path (NULL: no more), tg_db_open*() of path give
 * db itself and tg_db_close() of it leaves it open: a command against
 * PostgreSQL runs on the snapshot's connection, whose TEMP triggers log
 * what it changes (db/pg_log.h).
 */
void tg_db_lend(const char *path, sqlite3 *db);

/*
 * Quiet (a daemon retrying): errors of opening are not reported but kept
 * for tg_db_last_error(), failed statements are logged at debug level.
 */
void tg_db_set_quiet(bool quiet);
const char *tg_db_last_error(void);

/* tg_db_open_flags(): */
#define TG_DB_CREATE 0x1	/* create file and schema when missing */
#define TG_DB_OLDER 0x2		/* accept an older schema (migrate, check) */
int tg_db_open_flags(const char *path, unsigned int flags, sqlite3 **out);

/* PRAGMA user_version of an open database, or negative errno. */
int tg_db_version(sqlite3 *db);

/*
 * Upgrade an older schema to TG_DB_VERSION in one transaction. Sets *from
 * to the version found. 0 (also when already current) or negative errno
 * with the cause in err: -EINVAL when rows break the constraints of the
 * new schema (err names them; the file is left as it was).
 */
int tg_db_migrate(sqlite3 *db, int *from, char *err, size_t errlen);
/* The same inside the caller's transaction. */
int tg_db_migrate_nested(sqlite3 *db, int *from, char *err, size_t errlen);
/*
 * The schema of version ver (1..3, or TG_DB_VERSION) in an empty
 * database, as an older tungate created it: for tests of migrations. 0 or
 * -errno.
 */
int tg_db_create_version(sqlite3 *db, int ver);

/* The integer the query's first row starts with: 0 or -EIO. */
int tg_db_int(sqlite3 *db, const char *sql, long long *v);

/*
 * Transactions: a read one (a consistent picture), a write one (taken at
 * once, so that it does not fail half-way on a busy database).
 * 0 or -EIO (logged).
 */
int tg_db_begin(sqlite3 *db);
int tg_db_begin_write(sqlite3 *db);
int tg_db_commit(sqlite3 *db);
void tg_db_rollback(sqlite3 *db);
/* Commits of this connection need not wait for the disk (a cache). */
int tg_db_lazy_commits(sqlite3 *db);

/* Run one SQL statement without results: 0 or -EIO (logged). */
int tg_db_exec(sqlite3 *db, const char *sql);
/* One statement with one parameter, the id id: 0 or -EIO. */
int tg_db_exec_id(sqlite3 *db, const char *sql, __s64 id);

/*
 * Inside a transaction, around many inserts: drop the insert triggers
 * (a trigger makes SQLite journal every statement), then mark the
 * subscribers from rowid first_id on as changed and re-create them.
 */
int tg_db_bulk_begin(sqlite3 *db);
int tg_db_bulk_end(sqlite3 *db, __s64 first_id);

#endif /* TG_DB_CONN_H */
