// SPDX-License-Identifier: GPL-2.0-only
/*
 * RADIUS: the attributes of an Access-Accept (each one, malformed ones,
 * Mikrotik-Rate-Limit with bursts, WISPr), the settings and their checks,
 * Acct-Session-Id.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <string.h>

#include "db/conn.h"
#include "db/radius_settings.h"
#include "db/session.h"
#include "db/settings.h"
#include "radius/reply.h"

#define A(t, s) { .type = t, .val = (const uint8_t *)(s), .len = sizeof(s) - 1 }
#define V(v, t, s)							\
	{ .type = TG_RAD_VENDOR_SPECIFIC, .vendor = v, .vtype = t,	\
	  .val = (const uint8_t *)(s), .len = sizeof(s) - 1 }

START_TEST(test_reply_every_attribute)
{
	const struct tg_rad_attr v[] = {
		A(TG_RAD_FRAMED_IP_ADDRESS, "\x64\x40\x01\x02"),
		A(TG_RAD_FRAMED_ROUTE, "100.64.9.0/29 100.64.1.2 1"),
		A(TG_RAD_FRAMED_ROUTE, "100.64.10.1"),
		A(TG_RAD_FRAMED_IPV6_PREFIX,
		  "\x00\x40\x20\x01\x0d\xb8\x00\x01\x00\x01\x00\x00"),
		A(TG_RAD_DELEGATED_IPV6_PREFIX,
		  "\x00\x38\x20\x01\x0d\xb8\x00\x01\x01\xff"),
		A(TG_RAD_SESSION_TIMEOUT, "\x00\x00\x0e\x10"),
		A(TG_RAD_IDLE_TIMEOUT, "\x00\x00\x01\x2c"),
		A(TG_RAD_ACCT_INTERIM_INTERVAL, "\x00\x00\x02\x58"),
		A(TG_RAD_CLASS, "\x01\x00\xfe"),
		A(TG_RAD_FILTER_ID, "gold"),
		A(TG_RAD_SERVICE_TYPE, "\x00\x00\x00\x02"),
		A(TG_RAD_FRAMED_PROTOCOL, "\x00\x00\x00\x01"),
		A(TG_RAD_FRAMED_IP_NETMASK, "\xff\xff\xff\xff"),
		V(TG_RAD_VENDOR_MIKROTIK, TG_RAD_MIKROTIK_RATE_LIMIT, "2M/8M"),
	};
	struct tg_rad_reply r;
	char a[INET6_ADDRSTRLEN];

	tg_rad_reply_parse(v, sizeof(v) / sizeof(v[0]), &r);
	ck_assert_uint_eq(r.n_bad, 0);
	ck_assert_str_eq(inet_ntoa(r.ip), "100.64.1.2");
	ck_assert_uint_eq(r.n_routes, 2);
	inet_ntop(AF_INET, r.routes[0].addr, a, sizeof(a));
	ck_assert_str_eq(a, "100.64.9.0");
	ck_assert_uint_eq(r.routes[0].len, 29);
	ck_assert_uint_eq(r.routes[1].len, 32);
	inet_ntop(AF_INET6, r.prefix6.addr, a, sizeof(a));
	ck_assert_str_eq(a, "2001:db8:1:1::");
	ck_assert_uint_eq(r.prefix6.len, 64);
	inet_ntop(AF_INET6, r.pd.addr, a, sizeof(a));
	/* Bits past /56 dropped. */
	ck_assert_str_eq(a, "2001:db8:1:100::");
	ck_assert_uint_eq(r.pd.len, 56);
	ck_assert_uint_eq(r.session_timeout, 3600);
	ck_assert_uint_eq(r.idle_timeout, 300);
	ck_assert_uint_eq(r.interim, 600);
	ck_assert_uint_eq(r.class_len, 3);
	ck_assert_mem_eq(r.class_, "\x01\x00\xfe", 3);
	ck_assert_str_eq(r.filter_id, "gold");
	ck_assert(r.has_rate);
	/* rx is the member's upload. */
	ck_assert_uint_eq(r.up, 2000000);
	ck_assert_uint_eq(r.down, 8000000);
	ck_assert(!r.has_burst);
}
END_TEST

START_TEST(test_reply_malformed)
{
	const struct tg_rad_attr v[] = {
		A(TG_RAD_FRAMED_IP_ADDRESS, "\x64\x40\x01"),
		A(TG_RAD_FRAMED_IP_ADDRESS, "\xff\xff\xff\xfe"),
		A(TG_RAD_FRAMED_ROUTE, "not-a-prefix"),
		A(TG_RAD_FRAMED_ROUTE, "100.64.9.1/29"),
		A(TG_RAD_FRAMED_IPV6_PREFIX, "\x00\x30\x20\x01\x0d\xb8\x00\x01"),
		A(TG_RAD_DELEGATED_IPV6_PREFIX, "\x00\x81"),
		A(TG_RAD_SESSION_TIMEOUT, "\x00\x0e\x10"),
		A(TG_RAD_FILTER_ID, "bad name!"),
		V(TG_RAD_VENDOR_MIKROTIK, TG_RAD_MIKROTIK_RATE_LIMIT, "fast/slow"),
		V(TG_RAD_VENDOR_WISPR, TG_RAD_WISPR_MAX_UP, "\x01"),
		A(200, "x"),
	};
	struct tg_rad_reply r;

	tg_rad_reply_parse(v, sizeof(v) / sizeof(v[0]), &r);
	ck_assert_uint_eq(r.n_bad, TG_RAD_BAD_MAX);
	ck_assert_uint_eq(r.ip.s_addr, 0);
	ck_assert_uint_eq(r.n_routes, 0);
	ck_assert_uint_eq(r.prefix6.len, 0);
	ck_assert_uint_eq(r.pd.len, 0);
	ck_assert_uint_eq(r.session_timeout, 0);
	ck_assert_str_eq(r.filter_id, "");
	ck_assert(!r.has_rate);
	ck_assert_ptr_nonnull(strstr(r.bad[0], "Framed-IP-Address: "));
	ck_assert_ptr_nonnull(strstr(r.bad[3], "Framed-Route: "));
	ck_assert_ptr_nonnull(strstr(r.bad[3], "host bits"));
}
END_TEST

START_TEST(test_reply_unknown_named)
{
	const struct tg_rad_attr v[] = {
		A(200, "x"),
		V(9, 1, "cisco-avpair"),
	};
	struct tg_rad_reply r;

	tg_rad_reply_parse(v, 2, &r);
	ck_assert_uint_eq(r.n_bad, 2);
	ck_assert_str_eq(r.bad[0], "Attr-200: not applied by this NAS");
	ck_assert_str_eq(r.bad[1], "Vendor-9-Attr-1: unknown vendor attribute");
}
END_TEST

START_TEST(test_reply_mikrotik_bursts)
{
	/* rx/tx, bursts, thresholds, times: 1M more for 8 s down = 1 MB. */
	const struct tg_rad_attr v[] = {
		V(TG_RAD_VENDOR_MIKROTIK, TG_RAD_MIKROTIK_RATE_LIMIT,
		  "\"1M/4M 2M/5M 900k/3M 8/8\""),
	};
	struct tg_rad_reply r;

	tg_rad_reply_parse(v, 1, &r);
	ck_assert_uint_eq(r.n_bad, 0);
	ck_assert_uint_eq(r.up, 1000000);
	ck_assert_uint_eq(r.down, 4000000);
	ck_assert(r.has_burst);
	ck_assert_uint_eq(r.burst, 1000000);
}
END_TEST

START_TEST(test_reply_wispr)
{
	const struct tg_rad_attr w[] = {
		V(TG_RAD_VENDOR_WISPR, TG_RAD_WISPR_MAX_UP, "\x00\x0f\x42\x40"),
		V(TG_RAD_VENDOR_WISPR, TG_RAD_WISPR_MAX_DOWN, "\x00\x4c\x4b\x40"),
	};
	const struct tg_rad_attr both[] = {
		V(TG_RAD_VENDOR_MIKROTIK, TG_RAD_MIKROTIK_RATE_LIMIT, "2M/2M"),
		V(TG_RAD_VENDOR_WISPR, TG_RAD_WISPR_MAX_UP, "\x00\x0f\x42\x40"),
	};
	struct tg_rad_reply r;

	tg_rad_reply_parse(w, 2, &r);
	ck_assert(r.has_rate);
	ck_assert_uint_eq(r.up, 1000000);
	ck_assert_uint_eq(r.down, 5000000);
	/* Mikrotik-Rate-Limit wins, as on RouterOS. */
	tg_rad_reply_parse(both, 2, &r);
	ck_assert_uint_eq(r.up, 2000000);
	ck_assert_uint_eq(r.down, 2000000);
}
END_TEST

static sqlite3 *rs_db(void)
{
	sqlite3 *db;

	ck_assert_int_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
	ck_assert_int_eq(tg_db_create_version(db, TG_DB_VERSION), 0);
	return db;
}

START_TEST(test_settings_defaults_and_checks)
{
	struct tg_lns_settings lns;
	struct tg_radius_settings s;
	char err[256], buf[TG_RADIUS_VALUE_MAX + 1];
	sqlite3 *db = rs_db();

	ck_assert_int_eq(tg_db_setting_set(db, "lns", "192.0.2.1"), 0);
	ck_assert_int_eq(tg_lns_settings_load(db, &lns, err, sizeof(err)), 0);
	ck_assert_int_eq(tg_radius_settings_load(db, &lns, &s, err, sizeof(err)), 0);
	ck_assert_int_eq(s.aaa, TG_AAA_LOCAL);
	ck_assert(!s.accounting);
	ck_assert_uint_eq(s.timeout_s, 3);
	ck_assert_uint_eq(s.retries, 2);
	ck_assert_uint_eq(s.interim_s, 600);
	ck_assert_str_eq(s.nas_identifier, "tungate");
	ck_assert_str_eq(inet_ntoa(s.nas_ip), "192.0.2.1");

	ck_assert_int_eq(tg_db_setting_set(db, "aaa", "radius"), 0);
	ck_assert_int_eq(tg_radius_settings_load(db, &lns, &s, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "radius_servers"));
	ck_assert_int_eq(tg_db_setting_set(db, "radius_servers",
					   "192.0.2.5,radius.example:1645"), 0);
	ck_assert_int_eq(tg_radius_settings_load(db, &lns, &s, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "radius_secret"));
	ck_assert_int_eq(tg_db_setting_set(db, "radius_secret", "s3cret"), 0);
	ck_assert_int_eq(tg_radius_settings_load(db, &lns, &s, err, sizeof(err)), 0);
	ck_assert(s.accounting);
	ck_assert_uint_eq(s.n_auth, 2);
	ck_assert_uint_eq(s.auth[0].port, 1812);
	ck_assert_uint_eq(s.auth[1].port, 1645);
	ck_assert_uint_eq(s.acct[0].port, 1813);
	ck_assert_uint_eq(s.acct[1].port, 1646);
	/* Names cannot be matched against a request's source. */
	ck_assert_uint_eq(s.n_dae_clients, 1);
	tg_radius_setting_show(&s, "radius_secret", buf, sizeof(buf));
	ck_assert_str_eq(buf, "(set)");
	tg_radius_setting_show(&s, "radius_dae", buf, sizeof(buf));
	ck_assert_str_eq(buf, "off");

	ck_assert_int_eq(tg_radius_setting_parse("radius_interim", "30", buf,
						 sizeof(buf), err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(tg_radius_setting_parse("radius_interim", "0", buf,
						 sizeof(buf), err, sizeof(err)), 0);
	ck_assert_int_eq(tg_radius_setting_parse("radius_timeout", "0", buf,
						 sizeof(buf), err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(tg_radius_setting_parse("radius_servers", "a b", buf,
						 sizeof(buf), err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(tg_radius_setting_parse("radius_servers", "h:0", buf,
						 sizeof(buf), err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(tg_radius_setting_parse("radius_servers",
						 "1,2,3,4,5,6,7,8,9", buf,
						 sizeof(buf), err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(tg_radius_setting_parse("radius_dae", "192.0.2.1:3799",
						 buf, sizeof(buf), err,
						 sizeof(err)), 0);
	ck_assert_int_eq(tg_radius_setting_parse("radius_dae", "host", buf,
						 sizeof(buf), err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(tg_radius_setting_parse("radius_dae_clients",
						 "192.0.2.1,x", buf, sizeof(buf),
						 err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(tg_radius_setting_parse("aaa", "ldap", buf, sizeof(buf),
						 err, sizeof(err)), -EINVAL);
	sqlite3_close(db);
}
END_TEST

START_TEST(test_acct_session_id)
{
	uint8_t salt[16], again[16], other[16] = { 1 };
	char a[TG_ACCT_SESSION_ID_LEN + 1], b[TG_ACCT_SESSION_ID_LEN + 1];
	sqlite3 *db = rs_db();
	size_t i;

	ck_assert_int_eq(tg_db_acct_salt(db, salt), 0);
	ck_assert_int_eq(tg_db_acct_salt(db, again), 0);
	ck_assert_mem_eq(salt, again, 16);
	tg_acct_session_id(salt, 1700000000, 7, 9, a);
	ck_assert_uint_eq(strlen(a), 16);
	for (i = 0; i < 16; i++)
		ck_assert(strchr("0123456789abcdef", a[i]));
	tg_acct_session_id(salt, 1700000000, 7, 9, b);
	ck_assert_str_eq(a, b);
	tg_acct_session_id(salt, 1700000000, 7, 10, b);
	ck_assert_str_ne(a, b);
	tg_acct_session_id(salt, 1700000001, 7, 9, b);
	ck_assert_str_ne(a, b);
	tg_acct_session_id(other, 1700000000, 7, 9, b);
	ck_assert_str_ne(a, b);
	sqlite3_close(db);
}
END_TEST

START_TEST(test_name_from_user)
{
	char b[TG_NAME_MAX + 1];

	ck_assert_int_eq(tg_name_from_user("alice@exo.cat", b, sizeof(b)), 0);
	ck_assert_str_eq(b, "alice_exo.cat");
	ck_assert_int_eq(tg_name_from_user("a b/c", b, sizeof(b)), 0);
	ck_assert_str_eq(b, "a-b-c");
	ck_assert_int_eq(tg_name_from_user("help", b, sizeof(b)), -EINVAL);
}
END_TEST

Suite *radius_suite(void)
{
	Suite *s = suite_create("radius");
	TCase *tr = tcase_create("reply");
	TCase *ts = tcase_create("settings");

	tcase_add_test(tr, test_reply_every_attribute);
	tcase_add_test(tr, test_reply_malformed);
	tcase_add_test(tr, test_reply_unknown_named);
	tcase_add_test(tr, test_reply_mikrotik_bursts);
	tcase_add_test(tr, test_reply_wispr);
	suite_add_tcase(s, tr);
	tcase_add_test(ts, test_settings_defaults_and_checks);
	tcase_add_test(ts, test_acct_session_id);
	tcase_add_test(ts, test_name_from_user);
	suite_add_tcase(s, ts);
	return s;
}
