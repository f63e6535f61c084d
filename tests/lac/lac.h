/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tg-lac: the client side of L2TPv2 (RFC 2661, the LAC) and of PPP (the
 * member's router), to drive an LNS from tests and benchmarks.
 *
 * One epoll loop; every tunnel has its own connected UDP socket, every
 * session its PPP client. Events go to stdout as one JSON object a line.
 */
#ifndef TG_LAC_H
#define TG_LAC_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lns/l2tp.h"

#define LAC_WINDOW 8		/* our Receive Window Size */
#define LAC_RTX_MS 1000		/* first retransmission, doubled each time */
#define LAC_RTX_MAX_MS 8000
#define LAC_RTX_TRIES 6
#define LAC_PPP_RTX_MS 3000
#define LAC_PPP_TRIES 10
#define LAC_HOST_NAME "tg-lac"

struct options {
	struct sockaddr_in lns;
	struct in_addr local;
	const char *secret;
	const char *user;	/* may hold one %d: the session's number */
	const char *password;
	const char *tun;
	uint16_t auth;		/* PPP_PAP or PPP_CHAP insisted on, or 0 */
	int sessions;
	int tunnels;
	int window;		/* setups in flight at once */
	unsigned int rtx_ms;	/* first control retransmission */
	double hold;		/* seconds; < 0: until SIGTERM */
	double timeout;		/* seconds to bring everything up */
	bool bulk;
	bool redial;
	bool no_echo;
	bool quiet;		/* no per-session events */
	/* Faults. */
	int drop_sent;		/* the Nth control message sent, 1-based */
	int drop_recv;
	bool dup;
	int reorder;		/* the Nth sent is held back behind the next */
	double cdn_after;	/* seconds after the session is up */
	double stopccn_after;
	int garbage;
	double bad_avp_after;	/* seconds after the session is up */
	/* Load: data messages as fast as they go, once the session is up. */
	double flood;		/* seconds; 0: none */
	int flood_size;		/* bytes of the IPv4 packet in each */
	struct in_addr flood_to;
};

extern struct options opt;

struct session;

struct lac_msg {
	uint8_t buf[L2TP_MSG_MAX];
	uint16_t len;
	uint16_t ns;
	bool sent;
	struct session *ppp;	/* an ICCN: its PPP starts once it is out */
};

enum tunnel_state { T_IDLE, T_WAIT_SCCRP, T_UP, T_CLOSING, T_DOWN };

struct tunnel {
	int fd;
	int index;
	enum tunnel_state state;
	uint16_t lid, rid;
	uint16_t ns, nr;	/* next to send, next expected */
	uint16_t peer_nr;	/* first of ours not acked */
	uint16_t peer_rws;
	bool ack_due;
	/* Unacked and not yet sent messages, in Ns order. */
	struct lac_msg **q;
	int qlen, qcap;
	uint64_t rtx_at;
	unsigned int rtx_ms;
	int tries;
	uint8_t challenge[16];
	struct session *sessions;
	int nsessions;
	uint64_t closed_at;
	/* Faults: control messages counted both ways, one held back. */
	int sent_count, recv_count;
	uint8_t held[L2TP_MSG_MAX];
	size_t held_len;
};

/* PPP control protocol automaton of one side pair (LCP, IPCP, IPv6CP). */
struct cp {
	bool req_acked;		/* our Configure-Request was acked */
	bool peer_acked;	/* we acked the peer's */
	bool opened;
	bool failed;		/* refused by the peer (Protocol-Reject) */
	uint8_t id;
	uint64_t rtx_at;
	int tries;
	uint8_t rejected[32];	/* option types the peer rejected, bit n */
};

enum session_state {
	S_IDLE, S_WAIT_ICRP, S_PPP, S_UP, S_CLOSING, S_DOWN
};

struct session {
	struct tunnel *t;
	struct session *next;
	int index;		/* for the user pattern */
	enum session_state state;
	uint16_t lsid, rsid;
	char user[128];
	uint64_t started_at, up_at;
	uint64_t cdn_at, stopccn_at;	/* faults: when to send them */
	/* PPP */
	struct cp lcp, ipcp, ip6cp;
	uint32_t magic;
	uint16_t mru;
	uint16_t auth;		/* protocol the LNS asked for, 0 for none */
	bool authed;
	uint8_t auth_id;
	uint64_t auth_at;
	int auth_tries;
	struct in_addr addr, peer, dns[2];
	uint8_t ifid[8], peer_ifid[8];
	/* Data */
	int tun_fd;
	uint64_t rx_pkts, tx_pkts, rx_bytes, tx_bytes;
	uint64_t echo_replies;
};

/* Time in milliseconds on the monotonic clock. */
uint64_t lac_now_ms(void);
uint32_t lac_random(void);
void lac_random_bytes(void *buf, size_t len);

/* Events (main.c). */
void ev_tunnel(struct tunnel *t, const char *what, const char *why);
void ev_session_up(struct session *s);
void ev_session_down(struct session *s, const char *why);
void ev_ipv6_up(struct session *s);

/* Control connection (ctl.c). */
struct tunnel *lac_tunnel_new(int index);
int lac_tunnel_open(struct tunnel *t);
void lac_tunnel_input(struct tunnel *t, uint64_t now);
void lac_tunnel_tick(struct tunnel *t, uint64_t now);
/* StopCCN with a result code; sessions are ended without CDN. */
void lac_tunnel_stop(struct tunnel *t, uint16_t result, const char *why,
		     uint64_t now);
bool lac_tunnel_idle(const struct tunnel *t);	/* nothing unacked */
struct session *lac_session_new(struct tunnel *t, int index);
void lac_session_start(struct session *s, uint64_t now);
void lac_session_cdn(struct session *s, uint16_t result, const char *why,
		 uint64_t now);
void lac_session_gone(struct session *s, const char *why);
/* An L2TP data message with one PPP frame. */
void lac_session_send_ppp(struct session *s, uint16_t proto, const void *pkt,
		      size_t len);
/* Its header (no length, no sequence numbers) and the PPP header before
 * the packet: LAC_DATA_HDR bytes. */
#define LAC_DATA_HDR 10
size_t lac_data_header(const struct session *s, uint16_t proto, uint8_t *buf);
void lac_garbage(struct tunnel *t, int n);
void lac_bad_avp(struct tunnel *t, uint64_t now);

/* PPP client (ppp.c). */
void lac_ppp_start(struct session *s, uint64_t now);
void lac_ppp_input(struct session *s, const uint8_t *frame, size_t len,
		 uint64_t now);
void lac_ppp_tick(struct session *s, uint64_t now);
void lac_ppp_terminate(struct session *s);

/* Flood of data messages (flood.c): true while it goes on. */
bool lac_flood(struct session *s, uint64_t now);

/* tun device (tun.c). */
int lac_tun_open(const char *name);
int lac_tun_set_addr(const char *name, struct in_addr addr, struct in_addr peer,
		 int mtu);
void lac_tun_input(struct session *s);

#endif /* TG_LAC_H */
