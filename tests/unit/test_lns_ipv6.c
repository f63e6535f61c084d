// SPDX-License-Identifier: GPL-2.0-only
/*
 * A dial-in session's IPv6 (loader/lns/ipv6.c): the checksum against the
 * router advertisement and solicitation of the dial-in capture, our RA,
 * and DHCPv6 prefix delegation through Solicit, Request, Renew, Release
 * and Information-Request as odhcp6c sends them, with refusals and
 * mutated messages.
 */
#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "lns/ipv6.h"
#include "fuzz.h"
#include "l2tp_capture.h"

/* IPv6 packets inside frames 32 (RA from l2tpns) and 34 (RS from pppd). */
CAPTURED RA_L2TPNS[] =
	"6000000000303afffe800000000000000000000000000001ff0200000000000000"
	"00000000000001860001bd40c0ffff0000000000000000030440c000278d000009"
	"3a800000000020010db8006400000000000000000000";
CAPTURED RS_PPPD[] =
	"6000000000083afffe800000000000006440010200000000ff0200000000000000"
	"00000000000002850017f500000000";

static struct lns_ipv6 v;
static uint8_t out[1500];

static void setup(void)
{
	memset(&v, 0, sizeof(v));
	v.local_ifid[7] = 1;
	inet_pton(AF_INET6, "2001:db8:64::", &v.prefix);
	inet_pton(AF_INET6, "2001:db8:100::", &v.pd);
	v.pd_len = 56;
	inet_pton(AF_INET6, "2001:db8::53", &v.dns[0]);
	v.n_dns = 1;
	/* DUID-UUID (RFC 6355): type 4, then 16 bytes. */
	memcpy(v.duid, "\x00\x04tungate-test-uid", 18);
	v.duid_len = 18;
}

static bool csum_ok(const uint8_t *pkt)
{
	struct in6_addr s, d;

	memcpy(&s, pkt + 8, 16);
	memcpy(&d, pkt + 24, 16);
	return lns_ipv6_csum(&s, &d, pkt[6], pkt + 40,
			     (size_t)(pkt[4] << 8 | pkt[5])) == 0;
}

START_TEST(test_capture_checksums)
{
	uint8_t p[200];
	size_t n;

	n = load(RA_L2TPNS, p);
	ck_assert(csum_ok(p));
	ck_assert_int_eq(lns_ipv6_classify(p, n), LNS_V6_OTHER);
	n = load(RS_PPPD, p);
	ck_assert(csum_ok(p));
	ck_assert_int_eq(lns_ipv6_classify(p, n), LNS_V6_RS);
	p[45] ^= 1;
	ck_assert_int_eq(lns_ipv6_classify(p, n), LNS_V6_BAD);
	p[45] ^= 1;
	p[7] = 64;	/* an RS that crossed a router */
	ck_assert_int_eq(lns_ipv6_classify(p, n), LNS_V6_BAD);
}
END_TEST

START_TEST(test_ra)
{
	struct in6_addr all;
	size_t n;

	inet_pton(AF_INET6, "ff02::1", &all);
	n = lns_ra_build(&v, &all, out, sizeof(out));
	ck_assert_uint_eq(n, 40 + 16 + 32 + 24);
	ck_assert(csum_ok(out));
	ck_assert_uint_eq(out[7], 255);
	ck_assert_uint_eq(out[8], 0xfe);
	ck_assert_uint_eq(out[23], 1);			/* from fe80::1 */
	ck_assert_uint_eq(out[40], 134);
	ck_assert_uint_eq(out[45], 0x40);		/* O, not M */
	ck_assert_uint_eq(out[56], 3);			/* prefix information */
	ck_assert_uint_eq(out[58], 64);
	ck_assert_uint_eq(out[59], 0xc0);		/* L and A */
	ck_assert_mem_eq(out + 72, &v.prefix, 16);
	ck_assert_uint_eq(out[88], 25);			/* RDNSS */
	ck_assert_mem_eq(out + 96, &v.dns[0], 16);
	/* Without a prefix or DNS: the router alone. */
	memset(&v.prefix, 0, 16);
	v.n_dns = 0;
	ck_assert_uint_eq(lns_ra_build(&v, &all, out, sizeof(out)), 56);
	ck_assert_uint_eq(lns_ra_build(&v, &all, out, 100), 0);
}
END_TEST

static uint8_t msg[600];

/* A DHCPv6 client message from fe80::6440:102:0:0 with options opts. */
static size_t client(uint8_t type, const uint8_t *opts, size_t olen)
{
	struct in6_addr s, d;
	size_t plen = 8 + 4 + olen;

	inet_pton(AF_INET6, "fe80::6440:102:0:0", &s);
	inet_pton(AF_INET6, "ff02::1:2", &d);
	memset(msg, 0, 48);
	msg[0] = 0x60;
	msg[4] = (uint8_t)(plen >> 8);
	msg[5] = (uint8_t)plen;
	msg[6] = IPPROTO_UDP;
	msg[7] = 1;
	memcpy(msg + 8, &s, 16);
	memcpy(msg + 24, &d, 16);
	msg[40] = 546 >> 8;
	msg[41] = 546 & 0xff;
	msg[42] = 547 >> 8;
	msg[43] = 547 & 0xff;
	msg[44] = (uint8_t)(plen >> 8);
	msg[45] = (uint8_t)plen;
	msg[48] = type;
	msg[49] = 0xa1;
	msg[50] = 0xb2;
	msg[51] = 0xc3;
	memcpy(msg + 52, opts, olen);
	{
		uint16_t c = lns_ipv6_csum(&s, &d, IPPROTO_UDP, msg + 40, plen);

		msg[46] = c >> 8;
		msg[47] = c & 0xff;
	}
	return 40 + plen;
}

/* The value of option code in the answer of n bytes, or NULL. */
static const uint8_t *find(const uint8_t *pkt, size_t n, uint16_t code,
			   uint16_t *len)
{
	const uint8_t *p = pkt + 52, *end = pkt + n;

	while (p + 4 <= end) {
		uint16_t c = p[0] << 8 | p[1], l = p[2] << 8 | p[3];

		if (c == code) {
			*len = l;
			return p + 4;
		}
		p += 4 + l;
	}
	return NULL;
}

/* odhcp6c's Solicit: client id (DUID-LL), ORO, elapsed time, IA_PD 1. */
static const uint8_t SOLICIT_OPTS[] = {
	0, 1, 0, 10, 0, 3, 0, 1, 2, 0, 0, 0, 0, 1,	/* client id */
	0, 6, 0, 4, 0, 23, 0, 24,			/* ORO: DNS, domains */
	0, 8, 0, 2, 0, 0,				/* elapsed time */
	0, 25, 0, 12, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, /* IA_PD */
};

START_TEST(test_pd_solicit_request)
{
	uint8_t opts[200];
	const uint8_t *o;
	uint16_t len;
	size_t n, m;

	n = client(1, SOLICIT_OPTS, sizeof(SOLICIT_OPTS));
	ck_assert_int_eq(lns_ipv6_classify(msg, n), LNS_V6_DHCP);
	m = lns_dhcpv6_answer(&v, msg, n, out, sizeof(out));
	ck_assert_uint_gt(m, 0);
	ck_assert(csum_ok(out));
	ck_assert_uint_eq(out[48], 2);			/* Advertise */
	ck_assert_mem_eq(out + 49, msg + 49, 3);	/* transaction id */
	ck_assert_mem_eq(out + 24, msg + 8, 16);	/* to the client */
	ck_assert_uint_eq(out[40] << 8 | out[41], 547);
	ck_assert_uint_eq(out[42] << 8 | out[43], 546);
	o = find(out, m, 2, &len);
	ck_assert_ptr_nonnull(o);
	ck_assert_mem_eq(o, v.duid, v.duid_len);
	o = find(out, m, 1, &len);
	ck_assert_ptr_nonnull(o);
	ck_assert_mem_eq(o, SOLICIT_OPTS + 4, 10);
	o = find(out, m, 25, &len);
	ck_assert_ptr_nonnull(o);
	ck_assert_uint_eq(len, 12 + 4 + 25);
	ck_assert_uint_eq(o[3], 1);			/* IAID */
	ck_assert_uint_eq(o[12] << 8 | o[13], 26);	/* IAPREFIX */
	ck_assert_uint_eq(o[24], 56);
	ck_assert_mem_eq(o + 25, &v.pd, 16);
	o = find(out, m, 23, &len);
	ck_assert_ptr_nonnull(o);
	ck_assert_mem_eq(o, &v.dns[0], 16);

	/* Request naming us: Reply with the same prefix. */
	memcpy(opts, SOLICIT_OPTS, sizeof(SOLICIT_OPTS));
	opts[sizeof(SOLICIT_OPTS)] = 0;
	opts[sizeof(SOLICIT_OPTS) + 1] = 2;
	opts[sizeof(SOLICIT_OPTS) + 2] = 0;
	opts[sizeof(SOLICIT_OPTS) + 3] = (uint8_t)v.duid_len;
	memcpy(opts + sizeof(SOLICIT_OPTS) + 4, v.duid, v.duid_len);
	n = client(3, opts, sizeof(SOLICIT_OPTS) + 4 + v.duid_len);
	m = lns_dhcpv6_answer(&v, msg, n, out, sizeof(out));
	ck_assert_uint_eq(out[48], 7);
	ck_assert_ptr_nonnull(find(out, m, 25, &len));
	/* Renew too. */
	n = client(5, opts, sizeof(SOLICIT_OPTS) + 4 + v.duid_len);
	m = lns_dhcpv6_answer(&v, msg, n, out, sizeof(out));
	ck_assert_uint_eq(out[48], 7);
	/* Release: Reply, status success, the IA with zero times. */
	n = client(8, opts, sizeof(SOLICIT_OPTS) + 4 + v.duid_len);
	m = lns_dhcpv6_answer(&v, msg, n, out, sizeof(out));
	ck_assert_uint_eq(out[48], 7);
	o = find(out, m, 13, &len);
	ck_assert_ptr_nonnull(o);
	ck_assert_uint_eq(o[0] << 8 | o[1], 0);
	/* Another server's DUID: no answer. */
	opts[sizeof(SOLICIT_OPTS) + 6] ^= 0xff;
	n = client(3, opts, sizeof(SOLICIT_OPTS) + 4 + v.duid_len);
	ck_assert_uint_eq(lns_dhcpv6_answer(&v, msg, n, out, sizeof(out)), 0);
	/* Request without a server id: no answer. */
	n = client(3, SOLICIT_OPTS, sizeof(SOLICIT_OPTS));
	ck_assert_uint_eq(lns_dhcpv6_answer(&v, msg, n, out, sizeof(out)), 0);
}
END_TEST

START_TEST(test_rapid_commit_and_no_prefix)
{
	uint8_t opts[100];
	const uint8_t *o;
	uint16_t len;
	size_t n, m;

	memcpy(opts, SOLICIT_OPTS, sizeof(SOLICIT_OPTS));
	memcpy(opts + sizeof(SOLICIT_OPTS), "\x00\x0e\x00\x00", 4);
	n = client(1, opts, sizeof(SOLICIT_OPTS) + 4);
	m = lns_dhcpv6_answer(&v, msg, n, out, sizeof(out));
	ck_assert_uint_eq(out[48], 7);			/* Reply at once */
	ck_assert_ptr_nonnull(find(out, m, 14, &len));
	/* A member with no delegated prefix: NoPrefixAvail in its IA. */
	memset(&v.pd, 0, 16);
	m = lns_dhcpv6_answer(&v, msg, n, out, sizeof(out));
	o = find(out, m, 25, &len);
	ck_assert_ptr_nonnull(o);
	ck_assert_uint_eq(o[12] << 8 | o[13], 13);
	ck_assert_uint_eq(o[16] << 8 | o[17], 6);
}
END_TEST

START_TEST(test_info_request_and_refusals)
{
	static const uint8_t oro[] = { 0, 6, 0, 2, 0, 23 };
	static const uint8_t bad[] = { 0, 1, 0, 200, 0 };
	uint16_t len;
	size_t n, m;

	n = client(11, oro, sizeof(oro));
	m = lns_dhcpv6_answer(&v, msg, n, out, sizeof(out));
	ck_assert_uint_eq(out[48], 7);
	ck_assert_ptr_nonnull(find(out, m, 23, &len));
	ck_assert_ptr_null(find(out, m, 25, &len));
	/* An option running past the message, a wrong checksum. */
	n = client(1, bad, sizeof(bad));
	ck_assert_uint_eq(lns_dhcpv6_answer(&v, msg, n, out, sizeof(out)), 0);
	n = client(1, SOLICIT_OPTS, sizeof(SOLICIT_OPTS));
	msg[60] ^= 1;
	ck_assert_int_eq(lns_ipv6_classify(msg, n), LNS_V6_BAD);
	ck_assert_uint_eq(lns_dhcpv6_answer(&v, msg, n, out, sizeof(out)), 0);
	/* Solicit without a client id; Decline. */
	n = client(1, oro, sizeof(oro));
	ck_assert_uint_eq(lns_dhcpv6_answer(&v, msg, n, out, sizeof(out)), 0);
	n = client(9, SOLICIT_OPTS, sizeof(SOLICIT_OPTS));
	ck_assert_uint_eq(lns_dhcpv6_answer(&v, msg, n, out, sizeof(out)), 0);
	/* Too little room for the answer: none rather than a cut one. */
	n = client(1, SOLICIT_OPTS, sizeof(SOLICIT_OPTS));
	ck_assert_uint_eq(lns_dhcpv6_answer(&v, msg, n, out, 90), 0);
}
END_TEST

START_TEST(test_mutations)
{
	uint64_t rng = 0x853c49e6748fea9bULL;
	unsigned int i;

	for (i = 0; i < 100000; i++) {
		size_t n = client(1 + i % 11, SOLICIT_OPTS, sizeof(SOLICIT_OPTS));
		size_t len;
		uint8_t *p = mutate(&rng, msg, n, 3, 0, 3, &len);

		lns_ipv6_classify(p, len);
		lns_dhcpv6_answer(&v, p, len, out, sizeof(out));
		free(p);
	}
}
END_TEST

Suite *lns_ipv6_suite(void)
{
	Suite *s = suite_create("lns_ipv6");
	TCase *tc = tcase_create("ipv6");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_capture_checksums);
	tcase_add_test(tc, test_ra);
	tcase_add_test(tc, test_pd_solicit_request);
	tcase_add_test(tc, test_rapid_commit_and_no_prefix);
	tcase_add_test(tc, test_info_request_and_refusals);
	tcase_add_test(tc, test_mutations);
	suite_add_tcase(s, tc);
	return s;
}
