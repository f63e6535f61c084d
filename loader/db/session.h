/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Sessions of dial-in members: while the LNS has a member's session up,
 * its row here gives the tunnel identity the member's subscriber row
 * leaves out (the LAC's address and port, both ends' tunnel and session
 * ids), so that sync puts the member in the data plane like any l2tpv2
 * subscriber. The daemon writes the rows; 'session kill' marks one.
 */
#ifndef TG_DB_SESSION_H
#define TG_DB_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include "db/sub.h"

#define TG_SESSION_TABLE						\
	"CREATE TABLE session ("					\
	"subscriber_id INTEGER PRIMARY KEY REFERENCES subscriber(id)"	\
	" ON DELETE CASCADE,"						\
	" remote TEXT NOT NULL, local TEXT NOT NULL,"			\
	" peer_port INTEGER NOT NULL CHECK(peer_port BETWEEN 1 AND 65535),"\
	" local_port INTEGER NOT NULL CHECK(local_port BETWEEN 1 AND 65535),"\
	" tunnel_id INTEGER NOT NULL CHECK(tunnel_id BETWEEN 1 AND 65535),"\
	" session_id INTEGER NOT NULL CHECK(session_id BETWEEN 1 AND 65535),"\
	" peer_tunnel_id INTEGER NOT NULL"				\
	"  CHECK(peer_tunnel_id BETWEEN 1 AND 65535),"			\
	" peer_session INTEGER NOT NULL"				\
	"  CHECK(peer_session BETWEEN 1 AND 65535),"			\
	" started INTEGER NOT NULL,"					\
	" lac TEXT NOT NULL DEFAULT '',"				\
	" kill INTEGER NOT NULL DEFAULT 0 CHECK(kill IN (0, 1)),"	\
	" state TEXT,"							\
	" acct_session_id TEXT NOT NULL DEFAULT ''"			\
	"  CHECK(acct_session_id NOT GLOB '*[^0-9a-f]*'),"		\
	" radius_class BLOB CHECK(length(radius_class) <= 253),"	\
	" session_timeout INTEGER NOT NULL DEFAULT 0"			\
	"  CHECK(session_timeout >= 0),"				\
	" idle_timeout INTEGER NOT NULL DEFAULT 0"			\
	"  CHECK(idle_timeout >= 0),"					\
	" interim INTEGER NOT NULL DEFAULT 0 CHECK(interim >= 0),"	\
	" base_in_octets INTEGER NOT NULL DEFAULT 0"			\
	"  CHECK(base_in_octets >= 0),"					\
	" base_out_octets INTEGER NOT NULL DEFAULT 0"			\
	"  CHECK(base_out_octets >= 0),"				\
	" base_in_packets INTEGER NOT NULL DEFAULT 0"			\
	"  CHECK(base_in_packets >= 0),"				\
	" base_out_packets INTEGER NOT NULL DEFAULT 0"			\
	"  CHECK(base_out_packets >= 0),"				\
	" UNIQUE(tunnel_id, session_id)) STRICT;"			\
	"CREATE TABLE lns_tunnel ("					\
	"id INTEGER PRIMARY KEY CHECK(id BETWEEN 1 AND 65535),"	\
	" state TEXT NOT NULL) STRICT;"

/* A session coming, changing or going marks its member for the sync. */
#define TG_SESSION_DIRTY(row)						\
	" INSERT OR IGNORE INTO dp_dirty SELECT dp_id FROM subscriber"	\
	"  WHERE id = " row ".subscriber_id AND dp_id IS NOT NULL;"
#define TG_SESSION_TRIGGERS						\
	"CREATE TRIGGER session_ins AFTER INSERT ON session BEGIN"	\
	TG_SESSION_DIRTY("NEW") " END;"					\
	"CREATE TRIGGER session_upd AFTER UPDATE OF remote, local,"	\
	" peer_port, local_port, tunnel_id, session_id, peer_tunnel_id,"\
	" peer_session ON session BEGIN"				\
	TG_SESSION_DIRTY("OLD") TG_SESSION_DIRTY("NEW") " END;"		\
	"CREATE TRIGGER session_del AFTER DELETE ON session BEGIN"	\
	TG_SESSION_DIRTY("OLD") " END;"

#define TG_ACCT_SESSION_ID_LEN 16

/* One session as its row holds it. */
struct tg_session {
	__s64 subscriber_id;
	char name[TG_NAME_MAX + 1];	/* the member's subscriber */
	char user[TG_PPP_USER_MAX + 1];
	__be32 remote, local;		/* the LAC's address, ours */
	__u16 peer_port, local_port;
	__u16 tunnel_id, session_id;	/* ours */
	__u16 peer_tunnel_id, peer_session;	/* the LAC's */
	__s64 started;			/* unix seconds */
	char lac[64];			/* the LAC's host name */
	bool kill;			/* 'session kill' asked for its end */
	char *state;			/* the LNS's, kept over a restart */
	/* What RADIUS accounting needs (version 7), kept over a restart. */
	char acct_session_id[TG_ACCT_SESSION_ID_LEN + 1];	/* "": none */
	uint8_t radius_class[253];	/* the Class attribute's bytes */
	size_t radius_class_len;
	uint32_t session_timeout;	/* s from the start, 0: none */
	uint32_t idle_timeout;		/* s, 0: none */
	uint32_t interim;		/* Acct-Interim-Interval s, 0: none */
	/*
	 * The member's data plane counters when the session started (a
	 * local member's go on from its sessions before): accounting
	 * reports what the session added to them.
	 */
	struct {
		uint64_t in_octets, out_octets, in_packets, out_packets;
	} base;
};

/*
 * Acct-Session-Id: 16 lowercase hex digits of a hash of the session's
 * start (unix s), our tunnel and session ids and the database's salt:
 * unique, and the same for the session after a restart of the daemon.
 */
void tg_acct_session_id(const uint8_t salt[16], __s64 started,
			__u16 tunnel_id, __u16 session_id,
			char out[TG_ACCT_SESSION_ID_LEN + 1]);
/* The salt of this database, made (and stored) on first use: 0 or -EIO. */
int tg_db_acct_salt(sqlite3 *db, uint8_t salt[16]);

/* Write s (by subscriber_id) in place of any session of the member. */
int tg_db_session_put(sqlite3 *db, const struct tg_session *s);
/* The session of the member with subscriber id id is over: 0 or -EIO. */
int tg_db_session_del(sqlite3 *db, __s64 id);
/* Every session, by member name; free with tg_db_session_list_free(). */
int tg_db_session_list(sqlite3 *db, struct tg_session **v, size_t *n);
void tg_db_session_list_free(struct tg_session *v, size_t n);
/* The session of the member with subscriber id id (state left out). */
int tg_db_session_of(sqlite3 *db, __s64 id, struct tg_session *out);
/* Ask for the end of the session of member name: 0, -ENOENT or -EIO. */
int tg_db_session_kill(sqlite3 *db, const char *name);
/* Tunnels with a session up, sessions up and being ended: 0 or -EIO. */
int tg_db_session_counts(sqlite3 *db, unsigned int *tunnels,
			 unsigned int *up, unsigned int *ending);
/* The member s online with session x: its tunnel identity is x's. */
void tg_session_apply(const struct tg_session *x, struct tg_sub *s);
/*
 * The subscribers' tunnel identity from their sessions: members in v
 * with a session get its ids and online set. 0 or -EIO.
 */
int tg_db_session_overlay(sqlite3 *db, struct tg_sub *v, size_t n);

#endif /* TG_DB_SESSION_H */
