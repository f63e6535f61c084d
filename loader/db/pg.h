/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PostgreSQL as the shared source of several concentrators. It holds the
 * shared tables (class, subscriber, prefix, community and the settings
 * 'config set' writes), a schema version and a change counter bumped by
 * every push. Each concentrator keeps a local SQLite snapshot, the
 * database every command reads and validates against: a command pulls a
 * consistent picture into it, runs, and pushes the rows it changed in one
 * transaction that first checks the counter (see cmd/pg_cmd.c).
 */
#ifndef TG_DB_PG_H
#define TG_DB_PG_H

#include <stdbool.h>
#include <stddef.h>
#include <libpq-fe.h>
#include <sqlite3.h>

/* NOTIFY channel of every push. */
#define TG_PG_CHANNEL "tungate"
/*
 * The snapshot's settings of the xmin of its last pull and of the id of
 * its last push's transaction (see pg_rev.h).
 */
#define TG_PG_XMIN_KEY "pg_xmin"
#define TG_PG_OWN_KEY "pg_own_xid"
/* Where the snapshot is kept: --snapshot, then this, then the default. */
#define TG_PG_SNAPSHOT_ENV "TUNGATE_SNAPSHOT"

/* Whether a --db value is a PostgreSQL URL (postgresql:// or postgres://). */
bool tg_pg_url(const char *db);

/* url with its password, if any, as '***': for messages. */
const char *tg_pg_url_shown(const char *url, char *buf, size_t len);

/*
 * The keywords of a connection to url for libpq (expand_dbname): the
 * URL's settings, connect_timeout timeout_s, and a server that takes
 * writes (target_session_attrs=read-write: of several hosts, the
 * primary, not a standby that answers first). With primary, always;
 * else unless the URL says otherwise (reads from a standby).
 */
struct tg_pg_params {
	const char *keys[4];
	const char *vals[4];
	char timeout[16];
};
void tg_pg_params(struct tg_pg_params *p, const char *url, int timeout_s,
		  bool primary);

/*
 * Connect (blocking, at most timeout_s seconds, tg_pg_params() without
 * primary): 0 or -EIO with a one-line cause in err. The URL's password
 * is never in err.
 */
int tg_pg_connect(const char *url, int timeout_s, PGconn **out, char *err,
		  size_t errlen);
/* Statements without rows (or rows unread): 0 or -EIO, the cause in err. */
int tg_pg_exec(PGconn *c, const char *sql, char *err, size_t errlen);
/* A query of one boolean: 1 true, 0 false, -EIO (err). */
int tg_pg_bool(PGconn *c, const char *sql, char *err, size_t errlen);
/* The last error of c on one line. */
const char *tg_pg_error(PGconn *c, char *buf, size_t len);
/*
 * The error of r, a statement of c, on one line: a write refused by a
 * read-only server (a hot standby) says so and what to do.
 */
const char *tg_pg_result_error(PGconn *c, const PGresult *r, char *buf,
			       size_t len);

/*
 * Create the shared tables, the version and the counter when missing
 * (idempotent); a different schema version is refused. 0 or -errno, err.
 */
int tg_pg_init(PGconn *c, char *err, size_t errlen);

/*
 * Bring tables of an older schema version to this one in one transaction:
 * the shared tables' new columns added, the version set, the change
 * counter bumped and notified. *from: the version found. 0 (also when
 * already current), -ENOENT (not initialised), -EPROTONOSUPPORT (a newer
 * version) or -EIO; err says why.
 */
int tg_pg_migrate(PGconn *c, int *from, char *err, size_t errlen);

/*
 * Whether PostgreSQL holds tungate's tables of this version: 0 with the
 * change counter in *counter (when not NULL), -ENOENT (not initialised),
 * -EPROTO (another version) or -EIO; err says.
 */
int tg_pg_meta(PGconn *c, long long *counter, char *err, size_t errlen);

/*
 * Pull the shared tables (REPEATABLE READ) into temp tables pg_<table> of
 * the snapshot db and make its shared rows equal to them, in one SQLite
 * transaction that writes only the rows that differ. Unless *full, a
 * snapshot that was whole at change counter C fetches only the rows of a
 * revision after C and the keys deleted since (see pg_rev.h); it cannot
 * when it is new, when tombstones after C were pruned or PostgreSQL has
 * no revisions. *full then says which it was. *counter:
 * the change counter the picture belongs to; *changed: rows written. 0,
 * -ENOENT (not initialised), -EPROTO (another schema version or
 * columns), -EIO; err says why.
 */
int tg_pg_pull(PGconn *c, sqlite3 *db, bool *full, long long *counter,
	       long *changed, char *err, size_t errlen);

/*
 * Push the shared rows the command changed (the snapshot's change log,
 * pg_log.h: those not as they were, and the keys gone) in one
 * transaction, if the counter still is counter; bumps it and notifies.
 * *pushed: rows written (0: nothing to push, no transaction). 0, -EAGAIN (someone pushed since: pull and try
 * again) or -EIO (err).
 */
int tg_pg_push(PGconn *c, sqlite3 *db, long long counter, long *pushed,
	       char *err, size_t errlen);

/* Rows a push would write (the change log), or -EIO. */
long tg_pg_pending(sqlite3 *db, char *err, size_t errlen);

/* The counter of the last pull or push kept in the snapshot, or -1. */
long long tg_pg_local_counter(sqlite3 *db);

#endif /* TG_DB_PG_H */
