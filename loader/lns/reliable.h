/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reliable delivery of one L2TPv2 control connection (RFC 2661 section
 * 5.8): Ns/Nr sequencing, the peer's receive window, retransmission with
 * exponential backoff, acknowledgement by the next message or by a ZLB,
 * duplicates acknowledged and dropped, messages that arrive early held
 * until the gap is filled.
 *
 * Time is passed in (milliseconds of a monotonic clock) and datagrams
 * leave through a callback, so the whole behaviour is testable without a
 * socket or a sleep.
 */
#ifndef TG_LNS_RELIABLE_H
#define TG_LNS_RELIABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lns/l2tp.h"

#define L2TP_RWS_OURS 8		/* receive window we advertise */
#define L2TP_TXQ_MAX 32		/* messages waiting for an ack, per tunnel */
#define L2TP_RTO_MS 1000	/* first retransmission after */
#define L2TP_RTO_MAX_MS 8000	/* backoff cap (section 5.8: "8 seconds") */
#define L2TP_RETRIES 5		/* then the peer is given up */
#define L2TP_ACK_DELAY_MS 100	/* a ZLB if nothing else carried the ack */

#define L2TP_RWS_DEFAULT 4	/* the peer's, when it sends no RWS AVP */

/* A message held or queued, in its own allocation (most are small). */
struct l2tp_held {
	uint16_t len;		/* 0: slot free */
	uint8_t *buf;
};

struct l2tp_sent {
	uint16_t len;
	uint16_t ns;
	uint8_t tries;		/* transmissions so far, 0: not yet sent */
	uint8_t *buf;
};

typedef void (*l2tp_xmit_fn)(void *ctx, const uint8_t *buf, size_t len);

struct l2tp_chan {
	uint16_t tunnel;	/* the peer's tunnel id, in every header */
	uint16_t ns;		/* Ns of our next message */
	uint16_t nr;		/* Ns we expect next from the peer */
	uint16_t peer_rws;	/* messages the peer takes unacked */
	uint16_t acked;		/* our oldest unacked Ns */
	bool ack_due;		/* received something not yet acked */
	uint16_t rx_unacked;	/* messages received since our last ack */
	uint64_t ack_at;	/* when the ZLB goes if still due */
	uint64_t rto_at;	/* when the oldest unacked is sent again */
	uint32_t rto_ms;
	unsigned int txq_len;	/* messages in txq, oldest first */
	struct l2tp_sent txq[L2TP_TXQ_MAX];
	struct l2tp_held held[L2TP_RWS_OURS];	/* by Ns - nr - 1 */
	l2tp_xmit_fn xmit;
	void *ctx;
	/* Counters for status and metrics. */
	uint64_t retransmits;
	uint64_t duplicates;
	uint64_t out_of_window;
};

/* peer_rws: the peer's Receive Window Size AVP, 0 when it sent none. */
void l2tp_chan_init(struct l2tp_chan *c, uint16_t peer_tunnel,
		    uint16_t peer_rws, l2tp_xmit_fn xmit, void *ctx);
/* Frees what is queued or held; c can be initialised again. */
void l2tp_chan_free(struct l2tp_chan *c);

/*
 * Queue the message in b (built by l2tp_build_*, not finished) and send it
 * when the window allows. 0, -EMSGSIZE (the builder overflowed) or
 * -ENOBUFS (L2TP_TXQ_MAX messages unacked: the peer is not keeping up)
 * or -ENOMEM.
 */
int l2tp_chan_send(struct l2tp_chan *c, struct l2tp_builder *b,
		   uint64_t now);

enum l2tp_rx {
	L2TP_RX_DELIVER,	/* in order: process it now */
	L2TP_RX_ACK_ONLY,	/* a ZLB: its Nr was taken, nothing to process */
	L2TP_RX_DUPLICATE,	/* seen before: acknowledged again, dropped */
	L2TP_RX_HELD,		/* early: kept until the gap is filled */
	L2TP_RX_DROPPED,	/* beyond our window: dropped, counted */
};

/*
 * Take a received control message (header parsed by l2tp_hdr_parse): its
 * Nr acknowledges our messages, its Ns is checked against ours. After
 * L2TP_RX_DELIVER, call l2tp_chan_next_held() until it returns 0 for the
 * messages held that now follow in order.
 */
enum l2tp_rx l2tp_chan_receive(struct l2tp_chan *c, const struct l2tp_hdr *h,
			       const uint8_t *buf, size_t len, uint64_t now);

/*
 * The next held message now in order, copied to buf (L2TP_MSG_MAX bytes):
 * its length, or 0 when the next one has not arrived.
 */
size_t l2tp_chan_next_held(struct l2tp_chan *c, uint8_t *buf, uint64_t now);

/*
 * Timers: retransmissions and the delayed ZLB. 0, or -ETIMEDOUT when the
 * oldest message went L2TP_RETRIES times without an ack (the caller tears
 * the tunnel down).
 */
int l2tp_chan_tick(struct l2tp_chan *c, uint64_t now);

/* When l2tp_chan_tick() has something to do next, UINT64_MAX for never. */
uint64_t l2tp_chan_deadline(const struct l2tp_chan *c);

/* Whether every message we sent has been acknowledged. */
bool l2tp_chan_idle(const struct l2tp_chan *c);

#endif /* TG_LNS_RELIABLE_H */
