// SPDX-License-Identifier: GPL-2.0-only
/* tungate pop: this concentrator's POP name, and every POP's state. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/cli.h"
#include "cmd/commands.h"
#include "cmd/pg_cmd.h"
#include "db/db.h"
#include "db/pg.h"
#include "db/pg_pop.h"
#include "db/pop.h"
#include "db/settings.h"
#include "util/json.h"

static int pop_help(int argc, char **argv)
{
	printf("Usage: tungate pop name [NAME] [-j]\n"
	       "       tungate pop list [--down-after SECONDS] [-j]\n"
	       "       tungate pop del NAME\n"
	       "\n"
	       "Each concentrator is a POP (point of presence) with a name: the\n"
	       "setting 'pop name' makes, else its host name up to the first '.'.\n"
	       "The name is this concentrator's own: never shared through\n"
	       "PostgreSQL, also with --db postgresql://.\n"
	       "\n"
	       "name: show it (-j: {\"name\", \"set\"}, set false when it is the\n"
	       "host name's); name NAME: set it (letters, digits, '.', '_', '-').\n"
	       "list: with PostgreSQL, every POP whose daemon ('tungate run')\n"
	       "has written its row, by name: its state (serving, drained, or\n"
	       "down: stopped, or not heard of for --down-after seconds, default\n"
	       "the shared setting pop-down-after), host, version, subscribers in\n"
	       "its data plane / enabled in its database, last contact and its\n"
	       "age. On SQLite, this POP only (no last contact).\n"
	       "Each daemon writes its row every pop-heartbeat seconds (default\n"
	       "%d, %d..%d); a POP is down after pop-down-after seconds without\n"
	       "one (default %d heartbeats, at least %d): 'tungate config set\n"
	       "pop-heartbeat S', 'tungate config set pop-down-after S', shared\n"
	       "through PostgreSQL.\n"
	       "-j: {\"pops\": [{\"name\", \"state\", \"host\", \"version\", \"attached\",\n"
	       "\"enabled\", \"last_contact\", \"age\", \"started\"}]} (unix seconds;\n"
	       "null when unknown).\n"
	       "del NAME: remove a POP that is down from the list (PostgreSQL; a\n"
	       "POP taken out of service; -j: {\"deleted\": NAME}). Its usage\n"
	       "records stay.\n",
	       TG_POP_BEAT_S, TG_POP_BEAT_MIN, TG_POP_BEAT_MAX,
	       TG_POP_DOWN_BEATS, TG_POP_DOWN_MIN_BEATS);
	return 0;
}

/* Options of a pop command: -j, help, and at most want words. */
static int pop_args(const char *what, int argc, char **argv, int want,
		    const char **word)
{
	int i;

	*word = NULL;
	for (i = 1; i < argc; i++) {
		if (tg_is_help(argv[i]))
			return 1;
		if (tg_take_json(argv[i]))
			continue;
		if (!want || *word || argv[i][0] == '-') {
			tg_err("pop %s: unexpected argument '%s'; try 'tungate pop help'",
			       what, argv[i]);
			return -EINVAL;
		}
		*word = argv[i];
	}
	return 0;
}

static int pop_name(int argc, char **argv)
{
	char name[TG_NAME_MAX + 1], err[160], buf[TG_NAME_MAX + 1];
	struct json_writer *w;
	const char *set;
	sqlite3 *db = NULL;
	int ret;

	ret = pop_args("name", argc, argv, 1, &set);
	if (ret)
		return ret > 0 ? pop_help(0, NULL) : ret;
	if (set && tg_name_validate(set, err, sizeof(err))) {
		tg_err("pop name: %s", err);
		return -EINVAL;
	}
	ret = tg_db_open(tg_db_path(), false, &db);
	if (ret)
		goto out;
	if (set && tg_db_setting_set(db, TG_POP_NAME_KEY, set)) {
		tg_err("pop name: cannot write the database: %s",
		       sqlite3_errmsg(db));
		ret = -EIO;
		goto out;
	}
	tg_pop_name(db, name);
	if (tg_opts.json) {
		w = jsonw_new(stdout);
		if (!w) {
			ret = -ENOMEM;
			goto out;
		}
		jsonw_start_object(w);
		jsonw_string_field(w, "name", name);
		jsonw_bool_field(w, "set", !tg_db_setting_get(db, TG_POP_NAME_KEY,
							      buf, sizeof(buf)));
		jsonw_end_object(w);
		jsonw_destroy(&w);
	} else if (!set) {
		printf("%s\n", name);
	}
out:
	tg_db_close(db);
	return ret;
}

/* "12s", "3m04s", "2h05m", "4d03h", or "-". */
static const char *pop_age(__s64 s, char *buf, size_t len)
{
	if (s < 0)
		snprintf(buf, len, "-");
	else if (s < 60)
		snprintf(buf, len, "%llds", (long long)s);
	else if (s < 3600)
		snprintf(buf, len, "%lldm%02llds", (long long)s / 60,
			 (long long)s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%lldh%02lldm", (long long)s / 3600,
			 (long long)s % 3600 / 60);
	else
		snprintf(buf, len, "%lldd%02lldh", (long long)s / 86400,
			 (long long)s % 86400 / 3600);
	return buf;
}

static void pop_time_field(struct json_writer *w, const char *name, __s64 t)
{
	if (t < 0)
		jsonw_null_field(w, name);
	else
		jsonw_int_field(w, name, t);
}

static void pop_print(void *ctx, const struct tg_pop_row *p)
{
	struct json_writer *w = ctx;
	char age[32], when[32] = "-";
	time_t t = p->last;
	struct tm tm;

	if (!w) {
		if (p->last >= 0 && gmtime_r(&t, &tm))
			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		printf("%-16s %-8s %-20s %-10s %8lld %8lld  %-20s %s\n", p->name,
		       p->state, p->host, p->version, p->attached, p->enabled,
		       when, pop_age(p->age, age, sizeof(age)));
		return;
	}
	jsonw_start_object(w);
	jsonw_string_field(w, "name", p->name);
	jsonw_string_field(w, "state", p->state);
	jsonw_string_field(w, "host", p->host);
	jsonw_string_field(w, "version", p->version);
	jsonw_int_field(w, "attached", p->attached);
	jsonw_int_field(w, "enabled", p->enabled);
	pop_time_field(w, "last_contact", p->last);
	pop_time_field(w, "age", p->age);
	pop_time_field(w, "started", p->started);
	jsonw_end_object(w);
}

/* The shared pop-down-after, from PostgreSQL: 0 or negative (said). */
static int pop_down_after(const char *what, PGconn *c, __u64 *down_after)
{
	struct tg_pop_timing t;
	char err[512];
	int ret;

	ret = tg_pg_pop_timing(c, &t, err, sizeof(err));
	if (ret == -EINVAL)
		tg_err("%s: the database holds an invalid setting: %s", what,
		       err);
	else if (ret)
		tg_err("%s: cannot read the settings: %s", what, err);
	else
		*down_after = t.down_after;
	return ret;
}

static int pop_list(int argc, char **argv)
{
	__u64 down_after = 0;
	struct json_writer *w = NULL;
	struct tg_pop_row self;
	char err[512];
	sqlite3 *db = NULL;
	PGconn *c = NULL;
	int i, ret;

	for (i = 1; i < argc; i++) {
		if (tg_is_help(argv[i]))
			return pop_help(0, NULL);
		if (tg_take_json(argv[i]))
			continue;
		if (!strcmp(argv[i], "--down-after")) {
			ret = tg_opt_u64("pop list", argc, argv, &i, 1, 86400 * 365,
					 &down_after);
			if (ret)
				return ret;
			continue;
		}
		tg_err("pop list: unexpected argument '%s'; try 'tungate pop help'",
		       argv[i]);
		return -EINVAL;
	}
	if (tg_opts.pg_url)
		ret = tg_pg_pop_connect("pop list", &c, NULL, 0);
	else
		ret = tg_db_open(tg_db_path(), false, &db);
	if (!ret && c && !down_after)
		ret = pop_down_after("pop list", c, &down_after);
	if (ret)
		goto out;
	if (db && tg_pop_self(db, false, &self)) {
		tg_err("pop list: cannot read the database: %s", sqlite3_errmsg(db));
		ret = -EIO;
		goto out;
	}
	if (tg_opts.json) {
		w = jsonw_new(stdout);
		if (!w) {
			ret = -ENOMEM;
			goto out;
		}
		jsonw_start_object(w);
		jsonw_name(w, "pops");
		jsonw_start_array(w);
	} else {
		printf("%-16s %-8s %-20s %-10s %8s %8s  %-20s %s\n", "pop", "state",
		       "host", "version", "attached", "enabled", "last_contact",
		       "age");
	}
	if (db)
		pop_print(w, &self);
	else
		ret = tg_pg_pop_each(c, down_after, pop_print, w, err, sizeof(err));
	if (w) {
		jsonw_end_array(w);
		jsonw_end_object(w);
		jsonw_destroy(&w);
	}
	if (ret)
		tg_err("pop list: cannot read the POPs: %s", err);
out:
	PQfinish(c);
	tg_db_close(db);
	return ret;
}

/* {"deleted": NAME} */
static void pop_json_done(const char *name)
{
	struct json_writer *w = jsonw_new(stdout);

	if (!w)
		return;
	jsonw_start_object(w);
	jsonw_string_field(w, "deleted", name);
	jsonw_end_object(w);
	jsonw_destroy(&w);
}

static int pop_del(int argc, char **argv)
{
	__u64 down_after;
	const char *name;
	char err[512];
	PGconn *c = NULL;
	int ret;

	ret = pop_args("del", argc, argv, 1, &name);
	if (ret)
		return ret > 0 ? pop_help(0, NULL) : ret;
	if (!name) {
		tg_err("pop del: which POP? try 'tungate pop help'");
		return -EINVAL;
	}
	if (!tg_opts.pg_url) {
		tg_err("pop del: only with PostgreSQL (--db postgresql://...): on SQLite the list is this POP");
		return -EINVAL;
	}
	ret = tg_pg_pop_connect("pop del", &c, NULL, 0);
	if (!ret)
		ret = pop_down_after("pop del", c, &down_after);
	if (ret)
		goto out;
	ret = tg_pg_pop_del(c, name, down_after, err, sizeof(err));
	if (ret == -EBUSY)
		tg_err("pop del: POP '%s' is not down; stop its 'tungate run' first",
		       name);
	else if (ret == -ENOENT)
		tg_err("pop del: no POP '%s'", name);
	else if (ret)
		tg_err("pop del: %s", err);
	else if (!tg_opts.json)
		printf("deleted POP '%s' from the list\n", name);
	else
		pop_json_done(name);
out:
	PQfinish(c);
	return ret;
}

static const struct tg_cmd pop_cmds[] = {
	{ "name", pop_name },
	{ "list", pop_list },
	{ "del", pop_del },
	{ "help", pop_help },
	{ NULL, NULL },
};

int do_pop(int argc, char **argv)
{
	return tg_cmd_select(pop_cmds, "pop", argc - 1, argv + 1, pop_help);
}
