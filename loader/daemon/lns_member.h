/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the daemon's LNS keeps of a session whose member logged in, and
 * the RADIUS parts of its life (daemon/lns_radius.c): accounting, CoA and
 * Disconnect, Idle-Timeout. Private to loader/daemon/lns*.c.
 */
#ifndef TG_DAEMON_LNS_MEMBER_H
#define TG_DAEMON_LNS_MEMBER_H

#include "daemon/lns.h"
#include "db/session.h"
#include "radius/acct.h"

struct lnsd_member {
	__s64 id;			/* subscriber id */
	__u32 dp_id;			/* its data plane id */
	char name[TG_NAME_MAX + 1];
	bool online;			/* its row is in the session table */
	bool radius;			/* its row is RADIUS's: it goes with it */
	uint64_t ends_at;		/* ms, Session-Timeout; 0: never */
	/* Kept in the session row for accounting. */
	uint32_t session_timeout, idle_timeout, interim;
	uint8_t class_[TG_RAD_VALUE_MAX];
	size_t class_len;
	/* Accounting: the session's id, start, counters at its start. */
	char acct_id[TG_ACCT_SESSION_ID_LEN + 1];
	__s64 started;			/* unix seconds */
	bool accounted;			/* Start sent or session resumed */
	struct tg_acct_counters base, last;
	uint64_t up_ms;			/* when it came up (or was taken over) */
	enum tg_acct_cause cause;	/* 0: from the LNS's reason */
};

/* Accounting and the CoA/Disconnect server, by the settings: 0 or -errno. */
int lnsd_radius_open(struct tg_lnsd *d);
void lnsd_radius_close(struct tg_lnsd *d);
/* Session ls of m came up (Start), was taken over (resumed), ended. */
void lnsd_acct_up(struct tg_lnsd *d, struct lns_session *ls,
		  struct lnsd_member *m);
void lnsd_acct_resume(struct tg_lnsd *d, struct lns_session *ls,
		      struct lnsd_member *m);
void lnsd_acct_down(struct tg_lnsd *d, struct lns_session *ls,
		    struct lnsd_member *m, const char *why);
/* End session ls for cause (its Acct-Terminate-Cause). */
void lnsd_end(struct lns_session *ls, struct lnsd_member *m,
	      enum tg_acct_cause cause, uint64_t now);
/* Once a second: Interim-Updates, retries, Idle-Timeouts, the stats. */
void lnsd_radius_second(struct tg_lnsd *d, uint64_t now);

#endif /* TG_DAEMON_LNS_MEMBER_H */
