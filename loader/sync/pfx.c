// SPDX-License-Identifier: GPL-2.0-only
/*
 * The prefix hashes (tg_pfx4/6) beside the tries, and the prefix lengths
 * the data plane probes them for (tg_pfx_lens): see tungate.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>

#include "sync/ctx.h"
#include "sync/sync.h"

static const char *const pfx_names[2] = { "tg_pfx4", "tg_pfx6" };

static int pfx_fd(const struct tg_maps *m, unsigned int fam)
{
	return fam == TG_PFX_V4 ? m->pfx4 : m->pfx6;
}

bool tg_pfx_filled(const struct tg_maps *m)
{
	struct tg_pfx_lens l;
	__u32 fam;

	for (fam = TG_PFX_V4; fam <= TG_PFX_V6; fam++) {
		if (m->pfx_lens < 0 || bpf_map_lookup_elem(m->pfx_lens, &fam, &l))
			return false;
		if (!l.set[l.in_force & 1].filled)
			return false;
	}
	return true;
}

int sync_pfx_have(struct tg_sync_ctx *c)
{
	unsigned int fam;
	int err = 0;

	for (fam = TG_PFX_V4; fam <= TG_PFX_V6 && c->full && !err; fam++)
		err = tg_kv_read_map(pfx_fd(c->m, fam), pfx_names[fam],
				     &c->hcur[fam], false);
	return err;
}

int sync_pfx_write(struct tg_sync_ctx *c, unsigned int fam,
		   const struct tg_kv *want, const struct tg_kv *have)
{
	if (!have)
		have = c->full ? &c->hcur[fam] : fam == TG_PFX_V4 ? &c->cur4 :
		       &c->cur6;
	return sync_write_diff(c, pfx_fd(c->m, fam), pfx_names[fam], want, have,
			       true);
}

int sync_pfx_delete(struct tg_sync_ctx *c, unsigned int fam,
		    const struct tg_kv *want, const struct tg_kv *have)
{
	if (!have)
		have = c->full ? &c->hcur[fam] : fam == TG_PFX_V4 ? &c->cur4 :
		       &c->cur6;
	return sync_delete_diff(c, pfx_fd(c->m, fam), pfx_names[fam], want,
				have, false);
}

/* The set listing the lengths of bitmap lens (0..128), longest first. */
static void pfx_set_of(const __u8 *lens, __u8 filled, struct tg_pfx_set *s)
{
	unsigned int n = 0;
	int l;

	memset(s, 0, sizeof(*s));
	s->filled = filled;
	for (l = 128; l >= 0; l--) {
		if (!(lens[l / 8] & (1 << (l % 8))))
			continue;
		if (n < TG_PFX_LENS_MAX)
			s->len[n] = l;
		n++;
	}
	s->n = n;
}

static int pfx_lens_fail(struct tg_sync_ctx *c, int err)
{
	snprintf(c->st->failed, sizeof(c->st->failed),
		 "map tg_pfx_lens: cannot write an entry: %s", strerror(-err));
	return err;
}

/*
 * Put in force the set of family fam listing the lengths of the keys of
 * kv[0..nkv) (phase PFX_GROW: and those in force; PFX_FINAL: the lengths
 * of the hash once this sync is done: with the maps read whole, exactly
 * those of kv, else those in force too). The new set goes into the set
 * not in force, then in_force flips: two writes, so that a packet reads
 * one whole set. Not on the undo log: a set that lists more lengths than
 * the hash holds costs probes, never a wrong answer.
 */
int sync_pfx_lens(struct tg_sync_ctx *c, unsigned int fam,
		  const struct tg_kv *const *kv, size_t nkv, enum pfx_phase ph)
{
	struct tg_pfx_lens val;
	struct tg_pfx_set want;
	const struct tg_pfx_set *now;
	__u8 lens[17], more[17];
	bool keep_now = ph == PFX_GROW || !c->full;
	__u8 filled;
	size_t i;
	__u32 key = fam;

	if (bpf_map_lookup_elem(c->m->pfx_lens, &key, &val))
		memset(&val, 0, sizeof(val));
	val.in_force &= 1;
	now = &val.set[val.in_force];
	memset(lens, 0, sizeof(lens));
	for (i = 0; i < nkv; i++) {
		tg_kv_lpm_lens(kv[i], more);
		for (key = 0; key < sizeof(lens); key++)
			lens[key] |= more[key];
	}
	for (i = 0; keep_now && i < TG_PFX_LENS_MAX && i < now->n; i++)
		lens[now->len[i] / 8] |= 1 << (now->len[i] % 8);
	/* Filled once a full comparison made the hash what the trie is. */
	filled = ph == PFX_FINAL && c->full ? 1 : now->filled;
	pfx_set_of(lens, filled, &want);
	/* Lengths in force beyond those listed are unknown: stay too many. */
	if (keep_now && now->n > TG_PFX_LENS_MAX && want.n < now->n)
		want.n = now->n;
	if (!memcmp(&want, now, sizeof(want)))
		return 0;
	key = fam;
	val.set[!val.in_force] = want;
	if (bpf_map_update_elem(c->m->pfx_lens, &key, &val, BPF_ANY))
		return pfx_lens_fail(c, -errno);
	sync_written(c);
	val.in_force = !val.in_force;
	if (bpf_map_update_elem(c->m->pfx_lens, &key, &val, BPF_ANY))
		return pfx_lens_fail(c, -errno);
	sync_written(c);
	return 0;
}

int tg_pfx_unfill(int lens_fd)
{
	struct tg_pfx_lens val;
	__u32 fam;

	for (fam = TG_PFX_V4; fam <= TG_PFX_V6; fam++) {
		if (bpf_map_lookup_elem(lens_fd, &fam, &val))
			return -errno;
		val.in_force &= 1;
		if (!val.set[val.in_force].filled)
			continue;
		/* As a sync does: the set not in force, then the flip. */
		val.set[!val.in_force] = val.set[val.in_force];
		val.set[!val.in_force].filled = 0;
		if (bpf_map_update_elem(lens_fd, &fam, &val, BPF_ANY))
			return -errno;
		val.in_force = !val.in_force;
		if (bpf_map_update_elem(lens_fd, &fam, &val, BPF_ANY))
			return -errno;
	}
	return 0;
}
