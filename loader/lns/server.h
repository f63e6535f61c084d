/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The LNS on its UDP socket: control messages and the PPP the data plane
 * leaves to userspace arrive on one socket bound to the configured address
 * and port 1701; answers leave from it. Non-blocking, for the daemon's
 * poll loop: read when the socket is readable, tick at the deadline.
 */
#ifndef TG_LNS_SERVER_H
#define TG_LNS_SERVER_H

#include "lns/tunnel.h"

#define LNS_SOCKET_BUF (4 << 20)	/* bytes each way */

struct lns_server {
	int fd;
	void *user;		/* the environment's */
	struct lns lns;
	uint64_t send_errors;
	uint64_t recv_errors;
};

/*
 * "ADDR", "ADDR:PORT" or "[ADDR6]:PORT" (port 1701 by default) into a
 * socket address. 0, or -EINVAL with the cause in err.
 */
int lns_listen_parse(const char *s, struct lns_addr *a, char *err,
		     size_t errlen);

/*
 * Bind the socket and start an LNS with cfg; env supplies auth, ip_up,
 * ip6_up and session_down (xmit and random are the server's), each called
 * with the server as ctx: its user field is the environment's. 0, or a
 * negative errno with the cause in err.
 */
int lns_server_open(struct lns_server *srv, const struct lns_addr *listen,
		    const struct lns_config *cfg,
		    const struct lns_callbacks *env, void *user, char *err,
		    size_t errlen);
/* Every datagram waiting on the socket, handled. */
void lns_server_read(struct lns_server *srv, uint64_t now);
/* Every session ended (session_down told), the socket closed. */
void lns_server_close(struct lns_server *srv);

#endif /* TG_LNS_SERVER_H */
