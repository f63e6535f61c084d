// SPDX-License-Identifier: GPL-2.0-only
/* The service manager notifications of tungate run (see notify.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <systemd/sd-daemon.h>

#include "daemon/notify.h"

void tg_notify_init(struct tg_notify *n, __u64 now_ms)
{
	uint64_t usec = 0;

	memset(n, 0, sizeof(*n));
	/* Unset: processes started from here are not watched. */
	if (sd_watchdog_enabled(1, &usec) > 0 && usec) {
		n->watchdog_ms = usec / 2000;
		if (!n->watchdog_ms)
			n->watchdog_ms = 1;
		n->next_watchdog = now_ms;
	}
}

static void notify_send(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void notify_send(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* No socket: 0; a failure changes nothing the daemon does. */
	sd_notify(0, msg);
}

void tg_notify_status(struct tg_notify *n, const char *fmt, ...)
{
	char status[sizeof(n->status)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(status, sizeof(status), fmt, ap);
	va_end(ap);
	if (!strcmp(status, n->status))
		return;
	snprintf(n->status, sizeof(n->status), "%s", status);
	notify_send("STATUS=%s", n->status);
}

void tg_notify_ready(struct tg_notify *n)
{
	if (n->ready)
		return;
	n->ready = true;
	notify_send("READY=1\nSTATUS=%s", n->status);
}

void tg_notify_reloading(struct tg_notify *n, const char *status)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	n->ready = false;
	snprintf(n->status, sizeof(n->status), "%s", status);
	/* MONOTONIC_USEC: when it started, as systemd 253 and later want. */
	notify_send("RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=%s",
		    (unsigned long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000,
		    n->status);
}

void tg_notify_stopping(struct tg_notify *n, const char *status)
{
	snprintf(n->status, sizeof(n->status), "%s", status);
	notify_send("STOPPING=1\nSTATUS=%s", n->status);
}

void tg_notify_watchdog(struct tg_notify *n, __u64 now_ms)
{
	if (!n->watchdog_ms || now_ms < n->next_watchdog)
		return;
	n->next_watchdog = now_ms + n->watchdog_ms;
	notify_send("WATCHDOG=1");
}

__u64 tg_notify_wait_ms(const struct tg_notify *n, __u64 now_ms,
			__u64 wait_ms)
{
	__u64 left;

	if (!n->watchdog_ms)
		return wait_ms;
	left = n->next_watchdog > now_ms ? n->next_watchdog - now_ms : 0;
	return left < wait_ms ? left : wait_ms;
}
