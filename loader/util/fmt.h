/* SPDX-License-Identifier: GPL-2.0-only */
/* Building text in a fixed buffer piece by piece. */
#ifndef TG_UTIL_FMT_H
#define TG_UTIL_FMT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/*
 * Append fmt at buf + off (len bytes in all): the new offset. Once the text
 * no longer fits the offset is len or more, and stays so: check it once at
 * the end.
 */
static inline size_t tg_cat(char *buf, size_t len, size_t off,
			    const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static inline size_t tg_cat(char *buf, size_t len, size_t off,
			    const char *fmt, ...)
{
	va_list ap;
	int w;

	if (off >= len)
		return off;
	va_start(ap, fmt);
	w = vsnprintf(buf + off, len - off, fmt, ap);
	va_end(ap);
	return w < 0 ? len : off + w;
}

#endif /* TG_UTIL_FMT_H */
