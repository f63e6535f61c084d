/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What tungate run tells systemd (sd_notify): ready after the first sync,
 * a status line, reloads, stopping, and watchdog keep-alives. Outside
 * systemd (no NOTIFY_SOCKET) every call does nothing.
 */
#ifndef TG_NOTIFY_H
#define TG_NOTIFY_H

#include <stdbool.h>
#include <linux/types.h>

struct tg_notify {
	__u64 watchdog_ms;	/* keep-alive period; 0: no watchdog */
	__u64 next_watchdog;	/* ms, CLOCK_MONOTONIC */
	bool ready;		/* READY=1 sent (and no reload since) */
	char status[256];	/* the last STATUS= sent */
};

/* Read WATCHDOG_USEC (for this process only): half of it between pings. */
void tg_notify_init(struct tg_notify *n, __u64 now_ms);
/* STATUS=, when it differs from the last one sent. */
void tg_notify_status(struct tg_notify *n, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* READY=1 with the status line, once (again after a reload). */
void tg_notify_ready(struct tg_notify *n);
/* RELOADING=1: a reload (SIGHUP) started; tg_notify_ready() ends it. */
void tg_notify_reloading(struct tg_notify *n, const char *status);
void tg_notify_stopping(struct tg_notify *n, const char *status);
/* WATCHDOG=1 when due. */
void tg_notify_watchdog(struct tg_notify *n, __u64 now_ms);
/* wait_ms, shortened so that the next keep-alive is not late. */
__u64 tg_notify_wait_ms(const struct tg_notify *n, __u64 now_ms,
			__u64 wait_ms);

#endif /* TG_NOTIFY_H */
