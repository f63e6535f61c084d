// SPDX-License-Identifier: GPL-2.0-only
/* Commands against PostgreSQL: pull, run on the snapshot, push. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "util/cli.h"
#include "cmd/pg_cmd.h"
#include "db/conn.h"
#include "db/pg.h"
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
		ret = tg_pg_pull(c, db, &counter, &changed, err, sizeof(err));
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

/* The command's output is held until its change is pushed. */
static char pg_out[1 << 20];

int tg_pg_command(const char *url, int argc, char **argv,
		  int (*fn)(int argc, char **argv))
{
	const char *snap = tg_pg_snapshot_path();
	char err[512], shown[256], why[512];
	long long counter = -1;
	sqlite3 *db = NULL;
	PGconn *c = NULL;
	int ret, lock = -1, tries;
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
	if (!ret && !(pg_is(argv[0], "db") && argc > 1 && pg_is(argv[1], "init")) &&
	    (ret = tg_pg_check(c, err, sizeof(err)))) {
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
	lock = open(snap, O_RDONLY | O_CLOEXEC);
	if (lock < 0 || flock(lock, LOCK_EX)) {
		ret = -errno;
		tg_err("snapshot %s: cannot lock it: %s", snap, strerror(errno));
		goto out;
	}
	setvbuf(stdout, pg_out, _IOFBF, sizeof(pg_out));
	for (tries = 1;; tries++) {
		long changed;

		ret = c ? tg_pg_pull(c, db, &counter, &changed, err, sizeof(err)) :
		      tg_pg_base_local(db, err, sizeof(err));
		if (ret) {
			tg_err("database %s: %s", shown, err);
			goto out;
		}
		ret = fn(argc, argv);
		if (ret)
			break;
		if (!c) {
			n = tg_pg_pending(db, err, sizeof(err));
			if (n) {
				__fpurge(stdout);
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
		if (ret != -EAGAIN || tries == PG_CMD_TRIES)
			break;
		/* Another writer came first: again, from what it left. */
		__fpurge(stdout);
		tg_log(TG_LOG_INFO, "database %s: changed meanwhile, trying again\n",
		       shown);
	}
	if (ret == -EAGAIN) {
		__fpurge(stdout);
		tg_err("database %s: changed by another writer during each of %d tries; nothing changed, try again",
		       shown, PG_CMD_TRIES);
	} else if (ret == -EIO && c) {
		__fpurge(stdout);
		tg_err("database %s: cannot write: %s; nothing changed", shown,
		       err);
	}
	/* Nothing half-made: the snapshot as PostgreSQL has it. */
	if (ret && tg_pg_revert(db, err, sizeof(err)))
		pr_warn("tungate: snapshot %s: %s\n", snap, err);
out:
	fflush(stdout);
	if (lock >= 0)
		close(lock);
	tg_db_close(db);
	PQfinish(c);
	return ret;
}
