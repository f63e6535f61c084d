// SPDX-License-Identifier: GPL-2.0-only
/*
 * Usage accounting: records of each subscriber's bytes and packets since
 * its last record, taken from the per-CPU counters of tg_sub_stats.
 *
 * usage_mark holds, per dp_id, the summed counters the last record was
 * taken from, whose they were and the identity of the maps (boot id and
 * the kernel id of tg_meta: kept by a layout migration, new when the maps
 * are made again). A record is the difference to the mark; the record and
 * the new mark commit in one transaction, so a crash before the commit
 * records nothing and the next run takes the whole difference. The
 * counters are zeroed by sync when a sub_id enters the data plane and left
 * alone when it leaves, which gives the rules:
 *  - no mark, or a mark of another subscriber (the id was reused), or maps
 *    of another identity: the counters are the subscriber's since it
 *    entered the data plane (base zero);
 *  - a closed mark (final record written) of a subscriber in the data
 *    plane again: zeroed when it came back (base zero);
 *  - else the difference to the mark, each counter on its own and never
 *    below zero: a counter below its mark lost increments (those a layout
 *    migration does not carry over while the old programs still run, or
 *    a sync that zeroed it without a final record) and counts from where
 *    it is, as counting it from zero could count bytes twice.
 * Subscribers in the data plane are those of dp_state (what the last sync
 * wrote). An open mark whose dp_id left the data plane without a final
 * record gets one at the next tick.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "util/cli.h"
#include "dataplane/counters.h"
#include "db/db.h"
#include "util/log.h"
#include "dataplane/usage.h"

#define USAGE_IDENT_MAX 96

/* Whose counters: a subscriber as recorded. */
struct usage_who {
	__s64 sub_id;			/* 0: unknown (deleted before any mark) */
	char name[TG_NAME_MAX + 1];
	char cls[TG_NAME_MAX + 1];	/* "": none */
	char ip[TG_PREFIX_STRLEN];	/* "": none */
};

/* Summed per-CPU counters of one sub_id, as accounting uses them. */
struct usage_ctr {
	__u64 up_bytes, down_bytes;
	__u64 up_packets, down_packets;
	__u64 seen;		/* packets by any reason: zeroing shows */
};

struct usage_mark {
	__u32 dp_id;
	bool closed;
	__s64 time;
	struct usage_who who;
	char maps[USAGE_IDENT_MAX];
	struct usage_ctr c;
};

struct usage_ctx {
	sqlite3 *db;
	const struct tg_maps *m;
	char maps[USAGE_IDENT_MAX];	/* identity of m */
	__s64 now, prev;		/* prev: last tick, -1: none */
	sqlite3_stmt *ins, *put;
	unsigned int rows;
	bool warned_maps;
};

int tg_usage_time_format(__s64 t, char *buf, size_t len)
{
	time_t tt = t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(buf, len, "%Y%m%dT%H%M%SZ", &tm))
		return -EINVAL;
	return 0;
}

/* "boot_id:map id of tg_meta (else of tg_sub_stats)". */
static int usage_maps_ident(const struct tg_maps *m, char *buf, size_t len)
{
	struct bpf_map_info info = {};
	__u32 ilen = sizeof(info);
	char boot[64] = "";

	tg_boot_id(boot, sizeof(boot));
	if (bpf_obj_get_info_by_fd(m->meta >= 0 ? m->meta : m->sub_stats,
				   &info, &ilen))
		return -errno;
	snprintf(buf, len, "%s:%u", boot, info.id);
	return 0;
}

/* The counters accounting keeps of one subscriber's summed counters. */
static void usage_ctr_of(const struct tg_sub_counters *v, struct usage_ctr *c)
{
	int r;

	memset(c, 0, sizeof(*c));
	c->up_bytes = v->bytes[TG_DIR_UP];
	c->down_bytes = v->bytes[TG_DIR_DOWN];
	c->up_packets = v->packets[TG_DIR_UP];
	c->down_packets = v->packets[TG_DIR_DOWN];
	for (r = 0; r < TG_R_SUB_MAX; r++)
		c->seen += v->reasons[r];
}

static bool ctr_below(const struct usage_ctr *a, const struct usage_ctr *b)
{
	return a->up_bytes < b->up_bytes || a->down_bytes < b->down_bytes ||
	       a->up_packets < b->up_packets ||
	       a->down_packets < b->down_packets || a->seen < b->seen;
}

static __u64 ctr_diff(__u64 cur, __u64 base)
{
	return cur > base ? cur - base : 0;
}

static bool ctr_zero(const struct usage_ctr *c)
{
	return !c->up_bytes && !c->down_bytes && !c->up_packets &&
	       !c->down_packets;
}

static bool who_same(const struct usage_who *a, const struct usage_who *b)
{
	return a->sub_id == b->sub_id && !strcmp(a->name, b->name) &&
	       !strcmp(a->cls, b->cls) && !strcmp(a->ip, b->ip);
}

static void col_text(sqlite3_stmt *st, int col, char *buf, size_t len)
{
	const char *s = (const char *)sqlite3_column_text(st, col);

	snprintf(buf, len, "%s", s ? s : "");
}

/* The primary address: a host prefix without its length. */
static void usage_ip(sqlite3_stmt *st, int col, char *buf, size_t len)
{
	char *slash;

	col_text(st, col, buf, len);
	slash = strchr(buf, '/');
	if (slash && (!strcmp(slash, "/32") || !strcmp(slash, "/128")))
		*slash = '\0';
}

/*
 * Columns 0..3 of the subscriber part of a query: id, name, class in
 * force, primary prefix (the first IPv4 one, else the first).
 */
#define USAGE_WHO_COLS                                                       \
	"s.id, s.name, COALESCE(s.class, (SELECT name FROM class"            \
	" WHERE name = 'default')), (SELECT prefix FROM prefix p"            \
	" WHERE p.subscriber_id = s.id ORDER BY instr(p.prefix, ':') > 0,"   \
	" p.rowid LIMIT 1)"

static void usage_who_row(sqlite3_stmt *st, int col, struct usage_who *w)
{
	w->sub_id = sqlite3_column_int64(st, col);
	col_text(st, col + 1, w->name, sizeof(w->name));
	col_text(st, col + 2, w->cls, sizeof(w->cls));
	usage_ip(st, col + 3, w->ip, sizeof(w->ip));
}

/* Columns of a usage_mark row, and their reader (false: no mark). */
#define USAGE_MARK_COLS                                                      \
	"m.dp_id, m.subscriber_id, m.name, m.class, m.ip, m.maps, m.time,"   \
	" m.up_bytes, m.down_bytes, m.up_packets, m.down_packets, m.seen,"   \
	" m.closed"

static bool usage_mark_row(sqlite3_stmt *st, int col, struct usage_mark *mk)
{
	memset(mk, 0, sizeof(*mk));
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return false;
	mk->dp_id = sqlite3_column_int64(st, col);
	mk->who.sub_id = sqlite3_column_int64(st, col + 1);
	col_text(st, col + 2, mk->who.name, sizeof(mk->who.name));
	col_text(st, col + 3, mk->who.cls, sizeof(mk->who.cls));
	col_text(st, col + 4, mk->who.ip, sizeof(mk->who.ip));
	col_text(st, col + 5, mk->maps, sizeof(mk->maps));
	mk->time = sqlite3_column_int64(st, col + 6);
	mk->c.up_bytes = sqlite3_column_int64(st, col + 7);
	mk->c.down_bytes = sqlite3_column_int64(st, col + 8);
	mk->c.up_packets = sqlite3_column_int64(st, col + 9);
	mk->c.down_packets = sqlite3_column_int64(st, col + 10);
	mk->c.seen = sqlite3_column_int64(st, col + 11);
	mk->closed = sqlite3_column_int(st, col + 12);
	return true;
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
	if (*s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static int usage_prepare(struct usage_ctx *c)
{
	if (sqlite3_prepare_v2(c->db,
			       "INSERT INTO usage(subscriber_id, name, dp_id, class,"
			       " ip, period_start, period_end, up_bytes, down_bytes,"
			       " up_packets, down_packets, final)"
			       " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			       -1, &c->ins, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(c->db,
			       "INSERT OR REPLACE INTO usage_mark(dp_id,"
			       " subscriber_id, name, class, ip, maps, time,"
			       " up_bytes, down_bytes, up_packets, down_packets,"
			       " seen, closed)"
			       " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			       -1, &c->put, NULL) != SQLITE_OK)
		return -EIO;
	return 0;
}

/*
 * The counters the usage of who at dp_id counts from: the mark when it is
 * who's, from these maps and not above cur; else zero.
 */
static void usage_base(struct usage_ctx *c, const struct usage_mark *mk,
		       const struct usage_who *who, const struct usage_ctr *cur,
		       bool final, struct usage_ctr *base)
{
	memset(base, 0, sizeof(*base));
	if (!mk)
		return;
	if (mk->who.sub_id != who->sub_id ||
	    (!who->sub_id && strcmp(mk->who.name, who->name))) {
		if (!mk->closed)
			pr_warn("usage: dp_id %u: now '%s', was '%s' without a final record: its usage since %lld is lost\n",
				mk->dp_id, who->name, mk->who.name,
				(long long)mk->time);
		return;
	}
	if (strcmp(mk->maps, c->maps)) {
		if (!c->warned_maps)
			pr_warn("usage: the data plane maps were made again since the last record: counting from zero\n");
		c->warned_maps = true;
		return;
	}
	if (mk->closed && !final)
		return;
	if (ctr_below(cur, &mk->c))
		pr_warn("usage: counters of '%s' went back since the last record: only what grew is counted\n",
			who->name);
	*base = mk->c;
}

/* Append a record (always when final) and set the mark of dp_id. */
static int usage_put(struct usage_ctx *c, __u32 id, const struct usage_who *who,
		     struct usage_mark *mk, const struct tg_sub_counters *sum,
		     bool final, bool repeat)
{
	struct usage_ctr base, d = { 0 }, now, *cur = &now;
	__s64 start = c->prev;
	bool zero;

	usage_ctr_of(sum, &now);
	usage_base(c, mk, who, cur, final, &base);
	d.up_bytes = ctr_diff(cur->up_bytes, base.up_bytes);
	d.down_bytes = ctr_diff(cur->down_bytes, base.down_bytes);
	d.up_packets = ctr_diff(cur->up_packets, base.up_packets);
	d.down_packets = ctr_diff(cur->down_packets, base.down_packets);
	zero = ctr_zero(&d);
	if (mk && mk->time > start)
		start = mk->time;
	if (!zero || (final && !repeat)) {
		sqlite3_reset(c->ins);
		sqlite3_bind_int64(c->ins, 1, who->sub_id);
		sqlite3_bind_text(c->ins, 2, who->name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(c->ins, 3, id);
		bind_text_or_null(c->ins, 4, who->cls);
		bind_text_or_null(c->ins, 5, who->ip);
		if (start >= 0)
			sqlite3_bind_int64(c->ins, 6, start);
		else
			sqlite3_bind_null(c->ins, 6);
		sqlite3_bind_int64(c->ins, 7, c->now);
		sqlite3_bind_int64(c->ins, 8, d.up_bytes);
		sqlite3_bind_int64(c->ins, 9, d.down_bytes);
		sqlite3_bind_int64(c->ins, 10, d.up_packets);
		sqlite3_bind_int64(c->ins, 11, d.down_packets);
		sqlite3_bind_int(c->ins, 12, final);
		if (sqlite3_step(c->ins) != SQLITE_DONE)
			return -EIO;
		c->rows++;
	}
	/* A mark that still says it all is left alone (no write per tick). */
	if (mk && zero && !final && !mk->closed && who_same(&mk->who, who) &&
	    !strcmp(mk->maps, c->maps) && !memcmp(&mk->c, cur, sizeof(*cur)))
		return 0;
	sqlite3_reset(c->put);
	sqlite3_bind_int64(c->put, 1, id);
	sqlite3_bind_int64(c->put, 2, who->sub_id);
	sqlite3_bind_text(c->put, 3, who->name, -1, SQLITE_STATIC);
	bind_text_or_null(c->put, 4, who->cls);
	bind_text_or_null(c->put, 5, who->ip);
	sqlite3_bind_text(c->put, 6, c->maps, -1, SQLITE_STATIC);
	sqlite3_bind_int64(c->put, 7, c->now);
	sqlite3_bind_int64(c->put, 8, cur->up_bytes);
	sqlite3_bind_int64(c->put, 9, cur->down_bytes);
	sqlite3_bind_int64(c->put, 10, cur->up_packets);
	sqlite3_bind_int64(c->put, 11, cur->down_packets);
	sqlite3_bind_int64(c->put, 12, cur->seen);
	sqlite3_bind_int(c->put, 13, final);
	return sqlite3_step(c->put) == SQLITE_DONE ? 0 : -EIO;
}

/* BEGIN IMMEDIATE, or a savepoint inside the caller's transaction. */
static int usage_begin(sqlite3 *db, bool *nested)
{
	*nested = !sqlite3_get_autocommit(db);
	if (!tg_db_exec(db, *nested ? "SAVEPOINT usage" : "BEGIN IMMEDIATE"))
		return 0;
	pr_warn("usage: database busy or not writable: %s\n", sqlite3_errmsg(db));
	return -EIO;
}

static int usage_end(sqlite3 *db, bool nested, int err)
{
	if (err) {
		tg_db_exec(db, nested ? "ROLLBACK TO usage; RELEASE usage" :
			   "ROLLBACK");
		return err;
	}
	return tg_db_exec(db, nested ? "RELEASE usage" : "COMMIT");
}

static int usage_prev_tick(struct usage_ctx *c)
{
	char buf[32];
	__u64 v;
	int err;

	c->prev = -1;
	err = tg_db_setting_get(c->db, "usage_tick", buf, sizeof(buf));
	if (err == -ENOENT)
		return 0;
	if (err)
		return err;
	if (!tg_parse_u64(buf, 0, INT64_MAX, &v))
		c->prev = v;
	return 0;
}

static int usage_ctx_init(struct usage_ctx *c, sqlite3 *db,
			  const struct tg_maps *m)
{
	int err;

	memset(c, 0, sizeof(*c));
	c->db = db;
	c->m = m;
	c->now = time(NULL);
	if (m->capacity < 2 || m->sub_stats < 0)
		return -EINVAL;
	err = usage_maps_ident(m, c->maps, sizeof(c->maps));
	if (!err)
		err = usage_prev_tick(c);
	if (!err)
		err = usage_prepare(c);
	return err;
}

static void usage_ctx_free(struct usage_ctx *c)
{
	sqlite3_finalize(c->ins);
	sqlite3_finalize(c->put);
}

/* Write <dir>/usage-<period>.txt from the records of period t. */
static int usage_file_write(sqlite3 *db, const char *dir, __s64 t)
{
	char stamp[32], path[4096], tmp[4096];
	sqlite3_stmt *st = NULL;
	FILE *f = NULL;
	int rc, err, fd;

	err = tg_usage_time_format(t, stamp, sizeof(stamp));
	if (err)
		return err;
	if ((size_t)snprintf(path, sizeof(path), "%s/usage-%s.txt", dir,
			     stamp) >= sizeof(path))
		return -ENAMETOOLONG;
	snprintf(tmp, sizeof(tmp), "%s/.usage-%s.txt.tmp", dir, stamp);
	/* Who used what: for the operator's eyes only, whatever the umask. */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		close(fd);
		unlink(tmp);
		return err;
	}
	err = -EIO;
	if (sqlite3_prepare_v2(db,
			       "SELECT name, COALESCE(ip, '-'), COALESCE(class, '-'),"
			       " up_bytes, down_bytes FROM usage"
			       " WHERE period_end = ? ORDER BY name, id",
			       -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(st, 1, t);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fprintf(f, "%s %s %s %lld %lld\n", sqlite3_column_text(st, 0),
			sqlite3_column_text(st, 1), sqlite3_column_text(st, 2),
			(long long)sqlite3_column_int64(st, 3),
			(long long)sqlite3_column_int64(st, 4));
	if (rc != SQLITE_DONE)
		goto out;
	if (fflush(f) || fsync(fileno(f))) {
		err = -errno;
		goto out;
	}
	err = fclose(f) ? -errno : 0;
	f = NULL;
	if (!err && rename(tmp, path))
		err = -errno;
out:
	sqlite3_finalize(st);
	if (f)
		fclose(f);
	if (err)
		unlink(tmp);
	return err;
}

int tg_usage_write_files(sqlite3 *db, const char *dir)
{
	sqlite3_stmt *st = NULL, *del = NULL;
	int rc, err = -EIO;
	__s64 t;

	if (mkdir(dir, 0700) && errno != EEXIST) {
		err = -errno;
		pr_warn("usage: directory %s: %s\n", dir, strerror(-err));
		return err;
	}
	if (sqlite3_prepare_v2(db, "SELECT period_end FROM usage_file ORDER BY 1",
			       -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "DELETE FROM usage_file WHERE period_end = ?",
			       -1, &del, NULL) != SQLITE_OK)
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		t = sqlite3_column_int64(st, 0);
		err = usage_file_write(db, dir, t);
		if (err) {
			pr_warn("usage: writing the file of %lld under %s: %s\n",
				(long long)t, dir, strerror(-err));
			goto out;
		}
		sqlite3_reset(del);
		sqlite3_bind_int64(del, 1, t);
		if (sqlite3_step(del) != SQLITE_DONE) {
			err = -EIO;
			goto out;
		}
	}
	err = rc == SQLITE_DONE ? 0 : -EIO;
out:
	sqlite3_finalize(st);
	sqlite3_finalize(del);
	return err;
}

/*
 * Commit, then (outside a caller's transaction) write the files due: an
 * error of those is logged there and returned, the records stay.
 */
static int usage_finish(struct usage_ctx *c, bool nested, const char *dir,
			bool file, const char *what, int err)
{
	char buf[80];

	if (!err && file) {
		snprintf(buf, sizeof(buf), "INSERT OR IGNORE INTO usage_file"
			 " VALUES(%lld)", (long long)c->now);
		err = tg_db_exec(c->db, buf);
	}
	err = usage_end(c->db, nested, err);
	if (err) {
		pr_warn("usage: no %s written: %s\n", what, strerror(-err));
		return err;
	}
	/* The pages of a large tick need not stay in the daemon's cache. */
	if (!nested)
		sqlite3_db_release_memory(c->db);
	if (dir && !nested)
		return tg_usage_write_files(c->db, dir);
	return 0;
}

/* Open marks of ids that left the data plane without a final record. */
static int usage_orphans(struct usage_ctx *c,
			 const struct tg_sub_counters *cur)
{
	struct usage_mark *v = NULL, *nv;
	sqlite3_stmt *st = NULL;
	size_t n = 0, cap = 0, i;
	int rc, err = -EIO;

	if (sqlite3_prepare_v2(c->db,
			       "SELECT " USAGE_MARK_COLS " FROM usage_mark m"
			       " WHERE m.closed = 0 AND m.dp_id NOT IN"
			       " (SELECT dp_id FROM dp_state)",
			       -1, &st, NULL) != SQLITE_OK)
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				err = -ENOMEM;
				goto out;
			}
			v = nv;
		}
		usage_mark_row(st, 0, &v[n]);
		if (v[n].dp_id && v[n].dp_id < c->m->capacity)
			n++;
	}
	if (rc != SQLITE_DONE)
		goto out;
	sqlite3_finalize(st);
	st = NULL;
	err = 0;
	for (i = 0; i < n && !err; i++)
		err = usage_put(c, v[i].dp_id, &v[i].who, &v[i], &cur[v[i].dp_id],
				true, false);
out:
	sqlite3_finalize(st);
	free(v);
	return err;
}

static int usage_tick_run(struct usage_ctx *c)
{
	struct tg_sub_counters *cur = NULL;
	struct usage_mark mark;
	struct usage_who who;
	sqlite3_stmt *st = NULL;
	char buf[48];
	bool has_mark;
	__u32 id;
	int rc, err;

	cur = calloc(c->m->capacity, sizeof(*cur));
	if (!cur)
		return -ENOMEM;
	err = tg_sub_counters_read(c->m, NULL, 0, cur);
	if (err) {
		pr_warn("usage: reading tg_sub_stats: %s\n", strerror(-err));
		goto out;
	}
	err = -EIO;
	if (sqlite3_prepare_v2(c->db,
			       "SELECT d.dp_id, d.name, " USAGE_WHO_COLS ", "
			       USAGE_MARK_COLS " FROM dp_state d"
			       " LEFT JOIN subscriber s ON s.dp_id = d.dp_id"
			       " LEFT JOIN usage_mark m ON m.dp_id = d.dp_id",
			       -1, &st, NULL) != SQLITE_OK)
		goto out;
	/* Each row's mark is written as it is read: no other row sees it. */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		if (!id || id >= c->m->capacity)
			continue;
		has_mark = usage_mark_row(st, 6, &mark);
		if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
			usage_who_row(st, 2, &who);
		} else if (has_mark && !mark.closed) {
			/* Deleted, still in the data plane until the next sync. */
			who = mark.who;
		} else {
			memset(&who, 0, sizeof(who));
			col_text(st, 1, who.name, sizeof(who.name));
		}
		err = usage_put(c, id, &who, has_mark ? &mark : NULL, &cur[id],
				false, false);
		if (err)
			goto out;
	}
	err = -EIO;
	if (rc != SQLITE_DONE)
		goto out;
	sqlite3_finalize(st);
	st = NULL;
	err = usage_orphans(c, cur);
	if (err)
		goto out;
	snprintf(buf, sizeof(buf), "%lld", (long long)c->now);
	err = tg_db_setting_set(c->db, "usage_tick", buf);
out:
	sqlite3_finalize(st);
	free(cur);
	return err;
}

int tg_usage_tick(sqlite3 *db, const struct tg_maps *m, const char *dir)
{
	struct usage_ctx c;
	bool nested = false;
	int err;

	err = usage_begin(db, &nested);
	if (err)
		return err;
	err = usage_ctx_init(&c, db, m);
	if (!err)
		err = usage_tick_run(&c);
	err = usage_finish(&c, nested, dir, dir != NULL, "record", err);
	pr_debug("usage: %u records\n", c.rows);
	usage_ctx_free(&c);
	return err;
}

/* Whose counters dp_id holds for a final record; 0, or 1: nobody's. */
static int usage_final_who(sqlite3_stmt *st, __u32 id,
			   struct usage_mark **mkp, struct usage_who *who,
			   bool *repeat)
{
	bool have_row = false, in_dp = false;
	struct usage_mark *mk = *mkp;
	struct usage_who row = {};
	char dp_name[TG_NAME_MAX + 1] = "";
	int rc;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW)
		return -EIO;
	in_dp = sqlite3_column_type(st, 0) != SQLITE_NULL;
	col_text(st, 0, dp_name, sizeof(dp_name));
	have_row = sqlite3_column_type(st, 1) != SQLITE_NULL;
	if (have_row)
		usage_who_row(st, 1, &row);
	if (!usage_mark_row(st, 5, mk))
		*mkp = mk = NULL;
	*repeat = false;
	if (mk && !mk->closed) {
		*who = mk->who;
		if (have_row && row.sub_id == mk->who.sub_id)
			*who = row;
		else if (have_row && in_dp)
			*who = row;	/* the mark is another's: base zero */
		return 0;
	}
	if (have_row && in_dp) {
		*who = row;
	} else if (in_dp) {
		memset(who, 0, sizeof(*who));
		snprintf(who->name, sizeof(who->name), "%s", dp_name);
		if (mk && !strcmp(mk->who.name, dp_name))
			*who = mk->who;
	} else if (mk) {
		*who = mk->who;
	} else {
		return 1;
	}
	*repeat = mk && mk->closed && mk->who.sub_id == who->sub_id &&
		  !strcmp(mk->who.name, who->name);
	return 0;
}

int tg_usage_final(sqlite3 *db, const struct tg_maps *m,
		   const __u32 *dp_ids, size_t n, const char *dir)
{
	struct tg_sub_counters *cur = NULL;
	struct usage_mark mark, *mk;
	sqlite3_stmt *st = NULL;
	struct usage_who who;
	struct usage_ctx c;
	bool nested = false, repeat;
	size_t i;
	int err;

	if (!n)
		return 0;
	err = usage_begin(db, &nested);
	if (err)
		return err;
	err = usage_ctx_init(&c, db, m);
	if (err)
		goto out;
	err = -ENOMEM;
	cur = calloc(n, sizeof(*cur));
	if (!cur)
		goto out;
	err = tg_sub_counters_read(m, dp_ids, n, cur);
	if (err) {
		pr_warn("usage: reading tg_sub_stats: %s\n", strerror(-err));
		goto out;
	}
	err = -EIO;
	if (sqlite3_prepare_v2(db,
			       "SELECT d.name, " USAGE_WHO_COLS ", " USAGE_MARK_COLS
			       " FROM (SELECT ?1 AS want) w"
			       " LEFT JOIN dp_state d ON d.dp_id = w.want"
			       " LEFT JOIN subscriber s ON s.dp_id = w.want"
			       " LEFT JOIN usage_mark m ON m.dp_id = w.want",
			       -1, &st, NULL) != SQLITE_OK)
		goto out;
	for (i = 0; i < n; i++) {
		if (!dp_ids[i] || dp_ids[i] >= m->capacity)
			continue;
		mk = &mark;
		err = usage_final_who(st, dp_ids[i], &mk, &who, &repeat);
		if (err < 0)
			goto out;
		if (err)
			continue;
		err = usage_put(&c, dp_ids[i], &who, mk, &cur[i], true, repeat);
		if (err)
			goto out;
	}
	err = 0;
out:
	sqlite3_finalize(st);
	free(cur);
	/* Due in a file even without dir: the next tick with one writes it. */
	err = usage_finish(&c, nested, dir, c.rows > 0, "final record", err);
	usage_ctx_free(&c);
	return err;
}
