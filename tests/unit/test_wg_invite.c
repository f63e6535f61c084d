// SPDX-License-Identifier: GPL-2.0-only
/*
 * Invitations of WireGuard members: tokens (form, randomness, hash),
 * durations, single use and expiry as the database enforces them, the
 * pools' next free block.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/db.h"
#include "db/settings.h"
#include "db/wg_invite.h"

#define KEY "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="

static char tmpdir[64], dbpath[128];
static sqlite3 *db;

static void setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/tg-test-wginv.XXXXXX");
	ck_assert(mkdtemp(tmpdir));
	snprintf(dbpath, sizeof(dbpath), "%s/tungate.db", tmpdir);
	ck_assert_int_eq(tg_db_open(dbpath, true, &db), 0);
}

static void teardown(void)
{
	char cmd[128];

	tg_db_close(db);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(test_token)
{
	char a[TG_WG_TOKEN_LEN + 1], b[TG_WG_TOKEN_LEN + 1];
	char h[TG_WG_HASH_HEX + 1];

	ck_assert_int_eq(tg_wg_token_new(a), 0);
	ck_assert_int_eq(tg_wg_token_new(b), 0);
	ck_assert_uint_eq(strlen(a), TG_WG_TOKEN_LEN);
	ck_assert(tg_wg_token_wellformed(a));
	ck_assert(tg_wg_token_wellformed(b));
	ck_assert_str_ne(a, b);
	/* URL-safe: nothing a shell or a form would change. */
	ck_assert_uint_eq(strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
			  TG_WG_TOKEN_LEN);
	ck_assert(!tg_wg_token_wellformed(""));
	ck_assert(!tg_wg_token_wellformed("AAAAAAAAAAAAAAAAAAAAAAA"));
	ck_assert(!tg_wg_token_wellformed("AAAAAAAAAAAAAAAAAAAAAAAAA"));
	ck_assert(!tg_wg_token_wellformed("AAAAAAAAAAAAAAAAAAAAAAA+"));
	ck_assert(!tg_wg_token_wellformed("AAAAAAAAAAAAAAAAAAAAAAA="));
	/* SHA-256 of "abc" (FIPS 180-2's example). */
	tg_wg_token_hash("abc", h);
	ck_assert_str_eq(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
END_TEST

START_TEST(test_duration)
{
	__s64 s;

	ck_assert_int_eq(tg_wg_duration_parse("7d", &s), 0);
	ck_assert_int_eq(s, 7 * 86400);
	ck_assert_int_eq(tg_wg_duration_parse("12h", &s), 0);
	ck_assert_int_eq(s, 12 * 3600);
	ck_assert_int_eq(tg_wg_duration_parse("1m", &s), 0);
	ck_assert_int_eq(s, 60);
	ck_assert_int_eq(tg_wg_duration_parse("90", &s), 0);
	ck_assert_int_eq(s, 90);
	ck_assert_int_eq(tg_wg_duration_parse("366d", &s), 0);
	ck_assert_int_eq(tg_wg_duration_parse("367d", &s), -EINVAL);
	ck_assert_int_eq(tg_wg_duration_parse("2s", &s), 0);
	ck_assert_int_eq(s, 2);
	ck_assert_int_eq(tg_wg_duration_parse("0s", &s), -EINVAL);
	ck_assert_int_eq(tg_wg_duration_parse("0d", &s), -EINVAL);
	ck_assert_int_eq(tg_wg_duration_parse("1w", &s), -EINVAL);
	ck_assert_int_eq(tg_wg_duration_parse("d", &s), -EINVAL);
	ck_assert_int_eq(tg_wg_duration_parse("1dd", &s), -EINVAL);
	ck_assert_int_eq(tg_wg_duration_parse("-1d", &s), -EINVAL);
}
END_TEST

static void invite(const char *name, const char *token, const char *pfx,
		   __s64 created, __s64 expires)
{
	struct tg_wg_invite iv = { .created = created, .expires = expires };
	char h[TG_WG_HASH_HEX + 1], err[96];

	snprintf(iv.name, sizeof(iv.name), "%s", name);
	snprintf(iv.cls, sizeof(iv.cls), "default");
	ck_assert_int_eq(tg_prefix_parse(pfx, &iv.prefix[0], err, sizeof(err)), 0);
	iv.nprefix = 1;
	tg_wg_token_hash(token, h);
	ck_assert_int_eq(tg_db_wg_invite_add(db, &iv, h), 0);
}

START_TEST(test_single_use_and_expiry)
{
	char h[TG_WG_HASH_HEX + 1], t1[TG_WG_TOKEN_LEN + 1], t2[TG_WG_TOKEN_LEN + 1];
	struct tg_wg_invite iv, *v;
	__s64 now = time(NULL);
	size_t n;

	ck_assert_int_eq(tg_wg_token_new(t1), 0);
	ck_assert_int_eq(tg_wg_token_new(t2), 0);
	invite("m1", t1, "100.64.8.0/32", now, now + 3600);
	invite("m2", t2, "100.64.8.1/32", now - 7200, now - 3600);
	/* A name has one invitation. */
	{
		struct tg_wg_invite d = { .created = now, .expires = now + 1,
					  .nprefix = 1 };
		char err[96];

		snprintf(d.name, sizeof(d.name), "m1");
		snprintf(d.cls, sizeof(d.cls), "default");
		tg_prefix_parse("100.64.9.0/32", &d.prefix[0], err, sizeof(err));
		tg_wg_token_hash("other", h);
		ck_assert_int_eq(tg_db_wg_invite_add(db, &d, h), -EEXIST);
	}
	/* Found by the hash only: the token itself is nowhere. */
	tg_wg_token_hash(t1, h);
	ck_assert_int_eq(tg_db_wg_invite_find(db, h, &iv), 0);
	ck_assert_str_eq(iv.name, "m1");
	ck_assert_int_eq(iv.used, 0);
	ck_assert_int_eq(tg_db_wg_invite_find(db, t1, &iv), -ENOENT);
	{
		long long c = 0;
		sqlite3_stmt *st;

		ck_assert_int_eq(sqlite3_prepare_v2(db,
			"SELECT count(*) FROM wg_invite WHERE instr(token_hash || name || prefixes, ?) > 0",
			-1, &st, NULL), SQLITE_OK);
		sqlite3_bind_text(st, 1, t1, -1, SQLITE_STATIC);
		ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
		c = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		ck_assert_int_eq(c, 0);
	}
	/* Once, then never again. */
	ck_assert_int_eq(tg_db_wg_invite_use(db, h, KEY, now), 0);
	ck_assert_int_eq(tg_db_wg_invite_use(db, h, KEY, now), -ESTALE);
	ck_assert_int_eq(tg_db_wg_invite_find(db, h, &iv), 0);
	ck_assert_int_eq(iv.used, now);
	ck_assert_str_eq(iv.used_key, KEY);
	/* Expired: refused, left unused. */
	tg_wg_token_hash(t2, h);
	ck_assert_int_eq(tg_db_wg_invite_use(db, h, KEY, now), -ESTALE);
	ck_assert_int_eq(tg_db_wg_invite_find(db, h, &iv), 0);
	ck_assert_int_eq(iv.used, 0);
	/* Not yet expired at the last second before it. */
	ck_assert_int_eq(tg_db_wg_invite_use(db, h, KEY, now - 3601), 0);
	/* Unknown. */
	tg_wg_token_hash("forged", h);
	ck_assert_int_eq(tg_db_wg_invite_use(db, h, KEY, now), -ESTALE);
	ck_assert_int_eq(tg_db_wg_invite_find(db, h, &iv), -ENOENT);

	ck_assert_int_eq(tg_db_wg_invite_list(db, &v, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(v[0].name, "m1");
	ck_assert_str_eq(v[1].name, "m2");
	free(v);
	ck_assert_int_eq(tg_db_wg_invite_del(db, "m1"), 0);
	ck_assert_int_eq(tg_db_wg_invite_del(db, "m1"), -ENOENT);
}
END_TEST

static void pool_next(const char *pool, unsigned int share, const char *want)
{
	char err[96], got[TG_PREFIX_STRLEN];
	struct tg_prefix p, o;

	ck_assert_int_eq(tg_prefix_parse(pool, &p, err, sizeof(err)), 0);
	if (!want) {
		ck_assert_int_eq(tg_db_wg_pool_next(db, &p, share, &o), -ENOSPC);
		return;
	}
	ck_assert_int_eq(tg_db_wg_pool_next(db, &p, share, &o), 0);
	tg_prefix_format(&o, got, sizeof(got));
	ck_assert_str_eq(got, want);
}

START_TEST(test_pool)
{
	__s64 now = time(NULL);

	pool_next("100.64.8.0/30", 32, "100.64.8.0/32");
	pool_next("2001:db8:ff::/62", 64, "2001:db8:ff::/64");
	ck_assert_int_eq(tg_db_exec(db,
		"INSERT INTO subscriber(name, type, mtu, dp_id, wg_public_key)"
		" VALUES ('s1', 'wireguard', 1400, 1, '" KEY "');"
		"INSERT INTO prefix VALUES (1, '100.64.8.0/31');"
		"INSERT INTO prefix VALUES (1, '2001:db8:ff::/64');"
		"INSERT INTO prefix VALUES (1, '2001:db8:ff:1::80/121');"), 0);
	/* Past a block holding it, past one it holds. */
	pool_next("100.64.8.0/30", 32, "100.64.8.2/32");
	pool_next("2001:db8:ff::/62", 64, "2001:db8:ff:2::/64");
	/* An unused invitation's prefix is taken, an expired one's free. */
	invite("i1", "t1", "100.64.8.2/32", now, now + 60);
	invite("i2", "t2", "100.64.8.3/32", now - 120, now - 60);
	pool_next("100.64.8.0/30", 32, "100.64.8.3/32");
	invite("i3", "t3", "100.64.8.3/32", now, now + 60);
	pool_next("100.64.8.0/30", 32, NULL);
	/* An anycast prefix is taken too. */
	ck_assert_int_eq(tg_db_setting_set(db, "anycast", "2001:db8:ff:2::1/128"), 0);
	pool_next("2001:db8:ff::/62", 64, "2001:db8:ff:3::/64");
	/* The last block of the address space. */
	pool_next("255.255.255.254/31", 32, "255.255.255.254/32");
}
END_TEST

Suite *wg_invite_suite(void)
{
	Suite *s = suite_create("wg_invite");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_token);
	tcase_add_test(tc, test_duration);
	tcase_add_test(tc, test_single_use_and_expiry);
	tcase_add_test(tc, test_pool);
	suite_add_tcase(s, tc);
	return s;
}
