/* SPDX-License-Identifier: GPL-2.0-only */
/* Subscribers: the record, its fields, validation and rows. */
#ifndef TG_DB_SUB_H
#define TG_DB_SUB_H

#include <stdio.h>
#include "db/conn.h"
#include "db/dp_id.h"
#include "db/class.h"
#include "db/name.h"
#include "db/sub_fields.h"
#include "tungate.h"
#include "util/addr.h"

#define TG_NOTE_MAX 255		/* note length */
#define TG_SUB_PREFIX_MAX 64	/* prefixes per subscriber */

/* One subscriber row with its prefixes. */
struct tg_sub {
	__s64 id;			/* rowid, set by add */
	char name[TG_NAME_MAX + 1];
	bool enabled;
	enum tg_tunnel_type type;
	__be32 remote;			/* subscriber's tunnel endpoint */
	__be32 local;			/* concentrator's tunnel endpoint */
	bool has_key;			/* gre, gretap: keyed */
	__u32 key;
	bool has_session;		/* l2tpv3-*, l2tpv2 */
	__u32 session;
	bool has_tunnel_id;		/* eoip, l2tpv2 */
	__u32 tunnel_id;
	__u8 cookie_len;		/* l2tpv3: 0, 4 or 8 */
	__u8 cookie[8];			/* wire order */
	bool sublayer;			/* l2tpv3: default L2-specific sublayer */
	__u32 mtu;
	__u32 dp_id;			/* data plane id, set by add */
	char note[TG_NOTE_MAX + 1];
	/* A dial-in member (l2tpv2): the LNS's session gives the ids. */
	char user[TG_PPP_USER_MAX + 1];
	char password[TG_PPP_PASSWORD_MAX + 1];
	bool online;			/* its session's ids are filled in */
	struct tg_prefix *prefix;	/* owned: freed by tg_sub_free() */
	unsigned int nprefix;
	/* Rate class and per-subscriber overrides. */
	char cls[TG_NAME_MAX + 1];	/* "": the class 'default' if any */
	char home_pop[TG_NAME_MAX + 1];	/* "": none, every POP alike */
	bool has_down_rate, has_up_rate, has_burst;
	__u64 down_rate, up_rate;	/* bits/s, 0: unlimited */
	__u64 burst;			/* bytes */
	/* Return path; has_* false: the default named in the schema. */
	bool has_peer_session;		/* l2tpv3-*, l2tpv2 (default session) */
	__u32 peer_session;
	bool has_peer_tunnel_id;	/* l2tpv2 (default tunnel_id) */
	__u32 peer_tunnel_id;
	__u8 peer_cookie_len;		/* l2tpv3: 0 = the cookie */
	__u8 peer_cookie[8];
	bool has_peer_port;		/* l2tp over UDP: else learnt/1701 */
	__u16 peer_port;
	bool has_local_port;		/* l2tp over UDP: else the setting */
	__u16 local_port;
	bool has_peer_mac;		/* gretap, eoip, l2tpv3-*: else learnt */
	__u8 peer_mac[6];
	bool gre_csum, gre_seq;		/* gre, gretap */
	bool df;			/* default on */
	__u8 ttl;			/* 0: the ttl setting */
	bool udp_csum;			/* l2tp over UDP, default off */
	bool mss_clamp;			/* default on */
	bool ppp_acfc;			/* l2tpv2, default off */
	bool has_keepalive;		/* eoip: else the eoip_keepalive setting */
	__u16 keepalive;		/* s between keepalives we send, 0: none */
	/*
	 * wireguard: the member's public key (base64); its endpoint, when
	 * pinned, is remote (or remote6) and peer_port; listen_port picks
	 * the interface.
	 */
	char wg_key[TG_WG_KEY_B64 + 1];
	bool has_listen_port;		/* else TG_WG_PORT_DEFAULT */
	__u16 listen_port;
	bool has_remote6;		/* wireguard: an IPv6 endpoint, remote 0 */
	__u8 remote6[16];		/* network order */
};

/* Set the defaults of a new record (enabled, sublayer, mtu 1400, df, mss_clamp). */
void tg_sub_init(struct tg_sub *s);
/* Free what the record owns (prefixes), not the record. */
void tg_sub_free(struct tg_sub *s);
void tg_sub_list_free(struct tg_sub *subs, size_t n);

/* Tunnel types by what they carry and how. */
static inline bool tg_type_l2tpv3(enum tg_tunnel_type t)
{
	return t == TG_TUN_L2TPV3_IP || t == TG_TUN_L2TPV3_UDP;
}

static inline bool tg_type_udp(enum tg_tunnel_type t)
{
	return t == TG_TUN_L2TPV3_UDP || t == TG_TUN_L2TPV2;
}

static inline bool tg_type_gre(enum tg_tunnel_type t)
{
	return t == TG_TUN_GRE || t == TG_TUN_GRETAP;
}

/* A dial-in member: its tunnel comes from a session of the LNS. */
static inline bool tg_sub_member(const struct tg_sub *s)
{
	return s->user[0] != '\0';
}

/* A wireguard member's endpoint is pinned (IPv4 or IPv6). */
static inline bool tg_sub_wg_pinned(const struct tg_sub *s)
{
	return s->remote || s->has_remote6;
}

/* The concentrator's WireGuard interface of a listen port. */
#define TG_WG_IFNAME_FMT "tgwg%u"

/* The port of the concentrator's WireGuard interface s is a peer of. */
static inline __u16 tg_sub_wg_port(const struct tg_sub *s)
{
	return s->has_listen_port ? s->listen_port : TG_WG_PORT_DEFAULT;
}

/*
 * A WireGuard key in base64 (44 characters, '=' last, as 'wg' writes it)
 * into its 32 bytes: 0 or -EINVAL.
 */
int tg_wg_key_parse(const char *b64, __u8 key[32]);
void tg_wg_key_format(const __u8 key[32], char b64[TG_WG_KEY_B64 + 1]);

static inline bool tg_type_eth(enum tg_tunnel_type t)
{
	return t == TG_TUN_GRETAP || t == TG_TUN_EOIP || tg_type_l2tpv3(t);
}

/* "gre" <-> TG_TUN_GRE. Parse returns TG_TUN_NONE for unknown names. */
const char *tg_tun_type_name(enum tg_tunnel_type t);
enum tg_tunnel_type tg_tun_type_parse(const char *name);

/*
 * Map key and value of a subscriber's tunnel entry; the value has the one
 * claim c[0], of slot 0 (sync puts in the slot it writes).
 */
void tg_sub_tun_key(const struct tg_sub *s, struct tg_tun_key *k);
void tg_sub_tunnel(const struct tg_sub *s, struct tg_tunnel *t);

struct tg_settings;
/* tg_encap value of a subscriber (see the return path of tungate.h). */
void tg_sub_encap(const struct tg_sub *s, const struct tg_settings *st,
		  struct tg_encap *e);

/*
 * Set one field of s from text, by its export/JSON name ("tunnel_id",
 * "peer_mac", "prefixes" adds every space-separated prefix, "enabled",
 * "dp_id"...). "none" clears optional fields. Returns 0, -ENOENT (no such
 * field) or -EINVAL with the cause in err (naming field and value).
 */
int tg_sub_set_field(struct tg_sub *s, const char *field, const char *value,
		     char *err, size_t errlen);
/* Field names in export order (NULL-terminated). */
extern const char *const tg_sub_fields[];
/*
 * Text of field f of s as export writes it ("" for unset); buf of at
 * least TG_FIELD_MAX bytes (prefixes may need more: see tg_sub_prefixes_text).
 */
#define TG_FIELD_MAX 320
void tg_sub_field_text(const struct tg_sub *s, const char *f, char *buf,
		       size_t len);
/* Prefixes of s space-separated into a malloc'ed string. */
char *tg_sub_prefixes_text(const struct tg_sub *s);
/* Add one prefix to s (growing its array). 0 or -ENOMEM. */
int tg_sub_add_prefix(struct tg_sub *s, const struct tg_prefix *p);
/* Copy src into dst, duplicating its prefixes. 0 or -ENOMEM. */
int tg_sub_copy(struct tg_sub *dst, const struct tg_sub *src);

/*
 * Check a record on its own (name, type options, ranges, prefixes, mtu).
 * Returns 0 or -EINVAL with the cause in err ("--prefix '...': host bits
 * set").
 */
int tg_sub_validate(const struct tg_sub *s, char *err, size_t errlen);

/*
 * Validate s against itself and the database (name, tunnel identity and
 * prefixes unique), allocate its dp_id and insert it with its prefixes in
 * one transaction. On success sets s->id and s->dp_id. Returns 0, -EINVAL,
 * -EEXIST, -ENOSPC or -EIO with the cause in err; nothing is written on
 * error.
 */
int tg_db_sub_add(sqlite3 *db, struct tg_sub *s, char *err, size_t errlen);
/*
 * The same, with then(db, s, ctx, err, errlen) run after the insert in the
 * same transaction: its error takes everything back.
 */
typedef int (*tg_sub_add_fn)(sqlite3 *db, const struct tg_sub *s, void *ctx,
			     char *err, size_t errlen);
int tg_db_sub_add_then(sqlite3 *db, struct tg_sub *s, tg_sub_add_fn then,
		       void *ctx, char *err, size_t errlen);
/*
 * The same for a member RADIUS accepted: its row is marked origin
 * 'radius' (owned by its session: the daemon deletes it when the session
 * ends, 'sub edit' refuses it).
 */
int tg_db_sub_add_radius(sqlite3 *db, struct tg_sub *s, char *err,
			 size_t errlen);
/* Whether subscriber name is RADIUS's: 0, -ENOENT or -EIO. */
int tg_db_sub_origin(sqlite3 *db, const char *name, bool *radius);
/*
 * Replace subscriber old_name's row and prefixes with s (same checks as
 * add, against every other subscriber; dp_id kept) in one transaction.
 * 0, -ENOENT, -EINVAL, -EEXIST or -EIO with the cause in err.
 */
int tg_db_sub_update(sqlite3 *db, const char *old_name, struct tg_sub *s,
		     char *err, size_t errlen);
/*
 * Checks of s against the database that need other rows: class exists,
 * burst at least one MTU, name, tunnel identity and prefixes unique
 * (ignoring the row with id self, 0: none). 0, -EINVAL or -EEXIST.
 */
int tg_db_sub_conflicts(sqlite3 *db, const struct tg_sub *s, __s64 self,
			char *err, size_t errlen);
/*
 * Insert s with its prefixes (no checks, no transaction); s->dp_id must be
 * set. Sets s->id. 0 or -EIO.
 */
int tg_db_sub_insert(sqlite3 *db, struct tg_sub *s);
/* The same with statements kept by the caller (NULL at first; finalize). */
int tg_db_sub_insert_cached(sqlite3 *db, struct tg_sub *s, sqlite3_stmt **ins,
			    sqlite3_stmt **pins);
/*
 * Replace row s->id and its prefixes with s (no checks, no transaction;
 * dp_id as s has it). 0 or -EIO.
 */
int tg_db_sub_replace(sqlite3 *db, struct tg_sub *s);
/* 0 or -ENOENT. Prefixes go with it; its dp_id waits in dp_id_pending. */
int tg_db_sub_del(sqlite3 *db, const char *name);
/* The member with PPP user name user: *n is 0 or 1 (free the list). */
int tg_db_sub_find_user(sqlite3 *db, const char *user, struct tg_sub **v,
			size_t *n);
/* Fill s (and its prefixes) by name: 0, -ENOENT or -EIO. */
int tg_db_sub_get(sqlite3 *db, const char *name, struct tg_sub *s);
/* Subscribers the data plane has: enabled, and members only with a session. */
#define TG_SUB_LIVE							\
	"enabled = 1 AND (ppp_user IS NULL OR id IN"			\
	" (SELECT subscriber_id FROM session))"
/*
 * All subscribers by name (enabled_only: those TG_SUB_LIVE), with
 * prefixes; a member's tunnel identity is its session's, see
 * tg_db_session_overlay().
 */
int tg_db_sub_list(sqlite3 *db, bool enabled_only, struct tg_sub **subs,
		   size_t *n);
/* The field table (sub_fields.h) and what is generated from it. */
extern const struct tg_field tg_sub_field_table[];
extern const size_t tg_sub_nfields;
/* The field by name ("prefix": prefixes), NULL when none. */
const struct tg_field *tg_sub_field(const char *name);
/* Set f of s from text as tg_sub_set_field() does. */
int tg_sub_field_set(struct tg_sub *s, const struct tg_field *f,
		     const char *v, char *err, size_t errlen);
/* Text of f as export writes it, "" when unset. */
void tg_sub_field_format(const struct tg_sub *s, const struct tg_field *f,
			 char *buf, size_t len);
/* Whether f holds a value; the number a numeric field holds. */
bool tg_sub_field_isset(const struct tg_sub *s, const struct tg_field *f);
__u64 tg_sub_field_num(const struct tg_sub *s, const struct tg_field *f);
/* A number (u8 .. u32, rate, size): ranges, JSON numbers, NULL when unset. */
bool tg_sub_field_numeric(const struct tg_field *f);
/* "--peer-tunnel-id" */
const char *tg_sub_field_opt(const struct tg_field *f, char *buf, size_t len);
/* Numbers and texts of s within the table's ranges: 0 or -EINVAL naming the field. */
int tg_sub_check_ranges(const struct tg_sub *s, char *err, size_t errlen);
/* 'sub help' lines of the options of group. */
void tg_sub_help_options(FILE *out, enum tg_fgroup group);
struct json_writer;
/* Every field of s as JSON members, in table order. */
void tg_sub_json_fields(struct json_writer *w, const struct tg_sub *s);

/* SQL text of a subscriber row: "id, name, ...", INSERT ?1.., UPDATE ... WHERE id = ?N+1. */
enum tg_sub_sql {
	TG_SQL_COLUMNS,
	TG_SQL_INSERT,
	TG_SQL_UPDATE,
};
#define TG_SUB_SQL_MAX 1024
int tg_sub_sql(enum tg_sub_sql what, char *buf, size_t len);
/* Columns of the table (bound as ?1..?N, read from 1..N after id). */
int tg_sub_ncolumns(void);
void tg_sub_bind(sqlite3_stmt *st, const struct tg_sub *s);
/*
 * Fill s from a row of TG_SQL_COLUMNS (prefixes not loaded): 0, or the
 * cause naming field and value in err: -EINVAL (a value that does not
 * read), -ERANGE (a number outside its field's range, read cut to its
 * member: only for reporting it).
 */
int tg_sub_read_row(sqlite3_stmt *st, struct tg_sub *s, char *err,
		    size_t errlen);
int tg_sub_from_row(sqlite3_stmt *st, struct tg_sub *s);

/* Enabled subscribers changed since the last sync (dp_dirty). */
int tg_db_sub_list_dirty(sqlite3 *db, struct tg_sub **subs, size_t *n);
/* The subscribers of one tunnel type the data plane has, by name. */
int tg_db_sub_list_type(sqlite3 *db, enum tg_tunnel_type type,
			struct tg_sub **subs, size_t *n);
/* Name of the subscriber with dp_id: 0 or -ENOENT. */
int tg_db_sub_name(sqlite3 *db, __u32 dp_id, char *buf, size_t len);


/*
 * Rates, burst and scope in force for s whose class (its own, else
 * 'default') is cls, NULL when there is none: each override over the
 * class; without a class, unlimited and internet scope, and a subscriber
 * overriding a rate gets the default burst of its rates.
 */
void tg_sub_effective(const struct tg_sub *s, const struct tg_class *cls,
		      struct tg_class *eff);


#endif /* TG_DB_SUB_H */
