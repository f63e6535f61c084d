// SPDX-License-Identifier: GPL-2.0-only
/* Diff-based synchronisation of the database into the data plane maps. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../bpf/lib/gcra.h"
#include "cli.h"
#include "db.h"
#include "log.h"
#include "sync.h"
#include "usage.h"

/* Entries per batch system call. */
#define SYNC_BATCH 4096

/* A sorted set of fixed-size key/value pairs, one map's contents. */
struct tg_kv {
	size_t n, cap;
	size_t ksz, vsz;
	__u8 *data;
};

static __u8 *kv_at(const struct tg_kv *s, size_t i)
{
	return s->data + i * (s->ksz + s->vsz);
}

static int kv_add(struct tg_kv *s, const void *k, const void *v)
{
	__u8 *nd;

	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		nd = realloc(s->data, s->cap * (s->ksz + s->vsz));
		if (!nd)
			return -ENOMEM;
		s->data = nd;
	}
	memcpy(kv_at(s, s->n), k, s->ksz);
	memcpy(kv_at(s, s->n) + s->ksz, v, s->vsz);
	s->n++;
	return 0;
}

static int kv_cmp(const void *a, const void *b, void *ksz)
{
	return memcmp(a, b, *(size_t *)ksz);
}

static void kv_sort(struct tg_kv *s)
{
	if (s->n)
		qsort_r(s->data, s->n, s->ksz + s->vsz, kv_cmp, &s->ksz);
}

/* Value of key k in sorted s, or NULL. */
static const __u8 *kv_find(const struct tg_kv *s, const void *k)
{
	size_t lo = 0, hi = s->n, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = memcmp(kv_at(s, mid), k, s->ksz);
		if (!c)
			return kv_at(s, mid) + s->ksz;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void kv_free(struct tg_kv *s)
{
	free(s->data);
	s->data = NULL;
	s->n = s->cap = 0;
}

/* Read every entry of map fd into s (unsorted) one by one. */
static int kv_read_iter(int fd, const char *name, struct tg_kv *s)
{
	__u8 key[64], next[64], val[64];
	void *prev = NULL;
	int err;

	while (!bpf_map_get_next_key(fd, prev, next)) {
		if (!bpf_map_lookup_elem(fd, next, val)) {
			err = kv_add(s, next, val);
			if (err)
				return err;
		} else if (errno != ENOENT) {
			err = -errno;
			pr_warn("sync: map %s: cannot read an entry: %s\n", name,
				strerror(-err));
			return err;
		}
		memcpy(key, next, s->ksz);
		prev = key;
	}
	if (errno != ENOENT) {
		err = -errno;
		pr_warn("sync: map %s: cannot iterate: %s\n", name,
			strerror(-err));
		return err;
	}
	return 0;
}

/*
 * Read map fd into s, sorted, with batch lookups where the map type has
 * them (hash, array), else one entry at a time (LPM tries). skip_zero:
 * leave out all-zero values (array slots nobody uses).
 */
static int kv_read_map(int fd, const char *name, struct tg_kv *s,
		       bool skip_zero)
{
	DECLARE_LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u8 *keys = NULL, *vals = NULL, *zero = NULL;
	/*
	 * The batch position: a bucket number for hash maps, but a whole key
	 * for maps using the kernel's generic batch code (LPM tries).
	 */
	__u64 in[8] = {}, out[8] = {};
	bool first = true;
	__u32 count, i;
	int err = 0, ret;

	keys = malloc(SYNC_BATCH * s->ksz);
	vals = malloc(SYNC_BATCH * s->vsz);
	zero = calloc(1, s->vsz);
	if (!keys || !vals || !zero) {
		err = -ENOMEM;
		goto out;
	}
	for (;;) {
		count = SYNC_BATCH;
		ret = bpf_map_lookup_batch(fd, first ? NULL : in, out, keys,
					   vals, &count, &opts);
		err = ret ? -errno : 0;
		if (err && err != -ENOENT) {
			if (first && (err == -EINVAL || err == -ENOTSUP ||
				      err == -EOPNOTSUPP)) {
				err = kv_read_iter(fd, name, s);
				break;
			}
			pr_warn("sync: map %s: cannot read: %s\n", name,
				strerror(-err));
			goto out;
		}
		for (i = 0; i < count; i++) {
			if (skip_zero && !memcmp(vals + i * s->vsz, zero, s->vsz))
				continue;
			ret = kv_add(s, keys + i * s->ksz, vals + i * s->vsz);
			if (ret) {
				err = ret;
				goto out;
			}
		}
		if (err == -ENOENT) {
			err = 0;
			break;
		}
		memcpy(in, out, sizeof(in));
		first = false;
	}
	if (!err)
		kv_sort(s);
out:
	free(keys);
	free(vals);
	free(zero);
	return err;
}

/* One write this sync did, to put back on failure. */
struct tg_undo {
	int fd;
	const char *map;
	bool had;		/* the key held old before */
	bool array;		/* array map: "absent" is all-zero */
	__u8 key[20];
	__u8 old[sizeof(struct tg_encap)];
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
	unsigned long kill_after; /* test hook: SIGKILL after this many */
};

/*
 * Test hook: with TUNGATE_TEST_SYNC_KILL_AFTER=N in the environment, a
 * sync kills itself (SIGKILL) right after its Nth map write, to test that
 * an interrupted sync leaves the maps usable and the next one repairs them.
 */
#define SYNC_KILL_ENV "TUNGATE_TEST_SYNC_KILL_AFTER"

static void sync_written(struct tg_sync_ctx *c)
{
	if (++c->writes == c->kill_after)
		raise(SIGKILL);
}

static void bit_set(__u8 *b, __u32 id, __u32 cap)
{
	if (id < cap)
		b[id / 8] |= 1 << (id % 8);
}

static bool bit_test(const __u8 *b, __u32 id, __u32 cap)
{
	return id < cap && (b[id / 8] & (1 << (id % 8)));
}

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
	tg_sub_tun_key(s, &k);
	tg_sub_tunnel(s, &t);
	tg_sub_encap(s, &c->set, &e);
	err = kv_add(&c->want_tun, &k, &t);
	if (!err)
		err = kv_add(&c->want_enc, &s->dp_id, &e);
	sync_police_of(c, s, &pol);
	if (!err && memcmp(&pol, &zpol, sizeof(pol)))
		err = kv_add(&c->want_pol, &s->dp_id, &pol);
	if (!err)
		err = sync_name(c, s->dp_id, s->name);
	for (j = 0; !err && j < s->nprefix; j++) {
		p = &s->prefix[j];
		if (p->family == AF_INET) {
			memset(&k4, 0, sizeof(k4));
			k4.prefixlen = p->len;
			memcpy(&k4.addr, p->addr, 4);
			err = kv_add(&c->want4, &k4, &t.sub_id);
		} else {
			memset(&k6, 0, sizeof(k6));
			k6.prefixlen = p->len;
			memcpy(k6.addr, p->addr, 16);
			err = kv_add(&c->want6, &k6, &t.sub_id);
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
			err = kv_add(&c->want_c4, &k4, &one);
		} else {
			memset(&k6, 0, sizeof(k6));
			k6.prefixlen = v[i].len;
			memcpy(k6.addr, v[i].addr, 16);
			err = kv_add(&c->want_c6, &k6, &one);
		}
	}
	free(v);
	kv_sort(&c->want_c4);
	kv_sort(&c->want_c6);
	return err;
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
	err = sync_want_community(c, db);
	if (err)
		goto out;
	if (dirty_only)
		err = tg_db_sub_list_dirty(db, &subs, &n);
	else
		err = tg_db_sub_list(db, true, &subs, &n);
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
	for (i = 0; i < n; i++) {
		err = sync_want_sub(c, &subs[i]);
		if (err)
			goto out;
	}
	kv_sort(&c->want_tun);
	kv_sort(&c->want4);
	kv_sort(&c->want6);
	kv_sort(&c->want_enc);
	kv_sort(&c->want_pol);
	for (i = 1; i < c->want_tun.n; i++) {
		const struct tg_tunnel *a, *b;

		if (memcmp(kv_at(&c->want_tun, i - 1), kv_at(&c->want_tun, i),
			   sizeof(struct tg_tun_key)))
			continue;
		a = (const void *)(kv_at(&c->want_tun, i - 1) + c->want_tun.ksz);
		b = (const void *)(kv_at(&c->want_tun, i) + c->want_tun.ksz);
		snprintf(c->st->failed, sizeof(c->st->failed),
			 "subscribers '%s' and '%s' have the same tunnel identity",
			 c->name_of[a->sub_id], c->name_of[b->sub_id]);
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
		memcpy(&o[i].id, kv_at(s, i) + s->ksz, 4);
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
	enc = kv_find(&c->want_enc, &id);
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
		memcpy(b + off, kv_at(&c->want4, o4[f4 + i].idx), c->want4.ksz);
	for (i = 0; i < h.n6; i++, off += c->want6.ksz)
		memcpy(b + off, kv_at(&c->want6, o6[f6 + i].idx), c->want6.ksz);
	pol = kv_find(&c->want_pol, &id);
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
		/* Recorded before policing (no tg_police): the map's. */
		if (len == base + sizeof(pol))
			memcpy(&pol, b + base, sizeof(pol));
		else if (len != base ||
			 bpf_map_lookup_elem(c->m->police, &id, &pol))
			continue;
		err = sync_name(c, id, (const char *)sqlite3_column_text(st, 1));
		if (!err)
			err = kv_add(&c->have_tun, &h->key, &h->tun);
		if (!err)
			err = kv_add(&c->have_enc, &id, &h->enc);
		off = sizeof(*h);
		for (i = 0; !err && i < h->n4; i++) {
			err = kv_add(&c->have4, b + off, &id);
			off += sizeof(struct tg_lpm4_key);
		}
		for (i = 0; !err && i < h->n6; i++) {
			err = kv_add(&c->have6, b + off, &id);
			off += sizeof(struct tg_lpm6_key);
		}
		if (!err && memcmp(&pol, &zpol, sizeof(pol)))
			err = kv_add(&c->have_pol, &id, &pol);
		if (err)
			goto out;
	}
	err = rc == SQLITE_DONE ? 0 : -EIO;
	kv_sort(&c->have_tun);
	kv_sort(&c->have_enc);
	kv_sort(&c->have_pol);
	kv_sort(&c->have4);
	kv_sort(&c->have6);
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

	err = kv_read_map(c->m->community4, "tg_community4", &c->have_c4,
			  false);
	if (!err)
		err = kv_read_map(c->m->community6, "tg_community6",
				  &c->have_c6, false);
	if (err)
		snprintf(c->st->failed, sizeof(c->st->failed),
			 "cannot read the community maps: %s", strerror(-err));
	return err;
}

static int sync_have_maps(struct tg_sync_ctx *c)
{
	int err;

	err = kv_read_map(c->m->tunnels, "tg_tunnels", &c->have_tun, false);
	if (!err)
		err = kv_read_map(c->m->prefix4, "tg_prefix4", &c->have4, false);
	if (!err)
		err = kv_read_map(c->m->prefix6, "tg_prefix6", &c->have6, false);
	if (!err)
		err = kv_read_map(c->m->encap, "tg_encap", &c->have_enc, true);
	if (!err)
		err = kv_read_map(c->m->police, "tg_police", &c->have_pol, true);
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
		memcpy(&id, kv_at(want, i) + id_off, sizeof(id));
		v = kv_find(have, kv_at(want, i));
		if (v && !memcmp(v, kv_at(want, i) + want->ksz, want->vsz))
			continue;
		if (v) {
			memcpy(&old, v - want->ksz + id_off, sizeof(old));
			bit_set(c->touched, old, cap);
		}
		bit_set(c->touched, id, cap);
	}
	for (i = 0; i < have->n; i++) {
		if (kv_find(want, kv_at(have, i)))
			continue;
		memcpy(&id, kv_at(have, i) + id_off, sizeof(id));
		bit_set(c->touched, id, cap);
	}
}

static int sync_undo_add(struct tg_sync_ctx *c, int fd, const char *map,
			 const void *k, __u32 ksz, const void *old, __u32 vsz)
{
	struct tg_undo *u;

	if (c->nundo == c->capundo) {
		c->capundo = c->capundo ? c->capundo * 2 : 256;
		u = realloc(c->undo, c->capundo * sizeof(*u));
		if (!u)
			return -ENOMEM;
		c->undo = u;
	}
	u = &c->undo[c->nundo++];
	u->fd = fd;
	u->map = map;
	u->ksz = ksz;
	u->vsz = vsz;
	memcpy(u->key, k, ksz);
	u->had = old != NULL;
	u->array = fd == c->m->encap || fd == c->m->config;
	if (old)
		memcpy(u->old, old, vsz);
	else
		memset(u->old, 0, vsz);
	return 0;
}

/* Put back, newest first, what this sync wrote: 0, or -EIO when some failed. */
static int sync_rollback(struct tg_sync_ctx *c)
{
	struct tg_undo *u;
	size_t i;
	int bad = 0;

	for (i = c->nundo; i-- > 0;) {
		u = &c->undo[i];
		if (u->had || u->array) {
			if (bpf_map_update_elem(u->fd, u->key, u->old, BPF_ANY))
				bad++;
		} else if (bpf_map_delete_elem(u->fd, u->key) && errno != ENOENT) {
			bad++;
		}
	}
	if (bad)
		pr_warn("sync: %d entries could not be put back\n", bad);
	else
		pr_info("sync: %zu written entries put back\n", c->nundo);
	return bad ? -EIO : 0;
}

static int sync_fail(struct tg_sync_ctx *c, const char *map, const char *what,
		     int err)
{
	snprintf(c->st->failed, sizeof(c->st->failed),
		 "map %s: cannot %s an entry: %s%s", map, what, strerror(-err),
		 err == -E2BIG || err == -ENOSPC || err == -ENOMEM ?
		 " (map full?)" : "");
	return err;
}

/*
 * Write n key/value pairs to fd, batched where the map takes it. undo:
 * the last n entries of the undo log are these pairs; on failure those
 * never written are dropped from it.
 */
static int sync_write_many(struct tg_sync_ctx *c, int fd, const char *map,
			   const __u8 *keys, const __u8 *vals, size_t n,
			   size_t ksz, size_t vsz, bool batch, bool undo)
{
	DECLARE_LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = BPF_ANY);
	size_t i = 0;
	__u32 count;
	int err;

	while (batch && i < n) {
		count = n - i < SYNC_BATCH ? n - i : SYNC_BATCH;
		if (!bpf_map_update_batch(fd, keys + i * ksz, vals + i * vsz,
					  &count, &opts)) {
			sync_written(c);
			i += count;
			continue;
		}
		/*
		 * No batch support, or a failure somewhere in this chunk: go
		 * on one by one from its start (writes are idempotent), which
		 * finds the entry that fails.
		 */
		batch = false;
	}
	for (; i < n; i++) {
		if (bpf_map_update_elem(fd, keys + i * ksz, vals + i * vsz,
					BPF_ANY)) {
			err = -errno;
			goto fail;
		}
		sync_written(c);
	}
	return 0;
fail:
	if (undo && i < n)
		c->nundo -= n - i;
	return sync_fail(c, map, "write", err);
}

/* Write the entries of want that differ from have (with undo). */
static int sync_write_diff(struct tg_sync_ctx *c, int fd, const char *map,
			   const struct tg_kv *want, const struct tg_kv *have,
			   bool batch)
{
	__u8 *keys, *vals;
	const __u8 *v;
	size_t i, n = 0;
	int err = 0;

	keys = malloc(want->n * want->ksz + 1);
	vals = malloc(want->n * want->vsz + 1);
	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < want->n; i++) {
		v = kv_find(have, kv_at(want, i));
		if (v && !memcmp(v, kv_at(want, i) + want->ksz, want->vsz))
			continue;
		err = sync_undo_add(c, fd, map, kv_at(want, i), want->ksz, v,
				    want->vsz);
		if (err)
			goto out;
		memcpy(keys + n * want->ksz, kv_at(want, i), want->ksz);
		memcpy(vals + n * want->vsz, kv_at(want, i) + want->ksz,
		       want->vsz);
		n++;
	}
	err = sync_write_many(c, fd, map, keys, vals, n, want->ksz, want->vsz,
			      batch, true);
out:
	free(keys);
	free(vals);
	return err;
}

/* Delete (or for arrays, zero) the entries of have that want lacks. */
static int sync_delete_diff(struct tg_sync_ctx *c, int fd, const char *map,
			    const struct tg_kv *want, const struct tg_kv *have,
			    bool array)
{
	__u8 zero[sizeof(struct tg_encap)] = {};
	size_t i;
	int err;

	for (i = 0; i < have->n; i++) {
		if (kv_find(want, kv_at(have, i)))
			continue;
		err = sync_undo_add(c, fd, map, kv_at(have, i), have->ksz,
				    kv_at(have, i) + have->ksz, have->vsz);
		if (err)
			return err;
		if (array)
			err = bpf_map_update_elem(fd, kv_at(have, i), zero,
						  BPF_ANY) ? -errno : 0;
		else
			err = bpf_map_delete_elem(fd, kv_at(have, i)) &&
			      errno != ENOENT ? -errno : 0;
		if (err)
			return sync_fail(c, map, array ? "clear" : "delete", err);
		sync_written(c);
	}
	return 0;
}

static int sync_zero_flush(struct tg_sync_ctx *c, const __u32 *ids, size_t n,
			   const __u8 *stats, size_t vsz_stats,
			   const __u8 *peers, const __u8 *buckets)
{
	int err;

	err = sync_write_many(c, c->m->sub_stats, "tg_sub_stats",
			      (const __u8 *)ids, stats, n, sizeof(*ids),
			      vsz_stats, true, false);
	if (!err)
		err = sync_write_many(c, c->m->peer, "tg_peer",
				      (const __u8 *)ids, peers, n, sizeof(*ids),
				      sizeof(struct tg_peer), true, false);
	if (!err)
		err = sync_write_many(c, c->m->bucket, "tg_bucket",
				      (const __u8 *)ids, buckets, n,
				      sizeof(*ids), sizeof(struct tg_bucket),
				      true, false);
	return err;
}

/*
 * Zero the per-CPU counters, the peer state and the policing state of every
 * new sub_id.
 */
static int sync_zero_new(struct tg_sync_ctx *c)
{
	__u32 cap = c->m->capacity, id;
	__u8 *stats = NULL, *peers = NULL, *buckets = NULL;
	__u32 *ids = NULL;
	size_t vsz_stats, n = 0;
	int ncpu, err = 0;

	ncpu = libbpf_num_possible_cpus();
	if (ncpu < 0)
		return ncpu;
	vsz_stats = ncpu * sizeof(struct tg_sub_counters);
	ids = malloc(SYNC_BATCH * sizeof(*ids));
	stats = calloc(SYNC_BATCH, vsz_stats);
	peers = calloc(SYNC_BATCH, sizeof(struct tg_peer));
	buckets = calloc(SYNC_BATCH, sizeof(struct tg_bucket));
	if (!ids || !stats || !peers || !buckets) {
		err = -ENOMEM;
		goto out;
	}
	for (id = 1; id < cap && !err; id++) {
		if (!bit_test(c->live_want, id, cap) ||
		    bit_test(c->live_have, id, cap))
			continue;
		ids[n++] = id;
		if (n == SYNC_BATCH) {
			err = sync_zero_flush(c, ids, n, stats, vsz_stats, peers,
					      buckets);
			n = 0;
		}
	}
	if (!err && n)
		err = sync_zero_flush(c, ids, n, stats, vsz_stats, peers,
					      buckets);
out:
	free(ids);
	free(stats);
	free(peers);
	free(buckets);
	return err;
}

static int sync_config(struct tg_sync_ctx *c)
{
	struct tg_config want, have;
	__u32 key = 0;

	tg_settings_config(&c->set, &want);
	if (bpf_map_lookup_elem(c->m->config, &key, &have))
		memset(&have, 0, sizeof(have));
	if (!memcmp(&want, &have, sizeof(want)))
		return 0;
	if (c->o->dry_run)
		return 0;
	if (sync_undo_add(c, c->m->config, "tg_config", &key, sizeof(key),
			  &have, sizeof(have)))
		return -ENOMEM;
	if (bpf_map_update_elem(c->m->config, &key, &want, BPF_ANY))
		return sync_fail(c, "tg_config", "write", -errno);
	sync_written(c);
	return 0;
}

/* New community prefixes (write), or those no longer wanted (!write). */
static int sync_community(struct tg_sync_ctx *c, bool write)
{
	int err;

	if (write) {
		err = sync_write_diff(c, c->m->community4, "tg_community4",
				      &c->want_c4, &c->have_c4, false);
		if (!err)
			err = sync_write_diff(c, c->m->community6,
					      "tg_community6", &c->want_c6,
					      &c->have_c6, false);
		return err;
	}
	err = sync_delete_diff(c, c->m->community4, "tg_community4",
			       &c->want_c4, &c->have_c4, false);
	if (!err)
		err = sync_delete_diff(c, c->m->community6, "tg_community6",
				       &c->want_c6, &c->have_c6, false);
	return err;
}

/* Up to this many subscribers changing, a sync writes one at a time. */
#define SYNC_ONE_BY_ONE 256

/* Entries of s owned by id (o: owned_build(s)) into a fresh set. */
static int sync_subset(const struct tg_kv *s, const struct tg_owned *o,
		       __u32 id, struct tg_kv *out)
{
	size_t first, n, i;
	int err = 0;

	out->ksz = s->ksz;
	out->vsz = s->vsz;
	n = owned_range(o, s->n, id, &first);
	for (i = 0; i < n && !err; i++)
		err = kv_add(out, kv_at(s, o[first + i].idx),
			     kv_at(s, o[first + i].idx) + s->ksz);
	return err;
}

/* The entry of id in s (keyed by id) into a fresh set. */
static int sync_subset_id(const struct tg_kv *s, __u32 id, struct tg_kv *out)
{
	const __u8 *v = kv_find(s, &id);

	out->ksz = s->ksz;
	out->vsz = s->vsz;
	return v ? kv_add(out, &id, v) : 0;
}

/*
 * One subscriber's writes, in the order of sync_apply(): its tunnel entries
 * no longer wanted, its encapsulation and policing, its prefixes, its
 * tunnel entries, its prefixes no longer wanted; for one removed, its
 * policing and encapsulation last. Entries moving to another subscriber
 * are written by that one and never deleted.
 */
static int sync_apply_one(struct tg_sync_ctx *c, __u32 id,
			  struct tg_owned *const own[6])
{
	const struct tg_kv *full[6] = { &c->want_tun, &c->have_tun, &c->want4,
					&c->have4, &c->want6, &c->have6 };
	struct tg_kv sub[6] = {}, we = {}, he = {}, wp = {}, hp = {};
	bool removed = !bit_test(c->live_want, id, c->m->capacity);
	int i, err = 0;

	for (i = 0; i < 6 && !err; i++)
		err = sync_subset(full[i], own[i], id, &sub[i]);
	if (!err)
		err = sync_subset_id(&c->want_enc, id, &we);
	if (!err)
		err = sync_subset_id(&c->have_enc, id, &he);
	if (!err)
		err = sync_subset_id(&c->want_pol, id, &wp);
	if (!err)
		err = sync_subset_id(&c->have_pol, id, &hp);
	if (!err)
		err = sync_delete_diff(c, c->m->tunnels, "tg_tunnels",
				       &c->want_tun, &sub[1], false);
	if (!err)
		err = sync_write_diff(c, c->m->encap, "tg_encap", &we,
				      &c->have_enc, false);
	if (!err)
		err = sync_write_diff(c, c->m->police, "tg_police", &wp,
				      &c->have_pol, false);
	if (!err)
		err = sync_write_diff(c, c->m->prefix4, "tg_prefix4", &sub[2],
				      &c->have4, false);
	if (!err)
		err = sync_write_diff(c, c->m->prefix6, "tg_prefix6", &sub[4],
				      &c->have6, false);
	if (!err)
		err = sync_write_diff(c, c->m->tunnels, "tg_tunnels", &sub[0],
				      &c->have_tun, false);
	if (!err)
		err = sync_delete_diff(c, c->m->prefix4, "tg_prefix4",
				       &c->want4, &sub[3], false);
	if (!err)
		err = sync_delete_diff(c, c->m->prefix6, "tg_prefix6",
				       &c->want6, &sub[5], false);
	/* Policing dropped (class without rates) or the subscriber gone. */
	if (!err)
		err = sync_delete_diff(c, c->m->police, "tg_police",
				       &c->want_pol, &hp, true);
	if (!err && removed)
		err = sync_delete_diff(c, c->m->encap, "tg_encap",
				       &c->want_enc, &he, true);
	for (i = 0; i < 6; i++)
		kv_free(&sub[i]);
	kv_free(&we);
	kv_free(&he);
	kv_free(&wp);
	kv_free(&hp);
	return err;
}

/* Entries whose owner is outside 1..capacity-1 (no subscriber's). */
static int sync_delete_stale(struct tg_sync_ctx *c)
{
	const struct tg_kv *have[3] = { &c->have_tun, &c->have4, &c->have6 };
	const struct tg_kv *want[3] = { &c->want_tun, &c->want4, &c->want6 };
	int fds[3] = { c->m->tunnels, c->m->prefix4, c->m->prefix6 };
	const char *names[3] = { "tg_tunnels", "tg_prefix4", "tg_prefix6" };
	struct tg_kv stale;
	size_t i;
	__u32 id;
	int k, err = 0;

	for (k = 0; k < 3 && !err; k++) {
		memset(&stale, 0, sizeof(stale));
		stale.ksz = have[k]->ksz;
		stale.vsz = have[k]->vsz;
		for (i = 0; i < have[k]->n && !err; i++) {
			memcpy(&id, kv_at(have[k], i) + have[k]->ksz, sizeof(id));
			if (id && id < c->m->capacity)
				continue;
			err = kv_add(&stale, kv_at(have[k], i),
				     kv_at(have[k], i) + have[k]->ksz);
		}
		if (!err)
			err = sync_delete_diff(c, fds[k], names[k], want[k],
					       &stale, false);
		kv_free(&stale);
	}
	return err;
}

/*
 * A few subscribers changing: each one's writes together, so that a sync
 * interrupted half-way (killed) leaves at most one subscriber between its
 * old and new entries. Those staying or new first, those removed last:
 * whatever pointed at a removed one points elsewhere by then.
 */
static int sync_apply_each(struct tg_sync_ctx *c, const __u32 *ids, size_t n)
{
	struct tg_owned *own[6] = {
		owned_build(&c->want_tun), owned_build(&c->have_tun),
		owned_build(&c->want4), owned_build(&c->have4),
		owned_build(&c->want6), owned_build(&c->have6),
	};
	size_t i;
	int k, pass, err = 0;

	for (k = 0; k < 6; k++)
		if (!own[k])
			err = -ENOMEM;
	if (!err)
		err = sync_zero_new(c);
	if (!err)
		err = sync_community(c, true);
	for (pass = 0; pass < 2 && !err; pass++)
		for (i = 0; i < n && !err; i++)
			if (bit_test(c->live_want, ids[i], c->m->capacity) ==
			    !pass)
				err = sync_apply_one(c, ids[i], own);
	/* Leftovers of no subscriber (ids out of range): none, usually. */
	if (!err)
		err = sync_delete_stale(c);
	if (!err)
		err = sync_community(c, false);
	if (!err)
		err = sync_config(c);
	for (k = 0; k < 6; k++)
		free(own[k]);
	return err;
}

/*
 * Many subscribers changing (an import, the first sync): map by map in
 * batches, in an order that keeps every packet on whole entries.
 */
static int sync_apply_bulk(struct tg_sync_ctx *c)
{
	int err;

	/* Tunnels no longer wanted go first: no packet matches them after. */
	err = sync_delete_diff(c, c->m->tunnels, "tg_tunnels", &c->want_tun,
			       &c->have_tun, false);
	if (!err)
		err = sync_zero_new(c);
	if (!err)
		err = sync_write_diff(c, c->m->encap, "tg_encap", &c->want_enc,
				      &c->have_enc, true);
	if (!err)
		err = sync_write_diff(c, c->m->police, "tg_police",
				      &c->want_pol, &c->have_pol, true);
	if (!err)
		err = sync_community(c, true);
	if (!err)
		err = sync_write_diff(c, c->m->prefix4, "tg_prefix4", &c->want4,
				      &c->have4, false);
	if (!err)
		err = sync_write_diff(c, c->m->prefix6, "tg_prefix6", &c->want6,
				      &c->have6, false);
	if (!err)
		err = sync_write_diff(c, c->m->tunnels, "tg_tunnels",
				      &c->want_tun, &c->have_tun, true);
	if (!err)
		err = sync_delete_diff(c, c->m->prefix4, "tg_prefix4",
				       &c->want4, &c->have4, false);
	if (!err)
		err = sync_delete_diff(c, c->m->prefix6, "tg_prefix6",
				       &c->want6, &c->have6, false);
	if (!err)
		err = sync_community(c, false);
	if (!err)
		err = sync_delete_diff(c, c->m->police, "tg_police",
				       &c->want_pol, &c->have_pol, true);
	if (!err)
		err = sync_delete_diff(c, c->m->encap, "tg_encap", &c->want_enc,
				       &c->have_enc, true);
	if (!err)
		err = sync_config(c);
	return err;
}

static bool sync_id_changes(const struct tg_sync_ctx *c, __u32 id)
{
	__u32 cap = c->m->capacity;

	return bit_test(c->touched, id, cap) ||
	       bit_test(c->live_want, id, cap) != bit_test(c->live_have, id, cap);
}

static int sync_apply(struct tg_sync_ctx *c)
{
	__u32 cap = c->m->capacity, id, *ids;
	size_t n = 0;
	int err;

	/* Added, removed, or with some entry that differs. */
	for (id = 1; id < cap; id++)
		n += sync_id_changes(c, id);
	if (n > SYNC_ONE_BY_ONE)
		return sync_apply_bulk(c);
	ids = malloc((n + 1) * sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	for (n = 0, id = 1; id < cap; id++)
		if (sync_id_changes(c, id))
			ids[n++] = id;
	err = sync_apply_each(c, ids, n);
	free(ids);
	return err;
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
	char buf[TG_NAME_MAX + 16], ***list;
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
		*list = realloc(*list, (n[k] + 1) * sizeof(char *));
		if (!*list)
			return -ENOMEM;
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
		      m->community4, m->community6 };
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
	sqlite3_stmt *st = NULL;
	const struct tg_tunnel *t;
	size_t i, len;
	__u8 *blob;
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
	for (i = 0; i < c->want_tun.n; i++) {
		t = (const void *)(kv_at(&c->want_tun, i) + c->want_tun.ksz);
		err = sync_state_blob(c, t->sub_id, kv_at(&c->want_tun, i), o4,
				      o6, &blob, &len);
		if (err)
			goto out;
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, t->sub_id);
		sqlite3_bind_text(st, 2, c->name_of[t->sub_id], -1,
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
	};
	char ident[256], old_ident[256], *env;
	bool incremental = false, in_txn = false, wrote = false;
	bool unsure = false;	/* the maps may differ from the record */
	unsigned int total, i;
	size_t j;
	__u32 id;
	int err;

	memset(st, 0, sizeof(*st));
	if (m->capacity < 2)
		return -EINVAL;
	env = getenv(SYNC_KILL_ENV);
	if (env)
		c.kill_after = strtoul(env, NULL, 10);
	c.live_have = calloc(m->capacity / 8 + 1, 1);
	c.live_want = calloc(m->capacity / 8 + 1, 1);
	c.touched = calloc(m->capacity / 8 + 1, 1);
	c.name_of = calloc(m->capacity, sizeof(char *));
	if (!c.live_have || !c.live_want || !c.touched || !c.name_of) {
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
		incremental = !o->full && !sync_interrupted(m) &&
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
	err = incremental ? sync_have_state(&c, db) : sync_have_maps(&c);
	if (!err)
		err = sync_have_community(&c);
	if (err)
		goto out;
	for (j = 0; j < c.have_tun.n; j++) {
		memcpy(&id, kv_at(&c.have_tun, j) + c.have_tun.ksz, sizeof(id));
		bit_set(c.live_have, id, m->capacity);
	}
	for (j = 0; j < c.have_enc.n; j++) {
		memcpy(&id, kv_at(&c.have_enc, j), sizeof(id));
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
	kv_free(&c.want_tun);
	kv_free(&c.have_tun);
	kv_free(&c.want4);
	kv_free(&c.have4);
	kv_free(&c.want6);
	kv_free(&c.have6);
	kv_free(&c.want_enc);
	kv_free(&c.have_enc);
	kv_free(&c.want_pol);
	kv_free(&c.have_pol);
	kv_free(&c.want_c4);
	kv_free(&c.have_c4);
	kv_free(&c.want_c6);
	kv_free(&c.have_c6);
	free(c.cls);
	for (i = 0; c.name_of && i < m->capacity; i++)
		free(c.name_of[i]);
	free(c.name_of);
	free(c.live_have);
	free(c.live_want);
	free(c.touched);
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
