// SPDX-License-Identifier: GPL-2.0-only
/*
 * tungate run: a foreground daemon keeping the data plane maps in step with
 * the database, for systemd. One line per event on stderr.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "routing/bird.h"
#include "util/caps.h"
#include "util/cli.h"
#include "db/db.h"
#include "db/watcher.h"
#include "util/log.h"
#include "daemon/live_log.h"
#include "daemon/keepalive.h"
#include "daemon/lns.h"
#include "daemon/metrics.h"
#include "daemon/wg_broker.h"
#include "daemon/notify.h"
#include "daemon/pg_follow.h"
#include "daemon/run.h"
#include "routing/routes.h"
#include "sync/sync.h"
#include "dataplane/usage.h"
#include "wg/privkey.h"
#include "wg/wg_sync.h"

#define RUN_BUSY_MS 1000
/*
 * How long a command holding PostgreSQL's snapshot holds the daemon back
 * (PostgreSQL slow): then it reads the snapshot anyway, so that sessions
 * and other changes of its own are not held up.
 */
#define RUN_SNAP_WAIT_MS 2000
/* Sessions that come or go within so long go into the maps in one sync. */
#define RUN_LNS_BATCH_MS 50
/*
 * Routes and the BIRD include walk every prefix: while sessions come in
 * bursts they follow the maps at most once in this many ms.
 */
#define RUN_ROUTES_MIN_MS 1000
/*
 * How often the daemon looks whether this POP is drained and its data
 * plane attached: the BIRD include follows within a second.
 */
#define RUN_BIRD_LOOK_MS 250
/*
 * What the daemon keeps: BPF maps and programs (CAP_BPF; CAP_SYS_ADMIN
 * stands for it on kernels older than 5.8), links, tc filters and routes
 * (CAP_NET_ADMIN), reading the data plane's state (CAP_PERFMON), and the
 * L2TP server's port (CAP_NET_BIND_SERVICE). Not CAP_NET_RAW: the socket
 * of the keepalives is opened before the others go.
 */
#define RUN_CAPS (1ULL << TG_CAP_BPF | 1ULL << TG_CAP_NET_ADMIN |	\
		  1ULL << TG_CAP_PERFMON | 1ULL << TG_CAP_NET_BIND_SERVICE | \
		  (tg_cap_known(TG_CAP_BPF) ? 0 : 1ULL << TG_CAP_SYS_ADMIN))

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
	struct tg_run_opts o;
	/* State. */
	const char *db_path, *pin_root;
	sqlite3 *db;
	int watch_fd;			/* tg_db_watch_hold() of db, or -1 */
	__u64 snap_busy_at;		/* since when a command holds it, or 0 */
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
	bool routes_due;		/* the maps changed since routes followed */
	bool bird_due;			/* the BIRD include is to be written */
	int bird_state;			/* enum tg_bird_state, -1: not known */
	__u64 bird_look_at;		/* ms: look at the state again */
	__u64 routes_at;		/* ms: routes may follow again */
	__u64 next_usage;
	struct tg_metrics *metrics;
	unsigned long syncs;
	struct tg_notify notify;	/* to systemd, when under it */
	bool reloading;			/* SIGHUP: until the full sync ends */
	bool db_changed;		/* another process wrote the database */
	struct tg_lnsd lns;
	bool lns_started;		/* settings read once the database opened */
	__u64 lns_sync_at;		/* ms: sessions came or went, sync then */
	__u64 lns_next;			/* ms: the LNS's next timer */
	struct tg_live_log live;	/* subscribers going down, back */
	struct tg_keepalive ka;		/* EoIP keepalives we send */
	struct tg_pg_follow pg;		/* PostgreSQL -> the snapshot */
	struct tg_wg_brokerd broker;	/* WireGuard members' enrolment */
};

void tg_run_log(const char *fmt, ...)
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
		tg_run_log("fault: %s; the data plane keeps its last state, retrying",
			cause);
		r->backoff_ms = r->o.interval_ms;
	} else {
		r->backoff_ms *= 2;
		if (r->backoff_ms > RUN_BACKOFF_MAX_MS)
			r->backoff_ms = RUN_BACKOFF_MAX_MS;
	}
	r->fault = f;
	snprintf(r->cause, sizeof(r->cause), "%s", cause);
	r->retry_at = run_now_ms() + r->backoff_ms;
	tg_notify_status(&r->notify,
			 "fault: %s; the data plane keeps its last state, retrying",
			 cause);
	/* A reload ends with its sync, done or not. */
	if (r->reloading) {
		r->reloading = false;
		tg_notify_ready(&r->notify);
	}
}

/* In step: the status line, and ready (at start, after a reload). */
static void run_in_step(struct run *r)
{
	long long n = -1;

	tg_db_int(r->db, "SELECT count(*) FROM subscriber WHERE enabled = 1",
		  &n);
	tg_notify_status(&r->notify, "in step, %lld subscriber%s", n,
			 n == 1 ? "" : "s");
	r->reloading = false;
	tg_notify_ready(&r->notify);
}

static void run_recovered(struct run *r)
{
	if (r->fault != RUN_OK)
		tg_run_log("recovered: %s", r->cause);
	r->fault = RUN_OK;
	r->cause[0] = '\0';
	r->backoff_ms = r->o.interval_ms;
	r->retry_at = 0;
}

static void run_db_close(struct run *r)
{
	tg_db_close(r->db);
	r->db = NULL;
	tg_lnsd_set_db(&r->lns, NULL);
	if (r->watch_fd >= 0)
		close(r->watch_fd);
	r->watch_fd = -1;
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
	tg_lnsd_set_db(&r->lns, r->db);
	/* The command line tells that changes need no 'tungate sync'. */
	r->watch_fd = tg_db_watch_hold(r->db_path);
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
			tg_run_log("database %s opened", r->db_path);
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
		r->db_changed = true;
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

/*
 * The kernel's routes to the egress device and the BIRD include follow
 * the maps: at once after a quiet spell, else when RUN_ROUTES_MIN_MS has
 * passed since they last did.
 */
static void run_routes(struct run *r)
{
	__u64 now = run_now_ms();
	int lock, err;

	/* No maps held (no sync yet, or they went): the next sync's turn. */
	if ((!r->routes_due && !r->bird_due) || now < r->routes_at || !r->db ||
	    r->maps.prefix4 < 0)
		return;
	r->routes_at = now + RUN_ROUTES_MIN_MS;
	if (r->routes_due && tg_egress_dev_ours()) {
		lock = tg_pin_lock(r->pin_root);
		if (lock < 0 || tg_routes_sync(&r->maps, TG_EGRESS_DEV) < 0)
			tg_run_log("routes to %s not all updated", TG_EGRESS_DEV);
		if (lock >= 0)
			tg_pin_unlock(lock);
	}
	r->routes_due = false;
	/* Never written before this POP's state is known: no false withdrawal. */
	if (r->bird_due && r->bird_state < 0)
		r->bird_state = tg_bird_state(r->db, r->pin_root);
	if (r->bird_due) {
		r->bird_due = false;
		err = tg_bird_write(r->db, r->o.bird_output, r->o.birdc_socket,
				    r->bird_state);
		if (err < 0)
			tg_run_log("BIRD include %s: not updated, retried after the next sync: %s",
				r->o.bird_output, strerror(-err));
		else if (!err)
			tg_run_log("BIRD include %s written%s", r->o.bird_output,
				r->o.birdc_socket ? ", BIRD reconfigured" : "");
	}
}

/*
 * This POP drained or back, its data plane gone or back: the BIRD include
 * withdraws or announces the routes at once, without waiting for a sync.
 */
static void run_bird_look(struct run *r)
{
	__u64 now = run_now_ms();
	int st;

	if (!r->o.bird_output || !r->db || now < r->bird_look_at)
		return;
	r->bird_look_at = now + RUN_BIRD_LOOK_MS;
	st = tg_bird_state(r->db, r->pin_root);
	if (st == r->bird_state)
		return;
	if (r->bird_state >= 0)
		tg_run_log("this POP is now %s: rewriting the BIRD include",
			   tg_bird_state_name(st));
	r->bird_state = st;
	r->bird_due = true;
	r->routes_at = 0;
}

/*
 * WireGuard members follow every sync: peers of members disabled or
 * deleted go at once. A failure is logged and tried at the next sync.
 */
static void run_wireguard(struct run *r)
{
	struct tg_wg_sync_stats ws;
	const struct tg_wg_dev_stats *d;
	char key_path[4200];
	int err;

	err = tg_wg_privkey_path(key_path, sizeof(key_path));
	if (err) {
		tg_run_log("WireGuard: no path for the private key: %s",
			   strerror(-err));
		return;
	}
	err = tg_wg_sync(r->db, key_path, &ws);
	if (err) {
		tg_run_log("WireGuard: not in step with the database: %s",
			   ws.failed);
		return;
	}
	for (d = ws.dev; d < ws.dev + ws.ndev; d++)
		if (d->added || d->changed || d->removed || r->syncs == 1)
			tg_run_log("WireGuard %s: %u peers (%u added, %u changed, %u removed)",
				   d->ifname, d->peers, d->added, d->changed,
				   d->removed);
	if (ws.deleted)
		tg_run_log("WireGuard: %u interfaces no member uses deleted",
			   ws.deleted);
}

static void run_sync(struct run *r)
{
	struct tg_sync_opts o = { .persist = true, .full = r->want_full,
				  .usage_dir = r->o.usage_dir,
				  .pin_root = r->pin_root };
	struct tg_sync_stats st = {};
	bool full = r->want_full, changed;
	struct tg_settings set;
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
	tg_pin_unlock(lock);
	if (changed)
		r->routes_due = true;
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
		tg_run_log("sync applied%s: %u added, %u changed, %u removed, %u unchanged",
			st.incremental ? "" : " (full)", st.added, st.changed,
			st.removed, st.unchanged);
	run_recovered(r);
	run_in_step(r);
	tg_sync_stats_free(&st);
	/*
	 * Who gets keepalives follows what the sync applied. Read after
	 * every sync, not only one that changed the maps: an interval (the
	 * subscriber's or the setting) is in no map. A sync runs only when
	 * the database changed, so this is no read per tick.
	 */
	err = tg_keepalive_load(&r->ka, r->db, run_now_ms());
	if (err)
		tg_run_log("eoip keepalives: subscribers not read (%s); the last list stays",
			   strerror(-err));
	run_wireguard(r);
	/* The liveness timeout as the settings, which sync checked, say. */
	if (!tg_db_settings_load(r->db, &set))
		r->live.timeout_s = set.liveness_timeout;
	/*
	 * The include holds more than the maps do (the anycast setting, home
	 * POPs): looked at after every sync, which runs only when the
	 * database changed; text that is current is left alone. After a
	 * failure, tried again after the next sync.
	 */
	r->bird_due = r->o.bird_output != NULL;
	run_routes(r);
}

static void run_usage(struct run *r)
{
	__u64 now = run_now_ms();
	int lock, err;

	if (!r->o.usage_interval || now < r->next_usage)
		return;
	r->next_usage = now + r->o.usage_interval * 1000ULL;
	if (!r->db)
		return;
	lock = tg_pin_lock(r->pin_root);
	if (lock < 0)
		return;
	/* Counters of the maps in use now, not of ones up replaced. */
	err = run_maps(r);
	if (!err)
		err = tg_usage_tick(r->db, &r->maps, r->o.usage_dir);
	tg_pin_unlock(lock);
	if (err)
		tg_run_log("usage not recorded this interval");
}

static const char *run_signame(int sig)
{
	return sig == SIGHUP ? "SIGHUP" : sig == SIGTERM ? "SIGTERM" :
	       sig == SIGINT ? "SIGINT" : "signal";
}

/* The LNS's settings, once the database is open; again on SIGHUP. */
static void run_lns(struct run *r, bool reload)
{
	struct tg_radius_settings rad;
	struct tg_lns_settings cur;
	char err[256];
	bool keep;

	if (!r->db || (r->lns_started && !reload))
		return;
	if (r->lns_started) {
		if (tg_lns_settings_load(r->db, &cur, err, sizeof(err)) ||
		    tg_radius_settings_load(r->db, &cur, &rad, err, sizeof(err)))
			return;
		if (!memcmp(&cur, &r->lns.cfg, sizeof(cur)) &&
		    (!cur.on || !memcmp(&rad, &r->lns.rad, sizeof(rad))))
			return;
		/* The sessions stay unless the LNS goes or moves. */
		keep = cur.on && r->lns.on &&
		       !memcmp(&cur.listen, &r->lns.cfg.listen,
			       sizeof(cur.listen));
		tg_run_log("lns: settings changed: restarting the LNS%s",
			   keep ? "" : "; its sessions end");
		r->lns.stop_cause = TG_ACCT_NAS_REQUEST;
		tg_lnsd_stop(&r->lns, keep);
	}
	r->lns_started = true;
	tg_lnsd_start(&r->lns, r->db, run_now_ms());
	tg_lnsd_set_maps(&r->lns, &r->maps);
}

/* The LNS's datagrams and timers; a session that came or went: sync. */
static void run_lns_io(struct run *r, bool readable)
{
	__u64 now = run_now_ms();

	if (readable)
		tg_lnsd_read(&r->lns, now);
	/* Its timers are looked at once a round: each look walks them all. */
	r->lns_next = tg_lnsd_deadline(&r->lns);
	if (now >= r->lns_next) {
		tg_lnsd_tick(&r->lns, now);
		r->lns_next = tg_lnsd_deadline(&r->lns);
	}
	if (r->lns.changed) {
		r->lns.changed = false;
		if (!r->lns_sync_at)
			r->lns_sync_at = now + RUN_LNS_BATCH_MS;
	}
	if (r->lns_sync_at && run_now_ms() >= r->lns_sync_at) {
		r->lns_sync_at = 0;
		r->want_sync = true;
		r->kick = true;
	}
}

/*
 * A command on PostgreSQL's snapshot marks it busy from its pull to its
 * push (tg_db_busy_hold()), and what it wrote is taken back when the push
 * fails or cannot be made: meanwhile the daemon neither reads nor applies
 * it (up to RUN_SNAP_WAIT_MS). 1 a look taken until run_snap_release(), 0
 * nothing to hold (a file of SQLite's, none open, or waited long enough),
 * -1 a command has it: look again at the next tick.
 */
static int run_snap_hold(struct run *r)
{
	__u64 now;
	int ret;

	if (!tg_opts.pg_url || r->watch_fd < 0)
		return 0;
	ret = tg_db_look_begin(r->watch_fd);
	if (ret) {
		r->snap_busy_at = 0;
		return ret > 0;
	}
	now = run_now_ms();
	if (!r->snap_busy_at)
		r->snap_busy_at = now;
	return now - r->snap_busy_at < RUN_SNAP_WAIT_MS ? -1 : 0;
}

static void run_snap_release(const struct run *r)
{
	if (r->watch_fd >= 0)
		tg_db_look_end(r->watch_fd);
}

/* Until the next thing to do: systemd, a retry, the LNS's timers. */
static int run_wait_ms(struct run *r)
{
	__u64 now = run_now_ms(), wait, dl;

	wait = tg_notify_wait_ms(&r->notify, now, r->o.interval_ms);
	dl = r->lns_next;
	if (r->lns_sync_at && r->lns_sync_at < dl)
		dl = r->lns_sync_at;
	/* Both need the database: while it is gone, its retry comes first. */
	if (r->db && r->o.bird_output && r->bird_look_at < dl)
		dl = r->bird_look_at;
	if (r->db && (r->routes_due || r->bird_due) && r->routes_at < dl)
		dl = r->routes_at;
	if (r->maps.seen >= 0 && r->live.next_ms < dl)
		dl = r->live.next_ms;
	if (tg_keepalive_deadline(&r->ka) < dl)
		dl = tg_keepalive_deadline(&r->ka);
	if (dl != UINT64_MAX)
		wait = dl <= now ? 0 : dl - now < wait ? dl - now : wait;
	return (int)wait;
}

int tg_daemon_run(const struct tg_run_opts *o)
{
	struct run r = {
		.o = *o,
		.maps = TG_MAPS_INIT,
		.data_version = -1,
		.watch_fd = -1,
		.pg = { .wake = -1, .stop = -1 },
		.routes_due = true,	/* the first sync's, changed or not */
		.live = { .timeout_s = TG_LIVENESS_TIMEOUT_S },
		.bird_state = -1,
	};
	struct signalfd_siginfo si;
	struct pollfd pfd[7];
	sigset_t sigs;
	int sig, ret = 0, sfd;

	r.db_path = tg_db_path();
	r.pin_root = tg_pin_root();
	r.backoff_ms = r.o.interval_ms;
	r.next_usage = run_now_ms() + r.o.usage_interval * 1000ULL;
	r.lns.srv.fd = -1;
	r.lns_next = UINT64_MAX;
	tg_keepalive_init(&r.ka);
	tg_notify_init(&r.notify, run_now_ms());

	/* Signals are taken synchronously, between two looks. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	sfd = signalfd(-1, &sigs, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd < 0) {
		ret = -errno;
		tg_run_log("cannot take signals: %s", strerror(errno));
		return ret;
	}

	if (r.o.metrics_addr) {
		ret = tg_metrics_start(r.o.metrics_addr, r.db_path, r.pin_root,
				       &r.metrics);
		if (ret) {
			close(sfd);
			return ret;
		}
	}
	tg_wg_brokerd_init(&r.broker);
	tg_metrics_lns(r.metrics, &r.lns);
	tg_metrics_wg_enrol(r.metrics, r.broker.results);
	tg_metrics_keepalives(r.metrics, &r.ka.sent);
	/*
	 * The raw socket of the keepalives, while CAP_NET_RAW is there: the
	 * socket stays, the capability goes. Without it none are sent (said
	 * once there is an eoip subscriber).
	 */
	tg_keepalive_open(&r.ka);
	/*
	 * Set up: from here on the daemon reads files it owns, maps, links
	 * and routes, and parses HTTP requests and L2TP; it keeps only what
	 * that (and --detach-on-exit) needs, and what binds the LNS's port
	 * (when the database opens, and again on SIGHUP).
	 */
	ret = tg_caps_keep(RUN_CAPS);
	if (ret) {
		tg_metrics_stop(r.metrics);
		tg_keepalive_close(&r.ka);
		close(sfd);
		tg_run_log("cannot drop capabilities: %s", strerror(-ret));
		return ret;
	}
	tg_db_set_quiet(true);
	tg_run_log("started (version %s): database %s, pin root %s, every %u ms",
		   TG_VERSION, r.db_path, r.pin_root, r.o.interval_ms);
	/* After the capabilities went: the thread has none either. */
	if (tg_opts.pg_url)
		tg_pg_follow_start(&r.pg, tg_opts.pg_url, r.db_path);
	tg_notify_status(&r.notify, "starting: first sync of %s", r.db_path);
	for (;;) {
		int snap = run_snap_hold(&r);

		if (snap >= 0) {
			run_poll_db(&r);
			/* Opened just now: held from here on. */
			if (!snap)
				snap = run_snap_hold(&r);
		}
		if (snap >= 0) {
			run_lns(&r, false);
			tg_wg_brokerd_follow(&r.broker, r.db, false);
		}
		/* Sessions killed, of members disabled or deleted, end. */
		if (snap != -1 && r.db_changed) {
			r.db_changed = false;
			tg_lnsd_reconcile(&r.lns, run_now_ms());
			run_lns_io(&r, false);
		}
		/*
		 * A fault is retried when its time comes or the database
		 * changed; invalid rows only when it changed (or on SIGHUP).
		 */
		if (snap != -1 && r.db && (r.want_sync || r.fault != RUN_OK) &&
		    (r.fault == RUN_OK || r.kick ||
		     (r.fault != RUN_INVALID && run_now_ms() >= r.retry_at)))
			run_sync(&r);
		if (snap > 0)
			run_snap_release(&r);
		/* A reload with no database to compare ends at once. */
		if (r.reloading && !r.db) {
			r.reloading = false;
			tg_notify_ready(&r.notify);
		}
		/* Held back by a command: what kicked goes on to the next tick. */
		if (snap != -1)
			r.kick = false;
		run_bird_look(&r);
		run_routes(&r);
		run_usage(&r);
		tg_live_log_tick(&r.live, &r.maps, r.db, run_now_ms());
		tg_keepalive_tick(&r.ka, run_now_ms());
		tg_notify_watchdog(&r.notify, run_now_ms());

		pfd[0] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = tg_lnsd_fd(&r.lns),
					  .events = POLLIN };
		pfd[2] = (struct pollfd){ .fd = tg_lnsd_radius_fd(&r.lns),
					  .events = POLLIN };
		pfd[3] = (struct pollfd){ .fd = tg_lnsd_acct_fd(&r.lns),
					  .events = POLLIN };
		pfd[4] = (struct pollfd){ .fd = tg_lnsd_dae_fd(&r.lns),
					  .events = POLLIN };
		pfd[5] = (struct pollfd){ .fd = tg_pg_follow_fd(&r.pg),
					  .events = POLLIN };
		pfd[6] = (struct pollfd){ .fd = tg_wg_brokerd_fd(&r.broker),
					  .events = POLLIN };
		if (poll(pfd, 7, run_wait_ms(&r)) < 0 && errno != EINTR)
			break;
		/* An enrolment wrote the database: its peer at once. */
		if (pfd[6].revents & POLLIN)
			tg_wg_brokerd_read(&r.broker);
		/* A pull changed the snapshot: the next look sees it. */
		if (pfd[5].revents & POLLIN)
			tg_pg_follow_read(&r.pg);
		if (pfd[2].revents & POLLIN)
			tg_lnsd_radius_read(&r.lns, run_now_ms());
		if (pfd[3].revents & POLLIN)
			tg_lnsd_acct_read(&r.lns);
		if (pfd[4].revents & POLLIN)
			tg_lnsd_dae_read(&r.lns);
		run_lns_io(&r, pfd[1].revents & POLLIN);
		if (!(pfd[0].revents & POLLIN) ||
		    read(sfd, &si, sizeof(si)) != sizeof(si))
			continue;
		sig = (int)si.ssi_signo;
		tg_run_log("%s received", run_signame(sig));
		if (sig == SIGHUP) {
			/* Before the first sync there is nothing to reload. */
			if (r.notify.ready) {
				tg_notify_reloading(&r.notify,
						    "reloading: comparing the whole database with the maps");
				r.reloading = true;
			}
			run_lns(&r, true);
			tg_wg_brokerd_follow(&r.broker, r.db, true);
			r.want_sync = true;
			r.want_full = true;
			r.kick = true;
			continue;
		}
		break;
	}
	tg_pg_follow_stop(&r.pg);
	/* What the last syncs changed, before the maps are left alone. */
	r.routes_at = 0;
	run_routes(&r);
	tg_notify_stopping(&r.notify, r.o.detach ?
			   "stopping: detaching the data plane" :
			   "stopping: the data plane keeps forwarding");
	/* A restart or an upgrade: the next process takes the sessions. */
	tg_lnsd_stop(&r.lns, !r.o.detach);
	tg_wg_brokerd_stop(&r.broker);
	tg_metrics_stop(r.metrics);
	tg_keepalive_close(&r.ka);
	tg_maps_close(&r.maps);
	tg_live_log_free(&r.live);
	run_db_close(&r);
	close(sfd);
	tg_db_set_quiet(false);
	if (!r.o.detach)
		tg_run_log("exiting: the data plane keeps forwarding");
	return 0;
}
