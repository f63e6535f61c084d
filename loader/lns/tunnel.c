// SPDX-License-Identifier: GPL-2.0-only
/* L2TPv2 tunnels and incoming calls, LNS side. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lns/data.h"
#include "lns/tunnel.h"
#include "util/log.h"

#define TUNNEL_SLOTS LNS_TUNNELS_MAX
#define FRAMING_SYNC_ASYNC 3	/* Framing Capabilities: both */
#define PROTO_VERSION_1_0 0x0100
static const char VENDOR[] = "tungate";

static bool addr_eq(const struct lns_addr *a, const struct lns_addr *b)
{
	return a->len == b->len && !memcmp(&a->ss, &b->ss, a->len);
}

void lns_init(struct lns *l, const struct lns_config *cfg,
	      const struct lns_callbacks *cb, void *ctx)
{
	memset(l, 0, sizeof(*l));
	l->cfg = *cfg;
	if (!l->cfg.hello_ms)
		l->cfg.hello_ms = LNS_HELLO_MS;
	l->cb = *cb;
	l->ctx = ctx;
}

static uint16_t rand16(struct lns *l)
{
	uint8_t b[2];

	l->cb.random(l->ctx, b, sizeof(b));
	return (uint16_t)(b[0] << 8 | b[1]);
}

/* chan's callback: every control datagram of t goes to its peer. */
static void tunnel_xmit(void *ctx, const uint8_t *buf, size_t len)
{
	struct lns_tunnel *t = ctx;

	t->lns->cb.xmit(t->lns->ctx, &t->peer, buf, len);
}

struct lns_tunnel *lns_tunnel_by_id(const struct lns *l, uint16_t id)
{
	struct lns_tunnel *t = l->tunnels[id % TUNNEL_SLOTS];

	return t && t->id == id ? t : NULL;
}

struct lns_session *lns_session_by_id(const struct lns_tunnel *t,
				      uint16_t id)
{
	unsigned int i;

	for (i = 0; i < t->n_sessions; i++)
		if (t->sessions[i]->id == id)
			return t->sessions[i];
	return NULL;
}

static struct lns_session *session_by_peer(const struct lns_tunnel *t,
					   uint16_t peer_id)
{
	unsigned int i;

	for (i = 0; i < t->n_sessions; i++)
		if (t->sessions[i]->peer_id == peer_id)
			return t->sessions[i];
	return NULL;
}

/* A free slot and an id that maps to it: random, never 0. */
static struct lns_tunnel *tunnel_new(struct lns *l, const struct lns_addr *from)
{
	uint16_t r = rand16(l);
	struct lns_tunnel *t;
	unsigned int i, slot;

	for (i = 0; i < TUNNEL_SLOTS; i++) {
		slot = (r + i) % TUNNEL_SLOTS;
		if (!l->tunnels[slot])
			break;
	}
	if (i == TUNNEL_SLOTS)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->id = (uint16_t)(slot + TUNNEL_SLOTS * (rand16(l) % (65536 / TUNNEL_SLOTS)));
	if (!t->id)
		t->id = TUNNEL_SLOTS;
	t->peer = *from;
	t->lns = l;
	l->tunnels[slot] = t;
	l->n_tunnels++;
	return t;
}

static void session_free(struct lns_tunnel *t, unsigned int i,
			 const char *why)
{
	struct lns *l = t->lns;
	struct lns_session *s = t->sessions[i];

	/* PPP's own reason, when PPP is what ended it. */
	if (s->state == LNS_SESS_ESTABLISHED && l->cb.session_down)
		l->cb.session_down(l->ctx, s, s->ended[0] ? s->ended : why);
	t->sessions[i] = t->sessions[--t->n_sessions];
	l->n_sessions--;
	free(s->ppp);
	free(s);
}

static void sessions_free(struct lns_tunnel *t, const char *why)
{
	while (t->n_sessions)
		session_free(t, t->n_sessions - 1, why);
}

static void tunnel_free(struct lns_tunnel *t, const char *why)
{
	struct lns *l = t->lns;

	sessions_free(t, why);
	free(t->sessions);
	l2tp_chan_free(&t->chan);
	l->tunnels[t->id % TUNNEL_SLOTS] = NULL;
	l->n_tunnels--;
	free(t);
}

void lns_free(struct lns *l)
{
	unsigned int i;

	for (i = 0; i < TUNNEL_SLOTS; i++)
		if (l->tunnels[i])
			tunnel_free(l->tunnels[i], LNS_WHY_STOPPED);
}

static void result_avp(struct l2tp_builder *b, uint16_t result,
		       uint16_t error, const char *msg)
{
	uint8_t v[4 + L2TP_NAME_MAX];
	size_t n = msg ? strlen(msg) : 0;

	if (n > L2TP_NAME_MAX)
		n = L2TP_NAME_MAX;
	v[0] = result >> 8;
	v[1] = result & 0xff;
	v[2] = error >> 8;
	v[3] = error & 0xff;
	if (n)
		memcpy(v + 4, msg, n);
	l2tp_build_avp(b, true, L2TP_AVP_RESULT, v, 4 + n);
}

static void send_msg(struct lns_tunnel *t, struct l2tp_builder *b,
		     uint64_t now)
{
	int err = l2tp_chan_send(&t->chan, b, now);

	/* Once per tunnel: a dead LAC's queue stays full till it times out. */
	if (err && !t->queue_full++)
		pr_warn("lns: tunnel %u (%s): cannot queue a message: %s\n",
			t->id, t->host_name, strerror(-err));
}

void lns_tunnel_close(struct lns_tunnel *t, uint16_t result, uint16_t error,
		      uint64_t now)
{
	struct l2tp_builder b;

	if (t->state == LNS_TUN_CLOSING)
		return;
	l2tp_build_init(&b, t->peer_id, 0, L2TP_MSG_StopCCN);
	l2tp_build_u16(&b, true, L2TP_AVP_TUNNEL_ID, t->id);
	result_avp(&b, result, error, NULL);
	send_msg(t, &b, now);
	t->state = LNS_TUN_CLOSING;
	t->close_at = now + LNS_LINGER_MS;
	sessions_free(t, "tunnel closed by the LNS");
}

void lns_session_close(struct lns_session *s, uint16_t result,
		       uint16_t error, uint64_t now)
{
	struct lns_tunnel *t = s->tunnel;
	struct l2tp_builder b;
	unsigned int i;

	l2tp_build_init(&b, t->peer_id, s->peer_id, L2TP_MSG_CDN);
	result_avp(&b, result, error, NULL);
	l2tp_build_u16(&b, true, L2TP_AVP_SESSION_ID, s->id);
	send_msg(t, &b, now);
	for (i = 0; i < t->n_sessions; i++)
		if (t->sessions[i] == s) {
			session_free(t, i, "closed by the LNS");
			break;
		}
}

/* A CDN to a call we never gave a session: our session id is 0. */
static void refuse_call(struct lns_tunnel *t, uint16_t peer_sid,
			uint16_t result, uint16_t error, uint64_t now)
{
	struct l2tp_builder b;

	l2tp_build_init(&b, t->peer_id, peer_sid, L2TP_MSG_CDN);
	result_avp(&b, result, error, NULL);
	l2tp_build_u16(&b, true, L2TP_AVP_SESSION_ID, 0);
	send_msg(t, &b, now);
}

static void on_sccrq(struct lns *l, const struct lns_addr *from,
		     const struct l2tp_msg *m, const uint8_t *buf, size_t len,
		     uint64_t now)
{
	struct l2tp_secret sec = { l->cfg.secret, l->cfg.secret_len };
	struct lns_tunnel *t;
	struct l2tp_builder b;
	unsigned int i;

	/*
	 * A retransmitted SCCRQ (our SCCRP was lost) goes to its tunnel. To
	 * a tunnel past that, it is the LAC starting over (a router that
	 * rebooted, with the same id and port): the old one is gone.
	 */
	for (i = 0; i < TUNNEL_SLOTS; i++) {
		t = l->tunnels[i];
		if (!t || t->peer_id != m->tunnel_id || !addr_eq(&t->peer, from))
			continue;
		if (t->state == LNS_TUN_WAIT_CONNECT) {
			l2tp_chan_receive(&t->chan, &m->hdr, buf, len, now);
			return;
		}
		pr_info("lns: tunnel %u (%s): the LAC started over\n", t->id,
			t->host_name);
		tunnel_free(t, LNS_WHY_RESTARTED);
		break;
	}
	if (!m->tunnel_id) {
		l->bad_ids++;
		return;
	}
	t = tunnel_new(l, from);
	if (!t) {
		pr_warn("lns: SCCRQ from %s refused: %u tunnels already\n",
			m->host_name, l->n_tunnels);
		return;
	}
	t->peer_id = m->tunnel_id;
	t->last_rx = now;
	snprintf(t->host_name, sizeof(t->host_name), "%s", m->host_name);
	l2tp_chan_init(&t->chan, t->peer_id, m->rws, tunnel_xmit, t);
	l2tp_chan_receive(&t->chan, &m->hdr, buf, len, now);

	if (m->proto_version != PROTO_VERSION_1_0) {
		lns_tunnel_close(t, LNS_STOP_VERSION, LNS_ERR_NONE, now);
		return;
	}
	/* A challenge we cannot answer, or none where we require one. */
	if (l2tp_msg_has(m, L2TP_AVP_CHALLENGE) && !sec.len) {
		l->not_authorized++;
		pr_warn("lns: tunnel from %s refused: it authenticates and no secret is set\n",
			t->host_name);
		lns_tunnel_close(t, LNS_STOP_NOT_AUTH, LNS_ERR_NONE, now);
		return;
	}

	l2tp_build_init(&b, t->peer_id, 0, L2TP_MSG_SCCRP);
	l2tp_build_u16(&b, true, L2TP_AVP_PROTO_VERSION, PROTO_VERSION_1_0);
	l2tp_build_u32(&b, true, L2TP_AVP_FRAMING_CAPS, FRAMING_SYNC_ASYNC);
	l2tp_build_avp(&b, true, L2TP_AVP_HOST_NAME, l->cfg.host_name,
		       strlen(l->cfg.host_name));
	l2tp_build_avp(&b, false, L2TP_AVP_VENDOR_NAME, VENDOR,
		       sizeof(VENDOR) - 1);
	l2tp_build_u16(&b, true, L2TP_AVP_TUNNEL_ID, t->id);
	l2tp_build_u16(&b, true, L2TP_AVP_RWS, L2TP_RWS_OURS);
	if (sec.len) {
		uint8_t resp[16];

		if (l2tp_msg_has(m, L2TP_AVP_CHALLENGE)) {
			l2tp_challenge_response(L2TP_MSG_SCCRP, &sec,
						m->challenge, m->challenge_len,
						resp);
			l2tp_build_avp(&b, true, L2TP_AVP_CHALLENGE_RESP,
				       resp, sizeof(resp));
		}
		l->cb.random(l->ctx, t->challenge, sizeof(t->challenge));
		t->challenged = true;
		l2tp_build_avp(&b, true, L2TP_AVP_CHALLENGE, t->challenge,
			       sizeof(t->challenge));
	}
	t->state = LNS_TUN_WAIT_CONNECT;
	send_msg(t, &b, now);
}

static void on_scccn(struct lns *l, struct lns_tunnel *t,
		     const struct l2tp_msg *m, uint64_t now)
{
	struct l2tp_secret sec = { l->cfg.secret, l->cfg.secret_len };
	uint8_t want[16];

	if (t->state != LNS_TUN_WAIT_CONNECT)
		return;
	if (t->challenged) {
		l2tp_challenge_response(L2TP_MSG_SCCCN, &sec, t->challenge,
					sizeof(t->challenge), want);
		if (!l2tp_msg_has(m, L2TP_AVP_CHALLENGE_RESP) ||
		    memcmp(want, m->challenge_resp, sizeof(want))) {
			l->not_authorized++;
			pr_warn("lns: tunnel %u from %s: wrong or missing challenge response\n",
				t->id, t->host_name);
			lns_tunnel_close(t, LNS_STOP_NOT_AUTH, LNS_ERR_NONE,
					 now);
			return;
		}
	}
	t->state = LNS_TUN_ESTABLISHED;
	pr_info("lns: tunnel %u up: %s, its id %u\n", t->id, t->host_name,
		t->peer_id);
}

/* A new session of t with our id (0: a random free one). */
static struct lns_session *session_add(struct lns_tunnel *t, uint16_t id,
				       uint16_t peer_id)
{
	struct lns *l = t->lns;
	struct lns_session *s;

	if (l->n_sessions >= LNS_SESSIONS_MAX ||
	    t->n_sessions >= UINT16_MAX - 1 ||
	    (id && lns_session_by_id(t, id)))
		return NULL;
	if (t->n_sessions == t->sessions_cap) {
		unsigned int cap = t->sessions_cap ? 2 * t->sessions_cap : 8;
		void *v = realloc(t->sessions, cap * sizeof(*t->sessions));

		if (!v)
			return NULL;
		t->sessions = v;
		t->sessions_cap = cap;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->id = id;
	while (!s->id || lns_session_by_id(t, s->id))
		s->id = rand16(l);
	s->peer_id = peer_id;
	s->tunnel = t;
	t->sessions[t->n_sessions++] = s;
	l->n_sessions++;
	return s;
}

struct lns_tunnel *lns_tunnel_adopt(struct lns *l, uint16_t id,
				    uint16_t peer_id,
				    const struct lns_addr *peer,
				    uint16_t peer_rws, uint64_t now)
{
	struct lns_tunnel *t;

	if (!id || !peer_id || l->tunnels[id % TUNNEL_SLOTS])
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->id = id;
	t->peer_id = peer_id;
	t->peer = *peer;
	t->lns = l;
	t->state = LNS_TUN_ESTABLISHED;
	t->last_rx = now;
	l2tp_chan_init(&t->chan, peer_id, peer_rws, tunnel_xmit, t);
	l->tunnels[id % TUNNEL_SLOTS] = t;
	l->n_tunnels++;
	return t;
}

struct lns_session *lns_session_adopt(struct lns_tunnel *t, uint16_t id,
				      uint16_t peer_id)
{
	struct lns_session *s;

	if (!id || !peer_id)
		return NULL;
	s = session_add(t, id, peer_id);
	if (s)
		s->state = LNS_SESS_ESTABLISHED;
	return s;
}

void lns_detach(struct lns *l)
{
	l->cb.session_down = NULL;
	lns_free(l);
}

static void on_icrq(struct lns *l, struct lns_tunnel *t,
		    const struct l2tp_msg *m, uint64_t now)
{
	struct lns_session *s;
	struct l2tp_builder b;

	if (!m->session_id) {
		l->bad_ids++;
		return;
	}
	if (session_by_peer(t, m->session_id))
		return;		/* the LAC's id is taken: a late duplicate */
	s = session_add(t, 0, m->session_id);
	if (!s)
		goto refuse;
	s->call_serial = m->call_serial;
	snprintf(s->calling, sizeof(s->calling), "%s", m->calling);

	l2tp_build_init(&b, t->peer_id, s->peer_id, L2TP_MSG_ICRP);
	l2tp_build_u16(&b, true, L2TP_AVP_SESSION_ID, s->id);
	send_msg(t, &b, now);
	return;
refuse:
	refuse_call(t, m->session_id, LNS_CDN_NO_FACILITY, LNS_ERR_RESOURCES,
		    now);
}

static void on_iccn(struct lns *l, struct lns_tunnel *t,
		    const struct l2tp_msg *m, uint64_t now)
{
	struct lns_session *s = lns_session_by_id(t, m->hdr.session);

	if (!s || s->state != LNS_SESS_WAIT_CONNECT)
		return;
	s->state = LNS_SESS_ESTABLISHED;
	s->tx_speed = m->tx_speed;
	pr_info("lns: session %u/%u up (LAC %s, its session %u)\n", t->id, s->id,
		t->host_name, s->peer_id);
	if (lns_ppp_start(l, s, now))
		lns_session_close(s, LNS_CDN_NO_FACILITY, LNS_ERR_RESOURCES,
				  now);
}

static void on_cdn(struct lns_tunnel *t, const struct l2tp_msg *m)
{
	unsigned int i;

	for (i = 0; i < t->n_sessions; i++) {
		struct lns_session *s = t->sessions[i];

		/* Ours in the header, or the LAC's in the AVP before ICRP. */
		if (s->id == m->hdr.session ||
		    (!m->hdr.session && s->peer_id == m->session_id)) {
			session_free(t, i, LNS_WHY_CDN);
			return;
		}
	}
}

static void deliver(struct lns *l, struct lns_tunnel *t,
		    const struct l2tp_msg *m, uint64_t now)
{
	if (t->state == LNS_TUN_CLOSING)
		return;
	if (m->type != L2TP_MSG_SCCCN && t->state == LNS_TUN_WAIT_CONNECT &&
	    m->type != L2TP_MSG_StopCCN) {
		lns_tunnel_close(t, LNS_STOP_ERROR, LNS_ERR_NO_CONTROL, now);
		return;
	}
	switch (m->type) {
	case L2TP_MSG_SCCCN:
		on_scccn(l, t, m, now);
		break;
	case L2TP_MSG_StopCCN:
		pr_info("lns: tunnel %u: StopCCN from %s (result %u)\n", t->id,
			t->host_name, m->result);
		t->state = LNS_TUN_CLOSING;
		t->close_at = now + LNS_LINGER_MS;
		sessions_free(t, LNS_WHY_STOPCCN);
		break;
	case L2TP_MSG_ICRQ:
		on_icrq(l, t, m, now);
		break;
	case L2TP_MSG_ICCN:
		on_iccn(l, t, m, now);
		break;
	case L2TP_MSG_CDN:
		on_cdn(t, m);
		break;
	case L2TP_MSG_HELLO:
	case L2TP_MSG_SLI:
	case L2TP_MSG_WEN:
		break;		/* acknowledged, nothing else */
	default:
		/* Outgoing calls (OCRQ...) are not offered: the LNS answers. */
		lns_tunnel_close(t, LNS_STOP_ERROR, LNS_ERR_VALUE, now);
		break;
	}
}

/* An unknown AVP with the M bit ends what the message belongs to. */
static void unknown_mandatory(struct lns_tunnel *t, const struct l2tp_msg *m,
			      uint64_t now)
{
	struct lns_session *s;

	if (l2tp_msg_is_session(m->type)) {
		s = m->hdr.session ? lns_session_by_id(t, m->hdr.session) :
				     session_by_peer(t, m->session_id);
		if (s)
			lns_session_close(s, LNS_CDN_ERROR, LNS_ERR_MANDATORY,
					  now);
		else if (m->type == L2TP_MSG_ICRQ && m->session_id)
			refuse_call(t, m->session_id, LNS_CDN_ERROR,
				    LNS_ERR_MANDATORY, now);
		return;
	}
	lns_tunnel_close(t, LNS_STOP_ERROR, LNS_ERR_MANDATORY, now);
}

/* Counted always, logged the first time each reason is seen. */
static void count_error(struct lns *l, enum l2tp_err e)
{
	if (!l->errors[e]++)
		pr_warn("lns: control message refused: %s (%s); counted from now on\n",
			l2tp_err_text(e), l2tp_err_name(e));
}

void lns_input(struct lns *l, const struct lns_addr *from,
	       const uint8_t *buf, size_t len, uint64_t now)
{
	struct l2tp_secret sec = { l->cfg.secret, l->cfg.secret_len };
	struct l2tp_msg m;
	struct lns_tunnel *t;
	uint8_t held[L2TP_MSG_MAX];
	enum l2tp_err e;
	size_t n;

	if (len >= 2 && !(buf[0] & (L2TP_HDR_T >> 8))) {
		lns_data_input(l, from, buf, len, now);
		return;
	}
	e = l2tp_msg_decode(buf, len, &sec, &m);
	if (e && e != L2TP_E_UNKNOWN_MANDATORY) {
		count_error(l, e);
		return;
	}
	if (!m.hdr.tunnel) {
		if (m.type == L2TP_MSG_SCCRQ && !e)
			on_sccrq(l, from, &m, buf, len, now);
		else
			l->unknown_tunnel++;
		return;
	}
	t = lns_tunnel_by_id(l, m.hdr.tunnel);
	/* Another address claiming a tunnel: a spoof, not the peer moving. */
	if (!t || !addr_eq(&t->peer, from)) {
		l->unknown_tunnel++;
		return;
	}
	if (e) {
		count_error(l, e);
		if (l2tp_chan_receive(&t->chan, &m.hdr, buf, len, now) ==
		    L2TP_RX_DELIVER)
			unknown_mandatory(t, &m, now);
		return;
	}
	t->last_rx = now;
	if (l2tp_chan_receive(&t->chan, &m.hdr, buf, len, now) !=
	    L2TP_RX_DELIVER)
		return;
	deliver(l, t, &m, now);
	while ((n = l2tp_chan_next_held(&t->chan, held, now))) {
		if (!lns_tunnel_by_id(l, m.hdr.tunnel))
			return;
		e = l2tp_msg_decode(held, n, &sec, &m);
		if (e == L2TP_E_UNKNOWN_MANDATORY)
			unknown_mandatory(t, &m, now);
		else if (!e)
			deliver(l, t, &m, now);
	}
}

static void send_hello(struct lns_tunnel *t, uint64_t now)
{
	struct l2tp_builder b;

	l2tp_build_init(&b, t->peer_id, 0, L2TP_MSG_HELLO);
	send_msg(t, &b, now);
}

void lns_tick(struct lns *l, uint64_t now)
{
	unsigned int i;

	for (i = 0; i < TUNNEL_SLOTS; i++) {
		struct lns_tunnel *t = l->tunnels[i];

		if (!t)
			continue;
		if (l2tp_chan_tick(&t->chan, now) == -ETIMEDOUT) {
			l->timeouts++;
			pr_warn("lns: tunnel %u (%s): no answer, torn down\n",
				t->id, t->host_name);
			tunnel_free(t, LNS_WHY_SILENT);
			continue;
		}
		if (t->state == LNS_TUN_CLOSING) {
			if (now >= t->close_at)
				tunnel_free(t, "tunnel closed");
			continue;
		}
		lns_ppp_tick(t, now);
		/*
		 * Silence: a HELLO, whose retransmissions find a dead peer.
		 * last_rx restarts so the next one waits a whole interval.
		 */
		if (now >= t->last_rx + l->cfg.hello_ms &&
		    l2tp_chan_idle(&t->chan)) {
			send_hello(t, now);
			t->last_rx = now;
		}
	}
}

uint64_t lns_deadline(const struct lns *l)
{
	uint64_t d = UINT64_MAX, x;
	unsigned int i;

	for (i = 0; i < TUNNEL_SLOTS; i++) {
		const struct lns_tunnel *t = l->tunnels[i];

		if (!t)
			continue;
		x = l2tp_chan_deadline(&t->chan);
		if (x < d)
			d = x;
		x = lns_ppp_deadline(t);
		if (x < d)
			d = x;
		x = t->state == LNS_TUN_CLOSING ? t->close_at :
						  t->last_rx + l->cfg.hello_ms;
		if (x < d)
			d = x;
	}
	return d;
}
