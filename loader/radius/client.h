/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Access-Requests through radcli, off the daemon's loop: worker threads,
 * each with its own radcli handles (one per server, so that a server's
 * failures are counted and the next one tried), take logins from a queue
 * and put the answers in another; an eventfd tells the daemon's poll.
 * radcli retransmits (radius_retries) and waits (radius_timeout) per
 * server; a dead server holds one worker, never the LNS.
 */
#ifndef TG_RADIUS_CLIENT_H
#define TG_RADIUS_CLIENT_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

#include "db/radius_settings.h"
#include "lns/ppp.h"
#include "radius/reply.h"

#define TG_RAD_THREADS 4

/* A login to check. */
struct tg_rad_request {
	uint16_t tunnel, session;	/* the LNS's, to find the session again */
	uint32_t serial;		/* the session's call serial, likewise */
	struct ppp_auth_req auth;	/* user, password or CHAP */
	struct in_addr calling;		/* the LAC's address */
	struct in_addr called;		/* ours */
};

enum tg_rad_result {
	TG_RAD_ACCEPT,
	TG_RAD_REJECT,
	TG_RAD_TIMEOUT,		/* no server answered */
	TG_RAD_ERROR,		/* the request could not be made */
};

struct tg_rad_answer {
	uint16_t tunnel, session;
	uint32_t serial;
	uint16_t proto;
	char user[PPP_NAME_MAX];
	enum tg_rad_result result;
	int server;			/* index of the server that answered, -1 */
	struct tg_rad_reply reply;	/* with TG_RAD_ACCEPT */
};

struct tg_rad_client;

/* Per-server counters, read by the daemon's thread (relaxed). */
struct tg_rad_server_stats {
	uint64_t accepts, rejects, failures;	/* failures: no answer */
};

/*
 * Start the workers for settings s: 0, or a negative errno with the
 * cause in err.
 */
int tg_rad_client_start(const struct tg_radius_settings *s,
			struct tg_rad_client **out, char *err, size_t errlen);
/* Readable when answers wait. */
int tg_rad_client_fd(const struct tg_rad_client *c);
/* Queue a login (copied): 0 or -ENOMEM. */
int tg_rad_client_submit(struct tg_rad_client *c,
			 const struct tg_rad_request *r);
/* The next answer, false when none waits (the eventfd is then drained). */
bool tg_rad_client_take(struct tg_rad_client *c, struct tg_rad_answer *a);
/* Logins queued or being asked. */
unsigned int tg_rad_client_busy(struct tg_rad_client *c);
/* The counters of server i (of s->auth), NULL past the last. */
const struct tg_rad_server_stats *tg_rad_client_stats(
	const struct tg_rad_client *c, unsigned int i);
/* Stop the workers (waits for the logins being asked) and free. */
void tg_rad_client_stop(struct tg_rad_client *c);

#endif /* TG_RADIUS_CLIENT_H */
