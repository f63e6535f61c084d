// SPDX-License-Identifier: GPL-2.0-only
/*
 * usage suite: records taken from real tg_sub_stats maps whose
 * counters the tests advance, the schema step to version 3, dates.
 */
#include <arpa/inet.h>
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dataplane/subcount.h"
#include "bpf_util.h"
#include "db/db.h"
#include "sync/sync.h"
#include "dataplane/usage.h"
#include "subscriber.skel.h"

#define CAP 16

static char tmpdir[64], dbpath[128];
static struct subscriber_bpf *skel, *skel2;
static struct tg_maps maps = TG_MAPS_INIT;
static sqlite3 *db;

/* Private maps of the subscriber object (nothing pinned, no program). */
static void maps_new(struct subscriber_bpf **s, struct tg_maps *m)
{
	struct bpf_program *prog;

	*s = subscriber_bpf__open();
	ck_assert_ptr_nonnull(*s);
	tg_obj_unpin_maps((*s)->obj);
	bpf_object__for_each_program(prog, (*s)->obj)
		bpf_program__set_autoload(prog, false);
	bpf_map__set_max_entries((*s)->maps.tg_tunnels, CAP);
	tg_sub_stats_set_capacity((*s)->maps.tg_sub_stats, CAP);
	ck_assert_int_eq(subscriber_bpf__load(*s), 0);
	ck_assert_int_eq(tg_maps_from_skel(*s, m), 0);
}

static bool setup(void)
{
	if (!tg_test_need_root())
		return false;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/tg-test-usage.XXXXXX");
	ck_assert(mkdtemp(tmpdir));
	snprintf(dbpath, sizeof(dbpath), "%s/tungate.db", tmpdir);
	ck_assert_int_eq(tg_db_open(dbpath, true, &db), 0);
	maps_new(&skel, &maps);
	return true;
}

static void teardown(void)
{
	char cmd[128];

	tg_maps_close(&maps);
	subscriber_bpf__destroy(skel);
	subscriber_bpf__destroy(skel2);
	skel = skel2 = NULL;
	tg_db_close(db);
	db = NULL;
	if (tmpdir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		ck_assert_int_eq(system(cmd), 0);
		tmpdir[0] = '\0';
	}
}

/* A GRE subscriber 192.0.2.<host> with key host and one prefix. */
static __u32 add(const char *name, __u32 host, const char *pfx)
{
	char err[256] = "";
	struct tg_prefix p;
	struct tg_sub s;

	tg_sub_init(&s);
	snprintf(s.name, sizeof(s.name), "%s", name);
	s.type = TG_TUN_GRE;
	s.remote = htonl(0xc0000200 | host);
	s.local = htonl(0xc6336401);
	s.has_key = true;
	s.key = host;
	ck_assert(!tg_prefix_parse(pfx, &p, err, sizeof(err)));
	s.prefix = &p;
	s.nprefix = 1;
	ck_assert_msg(!tg_db_sub_add(db, &s, err, sizeof(err)), "%s", err);
	return s.dp_id;
}

/* The sync of the pinned-maps mode: dp_state says what is in the maps. */
static void sync_maps(void)
{
	struct tg_sync_opts o = { .persist = true };
	struct tg_sync_stats st;

	ck_assert_msg(!tg_sync_run(db, &maps, &o, &st), "sync: %s", st.failed);
	tg_sync_stats_free(&st);
}

/* Traffic of dp_id counted on one CPU, as the programs count it. */
static void traffic(__u32 id, int cpu, __u64 up, __u64 down)
{
	int ncpu = libbpf_num_possible_cpus();
	struct tg_sub_counters *v = calloc(ncpu, sizeof(*v));

	ck_assert_ptr_nonnull(v);
	cpu %= ncpu;
	ck_assert_int_eq(tg_sub_counters_get(maps.sub_stats, id, v), 0);
	v[cpu].bytes[TG_DIR_UP] += up;
	v[cpu].bytes[TG_DIR_DOWN] += down;
	v[cpu].packets[TG_DIR_UP] += (up + 999) / 1000;
	v[cpu].packets[TG_DIR_DOWN] += (down + 999) / 1000;
	v[cpu].reasons[TG_R_OK] += (up + 999) / 1000 + (down + 999) / 1000;
	ck_assert_int_eq(tg_sub_counters_put(maps.sub_stats, id, v), 0);
	free(v);
}

static long long q(const char *sql)
{
	sqlite3_stmt *st;
	long long v = -1;

	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK,
		      "%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static long long total(const char *name, const char *col)
{
	char sql[160];

	snprintf(sql, sizeof(sql),
		 "SELECT COALESCE(sum(%s), 0) FROM usage WHERE name = '%s'", col,
		 name);
	return q(sql);
}

static long long nrows(const char *name)
{
	char sql[160];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM usage WHERE name = '%s'",
		 name);
	return q(sql);
}

/* Make the next records a second later than the last (period_end). */
static void next_second(void)
{
	long long t = q("SELECT max(period_end) FROM usage");

	while (t > 0 && time(NULL) <= t)
		usleep(50000);
}

/* Deltas exact, summed over CPUs, per direction; idle subscribers no row. */
START_TEST(test_usage_delta)
{
	__u32 a, b;

	if (!setup())
		return;
	a = add("alice", 10, "100.64.0.1/32");
	b = add("bob", 11, "100.64.0.16/28");
	sync_maps();
	traffic(a, 0, 1000, 5000);
	traffic(a, 1, 234, 66);
	ck_assert_int_eq(tg_usage_tick(db, &maps, NULL), 0);
	ck_assert_int_eq(nrows("alice"), 1);
	ck_assert_int_eq(nrows("bob"), 0);
	ck_assert_int_eq(total("alice", "up_bytes"), 1234);
	ck_assert_int_eq(total("alice", "down_bytes"), 5066);
	ck_assert_int_eq(total("alice", "up_packets"), 2);
	ck_assert_int_eq(total("alice", "down_packets"), 6);
	ck_assert_int_eq(q("SELECT count(*) FROM usage WHERE name = 'alice'"
			   " AND ip = '100.64.0.1' AND class IS NULL AND final = 0"
			   " AND period_start IS NULL"), 1);

	next_second();
	traffic(a, 1, 10, 20);
	traffic(b, 0, 7, 0);
	ck_assert_int_eq(tg_usage_tick(db, &maps, NULL), 0);
	ck_assert_int_eq(nrows("alice"), 2);
	ck_assert_int_eq(total("alice", "up_bytes"), 1244);
	ck_assert_int_eq(total("alice", "down_bytes"), 5086);
	ck_assert_int_eq(total("bob", "up_bytes"), 7);
	ck_assert_int_eq(q("SELECT count(*) FROM usage WHERE name = 'bob'"
			   " AND ip = '100.64.0.16/28'"), 1);
	/* The second period starts where the first ended. */
	ck_assert_int_eq(q("SELECT count(*) FROM usage u, usage v WHERE"
			   " u.name = 'alice' AND v.name = 'alice' AND"
			   " v.id > u.id AND v.period_start = u.period_end"), 1);

	/* Nothing used: nothing written, not even the marks. */
	ck_assert_int_eq(tg_usage_tick(db, &maps, NULL), 0);
	ck_assert_int_eq(q("SELECT count(*) FROM usage"), 3);
	ck_assert_int_eq(q("SELECT count(*) FROM usage_mark"), 2);
}
END_TEST

/*
 * A restart (new connection, new map fds, nothing kept in memory) goes on
 * from the mark; a tick rolled back before its commit (a crash) records
 * nothing and the next one takes the whole difference once.
 */
START_TEST(test_usage_restart)
{
	sqlite3 *tx;
	__u32 a;

	if (!setup())
		return;
	a = add("alice", 10, "100.64.0.1/32");
	sync_maps();
	traffic(a, 0, 100, 200);
	ck_assert_int_eq(tg_usage_tick(db, &maps, NULL), 0);

	tg_db_close(db);
	tg_maps_close(&maps);
	ck_assert_int_eq(tg_db_open(dbpath, false, &db), 0);
	ck_assert_int_eq(tg_maps_from_skel(skel, &maps), 0);
	traffic(a, 1, 30, 40);
	next_second();
	ck_assert_int_eq(tg_usage_tick(db, &maps, NULL), 0);
	ck_assert_int_eq(nrows("alice"), 2);
	ck_assert_int_eq(total("alice", "up_bytes"), 130);
	ck_assert_int_eq(total("alice", "down_bytes"), 240);

	/* Crash between reading the counters and the commit. */
	traffic(a, 0, 5, 6);
	ck_assert_int_eq(tg_db_open(dbpath, false, &tx), 0);
	ck_assert_int_eq(tg_db_exec(tx, "BEGIN IMMEDIATE"), 0);
	ck_assert_int_eq(tg_usage_tick(tx, &maps, NULL), 0);
	ck_assert_int_eq(tg_db_exec(tx, "ROLLBACK"), 0);
	tg_db_close(tx);
	ck_assert_int_eq(nrows("alice"), 2);
	traffic(a, 1, 1, 1);
	next_second();
	ck_assert_int_eq(tg_usage_tick(db, &maps, NULL), 0);
	ck_assert_int_eq(nrows("alice"), 3);
	ck_assert_int_eq(total("alice", "up_bytes"), 136);
	ck_assert_int_eq(total("alice", "down_bytes"), 247);
}
END_TEST

/*
 * A counter found below its mark (increments lost) counts only what grew,
 * each on its own: never twice; maps made again (another tg_meta) count
 * from zero even when already above the mark.
 */
START_TEST(test_usage_reset)
{
	struct tg_sub_counters *zero;
	struct tg_maps m2 = TG_MAPS_INIT;
	__u32 a;

	if (!setup())
		return;
	a = add("alice", 10, "100.64.0.1/32");
	sync_maps();
	traffic(a, 0, 1000, 1000);
	ck_assert_int_eq(tg_usage_tick(db, &maps, NULL), 0);

	zero = calloc(libbpf_num_possible_cpus(), sizeof(*zero));
	ck_assert_ptr_nonnull(zero);
	ck_assert_int_eq(tg_sub_counters_put(maps.sub_stats, a, zero), 0);
	free(zero);
	traffic(a, 1, 10, 2000);
	next_second();
	ck_assert_int_eq(tg_usage_tick(db, &maps, NULL), 0);
	ck_assert_int_eq(total("alice", "up_bytes"), 1000);
	ck_assert_int_eq(total("alice", "down_bytes"), 2000);
	/* And from there on. */
	traffic(a, 0, 5, 5);
	next_second();
	ck_assert_int_eq(tg_usage_tick(db, &maps, NULL), 0);
	ck_assert_int_eq(total("alice", "up_bytes"), 1005);
	ck_assert_int_eq(total("alice", "down_bytes"), 2005);

	/* The same database with new maps, synced: zeroed, then above. */
	maps_new(&skel2, &m2);
	tg_maps_close(&maps);
	maps = m2;
	sync_maps();
	traffic(a, 0, 5000, 5000);
	next_second();
	ck_assert_int_eq(tg_usage_tick(db, &maps, NULL), 0);
	ck_assert_int_eq(total("alice", "up_bytes"), 6005);
	ck_assert_int_eq(total("alice", "down_bytes"), 7005);
	ck_assert_int_eq(nrows("alice"), 4);
}
END_TEST

/*
 * A layout migration copies tg_sub_stats into a new map and keeps tg_meta:
 * the records go on from the mark. What the old programs count after the
 * copy is not in the new map; a record taken from the old map then leaves
 * the new one below its mark: nothing is counted twice, the new map counts
 * once above the mark (what it lost is the migration's).
 */
START_TEST(test_usage_migrated_map)
{
	int ncpu = libbpf_num_possible_cpus();
	struct tg_maps m2 = TG_MAPS_INIT;
	struct tg_sub_counters *v;
	__u32 a, id;
	int fd;

	if (!setup())
		return;
	a = add("alice", 10, "100.64.0.1/32");
	sync_maps();
	traffic(a, 0, 700, 800);
	ck_assert_int_eq(tg_usage_tick(db, &maps, NULL), 0);
	traffic(a, 1, 7, 8);

	/* The copy; the old programs still count on the old map. */
	maps_new(&skel2, &m2);
	v = calloc(ncpu, sizeof(*v));
	ck_assert_ptr_nonnull(v);
	for (id = 1; id < CAP; id++) {
		ck_assert_int_eq(tg_sub_counters_get(maps.sub_stats, id, v), 0);
		ck_assert_int_eq(tg_sub_counters_put(m2.sub_stats, id, v), 0);
	}
	free(v);
	traffic(a, 0, 3, 3);
	next_second();
	ck_assert_int_eq(tg_usage_tick(db, &maps, NULL), 0);
	ck_assert_int_eq(total("alice", "up_bytes"), 710);

	/* The new map in its place: 3 bytes each way behind the mark. */
	fd = maps.sub_stats;
	maps.sub_stats = m2.sub_stats;
	m2.sub_stats = fd;
	tg_maps_close(&m2);
	traffic(a, 0, 1, 2);
	next_second();
	ck_assert_int_eq(tg_usage_tick(db, &maps, NULL), 0);
	ck_assert_int_eq(total("alice", "up_bytes"), 710);
	ck_assert_int_eq(total("alice", "down_bytes"), 811);
	traffic(a, 1, 100, 100);
	next_second();
	ck_assert_int_eq(tg_usage_tick(db, &maps, NULL), 0);
	/* Sent 811 and 913: less what the new map counted below the mark. */
	ck_assert_int_eq(total("alice", "up_bytes"), 810);
	ck_assert_int_eq(total("alice", "down_bytes"), 911);
}
END_TEST

/*
 * Final records: exactly once per departure, with what was used since the
 * last record; a subscriber back from disabled counts from zero (sync
 * zeroes its counters); one deleted without a final record by its sync
 * gets it at the next tick; nothing is lost or counted twice.
 */
START_TEST(test_usage_final)
{
	__u32 a, b;

	if (!setup())
		return;
	a = add("alice", 10, "100.64.0.1/32");
	b = add("bob", 11, "100.64.0.2/32");
	sync_maps();
	traffic(a, 0, 100, 100);
	ck_assert_int_eq(tg_usage_tick(db, &maps, NULL), 0);
	traffic(a, 1, 11, 22);

	/* Disable: final record (as sync makes it), then the sync. */
	ck_assert_int_eq(tg_db_exec(db, "UPDATE subscriber SET enabled = 0 WHERE name = 'alice'"), 0);
	next_second();
	ck_assert_int_eq(tg_usage_final(db, &maps, &a, 1, NULL), 0);
	ck_assert_int_eq(nrows("alice"), 2);
	ck_assert_int_eq(q("SELECT up_bytes FROM usage WHERE name = 'alice' AND final = 1"), 11);
	ck_assert_int_eq(q("SELECT down_bytes FROM usage WHERE name = 'alice' AND final = 1"), 22);
	/* Twice: nothing new (nothing used since). */
	ck_assert_int_eq(tg_usage_final(db, &maps, &a, 1, NULL), 0);
	ck_assert_int_eq(nrows("alice"), 2);
	sync_maps();
	ck_assert_int_eq(tg_usage_tick(db, &maps, NULL), 0);
	ck_assert_int_eq(q("SELECT count(*) FROM usage WHERE name = 'alice' AND final = 1"), 1);
	ck_assert_int_eq(total("alice", "up_bytes"), 111);

	/* Back: the sync zeroes its counters; it counts from there. */
	ck_assert_int_eq(tg_db_exec(db, "UPDATE subscriber SET enabled = 1 WHERE name = 'alice'"), 0);
	sync_maps();
	traffic(a, 0, 500, 600);
	next_second();
	ck_assert_int_eq(tg_usage_tick(db, &maps, NULL), 0);
	ck_assert_int_eq(total("alice", "up_bytes"), 611);
	ck_assert_int_eq(total("alice", "down_bytes"), 722);

	/* Deleted: the final record comes from its sync or the next tick. */
	traffic(b, 0, 40, 50);
	ck_assert_int_eq(tg_usage_tick(db, &maps, NULL), 0);
	traffic(b, 1, 3, 4);
	ck_assert_int_eq(tg_db_sub_del(db, "bob"), 0);
	next_second();
	sync_maps();
	ck_assert_int_eq(tg_usage_tick(db, &maps, NULL), 0);
	ck_assert_int_eq(q("SELECT count(*) FROM usage WHERE name = 'bob' AND final = 1"), 1);
	ck_assert_int_eq(q("SELECT up_bytes FROM usage WHERE name = 'bob' AND final = 1"), 3);
	ck_assert_int_eq(total("bob", "up_bytes"), 43);
	ck_assert_int_eq(total("bob", "down_bytes"), 54);
	ck_assert_int_eq(q("SELECT count(*) FROM usage WHERE name = 'bob' AND ip = '100.64.0.2'"),
			 nrows("bob"));

	/* Its id, taken by a new subscriber, counts from zero. */
	ck_assert_int_eq(tg_db_exec(db, "UPDATE setting SET value = '2' WHERE key = 'next_dp_id'"), 0);
	ck_assert_uint_eq(b, 2);
	ck_assert_uint_eq(add("carol", 12, "100.64.0.3/32"), b);
	sync_maps();
	traffic(b, 0, 9, 8);
	next_second();
	ck_assert_int_eq(tg_usage_tick(db, &maps, NULL), 0);
	ck_assert_int_eq(total("carol", "up_bytes"), 9);
	ck_assert_int_eq(total("bob", "up_bytes"), 43);
}
END_TEST

/*
 * Deleted but not yet synced: still in the data plane, still counted as
 * its own (from the mark); the sync that takes it out writes its final.
 */
START_TEST(test_usage_deleted_unsynced)
{
	__u32 a;

	if (!setup())
		return;
	a = add("alice", 10, "100.64.0.1/32");
	sync_maps();
	traffic(a, 0, 10, 20);
	ck_assert_int_eq(tg_usage_tick(db, &maps, NULL), 0);
	ck_assert_int_eq(tg_db_sub_del(db, "alice"), 0);
	traffic(a, 0, 1, 2);
	next_second();
	ck_assert_int_eq(tg_usage_tick(db, &maps, NULL), 0);
	ck_assert_int_eq(q("SELECT count(*) FROM usage WHERE name = 'alice'"
			   " AND final = 0 AND up_bytes = 1 AND ip = '100.64.0.1'"), 1);
	traffic(a, 1, 100, 200);
	next_second();
	sync_maps();
	ck_assert_int_eq(tg_usage_tick(db, &maps, NULL), 0);
	ck_assert_int_eq(q("SELECT count(*) FROM usage WHERE final = 1"), 1);
	ck_assert_int_eq(total("alice", "up_bytes"), 111);
	ck_assert_int_eq(total("alice", "down_bytes"), 222);
}
END_TEST

/* Inside the caller's transaction: rolled back with it. */
START_TEST(test_usage_final_nested)
{
	__u32 a;

	if (!setup())
		return;
	a = add("alice", 10, "100.64.0.1/32");
	sync_maps();
	traffic(a, 0, 100, 100);
	ck_assert_int_eq(tg_db_exec(db, "BEGIN IMMEDIATE"), 0);
	ck_assert_int_eq(tg_usage_final(db, &maps, &a, 1, tmpdir), 0);
	ck_assert_int_eq(nrows("alice"), 1);
	ck_assert_int_eq(tg_db_exec(db, "ROLLBACK"), 0);
	ck_assert_int_eq(nrows("alice"), 0);
	ck_assert_int_eq(tg_db_exec(db, "BEGIN IMMEDIATE"), 0);
	ck_assert_int_eq(tg_usage_final(db, &maps, &a, 1, tmpdir), 0);
	ck_assert_int_eq(tg_db_exec(db, "COMMIT"), 0);
	ck_assert_int_eq(q("SELECT count(*) FROM usage WHERE final = 1 AND up_bytes = 100"), 1);
	/* Its file is left to the next tick. */
	ck_assert_int_eq(q("SELECT count(*) FROM usage_file"), 1);
}
END_TEST

static void read_file(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	ck_assert_msg(f, "%s: %s", path, strerror(errno));
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* The text file of a period: name ip class up down, sorted, atomic. */
START_TEST(test_usage_file)
{
	char dir[160], path[256], stamp[32], buf[512];
	struct dirent *de;
	long long t;
	DIR *d;
	int n = 0;
	__u32 a, b;

	if (!setup())
		return;
	ck_assert_int_eq(tg_db_exec(db, "INSERT INTO class(name, down_rate, up_rate, burst, scope)"
				    " VALUES('gold', 0, 0, 15360, 'internet')"), 0);
	b = add("bob", 11, "2001:db8::/56");
	a = add("alice", 10, "100.64.0.1/32");
	ck_assert_int_eq(tg_db_exec(db, "UPDATE subscriber SET class = 'gold' WHERE name = 'bob'"), 0);
	sync_maps();
	traffic(a, 0, 1, 2);
	traffic(b, 0, 3, 4);
	snprintf(dir, sizeof(dir), "%s/usage", tmpdir);
	ck_assert_int_eq(tg_usage_tick(db, &maps, dir), 0);
	t = q("SELECT max(period_end) FROM usage");
	ck_assert_int_eq(tg_usage_time_format(t, stamp, sizeof(stamp)), 0);
	snprintf(path, sizeof(path), "%s/usage-%s.txt", dir, stamp);
	read_file(path, buf, sizeof(buf));
	ck_assert_str_eq(buf, "alice 100.64.0.1 - 1 2\n"
			      "bob 2001:db8::/56 gold 3 4\n");
	ck_assert_int_eq(q("SELECT count(*) FROM usage_file"), 0);
	d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	ck_assert_int_eq(n, 1);

	/* A file lost to a crash after the commit is written again. */
	ck_assert_int_eq(unlink(path), 0);
	snprintf(buf, sizeof(buf), "INSERT INTO usage_file VALUES(%lld)", t);
	ck_assert_int_eq(tg_db_exec(db, buf), 0);
	ck_assert_int_eq(tg_usage_write_files(db, dir), 0);
	read_file(path, buf, sizeof(buf));
	ck_assert_str_eq(buf, "alice 100.64.0.1 - 1 2\n"
			      "bob 2001:db8::/56 gold 3 4\n");

	/* An idle interval still gets its (empty) file. */
	next_second();
	ck_assert_int_eq(tg_usage_tick(db, &maps, dir), 0);
	t = q("SELECT value FROM setting WHERE key = 'usage_tick'");
	ck_assert_int_eq(tg_usage_time_format(t, stamp, sizeof(stamp)), 0);
	snprintf(path, sizeof(path), "%s/usage-%s.txt", dir, stamp);
	read_file(path, buf, sizeof(buf));
	ck_assert_str_eq(buf, "");

	/* A directory that cannot be made: an error, the record is kept. */
	traffic(a, 0, 1, 1);
	next_second();
	ck_assert_int_lt(tg_usage_tick(db, &maps, "/proc/no/such"), 0);
	ck_assert_int_eq(nrows("alice"), 2);
	ck_assert_int_eq(q("SELECT count(*) FROM usage_file"), 1);
}
END_TEST

/* Version 2 (and 1) databases migrate to 3 keeping everything. */
START_TEST(test_usage_migrate)
{
	char path[160], err[256] = "";
	sqlite3 *old;
	int from;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/tg-test-usage.XXXXXX");
	ck_assert(mkdtemp(tmpdir));
	snprintf(path, sizeof(path), "%s/v2.db", tmpdir);
	ck_assert_int_eq(tg_db_open(path, true, &old), 0);
	ck_assert_int_eq(tg_db_exec(old,
		"INSERT INTO class VALUES('gold', 1000000, 500000, 15360, 'internet');"
		"INSERT INTO subscriber(name, type, remote, local, gre_key, dp_id, class)"
		" VALUES('alice', 'gre', '192.0.2.10', '198.51.100.1', 7, 1, 'gold');"
		"INSERT INTO prefix VALUES(1, '100.64.0.0/28');"
		"INSERT INTO setting VALUES('next_dp_id', '2');"
		"INSERT INTO dp_state VALUES(1, 'alice', x'00');"
		/* What version 2 was: the usage tables are version 3's. */
		"DROP TABLE usage; DROP TABLE usage_mark; DROP TABLE usage_file;"
		"PRAGMA user_version = 2;"), 0);
	tg_db_close(old);

	ck_assert_int_eq(tg_db_open(path, false, &old), -EPROTO);
	ck_assert_int_eq(tg_db_open_flags(path, TG_DB_OLDER, &old), 0);
	ck_assert_int_eq(tg_db_migrate(old, &from, err, sizeof(err)), 0);
	ck_assert_int_eq(from, 2);
	ck_assert_int_eq(tg_db_version(old), TG_DB_VERSION);
	tg_db_close(old);
	ck_assert_int_eq(tg_db_open(path, false, &db), 0);
	ck_assert_int_eq(q("SELECT count(*) FROM subscriber WHERE name = 'alice'"
			   " AND class = 'gold' AND gre_key = 7 AND dp_id = 1"), 1);
	ck_assert_int_eq(q("SELECT count(*) FROM prefix WHERE prefix = '100.64.0.0/28'"), 1);
	ck_assert_int_eq(q("SELECT count(*) FROM dp_state"), 1);
	ck_assert_int_eq(q("SELECT count(*) FROM class"), 1);
	ck_assert_int_eq(q("SELECT count(*) FROM usage"), 0);
	ck_assert_int_eq(q("SELECT count(*) FROM usage_mark"), 0);
	ck_assert_int_eq(tg_db_check(db, TG_MAX_SUBS_DEFAULT, NULL, NULL), 0);
	/* Again: nothing to do. */
	ck_assert_int_eq(tg_db_migrate(db, &from, err, sizeof(err)), 0);
	ck_assert_int_eq(from, TG_DB_VERSION);
	tg_db_close(db);
	db = NULL;

	/* Version 1 goes through 2. */
	snprintf(path, sizeof(path), "%s/v1.db", tmpdir);
	ck_assert_int_eq(sqlite3_open(path, &old), SQLITE_OK);
	ck_assert_int_eq(tg_db_exec(old,
		"CREATE TABLE subscriber (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
		" enabled INTEGER NOT NULL DEFAULT 1 CHECK(enabled IN (0,1)),"
		" type TEXT NOT NULL, remote TEXT NOT NULL, local TEXT NOT NULL,"
		" gre_key INTEGER, session_id INTEGER, tunnel_id INTEGER, cookie TEXT,"
		" sublayer INTEGER NOT NULL DEFAULT 1, mtu INTEGER NOT NULL DEFAULT 1400,"
		" dp_id INTEGER UNIQUE, note TEXT);"
		"CREATE TABLE prefix (subscriber_id INTEGER NOT NULL REFERENCES subscriber(id)"
		" ON DELETE CASCADE, prefix TEXT NOT NULL UNIQUE);"
		"CREATE INDEX prefix_subscriber ON prefix(subscriber_id);"
		"CREATE TABLE setting (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
		"INSERT INTO subscriber(name, type, remote, local, gre_key, dp_id)"
		" VALUES('bob', 'gre', '192.0.2.11', '198.51.100.1', 8, 1);"
		"PRAGMA user_version = 1;"), 0);
	sqlite3_close(old);
	ck_assert_int_eq(tg_db_open_flags(path, TG_DB_OLDER, &old), 0);
	ck_assert_int_eq(tg_db_migrate(old, &from, err, sizeof(err)), 0);
	ck_assert_int_eq(from, 1);
	ck_assert_int_eq(tg_db_version(old), TG_DB_VERSION);
	tg_db_close(old);
	ck_assert_int_eq(tg_db_open(path, false, &db), 0);
	ck_assert_int_eq(q("SELECT count(*) FROM subscriber WHERE name = 'bob'"), 1);
	ck_assert_int_eq(q("SELECT count(*) FROM usage"), 0);
}
END_TEST

START_TEST(test_usage_dates)
{
	static const struct {
		const char *s;
		__s64 t;	/* -1: refused */
	} c[] = {
		{ "0", 0 },
		{ "1763780400", 1763780400 },
		{ "2026-11-22", 1795305600 },
		{ "2026-11-22T03:00", 1795316400 },
		{ "2026-11-22T03:00Z", 1795316400 },
		{ "2026-11-22T03:00:59Z", 1795316459 },
		{ "2024-02-29", 1709164800 },
		{ "2026-02-29", -1 },
		{ "2026-13-01", -1 },
		{ "2026-1-01", -1 },
		{ "2026-11-22 03:00", -1 },
		{ "2026-11-22T3:00", -1 },
		{ "2026-11-22T03:00:5", -1 },
		{ "2026-11-22T24:00", -1 },
		{ "2026-11-22T03:00+01", -1 },
		{ "2026-11-22Z", -1 },
		{ "-5", -1 },
		{ "", -1 },
		{ "yesterday", -1 },
		{ "99999999999999999999", -1 },
	};
	size_t i;
	__s64 t;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		t = -1;
		if (tg_usage_date_parse(c[i].s, &t))
			t = -1;
		ck_assert_msg(t == c[i].t, "'%s': %lld, expected %lld", c[i].s,
			      (long long)t, (long long)c[i].t);
	}
}
END_TEST

Suite *usage_suite(void)
{
	Suite *s = suite_create("usage");
	TCase *tc = tcase_create("usage");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_usage_delta);
	tcase_add_test(tc, test_usage_restart);
	tcase_add_test(tc, test_usage_reset);
	tcase_add_test(tc, test_usage_migrated_map);
	tcase_add_test(tc, test_usage_final);
	tcase_add_test(tc, test_usage_deleted_unsynced);
	tcase_add_test(tc, test_usage_final_nested);
	tcase_add_test(tc, test_usage_file);
	tcase_add_test(tc, test_usage_migrate);
	tcase_add_test(tc, test_usage_dates);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}
