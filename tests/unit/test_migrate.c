// SPDX-License-Identifier: GPL-2.0-only
/* migrate suite: pinned maps of an older or foreign layout. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf_util.h"
#include "dataplane.h"
#include "migrate.h"
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

static void check_new_stats(int fd)
{
	int ncpu = libbpf_num_possible_cpus(), c;
	struct tg_sub_counters *v = calloc(ncpu, sizeof(*v));
	const unsigned char *b;
	size_t off;
	__u32 k;

	ck_assert_ptr_nonnull(v);
	for (k = 0; k < NENT; k++) {
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
	check_new_stats(fd);
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
	ck_assert_uint_eq(bpf_map__max_entries(skel->maps.tg_sub_stats), NENT);
	ck_assert_int_eq(subscriber_bpf__load(skel), 0);
	fd = pinned("tg_sub_stats");
	ck_assert_int_ge(fd, 0);
	info = map_info(fd);
	ck_assert_uint_ne(info.id, old_id);
	ck_assert_uint_eq(info.value_size, sizeof(struct tg_sub_counters));
	ck_assert_uint_eq(info.max_entries, NENT);
	/* The loaded program uses the migrated map. */
	ck_assert_uint_eq(map_id(bpf_map__fd(skel->maps.tg_sub_stats)),
			  info.id);
	check_new_stats(fd);
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
	suite_add_tcase(s, tc);
	return s;
}
