// SPDX-License-Identifier: GPL-2.0-only
/*
 * tungate run: a foreground daemon keeping the data plane maps in step with
 * the database, for systemd. One line per event on stderr.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "routing/bird.h"
#include "util/cli.h"
#include "cmd/commands.h"
#include "db/db.h"
#include "util/log.h"
#include "daemon/metrics.h"
#include "routing/routes.h"
#include "sync/sync.h"
#include "daemon/usage.h"

#define RUN_INTERVAL_MS 250
#define RUN_USAGE_INTERVAL 300
#define RUN_BACKOFF_MAX_MS 30000
#define RUN_BUSY_MS 1000

/* Why the data plane is not in step with the database, if it is not. */
enum run_fault {
	RUN_OK,
	RUN_MISSING,	/* no database file */
	RUN_OPEN,	/* cannot open: corrupt, not a database, wrong schema */
	RUN_SYNC,	/* a sync failed: locked, maps */
	RUN_INVALID,	/* rows fail validation: retried when they change */
	RUN_MAPS,	/* cannot open the pinned maps */
};

struct run {
	/* Options. */
	unsigned int interval_ms;
	bool detach;
	const char *bird_output, *birdc_socket;
	const char *metrics_addr;
	unsigned int usage_interval;	/* s, 0: never */
	const char *usage_dir;
	/* State. */
	const char *db_path, *pin_root;
	sqlite3 *db;
	struct stat db_st;		/* the file db was opened on */
	long long data_version;		/* of the last sync attempt */
	struct tg_maps maps;
	__u64 maps_ident;		/* tg_maps_pinned_ident() of the maps held */
	enum run_fault fault;
	char cause[512];		/* of the fault, as last logged */
	unsigned int backoff_ms;
	__u64 retry_at;			/* ms, CLOCK_MONOTONIC */
	bool want_sync, want_full;
	bool kick;			/* the database changed: retry now */
	bool bird_done;			/* the BIRD include is current */
	__u64 next_usage;
	struct tg_metrics *metrics;
	unsigned long syncs;
};

static void run_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void run_log(const char *fmt, ...)
{
	va_list ap;

	fputs("tungate run: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static __u64 run_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Enter (or stay in) a fault: logged once per change of fault or cause. */
static void run_fault(struct run *r, enum run_fault f, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void run_fault(struct run *r, enum run_fault f, const char *fmt, ...)
{
	char cause[sizeof(r->cause)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cause, sizeof(cause), fmt, ap);
	va_end(ap);
	if (r->fault != f || strcmp(r->cause, cause)) {
		run_log("fault: %s; the data plane keeps its last state, retrying",
			cause);
		r->backoff_ms = r->interval_ms;
	} else {
		r->backoff_ms *= 2;
		if (r->backoff_ms > RUN_BACKOFF_MAX_MS)
			r->backoff_ms = RUN_BACKOFF_MAX_MS;
	}
	r->fault = f;
	snprintf(r->cause, sizeof(r->cause), "%s", cause);
	r->retry_at = run_now_ms() + r->backoff_ms;
}

static void run_recovered(struct run *r)
{
	if (r->fault != RUN_OK)
		run_log("recovered: %s", r->cause);
	r->fault = RUN_OK;
	r->cause[0] = '\0';
	r->backoff_ms = r->interval_ms;
	r->retry_at = 0;
}

static void run_db_close(struct run *r)
{
	tg_db_close(r->db);
	r->db = NULL;
}

/* Open the database as it is now: 0, or -1 with tg_db_last_error(). */
static int run_db_open(struct run *r)
{
	if (stat(r->db_path, &r->db_st) ||
	    tg_db_open(r->db_path, false, &r->db)) {
		r->db = NULL;
		return -1;
	}
	/* What a sync records is a cache of the maps: no fsync wait. */
	tg_db_exec(r->db, "PRAGMA synchronous = NORMAL");
	/* A long lock is a fault to report, not a reason to hang. */
	sqlite3_busy_timeout(r->db, RUN_BUSY_MS);
	return 0;
}

/* Same file, same size and modification time as when it was opened. */
static bool run_same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	       a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/*
 * Look at the database: open it when it is not, reopen it when the file
 * was replaced, deleted or rewritten behind SQLite's back (anything but a
 * commit, which goes to the WAL), and note a commit of another process
 * (data_version). Sets want_sync when a sync is due.
 */
static void run_poll_db(struct run *r)
{
	struct stat sb;
	long long dv;

	if (stat(r->db_path, &sb)) {
		if (r->db)
			run_db_close(r);
		if (r->fault != RUN_MISSING)
			run_fault(r, RUN_MISSING, "database %s: %s", r->db_path,
				  strerror(errno));
		return;
	}
	if (r->db && !run_same_file(&sb, &r->db_st)) {
		/* Checkpoints change the file too: a new connection is cheap. */
		run_db_close(r);
		r->want_sync = true;
		r->kick = true;
	}
	if (!r->db) {
		/* A file that failed to open is retried when it changes. */
		if (r->fault == RUN_OPEN && run_same_file(&sb, &r->db_st) &&
		    run_now_ms() < r->retry_at)
			return;
		if (run_db_open(r)) {
			r->db_st = sb;
			run_fault(r, RUN_OPEN, "%s", tg_db_last_error());
			return;
		}
		r->want_sync = true;
		r->kick = true;
		if (r->fault == RUN_MISSING || r->fault == RUN_OPEN)
			run_log("database %s opened", r->db_path);
	}
	if (tg_db_int(r->db, "PRAGMA data_version", &dv)) {
		run_db_close(r);
		run_fault(r, RUN_OPEN, "database %s: cannot read: file changed or corrupt",
			  r->db_path);
		return;
	}
	if (dv != r->data_version) {
		r->data_version = dv;
		r->want_sync = true;
		r->kick = true;
	}
}

/* Hold the maps pinned now (up may have made or migrated some since). */
static int run_maps(struct run *r)
{
	__u64 ident = tg_maps_pinned_ident(r->pin_root);
	int err;

	if (r->maps.tunnels >= 0 && ident == r->maps_ident)
		return 0;
	tg_maps_close(&r->maps);
	err = tg_maps_open_pinned(r->pin_root, &r->maps);
	if (err)
		return err;
	r->maps_ident = tg_maps_pinned_ident(r->pin_root);
	return 0;
}

static void run_sync(struct run *r)
{
	struct tg_sync_opts o = { .persist = true, .full = r->want_full,
				  .usage_dir = r->usage_dir };
	struct tg_sync_stats st = {};
	bool full = r->want_full, changed;
	int lock, err;

	lock = tg_pin_lock(r->pin_root);
	if (lock < 0) {
		run_fault(r, RUN_MAPS, "cannot lock the pin root %s: %s",
			  r->pin_root, strerror(-lock));
		return;
	}
	err = run_maps(r);
	if (err) {
		tg_pin_unlock(lock);
		run_fault(r, RUN_MAPS, "cannot open the maps under %s: %s",
			  r->pin_root, strerror(-err));
		return;
	}
	err = tg_sync_run(r->db, &r->maps, &o, &st);
	changed = !err && (st.added || st.changed || st.removed);
	if (changed && tg_egress_dev_ours() &&
	    tg_routes_sync(&r->maps, TG_EGRESS_DEV) < 0)
		run_log("routes to %s not all updated", TG_EGRESS_DEV);
	tg_pin_unlock(lock);
	r->syncs++;
	if (err == -EINVAL || err == -EEXIST || err == -ERANGE) {
		run_fault(r, RUN_INVALID, "sync failed: %s", st.failed);
		tg_sync_stats_free(&st);
		return;
	}
	if (err) {
		/*
		 * A file corrupted or replaced under the connection: a new one
		 * tells, and its error is the cause worth logging.
		 */
		run_db_close(r);
		if (run_db_open(r))
			run_fault(r, RUN_OPEN, "%s", tg_db_last_error());
		else
			run_fault(r, RUN_SYNC, "sync failed: %s", st.failed);
		tg_sync_stats_free(&st);
		return;
	}
	r->want_sync = false;
	r->want_full = false;
	/* full: every subscriber compared with the maps themselves. */
	if (changed || full || r->syncs == 1 || r->fault != RUN_OK)
		run_log("sync applied%s: %u added, %u changed, %u removed, %u unchanged",
			st.incremental ? "" : " (full)", st.added, st.changed,
			st.removed, st.unchanged);
	run_recovered(r);
	tg_sync_stats_free(&st);
	if (r->bird_output && (changed || !r->bird_done)) {
		err = tg_bird_write(r->db, r->bird_output, r->birdc_socket);
		if (err < 0)
			run_log("BIRD include %s: not updated, retried after the next sync: %s",
				r->bird_output, strerror(-err));
		else if (!err)
			run_log("BIRD include %s written%s", r->bird_output,
				r->birdc_socket ? ", BIRD reconfigured" : "");
		r->bird_done = err >= 0;
	}
}

static void run_usage(struct run *r)
{
	__u64 now = run_now_ms();
	int lock, err;

	if (!r->usage_interval || now < r->next_usage)
		return;
	r->next_usage = now + r->usage_interval * 1000ULL;
	if (!r->db)
		return;
	lock = tg_pin_lock(r->pin_root);
	if (lock < 0)
		return;
	/* Counters of the maps in use now, not of ones up replaced. */
	err = run_maps(r);
	if (!err)
		err = tg_usage_tick(r->db, &r->maps, r->usage_dir);
	tg_pin_unlock(lock);
	if (err)
		run_log("usage not recorded this interval");
}

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
	       "Signals: SIGHUP compares the whole database with the maps (a full\n"
	       "sync). SIGTERM and SIGINT exit with status 0 and leave the data\n"
	       "plane forwarding, or with --detach-on-exit do what 'tungate down'\n"
	       "does.\n"
	       "\n"
	       "Logs one line per event on stderr: start, sync applied (counts),\n"
	       "faults and recoveries, signals, exit.\n"
	       "\n"
	       "Options:\n"
	       "  --interval MS        how often to look (10..60000, default %d)\n"
	       "  --detach-on-exit     detach and remove the pins when exiting\n"
	       "  --bird-output FILE   rewrite this BIRD include at start and when\n"
	       "                       subscribers change (see 'tungate bird')\n"
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

static int run_args(struct run *r, int argc, char **argv)
{
	__u64 v;
	int i, err;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--interval")) {
			err = tg_opt_u64("run", argc, argv, &i, 10, 60000, &v);
			if (err)
				return err;
			r->interval_ms = v;
		} else if (!strcmp(argv[i], "--detach-on-exit")) {
			r->detach = true;
		} else if (!strcmp(argv[i], "--bird-output")) {
			err = tg_opt_value("run", argc, argv, &i, &r->bird_output);
			if (err)
				return err;
		} else if (!strcmp(argv[i], "--birdc-socket")) {
			err = tg_opt_value("run", argc, argv, &i,
					   &r->birdc_socket);
			if (err)
				return err;
		} else if (!strcmp(argv[i], "--metrics")) {
			err = tg_opt_value("run", argc, argv, &i,
					   &r->metrics_addr);
			if (err)
				return err;
		} else if (!strcmp(argv[i], "--usage-interval")) {
			err = tg_opt_u64("run", argc, argv, &i, 0, 86400 * 366,
					 &v);
			if (err)
				return err;
			r->usage_interval = v;
		} else if (!strcmp(argv[i], "--usage-dir")) {
			err = tg_opt_value("run", argc, argv, &i, &r->usage_dir);
			if (err)
				return err;
		} else {
			tg_err("run: unexpected argument '%s'; try 'tungate run help'",
			       argv[i]);
			return -EINVAL;
		}
	}
	if (r->birdc_socket && !r->bird_output) {
		tg_err("run: --birdc-socket '%s': needs --bird-output",
		       r->birdc_socket);
		return -EINVAL;
	}
	return 0;
}

static const char *run_signame(int sig)
{
	return sig == SIGHUP ? "SIGHUP" : sig == SIGTERM ? "SIGTERM" :
	       sig == SIGINT ? "SIGINT" : "signal";
}

int do_run(int argc, char **argv)
{
	struct run r = {
		.interval_ms = RUN_INTERVAL_MS,
		.usage_interval = RUN_USAGE_INTERVAL,
		.maps = TG_MAPS_INIT,
		.data_version = -1,
	};
	char *down_argv[] = { "down", NULL };
	struct timespec ts;
	sigset_t sigs;
	int sig, ret = 0;
	__u64 wait;

	if (argc > 1 && tg_is_help(argv[1]))
		return run_help();
	ret = run_args(&r, argc, argv);
	if (ret)
		return ret;
	r.db_path = tg_db_path();
	r.pin_root = tg_pin_root();
	r.backoff_ms = r.interval_ms;
	r.next_usage = run_now_ms() + r.usage_interval * 1000ULL;

	/* Signals are taken synchronously, between two looks. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigprocmask(SIG_BLOCK, &sigs, NULL);

	if (r.metrics_addr) {
		ret = tg_metrics_start(r.metrics_addr, r.db_path, r.pin_root,
				       &r.metrics);
		if (ret)
			return ret;
	}
	tg_db_set_quiet(true);
	run_log("started (version %s): database %s, pin root %s, every %u ms",
		TG_VERSION, r.db_path, r.pin_root, r.interval_ms);
	for (;;) {
		run_poll_db(&r);
		/*
		 * A fault is retried when its time comes or the database
		 * changed; invalid rows only when it changed (or on SIGHUP).
		 */
		if (r.db && (r.want_sync || r.fault != RUN_OK) &&
		    (r.fault == RUN_OK || r.kick ||
		     (r.fault != RUN_INVALID && run_now_ms() >= r.retry_at)))
			run_sync(&r);
		r.kick = false;
		run_usage(&r);

		wait = r.interval_ms;
		ts.tv_sec = wait / 1000;
		ts.tv_nsec = (wait % 1000) * 1000000;
		sig = sigtimedwait(&sigs, NULL, &ts);
		if (sig < 0)
			continue;
		run_log("%s received", run_signame(sig));
		if (sig == SIGHUP) {
			r.want_sync = true;
			r.want_full = true;
			r.kick = true;
			continue;
		}
		break;
	}
	tg_metrics_stop(r.metrics);
	tg_maps_close(&r.maps);
	run_db_close(&r);
	tg_db_set_quiet(false);
	if (r.detach) {
		ret = do_down(1, down_argv);
		run_log("exiting: data plane %s", ret ? "NOT detached" :
			"detached");
		return ret;
	}
	run_log("exiting: the data plane keeps forwarding");
	return 0;
}
