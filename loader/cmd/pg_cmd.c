// SPDX-License-Identifier: GPL-2.0-only
/* Commands against PostgreSQL: pull, run on the snapshot, push. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/cli.h"
#include "cmd/pg_cmd.h"
#include "db/conn.h"
#include "db/pg.h"
#include "db/pg_log.h"
#include "db/pg_pop.h"
#include "db/settings.h"
#include "db/watcher.h"
#include "util/json.h"
#include "util/log.h"

#define PG_CMD_TRIES 3
#define PG_CMD_TIMEOUT_S 5

const char *tg_pg_snapshot_path(void)
{
	const char *env = getenv(TG_PG_SNAPSHOT_ENV);

	if (tg_opts.snapshot)
		return tg_opts.snapshot;
	return env && *env ? env : TG_DB_PATH_DEFAULT;
}

/* A prefix of word (at least two letters: 'r' is also replay). */
static bool pg_is(const char *arg, const char *word)
{
	size_t n = strlen(arg);

	return n >= 2 && !strncmp(arg, word, n);
}

static bool pg_help(int argc, char **argv)
{
	int i;

	if (!argc || pg_is(argv[0], "help") || !strcmp(argv[0], "h"))
		return true;
	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "help") || !strcmp(argv[i], "--help") ||
		    !strcmp(argv[i], "-h"))
			return true;
	return false;
}

/*
 * The daemon: it needs a snapshot to start from, pulled now if there is
 * none; from there it follows the database itself (daemon/pg_follow.c).
 */
static int pg_run(const char *url, const char *snap, int argc, char **argv,
		  int (*fn)(int argc, char **argv))
{
	char err[512], shown[256];
	long long counter;
	sqlite3 *db = NULL;
	PGconn *c = NULL;
	bool full = true;
	long changed;
	int ret;

	if (!access(snap, F_OK))
		return fn(argc, argv);
	tg_pg_url_shown(url, shown, sizeof(shown));
	ret = tg_pg_connect(url, PG_CMD_TIMEOUT_S, &c, err, sizeof(err));
	if (ret) {
		tg_err("database %s: %s; no snapshot at %s to start from",
		       shown, err, snap);
		return ret;
	}
	ret = tg_db_open(snap, true, &db);
	if (!ret) {
		ret = tg_pg_pull(c, db, &full, &counter, &changed, err,
				 sizeof(err));
		if (ret)
			tg_err("database %s: %s", shown, err);
	}
	tg_db_close(db);
	PQfinish(c);
	if (ret) {
		unlink(snap);
		return ret;
	}
	return fn(argc, argv);
}

/*
 * db migrate: PostgreSQL's tables to this version (pg_conn.c), then the
 * snapshot, when there is one, as 'db migrate' does a file.
 */
static int pg_migrate(PGconn *c, const char *shown, const char *snap,
		      int argc, char **argv)
{
	int ret, from, sfrom = TG_DB_VERSION, i;
	struct json_writer *w;
	sqlite3 *db = NULL;
	char err[512];

	for (i = 2; i < argc; i++)
		if (!tg_take_json(argv[i])) {
			tg_err("db migrate: unexpected argument '%s'", argv[i]);
			return -EINVAL;
		}
	ret = tg_pg_migrate(c, &from, err, sizeof(err));
	if (ret) {
		tg_err("db migrate: database %s: %s", shown, err);
		return ret;
	}
	if (!access(snap, F_OK)) {
		ret = tg_db_open_flags(snap, TG_DB_OLDER, &db);
		if (!ret) {
			ret = tg_db_migrate(db, &sfrom, err, sizeof(err));
			/* New columns: its next pull is a whole one. */
			if (!ret && sfrom != TG_DB_VERSION &&
			    tg_db_setting_set(db, "pg_counter", "-1")) {
				snprintf(err, sizeof(err), "%s", sqlite3_errmsg(db));
				ret = -EIO;
			}
			if (ret)
				tg_err("db migrate: snapshot %s: %s", snap, err);
		}
		tg_db_close(db);
		if (ret)
			return ret;
	}
	if (tg_opts.json) {
		w = jsonw_new(stdout);
		if (!w)
			return -ENOMEM;
		jsonw_start_object(w);
		jsonw_string_field(w, "database", shown);
		jsonw_uint_field(w, "from", from);
		jsonw_uint_field(w, "version", TG_DB_VERSION);
		jsonw_string_field(w, "snapshot", snap);
		jsonw_uint_field(w, "snapshot_from", sfrom);
		jsonw_end_object(w);
		jsonw_destroy(&w);
		return 0;
	}
	if (from == TG_DB_VERSION)
		printf("database %s is at schema version %d already\n", shown,
		       TG_DB_VERSION);
	else
		printf("database %s migrated from schema version %d to %d\n",
		       shown, from, TG_DB_VERSION);
	if (sfrom != TG_DB_VERSION)
		printf("snapshot %s migrated from schema version %d to %d\n",
		       snap, sfrom, TG_DB_VERSION);
	return 0;
}

/*
 * The command's output is held (stdout on a memory file) until its change
 * is pushed: a command run again prints once, a refused push nothing but
 * its error. Commands flush stdout themselves, so a buffer would not do.
 */
struct pg_out {
	int saved;	/* the real stdout */
	int mem;
};

static int pg_out_begin(struct pg_out *o)
{
	fflush(stdout);
	o->saved = dup(STDOUT_FILENO);
	o->mem = memfd_create("tungate-out", MFD_CLOEXEC);
	if (o->saved < 0 || o->mem < 0 || dup2(o->mem, STDOUT_FILENO) < 0) {
		if (o->saved >= 0)
			close(o->saved);
		if (o->mem >= 0)
			close(o->mem);
		o->saved = o->mem = -1;
		return -errno;
	}
	return 0;
}

/* What the command printed so far is dropped (it runs again). */
static void pg_out_reset(struct pg_out *o)
{
	fflush(stdout);
	if (o->mem >= 0 && !ftruncate(o->mem, 0))
		lseek(STDOUT_FILENO, 0, SEEK_SET);
}

/* The real stdout back, with what the command printed when keep. */
static void pg_out_end(struct pg_out *o, bool keep)
{
	char buf[65536];
	ssize_t n, w, off;

	if (o->saved < 0)
		return;
	fflush(stdout);
	dup2(o->saved, STDOUT_FILENO);
	close(o->saved);
	o->saved = -1;
	if (keep && lseek(o->mem, 0, SEEK_SET) == 0) {
		while ((n = read(o->mem, buf, sizeof(buf))) > 0)
			for (off = 0; off < n; off += w) {
				w = write(STDOUT_FILENO, buf + off, n - off);
				if (w <= 0)
					break;
			}
	}
	close(o->mem);
	o->mem = -1;
}

int tg_pg_command(const char *url, int argc, char **argv,
		  int (*fn)(int argc, char **argv))
{
	const char *snap = tg_pg_snapshot_path();
	char err[512], shown[256], why[512];
	long long counter = -1;
	sqlite3 *db = NULL;
	PGconn *c = NULL;
	struct pg_out out = { .saved = -1, .mem = -1 };
	int ret, lock = -1, tries, push_failed = 0;
	long n;

	tg_opts.db_path = snap;
	tg_opts.pg_url = url;
	/* Help, and what is refused before any database is read. */
	if (pg_help(argc, argv))
		return fn(argc, argv);
	tg_pg_url_shown(url, shown, sizeof(shown));
	if (pg_is(argv[0], "run"))
		return pg_run(url, snap, argc, argv, fn);
	/*
	 * What reads the maps, not the shared tables, and may run for long
	 * (top): on the snapshot as it is, never holding it from the daemon.
	 */
	if (pg_is(argv[0], "top") || pg_is(argv[0], "stats") ||
	    pg_is(argv[0], "status") || pg_is(argv[0], "replay"))
		return fn(argc, argv);
	/*
	 * This POP's own (its name, drain, its usage records): on the
	 * snapshot, reading PostgreSQL's POP tables themselves where they
	 * need to; it works while PostgreSQL is down and nothing of it is
	 * pushed. With no snapshot yet, pulled first as for any command.
	 */
	if ((pg_is(argv[0], "pop") || pg_is(argv[0], "usage") ||
	     pg_is(argv[0], "drain")) && !access(snap, F_OK))
		return fn(argc, argv);

	ret = tg_pg_connect(url, PG_CMD_TIMEOUT_S, &c, err, sizeof(err));
	if (ret && pg_is(argv[0], "db")) {
		tg_err("database %s: %s", shown, err);
		return ret;
	}
	if (!ret && pg_is(argv[0], "db") && argc > 1 && pg_is(argv[1], "init") &&
	    (ret = tg_pg_init(c, err, sizeof(err)))) {
		tg_err("database %s: %s", shown, err);
		goto out;
	}
	if (!ret && pg_is(argv[0], "db") && argc > 1 && pg_is(argv[1], "migrate")) {
		ret = pg_migrate(c, shown, snap, argc, argv);
		goto out;
	}
	if (!ret && !(pg_is(argv[0], "db") && argc > 1 && pg_is(argv[1], "init")) &&
	    (ret = tg_pg_meta(c, NULL, err, sizeof(err)))) {
		tg_err(ret == -ENOENT ? "database %s %s" : "database %s: %s",
		       shown, err);
		goto out;
	}
	if (ret) {
		/* Unreachable: only a snapshot there is can answer. */
		snprintf(why, sizeof(why), "%s", err);
		if (access(snap, F_OK)) {
			tg_err("database %s: unreachable (%s); no snapshot at %s",
			       shown, why, snap);
			goto out;
		}
	}
	ret = tg_db_open(snap, true, &db);
	if (ret)
		goto out;
	/* One command at a time on a snapshot; the daemon waits too. */
	lock = open(snap, O_RDWR | O_CLOEXEC);
	if (lock < 0 || flock(lock, LOCK_EX)) {
		ret = -errno;
		tg_err("snapshot %s: cannot lock it: %s", snap, strerror(errno));
		goto out;
	}
	/* Its daemon reads none of it until the change is pushed or taken back. */
	ret = tg_db_busy_hold(lock);
	if (ret) {
		tg_err("snapshot %s: cannot lock it: %s", snap, strerror(-ret));
		goto out;
	}
	ret = pg_out_begin(&out);
	if (ret) {
		tg_err("cannot hold the output: %s", strerror(-ret));
		goto out;
	}
	for (tries = 1;; tries++) {
		long changed;

		/* A try before left its change unpushed: all of it again. */
		bool full = tries > 1;

		ret = c ? tg_pg_pull(c, db, &full, &counter, &changed, err,
				     sizeof(err)) : 0;
		if (!ret && c)
			pr_info("database %s: change %lld pulled (%ld rows written, %s)\n",
				shown, counter, changed,
				full ? "all compared" : "only what changed");
		if (ret) {
			pg_out_end(&out, false);
			tg_err("database %s: %s", shown, err);
			/* A try before was not pushed: back as it was. */
			if (tries > 1 && tg_pg_log_undo(db, err, sizeof(err)))
				pr_warn("tungate: snapshot %s: %s\n", snap, err);
			goto out;
		}
		/* What the command changes from here is what the push sends. */
		ret = tg_pg_log_arm(db, err, sizeof(err));
		if (ret) {
			pg_out_end(&out, false);
			tg_err("%s", err);
			goto out;
		}
		tg_db_lend(snap, db);
		ret = fn(argc, argv);
		tg_db_lend(snap, NULL);
		if (ret)
			break;
		if (!c) {
			n = tg_pg_pending(db, err, sizeof(err));
			if (n) {
				pg_out_end(&out, false);
				tg_err("database %s: unreachable (%s); the change is not made",
				       shown, why);
				ret = -EIO;
			} else {
				pr_warn("tungate: database %s: %s; answered from the snapshot %s\n",
					shown, why, snap);
			}
			break;
		}
		ret = tg_pg_push(c, db, counter, &n, err, sizeof(err));
		push_failed = ret;
		if (ret != -EAGAIN || tries == PG_CMD_TRIES)
			break;
		/* Another writer came first: again, from what it left. */
		pg_out_reset(&out);
		tg_log(TG_LOG_INFO, "database %s: changed meanwhile, trying again\n",
		       shown);
	}
	if (ret == -EAGAIN) {
		pg_out_end(&out, false);
		tg_err("database %s: changed by another writer during each of %d tries; nothing changed, try again",
		       shown, PG_CMD_TRIES);
	} else if (push_failed) {
		pg_out_end(&out, false);
		tg_err("database %s: cannot write: %s; nothing changed", shown,
		       err);
	}
	/* Nothing half-made: the snapshot as PostgreSQL has it. */
	if (ret && tg_pg_log_undo(db, err, sizeof(err)))
		pr_warn("tungate: snapshot %s: %s\n", snap, err);
	else if (!ret && tg_pg_log_disarm(db, err, sizeof(err)))
		pr_warn("tungate: snapshot %s: %s\n", snap, err);
out:
	/* The command's own output: its result, or its own error. */
	pg_out_end(&out, true);
	fflush(stdout);
	if (lock >= 0)
		close(lock);
	tg_db_close(db);
	PQfinish(c);
	return ret;
}

int tg_pg_pop_connect(const char *what, PGconn **c, char *why,
		      size_t whylen)
{
	char err[512], shown[256];
	int ret;

	tg_pg_url_shown(tg_opts.pg_url, shown, sizeof(shown));
	ret = tg_pg_connect(tg_opts.pg_url, PG_CMD_TIMEOUT_S, c, err,
			    sizeof(err));
	if (ret && why) {
		snprintf(why, whylen, "database %s: %s", shown, err);
		return -ENOTCONN;
	}
	if (!ret)
		ret = tg_pg_meta(*c, NULL, err, sizeof(err));
	if (!ret)
		ret = tg_pg_pop_tables(*c, err, sizeof(err));
	if (ret)
		tg_err(ret == -ENOENT ? "%s: database %s %s" : "%s: database %s: %s",
		       what, shown, err);
	return ret;
}
