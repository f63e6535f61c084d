// SPDX-License-Identifier: GPL-2.0-only
/*
 * The accounting engine driven from stdin, for tests/e2e/radius_acct.sh:
 *   radius-acct-drive DB SERVERS SECRET < commands
 * commands, one a line:
 *   start ID USER IP		a session up (Start record)
 *   counters ID IN OUT		its counters from now on (octets; packets 1/1)
 *   advance SECONDS		the clock moves on; Interim-Updates due sent
 *   stop ID			its Stop with its counters (User-Request)
 *   flush SECONDS		wait until the queue is empty (exit 1 if not)
 * Prints "queued N" at the end. The clock starts at the real time.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include "db/conn.h"
#include "radius/acct.h"
#include "radius/acct_queue.h"

#define MAX_SESSIONS 64

static struct {
	char id[64];
	struct tg_acct_counters c;
} sess[MAX_SESSIONS];
static int nsess;

static struct tg_acct_counters *counters_of(const char *id)
{
	int i;

	for (i = 0; i < nsess; i++)
		if (!strcmp(sess[i].id, id))
			return &sess[i].c;
	if (nsess == MAX_SESSIONS)
		return NULL;
	snprintf(sess[nsess].id, sizeof(sess[nsess].id), "%s", id);
	return &sess[nsess++].c;
}

static int read_counters(void *ctx, const char *id, struct tg_acct_counters *c)
{
	struct tg_acct_counters *x = counters_of(id);

	if (!x)
		return -ENOENT;
	*c = *x;
	return 0;
}

static int flush(struct tg_acct *a, sqlite3 *db, __s64 *now, int seconds)
{
	struct pollfd p = { .fd = tg_acct_fd(a), .events = POLLIN };
	time_t end = time(NULL) + seconds, last = 0;

	while (time(NULL) < end) {
		if (!tg_acct_busy(a) && !tg_acct_queue_len(db))
			return 0;
		if (poll(&p, 1, 100) > 0 && tg_acct_read(a, *now))
			return 1;
		if (time(NULL) != last) {
			last = time(NULL);
			*now += 1;
			if (tg_acct_tick(a, *now))
				return 1;
		}
	}
	return 1;
}

int main(int argc, char **argv)
{
	struct tg_acct_config cfg = { .timeout = 1, .retries = 1,
				      .interim = 60, .nas_identifier = "tungate-test" };
	struct tg_acct_session s;
	struct tg_acct_counters *c;
	struct tg_acct *a;
	sqlite3 *db;
	char line[256], cmd[32], id[64], user[64], ip[32];
	unsigned long long in, out;
	__s64 now = time(NULL);
	int n, ret = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: %s DB SERVERS SECRET < commands\n", argv[0]);
		return 2;
	}
	cfg.servers = argv[2];
	cfg.secret = argv[3];
	inet_pton(AF_INET, "192.0.2.1", &cfg.nas_ip);
	if (tg_db_open(argv[1], true, &db) ||
	    tg_acct_open(&cfg, db, read_counters, NULL, &a))
		return 1;
	while (!ret && fgets(line, sizeof(line), stdin)) {
		if (sscanf(line, "%31s", cmd) != 1)
			continue;
		if (!strcmp(cmd, "start") &&
		    sscanf(line, "%*s %63s %63s %31s", id, user, ip) == 3) {
			memset(&s, 0, sizeof(s));
			snprintf(s.id, sizeof(s.id), "%s", id);
			snprintf(s.user, sizeof(s.user), "%s", user);
			inet_pton(AF_INET, ip, &s.ip);
			snprintf(s.calling, sizeof(s.calling), "203.0.113.5");
			s.nas_port = nsess + 1;
			s.started = now;
			counters_of(id);
			ret = tg_acct_start(a, &s, now);
		} else if (!strcmp(cmd, "counters") &&
			   sscanf(line, "%*s %63s %llu %llu", id, &in, &out) == 3) {
			c = counters_of(id);
			if (!c)
				return 1;
			c->in_octets = in;
			c->out_octets = out;
			c->in_packets = c->out_packets = 1;
		} else if (!strcmp(cmd, "advance") &&
			   sscanf(line, "%*s %d", &n) == 1) {
			now += n;
			ret = tg_acct_tick(a, now);
		} else if (!strcmp(cmd, "stop") && sscanf(line, "%*s %63s", id) == 1) {
			ret = tg_acct_stop(a, id, counters_of(id),
					   TG_ACCT_USER_REQUEST, now);
		} else if (!strcmp(cmd, "flush") && sscanf(line, "%*s %d", &n) == 1) {
			ret = flush(a, db, &now, n);
		} else {
			fprintf(stderr, "radius-acct-drive: bad command: %s", line);
			ret = 2;
		}
	}
	tg_acct_close(a);
	printf("queued %lld\n", tg_acct_queue_len(db));
	tg_db_close(db);
	return ret ? 1 : 0;
}
