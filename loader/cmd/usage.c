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
#include "dataplane/counters.h"
#include "dataplane/dataplane.h"
#include "db/db.h"
#include "util/json.h"
#include "dataplane/usage.h"

static int usage_help(void)
{
	printf("Usage: tungate usage [NAME] [--since DATE] [--until DATE] [--rows] [-j]\n"
	       "       tungate usage record [--dir DIR] [-j]\n"
	       "\n"
	       "Usage records: each subscriber's bytes and packets up (from the\n"
	       "subscriber) and down since its previous record, written every\n"
	       "interval by 'tungate run --usage-interval', by 'tungate usage\n"
	       "record', and a final one when sync removes or disables it.\n"
	       "Only subscribers that used something get an interval record.\n"
	       "\n"
	       "Without --rows: per subscriber, the totals of the records whose\n"
	       "period ends after --since and at or before --until (default: all),\n"
	       "with the class and address of its latest record; 'ended' when the\n"
	       "latest is a final record. --rows: every record, oldest first.\n"
	       "NAME: only that subscriber (also one deleted since).\n"
	       "DATE: YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS][Z] (UTC) or unix seconds.\n"
	       "-j: {\"since\", \"until\", \"subscribers\": [{\"name\", \"class\", \"ip\",\n"
	       "\"records\", \"start\", \"end\", \"ended\", \"up\": {\"bytes\", \"packets\"},\n"
	       "\"down\": {...}}]}; with --rows {\"since\", \"until\", \"records\": [{\"name\",\n"
	       "\"subscriber_id\", \"dp_id\", \"class\", \"ip\", \"start\", \"end\", \"final\",\n"
	       "\"up\", \"down\"}]}. Times are unix seconds; start is null when\n"
	       "unknown (the first record after accounting began).\n"
	       "\n"
	       "record: write every subscriber's usage since its last record now,\n"
	       "as the daemon does each interval (from cron, say, without\n"
	       "'tungate run'). --dir DIR: also DIR/usage-YYYYmmddTHHMMSSZ.txt\n"
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

/* One subscriber's totals over the range. */
struct usage_total {
	char name[TG_NAME_MAX + 1];
	char cls[TG_NAME_MAX + 1];
	char ip[TG_PREFIX_STRLEN];
	__u64 up_bytes, down_bytes, up_packets, down_packets;
	unsigned long records;
	__s64 start, end;
	bool ended;
};

static void total_print(struct json_writer *w, const struct usage_total *t)
{
	if (!t->records)
		return;
	if (!w) {
		printf("%-20s %-12s %-18s %7lu %14llu %14llu %12llu %12llu%s\n",
		       t->name, *t->cls ? t->cls : "-", *t->ip ? t->ip : "-",
		       t->records, (unsigned long long)t->up_bytes,
		       (unsigned long long)t->down_bytes,
		       (unsigned long long)t->up_packets,
		       (unsigned long long)t->down_packets,
		       t->ended ? " ended" : "");
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
	jsonw_uint_field(w, "records", t->records);
	json_time(w, "start", t->start);
	json_time(w, "end", t->end);
	jsonw_bool_field(w, "ended", t->ended);
	json_dir(w, "up", t->up_bytes, t->up_packets);
	json_dir(w, "down", t->down_bytes, t->down_packets);
	jsonw_end_object(w);
}

static void row_print(struct json_writer *w, const struct tg_usage_row *r)
{
	char a[32], b[32];

	if (!w) {
		time_text(r->start, a, sizeof(a));
		time_text(r->end, b, sizeof(b));
		printf("%-20s %-20s %-20s %-12s %-18s %14lld %14lld %12lld %12lld%s\n",
		       a, b, r->name, r->cls ? r->cls : "-",
		       r->ip ? r->ip : "-", (long long)r->up_bytes,
		       (long long)r->down_bytes, (long long)r->up_packets,
		       (long long)r->down_packets, r->final ? " final" : "");
		return;
	}
	jsonw_start_object(w);
	jsonw_string_field(w, "name", r->name);
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

static void total_add(struct usage_total *t, const struct tg_usage_row *r)
{
	snprintf(t->cls, sizeof(t->cls), "%s", r->cls ? r->cls : "");
	snprintf(t->ip, sizeof(t->ip), "%s", r->ip ? r->ip : "");
	if (!t->records)
		t->start = r->start;
	t->end = r->end;
	t->up_bytes += r->up_bytes;
	t->down_bytes += r->down_bytes;
	t->up_packets += r->up_packets;
	t->down_packets += r->down_packets;
	t->ended = r->final;
	t->records++;
}

struct usage_walk {
	struct json_writer *w;
	struct usage_total t;
	bool rows;
};

/* One record: printed (--rows), or added to its subscriber's total. */
static void usage_row(void *ctx, const struct tg_usage_row *r)
{
	struct usage_walk *u = ctx;

	if (u->rows) {
		row_print(u->w, r);
		return;
	}
	if (strcmp(r->name, u->t.name)) {
		total_print(u->w, &u->t);
		memset(&u->t, 0, sizeof(u->t));
		snprintf(u->t.name, sizeof(u->t.name), "%s", r->name);
	}
	total_add(&u->t, r);
}

static int usage_report(sqlite3 *db, const char *only, __s64 since,
			__s64 until, bool rows)
{
	struct usage_walk u = { .rows = rows };
	int err;

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
		printf("%-20s %-20s %-20s %-12s %-18s %14s %14s %12s %12s\n",
		       "start", "end", "subscriber", "class", "ip", "up_bytes",
		       "down_bytes", "up_packets", "down_packets");
	} else {
		printf("%-20s %-12s %-18s %7s %14s %14s %12s %12s\n",
		       "subscriber", "class", "ip", "records", "up_bytes",
		       "down_bytes", "up_packets", "down_packets");
	}
	err = tg_db_usage_each(db, only, since, until, rows, usage_row, &u);
	if (!rows)
		total_print(u.w, &u.t);
	if (u.w) {
		jsonw_end_array(u.w);
		jsonw_end_object(u.w);
		jsonw_destroy(&u.w);
	}
	if (err)
		tg_err("usage: cannot read the database: %s", sqlite3_errmsg(db));
	return err;
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
	bool rows = false, dashdash = false;
	sqlite3 *db = NULL;
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
	ret = tg_db_open(tg_db_path(), false, &db);
	if (ret)
		goto out;
	if (only) {
		ret = tg_db_usage_known(db, only);
		if (ret <= 0) {
			tg_err("usage: no subscriber '%s'%s", only,
			       ret ? ": cannot read the database" : "");
			ret = ret ? ret : -ENOENT;
			goto out;
		}
	}
	ret = usage_report(db, only, since, until, rows);
out:
	tg_db_close(db);
	return ret;
}
