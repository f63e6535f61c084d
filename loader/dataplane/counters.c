// SPDX-License-Identifier: GPL-2.0-only
/* Reading the data plane's counters, summed over CPUs, with names. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "util/cli.h"
#include "dataplane/counters.h"
#include "dataplane/liveness.h"
#include "dataplane/subcount.h"
#include "db/db.h"

/* Bytes of values fetched per batch lookup. */
#define BATCH_BYTES (1U << 21)
/* Up to this many subscribers, single lookups beat a scan of the map. */
#define SINGLE_MAX 256

void tg_db_low_memory(sqlite3 *db)
{
	sqlite3_exec(db, "PRAGMA mmap_size = 0; PRAGMA cache_size = -2048",
		     NULL, NULL, NULL);
}

bool tg_maps_pinned(const char *root)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/tg_sub_stats", root);
	return !access(path, F_OK);
}

int tg_maps_require(const char *cmd, const char *root)
{
	if (tg_maps_pinned(root))
		return 0;
	tg_err("%s: no data plane maps under %s; run 'tungate sync' or 'tungate up' first",
	       cmd, root);
	return -ENOENT;
}

int tg_counters_open(const char *cmd, const char *root, bool low_memory,
		     sqlite3 **db, struct tg_maps *m)
{
	int ret;

	ret = tg_maps_require(cmd, root);
	if (ret)
		return ret;
	ret = tg_db_open(tg_db_path(), false, db);
	if (ret)
		return ret;
	if (low_memory)
		tg_db_low_memory(*db);
	return tg_maps_open_pinned(root, m);
}

bool tg_reason_sub_drop(__u32 reason)
{
	switch (reason) {
	case TG_R_SPOOFED_SRC:
	case TG_R_BAD_COOKIE:
	case TG_R_GRE_BAD_CSUM:
	case TG_R_INNER_MALFORMED:
	case TG_R_TOO_BIG:
	case TG_R_NO_PEER_MAC:
	case TG_R_POLICED_UP:
	case TG_R_POLICED_DOWN:
	case TG_R_SCOPE:
	case TG_R_RESERVED_DST:
		return true;
	}
	return false;
}

__u64 tg_sub_drops(const struct tg_sub_counters *c)
{
	__u64 sum = 0;
	__u32 r;

	for (r = 0; r < TG_R_SUB_MAX; r++)
		if (tg_reason_sub_drop(r))
			sum += c->reasons[r];
	return sum;
}

/* cur - prev, 0 when the counter went back (a reset). */
static double delta(__u64 prev, __u64 cur)
{
	return cur > prev ? (double)(cur - prev) : 0;
}

void tg_sub_rate(const struct tg_sub_counters *prev,
		 const struct tg_sub_counters *cur, __u64 dt_ns,
		 struct tg_sub_rate *r)
{
	double dt = dt_ns ? dt_ns / 1e9 : 1;
	int d;

	for (d = 0; d < TG_DIR_MAX; d++) {
		r->bits[d] = delta(prev->bytes[d], cur->bytes[d]) * 8 / dt;
		r->packets[d] = delta(prev->packets[d], cur->packets[d]) / dt;
	}
	r->drops = delta(tg_sub_drops(prev), tg_sub_drops(cur)) / dt;
}

void tg_fmt_si(double v, char *buf, size_t len)
{
	static const char units[] = " kMGTP";
	int u = 0;

	while (v >= 999.95 && u < 5) {
		v /= 1000;
		u++;
	}
	if (!u)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.*f%c", v < 99.95 ? 1 : 0, v, units[u]);
}

void tg_fmt_bits(double bps, char *buf, size_t len)
{
	char si[16];
	size_t n;

	tg_fmt_si(bps, si, sizeof(si));
	n = strlen(si);
	if (si[n - 1] > '9')
		snprintf(buf, len, "%.*s %cbit/s", (int)n - 1, si, si[n - 1]);
	else
		snprintf(buf, len, "%s bit/s", si);
}

/* Append a string to the arena; its offset in *off. */
static int arena_add(struct tg_snap *s, const char *str, size_t *off)
{
	size_t len = strlen(str) + 1;
	char *p;

	if (s->strings_len + len > s->strings_cap) {
		size_t cap = s->strings_cap ? s->strings_cap * 2 : 4096;

		while (cap < s->strings_len + len)
			cap *= 2;
		p = realloc(s->strings, cap);
		if (!p)
			return -ENOMEM;
		s->strings = p;
		s->strings_cap = cap;
	}
	memcpy(s->strings + s->strings_len, str, len);
	*off = s->strings_len;
	s->strings_len += len;
	return 0;
}

/* Distinct class names remembered while loading (classes are few). */
#define CLASS_CACHE 16
struct class_cache {
	size_t off[CLASS_CACHE];
	unsigned int n;
};

/* The arena offset of class cls, shared by the subscribers of that class. */
static int class_off(struct tg_snap *s, struct class_cache *cc,
		     const char *cls, size_t *off)
{
	unsigned int i;
	int ret;

	for (i = 0; i < cc->n; i++)
		if (!strcmp(s->strings + cc->off[i], cls)) {
			*off = cc->off[i];
			return 0;
		}
	ret = arena_add(s, cls, off);
	if (!ret && cc->n < CLASS_CACHE)
		cc->off[cc->n++] = *off;
	return ret;
}

static int snap_add(struct tg_snap *s, size_t *cap, struct class_cache *cc,
		    const char *name, const char *cls, __s64 dp_id)
{
	struct tg_sub_snap *e, *v;
	size_t noff, coff;

	if (s->n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		v = realloc(s->subs, *cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		s->subs = v;
	}
	if (arena_add(s, name, &noff) || class_off(s, cc, cls, &coff))
		return -ENOMEM;
	e = &s->subs[s->n];
	memset(e, 0, sizeof(*e));
	/* Offsets until the arena stops moving; pointers after. */
	e->name = (const char *)(uintptr_t)noff;
	e->cls = (const char *)(uintptr_t)coff;
	e->dp_id = dp_id > 0 && dp_id < s->capacity ? (__u32)dp_id : 0;
	if (e->dp_id)
		s->index[e->dp_id] = s->n;
	s->n++;
	return 0;
}

/* Room for the rows counted now: no regrowth (and twice the memory). */
static int snap_reserve(sqlite3 *db, struct tg_snap *s, size_t *cap)
{
	sqlite3_stmt *st;
	int ret = -EIO;

	if (sqlite3_prepare_v2(db,
			       "SELECT count(*), total(length(name)) FROM subscriber"
			       " WHERE enabled = 1 AND dp_id IS NOT NULL",
			       -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	if (sqlite3_step(st) == SQLITE_ROW) {
		*cap = sqlite3_column_int64(st, 0) + 16;
		s->strings_cap = (size_t)sqlite3_column_double(st, 1) + *cap +
				 4096;
		s->subs = malloc(*cap * sizeof(*s->subs));
		s->strings = malloc(s->strings_cap);
		ret = s->subs && s->strings ? 0 : -ENOMEM;
	}
	sqlite3_finalize(st);
	return ret;
}

int tg_snap_load(sqlite3 *db, const char *only, __u32 capacity,
		 struct tg_snap *s)
{
	static const char all_sql[] =
		"SELECT name, dp_id, COALESCE(class, (SELECT name FROM class"
		" WHERE name = 'default'), ''), enabled FROM subscriber"
		" WHERE enabled = 1 AND dp_id IS NOT NULL ORDER BY name";
	static const char one_sql[] =
		"SELECT name, dp_id, COALESCE(class, (SELECT name FROM class"
		" WHERE name = 'default'), ''), enabled FROM subscriber"
		" WHERE name = ?";
	struct class_cache cc = { .n = 0 };
	struct tg_settings set;
	sqlite3_stmt *st = NULL;
	size_t cap = 0, i;
	int ret = 0, rc;
	__u32 k;

	memset(s, 0, sizeof(*s));
	s->capacity = capacity;
	s->index = malloc((capacity ? capacity : 1) * sizeof(*s->index));
	if (!s->index)
		return -ENOMEM;
	for (k = 0; k < capacity; k++)
		s->index[k] = -1;
	if (sqlite3_prepare_v2(db, only ? one_sql : all_sql, -1, &st,
			       NULL) != SQLITE_OK) {
		ret = -EIO;
		goto out;
	}
	if (only)
		sqlite3_bind_text(st, 1, only, -1, SQLITE_STATIC);
	else if ((ret = snap_reserve(db, s, &cap)))
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		const char *cls = (const char *)sqlite3_column_text(st, 2);

		if (only && !sqlite3_column_int(st, 3)) {
			ret = -ENODATA;
			goto out;
		}
		ret = snap_add(s, &cap, &cc, name ? name : "", cls ? cls : "",
			       sqlite3_column_type(st, 1) == SQLITE_NULL ? 0 :
			       sqlite3_column_int64(st, 1));
		if (ret)
			goto out;
	}
	if (rc != SQLITE_DONE)
		ret = -EIO;
	else if (only && !s->n)
		ret = -ENOENT;
out:
	sqlite3_finalize(st);
	if (ret) {
		tg_snap_free(s);
		return ret;
	}
	for (i = 0; i < s->n; i++) {
		s->subs[i].name = s->strings + (uintptr_t)s->subs[i].name;
		s->subs[i].cls = s->strings + (uintptr_t)s->subs[i].cls;
	}
	/* An invalid setting is sync's to refuse: here the default stands. */
	s->live_timeout = tg_db_settings_load(db, &set) ? TG_LIVENESS_TIMEOUT_S :
			  set.liveness_timeout;
	return 0;
}

void tg_snap_free(struct tg_snap *s)
{
	free(s->subs);
	free(s->index);
	free(s->strings);
	memset(s, 0, sizeof(*s));
}

/*
 * How the values of a map sum up: each element has ncpus values (a per-CPU
 * map, else 1) of stride __u64s, of which the first nf are summed; each
 * key stands for per_key elements in a row (tg_sub_stats: a subscriber's
 * line of each CPU), else 1.
 */
struct u64s_shape {
	size_t nf;
	size_t stride;
	int ncpus;
	__u32 per_key;
};

/* Add the values of one element to sum. */
static void percpu_add(__u64 *sum, const __u64 *v, const struct u64s_shape *sh)
{
	size_t f;
	int cpu;

	for (cpu = 0; cpu < sh->ncpus; cpu++)
		for (f = 0; f < sh->nf; f++)
			sum[f] += v[cpu * sh->stride + f];
}

/* The kernel has no batch operations for this map (ENOTSUPP: 524). */
static bool no_batch(int ret)
{
	return ret == -EINVAL || ret == -EOPNOTSUPP || ret == -524;
}

/*
 * Sum the elements of a map of __u64 fields (struct u64s_shape): each key
 * for which dest(ctx, key, i) gives a place is added there (i: the
 * position of key in the keys given, SIZE_MAX in a scan of the map).
 * Batch lookups of the whole map, or single lookups of the keys given
 * (keys NULL: 0..n-1).
 */
typedef __u64 *(*dest_fn)(void *ctx, __u32 key, size_t i);

static int percpu_single(int fd, const struct u64s_shape *sh,
			 const __u32 *keys, size_t nkeys, dest_fn dest,
			 void *ctx)
{
	__u64 *buf;
	size_t i;
	__u32 e, k;
	int ret = 0;

	buf = malloc(sh->stride * sizeof(__u64) * sh->ncpus);
	if (!buf)
		return -ENOMEM;
	for (i = 0; i < nkeys && !ret; i++) {
		__u32 key = keys ? keys[i] : i;
		__u64 *d = dest(ctx, key, i);

		if (!d)
			continue;
		for (e = 0; e < sh->per_key; e++) {
			k = key * sh->per_key + e;
			if (bpf_map_lookup_elem(fd, &k, buf)) {
				ret = -errno;
				break;
			}
			percpu_add(d, buf, sh);
		}
	}
	free(buf);
	return ret;
}

static int percpu_scan(int fd, __u32 max, const struct u64s_shape *sh,
		       dest_fn dest, void *ctx)
{
	size_t vsz = sh->stride * sizeof(__u64) * sh->ncpus;
	__u32 chunk = BATCH_BYTES / vsz, count, i, in = 0, out = 0;
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	bool first = true, done = false;
	__u32 *keys;
	__u64 *vals;
	int ret = 0;

	if (chunk < 16)
		chunk = 16;
	if (chunk > max)
		chunk = max;
	keys = malloc(chunk * sizeof(*keys));
	vals = malloc(chunk * vsz);
	if (!keys || !vals) {
		ret = -ENOMEM;
		goto out;
	}
	while (!done) {
		count = chunk;
		if (bpf_map_lookup_batch(fd, first ? NULL : &in, &out, keys,
					 vals, &count, &opts)) {
			if (errno != ENOENT) {
				ret = -errno;
				goto out;
			}
			done = true;
		}
		first = false;
		in = out;
		for (i = 0; i < count; i++) {
			__u64 *d = dest(ctx, keys[i] / sh->per_key, SIZE_MAX);

			if (d)
				percpu_add(d, vals + (size_t)i * sh->stride *
						     sh->ncpus, sh);
		}
		if (!count)
			done = true;
	}
out:
	free(keys);
	free(vals);
	return ret;
}

static __u64 *sub_dest(void *ctx, __u32 key, size_t i)
{
	struct tg_snap *s = ctx;

	if (key >= s->capacity || s->index[key] < 0)
		return NULL;
	return (__u64 *)&s->subs[s->index[key]].c;
}

static __u64 *global_dest(void *ctx, __u32 key, size_t i)
{
	struct tg_snap *s = ctx;

	return key < TG_R_MAX ? (__u64 *)&s->global[key] : NULL;
}

/* Where tg_sub_counters_read and tg_seen_read put the values of key. */
struct sub_out {
	void *out;
	size_t vsz;		/* bytes of one value in out */
	size_t n_out;
	__u32 capacity;
	bool by_key;		/* out[key], else out[i] */
};

static __u64 *sub_out_dest(void *ctx, __u32 key, size_t i)
{
	struct sub_out *o = ctx;

	if (key >= o->capacity)
		return NULL;
	return (__u64 *)((char *)o->out + (o->by_key ? key : i) * o->vsz);
}

/*
 * An array of shape sh and capacity subscribers into dest: a scan of the
 * map when scan is set (a must with keys NULL: all of them), else (or
 * when the kernel cannot scan) single lookups; reset(ctx) clears what a
 * failed scan added.
 */
static int u64s_read(int fd, __u32 capacity, const struct u64s_shape *sh,
		     const __u32 *keys, size_t nkeys, bool scan, dest_fn dest,
		     void (*reset)(void *ctx), void *ctx)
{
	int ret;

	if (scan) {
		ret = percpu_scan(fd, capacity * sh->per_key, sh, dest, ctx);
		if (!no_batch(ret))
			return ret;
		reset(ctx);
		if (!keys)
			nkeys = capacity;
	}
	return percpu_single(fd, sh, keys, nkeys, dest, ctx);
}

/* tg_sub_stats of m into dest: see u64s_read(). */
static int sub_stats_read(const struct tg_maps *m, const __u32 *keys,
			  size_t nkeys, bool scan, dest_fn dest,
			  void (*reset)(void *ctx), void *ctx)
{
	struct u64s_shape sh = {
		.nf = sizeof(struct tg_sub_counters) / sizeof(__u64),
		.stride = sizeof(struct tg_sub_line) / sizeof(__u64),
		.ncpus = 1,
		.per_key = tg_sub_ncpus(),
	};

	if ((int)sh.per_key < 0)
		return (int)sh.per_key;
	return u64s_read(m->sub_stats, m->capacity, &sh, keys, nkeys, scan,
			 dest, reset, ctx);
}

/* tg_seen of m into dest: see u64s_read(). */
static int seen_read(const struct tg_maps *m, const __u32 *keys,
		     size_t nkeys, bool scan, dest_fn dest,
		     void (*reset)(void *ctx), void *ctx)
{
	const size_t nf = sizeof(struct tg_seen) / sizeof(__u64);
	struct u64s_shape sh = { .nf = nf, .stride = nf, .ncpus = 1,
				 .per_key = 1 };

	return u64s_read(m->seen, m->capacity, &sh, keys, nkeys, scan, dest,
			 reset, ctx);
}

static void sub_out_reset(void *ctx)
{
	struct sub_out *o = ctx;

	memset(o->out, 0, o->n_out * o->vsz);
}

typedef int (*read_fn)(const struct tg_maps *m, const __u32 *keys,
		       size_t nkeys, bool scan, dest_fn dest,
		       void (*reset)(void *ctx), void *ctx);

/*
 * Values of vsz bytes of keys (single lookups) or, keys NULL, of every id
 * (a scan) into out.
 */
static int sub_out_read(const struct tg_maps *m, const __u32 *keys, size_t n,
			void *out, size_t vsz, read_fn read)
{
	struct sub_out o = {
		.out = out,
		.vsz = vsz,
		.n_out = keys ? n : m->capacity,
		.capacity = m->capacity,
		.by_key = !keys,
	};

	/* A scan knows no position in keys: only for every id. */
	sub_out_reset(&o);
	return read(m, keys, n, !keys, sub_out_dest, sub_out_reset, &o);
}

int tg_sub_counters_read(const struct tg_maps *m, const __u32 *keys,
			 size_t n, struct tg_sub_counters *out)
{
	return sub_out_read(m, keys, n, out, sizeof(*out), sub_stats_read);
}

int tg_seen_read(const struct tg_maps *m, const __u32 *keys, size_t n,
		 struct tg_seen *out)
{
	return sub_out_read(m, keys, n, out, sizeof(*out), seen_read);
}

static void snap_reset(void *ctx)
{
	struct tg_snap *s = ctx;
	size_t i;

	for (i = 0; i < s->n; i++)
		memset(&s->subs[i].c, 0, sizeof(s->subs[i].c));
}

static __u64 *seen_dest(void *ctx, __u32 key, size_t i)
{
	struct tg_snap *s = ctx;

	if (key >= s->capacity || s->index[key] < 0)
		return NULL;
	return (__u64 *)&s->subs[s->index[key]].seen;
}

static void seen_reset(void *ctx)
{
	struct tg_snap *s = ctx;
	size_t i;

	for (i = 0; i < s->n; i++)
		memset(&s->subs[i].seen, 0, sizeof(s->subs[i].seen));
}

int tg_snap_read(struct tg_snap *s, const struct tg_maps *m)
{
	const size_t nglob = sizeof(struct tg_counter) / sizeof(__u64);
	struct u64s_shape sh = { .nf = nglob, .stride = nglob, .per_key = 1 };
	size_t i, nkeys = 0;
	__u32 *keys;
	int ret;

	sh.ncpus = libbpf_num_possible_cpus();
	if (sh.ncpus < 0)
		return sh.ncpus;
	keys = malloc((s->n ? s->n : 1) * sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	snap_reset(s);
	for (i = 0; i < s->n; i++)
		if (s->subs[i].dp_id && s->subs[i].dp_id < m->capacity)
			keys[nkeys++] = s->subs[i].dp_id;
	ret = sub_stats_read(m, keys, nkeys, nkeys > SINGLE_MAX, sub_dest,
			     snap_reset, s);
	if (!ret) {
		seen_reset(s);
		ret = seen_read(m, keys, nkeys, nkeys > SINGLE_MAX, seen_dest,
				seen_reset, s);
	}
	free(keys);
	if (ret)
		return ret;
	memset(s->global, 0, sizeof(s->global));
	ret = percpu_single(m->global_stats, &sh, NULL, TG_R_MAX, global_dest,
			    s);
	if (ret)
		return ret;
	tg_clock_now(&s->clock);
	return 0;
}

/* Whether an array element's value (size bytes) is not all zero. */
static bool nonzero(const char *v, __u32 size)
{
	__u32 i;

	for (i = 0; i < size; i++)
		if (v[i])
			return true;
	return false;
}

/* Elements of keys/vals (count of them) that are in use. */
static __u32 in_use(const struct bpf_map_info *info, const char *vals,
		    __u32 count)
{
	__u32 i, n = 0;

	if (info->type != BPF_MAP_TYPE_ARRAY)
		return count;
	for (i = 0; i < count; i++)
		n += nonzero(vals + (size_t)i * info->value_size,
			     info->value_size);
	return n;
}

/*
 * Batch lookups where the kernel has them, else key by key (and value by
 * value for an array). The batch cursor is a bucket index (hash), a key or
 * an index (array).
 */
int tg_map_entries(int fd, const struct bpf_map_info *info, __u32 *entries)
{
	size_t csz = info->key_size > 8 ? info->key_size : 8;
	__u32 chunk = 4096, count, total = 0;
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	void *keys, *vals, *in, *out;
	bool first = true, done = false;
	int ret = 0;

	*entries = 0;
	switch (info->type) {
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_LPM_TRIE:
	case BPF_MAP_TYPE_DEVMAP_HASH:
	case BPF_MAP_TYPE_ARRAY:
		break;
	default:
		return -EOPNOTSUPP;
	}
	keys = malloc((size_t)chunk * info->key_size);
	vals = malloc((size_t)chunk * info->value_size);
	in = calloc(2, csz);
	if (!keys || !vals || !in) {
		ret = -ENOMEM;
		goto out;
	}
	out = (char *)in + csz;
	while (!done) {
		count = chunk;
		if (bpf_map_lookup_batch(fd, first ? NULL : in, out, keys,
					 vals, &count, &opts)) {
			if (errno != ENOENT) {
				ret = -errno;
				break;
			}
			done = true;
		}
		first = false;
		memcpy(in, out, csz);
		total += in_use(info, vals, count);
	}
	if (no_batch(ret)) {
		/* No batch operations: walk the keys. */
		ret = 0;
		total = 0;
		for (first = true;; first = false) {
			if (bpf_map_get_next_key(fd, first ? NULL : in, out)) {
				if (errno != ENOENT)
					ret = -errno;
				break;
			}
			memcpy(in, out, info->key_size);
			if (info->type != BPF_MAP_TYPE_ARRAY) {
				total++;
			} else if (bpf_map_lookup_elem(fd, in, vals)) {
				ret = -errno;
				break;
			} else {
				total += in_use(info, vals, 1);
			}
		}
	}
out:
	free(keys);
	free(vals);
	free(in);
	*entries = total;
	return ret;
}

int tg_map_fill(const struct tg_maps *m, const struct tg_map_fill *cached,
		size_t ncached, struct tg_map_fill *out, size_t *n)
{
	const struct {
		const char *name;
		int fd;
	} maps[] = {
		{ "tg_tunnels", m->tunnels },
		{ "tg_prefix4", m->prefix4 },
		{ "tg_prefix6", m->prefix6 },
		{ "tg_pfx4", m->pfx4 },
		{ "tg_pfx6", m->pfx6 },
		{ "tg_community4", m->community4 },
		{ "tg_community6", m->community6 },
	};
	struct bpf_map_info info;
	size_t i, j;
	__u32 len;
	int ret;

	*n = 0;
	for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		if (maps[i].fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (bpf_obj_get_info_by_fd(maps[i].fd, &info, &len))
			return -errno;
		out[*n].name = maps[i].name;
		out[*n].id = info.id;
		out[*n].max = info.max_entries;
		for (j = 0; j < ncached && cached[j].id != info.id; j++)
			;
		if (j < ncached) {
			out[*n].entries = cached[j].entries;
		} else {
			ret = tg_map_entries(maps[i].fd, &info,
					     &out[*n].entries);
			if (ret)
				return ret;
		}
		(*n)++;
	}
	return 0;
}
