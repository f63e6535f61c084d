/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Small streaming JSON writer: objects, arrays, strings, numbers, bools,
 * null. Commas are placed for the caller; the top-level value ends with a
 * newline when the writer is destroyed.
 */
#ifndef TG_JSON_H
#define TG_JSON_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

struct json_writer;

struct json_writer *jsonw_new(FILE *f);
void jsonw_destroy(struct json_writer **w);

void jsonw_start_object(struct json_writer *w);
void jsonw_end_object(struct json_writer *w);
void jsonw_start_array(struct json_writer *w);
void jsonw_end_array(struct json_writer *w);

/* Name of the next member inside an object. */
void jsonw_name(struct json_writer *w, const char *name);

void jsonw_string(struct json_writer *w, const char *s);
void jsonw_uint(struct json_writer *w, __u64 v);
void jsonw_int(struct json_writer *w, __s64 v);
void jsonw_bool(struct json_writer *w, bool v);
void jsonw_null(struct json_writer *w);

/* name + value in one call. */
void jsonw_string_field(struct json_writer *w, const char *name,
			const char *s);
void jsonw_uint_field(struct json_writer *w, const char *name, __u64 v);
void jsonw_int_field(struct json_writer *w, const char *name, __s64 v);
void jsonw_bool_field(struct json_writer *w, const char *name, bool v);
void jsonw_null_field(struct json_writer *w, const char *name);

/* Write s as a quoted, escaped JSON string to f. */
void json_print_string(FILE *f, const char *s);

#endif /* TG_JSON_H */
