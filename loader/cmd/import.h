/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The machinery of every import: rows checked one by one as they are
 * read, then against each other and the database, every problem listed
 * and nothing written while there is one, else all of it in one
 * transaction. 'import FILE.csv' (transfer.c) and 'import --freeradius'
 * (freeradius.c) fill a struct import and hand it over.
 */
#ifndef TG_CMD_IMPORT_H
#define TG_CMD_IMPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "db/db.h"
#include "dataplane/ifnet.h"

/* Setting rows one file may hold. */
#define TG_IMPORT_SETTINGS_MAX 32

/*
 * Problems found in the source, reported together. A row is known by a
 * number: a line of the CSV file, or an index the source gives its rows
 * (struct import's where() names it).
 */
struct bad_rows {
	unsigned int *line;
	char **msg;
	size_t n;
};

void bad_add(struct bad_rows *b, unsigned int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void bad_free(struct bad_rows *b);

struct imp_sub {
	struct tg_sub s;
	unsigned int line;
	bool has_dp_id;
	/* Replaces the database's row s.id (kept with its dp_id). */
	bool update;
};

struct import {
	sqlite3 *db;
	struct bad_rows bad;
	struct imp_sub *subs;
	size_t nsubs, capsubs;
	struct tg_class *cls;		/* database's and the file's */
	size_t ncls, ndbcls;
	unsigned int *cls_line;
	struct tg_owned_prefix *com;	/* owner: line, 0 for the database */
	size_t ncom;
	char *set_key[TG_IMPORT_SETTINGS_MAX], *set_val[TG_IMPORT_SETTINGS_MAX];
	unsigned int set_line[TG_IMPORT_SETTINGS_MAX];
	int nset;
	struct tg_ifnet *nets;		/* of the attached interfaces */
	size_t nnets;
	/*
	 * Text naming row line ("radreply id 7, user 'alice'"); NULL: a line
	 * of the file, as "line N" (and "line": N in JSON).
	 */
	void (*where)(const struct import *im, unsigned int line, char *buf,
		      size_t len);
	void *src;			/* the source's, for where() */
};

/* Room for one more row in im->subs, zeroed and initialised; NULL: -ENOMEM. */
struct imp_sub *imp_sub_new(struct import *im, unsigned int line);
const struct tg_class *imp_class(const struct import *im, const char *name);
/*
 * Checks across rows and against the database's subscribers dbs (without
 * those the import updates): names, tunnel identities, prefixes, classes,
 * bursts, data plane ids. Problems go to im->bad. 0 or -ENOMEM.
 */
int imp_cross(struct import *im, struct tg_sub *dbs, size_t ndb,
	      struct tg_dp_ids *ids);
/* Every bad row, in order, on stderr (or as JSON on stdout with -j). */
void imp_report(const struct import *im, const char *path);
/* Write it all inside the caller's transaction. 0 or -EIO. */
int imp_write(struct import *im, struct tg_dp_ids *ids);
/* Free what im holds (not im->db). */
void imp_free(struct import *im);

#endif /* TG_CMD_IMPORT_H */
