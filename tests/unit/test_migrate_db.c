// SPDX-License-Identifier: GPL-2.0-only
/*
 * migrate suite, database: a file of the version before the strict tables
 * migrates with every row as it was, or is refused, naming the rows, and
 * left byte for byte as it was.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/conn.h"
#include "db/session.h"
#include "db/sub.h"
#include "migrate_db.h"

static char dir[64], path[128];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/tg-test-migrate-db.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/old.db", dir);
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* A file of the version before, written by rows sql (foreign keys off). */
static void make_old(const char *sql)
{
	sqlite3 *db;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(tg_db_create_version(db, 3), 0);
	ck_assert_int_eq(tg_db_version(db), 3);
	ck_assert_msg(!tg_db_exec(db, sql), "%s", sqlite3_errmsg(db));
	sqlite3_close(db);
}

static char *slurp(size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_ge(n, 0);
	rewind(f);
	buf = malloc(n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, n, f), (size_t)n);
	fclose(f);
	*len = n;
	return buf;
}

/*
 * Every row of the configuration tables, each value with its type and
 * bytes (quote()), columns by name: equal across a rebuilt table.
 */
static char *rows(sqlite3 *db)
{
	static const char *const tables[] = {
		"class", "subscriber", "prefix", "community", "setting",
		"dp_state", "dp_dirty", "dp_id_pending",
	};
	char *buf = NULL, sql[2048], cols[1536];
	size_t len = 0, off;
	FILE *out = open_memstream(&buf, &len);
	sqlite3_stmt *st;
	unsigned int i;

	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		snprintf(sql, sizeof(sql),
			 /* Columns a later version added start out empty. */
			 "SELECT name FROM pragma_table_info('%s')"
			 " WHERE name NOT IN ('ppp_user', 'ppp_password', 'keepalive', 'origin',"
			 " 'home_pop', 'wg_public_key', 'wg_listen_port')"
			 " ORDER BY name",
			 tables[i]);
		ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
		off = 0;
		while (sqlite3_step(st) == SQLITE_ROW)
			off += snprintf(cols + off, sizeof(cols) - off,
					"%s'%s=' || quote(%s)", off ? " || ',' || " : "",
					sqlite3_column_text(st, 0),
					sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
		ck_assert_uint_gt(off, 0);
		ck_assert_uint_lt(off, sizeof(cols));
		snprintf(sql, sizeof(sql), "SELECT %s FROM %s ORDER BY 1", cols,
			 tables[i]);
		ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
		fprintf(out, "%s:\n", tables[i]);
		while (sqlite3_step(st) == SQLITE_ROW)
			fprintf(out, "%s\n", sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
	}
	fclose(out);
	return buf;
}

static const char good_rows[] =
	"INSERT INTO class VALUES('gold', 10000000, 5000000, 375808, 'internet');"
	"INSERT INTO class VALUES('default', NULL, 1000000, 15360, 'community');"
	"INSERT INTO subscriber(id, name, type, remote, local, gre_key, dp_id,"
	" class, note, mtu, df, ttl, gre_csum)"
	" VALUES(3, 'alice', 'gre', '192.0.2.10', '198.51.100.1', 7, 1, 'gold',"
	" 'rack 4, \"west\" ''end''', 1400, 0, 64, 1);"
	"INSERT INTO subscriber(id, name, type, remote, local, dp_id)"
	" VALUES(4, 'bob', 'gre', '192.0.2.10', '198.51.100.1', 2);"
	"INSERT INTO subscriber(id, name, type, remote, local, session_id, cookie,"
	" peer_cookie, peer_mac, sublayer, dp_id, down_rate, up_rate, burst)"
	" VALUES(9, 'carol', 'l2tpv3-ip', '192.0.2.12', '198.51.100.1', 4000000000,"
	" '0011223344556677', 'a1b2c3d4', '02:00:5e:00:53:01', 0, 3, 20000000,"
	" 0, 65536);"
	"INSERT INTO subscriber(id, name, type, remote, local, tunnel_id,"
	" session_id, peer_tunnel_id, peer_port, local_port, ppp_acfc, enabled)"
	" VALUES(10, 'dave', 'l2tpv2', '192.0.2.13', '198.51.100.1', 5, 6, 9,"
	" 1702, 1701, 1, 0);"
	"INSERT INTO prefix VALUES(3, '100.64.0.0/28');"
	"INSERT INTO prefix VALUES(3, '2001:db8:10::/48');"
	"INSERT INTO prefix VALUES(9, '100.64.0.16/28');"
	"INSERT INTO community VALUES('10.0.0.0/8');"
	"INSERT INTO setting VALUES('next_dp_id', '4');"
	"INSERT INTO dp_state VALUES(1, 'alice', x'00ff10');"
	"DELETE FROM dp_dirty;";

START_TEST(test_db_good_rows_survive)
{
	char err[1024] = "", *before, *after;
	long long n;
	sqlite3 *db;
	int from;

	make_old(good_rows);
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	before = rows(db);
	sqlite3_close(db);

	ck_assert_int_eq(tg_db_open_flags(path, TG_DB_OLDER, &db), 0);
	ck_assert_msg(!tg_db_migrate(db, &from, err, sizeof(err)), "%s", err);
	ck_assert_int_eq(from, 3);
	ck_assert_int_eq(tg_db_version(db), TG_DB_VERSION);
	after = rows(db);
	ck_assert_str_eq(after, before);
	free(after);
	ck_assert_int_eq(tg_db_int(db, "SELECT count(*) FROM pragma_foreign_key_check", &n), 0);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(tg_db_int(db, "SELECT count(*) FROM sqlite_master WHERE"
				   " name LIKE '%_old'", &n), 0);
	ck_assert_int_eq(n, 0);
	/* Strict now, and the class triggers note its subscribers. */
	ck_assert_int_ne(tg_db_exec(db, "UPDATE subscriber SET mtu = 'x' WHERE id = 3"), 0);
	ck_assert_int_eq(tg_db_exec(db, "UPDATE class SET up_rate = 1 WHERE name = 'gold'"), 0);
	ck_assert_int_eq(tg_db_int(db, "SELECT group_concat(dp_id) FROM dp_dirty", &n), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(tg_db_exec(db, "DELETE FROM dp_dirty;"
				    "UPDATE class SET burst = 20000 WHERE name = 'default'"), 0);
	ck_assert_int_eq(tg_db_int(db, "SELECT sum(dp_id) FROM dp_dirty", &n), 0);
	ck_assert_int_eq(n, 2 + 3);	/* bob, carol: no class; dave: no dp_id */
	/* Deleting a subscriber still takes its prefixes. */
	ck_assert_int_eq(tg_db_exec(db, "DELETE FROM subscriber WHERE id = 3"), 0);
	ck_assert_int_eq(tg_db_int(db, "SELECT count(*) FROM prefix", &n), 0);
	ck_assert_int_eq(n, 1);
	tg_db_close(db);
	free(before);
}
END_TEST

/* Refused: err names every bad row, the file is as it was. */
static void refused(const char *sql, const char *const *want)
{
	char err[1024] = "", *before, *after;
	size_t blen, alen;
	sqlite3 *db;
	int from;

	make_old(sql);
	before = slurp(&blen);
	ck_assert_int_eq(tg_db_open_flags(path, TG_DB_OLDER, &db), 0);
	ck_assert_int_eq(tg_db_migrate(db, &from, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(tg_db_version(db), 3);
	tg_db_close(db);
	for (; *want; want++)
		ck_assert_msg(strstr(err, *want), "'%s' not in '%s'", *want, err);
	ck_assert_msg(strstr(err, "the file is unchanged"), "%s", err);
	after = slurp(&alen);
	ck_assert_uint_eq(alen, blen);
	ck_assert(!memcmp(after, before, blen));
	free(before);
	free(after);
	/* And so is what tungate reads of it. */
	ck_assert_int_eq(tg_db_open_flags(path, TG_DB_OLDER, &db), 0);
	ck_assert_int_eq(tg_db_version(db), 3);
	tg_db_close(db);
}

START_TEST(test_db_duplicate_identity_refused)
{
	static const char *const want[] = {
		"subscriber 'mallory' (id 5): same tunnel identity", NULL,
	};

	refused("INSERT INTO subscriber(id, name, type, remote, local, gre_key, dp_id)"
		" VALUES(4, 'alice', 'gre', '192.0.2.10', '198.51.100.1', 7, 1);"
		"INSERT INTO subscriber(id, name, type, remote, local, gre_key, dp_id)"
		" VALUES(5, 'mallory', 'gre', '192.0.2.10', '198.51.100.1', 7, 2);"
		"INSERT INTO prefix VALUES(4, '100.64.0.0/28');", want);
}
END_TEST

START_TEST(test_db_bad_values_refused)
{
	static const char *const want[] = {
		"class 'slow': CHECK constraint failed: burst BETWEEN 576",
		"subscriber 'a' (id 1): cannot store TEXT value in INTEGER column subscriber.mtu",
		"subscriber 'b' (id 2): CHECK constraint failed: gre_key BETWEEN 0",
		"subscriber 'c' (id 3): CHECK constraint failed",
		"subscriber 'd' (id 4): names a class or subscriber that does not exist",
		"community prefix 'x': CHECK constraint failed",
		NULL,
	};

	refused("INSERT INTO class VALUES('slow', NULL, NULL, 10, 'internet');"
		"INSERT INTO subscriber(id, name, type, remote, local, mtu)"
		" VALUES(1, 'a', 'ipip', '192.0.2.1', '198.51.100.1', 'big');"
		"INSERT INTO subscriber(id, name, type, remote, local, gre_key)"
		" VALUES(2, 'b', 'gre', '192.0.2.2', '198.51.100.1', -1);"
		"INSERT INTO subscriber(id, name, type, remote, local, note)"
		" VALUES(3, 'c', 'ipip', '192.0.2.3', '198.51.100.1', 'a' || char(0) || 'b');"
		"INSERT INTO subscriber(id, name, type, remote, local, class)"
		" VALUES(4, 'd', 'ipip', '192.0.2.4', '198.51.100.1', 'nope');"
		"INSERT INTO subscriber(id, name, type, remote, local)"
		" VALUES(5, 'fine', 'ipip', '192.0.2.5', '198.51.100.1');"
		"INSERT INTO community VALUES('x');", want);
}
END_TEST

/*
 * The database at path made at this version with sql (run on the current
 * schema to take it back, rows included), then migrated: open, current.
 */
static sqlite3 *migrated_from(int version, const char *sql)
{
	char err[512], back[64];
	sqlite3 *db;
	int from;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(tg_db_create_version(db, TG_DB_VERSION), 0);
	ck_assert_msg(!tg_db_exec(db, sql), "%s", sqlite3_errmsg(db));
	snprintf(back, sizeof(back), "PRAGMA user_version = %d", version);
	ck_assert_msg(!tg_db_exec(db, back), "%s", sqlite3_errmsg(db));
	sqlite3_close(db);

	ck_assert_int_eq(tg_db_open_flags(path, TG_DB_OLDER, &db), 0);
	ck_assert_msg(!tg_db_migrate(db, &from, err, sizeof(err)), "%s", err);
	ck_assert_int_eq(from, version);
	ck_assert_int_eq(tg_db_version(db), TG_DB_VERSION);
	return db;
}

/*
 * Version 5 -> 6 (the keepalive column): rows as they were, the new
 * column unset, and the dial-in sessions (with the LNS's tunnels) kept as
 * a restart keeps them.
 */
START_TEST(test_db_v5_sessions_survive)
{
	long long n;
	sqlite3 *db;

	db = migrated_from(5,
		"INSERT INTO subscriber(name, type, mtu, ppp_user) VALUES"
		" ('m1', 'l2tpv2', 1400, 'm1@exo.cat');"
		"INSERT INTO subscriber(name, type, remote, local, tunnel_id, mtu)"
		" VALUES ('e1', 'eoip', '192.0.2.10', '198.51.100.1', 7, 1400);"
		"INSERT INTO session(subscriber_id, remote, local, peer_port,"
		" local_port, tunnel_id, session_id, peer_tunnel_id,"
		" peer_session, started, state) SELECT id, '192.0.2.5',"
		" '198.51.100.1', 1701, 1701, 3, 4, 5, 6, 1000, 'up'"
		" FROM subscriber WHERE name = 'm1';"
		"INSERT INTO lns_tunnel VALUES (3, 'open');"
		"ALTER TABLE subscriber DROP COLUMN keepalive");
	ck_assert_int_eq(tg_db_int(db, "SELECT count(*) FROM session s JOIN"
				   " subscriber u ON u.id = s.subscriber_id"
				   " WHERE u.name = 'm1' AND s.tunnel_id = 3"
				   " AND s.state = 'up'", &n), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(tg_db_int(db, "SELECT count(*) FROM lns_tunnel", &n), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(tg_db_int(db, "SELECT count(*) FROM subscriber WHERE"
				   " name = 'e1' AND tunnel_id = 7 AND"
				   " keepalive IS NULL", &n), 0);
	ck_assert_int_eq(n, 1);
	tg_db_close(db);
}
END_TEST

/*
 * Version 6 to 7: subscribers get their origin ('local'), sessions the
 * columns of RADIUS accounting, empty; the sessions stay.
 */
START_TEST(test_db_v6_origin_and_acct)
{
	struct tg_session s;
	long long n;
	sqlite3 *db;

	db = migrated_from(6,
		"INSERT INTO subscriber(name, type, mtu, ppp_user) VALUES"
		" ('m1', 'l2tpv2', 1400, 'm1@exo.cat');"
		"INSERT INTO session(subscriber_id, remote, local, peer_port,"
		" local_port, tunnel_id, session_id, peer_tunnel_id,"
		" peer_session, started, state) SELECT id, '192.0.2.5',"
		" '198.51.100.1', 1701, 1701, 3, 4, 5, 6, 1000, 'up'"
		" FROM subscriber WHERE name = 'm1';"
		"ALTER TABLE subscriber DROP COLUMN origin;"
		"ALTER TABLE session DROP COLUMN acct_session_id;"
		"ALTER TABLE session DROP COLUMN radius_class;"
		"ALTER TABLE session DROP COLUMN session_timeout;"
		"ALTER TABLE session DROP COLUMN idle_timeout;"
		"ALTER TABLE session DROP COLUMN interim;"
		"ALTER TABLE session DROP COLUMN base_in_octets;"
		"ALTER TABLE session DROP COLUMN base_out_octets;"
		"ALTER TABLE session DROP COLUMN base_in_packets;"
		"ALTER TABLE session DROP COLUMN base_out_packets");
	ck_assert_int_eq(tg_db_int(db, "SELECT count(*) FROM session s JOIN"
				   " subscriber u ON u.id = s.subscriber_id"
				   " WHERE u.name = 'm1' AND u.origin = 'local'"
				   " AND s.tunnel_id = 3 AND s.state = 'up'"
				   " AND s.acct_session_id = '' AND"
				   " s.radius_class IS NULL AND"
				   " s.session_timeout = 0 AND"
				   " s.base_in_octets = 0", &n), 0);
	ck_assert_int_eq(n, 1);
	/* The counters a session starts from come back as written. */
	ck_assert_int_eq(tg_db_int(db, "SELECT subscriber_id FROM session", &n), 0);
	ck_assert_int_eq(tg_db_session_of(db, n, &s), 0);
	s.base.in_octets = 5000000000ULL;
	s.base.out_packets = 7;
	ck_assert_int_eq(tg_db_session_put(db, &s), 0);
	memset(&s.base, 0, sizeof(s.base));
	ck_assert_int_eq(tg_db_session_of(db, n, &s), 0);
	ck_assert_uint_eq(s.base.in_octets, 5000000000ULL);
	ck_assert_uint_eq(s.base.out_packets, 7);
	ck_assert_uint_eq(s.base.out_octets + s.base.in_packets, 0);
	/* Only 'local' and 'radius'. */
	ck_assert_int_ne(tg_db_exec(db, "UPDATE subscriber SET origin = 'x'"), 0);
	tg_db_close(db);
}
END_TEST

/*
 * Version 8 to 9: subscribers get their home POP, empty; a POP name is
 * checked as a name.
 */
START_TEST(test_db_v8_home_pop)
{
	struct tg_sub s;
	long long n;
	sqlite3 *db;

	db = migrated_from(8,
		"INSERT INTO subscriber(name, type, remote, local, mtu, dp_id)"
		" VALUES ('m1', 'gre', '192.0.2.5', '198.51.100.1', 1400, 1);"
		"INSERT INTO prefix SELECT id, '100.64.0.0/24' FROM subscriber;"
		"ALTER TABLE subscriber DROP COLUMN home_pop");
	ck_assert_int_eq(tg_db_sub_get(db, "m1", &s), 0);
	ck_assert_str_eq(s.home_pop, "");
	ck_assert_uint_eq(s.nprefix, 1);
	tg_sub_free(&s);
	ck_assert_int_eq(tg_db_exec(db, "UPDATE subscriber SET home_pop = 'bcn-1'"), 0);
	ck_assert_int_eq(tg_db_sub_get(db, "m1", &s), 0);
	ck_assert_str_eq(s.home_pop, "bcn-1");
	tg_sub_free(&s);
	ck_assert_int_ne(tg_db_exec(db, "UPDATE subscriber SET home_pop = 'a b'"), 0);
	ck_assert_int_ne(tg_db_exec(db, "UPDATE subscriber SET home_pop = ''"), 0);
	ck_assert_int_eq(tg_db_int(db, "SELECT count(*) FROM subscriber WHERE"
				   " home_pop = 'bcn-1'", &n), 0);
	ck_assert_int_eq(n, 1);
	tg_db_close(db);
}
END_TEST

/*
 * Version 9 to 10: subscribers keep their rows and get the WireGuard
 * columns, empty; a key is unique.
 */
START_TEST(test_db_v9_wireguard)
{
	struct tg_sub s;
	sqlite3 *db;

	db = migrated_from(9,
		"INSERT INTO subscriber(name, type, remote, local, mtu, dp_id)"
		" VALUES ('m1', 'gre', '192.0.2.5', '198.51.100.1', 1400, 1);"
		"DROP INDEX subscriber_wg_key;"
		"ALTER TABLE subscriber DROP COLUMN wg_public_key;"
		"ALTER TABLE subscriber DROP COLUMN wg_listen_port");
	ck_assert_int_eq(tg_db_sub_get(db, "m1", &s), 0);
	ck_assert_str_eq(s.wg_key, "");
	ck_assert(!s.has_listen_port);
	tg_sub_free(&s);
	ck_assert_int_eq(tg_db_exec(db,
		"INSERT INTO subscriber(name, type, mtu, dp_id, wg_public_key,"
		" wg_listen_port) VALUES ('w1', 'wireguard', 1400, 2,"
		" 'xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=', 51900)"), 0);
	ck_assert_int_eq(tg_db_sub_get(db, "w1", &s), 0);
	ck_assert_int_eq(s.type, TG_TUN_WIREGUARD);
	ck_assert_uint_eq(s.listen_port, 51900);
	tg_sub_free(&s);
	ck_assert_int_ne(tg_db_exec(db,
		"INSERT INTO subscriber(name, type, mtu, dp_id, wg_public_key)"
		" VALUES ('w2', 'wireguard', 1400, 3,"
		" 'xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=')"), 0);
	ck_assert_int_ne(tg_db_exec(db,
		"UPDATE subscriber SET wg_listen_port = 0 WHERE name = 'w1'"), 0);
	tg_db_close(db);
}
END_TEST

/*
 * Version 10 to 11: the invitations of WireGuard members, a table of
 * their own; the subscribers keep their rows.
 */
START_TEST(test_db_v10_wg_invite)
{
	char err[512];
	struct tg_sub s;
	sqlite3 *db;
	long long n;
	int from;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(tg_db_create_version(db, TG_DB_VERSION), 0);
	ck_assert_msg(!tg_db_exec(db,
		"INSERT INTO subscriber(name, type, mtu, dp_id, wg_public_key)"
		" VALUES ('w1', 'wireguard', 1400, 1,"
		" 'xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=');"
		"DROP TABLE wg_invite;"
		"PRAGMA user_version = 10;"), "%s", sqlite3_errmsg(db));
	sqlite3_close(db);

	ck_assert_int_eq(tg_db_open_flags(path, TG_DB_OLDER, &db), 0);
	ck_assert_msg(!tg_db_migrate(db, &from, err, sizeof(err)), "%s", err);
	ck_assert_int_eq(from, 10);
	ck_assert_int_eq(tg_db_version(db), TG_DB_VERSION);
	ck_assert_int_eq(tg_db_sub_get(db, "w1", &s), 0);
	ck_assert_str_eq(s.wg_key, "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=");
	tg_sub_free(&s);
	ck_assert_int_eq(tg_db_int(db, "SELECT count(*) FROM wg_invite", &n), 0);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(tg_db_exec(db,
		"INSERT INTO wg_invite(name, token_hash, class, prefixes,"
		" created, expires) VALUES ('w2', '"
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',"
		" 'default', '100.64.8.0/32', 1, 2)"), 0);
	/* Its checks: a hash of 64 hex digits, an expiry after creation. */
	ck_assert_int_ne(tg_db_exec(db,
		"INSERT INTO wg_invite(name, token_hash, class, prefixes,"
		" created, expires) VALUES ('w3', 'secret', 'default',"
		" '100.64.8.1/32', 1, 2)"), 0);
	ck_assert_int_ne(tg_db_exec(db,
		"INSERT INTO wg_invite(name, token_hash, class, prefixes,"
		" created, expires) VALUES ('w3', '"
		"1123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',"
		" 'default', '100.64.8.1/32', 2, 2)"), 0);
	tg_db_close(db);
	/* A rebuild of a later version keeps the invitations. */
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(tg_db_exec(db, "PRAGMA user_version = 10"), 0);
	sqlite3_close(db);
	ck_assert_int_eq(tg_db_open_flags(path, TG_DB_OLDER, &db), 0);
	ck_assert_msg(!tg_db_migrate(db, &from, err, sizeof(err)), "%s", err);
	ck_assert_int_eq(tg_db_int(db, "SELECT count(*) FROM wg_invite", &n), 0);
	ck_assert_int_eq(n, 1);
	tg_db_close(db);
}
END_TEST

/*
 * Version 11 to 12: a wireguard member's remote may be an IPv6 address;
 * other text stays refused.
 */
START_TEST(test_db_v11_endpoint6)
{
	struct tg_sub s;
	sqlite3 *db;

	db = migrated_from(11,
		"INSERT INTO subscriber(name, type, remote, mtu, dp_id,"
		" wg_public_key, peer_port) VALUES ('w1', 'wireguard',"
		" '192.0.2.5', 1400, 1,"
		" 'xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=', 51820)");
	ck_assert_int_eq(tg_db_sub_get(db, "w1", &s), 0);
	ck_assert(!s.has_remote6 && s.remote && s.peer_port == 51820);
	tg_sub_free(&s);
	ck_assert_int_eq(tg_db_exec(db,
		"UPDATE subscriber SET remote = '2001:db8::5' WHERE name = 'w1'"), 0);
	ck_assert_int_eq(tg_db_sub_get(db, "w1", &s), 0);
	ck_assert(s.has_remote6 && !s.remote && s.remote6[15] == 5);
	tg_sub_free(&s);
	ck_assert_int_ne(tg_db_exec(db,
		"UPDATE subscriber SET remote = 'example.org' WHERE name = 'w1'"), 0);
	ck_assert_int_ne(tg_db_exec(db,
		"UPDATE subscriber SET remote = '1234' WHERE name = 'w1'"), 0);
	tg_db_close(db);
}
END_TEST

TCase *migrate_db_tcase(void)
{
	TCase *tc = tcase_create("database");

	tcase_add_checked_fixture(tc, setup, teardown);
	/* Files with fsync, under the sanitizers too. */
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_db_good_rows_survive);
	tcase_add_test(tc, test_db_duplicate_identity_refused);
	tcase_add_test(tc, test_db_bad_values_refused);
	tcase_add_test(tc, test_db_v5_sessions_survive);
	tcase_add_test(tc, test_db_v6_origin_and_acct);
	tcase_add_test(tc, test_db_v8_home_pop);
	tcase_add_test(tc, test_db_v9_wireguard);
	tcase_add_test(tc, test_db_v10_wg_invite);
	tcase_add_test(tc, test_db_v11_endpoint6);
	return tc;
}
