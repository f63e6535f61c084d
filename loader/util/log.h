/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace logging to stderr; -v raises the level. libbpf goes through it. */
#ifndef TG_LOG_H
#define TG_LOG_H

enum tg_log_level {
	TG_LOG_WARN = 0,
	TG_LOG_INFO = 1,
	TG_LOG_DEBUG = 2,
};

/* Show messages up to level (0 warn, 1 info, 2+ debug); routes libbpf output. */
void tg_log_init(int level);
void tg_log(enum tg_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define pr_warn(fmt, ...) tg_log(TG_LOG_WARN, fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...) tg_log(TG_LOG_INFO, fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...) tg_log(TG_LOG_DEBUG, fmt, ##__VA_ARGS__)

#endif /* TG_LOG_H */
