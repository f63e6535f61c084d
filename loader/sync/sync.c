// SPDX-License-Identifier: GPL-2.0-only
/* Diff-based synchronisation of the database into the data plane maps. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "gcra.h"
#include "srcpfx.h"
#include "util/cli.h"
#include "db/anycast.h"
#include "db/db.h"
#include "util/log.h"
#include "sync/ctx.h"
#include "dataplane/ifnet.h"
#include "dataplane/usage.h"

#ifdef TG_TEST_HOOKS
/*
 * Test hooks, in the test build only (make build/test/tungate): with
 * TUNGATE_TEST_SYNC_KILL_AFTER=N in the environment, a sync kills itself
 * (SIGKILL) right after its Nth map write, to test that an interrupted
 * sync leaves every subscriber old or new and the next one repairs the
 * maps; TUNGATE_TEST_SYNC_BATCH=N (1..SYNC_BATCH) writes N entries per
 * batch instead of SYNC_BATCH, so that a few subscribers show what many do
 * (a sync can then be killed between any two of them).
 */
static void sync_test_hooks(struct tg_sync_ctx *c)
{
	const char *env;

	env = getenv("TUNGATE_TEST_SYNC_KILL_AFTER");
	if (env)
		c->kill_after = strtoul(env, NULL, 10);
	env = getenv("TUNGATE_TEST_SYNC_BATCH");
	if (env)
		c->batch = strtoul(env, NULL, 10);
	if (!c->batch || c->batch > SYNC_BATCH)
		c->batch = SYNC_BATCH;
}
#else
static void sync_test_hooks(struct tg_sync_ctx *c)
{
}
#endif

static int sync_name(struct tg_sync_ctx *c, __u32 id, const char *name)
{
	if (id >= c->m->capacity || c->name_of[id])
		return 0;
	c->name_of[id] = strdup(name);
	return c->name_of[id] ? 0 : -ENOMEM;
}

/* The class of s: its own, else 'default', else NULL (unlimited). */
static const struct tg_class *sync_class_of(const struct tg_sync_ctx *c,
					    const struct tg_sub *s)
{
	const char *name = s->cls[0] ? s->cls : "default";
	size_t i;

	for (i = 0; i < c->ncls; i++)
		if (!strcmp(c->cls[i].name, name))
			return &c->cls[i];
	return NULL;
}

/*
 * tg_police of s: its class's rates, burst and scope, or its overrides.
 * Rates count the inner IP packet's bytes, both directions.
 */
static void sync_police_of(const struct tg_sync_ctx *c, const struct tg_sub *s,
			   struct tg_police *p)
{
	struct tg_class eff;

	tg_sub_effective(s, sync_class_of(c, s), &eff);
	memset(p, 0, sizeof(*p));
	tg_gcra_set(p, TG_DIR_UP, eff.up_rate, eff.burst);
	tg_gcra_set(p, TG_DIR_DOWN, eff.down_rate, eff.burst);
	if (eff.scope == TG_SCOPE_COMMUNITY)
		p->flags |= TG_RATE_F_COMMUNITY;
}

/* Map entries wanted for one subscriber. */
static int sync_want_sub(struct tg_sync_ctx *c, const struct tg_sub *s)
{
	const struct tg_prefix *p;
	struct tg_lpm4_key k4;
	struct tg_lpm6_key k6;
	struct tg_tun_key k;
	struct tg_police pol, zpol = {};
	struct tg_tunnel t;
	struct tg_encap e;
	char why[160];
	unsigned int j;
	int err;

	/* Rows written behind the CLI's back are checked like its input. */
	if (tg_sub_validate(s, why, sizeof(why))) {
		snprintf(c->st->failed, sizeof(c->st->failed),
			 "subscriber '%.63s': %.160s", s->name, why);
		return -EINVAL;
	}
	if (!s->dp_id || s->dp_id >= c->m->capacity) {
		snprintf(c->st->failed, sizeof(c->st->failed),
			 "subscriber '%s': dp_id %u outside the data plane's 1..%u",
			 s->name, s->dp_id, c->m->capacity - 1);
		return -ERANGE;
	}
	/*
	 * The kernel's WireGuard carries it (its peer is kept by wg/): no
	 * tunnel entry, and an encapsulation entry that only says so (and
	 * its listen port) for the programs on its interface, which police
	 * and count it by its prefixes and tg_police as any member.
	 */
	if (s->type == TG_TUN_WIREGUARD) {
		memset(&e, 0, sizeof(e));
		e.type = TG_TUN_WIREGUARD;
		e.local_port = tg_sub_wg_port(s);
		err = tg_kv_add(&c->want_enc, &s->dp_id, &e);
	} else {
		tg_sub_tun_key(s, &k);
		tg_sub_tunnel(s, &t);
		tg_sub_encap(s, &c->set, &e);
		err = tg_kv_add(&c->want_tun, &k, &t);
		if (!err)
			err = tg_kv_add(&c->want_enc, &s->dp_id, &e);
	}
	sync_police_of(c, s, &pol);
	tg_src_init(&pol);
	for (j = 0; j < s->nprefix; j++)
		tg_src_add(&pol, s->prefix[j].family == AF_INET6,
			   s->prefix[j].addr, s->prefix[j].len);
	if (!err && memcmp(&pol, &zpol, sizeof(pol)))
		err = tg_kv_add(&c->want_pol, &s->dp_id, &pol);
	if (!err)
		err = sync_name(c, s->dp_id, s->name);
	for (j = 0; !err && j < s->nprefix; j++) {
		p = &s->prefix[j];
		if (p->family == AF_INET) {
			memset(&k4, 0, sizeof(k4));
			k4.prefixlen = p->len;
			memcpy(&k4.addr, p->addr, 4);
			err = tg_kv_add(&c->want4, &k4, &s->dp_id);
		} else {
			memset(&k6, 0, sizeof(k6));
			k6.prefixlen = p->len;
			memcpy(k6.addr, p->addr, 16);
			err = tg_kv_add(&c->want6, &k6, &s->dp_id);
		}
	}
	bit_set(c->live_want, s->dp_id, c->m->capacity);
	return err;
}

/* SQLite's own message for a database error, else the errno's. */
static const char *sync_db_error(sqlite3 *db, int err)
{
	return err == -EIO ? sqlite3_errmsg(db) : strerror(-err);
}

/* Community prefixes wanted in tg_community4/6. */
static int sync_want_community(struct tg_sync_ctx *c, sqlite3 *db)
{
	struct tg_prefix *v = NULL;
	struct tg_lpm4_key k4;
	struct tg_lpm6_key k6;
	__u32 one = 1;
	size_t n = 0, i;
	int err;

	err = tg_db_community_list(db, &v, &n);
	if (err) {
		snprintf(c->st->failed, sizeof(c->st->failed),
			 "cannot read the community prefixes: %s",
			 sync_db_error(db, err));
		return err;
	}
	for (i = 0; !err && i < n; i++) {
		if (v[i].family == AF_INET) {
			memset(&k4, 0, sizeof(k4));
			k4.prefixlen = v[i].len;
			memcpy(&k4.addr, v[i].addr, 4);
			err = tg_kv_add(&c->want_c4, &k4, &one);
		} else {
			memset(&k6, 0, sizeof(k6));
			k6.prefixlen = v[i].len;
			memcpy(k6.addr, v[i].addr, 16);
			err = tg_kv_add(&c->want_c6, &k6, &one);
		}
	}
	free(v);
	tg_kv_sort(&c->want_c4);
	tg_kv_sort(&c->want_c6);
	return err;
}

/* Classes as 'class add' would take them: a row written otherwise may not be. */
static int sync_check_classes(struct tg_sync_ctx *c)
{
	char why[128];
	size_t i;

	for (i = 0; i < c->ncls; i++) {
		if (!tg_class_validate(&c->cls[i], why, sizeof(why)))
			continue;
		if (snprintf(c->st->failed, sizeof(c->st->failed),
			     "class '%s': %s", c->cls[i].name, why) < 0)
			c->st->failed[0] = '\0';
		return -EINVAL;
	}
	return 0;
}

/* No prefix of subs on the networks of the attached interfaces. */
static int sync_check_ifnets(struct tg_sync_ctx *c, const struct tg_sub *subs,
			     size_t n)
{
	struct tg_ifnet *nets;
	char why[192];
	size_t nn, i;
	int err;

	if (!c->o->pin_root || !n)
		return 0;
	err = tg_ifnets_load(c->o->pin_root, &nets, &nn);
	if (err) {
		snprintf(c->st->failed, sizeof(c->st->failed),
			 "cannot read the interfaces' addresses: %s",
			 strerror(-err));
		return err;
	}
	for (i = 0; i < n && !err; i++) {
		err = tg_ifnets_check(nets, nn, &subs[i], why, sizeof(why));
		/* Cut to fit: the name and the prefix come first. */
		if (err && snprintf(c->st->failed, sizeof(c->st->failed),
				    "subscriber '%s': %s", subs[i].name, why) < 0)
			c->st->failed[0] = '\0';
	}
	free(nets);
	return err;
}

/*
 * No enabled subscriber's prefix may overlap the anycast prefixes (the
 * POPs' own tunnel addresses, announced beside them): all of them,
 * whatever changed, through the prefix index (a few lookups per anycast
 * prefix). An invalid setting is the BIRD include's to refuse.
 */
static int sync_check_anycast(struct tg_sync_ctx *c, sqlite3 *db)
{
	struct tg_anycast ac;
	char why[192];
	int err;

	if (tg_anycast_load(db, &ac, why, sizeof(why)))
		return 0;
	err = tg_anycast_clash(db, &ac, true, why, sizeof(why));
	if (err)
		snprintf(c->st->failed, sizeof(c->st->failed), "%s%s",
			 err > 0 ? "setting anycast: " : "", why);
	return err > 0 ? -EINVAL : err;
}

static int sync_want(struct tg_sync_ctx *c, sqlite3 *db, bool dirty_only)
{
	struct tg_sub *subs = NULL;
	size_t n = 0, i;
	int err;

	err = tg_db_class_list(db, &c->cls, &c->ncls);
	if (err) {
		snprintf(c->st->failed, sizeof(c->st->failed),
			 "cannot read the classes: %s", sync_db_error(db, err));
		goto out;
	}
	err = sync_check_classes(c);
	if (err)
		goto out;
	err = sync_want_community(c, db);
	if (err)
		goto out;
	if (dirty_only)
		err = tg_db_sub_list_dirty(db, &subs, &n);
	else
		err = tg_db_sub_list(db, true, &subs, &n);
	if (!err)
		err = tg_db_session_overlay(db, subs, n);
	/* A row that does not parse: name it and say why. */
	if (err == -EINVAL &&
	    tg_db_check_subs(db, c->m->capacity, c->st->failed,
			     sizeof(c->st->failed)) > 0)
		goto out;
	if (err) {
		snprintf(c->st->failed, sizeof(c->st->failed),
			 "cannot read the subscribers: %s",
			 sync_db_error(db, err));
		goto out;
	}
	err = sync_check_ifnets(c, subs, n);
	if (err)
		goto out;
	for (i = 0; i < n; i++) {
		if (subs[i].cls[0] && !sync_class_of(c, &subs[i])) {
			snprintf(c->st->failed, sizeof(c->st->failed),
				 "subscriber '%s': class '%s': no such class",
				 subs[i].name, subs[i].cls);
			err = -EINVAL;
			goto out;
		}
		err = sync_want_sub(c, &subs[i]);
		if (err)
			goto out;
	}
	tg_kv_sort(&c->want_tun);
	tg_kv_sort(&c->want4);
	tg_kv_sort(&c->want6);
	tg_kv_sort(&c->want_enc);
	tg_kv_sort(&c->want_pol);
	for (i = 1; i < c->want_tun.n; i++) {
		const struct tg_tunnel *a, *b;

		if (memcmp(tg_kv_at(&c->want_tun, i - 1), tg_kv_at(&c->want_tun, i),
			   sizeof(struct tg_tun_key)))
			continue;
		a = (const void *)(tg_kv_at(&c->want_tun, i - 1) + c->want_tun.ksz);
		b = (const void *)(tg_kv_at(&c->want_tun, i) + c->want_tun.ksz);
		snprintf(c->st->failed, sizeof(c->st->failed),
			 "subscribers '%s' and '%s' have the same tunnel identity",
			 c->name_of[a->c[0].claim], c->name_of[b->c[0].claim]);
		err = -EEXIST;
		goto out;
	}
	/*
	 * Prefixes overlapping another subscriber's: every pair when all
	 * are read, else those of the subscribers changed since the last
	 * sync against all others (the others' were checked when they
	 * changed).
	 */
	if (dirty_only)
		err = tg_db_prefix_overlap_subs(db, subs, n, c->st->failed,
						sizeof(c->st->failed));
	else
		err = tg_db_prefix_overlap(db, c->st->failed,
					   sizeof(c->st->failed));
	if (err > 0)
		err = -EINVAL;
	else if (err)
		snprintf(c->st->failed, sizeof(c->st->failed),
			 "cannot read the prefixes: %s", sync_db_error(db, err));
	if (!err)
		err = sync_check_anycast(c, db);
out:
	tg_sub_list_free(subs, n);
	return err;
}

/* Serialised map entries of one subscriber, as the last sync wrote them. */
struct tg_state_hdr {
	struct tg_tun_key key;
	struct tg_tunnel tun;
	struct tg_encap enc;
	__u32 n4, n6;
};

/* Entries of a prefix set by owner: index into the set, sorted by owner. */
struct tg_owned {
	__u32 id;
	__u32 idx;
};

static int owned_cmp(const void *a, const void *b)
{
	const struct tg_owned *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static struct tg_owned *owned_build(const struct tg_kv *s)
{
	struct tg_owned *o = malloc((s->n + 1) * sizeof(*o));
	size_t i;

	if (!o)
		return NULL;
	for (i = 0; i < s->n; i++) {
		memcpy(&o[i].id, tg_kv_at(s, i) + s->ksz, 4);
		o[i].idx = i;
	}
	if (s->n)
		qsort(o, s->n, sizeof(*o), owned_cmp);
	return o;
}

/* First entry of id in o[0..n) and how many. */
static size_t owned_range(const struct tg_owned *o, size_t n, __u32 id,
			  size_t *first)
{
	size_t lo = 0, hi = n, mid, cnt = 0;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (o[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	while (lo + cnt < n && o[lo + cnt].id == id)
		cnt++;
	return cnt;
}

static int sync_state_blob(const struct tg_sync_ctx *c, __u32 id,
			   const __u8 *tun, const struct tg_owned *o4,
			   const struct tg_owned *o6, __u8 **blob, size_t *len)
{
	size_t f4, f6, i, off;
	struct tg_state_hdr h;
	const __u8 *enc, *pol;
	__u8 *b;

	memset(&h, 0, sizeof(h));
	memcpy(&h.key, tun, sizeof(h.key));
	memcpy(&h.tun, tun + sizeof(h.key), sizeof(h.tun));
	enc = tg_kv_find(&c->want_enc, &id);
	if (enc)
		memcpy(&h.enc, enc, sizeof(h.enc));
	h.n4 = owned_range(o4, c->want4.n, id, &f4);
	h.n6 = owned_range(o6, c->want6.n, id, &f6);
	*len = sizeof(h) + h.n4 * sizeof(struct tg_lpm4_key) +
	       h.n6 * sizeof(struct tg_lpm6_key) + sizeof(struct tg_police);
	b = malloc(*len);
	if (!b)
		return -ENOMEM;
	memcpy(b, &h, sizeof(h));
	off = sizeof(h);
	for (i = 0; i < h.n4; i++, off += c->want4.ksz)
		memcpy(b + off, tg_kv_at(&c->want4, o4[f4 + i].idx), c->want4.ksz);
	for (i = 0; i < h.n6; i++, off += c->want6.ksz)
		memcpy(b + off, tg_kv_at(&c->want6, o6[f6 + i].idx), c->want6.ksz);
	pol = tg_kv_find(&c->want_pol, &id);
	if (pol)
		memcpy(b + off, pol, sizeof(struct tg_police));
	else
		memset(b + off, 0, sizeof(struct tg_police));
	*blob = b;
	return 0;
}

/* Have sets of the dirty subscribers from what the last sync wrote. */
static int sync_have_state(struct tg_sync_ctx *c, sqlite3 *db)
{
	const struct tg_state_hdr *h;
	struct tg_police pol, zpol = {};
	sqlite3_stmt *st = NULL;
	const __u8 *b;
	size_t len, i, off, base;
	__u32 id;
	int err = -EIO, rc;

	if (sqlite3_prepare_v2(db,
			       "SELECT s.dp_id, s.name, s.state FROM dp_dirty d "
			       "CROSS JOIN dp_state s ON s.dp_id = d.dp_id",
			       -1, &st, NULL) != SQLITE_OK)
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		b = sqlite3_column_blob(st, 2);
		len = sqlite3_column_bytes(st, 2);
		if (id >= c->m->capacity || len < sizeof(*h))
			continue;
		h = (const void *)b;
		base = sizeof(*h) + h->n4 * sizeof(struct tg_lpm4_key) +
		       h->n6 * sizeof(struct tg_lpm6_key);
		/*
		 * Recorded before policing (no tg_police): the map's. Before
		 * layout 3 (no prefixes in it): as migrated, zero-extended.
		 */
		memset(&pol, 0, sizeof(pol));
		if (len == base + sizeof(pol))
			memcpy(&pol, b + base, sizeof(pol));
		else if (len == base + offsetof(struct tg_police, src4))
			memcpy(&pol, b + base, offsetof(struct tg_police, src4));
		else if (len != base ||
			 bpf_map_lookup_elem(tg_police_fd(c->m, sync_slot(c, id)),
					     &id, &pol))
			continue;
		err = sync_name(c, id, (const char *)sqlite3_column_text(st, 1));
		/* A WireGuard member has no tunnel (its key is all zero). */
		if (!err && h->key.type != TG_TUN_NONE)
			err = tg_kv_add(&c->have_tun, &h->key, &h->tun);
		if (!err)
			err = tg_kv_add(&c->have_enc, &id, &h->enc);
		off = sizeof(*h);
		for (i = 0; !err && i < h->n4; i++) {
			err = tg_kv_add(&c->have4, b + off, &id);
			off += sizeof(struct tg_lpm4_key);
		}
		for (i = 0; !err && i < h->n6; i++) {
			err = tg_kv_add(&c->have6, b + off, &id);
			off += sizeof(struct tg_lpm6_key);
		}
		if (!err && memcmp(&pol, &zpol, sizeof(pol)))
			err = tg_kv_add(&c->have_pol, &id, &pol);
		if (err)
			goto out;
	}
	err = rc == SQLITE_DONE ? 0 : -EIO;
	tg_kv_sort(&c->have_tun);
	tg_kv_sort(&c->have_enc);
	tg_kv_sort(&c->have_pol);
	tg_kv_sort(&c->have4);
	tg_kv_sort(&c->have6);
out:
	if (err)
		snprintf(c->st->failed, sizeof(c->st->failed),
			 "cannot read the sync state: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return err;
}

/* The community tries are small: always compared with the maps. */
static int sync_have_community(struct tg_sync_ctx *c)
{
	int err;

	err = tg_kv_read_map(c->m->community4, "tg_community4", &c->have_c4,
			  false);
	if (!err)
		err = tg_kv_read_map(c->m->community6, "tg_community6",
				  &c->have_c6, false);
	if (err)
		snprintf(c->st->failed, sizeof(c->st->failed),
			 "cannot read the community maps: %s", strerror(-err));
	return err;
}

/*
 * A slot array (tg_encap or tg_police): both slots as they are into
 * slots, and as in force (the entry of each sub_id from the map of its
 * slot) into have.
 */
static int sync_have_slots(struct tg_sync_ctx *c, const char *name, int fd0,
			   int fd1, struct tg_kv *slots, struct tg_kv *have)
{
	size_t i;
	__u32 id;
	int k, err;

	err = tg_kv_read_map(fd0, name, &slots[0], true);
	if (!err)
		err = tg_kv_read_map(fd1, name, &slots[1], true);
	for (k = 0; k < 2 && !err; k++) {
		for (i = 0; i < slots[k].n && !err; i++) {
			memcpy(&id, tg_kv_at(&slots[k], i), sizeof(id));
			if (sync_slot(c, id) == (unsigned int)k)
				err = tg_kv_add(have, &id,
						tg_kv_at(&slots[k], i) + 4);
		}
	}
	tg_kv_sort(have);
	return err;
}

/* The maps as they are: claims, slots in force, and the logical have. */
static int sync_have_maps(struct tg_sync_ctx *c)
{
	struct tg_kv gen = { .ksz = 4, .vsz = 4 };
	__u32 cap = c->m->capacity, id, v;
	size_t i;
	int err;

	err = tg_kv_read_map(c->m->gen, "tg_gen", &gen, true);
	memset(c->slot_known, 0xff, cap / 8 + 1);
	for (i = 0; !err && i < gen.n; i++) {
		memcpy(&id, tg_kv_at(&gen, i), sizeof(id));
		memcpy(&v, tg_kv_at(&gen, i) + 4, sizeof(v));
		if (v == 1)
			bit_set(c->slot1, id, cap);
	}
	tg_kv_free(&gen);
	if (!err)
		err = tg_kv_read_map(c->m->tunnels, "tg_tunnels", &c->cur_tun,
				  false);
	if (!err)
		err = tg_kv_read_map(c->m->prefix4, "tg_prefix4", &c->cur4, false);
	if (!err)
		err = tg_kv_read_map(c->m->prefix6, "tg_prefix6", &c->cur6, false);
	if (!err)
		err = sync_have_slots(c, "tg_encap", c->m->encap, c->m->encap1,
				      c->slot_enc, &c->have_enc);
	if (!err)
		err = sync_have_slots(c, "tg_police", c->m->police,
				      c->m->police1, c->slot_pol, &c->have_pol);
	if (!err)
		err = sync_have_from_cur(c, &c->have_tun, &c->cur_tun,
					 sizeof(struct tg_tun_claim));
	if (!err)
		err = sync_have_from_cur(c, &c->have4, &c->cur4, 4);
	if (!err)
		err = sync_have_from_cur(c, &c->have6, &c->cur6, 4);
	if (err)
		snprintf(c->st->failed, sizeof(c->st->failed),
			 "cannot read the maps: %s", strerror(-err));
	return err;
}

/* Mark who is live and whose entries differ, for the kv pair want/have. */
static void sync_mark(struct tg_sync_ctx *c, const struct tg_kv *want,
		      const struct tg_kv *have, size_t id_off)
{
	__u32 cap = c->m->capacity, id, old;
	const __u8 *v;
	size_t i;

	for (i = 0; i < want->n; i++) {
		memcpy(&id, tg_kv_at(want, i) + id_off, sizeof(id));
		v = tg_kv_find(have, tg_kv_at(want, i));
		if (v && !memcmp(v, tg_kv_at(want, i) + want->ksz, want->vsz))
			continue;
		if (v) {
			memcpy(&old, v - want->ksz + id_off, sizeof(old));
			bit_set(c->touched, old, cap);
		}
		bit_set(c->touched, id, cap);
	}
	for (i = 0; i < have->n; i++) {
		if (tg_kv_find(want, tg_kv_at(have, i)))
			continue;
		memcpy(&id, tg_kv_at(have, i) + id_off, sizeof(id));
		bit_set(c->touched, id, cap);
	}
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Count (and name) added, changed and removed sub_ids. */
static int sync_classify(struct tg_sync_ctx *c, sqlite3 *db)
{
	struct tg_sync_stats *st = c->st;
	__u32 cap = c->m->capacity, id;
	char buf[TG_NAME_MAX + 16], ***list, **grown;
	unsigned int *cnt, n[3] = {};
	bool w, h;
	int k;

	for (k = 0; k < 3 && c->o->names; k++) {
		list = k == 0 ? &st->added_names :
		       k == 1 ? &st->changed_names : &st->removed_names;
		*list = calloc(1, sizeof(char *));
		if (!*list)
			return -ENOMEM;
	}
	for (id = 1; id < cap; id++) {
		w = bit_test(c->live_want, id, cap);
		h = bit_test(c->live_have, id, cap);
		if (!w && !h)
			continue;
		if (w && h && !bit_test(c->touched, id, cap))
			continue;
		k = w && !h ? 0 : w ? 1 : 2;
		cnt = k == 0 ? &st->added : k == 1 ? &st->changed : &st->removed;
		(*cnt)++;
		n[k]++;
		if (!c->o->names)
			continue;
		list = k == 0 ? &st->added_names :
		       k == 1 ? &st->changed_names : &st->removed_names;
		if (!c->name_of[id]) {
			if (tg_db_sub_name(db, id, buf, sizeof(buf)))
				snprintf(buf, sizeof(buf), "dp_id %u", id);
			if (sync_name(c, id, buf))
				return -ENOMEM;
		}
		grown = realloc(*list, (n[k] + 1) * sizeof(char *));
		if (!grown)
			return -ENOMEM;	/* *list, still whole, is the caller's */
		*list = grown;
		(*list)[n[k] - 1] = strdup(c->name_of[id]);
		(*list)[n[k]] = NULL;
		if (!(*list)[n[k] - 1])
			return -ENOMEM;
	}
	for (k = 0; k < 3 && c->o->names; k++) {
		list = k == 0 ? &st->added_names :
		       k == 1 ? &st->changed_names : &st->removed_names;
		qsort(*list, n[k], sizeof(char *), name_cmp);
	}
	return 0;
}

void tg_sync_stats_free(struct tg_sync_stats *st)
{
	char **lists[3] = { st->added_names, st->changed_names,
			    st->removed_names };
	char **p;
	int k;

	for (k = 0; k < 3; k++) {
		for (p = lists[k]; p && *p; p++)
			free(*p);
		free(lists[k]);
	}
	st->added_names = st->changed_names = st->removed_names = NULL;
}

/* Identity of the maps instance: boot id and the kernel's map ids. */
static int sync_maps_identity(const struct tg_maps *m, char *buf, size_t len)
{
	int fds[] = { m->tunnels, m->prefix4, m->prefix6, m->encap,
		      m->sub_stats, m->peer, m->config, m->police, m->bucket,
		      m->community4, m->community6, m->pfx4, m->pfx6,
		      m->pfx_lens };
	struct bpf_map_info info;
	char boot[64] = "";
	size_t off, i;
	__u32 ilen;

	tg_boot_id(boot, sizeof(boot));
	off = snprintf(buf, len, "%s", boot);
	for (i = 0; i < sizeof(fds) / sizeof(fds[0]) && off < len; i++) {
		memset(&info, 0, sizeof(info));
		ilen = sizeof(info);
		if (bpf_obj_get_info_by_fd(fds[i], &info, &ilen))
			return -errno;
		off += snprintf(buf + off, len - off, ":%u", info.id);
	}
	return 0;
}

/* Remember what is now in the maps for the subscribers looked at. */
static int sync_save_state(struct tg_sync_ctx *c, sqlite3 *db, bool full,
			   const char *ident)
{
	struct tg_owned *o4 = owned_build(&c->want4);
	char live[32];
	struct tg_owned *o6 = owned_build(&c->want6);
	__u8 no_tun[sizeof(struct tg_tun_key) + sizeof(struct tg_tunnel)] = {};
	sqlite3_stmt *st = NULL;
	const struct tg_tunnel *t;
	const struct tg_encap *e;
	const __u8 *tun;
	size_t i, len;
	__u8 *blob;
	__u32 id;
	int err = -ENOMEM;

	if (!o4 || !o6)
		goto out;
	err = -EIO;
	if (tg_db_exec(db, full ? "DELETE FROM dp_state" :
		       "DELETE FROM dp_state WHERE dp_id IN (SELECT dp_id FROM dp_dirty)"))
		goto out;
	if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO dp_state(dp_id, name, state) VALUES(?, ?, ?)",
			       -1, &st, NULL) != SQLITE_OK)
		goto out;
	/* Tunnel members by their tunnel, then WireGuard ones (none). */
	for (i = 0; i < c->want_tun.n + c->want_enc.n; i++) {
		if (i < c->want_tun.n) {
			tun = tg_kv_at(&c->want_tun, i);
			t = (const void *)(tun + c->want_tun.ksz);
			id = t->c[0].claim;
		} else {
			tun = no_tun;
			e = (const void *)(tg_kv_at(&c->want_enc,
						    i - c->want_tun.n) + 4);
			if (e->type != TG_TUN_WIREGUARD)
				continue;
			memcpy(&id, tg_kv_at(&c->want_enc, i - c->want_tun.n),
			       sizeof(id));
		}
		err = sync_state_blob(c, id, tun, o4, o6, &blob, &len);
		if (err)
			goto out;
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, c->name_of[id], -1,
				  SQLITE_STATIC);
		sqlite3_bind_blob(st, 3, blob, len, free);
		if (sqlite3_step(st) != SQLITE_DONE) {
			err = -EIO;
			goto out;
		}
	}
	snprintf(live, sizeof(live), "%u",
		 c->st->unchanged + c->st->added + c->st->changed);
	err = -EIO;
	if (tg_db_exec(db, "DELETE FROM dp_dirty") ||
	    tg_db_exec(db, "DELETE FROM dp_id_pending") ||
	    tg_db_setting_set(db, "sync_maps", ident) ||
	    tg_db_setting_set(db, "sync_live", live))
		goto out;
	err = 0;
out:
	free(o4);
	free(o6);
	sqlite3_finalize(st);
	return err;
}

bool tg_sync_wg_unrecorded(sqlite3 *db)
{
	long long n = 0;

	tg_db_int(db, "SELECT count(*) FROM subscriber WHERE type = 'wireguard' AND "
		  TG_SUB_LIVE " AND dp_id NOT IN (SELECT dp_id FROM dp_state)"
		  " AND dp_id NOT IN (SELECT dp_id FROM dp_dirty)",
		  &n);
	return n > 0;
}

/*
 * Subscribers in the maps after the last sync (setting sync_live), so an
 * incremental sync need not count them; else counted.
 */
static int sync_count_enabled(sqlite3 *db, unsigned int *n)
{
	long long cnt;
	char buf[32];
	__u64 v;

	if (!tg_db_setting_get(db, "sync_live", buf, sizeof(buf)) &&
	    !tg_parse_u64(buf, 0, UINT32_MAX, &v)) {
		*n = v;
		return 0;
	}
	if (tg_db_int(db, "SELECT count(*) FROM subscriber WHERE enabled = 1",
		      &cnt))
		return -EIO;
	*n = cnt;
	return 0;
}

/*
 * tg_meta after a sync that reached the maps: result, time, count and the
 * subscribers now in the data plane (subs < 0: unchanged). The caller holds
 * the pin root lock, so the read-modify-write is not raced by up or another
 * sync.
 */
static void sync_meta_write(const struct tg_maps *m, int result, long subs)
{
	struct tg_meta meta;
	struct timespec ts;
	__u32 key = 0;

	if (m->meta < 0 || bpf_map_lookup_elem(m->meta, &key, &meta))
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	meta.sync_result = result;
	meta.sync_time = (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	if (result != -EINPROGRESS)
		meta.sync_count++;
	if (subs >= 0)
		meta.subs = subs;
	if (bpf_map_update_elem(m->meta, &key, &meta, BPF_ANY))
		pr_warn("sync: cannot write tg_meta: %s\n", strerror(errno));
}

/* A sync was killed while writing the maps: they may hold anything. */
static bool sync_interrupted(const struct tg_maps *m)
{
	struct tg_meta meta;
	__u32 key = 0;

	return m->meta >= 0 && !bpf_map_lookup_elem(m->meta, &key, &meta) &&
	       meta.sync_result == -EINPROGRESS;
}

/* Usage records of the subscribers this sync takes out of the maps. */
static void sync_usage_final(struct tg_sync_ctx *c, sqlite3 *db)
{
	__u32 cap = c->m->capacity, id, *ids;
	size_t n = 0;

	ids = malloc((c->st->removed + 1) * sizeof(*ids));
	if (!ids)
		return;
	for (id = 1; id < cap && n < c->st->removed; id++)
		if (bit_test(c->live_have, id, cap) &&
		    !bit_test(c->live_want, id, cap))
			ids[n++] = id;
	if (n && tg_usage_final(db, c->m, ids, n, c->o->usage_dir))
		pr_warn("sync: the final usage of %zu removed subscribers was not recorded\n",
			n);
	free(ids);
}

int tg_sync_run(sqlite3 *db, const struct tg_maps *m,
		const struct tg_sync_opts *o, struct tg_sync_stats *st)
{
	struct tg_sync_ctx c = {
		.m = m,
		.o = o,
		.st = st,
		.want_tun = { .ksz = sizeof(struct tg_tun_key),
			      .vsz = sizeof(struct tg_tunnel) },
		.have_tun = { .ksz = sizeof(struct tg_tun_key),
			      .vsz = sizeof(struct tg_tunnel) },
		.want4 = { .ksz = sizeof(struct tg_lpm4_key), .vsz = 4 },
		.have4 = { .ksz = sizeof(struct tg_lpm4_key), .vsz = 4 },
		.want6 = { .ksz = sizeof(struct tg_lpm6_key), .vsz = 4 },
		.have6 = { .ksz = sizeof(struct tg_lpm6_key), .vsz = 4 },
		.want_enc = { .ksz = 4, .vsz = sizeof(struct tg_encap) },
		.have_enc = { .ksz = 4, .vsz = sizeof(struct tg_encap) },
		.want_pol = { .ksz = 4, .vsz = sizeof(struct tg_police) },
		.have_pol = { .ksz = 4, .vsz = sizeof(struct tg_police) },
		.want_c4 = { .ksz = sizeof(struct tg_lpm4_key), .vsz = 4 },
		.have_c4 = { .ksz = sizeof(struct tg_lpm4_key), .vsz = 4 },
		.want_c6 = { .ksz = sizeof(struct tg_lpm6_key), .vsz = 4 },
		.have_c6 = { .ksz = sizeof(struct tg_lpm6_key), .vsz = 4 },
		.cur_tun = { .ksz = sizeof(struct tg_tun_key),
			     .vsz = sizeof(struct tg_tunnel) },
		.cur4 = { .ksz = sizeof(struct tg_lpm4_key),
			  .vsz = sizeof(struct tg_owners) },
		.cur6 = { .ksz = sizeof(struct tg_lpm6_key),
			  .vsz = sizeof(struct tg_owners) },
		.hcur = { { .ksz = sizeof(struct tg_lpm4_key),
			    .vsz = sizeof(struct tg_owners) },
			  { .ksz = sizeof(struct tg_lpm6_key),
			    .vsz = sizeof(struct tg_owners) } },
		.slot_enc = { { .ksz = 4, .vsz = sizeof(struct tg_encap) },
			      { .ksz = 4, .vsz = sizeof(struct tg_encap) } },
		.slot_pol = { { .ksz = 4, .vsz = sizeof(struct tg_police) },
			      { .ksz = 4, .vsz = sizeof(struct tg_police) } },
	};
	char ident[256], old_ident[256];
	bool incremental = false, in_txn = false, wrote = false;
	bool unsure = false;	/* the maps may differ from the record */
	unsigned int total, i;
	size_t j;
	__u32 id;
	int err;

	memset(st, 0, sizeof(*st));
	if (m->capacity < 2)
		return -EINVAL;
	c.batch = SYNC_BATCH;
	sync_test_hooks(&c);
	c.live_have = calloc(m->capacity / 8 + 1, 1);
	c.live_want = calloc(m->capacity / 8 + 1, 1);
	c.touched = calloc(m->capacity / 8 + 1, 1);
	c.slot1 = calloc(m->capacity / 8 + 1, 1);
	c.slot_known = calloc(m->capacity / 8 + 1, 1);
	c.changing = calloc(m->capacity / 8 + 1, 1);
	c.name_of = calloc(m->capacity, sizeof(char *));
	if (!c.live_have || !c.live_want || !c.touched || !c.name_of ||
	    !c.slot1 || !c.slot_known || !c.changing) {
		err = -ENOMEM;
		goto out;
	}
	if (o->persist) {
		/* Writers wait until the maps and the sync state agree. */
		err = tg_db_exec(db, "BEGIN IMMEDIATE");
		if (err) {
			snprintf(st->failed, sizeof(st->failed),
				 "database busy or not writable: %s",
				 sqlite3_errmsg(db));
			goto out;
		}
		in_txn = true;
		err = sync_maps_identity(m, ident, sizeof(ident));
		if (err) {
			snprintf(st->failed, sizeof(st->failed),
				 "cannot identify the maps: %s", strerror(-err));
			goto out;
		}
		/*
		 * What the database remembers holds for these maps unless a
		 * sync was killed half-way: then compare with the maps.
		 */
		/* Hashes not known to hold what the tries hold: read both. */
		incremental = !o->full && !sync_interrupted(m) &&
			      tg_pfx_filled(m) && !tg_sync_wg_unrecorded(db) &&
			      !tg_db_setting_get(db, "sync_maps", old_ident,
						 sizeof(old_ident)) &&
			      !strcmp(ident, old_ident);
	}
	st->incremental = incremental;
	err = tg_db_settings_load(db, &c.set);
	if (err) {
		snprintf(st->failed, sizeof(st->failed),
			 "the database holds an invalid setting");
		goto out;
	}
	/* Validate the database before reading or touching any map. */
	err = sync_want(&c, db, incremental);
	if (err)
		goto out;
	c.full = !incremental;
	err = incremental ? sync_have_state(&c, db) : sync_have_maps(&c);
	if (!err && incremental)
		err = sync_cur_from_have(&c, &c.have_tun, &c.cur_tun,
					 sizeof(struct tg_tun_claim));
	if (!err && incremental)
		err = sync_cur_from_have(&c, &c.have4, &c.cur4, 4);
	if (!err && incremental)
		err = sync_cur_from_have(&c, &c.have6, &c.cur6, 4);
	if (!err)
		err = sync_have_community(&c);
	if (!err) {
		err = sync_pfx_have(&c);
		if (err)
			snprintf(st->failed, sizeof(st->failed),
				 "cannot read the prefix hashes: %s",
				 strerror(-err));
	}
	if (err)
		goto out;
	for (j = 0; j < c.have_tun.n; j++) {
		memcpy(&id, tg_kv_at(&c.have_tun, j) + c.have_tun.ksz, sizeof(id));
		bit_set(c.live_have, id, m->capacity);
	}
	for (j = 0; j < c.have_enc.n; j++) {
		memcpy(&id, tg_kv_at(&c.have_enc, j), sizeof(id));
		bit_set(c.live_have, id, m->capacity);
	}
	sync_mark(&c, &c.want_tun, &c.have_tun, c.want_tun.ksz);
	sync_mark(&c, &c.want4, &c.have4, c.want4.ksz);
	sync_mark(&c, &c.want6, &c.have6, c.want6.ksz);
	sync_mark(&c, &c.want_enc, &c.have_enc, 0);
	sync_mark(&c, &c.want_pol, &c.have_pol, 0);
	err = sync_classify(&c, db);
	if (err)
		goto out;
	if (incremental) {
		/* Those in the maps before, less the ones looked at here. */
		err = sync_count_enabled(db, &total);
		if (err)
			goto out;
		for (i = 1; i < m->capacity; i++)
			if (bit_test(c.live_have, i, m->capacity))
				total--;
		st->unchanged = total;
		for (i = 1; i < m->capacity; i++)
			if (bit_test(c.live_want, i, m->capacity) &&
			    bit_test(c.live_have, i, m->capacity) &&
			    !bit_test(c.touched, i, m->capacity))
				st->unchanged++;
	} else {
		for (i = 1; i < m->capacity; i++)
			if (bit_test(c.live_want, i, m->capacity) &&
			    bit_test(c.live_have, i, m->capacity) &&
			    !bit_test(c.touched, i, m->capacity))
				st->unchanged++;
	}
	if (o->dry_run)
		goto out;
	/*
	 * Until this sync has written the maps and recorded it, the maps are
	 * marked: a sync killed half-way makes the next one compare them all.
	 */
	sync_meta_write(m, -EINPROGRESS, -1);
	wrote = true;
	err = sync_apply(&c);
	if (err) {
		if (!st->failed[0])
			snprintf(st->failed, sizeof(st->failed), "%s",
				 strerror(-err));
		unsure = sync_rollback(&c) != 0;
		goto out;
	}
	if (o->persist) {
		/* Counters of the ids just removed are intact until reused. */
		if (st->removed)
			sync_usage_final(&c, db);
		err = sync_save_state(&c, db, !incremental, ident);
		if (!err)
			err = tg_db_exec(db, "COMMIT");
		if (err) {
			/* The maps are right; the next sync compares them all. */
			snprintf(st->failed, sizeof(st->failed),
				 "maps written, but cannot record it in the database: %s",
				 sqlite3_errmsg(db));
			unsure = true;
			goto out;
		}
		in_txn = false;
	}
out:
	if (in_txn)
		tg_db_exec(db, "ROLLBACK");
	if (err && !st->failed[0])
		snprintf(st->failed, sizeof(st->failed), "%s", strerror(-err));
	/* Maps written but not recorded: stays marked, the next sync compares. */
	if (wrote)
		sync_meta_write(m, unsure ? -EINPROGRESS : err,
				err ? -1 : (long)(st->unchanged + st->added +
						  st->changed));
	tg_kv_free(&c.want_tun);
	tg_kv_free(&c.have_tun);
	tg_kv_free(&c.want4);
	tg_kv_free(&c.have4);
	tg_kv_free(&c.want6);
	tg_kv_free(&c.have6);
	tg_kv_free(&c.want_enc);
	tg_kv_free(&c.have_enc);
	tg_kv_free(&c.want_pol);
	tg_kv_free(&c.have_pol);
	tg_kv_free(&c.want_c4);
	tg_kv_free(&c.have_c4);
	tg_kv_free(&c.want_c6);
	tg_kv_free(&c.have_c6);
	tg_kv_free(&c.cur_tun);
	tg_kv_free(&c.cur4);
	tg_kv_free(&c.cur6);
	tg_kv_free(&c.hcur[0]);
	tg_kv_free(&c.hcur[1]);
	for (i = 0; i < 2; i++) {
		tg_kv_free(&c.slot_enc[i]);
		tg_kv_free(&c.slot_pol[i]);
	}
	free(c.cls);
	for (i = 0; c.name_of && i < m->capacity; i++)
		free(c.name_of[i]);
	free(c.name_of);
	free(c.live_have);
	free(c.live_want);
	free(c.touched);
	free(c.slot1);
	free(c.slot_known);
	free(c.changing);
	free(c.undo);
	return err;
}

int tg_sync(sqlite3 *db, const struct tg_maps *m, struct tg_sync_stats *st)
{
	struct tg_sync_opts o = {};
	int err;

	err = tg_sync_run(db, m, &o, st);
	if (err)
		pr_warn("sync: %s\n", st->failed);
	return err;
}
