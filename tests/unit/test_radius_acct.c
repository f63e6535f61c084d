// SPDX-License-Identifier: GPL-2.0-only
/*
 * radius_acct suite: the attributes of a record (gigawords), the queue
 * in the database (order, persistence over a reopen, drop policy), the
 * spreading of Interim-Updates, and the engine against a small
 * accounting server on 127.0.0.1 that answers when told to.
 */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "db/conn.h"
#include "radius/acct.h"
#include "radius/acct_queue.h"
#include "radius/acct_record.h"
#include "radius/acct_send.h"
#include "radius/acct_spread.h"
#include "radius/packet.h"

#define SECRET "acct-test-secret"

static char tmpdir[64], dbpath[128];
static sqlite3 *db;

static void setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/tg-acct-XXXXXX");
	ck_assert(mkdtemp(tmpdir));
	snprintf(dbpath, sizeof(dbpath), "%s/tg.db", tmpdir);
	ck_assert_int_eq(tg_db_open(dbpath, true, &db), 0);
}

static void teardown(void)
{
	char cmd[128];

	tg_db_close(db);
	db = NULL;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

static void session(struct tg_acct_session *s, const char *id)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->id, sizeof(s->id), "%s", id);
	snprintf(s->user, sizeof(s->user), "user-%s", id);
	memcpy(s->class_, "\x01\x00\xff" "cls", 6);
	s->class_len = 6;
	s->ip = htonl(0x64400005);	/* 100.64.0.5 */
	snprintf(s->calling, sizeof(s->calling), "192.0.2.7");
	snprintf(s->called, sizeof(s->called), "198.51.100.1");
	s->nas_port = 77;
	s->started = 1000;
}

/* The value of attribute type in attrs as a number, or ~0. */
static uint32_t attr_u32(const __u8 *attrs, size_t len, uint8_t type)
{
	struct tg_rad_attr a;
	size_t off = 0;
	uint32_t v;

	while (tg_rad_next(attrs, len, &off, &a) > 0)
		if (a.type == type && !tg_rad_u32(&a, &v))
			return v;
	return ~0u;
}

static const struct tg_rad_attr *attr_find(const __u8 *attrs, size_t len,
					   uint8_t type, struct tg_rad_attr *a)
{
	size_t off = 0;

	while (tg_rad_next(attrs, len, &off, a) > 0)
		if (a->type == type)
			return a;
	return NULL;
}

START_TEST(test_gigawords)
{
	ck_assert_uint_eq(tg_acct_low(0x123456789aULL), 0x3456789a);
	ck_assert_uint_eq(tg_acct_giga(0x123456789aULL), 0x12);
	ck_assert_uint_eq(tg_acct_giga(0xffffffffULL), 0);
	ck_assert_uint_eq(tg_acct_giga(0x100000000ULL), 1);
	ck_assert_uint_eq(tg_acct_low(0x100000000ULL), 0);
}
END_TEST

START_TEST(test_record_attributes)
{
	struct tg_acct_config cfg = { .nas_identifier = "lns1",
				      .nas_ip = htonl(0xc0000201) };
	struct tg_acct_counters c = { .in_octets = 5ULL << 32 | 7,
				      .out_octets = 123, .in_packets = 9,
				      .out_packets = 10 };
	struct tg_acct_session s;
	struct tg_rad_attr a;
	struct tg_rad_buf b;
	__u8 buf[1024];

	session(&s, "s1");
	tg_rad_buf_init(&b, buf, sizeof(buf));
	tg_acct_record(&b, &cfg, &s, TG_ACCT_STOP, &c, TG_ACCT_ADMIN_RESET, 1090);
	ck_assert_int_eq(b.err, 0);
	ck_assert_uint_eq(attr_u32(buf, b.len, TG_RAD_ACCT_STATUS_TYPE), 2);
	ck_assert_uint_eq(attr_u32(buf, b.len, TG_RAD_ACCT_INPUT_OCTETS), 7);
	ck_assert_uint_eq(attr_u32(buf, b.len, TG_RAD_ACCT_INPUT_GIGAWORDS), 5);
	ck_assert_uint_eq(attr_u32(buf, b.len, TG_RAD_ACCT_OUTPUT_OCTETS), 123);
	ck_assert_uint_eq(attr_u32(buf, b.len, TG_RAD_ACCT_OUTPUT_GIGAWORDS), 0);
	ck_assert_uint_eq(attr_u32(buf, b.len, TG_RAD_ACCT_INPUT_PACKETS), 9);
	ck_assert_uint_eq(attr_u32(buf, b.len, TG_RAD_ACCT_OUTPUT_PACKETS), 10);
	ck_assert_uint_eq(attr_u32(buf, b.len, TG_RAD_ACCT_SESSION_TIME), 90);
	ck_assert_uint_eq(attr_u32(buf, b.len, TG_RAD_ACCT_TERMINATE_CAUSE), 6);
	ck_assert_uint_eq(attr_u32(buf, b.len, TG_RAD_NAS_PORT_TYPE), 5);
	ck_assert_uint_eq(attr_u32(buf, b.len, TG_RAD_SERVICE_TYPE), 2);
	ck_assert_uint_eq(attr_u32(buf, b.len, TG_RAD_FRAMED_PROTOCOL), 1);
	ck_assert_uint_eq(attr_u32(buf, b.len, TG_RAD_ACCT_AUTHENTIC), 1);
	ck_assert_uint_eq(attr_u32(buf, b.len, TG_RAD_NAS_PORT), 77);
	ck_assert_uint_eq(attr_u32(buf, b.len, TG_RAD_FRAMED_IP_ADDRESS), 0x64400005);
	ck_assert_uint_eq(attr_u32(buf, b.len, TG_RAD_NAS_IP_ADDRESS), 0xc0000201);
	ck_assert_ptr_nonnull(attr_find(buf, b.len, TG_RAD_CLASS, &a));
	ck_assert_uint_eq(a.len, 6);
	ck_assert_mem_eq(a.val, "\x01\x00\xff" "cls", 6);
	ck_assert_ptr_nonnull(attr_find(buf, b.len, TG_RAD_NAS_IDENTIFIER, &a));
	ck_assert_mem_eq(a.val, "lns1", 4);
	ck_assert_ptr_nonnull(attr_find(buf, b.len, TG_RAD_USER_NAME, &a));
	ck_assert_mem_eq(a.val, "user-s1", 7);
	/* Delay is set when sent, never stored. */
	ck_assert_uint_eq(attr_u32(buf, b.len, TG_RAD_ACCT_DELAY_TIME), ~0u);

	/* A Start has no counters and no cause. */
	tg_rad_buf_init(&b, buf, sizeof(buf));
	tg_acct_record(&b, &cfg, &s, TG_ACCT_START, NULL, 0, 1000);
	ck_assert_uint_eq(attr_u32(buf, b.len, TG_RAD_ACCT_STATUS_TYPE), 1);
	ck_assert_uint_eq(attr_u32(buf, b.len, TG_RAD_ACCT_INPUT_OCTETS), ~0u);
	ck_assert_uint_eq(attr_u32(buf, b.len, TG_RAD_ACCT_TERMINATE_CAUSE), ~0u);

	/* An interim has counters and no cause. */
	tg_rad_buf_init(&b, buf, sizeof(buf));
	tg_acct_record(&b, &cfg, &s, TG_ACCT_INTERIM, &c, 0, 1060);
	ck_assert_uint_eq(attr_u32(buf, b.len, TG_RAD_ACCT_STATUS_TYPE), 3);
	ck_assert_uint_eq(attr_u32(buf, b.len, TG_RAD_ACCT_INPUT_GIGAWORDS), 5);
	ck_assert_uint_eq(attr_u32(buf, b.len, TG_RAD_ACCT_TERMINATE_CAUSE), ~0u);

	/* Too small a buffer is an error, not a cut record. */
	tg_rad_buf_init(&b, buf, 40);
	tg_acct_record(&b, &cfg, &s, TG_ACCT_START, NULL, 0, 1000);
	ck_assert_int_eq(b.err, -ENOSPC);
}
END_TEST

static void put(enum tg_acct_kind k, __u8 tag, size_t max, int want_drop)
{
	int dropped;

	ck_assert_int_eq(tg_acct_queue_put(db, 100 + tag, k, &tag, 1, max, 0,
					   &dropped), 0);
	ck_assert_int_eq(dropped, want_drop);
}

START_TEST(test_queue_persists_in_order)
{
	struct tg_acct_rec r;
	__u8 i;

	setup();
	for (i = 1; i <= 5; i++)
		put(i == 1 ? TG_ACCT_START : TG_ACCT_INTERIM, i, 100, 0);
	tg_db_close(db);
	ck_assert_int_eq(tg_db_open(dbpath, false, &db), 0);
	ck_assert_int_eq(tg_acct_queue_len(db), 5);
	for (i = 1; i <= 5; i++) {
		ck_assert_int_eq(tg_acct_queue_head(db, &r), 1);
		ck_assert_uint_eq(r.attrs[0], i);
		ck_assert_int_eq(r.created, 100 + i);
		ck_assert_int_eq(r.kind, i == 1 ? TG_ACCT_START : TG_ACCT_INTERIM);
		/* The head stays until it is deleted. */
		ck_assert_int_eq(tg_acct_queue_head(db, &r), 1);
		ck_assert_uint_eq(r.attrs[0], i);
		ck_assert_int_eq(tg_acct_queue_del(db, r.id), 0);
	}
	ck_assert_int_eq(tg_acct_queue_head(db, &r), 0);
	teardown();
}
END_TEST

START_TEST(test_queue_full_drops_interims)
{
	struct tg_acct_rec r;
	__u8 want[] = { 1, 4, 5, 6, 7 }, i;

	setup();
	put(TG_ACCT_START, 1, 4, 0);
	put(TG_ACCT_INTERIM, 2, 4, 0);
	put(TG_ACCT_INTERIM, 3, 4, 0);
	put(TG_ACCT_STOP, 4, 4, 0);
	/* Full: the oldest Interim-Update goes for a Stop, then another. */
	put(TG_ACCT_STOP, 5, 4, TG_ACCT_DROPPED_OLD);
	put(TG_ACCT_START, 6, 4, TG_ACCT_DROPPED_OLD);
	/* No Interim-Update left: a new one is not stored... */
	put(TG_ACCT_INTERIM, 9, 4, TG_ACCT_DROPPED_NEW);
	/* ...but Starts and Stops are, beyond the bound. */
	put(TG_ACCT_STOP, 7, 4, 0);
	ck_assert_int_eq(tg_acct_queue_len(db), 5);
	for (i = 0; i < sizeof(want); i++) {
		ck_assert_int_eq(tg_acct_queue_head(db, &r), 1);
		ck_assert_uint_eq(r.attrs[0], want[i]);
		tg_acct_queue_del(db, r.id);
	}
	teardown();
}
END_TEST

START_TEST(test_interim_spread)
{
	static unsigned int per_second[60];
	unsigned int i, max = 0;
	char id[32];
	__s64 due;

	ck_assert_uint_eq(tg_acct_interval(0, 0), 0);
	ck_assert_uint_eq(tg_acct_interval(0, 30), TG_ACCT_INTERIM_MIN);
	ck_assert_uint_eq(tg_acct_interval(300, 60), 300);
	ck_assert_uint_eq(tg_acct_interval(0, 600), 600);
	ck_assert_uint_eq(tg_acct_interval(10, 600), TG_ACCT_INTERIM_MIN);
	/* 10,000 sessions up in the same second, 60 s interval. */
	for (i = 0; i < 10000; i++) {
		snprintf(id, sizeof(id), "%08X", i + 0x5000);
		due = tg_acct_first_due(id, 60, 1000);
		ck_assert_int_ge(due, 1030);
		ck_assert_int_lt(due, 1060);
		per_second[due - 1000]++;
	}
	for (i = 0; i < 60; i++)
		max = per_second[i] > max ? per_second[i] : max;
	/* An even spread over 30 s is 333 a second. */
	ck_assert_uint_lt(max, 450);
}
END_TEST

START_TEST(test_server_list)
{
	char buf[256];

	ck_assert_int_eq(tg_acct_server_list("192.0.2.1, 192.0.2.2:1646", "s",
					     buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "192.0.2.1:1813:s,192.0.2.2:1646:s");
	ck_assert_int_eq(tg_acct_server_list("", "s", buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(tg_acct_server_list("a,,b", "s", buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(tg_acct_server_list("a:1:2", "s", buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(tg_acct_server_list("192.0.2.1", "s", buf, 8), -ENOSPC);
}
END_TEST

/* A small accounting server: receives one request, answers if told. */
static int srv_open(__u16 *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

/* One request within 5 s: its attributes in attrs; answered if answer. */
static size_t srv_serve(int fd, bool answer, __u8 *attrs)
{
	static const __u8 zero[TG_RAD_AUTH_LEN];
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct sockaddr_in src;
	socklen_t sl = sizeof(src);
	__u8 pkt[TG_RAD_PKT_MAX], want[TG_RAD_AUTH_LEN], out[TG_RAD_HDR_LEN];
	ssize_t n;

	ck_assert_int_eq(poll(&p, 1, 5000), 1);
	n = recvfrom(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&src, &sl);
	ck_assert_int_ge(n, TG_RAD_HDR_LEN);
	ck_assert_uint_eq(pkt[0], TG_RC_ACCT_REQUEST);
	tg_rad_authenticator(pkt, n, zero, SECRET, want);
	ck_assert_mem_eq(want, pkt + 4, TG_RAD_AUTH_LEN);
	memcpy(attrs, pkt + TG_RAD_HDR_LEN, n - TG_RAD_HDR_LEN);
	if (answer) {
		out[0] = TG_RC_ACCT_RESPONSE;
		out[1] = pkt[1];
		out[2] = 0;
		out[3] = TG_RAD_HDR_LEN;
		tg_rad_authenticator(out, TG_RAD_HDR_LEN, pkt + 4, SECRET, out + 4);
		ck_assert_int_eq(sendto(fd, out, TG_RAD_HDR_LEN, 0,
					(struct sockaddr *)&src, sl), TG_RAD_HDR_LEN);
	}
	return n - TG_RAD_HDR_LEN;
}

/* The engine's answer within 5 s, read; radcli's retransmissions gone. */
static void acct_wait(struct tg_acct *a, __s64 now, int srv)
{
	struct pollfd p = { .fd = tg_acct_fd(a), .events = POLLIN };
	__u8 junk[TG_RAD_PKT_MAX];

	ck_assert_int_eq(poll(&p, 1, 5000), 1);
	while (recv(srv, junk, sizeof(junk), MSG_DONTWAIT) > 0)
		;
	ck_assert_int_eq(tg_acct_read(a, now), 0);
}

static __u64 counted_in;

static int counters(void *ctx, const char *id, struct tg_acct_counters *c)
{
	memset(c, 0, sizeof(*c));
	c->in_octets = counted_in;
	c->out_octets = 5;
	return 0;
}

START_TEST(test_engine_sends_in_order_keeps_until_answered)
{
	struct tg_acct_config cfg = { .secret = SECRET, .timeout = 1,
				      .retries = 1, .interim = 60,
				      .nas_identifier = "lns1" };
	struct tg_acct_counters c = { .in_octets = 6ULL << 32 | 1 };
	struct tg_acct_session s;
	struct tg_acct_stats st;
	struct tg_acct *a;
	char servers[64];
	__u8 attrs[TG_RAD_PKT_MAX];
	__u16 port;
	int fd = srv_open(&port);
	size_t n;
	__s64 due;

	setup();
	snprintf(servers, sizeof(servers), "127.0.0.1:%u", port);
	cfg.servers = servers;
	ck_assert_int_eq(tg_acct_open(&cfg, db, counters, NULL, &a), 0);
	session(&s, "A1");
	ck_assert_int_eq(tg_acct_start(a, &s, 1000), 0);
	ck_assert(tg_acct_busy(a));
	/* The server does not answer: the record stays, retried later. */
	n = srv_serve(fd, false, attrs);
	ck_assert_uint_eq(attr_u32(attrs, n, TG_RAD_ACCT_STATUS_TYPE), TG_ACCT_START);
	acct_wait(a, 1002, fd);
	ck_assert(!tg_acct_busy(a));
	ck_assert_int_eq(tg_acct_queue_len(db), 1);
	/* A Stop waits behind the Start, not sent before it. */
	ck_assert_int_eq(tg_acct_stop(a, "A1", &c, TG_ACCT_LOST_CARRIER, 1002), 0);
	ck_assert(!tg_acct_busy(a));
	ck_assert_int_eq(tg_acct_queue_len(db), 2);
	ck_assert_int_eq(tg_acct_tick(a, 1003), 0);	/* backoff: 1 s */
	ck_assert(tg_acct_busy(a));
	n = srv_serve(fd, true, attrs);
	ck_assert_uint_eq(attr_u32(attrs, n, TG_RAD_ACCT_STATUS_TYPE), TG_ACCT_START);
	ck_assert_uint_eq(attr_u32(attrs, n, TG_RAD_ACCT_DELAY_TIME), 3);
	ck_assert_uint_eq(attr_u32(attrs, n, TG_RAD_NAS_PORT), 77);
	acct_wait(a, 1003, fd);
	/* The Start answered and deleted, the Stop sent at once. */
	ck_assert(tg_acct_busy(a));
	ck_assert_int_eq(tg_acct_queue_len(db), 1);
	n = srv_serve(fd, true, attrs);
	ck_assert_uint_eq(attr_u32(attrs, n, TG_RAD_ACCT_STATUS_TYPE), TG_ACCT_STOP);
	ck_assert_uint_eq(attr_u32(attrs, n, TG_RAD_ACCT_INPUT_GIGAWORDS), 6);
	ck_assert_uint_eq(attr_u32(attrs, n, TG_RAD_ACCT_INPUT_OCTETS), 1);
	ck_assert_uint_eq(attr_u32(attrs, n, TG_RAD_ACCT_TERMINATE_CAUSE), 2);
	ck_assert_uint_eq(attr_u32(attrs, n, TG_RAD_ACCT_DELAY_TIME), 1);
	acct_wait(a, 1003, fd);
	ck_assert_int_eq(tg_acct_queue_len(db), 0);
	tg_acct_get_stats(a, &st);
	ck_assert_uint_eq(st.sent[TG_ACCT_START], 1);
	ck_assert_uint_eq(st.sent[TG_ACCT_STOP], 1);
	ck_assert_uint_eq(st.retried, 1);
	ck_assert_uint_eq(st.queue_len, 0);
	ck_assert_int_eq(tg_acct_stop(a, "A1", &c, 1, 1004), -ENOENT);

	/* Interim-Updates: the first within 30..60 s, then every 60 s. */
	session(&s, "B2");
	ck_assert_int_eq(tg_acct_start(a, &s, 2000), 0);
	srv_serve(fd, true, attrs);
	acct_wait(a, 2000, fd);
	due = tg_acct_first_due("B2", 60, 2000);
	counted_in = 1ULL << 33;
	ck_assert_int_eq(tg_acct_tick(a, due - 1), 0);
	ck_assert(!tg_acct_busy(a));
	ck_assert_int_eq(tg_acct_tick(a, due), 0);
	ck_assert(tg_acct_busy(a));
	n = srv_serve(fd, true, attrs);
	ck_assert_uint_eq(attr_u32(attrs, n, TG_RAD_ACCT_STATUS_TYPE), TG_ACCT_INTERIM);
	ck_assert_uint_eq(attr_u32(attrs, n, TG_RAD_ACCT_INPUT_GIGAWORDS), 2);
	ck_assert_uint_eq(attr_u32(attrs, n, TG_RAD_ACCT_OUTPUT_OCTETS), 5);
	acct_wait(a, due, fd);
	ck_assert_int_eq(tg_acct_tick(a, due + 59), 0);
	ck_assert(!tg_acct_busy(a));
	ck_assert_int_eq(tg_acct_tick(a, due + 60), 0);
	ck_assert(tg_acct_busy(a));
	srv_serve(fd, true, attrs);
	acct_wait(a, due + 60, fd);
	tg_acct_get_stats(a, &st);
	ck_assert_uint_eq(st.sent[TG_ACCT_INTERIM], 2);

	/* Records left at close are sent by the next engine. */
	ck_assert_int_eq(tg_acct_stop(a, "B2", &c, 1, due + 61), 0);
	srv_serve(fd, false, attrs);
	acct_wait(a, due + 62, fd);
	tg_acct_close(a);
	tg_db_close(db);
	ck_assert_int_eq(tg_db_open(dbpath, false, &db), 0);
	ck_assert_int_eq(tg_acct_open(&cfg, db, counters, NULL, &a), 0);
	ck_assert_int_eq(tg_acct_tick(a, due + 70), 0);
	n = srv_serve(fd, true, attrs);
	ck_assert_uint_eq(attr_u32(attrs, n, TG_RAD_ACCT_STATUS_TYPE), TG_ACCT_STOP);
	ck_assert_uint_eq(attr_u32(attrs, n, TG_RAD_ACCT_DELAY_TIME), 9);
	acct_wait(a, due + 70, fd);
	ck_assert_int_eq(tg_acct_queue_len(db), 0);
	tg_acct_close(a);
	close(fd);
	teardown();
}
END_TEST

/*
 * Records made while the daemon has no connection, or while another
 * holds the database's write lock, are kept in memory and stored (and
 * sent) once it can take them: none lost.
 */
START_TEST(test_engine_keeps_records_without_database)
{
	struct tg_acct_config cfg = { .secret = SECRET, .timeout = 1,
				      .retries = 1 };
	struct tg_acct_counters c = { .in_octets = 42 };
	struct tg_acct_session s;
	struct tg_acct_stats st;
	struct tg_acct *a;
	sqlite3 *other;
	char servers[64];
	__u8 attrs[TG_RAD_PKT_MAX];
	__u16 port;
	int fd = srv_open(&port);
	size_t n;

	setup();
	snprintf(servers, sizeof(servers), "127.0.0.1:%u", port);
	cfg.servers = servers;
	ck_assert_int_eq(tg_acct_open(&cfg, db, counters, NULL, &a), 0);
	/* The connection closed (the daemon reopens it on a checkpoint). */
	tg_acct_set_db(a, NULL);
	tg_db_close(db);
	session(&s, "C3");
	ck_assert_int_eq(tg_acct_start(a, &s, 3000), 0);
	ck_assert(!tg_acct_busy(a));
	tg_acct_get_stats(a, &st);
	ck_assert_uint_eq(st.queue_len, 1);
	ck_assert_uint_eq(st.queued[TG_ACCT_START], 0);
	ck_assert_int_eq(tg_db_open(dbpath, false, &db), 0);
	tg_acct_set_db(a, db);
	ck_assert_int_eq(tg_acct_tick(a, 3001), 0);
	ck_assert(tg_acct_busy(a));
	n = srv_serve(fd, true, attrs);
	ck_assert_uint_eq(attr_u32(attrs, n, TG_RAD_ACCT_STATUS_TYPE), TG_ACCT_START);
	acct_wait(a, 3001, fd);
	ck_assert_int_eq(tg_acct_queue_len(db), 0);

	/* Another connection holds the write lock: the Stop waits for it. */
	sqlite3_busy_timeout(db, 50);
	ck_assert_int_eq(tg_db_open(dbpath, false, &other), 0);
	ck_assert_int_eq(tg_db_exec(other, "BEGIN IMMEDIATE"), 0);
	ck_assert_int_ne(tg_acct_stop(a, "C3", &c, TG_ACCT_USER_REQUEST, 3002), 0);
	ck_assert(!tg_acct_busy(a));
	tg_acct_get_stats(a, &st);
	ck_assert_uint_eq(st.queue_len, 1);
	ck_assert_int_eq(tg_db_exec(other, "COMMIT"), 0);
	tg_db_close(other);
	ck_assert_int_eq(tg_acct_tick(a, 3003), 0);
	ck_assert(tg_acct_busy(a));
	n = srv_serve(fd, true, attrs);
	ck_assert_uint_eq(attr_u32(attrs, n, TG_RAD_ACCT_STATUS_TYPE), TG_ACCT_STOP);
	ck_assert_uint_eq(attr_u32(attrs, n, TG_RAD_ACCT_INPUT_OCTETS), 42);
	acct_wait(a, 3003, fd);
	tg_acct_get_stats(a, &st);
	ck_assert_uint_eq(st.sent[TG_ACCT_START] + st.sent[TG_ACCT_STOP], 2);
	ck_assert_uint_eq(st.queue_len, 0);
	tg_acct_close(a);
	close(fd);
	teardown();
}
END_TEST

Suite *radius_acct_suite(void)
{
	Suite *s = suite_create("radius_acct");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_gigawords);
	tcase_add_test(tc, test_record_attributes);
	tcase_add_test(tc, test_queue_persists_in_order);
	tcase_add_test(tc, test_queue_full_drops_interims);
	tcase_add_test(tc, test_interim_spread);
	tcase_add_test(tc, test_server_list);
	tcase_add_test(tc, test_engine_sends_in_order_keeps_until_answered);
	tcase_add_test(tc, test_engine_keeps_records_without_database);
	suite_add_tcase(s, tc);
	return s;
}
