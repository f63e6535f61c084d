// SPDX-License-Identifier: GPL-2.0-only
/* tungate class: rate classes; tungate community: community prefixes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cli.h"
#include "cmd/commands.h"
#include "db/db.h"
#include "util/json.h"

static int class_help(int argc, char **argv)
{
	printf("Usage: tungate class add NAME [--down-rate R] [--up-rate R] [--burst B]\n"
	       "                             [--scope internet|community]\n"
	       "       tungate class set NAME [--down-rate R] [--up-rate R] [--burst B]\n"
	       "                             [--scope internet|community]\n"
	       "       tungate class del NAME\n"
	       "       tungate class list [-j]\n"
	       "       tungate class show NAME [-j]\n"
	       "\n"
	       "A rate class gives its subscribers (sub --class NAME) a rate toward\n"
	       "them (down) and from them (up), a burst, and an access scope. A\n"
	       "subscriber without --class takes the class named 'default' when it\n"
	       "exists, else it is unlimited with internet scope. A subscriber may\n"
	       "override each rate and the burst (see 'tungate sub help').\n"
	       "\n"
	       "Rates count the bytes of the inner IP packets: what the subscriber\n"
	       "sends (up) and receives (down), without tunnel headers. Each direction\n"
	       "has a token bucket: a packet over the rate once the burst is used up\n"
	       "is dropped (counted as policed_up / policed_down).\n"
	       "\n"
	       "add   create class NAME (letters, digits, '.', '_', '-'; at most %d)\n"
	       "set   change the options given, keep the others\n"
	       "del   delete it; refused while a subscriber uses it (the message names\n"
	       "      them)\n"
	       "list  one line per class; -j: a JSON array\n"
	       "show  one class; -j: a JSON object {\"name\", \"down_rate\", \"up_rate\",\n"
	       "      \"burst\", \"scope\", \"subscribers\"} (rates in bits/s, null:\n"
	       "      unlimited; burst in bytes)\n"
	       "\n"
	       "Options:\n",
	       TG_NAME_MAX);
	tg_class_help_options(stdout);
	printf("\n"
	       "Examples:\n"
	       "  tungate class add default --down-rate 20mbit --up-rate 5mbit\n"
	       "  tungate class add guifi --down-rate 1.5gbit --up-rate 1.5gbit \\\n"
	       "      --burst 1m --scope community\n"
	       "  tungate class set default --burst 64k\n");
	return 0;
}

static int class_parse(const char *what, int argc, char **argv,
		       struct tg_class *c)
{
	const struct tg_class_field *f;
	const char *opt, *val;
	char field[32], err[256], *p;
	int i, ret;

	for (i = 2; i < argc; i++) {
		opt = argv[i];
		if (tg_take_json(opt))
			continue;
		snprintf(field, sizeof(field), "%s", opt + (strncmp(opt, "--", 2) ? 0 : 2));
		for (p = field; *p; p++)
			if (*p == '-')
				*p = '_';
		f = strncmp(opt, "--", 2) ? NULL : tg_class_field(field);
		if (!f || !f->help) {
			tg_err("%s: unknown option '%s'; try 'tungate class help'",
			       what, opt);
			return -EINVAL;
		}
		ret = tg_opt_value(what, argc, argv, &i, &val);
		if (ret)
			return ret;
		if (tg_class_field_set(c, f, val, err, sizeof(err))) {
			tg_err("%s: %s", what, err);
			return -EINVAL;
		}
	}
	return 0;
}

static void class_json(struct json_writer *w, const struct tg_class *c)
{
	jsonw_start_object(w);
	tg_class_json_fields(w, c);
}

static void class_text(const struct tg_class *c, char *buf, size_t len)
{
	char d[32], u[32], b[32];

	tg_rate_format(c->down_rate, d, sizeof(d));
	tg_rate_format(c->up_rate, u, sizeof(u));
	tg_size_format(c->burst, b, sizeof(b));
	snprintf(buf, len, "%-20s %-12s %-12s %-8s %s", c->name, d, u, b,
		 tg_scope_name(c->scope));
}

static int class_print(sqlite3 *db, const struct tg_class *c)
{
	struct json_writer *w;
	char buf[256];
	int n = tg_db_class_count(db, c->name);

	if (!tg_opts.json) {
		printf("%-20s %-12s %-12s %-8s %s\n", "NAME", "DOWN", "UP",
		       "BURST", "SCOPE");
		class_text(c, buf, sizeof(buf));
		printf("%s\nsubscribers: %d\n", buf, n);
		return 0;
	}
	w = jsonw_new(stdout);
	if (!w)
		return -ENOMEM;
	class_json(w, c);
	jsonw_int_field(w, "subscribers", n);
	jsonw_end_object(w);
	jsonw_destroy(&w);
	return 0;
}

static int class_write(int argc, char **argv, bool add)
{
	const char *what = add ? "class add" : "class set";
	sqlite3 *db = NULL;
	struct tg_class c;
	bool old_default;
	__u64 old_burst;
	char err[512];
	int ret;

	memset(&c, 0, sizeof(c));
	if (argc < 2 || argv[1][0] == '-') {
		tg_err("%s: missing NAME; try 'tungate class help'", what);
		return -EINVAL;
	}
	if (strlen(argv[1]) > TG_NAME_MAX) {
		tg_err("%s: name '%s': longer than %d characters", what, argv[1],
		       TG_NAME_MAX);
		return -EINVAL;
	}
	ret = tg_db_open(tg_db_path(), false, &db);
	if (ret)
		return ret;
	if (add) {
		snprintf(c.name, sizeof(c.name), "%s", argv[1]);
	} else {
		ret = tg_db_class_get(db, argv[1], &c);
		if (ret) {
			tg_err(ret == -ENOENT ? "%s: class '%s' does not exist" :
			       "%s: class '%s': cannot read the database", what,
			       argv[1]);
			goto out;
		}
	}
	old_default = !add && c.burst == tg_burst_default(c.down_rate,
							  c.up_rate);
	old_burst = c.burst;
	c.burst = 0;
	ret = class_parse(what, argc, argv, &c);
	if (ret)
		goto out;
	if (!c.burst) {
		/* No --burst: the default follows the rates. */
		if (add || old_default)
			c.burst = tg_burst_default(c.down_rate, c.up_rate);
		else
			c.burst = old_burst;
	}
	ret = add ? tg_db_class_add(db, &c, err, sizeof(err)) :
		    tg_db_class_update(db, &c, err, sizeof(err));
	if (ret) {
		tg_err("%s: %s", what, err);
		goto out;
	}
	if (tg_opts.json)
		ret = class_print(db, &c);
	else
		printf("%s class '%s'\n", add ? "added" : "changed", c.name);
out:
	tg_db_close(db);
	return ret;
}

static int class_add(int argc, char **argv)
{
	return class_write(argc, argv, true);
}

static int class_set(int argc, char **argv)
{
	return class_write(argc, argv, false);
}

/* "CMD NAME [-j]": NAME or NULL (reported). */
static const char *one_arg(const char *what, int argc, char **argv)
{
	const char *name = NULL;
	int i;

	for (i = 1; i < argc; i++) {
		if (tg_take_json(argv[i]))
			continue;
		if (name || argv[i][0] == '-') {
			tg_err("%s: unexpected argument '%s'", what, argv[i]);
			return NULL;
		}
		name = argv[i];
	}
	if (!name)
		tg_err("%s: missing argument; try 'tungate %.9s help'", what,
		       what);
	return name;
}

static int no_args(const char *what, int argc, char **argv)
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

static void print_done(const char *key, const char *value, const char *text)
{
	struct json_writer *w;

	if (!tg_opts.json) {
		printf("%s\n", text);
		return;
	}
	w = jsonw_new(stdout);
	if (!w)
		return;
	jsonw_start_object(w);
	jsonw_string_field(w, key, value);
	jsonw_end_object(w);
	jsonw_destroy(&w);
}

static int class_del(int argc, char **argv)
{
	const char *name = one_arg("class del", argc, argv);
	sqlite3 *db = NULL;
	char err[768], text[128];
	int ret;

	if (!name)
		return -EINVAL;
	ret = tg_db_open(tg_db_path(), false, &db);
	if (ret)
		return ret;
	ret = tg_db_class_del(db, name, err, sizeof(err));
	if (ret) {
		tg_err("class del: %s", err);
	} else {
		snprintf(text, sizeof(text), "deleted class '%s'", name);
		print_done("deleted", name, text);
	}
	tg_db_close(db);
	return ret;
}

static int class_show(int argc, char **argv)
{
	const char *name = one_arg("class show", argc, argv);
	sqlite3 *db = NULL;
	struct tg_class c;
	int ret;

	if (!name)
		return -EINVAL;
	ret = tg_db_open(tg_db_path(), false, &db);
	if (ret)
		return ret;
	ret = tg_db_class_get(db, name, &c);
	if (ret)
		tg_err(ret == -ENOENT ? "class show: class '%s' does not exist" :
		       "class show: class '%s': cannot read the database", name);
	else
		ret = class_print(db, &c);
	tg_db_close(db);
	return ret;
}

static int class_list(int argc, char **argv)
{
	struct tg_class *v = NULL;
	struct json_writer *w;
	sqlite3 *db = NULL;
	char buf[256];
	size_t n = 0, i;
	int ret;

	ret = no_args("class list", argc, argv);
	if (ret)
		return ret;
	ret = tg_db_open(tg_db_path(), false, &db);
	if (ret)
		return ret;
	ret = tg_db_class_list(db, &v, &n);
	if (ret) {
		tg_err("class list: cannot read the database %s", tg_db_path());
		goto out;
	}
	if (tg_opts.json) {
		w = jsonw_new(stdout);
		if (!w) {
			ret = -ENOMEM;
			goto out;
		}
		jsonw_start_array(w);
		for (i = 0; i < n; i++) {
			class_json(w, &v[i]);
			jsonw_int_field(w, "subscribers", tg_db_class_count(db, v[i].name));
			jsonw_end_object(w);
		}
		jsonw_end_array(w);
		jsonw_destroy(&w);
		goto out;
	}
	printf("%-20s %-12s %-12s %-8s %s\n", "NAME", "DOWN", "UP", "BURST",
	       "SCOPE");
	for (i = 0; i < n; i++) {
		class_text(&v[i], buf, sizeof(buf));
		printf("%s\n", buf);
	}
out:
	free(v);
	tg_db_close(db);
	return ret;
}

static const struct tg_cmd class_cmds[] = {
	{ "add", class_add },
	{ "set", class_set },
	{ "del", class_del },
	{ "list", class_list },
	{ "show", class_show },
	{ "help", class_help },
	{ NULL, NULL },
};

int do_class(int argc, char **argv)
{
	return tg_cmd_select(class_cmds, "class", argc - 1, argv + 1,
			     class_help);
}

static int community_help(int argc, char **argv)
{
	printf("Usage: tungate community add PREFIX\n"
	       "       tungate community del PREFIX\n"
	       "       tungate community list [-j]\n"
	       "\n"
	       "The community prefixes are the destinations subscribers of a class\n"
	       "with scope 'community' may reach (e.g. a community network's\n"
	       "10.0.0.0/8). IPv4 or IPv6, host bits zero, no two overlapping.\n"
	       "\n"
	       "add   add PREFIX (refused when it equals or overlaps another)\n"
	       "del   remove PREFIX\n"
	       "list  one prefix per line, sorted; -j: a JSON array of strings\n"
	       "\n"
	       "Examples:\n"
	       "  tungate community add 10.0.0.0/8\n"
	       "  tungate community add 2001:db8:c000::/36\n");
	return 0;
}

static int community_write(int argc, char **argv, bool add)
{
	const char *what = add ? "community add" : "community del";
	const char *arg = one_arg(what, argc, argv);
	char err[256], e2[64], text[128], canon[TG_PREFIX_STRLEN];
	struct tg_prefix p;
	sqlite3 *db = NULL;
	int ret;

	if (!arg)
		return -EINVAL;
	if (tg_prefix_parse(arg, &p, e2, sizeof(e2))) {
		tg_err("%s: prefix '%s': %s", what, arg, e2);
		return -EINVAL;
	}
	tg_prefix_format(&p, canon, sizeof(canon));
	ret = tg_db_open(tg_db_path(), false, &db);
	if (ret)
		return ret;
	if (add) {
		ret = tg_db_community_add(db, &p, err, sizeof(err));
		if (ret)
			tg_err("%s: %s", what, err);
	} else {
		ret = tg_db_community_del(db, &p);
		if (ret == -ENOENT)
			tg_err("%s: prefix '%s' is not a community prefix", what,
			       canon);
		else if (ret)
			tg_err("%s: prefix '%s': %s", what, canon,
			       sqlite3_errmsg(db));
	}
	if (!ret) {
		snprintf(text, sizeof(text), "%s community prefix %s",
			 add ? "added" : "deleted", canon);
		print_done(add ? "added" : "deleted", canon, text);
	}
	tg_db_close(db);
	return ret;
}

static int community_add(int argc, char **argv)
{
	return community_write(argc, argv, true);
}

static int community_del(int argc, char **argv)
{
	return community_write(argc, argv, false);
}

static int community_list(int argc, char **argv)
{
	char buf[TG_PREFIX_STRLEN];
	struct tg_prefix *v = NULL;
	struct json_writer *w = NULL;
	sqlite3 *db = NULL;
	size_t n = 0, i;
	int ret;

	ret = no_args("community list", argc, argv);
	if (ret)
		return ret;
	ret = tg_db_open(tg_db_path(), false, &db);
	if (ret)
		return ret;
	ret = tg_db_community_list(db, &v, &n);
	if (ret) {
		tg_err("community list: cannot read the database %s",
		       tg_db_path());
		goto out;
	}
	if (tg_opts.json) {
		w = jsonw_new(stdout);
		if (!w) {
			ret = -ENOMEM;
			goto out;
		}
		jsonw_start_array(w);
	}
	for (i = 0; i < n; i++) {
		tg_prefix_format(&v[i], buf, sizeof(buf));
		if (w)
			jsonw_string(w, buf);
		else
			printf("%s\n", buf);
	}
	if (w) {
		jsonw_end_array(w);
		jsonw_destroy(&w);
	}
out:
	free(v);
	tg_db_close(db);
	return ret;
}

static const struct tg_cmd community_cmds[] = {
	{ "add", community_add },
	{ "del", community_del },
	{ "list", community_list },
	{ "help", community_help },
	{ NULL, NULL },
};

int do_community(int argc, char **argv)
{
	return tg_cmd_select(community_cmds, "community", argc - 1, argv + 1,
			     community_help);
}
