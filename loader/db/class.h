/* SPDX-License-Identifier: GPL-2.0-only */
/* Rate classes and community prefixes. */
#ifndef TG_DB_CLASS_H
#define TG_DB_CLASS_H

#include <stdio.h>
#include "db/class_fields.h"
#include "db/conn.h"
#include "db/name.h"
#include "util/addr.h"

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
/* A burst holds at least one packet of the smallest MTU. */
#define TG_CLASS_BURST_MIN 576
#define TG_BURST_DEFAULT_MIN (15 * 1024)
#define TG_BURST_DEFAULT_MAX (4ULL << 30)	/* the largest --burst */
__u64 tg_burst_default(__u64 down_rate, __u64 up_rate);

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

/* The field table (class_fields.h) and what is generated from it. */
extern const struct tg_class_field tg_class_field_table[];
extern const size_t tg_class_nfields;
const struct tg_class_field *tg_class_field(const char *name);
/* Set f of c from text: 0, or -EINVAL with the cause naming the option. */
int tg_class_field_set(struct tg_class *c, const struct tg_class_field *f,
		       const char *v, char *err, size_t errlen);
/* The same by name: -ENOENT for a name that is not a field. */
int tg_class_set_field(struct tg_class *c, const char *name, const char *v,
		       char *err, size_t errlen);
/* Text of f as export writes it. */
void tg_class_field_format(const struct tg_class *c,
			   const struct tg_class_field *f, char *buf, size_t len);
struct json_writer;
/* Every field of c as JSON members (a rate of 0, unlimited: null). */
void tg_class_json_fields(struct json_writer *w, const struct tg_class *c);
/* SQL of a class row: its columns, INSERT ?1.., UPDATE ... WHERE name = ?1. */
enum tg_class_sql {
	TG_CSQL_COLUMNS,
	TG_CSQL_INSERT,
	TG_CSQL_UPDATE,
};
int tg_class_sql(enum tg_class_sql what, char *buf, size_t len);
void tg_class_bind(sqlite3_stmt *st, const struct tg_class *c);
/* Fill c from a row of TG_CSQL_COLUMNS: 0, or -EINVAL with the cause. */
int tg_class_read_row(sqlite3_stmt *st, struct tg_class *c, char *err,
		      size_t errlen);
/* 'class help' lines of the options. */
void tg_class_help_options(FILE *out);

#endif /* TG_DB_CLASS_H */
