// SPDX-License-Identifier: GPL-2.0-only
/* addr suite: prefix parsing, host bits, overlap, canonical text. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "util/addr.h"

/* Parse s, which must succeed, and return its canonical text. */
static const char *canon(const char *s)
{
	static char buf[TG_PREFIX_STRLEN];
	struct tg_prefix p;
	char err[64] = "";

	ck_assert_msg(!tg_prefix_parse(s, &p, err, sizeof(err)),
		      "'%s' refused: %s", s, err);
	tg_prefix_format(&p, buf, sizeof(buf));
	return buf;
}

/* Parse s, which must fail with a cause containing why. */
static void refused(const char *s, const char *why)
{
	struct tg_prefix p;
	char err[64] = "";

	ck_assert_msg(tg_prefix_parse(s, &p, err, sizeof(err)) == -EINVAL,
		      "'%s' accepted", s);
	ck_assert_msg(strstr(err, why), "'%s': cause '%s', expected '%s'", s,
		      err, why);
}

static struct tg_prefix pfx(const char *s)
{
	struct tg_prefix p;
	char err[64];

	ck_assert(!tg_prefix_parse(s, &p, err, sizeof(err)));
	return p;
}

START_TEST(test_ipv4_parse)
{
	struct tg_prefix p;
	char err[64];

	ck_assert(!tg_prefix_parse("192.0.2.16/28", &p, err, sizeof(err)));
	ck_assert_int_eq(p.family, AF_INET);
	ck_assert_int_eq(p.len, 28);
	ck_assert_int_eq(p.addr[0], 192);
	ck_assert_int_eq(p.addr[3], 16);
	ck_assert_str_eq(canon("192.0.2.16/28"), "192.0.2.16/28");
	ck_assert_str_eq(canon("198.51.100.7"), "198.51.100.7/32");
	ck_assert_str_eq(canon("0.0.0.0/0"), "0.0.0.0/0");
	ck_assert_str_eq(canon("203.0.113.255/32"), "203.0.113.255/32");
	ck_assert_str_eq(canon("100.64.0.0/10"), "100.64.0.0/10");
}
END_TEST

START_TEST(test_ipv6_parse)
{
	struct tg_prefix p;
	char err[64];

	ck_assert(!tg_prefix_parse("2001:db8::/32", &p, err, sizeof(err)));
	ck_assert_int_eq(p.family, AF_INET6);
	ck_assert_int_eq(p.len, 32);
	/* Canonical text is RFC 5952: lower case, longest zero run as ::. */
	ck_assert_str_eq(canon("2001:DB8:0:0:0:0:0:0/48"), "2001:db8::/48");
	ck_assert_str_eq(canon("2001:0db8:0010:0000::/64"), "2001:db8:10::/64");
	ck_assert_str_eq(canon("2001:db8:0:0:1:0:0:0/80"), "2001:db8:0:0:1::/80");
	ck_assert_str_eq(canon("2001:db8:0:0:1:0:0:1"), "2001:db8::1:0:0:1/128");
	ck_assert_str_eq(canon("2001:db8::1"), "2001:db8::1/128");
	ck_assert_str_eq(canon("::/0"), "::/0");
	ck_assert_str_eq(canon("2001:db8:1:2:3:4:5:6/128"),
			 "2001:db8:1:2:3:4:5:6/128");
}
END_TEST

START_TEST(test_host_bits)
{
	refused("192.0.2.1/24", "host bits set");
	refused("192.0.2.17/28", "host bits set");
	refused("100.64.0.1/31", "host bits set");
	refused("2001:db8::1/64", "host bits set");
	refused("2001:db8:8000::/32", "host bits set");
	refused("2001:db8::1/127", "host bits set");
	ck_assert_str_eq(canon("100.64.0.2/31"), "100.64.0.2/31");
	ck_assert_str_eq(canon("2001:db8::2/127"), "2001:db8::2/127");
}
END_TEST

START_TEST(test_garbage)
{
	refused("", "not an IPv4 or IPv6");
	refused("/24", "not an IPv4 or IPv6");
	refused("hello", "not an IPv4 or IPv6");
	refused("192.0.2/24", "not an IPv4 or IPv6");
	refused("192.0.2.0.1/24", "not an IPv4 or IPv6");
	refused("192.0.2.256/32", "not an IPv4 or IPv6");
	refused("192.0.2.01/32", "not an IPv4 or IPv6");
	refused(" 192.0.2.0/24", "not an IPv4 or IPv6");
	refused("2001:db8:::/48", "not an IPv4 or IPv6");
	refused("2001:db8::g/128", "not an IPv4 or IPv6");
	refused("192.0.2.0/33", "prefix length must be 0..32");
	refused("192.0.2.0/", "prefix length");
	refused("192.0.2.0/-1", "prefix length");
	refused("192.0.2.0/024", "prefix length");
	refused("192.0.2.0/24x", "prefix length");
	refused("192.0.2.0/24/1", "prefix length");
	refused("192.0.2.0/ 24", "prefix length");
	refused("2001:db8::/129", "prefix length must be 0..128");
	refused("2001:db8::/4294967344", "prefix length");
}
END_TEST

START_TEST(test_overlap)
{
	struct tg_prefix a = pfx("192.0.2.0/24"), b = pfx("192.0.2.128/25");
	struct tg_prefix c = pfx("192.0.3.0/24"), d = pfx("2001:db8::/32");
	struct tg_prefix e = pfx("2001:db8:1::/48"), f = pfx("2001:db9::/32");
	struct tg_prefix g = pfx("0.0.0.0/0"), h = pfx("192.0.2.0/24");
	struct tg_prefix i = pfx("::ffff:192.0.2.0/120");

	ck_assert(tg_prefix_overlap(&a, &b));
	ck_assert(tg_prefix_overlap(&b, &a));
	ck_assert(!tg_prefix_overlap(&a, &c));
	ck_assert(!tg_prefix_overlap(&b, &c));
	ck_assert(tg_prefix_overlap(&d, &e));
	ck_assert(!tg_prefix_overlap(&e, &f));
	ck_assert(!tg_prefix_overlap(&d, &f));
	ck_assert(tg_prefix_overlap(&g, &c));
	ck_assert(tg_prefix_overlap(&a, &h));
	/* Families never overlap, even an IPv4-mapped IPv6 prefix. */
	ck_assert(!tg_prefix_overlap(&a, &d));
	ck_assert(!tg_prefix_overlap(&a, &i));
	ck_assert(tg_prefix_equal(&a, &h));
	ck_assert(!tg_prefix_equal(&a, &b));
}
END_TEST

START_TEST(test_overlap_bit_boundary)
{
	struct tg_prefix a = pfx("100.64.0.0/10"), b = pfx("100.127.255.0/24");
	struct tg_prefix c = pfx("100.128.0.0/24"), d = pfx("100.63.255.0/24");

	ck_assert(tg_prefix_overlap(&a, &b));
	ck_assert(!tg_prefix_overlap(&a, &c));
	ck_assert(!tg_prefix_overlap(&a, &d));
}
END_TEST

START_TEST(test_ip4)
{
	char buf[16];
	__be32 a;

	ck_assert(!tg_ip4_parse("198.51.100.1", &a));
	ck_assert_uint_eq(a, htonl(0xc6336401));
	tg_ip4_format(a, buf, sizeof(buf));
	ck_assert_str_eq(buf, "198.51.100.1");
	ck_assert(tg_ip4_parse("198.51.100", &a));
	ck_assert(tg_ip4_parse("198.51.100.1/32", &a));
	ck_assert(tg_ip4_parse("2001:db8::1", &a));
	ck_assert(tg_ip4_parse("", &a));
}
END_TEST

Suite *addr_suite(void)
{
	Suite *s = suite_create("addr");
	TCase *tc = tcase_create("prefix");

	tcase_add_test(tc, test_ipv4_parse);
	tcase_add_test(tc, test_ipv6_parse);
	tcase_add_test(tc, test_host_bits);
	tcase_add_test(tc, test_garbage);
	tcase_add_test(tc, test_overlap);
	tcase_add_test(tc, test_overlap_bit_boundary);
	tcase_add_test(tc, test_ip4);
	suite_add_tcase(s, tc);
	return s;
}
