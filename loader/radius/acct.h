/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * RADIUS accounting (RFC 2866) of dial-in sessions: Start, Interim-Update
 * and Stop records, each stored in the database's radius_acct_queue
 * before it is sent, sent one at a time in order by a worker thread
 * (radcli rc_acct, with failover over the servers) and deleted only once
 * a server answered; while none answers, retried with a growing delay
 * (1 s .. 60 s). The daemon polls tg_acct_fd() and calls tg_acct_read(),
 * and tg_acct_tick() about once a second for the Interim-Updates and the
 * retries. Every time is the caller's clock (unix seconds).
 */
#ifndef TG_RADIUS_ACCT_H
#define TG_RADIUS_ACCT_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>
#include <linux/types.h>

#define TG_ACCT_INTERIM_MIN 60
#define TG_ACCT_BACKOFF_MIN 1
#define TG_ACCT_BACKOFF_MAX 60
#define TG_ACCT_QUEUE_MAX_DEFAULT 100000

/* Acct-Status-Type. */
enum tg_acct_kind {
	TG_ACCT_START = 1,
	TG_ACCT_STOP = 2,
	TG_ACCT_INTERIM = 3,
	TG_ACCT_KINDS,
};

/* Acct-Terminate-Cause (RFC 2866 §5.10): the values are the RFC's. */
enum tg_acct_cause {
	TG_ACCT_USER_REQUEST = 1,
	TG_ACCT_LOST_CARRIER = 2,
	TG_ACCT_LOST_SERVICE = 3,
	TG_ACCT_IDLE_TIMEOUT = 4,
	TG_ACCT_SESSION_TIMEOUT = 5,
	TG_ACCT_ADMIN_RESET = 6,
	TG_ACCT_ADMIN_REBOOT = 7,
	TG_ACCT_PORT_ERROR = 8,
	TG_ACCT_NAS_ERROR = 9,
	TG_ACCT_NAS_REQUEST = 10,
	TG_ACCT_NAS_REBOOT = 11,
};

struct tg_acct_config {
	/* "host[:port]" separated by commas, tried in turn (port 1813). */
	const char *servers;
	const char *secret;
	unsigned int timeout;		/* seconds per try */
	unsigned int retries;		/* tries per server */
	unsigned int interim;		/* seconds; 0: no Interim-Updates */
	unsigned int queue_max;		/* records; 0: the default */
	const char *nas_identifier;	/* "" or NULL: none */
	__be32 nas_ip;			/* 0: none */
};

/* What the accounting says of a session. */
struct tg_acct_session {
	char id[64];			/* Acct-Session-Id */
	char user[254];
	__u8 class_[253];		/* Class of the Access-Accept, echoed */
	size_t class_len;
	__be32 ip;			/* Framed-IP-Address, 0: none */
	char calling[64];		/* Calling-Station-Id, "" none */
	char called[64];
	__u32 nas_port;
	__u32 interim;			/* Acct-Interim-Interval, 0: none */
	__s64 started;			/* unix seconds */
};

/* Input: what the member sent. */
struct tg_acct_counters {
	__u64 in_octets, out_octets;
	__u64 in_packets, out_packets;
};

/* The counters of session id now: 0, or negative errno (no Interim). */
typedef int (*tg_acct_counters_fn)(void *ctx, const char *id,
				   struct tg_acct_counters *c);

struct tg_acct_stats {
	__u64 sent[TG_ACCT_KINDS];	/* answered, by kind */
	__u64 queued[TG_ACCT_KINDS];	/* stored, by kind */
	__u64 retried;			/* sends no server answered */
	__u64 dropped;			/* Interim-Updates of a full queue */
	__u64 queue_len;		/* records waiting now */
	__u64 unsendable;		/* records refused by radcli, kept */
};

struct tg_acct;

/*
 * Start the engine on db (whose connection the caller keeps using from
 * the same thread only): records left by a previous run are sent first.
 * 0 or negative errno, the cause reported.
 */
int tg_acct_open(const struct tg_acct_config *cfg, sqlite3 *db,
		 tg_acct_counters_fn counters, void *ctx, struct tg_acct **out);
/* After the answer to the record on its way, if any (a few seconds). */
void tg_acct_close(struct tg_acct *a);
/*
 * The daemon's connection changed (reopened, or NULL while it has none):
 * records made meanwhile are kept in memory and stored when it is back.
 */
void tg_acct_set_db(struct tg_acct *a, sqlite3 *db);

/* A session came up: its Start record, then its Interim-Updates. */
int tg_acct_start(struct tg_acct *a, const struct tg_acct_session *s,
		  __s64 now);
/* A session still up after a restart: Interim-Updates only. */
int tg_acct_resume(struct tg_acct *a, const struct tg_acct_session *s,
		   __s64 now);
/* A session ended with counters c: its Stop record. 0, -ENOENT, -errno. */
int tg_acct_stop(struct tg_acct *a, const char *id,
		 const struct tg_acct_counters *c, enum tg_acct_cause cause,
		 __s64 now);
/* The Interim-Updates due by now, and a retry once its delay is over. */
int tg_acct_tick(struct tg_acct *a, __s64 now);

/* Readable when the worker has an answer: then call tg_acct_read(). */
int tg_acct_fd(const struct tg_acct *a);
int tg_acct_read(struct tg_acct *a, __s64 now);
/* Whether a record is being sent. */
int tg_acct_busy(const struct tg_acct *a);

void tg_acct_get_stats(const struct tg_acct *a, struct tg_acct_stats *st);
const char *tg_acct_kind_name(enum tg_acct_kind k);

#endif /* TG_RADIUS_ACCT_H */
