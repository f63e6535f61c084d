// SPDX-License-Identifier: GPL-2.0-only
/*
 * The class field table expanded: options and CSV columns, text, JSON,
 * SQL binds and rows, help.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "db/class.h"
#include "util/cli.h"
#include "util/json.h"

#define X(n, kind, m, a, h) { n, TG_CK_##kind, offsetof(struct tg_class, m), a, h },
const struct tg_class_field tg_class_field_table[] = { TG_CLASS_FIELDS(X) };
#undef X

const size_t tg_class_nfields =
	sizeof(tg_class_field_table) / sizeof(tg_class_field_table[0]);

#define CV(c, f, t) ((t *)((char *)(c) + (f)->off))
#define CC(c, f, t) ((const t *)((const char *)(c) + (f)->off))

const struct tg_class_field *tg_class_field(const char *name)
{
	size_t i;

	for (i = 0; i < tg_class_nfields; i++)
		if (!strcmp(tg_class_field_table[i].name, name))
			return &tg_class_field_table[i];
	return NULL;
}

static const char *tg_class_opt(const struct tg_class_field *f, char *buf,
				size_t len)
{
	size_t i;

	snprintf(buf, len, "--%s", f->name);
	for (i = 0; buf[i]; i++)
		if (buf[i] == '_')
			buf[i] = '-';
	return buf;
}

int tg_class_field_set(struct tg_class *c, const struct tg_class_field *f,
		       const char *v, char *err, size_t errlen)
{
	char opt[32];

	tg_class_opt(f, opt, sizeof(opt));
	switch (f->kind) {
	case TG_CK_NAME:
		if (strlen(v) > TG_NAME_MAX) {
			snprintf(err, errlen, "name '%s': longer than %d characters",
				 v, TG_NAME_MAX);
			return -EINVAL;
		}
		snprintf(CV(c, f, char), TG_NAME_MAX + 1, "%s", v);
		return 0;
	case TG_CK_RATE:
		return tg_rate_parse_opt(opt, v, CV(c, f, __u64), err, errlen);
	case TG_CK_SIZE:
		return tg_size_parse_opt(opt, v, CV(c, f, __u64), err, errlen);
	case TG_CK_SCOPE:
		if (!tg_scope_parse(v, CV(c, f, enum tg_scope)))
			return 0;
		snprintf(err, errlen, "%s '%s': must be 'internet' or 'community'",
			 opt, v);
		return -EINVAL;
	}
	return -EINVAL;
}

int tg_class_set_field(struct tg_class *c, const char *name, const char *v,
		       char *err, size_t errlen)
{
	const struct tg_class_field *f = tg_class_field(name);

	if (!f) {
		snprintf(err, errlen, "column '%s' does not apply to a class", name);
		return -ENOENT;
	}
	return tg_class_field_set(c, f, v, err, errlen);
}

void tg_class_field_format(const struct tg_class *c,
			   const struct tg_class_field *f, char *buf, size_t len)
{
	switch (f->kind) {
	case TG_CK_NAME:
		snprintf(buf, len, "%s", CC(c, f, char));
		break;
	case TG_CK_RATE:
		tg_rate_format(*CC(c, f, __u64), buf, len);
		break;
	case TG_CK_SIZE:
		tg_size_format(*CC(c, f, __u64), buf, len);
		break;
	case TG_CK_SCOPE:
		snprintf(buf, len, "%s", tg_scope_name(*CC(c, f, enum tg_scope)));
		break;
	}
}

void tg_class_json_fields(struct json_writer *w, const struct tg_class *c)
{
	const struct tg_class_field *f;
	char buf[64];

	for (f = tg_class_field_table; f < tg_class_field_table + tg_class_nfields; f++) {
		switch (f->kind) {
		case TG_CK_RATE:
			if (!*CC(c, f, __u64)) {
				jsonw_null_field(w, f->name);
				break;
			}
			/* fall through */
		case TG_CK_SIZE:
			jsonw_uint_field(w, f->name, *CC(c, f, __u64));
			break;
		default:
			tg_class_field_format(c, f, buf, sizeof(buf));
			jsonw_string_field(w, f->name, buf);
		}
	}
}

/* "name, down_rate, ..." */
static size_t tg_class_columns(char *buf, size_t len, const char *sep,
			       bool params)
{
	size_t off = 0, i;

	buf[0] = '\0';
	for (i = 0; i < tg_class_nfields && off < len; i++) {
		if (params)
			off += snprintf(buf + off, len - off, "%s?%zu",
					i ? sep : "", i + 1);
		else
			off += snprintf(buf + off, len - off, "%s%s",
					i ? sep : "", tg_class_field_table[i].name);
	}
	return off;
}

int tg_class_sql(enum tg_class_sql what, char *buf, size_t len)
{
	char cols[128], params[64];
	size_t off = 0, i;

	tg_class_columns(cols, sizeof(cols), ", ", false);
	switch (what) {
	case TG_CSQL_COLUMNS:
		off = snprintf(buf, len, "%s", cols);
		break;
	case TG_CSQL_INSERT:
		tg_class_columns(params, sizeof(params), ", ", true);
		off = snprintf(buf, len, "INSERT INTO class(%s) VALUES(%s)", cols,
			       params);
		break;
	case TG_CSQL_UPDATE:
		/* The name (?1) picks the row. */
		off = snprintf(buf, len, "UPDATE class SET ");
		for (i = 1; i < tg_class_nfields && off < len; i++)
			off += snprintf(buf + off, len - off, "%s%s = ?%zu",
					i > 1 ? ", " : "",
					tg_class_field_table[i].name, i + 1);
		if (off < len)
			off += snprintf(buf + off, len - off, " WHERE %s = ?1",
					tg_class_field_table[0].name);
		break;
	}
	return off < len ? 0 : -ENOSPC;
}

void tg_class_bind(sqlite3_stmt *st, const struct tg_class *c)
{
	const struct tg_class_field *f;
	char buf[64];
	int k = 0;

	for (f = tg_class_field_table; f < tg_class_field_table + tg_class_nfields; f++) {
		k++;
		if (f->kind == TG_CK_RATE && !*CC(c, f, __u64)) {
			sqlite3_bind_null(st, k);
		} else if (f->kind == TG_CK_RATE || f->kind == TG_CK_SIZE) {
			sqlite3_bind_int64(st, k, *CC(c, f, __u64));
		} else {
			tg_class_field_format(c, f, buf, sizeof(buf));
			sqlite3_bind_text(st, k, buf, -1, SQLITE_TRANSIENT);
		}
	}
}

int tg_class_read_row(sqlite3_stmt *st, struct tg_class *c, char *err,
		      size_t errlen)
{
	const struct tg_class_field *f;
	const char *txt;
	int k = 0;

	memset(c, 0, sizeof(*c));
	for (f = tg_class_field_table; f < tg_class_field_table + tg_class_nfields; f++, k++) {
		if (f->kind == TG_CK_RATE || f->kind == TG_CK_SIZE) {
			*CV(c, f, __u64) = sqlite3_column_int64(st, k);
			continue;
		}
		txt = (const char *)sqlite3_column_text(st, k);
		if (tg_class_field_set(c, f, txt ? txt : "", err, errlen))
			return -EINVAL;
	}
	return 0;
}

void tg_class_help_options(FILE *out)
{
	const struct tg_class_field *f;
	char opt[32];

	for (f = tg_class_field_table; f < tg_class_field_table + tg_class_nfields; f++) {
		if (!f->help)
			continue;
		tg_class_opt(f, opt, sizeof(opt));
		snprintf(opt + strlen(opt), sizeof(opt) - strlen(opt), " %s", f->arg);
		tg_help_option(out, 14, opt, f->help);
	}
}
