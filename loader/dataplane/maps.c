// SPDX-License-Identifier: GPL-2.0-only
/* Opening, creating and locking the pinned data plane maps. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "util/cli.h"
#include "dataplane/dataplane.h"
#include "util/log.h"
#include "dataplane/migrate.h"
#include "dataplane/subcount.h"
#include "tungate.h"
#include "subscriber.skel.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

#define TG_NR_MAPS 21

struct tg_map_desc {
	const char *name;
	size_t fd_off;		/* offset of the fd in struct tg_maps */
	__u32 type;
	__u32 key_size;
	__u32 value_size;
};

static const struct tg_map_desc tg_map_descs[TG_NR_MAPS] = {
	{ "tg_tunnels", offsetof(struct tg_maps, tunnels), BPF_MAP_TYPE_HASH,
	  sizeof(struct tg_tun_key), sizeof(struct tg_tunnel) },
	{ "tg_prefix4", offsetof(struct tg_maps, prefix4),
	  BPF_MAP_TYPE_LPM_TRIE, sizeof(struct tg_lpm4_key),
	  sizeof(struct tg_owners) },
	{ "tg_prefix6", offsetof(struct tg_maps, prefix6),
	  BPF_MAP_TYPE_LPM_TRIE, sizeof(struct tg_lpm6_key),
	  sizeof(struct tg_owners) },
	{ "tg_sub_stats", offsetof(struct tg_maps, sub_stats),
	  BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(struct tg_sub_line) },
	{ "tg_global_stats", offsetof(struct tg_maps, global_stats),
	  BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(__u32), sizeof(struct tg_counter) },
	{ "tg_config", offsetof(struct tg_maps, config), BPF_MAP_TYPE_ARRAY,
	  sizeof(__u32), sizeof(struct tg_config) },
	{ "tg_ports", offsetof(struct tg_maps, ports), BPF_MAP_TYPE_DEVMAP_HASH,
	  sizeof(__u32), sizeof(struct bpf_devmap_val) },
	{ "tg_encap", offsetof(struct tg_maps, encap), BPF_MAP_TYPE_ARRAY,
	  sizeof(__u32), sizeof(struct tg_encap) },
	{ "tg_peer", offsetof(struct tg_maps, peer), BPF_MAP_TYPE_ARRAY,
	  sizeof(__u32), sizeof(struct tg_peer) },
	{ "tg_police", offsetof(struct tg_maps, police), BPF_MAP_TYPE_ARRAY,
	  sizeof(__u32), sizeof(struct tg_police) },
	{ "tg_bucket", offsetof(struct tg_maps, bucket), BPF_MAP_TYPE_ARRAY,
	  sizeof(__u32), sizeof(struct tg_bucket) },
	{ "tg_community4", offsetof(struct tg_maps, community4),
	  BPF_MAP_TYPE_LPM_TRIE, sizeof(struct tg_lpm4_key), sizeof(__u32) },
	{ "tg_community6", offsetof(struct tg_maps, community6),
	  BPF_MAP_TYPE_LPM_TRIE, sizeof(struct tg_lpm6_key), sizeof(__u32) },
	{ "tg_meta", offsetof(struct tg_maps, meta), BPF_MAP_TYPE_ARRAY,
	  sizeof(__u32), sizeof(struct tg_meta) },
	{ "tg_gen", offsetof(struct tg_maps, gen), BPF_MAP_TYPE_ARRAY,
	  sizeof(__u32), sizeof(__u32) },
	{ "tg_encap1", offsetof(struct tg_maps, encap1), BPF_MAP_TYPE_ARRAY,
	  sizeof(__u32), sizeof(struct tg_encap) },
	{ "tg_police1", offsetof(struct tg_maps, police1), BPF_MAP_TYPE_ARRAY,
	  sizeof(__u32), sizeof(struct tg_police) },
	{ "tg_seen", offsetof(struct tg_maps, seen), BPF_MAP_TYPE_ARRAY,
	  sizeof(__u32), sizeof(struct tg_seen) },
	{ "tg_pfx4", offsetof(struct tg_maps, pfx4), BPF_MAP_TYPE_HASH,
	  sizeof(struct tg_lpm4_key), sizeof(struct tg_owners) },
	{ "tg_pfx6", offsetof(struct tg_maps, pfx6), BPF_MAP_TYPE_HASH,
	  sizeof(struct tg_lpm6_key), sizeof(struct tg_owners) },
	{ "tg_pfx_lens", offsetof(struct tg_maps, pfx_lens), BPF_MAP_TYPE_ARRAY,
	  sizeof(__u32), sizeof(struct tg_pfx_lens) },
};

/*
 * Maps made beside an older one that must hold as many entries: the
 * prefix hashes hold what the tries hold.
 */
static const struct {
	const char *name, *like;
} tg_map_twins[] = {
	{ "tg_pfx4", "tg_prefix4" },
	{ "tg_pfx6", "tg_prefix6" },
};

/* Maps whose size is the subscriber capacity. */
static bool tg_map_sized(size_t off)
{
	return off == offsetof(struct tg_maps, tunnels) ||
	       off == offsetof(struct tg_maps, sub_stats) ||
	       off == offsetof(struct tg_maps, encap) ||
	       off == offsetof(struct tg_maps, peer) ||
	       off == offsetof(struct tg_maps, police) ||
	       off == offsetof(struct tg_maps, bucket) ||
	       off == offsetof(struct tg_maps, gen) ||
	       off == offsetof(struct tg_maps, encap1) ||
	       off == offsetof(struct tg_maps, police1) ||
	       off == offsetof(struct tg_maps, seen);
}

/*
 * The subscribers a map sized by the capacity holds: its entries, but
 * tg_sub_stats has one per subscriber and CPU.
 */
static __u32 tg_map_capacity(size_t off, __u32 max_entries)
{
	if (off == offsetof(struct tg_maps, sub_stats))
		return tg_sub_stats_capacity(max_entries);
	return max_entries;
}

static int *tg_map_fd(struct tg_maps *m, int i)
{
	return (int *)((char *)m + tg_map_descs[i].fd_off);
}

static void tg_maps_reset(struct tg_maps *m)
{
	int i;

	for (i = 0; i < TG_NR_MAPS; i++)
		*tg_map_fd(m, i) = -1;
	m->capacity = 0;
}

unsigned int tg_slot_of(const struct tg_maps *m, __u32 id)
{
	__u32 slot = 0;

	if (m->gen < 0 || bpf_map_lookup_elem(m->gen, &id, &slot))
		return 0;
	return slot == 1;
}

bool tg_claim_holds_now(const struct tg_maps *m, __u32 c)
{
	__u32 id = TG_CLAIM_ID_OF(c), slot;

	if (!id || m->gen < 0 || bpf_map_lookup_elem(m->gen, &id, &slot))
		return false;
	return slot == TG_CLAIM_SLOT_OF(c);
}

__u32 tg_owner_now(const struct tg_maps *m, const struct tg_owners *o)
{
	int i;

	for (i = 0; i < TG_CLAIMS; i++)
		if (tg_claim_holds_now(m, o->claim[i]))
			return o->claim[i];
	return 0;
}

const struct tg_tun_claim *tg_tunnel_claim_now(const struct tg_maps *m,
					       const struct tg_tunnel *t)
{
	int i;

	for (i = 0; i < TG_CLAIMS; i++)
		if (tg_claim_holds_now(m, t->c[i].claim))
			return &t->c[i];
	return NULL;
}

int tg_tunnels_in_force(const struct tg_maps *m, __u32 *n,
			int (*each)(void *ctx, __u32 sub_id), void *ctx)
{
	const struct tg_tun_claim *c;
	struct tg_tun_key key, next;
	struct tg_tunnel t;
	bool first = true;
	int err;

	*n = 0;
	for (;;) {
		if (bpf_map_get_next_key(m->tunnels, first ? NULL : &key, &next))
			return errno == ENOENT ? 0 : -errno;
		first = false;
		key = next;
		if (bpf_map_lookup_elem(m->tunnels, &key, &t)) {
			if (errno == ENOENT)	/* deleted meanwhile */
				continue;
			return -errno;
		}
		c = tg_tunnel_claim_now(m, &t);
		if (!c)
			continue;
		(*n)++;
		if (each && (err = each(ctx, TG_CLAIM_ID_OF(c->claim))))
			return err;
	}
}

const char *tg_pin_root(void)
{
	return tg_opts.pin_root ? tg_opts.pin_root : TG_PIN_ROOT_DEFAULT;
}

void tg_maps_close(struct tg_maps *m)
{
	int i, *fd;

	for (i = 0; i < TG_NR_MAPS; i++) {
		fd = tg_map_fd(m, i);
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
	}
}

int tg_maps_from_skel(struct subscriber_bpf *skel, struct tg_maps *m)
{
	struct bpf_map *maps[TG_NR_MAPS] = {
		skel->maps.tg_tunnels,	 skel->maps.tg_prefix4,
		skel->maps.tg_prefix6,	 skel->maps.tg_sub_stats,
		skel->maps.tg_global_stats, skel->maps.tg_config,
		skel->maps.tg_ports,	 skel->maps.tg_encap,
		skel->maps.tg_peer,	 skel->maps.tg_police,
		skel->maps.tg_bucket,	 skel->maps.tg_community4,
		skel->maps.tg_community6, skel->maps.tg_meta,
		skel->maps.tg_gen,	 skel->maps.tg_encap1,
		skel->maps.tg_police1,	 skel->maps.tg_seen,
		skel->maps.tg_pfx4,	 skel->maps.tg_pfx6,
		skel->maps.tg_pfx_lens,
	};
	__u32 max;
	int i, fd, err;

	tg_maps_reset(m);
	for (i = 0; i < TG_NR_MAPS; i++) {
		fd = fcntl(bpf_map__fd(maps[i]), F_DUPFD_CLOEXEC, 0);
		if (fd < 0) {
			err = -errno;
			pr_warn("map %s: no fd: %s\n", tg_map_descs[i].name,
				strerror(-err));
			tg_maps_close(m);
			return err;
		}
		*tg_map_fd(m, i) = fd;
	}
	m->capacity = UINT32_MAX;
	for (i = 0; i < TG_NR_MAPS; i++) {
		max = tg_map_capacity(tg_map_descs[i].fd_off,
				      bpf_map__max_entries(maps[i]));
		if (tg_map_sized(tg_map_descs[i].fd_off) && max < m->capacity)
			m->capacity = max;
	}
	return 0;
}

/* The pin root, or its parent when it does not exist yet, must be bpffs. */
static int tg_pin_root_check(const char *pin_root, bool *exists)
{
	char *copy = strdup(pin_root), *dir;
	struct statfs sfs;
	int err = 0;

	if (!copy)
		return -ENOMEM;
	*exists = !access(pin_root, F_OK);
	dir = *exists ? copy : dirname(copy);
	if (statfs(dir, &sfs)) {
		err = -errno;
		if (err == -ENOENT)
			tg_err("pin root %s: %s does not exist; it must be a mounted bpf filesystem",
			       pin_root, dir);
		else
			tg_err("pin root %s: cannot check %s: %s", pin_root,
			       dir, strerror(-err));
		goto out;
	}
	if (sfs.f_type != BPF_FS_MAGIC) {
		tg_err("pin root %s: %s is not a bpf filesystem; mount one with 'mount -t bpf bpf %s'",
		       pin_root, dir, dir);
		err = -ENOTSUP;
	}
out:
	free(copy);
	return err;
}

int tg_pin_lock(const char *pin_root)
{
	bool exists;
	int fd, err;

	err = tg_pin_root_check(pin_root, &exists);
	if (err)
		return err;
	if (!exists && mkdir(pin_root, 0700) && errno != EEXIST) {
		err = -errno;
		tg_err("pin root %s: cannot create: %s%s", pin_root,
		       strerror(-err),
		       err == -EPERM ? " (bpffs refuses names with '.')" : "");
		return err;
	}
	fd = open(pin_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		tg_err("pin root %s: cannot open: %s", pin_root, strerror(-err));
		return err;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		pr_info("pin root %s: locked by another tungate, waiting\n",
			pin_root);
		if (flock(fd, LOCK_EX)) {
			err = -errno;
			tg_err("pin root %s: cannot lock: %s", pin_root,
			       strerror(-err));
			close(fd);
			return err;
		}
	}
	return fd;
}

void tg_pin_unlock(int fd)
{
	if (fd < 0)
		return;
	flock(fd, LOCK_UN);
	close(fd);
}

void tg_obj_unpin_maps(struct bpf_object *obj)
{
	struct bpf_map *map;

	for (map = bpf_object__next_map(obj, NULL); map;
	     map = bpf_object__next_map(obj, map))
		bpf_map__set_pin_path(map, NULL);
}

static const struct tg_map_desc *tg_map_desc_of(const char *name)
{
	int i;

	for (i = 0; i < TG_NR_MAPS; i++)
		if (!strcmp(tg_map_descs[i].name, name))
			return &tg_map_descs[i];
	return NULL;
}

/* Whether map is one of those sized by the subscriber capacity. */
static bool tg_bpf_map_sized(const struct bpf_map *map)
{
	const struct tg_map_desc *d = tg_map_desc_of(bpf_map__name(map));

	return d && tg_map_sized(d->fd_off);
}

/* The subscribers map holds (one of those sized by the capacity). */
static __u32 tg_bpf_map_capacity(const struct bpf_map *map, __u32 max_entries)
{
	const struct tg_map_desc *d = tg_map_desc_of(bpf_map__name(map));

	return d ? tg_map_capacity(d->fd_off, max_entries) : max_entries;
}

/* A twin not pinned yet takes the size of the map it is made beside. */
static int tg_obj_size_twins(struct bpf_object *obj)
{
	struct bpf_map_info info;
	struct bpf_map *twin, *like;
	size_t i;
	__u32 len;
	int fd, err;

	for (i = 0; i < sizeof(tg_map_twins) / sizeof(tg_map_twins[0]); i++) {
		twin = bpf_object__find_map_by_name(obj, tg_map_twins[i].name);
		like = bpf_object__find_map_by_name(obj, tg_map_twins[i].like);
		if (!twin || !like || !bpf_map__pin_path(twin) ||
		    !bpf_map__pin_path(like) ||
		    !access(bpf_map__pin_path(twin), F_OK))
			continue;
		fd = bpf_obj_get(bpf_map__pin_path(like));
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		err = bpf_obj_get_info_by_fd(fd, &info, &len) ? -errno : 0;
		close(fd);
		if (!err)
			err = bpf_map__set_max_entries(twin, info.max_entries);
		if (err) {
			tg_err("map %s: cannot size it like %s: %s",
			       tg_map_twins[i].name, tg_map_twins[i].like,
			       strerror(-err));
			return err;
		}
	}
	return 0;
}

/*
 * Take capacity and flags of every pinned map, so libbpf reuses it. A map
 * sized by the capacity that is not pinned yet (added by a later layout)
 * takes the capacity of those pinned.
 */
static int tg_obj_adopt_pinned(struct bpf_object *obj)
{
	struct bpf_map_info info;
	struct bpf_map *map;
	const char *path;
	__u32 len, cap = 0;
	bool absent = false;
	int fd, err;

	bpf_object__for_each_map(map, obj) {
		path = bpf_map__pin_path(map);
		if (!path)
			continue;
		fd = bpf_obj_get(path);
		if (fd < 0) {
			if (errno == ENOENT) {
				absent = true;
				continue;
			}
			err = -errno;
			tg_err("map %s: cannot open: %s", path,
			       strerror(-err));
			return err;
		}
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		err = bpf_obj_get_info_by_fd(fd, &info, &len) ? -errno : 0;
		close(fd);
		if (err) {
			tg_err("map %s: cannot read its info: %s", path,
			       strerror(-err));
			return err;
		}
		/*
		 * A different type is refused by libbpf at load, by name.
		 * Flags too: the kernel adds BPF_F_RDONLY_PROG to every
		 * devmap, which libbpf 1.1 then sees as a mismatch.
		 */
		if (info.type != bpf_map__type(map))
			continue;
		bpf_map__set_max_entries(map, info.max_entries);
		bpf_map__set_map_flags(map, info.map_flags);
		if (tg_bpf_map_sized(map) &&
		    (!cap || tg_bpf_map_capacity(map, info.max_entries) < cap))
			cap = tg_bpf_map_capacity(map, info.max_entries);
	}
	if (!absent)
		return 0;
	err = tg_obj_size_twins(obj);
	if (err || !cap)
		return err;
	bpf_object__for_each_map(map, obj) {
		path = bpf_map__pin_path(map);
		if (!path || !tg_bpf_map_sized(map) || !access(path, F_OK))
			continue;
		if (!strcmp(bpf_map__name(map), "tg_sub_stats"))
			err = tg_sub_stats_set_capacity(map, cap);
		else
			err = bpf_map__set_max_entries(map, cap);
		if (err) {
			tg_err("map %s: cannot size it for %u subscribers: %s",
			       path, cap, strerror(-err));
			return err;
		}
	}
	return 0;
}

/* The subscriber object with its maps pinned by name under pin_root. */
static struct subscriber_bpf *tg_skel_open_raw(const char *pin_root)
{
	struct bpf_object_open_opts opts = {
		.sz = sizeof(opts),
		.pin_root_path = pin_root,
	};
	struct subscriber_bpf *skel;
	int err;

	skel = subscriber_bpf__open_opts(&opts);
	if (!skel) {
		err = -errno;
		tg_err("pin root %s: cannot open the subscriber program: %s",
		       pin_root, strerror(-err));
		errno = -err;
		return NULL;
	}
	err = tg_obj_sub_stats_setup(skel->obj);
	if (err) {
		tg_err("pin root %s: cannot size the counters: %s", pin_root,
		       strerror(-err));
		subscriber_bpf__destroy(skel);
		errno = -err;
		return NULL;
	}
	return skel;
}

/* Load the subscriber object once so libbpf creates and pins the maps. */
static int tg_maps_create(const char *pin_root)
{
	struct subscriber_bpf *skel;
	struct bpf_program *prog;
	int err;

	pr_info("pin root %s: creating the data plane maps\n", pin_root);
	skel = tg_skel_open_raw(pin_root);
	if (!skel)
		return -errno;
	err = tg_obj_adopt_pinned(skel->obj);
	if (err)
		goto out;
	/* Only the maps are wanted here; attaching loads the program. */
	for (prog = bpf_object__next_program(skel->obj, NULL); prog;
	     prog = bpf_object__next_program(skel->obj, prog))
		bpf_program__set_autoload(prog, false);
	err = subscriber_bpf__load(skel);
	if (err) {
		tg_err("pin root %s: cannot create the maps: %s (%d)", pin_root,
		       strerror(-err), err);
		goto out;
	}
	err = tg_layout_stamp(bpf_map__fd(skel->maps.tg_meta));
out:
	subscriber_bpf__destroy(skel);
	return err;
}

/*
 * Check the layout of the maps pinned under pin_root against obj (migrating
 * with TG_LAYOUT_MIGRATE), then create the missing ones.
 */
static int tg_maps_prepare(const char *pin_root, struct bpf_object *obj,
			   unsigned int flags)
{
	char path[PATH_MAX];
	bool missing;
	int fd, err;

	err = tg_layout_prepare(pin_root, obj, flags, &missing);
	if (err)
		return err;
	if (missing)
		return tg_maps_create(pin_root);
	if (!(flags & TG_LAYOUT_MIGRATE))
		return 0;
	/* Maps made before the layout was recorded, or just migrated. */
	snprintf(path, sizeof(path), "%s/tg_meta", pin_root);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		err = -errno;
		tg_err("map %s: cannot open: %s", path, strerror(-err));
		return err;
	}
	err = tg_layout_stamp(fd);
	close(fd);
	return err;
}

struct subscriber_bpf *tg_skel_open_pinned(const char *pin_root)
{
	struct subscriber_bpf *skel;
	int err;

	skel = tg_skel_open_raw(pin_root);
	if (!skel)
		return NULL;
	err = tg_maps_prepare(pin_root, skel->obj, TG_LAYOUT_MIGRATE);
	if (!err)
		err = tg_obj_adopt_pinned(skel->obj);
	if (err) {
		subscriber_bpf__destroy(skel);
		errno = -err;
		return NULL;
	}
	return skel;
}

static int tg_map_check(const char *pin_root, int i, int fd, __u32 *max)
{
	const struct tg_map_desc *d = &tg_map_descs[i];
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int err;

	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		err = -errno;
		tg_err("map %s/%s: cannot read its info: %s", pin_root, d->name,
		       strerror(-err));
		return err;
	}
	if (info.type != d->type || info.key_size != d->key_size ||
	    info.value_size != d->value_size) {
		tg_err("map %s/%s: type %u key %u value %u bytes, expected type %u key %u value %u; it belongs to another version",
		       pin_root, d->name, info.type, info.key_size,
		       info.value_size, d->type, d->key_size, d->value_size);
		return -EPROTO;
	}
	*max = info.max_entries;
	return 0;
}

static int tg_maps_get(const char *pin_root, struct tg_maps *m, bool *missing)
{
	char path[PATH_MAX];
	__u32 max = 0, cap = UINT32_MAX;
	int i, fd, err;

	*missing = false;
	for (i = 0; i < TG_NR_MAPS; i++) {
		snprintf(path, sizeof(path), "%s/%s", pin_root,
			 tg_map_descs[i].name);
		fd = bpf_obj_get(path);
		if (fd < 0) {
			err = -errno;
			if (err == -ENOENT) {
				*missing = true;
				return err;
			}
			tg_err("map %s: cannot open: %s", path, strerror(-err));
			return err;
		}
		*tg_map_fd(m, i) = fd;
		err = tg_map_check(pin_root, i, fd, &max);
		if (err)
			return err;
		max = tg_map_capacity(tg_map_descs[i].fd_off, max);
		if (tg_map_sized(tg_map_descs[i].fd_off) && max < cap)
			cap = max;
	}
	m->capacity = cap;
	return 0;
}

int tg_boot_id(char *buf, size_t len)
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");

	if (!f)
		return -errno;
	if (!fgets(buf, len, f))
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
	return 0;
}

__u64 tg_maps_pinned_ident(const char *pin_root)
{
	struct bpf_map_info info;
	char path[PATH_MAX];
	__u64 ident = 0;
	__u32 len;
	int i, fd;

	for (i = 0; i < TG_NR_MAPS; i++) {
		snprintf(path, sizeof(path), "%s/%s", pin_root,
			 tg_map_descs[i].name);
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		fd = bpf_obj_get(path);
		if (fd >= 0 && bpf_obj_get_info_by_fd(fd, &info, &len))
			info.id = 0;
		if (fd >= 0)
			close(fd);
		ident = ident * 1000003 + info.id;
	}
	return ident;
}

int tg_maps_open_pinned(const char *pin_root, struct tg_maps *m)
{
	struct subscriber_bpf *skel;
	bool exists, missing;
	int err;

	tg_maps_reset(m);
	err = tg_pin_root_check(pin_root, &exists);
	if (err)
		return err;
	skel = tg_skel_open_raw(pin_root);
	if (!skel)
		return -errno;
	err = tg_maps_prepare(pin_root, skel->obj, 0);
	subscriber_bpf__destroy(skel);
	if (err)
		return err;
	err = tg_maps_get(pin_root, m, &missing);
	if (err && missing)
		tg_err("pin root %s: maps missing after creating them", pin_root);
	if (err)
		tg_maps_close(m);
	return err;
}
