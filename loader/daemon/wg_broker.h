/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The enrolment broker of WireGuard members ('config set wg-broker'): an
 * HTTP server of its own (libmicrohttpd) answering POST /wg/enrol, a
 * router's token and public key, with its member's wg-quick file, and GET
 * /wg/openwrt.sh with the client script. Each enrolment is the command
 * 'tungate wg enrol' run as a child process with the daemon's database
 * options, so that it is one transaction like any command (with
 * PostgreSQL: pull, change, push). Requests are limited per client
 * address (a token bucket), counted by result for the metrics and logged.
 */
#ifndef TG_WG_BROKER_H
#define TG_WG_BROKER_H

#include <stdbool.h>
#include <linux/types.h>
#include <sqlite3.h>

/* Results of requests, as the metrics label them. */
#define TG_WG_ENROL_RESULTS(X)						\
	X(OK, "ok") X(UNKNOWN, "unknown") X(USED, "used")		\
	X(EXPIRED, "expired") X(BAD_KEY, "bad_key")			\
	X(KEY_IN_USE, "key_in_use") X(REFUSED, "refused")		\
	X(BAD_REQUEST, "bad_request") X(RATE_LIMITED, "rate_limited")	\
	X(ERROR, "error")

#define TG_WG_ENROL_ENUM(e, s) TG_WG_ENROL_##e,
enum tg_wg_enrol_result {
	TG_WG_ENROL_RESULTS(TG_WG_ENROL_ENUM)
	TG_WG_ENROL_N
};
#undef TG_WG_ENROL_ENUM

/* Names of the results, by enum. */
extern const char *const tg_wg_enrol_names[TG_WG_ENROL_N];

/* Requests per client address: a bucket of this many, refilled per minute. */
#define TG_WG_BROKER_RATE 5
/* Client addresses remembered; the one least recently seen makes room. */
#define TG_WG_BROKER_CLIENTS 1024

struct tg_wg_broker;

/* The broker of the daemon, following the wg-broker settings. */
struct tg_wg_brokerd {
	struct tg_wg_broker *srv;	/* NULL: off */
	char addr[300];			/* where srv listens */
	bool tls;			/* srv serves HTTPS */
	__u8 pem_sha256[32];		/* of srv's certificate and key */
	bool started;			/* the setting was read once */
	int wake;			/* eventfd: an enrolment wrote the database */
	__u64 results[TG_WG_ENROL_N];	/* counted by srv's thread */
};

void tg_wg_brokerd_init(struct tg_wg_brokerd *d);
/*
 * Start, move or stop the broker as db's wg-broker settings say: once,
 * and again with reload (SIGHUP), when the certificate and key files are
 * read again (changed ones are served from the next connection on, on
 * the same socket). A bad setting, an address in use, or certificate
 * files that cannot be served are logged, and the broker stays as it
 * was: HTTPS asked for is never served as plain HTTP.
 */
void tg_wg_brokerd_follow(struct tg_wg_brokerd *d, sqlite3 *db, bool reload);
/* The descriptor to poll; read it when readable (then sync). */
int tg_wg_brokerd_fd(const struct tg_wg_brokerd *d);
void tg_wg_brokerd_read(struct tg_wg_brokerd *d);
void tg_wg_brokerd_stop(struct tg_wg_brokerd *d);

/* A token bucket table of client addresses (exposed for the tests). */
struct tg_wg_rate {
	struct tg_wg_rate_slot {
		__u8 addr[16];
		__u64 at_ms;		/* last refill */
		__u64 seen_ms;
		unsigned int tokens_x60;	/* tokens, in 60ths */
		bool used;
	} slot[TG_WG_BROKER_CLIENTS];
};
/* Whether a request of addr (16 bytes, IPv4 mapped) at now_ms may pass. */
bool tg_wg_rate_take(struct tg_wg_rate *r, const __u8 addr[16], __u64 now_ms);

#endif /* TG_WG_BROKER_H */
