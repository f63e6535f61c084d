// SPDX-License-Identifier: GPL-2.0-only
/* db suite: schema, subscriber validation, dp_id allocation, settings. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/cli.h"
#include "db/anycast.h"
#include "db/db.h"
#include "db/pop_timing.h"
#include "db_util.h"

static char tmpdir[64];
static char dbpath[128];

static void setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/tg-test-db.XXXXXX");
	ck_assert(mkdtemp(tmpdir));
	snprintf(dbpath, sizeof(dbpath), "%s/tungate.db", tmpdir);
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

static sqlite3 *db_new(void)
{
	sqlite3 *db;

	ck_assert_int_eq(tg_db_open(dbpath, true, &db), 0);
	return db;
}

static void sub_fill(struct tg_sub *s, const char *name, const char *type,
		     const char *remote, const char *pfx)
{
	char err[64];

	tg_sub_init(s);
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->type = tg_tun_type_parse(type);
	ck_assert(!tg_ip4_parse(remote, &s->remote));
	ck_assert(!tg_ip4_parse("198.51.100.1", &s->local));
	if (pfx) {
		s->prefix = calloc(4, sizeof(*s->prefix));
		ck_assert(!tg_prefix_parse(pfx, &s->prefix[0], err, sizeof(err)));
		s->nprefix = 1;
	}
}

static __u32 add_ok(sqlite3 *db, struct tg_sub *s)
{
	char err[256] = "";
	int ret = tg_db_sub_add(db, s, err, sizeof(err));

	ck_assert_msg(!ret, "add '%s': %d %s", s->name, ret, err);
	return s->dp_id;
}

static void add_refused(sqlite3 *db, struct tg_sub *s, int want,
			const char *why)
{
	char *before = tg_test_db_snapshot(db), *after;
	char err[256] = "";
	int ret;

	ret = tg_db_sub_add(db, s, err, sizeof(err));
	ck_assert_msg(ret == want, "add '%s': %d, expected %d (%s)", s->name,
		      ret, want, err);
	ck_assert_msg(strstr(err, why), "add '%s': cause '%s', expected '%s'",
		      s->name, err, why);
	after = tg_test_db_snapshot(db);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
}

START_TEST(test_open_missing)
{
	sqlite3 *db = NULL;

	ck_assert_int_eq(tg_db_open(dbpath, false, &db), -ENOENT);
	ck_assert_ptr_null(db);
	ck_assert_int_ne(access(dbpath, F_OK), 0);
}
END_TEST

/* A database in a directory that does not exist: refused, nothing made. */
START_TEST(test_init_missing_dir)
{
	char path[192], dir[160];
	sqlite3 *db;

	snprintf(dir, sizeof(dir), "%s/sub", tmpdir);
	snprintf(path, sizeof(path), "%s/dir/tungate.db", dir);
	ck_assert_int_eq(tg_db_open(path, true, &db), -ENOENT);
	ck_assert_ptr_null(db);
	ck_assert_int_ne(access(dir, F_OK), 0);
}
END_TEST

START_TEST(test_init_version)
{
	sqlite3 *db = db_new();
	sqlite3_stmt *st;

	ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st,
					    NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_int(st, 0), TG_DB_VERSION);
	sqlite3_finalize(st);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st,
					    NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA foreign_keys", -1, &st,
					    NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_int(st, 0), 1);
	sqlite3_finalize(st);
	tg_db_close(db);

	/* Idempotent, and opens without create afterwards. */
	db = db_new();
	tg_db_close(db);
	ck_assert_int_eq(tg_db_open(dbpath, false, &db), 0);
	tg_db_close(db);
}
END_TEST

START_TEST(test_newer_version)
{
	sqlite3 *db = db_new();

	char sql[64];

	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
		 TG_DB_VERSION + 1);
	ck_assert_int_eq(tg_db_exec(db, sql), 0);
	tg_db_close(db);
	ck_assert_int_eq(tg_db_open(dbpath, false, &db), -EPROTONOSUPPORT);
	ck_assert_int_eq(tg_db_open(dbpath, true, &db), -EPROTONOSUPPORT);
}
END_TEST

START_TEST(test_foreign_database)
{
	char path[160];
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/other.db", tmpdir);
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(tg_db_exec(db, "CREATE TABLE t(x)"), 0);
	sqlite3_close(db);
	ck_assert_int_eq(tg_db_open(path, true, &db), -EPROTO);
}
END_TEST

/* Quiet: nothing reported, the cause kept for the caller to log. */
START_TEST(test_open_quiet)
{
	char path[160];
	sqlite3 *db = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "%s/garbage.db", tmpdir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("this is not an SQLite database, not even its header........."
	      "................................................................",
	      f);
	fclose(f);
	tg_db_set_quiet(true);
	ck_assert_int_lt(tg_db_open(path, false, &db), 0);
	ck_assert_ptr_null(db);
	ck_assert_msg(strstr(tg_db_last_error(), "not a database"), "%s",
		      tg_db_last_error());
	ck_assert_int_eq(tg_db_open(dbpath, false, &db), -ENOENT);
	ck_assert_msg(strstr(tg_db_last_error(), "does not exist"), "%s",
		      tg_db_last_error());
	tg_db_set_quiet(false);
}
END_TEST

/*
 * Rows written behind the CLI's back: the first problem, naming the
 * subscriber and the cause; overlapping prefixes of enabled subscribers.
 */
START_TEST(test_check_rows)
{
	sqlite3 *db = db_new();
	char msg[256], err[256];
	struct tg_prefix p;
	struct tg_sub s;

	tg_sub_init(&s);
	snprintf(s.name, sizeof(s.name), "alice");
	s.type = TG_TUN_IPIP;
	s.remote = htonl(0xc000020a);
	s.local = htonl(0xc0000201);
	ck_assert(!tg_prefix_parse("100.64.1.0/24", &p, err, sizeof(err)));
	s.prefix = &p;
	s.nprefix = 1;
	ck_assert_msg(!tg_db_sub_add(db, &s, err, sizeof(err)), "%s", err);
	snprintf(s.name, sizeof(s.name), "bob");
	s.remote = htonl(0xc000020b);
	ck_assert(!tg_prefix_parse("100.64.2.0/24", &p, err, sizeof(err)));
	ck_assert_msg(!tg_db_sub_add(db, &s, err, sizeof(err)), "%s", err);

	ck_assert_int_eq(tg_db_check_subs(db, 16, msg, sizeof(msg)), 0);
	ck_assert_int_eq(tg_db_prefix_overlap(db, msg, sizeof(msg)), 0);

	ck_assert_int_eq(tg_test_db_plant(db, "UPDATE subscriber SET local = 'x' WHERE name = 'bob'"), 1);
	ck_assert_int_eq(tg_db_check_subs(db, 16, msg, sizeof(msg)), 1);
	ck_assert_msg(!strncmp(msg, "subscriber 'bob': --local 'x'", 29), "%s", msg);
	ck_assert_int_eq(tg_test_db_plant(db, "UPDATE subscriber SET local = '192.0.2.1', mtu = 9999 WHERE name = 'bob'"), 1);
	ck_assert_int_eq(tg_db_check_subs(db, 16, msg, sizeof(msg)), 1);
	ck_assert_msg(strstr(msg, "subscriber 'bob'") && strstr(msg, "mtu"), "%s", msg);
	ck_assert_int_eq(tg_db_exec(db, "UPDATE subscriber SET mtu = 1400 WHERE name = 'bob'"), 0);

	ck_assert_int_eq(tg_db_exec(db, "INSERT INTO prefix VALUES((SELECT id FROM subscriber WHERE name = 'bob'), '100.64.1.64/26')"), 0);
	ck_assert_int_eq(tg_db_prefix_overlap(db, msg, sizeof(msg)), 1);
	ck_assert_str_eq(msg, "subscriber 'bob': prefix '100.64.1.64/26': overlaps '100.64.1.0/24' of subscriber 'alice'");
	/* A disabled subscriber's prefixes are not in the data plane. */
	ck_assert_int_eq(tg_db_exec(db, "UPDATE subscriber SET enabled = 0 WHERE name = 'alice'"), 0);
	ck_assert_int_eq(tg_db_prefix_overlap(db, msg, sizeof(msg)), 0);
	ck_assert_int_eq(tg_db_exec(db, "UPDATE prefix SET prefix = '100.64.9.9/24' WHERE prefix = '100.64.1.64/26'"), 0);
	ck_assert_int_eq(tg_db_prefix_overlap(db, msg, sizeof(msg)), 1);
	ck_assert_msg(strstr(msg, "subscriber 'bob': prefix '100.64.9.9/24'"), "%s", msg);
	tg_db_close(db);
}
END_TEST

START_TEST(test_db_path)
{
	tg_opts.db_path = NULL;
	unsetenv(TG_DB_ENV);
	ck_assert_str_eq(tg_db_path(), TG_DB_PATH_DEFAULT);
	setenv(TG_DB_ENV, "/tmp/env.db", 1);
	ck_assert_str_eq(tg_db_path(), "/tmp/env.db");
	tg_opts.db_path = "/tmp/opt.db";
	ck_assert_str_eq(tg_db_path(), "/tmp/opt.db");
	tg_opts.db_path = NULL;
	unsetenv(TG_DB_ENV);
}
END_TEST

START_TEST(test_add_get)
{
	sqlite3 *db = db_new();
	struct tg_sub s, g;
	char buf[64];

	sub_fill(&s, "alice", "l2tpv3-udp", "192.0.2.10", "100.64.0.0/28");
	ck_assert(!tg_prefix_parse("2001:db8:10::/48", &s.prefix[1], buf,
				   sizeof(buf)));
	s.nprefix = 2;
	s.has_session = true;
	s.session = 77;
	s.cookie_len = 4;
	memcpy(s.cookie, "\xde\xad\xbe\xef", 4);
	s.sublayer = false;
	s.mtu = 1280;
	snprintf(s.note, sizeof(s.note), "rack 3");
	ck_assert_uint_eq(add_ok(db, &s), 1);

	ck_assert_int_eq(tg_db_sub_get(db, "alice", &g), 0);
	ck_assert_str_eq(g.name, "alice");
	ck_assert_int_eq(g.type, TG_TUN_L2TPV3_UDP);
	ck_assert_uint_eq(g.remote, s.remote);
	ck_assert_uint_eq(g.local, s.local);
	ck_assert(g.has_session && g.session == 77);
	ck_assert(!g.has_key && !g.has_tunnel_id);
	ck_assert_int_eq(g.cookie_len, 4);
	ck_assert(!memcmp(g.cookie, "\xde\xad\xbe\xef", 4));
	ck_assert(!g.sublayer);
	ck_assert(g.enabled);
	ck_assert_uint_eq(g.mtu, 1280);
	ck_assert_uint_eq(g.dp_id, 1);
	ck_assert_str_eq(g.note, "rack 3");
	ck_assert_uint_eq(g.nprefix, 2);
	tg_prefix_format(&g.prefix[1], buf, sizeof(buf));
	ck_assert_str_eq(buf, "2001:db8:10::/48");
	ck_assert_int_eq(tg_db_sub_name(db, 1, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "alice");
	ck_assert_int_eq(tg_db_sub_name(db, 2, buf, sizeof(buf)), -ENOENT);
	ck_assert_int_eq(tg_db_sub_get(db, "bob", &g), -ENOENT);
	tg_sub_free(&g);
	tg_sub_free(&s);
	tg_db_close(db);
}
END_TEST

START_TEST(test_add_validation)
{
	sqlite3 *db = db_new();
	struct tg_sub s;
	char err[64];

	sub_fill(&s, "alice", "gre", "192.0.2.10", "100.64.0.0/28");
	s.has_key = true;
	s.key = 5;
	add_ok(db, &s);
	tg_sub_free(&s);

#define REFUSE(setup_code, want, why)                                       \
	do {                                                                \
		sub_fill(&s, "bob", "gre", "192.0.2.11", "100.64.1.0/28");   \
		setup_code;                                                 \
		add_refused(db, &s, want, why);                             \
		tg_sub_free(&s);                                            \
	} while (0)

	REFUSE(strcpy(s.name, ""), -EINVAL, "name ''");
	REFUSE(strcpy(s.name, "-x"), -EINVAL, "name '-x'");
	REFUSE(strcpy(s.name, "a b"), -EINVAL, "name 'a b'");
	REFUSE(strcpy(s.name, "alice"), -EEXIST, "name 'alice': already exists");
	REFUSE(s.type = TG_TUN_NONE, -EINVAL, "--type");
	REFUSE(s.remote = 0, -EINVAL, "--remote is required");
	REFUSE(s.local = htonl(0xe0000001), -EINVAL, "--local '224.0.0.1'");
	REFUSE(s.remote = htonl(0xffffffff), -EINVAL, "--remote");
	REFUSE(s.has_session = true, -EINVAL, "--session is not valid for type gre");
	REFUSE(s.has_tunnel_id = true, -EINVAL, "--tunnel-id is not valid");
	REFUSE(s.cookie_len = 4, -EINVAL, "--cookie is not valid for type gre");
	REFUSE(s.mtu = 575, -EINVAL, "--mtu '575'");
	REFUSE(s.mtu = 9001, -EINVAL, "--mtu '9001'");
	REFUSE((s.mtu = 1279, tg_prefix_parse("2001:db8::/32", &s.prefix[1],
						err, sizeof(err)),
		s.nprefix = 2),
	       -EINVAL, "--mtu '1279': out of range 1280..9000");
	REFUSE((tg_prefix_parse("100.64.1.8/29", &s.prefix[1], err,
				sizeof(err)), s.nprefix = 2),
	       -EINVAL, "--prefix '100.64.1.8/29': overlaps '100.64.1.0/28'");
	REFUSE(tg_prefix_parse("100.64.0.0/24", &s.prefix[0], err, sizeof(err)),
	       -EEXIST, "overlaps '100.64.0.0/28' of subscriber 'alice'");
	REFUSE(tg_prefix_parse("100.64.0.4/30", &s.prefix[0], err, sizeof(err)),
	       -EEXIST, "of subscriber 'alice'");
	REFUSE(tg_prefix_parse("0.0.0.0/0", &s.prefix[0], err, sizeof(err)),
	       -EINVAL, "covers every address");
	/* Same type, endpoints and key as alice. */
	REFUSE((s.remote = htonl(0xc000020a), s.has_key = true, s.key = 5),
	       -EEXIST, "subscriber 'alice' has the same type");
	REFUSE((s.type = TG_TUN_IPIP,
		tg_prefix_parse("2001:db8::/32", &s.prefix[0], err, sizeof(err))),
	       -EINVAL, "type ipip carries only IPv4");
	REFUSE(s.type = TG_TUN_SIT, -EINVAL, "type sit carries only IPv6");
	REFUSE((s.type = TG_TUN_IPIP, s.has_key = true), -EINVAL,
	       "--key is not valid for type ipip");
	REFUSE(s.type = TG_TUN_EOIP, -EINVAL,
	       "--tunnel-id is required for type eoip");
	REFUSE((s.type = TG_TUN_EOIP, s.has_tunnel_id = true,
		s.tunnel_id = 65536),
	       -EINVAL, "--tunnel-id '65536'");
	REFUSE(s.type = TG_TUN_L2TPV3_IP, -EINVAL,
	       "--session is required for type l2tpv3-ip");
	REFUSE((s.type = TG_TUN_L2TPV3_IP, s.has_session = true, s.session = 0),
	       -EINVAL, "--session '0'");
	REFUSE((s.type = TG_TUN_L2TPV3_IP, s.has_session = true, s.session = 1,
		s.cookie_len = 2),
	       -EINVAL, "--cookie must be 4 or 8 bytes");
	REFUSE((s.type = TG_TUN_L2TPV2, s.has_session = true, s.session = 1),
	       -EINVAL, "--tunnel-id is required for type l2tpv2");
	REFUSE((s.type = TG_TUN_L2TPV2, s.has_session = true, s.session = 1,
		s.has_tunnel_id = true, s.tunnel_id = 0),
	       -EINVAL, "--tunnel-id '0': out of range 1..65535");
	REFUSE((s.type = TG_TUN_L2TPV2, s.has_session = true, s.session = 65536,
		s.has_tunnel_id = true, s.tunnel_id = 1),
	       -EINVAL, "--session '65536': out of range 1..65535");
#undef REFUSE
	tg_db_close(db);
}
END_TEST

START_TEST(test_del_list)
{
	sqlite3 *db = db_new();
	struct tg_sub s, *v;
	long long n_pfx;
	sqlite3_stmt *st;
	size_t n;

	sub_fill(&s, "carol", "ipip", "192.0.2.12", "100.64.2.0/28");
	add_ok(db, &s);
	tg_sub_free(&s);
	sub_fill(&s, "alice", "ipip", "192.0.2.10", "100.64.0.0/28");
	add_ok(db, &s);
	tg_sub_free(&s);
	sub_fill(&s, "bob", "ipip", "192.0.2.11", "100.64.1.0/28");
	s.enabled = false;
	add_ok(db, &s);
	tg_sub_free(&s);

	ck_assert_int_eq(tg_db_sub_list(db, false, &v, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(v[0].name, "alice");
	ck_assert_str_eq(v[1].name, "bob");
	ck_assert(!v[1].enabled);
	ck_assert_str_eq(v[2].name, "carol");
	ck_assert_uint_eq(v[2].nprefix, 1);
	tg_sub_list_free(v, n);
	ck_assert_int_eq(tg_db_sub_list(db, true, &v, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(v[1].name, "carol");
	tg_sub_list_free(v, n);

	ck_assert_int_eq(tg_db_sub_del(db, "alice"), 0);
	ck_assert_int_eq(tg_db_sub_del(db, "alice"), -ENOENT);
	ck_assert_int_eq(tg_db_sub_del(db, "nobody"), -ENOENT);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM prefix",
					    -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	n_pfx = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	ck_assert_int_eq(n_pfx, 2);

	/* Its prefix is free again. */
	sub_fill(&s, "dave", "ipip", "192.0.2.13", "100.64.0.0/28");
	add_ok(db, &s);
	tg_sub_free(&s);
	tg_db_close(db);
}
END_TEST

START_TEST(test_dp_id)
{
	sqlite3 *db = db_new();
	struct tg_sub s;
	char name[16];
	__u32 id;
	int i;

	for (i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "s%d", i);
		sub_fill(&s, name, "gre", "192.0.2.10", NULL);
		s.has_key = true;
		s.key = i;
		ck_assert_uint_eq(add_ok(db, &s), i + 1);
		tg_sub_free(&s);
	}
	/* Not reused right away: the counter moves on. */
	ck_assert_int_eq(tg_db_sub_del(db, "s1"), 0);
	sub_fill(&s, "s3", "gre", "192.0.2.10", NULL);
	ck_assert_uint_eq(add_ok(db, &s), 4);
	tg_sub_free(&s);

	/*
	 * Wrap below the capacity, skipping ids in use (1, 3, 4) and the id
	 * of s1 that no sync removed from the maps yet (2), never 0.
	 */
	ck_assert_int_eq(tg_db_dp_id_alloc(db, 6, &id), 0);
	ck_assert_uint_eq(id, 5);
	ck_assert_int_eq(tg_db_dp_id_alloc(db, 6, &id), 0);
	ck_assert_uint_eq(id, 5);
	ck_assert_int_eq(tg_db_exec(db, "DELETE FROM dp_id_pending"), 0);
	ck_assert_int_eq(tg_db_dp_id_alloc(db, 6, &id), 0);
	ck_assert_uint_eq(id, 2);
	ck_assert_int_eq(tg_db_exec(db, "UPDATE subscriber SET dp_id = 5 WHERE name = 's3'"), 0);
	ck_assert_int_eq(tg_db_exec(db, "INSERT INTO subscriber(name, type, remote, local, dp_id) VALUES('x', 'ipip', '192.0.2.1', '192.0.2.2', 2)"), 0);
	ck_assert_int_eq(tg_db_exec(db, "INSERT INTO subscriber(name, type, remote, local, dp_id) VALUES('y', 'ipip', '192.0.2.1', '192.0.2.3', 4)"), 0);
	ck_assert_int_eq(tg_db_dp_id_alloc(db, 6, &id), -ENOSPC);
	ck_assert_int_eq(tg_db_sub_del(db, "x"), 0);
	ck_assert_int_eq(tg_db_dp_id_alloc(db, 6, &id), -ENOSPC);
	ck_assert_int_eq(tg_db_exec(db, "DELETE FROM dp_id_pending WHERE dp_id = 2"), 0);
	ck_assert_int_eq(tg_db_dp_id_alloc(db, 6, &id), 0);
	ck_assert_uint_eq(id, 2);
	tg_db_close(db);
}
END_TEST

START_TEST(test_settings)
{
	sqlite3 *db = db_new();
	struct tg_settings st;
	char buf[32];

	ck_assert_int_eq(tg_db_setting_get(db, "unknown_tunnel", buf,
					   sizeof(buf)), -ENOENT);
	ck_assert_int_eq(tg_db_settings_load(db, &st), 0);
	ck_assert(!st.drop_unknown);
	ck_assert_uint_eq(st.l2tpv3_udp_port, 1701);
	ck_assert_uint_eq(st.l2tpv2_udp_port, 1701);

	ck_assert_int_eq(tg_db_setting_set(db, "unknown_tunnel", "drop"), 0);
	ck_assert_int_eq(tg_db_setting_set(db, "l2tpv3_udp_port", "0"), 0);
	ck_assert_int_eq(tg_db_setting_set(db, "l2tpv2_udp_port", "1702"), 0);
	ck_assert_int_eq(tg_db_setting_set(db, "l2tpv2_udp_port", "1703"), 0);
	ck_assert_int_eq(tg_db_setting_get(db, "l2tpv2_udp_port", buf,
					   sizeof(buf)), 0);
	ck_assert_str_eq(buf, "1703");
	ck_assert_int_eq(tg_db_settings_load(db, &st), 0);
	ck_assert(st.drop_unknown);
	ck_assert_uint_eq(st.l2tpv3_udp_port, 0);
	ck_assert_uint_eq(st.l2tpv2_udp_port, 1703);

	ck_assert_int_eq(tg_db_setting_set(db, "unknown_tunnel", "maybe"), 0);
	ck_assert_int_eq(tg_db_settings_load(db, &st), -EINVAL);
	ck_assert_int_eq(tg_db_setting_set(db, "unknown_tunnel", "pass"), 0);
	ck_assert_int_eq(tg_db_setting_set(db, "l2tpv3_udp_port", "65536"), 0);
	ck_assert_int_eq(tg_db_settings_load(db, &st), -EINVAL);
	tg_db_close(db);
}
END_TEST

START_TEST(test_tun_key)
{
	struct tg_tun_key k;
	struct tg_tunnel t;
	struct tg_sub s;

	sub_fill(&s, "a", "l2tpv2", "192.0.2.10", NULL);
	s.has_tunnel_id = s.has_session = true;
	s.tunnel_id = 0x1234;
	s.session = 0x5678;
	s.dp_id = 9;
	tg_sub_tun_key(&s, &k);
	ck_assert_uint_eq(k.id, 0x12345678);
	ck_assert_uint_eq(k.type, TG_TUN_L2TPV2);
	ck_assert_uint_eq(k.flags, 0);
	ck_assert_uint_eq(k.remote, s.remote);
	tg_sub_tunnel(&s, &t);
	ck_assert_uint_eq(t.c[0].claim, TG_CLAIM(9, 0));
	ck_assert_uint_eq(t.c[0].flags, TG_TUN_F_MSS_CLAMP);
	ck_assert_uint_eq(t.c[1].claim, 0);
	s.mss_clamp = false;
	tg_sub_tunnel(&s, &t);
	ck_assert_uint_eq(t.c[0].flags, 0);

	s.type = TG_TUN_GRETAP;
	s.has_key = true;
	s.key = 0;
	tg_sub_tun_key(&s, &k);
	ck_assert_uint_eq(k.flags, TG_KEY_F_KEYED);
	ck_assert_uint_eq(k.id, 0);

	s.type = TG_TUN_L2TPV3_IP;
	s.cookie_len = 8;
	memcpy(s.cookie, "12345678", 8);
	tg_sub_tunnel(&s, &t);
	ck_assert_uint_eq(t.c[0].flags, TG_TUN_F_L2SPEC);
	ck_assert_uint_eq(t.c[0].cookie_len, 8);
	s.mss_clamp = true;
	ck_assert(!memcmp(t.c[0].cookie, "12345678", 8));
	ck_assert_str_eq(tg_tun_type_name(TG_TUN_L2TPV3_IP), "l2tpv3-ip");
	ck_assert_int_eq(tg_tun_type_parse("eoip"), TG_TUN_EOIP);
	ck_assert_int_eq(tg_tun_type_parse("GRE"), TG_TUN_NONE);
}
END_TEST

/* The anycast setting: canonical text, each refusal with its cause. */
START_TEST(test_anycast)
{
	static const struct { const char *in, *want; } bad[] = {
		{ "192.0.2.1/24", "host bits set" },
		{ "192.0.2.1,192.0.2.1/32", "given twice" },
		{ "2001:db8::/32,2001:db8:1::/48", "overlaps 2001:db8::/32" },
		{ "192.0.2.1,", "empty prefix" },
		{ "none,192.0.2.1", "not an IPv4 or IPv6" },
		{ "127.0.0.1", "reserved" },
		{ "1.1.1.1,1.1.1.2,1.1.1.3,1.1.1.4,1.1.1.5,1.1.1.6,1.1.1.7,"
		  "1.1.1.8,1.1.1.9", "more than 8" },
	};
	char err[128], buf[TG_ANYCAST_STRLEN + 1];
	struct tg_anycast a;
	unsigned int i;

	ck_assert_int_eq(tg_anycast_parse("none", &a, err, sizeof(err)), 0);
	ck_assert_uint_eq(a.n, 0);
	tg_anycast_format(&a, buf, sizeof(buf));
	ck_assert_str_eq(buf, "none");
	ck_assert_int_eq(tg_anycast_parse("192.0.2.1,2001:DB8::1/128,198.51.100.0/31",
					  &a, err, sizeof(err)), 0);
	ck_assert_uint_eq(a.n, 3);
	tg_anycast_format(&a, buf, sizeof(buf));
	ck_assert_str_eq(buf, "192.0.2.1/32,2001:db8::1/128,198.51.100.0/31");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(tg_anycast_parse(bad[i].in, &a, err, sizeof(err)),
				 -EINVAL);
		ck_assert_msg(strstr(err, bad[i].want), "%s: %s", bad[i].in, err);
	}
}
END_TEST

/*
 * Anycast prefixes against subscribers' prefixes, either way or equal,
 * disabled subscribers too unless asked for enabled ones only.
 */
START_TEST(test_anycast_clash)
{
	static const struct { const char *any, *want; } clash[] = {
		{ "100.64.1.0/24", "'100.64.1.0/24': overlaps '100.64.1.0/24' of subscriber 'a'" },
		{ "100.64.1.7", "'100.64.1.7/32': overlaps '100.64.1.0/24' of subscriber 'a'" },
		{ "192.0.2.1,100.64.0.0/16", "'100.64.0.0/16': overlaps '100.64.1.0/24' of subscriber 'a'" },
	};
	sqlite3 *db = db_new();
	struct tg_prefix p;
	struct tg_anycast a;
	struct tg_sub s, d;
	char err[256];
	unsigned int i;

	sub_fill(&s, "a", "ipip", "192.0.2.10", "100.64.1.0/24");
	add_ok(db, &s);
	sub_fill(&d, "off", "ipip", "192.0.2.11", "100.64.9.0/24");
	d.enabled = false;
	add_ok(db, &d);
	for (i = 0; i < sizeof(clash) / sizeof(clash[0]); i++) {
		ck_assert_int_eq(tg_anycast_parse(clash[i].any, &a, err, sizeof(err)), 0);
		ck_assert_int_eq(tg_anycast_clash(db, &a, false, err, sizeof(err)), 1);
		ck_assert_str_eq(err, clash[i].want);
	}
	ck_assert_int_eq(tg_anycast_parse("100.64.9.1,100.64.2.0/24", &a, err, sizeof(err)), 0);
	ck_assert_int_eq(tg_anycast_clash(db, &a, false, err, sizeof(err)), 1);
	ck_assert_str_eq(err, "'100.64.9.1/32': overlaps '100.64.9.0/24' of subscriber 'off'");
	ck_assert_int_eq(tg_anycast_clash(db, &a, true, err, sizeof(err)), 0);

	/* A subscriber's prefixes against the setting of the database. */
	ck_assert_int_eq(tg_prefix_parse("192.0.2.0/30", &p, err, sizeof(err)), 0);
	ck_assert_int_eq(tg_anycast_holds(db, &p, 1, err, sizeof(err)), 0);
	ck_assert_int_eq(tg_db_setting_set(db, TG_ANYCAST_KEY, "192.0.2.1/32"), 0);
	ck_assert_int_eq(tg_anycast_holds(db, &p, 1, err, sizeof(err)), 1);
	ck_assert_str_eq(err, "--prefix '192.0.2.0/30': overlaps the anycast prefix '192.0.2.1/32' (config set anycast)");
	ck_assert_int_eq(tg_db_setting_set(db, TG_ANYCAST_KEY, "192.0.2.4/30"), 0);
	ck_assert_int_eq(tg_anycast_holds(db, &p, 1, err, sizeof(err)), 0);
	tg_sub_free(&s);
	tg_sub_free(&d);
	tg_db_close(db);
}
END_TEST

/* The heartbeat and the down limit: defaults, ranges, the pair. */
START_TEST(test_pop_timing)
{
	static const struct { const char *beat, *down, *want; } bad[] = {
		{ "0", NULL, "pop-heartbeat '0': out of range 1..300 seconds" },
		{ "301", NULL, "pop-heartbeat '301': out of range 1..300 seconds" },
		{ "1s", NULL, "pop-heartbeat '1s': not a number of seconds" },
		{ NULL, "86401", "pop-down-after '86401': out of range 1..86400 seconds" },
		{ NULL, "19", "pop-down-after 19 is less than 2 times pop-heartbeat 10 (give at least 20)" },
		{ "30", "59", "pop-down-after 59 is less than 2 times pop-heartbeat 30 (give at least 60)" },
	};
	struct tg_pop_timing t;
	char err[192];
	unsigned int i;

	ck_assert_int_eq(tg_pop_timing_parse(NULL, NULL, &t, err, sizeof(err)), 0);
	ck_assert_uint_eq(t.beat, 10);
	ck_assert_uint_eq(t.down_after, 30);
	ck_assert_int_eq(tg_pop_timing_parse("4", NULL, &t, err, sizeof(err)), 0);
	ck_assert_uint_eq(t.down_after, 12);
	ck_assert_int_eq(tg_pop_timing_parse("4", "8", &t, err, sizeof(err)), 0);
	ck_assert_uint_eq(t.beat, 4);
	ck_assert_uint_eq(t.down_after, 8);
	ck_assert_int_eq(tg_pop_timing_parse(NULL, "20", &t, err, sizeof(err)), 0);
	ck_assert_uint_eq(t.down_after, 20);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(tg_pop_timing_parse(bad[i].beat, bad[i].down, &t, err,
						     sizeof(err)), -EINVAL);
		ck_assert_str_eq(err, bad[i].want);
	}
}
END_TEST

Suite *db_suite(void)
{
	Suite *s = suite_create("db");
	TCase *tc = tcase_create("db");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_open_missing);
	tcase_add_test(tc, test_init_missing_dir);
	tcase_add_test(tc, test_init_version);
	tcase_add_test(tc, test_newer_version);
	tcase_add_test(tc, test_foreign_database);
	tcase_add_test(tc, test_db_path);
	tcase_add_test(tc, test_open_quiet);
	tcase_add_test(tc, test_check_rows);
	tcase_add_test(tc, test_add_get);
	tcase_add_test(tc, test_add_validation);
	tcase_add_test(tc, test_del_list);
	tcase_add_test(tc, test_dp_id);
	tcase_add_test(tc, test_settings);
	tcase_add_test(tc, test_anycast);
	tcase_add_test(tc, test_anycast_clash);
	tcase_add_test(tc, test_pop_timing);
	tcase_add_test(tc, test_tun_key);
	suite_add_tcase(s, tc);
	return s;
}
