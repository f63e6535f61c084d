// SPDX-License-Identifier: GPL-2.0-only
/* Streaming JSON writer. */
#include <stdlib.h>

#include "util/json.h"

#define JSONW_MAX_DEPTH 32

struct json_writer {
	FILE *f;
	int depth;
	bool first[JSONW_MAX_DEPTH];	/* no member written yet at this level */
	bool after_name;		/* a name was written, value pending */
};

struct json_writer *jsonw_new(FILE *f)
{
	struct json_writer *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->f = f;
	w->first[0] = true;
	return w;
}

void jsonw_destroy(struct json_writer **w)
{
	if (!*w)
		return;
	fputc('\n', (*w)->f);
	fflush((*w)->f);
	free(*w);
	*w = NULL;
}

void json_print_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *run = p;

	fputc_unlocked('"', f);
	for (; *p; p++) {
		const char *esc = NULL;
		char buf[8];

		switch (*p) {
		case '"':
			esc = "\\\"";
			break;
		case '\\':
			esc = "\\\\";
			break;
		case '\n':
			esc = "\\n";
			break;
		case '\r':
			esc = "\\r";
			break;
		case '\t':
			esc = "\\t";
			break;
		case '\b':
			esc = "\\b";
			break;
		case '\f':
			esc = "\\f";
			break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				snprintf(buf, sizeof(buf), "\\u%04x", *p);
				esc = buf;
			}
		}
		if (!esc)
			continue;
		/* Plain characters go out in runs. */
		fwrite_unlocked(run, 1, p - run, f);
		fputs_unlocked(esc, f);
		run = p + 1;
	}
	fwrite_unlocked(run, 1, p - run, f);
	fputc_unlocked('"', f);
}

/* Separator before a value or a name at the current level. */
static void jsonw_sep(struct json_writer *w)
{
	if (w->after_name) {
		w->after_name = false;
		return;
	}
	if (!w->first[w->depth])
		fputc_unlocked(',', w->f);
	w->first[w->depth] = false;
}

static void jsonw_open(struct json_writer *w, char c)
{
	jsonw_sep(w);
	fputc(c, w->f);
	if (w->depth < JSONW_MAX_DEPTH - 1)
		w->depth++;
	w->first[w->depth] = true;
}

static void jsonw_close(struct json_writer *w, char c)
{
	fputc(c, w->f);
	if (w->depth > 0)
		w->depth--;
}

void jsonw_start_object(struct json_writer *w)
{
	jsonw_open(w, '{');
}

void jsonw_end_object(struct json_writer *w)
{
	jsonw_close(w, '}');
}

void jsonw_start_array(struct json_writer *w)
{
	jsonw_open(w, '[');
}

void jsonw_end_array(struct json_writer *w)
{
	jsonw_close(w, ']');
}

void jsonw_name(struct json_writer *w, const char *name)
{
	jsonw_sep(w);
	json_print_string(w->f, name);
	fputc_unlocked(':', w->f);
	w->after_name = true;
}

void jsonw_string(struct json_writer *w, const char *s)
{
	jsonw_sep(w);
	json_print_string(w->f, s);
}

void jsonw_uint(struct json_writer *w, __u64 v)
{
	jsonw_sep(w);
	fprintf(w->f, "%llu", (unsigned long long)v);
}

void jsonw_int(struct json_writer *w, __s64 v)
{
	jsonw_sep(w);
	fprintf(w->f, "%lld", (long long)v);
}

void jsonw_bool(struct json_writer *w, bool v)
{
	jsonw_sep(w);
	fputs(v ? "true" : "false", w->f);
}

void jsonw_null(struct json_writer *w)
{
	jsonw_sep(w);
	fputs("null", w->f);
}

void jsonw_string_field(struct json_writer *w, const char *name,
			const char *s)
{
	jsonw_name(w, name);
	jsonw_string(w, s);
}

void jsonw_uint_field(struct json_writer *w, const char *name, __u64 v)
{
	jsonw_name(w, name);
	jsonw_uint(w, v);
}

void jsonw_int_field(struct json_writer *w, const char *name, __s64 v)
{
	jsonw_name(w, name);
	jsonw_int(w, v);
}

void jsonw_bool_field(struct json_writer *w, const char *name, bool v)
{
	jsonw_name(w, name);
	jsonw_bool(w, v);
}

void jsonw_null_field(struct json_writer *w, const char *name)
{
	jsonw_name(w, name);
	jsonw_null(w);
}
