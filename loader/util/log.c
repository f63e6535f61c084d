// SPDX-License-Identifier: GPL-2.0-only
/* Logging to stderr, with libbpf's messages routed through the same level. */
#include <stdarg.h>
#include <stdio.h>
#include <bpf/libbpf.h>

#include "util/log.h"

static int tg_log_level = TG_LOG_WARN;

static void tg_vlog(enum tg_log_level level, const char *fmt, va_list ap)
{
	if ((int)level > tg_log_level)
		return;
	vfprintf(stderr, fmt, ap);
}

void tg_log(enum tg_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tg_vlog(level, fmt, ap);
	va_end(ap);
}

static int tg_libbpf_print(enum libbpf_print_level level, const char *fmt,
			   va_list ap)
{
	enum tg_log_level l = TG_LOG_DEBUG;

	if (level == LIBBPF_WARN)
		l = TG_LOG_WARN;
	else if (level == LIBBPF_INFO)
		l = TG_LOG_INFO;
	tg_vlog(l, fmt, ap);
	return 0;
}

void tg_log_init(int level)
{
	tg_log_level = level < TG_LOG_WARN ? TG_LOG_WARN : level;
	libbpf_set_print(tg_libbpf_print);
}
