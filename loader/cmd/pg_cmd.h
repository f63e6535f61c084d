/* SPDX-License-Identifier: GPL-2.0-only */
/* Any command against PostgreSQL, through the local snapshot. */
#ifndef TG_CMD_PG_CMD_H
#define TG_CMD_PG_CMD_H

/* Where the snapshot is: --snapshot, $TUNGATE_SNAPSHOT or the default. */
const char *tg_pg_snapshot_path(void);

/*
 * Run fn(argc, argv) on the snapshot of the PostgreSQL database url:
 * pull, run, push what it changed (again from the pull when another
 * writer came first, at most three times). Unreachable, reads are
 * answered from the snapshot and writes refused. 'run' follows the
 * database itself. 0 or negative errno, reported.
 */
int tg_pg_command(const char *url, int argc, char **argv,
		  int (*fn)(int argc, char **argv));

/*
 * Connect to --db's PostgreSQL for what reads or writes its POP tables
 * (pop list, usage): initialised by this version, the POP tables made
 * when an older one did not. 0, or negative errno reported as "what:";
 * with why, unreachable is -ENOTCONN, not reported, the cause in why.
 */
struct pg_conn;
int tg_pg_pop_connect(const char *what, struct pg_conn **c, char *why,
		      size_t whylen);

#endif /* TG_CMD_PG_CMD_H */
