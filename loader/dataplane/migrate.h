/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Layout of the pinned data plane maps: checked against this build and,
 * when a known change separates them, migrated.
 *
 * The layout of a pin root is the shape of each pinned map (type, key size,
 * value size, flags; max_entries is the pinned one's, whatever it is) and
 * tg_meta.layout, the TG_LAYOUT_VERSION of the build that made them (0: made
 * before it was recorded). The programs of this build expect the shapes of
 * its own subscriber object.
 *
 * Nothing outside dataplane.c needs to call these: tg_skel_open_pinned()
 * (used by up) migrates, creates missing maps and records the layout before
 * it opens the object, so the programs up then loads and swaps into the
 * links use the migrated maps; until the links are updated the old programs
 * keep running on the old maps (their last increments are not carried
 * over). tg_maps_open_pinned() (sync, stats, ...) only checks, and refuses
 * maps that need migrating with "run tungate up to migrate them".
 *
 * A migration builds the new map beside the old one (pinned under
 * <name>_migrating), copies every entry, then renames it over the old pin:
 * either every planned map is swapped or, on an error before the swap,
 * nothing is changed. A map that differs without a known migration is
 * refused with its name, old and new shape and layouts, and the way out
 * (tungate down, then up: counters and token buckets are lost). A pinned
 * map is never replaced by an empty one.
 */
#ifndef TG_MIGRATE_H
#define TG_MIGRATE_H

#include <stdbool.h>
#include <linux/types.h>

struct bpf_object;

/* The shape of one map. */
struct tg_map_shape {
	__u32 type;
	__u32 key_size;
	__u32 value_size;
	__u32 map_flags;
	__u32 max_entries;
};

/* tg_layout_prepare() flags. */
enum {
	TG_LAYOUT_MIGRATE = 1 << 0,	/* migrate; else only check */
};

/*
 * Compare every map of obj (opened, not loaded) pinned by name under
 * pin_root with obj's own definition, and tg_meta.layout with
 * TG_LAYOUT_VERSION. With TG_LAYOUT_MIGRATE, migrate what a known
 * migration covers. The caller holds tg_pin_lock(). *missing (may be NULL)
 * tells whether some map is not pinned yet. 0 when the pinned maps (those
 * present) fit this build, -EPROTO when they don't (reported with tg_err()),
 * other negative errno on failures (reported).
 */
int tg_layout_prepare(const char *pin_root, struct bpf_object *obj,
		      unsigned int flags, bool *missing);

/*
 * Record TG_LAYOUT_VERSION in the pinned tg_meta (other fields kept).
 * 0 or negative errno (reported).
 */
int tg_layout_stamp(int meta_fd);

/*
 * Build a map of shape new (max_entries: old's) named name and copy every
 * entry of old_fd into it, each value zero-extended to the new value size
 * (per-CPU maps: every CPU's; array slots all zero are left as they are).
 * The new fd in *new_fd and the number of entries copied in *copied (may
 * be NULL): 0, or negative errno (reported) and *new_fd -1.
 */
int tg_map_copy_grown(int old_fd, const char *name,
		      const struct tg_map_shape *new, int *new_fd,
		      __u64 *copied);

#endif /* TG_MIGRATE_H */
