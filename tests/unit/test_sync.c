// SPDX-License-Identifier: GPL-2.0-only
/* sync suite: database -> private copies of the data plane maps. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dataplane/subcount.h"
#include "gcra.h"
#include "bpf_util.h"
#include "db_util.h"
#include "db/db.h"
#include "sync/sync.h"
#include "sync/wg_members.h"
#include "subscriber.skel.h"

#define CAP 16

static char tmpdir[64];
static struct subscriber_bpf *skel;
static struct tg_maps maps = TG_MAPS_INIT;
static sqlite3 *db;

/* Private maps (nothing pinned), only the maps loaded, small capacity. */
static bool setup_maps(__u32 prefix_cap)
{
	struct bpf_program *prog;
	char path[128];

	if (!tg_test_need_root())
		return false;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/tg-test-sync.XXXXXX");
	ck_assert(mkdtemp(tmpdir));
	snprintf(path, sizeof(path), "%s/tungate.db", tmpdir);
	ck_assert_int_eq(tg_db_open(path, true, &db), 0);

	skel = subscriber_bpf__open();
	ck_assert_ptr_nonnull(skel);
	tg_obj_unpin_maps(skel->obj);
	for (prog = bpf_object__next_program(skel->obj, NULL); prog;
	     prog = bpf_object__next_program(skel->obj, prog))
		bpf_program__set_autoload(prog, false);
	bpf_map__set_max_entries(skel->maps.tg_tunnels, CAP);
	tg_sub_stats_set_capacity(skel->maps.tg_sub_stats, CAP);
	bpf_map__set_max_entries(skel->maps.tg_prefix4, prefix_cap);
	bpf_map__set_max_entries(skel->maps.tg_prefix6, prefix_cap);
	ck_assert_int_eq(subscriber_bpf__load(skel), 0);
	ck_assert_int_eq(tg_maps_from_skel(skel, &maps), 0);
	ck_assert_uint_eq(maps.capacity, CAP);
	return true;
}

static void teardown(void)
{
	char cmd[128];

	tg_maps_close(&maps);
	subscriber_bpf__destroy(skel);
	skel = NULL;
	tg_db_close(db);
	db = NULL;
	if (tmpdir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		ck_assert_int_eq(system(cmd), 0);
	}
}

/* Add a subscriber; pfx is a comma-free list of up to 3 prefixes. */
static __u32 add(const char *name, enum tg_tunnel_type type, __u32 remote_host,
		 __u32 id, const char *p1, const char *p2)
{
	const char *p[2] = { p1, p2 };
	struct tg_prefix pfx[2];
	char err[256] = "";
	struct tg_sub s;
	int i;

	tg_sub_init(&s);
	snprintf(s.name, sizeof(s.name), "%s", name);
	s.type = type;
	s.remote = htonl(0xc0000200 | remote_host);	/* 192.0.2.x */
	s.local = htonl(0xc6336401);			/* 198.51.100.1 */
	switch (type) {
	case TG_TUN_GRE:
		s.has_key = true;
		s.key = id;
		break;
	case TG_TUN_L2TPV3_IP:
		s.has_session = true;
		s.session = id;
		s.cookie_len = 4;
		memcpy(s.cookie, "\x01\x02\x03\x04", 4);
		break;
	default:
		break;
	}
	for (i = 0; i < 2 && p[i]; i++)
		ck_assert(!tg_prefix_parse(p[i], &pfx[i], err, sizeof(err)));
	s.prefix = pfx;
	s.nprefix = i;
	ck_assert_msg(!tg_db_sub_add(db, &s, err, sizeof(err)), "%s", err);
	return s.dp_id;
}

static void sync_ok(unsigned int added, unsigned int changed,
		    unsigned int removed, unsigned int unchanged)
{
	struct tg_sync_stats st;

	ck_assert_int_eq(tg_sync(db, &maps, &st), 0);
	ck_assert_msg(st.added == added && st.changed == changed &&
			      st.removed == removed && st.unchanged == unchanged,
		      "sync: %u added %u changed %u removed %u unchanged, expected %u %u %u %u",
		      st.added, st.changed, st.removed, st.unchanged, added,
		      changed, removed, unchanged);
}

static unsigned int map_count(int fd, size_t ksz)
{
	__u8 key[64], next[64];
	unsigned int n = 0;
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, ksz);
		prev = key;
		n++;
	}
	return n;
}

/* sub_id of prefix s in the LPM maps, 0 when absent. */
static __u32 prefix_owner(const char *s)
{
	struct tg_lpm4_key k4 = {};
	struct tg_lpm6_key k6 = {};
	struct tg_prefix p;
	char err[64];
	struct tg_owners v;
	int ret;

	ck_assert(!tg_prefix_parse(s, &p, err, sizeof(err)));
	if (p.family == AF_INET) {
		k4.prefixlen = p.len;
		memcpy(&k4.addr, p.addr, 4);
		ret = bpf_map_lookup_elem(maps.prefix4, &k4, &v);
	} else {
		k6.prefixlen = p.len;
		memcpy(k6.addr, p.addr, 16);
		ret = bpf_map_lookup_elem(maps.prefix6, &k6, &v);
	}
	/* An LPM lookup matches shorter prefixes too: demand this one. */
	if (ret)
		return 0;
	return TG_CLAIM_ID_OF(tg_owner_now(&maps, &v));
}

/* The claim that holds on subscriber name's tunnel, false when none. */
static bool tunnel_of(const char *name, struct tg_tun_claim *t)
{
	const struct tg_tun_claim *c = NULL;
	struct tg_tun_key k;
	struct tg_tunnel v;
	struct tg_sub s;

	ck_assert_int_eq(tg_db_sub_get(db, name, &s), 0);
	tg_sub_tun_key(&s, &k);
	if (!bpf_map_lookup_elem(maps.tunnels, &k, &v))
		c = tg_tunnel_claim_now(&maps, &v);
	if (c)
		*t = *c;
	tg_sub_free(&s);
	return c;
}

/* tg_encap of id in its slot in force. */
static int encap_get(__u32 id, struct tg_encap *e)
{
	return bpf_map_lookup_elem(tg_encap_fd(&maps, tg_slot_of(&maps, id)),
				   &id, e);
}

static void stats_set(__u32 id, __u64 v)
{
	int ncpu = libbpf_num_possible_cpus();
	struct tg_sub_counters *c = calloc(ncpu, sizeof(*c));

	c[0].packets[TG_DIR_UP] = v;
	ck_assert_int_eq(tg_sub_counters_put(maps.sub_stats, id, c), 0);
	free(c);
}

static __u64 stats_get(__u32 id)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	struct tg_sub_counters *c = calloc(ncpu, sizeof(*c));
	__u64 sum = 0;

	ck_assert_int_eq(tg_sub_counters_get(maps.sub_stats, id, c), 0);
	for (i = 0; i < ncpu; i++)
		sum += c[i].packets[TG_DIR_UP];
	free(c);
	return sum;
}

START_TEST(test_sync_add)
{
	struct tg_config cfg;
	struct tg_tun_claim t;
	__u32 a, b, c, zero = 0;

	if (!setup_maps(CAP))
		return;
	a = add("alice", TG_TUN_GRE, 10, 7, "100.64.0.0/28", "2001:db8:10::/48");
	b = add("bob", TG_TUN_L2TPV3_IP, 11, 99, "100.64.0.16/28", NULL);
	c = add("carol", TG_TUN_IPIP, 12, 0, "100.64.0.32/28", NULL);
	ck_assert_int_eq(tg_db_exec(db, "UPDATE subscriber SET enabled = 0 WHERE name = 'carol'"), 0);
	stats_set(a, 5);

	sync_ok(2, 0, 0, 0);
	ck_assert_uint_eq(map_count(maps.tunnels, sizeof(struct tg_tun_key)), 2);
	ck_assert(tunnel_of("alice", &t));
	ck_assert_uint_eq(TG_CLAIM_ID_OF(t.claim), a);
	ck_assert_uint_eq(t.mtu, 1400);
	ck_assert_uint_eq(t.flags, TG_TUN_F_MSS_CLAMP);
	ck_assert(tunnel_of("bob", &t));
	ck_assert_uint_eq(TG_CLAIM_ID_OF(t.claim), b);
	ck_assert_uint_eq(t.flags, TG_TUN_F_L2SPEC | TG_TUN_F_MSS_CLAMP);
	ck_assert_uint_eq(t.cookie_len, 4);
	ck_assert(!memcmp(t.cookie, "\x01\x02\x03\x04", 4));
	ck_assert(!tunnel_of("carol", &t));
	ck_assert_uint_eq(prefix_owner("100.64.0.0/28"), a);
	ck_assert_uint_eq(prefix_owner("2001:db8:10::/48"), a);
	ck_assert_uint_eq(prefix_owner("100.64.0.16/28"), b);
	ck_assert_uint_eq(prefix_owner("100.64.0.32/28"), 0);
	ck_assert_uint_eq(map_count(maps.prefix4, sizeof(struct tg_lpm4_key)), 2);
	/* A new subscriber starts with zero counters. */
	ck_assert_uint_eq(stats_get(a), 0);
	(void)c;

	ck_assert_int_eq(bpf_map_lookup_elem(maps.config, &zero, &cfg), 0);
	ck_assert_uint_eq(cfg.flags, 0);
	ck_assert_uint_eq(cfg.l2tpv3_udp_port, 1701);
	ck_assert_uint_eq(cfg.l2tpv2_udp_port, 1701);
}
END_TEST

/* The set in force of tg_pfx_lens for fam as "filled: 32,28", say. */
static const char *pfx_lens_now(__u32 fam)
{
	static char buf[64];
	struct tg_pfx_lens l;
	const struct tg_pfx_set *s;
	size_t off;
	int i;

	ck_assert_int_eq(bpf_map_lookup_elem(maps.pfx_lens, &fam, &l), 0);
	s = &l.set[l.in_force & 1];
	off = snprintf(buf, sizeof(buf), "%s:", s->filled ? "filled" : "empty");
	for (i = 0; i < s->n && i < TG_PFX_LENS_MAX; i++)
		off += snprintf(buf + off, sizeof(buf) - off, "%s%u",
				i ? "," : " ", s->len[i]);
	if (s->n > TG_PFX_LENS_MAX)
		snprintf(buf + off, sizeof(buf) - off, " (%u)", s->n);
	return buf;
}

/* Whether the prefix hash of fd holds what its trie holds. */
static bool pfx_same(int trie, int hash, size_t ksz)
{
	__u8 key[20], next[20];
	struct tg_owners a, b;
	void *prev = NULL;

	if (map_count(trie, ksz) != map_count(hash, ksz))
		return false;
	while (!bpf_map_get_next_key(trie, prev, next)) {
		memcpy(key, next, ksz);
		prev = key;
		if (bpf_map_lookup_elem(trie, key, &a) ||
		    bpf_map_lookup_elem(hash, key, &b) || memcmp(&a, &b, sizeof(a)))
			return false;
	}
	return true;
}

static int sync_persist(bool full, bool dry_run, struct tg_sync_stats *st);

/*
 * The prefix hashes follow the tries; a length comes into the set in force
 * with its first prefix, and leaves it at the next full comparison after
 * its last one is gone (an incremental sync keeps it: one probe more).
 */
START_TEST(test_sync_pfx_lengths)
{
	struct tg_lpm4_key k4;
	struct tg_sync_stats st;

	if (!setup_maps(CAP))
		return;
	ck_assert_str_eq(pfx_lens_now(TG_PFX_V4), "empty:");
	add("alice", TG_TUN_GRE, 10, 7, "100.64.0.0/28", "2001:db8:10::/48");
	add("bob", TG_TUN_IPIP, 11, 0, "100.64.1.0/24", NULL);
	ck_assert_int_eq(sync_persist(false, false, &st), 0);
	ck_assert(!st.incremental);
	ck_assert_str_eq(pfx_lens_now(TG_PFX_V4), "filled: 28,24");
	ck_assert_str_eq(pfx_lens_now(TG_PFX_V6), "filled: 48");
	ck_assert(pfx_same(maps.prefix4, maps.pfx4, sizeof(struct tg_lpm4_key)));
	ck_assert(pfx_same(maps.prefix6, maps.pfx6, sizeof(struct tg_lpm6_key)));

	/* carol's /32 and /64: new lengths. */
	add("carol", TG_TUN_GRE, 12, 9, "100.64.2.7/32", "2001:db8:11::/64");
	ck_assert_int_eq(sync_persist(false, false, &st), 0);
	ck_assert(st.incremental);
	ck_assert_str_eq(pfx_lens_now(TG_PFX_V4), "filled: 32,28,24");
	ck_assert_str_eq(pfx_lens_now(TG_PFX_V6), "filled: 64,48");
	ck_assert(pfx_same(maps.prefix4, maps.pfx4, sizeof(struct tg_lpm4_key)));
	ck_assert(pfx_same(maps.prefix6, maps.pfx6, sizeof(struct tg_lpm6_key)));

	/* Gone: the incremental sync keeps the lengths, a full one not. */
	ck_assert_int_eq(tg_db_sub_del(db, "carol"), 0);
	ck_assert_int_eq(sync_persist(false, false, &st), 0);
	ck_assert(st.incremental);
	ck_assert_uint_eq(st.removed, 1);
	ck_assert(pfx_same(maps.prefix4, maps.pfx4, sizeof(struct tg_lpm4_key)));
	ck_assert_str_eq(pfx_lens_now(TG_PFX_V4), "filled: 32,28,24");
	ck_assert_int_eq(sync_persist(true, false, &st), 0);
	ck_assert_str_eq(pfx_lens_now(TG_PFX_V4), "filled: 28,24");
	ck_assert_str_eq(pfx_lens_now(TG_PFX_V6), "filled: 48");
	ck_assert(pfx_same(maps.prefix6, maps.pfx6, sizeof(struct tg_lpm6_key)));

	/* A hash changed by hand: the next full comparison repairs it. */
	ck_assert_int_eq(bpf_map_get_next_key(maps.pfx4, NULL, &k4), 0);
	ck_assert_int_eq(bpf_map_delete_elem(maps.pfx4, &k4), 0);
	ck_assert(!pfx_same(maps.prefix4, maps.pfx4, sizeof(struct tg_lpm4_key)));
	ck_assert_int_eq(sync_persist(true, false, &st), 0);
	ck_assert(pfx_same(maps.prefix4, maps.pfx4, sizeof(struct tg_lpm4_key)));

	/* up after another build: the tries until a full sync refills. */
	ck_assert_int_eq(tg_pfx_unfill(maps.pfx_lens), 0);
	ck_assert_str_eq(pfx_lens_now(TG_PFX_V4), "empty: 28,24");
	ck_assert_str_eq(pfx_lens_now(TG_PFX_V6), "empty: 48");
	ck_assert_int_eq(bpf_map_delete_elem(maps.pfx4, &k4), 0);
	ck_assert_int_eq(sync_persist(false, false, &st), 0);
	ck_assert(!st.incremental);
	ck_assert_str_eq(pfx_lens_now(TG_PFX_V4), "filled: 28,24");
	ck_assert(pfx_same(maps.prefix4, maps.pfx4, sizeof(struct tg_lpm4_key)));
}
END_TEST

/* Nine lengths in use: more than the set lists, the data plane's trie. */
START_TEST(test_sync_pfx_too_many)
{
	static const char *const p[9] = {
		"100.64.0.0/16", "100.65.0.0/17", "100.66.0.0/18",
		"100.67.0.0/19", "100.68.0.0/20", "100.69.0.0/21",
		"100.70.0.0/22", "100.71.0.0/23", "100.72.0.0/24",
	};
	char name[16];
	int i;

	if (!setup_maps(CAP))
		return;
	for (i = 0; i < 9; i++) {
		snprintf(name, sizeof(name), "s%d", i);
		add(name, TG_TUN_IPIP, 20 + i, 0, p[i], NULL);
	}
	sync_ok(9, 0, 0, 0);
	ck_assert_str_eq(pfx_lens_now(TG_PFX_V4),
			 "filled: 24,23,22,21,20,19,18,17 (9)");
	ck_assert(pfx_same(maps.prefix4, maps.pfx4, sizeof(struct tg_lpm4_key)));
	ck_assert_int_eq(tg_db_sub_del(db, "s0"), 0);
	sync_ok(0, 0, 1, 8);
	ck_assert_str_eq(pfx_lens_now(TG_PFX_V4),
			 "filled: 24,23,22,21,20,19,18,17");
}
END_TEST

START_TEST(test_sync_twice)
{
	struct tg_config cfg;
	__u32 a, zero = 0;

	if (!setup_maps(CAP))
		return;
	a = add("alice", TG_TUN_GRE, 10, 7, "100.64.0.0/28", "2001:db8:10::/48");
	add("bob", TG_TUN_SIT, 11, 0, "2001:db8:11::/48", NULL);
	sync_ok(2, 0, 0, 0);
	stats_set(a, 42);
	sync_ok(0, 0, 0, 2);
	sync_ok(0, 0, 0, 2);
	/* Counters of a known subscriber survive a sync. */
	ck_assert_uint_eq(stats_get(a), 42);

	/* Settings are not subscribers: no subscriber counts as changed. */
	ck_assert_int_eq(tg_db_setting_set(db, "unknown_tunnel", "drop"), 0);
	ck_assert_int_eq(tg_db_setting_set(db, "l2tpv3_udp_port", "0"), 0);
	sync_ok(0, 0, 0, 2);
	ck_assert_int_eq(bpf_map_lookup_elem(maps.config, &zero, &cfg), 0);
	ck_assert_uint_eq(cfg.flags, TG_CFG_F_DROP_UNKNOWN);
	ck_assert_uint_eq(cfg.l2tpv3_udp_port, 0);
	ck_assert_uint_eq(cfg.l2tpv2_udp_port, 1701);
}
END_TEST

START_TEST(test_sync_change)
{
	struct tg_tun_claim t;
	__u32 a, b;

	if (!setup_maps(CAP))
		return;
	a = add("alice", TG_TUN_GRE, 10, 7, "100.64.0.0/28", NULL);
	b = add("bob", TG_TUN_GRE, 11, 8, "100.64.0.16/28", NULL);
	sync_ok(2, 0, 0, 0);
	stats_set(a, 1);
	stats_set(b, 2);

	/* A new prefix: only alice changes. */
	ck_assert_int_eq(tg_db_exec(db, "INSERT INTO prefix VALUES((SELECT id FROM subscriber WHERE name = 'alice'), '100.64.1.0/24')"), 0);
	sync_ok(0, 1, 0, 1);
	ck_assert_uint_eq(prefix_owner("100.64.1.0/24"), a);
	/* A prefix replaced by another. */
	ck_assert_int_eq(tg_db_exec(db, "UPDATE prefix SET prefix = '100.64.2.0/24' WHERE prefix = '100.64.1.0/24'"), 0);
	sync_ok(0, 1, 0, 1);
	ck_assert_uint_eq(prefix_owner("100.64.2.0/24"), a);
	ck_assert_uint_eq(prefix_owner("100.64.1.0/24"), 0);
	/* A tunnel value: the mtu. */
	ck_assert_int_eq(tg_db_exec(db, "UPDATE subscriber SET mtu = 1300 WHERE name = 'bob'"), 0);
	sync_ok(0, 1, 0, 1);
	ck_assert(tunnel_of("bob", &t));
	ck_assert_uint_eq(t.mtu, 1300);
	/* A prefix moving from bob to alice changes both. */
	ck_assert_int_eq(tg_db_exec(db, "UPDATE prefix SET subscriber_id = (SELECT id FROM subscriber WHERE name = 'alice') WHERE prefix = '100.64.0.16/28'"), 0);
	sync_ok(0, 2, 0, 0);
	ck_assert_uint_eq(prefix_owner("100.64.0.16/28"), a);
	ck_assert_uint_eq(stats_get(a), 1);
	ck_assert_uint_eq(stats_get(b), 2);
	sync_ok(0, 0, 0, 2);
}
END_TEST

START_TEST(test_sync_remove)
{
	struct tg_tun_claim t;
	__u32 a, b, d;

	if (!setup_maps(CAP))
		return;
	a = add("alice", TG_TUN_GRE, 10, 7, "100.64.0.0/28", "2001:db8:10::/48");
	b = add("bob", TG_TUN_GRE, 11, 8, "100.64.0.16/28", NULL);
	sync_ok(2, 0, 0, 0);
	stats_set(b, 3);

	ck_assert_int_eq(tg_db_sub_del(db, "alice"), 0);
	sync_ok(0, 0, 1, 1);
	ck_assert_uint_eq(map_count(maps.tunnels, sizeof(struct tg_tun_key)), 1);
	ck_assert_uint_eq(prefix_owner("100.64.0.0/28"), 0);
	ck_assert_uint_eq(prefix_owner("2001:db8:10::/48"), 0);
	ck_assert_uint_eq(map_count(maps.prefix6, sizeof(struct tg_lpm6_key)), 0);
	ck_assert_uint_eq(stats_get(b), 3);

	/* Disabling removes it too; entries of unknown subscribers go. */
	ck_assert_int_eq(tg_db_exec(db, "UPDATE subscriber SET enabled = 0 WHERE name = 'bob'"), 0);
	sync_ok(0, 0, 1, 0);
	ck_assert(!tunnel_of("bob", &t));
	ck_assert_uint_eq(map_count(maps.prefix4, sizeof(struct tg_lpm4_key)), 0);

	/* A new subscriber on a slot with stale counters starts from zero. */
	stats_set(a + 2, 9);
	d = add("dave", TG_TUN_GRE, 12, 9, NULL, NULL);
	ck_assert_uint_eq(d, a + 2);
	sync_ok(1, 0, 0, 0);
	ck_assert_uint_eq(stats_get(d), 0);
}
END_TEST

/*
 * A write that fails half-way (the prefix map is too small for bob's
 * second prefix while alice's still holds a slot): everything this sync
 * wrote is put back, the maps are as before, the error names the map.
 */
START_TEST(test_sync_rollback)
{
	struct tg_sync_stats st;
	struct tg_encap e;
	struct tg_tun_claim t;
	__u32 a, b;

	if (!setup_maps(2))
		return;
	a = add("alice", TG_TUN_GRE, 10, 7, "100.64.0.0/28", NULL);
	sync_ok(1, 0, 0, 0);
	ck_assert_int_eq(tg_db_sub_del(db, "alice"), 0);
	b = add("bob", TG_TUN_GRE, 11, 8, "100.64.0.16/28", "100.64.0.32/28");
	stats_set(b, 4);

	ck_assert_int_lt(tg_sync(db, &maps, &st), 0);
	ck_assert_msg(strstr(st.failed, "map tg_prefix4: cannot write"), "%s",
		      st.failed);
	ck_assert_uint_eq(map_count(maps.tunnels, sizeof(struct tg_tun_key)), 1);
	ck_assert(!tunnel_of("bob", &t));
	ck_assert_uint_eq(prefix_owner("100.64.0.0/28"), a);
	ck_assert_uint_eq(prefix_owner("100.64.0.16/28"), 0);
	ck_assert_int_eq(encap_get(b, &e), 0);
	ck_assert_uint_eq(e.type, 0);
	ck_assert_int_eq(encap_get(a, &e), 0);
	ck_assert_uint_eq(e.type, TG_TUN_GRE);
	/* bob's id had no subscriber: its counters start from zero. */
	ck_assert_uint_eq(stats_get(b), 0);

	/* With one prefix less it fits; the stale prefix goes last. */
	ck_assert_int_eq(tg_db_exec(db, "DELETE FROM prefix WHERE prefix = '100.64.0.32/28'"), 0);
	sync_ok(1, 0, 1, 0);
	ck_assert(tunnel_of("bob", &t));
	ck_assert_uint_eq(prefix_owner("100.64.0.0/28"), 0);
	ck_assert_uint_eq(prefix_owner("100.64.0.16/28"), b);
	ck_assert_int_eq(encap_get(a, &e), 0);
	ck_assert_uint_eq(e.type, 0);
}
END_TEST

/* A kernel error late in the sync (read-only tg_tunnels): all put back. */
START_TEST(test_sync_rollback_rdonly)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), a, b;
	struct tg_sync_stats st;
	union bpf_attr attr;
	struct tg_maps ro;
	struct tg_encap e;
	int fd;

	if (!setup_maps(CAP))
		return;
	a = add("alice", TG_TUN_GRE, 10, 7, "100.64.0.0/28", NULL);
	sync_ok(1, 0, 0, 0);
	b = add("bob", TG_TUN_GRE, 11, 8, "100.64.0.16/28", "2001:db8:1::/48");
	ck_assert_int_eq(tg_db_exec(db, "UPDATE subscriber SET mtu = 1300 WHERE name = 'alice'"), 0);

	ck_assert_int_eq(bpf_obj_get_info_by_fd(maps.tunnels, &info, &len), 0);
	memset(&attr, 0, sizeof(attr));
	attr.map_id = info.id;
	attr.open_flags = BPF_F_RDONLY;
	fd = syscall(__NR_bpf, BPF_MAP_GET_FD_BY_ID, &attr, sizeof(attr));
	ck_assert_int_ge(fd, 0);
	ro = maps;
	ro.tunnels = fd;
	ck_assert_int_lt(tg_sync(db, &ro, &st), 0);
	close(fd);
	ck_assert_msg(strstr(st.failed, "map tg_tunnels"), "%s", st.failed);
	ck_assert_uint_eq(prefix_owner("100.64.0.16/28"), 0);
	ck_assert_uint_eq(prefix_owner("2001:db8:1::/48"), 0);
	ck_assert_uint_eq(prefix_owner("100.64.0.0/28"), a);
	ck_assert_int_eq(encap_get(b, &e), 0);
	ck_assert_uint_eq(e.type, 0);
	ck_assert_int_eq(encap_get(a, &e), 0);
	ck_assert_uint_eq(e.mtu, 1400);
	sync_ok(1, 1, 0, 0);
	ck_assert_int_eq(encap_get(a, &e), 0);
	ck_assert_uint_eq(e.mtu, 1300);
}
END_TEST

/* tg_encap follows the database; tg_peer of a new id starts at zero. */
START_TEST(test_sync_encap)
{
	struct tg_peer p = { .udp_port = 4242, .gre_seq = 9 };
	struct tg_encap e;
	__u32 a, b;

	if (!setup_maps(CAP))
		return;
	a = add("alice", TG_TUN_L2TPV3_IP, 10, 99, "100.64.0.0/28", NULL);
	b = 2;
	ck_assert_int_eq(bpf_map_update_elem(maps.peer, &b, &p, BPF_ANY), 0);
	ck_assert_int_eq(bpf_map_update_elem(maps.peer, &a, &p, BPF_ANY), 0);
	b = add("bob", TG_TUN_GRE, 11, 8, "100.64.0.16/28", NULL);
	ck_assert_uint_eq(b, 2);
	sync_ok(2, 0, 0, 0);
	ck_assert_int_eq(encap_get(a, &e), 0);
	ck_assert_uint_eq(e.type, TG_TUN_L2TPV3_IP);
	ck_assert_uint_eq(e.peer_id, 99);
	ck_assert_uint_eq(e.cookie_len, 4);
	ck_assert_uint_eq(e.flags, TG_ENC_F_DF | TG_ENC_F_MSS_CLAMP | TG_ENC_F_L2SPEC);
	ck_assert_int_eq(encap_get(b, &e), 0);
	ck_assert_uint_eq(e.flags, TG_ENC_F_DF | TG_ENC_F_MSS_CLAMP | TG_ENC_F_GRE_KEY);
	ck_assert_uint_eq(e.peer_id, 8);
	ck_assert_int_eq(bpf_map_lookup_elem(maps.peer, &b, &p), 0);
	ck_assert_uint_eq(p.udp_port, 0);
	ck_assert_uint_eq(p.gre_seq, 0);

	/* Learnt state of a known subscriber survives a change. */
	p.udp_port = 1234;
	ck_assert_int_eq(bpf_map_update_elem(maps.peer, &b, &p, BPF_ANY), 0);
	ck_assert_int_eq(tg_db_exec(db, "UPDATE subscriber SET gre_seq = 1 WHERE name = 'bob'"), 0);
	sync_ok(0, 1, 0, 1);
	ck_assert_int_eq(encap_get(b, &e), 0);
	ck_assert(e.flags & TG_ENC_F_GRE_SEQ);
	ck_assert_int_eq(bpf_map_lookup_elem(maps.peer, &b, &p), 0);
	ck_assert_uint_eq(p.udp_port, 1234);

	/* Removal clears the encapsulation entry. */
	ck_assert_int_eq(tg_db_sub_del(db, "bob"), 0);
	sync_ok(0, 0, 1, 1);
	ck_assert_int_eq(encap_get(b, &e), 0);
	ck_assert_uint_eq(e.type, 0);
}
END_TEST

/*
 * The pinned-maps mode: the second sync looks only at the subscribers
 * changed since (dp_dirty), names them, frees pending ids, and --dry-run
 * writes nothing.
 */
START_TEST(test_sync_incremental)
{
	struct tg_sync_opts o = { .persist = true, .names = true };
	struct tg_sync_stats st;
	struct tg_tun_claim t;
	__u32 id;

	if (!setup_maps(CAP))
		return;
	add("alice", TG_TUN_GRE, 10, 7, "100.64.0.0/28", NULL);
	add("bob", TG_TUN_GRE, 11, 8, "100.64.0.16/28", NULL);
	add("carol", TG_TUN_GRE, 12, 9, "100.64.0.32/28", NULL);
	ck_assert_int_eq(tg_sync_run(db, &maps, &o, &st), 0);
	ck_assert(!st.incremental);
	ck_assert_uint_eq(st.added, 3);
	ck_assert_str_eq(st.added_names[0], "alice");
	ck_assert_str_eq(st.added_names[2], "carol");
	tg_sync_stats_free(&st);

	ck_assert_int_eq(tg_sync_run(db, &maps, &o, &st), 0);
	ck_assert(st.incremental);
	ck_assert_uint_eq(st.unchanged, 3);
	tg_sync_stats_free(&st);

	ck_assert_int_eq(tg_db_sub_del(db, "bob"), 0);
	ck_assert_int_eq(tg_db_exec(db, "UPDATE subscriber SET mtu = 1300 WHERE name = 'carol'"), 0);
	ck_assert_int_eq(tg_db_exec(db, "SELECT count(*) FROM dp_id_pending"), 0);
	o.dry_run = true;
	ck_assert_int_eq(tg_sync_run(db, &maps, &o, &st), 0);
	ck_assert(st.incremental);
	ck_assert_uint_eq(st.removed, 1);
	ck_assert_str_eq(st.removed_names[0], "bob");
	ck_assert_str_eq(st.changed_names[0], "carol");
	ck_assert_uint_eq(st.unchanged, 1);
	tg_sync_stats_free(&st);
	ck_assert_uint_eq(map_count(maps.tunnels, sizeof(struct tg_tun_key)), 3);
	/* Still pending: the dry run removed nothing. */
	ck_assert_int_eq(tg_db_dp_id_alloc(db, 3, &id), -ENOSPC);

	o.dry_run = false;
	ck_assert_int_eq(tg_sync_run(db, &maps, &o, &st), 0);
	ck_assert(st.incremental);
	ck_assert_uint_eq(st.removed, 1);
	ck_assert_uint_eq(st.changed, 1);
	tg_sync_stats_free(&st);
	ck_assert_uint_eq(map_count(maps.tunnels, sizeof(struct tg_tun_key)), 2);
	ck_assert(tunnel_of("carol", &t));
	ck_assert_uint_eq(t.mtu, 1300);
	ck_assert_int_eq(tg_db_dp_id_alloc(db, 3, &id), 0);
	ck_assert_uint_eq(id, 2);

	/* A full comparison finds the same. */
	o.full = true;
	ck_assert_int_eq(tg_sync_run(db, &maps, &o, &st), 0);
	ck_assert(!st.incremental);
	ck_assert_uint_eq(st.unchanged, 2);
	ck_assert_uint_eq(st.added + st.changed + st.removed, 0);
	tg_sync_stats_free(&st);
}
END_TEST

/*
 * A WireGuard member: its prefixes, rates and own prefixes in the maps,
 * an encapsulation entry that says WireGuard and its listen port, no
 * tunnel; recorded for the incremental syncs; out of the maps when
 * disabled. One with no record (synced by an earlier build) makes the
 * next sync compare the maps whole.
 */
/* The sub_ids an in-force count named, in order. */
struct in_force_ids {
	__u32 id[CAP];
	unsigned int n;
};

static int in_force_id(void *ctx, __u32 id)
{
	struct in_force_ids *v = ctx;

	ck_assert_uint_lt(v->n, CAP);
	v->id[v->n++] = id;
	return 0;
}

/*
 * The WireGuard members in force: as many as want, the first of them
 * (when any) first; the tunnels in force: tun of them.
 */
static void wg_in_force(unsigned int want, __u32 first, unsigned int tun)
{
	struct in_force_ids v = {};
	__u32 n = 99;

	ck_assert_int_eq(tg_wg_in_force(&maps, &n, in_force_id, &v), 0);
	ck_assert_uint_eq(n, want);
	ck_assert_uint_eq(v.n, want);
	if (want)
		ck_assert_uint_eq(v.id[0], first);
	ck_assert_int_eq(tg_tunnels_in_force(&maps, &n, NULL, NULL), 0);
	ck_assert_uint_eq(n, tun);
}

START_TEST(test_sync_wireguard)
{
	struct tg_sync_opts o = { .persist = true };
	struct tg_sync_stats st;
	struct tg_prefix pfx;
	struct tg_police pol;
	struct tg_encap e;
	char err[256] = "", sql[128];
	struct tg_sub s;
	__u32 id;

	if (!setup_maps(CAP))
		return;
	add("alice", TG_TUN_GRE, 10, 7, "100.64.0.0/28", NULL);
	tg_sub_init(&s);
	snprintf(s.name, sizeof(s.name), "wgm");
	s.type = TG_TUN_WIREGUARD;
	snprintf(s.wg_key, sizeof(s.wg_key), "%s",
		 "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=");
	s.has_listen_port = true;
	s.listen_port = 51821;
	ck_assert(!tg_prefix_parse("100.64.1.0/24", &pfx, err, sizeof(err)));
	s.prefix = &pfx;
	s.nprefix = 1;
	ck_assert_msg(!tg_db_sub_add(db, &s, err, sizeof(err)), "%s", err);
	id = s.dp_id;
	ck_assert_int_eq(tg_sync_run(db, &maps, &o, &st), 0);
	ck_assert_uint_eq(st.added, 2);
	ck_assert_uint_eq(map_count(maps.tunnels, sizeof(struct tg_tun_key)), 1);
	ck_assert_uint_eq(prefix_owner("100.64.1.0/24"), id);
	ck_assert_int_eq(encap_get(id, &e), 0);
	ck_assert_uint_eq(e.type, TG_TUN_WIREGUARD);
	ck_assert_uint_eq(e.local_port, 51821);
	ck_assert_int_eq(bpf_map_lookup_elem(tg_police_fd(&maps,
							  tg_slot_of(&maps, id)),
					     &id, &pol), 0);
	ck_assert(pol.src & TG_SRC_4);
	ck_assert_uint_eq(pol.src4_len, 24);
	wg_in_force(1, id, 1);

	ck_assert_int_eq(tg_sync_run(db, &maps, &o, &st), 0);
	ck_assert(st.incremental);
	ck_assert_uint_eq(st.unchanged, 2);
	ck_assert_uint_eq(st.added + st.changed + st.removed, 0);

	snprintf(sql, sizeof(sql), "DELETE FROM dp_state WHERE dp_id = %u", id);
	ck_assert_int_eq(tg_db_exec(db, sql), 0);
	ck_assert_int_eq(tg_sync_run(db, &maps, &o, &st), 0);
	ck_assert(!st.incremental);
	ck_assert_uint_eq(st.unchanged, 2);

	ck_assert_int_eq(tg_db_exec(db, "UPDATE subscriber SET enabled = 0 WHERE name = 'wgm'"), 0);
	ck_assert_int_eq(tg_sync_run(db, &maps, &o, &st), 0);
	ck_assert(st.incremental);
	ck_assert_uint_eq(st.removed, 1);
	ck_assert_uint_eq(prefix_owner("100.64.1.0/24"), 0);
	ck_assert(encap_get(id, &e) || e.type == TG_TUN_NONE);
	ck_assert_uint_eq(map_count(maps.tunnels, sizeof(struct tg_tun_key)), 1);
	wg_in_force(0, 0, 1);
	o.full = true;
	ck_assert_int_eq(tg_sync_run(db, &maps, &o, &st), 0);
	ck_assert_uint_eq(st.unchanged, 1);
	ck_assert_uint_eq(st.added + st.changed + st.removed, 0);
}
END_TEST

/*
 * A WireGuard member counts in the slot in force only: the other slot's
 * entry (a sync half-way) does not count it twice, nor an empty slot in
 * force once. Maps filled by hand, as a sync leaves them at each step.
 */
START_TEST(test_sync_wg_in_force)
{
	struct tg_encap wg = { .type = TG_TUN_WIREGUARD, .local_port = 51820 };
	struct tg_encap none = {};
	__u32 id = 5, other = 9, slot;

	if (!setup_maps(CAP))
		return;
	add("alice", TG_TUN_GRE, 10, 7, "100.64.0.0/28", NULL);
	sync_ok(1, 0, 0, 0);
	wg_in_force(0, 0, 1);
	/* A WireGuard member in slot 0, in force. */
	ck_assert_int_eq(bpf_map_update_elem(maps.encap, &id, &wg, 0), 0);
	wg_in_force(1, id, 1);
	/* Its new configuration in slot 1, not in force yet. */
	ck_assert_int_eq(bpf_map_update_elem(maps.encap1, &id, &wg, 0), 0);
	wg_in_force(1, id, 1);
	/* Slot 1 in force, then slot 0 cleared: one member throughout. */
	slot = 1;
	ck_assert_int_eq(bpf_map_update_elem(maps.gen, &id, &slot, 0), 0);
	wg_in_force(1, id, 1);
	ck_assert_int_eq(bpf_map_update_elem(maps.encap, &id, &none, 0), 0);
	wg_in_force(1, id, 1);
	/* Slot 1 in force and empty: removed. */
	ck_assert_int_eq(bpf_map_update_elem(maps.encap1, &id, &none, 0), 0);
	wg_in_force(0, 0, 1);
	/* A second one, and a slot that is neither 0 nor 1 holds nothing. */
	ck_assert_int_eq(bpf_map_update_elem(maps.encap, &other, &wg, 0), 0);
	ck_assert_int_eq(bpf_map_update_elem(maps.encap1, &id, &wg, 0), 0);
	wg_in_force(2, other, 1);
	slot = 2;
	ck_assert_int_eq(bpf_map_update_elem(maps.gen, &id, &slot, 0), 0);
	wg_in_force(1, other, 1);
}
END_TEST

START_TEST(test_sync_capacity)
{
	struct tg_sync_stats st;

	if (!setup_maps(CAP))
		return;
	add("alice", TG_TUN_GRE, 10, 7, "100.64.0.0/28", NULL);
	ck_assert_int_eq(tg_db_exec(db, "UPDATE subscriber SET dp_id = 16"), 0);
	ck_assert_int_eq(tg_sync(db, &maps, &st), -ERANGE);
	ck_assert_uint_eq(map_count(maps.tunnels, sizeof(struct tg_tun_key)), 0);
	ck_assert_uint_eq(map_count(maps.prefix4, sizeof(struct tg_lpm4_key)), 0);
}
END_TEST

static void class_add(const char *name, __u64 down, __u64 up, __u64 burst,
		      enum tg_scope scope)
{
	struct tg_class c = { .down_rate = down, .up_rate = up,
			      .burst = burst, .scope = scope };
	char err[256] = "";

	snprintf(c.name, sizeof(c.name), "%s", name);
	ck_assert_msg(!tg_db_class_add(db, &c, err, sizeof(err)), "%s", err);
}

static void class_set(const char *name, __u64 down, __u64 up)
{
	struct tg_class c;
	char err[256] = "";

	ck_assert_int_eq(tg_db_class_get(db, name, &c), 0);
	c.down_rate = down;
	c.up_rate = up;
	ck_assert_msg(!tg_db_class_update(db, &c, err, sizeof(err)), "%s", err);
}

static void sub_class(const char *sub, const char *cls)
{
	char sql[160];

	snprintf(sql, sizeof(sql), "UPDATE subscriber SET class = '%s' WHERE name = '%s'",
		 cls, sub);
	ck_assert_int_eq(tg_db_exec(db, sql), 0);
}

static struct tg_police police_get(__u32 id)
{
	struct tg_police p;

	ck_assert_int_eq(bpf_map_lookup_elem(tg_police_fd(&maps, tg_slot_of(&maps, id)),
					     &id, &p), 0);
	return p;
}

static void bucket_set(__u32 id, __u64 tat)
{
	struct tg_bucket b = { .tat = { tat, tat + 1 } };

	ck_assert_int_eq(bpf_map_update_elem(maps.bucket, &id, &b, BPF_ANY), 0);
}

static __u64 bucket_get(__u32 id)
{
	struct tg_bucket b;

	ck_assert_int_eq(bpf_map_lookup_elem(maps.bucket, &id, &b), 0);
	return b.tat[TG_DIR_UP];
}

/* The default burst: the higher rate for TG_BURST_DEFAULT_MS, >= 15k. */
START_TEST(test_sync_burst_default)
{
	struct tg_class eff;
	struct tg_sub s;

	ck_assert_uint_eq(TG_BURST_DEFAULT_MS, 300);
	ck_assert_uint_eq(tg_burst_default(0, 0), 15360);
	ck_assert_uint_eq(tg_burst_default(64000, 0), 15360);
	/* 10 Mbit/s for 300 ms: 375000 bytes, up to a KiB: 375808. */
	ck_assert_uint_eq(tg_burst_default(10000000, 1000000), 375808);
	ck_assert_uint_eq(tg_burst_default(1000000, 50000000), 1875968);
	ck_assert_uint_eq(tg_burst_default(100000000000ULL, 0),
			  3750000640ULL);
	ck_assert_uint_eq(tg_burst_default(10000000000000ULL, 0), 4ULL << 30);

	tg_sub_init(&s);
	s.has_up_rate = true;
	s.up_rate = 10000000;
	tg_sub_effective(&s, NULL, &eff);
	ck_assert_uint_eq(eff.up_rate, 10000000);
	ck_assert_uint_eq(eff.down_rate, 0);
	ck_assert_uint_eq(eff.burst, 375808);
	ck_assert_uint_eq(eff.scope, TG_SCOPE_INTERNET);
	s.has_burst = true;
	s.burst = 20000;
	tg_sub_effective(&s, NULL, &eff);
	ck_assert_uint_eq(eff.burst, 20000);
	tg_sub_free(&s);
}
END_TEST

/* Entries from the class, the overrides, 'default' and unlimited. */
START_TEST(test_sync_police)
{
	struct tg_police p;
	__u32 a, b, c, d;

	if (!setup_maps(CAP))
		return;
	class_add("home", 10000000, 2000000, 32768, TG_SCOPE_INTERNET);
	class_add("members", 50000000, 50000000, 65536, TG_SCOPE_COMMUNITY);
	a = add("alice", TG_TUN_GRE, 10, 7, "100.64.0.0/28", NULL);
	b = add("bob", TG_TUN_GRE, 11, 8, "100.64.0.16/28", NULL);
	c = add("carol", TG_TUN_GRE, 12, 9, "100.64.0.32/28", NULL);
	d = add("dave", TG_TUN_GRE, 13, 10, "100.64.0.48/28", NULL);
	sub_class("alice", "home");
	sub_class("bob", "members");
	ck_assert_int_eq(tg_db_exec(db, "UPDATE subscriber SET class = 'home', up_rate = 0, burst = 100000 WHERE name = 'carol'"), 0);
	sync_ok(4, 0, 0, 0);

	p = police_get(a);
	ck_assert_uint_eq(p.interval[TG_DIR_DOWN], tg_gcra_interval(10000000));
	ck_assert_uint_eq(p.interval[TG_DIR_UP], tg_gcra_interval(2000000));
	ck_assert_uint_eq(p.tolerance[TG_DIR_DOWN],
			  tg_gcra_tolerance(10000000, 32768));
	ck_assert_uint_eq(p.tolerance[TG_DIR_UP],
			  tg_gcra_tolerance(2000000, 32768));
	ck_assert_uint_eq(p.flags, 0);
	p = police_get(b);
	ck_assert_uint_eq(p.interval[TG_DIR_UP], tg_gcra_interval(50000000));
	ck_assert_uint_eq(p.flags, TG_RATE_F_COMMUNITY);
	p = police_get(c);
	ck_assert_uint_eq(p.interval[TG_DIR_DOWN], tg_gcra_interval(10000000));
	ck_assert_uint_eq(p.tolerance[TG_DIR_DOWN],
			  tg_gcra_tolerance(10000000, 100000));
	ck_assert_uint_eq(p.interval[TG_DIR_UP], 0);
	ck_assert_uint_eq(p.tolerance[TG_DIR_UP], 0);
	/* No class and no class 'default': unlimited, internet. */
	p = police_get(d);
	ck_assert_uint_eq(p.interval[TG_DIR_UP] | p.interval[TG_DIR_DOWN] |
			  p.flags, 0);

	/* Twice: nothing to write. */
	sync_ok(0, 0, 0, 4);

	/* A class 'default' reaches the subscribers without a class. */
	class_add("default", 1000000, 1000000, 16384, TG_SCOPE_COMMUNITY);
	sync_ok(0, 1, 0, 3);
	p = police_get(d);
	ck_assert_uint_eq(p.interval[TG_DIR_UP], tg_gcra_interval(1000000));
	ck_assert_uint_eq(p.flags, TG_RATE_F_COMMUNITY);

	/* Removed: the entry is cleared. */
	ck_assert_int_eq(tg_db_sub_del(db, "bob"), 0);
	sync_ok(0, 0, 1, 3);
	p = police_get(b);
	ck_assert_uint_eq(p.interval[TG_DIR_UP] | p.flags, 0);
}
END_TEST

/* A class change rewrites its subscribers only; no bucket is reset. */
static void police_class_change(bool persist)
{
	struct tg_sync_opts o = { .persist = persist, .names = true };
	struct tg_sync_stats st;
	struct tg_police pb, pc;
	__u32 a, b, c;

	if (!setup_maps(CAP))
		return;
	class_add("home", 10000000, 2000000, 32768, TG_SCOPE_INTERNET);
	class_add("pro", 50000000, 50000000, 65536, TG_SCOPE_INTERNET);
	a = add("alice", TG_TUN_GRE, 10, 7, "100.64.0.0/28", NULL);
	b = add("bob", TG_TUN_GRE, 11, 8, "100.64.0.16/28", NULL);
	c = add("carol", TG_TUN_GRE, 12, 9, "100.64.0.32/28", NULL);
	sub_class("alice", "home");
	sub_class("bob", "pro");
	sub_class("carol", "home");
	ck_assert_int_eq(tg_sync_run(db, &maps, &o, &st), 0);
	ck_assert_uint_eq(st.added, 3);
	tg_sync_stats_free(&st);
	pb = police_get(b);
	/* What the programs would have left. */
	bucket_set(a, 1000);
	bucket_set(b, 2000);
	bucket_set(c, 3000);

	class_set("home", 20000000, 4000000);
	o.dry_run = true;
	ck_assert_int_eq(tg_sync_run(db, &maps, &o, &st), 0);
	ck_assert_uint_eq(st.changed, 2);
	ck_assert_str_eq(st.changed_names[0], "alice");
	ck_assert_str_eq(st.changed_names[1], "carol");
	ck_assert_uint_eq(st.unchanged, 1);
	tg_sync_stats_free(&st);
	ck_assert_uint_eq(police_get(a).interval[TG_DIR_DOWN],
			  tg_gcra_interval(10000000));

	o.dry_run = false;
	ck_assert_int_eq(tg_sync_run(db, &maps, &o, &st), 0);
	ck_assert_uint_eq(st.changed, 2);
	ck_assert_uint_eq(st.added + st.removed, 0);
	tg_sync_stats_free(&st);
	ck_assert_uint_eq(police_get(a).interval[TG_DIR_DOWN],
			  tg_gcra_interval(20000000));
	ck_assert_uint_eq(police_get(c).interval[TG_DIR_UP],
			  tg_gcra_interval(4000000));
	pc = police_get(b);
	ck_assert(!memcmp(&pb, &pc, sizeof(pb)));
	ck_assert_uint_eq(bucket_get(a), 1000);
	ck_assert_uint_eq(bucket_get(b), 2000);
	ck_assert_uint_eq(bucket_get(c), 3000);

	/* An override of one subscriber. */
	ck_assert_int_eq(tg_db_exec(db, "UPDATE subscriber SET down_rate = 5000000 WHERE name = 'carol'"), 0);
	ck_assert_int_eq(tg_sync_run(db, &maps, &o, &st), 0);
	ck_assert_uint_eq(st.changed, 1);
	ck_assert_str_eq(st.changed_names[0], "carol");
	tg_sync_stats_free(&st);
	ck_assert_uint_eq(police_get(c).interval[TG_DIR_DOWN],
			  tg_gcra_interval(5000000));
	ck_assert_uint_eq(bucket_get(a), 1000);
	ck_assert_uint_eq(bucket_get(c), 3000);

	ck_assert_int_eq(tg_sync_run(db, &maps, &o, &st), 0);
	ck_assert_uint_eq(st.added + st.changed + st.removed, 0);
	ck_assert_uint_eq(st.unchanged, 3);
	tg_sync_stats_free(&st);
}

START_TEST(test_sync_police_class)
{
	police_class_change(false);
}
END_TEST

START_TEST(test_sync_police_class_incremental)
{
	police_class_change(true);
}
END_TEST

/* An id given to a new subscriber starts with an idle bucket. */
START_TEST(test_sync_bucket_new)
{
	__u32 a, b;

	if (!setup_maps(CAP))
		return;
	a = add("alice", TG_TUN_GRE, 10, 7, "100.64.0.0/28", NULL);
	sync_ok(1, 0, 0, 0);
	bucket_set(a, 1000);
	bucket_set(a + 1, 5000);
	b = add("bob", TG_TUN_GRE, 11, 8, "100.64.0.16/28", NULL);
	ck_assert_uint_eq(b, a + 1);
	sync_ok(1, 0, 0, 1);
	ck_assert_uint_eq(bucket_get(b), 0);
	ck_assert_uint_eq(bucket_get(a), 1000);
}
END_TEST

static bool community4_has(const char *s)
{
	struct tg_lpm4_key k = {};
	struct tg_prefix p;
	char err[64];
	__u32 v;

	ck_assert(!tg_prefix_parse(s, &p, err, sizeof(err)));
	k.prefixlen = p.len;
	memcpy(&k.addr, p.addr, 4);
	return !bpf_map_lookup_elem(maps.community4, &k, &v) && v == 1;
}

START_TEST(test_sync_community)
{
	struct tg_lpm6_key k6 = {};
	struct tg_prefix p[3];
	struct tg_config cfg;
	char err[128] = "";
	__u32 key = 0, v;

	if (!setup_maps(CAP))
		return;
	ck_assert(!tg_prefix_parse("203.0.113.0/24", &p[0], err, sizeof(err)));
	ck_assert(!tg_prefix_parse("192.0.2.128/25", &p[1], err, sizeof(err)));
	ck_assert(!tg_prefix_parse("2001:db8:c::/48", &p[2], err, sizeof(err)));
	for (v = 0; v < 3; v++)
		ck_assert_msg(!tg_db_community_add(db, &p[v], err, sizeof(err)),
			      "%s", err);
	sync_ok(0, 0, 0, 0);
	ck_assert_uint_eq(map_count(maps.community4, sizeof(struct tg_lpm4_key)), 2);
	ck_assert_uint_eq(map_count(maps.community6, sizeof(struct tg_lpm6_key)), 1);
	ck_assert(community4_has("203.0.113.0/24"));
	ck_assert(community4_has("192.0.2.128/25"));
	k6.prefixlen = 48;
	memcpy(k6.addr, p[2].addr, 16);
	ck_assert_int_eq(bpf_map_lookup_elem(maps.community6, &k6, &v), 0);
	ck_assert_uint_eq(v, 1);

	ck_assert_int_eq(tg_db_community_del(db, &p[1]), 0);
	sync_ok(0, 0, 0, 0);
	ck_assert_uint_eq(map_count(maps.community4, sizeof(struct tg_lpm4_key)), 1);
	ck_assert(community4_has("203.0.113.0/24"));
	ck_assert(!community4_has("192.0.2.128/25"));

	/* The scope action reaches tg_config. */
	ck_assert_int_eq(bpf_map_lookup_elem(maps.config, &key, &cfg), 0);
	ck_assert_uint_eq(cfg.flags & TG_CFG_F_SCOPE_ICMP, 0);
	ck_assert_int_eq(tg_db_setting_set(db, "scope_action", "icmp"), 0);
	sync_ok(0, 0, 0, 0);
	ck_assert_int_eq(bpf_map_lookup_elem(maps.config, &key, &cfg), 0);
	ck_assert_uint_eq(cfg.flags & TG_CFG_F_SCOPE_ICMP, TG_CFG_F_SCOPE_ICMP);
}
END_TEST

/* Every entry of one map: sorted key/value pairs, all-zero values left out. */
struct dump {
	size_t n, ksz, vsz;
	__u8 *kv;
};

/* tg_tunnels, tg_prefix4/6, ..., then the prefix hashes and their lengths. */
#define KILL_MAPS 11
#define KILL_PFX4 8

static int dump_cmp(const void *a, const void *b, void *ksz)
{
	return memcmp(a, b, *(size_t *)ksz);
}

/* Sorted by key: hash maps iterate in an order of their own. */
static void dump_map(int fd, struct dump *d)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), i;
	__u8 key[64], next[64], val[256], zero[256] = {};
	void *prev = NULL;

	ck_assert_int_eq(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	ck_assert_uint_le(info.value_size, sizeof(val));
	d->ksz = info.key_size;
	d->vsz = info.value_size;
	d->n = 0;
	d->kv = NULL;
	for (i = 0;; i++) {
		/* Arrays: only the slots of sub_ids (the arrays are larger). */
		if (info.type == BPF_MAP_TYPE_ARRAY) {
			if (i == CAP || i == info.max_entries)
				break;
			memcpy(next, &i, sizeof(i));
		} else if (bpf_map_get_next_key(fd, prev, next)) {
			break;
		}
		if (!bpf_map_lookup_elem(fd, next, val) &&
		    memcmp(val, zero, d->vsz)) {
			d->kv = realloc(d->kv, (d->n + 1) * (d->ksz + d->vsz));
			ck_assert_ptr_nonnull(d->kv);
			memcpy(d->kv + d->n * (d->ksz + d->vsz), next, d->ksz);
			memcpy(d->kv + d->n * (d->ksz + d->vsz) + d->ksz, val,
			       d->vsz);
			d->n++;
		}
		memcpy(key, next, d->ksz);
		prev = key;
	}
	if (d->n)
		qsort_r(d->kv, d->n, d->ksz + d->vsz, dump_cmp, &d->ksz);
}

/* Make map fd hold exactly d (arrays: zero elsewhere). */
static void restore_map(int fd, const struct dump *d)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	__u8 key[64], next[64], zero[256] = {};
	size_t i;

	ck_assert_int_eq(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	if (info.type == BPF_MAP_TYPE_ARRAY) {
		for (i = 0; i < CAP && i < info.max_entries; i++) {
			*(__u32 *)key = i;
			ck_assert_int_eq(bpf_map_update_elem(fd, key, zero, BPF_ANY), 0);
		}
	} else {
		while (!bpf_map_get_next_key(fd, NULL, next))
			ck_assert_int_eq(bpf_map_delete_elem(fd, next), 0);
	}
	for (i = 0; i < d->n; i++)
		ck_assert_int_eq(bpf_map_update_elem(fd, d->kv + i * (d->ksz + d->vsz),
						     d->kv + i * (d->ksz + d->vsz) + d->ksz,
						     BPF_ANY), 0);
}

/*
 * tg_tunnels, tg_prefix4, tg_prefix6, tg_gen, tg_encap and tg_police of
 * both slots, tg_pfx4, tg_pfx6 and tg_pfx_lens.
 */
static void dump_all(struct dump *d)
{
	int fds[KILL_MAPS] = { maps.tunnels, maps.prefix4, maps.prefix6,
			       maps.gen, maps.encap, maps.police, maps.encap1,
			       maps.police1, maps.pfx4, maps.pfx6,
			       maps.pfx_lens };
	int i;

	for (i = 0; i < KILL_MAPS; i++)
		dump_map(fds[i], &d[i]);
}

static void restore_all(const struct dump *d)
{
	int fds[KILL_MAPS] = { maps.tunnels, maps.prefix4, maps.prefix6,
			       maps.gen, maps.encap, maps.police, maps.encap1,
			       maps.police1, maps.pfx4, maps.pfx6,
			       maps.pfx_lens };
	int i;

	for (i = 0; i < KILL_MAPS; i++)
		restore_map(fds[i], &d[i]);
}

static void dump_free(struct dump *d)
{
	int i;

	for (i = 0; i < KILL_MAPS; i++)
		free(d[i].kv);
}

/*
 * What a packet can see of a subscriber: its encapsulation and policing in
 * the slot in force, which of the tunnel identities (tun_keys) lead to it
 * and with what tunnel settings, and which of the addresses (probes) the
 * prefixes lead to it.
 */
#define VIEW_KEYS 32
#define VIEW_PROBES 64

struct view {
	struct tg_encap enc;
	struct tg_police pol;
	struct tg_tun_claim tun[VIEW_KEYS];
	__u8 probe[VIEW_PROBES];	/* by the trie */
	__u8 hprobe[VIEW_PROBES];	/* as the data plane finds it */
};

struct probes {
	struct tg_tun_key tun[VIEW_KEYS];
	struct tg_lpm6_key addr[VIEW_PROBES];	/* prefixlen 32: IPv4 */
	size_t ntun, naddr;
};

/* Every tunnel identity, and both ends of every prefix, of d. */
static void probes_add(struct probes *p, const struct dump *d)
{
	size_t i, ent, l;
	__u32 len;

	ent = d[0].ksz + d[0].vsz;
	for (i = 0; i < d[0].n; i++) {
		ck_assert_uint_lt(p->ntun, VIEW_KEYS);
		memcpy(&p->tun[p->ntun++], d[0].kv + i * ent, d[0].ksz);
	}
	for (l = 1; l <= 2; l++) {
		ent = d[l].ksz + d[l].vsz;
		for (i = 0; i < d[l].n; i++) {
			struct tg_lpm6_key *lo, *hi;
			size_t alen = d[l].ksz - 4, b;

			ck_assert_uint_lt(p->naddr + 1, VIEW_PROBES);
			lo = &p->addr[p->naddr++];
			hi = &p->addr[p->naddr++];
			memset(lo, 0, sizeof(*lo));
			memcpy(lo, d[l].kv + i * ent, d[l].ksz);
			memcpy(&len, lo, sizeof(len));
			lo->prefixlen = alen * 8;
			*hi = *lo;
			for (b = 0; b < alen; b++)
				if (len < (b + 1) * 8)
					hi->addr[b] |= len > b * 8 ?
						       0xff >> (len - b * 8) : 0xff;
		}
	}
}

/*
 * The claims on the prefix holding address a (prefixlen 32: IPv4) as the
 * data plane finds them (bpf/lib/prefix.h): by the hash, each length of
 * the set in force, longest first, or when that set is not filled or
 * lists too many, by the trie. -ENOENT: none.
 */
static int dp_lookup(const struct tg_lpm6_key *a, struct tg_owners *o)
{
	bool v4 = a->prefixlen == 32;
	__u32 fam = v4 ? TG_PFX_V4 : TG_PFX_V6, b;
	struct tg_lpm6_key k;
	struct tg_pfx_lens l;
	const struct tg_pfx_set *s;
	unsigned int i;

	ck_assert_int_eq(bpf_map_lookup_elem(maps.pfx_lens, &fam, &l), 0);
	s = &l.set[l.in_force & 1];
	if (!s->filled || s->n > TG_PFX_LENS_MAX)
		return bpf_map_lookup_elem(v4 ? maps.prefix4 : maps.prefix6, a,
					   o) ? -ENOENT : 0;
	for (i = 0; i < s->n; i++) {
		k = *a;
		k.prefixlen = s->len[i];
		for (b = 0; b < 16; b++)
			if (k.prefixlen < (b + 1) * 8)
				k.addr[b] &= k.prefixlen > b * 8 ?
					     0xff << (8 - (k.prefixlen - b * 8)) :
					     0;
		if (!bpf_map_lookup_elem(v4 ? maps.pfx4 : maps.pfx6, &k, o))
			return 0;
	}
	return -ENOENT;
}

static void view_of(__u32 id, const struct probes *p, struct view *v)
{
	const struct tg_tun_claim *c;
	struct tg_tunnel t;
	struct tg_owners o;
	unsigned int slot = tg_slot_of(&maps, id);
	size_t i;
	int ret;

	memset(v, 0, sizeof(*v));
	bpf_map_lookup_elem(tg_encap_fd(&maps, slot), &id, &v->enc);
	bpf_map_lookup_elem(tg_police_fd(&maps, slot), &id, &v->pol);
	for (i = 0; i < p->ntun; i++) {
		if (bpf_map_lookup_elem(maps.tunnels, &p->tun[i], &t))
			continue;
		c = tg_tunnel_claim_now(&maps, &t);
		if (!c || TG_CLAIM_ID_OF(c->claim) != id)
			continue;
		v->tun[i] = *c;
		v->tun[i].claim = id;
	}
	for (i = 0; i < p->naddr; i++) {
		ret = bpf_map_lookup_elem(p->addr[i].prefixlen == 32 ?
					  maps.prefix4 : maps.prefix6,
					  &p->addr[i], &o);
		v->probe[i] = !ret && TG_CLAIM_ID_OF(tg_owner_now(&maps, &o)) == id;
		ret = dp_lookup(&p->addr[i], &o);
		v->hprobe[i] = !ret &&
			       TG_CLAIM_ID_OF(tg_owner_now(&maps, &o)) == id;
	}
}

/*
 * Whether map d (tg_tunnels or tg_prefix4/6) has the keys of want, each
 * with one claim only, that holds, for the same subscriber and (tunnels)
 * the same settings; slots may differ.
 */
static bool keys_converged(const struct dump *d, const struct dump *want)
{
	size_t i, ent = d->ksz + d->vsz;
	const __u8 *v, *w;
	__u32 a, b;

	if (d->n != want->n)
		return false;
	for (i = 0; i < d->n; i++) {
		v = d->kv + i * ent + d->ksz;
		w = want->kv + i * ent + d->ksz;
		if (memcmp(d->kv + i * ent, want->kv + i * ent, d->ksz))
			return false;
		memcpy(&a, v, sizeof(a));
		memcpy(&b, w, sizeof(b));
		if (TG_CLAIM_ID_OF(a) != TG_CLAIM_ID_OF(b) ||
		    !tg_claim_holds_now(&maps, a) ||
		    memcmp(v + 4, w + 4, d->vsz - 4))
			return false;
	}
	return true;
}

static void view_all(const struct probes *p, struct view *v)
{
	__u32 id;

	for (id = 0; id < CAP; id++)
		view_of(id, p, &v[id]);
}

/* The subscribers before: each changes in its own way. */
static void kill_old_state(void)
{
	add("alice", TG_TUN_GRE, 10, 1, "100.64.0.0/28", "2001:db8:10::/48");
	add("bob", TG_TUN_IPIP, 11, 0, "100.64.0.16/28", NULL);
	add("carol", TG_TUN_GRE, 12, 3, "100.64.0.32/28", NULL);
	add("dave", TG_TUN_L2TPV3_IP, 13, 4, "100.64.0.64/28", NULL);
	add("erin", TG_TUN_GRE, 14, 5, "100.64.0.80/28", NULL);
	add("frank", TG_TUN_IPIP, 15, 0, "100.64.0.96/28", NULL);
}

static void kill_changes(void)
{
	ck_assert_int_eq(tg_db_sub_del(db, "alice"), 0);
	ck_assert_int_eq(tg_db_exec(db,
		"UPDATE subscriber SET enabled = 0 WHERE name = 'bob';"
		/* carol grows around her old prefix and gets one more */
		"UPDATE prefix SET prefix = '100.64.0.32/27' WHERE prefix = '100.64.0.32/28';"
		"INSERT INTO prefix VALUES((SELECT id FROM subscriber WHERE name = 'carol'), '100.64.1.0/24');"
		"INSERT INTO prefix VALUES((SELECT id FROM subscriber WHERE name = 'carol'), '2001:db8:30::/48');"
		/* dave and erin swap prefixes */
		"UPDATE prefix SET prefix = '100.64.9.0/28' WHERE prefix = '100.64.0.64/28';"
		"UPDATE prefix SET prefix = '100.64.0.64/28' WHERE prefix = '100.64.0.80/28';"
		"UPDATE prefix SET prefix = '100.64.0.80/28' WHERE prefix = '100.64.9.0/28';"
		"UPDATE subscriber SET mtu = 1300 WHERE name = 'dave';"
		"UPDATE subscriber SET gre_key = 55 WHERE name = 'erin';"
		/* frank shrinks within his old prefix, and his rates change */
		"UPDATE prefix SET prefix = '100.64.0.96/29' WHERE prefix = '100.64.0.96/28';"
		"UPDATE subscriber SET up_rate = 1000000, down_rate = 2000000 WHERE name = 'frank';"),
		0);
	/* grace takes alice's IPv4 prefix, heidi her tunnel identity */
	add("grace", TG_TUN_GRE, 16, 7, "100.64.2.0/24", "100.64.0.0/28");
	add("heidi", TG_TUN_GRE, 10, 1, "100.64.3.0/24", NULL);
}

static int sync_persist(bool full, bool dry_run, struct tg_sync_stats *st)
{
	struct tg_sync_opts o = { .persist = true, .full = full,
				  .dry_run = dry_run };

	return tg_sync_run(db, &maps, &o, st);
}

/*
 * A sync killed (SIGKILL) after its Nth map write, for every N: every
 * subscriber is, as packets see it, exactly as before the sync or exactly
 * as after it (its encapsulation, policing, tunnel identities and settings,
 * and the addresses its prefixes take), nothing leads to a subscriber
 * without its encapsulation, tg_meta says the sync did not finish, and the
 * next sync compares with the maps and converges to the new state. batch:
 * entries per batch write of the killed sync (NULL: as in production);
 * returns how many times it found some subscribers old and some new.
 */
static unsigned int kill_each_write(const char *batch)
{
	struct dump old[KILL_MAPS], want[KILL_MAPS], now[KILL_MAPS];
	static struct view v_old[CAP], v_new[CAP], v_now[CAP];
	unsigned int points = 0, both = 0, n_old, n_new;
	struct tg_sync_stats st;
	struct tg_meta meta, meta_old;
	char path[96], saved[96], sql[600], n[16];
	static struct probes pr;
	__u32 id, zero = 0;
	int i, status, kill_after;
	pid_t pid;

	/* The old state, kept (maps, tg_meta, database) to start each run. */
	if (!setup_maps(64))
		return 0;
	kill_old_state();
	ck_assert_int_eq(sync_persist(false, false, &st), 0);
	dump_all(old);
	ck_assert_int_eq(bpf_map_lookup_elem(maps.meta, &zero, &meta_old), 0);
	snprintf(path, sizeof(path), "%s/tungate.db", tmpdir);
	snprintf(saved, sizeof(saved), "%s/old.db", tmpdir);
	snprintf(sql, sizeof(sql), "VACUUM INTO '%s'", saved);
	ck_assert_int_eq(tg_db_exec(db, sql), 0);
	/* The new state as an uninterrupted sync writes it. */
	kill_changes();
	ck_assert_int_eq(sync_persist(false, false, &st), 0);
	ck_assert_uint_eq(st.added + st.changed + st.removed, 8);
	dump_all(want);
	memset(&pr, 0, sizeof(pr));
	probes_add(&pr, old);
	probes_add(&pr, want);
	view_all(&pr, v_new);
	restore_all(old);
	view_all(&pr, v_old);
	for (id = 1, i = 0; id < CAP; id++)
		i += !!memcmp(&v_old[id], &v_new[id], sizeof(v_old[id]));
	ck_assert_int_eq(i, 8);

	for (kill_after = 1;; kill_after++) {
		tg_db_close(db);
		snprintf(sql, sizeof(sql), "cp '%s' '%s' && rm -f '%s-wal' '%s-shm'",
			 saved, path, path, path);
		tg_test_sh(sql);
		ck_assert_int_eq(tg_db_open(path, false, &db), 0);
		restore_all(old);
		ck_assert_int_eq(bpf_map_update_elem(maps.meta, &zero, &meta_old, BPF_ANY), 0);
		kill_changes();
		snprintf(n, sizeof(n), "%d", kill_after);
		pid = fork();
		ck_assert_int_ge(pid, 0);
		if (!pid) {
			sqlite3 *own;

			setenv("TUNGATE_TEST_SYNC_KILL_AFTER", n, 1);
			if (batch)
				setenv("TUNGATE_TEST_SYNC_BATCH", batch, 1);
			if (tg_db_open(path, false, &own))
				_exit(2);
			db = own;
			_exit(sync_persist(false, false, &st) ? 3 : 0);
		}
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		if (WIFEXITED(status)) {
			/* Fewer writes than kill_after: the sync finished. */
			ck_assert_int_eq(WEXITSTATUS(status), 0);
			break;
		}
		ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
		points++;

		ck_assert_int_eq(bpf_map_lookup_elem(maps.meta, &zero, &meta), 0);
		ck_assert_int_eq(meta.sync_result, -EINPROGRESS);
		view_all(&pr, v_now);
		n_old = n_new = 0;
		for (id = 1; id < CAP; id++) {
			bool is_old = !memcmp(&v_now[id], &v_old[id], sizeof(v_now[id]));
			bool is_new = !memcmp(&v_now[id], &v_new[id], sizeof(v_now[id]));

			ck_assert_msg(is_old || is_new,
				      "kill after %d writes: subscriber %u is neither old nor new",
				      kill_after, id);
			if (is_old == is_new)
				continue;
			n_old += is_old;
			n_new += is_new;
			/* A tunnel or prefix of his leads to his encapsulation. */
			for (i = 0; i < VIEW_PROBES; i++)
				if (v_now[id].probe[i] || v_now[id].hprobe[i])
					ck_assert_msg(v_now[id].enc.type,
						      "kill after %d writes: a prefix leads to %u without tg_encap",
						      kill_after, id);
		}
		both += n_old && n_new;

		/* The next sync compares with the maps and converges. */
		ck_assert_int_eq(sync_persist(false, false, &st), 0);
		ck_assert(!st.incremental);
		ck_assert_int_eq(bpf_map_lookup_elem(maps.meta, &zero, &meta), 0);
		ck_assert_int_eq(meta.sync_result, 0);
		ck_assert_uint_eq(meta.subs, 6);
		view_all(&pr, v_now);
		ck_assert_msg(!memcmp(v_now, v_new, sizeof(v_new)),
			      "kill after %d writes: not repaired", kill_after);
		/* The same keys as after an uninterrupted sync, one claim each. */
		dump_all(now);
		for (i = 0; i < 3; i++)
			ck_assert_msg(keys_converged(&now[i], &want[i]),
				      "kill after %d writes: map %d not repaired",
				      kill_after, i);
		/* The hashes hold what the tries hold. */
		for (i = 1; i < 3; i++)
			ck_assert_msg(now[i].n == now[KILL_PFX4 + i - 1].n &&
				      !memcmp(now[i].kv, now[KILL_PFX4 + i - 1].kv,
					      now[i].n * (now[i].ksz + now[i].vsz)),
				      "kill after %d writes: tg_pfx%d differs from its trie",
				      kill_after, i == 1 ? 4 : 6);
		dump_free(now);
		ck_assert_int_eq(sync_persist(true, true, &st), 0);
		ck_assert_uint_eq(st.added + st.changed + st.removed, 0);
		ck_assert_int_eq(sync_persist(false, false, &st), 0);
		ck_assert(st.incremental);
	}
	printf("sync killed at each of %u map writes (batch %s): every subscriber fully old or fully new, %u times some of each; repaired\n",
	       points, batch ? batch : "default", both);
	ck_assert_uint_ge(points, 8);
	dump_free(old);
	dump_free(want);
	return both;
}

START_TEST(test_sync_kill)
{
	kill_each_write(NULL);
}
END_TEST

/*
 * One entry per batch write: the sync is also killed between the flips of
 * two subscribers, as it can be between two batches of many.
 */
START_TEST(test_sync_kill_one_by_one)
{
	if (tg_test_need_root())
		ck_assert_uint_gt(kill_each_write("1"), 0);
}
END_TEST

/* tg_meta after syncs that reached the maps, and not after others. */
START_TEST(test_sync_meta)
{
	struct tg_sync_stats st;
	struct tg_meta m1, m2;
	__u32 zero = 0;

	if (!setup_maps(CAP))
		return;
	add("alice", TG_TUN_GRE, 10, 7, "100.64.0.0/28", NULL);
	add("bob", TG_TUN_IPIP, 11, 0, "100.64.0.16/28", NULL);
	ck_assert_int_eq(sync_persist(false, false, &st), 0);
	ck_assert_int_eq(bpf_map_lookup_elem(maps.meta, &zero, &m1), 0);
	ck_assert_int_eq(m1.sync_result, 0);
	ck_assert_uint_eq(m1.sync_count, 1);
	ck_assert_uint_eq(m1.subs, 2);
	ck_assert_uint_gt(m1.sync_time, 1700000000ULL * 1000000000ULL);
	/* A dry run does not count. */
	ck_assert_int_eq(sync_persist(false, true, &st), 0);
	ck_assert_int_eq(bpf_map_lookup_elem(maps.meta, &zero, &m2), 0);
	ck_assert_uint_eq(m2.sync_count, 1);
	/* Neither does one refused before the maps (invalid row). */
	ck_assert_int_eq(tg_test_db_plant(db, "UPDATE subscriber SET mtu = 20 WHERE name = 'bob'"), 1);
	ck_assert_int_lt(sync_persist(false, false, &st), 0);
	ck_assert_msg(strstr(st.failed, "subscriber 'bob'") && strstr(st.failed, "mtu"),
		      "%s", st.failed);
	ck_assert_int_eq(bpf_map_lookup_elem(maps.meta, &zero, &m2), 0);
	ck_assert_uint_eq(m2.sync_count, 1);
	ck_assert_int_eq(tg_db_exec(db, "UPDATE subscriber SET mtu = 1300 WHERE name = 'bob'"), 0);
	ck_assert_int_eq(sync_persist(false, false, &st), 0);
	ck_assert_int_eq(bpf_map_lookup_elem(maps.meta, &zero, &m2), 0);
	ck_assert_uint_eq(m2.sync_count, 2);
	ck_assert_uint_ge(m2.sync_time, m1.sync_time);
	ck_assert_uint_eq(m2.subs, 2);
}
END_TEST

/*
 * Rows written behind the CLI's back that fail validation refuse the whole
 * sync before any map is touched, naming the subscriber and the cause.
 */
START_TEST(test_sync_invalid_rows)
{
	struct dump before[KILL_MAPS], after[KILL_MAPS];
	static const struct {
		const char *sql, *undo, *msg;
		int schema;	/* the schema's CHECKs refuse it too */
	} bad[] = {
		{ "UPDATE subscriber SET remote = '300.1.2.3' WHERE name = 'bob'",
		  "UPDATE subscriber SET remote = '192.0.2.11' WHERE name = 'bob'",
		  "subscriber 'bob': --remote '300.1.2.3'", 0 },
		{ "UPDATE subscriber SET type = 'pptp' WHERE name = 'bob'",
		  "UPDATE subscriber SET type = 'ipip' WHERE name = 'bob'",
		  "subscriber 'bob': --type", 1 },
		{ "INSERT INTO prefix VALUES((SELECT id FROM subscriber WHERE name = 'bob'), '100.64.0.0/24')",
		  "DELETE FROM prefix WHERE prefix = '100.64.0.0/24'",
		  "overlaps", 0 },
		{ "INSERT INTO prefix VALUES((SELECT id FROM subscriber WHERE name = 'bob'), '100.64.9.1/24')",
		  "DELETE FROM prefix WHERE prefix = '100.64.9.1/24'",
		  "subscriber 'bob': prefix '100.64.9.1/24'", 0 },
	};
	struct tg_sync_stats st;
	size_t i;
	int k;

	if (!setup_maps(CAP))
		return;
	add("alice", TG_TUN_GRE, 10, 7, "100.64.0.0/28", NULL);
	add("bob", TG_TUN_IPIP, 11, 0, "100.64.0.16/28", NULL);
	ck_assert_int_eq(sync_persist(false, false, &st), 0);
	dump_all(before);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* Together with a valid change: nothing of it is applied. */
		ck_assert_int_eq(tg_db_exec(db, "UPDATE subscriber SET mtu = 1300 WHERE name = 'alice'"), 0);
		ck_assert_int_eq(tg_test_db_plant(db, bad[i].sql), bad[i].schema);
		ck_assert_int_lt(sync_persist(i % 2, false, &st), 0);
		ck_assert_msg(strstr(st.failed, bad[i].msg), "%s: '%s'",
			      bad[i].sql, st.failed);
		dump_all(after);
		for (k = 0; k < KILL_MAPS; k++)
			ck_assert(after[k].n == before[k].n &&
				  (!after[k].n ||
				   !memcmp(after[k].kv, before[k].kv,
					   after[k].n * (after[k].ksz + after[k].vsz))));
		dump_free(after);
		ck_assert_int_eq(tg_db_exec(db, bad[i].undo), 0);
		ck_assert_int_eq(tg_db_exec(db, "UPDATE subscriber SET mtu = 1400 WHERE name = 'alice'"), 0);
	}
	ck_assert_int_eq(sync_persist(false, false, &st), 0);
	dump_free(before);
}
END_TEST

Suite *sync_suite(void)
{
	Suite *s = suite_create("sync");
	TCase *tc = tcase_create("sync");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_sync_add);
	tcase_add_test(tc, test_sync_twice);
	tcase_add_test(tc, test_sync_wireguard);
	tcase_add_test(tc, test_sync_wg_in_force);
	tcase_add_test(tc, test_sync_pfx_lengths);
	tcase_add_test(tc, test_sync_pfx_too_many);
	tcase_add_test(tc, test_sync_change);
	tcase_add_test(tc, test_sync_remove);
	tcase_add_test(tc, test_sync_rollback);
	tcase_add_test(tc, test_sync_rollback_rdonly);
	tcase_add_test(tc, test_sync_encap);
	tcase_add_test(tc, test_sync_incremental);
	tcase_add_test(tc, test_sync_capacity);
	tcase_add_test(tc, test_sync_burst_default);
	tcase_add_test(tc, test_sync_police);
	tcase_add_test(tc, test_sync_police_class);
	tcase_add_test(tc, test_sync_police_class_incremental);
	tcase_add_test(tc, test_sync_bucket_new);
	tcase_add_test(tc, test_sync_community);
	tcase_add_test(tc, test_sync_meta);
	tcase_add_test(tc, test_sync_invalid_rows);
	suite_add_tcase(s, tc);
	/* A fresh set of maps for each point the sync is killed at. */
	tc = tcase_create("sync_kill");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_sync_kill);
	tcase_add_test(tc, test_sync_kill_one_by_one);
	suite_add_tcase(s, tc);
	return s;
}
