// SPDX-License-Identifier: GPL-2.0-only
/*
 * Version 4: subscriber, prefix, class and community as STRICT tables
 * whose types, NOT NULL, ranges and CHECKs come from the field tables, a
 * UNIQUE index on tunnel identities, and triggers that note the
 * subscribers of a changed class as needing a sync, whoever writes.
 * Version 5 added the session tables of dial-in members, 6 the keepalive
 * column, 7 the origin of subscribers (local or RADIUS) and what RADIUS
 * accounting needs of a session, 8 the RADIUS accounting queue, 9 the
 * home POP of subscribers, 10 WireGuard members (their public key, unique,
 * and listen port), 11 the invitations of WireGuard members, 12 their
 * IPv6 endpoints (in remote); each newer version is the same rebuild.
 */
#include <errno.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/fmt.h"
#include "db/class.h"
#include "db/conn.h"
#include "db/schema.h"
#include "db/session.h"
#include "db/sub.h"
#include "db/wg_invite.h"


/* Text without NUL bytes, of lo..hi characters. */
static size_t sc_text(char *buf, size_t len, size_t off, const char *col,
		      unsigned long long lo, unsigned long long hi)
{
	return tg_cat(buf, len, off,
		      " CHECK(instr(%s, char(0)) = 0 AND length(%s) BETWEEN %llu AND %llu)",
		      col, col, lo, hi);
}

/* A name: a letter or digit, then letters, digits, '.', '_' or '-'. */
static size_t sc_name(char *buf, size_t len, size_t off, const char *col)
{
	off = sc_text(buf, len, off, col, 1, TG_NAME_MAX);
	return tg_cat(buf, len, off,
		      " CHECK(%s GLOB '[A-Za-z0-9]*' AND %s NOT GLOB '*[^A-Za-z0-9._-]*')",
		      col, col);
}

static size_t sc_sub_column(char *buf, size_t len, size_t off,
			    const struct tg_field *f, const struct tg_sub *def)
{
	const char *c = f->column;
	int t;

	switch (f->kind) {
	case TG_FK_NAME:
		off = tg_cat(buf, len, off, ", %s TEXT NOT NULL UNIQUE", c);
		return sc_name(buf, len, off, c);
	case TG_FK_TEXT:
	case TG_FK_SECRET:
		off = tg_cat(buf, len, off, ", %s TEXT", c);
		return sc_text(buf, len, off, c, 0, f->max);
	case TG_FK_CLASS:
		off = tg_cat(buf, len, off, ", %s TEXT REFERENCES class(name)", c);
		return sc_name(buf, len, off, c);
	case TG_FK_POP:
		off = tg_cat(buf, len, off, ", %s TEXT", c);
		return sc_name(buf, len, off, c);
	case TG_FK_BOOL:
	case TG_FK_SUBLAYER:
		return tg_cat(buf, len, off,
			      ", %s INTEGER NOT NULL DEFAULT %llu CHECK(%s IN (0, 1))",
			      c, (unsigned long long)tg_sub_field_num(def, f), c);
	case TG_FK_TYPE:
		off = tg_cat(buf, len, off, ", %s TEXT NOT NULL CHECK(%s IN (", c, c);
		for (t = TG_TUN_NONE + 1; t < TG_TUN_MAX; t++)
			off = tg_cat(buf, len, off, "%s'%s'",
				     t > TG_TUN_NONE + 1 ? ", " : "",
				     tg_tun_type_name(t));
		return tg_cat(buf, len, off, "))");
	case TG_FK_IP4:
		off = tg_cat(buf, len, off,
			     ", %s TEXT%s CHECK((length(%s) BETWEEN 7 AND 15"
			     " AND %s NOT GLOB '*[^0-9.]*')", c,
			     f->has == TG_F_NONE ? " NOT NULL" : "", c, c);
		/* A WireGuard member's endpoint may be IPv6 (version 12). */
		if (f->off == offsetof(struct tg_sub, remote))
			off = tg_cat(buf, len, off,
				     " OR (length(%s) BETWEEN 2 AND 39 AND %s GLOB '*:*'"
				     " AND %s NOT GLOB '*[^0-9a-f:]*')", c, c, c);
		return tg_cat(buf, len, off, ")");
	case TG_FK_U8:
	case TG_FK_U16:
	case TG_FK_U32:
	case TG_FK_RATE:
	case TG_FK_SIZE:
		off = tg_cat(buf, len, off, ", %s INTEGER", c);
		/* Required, but for the data plane id a sync assigns. */
		if (f->has == TG_F_NONE && !(f->flags & TG_FF_NOOPT))
			off = tg_cat(buf, len, off, " NOT NULL DEFAULT %llu",
				     (unsigned long long)tg_sub_field_num(def, f));
		if (f->flags & TG_FF_NOOPT)
			off = tg_cat(buf, len, off, " UNIQUE");
		return tg_cat(buf, len, off, " CHECK(%s BETWEEN %llu AND %llu)",
			      c, (unsigned long long)f->min,
			      (unsigned long long)f->max);
	case TG_FK_COOKIE:
		return tg_cat(buf, len, off,
			      ", %s TEXT CHECK(length(%s) IN (0, 8, 16) AND"
			      " %s NOT GLOB '*[^0-9A-Fa-f]*')", c, c, c);
	case TG_FK_MAC:
		return tg_cat(buf, len, off,
			      ", %s TEXT CHECK(length(%s) IN (0, 17) AND"
			      " %s NOT GLOB '*[^0-9A-Fa-f:]*')", c, c, c);
	case TG_FK_PREFIXES:
		break;
	}
	return off;
}

static size_t sc_class_column(char *buf, size_t len, size_t off,
			      const struct tg_class_field *f)
{
	const char *c = f->name;

	switch (f->kind) {
	case TG_CK_NAME:
		off = tg_cat(buf, len, off, "%s TEXT NOT NULL PRIMARY KEY", c);
		return sc_name(buf, len, off, c);
	case TG_CK_RATE:
		/* NULL (or 0, as older files may hold): unlimited. */
		return tg_cat(buf, len, off, ", %s INTEGER CHECK(%s BETWEEN 0 AND %llu)",
			      c, c, TG_RATE_MAX);
	case TG_CK_SIZE:
		return tg_cat(buf, len, off,
			      ", %s INTEGER NOT NULL CHECK(%s BETWEEN %d AND %llu)",
			      c, c, TG_CLASS_BURST_MIN, TG_SIZE_MAX);
	case TG_CK_SCOPE:
		return tg_cat(buf, len, off,
			      ", %s TEXT NOT NULL CHECK(%s IN ('%s', '%s'))", c, c,
			      tg_scope_name(TG_SCOPE_INTERNET),
			      tg_scope_name(TG_SCOPE_COMMUNITY));
	}
	return off;
}

/*
 * Version 8: accounting records waiting for a RADIUS server's answer
 * (radius/acct_queue.c). Kept as it is by any later rebuild.
 */
#define SC_V8_RADIUS_ACCT_QUEUE						\
	"CREATE TABLE IF NOT EXISTS radius_acct_queue ("		\
	"id INTEGER PRIMARY KEY, created INTEGER NOT NULL,"		\
	" kind INTEGER NOT NULL CHECK(kind IN (1, 2, 3)),"		\
	" attrs BLOB NOT NULL CHECK(length(attrs) <= 4096)) STRICT;"

/* A prefix as text: "192.0.2.0/24" .. a full IPv6 address and length. */
#define SC_PREFIX(col)							\
	" CHECK(instr(" col ", char(0)) = 0 AND length(" col ") BETWEEN 9 AND 43"\
	" AND " col " GLOB '*/*' AND " col " NOT GLOB '*[^0-9A-Fa-f.:/]*')"

int tg_schema_tables(char *buf, size_t len)
{
	const struct tg_class_field *cf;
	const struct tg_field *f;
	struct tg_sub def;
	size_t off = 0;

	tg_sub_init(&def);
	off = tg_cat(buf, len, off, "CREATE TABLE class (");
	for (cf = tg_class_field_table; cf < tg_class_field_table + tg_class_nfields; cf++)
		off = sc_class_column(buf, len, off, cf);
	off = tg_cat(buf, len, off, ") STRICT;");
	off = tg_cat(buf, len, off, "CREATE TABLE subscriber (id INTEGER PRIMARY KEY");
	for (f = tg_sub_field_table; f < tg_sub_field_table + tg_sub_nfields; f++)
		if (f->column)
			off = sc_sub_column(buf, len, off, f, &def);
	/* Version 7: who owns the row; RADIUS's go with their session. */
	off = tg_cat(buf, len, off,
		     ", origin TEXT NOT NULL DEFAULT 'local'"
		     " CHECK(origin IN ('local', 'radius'))) STRICT;");
	off = tg_cat(buf, len, off,
		     "CREATE TABLE prefix ("
		     "subscriber_id INTEGER NOT NULL REFERENCES subscriber(id)"
		     " ON DELETE CASCADE,"
		     " prefix TEXT NOT NULL UNIQUE" SC_PREFIX("prefix") ") STRICT;"
		     "CREATE TABLE community ("
		     "prefix TEXT NOT NULL PRIMARY KEY" SC_PREFIX("prefix")
		     ") STRICT;" TG_SESSION_TABLE SC_V8_RADIUS_ACCT_QUEUE
		     TG_WG_INVITE_TABLE);
	return off < len ? 0 : -ENOSPC;
}

/*
 * What makes a tunnel unique, as tg_sub_tun_key() has it: type, remote,
 * local and the id of the type (a keyless GRE tunnel differs from key 0).
 */
#define SC_IDENTITY							\
	"CREATE UNIQUE INDEX subscriber_identity ON subscriber(type, remote,"\
	" local, CASE type"						\
	" WHEN 'gre' THEN coalesce(gre_key, -1)"			\
	" WHEN 'gretap' THEN coalesce(gre_key, -1)"			\
	" WHEN 'eoip' THEN tunnel_id"					\
	" WHEN 'l2tpv3-ip' THEN session_id"				\
	" WHEN 'l2tpv3-udp' THEN session_id"				\
	" WHEN 'l2tpv2' THEN tunnel_id * 65536 + (session_id & 65535)"	\
	" ELSE 0 END);"

/* Subscribers taking their rates from class n (no class: 'default'). */
#define SC_CLASS_DIRTY(n)						\
	" INSERT OR IGNORE INTO dp_dirty SELECT dp_id FROM subscriber"	\
	"  WHERE dp_id IS NOT NULL AND (class = " n			\
	"  OR (" n " = 'default' AND class IS NULL));"

static const char sc_after[] =
	"CREATE UNIQUE INDEX subscriber_ppp_user ON subscriber(ppp_user);"
	"CREATE UNIQUE INDEX subscriber_wg_key ON subscriber(wg_public_key);"
	"CREATE INDEX prefix_subscriber ON prefix(subscriber_id);"
	"CREATE INDEX subscriber_tunnel ON subscriber(remote, local, type);"
	"CREATE INDEX subscriber_class ON subscriber(class);"
	TG_TRIGGER_SUB_INS
	TG_TRIGGERS_REST
	"CREATE TRIGGER class_ins AFTER INSERT ON class BEGIN"
	SC_CLASS_DIRTY("NEW.name") " END;"
	"CREATE TRIGGER class_upd AFTER UPDATE ON class BEGIN"
	SC_CLASS_DIRTY("OLD.name") SC_CLASS_DIRTY("NEW.name") " END;"
	"CREATE TRIGGER class_del AFTER DELETE ON class BEGIN"
	SC_CLASS_DIRTY("OLD.name") " END;"
	TG_SESSION_TRIGGERS;

/* Old tables renamed aside (references follow them), then copied back. */
static const char sc_aside[] =
	"DROP TABLE IF EXISTS session;"
	"DROP TABLE IF EXISTS lns_tunnel;"
	"DROP TRIGGER IF EXISTS subscriber_ins;"
	"DROP TRIGGER IF EXISTS subscriber_upd;"
	"DROP TRIGGER IF EXISTS subscriber_del;"
	"DROP TRIGGER IF EXISTS prefix_ins;"
	"DROP TRIGGER IF EXISTS prefix_upd;"
	"DROP TRIGGER IF EXISTS prefix_del;"
	"DROP TRIGGER IF EXISTS class_ins;"
	"DROP TRIGGER IF EXISTS class_upd;"
	"DROP TRIGGER IF EXISTS class_del;"
	"DROP INDEX IF EXISTS subscriber_identity;"
	"DROP INDEX IF EXISTS subscriber_ppp_user;"
	"DROP INDEX IF EXISTS subscriber_wg_key;"
	"DROP INDEX IF EXISTS prefix_subscriber;"
	"DROP INDEX IF EXISTS subscriber_tunnel;"
	"DROP INDEX IF EXISTS subscriber_class;"
	"ALTER TABLE class RENAME TO class_old;"
	"ALTER TABLE subscriber RENAME TO subscriber_old;"
	"ALTER TABLE prefix RENAME TO prefix_old;"
	"ALTER TABLE community RENAME TO community_old;";

static const char sc_drop[] =
	"DROP TABLE prefix_old;"
	"DROP TABLE subscriber_old;"
	"DROP TABLE community_old;"
	"DROP TABLE class_old;";

struct sc_copy {
	const char *table;
	const char *label;	/* how a row is named in messages */
};

static const struct sc_copy sc_copies[] = {
	{ "class", "'class ' || quote(name)" },
	{ "subscriber", "'subscriber ' || quote(name) || ' (id ' || id || ')'" },
	{ "prefix", "'prefix ' || quote(prefix) || ' of subscriber id ' ||"
		    " quote(subscriber_id)" },
	{ "community", "'community prefix ' || quote(prefix)" },
};

/* The columns of table that table old has too, comma separated. */
static int sc_columns(sqlite3 *db, const char *table, const char *old,
		      char *buf, size_t len)
{
	sqlite3_stmt *st;
	char sql[160];
	size_t off = 0;

	snprintf(sql, sizeof(sql),
		 "SELECT name FROM pragma_table_info('%s') WHERE name IN"
		 " (SELECT name FROM pragma_table_info('%s'))",
		 table, old);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	while (sqlite3_step(st) == SQLITE_ROW)
		off = tg_cat(buf, len, off, "%s%s", off ? ", " : "",
			     (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return off && off < len ? 0 : -EIO;
}

/* Why SQLite refused a row, in the terms of the schema. */
static const char *sc_why(sqlite3 *db)
{
	const char *m = sqlite3_errmsg(db);

	if (strstr(m, "subscriber_identity"))
		return "same tunnel identity (type, remote, local and id) as another subscriber";
	if (strstr(m, "wg_public_key"))
		return "same WireGuard public key as another subscriber";
	if (strstr(m, "FOREIGN KEY"))
		return "names a class or subscriber that does not exist";
	return m;
}

/* Copy the rows of t, one at a time to name those refused (at most 8). */
static int sc_copy_rows(sqlite3 *db, const struct sc_copy *t, char *err,
			size_t errlen, size_t *off, int *bad)
{
	char cols[TG_SUB_SQL_MAX], sql[TG_SUB_SQL_MAX * 2 + 256];
	sqlite3_stmt *list = NULL, *ins = NULL;
	int ret = -EIO;

	snprintf(sql, sizeof(sql), "%s_old", t->table);
	if (sc_columns(db, t->table, sql, cols, sizeof(cols)))
		return -EIO;
	snprintf(sql, sizeof(sql), "SELECT rowid, %s FROM %s_old ORDER BY rowid",
		 t->label, t->table);
	if (sqlite3_prepare_v2(db, sql, -1, &list, NULL) != SQLITE_OK)
		goto out;
	snprintf(sql, sizeof(sql),
		 "INSERT INTO %s (%s) SELECT %s FROM %s_old WHERE rowid = ?",
		 t->table, cols, cols, t->table);
	if (sqlite3_prepare_v2(db, sql, -1, &ins, NULL) != SQLITE_OK)
		goto out;
	while (sqlite3_step(list) == SQLITE_ROW) {
		sqlite3_bind_int64(ins, 1, sqlite3_column_int64(list, 0));
		if (sqlite3_step(ins) != SQLITE_DONE) {
			if (++*bad <= 8)
				*off = tg_cat(err, errlen, *off, "%s%s: %s",
					      *off ? "; " : "",
					      (const char *)sqlite3_column_text(list, 1),
					      sc_why(db));
		}
		sqlite3_reset(ins);
	}
	ret = 0;
out:
	sqlite3_finalize(list);
	sqlite3_finalize(ins);
	return ret;
}

/*
 * The sessions of dial-in members outlive a rebuild (version 5 on), as
 * they outlive a restart: kept aside in temporary tables, which go with
 * the transaction's connection.
 */
static const char sc_sessions_aside[] =
	"CREATE TEMP TABLE session_keep AS SELECT * FROM session;"
	"CREATE TEMP TABLE lns_tunnel_keep AS SELECT * FROM lns_tunnel;";
static const char sc_sessions_back[] =
	"INSERT INTO lns_tunnel SELECT * FROM temp.lns_tunnel_keep;"
	"DROP TABLE temp.session_keep;"
	"DROP TABLE temp.lns_tunnel_keep;";

/* The sessions' columns both versions have, copied back by name. */
static int sc_sessions_copy(sqlite3 *db)
{
	char cols[1024], sql[2400];

	if (sc_columns(db, "session", "session_keep", cols, sizeof(cols)))
		return -EIO;
	snprintf(sql, sizeof(sql),
		 "INSERT INTO session (%s) SELECT %s FROM temp.session_keep",
		 cols, cols);
	return tg_db_exec(db, sql) ? -EIO : 0;
}

int tg_schema_strict(sqlite3 *db, char *err, size_t errlen)
{
	char tables[8192];
	size_t off = 0, i;
	long long sessions = 0;
	int bad = 0;

	*err = '\0';
	if (tg_schema_tables(tables, sizeof(tables)))
		return -ENOSPC;
	if (tg_db_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
		      " AND name IN ('session', 'lns_tunnel')", &sessions) ||
	    (sessions == 2 && tg_db_exec(db, sc_sessions_aside)))
		goto io;
	if (tg_db_exec(db, sc_aside) || tg_db_exec(db, tables) ||
	    tg_db_exec(db, SC_IDENTITY))
		goto io;
	for (i = 0; i < sizeof(sc_copies) / sizeof(sc_copies[0]); i++)
		if (sc_copy_rows(db, &sc_copies[i], err, errlen, &off, &bad))
			goto io;
	if (bad) {
		if (bad > 8)
			tg_cat(err, errlen, off, "; and %d more", bad - 8);
		return -EINVAL;
	}
	if (sessions == 2 && (sc_sessions_copy(db) ||
			      tg_db_exec(db, sc_sessions_back)))
		goto io;
	if (tg_db_exec(db, sc_drop) || tg_db_exec(db, sc_after) ||
	    tg_db_exec(db, "PRAGMA user_version = " TG_STR(TG_DB_VERSION)))
		goto io;
	return 0;
io:
	snprintf(err, errlen, "%s", sqlite3_errmsg(db));
	return -EIO;
}
