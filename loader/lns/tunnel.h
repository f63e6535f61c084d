/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The LNS side of L2TPv2 tunnels and their sessions (RFC 2661 sections 5
 * and 7): SCCRQ/SCCRP/SCCCN with optional tunnel authentication, HELLO
 * keepalives and the teardown of a silent peer, StopCCN, incoming calls
 * ICRQ/ICRP/ICCN and CDN in both directions, many tunnels per LAC and many
 * sessions per tunnel.
 *
 * No socket: datagrams come in through lns_input() and leave through the
 * xmit callback, time is an argument, and sessions that come up or go
 * down are told through callbacks. The daemon owns the socket and the
 * clock; the unit suite owns them in tests.
 */
#ifndef TG_LNS_TUNNEL_H
#define TG_LNS_TUNNEL_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "lns/ipv6.h"
#include "lns/l2tp_msg.h"
#include "lns/ppp.h"
#include "lns/reliable.h"

#define LNS_TUNNELS_MAX 4096
#define LNS_SESSIONS_MAX 65535
#define LNS_HELLO_MS 60000	/* a HELLO after so long without a message */
#define LNS_LINGER_MS 31000	/* a closed tunnel still acks its StopCCN */
#define LNS_SECRET_MAX 64
/* Why a session ended, as session_down() hears it (and PPP_WHY_*). */
#define LNS_WHY_STOPPED "the LNS stopped"
#define LNS_WHY_RESTARTED "the LAC started over"
#define LNS_WHY_CDN "CDN from the LAC"
#define LNS_WHY_STOPCCN "StopCCN from the LAC"
#define LNS_WHY_SILENT "the LAC stopped answering"

/* Result codes of StopCCN (section 4.4.2). */
enum {
	LNS_STOP_CLEAR = 1,	/* general request to clear */
	LNS_STOP_ERROR = 2,	/* general error, see error code */
	LNS_STOP_NOT_AUTH = 4,	/* requester not authorized */
	LNS_STOP_VERSION = 5,	/* protocol version not supported */
	LNS_STOP_SHUTDOWN = 6,	/* requester is being shut down */
};

/* Result codes of CDN. */
enum {
	LNS_CDN_CARRIER = 1,	/* lost carrier */
	LNS_CDN_ERROR = 2,	/* general error, see error code */
	LNS_CDN_ADMIN = 3,	/* administrative reasons */
	LNS_CDN_NO_FACILITY = 4,	/* temporary lack of facilities */
};

/* Error codes (section 4.4.2). */
enum {
	LNS_ERR_NONE = 0,
	LNS_ERR_NO_CONTROL = 1,		/* no control connection */
	LNS_ERR_LENGTH = 2,		/* length is wrong */
	LNS_ERR_VALUE = 3,		/* a field out of range */
	LNS_ERR_RESOURCES = 4,		/* insufficient resources */
	LNS_ERR_SESSION_ID = 5,		/* invalid session id */
	LNS_ERR_VENDOR = 6,		/* a vendor specific error */
	LNS_ERR_TRY_ANOTHER = 7,
	LNS_ERR_MANDATORY = 8,		/* unknown mandatory AVP */
};

struct lns_addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

enum lns_session_state {
	LNS_SESS_WAIT_CONNECT,	/* ICRP sent, waiting for ICCN */
	LNS_SESS_ESTABLISHED,
};

struct lns_session {
	uint16_t id;		/* ours */
	uint16_t peer_id;	/* the LAC's */
	enum lns_session_state state;
	uint32_t call_serial;
	uint32_t tx_speed;
	char calling[L2TP_NAME_MAX];
	struct lns_tunnel *tunnel;
	struct ppp *ppp;	/* from ICCN on */
	/* The member's IPv6: the environment fills it in before IPv6CP. */
	struct lns_ipv6 v6;
	char ended[64];		/* PPP is over: why, the session goes next */
	void *user;		/* the environment's */
};

enum lns_tunnel_state {
	LNS_TUN_WAIT_CONNECT,	/* SCCRP sent, waiting for SCCCN */
	LNS_TUN_ESTABLISHED,
	LNS_TUN_CLOSING,	/* StopCCN sent or received: acks only */
};

struct lns_tunnel {
	uint16_t id;		/* ours */
	uint16_t peer_id;	/* the LAC's */
	enum lns_tunnel_state state;
	struct lns_addr peer;
	char host_name[L2TP_NAME_MAX];
	uint8_t challenge[16];	/* ours, when a secret is set */
	bool challenged;
	uint64_t last_rx;	/* ms, any message from the peer */
	uint64_t close_at;	/* ms, when a closing tunnel is freed */
	uint64_t queue_full;	/* messages the full queue refused */
	struct l2tp_chan chan;
	unsigned int n_sessions;
	unsigned int sessions_cap;
	struct lns_session **sessions;
	struct lns *lns;
};

struct lns_callbacks {
	/* A datagram to a peer. */
	void (*xmit)(void *ctx, const struct lns_addr *to, const uint8_t *buf,
		     size_t len);
	/* A member logs in: answer with lns_auth_done(), now or later. */
	void (*auth)(void *ctx, struct lns_session *s,
		     const struct ppp_auth_req *r);
	/* IPCP or IPv6CP opened: s->ppp holds the member's addresses. */
	void (*ip_up)(void *ctx, struct lns_session *s);
	void (*ip6_up)(void *ctx, struct lns_session *s);
	/*
	 * A session that logged in ended (PPP, CDN, StopCCN, a silent peer or
	 * lns_free()): the environment forgets it.
	 */
	void (*session_down)(void *ctx, struct lns_session *s,
			     const char *why);
	/* 16 random bytes for challenges and ids. */
	void (*random)(void *ctx, uint8_t *buf, size_t len);
};

struct lns_config {
	char host_name[L2TP_NAME_MAX];	/* Host Name AVP we send */
	uint8_t secret[LNS_SECRET_MAX];	/* tunnel authentication, or none */
	size_t secret_len;
	uint32_t hello_ms;		/* 0: LNS_HELLO_MS */
	struct ppp_config ppp;		/* of every session */
};

struct lns {
	struct lns_config cfg;
	struct lns_callbacks cb;
	void *ctx;
	struct lns_tunnel *tunnels[LNS_TUNNELS_MAX];	/* by id % MAX */
	unsigned int n_tunnels;
	unsigned int n_sessions;
	/* Refused datagrams by l2tp_err, and what the LNS itself refused. */
	uint64_t errors[L2TP_E_MAX];
	uint64_t unknown_tunnel;	/* no such tunnel, or another address */
	uint64_t bad_ids;		/* Assigned Tunnel/Session ID 0 */
	uint64_t not_authorized;
	uint64_t timeouts;
	uint64_t data_unknown;		/* data for no established session */
	uint64_t data_bad;		/* data messages that do not parse */
	uint64_t data_ip;		/* IP before the data plane has it */
	uint64_t v6_bad;		/* malformed RS or DHCPv6 */
	uint64_t v6_answers;		/* RAs and DHCPv6 answers sent */
};

void lns_init(struct lns *l, const struct lns_config *cfg,
	      const struct lns_callbacks *cb, void *ctx);
/* Every tunnel and session freed, session_down told for each. */
void lns_free(struct lns *l);

/* A UDP datagram from a peer. Never fails: refusals are counted. */
void lns_input(struct lns *l, const struct lns_addr *from,
	       const uint8_t *buf, size_t len, uint64_t now);

/* Timers: retransmissions, acks, HELLOs, silent peers, closed tunnels. */
void lns_tick(struct lns *l, uint64_t now);
/* When lns_tick() has something to do next. */
uint64_t lns_deadline(const struct lns *l);

/* The answer to callbacks.auth: peer4 is the member's IPv4 address. */
void lns_auth_done(struct lns_session *s, bool ok, const char *msg,
		   struct in_addr peer4, uint64_t now);

/* End a session from our side (CDN with result and error). */
void lns_session_close(struct lns_session *s, uint16_t result,
		       uint16_t error, uint64_t now);
/* End a tunnel and its sessions from our side (StopCCN). */
void lns_tunnel_close(struct lns_tunnel *t, uint16_t result, uint16_t error,
		      uint64_t now);

/*
 * Taking over from another process (see lns/persist.h): an established
 * tunnel with the ids and peer it had, and its established sessions. NULL
 * when an id is 0 or taken, or memory is short.
 */
struct lns_tunnel *lns_tunnel_adopt(struct lns *l, uint16_t id,
				    uint16_t peer_id,
				    const struct lns_addr *peer,
				    uint16_t peer_rws, uint64_t now);
struct lns_session *lns_session_adopt(struct lns_tunnel *t, uint16_t id,
				      uint16_t peer_id);
/* Every tunnel and session freed without a word to peers or callbacks. */
void lns_detach(struct lns *l);

struct lns_tunnel *lns_tunnel_by_id(const struct lns *l, uint16_t id);
struct lns_session *lns_session_by_id(const struct lns_tunnel *t,
				      uint16_t id);

#endif /* TG_LNS_TUNNEL_H */
