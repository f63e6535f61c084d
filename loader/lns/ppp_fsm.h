/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The option negotiation automaton of RFC 1661 section 4, shared by LCP,
 * IPCP and IPv6CP: states, events, the restart timer and its counters.
 * What a protocol's options mean is in its ops; this file only knows
 * Configure-Request/Ack/Nak/Reject, Terminate-Request/Ack and Code-Reject.
 *
 * As in the rest of the LNS, time is an argument and packets leave
 * through ops->send, so that the unit suite drives it without a socket.
 */
#ifndef TG_LNS_PPP_FSM_H
#define TG_LNS_PPP_FSM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* PPP protocol numbers. */
#define PPP_IP 0x0021
#define PPP_IPV6 0x0057
#define PPP_IPCP 0x8021
#define PPP_IPV6CP 0x8057
#define PPP_LCP 0xc021
#define PPP_PAP 0xc023
#define PPP_CHAP 0xc223

/* Codes (section 5). */
enum {
	PPP_CONFREQ = 1,
	PPP_CONFACK = 2,
	PPP_CONFNAK = 3,
	PPP_CONFREJ = 4,
	PPP_TERMREQ = 5,
	PPP_TERMACK = 6,
	PPP_CODEREJ = 7,
	PPP_PROTREJ = 8,	/* LCP only, from here on */
	PPP_ECHOREQ = 9,
	PPP_ECHOREP = 10,
	PPP_DISCREQ = 11,
};

#define PPP_HDR_LEN 4		/* code, id, length */
#define PPP_MTU_MAX 1500	/* largest packet built or taken */
#define PPP_RESTART_MS 3000
#define PPP_MAX_CONFIGURE 10
#define PPP_MAX_TERMINATE 2
#define PPP_MAX_FAILURE 5	/* Naks before we Reject instead */

enum ppp_state {
	PPP_INITIAL,
	PPP_STARTING,
	PPP_CLOSED,
	PPP_STOPPED,
	PPP_CLOSING,
	PPP_STOPPING,
	PPP_REQ_SENT,
	PPP_ACK_RCVD,
	PPP_ACK_SENT,
	PPP_OPENED,
};

struct ppp_fsm;

struct ppp_fsm_ops {
	const char *name;	/* "LCP" */
	/* Our Configure-Request options into buf: their length. */
	size_t (*build_req)(struct ppp_fsm *f, uint8_t *buf, size_t max);
	/*
	 * The peer's Configure-Request options: PPP_CONFACK, PPP_CONFNAK or
	 * PPP_CONFREJ, with the options of that answer in out (*out_len).
	 * reject_naks: PPP_MAX_FAILURE Naks were sent; Reject instead.
	 */
	int (*recv_req)(struct ppp_fsm *f, const uint8_t *opt, size_t len,
			uint8_t *out, size_t *out_len, bool reject_naks);
	/* The peer naked or rejected options: adjust the next request. */
	void (*recv_nak)(struct ppp_fsm *f, const uint8_t *opt, size_t len);
	void (*recv_rej)(struct ppp_fsm *f, const uint8_t *opt, size_t len);
	/* Codes beyond 7 (LCP's echo, discard, protocol reject): handled. */
	bool (*recv_other)(struct ppp_fsm *f, uint8_t code, uint8_t id,
			   const uint8_t *data, size_t len);
	void (*up)(struct ppp_fsm *f);		/* this layer up */
	void (*down)(struct ppp_fsm *f);	/* this layer down */
	void (*finished)(struct ppp_fsm *f);	/* done: lower layer free */
	/* A packet of protocol f->proto (code onwards) to the peer. */
	void (*send)(struct ppp_fsm *f, const uint8_t *buf, size_t len);
};

struct ppp_fsm {
	uint16_t proto;
	enum ppp_state state;
	uint8_t id;		/* of our next packet */
	uint8_t req_id;		/* of our last Configure-Request */
	uint8_t restart;	/* retransmissions left */
	uint8_t naks;		/* Naks sent in a row */
	uint64_t timer_at;	/* 0: stopped */
	const struct ppp_fsm_ops *ops;
	void *ctx;
	uint64_t bad;		/* packets refused: malformed or unexpected */
};

void ppp_fsm_init(struct ppp_fsm *f, uint16_t proto,
		  const struct ppp_fsm_ops *ops, void *ctx);
/* Administrative Open and Close, lower layer Up and Down (section 4.1). */
void ppp_fsm_open(struct ppp_fsm *f, uint64_t now);
void ppp_fsm_close(struct ppp_fsm *f, const char *why, uint64_t now);
void ppp_fsm_lower_up(struct ppp_fsm *f, uint64_t now);
void ppp_fsm_lower_down(struct ppp_fsm *f);
/* A packet of this protocol from the peer, code onwards. */
void ppp_fsm_input(struct ppp_fsm *f, const uint8_t *pkt, size_t len,
		   uint64_t now);
/* The restart timer. */
void ppp_fsm_tick(struct ppp_fsm *f, uint64_t now);
/* Send code/id/data of this protocol (Code-Reject, Echo-Reply...). */
void ppp_fsm_send(struct ppp_fsm *f, uint8_t code, uint8_t id,
		  const uint8_t *data, size_t len);
const char *ppp_state_name(enum ppp_state s);

/* Options: walk them; 1 with the next in type/val/len, 0 at the end, -1. */
int ppp_opt_next(const uint8_t **p, const uint8_t *end, uint8_t *type,
		 const uint8_t **val, uint8_t *len);
/* Append an option to buf at *off (max bytes): false when it does not fit. */
bool ppp_opt_put(uint8_t *buf, size_t *off, size_t max, uint8_t type,
		 const void *val, uint8_t len);

/*
 * The answer to a Configure-Request from the options to reject and to nak:
 * Reject when any is rejected (or Naks are to be rejected), else Nak,
 * else Ack with the request's own options. Returns the code, out filled.
 */
int ppp_opt_answer(const uint8_t *opt, size_t len, const uint8_t *rej,
		   size_t nrej, const uint8_t *nak, size_t nnak, bool reject_naks,
		   uint8_t *out, size_t *out_len);

#endif /* TG_LNS_PPP_FSM_H */
