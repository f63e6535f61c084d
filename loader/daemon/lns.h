/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The daemon's LNS: the L2TP server of loader/lns/ on its socket, with
 * the database deciding who logs in (members: l2tpv2 subscribers with a
 * user) and the session table taking each session that comes up into the
 * data plane at the next sync.
 */
#ifndef TG_DAEMON_LNS_H
#define TG_DAEMON_LNS_H

#include <stdbool.h>
#include <stdint.h>
#include "db/db.h"
#include "db/radius_settings.h"
#include "lns/server.h"
#include "radius/acct.h"
#include "radius/client.h"
#include "radius/dae.h"

struct tg_maps;

struct tg_lnsd_auth;

struct tg_lnsd {
	bool on;
	struct tg_lns_settings cfg;
	struct lns_server srv;
	sqlite3 *db;			/* the daemon's, NULL while it has none */
	bool changed;			/* the session table changed: sync now */
	/* Logins answered after the datagram that asked is handled. */
	struct tg_lnsd_auth *pending;
	size_t n_pending, cap_pending;
	/* Counters for metrics and logs. */
	uint64_t logins, refused, takeovers, killed, db_errors;
	/* DHCPv6 Server Identifier: a DUID-UUID stable on this machine. */
	uint8_t duid[18];
	/* RADIUS (aaa radius): the settings, the client, the counters. */
	struct tg_radius_settings rad;
	struct tg_rad_client *rc;
	uint8_t acct_salt[16];
	uint64_t rad_accepts, rad_rejects, rad_timeouts;
	uint64_t rad_failures[TG_RADIUS_SERVERS_MAX];	/* per server */
	uint64_t timeouts;		/* sessions ended by Session-Timeout */
	uint64_t next_end;		/* ms: the first session to time out */
	/* Accounting and CoA/Disconnect (settings radius_accounting, _dae). */
	struct tg_acct *acct;
	struct tg_dae *dae;
	const struct tg_maps *maps;	/* the counters, NULL until open */
	struct tg_acct_stats acct_st;	/* copied once a second, for metrics */
	struct tg_dae_stats dae_st;
	uint64_t idle_timeouts;		/* sessions ended by Idle-Timeout */
	uint64_t dae_changes, dae_disconnects;
	uint64_t next_sec;		/* ms: the next once-a-second work */
	enum tg_acct_cause stop_cause;	/* of sessions tg_lnsd_stop ends */
	/* Attribute names already logged as not applied (once per run). */
	char **rad_logged;
	size_t n_rad_logged;
};

/*
 * Start the LNS of the settings in db (nothing when 'lns' is off): 0, or
 * a negative errno with the cause logged.
 */
int tg_lnsd_start(struct tg_lnsd *d, sqlite3 *db, uint64_t now);
/* The socket to poll, -1 when the LNS is off. */
int tg_lnsd_fd(const struct tg_lnsd *d);
/* The RADIUS answers' eventfd to poll, -1 without RADIUS. */
int tg_lnsd_radius_fd(const struct tg_lnsd *d);
/* RADIUS answered: logins accepted or refused. */
void tg_lnsd_radius_read(struct tg_lnsd *d, uint64_t now);
/* Accounting's and the CoA/Disconnect server's fds, -1 without. */
int tg_lnsd_acct_fd(const struct tg_lnsd *d);
void tg_lnsd_acct_read(struct tg_lnsd *d);
int tg_lnsd_dae_fd(const struct tg_lnsd *d);
void tg_lnsd_dae_read(struct tg_lnsd *d);
/* The data plane's maps, for the sessions' counters and last packets. */
void tg_lnsd_set_maps(struct tg_lnsd *d, const struct tg_maps *m);
/* The socket is readable: every datagram handled, logins answered. */
void tg_lnsd_read(struct tg_lnsd *d, uint64_t now);
/* Timers. */
void tg_lnsd_tick(struct tg_lnsd *d, uint64_t now);
uint64_t tg_lnsd_deadline(const struct tg_lnsd *d);
/* The database changed: sessions asked to end, of members gone, end. */
void tg_lnsd_reconcile(struct tg_lnsd *d, uint64_t now);
/* The daemon's connection, after it was reopened (or NULL). */
void tg_lnsd_set_db(struct tg_lnsd *d, sqlite3 *db);
/*
 * Stop. keep: every established session saved for the next process
 * (restart, upgrade), which takes it over; its entries stay in the data
 * plane meanwhile. Else, or when saving fails, every tunnel ends (StopCCN)
 * and its sessions' rows go, their Acct-Terminate-Cause d->stop_cause
 * (NAS-Reboot unless set).
 */
void tg_lnsd_stop(struct tg_lnsd *d, bool keep);

#endif /* TG_DAEMON_LNS_H */
