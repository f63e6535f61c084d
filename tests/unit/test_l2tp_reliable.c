// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reliable delivery of the L2TPv2 control connection (loader/lns/
 * reliable.c) against a simulated clock: the peer's window, backoff and
 * giving up, acks by the next message or a ZLB, duplicates, messages held
 * until a gap is filled, and sequence numbers wrapping.
 */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "lns/reliable.h"

#define SENT_MAX 64

/* What left through the callback: time, Ns, Nr and whether a ZLB. */
static struct {
	uint64_t at;
	uint16_t ns;
	uint16_t nr;
	bool zlb;
} sent[SENT_MAX];
static unsigned int n_sent;
static uint64_t clock_ms;

static void xmit(void *ctx, const uint8_t *buf, size_t len)
{
	struct l2tp_hdr h;

	ck_assert_int_eq(l2tp_hdr_parse(buf, len, &h), L2TP_E_NONE);
	ck_assert_uint_eq(h.tunnel, 77);
	if (n_sent < SENT_MAX) {
		sent[n_sent].at = clock_ms;
		sent[n_sent].ns = h.ns;
		sent[n_sent].nr = h.nr;
		sent[n_sent].zlb = len == L2TP_CTRL_HDR_LEN;
	}
	n_sent++;
}

static struct l2tp_chan c;

static void setup(void)
{
	n_sent = 0;
	clock_ms = 1000000;
	l2tp_chan_init(&c, 77, 0, xmit, NULL);
}

static void teardown(void)
{
	l2tp_chan_free(&c);
}

static int send_hello(void)
{
	struct l2tp_builder b;

	l2tp_build_init(&b, 77, 0, L2TP_MSG_HELLO);
	return l2tp_chan_send(&c, &b, clock_ms);
}

/* A message from the peer with Ns and Nr (a ZLB when zlb). */
static enum l2tp_rx peer(uint16_t ns, uint16_t nr, bool zlb)
{
	struct l2tp_builder b;
	struct l2tp_hdr h;
	int len;

	l2tp_build_init(&b, 2, 0, zlb ? L2TP_MSG_ZLB : L2TP_MSG_HELLO);
	len = l2tp_build_finish(&b, ns, nr);
	ck_assert_int_eq(l2tp_hdr_parse(b.buf, (size_t)len, &h), L2TP_E_NONE);
	return l2tp_chan_receive(&c, &h, b.buf, (size_t)len, clock_ms);
}

START_TEST(test_window)
{
	int i;

	ck_assert_uint_eq(c.peer_rws, L2TP_RWS_DEFAULT);
	l2tp_chan_free(&c);
	l2tp_chan_init(&c, 77, 2, xmit, NULL);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(send_hello(), 0);
	ck_assert_uint_eq(n_sent, 2);
	ck_assert_uint_eq(peer(0, 1, true), L2TP_RX_ACK_ONLY);
	ck_assert_uint_eq(n_sent, 3);
	ck_assert_uint_eq(sent[2].ns, 2);
	/* Nr 4 acks a message never sent: ignored. */
	ck_assert_uint_eq(peer(0, 4, true), L2TP_RX_ACK_ONLY);
	ck_assert_uint_eq(c.txq_len, 3);
	ck_assert_uint_eq(peer(0, 3, true), L2TP_RX_ACK_ONLY);
	ck_assert_uint_eq(n_sent, 4);
	ck_assert_uint_eq(peer(0, 4, true), L2TP_RX_ACK_ONLY);
	ck_assert(l2tp_chan_idle(&c));
	ck_assert_uint_eq(l2tp_chan_deadline(&c), UINT64_MAX);
}
END_TEST

START_TEST(test_backoff_and_give_up)
{
	static const uint64_t want[] = { 0, 1000, 3000, 7000, 15000, 23000 };
	uint64_t t0 = clock_ms;
	unsigned int i;

	ck_assert_int_eq(send_hello(), 0);
	for (i = 1; i < 6; i++) {
		clock_ms = t0 + want[i] - 1;
		ck_assert_int_eq(l2tp_chan_tick(&c, clock_ms), 0);
		ck_assert_uint_eq(n_sent, i);
		clock_ms = l2tp_chan_deadline(&c);
		ck_assert_uint_eq(clock_ms, t0 + want[i]);
		ck_assert_int_eq(l2tp_chan_tick(&c, clock_ms), 0);
		ck_assert_uint_eq(n_sent, i + 1);
		ck_assert_uint_eq(sent[i].ns, 0);
	}
	ck_assert_uint_eq(c.retransmits, 5);
	clock_ms = l2tp_chan_deadline(&c);
	ck_assert_uint_eq(clock_ms, t0 + 31000);
	ck_assert_int_eq(l2tp_chan_tick(&c, clock_ms), -ETIMEDOUT);
}
END_TEST

START_TEST(test_retransmit_carries_new_nr)
{
	ck_assert_int_eq(send_hello(), 0);
	ck_assert_uint_eq(sent[0].nr, 0);
	ck_assert_uint_eq(peer(0, 0, false), L2TP_RX_DELIVER);
	clock_ms += L2TP_RTO_MS;
	ck_assert_int_eq(l2tp_chan_tick(&c, clock_ms), 0);
	ck_assert_uint_eq(n_sent, 2);
	ck_assert(!sent[1].zlb);
	ck_assert_uint_eq(sent[1].nr, 1);
	/* The retransmission carried the ack: no ZLB follows. */
	clock_ms += L2TP_ACK_DELAY_MS;
	ck_assert_int_eq(l2tp_chan_tick(&c, clock_ms), 0);
	ck_assert_uint_eq(n_sent, 2);
	/* An ack resets the backoff. */
	ck_assert_uint_eq(peer(1, 1, true), L2TP_RX_ACK_ONLY);
	ck_assert_uint_eq(c.rto_ms, L2TP_RTO_MS);
	ck_assert(l2tp_chan_idle(&c));
}
END_TEST

START_TEST(test_delayed_zlb)
{
	ck_assert_uint_eq(peer(0, 0, false), L2TP_RX_DELIVER);
	ck_assert_uint_eq(l2tp_chan_deadline(&c), clock_ms + L2TP_ACK_DELAY_MS);
	ck_assert_int_eq(l2tp_chan_tick(&c, clock_ms + L2TP_ACK_DELAY_MS - 1), 0);
	ck_assert_uint_eq(n_sent, 0);
	clock_ms += L2TP_ACK_DELAY_MS;
	ck_assert_int_eq(l2tp_chan_tick(&c, clock_ms), 0);
	ck_assert_uint_eq(n_sent, 1);
	ck_assert(sent[0].zlb);
	ck_assert_uint_eq(sent[0].nr, 1);
	ck_assert_uint_eq(sent[0].ns, 0);

	/* An answer before the delay carries the ack instead. */
	ck_assert_uint_eq(peer(1, 0, false), L2TP_RX_DELIVER);
	ck_assert_int_eq(send_hello(), 0);
	clock_ms += L2TP_ACK_DELAY_MS;
	ck_assert_int_eq(l2tp_chan_tick(&c, clock_ms), 0);
	ck_assert_uint_eq(n_sent, 2);
	ck_assert(!sent[1].zlb);
	ck_assert_uint_eq(sent[1].nr, 2);
}
END_TEST

START_TEST(test_duplicate)
{
	ck_assert_uint_eq(peer(0, 0, false), L2TP_RX_DELIVER);
	ck_assert_uint_eq(peer(0, 0, false), L2TP_RX_DUPLICATE);
	ck_assert_uint_eq(n_sent, 1);
	ck_assert(sent[0].zlb);
	ck_assert_uint_eq(sent[0].nr, 1);
	ck_assert_uint_eq(c.duplicates, 1);
}
END_TEST

START_TEST(test_held_until_gap_filled)
{
	uint8_t buf[L2TP_MSG_MAX];
	struct l2tp_hdr h;
	size_t len;

	ck_assert_uint_eq(peer(0, 0, false), L2TP_RX_DELIVER);
	ck_assert_uint_eq(peer(2, 0, false), L2TP_RX_HELD);
	ck_assert_uint_eq(peer(3, 0, false), L2TP_RX_HELD);
	ck_assert_uint_eq(peer(3, 0, false), L2TP_RX_HELD);
	ck_assert_uint_eq(l2tp_chan_next_held(&c, buf, clock_ms), 0);
	ck_assert_uint_eq(peer(1, 0, false), L2TP_RX_DELIVER);
	len = l2tp_chan_next_held(&c, buf, clock_ms);
	ck_assert_uint_eq(len, 20);	/* header and the Message Type AVP */
	ck_assert_int_eq(l2tp_hdr_parse(buf, len, &h), L2TP_E_NONE);
	ck_assert_uint_eq(h.ns, 2);
	len = l2tp_chan_next_held(&c, buf, clock_ms);
	ck_assert_int_eq(l2tp_hdr_parse(buf, len, &h), L2TP_E_NONE);
	ck_assert_uint_eq(h.ns, 3);
	ck_assert_uint_eq(l2tp_chan_next_held(&c, buf, clock_ms), 0);
	ck_assert_uint_eq(c.nr, 4);
	/* Beyond our window. */
	ck_assert_uint_eq(peer(4 + L2TP_RWS_OURS, 0, false), L2TP_RX_DROPPED);
	ck_assert_uint_eq(c.out_of_window, 1);
}
END_TEST

START_TEST(test_queue_full_and_bogus_nr)
{
	int i;

	for (i = 0; i < L2TP_TXQ_MAX; i++)
		ck_assert_int_eq(send_hello(), 0);
	ck_assert_int_eq(send_hello(), -ENOBUFS);
	ck_assert_uint_eq(n_sent, L2TP_RWS_DEFAULT);
	/* An Nr for messages never sent takes nothing away. */
	ck_assert_uint_eq(peer(0, 1000, true), L2TP_RX_ACK_ONLY);
	ck_assert_uint_eq(c.txq_len, L2TP_TXQ_MAX);
	for (i = L2TP_RWS_DEFAULT; i <= L2TP_TXQ_MAX; i += L2TP_RWS_DEFAULT) {
		ck_assert_uint_eq(peer(0, (uint16_t)i, true), L2TP_RX_ACK_ONLY);
		ck_assert_uint_eq(n_sent, i + L2TP_RWS_DEFAULT > L2TP_TXQ_MAX ?
				  L2TP_TXQ_MAX : i + L2TP_RWS_DEFAULT);
	}
	ck_assert(l2tp_chan_idle(&c));
	ck_assert_uint_eq(n_sent, L2TP_TXQ_MAX);
}
END_TEST

/* 70,000 messages each way: Ns and Nr wrap past 65535 and stay in step. */
START_TEST(test_wrap)
{
	uint32_t i;

	for (i = 0; i < 70000; i++) {
		ck_assert_int_eq(send_hello(), 0);
		ck_assert_uint_eq(peer((uint16_t)i, (uint16_t)(i + 1), false),
				  L2TP_RX_DELIVER);
		ck_assert(l2tp_chan_idle(&c));
	}
	ck_assert_uint_eq(c.ns, (uint16_t)70000);
	ck_assert_uint_eq(c.nr, (uint16_t)70000);
	ck_assert_uint_eq(peer((uint16_t)69999, (uint16_t)70000, false),
			  L2TP_RX_DUPLICATE);
	ck_assert_uint_eq(c.duplicates, 1);
}
END_TEST

Suite *l2tp_reliable_suite(void)
{
	Suite *s = suite_create("l2tp_reliable");
	TCase *tc = tcase_create("reliable");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_window);
	tcase_add_test(tc, test_backoff_and_give_up);
	tcase_add_test(tc, test_retransmit_carries_new_nr);
	tcase_add_test(tc, test_delayed_zlb);
	tcase_add_test(tc, test_duplicate);
	tcase_add_test(tc, test_held_until_gap_filled);
	tcase_add_test(tc, test_queue_full_and_bogus_nr);
	tcase_add_test(tc, test_wrap);
	suite_add_tcase(s, tc);
	return s;
}
