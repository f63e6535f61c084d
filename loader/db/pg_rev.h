/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Row revisions in PostgreSQL, what lets a pull fetch only what changed:
 * every shared table has a column tg_rev (PostgreSQL's only, never in the
 * snapshot), which a trigger sets to the change counter the row belongs to
 * (the counter + 1: the push under way bumps it to that) on every insert
 * and update, and every delete (or change of key) leaves a tombstone
 * (table, key, rev) in tungate_tombstone. The trigger catches changes made
 * by hand in SQL too, and wakes the followers (NOTIFY). Tombstones older
 * than TG_PG_TOMB_KEEP are pruned by pushes; tungate_meta.pruned is the
 * newest rev pruned, below which a pull is a full one.
 *
 * A revision is taken when a row is written, not when its transaction
 * commits: a transaction made by hand that wrote before a pull and
 * commits after it carries revisions that pull had already passed. So
 * rows and tombstones also carry the id of the transaction that wrote
 * them (tg_xid, xid), and each pull keeps the xmin of its snapshot (every
 * transaction it could not see has an id from there up): the next pull
 * also fetches what has an id >= that xmin. A transaction left open
 * somewhere in the cluster holds xmin back; pulls then fetch again what
 * was written since, and write only what differs.
 */
#ifndef TG_DB_PG_REV_H
#define TG_DB_PG_REV_H

#include <stdbool.h>
#include <stddef.h>
#include <libpq-fe.h>

/* How long a delete is remembered (a PostgreSQL interval). */
#define TG_PG_TOMB_KEEP "1 day"

/*
 * The column, its index, the trigger on every shared table and the
 * tombstones (idempotent, inside the caller's transaction): 0 or -EIO.
 */
int tg_pg_rev_tables(PGconn *c, char *err, size_t errlen);

/*
 * Whether a snapshot complete at counter since can pull only what changed
 * after it (inside the pull's transaction): the revisions are there and
 * no tombstone after since was pruned. 1 yes, 0 no, -EIO (err).
 */
int tg_pg_rev_since(PGconn *c, long long since, char *err, size_t errlen);

/*
 * Whether rows carry transaction ids (inside the pull's transaction): 1
 * with the xmin of the pull's snapshot in xmin, 0 no (tables of a
 * tungate before them, until 'db migrate'), -EIO (err).
 */
int tg_pg_rev_xmin(PGconn *c, char *xmin, size_t len, char *err,
		   size_t errlen);

/*
 * Tombstones past TG_PG_TOMB_KEEP gone (inside a push, where the
 * revisions are there): 0 or -EIO.
 */
int tg_pg_rev_prune(PGconn *c, char *err, size_t errlen);

#endif /* TG_DB_PG_REV_H */
