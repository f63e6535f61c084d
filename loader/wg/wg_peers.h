/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the kernel says of the WireGuard members: the peers of tungate's
 * interfaces (last handshake, endpoint, bytes), and whether a member is
 * up (a handshake within TG_WG_UP_S) or down.
 */
#ifndef TG_WG_PEERS_H
#define TG_WG_PEERS_H

#include <stdbool.h>
#include <stddef.h>
#include <sqlite3.h>

#include "db/sub.h"
#include "util/json.h"
#include "wg/wg_nl.h"

/*
 * A peer is up while its last handshake is at most this old: WireGuard
 * renews the session every 2 minutes while packets flow (and the member's
 * persistent keepalive makes them flow), so 3 minutes without one means
 * the member is gone.
 */
#define TG_WG_UP_S 180
/* "[2001:db8::1]:51820", with the NUL. */
#define TG_WG_EP_STRLEN 56

/* One peer of one of tungate's interfaces. */
struct tg_wg_peer_at {
	unsigned int port;		/* the interface's listen port */
	struct tg_wg_peer_state p;
};

/* The peers of every tgwgPORT interface, read at time now. */
struct tg_wg_peers {
	struct tg_wg_peer_at *v;	/* owned */
	size_t n;
	__s64 now;			/* Unix s */
};

/*
 * Read the peers of every tgwgPORT interface there is. No interface, or
 * a kernel without WireGuard: 0 and none. 0 or a negative errno with err.
 */
int tg_wg_peers_read(struct tg_wg_peers *ps, char *err, size_t errlen);
void tg_wg_peers_free(struct tg_wg_peers *ps);

/* The peer of wireguard member s, NULL when its interface lacks it. */
const struct tg_wg_peer_state *tg_wg_peers_find(const struct tg_wg_peers *ps,
						const struct tg_sub *s);

/* Up: a handshake at most TG_WG_UP_S before now (0: never, down). */
bool tg_wg_peer_up(__s64 handshake, __s64 now);
/* Seconds since the handshake (0 when the clock went back), -1: never. */
__s64 tg_wg_handshake_age(__s64 handshake, __s64 now);

/* "203.0.113.2:51820", "[2001:db8::1]:51820", "" without one. */
void tg_wg_peer_endpoint_format(const struct tg_wg_peer_state *p, char *buf,
				size_t len);

/*
 * Member s as the kernel has it (p NULL: not a peer), as one line of text
 * ("up, handshake 42 s ago, endpoint ..., rx 1234 B, tx 5678 B") ...
 */
void tg_wg_member_text(const struct tg_sub *s,
		       const struct tg_wg_peer_state *p, __s64 now, char *buf,
		       size_t len);
/*
 * ... and as the members of a JSON object: "interface", "peer", "state",
 * "last_handshake" (Unix s, null: never), "handshake_age_seconds",
 * "endpoint" (null: none), "rx_bytes", "tx_bytes".
 */
void tg_wg_member_json(struct json_writer *w, const struct tg_sub *s,
		       const struct tg_wg_peer_state *p, __s64 now);

/* The enabled wireguard members and their peers. */
struct tg_wg_members {
	struct tg_sub *subs;		/* by name; owned */
	size_t n;
	struct tg_wg_peers peers;
};

/*
 * The enabled wireguard members of db (only: that one, when it is one)
 * and the peers of tungate's interfaces (not read without members). 0 or
 * a negative errno with err.
 */
int tg_wg_members_load(sqlite3 *db, const char *only, struct tg_wg_members *m,
		       char *err, size_t errlen);
void tg_wg_members_free(struct tg_wg_members *m);

#endif /* TG_WG_PEERS_H */
