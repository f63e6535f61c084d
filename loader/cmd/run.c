// SPDX-License-Identifier: GPL-2.0-only
/* tungate run: the daemon's options; the daemon itself is daemon/run.c. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"
#include "daemon/run.h"
#include "routing/routes.h"
#include "util/caps.h"
#include "util/cli.h"

static int run_help(void)
{
	printf("Usage: tungate run [--interval MS] [--detach-on-exit]\n"
	       "                   [--bird-output FILE [--birdc-socket PATH]]\n"
	       "                   [--metrics ADDR:PORT]\n"
	       "                   [--usage-interval SEC] [--usage-dir DIR]\n"
	       "\n"
	       "Keep the data plane maps under the pin root in step with the\n"
	       "database, in the foreground (for systemd: see tungate.service).\n"
	       "Every --interval (default %d ms) it looks whether another process\n"
	       "committed to the database (SQLite's data_version) and whether the\n"
	       "file was deleted or replaced, and applies the changes with an\n"
	       "incremental sync, as 'tungate sync' does; the routes to %s\n"
	       "follow.\n"
	       "\n"
	       "A database that is missing, locked, corrupt or holds rows that\n"
	       "fail validation leaves the data plane as it is: the fault and\n"
	       "its cause (for rows: which subscriber and why) are logged once,\n"
	       "it is retried with backoff (up to %d s, at once when the\n"
	       "database changes; rows failing validation only then, or on\n"
	       "SIGHUP) and its end is logged. A sync is all or nothing.\n"
	       "\n"
	       "With 'config set wg-broker ADDR:PORT' it serves the enrolment of\n"
	       "WireGuard members (POST /wg/enrol, GET /wg/openwrt.sh; see\n"
	       "'tungate wg help'), read at start and on SIGHUP.\n"
	       "\n"
	       "Signals: SIGHUP compares the whole database with the maps (a full\n"
	       "sync). SIGTERM and SIGINT exit with status 0 and leave the data\n"
	       "plane forwarding, or with --detach-on-exit do what 'tungate down'\n"
	       "does.\n"
	       "\n"
	       "Logs one line per event on stderr: start, sync applied (counts),\n"
	       "faults and recoveries, signals, exit. Under systemd (NOTIFY_SOCKET)\n"
	       "it also reports ready after the first sync applied the database,\n"
	       "a status line (in step, or the fault), reloads and stopping, and\n"
	       "sends watchdog keep-alives when WatchdogSec= asks for them.\n"
	       "\n"
	       "Options:\n"
	       "  --interval MS        how often to look (10..60000, default %d)\n"
	       "  --detach-on-exit     detach and remove the pins when exiting\n"
	       "  --bird-output FILE   rewrite this BIRD include at start, when the\n"
	       "                       database changes, and within a second of a\n"
	       "                       drain or of the data plane going or coming\n"
	       "                       back (see 'tungate bird', 'tungate drain')\n"
	       "  --birdc-socket PATH  and reconfigure BIRD through this socket\n"
	       "  --metrics ADDR:PORT  serve Prometheus metrics on GET /metrics\n"
	       "  --usage-interval SEC record usage every SEC seconds (default %d;\n"
	       "                       0: never)\n"
	       "  --usage-dir DIR      also write each interval's usage as a text\n"
	       "                       file into DIR\n"
	       "\n"
	       "Example:\n"
	       "  tungate up --subscriber-if eth1 --uplink-if eth0\n"
	       "  tungate run --metrics 9180\n",
	       RUN_INTERVAL_MS, TG_EGRESS_DEV, RUN_BACKOFF_MAX_MS / 1000,
	       RUN_INTERVAL_MS, RUN_USAGE_INTERVAL);
	return 0;
}

static int run_args(struct tg_run_opts *o, int argc, char **argv)
{
	__u64 v;
	int i, err;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--interval")) {
			err = tg_opt_u64("run", argc, argv, &i, 10, 60000, &v);
			if (err)
				return err;
			o->interval_ms = v;
		} else if (!strcmp(argv[i], "--detach-on-exit")) {
			o->detach = true;
		} else if (!strcmp(argv[i], "--bird-output")) {
			err = tg_opt_value("run", argc, argv, &i, &o->bird_output);
			if (err)
				return err;
		} else if (!strcmp(argv[i], "--birdc-socket")) {
			err = tg_opt_value("run", argc, argv, &i,
					   &o->birdc_socket);
			if (err)
				return err;
		} else if (!strcmp(argv[i], "--metrics")) {
			err = tg_opt_value("run", argc, argv, &i,
					   &o->metrics_addr);
			if (err)
				return err;
		} else if (!strcmp(argv[i], "--usage-interval")) {
			err = tg_opt_u64("run", argc, argv, &i, 0, 86400 * 366,
					 &v);
			if (err)
				return err;
			o->usage_interval = v;
		} else if (!strcmp(argv[i], "--usage-dir")) {
			err = tg_opt_value("run", argc, argv, &i, &o->usage_dir);
			if (err)
				return err;
		} else {
			tg_err("run: unexpected argument '%s'; try 'tungate run help'",
			       argv[i]);
			return -EINVAL;
		}
	}
	if (o->birdc_socket && !o->bird_output) {
		tg_err("run: --birdc-socket '%s': needs --bird-output",
		       o->birdc_socket);
		return -EINVAL;
	}
	return 0;
}

int do_run(int argc, char **argv)
{
	struct tg_run_opts o = {
		.interval_ms = RUN_INTERVAL_MS,
		.usage_interval = RUN_USAGE_INTERVAL,
	};
	char *down_argv[] = { "down", NULL };
	int ret;

	if (argc > 1 && tg_is_help(argv[1]))
		return run_help();
	ret = run_args(&o, argc, argv);
	if (!ret)
		ret = tg_caps_require("run", true);
	if (ret)
		return ret;
	ret = tg_daemon_run(&o);
	if (ret || !o.detach)
		return ret;
	ret = do_down(1, down_argv);
	fprintf(stderr, "tungate run: exiting: data plane %s\n",
		ret ? "NOT detached" : "detached");
	return ret;
}
