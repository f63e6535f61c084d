// SPDX-License-Identifier: GPL-2.0-only
/* Checking the pinned maps' layout against this build, and migrating it. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "util/cli.h"
#include "util/log.h"
#include "dataplane/migrate.h"
#include "dataplane/subcount.h"
#include "tungate.h"
#include "subscriber.skel.h"

#define TG_MIGRATING_SUFFIX "_migrating"

/*
 * Known migrations, by map name: the value only ever grows at its end and
 * zero is the right start for what was added (counters of reasons added
 * later, fields added to tg_meta, the second claim of a prefix), so a
 * pinned map of an older layout with a smaller value and otherwise the
 * same shape is copied into one of this build's shape, each value
 * zero-extended. below: the migration applies to layouts below it (0: to
 * every older layout).
 */
static const struct tg_grown_map {
	const char *name;
	__u32 below;
} tg_grown_maps[] = {
	{ "tg_sub_stats", 0 },
	{ "tg_global_stats", 0 },
	{ "tg_meta", 0 },
	/*
	 * Layout 2: the __u32 sub_id of a prefix became struct tg_owners,
	 * whose first claim, zero-extended from the sub_id, is that
	 * subscriber's in slot 0: the slot tg_gen (new, all zero) puts in
	 * force.
	 */
	{ "tg_prefix4", 2 },
	{ "tg_prefix6", 2 },
	/*
	 * Layout 3: tg_police gained the subscriber's own prefixes; zero
	 * (no TG_SRC_* flag) sends its packets to the prefix maps, as
	 * before, until the next sync writes them.
	 */
	{ "tg_police", 3 },
	{ "tg_police1", 3 },
};

/*
 * Layout 4: tg_sub_stats went from a per-CPU array of struct
 * tg_sub_counters (fewer reasons in older layouts) by sub_id to a flat
 * array of struct tg_sub_line at sub_id * ncpus + cpu (see tungate.h):
 * each CPU's value of a sub_id is copied to its line, zero-extended.
 */
#define TG_SUB_STATS_FLAT_LAYOUT 4

/* One pinned map that differs from this build. */
struct tg_layout_diff {
	const char *name;
	struct tg_map_shape old, new;
	int old_fd;
	int new_fd;
	__u64 copied;		/* entries (not empty) copied */
};

static bool tg_map_grows(const char *name, __u32 layout)
{
	size_t i;

	for (i = 0; i < sizeof(tg_grown_maps) / sizeof(tg_grown_maps[0]); i++)
		if (!strcmp(tg_grown_maps[i].name, name))
			return !tg_grown_maps[i].below ||
			       layout < tg_grown_maps[i].below;
	return false;
}

static bool tg_is_percpu(__u32 type)
{
	return type == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       type == BPF_MAP_TYPE_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

/* Flags the kernel adds by itself are not part of the layout. */
static __u32 tg_layout_flags(__u32 type, __u32 flags)
{
	if (type == BPF_MAP_TYPE_DEVMAP || type == BPF_MAP_TYPE_DEVMAP_HASH)
		flags &= ~BPF_F_RDONLY_PROG;
	return flags;
}

/*
 * A map of an older layout whose value only grew (per-CPU maps: to a
 * multiple of 8 bytes, as every per-CPU value struct), all else the same,
 * is migrated when tg_grown_maps says so for that layout.
 */
/* The per-CPU tg_sub_stats of a layout before 4, flattened. */
static bool tg_sub_stats_flattens(const char *name, __u32 layout,
				  const struct tg_map_shape *have,
				  const struct tg_map_shape *want)
{
	return !strcmp(name, "tg_sub_stats") &&
	       layout < TG_SUB_STATS_FLAT_LAYOUT &&
	       have->type == BPF_MAP_TYPE_PERCPU_ARRAY &&
	       want->type == BPF_MAP_TYPE_ARRAY &&
	       have->key_size == sizeof(__u32) &&
	       want->key_size == sizeof(__u32) && !(have->value_size % 8) &&
	       have->value_size <= sizeof(struct tg_sub_counters) &&
	       want->value_size == sizeof(struct tg_sub_line);
}

static bool tg_migration_known(const char *name, __u32 layout,
			       const struct tg_map_shape *have,
			       const struct tg_map_shape *want)
{
	if (tg_sub_stats_flattens(name, layout, have, want))
		return true;
	return layout < TG_LAYOUT_VERSION && tg_map_grows(name, layout) &&
	       have->type == want->type && have->key_size == want->key_size &&
	       tg_layout_flags(have->type, have->map_flags) ==
		       tg_layout_flags(want->type, want->map_flags) &&
	       have->value_size < want->value_size &&
	       (!tg_is_percpu(have->type) || !(have->value_size % 8));
}

static bool tg_shape_equal(const struct tg_map_shape *a,
			   const struct tg_map_shape *b)
{
	return a->type == b->type && a->key_size == b->key_size &&
	       a->value_size == b->value_size &&
	       tg_layout_flags(a->type, a->map_flags) ==
		       tg_layout_flags(b->type, b->map_flags);
}

static void tg_shape_str(const struct tg_map_shape *s, char *buf, size_t len)
{
	const char *type = libbpf_bpf_map_type_str(s->type);

	if (type)
		snprintf(buf, len, "%s key %u value %u flags 0x%x", type,
			 s->key_size, s->value_size,
			 tg_layout_flags(s->type, s->map_flags));
	else
		snprintf(buf, len, "type %u key %u value %u flags 0x%x",
			 s->type, s->key_size, s->value_size,
			 tg_layout_flags(s->type, s->map_flags));
}

static int tg_shape_of_fd(int fd, struct tg_map_shape *s)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	s->type = info.type;
	s->key_size = info.key_size;
	s->value_size = info.value_size;
	s->map_flags = info.map_flags;
	s->max_entries = info.max_entries;
	return 0;
}

/* Bytes of one value as the syscalls see it (per-CPU: every CPU's). */
static int tg_value_len(__u32 type, __u32 value_size, size_t *len)
{
	int ncpu;

	if (!tg_is_percpu(type)) {
		*len = value_size;
		return 0;
	}
	ncpu = libbpf_num_possible_cpus();
	if (ncpu < 0)
		return ncpu;
	*len = (size_t)ncpu * ((value_size + 7) & ~7u);
	return 0;
}

static bool tg_is_array(__u32 type)
{
	return type == BPF_MAP_TYPE_ARRAY || type == BPF_MAP_TYPE_PERCPU_ARRAY;
}

static bool tg_all_zero(const unsigned char *p, size_t len)
{
	while (len--)
		if (*p++)
			return false;
	return true;
}

/*
 * A per-CPU tg_sub_stats (old_fd) into a new flat one (*new_fd) for as
 * many subscribers: see TG_SUB_STATS_FLAT_LAYOUT. *copied: the sub_ids
 * that had counts.
 */
static int tg_sub_stats_flatten(int old_fd, const struct tg_map_shape *new,
				int *new_fd, __u64 *copied)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts);
	struct tg_sub_counters *v = NULL;
	struct tg_map_shape old;
	unsigned char *oval = NULL;
	__u32 id, entries;
	size_t olen;
	__u64 n = 0;
	int fd = -1, ncpu, cpu, err;

	*new_fd = -1;
	err = tg_shape_of_fd(old_fd, &old);
	if (!err)
		err = tg_value_len(old.type, old.value_size, &olen);
	if (!err)
		err = tg_sub_stats_entries(old.max_entries, &entries);
	if (err) {
		tg_err("map tg_sub_stats: cannot size its new version: %s",
		       strerror(-err));
		return err;
	}
	ncpu = tg_sub_ncpus();
	oval = calloc(1, olen);
	v = calloc(ncpu, sizeof(*v));
	if (!oval || !v) {
		err = -ENOMEM;
		goto out;
	}
	opts.map_flags = new->map_flags;
	fd = bpf_map_create(new->type, "tg_sub_stats", new->key_size,
			    new->value_size, entries, &opts);
	if (fd < 0) {
		err = -errno;
		tg_err("map tg_sub_stats: cannot create its new version (%u entries of %u bytes): %s",
		       entries, new->value_size, strerror(-err));
		goto out;
	}
	for (id = 0; id < old.max_entries; id++) {
		if (bpf_map_lookup_elem(old_fd, &id, oval)) {
			err = -errno;
			break;
		}
		if (tg_all_zero(oval, olen))
			continue;
		memset(v, 0, ncpu * sizeof(*v));
		for (cpu = 0; cpu < ncpu; cpu++)
			memcpy(&v[cpu], oval + (size_t)cpu * old.value_size,
			       old.value_size);
		err = tg_sub_counters_put(fd, id, v);
		if (err)
			break;
		n++;
	}
	if (err)
		tg_err("map tg_sub_stats: cannot copy its entries: %s",
		       strerror(-err));
out:
	if (err && fd >= 0)
		close(fd);
	else if (!err)
		*new_fd = fd;
	*copied = err ? 0 : n;
	free(oval);
	free(v);
	return err;
}

int tg_map_copy_grown(int old_fd, const char *name,
		      const struct tg_map_shape *new, int *new_fd,
		      __u64 *copied)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts);
	struct tg_map_shape old;
	unsigned char *key = NULL, *next = NULL, *oval = NULL, *nval = NULL;
	size_t olen, nlen, ostride, nstride, i, ncpu;
	bool first = true;
	__u64 n = 0;
	int fd = -1, err;

	*new_fd = -1;
	err = tg_shape_of_fd(old_fd, &old);
	if (err) {
		tg_err("map %s: cannot read its info: %s", name, strerror(-err));
		return err;
	}
	if (old.type != new->type || old.key_size != new->key_size ||
	    old.value_size > new->value_size) {
		tg_err("map %s: cannot copy a %u byte key, %u byte value map into one of type %u key %u value %u",
		       name, old.key_size, old.value_size, new->type,
		       new->key_size, new->value_size);
		return -EINVAL;
	}
	err = tg_value_len(old.type, old.value_size, &olen);
	if (!err)
		err = tg_value_len(new->type, new->value_size, &nlen);
	if (err)
		goto out;
	/* Per-CPU values are laid out per CPU, each rounded up to 8 bytes. */
	ostride = olen == old.value_size ? olen : (old.value_size + 7) & ~7u;
	nstride = nlen == new->value_size ? nlen : (new->value_size + 7) & ~7u;
	ncpu = olen / ostride;
	key = malloc(old.key_size);
	next = malloc(old.key_size);
	oval = malloc(olen);
	nval = malloc(nlen);
	if (!key || !next || !oval || !nval) {
		err = -ENOMEM;
		goto out;
	}

	opts.map_flags = tg_layout_flags(new->type, new->map_flags);
	fd = bpf_map_create(new->type, name, new->key_size, new->value_size,
			    old.max_entries, &opts);
	if (fd < 0) {
		err = -errno;
		tg_err("map %s: cannot create its new version (%u byte values, %u entries): %s",
		       name, new->value_size, old.max_entries, strerror(-err));
		goto out;
	}
	for (;;) {
		if (bpf_map_get_next_key(old_fd, first ? NULL : key, next)) {
			err = errno == ENOENT ? 0 : -errno;
			break;
		}
		first = false;
		memcpy(key, next, old.key_size);
		if (bpf_map_lookup_elem(old_fd, key, oval)) {
			if (errno == ENOENT)	/* deleted meanwhile */
				continue;
			err = -errno;
			break;
		}
		if (tg_is_array(old.type) && tg_all_zero(oval, olen))
			continue;
		memset(nval, 0, nlen);
		for (i = 0; i < ncpu; i++)
			memcpy(nval + i * nstride, oval + i * ostride,
			       old.value_size);
		if (bpf_map_update_elem(fd, key, nval, BPF_ANY)) {
			err = -errno;
			break;
		}
		n++;
	}
	if (err)
		tg_err("map %s: cannot copy its entries: %s", name,
		       strerror(-err));
out:
	if (err && fd >= 0)
		close(fd);
	else
		*new_fd = fd;
	if (copied)
		*copied = err ? 0 : n;
	free(key);
	free(next);
	free(oval);
	free(nval);
	return err;
}

int tg_layout_stamp(int meta_fd)
{
	struct tg_meta meta;
	__u32 key = 0;
	int err;

	if (bpf_map_lookup_elem(meta_fd, &key, &meta)) {
		err = -errno;
		goto out;
	}
	if (meta.layout == TG_LAYOUT_VERSION)
		return 0;
	meta.layout = TG_LAYOUT_VERSION;
	err = bpf_map_update_elem(meta_fd, &key, &meta, BPF_ANY) ? -errno : 0;
out:
	if (err)
		tg_err("map tg_meta: cannot record the layout: %s",
		       strerror(-err));
	return err;
}

/*
 * tg_meta.layout of the pinned maps: layout is the first field of tg_meta
 * in every version. 0 when tg_meta is not pinned or never recorded it.
 */
static int tg_pinned_layout(const char *pin_root, __u32 *layout)
{
	char path[PATH_MAX];
	struct tg_map_shape s;
	unsigned char *val = NULL;
	size_t len;
	__u32 key = 0;
	int fd, err;

	*layout = 0;
	snprintf(path, sizeof(path), "%s/tg_meta", pin_root);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	err = tg_shape_of_fd(fd, &s);
	if (err)
		goto out;
	if (s.type != BPF_MAP_TYPE_ARRAY || s.key_size != sizeof(key) ||
	    s.value_size < sizeof(*layout) || !s.max_entries)
		goto out;	/* compared (and reported) as a map below */
	err = tg_value_len(s.type, s.value_size, &len);
	if (err)
		goto out;
	val = calloc(1, len);
	if (!val) {
		err = -ENOMEM;
		goto out;
	}
	if (bpf_map_lookup_elem(fd, &key, val)) {
		err = -errno;
		goto out;
	}
	memcpy(layout, val, sizeof(*layout));
out:
	free(val);
	close(fd);
	return err;
}

static void tg_diffs_free(struct tg_layout_diff *d, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (d[i].old_fd >= 0)
			close(d[i].old_fd);
		if (d[i].new_fd >= 0)
			close(d[i].new_fd);
	}
	free(d);
}

/*
 * Load this build's subscriber program on the maps it would have after the
 * swap (the new ones, the other pinned ones, private ones for those not
 * pinned yet) and throw it away: a program that doesn't load on them must
 * not leave migrated maps behind.
 */
static int tg_layout_verify(const char *pin_root, struct tg_layout_diff *d,
			    int n)
{
	struct subscriber_bpf *skel;
	char path[PATH_MAX];
	struct bpf_map *map;
	const char *name;
	int i, fd, err = 0;

	skel = subscriber_bpf__open();
	if (!skel) {
		err = -errno;
		tg_err("pin root %s: cannot open the subscriber program: %s",
		       pin_root, strerror(-err));
		return err;
	}
	err = tg_obj_sub_stats_setup(skel->obj);
	if (err)
		goto out;
	bpf_object__for_each_map(map, skel->obj) {
		if (!bpf_map__pin_path(map))
			continue;
		bpf_map__set_pin_path(map, NULL);
		name = bpf_map__name(map);
		for (i = 0; i < n && strcmp(d[i].name, name); i++)
			;
		if (i < n) {
			err = bpf_map__reuse_fd(map, d[i].new_fd);
		} else {
			snprintf(path, sizeof(path), "%s/%s", pin_root, name);
			fd = bpf_obj_get(path);
			if (fd < 0)
				continue;
			err = bpf_map__reuse_fd(map, fd);
			close(fd);
		}
		if (err) {
			tg_err("map %s: cannot give it to the subscriber program: %s",
			       name, strerror(-err));
			goto out;
		}
	}
	err = subscriber_bpf__load(skel);
	if (err)
		tg_err("pin root %s: this build's subscriber program does not load on the migrated maps: %s (%d)",
		       pin_root, strerror(-err), err);
out:
	subscriber_bpf__destroy(skel);
	return err;
}

/*
 * Build every new map, check that this build's program loads on them, pin
 * each beside its old one, then swap the pins.
 */
static int tg_layout_migrate(const char *pin_root, struct tg_layout_diff *d,
			     int n, __u32 layout)
{
	char tmp[PATH_MAX], path[PATH_MAX], old[128], new[128];
	int i, pinned = 0, err = 0;

	for (i = 0; i < n && !err; i++) {
		if (d[i].new.type != d[i].old.type)
			err = tg_sub_stats_flatten(d[i].old_fd, &d[i].new,
						   &d[i].new_fd,
						   &d[i].copied);
		else
			err = tg_map_copy_grown(d[i].old_fd, d[i].name,
						&d[i].new, &d[i].new_fd,
						&d[i].copied);
		if (err)
			break;
	}
	if (!err)
		err = tg_layout_verify(pin_root, d, n);
	for (i = 0; i < n && !err; i++) {
		snprintf(tmp, sizeof(tmp), "%s/%s" TG_MIGRATING_SUFFIX,
			 pin_root, d[i].name);
		if (unlink(tmp) && errno != ENOENT) {
			err = -errno;
			tg_err("map %s: cannot remove the stale %s: %s",
			       d[i].name, tmp, strerror(-err));
			break;
		}
		if (bpf_obj_pin(d[i].new_fd, tmp)) {
			err = -errno;
			tg_err("map %s: cannot pin its new version at %s: %s",
			       d[i].name, tmp, strerror(-err));
			break;
		}
		pinned = i + 1;
	}
	if (err) {
		for (i = 0; i < pinned; i++) {
			snprintf(tmp, sizeof(tmp), "%s/%s" TG_MIGRATING_SUFFIX,
				 pin_root, d[i].name);
			unlink(tmp);
		}
		tg_err("pin root %s: migration failed, the pinned maps are unchanged",
		       pin_root);
		return err;
	}
	for (i = 0; i < n; i++) {
		snprintf(tmp, sizeof(tmp), "%s/%s" TG_MIGRATING_SUFFIX,
			 pin_root, d[i].name);
		snprintf(path, sizeof(path), "%s/%s", pin_root, d[i].name);
		if (rename(tmp, path)) {
			err = -errno;
			tg_err("map %s: cannot move %s over %s: %s (the maps before it were migrated; run tungate up again)",
			       d[i].name, tmp, path, strerror(-err));
			return err;
		}
		tg_shape_str(&d[i].old, old, sizeof(old));
		tg_shape_str(&d[i].new, new, sizeof(new));
		pr_warn("pin root %s: map %s migrated from layout %u (%s) to %u (%s), %llu entries copied\n",
			pin_root, d[i].name, layout, old, TG_LAYOUT_VERSION, new,
			(unsigned long long)d[i].copied);
	}
	return 0;
}

int tg_layout_prepare(const char *pin_root, struct bpf_object *obj,
		      unsigned int flags, bool *missing)
{
	struct tg_layout_diff *d = NULL, *tmp;
	char path[PATH_MAX], old[128], new[128];
	struct tg_map_shape want, have;
	const char *name, *way;
	struct bpf_map *map;
	int n = 0, refused = 0, fd, err;
	__u32 layout;

	if (missing)
		*missing = false;
	err = tg_pinned_layout(pin_root, &layout);
	if (err) {
		tg_err("pin root %s: map tg_meta: cannot read the layout: %s",
		       pin_root, strerror(-err));
		return err;
	}
	if (layout > TG_LAYOUT_VERSION) {
		tg_err("pin root %s: maps have layout %u, made by a newer tungate; this build knows layout %u: use that version, or 'tungate down' then 'tungate up' to recreate them (counters and token buckets are lost)",
		       pin_root, layout, TG_LAYOUT_VERSION);
		return -EPROTO;
	}
	bpf_object__for_each_map(map, obj) {
		if (!bpf_map__pin_path(map))
			continue;
		name = bpf_map__name(map);
		snprintf(path, sizeof(path), "%s/%s", pin_root, name);
		fd = bpf_obj_get(path);
		if (fd < 0) {
			err = -errno;
			if (err == -ENOENT) {
				if (missing)
					*missing = true;
				err = 0;
				continue;
			}
			tg_err("map %s: cannot open: %s", path, strerror(-err));
			goto out;
		}
		err = tg_shape_of_fd(fd, &have);
		if (err) {
			tg_err("map %s: cannot read its info: %s", path,
			       strerror(-err));
			close(fd);
			goto out;
		}
		want.type = bpf_map__type(map);
		want.key_size = bpf_map__key_size(map);
		want.value_size = bpf_map__value_size(map);
		want.map_flags = bpf_map__map_flags(map);
		want.max_entries = have.max_entries;
		if (tg_shape_equal(&have, &want)) {
			close(fd);
			continue;
		}
		tg_shape_str(&have, old, sizeof(old));
		tg_shape_str(&want, new, sizeof(new));
		if (!tg_migration_known(name, layout, &have, &want))
			way = " and knows no migration: 'tungate down' then 'tungate up' recreates the maps (counters and token buckets are lost); nothing was changed";
		else if (!(flags & TG_LAYOUT_MIGRATE))
			way = ": run tungate up to migrate it";
		else
			way = NULL;
		if (way) {
			tg_err("pin root %s: map %s is %s (layout %u), this build needs %s (layout %u)%s",
			       pin_root, name, old, layout, new,
			       TG_LAYOUT_VERSION, way);
			refused++;
			close(fd);
			continue;
		}
		tmp = realloc(d, (n + 1) * sizeof(*d));
		if (!tmp) {
			close(fd);
			err = -ENOMEM;
			goto out;
		}
		d = tmp;
		d[n].name = name;
		d[n].old = have;
		d[n].new = want;
		d[n].old_fd = fd;
		d[n].new_fd = -1;
		n++;
	}
	if (refused) {
		err = -EPROTO;
		goto out;
	}
	if (n)
		err = tg_layout_migrate(pin_root, d, n, layout);
out:
	tg_diffs_free(d, n);
	return err;
}
