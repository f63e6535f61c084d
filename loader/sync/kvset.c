// SPDX-License-Identifier: GPL-2.0-only
/* Sorted key/value sets: a map's contents in memory. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "sync/kvset.h"
#include "util/log.h"
#include "tungate.h"

__u8 *tg_kv_at(const struct tg_kv *s, size_t i)
{
	return s->data + i * (s->ksz + s->vsz);
}

int tg_kv_add(struct tg_kv *s, const void *k, const void *v)
{
	__u8 *nd;

	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		nd = realloc(s->data, s->cap * (s->ksz + s->vsz));
		if (!nd)
			return -ENOMEM;
		s->data = nd;
	}
	memcpy(tg_kv_at(s, s->n), k, s->ksz);
	memcpy(tg_kv_at(s, s->n) + s->ksz, v, s->vsz);
	s->n++;
	return 0;
}

static int tg_kv_cmp(const void *a, const void *b, void *ksz)
{
	return memcmp(a, b, *(size_t *)ksz);
}

void tg_kv_sort(struct tg_kv *s)
{
	if (s->n)
		qsort_r(s->data, s->n, s->ksz + s->vsz, tg_kv_cmp, &s->ksz);
}

const __u8 *tg_kv_find(const struct tg_kv *s, const void *k)
{
	size_t lo = 0, hi = s->n, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = memcmp(tg_kv_at(s, mid), k, s->ksz);
		if (!c)
			return tg_kv_at(s, mid) + s->ksz;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void tg_kv_free(struct tg_kv *s)
{
	free(s->data);
	s->data = NULL;
	s->n = s->cap = 0;
}

/* Read every entry of map fd into s (unsorted) one by one. */
static int tg_kv_read_iter(int fd, const char *name, struct tg_kv *s)
{
	__u8 key[64], next[64], val[64];
	void *prev = NULL;
	int err;

	while (!bpf_map_get_next_key(fd, prev, next)) {
		if (!bpf_map_lookup_elem(fd, next, val)) {
			err = tg_kv_add(s, next, val);
			if (err)
				return err;
		} else if (errno != ENOENT) {
			err = -errno;
			pr_warn("map %s: cannot read an entry: %s\n", name,
				strerror(-err));
			return err;
		}
		memcpy(key, next, s->ksz);
		prev = key;
	}
	if (errno != ENOENT) {
		err = -errno;
		pr_warn("map %s: cannot iterate: %s\n", name,
			strerror(-err));
		return err;
	}
	return 0;
}

int tg_kv_read_map(int fd, const char *name, struct tg_kv *s,
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

	keys = malloc(TG_KV_BATCH * s->ksz);
	vals = malloc(TG_KV_BATCH * s->vsz);
	zero = calloc(1, s->vsz);
	if (!keys || !vals || !zero) {
		err = -ENOMEM;
		goto out;
	}
	for (;;) {
		count = TG_KV_BATCH;
		ret = bpf_map_lookup_batch(fd, first ? NULL : in, out, keys,
					   vals, &count, &opts);
		err = ret ? -errno : 0;
		if (err && err != -ENOENT) {
			if (first && (err == -EINVAL || err == -ENOTSUP ||
				      err == -EOPNOTSUPP)) {
				err = tg_kv_read_iter(fd, name, s);
				break;
			}
			pr_warn("map %s: cannot read: %s\n", name,
				strerror(-err));
			goto out;
		}
		for (i = 0; i < count; i++) {
			if (skip_zero && !memcmp(vals + i * s->vsz, zero, s->vsz))
				continue;
			ret = tg_kv_add(s, keys + i * s->ksz, vals + i * s->vsz);
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
		tg_kv_sort(s);
out:
	free(keys);
	free(vals);
	free(zero);
	return err;
}

void tg_kv_lpm_lens(const struct tg_kv *s, __u8 *lens)
{
	__u32 len;
	size_t i;

	memset(lens, 0, 17);
	for (i = 0; i < s->n; i++) {
		memcpy(&len, tg_kv_at(s, i), sizeof(len));
		if (len <= 128)
			lens[len / 8] |= 1 << (len % 8);
	}
}

const __u8 *tg_kv_lpm_cover(const struct tg_kv *s, const __u8 *lens,
			    const __u8 *k)
{
	__u8 key[sizeof(struct tg_lpm6_key)];
	__u32 len, l, b, keep;
	const __u8 *v;

	memcpy(&len, k, sizeof(len));
	if (len > 128)
		return NULL;
	for (l = len + 1; l-- > 0;) {
		if (!(lens[l / 8] & (1 << (l % 8))))
			continue;
		memcpy(key, k, s->ksz);
		memcpy(key, &l, sizeof(l));
		for (b = 0; b < s->ksz - 4; b++) {
			keep = l > b * 8 ? l - b * 8 : 0;
			if (keep < 8)
				key[4 + b] &= keep ? 0xff << (8 - keep) : 0;
		}
		v = tg_kv_find(s, key);
		if (v)
			return v;
	}
	return NULL;
}

