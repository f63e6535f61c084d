// SPDX-License-Identifier: GPL-2.0-only
/*
 * L2TPv2 control messages (loader/lns/l2tp*.c): the messages of a real
 * xl2tpd client and l2tpns LNS (the dial-in captures) decode to what the
 * capture says, a message built here is byte for byte the one l2tpns sent,
 * hidden AVPs and the tunnel digest match digests computed independently
 * (Python's hashlib, RFC 2661 section 4.3), and no mutation of a real
 * message makes the decoder read outside it or return an unnamed error.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lns/l2tp_msg.h"
#include "fuzz.h"
#include "l2tp_capture.h"

static struct l2tp_msg m;
static uint8_t buf[L2TP_MSG_MAX];

START_TEST(test_sccrq)
{
	size_t n = load(SCCRQ, buf);

	ck_assert_int_eq(l2tp_msg_decode(buf, n, NULL, &m), L2TP_E_NONE);
	ck_assert_uint_eq(m.type, L2TP_MSG_SCCRQ);
	ck_assert_uint_eq(m.hdr.tunnel, 0);
	ck_assert_uint_eq(m.hdr.ns, 0);
	ck_assert_uint_eq(m.hdr.nr, 0);
	ck_assert_uint_eq(m.proto_version, 0x0100);
	ck_assert_uint_eq(m.framing_caps, 3);
	ck_assert_uint_eq(m.bearer_caps, 0);
	ck_assert_str_eq(m.host_name, "exo-cpe");
	ck_assert_str_eq(m.vendor_name, "xelerance.com");
	ck_assert_uint_eq(m.tunnel_id, 38541);
	ck_assert_uint_eq(m.rws, 4);
	ck_assert(l2tp_msg_has(&m, L2TP_AVP_FIRMWARE));
	ck_assert(!l2tp_msg_has(&m, L2TP_AVP_CHALLENGE));
}
END_TEST

START_TEST(test_session_messages)
{
	size_t n = load(ICRQ, buf);

	ck_assert_int_eq(l2tp_msg_decode(buf, n, NULL, &m), L2TP_E_NONE);
	ck_assert_uint_eq(m.type, L2TP_MSG_ICRQ);
	ck_assert(l2tp_msg_is_session(m.type));
	ck_assert_uint_eq(m.hdr.tunnel, 2);
	ck_assert_uint_eq(m.session_id, 0x040c);
	ck_assert_uint_eq(m.call_serial, 1);

	n = load(ICCN, buf);
	ck_assert_int_eq(l2tp_msg_decode(buf, n, NULL, &m), L2TP_E_NONE);
	ck_assert_uint_eq(m.type, L2TP_MSG_ICCN);
	ck_assert_uint_eq(m.hdr.session, 1);
	ck_assert_uint_eq(m.framing_type, 1);
	ck_assert(l2tp_msg_has(&m, L2TP_AVP_RX_SPEED));

	n = load(CDN, buf);
	ck_assert_int_eq(l2tp_msg_decode(buf, n, NULL, &m), L2TP_E_NONE);
	ck_assert_uint_eq(m.type, L2TP_MSG_CDN);
	ck_assert_uint_eq(m.result, 1);
	ck_assert_uint_eq(m.error, 0);
	ck_assert_uint_eq(m.session_id, 0x040c);

	n = load(STOPCCN, buf);
	ck_assert_int_eq(l2tp_msg_decode(buf, n, NULL, &m), L2TP_E_NONE);
	ck_assert_uint_eq(m.type, L2TP_MSG_StopCCN);
	ck_assert(!l2tp_msg_is_session(m.type));
	ck_assert_uint_eq(m.tunnel_id, 38541);
	ck_assert_str_eq(m.result_msg, "Goodbye!");
	ck_assert_uint_eq(m.hdr.ns, 5);
}
END_TEST

START_TEST(test_zlb)
{
	size_t n = load(ZLB, buf);

	ck_assert_int_eq(l2tp_msg_decode(buf, n, NULL, &m), L2TP_E_NONE);
	ck_assert_uint_eq(m.type, L2TP_MSG_ZLB);
	ck_assert_uint_eq(m.hdr.ns, 1);
	ck_assert_uint_eq(m.hdr.nr, 2);
}
END_TEST

/* The SCCRP l2tpns sent, rebuilt AVP by AVP: the same bytes. */
START_TEST(test_build_sccrp)
{
	static const char host[] = "lns.exo.test";
	uint8_t want[L2TP_MSG_MAX];
	size_t n = load(SCCRP, want);
	struct l2tp_builder b;

	l2tp_build_init(&b, 38541, 0, L2TP_MSG_SCCRP);
	l2tp_build_u16(&b, true, L2TP_AVP_PROTO_VERSION, 0x0100);
	l2tp_build_u32(&b, true, L2TP_AVP_FRAMING_CAPS, 3);
	l2tp_build_avp(&b, true, L2TP_AVP_HOST_NAME, host, strlen(host));
	l2tp_build_u16(&b, true, L2TP_AVP_TUNNEL_ID, 2);
	ck_assert_int_eq(l2tp_build_finish(&b, 0, 1), (int)n);
	ck_assert_mem_eq(b.buf, want, n);

	l2tp_build_init(&b, 38541, 0, L2TP_MSG_ZLB);
	ck_assert_int_eq(l2tp_build_finish(&b, 1, 2), L2TP_CTRL_HDR_LEN);
	n = load("c802000c968d000000010002", want);
	ck_assert_mem_eq(b.buf, want, n);
}
END_TEST

START_TEST(test_build_overflow)
{
	static uint8_t big[1000];
	struct l2tp_builder b;
	int i;

	l2tp_build_init(&b, 1, 0, L2TP_MSG_HELLO);
	l2tp_build_avp(&b, false, L2TP_AVP_VENDOR_NAME, big, 1018);
	ck_assert_int_eq(l2tp_build_finish(&b, 0, 0), -EMSGSIZE);
	l2tp_build_init(&b, 1, 0, L2TP_MSG_HELLO);
	for (i = 0; i < 5; i++)
		l2tp_build_avp(&b, false, L2TP_AVP_VENDOR_NAME, big, sizeof(big));
	ck_assert_int_eq(l2tp_build_finish(&b, 0, 0), -EMSGSIZE);
}
END_TEST

static const uint8_t rv[16] = {
	0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
	0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
};
static const struct l2tp_secret sec = {
	(const uint8_t *)"tunnel-secret", 13
};

/* Cipher texts computed with hashlib from section 4.3's definition. */
START_TEST(test_hidden)
{
	static const char name[] = "exo-cpe-with-a-longer-name";
	static const uint8_t tid[2] = { 0x96, 0x8d };
	uint8_t want[64];
	struct l2tp_builder b;
	size_t n;
	int len;

	l2tp_build_init(&b, 0, 0, L2TP_MSG_SCCRQ);
	l2tp_build_u16(&b, true, L2TP_AVP_PROTO_VERSION, 0x0100);
	l2tp_build_u32(&b, true, L2TP_AVP_FRAMING_CAPS, 3);
	l2tp_build_avp(&b, true, L2TP_AVP_RANDOM_VECTOR, rv, sizeof(rv));
	l2tp_build_hidden(&b, true, L2TP_AVP_HOST_NAME, name, strlen(name),
			  &sec, rv, sizeof(rv));
	l2tp_build_hidden(&b, true, L2TP_AVP_TUNNEL_ID, tid, sizeof(tid),
			  &sec, rv, sizeof(rv));
	len = l2tp_build_finish(&b, 0, 0);
	ck_assert_int_gt(len, 0);

	/* Host Name: two blocks; Tunnel ID: one; each after its 6-byte header. */
	n = load("441e8a92b2a1fa759d03746a9b2ec72f29a91b40bed4895e26b9c99aac40be2e",
		 want);
	ck_assert_mem_eq(b.buf + len - 16 - 6 - n, want, n);
	ck_assert_uint_eq(b.buf[len - 16 - 6 - n - 6] & 0xc0, 0xc0);	/* M, H */
	n = load("d69c863954e70c73ce9e681acada837b", want);
	ck_assert_mem_eq(b.buf + len - n, want, n);

	ck_assert_int_eq(l2tp_msg_decode(b.buf, (size_t)len, &sec, &m),
			 L2TP_E_NONE);
	ck_assert_str_eq(m.host_name, name);
	ck_assert_uint_eq(m.tunnel_id, 38541);
	ck_assert_int_eq(l2tp_msg_decode(b.buf, (size_t)len, NULL, &m),
			 L2TP_E_HIDDEN_NO_SECRET);

	/* The hidden AVP before any Random Vector. */
	l2tp_build_init(&b, 0, 0, L2TP_MSG_HELLO);
	l2tp_build_hidden(&b, true, L2TP_AVP_HOST_NAME, name, strlen(name),
			  &sec, rv, sizeof(rv));
	len = l2tp_build_finish(&b, 0, 0);
	ck_assert_int_eq(l2tp_msg_decode(b.buf, (size_t)len, &sec, &m),
			 L2TP_E_HIDDEN_NO_VECTOR);
}
END_TEST

START_TEST(test_challenge_response)
{
	uint8_t chal[16], out[16], want[16];
	int i;

	for (i = 0; i < 16; i++)
		chal[i] = (uint8_t)i;
	l2tp_challenge_response(L2TP_MSG_SCCRP, &sec, chal, sizeof(chal), out);
	load("6c0da2faf7a397aa3f88f55061ea9134", want);
	ck_assert_mem_eq(out, want, 16);
	l2tp_challenge_response(L2TP_MSG_SCCCN, &sec, chal, sizeof(chal), out);
	load("6a59c670d486acf7f96271695c6874f8", want);
	ck_assert_mem_eq(out, want, 16);
}
END_TEST

/* SCCRQ with one AVP appended (lengths fixed up). */
static size_t sccrq_plus(const uint8_t *avp, size_t alen)
{
	size_t n = load(SCCRQ, buf);

	memcpy(buf + n, avp, alen);
	n += alen;
	buf[2] = (uint8_t)(n >> 8);
	buf[3] = (uint8_t)n;
	return n;
}

START_TEST(test_refused)
{
	/* Vendor 9, type 1, M set; then the same without M. */
	static const uint8_t vendor_m[] = { 0x80, 0x08, 0x00, 0x09, 0x00, 0x01, 0, 0 };
	static const uint8_t vendor_o[] = { 0x00, 0x08, 0x00, 0x09, 0x00, 0x01, 0, 0 };
	static const uint8_t type_20[] = { 0x80, 0x06, 0x00, 0x00, 0x00, 0x14 };
	static const uint8_t rsvd[] = { 0x04, 0x06, 0x00, 0x00, 0x00, 0x08 };
	static const uint8_t bad_size[] = { 0x80, 0x09, 0, 0, 0, 0x0a, 0, 4, 0 };
	size_t n;

	n = sccrq_plus(vendor_m, sizeof(vendor_m));
	ck_assert_int_eq(l2tp_msg_decode(buf, n, NULL, &m),
			 L2TP_E_UNKNOWN_MANDATORY);
	ck_assert_uint_eq(m.unknown_vendor, 9);
	ck_assert_uint_eq(m.unknown_type, 1);
	ck_assert_uint_eq(m.type, L2TP_MSG_SCCRQ);
	n = sccrq_plus(vendor_o, sizeof(vendor_o));
	ck_assert_int_eq(l2tp_msg_decode(buf, n, NULL, &m), L2TP_E_NONE);
	n = sccrq_plus(type_20, sizeof(type_20));
	ck_assert_int_eq(l2tp_msg_decode(buf, n, NULL, &m),
			 L2TP_E_UNKNOWN_MANDATORY);
	n = sccrq_plus(rsvd, sizeof(rsvd));
	ck_assert_int_eq(l2tp_msg_decode(buf, n, NULL, &m), L2TP_E_AVP_RSVD);
	n = sccrq_plus(bad_size, sizeof(bad_size));
	ck_assert_int_eq(l2tp_msg_decode(buf, n, NULL, &m), L2TP_E_AVP_SIZE);

	/* The datagram longer or shorter than the length field. */
	n = load(SCCRQ, buf);
	ck_assert_int_eq(l2tp_msg_decode(buf, n + 1, NULL, &m), L2TP_E_LENGTH);
	ck_assert_int_eq(l2tp_msg_decode(buf, n - 1, NULL, &m), L2TP_E_LENGTH);
	/* A data message, version 3, O bit. */
	buf[0] = 0x40;
	ck_assert_int_eq(l2tp_msg_decode(buf, n, NULL, &m), L2TP_E_NOT_CONTROL);
	n = load(SCCRQ, buf);
	buf[1] = 0x03;
	ck_assert_int_eq(l2tp_msg_decode(buf, n, NULL, &m), L2TP_E_VERSION);
	n = load(SCCRQ, buf);
	buf[0] |= 0x02;
	ck_assert_int_eq(l2tp_msg_decode(buf, n, NULL, &m), L2TP_E_HDR_FLAGS);

	/* ICRQ's Assigned Session ID turned into a Receive Window Size. */
	n = load(ICRQ, buf);
	buf[L2TP_CTRL_HDR_LEN + 8 + 5] = L2TP_AVP_RWS;	/* Session ID -> RWS */
	ck_assert_int_eq(l2tp_msg_decode(buf, n, NULL, &m), L2TP_E_MISSING_AVP);
	/* First AVP not the Message Type. */
	n = load(ICRQ, buf);
	buf[L2TP_CTRL_HDR_LEN + 5] = L2TP_AVP_RWS;
	ck_assert_int_eq(l2tp_msg_decode(buf, n, NULL, &m),
			 L2TP_E_FIRST_NOT_TYPE);
	/* Message type 5 is unassigned. */
	n = load(ICRQ, buf);
	buf[L2TP_CTRL_HDR_LEN + 7] = 5;
	ck_assert_int_eq(l2tp_msg_decode(buf, n, NULL, &m), L2TP_E_UNKNOWN_TYPE);
}
END_TEST

/*
 * Random byte flips, truncations and extensions of every captured message
 * (fixed seed): each decode ends with no error or a named one, and reads
 * only the given bytes (the message sits at the end of a heap block, so
 * the sanitizer build catches a read past it).
 */
START_TEST(test_mutations)
{
	static const char *const msgs[] = {
		SCCRQ, SCCRP, ZLB, ICRQ, ICCN, CDN, STOPCCN,
	};
	unsigned int counts[L2TP_E_MAX] = { 0 };
	uint64_t rng = 0x2545f4914f6cdd1dULL;
	uint8_t orig[L2TP_MSG_MAX];
	unsigned int i, e;

	for (i = 0; i < 200000; i++) {
		size_t n = load(msgs[i % 7], orig), len;
		uint8_t *p = mutate(&rng, orig, n, 4, 8, 4, &len);

		e = l2tp_msg_decode(p, len, &sec, &m);
		ck_assert_uint_lt(e, L2TP_E_MAX);
		ck_assert_str_ne(l2tp_err_name(e), "?");
		counts[e]++;
		free(p);
	}
	/* Mutations reach the checks beyond the header, not only the first. */
	ck_assert_uint_gt(counts[L2TP_E_NONE], 0);
	ck_assert_uint_gt(counts[L2TP_E_AVP_LENGTH], 0);
	ck_assert_uint_gt(counts[L2TP_E_UNKNOWN_MANDATORY], 0);
	ck_assert_uint_gt(counts[L2TP_E_MISSING_AVP], 0);
	ck_assert_uint_gt(counts[L2TP_E_LENGTH], 0);
}
END_TEST

START_TEST(test_names)
{
	unsigned int e;

	for (e = 0; e < L2TP_E_MAX; e++) {
		ck_assert_str_ne(l2tp_err_name(e), "?");
		ck_assert_str_ne(l2tp_err_text(e), "?");
	}
	ck_assert_str_eq(l2tp_err_name(L2TP_E_AVP_RSVD), "AVP_RSVD");
	ck_assert_str_eq(l2tp_msg_name(L2TP_MSG_StopCCN), "StopCCN");
	ck_assert_ptr_null(l2tp_msg_name(5));
}
END_TEST

Suite *l2tp_suite(void)
{
	Suite *s = suite_create("l2tp");
	TCase *tc = tcase_create("control");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_sccrq);
	tcase_add_test(tc, test_session_messages);
	tcase_add_test(tc, test_zlb);
	tcase_add_test(tc, test_build_sccrp);
	tcase_add_test(tc, test_build_overflow);
	tcase_add_test(tc, test_hidden);
	tcase_add_test(tc, test_challenge_response);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_mutations);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	return s;
}
