/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The daemon of 'tungate run': the maps kept in step with the database,
 * the BIRD include, usage records and the /metrics server, until SIGTERM
 * or SIGINT. Its options are parsed by cmd/run.c.
 */
#ifndef TG_DAEMON_RUN_H
#define TG_DAEMON_RUN_H

#include <stdbool.h>

#define RUN_INTERVAL_MS 250
#define RUN_USAGE_INTERVAL 300
#define RUN_BACKOFF_MAX_MS 30000

struct tg_run_opts {
	unsigned int interval_ms;
	bool detach;			/* the caller detaches after the exit */
	const char *bird_output, *birdc_socket;
	const char *metrics_addr;
	unsigned int usage_interval;	/* s, 0: never */
	const char *usage_dir;
};

/* One line of the daemon's log, on stderr. */
void tg_run_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Runs until SIGTERM or SIGINT: 0, or negative errno (reported). */
int tg_daemon_run(const struct tg_run_opts *o);

#endif /* TG_DAEMON_RUN_H */
