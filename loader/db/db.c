// SPDX-License-Identifier: GPL-2.0-only
/* Database file, schema, migration, transactions. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cli.h"
#include "db/conn.h"
#include "db/schema.h"
#include "util/log.h"

static const char tg_schema_v1[] =
	"CREATE TABLE subscriber ("
	" id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL UNIQUE,"
	" enabled INTEGER NOT NULL DEFAULT 1 CHECK(enabled IN (0,1)),"
	" type TEXT NOT NULL,"
	" remote TEXT NOT NULL,"
	" local TEXT NOT NULL,"
	" gre_key INTEGER,"
	" session_id INTEGER,"
	" tunnel_id INTEGER,"
	" cookie TEXT,"
	" sublayer INTEGER NOT NULL DEFAULT 1,"
	" mtu INTEGER NOT NULL DEFAULT 1400,"
	" dp_id INTEGER UNIQUE,"
	" note TEXT);"
	"CREATE TABLE prefix ("
	" subscriber_id INTEGER NOT NULL REFERENCES subscriber(id)"
	" ON DELETE CASCADE,"
	" prefix TEXT NOT NULL UNIQUE);"
	"CREATE INDEX prefix_subscriber ON prefix(subscriber_id);"
	"CREATE TABLE setting ("
	" key TEXT PRIMARY KEY,"
	" value TEXT NOT NULL);"
	"PRAGMA user_version = 1;";

/*
 * Version 1 -> 2: rate classes, community prefixes, the return path
 * columns, ids waiting for a sync, and what the last sync wrote (dp_state,
 * dp_dirty: triggers note every subscriber whose map entries may differ).
 * A new database is created as version 1 and upgraded by this same text,
 * so both have the same schema.
 */
static const char tg_schema_v2[] =
	"CREATE TABLE class ("
	" name TEXT PRIMARY KEY,"
	" down_rate INTEGER,"
	" up_rate INTEGER,"
	" burst INTEGER NOT NULL,"
	" scope TEXT NOT NULL CHECK(scope IN ('internet','community')));"
	"CREATE TABLE community (prefix TEXT PRIMARY KEY);"
	"CREATE TABLE dp_id_pending (dp_id INTEGER PRIMARY KEY);"
	"CREATE TABLE dp_state ("
	" dp_id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL,"
	" state BLOB NOT NULL);"
	"CREATE TABLE dp_dirty (dp_id INTEGER PRIMARY KEY);"
	"ALTER TABLE subscriber ADD COLUMN class TEXT REFERENCES class(name);"
	"ALTER TABLE subscriber ADD COLUMN down_rate INTEGER;"
	"ALTER TABLE subscriber ADD COLUMN up_rate INTEGER;"
	"ALTER TABLE subscriber ADD COLUMN burst INTEGER;"
	"ALTER TABLE subscriber ADD COLUMN peer_session INTEGER;"
	"ALTER TABLE subscriber ADD COLUMN peer_tunnel_id INTEGER;"
	"ALTER TABLE subscriber ADD COLUMN peer_cookie TEXT;"
	"ALTER TABLE subscriber ADD COLUMN peer_port INTEGER;"
	"ALTER TABLE subscriber ADD COLUMN local_port INTEGER;"
	"ALTER TABLE subscriber ADD COLUMN peer_mac TEXT;"
	"ALTER TABLE subscriber ADD COLUMN gre_csum INTEGER NOT NULL DEFAULT 0"
	" CHECK(gre_csum IN (0,1));"
	"ALTER TABLE subscriber ADD COLUMN gre_seq INTEGER NOT NULL DEFAULT 0"
	" CHECK(gre_seq IN (0,1));"
	"ALTER TABLE subscriber ADD COLUMN df INTEGER NOT NULL DEFAULT 1"
	" CHECK(df IN (0,1));"
	"ALTER TABLE subscriber ADD COLUMN ttl INTEGER;"
	"ALTER TABLE subscriber ADD COLUMN udp_csum INTEGER NOT NULL DEFAULT 0"
	" CHECK(udp_csum IN (0,1));"
	"ALTER TABLE subscriber ADD COLUMN mss_clamp INTEGER NOT NULL DEFAULT 1"
	" CHECK(mss_clamp IN (0,1));"
	"ALTER TABLE subscriber ADD COLUMN ppp_acfc INTEGER NOT NULL DEFAULT 0"
	" CHECK(ppp_acfc IN (0,1));"
	"CREATE INDEX subscriber_tunnel ON subscriber(remote, local, type);"
	"CREATE INDEX subscriber_class ON subscriber(class);"
	TG_TRIGGER_SUB_INS
	TG_TRIGGERS_REST
	"PRAGMA user_version = 2;";

/*
 * Version 2 -> 3: usage accounting. usage: one record per subscriber and
 * interval, or its final one (rows outlive the subscriber: no foreign
 * key). usage_mark: per dp_id, the counters the last record was taken
 * from, whose they were and the identity of the maps they were read from.
 * usage_file: periods whose text file is still to be written.
 */
static const char tg_schema_v3[] =
	"CREATE TABLE usage ("
	" id INTEGER PRIMARY KEY,"
	" subscriber_id INTEGER NOT NULL,"
	" name TEXT NOT NULL,"
	" dp_id INTEGER NOT NULL,"
	" class TEXT,"
	" ip TEXT,"
	" period_start INTEGER,"
	" period_end INTEGER NOT NULL,"
	" up_bytes INTEGER NOT NULL,"
	" down_bytes INTEGER NOT NULL,"
	" up_packets INTEGER NOT NULL,"
	" down_packets INTEGER NOT NULL,"
	" final INTEGER NOT NULL DEFAULT 0 CHECK(final IN (0,1)));"
	"CREATE INDEX usage_period ON usage(period_end);"
	"CREATE INDEX usage_name ON usage(name, period_end);"
	"CREATE TABLE usage_mark ("
	" dp_id INTEGER PRIMARY KEY,"
	" subscriber_id INTEGER NOT NULL,"
	" name TEXT NOT NULL,"
	" class TEXT,"
	" ip TEXT,"
	" maps TEXT NOT NULL,"
	" time INTEGER NOT NULL,"
	" up_bytes INTEGER NOT NULL,"
	" down_bytes INTEGER NOT NULL,"
	" up_packets INTEGER NOT NULL,"
	" down_packets INTEGER NOT NULL,"
	" seen INTEGER NOT NULL,"
	" closed INTEGER NOT NULL DEFAULT 0 CHECK(closed IN (0,1)));"
	"CREATE TABLE usage_file (period_end INTEGER PRIMARY KEY);"
	"PRAGMA user_version = 3;";

/*
 * Schema steps: step i takes version i to i + 1, up to version 3. From
 * there the current tables (strict since version 4, the session tables of
 * dial-in members since 5; see db/schema.c) are rebuilt by code that
 * names the rows it refuses.
 */
#define TG_DB_LAST_STEP 3
static const char *const tg_schema_steps[TG_DB_LAST_STEP] = {
	tg_schema_v1, tg_schema_v2, tg_schema_v3,
};

/*
 * Apply the steps after version ver (0: create) inside the caller's
 * transaction: 0, -EIO, or -EINVAL when rows break the new constraints;
 * err says why.
 */
static int tg_db_upgrade_to(sqlite3 *db, int ver, int to, char *err,
			    size_t errlen)
{
	int ret;

	for (; ver < to && ver < TG_DB_LAST_STEP; ver++)
		if (tg_db_exec(db, tg_schema_steps[ver])) {
			snprintf(err, errlen, "%s", sqlite3_errmsg(db));
			return -EIO;
		}
	if (ver == to)
		return 0;
	ret = tg_schema_strict(db, err, errlen);
	if (ret == -EINVAL) {
		char why[512];

		snprintf(why, sizeof(why), "%s", err);
		if (snprintf(err, errlen,
			     "rows break the constraints of version %d; fix them (the file is unchanged): %s",
			     TG_DB_VERSION, why) >= (int)errlen && errlen > 4)
			strcpy(err + errlen - 4, "...");
	}
	return ret;
}

static int tg_db_upgrade(sqlite3 *db, int ver, char *err, size_t errlen)
{
	return tg_db_upgrade_to(db, ver, TG_DB_VERSION, err, errlen);
}

int tg_db_create_version(sqlite3 *db, int ver)
{
	char err[256];

	if (ver < 1 || (ver > TG_DB_LAST_STEP && ver != TG_DB_VERSION))
		return -EINVAL;
	return tg_db_upgrade_to(db, 0, ver, err, sizeof(err));
}

/* Quiet: errors kept for tg_db_last_error() instead of reported. */
static bool tg_db_quiet;
static char tg_db_errbuf[256];

void tg_db_set_quiet(bool quiet)
{
	tg_db_quiet = quiet;
}

const char *tg_db_last_error(void)
{
	return tg_db_errbuf;
}

static void tg_db_err(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void tg_db_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tg_db_errbuf, sizeof(tg_db_errbuf), fmt, ap);
	va_end(ap);
	if (!tg_db_quiet)
		tg_err("%s", tg_db_errbuf);
}

const char *tg_db_path(void)
{
	const char *env;

	if (tg_opts.db_path)
		return tg_opts.db_path;
	env = getenv(TG_DB_ENV);
	if (env && *env)
		return env;
	return TG_DB_PATH_DEFAULT;
}

int tg_db_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		tg_log(tg_db_quiet ? TG_LOG_DEBUG : TG_LOG_WARN,
		       "database: '%.60s': %s\n", sql, msg ? msg : "error");
		sqlite3_free(msg);
		return -EIO;
	}
	return 0;
}

int tg_db_begin(sqlite3 *db)
{
	return tg_db_exec(db, "BEGIN");
}

int tg_db_begin_write(sqlite3 *db)
{
	return tg_db_exec(db, "BEGIN IMMEDIATE");
}

int tg_db_commit(sqlite3 *db)
{
	return tg_db_exec(db, "COMMIT");
}

void tg_db_rollback(sqlite3 *db)
{
	tg_db_exec(db, "ROLLBACK");
}

int tg_db_lazy_commits(sqlite3 *db)
{
	return tg_db_exec(db, "PRAGMA synchronous = NORMAL");
}

int tg_db_int(sqlite3 *db, const char *sql, long long *v)
{
	sqlite3_stmt *st;
	int err = -EIO;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	if (sqlite3_step(st) == SQLITE_ROW) {
		*v = sqlite3_column_int64(st, 0);
		err = 0;
	}
	sqlite3_finalize(st);
	return err;
}

/*
 * The directory that holds path must exist: a mistyped path is refused,
 * not created. Only the default database's own directory is made (0700,
 * in an existing parent), as a package would.
 */
static int tg_db_dir_check(const char *path)
{
	char *dir = strdup(path), *p;
	struct stat sb;
	int err = 0;

	if (!dir)
		return -ENOMEM;
	p = strrchr(dir, '/');
	if (!p || p == dir)
		goto out;
	*p = '\0';
	if (!stat(dir, &sb)) {
		if (!S_ISDIR(sb.st_mode))
			err = -ENOTDIR;
		goto out;
	}
	err = -errno;
	if (err == -ENOENT && !strcmp(path, TG_DB_PATH_DEFAULT) &&
	    !mkdir(dir, 0700))
		err = 0;
	if (err == -ENOENT)
		tg_db_err("database %s: directory %s does not exist; create it first (mkdir -m 0700 %s)",
			  path, dir, dir);
	else if (err)
		tg_db_err("database %s: directory %s: %s", path, dir,
			  strerror(-err));
out:
	free(dir);
	return err;
}

int tg_db_version(sqlite3 *db)
{
	long long ver;

	if (tg_db_int(db, "PRAGMA user_version", &ver))
		return -EIO;
	return ver;
}

int tg_db_migrate_nested(sqlite3 *db, int *from, char *err, size_t errlen)
{
	int ver = tg_db_version(db);

	*from = ver;
	if (ver == TG_DB_VERSION)
		return 0;
	if (ver < 1 || ver > TG_DB_VERSION) {
		snprintf(err, errlen, "schema version %d: cannot migrate, expected 1..%d",
			 ver, TG_DB_VERSION);
		return -EPROTONOSUPPORT;
	}
	return tg_db_upgrade(db, ver, err, errlen);
}

int tg_db_migrate(sqlite3 *db, int *from, char *err, size_t errlen)
{
	int ver, ret;

	if (tg_db_exec(db, "BEGIN IMMEDIATE")) {
		snprintf(err, errlen, "database busy or not writable: %s",
			 sqlite3_errmsg(db));
		return -EIO;
	}
	ver = tg_db_version(db);
	*from = ver;
	if (ver < 0) {
		snprintf(err, errlen, "cannot read the schema version");
		ret = ver;
		goto out;
	}
	ret = 0;
	if (ver == TG_DB_VERSION)
		goto out;
	if (ver < 1 || ver > TG_DB_VERSION) {
		snprintf(err, errlen, "schema version %d: cannot migrate, expected 1..%d",
			 ver, TG_DB_VERSION);
		ret = -EPROTONOSUPPORT;
		goto out;
	}
	ret = tg_db_upgrade(db, ver, err, errlen);
	if (ret)
		goto out;
	ret = tg_db_exec(db, "COMMIT");
	if (ret)
		snprintf(err, errlen, "cannot commit: %s", sqlite3_errmsg(db));
	else
		tg_db_exec(db, "PRAGMA journal_mode = WAL");
out:
	if (ret || ver == TG_DB_VERSION)
		tg_db_exec(db, ret ? "ROLLBACK" : "COMMIT");
	return ret;
}

/* Create the schema in an empty database; check the version otherwise. */
static int tg_db_schema(sqlite3 *db, const char *path, unsigned int flags)
{
	bool create = flags & TG_DB_CREATE;
	long long ver, tables;
	char why[256];
	int err;

	if (tg_db_int(db, "PRAGMA user_version", &ver) ||
	    tg_db_int(db, "SELECT count(*) FROM sqlite_master", &tables)) {
		tg_db_err("database %s: cannot read: %s", path, sqlite3_errmsg(db));
		return -EIO;
	}
	if (ver > TG_DB_VERSION) {
		tg_db_err("database %s: schema version %lld is newer than this tungate supports (%d)",
		       path, ver, TG_DB_VERSION);
		return -EPROTONOSUPPORT;
	}
	if (ver == TG_DB_VERSION)
		return 0;
	if (ver >= 1 && ver < TG_DB_VERSION) {
		if (flags & TG_DB_OLDER)
			return 0;
		tg_db_err("database %s: schema version %lld is older than %d: run 'tungate db migrate'",
		       path, ver, TG_DB_VERSION);
		return -EPROTO;
	}
	if (tables) {
		tg_db_err("database %s: not a tungate database (version %lld, %lld objects)",
		       path, ver, tables);
		return -EPROTO;
	}
	if (!create) {
		tg_db_err("database %s is not initialised; run 'tungate db init'",
		       path);
		return -ENOENT;
	}
	err = tg_db_exec(db, "BEGIN IMMEDIATE");
	if (err)
		goto fail;
	err = tg_db_upgrade(db, 0, why, sizeof(why));
	if (err) {
		tg_db_exec(db, "ROLLBACK");
		tg_db_err("database %s: cannot create the schema: %s", path, why);
		return err;
	}
	err = tg_db_exec(db, "COMMIT");
	if (!err)
		return 0;
fail:
	tg_db_err("database %s: cannot create the schema: %s", path,
	       sqlite3_errmsg(db));
	return err;
}

int tg_db_open(const char *path, bool create, sqlite3 **out)
{
	return tg_db_open_flags(path, create ? TG_DB_CREATE : 0, out);
}

static const char *db_lent_path;
static sqlite3 *db_lent;

void tg_db_lend(const char *path, sqlite3 *db)
{
	db_lent_path = db ? path : NULL;
	db_lent = db;
}

int tg_db_open_flags(const char *path, unsigned int oflags, sqlite3 **out)
{
	bool create = oflags & TG_DB_CREATE, created = false;
	int flags = SQLITE_OPEN_READWRITE;
	sqlite3 *db = NULL;
	struct stat sb;
	int err;

	if (db_lent && !strcmp(path, db_lent_path)) {
		*out = db_lent;
		return 0;
	}
	*out = NULL;
	if (stat(path, &sb)) {
		if (errno != ENOENT || !create) {
			err = -errno;
			if (err == -ENOENT)
				tg_db_err("database %s does not exist; run 'tungate db init'",
				       path);
			else
				tg_db_err("database %s: %s", path, strerror(-err));
			return err;
		}
		err = tg_db_dir_check(path);
		if (err)
			return err;
		/*
		 * It holds cookies and secrets: readable by its owner only,
		 * whatever the umask. SQLite gives its -wal and -shm files
		 * the mode of the database file.
		 */
		err = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (err < 0 && errno != EEXIST) {
			err = -errno;
			tg_db_err("database %s: cannot create it: %s", path,
				  strerror(-err));
			return err;
		}
		if (err >= 0) {
			close(err);
			created = true;
		}
		flags |= SQLITE_OPEN_CREATE;
	} else if (!S_ISREG(sb.st_mode)) {
		tg_db_err("database %s: not a regular file", path);
		return -EINVAL;
	}

	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
		tg_db_err("database %s: cannot open: %s", path,
		       db ? sqlite3_errmsg(db) : "out of memory");
		err = -EIO;
		goto out;
	}
	sqlite3_busy_timeout(db, 5000);
	err = tg_db_exec(db, "PRAGMA foreign_keys = ON");
	if (err) {
		tg_db_err("database %s: %s", path, sqlite3_errmsg(db));
		goto out;
	}
	err = tg_db_schema(db, path, oflags);
	if (err)
		goto out;
	/* An older database stays as it is until it is migrated. */
	if (tg_db_version(db) < TG_DB_VERSION)
		goto done;
	/* Room for a bulk transaction (import, sync) without spilling. */
	tg_db_exec(db, "PRAGMA cache_size = -131072");
	/* Reads of a large database through the page cache, not pread(). */
	tg_db_exec(db, "PRAGMA mmap_size = 268435456");
	/* Statement journals (every write with a trigger) stay in memory. */
	tg_db_exec(db, "PRAGMA temp_store = MEMORY");
	err = tg_db_exec(db, "PRAGMA journal_mode = WAL");
	if (err) {
		tg_db_err("database %s: cannot enable WAL: %s", path,
		       sqlite3_errmsg(db));
		goto out;
	}
done:
	*out = db;
	db = NULL;
out:
	sqlite3_close(db);
	/* A database this call created and could not set up is not left. */
	if (err && created)
		unlink(path);
	return err;
}

void tg_db_close(sqlite3 *db)
{
	if (db && db == db_lent)
		return;
	sqlite3_close(db);
}

int tg_db_bulk_begin(sqlite3 *db)
{
	return tg_db_exec(db, "DROP TRIGGER subscriber_ins;"
			  "DROP TRIGGER prefix_ins;");
}

int tg_db_bulk_end(sqlite3 *db, __s64 first_id)
{
	char sql[160];

	snprintf(sql, sizeof(sql),
		 "INSERT OR IGNORE INTO dp_dirty SELECT dp_id FROM subscriber "
		 "WHERE id >= %lld AND dp_id IS NOT NULL", (long long)first_id);
	if (tg_db_exec(db, sql))
		return -EIO;
	return tg_db_exec(db, TG_TRIGGER_SUB_INS TG_TRIGGER_PFX_INS);
}
