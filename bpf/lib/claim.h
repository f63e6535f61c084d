/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Claims and slots (see tungate.h): which subscriber a tunnel identity or
 * a prefix belongs to now, and that subscriber's configuration in the slot
 * in force. Hook-neutral.
 */
#ifndef TG_LIB_CLAIM_H
#define TG_LIB_CLAIM_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "tungate_maps.bpf.h"

/* Whether claim c holds: its subscriber's slot in force is its slot. */
static __always_inline bool tg_claim_holds(__u32 c)
{
	__u32 id = TG_CLAIM_ID_OF(c);
	__u32 *slot;

	if (!id)
		return false;
	slot = bpf_map_lookup_elem(&tg_gen, &id);
	return slot && *slot == TG_CLAIM_SLOT_OF(c);
}

/* The first claim of o that holds, 0 when none does. */
static __always_inline __u32 tg_owner_of(const struct tg_owners *o)
{
	if (!o)
		return 0;
	if (tg_claim_holds(o->claim[0]))
		return o->claim[0];
	if (tg_claim_holds(o->claim[1]))
		return o->claim[1];
	return 0;
}

/* The claim of t that holds, NULL when none does. */
static __always_inline const struct tg_tun_claim *
tg_tunnel_claim(const struct tg_tunnel *t)
{
	if (tg_claim_holds(t->c[0].claim))
		return &t->c[0];
	if (tg_claim_holds(t->c[1].claim))
		return &t->c[1];
	return NULL;
}

/* Whether o holds claim c (a subscriber's own claim, known to hold). */
static __always_inline bool tg_owners_have(const struct tg_owners *o, __u32 c)
{
	return o && (o->claim[0] == c || o->claim[1] == c);
}

/*
 * Keep the two lookups below two calls. Left alone, clang merges them
 * into one call whose map is either: the verifier then cannot inline
 * that array lookup (the call site's map is "poisoned") and every packet
 * pays the generic helper and its indirect call. An empty asm after one
 * of them only is enough to keep them apart.
 */
#define tg_keep_apart(p) asm volatile("" : "+r"(p))

/* tg_encap of the subscriber of claim c, in c's slot. */
static __always_inline struct tg_encap *tg_encap_of(__u32 c)
{
	__u32 id = TG_CLAIM_ID_OF(c);
	struct tg_encap *e;

	if (TG_CLAIM_SLOT_OF(c)) {
		e = bpf_map_lookup_elem(&tg_encap1, &id);
		tg_keep_apart(e);
		return e;
	}
	return bpf_map_lookup_elem(&tg_encap, &id);
}

/*
 * tg_encap_of() for the cold paths where the stack is tight (ARP and
 * neighbour replies): the sub_id key at id is the caller's, and the two
 * lookups may become one call (not inlined: a few ns more per reply).
 */
static __always_inline struct tg_encap *tg_encap_at(__u32 c, __u32 *id)
{
	if (TG_CLAIM_SLOT_OF(c))
		return bpf_map_lookup_elem(&tg_encap1, id);
	return bpf_map_lookup_elem(&tg_encap, id);
}

/* tg_police of the subscriber of claim c, in c's slot. */
static __always_inline struct tg_police *tg_police_of(__u32 c)
{
	__u32 id = TG_CLAIM_ID_OF(c);
	struct tg_police *p;

	if (TG_CLAIM_SLOT_OF(c)) {
		p = bpf_map_lookup_elem(&tg_police1, &id);
		tg_keep_apart(p);
		return p;
	}
	return bpf_map_lookup_elem(&tg_police, &id);
}

#endif /* TG_LIB_CLAIM_H */
