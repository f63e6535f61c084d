/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Inside tg_sync_run(): the state of one sync, shared by sync.c (what is
 * wanted and what is there), syncclaims.c (the three steps that apply the
 * difference) and syncwrite.c (map writes that can be put back).
 */
#ifndef TG_SYNC_CTX_H
#define TG_SYNC_CTX_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "db/db.h"
#include "sync/kvset.h"
#include "sync/sync.h"
#include "tungate.h"

/* Entries per batch system call. */
#define SYNC_BATCH TG_KV_BATCH

/*
 * The largest value sync writes to one map entry: tg_police (tg_encap,
 * tg_tunnel, tg_pfx_lens, tg_config are smaller).
 */
#define SYNC_VAL_MAX sizeof(struct tg_police)
_Static_assert(sizeof(struct tg_encap) <= SYNC_VAL_MAX &&
	       sizeof(struct tg_tunnel) <= SYNC_VAL_MAX &&
	       sizeof(struct tg_pfx_lens) <= SYNC_VAL_MAX &&
	       sizeof(struct tg_config) <= SYNC_VAL_MAX, "SYNC_VAL_MAX");

/* One write this sync did, to put back on failure. */
struct tg_undo {
	int fd;
	const char *map;
	bool had;		/* the key held old before */
	bool array;		/* array map: "absent" is all-zero */
	__u8 key[20];
	__u8 old[SYNC_VAL_MAX];
	__u32 ksz, vsz;
};

struct tg_sync_ctx {
	const struct tg_maps *m;
	const struct tg_sync_opts *o;
	struct tg_sync_stats *st;
	struct tg_settings set;
	struct tg_kv want_tun, have_tun;
	struct tg_kv want4, have4, want6, have6;
	struct tg_kv want_enc, have_enc;
	struct tg_kv want_pol, have_pol;	/* tg_police, non-zero only */
	struct tg_kv want_c4, have_c4, want_c6, have_c6; /* tg_community */
	struct tg_kv cur_tun, cur4, cur6;	/* the maps' claims as they are */
	struct tg_kv hcur[2];	/* full: tg_pfx4/6 as they are */
	bool full;		/* cur_* and the slots hold the whole maps */
	/* full: tg_encap, tg_police of slot 0 and 1 as they are (non-zero) */
	struct tg_kv slot_enc[2], slot_pol[2];
	__u8 *slot1;		/* bitmap: tg_gen[sub_id] is 1 */
	__u8 *slot_known;	/* bitmap: slot1 of sub_id read */
	__u8 *changing;		/* bitmap: added, removed or changed */
	__u32 *group;		/* union-find over sub_ids: flipped together */
	struct tg_class *cls;	/* every class, for the effective rates */
	size_t ncls;
	__u8 *live_have;	/* bitmap: sub_id is in the maps now */
	__u8 *live_want;	/* bitmap: sub_id is wanted */
	__u8 *touched;		/* bitmap: some entry of sub_id differs */
	char **name_of;		/* sub_id -> name (wanted or known) */
	struct tg_undo *undo;
	size_t nundo, capundo;
	bool failed;
	unsigned long writes;	/* map write system calls so far */
	unsigned long kill_after; /* test build: SIGKILL after this many */
	size_t batch;		/* entries per batch write, SYNC_BATCH */
};

static inline void bit_set(__u8 *b, __u32 id, __u32 cap)
{
	if (id < cap)
		b[id / 8] |= 1 << (id % 8);
}

static inline bool bit_test(const __u8 *b, __u32 id, __u32 cap)
{
	return id < cap && (b[id / 8] & (1 << (id % 8)));
}


/* syncwrite.c */

/* Count one map write system call (and honour the kill test hook). */
void sync_written(struct tg_sync_ctx *c);

/* Remember key k of map fd and its old value (NULL: absent) for undo. */
int sync_undo_add(struct tg_sync_ctx *c, int fd, const char *map,
		  const void *k, __u32 ksz, const void *old, __u32 vsz);

/* Put back, newest first, what this sync wrote: 0, or -EIO when some failed. */
int sync_rollback(struct tg_sync_ctx *c);

/*
 * Write n key/value pairs to fd, batched (c->batch a write) where the map
 * takes it. undo: the last n entries of the undo log are these pairs; on
 * failure those never written are dropped from it.
 */
int sync_write_many(struct tg_sync_ctx *c, int fd, const char *map,
		    const __u8 *keys, const __u8 *vals, size_t n, size_t ksz,
		    size_t vsz, bool batch, bool undo);

/* Write the entries of want that differ from have (with undo). */
int sync_write_diff(struct tg_sync_ctx *c, int fd, const char *map,
		    const struct tg_kv *want, const struct tg_kv *have,
		    bool batch);

/* Delete (or for arrays, zero) the entries of have that want lacks. */
int sync_delete_diff(struct tg_sync_ctx *c, int fd, const char *map,
		     const struct tg_kv *want, const struct tg_kv *have,
		     bool array);

/* Zero counters, peer and policing state of every new sub_id. */
int sync_zero_new(struct tg_sync_ctx *c);

/* tg_config when it differs. */
int sync_config(struct tg_sync_ctx *c);

/* New community prefixes (write), or those no longer wanted (!write). */
int sync_community(struct tg_sync_ctx *c, bool write);

/* syncclaims.c */

/* The slot in force of id (tg_gen) before this sync, read once. */
unsigned int sync_slot(struct tg_sync_ctx *c, __u32 id);

/*
 * Between the logical view (one claim of slot 0 per key: the sub_id) and a
 * map's claims as they are (csz bytes a claim): cur from have and tg_gen,
 * or have from cur (each key's claim that holds).
 */
int sync_cur_from_have(struct tg_sync_ctx *c, const struct tg_kv *have,
		       struct tg_kv *cur, size_t csz);
int sync_have_from_cur(struct tg_sync_ctx *c, struct tg_kv *have,
		       const struct tg_kv *cur, size_t csz);

/* Write the difference of wanted and have (see tg_sync_run()). */
int sync_apply(struct tg_sync_ctx *c);

/* pfx.c: the prefix hashes beside the tries, family TG_PFX_V4 or _V6. */

/* Whether the set in force of both families is filled (tungate.h). */
bool tg_pfx_filled(const struct tg_maps *m);

/* With the maps read whole (c->full), the hashes as they are (hcur). */
int sync_pfx_have(struct tg_sync_ctx *c);

/*
 * The trie's writes and deletions, the same on the hash. have: the hash
 * as it is, NULL: before this sync (hcur, or the trie's cur when the
 * maps are not read whole: the hash then holds what the trie holds).
 */
int sync_pfx_write(struct tg_sync_ctx *c, unsigned int fam,
		   const struct tg_kv *want, const struct tg_kv *have);
int sync_pfx_delete(struct tg_sync_ctx *c, unsigned int fam,
		    const struct tg_kv *want, const struct tg_kv *have);

enum pfx_phase {
	PFX_GROW,	/* before the entries of new lengths are written */
	PFX_FINAL,	/* once those of lengths no longer used are gone */
};

/* The lengths of kv[0..nkv) in force for family fam (see pfx.c). */
int sync_pfx_lens(struct tg_sync_ctx *c, unsigned int fam,
		  const struct tg_kv *const *kv, size_t nkv, enum pfx_phase ph);

#endif /* TG_SYNC_CTX_H */
