// SPDX-License-Identifier: GPL-2.0-only
/* Global options, command dispatch and argument helpers. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cli.h"
#include "util/json.h"

struct tg_globals tg_opts;

void tg_err(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	if (tg_opts.json) {
		struct json_writer *w = jsonw_new(stdout);

		if (!w)
			return;
		jsonw_start_object(w);
		jsonw_string_field(w, "error", msg);
		jsonw_end_object(w);
		jsonw_destroy(&w);
		fflush(stdout);
	} else {
		fprintf(stderr, "tungate: %s\n", msg);
	}
}

bool tg_is_help(const char *word)
{
	return !strcmp(word, "help") || !strcmp(word, "-h") ||
	       !strcmp(word, "--help");
}

bool tg_take_json(const char *word)
{
	if (strcmp(word, "-j") && strcmp(word, "--json"))
		return false;
	tg_opts.json = true;
	return true;
}

int tg_cmd_select(const struct tg_cmd *cmds, const char *what, int argc,
		  char **argv, int (*help)(int argc, char **argv))
{
	const struct tg_cmd *match = NULL;
	const struct tg_cmd *c;
	size_t len;
	int n = 0;

	if (argc < 1) {
		if (!tg_opts.json && help)
			help(argc, argv);
		if (*what)
			tg_err("%s: missing command; try 'tungate %s help'",
			       what, what);
		else
			tg_err("missing object; try 'tungate help'");
		return -EINVAL;
	}
	if (tg_is_help(argv[0]))
		return help ? help(argc, argv) : 0;

	/* "tungate sub set --help": the help of the level. */
	if (*what && help) {
		int i;

		for (i = 1; i < argc; i++)
			if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
				return help(argc, argv);
	}
	len = strlen(argv[0]);
	for (c = cmds; c->name; c++) {
		if (!strcmp(c->name, argv[0]))
			return c->fn(argc, argv);
		if (len && !strncmp(c->name, argv[0], len)) {
			match = c;
			n++;
		}
	}
	if (n == 1)
		return match->fn(argc, argv);
	if (n > 1) {
		char list[256] = "";
		size_t off = 0;

		for (c = cmds; c->name; c++)
			if (!strncmp(c->name, argv[0], len) && off < sizeof(list))
				off += snprintf(list + off, sizeof(list) - off,
						"%s%s", off ? ", " : "",
						c->name);
		tg_err("%s%s'%s' is ambiguous: %s", what, *what ? ": " : "",
		       argv[0], list);
		return -EINVAL;
	}
	if (*what)
		tg_err("%s: unknown command '%s'; try 'tungate %s help'", what,
		       argv[0], what);
	else
		tg_err("unknown object '%s'; try 'tungate help'", argv[0]);
	return -EINVAL;
}

int tg_parse_u64(const char *s, __u64 min, __u64 max, __u64 *out)
{
	unsigned long long v;
	char *end;

	/* Digits only: strtoull() would also take leading blanks and signs. */
	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) ?
				      16 : 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int tg_opt_value(const char *what, int argc, char **argv, int *i,
		 const char **val)
{
	if (*i + 1 >= argc) {
		tg_err("%s: option %s needs a value", what, argv[*i]);
		return -EINVAL;
	}
	(*i)++;
	*val = argv[*i];
	return 0;
}

int tg_opt_u64(const char *what, int argc, char **argv, int *i, __u64 min,
	       __u64 max, __u64 *out)
{
	const char *opt = argv[*i];
	const char *val;
	int err;

	err = tg_opt_value(what, argc, argv, i, &val);
	if (err)
		return err;
	err = tg_parse_u64(val, min, max, out);
	if (err == -EINVAL)
		tg_err("%s: %s '%s': not a number", what, opt, val);
	else if (err)
		tg_err("%s: %s '%s': out of range %llu..%llu", what, opt, val,
		       (unsigned long long)min, (unsigned long long)max);
	return err;
}

void tg_help_option(FILE *out, int width, const char *opt, const char *help)
{
	const char *h, *nl;
	bool first = true;

	for (h = help; h; h = nl ? nl + 1 : NULL) {
		nl = strchr(h, '\n');
		fprintf(out, "  %-*s %.*s\n", width, first ? opt : "",
			nl ? (int)(nl - h) : (int)strlen(h), h);
		first = false;
	}
}

int tg_name_arg(const char *what, int argc, char **argv, const char **name)
{
	int i;

	*name = NULL;
	for (i = 1; i < argc; i++) {
		if (tg_take_json(argv[i]))
			continue;
		if (*name || argv[i][0] == '-') {
			tg_err("%s: unexpected argument '%s'", what, argv[i]);
			return -EINVAL;
		}
		*name = argv[i];
	}
	if (!*name) {
		tg_err("%s: missing NAME", what);
		return -EINVAL;
	}
	return 0;
}
