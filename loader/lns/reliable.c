// SPDX-License-Identifier: GPL-2.0-only
/* Ns/Nr, windows, retransmission and acks of one control connection. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lns/reliable.h"

/* Sequence numbers wrap at 2^16: a before b within half the space. */
static bool seq_before(uint16_t a, uint16_t b)
{
	return (int16_t)(a - b) < 0;
}

void l2tp_chan_init(struct l2tp_chan *c, uint16_t peer_tunnel,
		    uint16_t peer_rws, l2tp_xmit_fn xmit, void *ctx)
{
	memset(c, 0, sizeof(*c));
	c->tunnel = peer_tunnel;
	c->peer_rws = peer_rws ? peer_rws : L2TP_RWS_DEFAULT;
	c->rto_ms = L2TP_RTO_MS;
	c->xmit = xmit;
	c->ctx = ctx;
}

void l2tp_chan_free(struct l2tp_chan *c)
{
	unsigned int i;

	for (i = 0; i < c->txq_len; i++)
		free(c->txq[i].buf);
	for (i = 0; i < L2TP_RWS_OURS; i++)
		free(c->held[i].buf);
	c->txq_len = 0;
	memset(c->held, 0, sizeof(c->held));
}

/* Send one queued message with our current Nr (it acks all we got). */
static void transmit(struct l2tp_chan *c, struct l2tp_sent *s, uint64_t now)
{
	s->buf[10] = c->nr >> 8;
	s->buf[11] = c->nr & 0xff;
	c->xmit(c->ctx, s->buf, s->len);
	s->tries++;
	c->ack_due = false;
	if (!c->rto_at)
		c->rto_at = now + c->rto_ms;
}

/* Send what the peer's window now admits. */
static void pump(struct l2tp_chan *c, uint64_t now)
{
	unsigned int i;

	for (i = 0; i < c->txq_len; i++) {
		struct l2tp_sent *s = &c->txq[i];

		if ((uint16_t)(s->ns - c->acked) >= c->peer_rws)
			break;
		if (!s->tries)
			transmit(c, s, now);
	}
}

int l2tp_chan_send(struct l2tp_chan *c, struct l2tp_builder *b,
		   uint64_t now)
{
	struct l2tp_sent *s;
	int len;

	if (c->txq_len == L2TP_TXQ_MAX)
		return -ENOBUFS;
	len = l2tp_build_finish(b, c->ns, c->nr);
	if (len < 0)
		return len;
	s = &c->txq[c->txq_len];
	s->buf = malloc((size_t)len);
	if (!s->buf)
		return -ENOMEM;
	memcpy(s->buf, b->buf, (size_t)len);
	s->len = (uint16_t)len;
	s->ns = c->ns++;
	s->tries = 0;
	c->txq_len++;
	pump(c, now);
	return 0;
}

static void send_zlb(struct l2tp_chan *c)
{
	struct l2tp_builder b;
	int len;

	l2tp_build_init(&b, c->tunnel, 0, L2TP_MSG_ZLB);
	len = l2tp_build_finish(&b, c->ns, c->nr);
	c->xmit(c->ctx, b.buf, (size_t)len);
	c->ack_due = false;
}

/* The Ns after the last message transmitted at least once. */
static uint16_t sent_end(const struct l2tp_chan *c)
{
	unsigned int i;

	for (i = 0; i < c->txq_len; i++)
		if (!c->txq[i].tries)
			return c->txq[i].ns;
	return c->ns;
}

/* The peer's Nr: every message of ours before it has arrived. */
static void take_ack(struct l2tp_chan *c, uint16_t nr, uint64_t now)
{
	unsigned int n = 0;

	/* An Nr beyond what we sent acknowledges nothing real: ignored. */
	if (seq_before(sent_end(c), nr))
		return;
	while (n < c->txq_len && seq_before(c->txq[n].ns, nr))
		free(c->txq[n++].buf);
	if (!n)
		return;
	c->txq_len -= n;
	memmove(c->txq, c->txq + n, c->txq_len * sizeof(c->txq[0]));
	c->acked = nr;
	c->rto_ms = L2TP_RTO_MS;
	c->rto_at = 0;
	if (c->txq_len && c->txq[0].tries)
		c->rto_at = now + c->rto_ms;
	pump(c, now);
}

/* One more message in order: the held ones move one closer. */
static void advance(struct l2tp_chan *c, uint64_t now)
{
	c->nr++;
	/*
	 * The ack goes with our next message, or as a ZLB at most so long
	 * after the first message it covers; at once when half our window
	 * waits for it, so that a busy peer is never held up.
	 */
	if (!c->ack_due) {
		c->ack_due = true;
		c->rx_unacked = 0;
		c->ack_at = now + L2TP_ACK_DELAY_MS;
	}
	if (++c->rx_unacked >= L2TP_RWS_OURS / 2)
		c->ack_at = now;
	memmove(c->held, c->held + 1, (L2TP_RWS_OURS - 1) * sizeof(c->held[0]));
	memset(&c->held[L2TP_RWS_OURS - 1], 0, sizeof(c->held[0]));
}

enum l2tp_rx l2tp_chan_receive(struct l2tp_chan *c, const struct l2tp_hdr *h,
			       const uint8_t *buf, size_t len, uint64_t now)
{
	uint16_t d;

	take_ack(c, h->nr, now);
	if (h->length == L2TP_CTRL_HDR_LEN)
		return L2TP_RX_ACK_ONLY;
	if (h->ns == c->nr) {
		advance(c, now);
		return L2TP_RX_DELIVER;
	}
	if (seq_before(h->ns, c->nr)) {
		/* Our ack was lost: say again what we have. */
		c->duplicates++;
		send_zlb(c);
		return L2TP_RX_DUPLICATE;
	}
	d = h->ns - c->nr;
	if (d >= L2TP_RWS_OURS) {
		c->out_of_window++;
		return L2TP_RX_DROPPED;
	}
	if (!c->held[d].len) {
		c->held[d].buf = malloc(len);
		if (!c->held[d].buf)
			return L2TP_RX_DROPPED;	/* the peer sends it again */
		memcpy(c->held[d].buf, buf, len);
		c->held[d].len = (uint16_t)len;
	} else {
		c->duplicates++;
	}
	return L2TP_RX_HELD;
}

size_t l2tp_chan_next_held(struct l2tp_chan *c, uint8_t *buf, uint64_t now)
{
	struct l2tp_held h = c->held[0];

	if (!h.len)
		return 0;
	memcpy(buf, h.buf, h.len);
	free(h.buf);
	c->held[0].len = 0;
	c->held[0].buf = NULL;
	advance(c, now);
	return h.len;
}

int l2tp_chan_tick(struct l2tp_chan *c, uint64_t now)
{
	unsigned int i;

	if (c->rto_at && now >= c->rto_at && c->txq_len) {
		if (c->txq[0].tries > L2TP_RETRIES)
			return -ETIMEDOUT;
		c->rto_ms = c->rto_ms * 2 > L2TP_RTO_MAX_MS ?
			    L2TP_RTO_MAX_MS : c->rto_ms * 2;
		c->rto_at = 0;
		for (i = 0; i < c->txq_len && c->txq[i].tries; i++) {
			transmit(c, &c->txq[i], now);
			c->retransmits++;
		}
	}
	if (c->ack_due && now >= c->ack_at)
		send_zlb(c);
	return 0;
}

uint64_t l2tp_chan_deadline(const struct l2tp_chan *c)
{
	uint64_t t = UINT64_MAX;

	if (c->rto_at && c->txq_len)
		t = c->rto_at;
	if (c->ack_due && c->ack_at < t)
		t = c->ack_at;
	return t;
}

bool l2tp_chan_idle(const struct l2tp_chan *c)
{
	return !c->txq_len;
}
