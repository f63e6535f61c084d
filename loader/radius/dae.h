/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The dynamic authorization server (RFC 5176): CoA-Request and
 * Disconnect-Request from the configured clients only, their Request
 * Authenticator and any Message-Authenticator checked; a packet that
 * fails is not answered, but counted by reason and logged once a minute
 * per source. The session is found and changed or ended through the
 * caller's callbacks; the answer (ACK, or NAK with an Error-Cause) is
 * kept a few seconds and sent again for a retransmission, without a
 * second action.
 */
#ifndef TG_RADIUS_DAE_H
#define TG_RADIUS_DAE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <linux/types.h>

#include "util/mikrotik_rate.h"

#define TG_DAE_PORT 3799
#define TG_DAE_DUP_SECONDS 5
#define TG_DAE_LOG_SECONDS 60

/* Error-Cause values (RFC 5176 §3.6). */
enum {
	TG_DAE_EC_UNSUPPORTED_ATTRIBUTE = 401,
	TG_DAE_EC_MISSING_ATTRIBUTE = 402,
	TG_DAE_EC_NAS_MISMATCH = 403,
	TG_DAE_EC_INVALID_REQUEST = 404,
	TG_DAE_EC_UNSUPPORTED_SERVICE = 405,
	TG_DAE_EC_INVALID_VALUE = 407,
	TG_DAE_EC_ADMIN_PROHIBITED = 501,
	TG_DAE_EC_CONTEXT_NOT_FOUND = 503,
	TG_DAE_EC_CONTEXT_NOT_REMOVABLE = 504,
	TG_DAE_EC_RESOURCES_UNAVAILABLE = 506,
};


struct tg_dae_client {
	struct in_addr addr;
	char secret[128];
};

struct tg_dae_config {
	struct in_addr listen;		/* INADDR_ANY: every address */
	__u16 port;			/* 0: TG_DAE_PORT */
	const struct tg_dae_client *clients;
	size_t nclients;
	const char *nas_identifier;	/* NULL or "": not checked */
	struct in_addr nas_ip;		/* 0: not checked */
};

/* What names the session; empty/0: not given. */
struct tg_dae_ident {
	char session_id[254];
	char user[254];
	struct in_addr ip;
};

/* What a CoA-Request changes. */
struct tg_dae_change {
	bool has_up, has_down, has_class, has_timeout;
	__u64 up_bps, down_bps;		/* bits/s, 0: unlimited */
	char class_[254];		/* Filter-Id */
	__u32 session_timeout;		/* seconds from now, 0: none */
};

/* Callbacks: 0, or the Error-Cause to answer with. */
struct tg_dae_ops {
	/* The one live session every given identification matches. */
	int (*find)(void *ctx, const struct tg_dae_ident *id, __u64 *handle);
	int (*change)(void *ctx, __u64 handle, const struct tg_dae_change *c);
	int (*disconnect)(void *ctx, __u64 handle);
};

/* Why a packet was not acted on. */
#define TG_DAE_DROPS(X)							\
	X(UNKNOWN_CLIENT, "unknown-client")				\
	X(BAD_AUTH, "bad-authenticator")				\
	X(BAD_MSG_AUTH, "bad-message-authenticator")			\
	X(MALFORMED, "malformed")					\
	X(BAD_CODE, "unsupported-code")

enum tg_dae_drop {
#define X(n, s) TG_DAE_DROP_##n,
	TG_DAE_DROPS(X)
#undef X
	TG_DAE_DROP_MAX,
};

struct tg_dae_stats {
	__u64 coa_ack, coa_nak, disconnect_ack, disconnect_nak;
	__u64 duplicates;
	__u64 drops[TG_DAE_DROP_MAX];
};

struct tg_dae;

/* The server, its socket bound: 0 or negative errno, reported. */
int tg_dae_open(const struct tg_dae_config *cfg, const struct tg_dae_ops *ops,
		void *ctx, struct tg_dae **out);
/* The same without a socket, for tg_dae_handle(). */
int tg_dae_new(const struct tg_dae_config *cfg, const struct tg_dae_ops *ops,
	       void *ctx, struct tg_dae **out);
void tg_dae_close(struct tg_dae *d);
int tg_dae_fd(const struct tg_dae *d);
/* Every waiting packet read and answered; now: unix seconds. */
int tg_dae_read(struct tg_dae *d, __s64 now);
/*
 * One packet of pkt (len bytes) from src: the answer in out (of cap
 * bytes, at least TG_RAD_PKT_MAX), its length returned; 0: no answer
 * (the reason counted).
 */
size_t tg_dae_handle(struct tg_dae *d, const struct sockaddr_in *src,
		     const __u8 *pkt, size_t len, __u8 *out, size_t cap,
		     __s64 now);
void tg_dae_get_stats(const struct tg_dae *d, struct tg_dae_stats *st);
const char *tg_dae_drop_name(enum tg_dae_drop r);

#endif /* TG_RADIUS_DAE_H */
