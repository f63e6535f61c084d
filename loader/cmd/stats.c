// SPDX-License-Identifier: GPL-2.0-only
/* tungate stats: per-subscriber and global counters, summed over CPUs. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/cli.h"
#include "cmd/commands.h"
#include "dataplane/counters.h"
#include "dataplane/dataplane.h"
#include "db/db.h"
#include "db/pop.h"
#include "util/json.h"
#include "daemon/metrics.h"
#include "dataplane/reason.h"
#include "util/log.h"
#include "wg/wg_peers.h"

#define STATS_INTERVAL_MS 250

static int stats_help(void)
{
	printf("Usage: tungate stats [NAME] [-j] [--interval MS]\n"
	       "       tungate stats --prometheus [--listen ADDR]\n"
	       "\n"
	       "First this POP's name and state (see 'tungate pop help'). Then\n"
	       "the counters of the data plane pinned under the pin root, summed over\n"
	       "all CPUs. For each enabled subscriber (or only NAME), up (from the\n"
	       "subscriber, decapsulated) and down (toward it): packets and inner\n"
	       "IP bytes forwarded, and the current rate; its state (up: traffic\n"
	       "from it within liveness-timeout, see 'tungate config help'; idle:\n"
	       "only keepalives or tunnel control; down: silent) with when its\n"
	       "last packet and last keepalive came; then its packets by reason\n"
	       "(drops: policed_up, policed_down, spoofed_src, scope, too_big,\n"
	       "...; others: control, keepalive, ttl_expired, ...). Then, with\n"
	       "WireGuard members, each one's peer as the kernel has it: up (a\n"
	       "handshake within %d s) or down, the last handshake, its endpoint,\n"
	       "bytes received and sent. Without NAME, then the global counters:\n"
	       "packets and bytes by reason, for every packet the programs saw.\n"
	       "\n"
	       "  --interval MS   the rate is what the counters grew in MS\n"
	       "                  milliseconds between two reads (default %d;\n"
	       "                  0: no second read, no rate)\n"
	       "  -j              one JSON object: {\"pop\": {\"name\", \"state\"},\n"
	       "                  \"interval_ms\": MS,\n"
	       "                  \"subscribers\": [{\"name\", \"class\", \"dp_id\",\n"
	       "                  \"state\", \"last_packet\", \"last_keepalive\"\n"
	       "                  (Unix seconds, null: never),\n"
	       "                  \"up\" and \"down\": {\"packets\", \"bytes\",\n"
	       "                  \"bits_per_second\", \"packets_per_second\"} (rates\n"
	       "                  null with --interval 0), \"drops\", \"reasons\":\n"
	       "                  {reason: packets} (reasons seen only)}],\n"
	       "                  \"wireguard\": [{\"name\", \"interface\", \"peer\",\n"
	       "                  \"state\", \"last_handshake\", \"handshake_age_seconds\",\n"
	       "                  \"endpoint\", \"rx_bytes\", \"tx_bytes\"}] (only with\n"
	       "                  WireGuard members),\n"
	       "                  \"global\": {reason: {\"packets\", \"bytes\"}}}\n"
	       "  --prometheus    the Prometheus text exposition instead (what\n"
	       "                  'tungate run --metrics' serves), e.g. for the\n"
	       "                  textfile collector of node_exporter;\n"
	       "                  tungate_pop_info{pop, state} names this POP\n"
	       "  --listen ADDR   serve it on http://ADDR/metrics in the foreground\n"
	       "                  until interrupted (ADDR: PORT for 127.0.0.1:PORT,\n"
	       "                  A.B.C.D:PORT or [IPv6]:PORT)\n",
	       TG_WG_UP_S, STATS_INTERVAL_MS);
	return 0;
}

static void print_rate(struct json_writer *w, const char *name, double v,
		       bool have)
{
	if (have)
		jsonw_uint_field(w, name, (__u64)(v + 0.5));
	else
		jsonw_null_field(w, name);
}

static void print_sub_json(struct json_writer *w, const struct tg_snap *snap,
			   const struct tg_sub_snap *s,
			   const struct tg_sub_rate *rate)
{
	static const char *const dirs[TG_DIR_MAX] = { "up", "down" };
	const char *name;
	__u32 r;
	int d;

	jsonw_start_object(w);
	jsonw_string_field(w, "name", s->name);
	jsonw_string_field(w, "class", s->cls);
	jsonw_uint_field(w, "dp_id", s->dp_id);
	tg_live_json(w, &snap->clock, tg_snap_live(snap, s), &s->seen);
	for (d = 0; d < TG_DIR_MAX; d++) {
		jsonw_name(w, dirs[d]);
		jsonw_start_object(w);
		jsonw_uint_field(w, "packets", s->c.packets[d]);
		jsonw_uint_field(w, "bytes", s->c.bytes[d]);
		print_rate(w, "bits_per_second", rate ? rate->bits[d] : 0, rate);
		print_rate(w, "packets_per_second",
			   rate ? rate->packets[d] : 0, rate);
		jsonw_end_object(w);
	}
	jsonw_uint_field(w, "drops", tg_sub_drops(&s->c));
	jsonw_name(w, "reasons");
	jsonw_start_object(w);
	for (r = 0; r < TG_R_SUB_MAX; r++) {
		name = tg_reason_name(r);
		if (name && r != TG_R_OK && s->c.reasons[r])
			jsonw_uint_field(w, name, s->c.reasons[r]);
	}
	jsonw_end_object(w);
	jsonw_end_object(w);
}

static void print_rate_text(char *buf, size_t len, const struct tg_sub_rate *r,
			    int d)
{
	if (!r) {
		snprintf(buf, len, "-");
		return;
	}
	tg_fmt_bits(r->bits[d], buf, len);
}

/*
 * Two lines (up, down), one with its liveness, then one with the reasons
 * seen, if any.
 */
static void print_sub_text(const struct tg_snap *snap,
			   const struct tg_sub_snap *s,
			   const struct tg_sub_rate *rate)
{
	char rb[32], live[96];
	const char *name;
	bool any = false;
	__u32 r;
	int d;

	for (d = 0; d < TG_DIR_MAX; d++) {
		print_rate_text(rb, sizeof(rb), rate, d);
		printf("%-16s %-12s %-4s %12llu %16llu %13s\n",
		       d ? "" : s->name, d ? "" : s->cls, d ? "down" : "up",
		       (unsigned long long)s->c.packets[d],
		       (unsigned long long)s->c.bytes[d], rb);
	}
	tg_live_text(live, sizeof(live), &snap->clock, tg_snap_live(snap, s),
		     &s->seen);
	printf("  %s\n", live);
	for (r = 0; r < TG_R_SUB_MAX; r++) {
		name = tg_reason_name(r);
		if (!name || r == TG_R_OK || !s->c.reasons[r])
			continue;
		printf("%s%s %llu", any ? ", " : "  reasons: ", name,
		       (unsigned long long)s->c.reasons[r]);
		any = true;
	}
	if (any)
		printf("\n");
}

static void print_global(struct json_writer *w, const struct tg_snap *s)
{
	const char *name;
	__u32 r;

	if (w) {
		jsonw_name(w, "global");
		jsonw_start_object(w);
	} else {
		printf("\n%-22s %16s %20s\n", "reason", "packets", "bytes");
	}
	for (r = 0; r < TG_R_MAX; r++) {
		name = tg_reason_name(r);
		if (!name)
			continue;
		if (w) {
			jsonw_name(w, name);
			jsonw_start_object(w);
			jsonw_uint_field(w, "packets", s->global[r].packets);
			jsonw_uint_field(w, "bytes", s->global[r].bytes);
			jsonw_end_object(w);
		} else if (s->global[r].packets) {
			printf("%-22s %16llu %20llu\n", name,
			       (unsigned long long)s->global[r].packets,
			       (unsigned long long)s->global[r].bytes);
		}
	}
	if (w)
		jsonw_end_object(w);
}

/*
 * The WireGuard members (or only that one) as the kernel has their peers;
 * nothing without members. Cannot read them: said on stderr, left out.
 */
static void print_wg(struct json_writer *w, sqlite3 *db, const char *only)
{
	const struct tg_wg_peer_state *p;
	struct tg_wg_members m;
	char err[256], buf[256];
	size_t i;

	if (tg_wg_members_load(db, only, &m, err, sizeof(err))) {
		pr_warn("stats: wireguard: %s\n", err);
		return;
	}
	if (!m.n)
		goto out;
	if (w) {
		jsonw_name(w, "wireguard");
		jsonw_start_array(w);
	} else {
		printf("\n%-16s %s\n", "wireguard", "peer");
	}
	for (i = 0; i < m.n; i++) {
		p = tg_wg_peers_find(&m.peers, &m.subs[i]);
		if (w) {
			jsonw_start_object(w);
			jsonw_string_field(w, "name", m.subs[i].name);
			tg_wg_member_json(w, &m.subs[i], p, m.peers.now);
			jsonw_end_object(w);
		} else {
			tg_wg_member_text(&m.subs[i], p, m.peers.now, buf,
					  sizeof(buf));
			printf("%-16s %s\n", m.subs[i].name, buf);
		}
	}
	if (w)
		jsonw_end_array(w);
out:
	tg_wg_members_free(&m);
}

/* Read the counters (twice, interval_ms apart, for rates) and print them. */
static int print_stats(sqlite3 *db, const struct tg_maps *m, const char *only,
		       __u64 interval_ms)
{
	struct tg_sub_counters *prev = NULL;
	struct json_writer *w = NULL;
	struct tg_sub_rate rate;
	char pop[TG_NAME_MAX + 1];
	const char *state;
	struct timespec ts;
	struct tg_snap s;
	__u64 t0 = 0;
	size_t i;
	int ret;

	ret = tg_snap_load(db, only, m->capacity, &s);
	if (ret == -ENOENT || ret == -ENODATA) {
		tg_err("stats: subscriber '%s': %s", only,
		       ret == -ENOENT ? "no such subscriber" :
		       "disabled, so not in the data plane");
		return ret;
	}
	if (ret)
		goto out;
	if (interval_ms) {
		prev = malloc((s.n ? s.n : 1) * sizeof(*prev));
		if (!prev) {
			ret = -ENOMEM;
			goto out;
		}
		ret = tg_snap_read(&s, m);
		if (ret)
			goto out;
		for (i = 0; i < s.n; i++)
			prev[i] = s.subs[i].c;
		t0 = s.clock.mono_ns;
		ts.tv_sec = interval_ms / 1000;
		ts.tv_nsec = interval_ms % 1000 * 1000000;
		while (nanosleep(&ts, &ts) && errno == EINTR)
			;
	}
	ret = tg_snap_read(&s, m);
	if (ret)
		goto out;
	tg_pop_name(db, pop);
	state = tg_pop_drained(db) ? "drained" : "serving";
	if (tg_opts.json) {
		w = jsonw_new(stdout);
		if (!w) {
			ret = -ENOMEM;
			goto out;
		}
		jsonw_start_object(w);
		jsonw_name(w, "pop");
		jsonw_start_object(w);
		jsonw_string_field(w, "name", pop);
		jsonw_string_field(w, "state", state);
		jsonw_end_object(w);
		jsonw_uint_field(w, "interval_ms", interval_ms);
		jsonw_name(w, "subscribers");
		jsonw_start_array(w);
	} else {
		printf("pop %s, %s\n", pop, state);
		printf("%-16s %-12s %-4s %12s %16s %13s\n", "subscriber",
		       "class", "dir", "packets", "bytes", "rate");
	}
	for (i = 0; i < s.n; i++) {
		if (prev)
			tg_sub_rate(&prev[i], &s.subs[i].c, s.clock.mono_ns - t0,
				    &rate);
		if (w)
			print_sub_json(w, &s, &s.subs[i],
				       prev ? &rate : NULL);
		else
			print_sub_text(&s, &s.subs[i], prev ? &rate : NULL);
	}
	if (w)
		jsonw_end_array(w);
	print_wg(w, db, only);
	if (!only)
		print_global(w, &s);
	if (w) {
		jsonw_end_object(w);
		jsonw_destroy(&w);
	}
out:
	if (ret)
		tg_err("stats: reading counters: %s", strerror(-ret));
	free(prev);
	tg_snap_free(&s);
	return ret;
}

/* Serve /metrics until SIGINT or SIGTERM. */
static int serve(const char *addr)
{
	struct tg_metrics *mt;
	sigset_t set;
	int sig, ret;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	ret = tg_metrics_start(addr, tg_db_path(), tg_pin_root(), &mt);
	if (ret)
		return ret;
	fprintf(stderr, "tungate: serving http://%s%s/metrics\n",
		strchr(addr, ':') ? "" : "127.0.0.1:", addr);
	sigwait(&set, &sig);
	tg_metrics_stop(mt);
	return 0;
}

int do_stats(int argc, char **argv)
{
	struct tg_maps m = TG_MAPS_INIT;
	const char *root = tg_pin_root(), *only = NULL, *listen = NULL;
	__u64 interval = STATS_INTERVAL_MS;
	bool prom = false;
	sqlite3 *db = NULL;
	int i, ret;

	for (i = 1; i < argc; i++) {
		if (tg_is_help(argv[i]))
			return stats_help();
		if (tg_take_json(argv[i]))
			continue;
		if (!strcmp(argv[i], "--prometheus")) {
			prom = true;
		} else if (!strcmp(argv[i], "--interval")) {
			if (tg_opt_u64("stats", argc, argv, &i, 0, 60000,
				       &interval))
				return -EINVAL;
		} else if (!strcmp(argv[i], "--listen")) {
			if (tg_opt_value("stats", argc, argv, &i, &listen))
				return -EINVAL;
			prom = true;
		} else if (only || argv[i][0] == '-') {
			tg_err("stats: unexpected argument '%s'; try 'tungate stats help'",
			       argv[i]);
			return -EINVAL;
		} else {
			only = argv[i];
		}
	}
	if (prom && (only || tg_opts.json)) {
		tg_err("stats: --prometheus: %s",
		       only ? "covers every subscriber, not one" :
		       "has a format of its own, not -j");
		return -EINVAL;
	}
	if (listen) {
		ret = tg_maps_require("stats", root);
		return ret ? ret : serve(listen);
	}
	ret = tg_counters_open("stats", root, true, &db, &m);
	if (ret)
		goto out;
	if (prom) {
		ret = tg_metrics_write(stdout, db, &m);
		if (fflush(stdout) && !ret)
			ret = -errno;
		if (ret)
			tg_err("stats: --prometheus: %s", strerror(-ret));
	} else {
		ret = print_stats(db, &m, only, interval);
	}
out:
	tg_maps_close(&m);
	tg_db_close(db);
	return ret;
}
