/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading the data plane's counters: every enabled subscriber's per-CPU
 * counters summed (batch lookups), with its name and class from the
 * database, the global counters by reason, and map fill levels. Shared by
 * stats, top and the Prometheus metrics.
 */
#ifndef TG_COUNTERS_H
#define TG_COUNTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <sqlite3.h>
#include <linux/types.h>
#include <linux/bpf.h>

#include "dataplane/dataplane.h"
#include "dataplane/liveness.h"
#include "tungate.h"

/* One subscriber: names from the database, counters summed over CPUs. */
struct tg_sub_snap {
	const char *name;
	const char *cls;		/* class in effect, "" for none */
	__u32 dp_id;
	struct tg_sub_counters c;
	struct tg_seen seen;		/* when the data plane last heard it */
};

struct tg_snap {
	struct tg_sub_snap *subs;	/* enabled subscribers, by name */
	size_t n;
	struct tg_counter global[TG_R_MAX];
	struct tg_clock clock;		/* of the last read */
	__u32 live_timeout;		/* liveness-timeout, seconds */
	/* private */
	__s32 *index;			/* dp_id -> position in subs, or -1 */
	__u32 capacity;
	char *strings;			/* names and classes */
	size_t strings_len, strings_cap;
};

/*
 * Fill s with the enabled subscribers that have a data plane id below
 * capacity (only: just that one), counters zero. 0, -ENOENT (only: no such
 * subscriber), -ENODATA (only: disabled), -ENOMEM or -EIO (reported by the
 * caller).
 */
int tg_snap_load(sqlite3 *db, const char *only, __u32 capacity,
		 struct tg_snap *s);
/*
 * Read every counter and last-heard time of the subscribers of s and the
 * global counters.
 */
int tg_snap_read(struct tg_snap *s, const struct tg_maps *m);

/* Liveness of a subscriber of s as of the last read. */
static inline enum tg_live tg_snap_live(const struct tg_snap *s,
					const struct tg_sub_snap *e)
{
	return tg_live_state(&e->seen, s->clock.mono_ns, s->live_timeout);
}
void tg_snap_free(struct tg_snap *s);

/*
 * tg_sub_stats summed over CPUs: out[i] for keys[i] (keys >= m->capacity
 * read as zero), or with keys NULL every id below m->capacity into out[id]
 * (out has m->capacity elements; batch lookups). 0 or negative errno.
 */
int tg_sub_counters_read(const struct tg_maps *m, const __u32 *keys,
			 size_t n, struct tg_sub_counters *out);

/*
 * tg_seen of keys[0..n-1] into out (ids >= m->capacity read as zero), or
 * with keys NULL of every id below m->capacity into out[id]. 0 or
 * negative errno.
 */
int tg_seen_read(const struct tg_maps *m, const __u32 *keys, size_t n,
		 struct tg_seen *out);

/* Per-subscriber reasons whose packets are not forwarded. */
bool tg_reason_sub_drop(__u32 reason);
/* Sum of the per-subscriber drop reasons of c. */
__u64 tg_sub_drops(const struct tg_sub_counters *c);

/* Per-second rates of one subscriber between two reads dt_ns apart. */
struct tg_sub_rate {
	double bits[TG_DIR_MAX];	/* inner IP bits per second */
	double packets[TG_DIR_MAX];
	double drops;			/* tg_sub_drops() per second */
};
void tg_sub_rate(const struct tg_sub_counters *prev,
		 const struct tg_sub_counters *cur, __u64 dt_ns,
		 struct tg_sub_rate *r);
/* v with an SI prefix in at most 6 characters: "999", "12.3k", "1.2G". */
void tg_fmt_si(double v, char *buf, size_t len);
/* A rate in bits/s as text: "0 bit/s", "12.3 Mbit/s". */
void tg_fmt_bits(double bps, char *buf, size_t len);

/* Entries and capacity of one map (hash and LPM maps: counted). */
struct tg_map_fill {
	const char *name;
	__u32 id;		/* kernel map id */
	__u32 entries;
	__u32 max;
};
#define TG_MAP_FILL_MAX 8
/*
 * Entries in use of one map: the keys of a hash, LPM trie or device hash,
 * the elements of an array whose value is not all zero. 0, -EOPNOTSUPP
 * (not counted: other types, such as per-CPU arrays) or negative errno.
 */
int tg_map_entries(int fd, const struct bpf_map_info *info, __u32 *entries);
/*
 * Fill levels of the maps whose size varies; *n set. Counting walks every
 * entry: an earlier result (cached, ncached; NULL, 0: none) is reused for
 * the maps whose id it has, which the caller knows to be unchanged since.
 * 0 or negative errno.
 */
int tg_map_fill(const struct tg_maps *m, const struct tg_map_fill *cached,
		size_t ncached, struct tg_map_fill *out, size_t *n);

/*
 * Reading every subscriber once needs no page cache and no memory map of
 * the database file: keep the connection's memory small.
 */
void tg_db_low_memory(sqlite3 *db);

/* Whether the maps pinned under root exist (tg_sub_stats is there). */
bool tg_maps_pinned(const char *root);
/*
 * For command cmd (named in the error): 0 when the maps are pinned under
 * root, else -ENOENT (reported, with what to run first).
 */
int tg_maps_require(const char *cmd, const char *root);
/*
 * For command cmd: tg_maps_require(), the database (tg_db_open(); with
 * low_memory, tg_db_low_memory()) and the maps pinned under root. 0 or
 * negative errno (reported); the caller closes both, also on error.
 */
int tg_counters_open(const char *cmd, const char *root, bool low_memory,
		     sqlite3 **db, struct tg_maps *m);

#endif /* TG_COUNTERS_H */
