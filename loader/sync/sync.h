/* SPDX-License-Identifier: GPL-2.0-only */
/* Database -> data plane maps, writing only the differences. */
#ifndef TG_SYNC_H
#define TG_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <sqlite3.h>

#include "dataplane/dataplane.h"

/* Subscribers by what a sync did (or would do) to them. */
struct tg_sync_stats {
	unsigned int added;	/* new in the data plane */
	unsigned int changed;	/*
				 * tunnel, encapsulation, prefixes or policing
				 * (rates, burst, scope) differed
				 */
	unsigned int removed;	/* no longer wanted (deleted or disabled) */
	unsigned int unchanged;
	/* Names, sorted; NULL unless names was asked for. */
	char **added_names, **changed_names, **removed_names;
	bool incremental;	/* only the subscribers changed since the last sync */
	char failed[256];	/* on error: which map write failed and why */
};

struct tg_sync_opts {
	bool dry_run;	/* compute the diff only: write neither maps nor db */
	bool persist;	/*
			 * the maps are the pinned ones: remember what was
			 * written in the database (dp_state), so the next sync
			 * only looks at subscribers changed since, and free the
			 * ids of dp_id_pending
			 */
	bool full;	/* persist: compare with the maps, not the memory */
	bool names;	/* fill the *_names arrays of the stats */
	/*
	 * persist: where the final usage records of removed subscribers go
	 * as text files besides the database (NULL: the database only)
	 */
	const char *usage_dir;
	/*
	 * where up attached: no subscriber prefix may overlap a network of
	 * those interfaces (NULL: not checked)
	 */
	const char *pin_root;
};

/*
 * Make the maps hold exactly the enabled subscribers of db and its
 * settings, writing only what differs, so that a packet sees every
 * subscriber either as it was or as it is wanted, never a mix, even when
 * the sync is killed half-way (see the generations in tungate.h). Three
 * steps: (1) what the data plane does not read yet: zeroed counters
 * (tg_sub_stats), learnt peer state (tg_peer) and policing state
 * (tg_bucket) of new sub_ids, new community prefixes, tg_encap and
 * tg_police of the slot not in force of every changing subscriber, and its
 * claims of that slot on tunnel identities and prefixes (a new prefix also
 * carries the claim its addresses answer to now); (2) tg_gen of every
 * changing subscriber flipped, in batch writes that keep together the
 * subscribers a key moves between; (3) claims of the old slots taken away
 * (keys no one claims deleted), the old slot of removed subscribers
 * cleared, community prefixes no longer wanted, tg_config when it differs.
 * Running it twice changes nothing. tg_bucket of a sub_id in use is never
 * written: a class or override change keeps every bucket's state.
 *
 * With persist, the final usage of every subscriber taken out is recorded
 * (tg_usage_final) before its entries go. Every sync that reaches the maps
 * updates tg_meta (sync_time, sync_result, sync_count, subs); while it
 * writes them sync_result is -EINPROGRESS, so that after a sync killed
 * half-way the next one compares with the maps themselves. What the
 * database records of the maps (dp_state) is committed only after the maps
 * are written. The rows are validated (tg_sub_validate, overlapping
 * prefixes of enabled subscribers, rows that do not parse) before any map
 * is touched; the first problem is in st->failed.
 *
 * When a map write fails, every entry this sync already wrote is put back
 * as it was (zeroed counter and peer slots of unused ids stay zero) and
 * the cause is in st->failed. Returns 0 or negative errno.
 */
int tg_sync_run(sqlite3 *db, const struct tg_maps *m,
		const struct tg_sync_opts *o, struct tg_sync_stats *st);

/* tg_sync_run() with no options: compare with the maps and write them. */
int tg_sync(sqlite3 *db, const struct tg_maps *m, struct tg_sync_stats *st);

/*
 * Whether a live WireGuard member has no record of what the last sync
 * wrote, nor a change waiting: synced by a build that kept them out of
 * the maps. A sync then compares the maps whole, which writes them in;
 * until then their interfaces must not run the programs (their sources
 * would be nobody's). false when the database cannot say.
 */
bool tg_sync_wg_unrecorded(sqlite3 *db);

/* Free the name arrays of st. */
void tg_sync_stats_free(struct tg_sync_stats *st);

/*
 * Put the tries in force for the subscriber prefixes (tg_pfx_lens at
 * lens_fd: the sets in force no longer filled), until a sync, then a full
 * comparison, fills the hashes again: for maps another build may have
 * synced, leaving the hashes behind the tries. 0 or negative errno.
 */
int tg_pfx_unfill(int lens_fd);

#endif /* TG_SYNC_H */
