/* SPDX-License-Identifier: GPL-2.0-only */
/* The subscriber database (SQLite): schema, subscribers, settings. */
#ifndef TG_DB_H
#define TG_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sqlite3.h>
#include <linux/types.h>

#include "util/addr.h"
#include "tungate.h"
#include "db/sub_fields.h"

#define TG_DB_PATH_DEFAULT "/var/lib/tungate/tungate.db"
#define TG_DB_ENV "TUNGATE_DB"
#define TG_DB_VERSION 3

#define TG_NAME_MAX 63		/* subscriber name length */
#define TG_NOTE_MAX 255		/* note length */
#define TG_SUB_PREFIX_MAX 64	/* prefixes per subscriber */

/* --db, then $TUNGATE_DB, then TG_DB_PATH_DEFAULT. */
const char *tg_db_path(void);

/*
 * Open the database: WAL, busy_timeout 5000, foreign_keys ON. With create,
 * create the directory, file and schema when missing (idempotent). Without,
 * a missing file is an error. A newer schema version is refused. Errors are
 * reported with tg_err(). Returns 0 or negative errno.
 */
int tg_db_open(const char *path, bool create, sqlite3 **out);
void tg_db_close(sqlite3 *db);

/*
 * Quiet (a daemon retrying): errors of opening are not reported but kept
 * for tg_db_last_error(), failed statements are logged at debug level.
 */
void tg_db_set_quiet(bool quiet);
const char *tg_db_last_error(void);

/* tg_db_open_flags(): */
#define TG_DB_CREATE 0x1	/* create file and schema when missing */
#define TG_DB_OLDER 0x2		/* accept an older schema (migrate, check) */
int tg_db_open_flags(const char *path, unsigned int flags, sqlite3 **out);

/* PRAGMA user_version of an open database, or negative errno. */
int tg_db_version(sqlite3 *db);

/*
 * Upgrade an older schema to TG_DB_VERSION in one transaction. Sets *from
 * to the version found. 0 (also when already current) or negative errno
 * with the cause in err.
 */
int tg_db_migrate(sqlite3 *db, int *from, char *err, size_t errlen);
/* The same inside the caller's transaction. */
int tg_db_migrate_nested(sqlite3 *db, int *from, char *err, size_t errlen);

/*
 * PRAGMA integrity_check plus tungate's consistency checks (overlapping
 * prefixes, duplicate tunnel identities, dp_id out of range or duplicated,
 * class references, invalid values). Calls report(ctx, subscriber or NULL,
 * message) for each problem; returns the number of problems or negative
 * errno.
 */
int tg_db_check(sqlite3 *db, __u32 capacity,
		void (*report)(void *ctx, const char *who, const char *msg),
		void *ctx);

struct tg_sub;
/*
 * The first problem tg_db_check() would report about the subscribers (no
 * integrity check) into msg as "subscriber 'NAME': CAUSE": 1 when there is
 * one, 0 when none, or negative errno.
 */
int tg_db_check_subs(sqlite3 *db, __u32 capacity, char *msg, size_t len);
/*
 * Whether two enabled subscribers' prefixes overlap (or one does not
 * parse): 1 with the first such pair in msg, 0, or negative errno.
 */
int tg_db_prefix_overlap(sqlite3 *db, char *msg, size_t len);
/*
 * The same for the prefixes of subs (enabled, as read from db) against
 * every other enabled subscriber's, through the prefix index: cheap for a
 * few subscribers.
 */
int tg_db_prefix_overlap_subs(sqlite3 *db, const struct tg_sub *subs,
			      size_t n, char *msg, size_t len);

/* A prefix of subscriber sub that overlaps other of subscriber owner. */
struct tg_prefix_clash {
	const struct tg_sub *sub;
	char prefix[TG_PREFIX_STRLEN];
	char other[TG_PREFIX_STRLEN];
	char owner[TG_NAME_MAX + 1];
};
/*
 * The first prefix of subs overlapping a prefix of another subscriber in
 * db (one not of the same id; enabled_only: an enabled one), through the
 * prefix index: 1 with it in o, 0, or negative errno.
 */
int tg_db_prefix_clash(sqlite3 *db, const struct tg_sub *subs, size_t n,
		       bool enabled_only, struct tg_prefix_clash *o);

/* A prefix and the index of who holds it, in the caller's list. */
struct tg_owned_prefix {
	struct tg_prefix p;
	size_t owner;
};
typedef void (*tg_overlap_fn)(void *ctx, const struct tg_owned_prefix *in,
			      const struct tg_owned_prefix *out);
/*
 * Sort v and call found(ctx, in, out) for each prefix in that overlaps an
 * earlier one, out (its container or its equal). Returns how many.
 */
size_t tg_prefix_overlaps(struct tg_owned_prefix *v, size_t n,
			  tg_overlap_fn found, void *ctx);

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
	struct tg_prefix *prefix;	/* owned: freed by tg_sub_free() */
	unsigned int nprefix;
	/* Rate class and per-subscriber overrides. */
	char cls[TG_NAME_MAX + 1];	/* "": the class 'default' if any */
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
};

/* Set the defaults of a new record (enabled, sublayer, mtu 1400, df, mss_clamp). */
void tg_sub_init(struct tg_sub *s);
/* Free what the record owns (prefixes), not the record. */
void tg_sub_free(struct tg_sub *s);
void tg_sub_list_free(struct tg_sub *subs, size_t n);

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
/* 0 or -ENOENT. Prefixes go with it; its dp_id waits in dp_id_pending. */
int tg_db_sub_del(sqlite3 *db, const char *name);
/* Fill s (and its prefixes) by name: 0, -ENOENT or -EIO. */
int tg_db_sub_get(sqlite3 *db, const char *name, struct tg_sub *s);
/* All subscribers by name (enabled_only: those enabled), with prefixes. */
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
 * Fill s from a row of TG_SQL_COLUMNS (prefixes not loaded): 0, or
 * -EINVAL with the cause naming field and value in err.
 */
int tg_sub_read_row(sqlite3_stmt *st, struct tg_sub *s, char *err,
		    size_t errlen);
int tg_sub_from_row(sqlite3_stmt *st, struct tg_sub *s);
/* A subscriber or class name: 0 or -EINVAL with the rule in err. */
int tg_sub_validate_name(const char *name, char *err, size_t errlen);

/* Enabled subscribers changed since the last sync (dp_dirty). */
int tg_db_sub_list_dirty(sqlite3 *db, struct tg_sub **subs, size_t *n);
/* Name of the subscriber with dp_id: 0 or -ENOENT. */
int tg_db_sub_name(sqlite3 *db, __u32 dp_id, char *buf, size_t len);

/*
 * Allocate a dp_id below capacity from the next_dp_id counter, skipping ids
 * in use, and advance the counter. Call inside a transaction. 0 or -ENOSPC.
 */
int tg_db_dp_id_alloc(sqlite3 *db, __u32 capacity, __u32 *id);

/*
 * Inside a transaction, around many inserts: drop the insert triggers
 * (a trigger makes SQLite journal every statement), then mark the
 * subscribers from rowid first_id on as changed and re-create them.
 */
int tg_db_bulk_begin(sqlite3 *db);
int tg_db_bulk_end(sqlite3 *db, __s64 first_id);

/* Raw settings: 0, -ENOENT (get: not set) or -EIO. */
int tg_db_setting_get(sqlite3 *db, const char *key, char *buf, size_t len);
int tg_db_setting_set(sqlite3 *db, const char *key, const char *value);
/* fn(ctx, key, value) for every setting stored, by key: 0 or -EIO. */
int tg_db_setting_each(sqlite3 *db,
		       void (*fn)(void *ctx, const char *key, const char *value),
		       void *ctx);

#define TG_GW_MAC_DEFAULT "02:74:67:00:00:01"
#define TG_TTL_DEFAULT 64

/* The data plane settings with their defaults applied. */
struct tg_settings {
	bool drop_unknown;	/* unknown_tunnel = drop */
	__u16 l2tpv3_udp_port;	/* 0: disabled */
	__u16 l2tpv2_udp_port;	/* 0: disabled */
	__u8 gw_mac[6];		/* gateway_mac */
	__u8 ttl;		/* ttl, 1..255 */
	bool scope_icmp;	/* scope_action = icmp */
};

/* tg_config value of the settings. */
void tg_settings_config(const struct tg_settings *st, struct tg_config *c);

/* Rate classes. */
enum tg_scope {
	TG_SCOPE_INTERNET = 0,
	TG_SCOPE_COMMUNITY = 1,
};

struct tg_class {
	char name[TG_NAME_MAX + 1];
	__u64 down_rate, up_rate;	/* bits/s, 0: unlimited */
	__u64 burst;			/* bytes */
	enum tg_scope scope;
};

/*
 * Default burst of a class (or of a subscriber overriding a rate but not
 * the burst): what the higher of the two rates sends in
 * TG_BURST_DEFAULT_MS, rounded up to a KiB, within TG_BURST_DEFAULT_MIN
 * .. TG_BURST_DEFAULT_MAX bytes. TCP through a policer needs the burst to cover the window it sends
 * back to back: shorter bursts measured well below the rate.
 */
#define TG_BURST_DEFAULT_MS 300
#define TG_BURST_DEFAULT_MIN (15 * 1024)
#define TG_BURST_DEFAULT_MAX (4ULL << 30)	/* the largest --burst */
__u64 tg_burst_default(__u64 down_rate, __u64 up_rate);

/*
 * Rates, burst and scope in force for s whose class (its own, else
 * 'default') is cls, NULL when there is none: each override over the
 * class; without a class, unlimited and internet scope, and a subscriber
 * overriding a rate gets the default burst of its rates.
 */
struct tg_class;
void tg_sub_effective(const struct tg_sub *s, const struct tg_class *cls,
		      struct tg_class *eff);

const char *tg_scope_name(enum tg_scope s);
/* 0 or -EINVAL. */
int tg_scope_parse(const char *s, enum tg_scope *out);

/* Name, rates and burst of c on its own: 0 or -EINVAL with the cause. */
int tg_class_validate(const struct tg_class *c, char *err, size_t errlen);
/* Each one transaction; 0, -EEXIST/-ENOENT, -EINVAL, -EBUSY or -EIO. */
int tg_db_class_add(sqlite3 *db, const struct tg_class *c, char *err,
		    size_t errlen);
int tg_db_class_update(sqlite3 *db, const struct tg_class *c, char *err,
		       size_t errlen);
/* Refused with -EBUSY (naming the subscribers) while a subscriber uses it. */
int tg_db_class_del(sqlite3 *db, const char *name, char *err, size_t errlen);
int tg_db_class_get(sqlite3 *db, const char *name, struct tg_class *c);
int tg_db_class_list(sqlite3 *db, struct tg_class **v, size_t *n);
/* Insert without checks or transaction (import). 0 or -EIO. */
int tg_db_class_insert(sqlite3 *db, const struct tg_class *c);

/* Subscribers of class name ('default': also those naming none), or -EIO. */
int tg_db_class_count(sqlite3 *db, const char *name);

/* Community prefixes: canonical text, sorted. */
int tg_db_community_add(sqlite3 *db, const struct tg_prefix *p, char *err,
			size_t errlen);
int tg_db_community_del(sqlite3 *db, const struct tg_prefix *p);
/* Insert without checks (import), statement kept in *st (finalize): 0 or -EIO. */
int tg_db_community_insert(sqlite3 *db, const struct tg_prefix *p,
			   sqlite3_stmt **st);
int tg_db_community_list(sqlite3 *db, struct tg_prefix **v, size_t *n);

/*
 * dp_id allocation in memory for many subscribers (import): ids in use
 * and pending are loaded once, next() allocates like tg_db_dp_id_alloc(),
 * end() stores the counter. Call inside a transaction.
 */
struct tg_dp_ids {
	__u8 *used;		/* bitmap below capacity */
	__u32 capacity;
	__u32 next;
};
int tg_dp_ids_begin(sqlite3 *db, __u32 capacity, struct tg_dp_ids *a);
/* Mark id used: 0, or -EEXIST when it already is, -ERANGE. */
int tg_dp_ids_take(struct tg_dp_ids *a, __u32 id);
int tg_dp_ids_next(struct tg_dp_ids *a, __u32 *id);
int tg_dp_ids_end(sqlite3 *db, struct tg_dp_ids *a);
void tg_dp_ids_free(struct tg_dp_ids *a);

int tg_db_settings_load(sqlite3 *db, struct tg_settings *st);

/* The integer the query's first row starts with: 0 or -EIO. */
int tg_db_int(sqlite3 *db, const char *sql, long long *v);

/* One usage record as read; texts valid during the callback only. */
struct tg_usage_row {
	const char *name;
	__s64 subscriber_id;
	__u32 dp_id;
	const char *cls, *ip;		/* NULL: none */
	__s64 start, end;		/* unix seconds; start -1: unknown */
	__u64 up_bytes, down_bytes, up_packets, down_packets;
	bool final;
};
/*
 * fn(ctx, row) for each record whose period ends in (since, until], of
 * subscriber only (NULL: all); by name then age, by_time: by age only.
 * 0 or -EIO.
 */
int tg_db_usage_each(sqlite3 *db, const char *only, __s64 since,
		     __s64 until, bool by_time,
		     void (*fn)(void *ctx, const struct tg_usage_row *r),
		     void *ctx);
/* Whether name has records or is a subscriber: 1, 0 or -EIO. */
int tg_db_usage_known(sqlite3 *db, const char *name);
/* Records of the period ending at period_end (0 when unreadable). */
long long tg_db_usage_count(sqlite3 *db, __s64 period_end);

/*
 * Transactions: a read one (a consistent picture), a write one (taken at
 * once, so that it does not fail half-way on a busy database).
 * 0 or -EIO (logged).
 */
int tg_db_begin(sqlite3 *db);
int tg_db_begin_write(sqlite3 *db);
int tg_db_commit(sqlite3 *db);
void tg_db_rollback(sqlite3 *db);
/* Commits of this connection need not wait for the disk (a cache). */
int tg_db_lazy_commits(sqlite3 *db);

/* Run one SQL statement without results: 0 or -EIO (logged). */
int tg_db_exec(sqlite3 *db, const char *sql);

#endif /* TG_DB_H */
