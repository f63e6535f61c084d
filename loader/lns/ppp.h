/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PPP of one dial-in session, LNS side: LCP (RFC 1661: MRU, magic number,
 * PFC/ACFC, the authentication protocol, echo both ways and dead-peer
 * detection, terminate), PAP (RFC 1334), CHAP-MD5 (RFC 1994), IPCP
 * (RFC 1332, with DNS addresses of RFC 1877) and IPv6CP (RFC 5072).
 *
 * Frames come in through ppp_input() without the L2TP header and leave
 * through ops->send; who may log in and which address a member gets is
 * the environment's (ops->auth, answered by ppp_auth_done()), so that the
 * database, and later RADIUS, decide it.
 */
#ifndef TG_LNS_PPP_H
#define TG_LNS_PPP_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "lns/ppp_fsm.h"

#define PPP_MRU_DEFAULT 1460	/* 1500 less IPv4, UDP, L2TP and PPP */
#define PPP_MRU_MIN 576
#define PPP_ECHO_MS 10000
#define PPP_ECHO_FAILS 6	/* unanswered echoes before the peer is dead */
#define PPP_AUTH_MS 30000	/* to authenticate after LCP is up */
/* Why PPP ended a session, as the LNS's session_down() hears it. */
#define PPP_WHY_CLOSED "the link was closed"
#define PPP_WHY_NO_ECHO "the member stopped answering LCP echoes"
#define PPP_NAME_MAX 256
#define PPP_CHAP_MD5 5		/* CHAP algorithm */

/* LCP options (RFC 1661 section 6, RFC 1570). */
enum {
	LCP_MRU = 1,
	LCP_ACCM = 2,
	LCP_AUTH = 3,
	LCP_MAGIC = 5,
	LCP_PFC = 7,
	LCP_ACFC = 8,
};

/* IPCP options (RFC 1332, RFC 1877); IPv6CP's Interface-Identifier. */
enum {
	IPCP_ADDR = 3,
	IPCP_DNS1 = 129,
	IPCP_DNS2 = 131,
	IPV6CP_IFID = 1,
};

enum ppp_phase {
	PPP_PHASE_DEAD,
	PPP_PHASE_ESTABLISH,
	PPP_PHASE_AUTH,		/* LCP up, the member not yet known */
	PPP_PHASE_NETWORK,	/* authenticated: IPCP and IPv6CP */
	PPP_PHASE_TERMINATE,
};

struct ppp_config {
	uint16_t mru;			/* ours, 0: PPP_MRU_DEFAULT */
	bool pap;			/* offer PAP (CHAP-MD5 is preferred) */
	bool chap;			/* offer CHAP-MD5 */
	char name[64];			/* our name in CHAP challenges */
	uint32_t echo_ms;		/* 0: PPP_ECHO_MS */
	uint8_t echo_fails;		/* 0: PPP_ECHO_FAILS */
	struct in_addr local4;		/* our IPCP address */
	struct in_addr dns4[2];		/* offered, 0.0.0.0: none */
	uint8_t local_ifid[8];		/* our IPv6CP interface id */
};

/* What a member sent to log in. */
struct ppp_auth_req {
	uint16_t proto;			/* PPP_PAP or PPP_CHAP */
	char user[PPP_NAME_MAX];
	char password[PPP_NAME_MAX];	/* PAP */
	uint8_t chap_id;		/* CHAP: our challenge's id ... */
	uint8_t challenge[16];		/* ... and value */
	uint8_t response[16];		/* the member's MD5 */
};

struct ppp;

struct ppp_ops {
	/* A PPP frame (protocol, then its packet) to the member. */
	void (*send)(void *ctx, struct ppp *p, uint16_t proto,
		     const uint8_t *buf, size_t len);
	/* Check a login; answer with ppp_auth_done(), now or later. */
	void (*auth)(void *ctx, struct ppp *p, const struct ppp_auth_req *r);
	/* IPCP or IPv6CP opened: the member's addresses are settled. */
	void (*ip_up)(void *ctx, struct ppp *p);
	void (*ip6_up)(void *ctx, struct ppp *p);
	/* The link is over (LCP finished): the caller ends the session. */
	void (*down)(void *ctx, struct ppp *p, const char *why);
	void (*random)(void *ctx, uint8_t *buf, size_t len);
};

struct ppp {
	struct ppp_config cfg;
	const struct ppp_ops *ops;
	void *ctx;
	enum ppp_phase phase;
	struct ppp_fsm lcp;
	struct ppp_fsm ipcp;
	struct ppp_fsm ipv6cp;

	/* LCP: what we ask (and drop when rejected), what the peer got. */
	uint16_t auth_proto;		/* asked: PPP_CHAP, PPP_PAP or 0 */
	uint32_t magic;			/* ours */
	bool ask_mru;
	uint16_t peer_mru;
	uint32_t peer_magic;
	bool peer_pfc;
	bool peer_acfc;

	/* Echo: sent, unanswered, next. */
	uint8_t echo_id;
	uint8_t echo_pending;
	uint64_t echo_at;

	/* Authentication. */
	uint8_t chap_id;
	uint8_t challenge[16];
	uint64_t chap_at;		/* the challenge is sent again */
	uint64_t auth_deadline;
	bool auth_busy;			/* ops->auth asked, no answer yet */
	char user[PPP_NAME_MAX];

	/* IPCP and IPv6CP. */
	struct in_addr peer4;		/* given by ppp_auth_done() */
	bool ask_dns[2];
	uint8_t peer_ifid[8];

	uint64_t now;			/* of the frame or tick being handled */
	uint64_t bad;			/* frames refused, all protocols */
	char why[64];			/* why the link went down */
};

void ppp_init(struct ppp *p, const struct ppp_config *cfg,
	      const struct ppp_ops *ops, void *ctx);
/* The L2TP session is up: LCP starts. */
void ppp_start(struct ppp *p, uint64_t now);
/* A frame from the member: protocol and packet, address/control removed. */
void ppp_input(struct ppp *p, uint16_t proto, const uint8_t *pkt,
	       size_t len, uint64_t now);
void ppp_tick(struct ppp *p, uint64_t now);
uint64_t ppp_deadline(const struct ppp *p);
/* End the link from our side (LCP Terminate-Request with why). */
void ppp_close(struct ppp *p, const char *why, uint64_t now);

/* The answer to ops->auth: peer4 is the member's IPv4 address. */
void ppp_auth_done(struct ppp *p, bool ok, const char *msg,
		   struct in_addr peer4, uint64_t now);

/* CHAP-MD5 (RFC 1994): MD5(id, secret, challenge). */
void ppp_chap_md5(uint8_t id, const char *secret, const uint8_t *chal,
		  size_t chal_len, uint8_t out[16]);

/* Strip address/control and read the protocol of a PPP frame: 0 or -1. */
int ppp_frame_parse(const uint8_t *buf, size_t len, uint16_t *proto,
		    const uint8_t **pkt, size_t *pkt_len);

#endif /* TG_LNS_PPP_H */
