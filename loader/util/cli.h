/* SPDX-License-Identifier: GPL-2.0-only */
/* Global options, command tables and argument helpers shared by all commands. */
#ifndef TG_CLI_H
#define TG_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

/* make TG_VERSION=... builds another one (the upgrade test's second build). */
#ifndef TG_VERSION
#define TG_VERSION "0.1.0"
#endif

/*
 * One option of a help text: "  OPT  TEXT", OPT in a column of width,
 * the lines of help ('\n' between them) under each other.
 */
void tg_help_option(FILE *out, int width, const char *opt, const char *help);

struct tg_globals {
	const char *db_path;	/* --db, NULL: environment or default */
	const char *snapshot;	/* --snapshot: PostgreSQL's local copy */
	const char *pg_url;	/* the PostgreSQL source db_path mirrors */
	const char *pin_root;	/* --pin-root, NULL: TG_PIN_ROOT_DEFAULT */
	bool json;		/* -j: machine output only */
	int verbose;		/* number of -v */
};

extern struct tg_globals tg_opts;

/* One word of a command table; fn gets argv[0] == the word itself. */
struct tg_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
};

/*
 * Report an error: "tungate: <message>" on stderr, or with -j a single
 * {"error": "<message>"} line on stdout.
 */
void tg_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Run the command argv[0] from cmds (exact name or unique prefix), or "help".
 * what names the level for messages ("sub"); help prints that level's help.
 * Returns the command's result, or -EINVAL for a missing/unknown word.
 */
int tg_cmd_select(const struct tg_cmd *cmds, const char *what, int argc,
		  char **argv, int (*help)(int argc, char **argv));

/* True when word is "help", "-h" or "--help". */
bool tg_is_help(const char *word);
/* True when word is "-j" or "--json"; sets tg_opts.json. */
bool tg_take_json(const char *word);
/* Parse "CMD NAME [-j]" into *name: 0, or -EINVAL reported as "what: ...". */
int tg_name_arg(const char *what, int argc, char **argv, const char **name);

/*
 * Parse a decimal number (no sign, no junk, leading 0x allowed) within
 * [min, max]. Returns 0, -EINVAL (not a number) or -ERANGE.
 */
int tg_parse_u64(const char *s, __u64 min, __u64 max, __u64 *out);

/*
 * Fetch the value of option argv[*i] into *val, advancing *i. what is the
 * command for messages ("sub add"). Returns 0 or -EINVAL (reported).
 */
int tg_opt_value(const char *what, int argc, char **argv, int *i,
		 const char **val);

/* tg_opt_value + tg_parse_u64 with a reported range error. */
int tg_opt_u64(const char *what, int argc, char **argv, int *i, __u64 min,
	       __u64 max, __u64 *out);

#endif /* TG_CLI_H */
