// SPDX-License-Identifier: GPL-2.0-only
/*
 * keepalive suite: the EoIP keepalive the daemon sends, byte for byte
 * against a packet written out by hand (checksum included); whose TTL it
 * takes; the tunnel id little endian; who gets one and when.
 */
#include <arpa/inet.h>
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "daemon/keepalive.h"
#include "daemon/keepalive_pkt.h"

/* 198.51.100.1 -> 192.0.2.10, TTL 64, tunnel id 300 (0x012c). */
static const __u8 want_ka[TG_KA_PKT_LEN] = {
	0x45, 0x00, 0x00, 0x1c,	/* IPv4, IHL 5, TOS 0, total length 28 */
	0x00, 0x00, 0x40, 0x00,	/* ID 0, DF */
	0x40, 0x2f, 0x4e, 0x74,	/* TTL 64, GRE, header checksum */
	0xc6, 0x33, 0x64, 0x01,	/* 198.51.100.1 */
	0xc0, 0x00, 0x02, 0x0a,	/* 192.0.2.10 */
	0x20, 0x01, 0x64, 0x00,	/* K bit, version 1; EoIP */
	0x00, 0x00, 0x2c, 0x01,	/* payload length 0; id 300 little endian */
};

static void eoip(struct tg_sub *s, const char *remote, __u32 id)
{
	tg_sub_init(s);
	s->type = TG_TUN_EOIP;
	ck_assert(!tg_ip4_parse(remote, &s->remote));
	ck_assert(!tg_ip4_parse("198.51.100.1", &s->local));
	s->has_tunnel_id = true;
	s->tunnel_id = id;
}

static void defaults(struct tg_settings *st)
{
	memset(st, 0, sizeof(*st));
	st->ttl = TG_TTL_DEFAULT;
	st->eoip_keepalive = TG_EOIP_KEEPALIVE_DEFAULT;
}

START_TEST(test_bytes)
{
	__u8 pkt[TG_KA_PKT_LEN];
	struct tg_keepalive k;
	struct tg_settings st;
	struct tg_sub s;

	/* From the subscriber, as the daemon takes it. */
	eoip(&s, "192.0.2.10", 300);
	defaults(&st);
	tg_keepalive_init(&k);
	ck_assert_int_eq(tg_keepalive_set(&k, &s, 1, &st, 1000), 0);
	ck_assert_uint_eq(k.n, 1);
	tg_ka_pkt_build(pkt, k.peer[0].local, k.peer[0].remote, k.peer[0].ttl,
			k.peer[0].id);
	ck_assert_mem_eq(pkt, want_ka, sizeof(want_ka));
	tg_keepalive_close(&k);
}
END_TEST

START_TEST(test_ttl)
{
	struct tg_keepalive k;
	struct tg_settings st;
	__u8 pkt[TG_KA_PKT_LEN];
	struct tg_sub s;

	eoip(&s, "192.0.2.10", 300);
	defaults(&st);
	tg_keepalive_init(&k);
	/* No --ttl: the setting. */
	st.ttl = 1;
	ck_assert_int_eq(tg_keepalive_set(&k, &s, 1, &st, 0), 0);
	ck_assert_uint_eq(k.peer[0].ttl, 1);
	tg_ka_pkt_build(pkt, k.peer[0].local, k.peer[0].remote, k.peer[0].ttl,
			k.peer[0].id);
	/* The checksum follows: 0x4e74 + 63 << 8 in ones' complement. */
	ck_assert_uint_eq(pkt[8], 1);
	ck_assert_uint_eq(pkt[10] << 8 | pkt[11], 0x8d74);
	/* --ttl wins over the setting. */
	s.ttl = 30;
	ck_assert_int_eq(tg_keepalive_set(&k, &s, 1, &st, 0), 0);
	ck_assert_uint_eq(k.peer[0].ttl, 30);
	/* A setting of 0 (never stored): the data plane's default. */
	s.ttl = 0;
	st.ttl = 0;
	ck_assert_int_eq(tg_keepalive_set(&k, &s, 1, &st, 0), 0);
	ck_assert_uint_eq(k.peer[0].ttl, TG_TTL_DEFAULT);
	tg_keepalive_close(&k);
}
END_TEST

START_TEST(test_id_little_endian)
{
	__u8 pkt[TG_KA_PKT_LEN];
	__be32 a = htonl(0xc000020a), b = htonl(0xc6336401);

	tg_ka_pkt_build(pkt, b, a, 64, 0xabcd);
	ck_assert_uint_eq(pkt[26], 0xcd);
	ck_assert_uint_eq(pkt[27], 0xab);
	tg_ka_pkt_build(pkt, b, a, 64, 65535);
	ck_assert_uint_eq(pkt[26], 0xff);
	ck_assert_uint_eq(pkt[27], 0xff);
	/* Payload length stays 0 whatever the id. */
	ck_assert_uint_eq(pkt[24] | pkt[25], 0);
}
END_TEST

START_TEST(test_who_and_when)
{
	struct tg_sub s[5];
	struct tg_settings st;
	struct tg_keepalive k;
	__u64 first;

	defaults(&st);
	eoip(&s[0], "192.0.2.30", 3);
	eoip(&s[1], "192.0.2.10", 1);
	eoip(&s[2], "192.0.2.20", 2);
	/* keepalive 0: none for it; a gre subscriber: none either. */
	eoip(&s[3], "192.0.2.40", 4);
	s[3].has_keepalive = true;
	s[3].keepalive = 0;
	eoip(&s[4], "192.0.2.50", 5);
	s[4].type = TG_TUN_GRE;
	tg_keepalive_init(&k);
	ck_assert_int_eq(tg_keepalive_set(&k, s, 5, &st, 5000), 0);
	ck_assert_uint_eq(k.n, 3);
	/* Spread over the 10 s by position (sorted by remote). */
	ck_assert_uint_eq(k.peer[0].id, 1);
	ck_assert_uint_eq(k.peer[0].next_ms, 5000);
	ck_assert_uint_eq(k.peer[1].next_ms, 5000 + 10000 / 3);
	ck_assert_uint_eq(k.peer[2].next_ms, 5000 + 20000 / 3);
	ck_assert_uint_eq(k.peer[0].every_ms, 10000);
	/* Without a socket nothing is ever due. */
	ck_assert(tg_keepalive_deadline(&k) == UINT64_MAX);
	/* Those that stay keep their turn; a changed interval starts over. */
	k.peer[1].next_ms = first = 7777;
	s[0].has_keepalive = true;
	s[0].keepalive = 1;
	ck_assert_int_eq(tg_keepalive_set(&k, s, 5, &st, 9000), 0);
	ck_assert_uint_eq(k.n, 3);
	ck_assert_uint_eq(k.peer[1].next_ms, first);
	ck_assert_uint_eq(k.peer[2].every_ms, 1000);
	ck_assert_uint_eq(k.peer[2].next_ms, 9000 + 2000 / 3);
	/* The setting 0 turns off all but those with their own interval. */
	st.eoip_keepalive = 0;
	ck_assert_int_eq(tg_keepalive_set(&k, s, 5, &st, 9000), 0);
	ck_assert_uint_eq(k.n, 1);
	ck_assert_uint_eq(k.peer[0].id, 3);
	tg_keepalive_close(&k);
}
END_TEST

Suite *keepalive_suite(void)
{
	Suite *s = suite_create("keepalive");
	TCase *tc = tcase_create("keepalive");

	tcase_add_test(tc, test_bytes);
	tcase_add_test(tc, test_ttl);
	tcase_add_test(tc, test_id_little_endian);
	tcase_add_test(tc, test_who_and_when);
	suite_add_tcase(s, tc);
	return s;
}
