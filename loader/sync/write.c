// SPDX-License-Identifier: GPL-2.0-only
/* Map writes of a sync, each one remembered so that a failure puts it back. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "util/log.h"
#include "sync/ctx.h"
#include "dataplane/subcount.h"

void sync_written(struct tg_sync_ctx *c)
{
	if (++c->writes == c->kill_after)
		raise(SIGKILL);
}

int sync_undo_add(struct tg_sync_ctx *c, int fd, const char *map,
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
	u->array = fd == c->m->encap || fd == c->m->encap1 ||
		   fd == c->m->police || fd == c->m->police1 ||
		   fd == c->m->gen || fd == c->m->config;
	if (old)
		memcpy(u->old, old, vsz);
	else
		memset(u->old, 0, vsz);
	return 0;
}

int sync_rollback(struct tg_sync_ctx *c)
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

/*
 * A full map says E2BIG (hash, array) or ENOSPC (LPM trie); ENOMEM is the
 * kernel failing to allocate an entry of a map that is not preallocated
 * (the prefix maps), e.g. under the memory limit of the cgroup that made
 * the map.
 */
static const char *sync_fail_hint(int err)
{
	if (err == -E2BIG || err == -ENOSPC)
		return " (map full?)";
	if (err == -ENOMEM)
		return " (the kernel is short of memory for the map's entries)";
	return "";
}

static int sync_fail(struct tg_sync_ctx *c, const char *map, const char *what,
		     int err)
{
	snprintf(c->st->failed, sizeof(c->st->failed),
		 "map %s: cannot %s an entry: %s%s", map, what, strerror(-err),
		 sync_fail_hint(err));
	return err;
}

/*
 * Write n key/value pairs to fd, batched where the map takes it. undo:
 * the last n entries of the undo log are these pairs; on failure those
 * never written are dropped from it.
 */
int sync_write_many(struct tg_sync_ctx *c, int fd, const char *map,
		    const __u8 *keys, const __u8 *vals, size_t n,
		    size_t ksz, size_t vsz, bool batch, bool undo)
{
	DECLARE_LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = BPF_ANY);
	size_t i = 0;
	__u32 count;
	int err;

	while (batch && i < n) {
		count = n - i < c->batch ? n - i : c->batch;
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

int sync_write_diff(struct tg_sync_ctx *c, int fd, const char *map,
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
		v = tg_kv_find(have, tg_kv_at(want, i));
		if (v && !memcmp(v, tg_kv_at(want, i) + want->ksz, want->vsz))
			continue;
		err = sync_undo_add(c, fd, map, tg_kv_at(want, i), want->ksz, v,
				    want->vsz);
		if (err)
			goto out;
		memcpy(keys + n * want->ksz, tg_kv_at(want, i), want->ksz);
		memcpy(vals + n * want->vsz, tg_kv_at(want, i) + want->ksz,
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

int sync_delete_diff(struct tg_sync_ctx *c, int fd, const char *map,
		     const struct tg_kv *want, const struct tg_kv *have,
		     bool array)
{
	__u8 zero[SYNC_VAL_MAX] = {};
	size_t i;
	int err;

	for (i = 0; i < have->n; i++) {
		if (tg_kv_find(want, tg_kv_at(have, i)))
			continue;
		err = sync_undo_add(c, fd, map, tg_kv_at(have, i), have->ksz,
				    tg_kv_at(have, i) + have->ksz, have->vsz);
		if (err)
			return err;
		if (array)
			err = bpf_map_update_elem(fd, tg_kv_at(have, i), zero,
						  BPF_ANY) ? -errno : 0;
		else
			err = bpf_map_delete_elem(fd, tg_kv_at(have, i)) &&
			      errno != ENOENT ? -errno : 0;
		if (err)
			return sync_fail(c, map, array ? "clear" : "delete", err);
		sync_written(c);
	}
	return 0;
}

/* The per-sub_id state the programs write, zeroed for new sub_ids. */
static const struct sync_zeroed {
	size_t fd_off;
	const char *name;
	size_t size;
} sync_zeroed[] = {
	{ offsetof(struct tg_maps, peer), "tg_peer", sizeof(struct tg_peer) },
	{ offsetof(struct tg_maps, bucket), "tg_bucket",
	  sizeof(struct tg_bucket) },
	{ offsetof(struct tg_maps, seen), "tg_seen", sizeof(struct tg_seen) },
};
#define SYNC_ZEROED_MAX 16	/* the largest size above */

/*
 * Zero the entries of ids (n of them) in tg_sub_stats (their line of each
 * of the ncpu CPUs: lines, room for SYNC_BATCH * ncpu keys, and stats as
 * many zero lines) and in the maps of sync_zeroed.
 */
static int sync_zero_flush(struct tg_sync_ctx *c, const __u32 *ids, size_t n,
			   __u32 *lines, int ncpu, const __u8 *stats,
			   const __u8 *zeros)
{
	size_t i;
	int err, fd, cpu;

	for (i = 0; i < n; i++)
		for (cpu = 0; cpu < ncpu; cpu++)
			lines[i * ncpu + cpu] = ids[i] * ncpu + cpu;
	err = sync_write_many(c, c->m->sub_stats, "tg_sub_stats",
			      (const __u8 *)lines, stats, n * ncpu,
			      sizeof(*lines), sizeof(struct tg_sub_line), true,
			      false);
	for (i = 0; !err && i < sizeof(sync_zeroed) / sizeof(sync_zeroed[0]);
	     i++) {
		fd = *(const int *)((const char *)c->m + sync_zeroed[i].fd_off);
		err = sync_write_many(c, fd, sync_zeroed[i].name,
				      (const __u8 *)ids, zeros, n,
				      sizeof(*ids), sync_zeroed[i].size,
				      true, false);
	}
	return err;
}

/*
 * Zero the counters, the peer state, the policing state and the
 * last-heard times of every new sub_id.
 */
int sync_zero_new(struct tg_sync_ctx *c)
{
	__u32 cap = c->m->capacity, id;
	__u8 *stats = NULL, *zeros = NULL;
	__u32 *ids = NULL, *lines = NULL;
	size_t n = 0;
	int ncpu, err = 0;

	_Static_assert(sizeof(struct tg_peer) <= SYNC_ZEROED_MAX &&
		       sizeof(struct tg_bucket) <= SYNC_ZEROED_MAX &&
		       sizeof(struct tg_seen) <= SYNC_ZEROED_MAX,
		       "SYNC_ZEROED_MAX");
	ncpu = tg_sub_ncpus();
	if (ncpu < 0)
		return ncpu;
	ids = malloc(SYNC_BATCH * sizeof(*ids));
	lines = malloc(SYNC_BATCH * ncpu * sizeof(*lines));
	stats = calloc(SYNC_BATCH * ncpu, sizeof(struct tg_sub_line));
	zeros = calloc(SYNC_BATCH, SYNC_ZEROED_MAX);
	if (!ids || !lines || !stats || !zeros) {
		err = -ENOMEM;
		goto out;
	}
	for (id = 1; id < cap && !err; id++) {
		if (!bit_test(c->live_want, id, cap) ||
		    bit_test(c->live_have, id, cap))
			continue;
		ids[n++] = id;
		if (n == SYNC_BATCH) {
			err = sync_zero_flush(c, ids, n, lines, ncpu, stats,
					      zeros);
			n = 0;
		}
	}
	if (!err && n)
		err = sync_zero_flush(c, ids, n, lines, ncpu, stats, zeros);
out:
	free(ids);
	free(lines);
	free(stats);
	free(zeros);
	return err;
}

int sync_config(struct tg_sync_ctx *c)
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

int sync_community(struct tg_sync_ctx *c, bool write)
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

