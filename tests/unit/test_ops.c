// SPDX-License-Identifier: GPL-2.0-only
/*
 * ops suite: every refusal of the ops toolkit leaves the database as it
 * was (rates, bursts, classes, return path options, sub set, class del,
 * CSV import), schema migration, db check, export/import round trip, the
 * encapsulation value of each tunnel type.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/cli.h"
#include "cmd/commands.h"
#include "db/db.h"
#include "db_util.h"

static char tmpdir[64];
static char dbpath[128];
static sqlite3 *db;

static void setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/tg-test-ops.XXXXXX");
	ck_assert(mkdtemp(tmpdir));
	snprintf(dbpath, sizeof(dbpath), "%s/tungate.db", tmpdir);
	ck_assert_int_eq(tg_db_open(dbpath, true, &db), 0);
	tg_opts.db_path = dbpath;
}

static void teardown(void)
{
	char cmd[128];

	tg_db_close(db);
	db = NULL;
	tg_opts.db_path = NULL;
	tg_opts.json = false;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

/* A valid gre subscriber; more fields from "field=value" pairs. */
static void sub_make(struct tg_sub *s, const char *name, int host,
		     const char *const *kv)
{
	char err[256], f[64];
	const char *eq;

	tg_sub_init(s);
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->type = TG_TUN_GRE;
	s->remote = htonl(0xc0000200 | host);
	s->local = htonl(0xc6336401);
	for (; kv && *kv; kv++) {
		eq = strchr(*kv, '=');
		snprintf(f, sizeof(f), "%.*s", (int)(eq - *kv), *kv);
		ck_assert_msg(!tg_sub_set_field(s, f, eq + 1, err, sizeof(err)),
			      "%s: %s", *kv, err);
	}
}

static void add_ok(const char *name, int host, const char *const *kv)
{
	struct tg_sub s;
	char err[256] = "";

	sub_make(&s, name, host, kv);
	ck_assert_msg(!tg_db_sub_add(db, &s, err, sizeof(err)), "%s: %s", name,
		      err);
	tg_sub_free(&s);
}

START_TEST(test_rates)
{
	char buf[32];
	__u64 v;

	ck_assert_int_eq(tg_rate_parse("512kbit", &v), 0);
	ck_assert_uint_eq(v, 512000);
	ck_assert_int_eq(tg_rate_parse("10mbit", &v), 0);
	ck_assert_uint_eq(v, 10000000);
	ck_assert_int_eq(tg_rate_parse("1.5gbit", &v), 0);
	ck_assert_uint_eq(v, 1500000000);
	ck_assert_int_eq(tg_rate_parse("2000000", &v), 0);
	ck_assert_uint_eq(v, 2000000);
	ck_assert_int_eq(tg_rate_parse("unlimited", &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(tg_rate_parse("0", &v), -ERANGE);
	ck_assert_int_eq(tg_rate_parse("0kbit", &v), -ERANGE);
	ck_assert_int_eq(tg_rate_parse("10mb", &v), -EINVAL);
	ck_assert_int_eq(tg_rate_parse("fast", &v), -EINVAL);
	ck_assert_int_eq(tg_rate_parse("-1mbit", &v), -EINVAL);
	ck_assert_int_eq(tg_rate_parse("1.", &v), -EINVAL);
	ck_assert_int_eq(tg_rate_parse("1.5", &v), -EINVAL);
	ck_assert_int_eq(tg_rate_parse("", &v), -EINVAL);
	tg_rate_format(1500000000, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1500mbit");
	tg_rate_format(512000, buf, sizeof(buf));
	ck_assert_str_eq(buf, "512kbit");
	tg_rate_format(1234, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1234bit");
	ck_assert_int_eq(tg_rate_parse("1234bit", &v), 0);
	ck_assert_uint_eq(v, 1234);

	ck_assert_int_eq(tg_size_parse("15k", &v), 0);
	ck_assert_uint_eq(v, 15360);
	ck_assert_int_eq(tg_size_parse("1m", &v), 0);
	ck_assert_uint_eq(v, 1048576);
	ck_assert_int_eq(tg_size_parse("1500", &v), 0);
	ck_assert_int_eq(tg_size_parse("0", &v), -ERANGE);
	ck_assert_int_eq(tg_size_parse("15x", &v), -EINVAL);
	tg_size_format(15360, buf, sizeof(buf));
	ck_assert_str_eq(buf, "15k");
	tg_size_format(1500, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1500");
}
END_TEST

/* Parsing refusals name the option, the value and the reason. */
START_TEST(test_field_refusals)
{
	static const struct {
		const char *field, *value, *why;
	} bad[] = {
		{ "remote", "192.0.2", "--remote '192.0.2': not an IPv4 address" },
		{ "local", "2001:db8::1", "--local '2001:db8::1': not an IPv4" },
		{ "prefixes", "192.0.2.1/24", "--prefix '192.0.2.1/24': host bits set" },
		{ "prefixes", "2001:db8::1/64", "--prefix '2001:db8::1/64': host bits set" },
		{ "prefix", "10.0.0.0/33", "--prefix '10.0.0.0/33'" },
		{ "prefix", "foo", "--prefix 'foo': not an IPv4 or IPv6 address" },
		{ "type", "vxlan", "--type 'vxlan': unknown" },
		{ "key", "4294967296", "--key '4294967296': out of range" },
		{ "key", "x", "--key 'x': not a number" },
		{ "cookie", "010203", "--cookie '010203': must be 8 or 16 hex digits" },
		{ "peer_cookie", "0102030g", "--peer-cookie '0102030g'" },
		{ "down_rate", "0", "--down-rate '0': zero" },
		{ "up_rate", "10mb", "--up-rate '10mb': not a rate" },
		{ "burst", "15q", "--burst '15q': not a size" },
		{ "mtu", "575", "--mtu '575': out of range 576..9000" },
		{ "mtu", "9001", "--mtu '9001': out of range 576..9000" },
		{ "ttl", "0", "--ttl '0': out of range 1..255" },
		{ "peer_port", "65536", "--peer-port '65536': out of range" },
		{ "peer_mac", "02:00:00:00:00", "--peer-mac '02:00:00:00:00'" },
		{ "df", "maybe", "--df 'maybe': must be 'on' or 'off'" },
		{ "class", "a b", "--class 'a b'" },
		{ "sublayer", "maybe", "--sublayer 'maybe'" },
	};
	char err[256];
	struct tg_sub s;
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tg_sub_init(&s);
		err[0] = '\0';
		ck_assert_int_eq(tg_sub_set_field(&s, bad[i].field, bad[i].value,
						  err, sizeof(err)), -EINVAL);
		ck_assert_msg(strstr(err, bad[i].why), "%s=%s: '%s', want '%s'",
			      bad[i].field, bad[i].value, err, bad[i].why);
		tg_sub_free(&s);
	}
	tg_sub_init(&s);
	ck_assert_int_eq(tg_sub_set_field(&s, "colour", "red", err, sizeof(err)),
			 -ENOENT);
}
END_TEST

/* Record and database refusals: the database stays byte for byte. */
START_TEST(test_add_refusals)
{
	static const struct {
		const char *kv[6];
		int want;
		const char *why;
	} bad[] = {
		{ { "key=1", "prefix=100.64.0.0/24" }, -EEXIST,
		  "--prefix '100.64.0.0/24': overlaps '100.64.0.0/28' of subscriber 'alice'" },
		{ { "prefix=2001:db8:1:2::/64" }, -EEXIST,
		  "overlaps '2001:db8:1::/48' of subscriber 'alice'" },
		{ { "key=5", "remote=192.0.2.10" }, -EEXIST,
		  "tunnel: subscriber 'alice' has the same type" },
		{ { "class=gold" }, -EINVAL, "--class 'gold': no such class" },
		{ { "burst=1k" }, -EINVAL, "--burst '1k': smaller than one MTU (1400 bytes)" },
		{ { "class=tiny" }, -EINVAL, "--mtu '1400': larger than the burst 1k of class 'tiny'" },
		{ { "mtu=1279", "prefix=2001:db8:9::/48" }, -EINVAL,
		  "--mtu '1279': out of range 1280..9000" },
		{ { "type=l2tpv2", "tunnel_id=0", "session=1" }, -EINVAL,
		  "--tunnel-id '0': out of range 1..65535" },
		{ { "type=l2tpv2", "tunnel_id=1", "session=65536" }, -EINVAL,
		  "--session '65536': out of range 1..65535" },
		{ { "type=l2tpv3-ip", "session=0" }, -EINVAL,
		  "--session '0': out of range 1..4294967295" },
		{ { "type=eoip", "tunnel_id=65536" }, -EINVAL,
		  "--tunnel-id '65536': out of range 0..65535" },
		{ { "type=l2tpv2", "tunnel_id=1", "session=1", "peer_tunnel_id=0" },
		  -EINVAL, "--peer-tunnel-id '0': out of range 1..65535" },
		{ { "peer_session=5" }, -EINVAL, "--peer-session is not valid for type gre" },
		{ { "udp_csum=on" }, -EINVAL, "--udp-csum is not valid for type gre" },
		{ { "type=ipip", "gre_csum=on" }, -EINVAL, "--gre-csum is not valid for type ipip" },
		{ { "type=gre", "peer_mac=02:00:00:00:00:01" }, -EINVAL,
		  "--peer-mac is not valid for type gre" },
		{ { "type=gretap", "peer_mac=01:00:5e:00:00:01" }, -EINVAL,
		  "--peer-mac '01:00:5e:00:00:01': not a unicast MAC address" },
		{ { "type=l2tpv3-udp", "session=5", "peer_port=0" }, -EINVAL,
		  "--peer-port '0': out of range 1..65535" },
		{ { "type=ipip", "ppp_acfc=on" }, -EINVAL, "--ppp-acfc is not valid for type ipip" },
	};
	static const char *const alice[] = { "key=5", "prefix=100.64.0.0/28",
					     "prefix=2001:db8:1::/48", NULL };
	struct tg_class tiny = { .name = "tiny", .burst = 512 };
	char *before, *after, err[256];
	struct tg_sub s;
	unsigned int i;

	add_ok("alice", 10, alice);
	ck_assert_int_eq(tg_db_class_add(db, &tiny, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "--burst '512': smaller than the smallest MTU"), "%s", err);
	tiny.burst = 1024 * 2;
	ck_assert_int_eq(tg_db_class_add(db, &tiny, err, sizeof(err)), 0);
	ck_assert_int_eq(tg_db_exec(db, "UPDATE class SET burst = 1024"), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		sub_make(&s, "bob", 11, bad[i].kv);
		before = tg_test_db_snapshot(db);
		err[0] = '\0';
		ck_assert_msg(tg_db_sub_add(db, &s, err, sizeof(err)) == bad[i].want,
			      "case %u: '%s'", i, err);
		ck_assert_msg(strstr(err, bad[i].why), "case %u: '%s', want '%s'",
			      i, err, bad[i].why);
		after = tg_test_db_snapshot(db);
		ck_assert_str_eq(before, after);
		free(before);
		free(after);
		tg_sub_free(&s);
	}
}
END_TEST

START_TEST(test_update_and_classes)
{
	static const char *const alice[] = { "key=5", "prefix=100.64.0.0/28", NULL };
	static const char *const bob[] = { "key=6", "prefix=100.64.1.0/28",
					   "class=gold", NULL };
	struct tg_class gold = { .name = "gold", .down_rate = 10000000,
				 .burst = 15360 }, c;
	char *before, *after, err[512];
	struct tg_sub s;

	ck_assert_int_eq(tg_db_class_add(db, &gold, err, sizeof(err)), 0);
	ck_assert_int_eq(tg_db_class_add(db, &gold, err, sizeof(err)), -EEXIST);
	add_ok("alice", 10, alice);
	add_ok("bob", 11, bob);

	/* sub set: a prefix of another subscriber is refused, nothing written. */
	ck_assert_int_eq(tg_db_sub_get(db, "bob", &s), 0);
	ck_assert_int_eq(tg_sub_set_field(&s, "prefix", "100.64.0.8/29", err,
					  sizeof(err)), 0);
	before = tg_test_db_snapshot(db);
	ck_assert_int_eq(tg_db_sub_update(db, "bob", &s, err, sizeof(err)), -EEXIST);
	ck_assert_msg(strstr(err, "of subscriber 'alice'"), "%s", err);
	after = tg_test_db_snapshot(db);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	tg_sub_free(&s);

	/* A rename and a new mtu; dp_id and id stay. */
	ck_assert_int_eq(tg_db_sub_get(db, "bob", &s), 0);
	snprintf(s.name, sizeof(s.name), "robert");
	s.mtu = 1300;
	ck_assert_int_eq(tg_db_sub_update(db, "bob", &s, err, sizeof(err)), 0);
	tg_sub_free(&s);
	ck_assert_int_eq(tg_db_sub_get(db, "robert", &s), 0);
	ck_assert_uint_eq(s.dp_id, 2);
	ck_assert_uint_eq(s.mtu, 1300);
	ck_assert_uint_eq(s.nprefix, 1);
	tg_sub_free(&s);
	ck_assert_int_eq(tg_db_sub_get(db, "bob", &s), -ENOENT);

	/* A class in use cannot go; its burst cannot fall below an MTU. */
	before = tg_test_db_snapshot(db);
	ck_assert_int_eq(tg_db_class_del(db, "gold", err, sizeof(err)), -EBUSY);
	ck_assert_msg(strstr(err, "in use by 1 subscriber: 'robert'"), "%s", err);
	gold.burst = 1024;
	ck_assert_int_eq(tg_db_class_update(db, &gold, err, sizeof(err)), -EINVAL);
	gold.burst = 1200;
	ck_assert_int_eq(tg_db_class_update(db, &gold, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "smaller than the MTU of 1 subscriber of the class: 'robert'"),
		      "%s", err);
	ck_assert_int_eq(tg_db_class_del(db, "nope", err, sizeof(err)), -ENOENT);
	after = tg_test_db_snapshot(db);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	gold.burst = 2048;
	gold.scope = TG_SCOPE_COMMUNITY;
	ck_assert_int_eq(tg_db_class_update(db, &gold, err, sizeof(err)), 0);
	ck_assert_int_eq(tg_db_class_get(db, "gold", &c), 0);
	ck_assert_uint_eq(c.burst, 2048);
	ck_assert_int_eq(c.scope, TG_SCOPE_COMMUNITY);
	ck_assert_uint_eq(c.down_rate, 10000000);
	ck_assert_uint_eq(c.up_rate, 0);
	ck_assert_int_eq(tg_db_exec(db, "UPDATE subscriber SET class = NULL"), 0);
	ck_assert_int_eq(tg_db_class_del(db, "gold", err, sizeof(err)), 0);
}
END_TEST

START_TEST(test_community)
{
	struct tg_prefix p, *v;
	char err[256], e[64];
	size_t n;

	ck_assert_int_eq(tg_prefix_parse("10.0.0.0/8", &p, e, sizeof(e)), 0);
	ck_assert_int_eq(tg_db_community_add(db, &p, err, sizeof(err)), 0);
	ck_assert_int_eq(tg_db_community_add(db, &p, err, sizeof(err)), -EEXIST);
	ck_assert_int_eq(tg_prefix_parse("10.1.0.0/16", &p, e, sizeof(e)), 0);
	ck_assert_int_eq(tg_db_community_add(db, &p, err, sizeof(err)), -EEXIST);
	ck_assert_msg(strstr(err, "overlaps community prefix '10.0.0.0/8'"), "%s", err);
	ck_assert_int_eq(tg_prefix_parse("2001:db8::/32", &p, e, sizeof(e)), 0);
	ck_assert_int_eq(tg_db_community_add(db, &p, err, sizeof(err)), 0);
	ck_assert_int_eq(tg_db_community_list(db, &v, &n), 0);
	ck_assert_uint_eq(n, 2);
	free(v);
	ck_assert_int_eq(tg_db_community_del(db, &p), 0);
	ck_assert_int_eq(tg_db_community_del(db, &p), -ENOENT);
}
END_TEST

static void encap_of(const char *const *kv, struct tg_encap *e)
{
	struct tg_settings st;
	struct tg_sub s;

	ck_assert_int_eq(tg_db_settings_load(db, &st), 0);
	sub_make(&s, "x", 10, kv);
	tg_sub_encap(&s, &st, e);
	tg_sub_free(&s);
}

START_TEST(test_encap)
{
	static const char *const gre[] = { "key=7", "gre_csum=on", "gre_seq=on",
					   "ttl=9", "df=off", NULL };
	static const char *const eoip[] = { "type=eoip", "tunnel_id=300",
					    "peer_mac=02:00:00:00:00:09", NULL };
	static const char *const l3[] = { "type=l2tpv3-udp", "session=5",
					  "cookie=01020304", "peer_session=6",
					  "peer_port=1800", "udp_csum=on",
					  "sublayer=none", NULL };
	static const char *const l3pc[] = { "type=l2tpv3-ip", "session=5",
					    "cookie=01020304",
					    "peer_cookie=0a0b0c0d0e0f1011", NULL };
	static const char *const l2[] = { "type=l2tpv2", "tunnel_id=3",
					  "session=4", "peer_session=7",
					  "ppp_acfc=on", "local_port=1900",
					  "mss_clamp=off", NULL };
	static const char *const l2d[] = { "type=l2tpv2", "tunnel_id=3",
					   "session=4", NULL };
	struct tg_encap e;

	encap_of(gre, &e);
	ck_assert_uint_eq(e.type, TG_TUN_GRE);
	ck_assert_uint_eq(e.flags, TG_ENC_F_GRE_KEY | TG_ENC_F_GRE_CSUM |
				   TG_ENC_F_GRE_SEQ | TG_ENC_F_MSS_CLAMP);
	ck_assert_uint_eq(e.peer_id, 7);
	ck_assert_uint_eq(e.ttl, 9);
	ck_assert_uint_eq(e.mtu, 1400);
	ck_assert_uint_eq(e.remote, htonl(0xc000020a));
	ck_assert_uint_eq(e.local, htonl(0xc6336401));
	encap_of(eoip, &e);
	ck_assert_uint_eq(e.peer_id, 300);
	ck_assert_uint_eq(e.flags, TG_ENC_F_DF | TG_ENC_F_MSS_CLAMP | TG_ENC_F_PEER_MAC);
	ck_assert(!memcmp(e.peer_mac, "\x02\0\0\0\0\x09", 6));
	encap_of(l3, &e);
	ck_assert_uint_eq(e.peer_id, 6);
	ck_assert_uint_eq(e.peer_port, 1800);
	ck_assert_uint_eq(e.local_port, 1701);
	ck_assert_uint_eq(e.cookie_len, 4);
	ck_assert(!memcmp(e.peer_cookie, "\x01\x02\x03\x04", 4));
	ck_assert_uint_eq(e.flags, TG_ENC_F_DF | TG_ENC_F_MSS_CLAMP | TG_ENC_F_UDP_CSUM);
	encap_of(l3pc, &e);
	ck_assert_uint_eq(e.cookie_len, 8);
	ck_assert(!memcmp(e.peer_cookie, "\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11", 8));
	ck_assert_uint_eq(e.flags, TG_ENC_F_DF | TG_ENC_F_MSS_CLAMP | TG_ENC_F_L2SPEC);
	ck_assert_uint_eq(e.local_port, 0);
	encap_of(l2, &e);
	ck_assert_uint_eq(e.peer_id, 3 << 16 | 7);
	ck_assert_uint_eq(e.local_port, 1900);
	ck_assert_uint_eq(e.peer_port, 0);
	ck_assert_uint_eq(e.flags, TG_ENC_F_DF | TG_ENC_F_PPP_ACFC);
	ck_assert_int_eq(tg_db_setting_set(db, "l2tpv2_udp_port", "1702"), 0);
	encap_of(l2d, &e);
	ck_assert_uint_eq(e.peer_id, 3 << 16 | 4);
	ck_assert_uint_eq(e.local_port, 1702);
}
END_TEST

/* A version 1 database with rows becomes version 2 in place. */
START_TEST(test_migrate)
{
	char path[160], err[256];
	sqlite3 *v1;
	struct tg_sub s;
	int from;

	snprintf(path, sizeof(path), "%s/v1.db", tmpdir);
	ck_assert_int_eq(sqlite3_open(path, &v1), SQLITE_OK);
	ck_assert_int_eq(tg_db_exec(v1,
		"CREATE TABLE subscriber (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
		" enabled INTEGER NOT NULL DEFAULT 1 CHECK(enabled IN (0,1)), type TEXT NOT NULL,"
		" remote TEXT NOT NULL, local TEXT NOT NULL, gre_key INTEGER, session_id INTEGER,"
		" tunnel_id INTEGER, cookie TEXT, sublayer INTEGER NOT NULL DEFAULT 1,"
		" mtu INTEGER NOT NULL DEFAULT 1400, dp_id INTEGER UNIQUE, note TEXT);"
		"CREATE TABLE prefix (subscriber_id INTEGER NOT NULL REFERENCES subscriber(id)"
		" ON DELETE CASCADE, prefix TEXT NOT NULL UNIQUE);"
		"CREATE TABLE setting (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
		"INSERT INTO subscriber(name, type, remote, local, gre_key, dp_id)"
		" VALUES('alice', 'gre', '192.0.2.10', '198.51.100.1', 7, 1);"
		"INSERT INTO prefix VALUES(1, '100.64.0.0/28');"
		"INSERT INTO setting VALUES('next_dp_id', '2');"
		"PRAGMA user_version = 1;"), 0);
	sqlite3_close(v1);

	/* Everything but migrate and check refuses it. */
	ck_assert_int_eq(tg_db_open(path, false, &v1), -EPROTO);
	ck_assert_int_eq(tg_db_open_flags(path, TG_DB_OLDER, &v1), 0);
	ck_assert_int_eq(tg_db_check(v1, TG_MAX_SUBS_DEFAULT, NULL, NULL), 0);
	ck_assert_int_eq(tg_db_version(v1), 1);
	ck_assert_int_eq(tg_db_migrate(v1, &from, err, sizeof(err)), 0);
	ck_assert_int_eq(from, 1);
	ck_assert_int_eq(tg_db_version(v1), TG_DB_VERSION);
	ck_assert_int_eq(tg_db_migrate(v1, &from, err, sizeof(err)), 0);
	ck_assert_int_eq(from, TG_DB_VERSION);
	tg_db_close(v1);
	ck_assert_int_eq(tg_db_open(path, false, &v1), 0);
	ck_assert_int_eq(tg_db_sub_get(v1, "alice", &s), 0);
	ck_assert(s.has_key && s.key == 7);
	ck_assert(s.df && s.mss_clamp && !s.gre_csum);
	ck_assert_uint_eq(s.nprefix, 1);
	tg_sub_free(&s);
	tg_db_close(v1);
}
END_TEST

struct problems {
	int n;
	char text[4096];
};

static void collect(void *ctx, const char *who, const char *msg)
{
	struct problems *p = ctx;
	size_t len = strlen(p->text);

	p->n++;
	snprintf(p->text + len, sizeof(p->text) - len, "%s: %s\n",
		 who ? who : "-", msg);
}

START_TEST(test_check)
{
	static const char *const alice[] = { "key=5", "prefix=100.64.0.0/28", NULL };
	static const char *const bob[] = { "key=6", "prefix=100.64.1.0/28", NULL };
	struct problems p = {};

	add_ok("alice", 10, alice);
	add_ok("bob", 11, bob);
	ck_assert_int_eq(tg_db_check(db, TG_MAX_SUBS_DEFAULT, collect, &p), 0);
	/*
	 * Damage the rows behind the CLI's back. The schema refuses a
	 * second tunnel identity and an MTU out of range; the check finds
	 * them in a file written without its index and CHECKs.
	 */
	ck_assert_int_ne(tg_db_exec(db,
		"UPDATE subscriber SET gre_key = 5, remote = '192.0.2.10' WHERE name = 'bob'"), 0);
	ck_assert_int_ne(tg_db_exec(db, "UPDATE subscriber SET mtu = 100 WHERE name = 'alice'"), 0);
	ck_assert_int_eq(tg_db_exec(db,
		"DROP INDEX subscriber_identity;"
		"UPDATE prefix SET prefix = '100.64.0.0/24' WHERE prefix = '100.64.1.0/28';"
		"UPDATE subscriber SET gre_key = 5, remote = '192.0.2.10', dp_id = 200000 WHERE name = 'bob';"
		"PRAGMA foreign_keys = OFF;"
		"UPDATE subscriber SET class = 'gold' WHERE name = 'alice';"
		"PRAGMA foreign_keys = ON;"), 0);
	ck_assert_int_eq(tg_test_db_plant(db, "UPDATE subscriber SET mtu = 100 WHERE name = 'alice'"), 1);
	ck_assert_int_ge(tg_db_check(db, TG_MAX_SUBS_DEFAULT, collect, &p), 5);
	ck_assert_msg(strstr(p.text, "bob: prefix '100.64.0.0/24': overlaps '100.64.0.0/28' of subscriber 'alice'") ||
		      strstr(p.text, "alice: prefix '100.64.0.0/28': overlaps '100.64.0.0/24' of subscriber 'bob'"),
		      "%s", p.text);
	ck_assert_msg(strstr(p.text, "has the same type, remote, local and id"), "%s", p.text);
	ck_assert_msg(strstr(p.text, "bob: dp_id 200000: out of range"), "%s", p.text);
	ck_assert_msg(strstr(p.text, "alice: class 'gold': no such class"), "%s", p.text);
	ck_assert_msg(strstr(p.text, "alice: --mtu '100'"), "%s", p.text);
	ck_assert_msg(strstr(p.text, "foreign key"), "%s", p.text);
}
END_TEST

static char *file_text(const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = fopen(path, "r"), *m = open_memstream(&buf, &len);
	int c;

	ck_assert_ptr_nonnull(f);
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(f);
	fclose(m);
	return buf;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(test_export_import)
{
	static const char *const alice[] = {
		"key=5", "prefix=100.64.0.0/28", "prefix=2001:db8:1::/48",
		"class=gold", "gre_csum=on", "note=rack \"3\", shelf 2", NULL };
	static const char *const bob[] = {
		"type=l2tpv3-udp", "session=9", "cookie=0102030405060708",
		"peer_cookie=0a0b0c0d", "peer_port=1800", "peer_mac=02:00:00:00:00:07",
		"down_rate=unlimited", "up_rate=1.5gbit", "burst=1m", "enabled=no",
		"ttl=30", NULL };
	struct tg_class gold = { .name = "gold", .down_rate = 512000,
				 .burst = 15360, .scope = TG_SCOPE_COMMUNITY };
	char out1[160], out2[160], db2[160], bad[160], err[256], e[64];
	char *a1, *a2, *before, *after;
	char *argv_exp[] = { "export", "-o", out1, NULL };
	char *argv_exp2[] = { "export", "-o", out2, NULL };
	char *argv_imp[] = { "import", out1, NULL };
	char *argv_bad[] = { "import", bad, NULL };
	struct tg_prefix p;
	sqlite3 *d2;

	ck_assert_int_eq(tg_db_class_add(db, &gold, err, sizeof(err)), 0);
	ck_assert_int_eq(tg_prefix_parse("10.0.0.0/8", &p, e, sizeof(e)), 0);
	ck_assert_int_eq(tg_db_community_add(db, &p, err, sizeof(err)), 0);
	ck_assert_int_eq(tg_db_setting_set(db, "unknown_tunnel", "drop"), 0);
	ck_assert_int_eq(tg_db_setting_set(db, "gateway_mac", "02:00:00:00:00:fe"), 0);
	add_ok("alice", 10, alice);
	add_ok("bob", 11, bob);
	ck_assert_int_eq(tg_db_sub_del(db, "alice"), 0);
	add_ok("alice", 10, alice);

	snprintf(out1, sizeof(out1), "%s/one.csv", tmpdir);
	snprintf(out2, sizeof(out2), "%s/two.csv", tmpdir);
	snprintf(db2, sizeof(db2), "%s/two.db", tmpdir);
	snprintf(bad, sizeof(bad), "%s/bad.csv", tmpdir);
	ck_assert_int_eq(do_export(3, argv_exp), 0);
	ck_assert_int_eq(tg_db_open(db2, true, &d2), 0);
	tg_db_close(d2);
	tg_opts.db_path = db2;
	ck_assert_int_eq(do_import(2, argv_imp), 0);
	ck_assert_int_eq(do_export(3, argv_exp2), 0);
	a1 = file_text(out1);
	a2 = file_text(out2);
	ck_assert_str_eq(a1, a2);
	ck_assert(strstr(a1, "\"rack \"\"3\"\", shelf 2\""));
	ck_assert(strstr(a1, "class,gold,"));
	ck_assert(strstr(a1, "community,"));
	free(a1);
	free(a2);

	/* Every bad row is refused at once; nothing is written. */
	tg_opts.db_path = dbpath;
	write_file(bad,
		   "name,type,remote,local,key,prefixes,class,down_rate,burst,cookie\n"
		   "c1,gre,192.0.2.20,198.51.100.1,1,100.64.5.0/24,,,,\n"
		   "c2,gre,192.0.2.20,198.51.100.1,1,,,,,\n"
		   "c3,gre,192.0.2.21,198.51.100.1,,100.64.5.128/25,,,,\n"
		   "c4,gre,192.0.2.22,198.51.100.1,,,silver,,,\n"
		   "c5,gre,192.0.2.23,198.51.100.1,,,,0,,\n"
		   "c6,gre,192.0.2.24,198.51.100.1,,,,,100,\n"
		   "c7,vxlan,192.0.2.25,198.51.100.1,,,,,,\n"
		   "c8,gre,192.0.2.26,198.51.100.1,70000000000,,,,,\n"
		   "c9,l2tpv3-ip,192.0.2.27,198.51.100.1,,,,,,0102\n"
		   "alice,gre,192.0.2.28,198.51.100.1,,,,,,\n"
		   "c10,gre,192.0.2.29,198.51.100.1,,10.0.0.1/8,,,,\n");
	before = tg_test_db_snapshot(db);
	ck_assert_int_eq(do_import(2, argv_bad), -EINVAL);
	after = tg_test_db_snapshot(db);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
}
END_TEST

Suite *ops_suite(void)
{
	Suite *s = suite_create("ops");
	TCase *tc = tcase_create("ops");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_rates);
	tcase_add_test(tc, test_field_refusals);
	tcase_add_test(tc, test_add_refusals);
	tcase_add_test(tc, test_update_and_classes);
	tcase_add_test(tc, test_community);
	tcase_add_test(tc, test_encap);
	tcase_add_test(tc, test_migrate);
	tcase_add_test(tc, test_check);
	tcase_add_test(tc, test_export_import);
	suite_add_tcase(s, tc);
	return s;
}
