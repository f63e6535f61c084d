// SPDX-License-Identifier: GPL-2.0-only
/*
 * How a sync applies its difference: claims of a new slot, flips of
 * tg_gen, old claims taken away (the generations of tungate.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "sync/ctx.h"

unsigned int sync_slot(struct tg_sync_ctx *c, __u32 id)
{
	__u32 cap = c->m->capacity, v = 0;

	if (!id || id >= cap)
		return 0;
	if (!bit_test(c->slot_known, id, cap)) {
		if (!bpf_map_lookup_elem(c->m->gen, &id, &v) && v == 1)
			bit_set(c->slot1, id, cap);
		bit_set(c->slot_known, id, cap);
	}
	return bit_test(c->slot1, id, cap);
}

/* Whether claim cl holds (before this sync flips anything). */
static bool sync_holds(struct tg_sync_ctx *c, __u32 cl)
{
	__u32 id = TG_CLAIM_ID_OF(cl);

	return id && id < c->m->capacity &&
	       sync_slot(c, id) == TG_CLAIM_SLOT_OF(cl);
}

/*
 * A map keyed by what subscribers answer to: tg_tunnels or tg_prefix4/6.
 * Its values are TG_CLAIMS claims of csz bytes each, the claim (__u32)
 * first. want holds the logical view, one claim of slot 0 per key (the
 * sub_id); cur the map as it is, with slots.
 */
struct tg_claimed {
	int fd;
	const char *name;
	size_t csz;
	bool lpm;
	struct tg_kv *want, *cur;
	__u8 want_lens[17], cur_lens[17];	/* LPM: prefix lengths present */
};

/* The first claim of the value v (cur's layout) that holds, or NULL. */
static const __u8 *sync_holding(struct tg_sync_ctx *c, const __u8 *v,
				size_t csz)
{
	__u32 cl;
	int i;

	for (i = 0; v && i < TG_CLAIMS; i++) {
		memcpy(&cl, v + i * csz, sizeof(cl));
		if (sync_holds(c, cl))
			return v + i * csz;
	}
	return NULL;
}

/* The claim whose addresses k's now cover: its own, else a shorter one's. */
static const __u8 *sync_claim_now(struct tg_sync_ctx *c,
				  const struct tg_claimed *t, const __u8 *k,
				  __u8 *buf)
{
	const __u8 *v = tg_kv_find(t->cur, k);

	if (v || !t->lpm)
		return sync_holding(c, v, t->csz);
	/* A new prefix: until the flips, it must answer as today. */
	if (c->full)
		v = tg_kv_lpm_cover(t->cur, t->cur_lens, k);
	else if (!bpf_map_lookup_elem(t->fd, k, buf))
		v = buf;
	return sync_holding(c, v, t->csz);
}

int sync_cur_from_have(struct tg_sync_ctx *c, const struct tg_kv *have,
		       struct tg_kv *cur, size_t csz)
{
	__u8 v[sizeof(struct tg_tunnel)];
	size_t i;
	__u32 id;
	int err;

	for (i = 0; i < have->n; i++) {
		memset(v, 0, sizeof(v));
		memcpy(v, tg_kv_at(have, i) + have->ksz, csz);
		memcpy(&id, v, sizeof(id));
		id = TG_CLAIM(TG_CLAIM_ID_OF(id), sync_slot(c, id));
		memcpy(v, &id, sizeof(id));
		err = tg_kv_add(cur, tg_kv_at(have, i), v);
		if (err)
			return err;
	}
	tg_kv_sort(cur);
	return 0;
}

int sync_have_from_cur(struct tg_sync_ctx *c, struct tg_kv *have,
		       const struct tg_kv *cur, size_t csz)
{
	__u8 v[sizeof(struct tg_tunnel)];
	const __u8 *h;
	size_t i;
	__u32 id;
	int err;

	for (i = 0; i < cur->n; i++) {
		h = sync_holding(c, tg_kv_at(cur, i) + cur->ksz, csz);
		if (!h)
			continue;
		memset(v, 0, sizeof(v));
		memcpy(v, h, csz);
		memcpy(&id, v, sizeof(id));
		id = TG_CLAIM_ID_OF(id);
		memcpy(v, &id, sizeof(id));
		err = tg_kv_add(have, tg_kv_at(cur, i), v);
		if (err)
			return err;
	}
	tg_kv_sort(have);
	return 0;
}

/* The group of id: subscribers that must flip in one write. */
static __u32 group_of(struct tg_sync_ctx *c, __u32 id)
{
	while (c->group[id] != id) {
		c->group[id] = c->group[c->group[id]];
		id = c->group[id];
	}
	return id;
}

static void group_join(struct tg_sync_ctx *c, __u32 a, __u32 b)
{
	a = group_of(c, a);
	b = group_of(c, b);
	if (a != b)
		c->group[a > b ? a : b] = a > b ? b : a;
}

/*
 * The value of key k while the flips are under way (mid) and after (fin),
 * all zero for none: mid keeps the claim that holds now (or, for a new
 * prefix, the one its addresses answer to now) and adds the new slot's
 * claim of the changing subscriber that wants k (or a prefix covering k);
 * fin keeps the new claim where k itself is wanted, else the claim of a
 * subscriber that does not change.
 */
static void sync_plan_key(struct tg_sync_ctx *c, const struct tg_claimed *t,
			  const __u8 *k, __u8 *mid, __u8 *fin)
{
	__u8 buf[sizeof(struct tg_owners)], nw[sizeof(struct tg_tun_claim)];
	__u32 cap = c->m->capacity, hid = 0, wid = 0, cl;
	const __u8 *h, *w;
	bool exact;
	size_t n = 0;

	memset(mid, 0, TG_CLAIMS * t->csz);
	memset(fin, 0, TG_CLAIMS * t->csz);
	h = sync_claim_now(c, t, k, buf);
	w = tg_kv_find(t->want, k);
	exact = w;
	if (!w && t->lpm)
		w = tg_kv_lpm_cover(t->want, t->want_lens, k);
	if (h) {
		memcpy(&cl, h, sizeof(cl));
		hid = TG_CLAIM_ID_OF(cl);
		memcpy(mid, h, t->csz);
		n++;
	}
	if (w) {
		memcpy(&wid, w, sizeof(wid));
		if (!bit_test(c->changing, wid, cap))
			wid = 0;
	}
	if (wid) {
		memcpy(nw, w, t->csz);
		cl = TG_CLAIM(wid, !sync_slot(c, wid));
		memcpy(nw, &cl, sizeof(cl));
		memcpy(mid + n * t->csz, nw, t->csz);
		if (exact)
			memcpy(fin, nw, t->csz);
	}
	if (!wid && hid && !bit_test(c->changing, hid, cap))
		memcpy(fin, h, t->csz);
	/*
	 * k goes from one changing subscriber to another: with one flipped
	 * and not the other, both would claim it (or neither). They flip in
	 * the same write.
	 */
	if (wid && hid && hid != wid && bit_test(c->changing, hid, cap))
		group_join(c, hid, wid);
}

/* Plan every key of cur and want: mid and fin (keys with a claim only). */
static int sync_plan(struct tg_sync_ctx *c, const struct tg_claimed *t,
		     struct tg_kv *mid, struct tg_kv *fin)
{
	__u8 vm[sizeof(struct tg_tunnel)], vf[sizeof(struct tg_tunnel)];
	__u8 zero[sizeof(struct tg_tunnel)] = {};
	size_t i = 0, j = 0, vsz = TG_CLAIMS * t->csz;
	const __u8 *k;
	int cmp, err = 0;

	while (!err && (i < t->cur->n || j < t->want->n)) {
		if (i == t->cur->n)
			cmp = 1;
		else if (j == t->want->n)
			cmp = -1;
		else
			cmp = memcmp(tg_kv_at(t->cur, i), tg_kv_at(t->want, j),
				     t->cur->ksz);
		k = cmp <= 0 ? tg_kv_at(t->cur, i) : tg_kv_at(t->want, j);
		i += cmp <= 0;
		j += cmp >= 0;
		sync_plan_key(c, t, k, vm, vf);
		if (memcmp(vm, zero, vsz))
			err = tg_kv_add(mid, k, vm);
		if (!err && memcmp(vf, zero, vsz))
			err = tg_kv_add(fin, k, vf);
	}
	return err;
}

/*
 * Write the new slot of each changing subscriber: tg_encap and tg_police
 * (wanted, or zero for one removed) into the maps of the slot not in force;
 * with the maps read whole, only what differs.
 */
static int sync_write_slots(struct tg_sync_ctx *c, const __u32 *ids, size_t n)
{
	struct tg_kv enc[2] = { { .ksz = 4, .vsz = sizeof(struct tg_encap) },
				{ .ksz = 4, .vsz = sizeof(struct tg_encap) } };
	struct tg_kv pol[2] = { { .ksz = 4, .vsz = sizeof(struct tg_police) },
				{ .ksz = 4, .vsz = sizeof(struct tg_police) } };
	struct tg_kv *set[2][2] = { { &enc[0], &enc[1] }, { &pol[0], &pol[1] } };
	const struct tg_kv *want[2] = { &c->want_enc, &c->want_pol };
	const struct tg_kv *now[2] = { c->slot_enc, c->slot_pol };
	__u8 zero[SYNC_VAL_MAX] = {};
	const __u8 *v, *o;
	unsigned int s, k;
	size_t i;
	int err = 0;

	for (i = 0; i < n && !err; i++) {
		s = !sync_slot(c, ids[i]);
		for (k = 0; k < 2 && !err; k++) {
			v = tg_kv_find(want[k], &ids[i]);
			v = v ? v : zero;
			o = tg_kv_find(&now[k][s], &ids[i]);
			o = o ? o : zero;
			if (!c->full || memcmp(v, o, want[k]->vsz))
				err = tg_kv_add(set[k][s], &ids[i], v);
		}
	}
	for (s = 0; s < 2 && !err; s++) {
		err = sync_write_diff(c, tg_encap_fd(c->m, s),
				      s ? "tg_encap1" : "tg_encap", &enc[s],
				      &c->slot_enc[s], true);
		if (!err)
			err = sync_write_diff(c, tg_police_fd(c->m, s),
					      s ? "tg_police1" : "tg_police",
					      &pol[s], &c->slot_pol[s], true);
	}
	for (s = 0; s < 2; s++) {
		tg_kv_free(&enc[s]);
		tg_kv_free(&pol[s]);
	}
	return err;
}

static int group_cmp(const void *a, const void *b, void *ctx)
{
	struct tg_sync_ctx *c = ctx;
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;
	__u32 gx = group_of(c, x), gy = group_of(c, y);

	if (gx != gy)
		return gx < gy ? -1 : 1;
	return x < y ? -1 : x > y;
}

/*
 * Put the new slot of each changing subscriber in force: tg_gen, in batch
 * writes that never split a group (a write is whole: a sync is killed
 * before or after it).
 */
static int sync_flip(struct tg_sync_ctx *c, __u32 *ids, size_t n)
{
	__u32 *vals, old, g;
	size_t i, j, end, batch = c->batch;
	int err = 0;

	vals = malloc((n + 1) * sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	qsort_r(ids, n, sizeof(*ids), group_cmp, c);
	for (i = 0; i < n && !err; i++) {
		old = sync_slot(c, ids[i]);
		vals[i] = !old;
		err = sync_undo_add(c, c->m->gen, "tg_gen", &ids[i], 4, &old, 4);
	}
	for (i = 0; i < n && !err; i = end) {
		/* Whole groups up to the batch size, or one larger group. */
		for (end = i; end < n;) {
			g = group_of(c, ids[end]);
			for (j = end; j < n && group_of(c, ids[j]) == g; j++)
				;
			if (end > i && j - i > batch)
				break;
			end = j;
		}
		c->batch = end - i;
		err = sync_write_many(c, c->m->gen, "tg_gen", (__u8 *)(ids + i),
				      (__u8 *)(vals + i), end - i, 4, 4, true,
				      false);
		c->batch = batch;
	}
	free(vals);
	return err;
}

/* Clear the slot that was in force of each subscriber removed. */
static int sync_clear_removed(struct tg_sync_ctx *c, const __u32 *ids,
			      size_t n)
{
	struct tg_kv enc[2] = { { .ksz = 4, .vsz = sizeof(struct tg_encap) },
				{ .ksz = 4, .vsz = sizeof(struct tg_encap) } };
	struct tg_kv pol[2] = { { .ksz = 4, .vsz = sizeof(struct tg_police) },
				{ .ksz = 4, .vsz = sizeof(struct tg_police) } };
	__u32 cap = c->m->capacity;
	unsigned int s;
	const __u8 *v;
	size_t i;
	int err = 0;

	for (i = 0; i < n && !err; i++) {
		if (bit_test(c->live_want, ids[i], cap))
			continue;
		s = sync_slot(c, ids[i]);
		v = tg_kv_find(&c->have_enc, &ids[i]);
		if (v)
			err = tg_kv_add(&enc[s], &ids[i], v);
		v = tg_kv_find(&c->have_pol, &ids[i]);
		if (v && !err)
			err = tg_kv_add(&pol[s], &ids[i], v);
	}
	for (s = 0; s < 2 && !err; s++) {
		err = sync_delete_diff(c, tg_encap_fd(c->m, s),
				       s ? "tg_encap1" : "tg_encap",
				       &c->want_enc, &enc[s], true);
		if (!err)
			err = sync_delete_diff(c, tg_police_fd(c->m, s),
					       s ? "tg_police1" : "tg_police",
					       &c->want_pol, &pol[s], true);
	}
	for (s = 0; s < 2; s++) {
		tg_kv_free(&enc[s]);
		tg_kv_free(&pol[s]);
	}
	return err;
}

static bool sync_id_changes(const struct tg_sync_ctx *c, __u32 id)
{
	__u32 cap = c->m->capacity;

	return bit_test(c->touched, id, cap) ||
	       bit_test(c->live_want, id, cap) != bit_test(c->live_have, id, cap);
}

/*
 * Three steps, each subscriber changing at once in the second: (1) what
 * the data plane does not read yet: counters, peer and bucket of new ids,
 * new community prefixes, the new slot (tg_encap/tg_police of the slot not
 * in force), the new slot's claims on tunnels and prefixes; (2) tg_gen of
 * every changing subscriber flipped; (3) claims of the old slots taken
 * away (keys nobody claims any more deleted), the old slot of removed
 * subscribers cleared, community prefixes no longer wanted, tg_config.
 */
int sync_apply(struct tg_sync_ctx *c)
{
	struct tg_claimed t[3] = {
		{ .fd = c->m->tunnels, .name = "tg_tunnels",
		  .csz = sizeof(struct tg_tun_claim), .want = &c->want_tun,
		  .cur = &c->cur_tun },
		{ .fd = c->m->prefix4, .name = "tg_prefix4", .csz = 4,
		  .lpm = true, .want = &c->want4, .cur = &c->cur4 },
		{ .fd = c->m->prefix6, .name = "tg_prefix6", .csz = 4,
		  .lpm = true, .want = &c->want6, .cur = &c->cur6 },
	};
	struct tg_kv mid[3] = {}, fin[3] = {};
	__u32 cap = c->m->capacity, id, *ids;
	size_t n = 0;
	int k, err = 0;

	ids = malloc(cap * sizeof(*ids));
	c->group = malloc(cap * sizeof(*c->group));
	if (!ids || !c->group) {
		free(ids);
		return -ENOMEM;
	}
	for (id = 0; id < cap; id++)
		c->group[id] = id;
	for (id = 1; id < cap; id++) {
		if (!sync_id_changes(c, id))
			continue;
		bit_set(c->changing, id, cap);
		ids[n++] = id;
	}
	for (k = 0; k < 3 && !err; k++) {
		tg_kv_lpm_lens(t[k].want, t[k].want_lens);
		tg_kv_lpm_lens(t[k].cur, t[k].cur_lens);
		mid[k].ksz = fin[k].ksz = t[k].cur->ksz;
		mid[k].vsz = fin[k].vsz = TG_CLAIMS * t[k].csz;
		err = sync_plan(c, &t[k], &mid[k], &fin[k]);
	}
	if (!err)
		err = sync_zero_new(c);
	if (!err)
		err = sync_community(c, true);
	if (!err)
		err = sync_write_slots(c, ids, n);
	/*
	 * The prefix hashes follow the tries step by step, each step whole
	 * on both before the next: lengths of new entries listed before
	 * them, lengths of entries gone dropped last.
	 */
	for (k = 1; k < 3 && !err; k++) {
		const struct tg_kv *kv[2] = { &mid[k], c->full ?
					      &c->hcur[k - 1] : t[k].cur };

		err = sync_pfx_lens(c, k - 1, kv, 2, PFX_GROW);
	}
	/* Keys no claim of which holds nor will: nobody's, never read. */
	for (k = 0; k < 3 && !err; k++) {
		err = sync_delete_diff(c, t[k].fd, t[k].name, &mid[k],
				       t[k].cur, false);
		if (!err && t[k].lpm)
			err = sync_pfx_delete(c, k - 1, &mid[k], NULL);
	}
	for (k = 0; k < 3 && !err; k++) {
		err = sync_write_diff(c, t[k].fd, t[k].name, &mid[k], t[k].cur,
				      !t[k].lpm);
		if (!err && t[k].lpm)
			err = sync_pfx_write(c, k - 1, &mid[k], NULL);
	}
	if (!err)
		err = sync_flip(c, ids, n);
	for (k = 0; k < 3 && !err; k++) {
		err = sync_write_diff(c, t[k].fd, t[k].name, &fin[k], &mid[k],
				      !t[k].lpm);
		if (!err && t[k].lpm)
			err = sync_pfx_write(c, k - 1, &fin[k], &mid[k]);
	}
	for (k = 0; k < 3 && !err; k++) {
		err = sync_delete_diff(c, t[k].fd, t[k].name, &fin[k], &mid[k],
				       false);
		if (!err && t[k].lpm)
			err = sync_pfx_delete(c, k - 1, &fin[k], &mid[k]);
	}
	if (!err)
		err = sync_clear_removed(c, ids, n);
	if (!err)
		err = sync_community(c, false);
	if (!err)
		err = sync_config(c);
	for (k = 1; k < 3 && !err; k++) {
		const struct tg_kv *kv[1] = { &fin[k] };

		err = sync_pfx_lens(c, k - 1, kv, 1, PFX_FINAL);
	}
	for (k = 0; k < 3; k++) {
		tg_kv_free(&mid[k]);
		tg_kv_free(&fin[k]);
	}
	free(ids);
	free(c->group);
	c->group = NULL;
	return err;
}

