/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Sorted sets of fixed-size key/value pairs: a map's contents in memory,
 * read in batches, searched by key, and for LPM keys by covering prefix.
 */
#ifndef TG_KVSET_H
#define TG_KVSET_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

/* Entries per batch system call. */
#define TG_KV_BATCH 4096

/* A sorted set of fixed-size key/value pairs, one map's contents. */
struct tg_kv {
	size_t n, cap;
	size_t ksz, vsz;
	__u8 *data;
};

/* Entry i (key, then value). */
__u8 *tg_kv_at(const struct tg_kv *s, size_t i);

/* Append a pair (unsorted until tg_kv_sort()). 0 or -ENOMEM. */
int tg_kv_add(struct tg_kv *s, const void *k, const void *v);

/* Sort by key (bytewise). */
void tg_kv_sort(struct tg_kv *s);

/* Value of key k in sorted s, or NULL. */
const __u8 *tg_kv_find(const struct tg_kv *s, const void *k);

void tg_kv_free(struct tg_kv *s);

/*
 * Read map fd (name for messages) into s, sorted, with batch lookups where
 * the map type has them (hash, array), else one entry at a time (LPM
 * tries). skip_zero: leave out all-zero values (array slots nobody uses).
 * 0 or negative errno.
 */
int tg_kv_read_map(int fd, const char *name, struct tg_kv *s, bool skip_zero);

/*
 * LPM keys (struct tg_lpm4_key / tg_lpm6_key, host bits zero): the prefix
 * lengths present in s as a bitmap of 0..128 (17 bytes), and the entry of
 * sorted s whose prefix covers k (the longest, k itself included), or NULL.
 */
void tg_kv_lpm_lens(const struct tg_kv *s, __u8 *lens);
const __u8 *tg_kv_lpm_cover(const struct tg_kv *s, const __u8 *lens,
			    const __u8 *k);

#endif /* TG_KVSET_H */
