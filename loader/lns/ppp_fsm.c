// SPDX-License-Identifier: GPL-2.0-only
/* The RFC 1661 option negotiation automaton, event by event. */
#include <string.h>

#include "lns/ppp_fsm.h"

static const char *const state_names[] = {
	[PPP_INITIAL] = "Initial",	[PPP_STARTING] = "Starting",
	[PPP_CLOSED] = "Closed",	[PPP_STOPPED] = "Stopped",
	[PPP_CLOSING] = "Closing",	[PPP_STOPPING] = "Stopping",
	[PPP_REQ_SENT] = "Req-Sent",	[PPP_ACK_RCVD] = "Ack-Rcvd",
	[PPP_ACK_SENT] = "Ack-Sent",	[PPP_OPENED] = "Opened",
};

const char *ppp_state_name(enum ppp_state s)
{
	return (unsigned int)s <= PPP_OPENED ? state_names[s] : "?";
}

void ppp_fsm_init(struct ppp_fsm *f, uint16_t proto,
		  const struct ppp_fsm_ops *ops, void *ctx)
{
	memset(f, 0, sizeof(*f));
	f->proto = proto;
	f->ops = ops;
	f->ctx = ctx;
	f->id = 1;
}

void ppp_fsm_send(struct ppp_fsm *f, uint8_t code, uint8_t id,
		  const uint8_t *data, size_t len)
{
	uint8_t pkt[PPP_MTU_MAX];

	if (len > sizeof(pkt) - PPP_HDR_LEN)
		len = sizeof(pkt) - PPP_HDR_LEN;
	pkt[0] = code;
	pkt[1] = id;
	pkt[2] = (uint8_t)((len + PPP_HDR_LEN) >> 8);
	pkt[3] = (uint8_t)(len + PPP_HDR_LEN);
	if (len)
		memcpy(pkt + PPP_HDR_LEN, data, len);
	f->ops->send(f, pkt, len + PPP_HDR_LEN);
}

/* The actions of section 4.4, named as there. */
static void tlu(struct ppp_fsm *f)
{
	f->timer_at = 0;
	if (f->ops->up)
		f->ops->up(f);
}

static void tld(struct ppp_fsm *f)
{
	if (f->ops->down)
		f->ops->down(f);
}

static void tlf(struct ppp_fsm *f)
{
	f->timer_at = 0;
	if (f->ops->finished)
		f->ops->finished(f);
}

static void irc(struct ppp_fsm *f, bool terminate)
{
	f->restart = terminate ? PPP_MAX_TERMINATE : PPP_MAX_CONFIGURE;
}

static void scr(struct ppp_fsm *f, uint64_t now)
{
	uint8_t opt[PPP_MTU_MAX - PPP_HDR_LEN];
	size_t len = f->ops->build_req(f, opt, sizeof(opt));

	f->req_id = f->id++;
	ppp_fsm_send(f, PPP_CONFREQ, f->req_id, opt, len);
	if (f->restart)
		f->restart--;
	f->timer_at = now + PPP_RESTART_MS;
}

static void str(struct ppp_fsm *f, uint64_t now)
{
	ppp_fsm_send(f, PPP_TERMREQ, f->id++, NULL, 0);
	if (f->restart)
		f->restart--;
	f->timer_at = now + PPP_RESTART_MS;
}

static void sta(struct ppp_fsm *f, uint8_t id)
{
	ppp_fsm_send(f, PPP_TERMACK, id, NULL, 0);
}

static void to_state(struct ppp_fsm *f, enum ppp_state s)
{
	f->state = s;
	if (s <= PPP_STOPPED || s == PPP_OPENED)
		f->timer_at = 0;
}

/*
 * The end of a negotiation that cannot go on (TO-, RXJ-): Closed when we
 * were closing or closed, else Stopped; then this layer is finished.
 */
static void give_up(struct ppp_fsm *f)
{
	to_state(f, f->state == PPP_CLOSED || f->state == PPP_CLOSING ?
		    PPP_CLOSED : PPP_STOPPED);
	tlf(f);
}

void ppp_fsm_lower_up(struct ppp_fsm *f, uint64_t now)
{
	if (f->state == PPP_INITIAL) {
		to_state(f, PPP_CLOSED);
	} else if (f->state == PPP_STARTING) {
		irc(f, false);
		scr(f, now);
		to_state(f, PPP_REQ_SENT);
	}
}

void ppp_fsm_lower_down(struct ppp_fsm *f)
{
	switch (f->state) {
	case PPP_CLOSED:
	case PPP_CLOSING:
		to_state(f, PPP_INITIAL);
		break;
	case PPP_STOPPED:
		to_state(f, PPP_STARTING);
		break;
	case PPP_OPENED:
		tld(f);
		/* fall through */
	case PPP_STOPPING:
	case PPP_REQ_SENT:
	case PPP_ACK_RCVD:
	case PPP_ACK_SENT:
		to_state(f, PPP_STARTING);
		break;
	default:
		break;
	}
}

void ppp_fsm_open(struct ppp_fsm *f, uint64_t now)
{
	switch (f->state) {
	case PPP_INITIAL:
		to_state(f, PPP_STARTING);
		break;
	case PPP_CLOSED:
		irc(f, false);
		scr(f, now);
		to_state(f, PPP_REQ_SENT);
		break;
	case PPP_CLOSING:
		to_state(f, PPP_STOPPING);
		break;
	default:
		break;
	}
}

void ppp_fsm_close(struct ppp_fsm *f, const char *why, uint64_t now)
{
	size_t n = why ? strlen(why) : 0;

	switch (f->state) {
	case PPP_STARTING:
		to_state(f, PPP_INITIAL);
		tlf(f);
		break;
	case PPP_STOPPED:
		to_state(f, PPP_CLOSED);
		break;
	case PPP_STOPPING:
		to_state(f, PPP_CLOSING);
		break;
	case PPP_OPENED:
		tld(f);
		/* fall through */
	case PPP_REQ_SENT:
	case PPP_ACK_RCVD:
	case PPP_ACK_SENT:
		irc(f, true);
		/* Terminate-Request carries the reason as its data. */
		ppp_fsm_send(f, PPP_TERMREQ, f->id++, (const uint8_t *)why, n);
		f->restart--;
		f->timer_at = now + PPP_RESTART_MS;
		to_state(f, PPP_CLOSING);
		break;
	default:
		break;
	}
}

void ppp_fsm_tick(struct ppp_fsm *f, uint64_t now)
{
	if (!f->timer_at || now < f->timer_at)
		return;
	f->timer_at = 0;
	if (f->restart) {	/* TO+ */
		switch (f->state) {
		case PPP_CLOSING:
		case PPP_STOPPING:
			str(f, now);
			break;
		case PPP_ACK_RCVD:
			to_state(f, PPP_REQ_SENT);
			/* fall through */
		case PPP_REQ_SENT:
		case PPP_ACK_SENT:
			scr(f, now);
			break;
		default:
			break;
		}
		return;
	}
	/* TO- */
	if (f->state >= PPP_CLOSING && f->state <= PPP_ACK_SENT)
		give_up(f);
}

static void rcr(struct ppp_fsm *f, uint8_t id, const uint8_t *opt,
		size_t len, uint64_t now)
{
	uint8_t out[PPP_MTU_MAX - PPP_HDR_LEN];
	size_t out_len = 0;
	int code;

	switch (f->state) {
	case PPP_CLOSED:
		sta(f, id);
		return;
	case PPP_CLOSING:
	case PPP_STOPPING:
		return;
	default:
		break;
	}
	code = f->ops->recv_req(f, opt, len, out, &out_len,
				f->naks >= PPP_MAX_FAILURE);
	if (code == PPP_CONFNAK)
		f->naks++;
	else if (code == PPP_CONFACK)
		f->naks = 0;

	if (f->state == PPP_OPENED) {
		tld(f);
		scr(f, now);
	} else if (f->state == PPP_STOPPED) {
		irc(f, false);
		scr(f, now);
	}
	ppp_fsm_send(f, (uint8_t)code, id, out, out_len);
	if (code == PPP_CONFACK) {
		if (f->state == PPP_ACK_RCVD) {
			to_state(f, PPP_OPENED);
			tlu(f);
		} else {
			to_state(f, PPP_ACK_SENT);
		}
	} else if (f->state != PPP_ACK_RCVD) {
		to_state(f, PPP_REQ_SENT);
	}
}

/* An Ack must repeat our request's options exactly (section 5.2). */
static bool same_as_request(struct ppp_fsm *f, const uint8_t *opt,
			    size_t len)
{
	uint8_t want[PPP_MTU_MAX - PPP_HDR_LEN];

	return f->ops->build_req(f, want, sizeof(want)) == len &&
	       !memcmp(want, opt, len);
}

static void rca(struct ppp_fsm *f, uint8_t id, const uint8_t *opt,
		size_t len, uint64_t now)
{
	if (id != f->req_id || !same_as_request(f, opt, len)) {
		f->bad++;
		return;
	}
	switch (f->state) {
	case PPP_CLOSED:
	case PPP_STOPPED:
		sta(f, id);
		break;
	case PPP_REQ_SENT:
		irc(f, false);
		to_state(f, PPP_ACK_RCVD);
		break;
	case PPP_ACK_RCVD:
		scr(f, now);
		to_state(f, PPP_REQ_SENT);
		break;
	case PPP_ACK_SENT:
		irc(f, false);
		to_state(f, PPP_OPENED);
		tlu(f);
		break;
	case PPP_OPENED:
		tld(f);
		scr(f, now);
		to_state(f, PPP_REQ_SENT);
		break;
	default:
		break;
	}
}

static void rcn(struct ppp_fsm *f, uint8_t code, uint8_t id,
		const uint8_t *opt, size_t len, uint64_t now)
{
	if (id != f->req_id) {
		f->bad++;
		return;
	}
	switch (f->state) {
	case PPP_CLOSED:
	case PPP_STOPPED:
		sta(f, id);
		return;
	case PPP_CLOSING:
	case PPP_STOPPING:
		return;
	default:
		break;
	}
	if (code == PPP_CONFNAK)
		f->ops->recv_nak(f, opt, len);
	else
		f->ops->recv_rej(f, opt, len);
	switch (f->state) {
	case PPP_REQ_SENT:
	case PPP_ACK_SENT:
		irc(f, false);
		scr(f, now);
		break;
	case PPP_OPENED:
		tld(f);
		/* fall through */
	case PPP_ACK_RCVD:
		scr(f, now);
		to_state(f, PPP_REQ_SENT);
		break;
	default:
		break;
	}
}

static void rtr(struct ppp_fsm *f, uint8_t id, uint64_t now)
{
	if (f->state == PPP_OPENED) {
		/* zrc: no retransmission, one restart time, then Stopped. */
		tld(f);
		f->restart = 0;
		sta(f, id);
		f->timer_at = now + PPP_RESTART_MS;
		to_state(f, PPP_STOPPING);
		return;
	}
	sta(f, id);
	if (f->state == PPP_ACK_RCVD || f->state == PPP_ACK_SENT)
		to_state(f, PPP_REQ_SENT);
}

static void rta(struct ppp_fsm *f, uint64_t now)
{
	switch (f->state) {
	case PPP_CLOSING:
		to_state(f, PPP_CLOSED);
		tlf(f);
		break;
	case PPP_STOPPING:
		to_state(f, PPP_STOPPED);
		tlf(f);
		break;
	case PPP_ACK_RCVD:
		to_state(f, PPP_REQ_SENT);
		break;
	case PPP_OPENED:
		tld(f);
		scr(f, now);
		to_state(f, PPP_REQ_SENT);
		break;
	default:
		break;
	}
}

/* Code-Reject of a code this automaton needs: the peer cannot talk. */
static void rxj_fatal(struct ppp_fsm *f, uint64_t now)
{
	switch (f->state) {
	case PPP_OPENED:
		tld(f);
		irc(f, true);
		str(f, now);
		to_state(f, PPP_STOPPING);
		break;
	default:
		if (f->state >= PPP_CLOSED)
			give_up(f);
		break;
	}
}

void ppp_fsm_input(struct ppp_fsm *f, const uint8_t *pkt, size_t len,
		   uint64_t now)
{
	uint8_t code, id;
	size_t plen;

	if (len < PPP_HDR_LEN) {
		f->bad++;
		return;
	}
	code = pkt[0];
	id = pkt[1];
	plen = (size_t)(pkt[2] << 8 | pkt[3]);
	/* Octets past the length are padding (section 5): dropped. */
	if (plen < PPP_HDR_LEN || plen > len) {
		f->bad++;
		return;
	}
	if (f->state <= PPP_STARTING) {
		f->bad++;
		return;
	}
	pkt += PPP_HDR_LEN;
	plen -= PPP_HDR_LEN;
	switch (code) {
	case PPP_CONFREQ:
		rcr(f, id, pkt, plen, now);
		break;
	case PPP_CONFACK:
		rca(f, id, pkt, plen, now);
		break;
	case PPP_CONFNAK:
	case PPP_CONFREJ:
		rcn(f, code, id, pkt, plen, now);
		break;
	case PPP_TERMREQ:
		rtr(f, id, now);
		break;
	case PPP_TERMACK:
		rta(f, now);
		break;
	case PPP_CODEREJ:
		if (plen >= 1 && pkt[0] >= PPP_CONFREQ && pkt[0] <= PPP_CODEREJ)
			rxj_fatal(f, now);
		else if (f->state == PPP_ACK_RCVD)
			to_state(f, PPP_REQ_SENT);
		break;
	default:
		if (f->ops->recv_other &&
		    f->ops->recv_other(f, code, id, pkt, plen))
			break;
		/* RUC: the whole packet back in a Code-Reject. */
		ppp_fsm_send(f, PPP_CODEREJ, f->id++, pkt - PPP_HDR_LEN,
			     plen + PPP_HDR_LEN);
		break;
	}
}

int ppp_opt_next(const uint8_t **p, const uint8_t *end, uint8_t *type,
		 const uint8_t **val, uint8_t *len)
{
	const uint8_t *o = *p;

	if (o == end)
		return 0;
	if (end - o < 2 || o[1] < 2 || o[1] > end - o)
		return -1;
	*type = o[0];
	*val = o + 2;
	*len = o[1] - 2;
	*p = o + o[1];
	return 1;
}

bool ppp_opt_put(uint8_t *buf, size_t *off, size_t max, uint8_t type,
		 const void *val, uint8_t len)
{
	if (len > 253 || *off + 2 + len > max)
		return false;
	buf[*off] = type;
	buf[*off + 1] = len + 2;
	if (len)
		memcpy(buf + *off + 2, val, len);
	*off += 2 + len;
	return true;
}

int ppp_opt_answer(const uint8_t *opt, size_t len, const uint8_t *rej,
		   size_t nrej, const uint8_t *nak, size_t nnak, bool reject_naks,
		   uint8_t *out, size_t *out_len)
{
	if (nrej || (nnak && reject_naks)) {
		memcpy(out, nrej ? rej : nak, nrej ? nrej : nnak);
		*out_len = nrej ? nrej : nnak;
		return PPP_CONFREJ;
	}
	if (nnak) {
		memcpy(out, nak, nnak);
		*out_len = nnak;
		return PPP_CONFNAK;
	}
	memcpy(out, opt, len);
	*out_len = len;
	return PPP_CONFACK;
}
