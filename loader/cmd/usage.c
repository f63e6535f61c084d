// SPDX-License-Identifier: GPL-2.0-only
/* tungate usage: report the usage records, or write one now. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/cli.h"
#include "cmd/commands.h"
#include "cmd/pg_cmd.h"
#include "dataplane/counters.h"
#include "dataplane/dataplane.h"
#include "db/db.h"
#include "db/pg.h"
#include "db/pg_pop.h"
#include "db/pop.h"
#include "util/fmt.h"
#include "util/json.h"
#include "util/log.h"
#include "dataplane/usage.h"

static int usage_help(void)
{
	printf("Usage: tungate usage [NAME] [--since DATE] [--until DATE] [--rows|--per-pop] [-j]\n"
	       "       tungate usage record [--dir DIR] [-j]\n"
	       "\n"
	       "Usage records: each subscriber's bytes and packets up (from the\n"
	       "subscriber) and down since its previous record, written every\n"
	       "interval by 'tungate run --usage-interval', by 'tungate usage\n"
	       "record', and a final one when sync removes or disables it.\n"
	       "Only subscribers that used something get an interval record.\n"
	       "Each record is of the POP (concentrator) that wrote it: see\n"
	       "'tungate pop help'. On SQLite, this POP's records; with --db\n"
	       "postgresql://, those of every POP: each daemon pushes its records\n"
	       "into PostgreSQL's pop_usage every heartbeat (10 s), once each,\n"
	       "those of a time PostgreSQL was down when it is back.\n"
	       "\n"
	       "Without --rows: per subscriber, the totals of the records whose\n"
	       "period ends after --since and at or before --until (default: all),\n"
	       "over every POP, the POPs it was served by, and the class and\n"
	       "address of its latest record; 'ended' when the latest is a final\n"
	       "record. --per-pop: a line per subscriber and POP, then its\n"
	       "'total' line when it was served by more than one.\n"
	       "--rows: every record, oldest first, with its POP.\n"
	       "NAME: only that subscriber (also one deleted since).\n"
	       "DATE: YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS][Z] (UTC) or unix seconds.\n"
	       "-j: {\"since\", \"until\", \"subscribers\": [{\"name\", \"class\", \"ip\",\n"
	       "\"records\", \"start\", \"end\", \"ended\", \"up\": {\"bytes\", \"packets\"},\n"
	       "\"down\": {...}, \"pops\": [{\"pop\", \"records\", \"start\", \"end\", \"up\",\n"
	       "\"down\"}]}]}; with --rows {\"since\", \"until\", \"records\": [{\"name\",\n"
	       "\"pop\", \"subscriber_id\", \"dp_id\", \"class\", \"ip\", \"start\", \"end\",\n"
	       "\"final\", \"up\", \"down\"}]}. Times are unix seconds; start is null when\n"
	       "unknown (the first record after accounting began).\n"
	       "\n"
	       "record: write every subscriber's usage since its last record now,\n"
	       "as the daemon does each interval (from cron, say, without\n"
	       "'tungate run'); with PostgreSQL, pushed there at once.\n"
	       "--dir DIR: also DIR/usage-YYYYmmddTHHMMSSZ.txt\n"
	       "(UTC end of the period), one 'name ip class up_bytes down_bytes'\n"
	       "line per record ('-' for no address or class), written atomically;\n"
	       "a file missed by a crash is written by the next record.\n"
	       "A subscriber named 'record' is reported with 'usage -- record'.\n");
	return 0;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

int tg_usage_date_parse(const char *s, __s64 *out)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, n = 0, len = strlen(s);
	struct tm tm = {};
	__u64 v;
	time_t t;

	if (all_digits(s)) {
		if (tg_parse_u64(s, 0, INT64_MAX, &v))
			return -ERANGE;
		*out = v;
		return 0;
	}
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
		return -EINVAL;
	if (len > 10) {
		if (s[10] != 'T')
			return -EINVAL;
		if (sscanf(s + 11, "%2d:%2d%n", &h, &mi, &n) != 2 || n != 5)
			return -EINVAL;
		n += 11;
		if (s[n] == ':') {
			int k = 0;

			if (sscanf(s + n + 1, "%2d%n", &sec, &k) != 1 || k != 2)
				return -EINVAL;
			n += 3;
		}
		if (s[n] == 'Z')
			n++;
		if (n != len)
			return -EINVAL;
	}
	/* Digits only where digits belong: sscanf takes "+1" and " 1". */
	for (n = 0; n < len; n++)
		if (strchr("+- ", s[n]) && n != 4 && n != 7)
			return -EINVAL;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 59)
		return -EINVAL;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	/* timegm() normalises Feb 30 into March: refuse it. */
	if (t == (time_t)-1 || tm.tm_mday != d || tm.tm_mon != mo - 1)
		return -EINVAL;
	*out = t;
	return 0;
}

static void time_text(__s64 t, char *buf, size_t len)
{
	time_t tt = t;
	struct tm tm;

	if (t < 0 || !gmtime_r(&tt, &tm) ||
	    !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, len, "-");
}

static void json_time(struct json_writer *w, const char *name, __s64 t)
{
	if (t < 0)
		jsonw_null_field(w, name);
	else
		jsonw_int_field(w, name, t);
}

static void json_dir(struct json_writer *w, const char *name, __u64 bytes,
		     __u64 packets)
{
	jsonw_name(w, name);
	jsonw_start_object(w);
	jsonw_uint_field(w, "bytes", bytes);
	jsonw_uint_field(w, "packets", packets);
	jsonw_end_object(w);
}

/* Bytes and packets of records added up: a subscriber's, or at one POP. */
struct usage_sum {
	char pop[TG_NAME_MAX + 1];
	__u64 up_bytes, down_bytes, up_packets, down_packets;
	unsigned long records;
	__s64 start, end;
};

/* One subscriber's totals over the range, and at each POP. */
struct usage_total {
	char name[TG_NAME_MAX + 1];
	char cls[TG_NAME_MAX + 1];
	char ip[TG_PREFIX_STRLEN];
	struct usage_sum all;
	struct usage_sum *pops;
	size_t npops, cap;
	bool ended;
};

static void json_sum(struct json_writer *w, const struct usage_sum *u)
{
	jsonw_uint_field(w, "records", u->records);
	json_time(w, "start", u->start);
	json_time(w, "end", u->end);
}

static void sum_text(const struct usage_total *t, const char *pop,
		     const struct usage_sum *u, bool ended)
{
	printf("%-20s %-16s %-12s %-18s %7lu %14llu %14llu %12llu %12llu%s\n",
	       t->name, pop, *t->cls ? t->cls : "-", *t->ip ? t->ip : "-",
	       u->records, (unsigned long long)u->up_bytes,
	       (unsigned long long)u->down_bytes,
	       (unsigned long long)u->up_packets,
	       (unsigned long long)u->down_packets, ended ? " ended" : "");
}

static int sum_cmp(const void *a, const void *b)
{
	return strcmp(((const struct usage_sum *)a)->pop,
		      ((const struct usage_sum *)b)->pop);
}

static void total_print(struct json_writer *w, struct usage_total *t,
			bool per_pop)
{
	char pops[256];
	size_t i, off = 0;

	if (!t->all.records)
		return;
	qsort(t->pops, t->npops, sizeof(*t->pops), sum_cmp);
	if (!w && per_pop) {
		for (i = 0; i < t->npops; i++)
			sum_text(t, t->pops[i].pop, &t->pops[i],
				 t->ended && t->npops == 1);
		if (t->npops > 1)
			sum_text(t, "total", &t->all, t->ended);
		return;
	}
	if (!w) {
		for (i = 0; i < t->npops; i++)
			off = tg_cat(pops, sizeof(pops), off, "%s%s",
				     i ? "," : "", t->pops[i].pop);
		sum_text(t, pops, &t->all, t->ended);
		return;
	}
	jsonw_start_object(w);
	jsonw_string_field(w, "name", t->name);
	if (*t->cls)
		jsonw_string_field(w, "class", t->cls);
	else
		jsonw_null_field(w, "class");
	if (*t->ip)
		jsonw_string_field(w, "ip", t->ip);
	else
		jsonw_null_field(w, "ip");
	json_sum(w, &t->all);
	jsonw_bool_field(w, "ended", t->ended);
	json_dir(w, "up", t->all.up_bytes, t->all.up_packets);
	json_dir(w, "down", t->all.down_bytes, t->all.down_packets);
	jsonw_name(w, "pops");
	jsonw_start_array(w);
	for (i = 0; i < t->npops; i++) {
		jsonw_start_object(w);
		jsonw_string_field(w, "pop", t->pops[i].pop);
		json_sum(w, &t->pops[i]);
		json_dir(w, "up", t->pops[i].up_bytes, t->pops[i].up_packets);
		json_dir(w, "down", t->pops[i].down_bytes,
			 t->pops[i].down_packets);
		jsonw_end_object(w);
	}
	jsonw_end_array(w);
	jsonw_end_object(w);
}

static void row_print(struct json_writer *w, const char *pop,
		      const struct tg_usage_row *r)
{
	char a[32], b[32];

	if (!w) {
		time_text(r->start, a, sizeof(a));
		time_text(r->end, b, sizeof(b));
		printf("%-20s %-20s %-20s %-16s %-12s %-18s %14lld %14lld %12lld %12lld%s\n",
		       a, b, r->name, pop, r->cls ? r->cls : "-",
		       r->ip ? r->ip : "-", (long long)r->up_bytes,
		       (long long)r->down_bytes, (long long)r->up_packets,
		       (long long)r->down_packets, r->final ? " final" : "");
		return;
	}
	jsonw_start_object(w);
	jsonw_string_field(w, "name", r->name);
	jsonw_string_field(w, "pop", pop);
	jsonw_int_field(w, "subscriber_id", r->subscriber_id);
	jsonw_uint_field(w, "dp_id", r->dp_id);
	if (r->cls)
		jsonw_string_field(w, "class", r->cls);
	else
		jsonw_null_field(w, "class");
	if (r->ip)
		jsonw_string_field(w, "ip", r->ip);
	else
		jsonw_null_field(w, "ip");
	json_time(w, "start", r->start);
	jsonw_int_field(w, "end", r->end);
	jsonw_bool_field(w, "final", r->final);
	json_dir(w, "up", r->up_bytes, r->up_packets);
	json_dir(w, "down", r->down_bytes, r->down_packets);
	jsonw_end_object(w);
}

static void sum_add(struct usage_sum *u, const struct tg_usage_row *r)
{
	if (!u->records || (r->start >= 0 && r->start < u->start))
		u->start = r->start;
	u->end = r->end;
	u->up_bytes += r->up_bytes;
	u->down_bytes += r->down_bytes;
	u->up_packets += r->up_packets;
	u->down_packets += r->down_packets;
	u->records++;
}

/* The sum of t at pop, added when new: NULL when out of memory. */
static struct usage_sum *total_pop(struct usage_total *t, const char *pop)
{
	struct usage_sum *n;
	size_t i;

	for (i = 0; i < t->npops; i++)
		if (!strcmp(t->pops[i].pop, pop))
			return &t->pops[i];
	if (t->npops == t->cap) {
		n = realloc(t->pops, (t->cap + 4) * sizeof(*n));
		if (!n)
			return NULL;
		t->pops = n;
		t->cap += 4;
	}
	n = &t->pops[t->npops++];
	memset(n, 0, sizeof(*n));
	snprintf(n->pop, sizeof(n->pop), "%s", pop);
	return n;
}

struct usage_walk {
	struct json_writer *w;
	struct usage_total t;
	const char *self;	/* this POP's name: records of SQLite */
	bool rows, per_pop;
	int err;
};

/* One record: printed (--rows), or added to its subscriber's total. */
static void usage_row(void *ctx, const struct tg_usage_row *r)
{
	struct usage_walk *u = ctx;
	const char *pop = r->pop ? r->pop : u->self;
	struct usage_sum *at;

	if (u->rows) {
		row_print(u->w, pop, r);
		return;
	}
	if (strcmp(r->name, u->t.name)) {
		total_print(u->w, &u->t, u->per_pop);
		free(u->t.pops);
		memset(&u->t, 0, sizeof(u->t));
		snprintf(u->t.name, sizeof(u->t.name), "%s", r->name);
	}
	at = total_pop(&u->t, pop);
	if (!at) {
		u->err = -ENOMEM;
		return;
	}
	snprintf(u->t.cls, sizeof(u->t.cls), "%s", r->cls ? r->cls : "");
	snprintf(u->t.ip, sizeof(u->t.ip), "%s", r->ip ? r->ip : "");
	u->t.ended = r->final;
	sum_add(&u->t.all, r);
	sum_add(at, r);
}

/* Where the records are: the SQLite database, or PostgreSQL's pop_usage. */
struct usage_src {
	sqlite3 *db;
	PGconn *c;
	char self[TG_NAME_MAX + 1];
};

static int usage_report(struct usage_src *src, const char *only, __s64 since,
			__s64 until, bool rows, bool per_pop)
{
	struct usage_walk u = { .rows = rows, .per_pop = per_pop,
				.self = src->self };
	char err[512];
	int ret;

	if (tg_opts.json) {
		u.w = jsonw_new(stdout);
		if (!u.w)
			return -ENOMEM;
		jsonw_start_object(u.w);
		json_time(u.w, "since", since);
		json_time(u.w, "until", until == INT64_MAX ? -1 : until);
		jsonw_name(u.w, rows ? "records" : "subscribers");
		jsonw_start_array(u.w);
	} else if (rows) {
		printf("%-20s %-20s %-20s %-16s %-12s %-18s %14s %14s %12s %12s\n",
		       "start", "end", "subscriber", "pop", "class", "ip",
		       "up_bytes", "down_bytes", "up_packets", "down_packets");
	} else {
		printf("%-20s %-16s %-12s %-18s %7s %14s %14s %12s %12s\n",
		       "subscriber", per_pop ? "pop" : "pops", "class", "ip",
		       "records", "up_bytes", "down_bytes", "up_packets",
		       "down_packets");
	}
	if (src->c) {
		ret = tg_pg_usage_each(src->c, only, since, until, rows,
				       usage_row, &u, err, sizeof(err));
	} else {
		ret = tg_db_usage_each(src->db, only, since, until, rows,
				       usage_row, &u);
		snprintf(err, sizeof(err), "%s", sqlite3_errmsg(src->db));
	}
	if (!rows)
		total_print(u.w, &u.t, per_pop);
	free(u.t.pops);
	if (u.w) {
		jsonw_end_array(u.w);
		jsonw_end_object(u.w);
		jsonw_destroy(&u.w);
	}
	if (ret)
		tg_err("usage: cannot read the database: %s", err);
	else if (u.err)
		tg_err("usage: %s", strerror(-u.err));
	return ret ? ret : u.err;
}

/*
 * With PostgreSQL, the records not pushed yet into its pop_usage, as the
 * daemon does every heartbeat. Down: they stay in the snapshot for the
 * next push, said as a warning.
 */
static void usage_push(sqlite3 *db)
{
	char err[512], shown[256], pop[TG_NAME_MAX + 1];
	PGconn *c = NULL;
	long n = -EIO;

	tg_pop_name(db, pop);
	if (!tg_pg_connect(tg_opts.pg_url, 5, &c, err, sizeof(err)) &&
	    !tg_pg_pop_tables(c, err, sizeof(err)))
		n = tg_pg_usage_push(c, db, pop, err, sizeof(err));
	PQfinish(c);
	if (n < 0)
		pr_warn("tungate: usage record: database %s: %s; the records are pushed with the next heartbeat of 'tungate run' or 'usage record'\n",
			tg_pg_url_shown(tg_opts.pg_url, shown, sizeof(shown)),
			err);
}

static int usage_record(int argc, char **argv)
{
	const char *root = tg_pin_root(), *dir = NULL;
	struct tg_maps m = TG_MAPS_INIT;
	struct json_writer *w;
	char buf[32], stamp[32];
	sqlite3 *db = NULL;
	long long n = 0;
	__u64 t = 0;
	int i, ret;

	for (i = 1; i < argc; i++) {
		if (tg_is_help(argv[i]))
			return usage_help();
		if (tg_take_json(argv[i]))
			continue;
		if (!strcmp(argv[i], "--dir")) {
			ret = tg_opt_value("usage record", argc, argv, &i, &dir);
			if (ret)
				return ret;
			if (!*dir) {
				tg_err("usage record: --dir '': an empty path");
				return -EINVAL;
			}
			continue;
		}
		tg_err("usage record: unexpected argument '%s'; try 'tungate usage help'",
		       argv[i]);
		return -EINVAL;
	}
	ret = tg_counters_open("usage record", root, false, &db, &m);
	if (ret)
		goto out;
	ret = tg_usage_tick(db, &m, dir);
	if (ret) {
		tg_err("usage record: %s%s%s", strerror(-ret), dir ? "; --dir " : "",
		       dir ? dir : "");
		goto out;
	}
	if (tg_opts.pg_url)
		usage_push(db);
	if (!tg_db_setting_get(db, "usage_tick", buf, sizeof(buf)))
		tg_parse_u64(buf, 0, INT64_MAX, &t);
	n = tg_db_usage_count(db, t);
	tg_usage_time_format(t, stamp, sizeof(stamp));
	if (tg_opts.json) {
		w = jsonw_new(stdout);
		if (!w) {
			ret = -ENOMEM;
			goto out;
		}
		jsonw_start_object(w);
		jsonw_uint_field(w, "end", t);
		jsonw_uint_field(w, "records", n);
		if (dir) {
			char path[4200];

			snprintf(path, sizeof(path), "%s/usage-%s.txt", dir, stamp);
			jsonw_string_field(w, "file", path);
		}
		jsonw_end_object(w);
		jsonw_destroy(&w);
	} else {
		printf("%lld record%s for the period ending %s%s%s%s%s\n", n,
		       n == 1 ? "" : "s", stamp, dir ? ": " : "", dir ? dir : "",
		       dir ? "/usage-" : "", dir ? stamp : "");
	}
out:
	tg_maps_close(&m);
	tg_db_close(db);
	return ret;
}

static int usage_date_opt(int argc, char **argv, int *i, __s64 *t)
{
	const char *opt = argv[*i], *val;
	int err;

	err = tg_opt_value("usage", argc, argv, i, &val);
	if (err)
		return err;
	err = tg_usage_date_parse(val, t);
	if (err)
		tg_err("usage: %s '%s': not a date (YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS][Z] in UTC, or unix seconds)",
		       opt, val);
	return err;
}

int do_usage(int argc, char **argv)
{
	const char *only = NULL;
	__s64 since = -1, until = INT64_MAX;
	bool rows = false, per_pop = false, dashdash = false;
	struct usage_src src = {};
	int i, ret;

	if (argc > 1 && !strcmp(argv[1], "record"))
		return usage_record(argc - 1, argv + 1);
	for (i = 1; i < argc; i++) {
		if (!dashdash && tg_is_help(argv[i]))
			return usage_help();
		if (!dashdash && tg_take_json(argv[i]))
			continue;
		if (!dashdash && !strcmp(argv[i], "--")) {
			dashdash = true;
			continue;
		}
		if (!dashdash && !strcmp(argv[i], "--rows")) {
			rows = true;
			continue;
		}
		if (!dashdash && !strcmp(argv[i], "--per-pop")) {
			per_pop = true;
			continue;
		}
		if (!dashdash && (!strcmp(argv[i], "--since") ||
				  !strcmp(argv[i], "--until"))) {
			ret = usage_date_opt(argc, argv, &i,
					     argv[i][2] == 's' ? &since : &until);
			if (ret)
				return ret;
			continue;
		}
		if (only || (!dashdash && argv[i][0] == '-')) {
			tg_err("usage: unexpected argument '%s'; try 'tungate usage help'",
			       argv[i]);
			return -EINVAL;
		}
		only = argv[i];
	}
	if (since >= until) {
		tg_err("usage: --until must be after --since");
		return -EINVAL;
	}
	if (rows && per_pop) {
		tg_err("usage: --per-pop is for totals; --rows names each record's POP");
		return -EINVAL;
	}
	if (tg_opts.pg_url) {
		char why[768];

		ret = tg_pg_pop_connect("usage", &src.c, why, sizeof(why));
		/* Unreachable: this POP's records, as the snapshot has them. */
		if (ret == -ENOTCONN) {
			pr_warn("tungate: usage: %s; this POP's records only, from the snapshot %s\n",
				why, tg_db_path());
			ret = 0;
		}
	}
	if (!ret && !src.c)
		ret = tg_db_open(tg_db_path(), false, &src.db);
	if (ret)
		goto out;
	if (src.db)
		tg_pop_name(src.db, src.self);
	if (only) {
		ret = src.c ? tg_pg_usage_known(src.c, only) :
		      tg_db_usage_known(src.db, only);
		if (ret <= 0) {
			tg_err("usage: no subscriber '%s'%s", only,
			       ret ? ": cannot read the database" : "");
			ret = ret ? ret : -ENOENT;
			goto out;
		}
	}
	ret = usage_report(&src, only, since, until, rows, per_pop);
out:
	PQfinish(src.c);
	tg_db_close(src.db);
	return ret;
}
