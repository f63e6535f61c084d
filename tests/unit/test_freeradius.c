// SPDX-License-Identifier: GPL-2.0-only
/*
 * freeradius suite: the Mikrotik-Rate-Limit parser, member names, and
 * how FreeRADIUS rows (operators, groups, Fall-Through) become members.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/freeradius_map.h"
#include "util/mikrotik_rate.h"

static struct tg_mt_rate rate_ok(const char *s)
{
	struct tg_mt_rate r;
	char err[256] = "";

	ck_assert_msg(!tg_mt_rate_parse(s, &r, err, sizeof(err)),
		      "'%s' refused: %s", s, err);
	return r;
}

static void rate_refused(const char *s, const char *why)
{
	struct tg_mt_rate r;
	char err[256] = "";

	ck_assert_msg(tg_mt_rate_parse(s, &r, err, sizeof(err)) == -EINVAL,
		      "'%s' accepted", s);
	ck_assert_msg(strstr(err, why), "'%s': cause '%s', expected '%s'", s,
		      err, why);
}

START_TEST(test_rate_forms)
{
	struct tg_mt_rate r;

	/* rx is the client's upload, tx its download. */
	r = rate_ok("5M/20M");
	ck_assert_uint_eq(r.rx, 5000000);
	ck_assert_uint_eq(r.tx, 20000000);
	ck_assert_uint_eq(r.fields, 1);
	ck_assert(!tg_mt_rate_extras(&r));
	/* One rate: both ways. */
	r = rate_ok("128k");
	ck_assert_uint_eq(r.rx, 128000);
	ck_assert_uint_eq(r.tx, 128000);
	r = rate_ok("64k/128M");
	ck_assert_uint_eq(r.rx, 64000);
	ck_assert_uint_eq(r.tx, 128000000);
	r = rate_ok("1G/2g");
	ck_assert_uint_eq(r.rx, 1000000000);
	ck_assert_uint_eq(r.tx, 2000000000);
	r = rate_ok("512000/1024000");
	ck_assert_uint_eq(r.rx, 512000);
	ck_assert_uint_eq(r.tx, 1024000);
	r = rate_ok("\"2m/8K\"");
	ck_assert_uint_eq(r.rx, 2000000);
	ck_assert_uint_eq(r.tx, 8000);
	r = rate_ok("  0/10M  ");
	ck_assert_uint_eq(r.rx, 0);
	ck_assert_uint_eq(r.tx, 10000000);
}
END_TEST

START_TEST(test_rate_bursts)
{
	struct tg_mt_rate r;

	r = rate_ok("5M/20M 10M/40M 4M/16M 8/8");
	ck_assert_uint_eq(r.fields, 4);
	ck_assert_uint_eq(r.rx_burst, 10000000);
	ck_assert_uint_eq(r.tx_burst, 40000000);
	ck_assert_uint_eq(r.rx_threshold, 4000000);
	ck_assert_uint_eq(r.tx_threshold, 16000000);
	ck_assert_uint_eq(r.rx_time, 8);
	ck_assert_uint_eq(r.tx_time, 8);
	ck_assert(tg_mt_rate_extras(&r));
	r = rate_ok("384k/1536k 0/0 0/0 0/0 5 96k/384k");
	ck_assert_uint_eq(r.fields, 6);
	ck_assert_uint_eq(r.priority, 5);
	ck_assert_uint_eq(r.rx_min, 96000);
	ck_assert_uint_eq(r.tx_min, 384000);
	ck_assert(tg_mt_rate_extras(&r));
	r = rate_ok("1M 2M 1M 10s");
	ck_assert_uint_eq(r.rx_burst, 2000000);
	ck_assert_uint_eq(r.tx_burst, 2000000);
	ck_assert_uint_eq(r.rx_time, 10);
	/* Zero bursts ask for nothing more. */
	r = rate_ok("1M/2M 0/0");
	ck_assert(!tg_mt_rate_extras(&r));
}
END_TEST

START_TEST(test_rate_malformed)
{
	rate_refused("", "empty");
	rate_refused("\"\"", "empty");
	rate_refused("5X/20M", "rate '5X/20M': must be bits/s");
	rate_refused("5M/20M/30M", "rate '5M/20M/30M'");
	rate_refused("M", "rate 'M'");
	rate_refused("5M/", "rate '5M/'");
	rate_refused("/5M", "rate '/5M'");
	rate_refused("-5M", "rate '-5M'");
	rate_refused("1.5M", "rate '1.5M'");
	rate_refused("5M/20M 10M/x", "burst rate '10M/x'");
	rate_refused("5M/20M 0/0 0/0 1m/1", "burst time '1m/1': must be seconds");
	rate_refused("5M/20M 0/0 0/0 0/0 9", "priority '9': must be 1..8");
	rate_refused("384k/1536k 0/0 0/0 0/0 96k/384k", "priority '96k/384k'");
	rate_refused("1M 1M 1M 1 1 1M 1M", "more than the six parts");
	rate_refused("999999999999G", "rate '999999999999G'");
}
END_TEST

START_TEST(test_rate_format)
{
	char b[32];

	tg_mt_rate_format(5000000, b, sizeof(b));
	ck_assert_str_eq(b, "5M");
	tg_mt_rate_format(512000, b, sizeof(b));
	ck_assert_str_eq(b, "512k");
	tg_mt_rate_format(1500000, b, sizeof(b));
	ck_assert_str_eq(b, "1500k");
	tg_mt_rate_format(2000000000, b, sizeof(b));
	ck_assert_str_eq(b, "2G");
	tg_mt_rate_format(1234, b, sizeof(b));
	ck_assert_str_eq(b, "1234");
	tg_mt_rate_format(0, b, sizeof(b));
	ck_assert_str_eq(b, "0");
}
END_TEST

START_TEST(test_member_name)
{
	char b[TG_NAME_MAX + 2], lng[80];

	ck_assert_int_eq(tg_name_from_user("alice@exo.cat", b, sizeof(b)), 0);
	ck_assert_str_eq(b, "alice_exo.cat");
	ck_assert_int_eq(tg_name_from_user("_x", b, sizeof(b)), 0);
	ck_assert_str_eq(b, "u_x");
	ck_assert_int_eq(tg_name_from_user("a b/c", b, sizeof(b)), 0);
	ck_assert_str_eq(b, "a-b-c");
	memset(lng, 'a', 70);
	lng[70] = '\0';
	ck_assert_int_eq(tg_name_from_user(lng, b, sizeof(b)), -EINVAL);
	ck_assert_int_eq(tg_name_from_user("", b, sizeof(b)), -EINVAL);
}
END_TEST

/* A source built row by row: table, user or group, attribute, op, value. */
static struct fr_source src;

static void row(enum fr_table t, const char *name, const char *attr,
		const char *op, const char *value, long long prio)
{
	struct fr_row *r;

	src.rows = realloc(src.rows, (src.n + 1) * sizeof(*src.rows));
	ck_assert_ptr_nonnull(src.rows);
	r = &src.rows[src.n++];
	r->table = t;
	r->id = src.n;
	r->priority = prio;
	r->name = strdup(name);
	r->attr = strdup(attr);
	r->op = strdup(op);
	r->value = strdup(value);
}

static const struct fr_member *member(const struct fr_map *m, const char *user)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (!strcmp(m->m[i].s.user, user))
			return &m->m[i];
	return NULL;
}

static bool listed(const struct bad_rows *b, const char *text)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		if (strstr(b->msg[i], text))
			return true;
	return false;
}

START_TEST(test_map_semantics)
{
	struct bad_rows bad = {};
	const struct fr_member *m;
	struct fr_map map;
	char pfx[64];

	memset(&src, 0, sizeof(src));
	/* ':=' replaces, '=' keeps what is there, '+=' adds. */
	row(FR_RADCHECK, "a", "Cleartext-Password", "=", "first", 0);
	row(FR_RADCHECK, "a", "Cleartext-Password", "=", "second", 0);
	row(FR_RADREPLY, "a", "Framed-IP-Address", "=", "100.64.0.1", 0);
	row(FR_RADREPLY, "a", "Framed-Route", "+=", "192.0.2.0/28 0.0.0.0 1", 0);
	row(FR_RADREPLY, "a", "Framed-Route", "+=", "192.0.2.32/28", 0);
	row(FR_RADREPLY, "a", "Framed-IPv6-Prefix", "=", "2001:db8:1::/64", 0);
	row(FR_RADREPLY, "a", "Delegated-IPv6-Prefix", "=", "2001:db8:2::/56", 0);
	row(FR_RADREPLY, "a", "Framed-MTU", "=", "1492", 0);
	row(FR_RADCHECK, "b", "Cleartext-Password", ":=", "x", 0);
	row(FR_RADCHECK, "b", "Cleartext-Password", ":=", "y", 0);
	row(FR_RADREPLY, "b", "Framed-IP-Address", "=", "100.64.0.2", 0);
	/* The user's own rate wins over its group's '='... */
	row(FR_RADREPLY, "b", "Mikrotik-Rate-Limit", "=", "1M/4M", 0);
	row(FR_RADUSERGROUP, "b", "", "", "gold", 1);
	/* WISPr rates in bits/s, when no Mikrotik-Rate-Limit is there. */
	row(FR_RADCHECK, "j", "Cleartext-Password", ":=", "x", 0);
	row(FR_RADREPLY, "j", "Framed-IP-Address", "=", "100.64.0.10", 0);
	row(FR_RADREPLY, "j", "WISPr-Bandwidth-Max-Up", "=", "1000000", 0);
	row(FR_RADREPLY, "j", "WISPr-Bandwidth-Max-Down", "=", "4000000", 0);
	row(FR_RADCHECK, "k", "Cleartext-Password", ":=", "x", 0);
	row(FR_RADREPLY, "k", "Framed-IP-Address", "=", "100.64.0.11", 0);
	row(FR_RADREPLY, "k", "WISPr-Bandwidth-Max-Down", "=", "7000000", 0);
	row(FR_RADUSERGROUP, "k", "", "", "gold", 1);
	/* ...but not over ':='. */
	row(FR_RADCHECK, "c", "Cleartext-Password", ":=", "x", 0);
	row(FR_RADREPLY, "c", "Framed-IP-Address", "=", "100.64.0.3", 0);
	row(FR_RADREPLY, "c", "Mikrotik-Rate-Limit", "=", "1M/1M", 0);
	row(FR_RADUSERGROUP, "c", "", "", "forced", 1);
	row(FR_RADGROUPREPLY, "forced", "Mikrotik-Rate-Limit", ":=", "3M/9M", 0);
	row(FR_RADGROUPREPLY, "gold", "Mikrotik-Rate-Limit", "=", "5M/20M", 0);
	/* Groups by priority; the second only after Fall-Through = Yes. */
	row(FR_RADCHECK, "d", "Cleartext-Password", ":=", "x", 0);
	row(FR_RADREPLY, "d", "Framed-IP-Address", "=", "100.64.0.4", 0);
	row(FR_RADUSERGROUP, "d", "", "", "silver", 2);
	row(FR_RADUSERGROUP, "d", "", "", "gold", 1);
	row(FR_RADCHECK, "e", "Cleartext-Password", ":=", "x", 0);
	row(FR_RADREPLY, "e", "Framed-IP-Address", "=", "100.64.0.5", 0);
	row(FR_RADUSERGROUP, "e", "", "", "first", 1);
	row(FR_RADUSERGROUP, "e", "", "", "silver", 2);
	row(FR_RADGROUPREPLY, "first", "Fall-Through", "=", "Yes", 0);
	row(FR_RADGROUPREPLY, "first", "Session-Timeout", "=", "3600", 0);
	row(FR_RADGROUPREPLY, "silver", "Mikrotik-Rate-Limit", "=", "2M/8M", 0);
	/* Not members: hashed password, a pool address, no password. */
	row(FR_RADCHECK, "f", "NT-Password", ":=", "0123", 0);
	row(FR_RADREPLY, "f", "Framed-IP-Address", "=", "100.64.0.6", 0);
	row(FR_RADCHECK, "g", "Cleartext-Password", ":=", "x", 0);
	row(FR_RADREPLY, "g", "Framed-IP-Address", "=", "255.255.255.254", 0);
	row(FR_RADREPLY, "h", "Framed-IP-Address", "=", "100.64.0.8", 0);
	/* Disabled, a condition, a comparison in a reply. */
	row(FR_RADCHECK, "i", "Cleartext-Password", ":=", "x", 0);
	row(FR_RADCHECK, "i", "Auth-Type", ":=", "Reject", 0);
	row(FR_RADCHECK, "i", "NAS-IP-Address", "==", "192.0.2.1", 0);
	row(FR_RADREPLY, "i", "Framed-IP-Address", "=", "100.64.0.9", 0);
	row(FR_RADREPLY, "i", "Framed-MTU", "==", "1500", 0);

	ck_assert_int_eq(fr_map(&src, &map, &bad), 0);
	ck_assert_uint_eq(bad.n, 0);
	ck_assert_uint_eq(map.nusers, 11);
	ck_assert_uint_eq(map.n, 8);

	m = member(&map, "a");
	ck_assert_ptr_nonnull(m);
	ck_assert_str_eq(m->s.password, "first");
	ck_assert_str_eq(m->s.note, FR_NOTE);
	ck_assert_uint_eq(m->s.nprefix, 5);
	tg_prefix_format(&m->s.prefix[0], pfx, sizeof(pfx));
	ck_assert_str_eq(pfx, "100.64.0.1/32");
	tg_prefix_format(&m->s.prefix[4], pfx, sizeof(pfx));
	ck_assert_str_eq(pfx, "2001:db8:2::/56");
	ck_assert(m->has_mtu);
	ck_assert_uint_eq(m->s.mtu, 1492);
	ck_assert(!m->has_rate);

	m = member(&map, "b");
	ck_assert_str_eq(m->s.password, "y");
	ck_assert(m->has_rate);
	ck_assert_uint_eq(m->up, 1000000);
	ck_assert_uint_eq(m->down, 4000000);
	ck_assert_ptr_null(m->group);
	m = member(&map, "j");
	ck_assert_uint_eq(m->up, 1000000);
	ck_assert_uint_eq(m->down, 4000000);
	ck_assert_ptr_null(m->group);
	/* The group's Mikrotik-Rate-Limit: the user's WISPr gives way. */
	m = member(&map, "k");
	ck_assert_uint_eq(m->down, 20000000);
	ck_assert_str_eq(m->group, "gold");
	ck_assert(listed(&map.unmapped, "Mikrotik-Rate-Limit takes precedence"));

	m = member(&map, "c");
	ck_assert_uint_eq(m->up, 3000000);
	ck_assert_uint_eq(m->down, 9000000);
	ck_assert_str_eq(m->group, "forced");

	m = member(&map, "d");
	ck_assert_str_eq(m->group, "gold");
	ck_assert_uint_eq(m->down, 20000000);
	ck_assert(listed(&map.unmapped, "group 'silver' of user 'd': not applied"));
	m = member(&map, "e");
	ck_assert_str_eq(m->group, "silver");
	ck_assert(listed(&map.unmapped, "Session-Timeout = 3600: not mapped"));

	ck_assert_ptr_null(member(&map, "f"));
	ck_assert(listed(&map.skipped, "NT-Password cannot be used for CHAP"));
	ck_assert_ptr_null(member(&map, "g"));
	ck_assert(listed(&map.skipped, "no fixed Framed-IP-Address"));
	ck_assert_ptr_null(member(&map, "h"));
	ck_assert(listed(&map.skipped, "no Cleartext-Password"));

	m = member(&map, "i");
	ck_assert(!m->s.enabled);
	ck_assert(!m->has_mtu);
	ck_assert(listed(&map.unmapped, "cannot evaluate: taken as met"));
	ck_assert(listed(&map.unmapped, "no meaning in a reply table"));

	fr_map_free(&map);
	bad_free(&bad);
	fr_source_free(&src);
}
END_TEST

START_TEST(test_map_bad_rows)
{
	struct bad_rows bad = {};
	struct fr_map map;

	memset(&src, 0, sizeof(src));
	row(FR_RADCHECK, "a", "Cleartext-Password", ":=", "x", 0);
	row(FR_RADREPLY, "a", "Framed-IP-Address", "=", "999.1.1.1", 0);
	row(FR_RADCHECK, "b", "Cleartext-Password", ":=", "x", 0);
	row(FR_RADREPLY, "b", "Framed-IP-Address", "=", "100.64.0.2", 0);
	row(FR_RADREPLY, "b", "Framed-Route", "=", "192.0.2.1/24", 0);
	row(FR_RADUSERGROUP, "b", "", "", "broken", 1);
	row(FR_RADCHECK, "c", "Cleartext-Password", ":=", "x", 0);
	row(FR_RADREPLY, "c", "Framed-IP-Address", "=", "100.64.0.3", 0);
	row(FR_RADUSERGROUP, "c", "", "", "broken", 1);
	row(FR_RADGROUPREPLY, "broken", "Mikrotik-Rate-Limit", "=", "5Q/20M", 0);

	ck_assert_int_eq(fr_map(&src, &map, &bad), 0);
	/* Each bad row once, however many users share it. */
	ck_assert_uint_eq(bad.n, 3);
	ck_assert(listed(&bad, "Framed-IP-Address '999.1.1.1': not an IPv4 address"));
	ck_assert(listed(&bad, "Framed-Route '192.0.2.1/24'"));
	ck_assert(listed(&bad, "Mikrotik-Rate-Limit '5Q/20M': rate '5Q/20M'"));
	ck_assert_uint_eq(map.n, 0);
	fr_map_free(&map);
	bad_free(&bad);
	fr_source_free(&src);
}
END_TEST

Suite *freeradius_suite(void)
{
	Suite *s = suite_create("freeradius");
	TCase *tc = tcase_create("rate");
	TCase *tm = tcase_create("map");

	tcase_add_test(tc, test_rate_forms);
	tcase_add_test(tc, test_rate_bursts);
	tcase_add_test(tc, test_rate_malformed);
	tcase_add_test(tc, test_rate_format);
	suite_add_tcase(s, tc);
	tcase_add_test(tm, test_member_name);
	tcase_add_test(tm, test_map_semantics);
	tcase_add_test(tm, test_map_bad_rows);
	suite_add_tcase(s, tm);
	return s;
}
