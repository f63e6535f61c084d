// SPDX-License-Identifier: GPL-2.0-only
/*
 * The LAC's control connection (RFC 2661 sections 5 and 7): SCCRQ, SCCRP,
 * SCCCN with the optional challenge both ways, reliable delivery (Ns/Nr,
 * ZLB acks, retransmission with backoff, duplicates dropped), HELLO,
 * incoming calls (ICRQ, ICRP, ICCN), CDN and StopCCN both ways; data
 * messages in and out of the same socket.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lns/l2tp_msg.h"
#include "lac.h"

/* Ids are unique over the whole run, so one table finds a session. */
static struct session *by_sid[65536];
static uint16_t next_tid = 1, next_sid = 1;
static uint32_t call_serial = 1;

static bool seq_lt(uint16_t a, uint16_t b)
{
	return (int16_t)(a - b) < 0;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static struct l2tp_secret secret(void)
{
	struct l2tp_secret s = {
		.secret = (const uint8_t *)opt.secret,
		.len = opt.secret ? strlen(opt.secret) : 0,
	};

	return s;
}

struct tunnel *lac_tunnel_new(int index)
{
	struct tunnel *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->fd = -1;
	t->index = index;
	t->lid = next_tid++;
	t->peer_rws = 4;
	t->rtx_ms = opt.rtx_ms;
	return t;
}

/* One datagram out, with the send faults applied to control messages. */
static void raw_send(struct tunnel *t, const uint8_t *buf, size_t len)
{
	t->sent_count++;
	if (opt.drop_sent && t->sent_count == opt.drop_sent)
		return;
	if (opt.reorder && t->sent_count == opt.reorder &&
	    len <= sizeof(t->held)) {
		memcpy(t->held, buf, len);
		t->held_len = len;
		return;
	}
	if (send(t->fd, buf, len, 0) < 0 && errno != EAGAIN)
		perror("tg-lac: send");
	if (opt.dup)
		send(t->fd, buf, len, 0);
	if (t->held_len) {
		send(t->fd, t->held, t->held_len, 0);
		t->held_len = 0;
	}
}

static void transmit(struct tunnel *t, struct lac_msg *m)
{
	put16(m->buf + 10, t->nr);	/* the newest Nr on every copy */
	raw_send(t, m->buf, m->len);
	m->sent = true;
	t->ack_due = false;
	/* PPP behind its ICCN: the LNS ignores LCP before the call is up. */
	if (m->ppp && m->ppp->state == S_PPP)
		lac_ppp_start(m->ppp, lac_now_ms());
	m->ppp = NULL;
}

/* Send what the peer's window allows; arm the retransmission timer. */
static void flush(struct tunnel *t, uint64_t now)
{
	int i;

	for (i = 0; i < t->qlen; i++) {
		struct lac_msg *m = t->q[i];

		if (m->sent)
			continue;
		if (!seq_lt(m->ns, (uint16_t)(t->peer_nr + t->peer_rws)))
			break;
		transmit(t, m);
		if (!t->rtx_at)
			t->rtx_at = now + t->rtx_ms;
	}
}

/* Queue a built message: it takes the next Ns. */
static void enqueue_ppp(struct tunnel *t, struct l2tp_builder *b,
			struct session *ppp, uint64_t now)
{
	struct lac_msg *m;
	int len = l2tp_build_finish(b, t->ns, t->nr);

	if (len < 0)
		return;
	if (t->qlen == t->qcap) {
		int cap = t->qcap ? t->qcap * 2 : 64;
		struct lac_msg **q = realloc(t->q, sizeof(*q) * (size_t)cap);

		if (!q)
			return;
		t->q = q;
		t->qcap = cap;
	}
	m = malloc(sizeof(*m));
	if (!m)
		return;
	memcpy(m->buf, b->buf, (size_t)len);
	m->len = (uint16_t)len;
	m->ns = t->ns++;
	m->sent = false;
	m->ppp = ppp;
	t->q[t->qlen++] = m;
	flush(t, now);
}

static void enqueue(struct tunnel *t, struct l2tp_builder *b, uint64_t now)
{
	enqueue_ppp(t, b, NULL, now);
}

/* A ZLB carries the Ns of the next message to go out, not yet sent. */
static void send_zlb(struct tunnel *t)
{
	struct l2tp_builder b;
	uint16_t ns = t->ns;
	int i, len;

	for (i = 0; i < t->qlen; i++)
		if (!t->q[i]->sent) {
			ns = t->q[i]->ns;
			break;
		}
	l2tp_build_init(&b, t->rid, 0, L2TP_MSG_ZLB);
	len = l2tp_build_finish(&b, ns, t->nr);
	raw_send(t, b.buf, (size_t)len);
	t->ack_due = false;
}

/* The peer's Nr acknowledges everything before it. */
static void acked(struct tunnel *t, uint16_t nr, uint64_t now)
{
	int n = 0, i;

	while (n < t->qlen && t->q[n]->sent && seq_lt(t->q[n]->ns, nr))
		free(t->q[n++]);
	if (!n)
		return;
	for (i = n; i < t->qlen; i++)
		t->q[i - n] = t->q[i];
	t->qlen -= n;
	t->peer_nr = nr;
	t->rtx_ms = opt.rtx_ms;
	t->tries = 0;
	t->rtx_at = 0;
	flush(t, now);
	if (t->qlen && t->q[0]->sent)
		t->rtx_at = now + t->rtx_ms;
}

bool lac_tunnel_idle(const struct tunnel *t)
{
	return t->qlen == 0 && !t->held_len;
}

int lac_tunnel_open(struct tunnel *t)
{
	struct sockaddr_in local = {
		.sin_family = AF_INET, .sin_addr = opt.local,
	};
	struct l2tp_builder b;
	int one = 1;

	t->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (t->fd < 0)
		return -errno;
	setsockopt(t->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(t->fd, (struct sockaddr *)&local, sizeof(local)) < 0 ||
	    connect(t->fd, (struct sockaddr *)&opt.lns, sizeof(opt.lns)) < 0)
		return -errno;

	l2tp_build_init(&b, 0, 0, L2TP_MSG_SCCRQ);
	l2tp_build_u16(&b, true, L2TP_AVP_PROTO_VERSION, 0x0100);
	l2tp_build_u32(&b, true, L2TP_AVP_FRAMING_CAPS, 3);
	l2tp_build_u32(&b, false, L2TP_AVP_BEARER_CAPS, 3);
	l2tp_build_u16(&b, false, L2TP_AVP_FIRMWARE, 0x0100);
	l2tp_build_avp(&b, true, L2TP_AVP_HOST_NAME, LAC_HOST_NAME,
		       strlen(LAC_HOST_NAME));
	l2tp_build_avp(&b, false, L2TP_AVP_VENDOR_NAME, "tungate", 7);
	l2tp_build_u16(&b, true, L2TP_AVP_TUNNEL_ID, t->lid);
	l2tp_build_u16(&b, true, L2TP_AVP_RWS, LAC_WINDOW);
	if (opt.secret) {
		lac_random_bytes(t->challenge, sizeof(t->challenge));
		l2tp_build_avp(&b, true, L2TP_AVP_CHALLENGE, t->challenge,
			       sizeof(t->challenge));
	}
	t->state = T_WAIT_SCCRP;
	enqueue(t, &b, lac_now_ms());
	return 0;
}

/* The session ends here without a CDN of ours. */
void lac_session_gone(struct session *s, const char *why)
{
	if (s->state == S_DOWN)
		return;
	if (s->state == S_UP || s->state == S_PPP || s->state == S_CLOSING ||
	    s->state == S_WAIT_ICRP)
		ev_session_down(s, why);
	s->state = S_DOWN;
	by_sid[s->lsid] = NULL;
}

static void sessions_gone(struct tunnel *t, const char *why)
{
	struct session *s;

	for (s = t->sessions; s; s = s->next)
		lac_session_gone(s, why);
}

void lac_tunnel_stop(struct tunnel *t, uint16_t result, const char *why,
		     uint64_t now)
{
	struct l2tp_builder b;

	if (t->state == T_CLOSING || t->state == T_DOWN)
		return;
	sessions_gone(t, why);
	l2tp_build_init(&b, t->rid, 0, L2TP_MSG_StopCCN);
	l2tp_build_u16(&b, true, L2TP_AVP_TUNNEL_ID, t->lid);
	l2tp_build_u16(&b, true, L2TP_AVP_RESULT, result);
	enqueue(t, &b, now);
	t->state = T_CLOSING;
	t->closed_at = now;
	ev_tunnel(t, "tunnel-down", why);
}

struct session *lac_session_new(struct tunnel *t, int index)
{
	struct session *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->t = t;
	s->index = index;
	s->tun_fd = -1;
	s->next = t->sessions;
	t->sessions = s;
	t->nsessions++;
	snprintf(s->user, sizeof(s->user), opt.user, index);
	return s;
}

void lac_session_start(struct session *s, uint64_t now)
{
	struct l2tp_builder b;

	while (!next_sid || by_sid[next_sid])
		next_sid++;
	s->lsid = next_sid++;
	by_sid[s->lsid] = s;
	s->started_at = now;
	s->state = S_WAIT_ICRP;
	l2tp_build_init(&b, s->t->rid, 0, L2TP_MSG_ICRQ);
	l2tp_build_u16(&b, true, L2TP_AVP_SESSION_ID, s->lsid);
	l2tp_build_u32(&b, true, L2TP_AVP_CALL_SERIAL, call_serial++);
	l2tp_build_u32(&b, false, L2TP_AVP_BEARER_TYPE, 2);
	enqueue(s->t, &b, now);
}

void lac_session_cdn(struct session *s, uint16_t result, const char *why,
		 uint64_t now)
{
	struct l2tp_builder b;

	if (s->state == S_DOWN)
		return;
	l2tp_build_init(&b, s->t->rid, s->rsid, L2TP_MSG_CDN);
	l2tp_build_u16(&b, true, L2TP_AVP_RESULT, result);
	l2tp_build_u16(&b, true, L2TP_AVP_SESSION_ID, s->lsid);
	enqueue(s->t, &b, now);
	lac_session_gone(s, why);
}

size_t lac_data_header(const struct session *s, uint16_t proto, uint8_t *buf)
{
	put16(buf, L2TP_VERSION);
	put16(buf + 2, s->t->rid);
	put16(buf + 4, s->rsid);
	buf[6] = 0xff;
	buf[7] = 0x03;
	put16(buf + 8, proto);
	return LAC_DATA_HDR;
}

void lac_session_send_ppp(struct session *s, uint16_t proto, const void *pkt,
		      size_t len)
{
	uint8_t buf[2048];
	size_t off;

	if (len > sizeof(buf) - LAC_DATA_HDR || s->state == S_DOWN)
		return;
	off = lac_data_header(s, proto, buf);
	memcpy(buf + off, pkt, len);
	if (send(s->t->fd, buf, len + off, 0) < 0 && errno != EAGAIN)
		perror("tg-lac: send");
}

static void on_sccrp(struct tunnel *t, const struct l2tp_msg *m,
		     uint64_t now)
{
	struct l2tp_secret sec = secret();
	struct l2tp_builder b;
	uint8_t want[16];

	if (t->state != T_WAIT_SCCRP)
		return;
	t->rid = m->tunnel_id;
	if (l2tp_msg_has(m, L2TP_AVP_RWS) && m->rws)
		t->peer_rws = m->rws;
	if (opt.secret) {
		l2tp_challenge_response(L2TP_MSG_SCCRP, &sec, t->challenge,
					sizeof(t->challenge), want);
		if (!l2tp_msg_has(m, L2TP_AVP_CHALLENGE_RESP) ||
		    memcmp(want, m->challenge_resp, 16)) {
			lac_tunnel_stop(t, 4, "bad challenge response", now);
			return;
		}
	}
	if (l2tp_msg_has(m, L2TP_AVP_CHALLENGE) && !opt.secret) {
		lac_tunnel_stop(t, 4, "challenged without a secret", now);
		return;
	}
	l2tp_build_init(&b, t->rid, 0, L2TP_MSG_SCCCN);
	if (l2tp_msg_has(m, L2TP_AVP_CHALLENGE)) {
		l2tp_challenge_response(L2TP_MSG_SCCCN, &sec, m->challenge,
					m->challenge_len, want);
		l2tp_build_avp(&b, true, L2TP_AVP_CHALLENGE_RESP, want, 16);
	}
	enqueue(t, &b, now);
	t->state = T_UP;
	ev_tunnel(t, "tunnel-up", m->host_name);
}

static void on_icrp(struct session *s, const struct l2tp_msg *m,
		    uint64_t now)
{
	struct l2tp_builder b;

	if (s->state != S_WAIT_ICRP)
		return;
	s->rsid = m->session_id;
	l2tp_build_init(&b, s->t->rid, s->rsid, L2TP_MSG_ICCN);
	l2tp_build_u32(&b, true, L2TP_AVP_TX_SPEED, 100000000);
	l2tp_build_u32(&b, true, L2TP_AVP_FRAMING_TYPE, 1);
	s->state = S_PPP;
	enqueue_ppp(s->t, &b, s, now);
}

static void control_input(struct tunnel *t, const uint8_t *buf, size_t len,
			  uint64_t now)
{
	struct l2tp_secret sec = secret();
	struct l2tp_msg m;
	struct session *s;
	enum l2tp_err e;
	char why[128];

	t->recv_count++;
	if (opt.drop_recv && t->recv_count == opt.drop_recv)
		return;
	e = l2tp_msg_decode(buf, len, opt.secret ? &sec : NULL, &m);
	if (e && e != L2TP_E_UNKNOWN_MANDATORY) {
		fprintf(stderr, "tg-lac: control message refused: %s\n",
			l2tp_err_text(e));
		return;
	}
	if (m.type && m.hdr.ns == t->nr) {
		t->nr++;	/* first, so what acked() sends carries it */
		t->ack_due = true;
	} else if (m.type) {
		/* A copy we already have, or one past a gap: ack again. */
		t->ack_due = true;
		acked(t, m.hdr.nr, now);
		return;
	}
	acked(t, m.hdr.nr, now);
	if (!m.type)
		return;		/* a ZLB: only its Nr counts */
	s = m.hdr.session ? by_sid[m.hdr.session] : NULL;
	if (s && s->t != t)
		s = NULL;
	switch (m.type) {
	case L2TP_MSG_SCCRP:
		on_sccrp(t, &m, now);
		break;
	case L2TP_MSG_StopCCN:
		snprintf(why, sizeof(why), "stopccn result %u error %u %s",
			 m.result, m.error, m.result_msg);
		sessions_gone(t, why);
		if (t->state != T_DOWN)
			ev_tunnel(t, "tunnel-down", why);
		t->state = T_DOWN;
		send_zlb(t);
		break;
	case L2TP_MSG_ICRP:
		if (s)
			on_icrp(s, &m, now);
		break;
	case L2TP_MSG_CDN:
		if (s) {
			snprintf(why, sizeof(why),
				 "cdn result %u error %u %s", m.result,
				 m.error, m.result_msg);
			lac_session_gone(s, why);
		}
		break;
	default:
		break;	/* HELLO and the rest: the ack is the answer */
	}
}

/* A data message: the session's PPP frame. */
static void data_input(struct tunnel *t, const uint8_t *buf, size_t len,
		       uint64_t now)
{
	uint16_t flags, sid;
	struct session *s;
	size_t off = 2;

	if (len < 6)
		return;
	flags = (uint16_t)(buf[0] << 8 | buf[1]);
	if ((flags & L2TP_HDR_VER) != L2TP_VERSION)
		return;
	if (flags & L2TP_HDR_L)
		off += 2;
	if (len < off + 4)
		return;
	sid = (uint16_t)(buf[off + 2] << 8 | buf[off + 3]);
	off += 4;
	if (flags & L2TP_HDR_S)
		off += 4;
	if (flags & L2TP_HDR_O) {
		if (len < off + 2)
			return;
		off += 2 + (size_t)(buf[off] << 8 | buf[off + 1]);
	}
	if (off > len)
		return;
	s = by_sid[sid];
	if (!s || s->t != t || s->state == S_DOWN)
		return;
	lac_ppp_input(s, buf + off, len - off, now);
}

void lac_tunnel_input(struct tunnel *t, uint64_t now)
{
	uint8_t buf[4096];
	ssize_t n;

	while ((n = recv(t->fd, buf, sizeof(buf), 0)) > 0) {
		if (buf[0] & 0x80)
			control_input(t, buf, (size_t)n, now);
		else
			data_input(t, buf, (size_t)n, now);
	}
	if (t->ack_due && t->state != T_IDLE)
		send_zlb(t);
}

void lac_tunnel_tick(struct tunnel *t, uint64_t now)
{
	int i;

	if (!t->qlen || !t->rtx_at || now < t->rtx_at)
		return;
	if (++t->tries > LAC_RTX_TRIES) {
		t->qlen = 0;	/* leaked on purpose: the tunnel is over */
		t->rtx_at = 0;
		if (t->state != T_DOWN) {
			sessions_gone(t, "control timeout");
			if (t->state != T_CLOSING)
				ev_tunnel(t, "tunnel-down", "control timeout");
		}
		t->state = T_DOWN;
		return;
	}
	for (i = 0; i < t->qlen && t->q[i]->sent; i++)
		transmit(t, t->q[i]);
	t->rtx_ms = t->rtx_ms * 2 > LAC_RTX_MAX_MS ? LAC_RTX_MAX_MS :
						    t->rtx_ms * 2;
	t->rtx_at = now + t->rtx_ms;
}

/* Random and truncated control messages outside the sequence. */
void lac_garbage(struct tunnel *t, int n)
{
	static uint32_t x = 0x2545f491;		/* fixed seed */
	/* An Ns long past, in case an LNS reads the header of a bad one. */
	uint16_t old = (uint16_t)(t->ns - 1000);
	uint8_t buf[256];
	int i;

	for (i = 0; i < n; i++) {
		size_t len, j;
		struct l2tp_builder b;

		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		len = 1 + x % sizeof(buf);
		for (j = 0; j < len; j++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			buf[j] = (uint8_t)x;
		}
		/*
		 * Every kind is malformed in its header or its lengths, so
		 * an LNS drops it: a well-formed message with an unknown
		 * mandatory AVP would rightly end the tunnel (section 4.1).
		 */
		switch (i % 4) {
		case 0:		/* shorter than a control header */
			len = 1 + len % (L2TP_CTRL_HDR_LEN - 1);
			buf[0] = L2TP_HDR_CTRL >> 8;
			break;
		case 1:		/* a HELLO cut short, length as if whole */
			l2tp_build_init(&b, t->rid, 0, L2TP_MSG_HELLO);
			l2tp_build_finish(&b, old, t->nr);
			len = len % b.len;
			memcpy(buf, b.buf, len);
			break;
		case 2:		/* an AVP longer than the message */
			l2tp_build_init(&b, t->rid, 0, L2TP_MSG_HELLO);
			l2tp_build_avp(&b, false, L2TP_AVP_HOST_NAME, "x", 1);
			l2tp_build_finish(&b, old, t->nr);
			put16(b.buf + b.len - 7, L2TP_AVP_LEN);
			len = b.len;
			memcpy(buf, b.buf, len);
			break;
		default:	/* random bytes as L2TPv3 control */
			if (len < L2TP_CTRL_HDR_LEN)
				len = L2TP_CTRL_HDR_LEN;
			put16(buf, L2TP_HDR_T | L2TP_HDR_L | L2TP_HDR_S | 3);
			put16(buf + 2, (uint16_t)len);
			break;
		}
		send(t->fd, buf, len, 0);
	}
}

/*
 * A HELLO in sequence with an unknown mandatory AVP: section 4.1 has the
 * peer end the tunnel.
 */
void lac_bad_avp(struct tunnel *t, uint64_t now)
{
	struct l2tp_builder b;

	l2tp_build_init(&b, t->rid, 0, L2TP_MSG_HELLO);
	l2tp_build_u16(&b, true, 99, 0);
	enqueue(t, &b, now);
}
