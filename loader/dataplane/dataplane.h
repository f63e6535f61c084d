/* SPDX-License-Identifier: GPL-2.0-only */
/* File descriptors of the data plane maps, pinned or from a skeleton. */
#ifndef TG_DATAPLANE_H
#define TG_DATAPLANE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "tungate.h"

struct bpf_object;
struct subscriber_bpf;

struct tg_maps {
	int tunnels;		/* tg_tunnels */
	int prefix4;		/* tg_prefix4 */
	int prefix6;		/* tg_prefix6 */
	int sub_stats;		/* tg_sub_stats */
	int global_stats;	/* tg_global_stats */
	int config;		/* tg_config */
	int ports;		/* tg_ports */
	int encap;		/* tg_encap */
	int peer;		/* tg_peer */
	int police;		/* tg_police */
	int bucket;		/* tg_bucket */
	int community4;		/* tg_community4 */
	int community6;		/* tg_community6 */
	int meta;		/* tg_meta */
	int gen;		/* tg_gen: the slot in force of each sub_id */
	int encap1;		/* tg_encap1: tg_encap of slot 1 */
	int police1;		/* tg_police1: tg_police of slot 1 */
	int seen;		/* tg_seen: when each sub_id was last heard */
	int pfx4;		/* tg_pfx4: tg_prefix4's entries by hash */
	int pfx6;		/* tg_pfx6: tg_prefix6's entries by hash */
	int pfx_lens;		/* tg_pfx_lens: their prefix lengths */
	__u32 capacity;		/* sub_ids run 1..capacity-1 */
};

/* Every fd closed (-1). */
#define TG_MAPS_INIT                                                         \
	{ .tunnels = -1, .prefix4 = -1, .prefix6 = -1, .sub_stats = -1,      \
	  .global_stats = -1, .config = -1, .ports = -1, .encap = -1,        \
	  .peer = -1, .police = -1, .bucket = -1, .community4 = -1,         \
	  .community6 = -1, .meta = -1, .gen = -1, .encap1 = -1,            \
	  .police1 = -1, .seen = -1, .pfx4 = -1, .pfx6 = -1,                \
	  .pfx_lens = -1, .capacity = 0 }

/* The slot in force of sub_id: 0 or 1 (0 when unreadable). */
unsigned int tg_slot_of(const struct tg_maps *m, __u32 id);

/* tg_encap/tg_police fd of a slot. */
static inline int tg_encap_fd(const struct tg_maps *m, unsigned int slot)
{
	return slot ? m->encap1 : m->encap;
}

static inline int tg_police_fd(const struct tg_maps *m, unsigned int slot)
{
	return slot ? m->police1 : m->police;
}

/*
 * Claims as the data plane reads them (tungate.h): whether claim c holds
 * (its sub_id's slot in force is its slot), the first claim of o that
 * holds (0: none), the claim of t that holds (NULL: none).
 */
bool tg_claim_holds_now(const struct tg_maps *m, __u32 c);
__u32 tg_owner_now(const struct tg_maps *m, const struct tg_owners *o);
const struct tg_tun_claim *tg_tunnel_claim_now(const struct tg_maps *m,
					       const struct tg_tunnel *t);

/*
 * The number of tg_tunnels entries with a claim that holds (m->tunnels and
 * m->gen) into *n: the tunnels the data plane answers to; each (ctx, its
 * sub_id) for every one of them when each is not NULL. 0 or negative
 * errno.
 */
int tg_tunnels_in_force(const struct tg_maps *m, __u32 *n,
			int (*each)(void *ctx, __u32 sub_id), void *ctx);

/* --pin-root, else TG_PIN_ROOT_DEFAULT. */
const char *tg_pin_root(void);

/*
 * Duplicate the map fds of a loaded skeleton into m (close them with
 * tg_maps_close(); the skeleton keeps its own). 0 or negative errno.
 */
int tg_maps_from_skel(struct subscriber_bpf *skel, struct tg_maps *m);

/*
 * Open the maps pinned under pin_root. Their layout is checked first
 * (migrate.h): maps that need migrating or differ from this build are
 * refused (-EPROTO), nothing written. When any is missing, create them by
 * loading the subscriber object with pin_root as its pin root (existing
 * pinned maps are reused; the layout is recorded in tg_meta); the program
 * itself is not kept. Errors are reported with tg_err(). 0 or negative errno.
 */
int tg_maps_open_pinned(const char *pin_root, struct tg_maps *m);

/*
 * The kernel's boot id into buf (empty when unreadable, then -errno):
 * maps ids are unique only within one boot.
 */
int tg_boot_id(char *buf, size_t len);

/*
 * Identity of the maps pinned under pin_root now: their kernel ids folded
 * together (0 for a missing one). It changes when up makes or migrates
 * any of them.
 */
__u64 tg_maps_pinned_ident(const char *pin_root);

/* Close every fd of m (those >= 0) and set them to -1. */
void tg_maps_close(struct tg_maps *m);

/*
 * Create pin_root when missing (its parent must be a mounted bpffs) and
 * take an exclusive flock() on it, waiting for another holder. Returns the
 * lock fd or negative errno (reported with tg_err()).
 */
int tg_pin_lock(const char *pin_root);
void tg_pin_unlock(int fd);

/*
 * Open the subscriber object with its maps pinned by name under pin_root,
 * sized and flagged like the maps already pinned there so that libbpf
 * reuses them. Before that, under the caller's tg_pin_lock(): the pinned
 * maps' layout is migrated to this build's or refused (migrate.h), missing
 * maps are created and tg_meta records the layout. NULL with errno set
 * (reported) on error; -EPROTO: the layout was refused, nothing changed.
 */
struct subscriber_bpf *tg_skel_open_pinned(const char *pin_root);

/* Clear the pin path of every map of obj before load: a private copy. */
void tg_obj_unpin_maps(struct bpf_object *obj);

#endif /* TG_DATAPLANE_H */
