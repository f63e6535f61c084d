// SPDX-License-Identifier: GPL-2.0-only
/* tungate db: create, check and migrate the database. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/cli.h"
#include "cmd/commands.h"
#include "db/db.h"
#include "db/pg.h"
#include "util/json.h"

static int db_help(int argc, char **argv)
{
	printf("Usage: tungate db init\n"
	       "       tungate db check [-j]\n"
	       "       tungate db migrate\n"
	       "\n"
	       "init     create the database file (mode 0600) and schema version\n"
	       "         %d. Its directory must exist (only the default's,\n"
	       "         /var/lib/tungate, is made). Running it again on an\n"
	       "         initialised database changes nothing; a database of a newer\n"
	       "         version is refused, an older one needs 'db migrate'.\n"
	       "check    verify the database: SQLite's integrity_check and\n"
	       "         foreign_key_check, then tungate's own rules, each problem\n"
	       "         reported with the subscriber it concerns: prefixes that are\n"
	       "         malformed, not canonical, or overlap another subscriber's;\n"
	       "         duplicate tunnel identities; data plane ids out of range\n"
	       "         (1..%u) or held twice; classes that do not exist; values out\n"
	       "         of range (every rule of 'sub add'); invalid classes,\n"
	       "         community prefixes and settings. Exit status 1 when anything\n"
	       "         is wrong. Works on an older schema too (checked as it would\n"
	       "         be after migrating, without changing the file). -j:\n"
	       "         {\"version\": N, \"ok\": BOOL, \"problems\": [{\"subscriber\":\n"
	       "         NAME|null, \"message\": TEXT}]}\n"
	       "migrate  upgrade a database of an earlier schema version (1) in place\n"
	       "         to version %d, in one transaction; nothing to do when current.\n"
	       "         Any other command refuses an older database.\n"
	       "\n"
	       "The database is --db PATH, else $%s, else %s.\n"
	       "It is SQLite in WAL mode with a busy timeout of 5 s, so the CLI and a\n"
	       "running sync can use it at the same time.\n"
	       "\n"
	       "Examples:\n"
	       "  tungate --db /tmp/t.db db init\n"
	       "  tungate db check\n",
	       TG_DB_VERSION, TG_MAX_SUBS_DEFAULT - 1, TG_DB_VERSION, TG_DB_ENV,
	       TG_DB_PATH_DEFAULT);
	return 0;
}

static int db_no_args(const char *what, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!tg_take_json(argv[i])) {
			tg_err("%s: unexpected argument '%s'", what, argv[i]);
			return -EINVAL;
		}
	}
	return 0;
}

static int db_init(int argc, char **argv)
{
	const char *path = tg_db_path();
	struct json_writer *w;
	sqlite3 *db = NULL;
	bool existed;
	int ret;

	ret = db_no_args("db init", argc, argv);
	if (ret)
		return ret;
	existed = !access(path, F_OK);
	ret = tg_db_open(path, true, &db);
	if (ret)
		return ret;
	tg_db_close(db);
	if (tg_opts.json) {
		w = jsonw_new(stdout);
		if (!w)
			return -ENOMEM;
		jsonw_start_object(w);
		jsonw_string_field(w, "path", path);
		jsonw_uint_field(w, "version", TG_DB_VERSION);
		jsonw_end_object(w);
		jsonw_destroy(&w);
	} else if (tg_opts.pg_url) {
		char shown[256];

		/* The tables were made (or found) before the snapshot. */
		printf("database %s is initialised (schema version %d), snapshot %s\n",
		       tg_pg_url_shown(tg_opts.pg_url, shown, sizeof(shown)),
		       TG_DB_VERSION, path);
	} else {
		printf("database %s %s (schema version %d)\n", path,
		       existed ? "is initialised" : "created", TG_DB_VERSION);
	}
	return 0;
}

static int db_migrate(int argc, char **argv)
{
	const char *path = tg_db_path();
	struct json_writer *w;
	sqlite3 *db = NULL;
	char err[1024];
	int ret, from = 0;

	ret = db_no_args("db migrate", argc, argv);
	if (ret)
		return ret;
	ret = tg_db_open_flags(path, TG_DB_OLDER, &db);
	if (ret)
		return ret;
	ret = tg_db_migrate(db, &from, err, sizeof(err));
	tg_db_close(db);
	if (ret) {
		tg_err("db migrate: database %s: %s", path, err);
		return ret;
	}
	if (tg_opts.json) {
		w = jsonw_new(stdout);
		if (!w)
			return -ENOMEM;
		jsonw_start_object(w);
		jsonw_string_field(w, "path", path);
		jsonw_uint_field(w, "from", from);
		jsonw_uint_field(w, "version", TG_DB_VERSION);
		jsonw_end_object(w);
		jsonw_destroy(&w);
	} else if (from == TG_DB_VERSION) {
		printf("database %s is at schema version %d already\n", path,
		       TG_DB_VERSION);
	} else {
		printf("database %s migrated from schema version %d to %d\n",
		       path, from, TG_DB_VERSION);
	}
	return 0;
}

static void db_check_report(void *ctx, const char *who, const char *msg)
{
	struct json_writer *w = ctx;

	if (w) {
		jsonw_start_object(w);
		if (who)
			jsonw_string_field(w, "subscriber", who);
		else
			jsonw_null_field(w, "subscriber");
		jsonw_string_field(w, "message", msg);
		jsonw_end_object(w);
	} else if (who) {
		printf("subscriber '%s': %s\n", who, msg);
	} else {
		printf("%s\n", msg);
	}
}

static int db_check(int argc, char **argv)
{
	const char *path = tg_db_path();
	struct json_writer *w = NULL;
	sqlite3 *db = NULL;
	int ret, ver;

	ret = db_no_args("db check", argc, argv);
	if (ret)
		return ret;
	ret = tg_db_open_flags(path, TG_DB_OLDER, &db);
	if (ret)
		return ret;
	ver = tg_db_version(db);
	if (tg_opts.json) {
		w = jsonw_new(stdout);
		if (!w) {
			ret = -ENOMEM;
			goto out;
		}
		jsonw_start_object(w);
		jsonw_int_field(w, "version", ver);
		jsonw_name(w, "problems");
		jsonw_start_array(w);
	}
	ret = tg_db_check(db, TG_MAX_SUBS_DEFAULT, db_check_report, w);
	if (w) {
		jsonw_end_array(w);
		jsonw_bool_field(w, "ok", ret == 0);
		jsonw_end_object(w);
		jsonw_destroy(&w);
	}
	if (ret < 0) {
		if (!tg_opts.json)
			tg_err("db check: database %s: cannot check: %s", path,
			       strerror(-ret));
		goto out;
	}
	if (!tg_opts.json) {
		if (ret)
			printf("database %s: %d problem%s\n", path, ret,
			       ret == 1 ? "" : "s");
		else
			printf("database %s (schema version %d): ok\n", path, ver);
	}
	if (ret) {
		/* Reported above; the exit status says it. */
		ret = -EUCLEAN;
	}
out:
	tg_db_close(db);
	return ret;
}

static const struct tg_cmd db_cmds[] = {
	{ "init", db_init },
	{ "check", db_check },
	{ "migrate", db_migrate },
	{ "help", db_help },
	{ NULL, NULL },
};

int do_db(int argc, char **argv)
{
	return tg_cmd_select(db_cmds, "db", argc - 1, argv + 1, db_help);
}
