// SPDX-License-Identifier: GPL-2.0-only
/* migrate suite: pinned maps of an older or foreign layout. */
#include <check.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf_util.h"
#include "dataplane/dataplane.h"
#include "dataplane/migrate.h"
#include "dataplane/subcount.h"
#include "migrate_db.h"
#include "tungate.h"
#include "subscriber.skel.h"

#define OLD_STATS_SIZE (sizeof(struct tg_sub_counters) - 8)
#define NENT 8

static char root[64];
static int runner_pid;	/* the runner's, before it forks the tests */

static bool setup_root(void)
{
	if (!tg_test_need_root())
		return false;
	snprintf(root, sizeof(root), "/sys/fs/bpf/tg-test-migrate-%d-%d",
		 runner_pid, (int)getpid());
	ck_assert_int_eq(mkdir(root, 0700), 0);
	return true;
}

static void teardown(void)
{
	char cmd[128];

	if (!root[0])
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	ck_assert_int_eq(system(cmd), 0);
	root[0] = 0;
}

static void runner_setup(void)
{
	runner_pid = getpid();
}

/* In the runner: what a failed test (its teardown not run) left. */
static void runner_teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf /sys/fs/bpf/tg-test-migrate-%d-*",
		 runner_pid);
	if (system(cmd))
		fprintf(stderr, "migrate: could not run '%s'\n", cmd);
}

static int pin_new(const char *name, enum bpf_map_type type, __u32 key,
		   __u32 value, __u32 max, __u32 flags)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = flags);
	char path[128];
	int fd;

	fd = bpf_map_create(type, name, key, value, max, &opts);
	ck_assert_int_ge(fd, 0);
	snprintf(path, sizeof(path), "%s/%s", root, name);
	ck_assert_int_eq(bpf_obj_pin(fd, path), 0);
	return fd;
}

static int pinned(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", root, name);
	return bpf_obj_get(path);
}

static struct bpf_map_info map_info(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	ck_assert_int_eq(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	return info;
}

static __u32 map_id(int fd)
{
	return map_info(fd).id;
}

/* The map pinned as name is still the one of fd. */
static void assert_still_pinned(const char *name, int fd)
{
	int now = pinned(name);

	ck_assert_int_ge(now, 0);
	ck_assert_uint_eq(map_id(now), map_id(fd));
	close(now);
}

/* The byte of CPU cpu, entry key, offset off in the old counters. */
static unsigned char pattern(int cpu, __u32 key, size_t off)
{
	return (unsigned char)(1 + cpu * 31 + key * 7 + off);
}

/* An old tg_sub_stats: one reason counter fewer, odd entries filled. */
static int pin_old_stats(void)
{
	int ncpu = libbpf_num_possible_cpus(), fd, c;
	size_t off;
	unsigned char *v;
	__u32 k;

	fd = pin_new("tg_sub_stats", BPF_MAP_TYPE_PERCPU_ARRAY, 4,
		     OLD_STATS_SIZE, NENT, 0);
	v = calloc(ncpu, OLD_STATS_SIZE);
	ck_assert_ptr_nonnull(v);
	for (k = 1; k < NENT; k += 2) {
		for (c = 0; c < ncpu; c++)
			for (off = 0; off < OLD_STATS_SIZE; off++)
				v[c * OLD_STATS_SIZE + off] = pattern(c, k, off);
		ck_assert_int_eq(bpf_map_update_elem(fd, &k, v, BPF_ANY), 0);
	}
	free(v);
	return fd;
}

/*
 * pin_old_stats()'s values in the per-CPU map fd, or (flat) in a
 * tg_sub_stats of this layout, each CPU's value zero-extended.
 */
static void check_new_stats(int fd, bool flat)
{
	int ncpu = libbpf_num_possible_cpus(), c;
	struct tg_sub_counters *v = calloc(ncpu, sizeof(*v));
	const unsigned char *b;
	size_t off;
	__u32 k;

	ck_assert_ptr_nonnull(v);
	for (k = 0; k < NENT; k++) {
		if (flat)
			ck_assert_int_eq(tg_sub_counters_get(fd, k, v), 0);
		else
			ck_assert_int_eq(bpf_map_lookup_elem(fd, &k, v), 0);
		for (c = 0; c < ncpu; c++) {
			b = (const unsigned char *)&v[c];
			for (off = 0; off < sizeof(*v); off++)
				ck_assert_uint_eq(b[off],
						  (k & 1) && off < OLD_STATS_SIZE ?
							  pattern(c, k, off) : 0);
		}
	}
	free(v);
}

static int pin_meta(__u32 layout)
{
	struct tg_meta meta = { .layout = layout, .sync_count = 42 };
	__u32 k = 0;
	int fd;

	fd = pin_new("tg_meta", BPF_MAP_TYPE_ARRAY, 4, sizeof(meta), 1, 0);
	ck_assert_int_eq(bpf_map_update_elem(fd, &k, &meta, BPF_ANY), 0);
	return fd;
}

static struct tg_meta read_meta(void)
{
	struct tg_meta meta;
	__u32 k = 0;
	int fd = pinned("tg_meta");

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bpf_map_lookup_elem(fd, &k, &meta), 0);
	close(fd);
	return meta;
}

/* Per-CPU values grow per CPU, each zero-extended; empty slots stay empty. */
START_TEST(test_copy_grown_percpu)
{
	struct tg_map_shape new = {
		.type = BPF_MAP_TYPE_PERCPU_ARRAY,
		.key_size = 4,
		.value_size = sizeof(struct tg_sub_counters),
	};
	struct bpf_map_info info;
	__u64 n;
	int old, fd;

	if (!setup_root())
		return;
	old = pin_old_stats();
	ck_assert_int_eq(tg_map_copy_grown(old, "tg_sub_stats", &new, &fd, &n),
			 0);
	ck_assert_uint_eq(n, NENT / 2);
	info = map_info(fd);
	ck_assert_uint_eq(info.value_size, sizeof(struct tg_sub_counters));
	ck_assert_uint_eq(info.max_entries, NENT);
	check_new_stats(fd, false);
	close(fd);
	close(old);
}
END_TEST

/* Hash maps: every key copied, values zero-extended. */
START_TEST(test_copy_grown_hash)
{
	struct tg_map_shape new = {
		.type = BPF_MAP_TYPE_HASH,
		.key_size = 4,
		.value_size = 16,
	};
	LIBBPF_OPTS(bpf_map_create_opts, opts);
	__u64 v8, v16[2];
	__u32 k, n = 0, next;
	int old, fd;

	if (!tg_test_need_root())
		return;
	old = bpf_map_create(BPF_MAP_TYPE_HASH, "old", 4, 8, 64, &opts);
	ck_assert_int_ge(old, 0);
	for (k = 100; k < 150; k++) {
		v8 = k * 1000ULL;
		ck_assert_int_eq(bpf_map_update_elem(old, &k, &v8, BPF_ANY), 0);
	}
	ck_assert_int_eq(tg_map_copy_grown(old, "new", &new, &fd, NULL), 0);
	for (k = 100; k < 150; k++) {
		ck_assert_int_eq(bpf_map_lookup_elem(fd, &k, v16), 0);
		ck_assert_uint_eq(v16[0], k * 1000ULL);
		ck_assert_uint_eq(v16[1], 0);
	}
	while (!bpf_map_get_next_key(fd, n ? &k : NULL, &next)) {
		k = next;
		n++;
	}
	ck_assert_uint_eq(n, 50);
	/* Shrinking is not a copy this knows. */
	new.value_size = 4;
	close(fd);
	ck_assert_int_eq(tg_map_copy_grown(old, "new", &new, &fd, NULL),
			 -EINVAL);
	ck_assert_int_eq(fd, -1);
	close(old);
}
END_TEST

/*
 * up's path: an older layout is migrated (entries kept, pin swapped), the
 * missing maps created, the layout recorded, the rest of tg_meta kept.
 * The per-CPU tg_sub_stats of layouts before 4 becomes a flat array, a
 * line per sub_id and CPU.
 */
START_TEST(test_open_migrates)
{
	struct subscriber_bpf *skel;
	struct bpf_map_info info;
	struct tg_meta meta;
	int old, meta_fd, fd;
	__u32 old_id;

	if (!setup_root())
		return;
	old = pin_old_stats();
	old_id = map_id(old);
	meta_fd = pin_meta(0);
	skel = tg_skel_open_pinned(root);
	ck_assert_ptr_nonnull(skel);
	ck_assert_uint_eq(bpf_map__max_entries(skel->maps.tg_sub_stats),
			  NENT * libbpf_num_possible_cpus());
	ck_assert_int_eq(subscriber_bpf__load(skel), 0);
	fd = pinned("tg_sub_stats");
	ck_assert_int_ge(fd, 0);
	info = map_info(fd);
	ck_assert_uint_ne(info.id, old_id);
	ck_assert_uint_eq(info.type, BPF_MAP_TYPE_ARRAY);
	ck_assert_uint_eq(info.map_flags, BPF_F_MMAPABLE);
	ck_assert_uint_eq(info.value_size, sizeof(struct tg_sub_line));
	ck_assert_uint_eq(info.max_entries, NENT * libbpf_num_possible_cpus());
	/* The loaded program uses the migrated map. */
	ck_assert_uint_eq(map_id(bpf_map__fd(skel->maps.tg_sub_stats)),
			  info.id);
	check_new_stats(fd, true);
	meta = read_meta();
	ck_assert_uint_eq(meta.layout, TG_LAYOUT_VERSION);
	ck_assert_uint_eq(meta.sync_count, 42);
	ck_assert_int_eq(map_id(meta_fd), map_id(bpf_map__fd(skel->maps.tg_meta)));
	ck_assert_int_lt(pinned("tg_sub_stats_migrating"), 0);
	ck_assert_int_ge(pinned("tg_tunnels"), 0);
	subscriber_bpf__destroy(skel);
	close(fd);
	close(meta_fd);
	close(old);
}
END_TEST

/* Both up's way and the other commands' refuse: nothing created. */
static void assert_refused(void)
{
	struct tg_maps m = TG_MAPS_INIT;

	errno = 0;
	ck_assert_ptr_null(tg_skel_open_pinned(root));
	ck_assert_int_eq(errno, EPROTO);
	ck_assert_int_eq(tg_maps_open_pinned(root, &m), -EPROTO);
	ck_assert_int_lt(pinned("tg_prefix4"), 0);
}

/* Commands other than up refuse an older layout and change nothing. */
START_TEST(test_open_pinned_refuses_old)
{
	struct tg_maps m = TG_MAPS_INIT;
	int old;

	if (!setup_root())
		return;
	old = pin_old_stats();
	close(pin_meta(0));
	ck_assert_int_eq(tg_maps_open_pinned(root, &m), -EPROTO);
	ck_assert_int_eq(m.sub_stats, -1);
	assert_still_pinned("tg_sub_stats", old);
	ck_assert_int_lt(pinned("tg_tunnels"), 0);
	ck_assert_uint_eq(read_meta().layout, 0);
	close(old);
}
END_TEST

/* A change no migration covers is refused: nothing migrated or created. */
START_TEST(test_unknown_refused)
{
	int old, tun;

	if (!setup_root())
		return;
	old = pin_old_stats();
	tun = pin_new("tg_tunnels", BPF_MAP_TYPE_HASH, 12,
		      sizeof(struct tg_tunnel), NENT, 0);
	close(pin_meta(0));
	assert_refused();
	assert_still_pinned("tg_sub_stats", old);
	assert_still_pinned("tg_tunnels", tun);
	ck_assert_int_lt(pinned("tg_sub_stats_migrating"), 0);
	ck_assert_uint_eq(read_meta().layout, 0);
	close(tun);
	close(old);
}
END_TEST

/* Same shape but the current layout: a grown value is not expected. */
START_TEST(test_current_layout_mismatch_refused)
{
	int old;

	if (!setup_root())
		return;
	old = pin_old_stats();
	close(pin_meta(TG_LAYOUT_VERSION));
	assert_refused();
	assert_still_pinned("tg_sub_stats", old);
	close(old);
}
END_TEST

/* Maps of a newer layout are refused by every command. */
START_TEST(test_newer_layout_refused)
{
	if (!setup_root())
		return;
	close(pin_meta(TG_LAYOUT_VERSION + 1));
	assert_refused();
}
END_TEST

/* Maps created by any command record this build's layout. */
START_TEST(test_create_records_layout)
{
	struct tg_maps m = TG_MAPS_INIT;

	if (!setup_root())
		return;
	ck_assert_int_eq(tg_maps_open_pinned(root, &m), 0);
	ck_assert_uint_eq(read_meta().layout, TG_LAYOUT_VERSION);
	tg_maps_close(&m);
	/* And the current layout opens as it is. */
	ck_assert_int_eq(tg_maps_open_pinned(root, &m), 0);
	tg_maps_close(&m);
}
END_TEST

/* Layout 1: what its maps held, by sub_id (prefix values: the bare id). */
#define L1_SUBS 3
#define L1_ID(i) ((__u32)(2 * (i) + 1))

static struct tg_tun_key l1_tun_key(int i)
{
	struct tg_tun_key k = { .type = TG_TUN_GRE, .remote = htonl(0xc0000201 + i),
				.local = htonl(0xc0000263), .id = htonl(100 + i) };

	return k;
}

static struct tg_lpm4_key l1_key4(int i)
{
	struct tg_lpm4_key k = { .prefixlen = 32,
				 .addr = htonl(0x64400001 + i) };

	return k;
}

static struct tg_lpm6_key l1_key6(int i)
{
	struct tg_lpm6_key k = { .prefixlen = 56,
				 .addr = { 0x20, 0x01, 0x0d, 0xb8, 0, 0,
					   (__u8)(i + 1) } };

	return k;
}

static struct tg_encap l1_encap(int i)
{
	struct tg_encap e = { .remote = htonl(0xc0000201 + i),
			      .local = htonl(0xc0000263), .type = TG_TUN_GRE,
			      .mtu = 1400 + i };

	return e;
}

/*
 * A pin root of layout 1: tunnels, prefixes of both families, encap,
 * police and counters of L1_SUBS subscribers, in maps of NENT entries.
 */
static void pin_layout1(int *fds)
{
	struct tg_tunnel t;
	struct tg_police pol;
	struct tg_sub_counters *c;
	struct tg_tun_key tk;
	struct tg_lpm4_key k4;
	struct tg_lpm6_key k6;
	struct tg_encap e;
	int ncpu = libbpf_num_possible_cpus(), i, cpu;
	__u32 id;

	fds[0] = pin_new("tg_tunnels", BPF_MAP_TYPE_HASH,
			 sizeof(struct tg_tun_key), sizeof(struct tg_tunnel),
			 NENT, 0);
	fds[1] = pin_new("tg_prefix4", BPF_MAP_TYPE_LPM_TRIE,
			 sizeof(struct tg_lpm4_key), sizeof(__u32),
			 NENT * TG_PREFIXES_PER_SUB, BPF_F_NO_PREALLOC);
	fds[2] = pin_new("tg_prefix6", BPF_MAP_TYPE_LPM_TRIE,
			 sizeof(struct tg_lpm6_key), sizeof(__u32),
			 NENT * TG_PREFIXES_PER_SUB, BPF_F_NO_PREALLOC);
	fds[3] = pin_new("tg_encap", BPF_MAP_TYPE_ARRAY, 4,
			 sizeof(struct tg_encap), NENT, 0);
	/* Layouts 1 and 2: tg_police without the subscriber's prefixes. */
	fds[4] = pin_new("tg_police", BPF_MAP_TYPE_ARRAY, 4,
			 offsetof(struct tg_police, src4), NENT, 0);
	fds[5] = pin_new("tg_sub_stats", BPF_MAP_TYPE_PERCPU_ARRAY, 4,
			 sizeof(struct tg_sub_counters), NENT, 0);
	fds[6] = pin_meta(1);
	c = calloc(ncpu, sizeof(*c));
	ck_assert_ptr_nonnull(c);
	for (i = 0; i < L1_SUBS; i++) {
		id = L1_ID(i);
		/* Layout 1's tg_tunnel: sub_id, mtu, flags, cookie. */
		memset(&t, 0, sizeof(t));
		t.c[0].claim = id;
		t.c[0].mtu = 1400 + i;
		t.c[0].cookie_len = 4;
		memset(t.c[0].cookie, 0xa0 + i, 4);
		tk = l1_tun_key(i);
		ck_assert_int_eq(bpf_map_update_elem(fds[0], &tk, &t, BPF_ANY), 0);
		k4 = l1_key4(i);
		ck_assert_int_eq(bpf_map_update_elem(fds[1], &k4, &id, BPF_ANY), 0);
		k6 = l1_key6(i);
		ck_assert_int_eq(bpf_map_update_elem(fds[2], &k6, &id, BPF_ANY), 0);
		e = l1_encap(i);
		ck_assert_int_eq(bpf_map_update_elem(fds[3], &id, &e, BPF_ANY), 0);
		memset(&pol, 0, sizeof(pol));
		pol.interval[0] = 1000 + i;
		ck_assert_int_eq(bpf_map_update_elem(fds[4], &id, &pol, BPF_ANY), 0);
		for (cpu = 0; cpu < ncpu; cpu++)
			c[cpu].packets[0] = 10 * id + cpu;
		ck_assert_int_eq(bpf_map_update_elem(fds[5], &id, c, BPF_ANY), 0);
	}
	free(c);
}

/* Every entry of pin_layout1() read back through the layout-2 maps m. */
static void check_layout1_kept(const struct tg_maps *m)
{
	int ncpu = libbpf_num_possible_cpus(), i, cpu;
	const struct tg_tun_claim *tc;
	struct tg_sub_counters *c;
	struct tg_police pol;
	struct tg_tunnel t;
	struct tg_tun_key tk;
	struct tg_lpm4_key k4;
	struct tg_lpm6_key k6;
	struct tg_owners o;
	struct tg_encap e, want;
	__u32 id;

	c = calloc(ncpu, sizeof(*c));
	ck_assert_ptr_nonnull(c);
	for (i = 0; i < L1_SUBS; i++) {
		id = L1_ID(i);
		ck_assert_uint_eq(tg_slot_of(m, id), 0);
		tk = l1_tun_key(i);
		ck_assert_int_eq(bpf_map_lookup_elem(m->tunnels, &tk, &t), 0);
		tc = tg_tunnel_claim_now(m, &t);
		ck_assert_ptr_eq(tc, &t.c[0]);
		ck_assert_uint_eq(tc->claim, TG_CLAIM(id, 0));
		ck_assert_uint_eq(tc->mtu, 1400 + i);
		ck_assert_uint_eq(tc->cookie[3], 0xa0 + i);
		ck_assert_uint_eq(t.c[1].claim, 0);
		k4 = l1_key4(i);
		ck_assert_int_eq(bpf_map_lookup_elem(m->prefix4, &k4, &o), 0);
		ck_assert_uint_eq(o.claim[0], TG_CLAIM(id, 0));
		ck_assert_uint_eq(o.claim[1], 0);
		ck_assert_uint_eq(tg_owner_now(m, &o), TG_CLAIM(id, 0));
		k6 = l1_key6(i);
		ck_assert_int_eq(bpf_map_lookup_elem(m->prefix6, &k6, &o), 0);
		ck_assert_uint_eq(o.claim[0], TG_CLAIM(id, 0));
		ck_assert_uint_eq(o.claim[1], 0);
		ck_assert_int_eq(bpf_map_lookup_elem(tg_encap_fd(m, 0), &id, &e),
				 0);
		want = l1_encap(i);
		ck_assert_int_eq(memcmp(&e, &want, sizeof(e)), 0);
		ck_assert_int_eq(bpf_map_lookup_elem(tg_police_fd(m, 0), &id,
						     &pol), 0);
		ck_assert_uint_eq(pol.interval[0], 1000 + i);
		/* No prefix of its own: its sources from the prefix maps. */
		ck_assert_uint_eq(pol.src, 0);
		ck_assert_uint_eq(pol.src4, 0);
		ck_assert_int_eq(tg_sub_counters_get(m->sub_stats, id, c), 0);
		for (cpu = 0; cpu < ncpu; cpu++)
			ck_assert_uint_eq(c[cpu].packets[0],
					  10 * id + cpu);
	}
	free(c);
}

/* tg_gen, tg_encap1, tg_police1 made, sized like the others, all zero. */
static void check_slot1_made(const struct tg_maps *m)
{
	struct tg_encap e, zero_e = {};
	struct tg_police p, zero_p = {};
	__u32 k, gen;

	ck_assert_uint_eq(m->capacity, NENT);
	ck_assert_uint_eq(map_info(m->gen).max_entries, NENT);
	ck_assert_uint_eq(map_info(m->encap1).max_entries, NENT);
	ck_assert_uint_eq(map_info(m->police1).max_entries, NENT);
	ck_assert_int_eq(tg_encap_fd(m, 1), m->encap1);
	ck_assert_int_eq(tg_police_fd(m, 1), m->police1);
	for (k = 0; k < NENT; k++) {
		ck_assert_int_eq(bpf_map_lookup_elem(m->gen, &k, &gen), 0);
		ck_assert_uint_eq(gen, 0);
		ck_assert_int_eq(bpf_map_lookup_elem(m->encap1, &k, &e), 0);
		ck_assert_int_eq(memcmp(&e, &zero_e, sizeof(e)), 0);
		ck_assert_int_eq(bpf_map_lookup_elem(m->police1, &k, &p), 0);
		ck_assert_int_eq(memcmp(&p, &zero_p, sizeof(p)), 0);
	}
}

static void close_fds(int *fds, int n)
{
	while (n--)
		close(fds[n]);
}

/*
 * Layout 1 -> 4 by up: prefixes become slot-0 claims, tg_police entries
 * grow, tg_sub_stats becomes flat (new maps, pins swapped),
 * tg_gen/tg_encap1/tg_police1 are created all zero, everything else is
 * the same map with the same entries; the program loads on them.
 */
START_TEST(test_layout1_migrated)
{
	struct tg_maps m = TG_MAPS_INIT;
	struct subscriber_bpf *skel;
	int fds[7], i;

	if (!setup_root())
		return;
	pin_layout1(fds);
	skel = tg_skel_open_pinned(root);
	ck_assert_ptr_nonnull(skel);
	ck_assert_int_eq(subscriber_bpf__load(skel), 0);
	ck_assert_uint_eq(read_meta().layout, TG_LAYOUT_VERSION);
	ck_assert_uint_eq(read_meta().sync_count, 42);
	/* Kept as they were: tunnels, encap, meta. */
	assert_still_pinned("tg_tunnels", fds[0]);
	assert_still_pinned("tg_encap", fds[3]);
	assert_still_pinned("tg_meta", fds[6]);
	/* tg_sub_stats: a new flat map (entries: below). */
	{
		int fd = pinned("tg_sub_stats");

		ck_assert_int_ge(fd, 0);
		ck_assert_uint_ne(map_id(fd), map_id(fds[5]));
		ck_assert_uint_eq(map_info(fd).value_size,
				  sizeof(struct tg_sub_line));
		ck_assert_uint_eq(map_info(fd).max_entries,
				  NENT * libbpf_num_possible_cpus());
		close(fd);
	}
	/* tg_police: a new map of layout 3's values (entries: below). */
	{
		int fd = pinned("tg_police");

		ck_assert_int_ge(fd, 0);
		ck_assert_uint_ne(map_id(fd), map_id(fds[4]));
		ck_assert_uint_eq(map_info(fd).value_size,
				  sizeof(struct tg_police));
		ck_assert_uint_eq(map_info(fd).max_entries, NENT);
		close(fd);
	}
	/* The prefix tries are new maps of 8-byte values. */
	for (i = 1; i < 3; i++) {
		int fd = pinned(i == 1 ? "tg_prefix4" : "tg_prefix6");

		ck_assert_int_ge(fd, 0);
		ck_assert_uint_ne(map_id(fd), map_id(fds[i]));
		ck_assert_uint_eq(map_info(fd).value_size,
				  sizeof(struct tg_owners));
		ck_assert_uint_eq(map_info(fd).map_flags, BPF_F_NO_PREALLOC);
		ck_assert_uint_eq(map_info(fd).max_entries,
				  NENT * TG_PREFIXES_PER_SUB);
		close(fd);
	}
	ck_assert_int_lt(pinned("tg_prefix4_migrating"), 0);
	ck_assert_int_lt(pinned("tg_prefix6_migrating"), 0);
	ck_assert_int_eq(tg_maps_from_skel(skel, &m), 0);
	check_layout1_kept(&m);
	check_slot1_made(&m);
	tg_maps_close(&m);
	subscriber_bpf__destroy(skel);
	/* The other commands now open the migrated maps as they are. */
	ck_assert_int_eq(tg_maps_open_pinned(root, &m), 0);
	check_layout1_kept(&m);
	check_slot1_made(&m);
	tg_maps_close(&m);
	close_fds(fds, 7);
}
END_TEST

/* Commands other than up refuse layout 1's prefix tries: nothing changed. */
START_TEST(test_layout1_refused_by_sync)
{
	struct tg_maps m = TG_MAPS_INIT;
	int fds[7], i;

	if (!setup_root())
		return;
	pin_layout1(fds);
	ck_assert_int_eq(tg_maps_open_pinned(root, &m), -EPROTO);
	ck_assert_int_eq(m.prefix4, -1);
	assert_still_pinned("tg_prefix4", fds[1]);
	assert_still_pinned("tg_prefix6", fds[2]);
	ck_assert_int_lt(pinned("tg_gen"), 0);
	ck_assert_int_lt(pinned("tg_encap1"), 0);
	ck_assert_uint_eq(read_meta().layout, 1);
	for (i = 0; i < 7; i++)
		ck_assert_int_ge(fds[i], 0);
	close_fds(fds, 7);
}
END_TEST

/* 4-byte prefix values in maps that say layout 2 are not migrated. */
START_TEST(test_layout2_short_prefix_refused)
{
	int fd;

	if (!setup_root())
		return;
	fd = pin_new("tg_prefix4", BPF_MAP_TYPE_LPM_TRIE,
		     sizeof(struct tg_lpm4_key), sizeof(__u32), NENT,
		     BPF_F_NO_PREALLOC);
	close(pin_meta(2));
	errno = 0;
	ck_assert_ptr_null(tg_skel_open_pinned(root));
	ck_assert_int_eq(errno, EPROTO);
	assert_still_pinned("tg_prefix4", fd);
	ck_assert_int_lt(pinned("tg_gen"), 0);
	close(fd);
}
END_TEST

/*
 * A layout-2 root missing only the maps of slot 1 (up killed between the
 * migration and their creation) gets them, sized like the rest.
 */
START_TEST(test_slot1_maps_created)
{
	struct tg_maps m = TG_MAPS_INIT;
	int fds[7];

	if (!setup_root())
		return;
	pin_layout1(fds);
	/* As if up migrated the prefixes and stopped there. */
	close(fds[1]);
	close(fds[2]);
	{
		char p4[128], p6[128];

		snprintf(p4, sizeof(p4), "%s/tg_prefix4", root);
		snprintf(p6, sizeof(p6), "%s/tg_prefix6", root);
		ck_assert_int_eq(unlink(p4), 0);
		ck_assert_int_eq(unlink(p6), 0);
	}
	fds[1] = pin_new("tg_prefix4", BPF_MAP_TYPE_LPM_TRIE,
			 sizeof(struct tg_lpm4_key), sizeof(struct tg_owners),
			 NENT, BPF_F_NO_PREALLOC);
	fds[2] = pin_new("tg_prefix6", BPF_MAP_TYPE_LPM_TRIE,
			 sizeof(struct tg_lpm6_key), sizeof(struct tg_owners),
			 NENT, BPF_F_NO_PREALLOC);
	/* And tg_police (layout 3's values). */
	{
		char pp[128];

		close(fds[4]);
		snprintf(pp, sizeof(pp), "%s/tg_police", root);
		ck_assert_int_eq(unlink(pp), 0);
	}
	fds[4] = pin_new("tg_police", BPF_MAP_TYPE_ARRAY, 4,
			 sizeof(struct tg_police), NENT, 0);
	/* And tg_sub_stats (layout 4's flat array). */
	{
		char ps[128];

		close(fds[5]);
		snprintf(ps, sizeof(ps), "%s/tg_sub_stats", root);
		ck_assert_int_eq(unlink(ps), 0);
	}
	fds[5] = pin_new("tg_sub_stats", BPF_MAP_TYPE_ARRAY, 4,
			 sizeof(struct tg_sub_line),
			 NENT * libbpf_num_possible_cpus(), BPF_F_MMAPABLE);
	ck_assert_int_eq(tg_maps_open_pinned(root, &m), 0);
	check_slot1_made(&m);
	ck_assert_uint_eq(read_meta().layout, TG_LAYOUT_VERSION);
	tg_maps_close(&m);
	close_fds(fds, 7);
}
END_TEST

Suite *migrate_suite(void)
{
	Suite *s = suite_create("migrate");
	TCase *tc = tcase_create("layout");

	tcase_add_unchecked_fixture(tc, runner_setup, runner_teardown);
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_copy_grown_percpu);
	tcase_add_test(tc, test_copy_grown_hash);
	tcase_add_test(tc, test_open_migrates);
	tcase_add_test(tc, test_open_pinned_refuses_old);
	tcase_add_test(tc, test_unknown_refused);
	tcase_add_test(tc, test_current_layout_mismatch_refused);
	tcase_add_test(tc, test_newer_layout_refused);
	tcase_add_test(tc, test_create_records_layout);
	tcase_add_test(tc, test_layout1_migrated);
	tcase_add_test(tc, test_layout1_refused_by_sync);
	tcase_add_test(tc, test_layout2_short_prefix_refused);
	tcase_add_test(tc, test_slot1_maps_created);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, migrate_db_tcase());
	return s;
}
