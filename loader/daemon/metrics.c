// SPDX-License-Identifier: GPL-2.0-only
/*
 * Prometheus text exposition (format 0.0.4) of the data plane's counters,
 * and the /metrics endpoint serving it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "util/cli.h"
#include "dataplane/counters.h"
#include "db/db.h"
#include "db/pop.h"
#include "daemon/http.h"
#include "daemon/lns.h"
#include "daemon/wg_broker.h"
#include "util/log.h"
#include "daemon/metrics.h"
#include "dataplane/reason.h"
#include "wg/wg_peers.h"

/*
 * Counting the entries of the maps walks each of them: the counts of the
 * last scrape are reused while tg_meta says that no sync or up happened
 * since (they alone change these maps), for at most FILL_MAX_AGE_NS.
 */
#define FILL_MAX_AGE_NS (60 * 1000000000ULL)
struct fill_cache {
	struct tg_meta meta;		/* when counted */
	__u64 time_ns;			/* CLOCK_MONOTONIC when counted */
	struct tg_map_fill fill[TG_MAP_FILL_MAX];
	size_t n;
};

struct tg_metrics {
	struct tg_http *http;
	char *db_path;
	char *pin_root;
	struct fill_cache cache;
	const struct tg_lnsd *lns;	/* the daemon's, read as it runs */
	const __u64 *keepalives;	/* sent by the daemon, read as it runs */
	const __u64 *wg_enrol;		/* the broker's, by result */
};

/*
 * A label value, escaped (backslash, double quote, newline), at p: at most
 * TG_NAME_MAX characters of s (names and classes are no longer), so at
 * most twice that many bytes.
 */
static char *label_text(char *p, const char *s)
{
	const char *end = s + strnlen(s, TG_NAME_MAX);

	for (; s < end; s++) {
		if (*s == '\\' || *s == '"') {
			*p++ = '\\';
			*p++ = *s;
		} else if (*s == '\n') {
			*p++ = '\\';
			*p++ = 'n';
		} else {
			*p++ = *s;
		}
	}
	return p;
}

static void label_value(FILE *f, const char *s)
{
	char buf[2 * TG_NAME_MAX];
	char *end = label_text(buf, s);

	fwrite(buf, 1, end - buf, f);
}

static void family(FILE *f, const char *name, const char *type,
		   const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static char *put_str(char *p, const char *s)
{
	size_t n = strlen(s);

	memcpy(p, s, n);
	return p + n;
}

static char *put_u64(char *p, __u64 v)
{
	char tmp[20];
	int n = 0;

	do {
		tmp[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

/*
 * The lines of one subscriber are the hot loop of a scrape at scale: each
 * is made in a buffer and written at once. Names and classes are at most
 * TG_NAME_MAX characters, twice that escaped.
 */
#define LINE_MAX_LEN (128 + 4 * (TG_NAME_MAX + 1) + 64)

/* metric{subscriber="..",class=".." into p; the end of it. */
static char *sub_head(char *p, const char *metric, const char *labels,
		      size_t llen)
{
	p = put_str(p, metric);
	*p++ = '{';
	memcpy(p, labels, llen);
	return p + llen;
}

/* "} v" and the line written at once. */
static void sub_tail(FILE *f, char *buf, char *p, __u64 v)
{
	p = put_str(p, "} ");
	p = put_u64(p, v);
	*p++ = '\n';
	fwrite_unlocked(buf, 1, p - buf, f);
}

/* metric{subscriber="..",class="..",label="value"} v */
static void sub_line(FILE *f, const char *metric, const char *labels,
		     size_t llen, const char *label, const char *value,
		     __u64 v)
{
	char buf[LINE_MAX_LEN], *p;

	p = sub_head(buf, metric, labels, llen);
	*p++ = ',';
	p = put_str(p, label);
	*p++ = '=';
	*p++ = '"';
	p = put_str(p, value);
	*p++ = '"';
	sub_tail(f, buf, p, v);
}

/* metric{subscriber="..",class=".."} v */
static void sub_value(FILE *f, const char *metric, const char *labels,
		      size_t llen, __u64 v)
{
	char buf[LINE_MAX_LEN];

	sub_tail(f, buf, sub_head(buf, metric, labels, llen), v);
}

/* subscriber="..",class=".." of s into buf; its length. */
static size_t sub_labels(char *buf, const struct tg_sub_snap *s)
{
	char *p = buf;

	p = put_str(p, "subscriber=\"");
	p = label_text(p, s->name);
	p = put_str(p, "\",class=\"");
	p = label_text(p, s->cls);
	*p++ = '"';
	return p - buf;
}

static const char *const dir_names[TG_DIR_MAX] = { "up", "down" };

/* Liveness: counts by state, and each subscriber's state and last time. */
static void write_live(FILE *f, const struct tg_snap *s)
{
	static const char st[] = "tungate_subscriber_state",
			  ls[] = "tungate_subscriber_last_seen_seconds";
	char labels[4 * (TG_NAME_MAX + 1) + 32];
	size_t n[TG_LIVE_MAX] = {}, i, len;
	const struct tg_sub_snap *e;
	__u64 t;
	int l;

	for (i = 0; i < s->n; i++)
		n[tg_snap_live(s, &s->subs[i])]++;
	family(f, "tungate_subscribers_by_state", "gauge",
	       "Enabled subscribers by liveness: up (traffic within liveness-timeout), idle (only keepalives or tunnel control), down (silent).");
	for (l = 0; l < TG_LIVE_MAX; l++)
		fprintf(f, "tungate_subscribers_by_state{state=\"%s\"} %zu\n",
			tg_live_name(l), n[l]);
	family(f, st, "gauge",
	       "Liveness of a subscriber: 2 up, 1 idle, 0 down.");
	for (i = 0; i < s->n; i++) {
		len = sub_labels(labels, &s->subs[i]);
		sub_value(f, st, labels, len, tg_snap_live(s, &s->subs[i]));
	}
	family(f, ls, "gauge",
	       "Unix time the data plane last heard a subscriber (a packet or a keepalive); absent while never.");
	for (i = 0; i < s->n; i++) {
		e = &s->subs[i];
		t = tg_seen_last(&e->seen);
		if (!t)
			continue;
		len = sub_labels(labels, e);
		sub_value(f, ls, labels, len,
			  tg_clock_real(&s->clock, t) / 1000000000ULL);
	}
}

static void write_subs(FILE *f, const struct tg_snap *s)
{
	static const char pk[] = "tungate_subscriber_packets_total",
			  by[] = "tungate_subscriber_bytes_total",
			  dr[] = "tungate_subscriber_drops_total";
	char labels[4 * (TG_NAME_MAX + 1) + 32];
	const struct tg_sub_snap *e;
	const char *name;
	size_t i, len;
	__u32 r;
	int d;

	family(f, "tungate_subscribers", "gauge",
	       "Enabled subscribers with a data plane id.");
	fprintf(f, "tungate_subscribers %zu\n", s->n);
	family(f, pk, "counter",
	       "Packets forwarded for a subscriber: up = from the subscriber (decapsulated), down = toward it (encapsulated).");
	for (i = 0; i < s->n; i++) {
		len = sub_labels(labels, &s->subs[i]);
		for (d = 0; d < TG_DIR_MAX; d++)
			sub_line(f, pk, labels, len, "direction", dir_names[d],
				 s->subs[i].c.packets[d]);
	}
	family(f, by, "counter",
	       "Inner IP bytes forwarded for a subscriber, by direction.");
	for (i = 0; i < s->n; i++) {
		len = sub_labels(labels, &s->subs[i]);
		for (d = 0; d < TG_DIR_MAX; d++)
			sub_line(f, by, labels, len, "direction", dir_names[d],
				 s->subs[i].c.bytes[d]);
	}
	family(f, dr, "counter",
	       "Packets of a subscriber not forwarded, by reason; a reason appears with its first packet.");
	for (i = 0; i < s->n; i++) {
		e = &s->subs[i];
		len = 0;
		for (r = 0; r < TG_R_SUB_MAX; r++) {
			name = tg_reason_name(r);
			if (!name || !tg_reason_sub_drop(r) || !e->c.reasons[r])
				continue;
			if (!len)
				len = sub_labels(labels, e);
			sub_line(f, dr, labels, len, "reason", name,
				 e->c.reasons[r]);
		}
	}
}

static void write_global(FILE *f, const struct tg_snap *s)
{
	const char *name;
	__u32 r;

	family(f, "tungate_packets_total", "counter",
	       "Packets seen by the data plane, by what it did with them (reason).");
	for (r = 0; r < TG_R_MAX; r++)
		if ((name = tg_reason_name(r)))
			fprintf(f, "tungate_packets_total{reason=\"%s\"} %llu\n",
				name, (unsigned long long)s->global[r].packets);
	family(f, "tungate_bytes_total", "counter",
	       "Bytes of the packets seen by the data plane, by reason.");
	for (r = 0; r < TG_R_MAX; r++)
		if ((name = tg_reason_name(r)))
			fprintf(f, "tungate_bytes_total{reason=\"%s\"} %llu\n",
				name, (unsigned long long)s->global[r].bytes);
}

static int write_maps(FILE *f, const struct tg_maps *m,
		      const struct tg_meta *meta, __u64 now_ns,
		      struct fill_cache *cache)
{
	struct tg_map_fill fill[TG_MAP_FILL_MAX];
	bool reuse;
	size_t n, i;
	int ret;

	reuse = cache && cache->n && now_ns - cache->time_ns < FILL_MAX_AGE_NS &&
		!memcmp(&cache->meta, meta, sizeof(*meta));
	ret = tg_map_fill(m, reuse ? cache->fill : NULL, reuse ? cache->n : 0,
			  fill, &n);
	if (ret)
		return ret;
	if (cache && !reuse) {
		cache->meta = *meta;
		cache->time_ns = now_ns;
		memcpy(cache->fill, fill, sizeof(fill));
		cache->n = n;
	}
	family(f, "tungate_map_entries", "gauge",
	       "Entries in a data plane map.");
	for (i = 0; i < n; i++)
		fprintf(f, "tungate_map_entries{map=\"%s\"} %u\n",
			fill[i].name, fill[i].entries);
	family(f, "tungate_map_capacity", "gauge",
	       "Largest number of entries of a data plane map.");
	for (i = 0; i < n; i++)
		fprintf(f, "tungate_map_capacity{map=\"%s\"} %u\n",
			fill[i].name, fill[i].max);
	family(f, "tungate_subscriber_capacity", "gauge",
	       "Subscribers the data plane has room for.");
	fprintf(f, "tungate_subscriber_capacity %u\n",
		m->capacity ? m->capacity - 1 : 0);
	return 0;
}

/* Read entry 0 of tg_meta (zeroes when there is none). */
static void read_meta(const struct tg_maps *m, struct tg_meta *meta)
{
	__u32 zero = 0;

	memset(meta, 0, sizeof(*meta));
	if (m->meta >= 0 && bpf_map_lookup_elem(m->meta, &zero, meta))
		memset(meta, 0, sizeof(*meta));
}

static void write_meta(FILE *f, const struct tg_meta *meta)
{
	family(f, "tungate_last_sync_timestamp_seconds", "gauge",
	       "Time of the last sync that reached the data plane (0: none).");
	fprintf(f, "tungate_last_sync_timestamp_seconds %llu.%03llu\n",
		(unsigned long long)(meta->sync_time / 1000000000ULL),
		(unsigned long long)(meta->sync_time % 1000000000ULL / 1000000));
	family(f, "tungate_last_sync_success", "gauge",
	       "1 when the last sync succeeded, else 0.");
	fprintf(f, "tungate_last_sync_success %d\n",
		meta->sync_time && !meta->sync_result);
	family(f, "tungate_syncs_total", "counter",
	       "Syncs that reached the data plane since its maps were made.");
	fprintf(f, "tungate_syncs_total %llu\n",
		(unsigned long long)meta->sync_count);
}

/* Sessions and tunnels of the LNS as the database has them. */
static void write_sessions(FILE *f, sqlite3 *db)
{
	unsigned int tunnels, up, ending;

	if (tg_db_session_counts(db, &tunnels, &up, &ending))
		return;
	family(f, "tungate_lns_tunnels", "gauge",
	       "L2TP tunnels with a dial-in session up.");
	fprintf(f, "tungate_lns_tunnels %u\n", tunnels);
	family(f, "tungate_lns_sessions", "gauge",
	       "Dial-in sessions in the data plane, by state.");
	fprintf(f, "tungate_lns_sessions{state=\"up\"} %u\n", up);
	fprintf(f, "tungate_lns_sessions{state=\"ending\"} %u\n", ending);
}

/* The accounting engine's and the CoA/Disconnect server's counters. */
static void write_radius(FILE *f, const struct tg_lnsd *d)
{
	const struct tg_acct_stats *a = &d->acct_st;
	const struct tg_dae_stats *x = &d->dae_st;
	unsigned int k;

	family(f, "tungate_lns_idle_timeouts_total", "counter",
	       "Sessions ended by their Idle-Timeout.");
	fprintf(f, "tungate_lns_idle_timeouts_total %llu\n",
		(unsigned long long)d->idle_timeouts);
	if (d->rad.aaa == TG_AAA_RADIUS && d->rad.accounting) {
		family(f, "tungate_radius_acct_records_total", "counter",
		       "Accounting records by kind: queued (stored), sent (a server answered).");
		for (k = TG_ACCT_START; k < TG_ACCT_KINDS; k++) {
			fprintf(f, "tungate_radius_acct_records_total{kind=\"%s\",result=\"queued\"} %llu\n",
				tg_acct_kind_name(k),
				(unsigned long long)a->queued[k]);
			fprintf(f, "tungate_radius_acct_records_total{kind=\"%s\",result=\"sent\"} %llu\n",
				tg_acct_kind_name(k),
				(unsigned long long)a->sent[k]);
		}
		family(f, "tungate_radius_acct_queue", "gauge",
		       "Accounting records waiting for a server's answer.");
		fprintf(f, "tungate_radius_acct_queue %llu\n",
			(unsigned long long)a->queue_len);
		family(f, "tungate_radius_acct_retries_total", "counter",
		       "Accounting sends no server answered (the record kept).");
		fprintf(f, "tungate_radius_acct_retries_total %llu\n",
			(unsigned long long)a->retried);
		family(f, "tungate_radius_acct_dropped_total", "counter",
		       "Accounting records not sent, by reason (queue-full: oldest Interim-Updates; unsendable: refused by radcli).");
		fprintf(f, "tungate_radius_acct_dropped_total{reason=\"queue-full\"} %llu\n",
			(unsigned long long)a->dropped);
		fprintf(f, "tungate_radius_acct_dropped_total{reason=\"unsendable\"} %llu\n",
			(unsigned long long)a->unsendable);
	}
	if (d->rad.aaa != TG_AAA_RADIUS || !d->rad.dae)
		return;
	family(f, "tungate_radius_dae_requests_total", "counter",
	       "CoA and Disconnect requests answered, by type and result.");
	fprintf(f, "tungate_radius_dae_requests_total{type=\"coa\",result=\"ack\"} %llu\n",
		(unsigned long long)x->coa_ack);
	fprintf(f, "tungate_radius_dae_requests_total{type=\"coa\",result=\"nak\"} %llu\n",
		(unsigned long long)x->coa_nak);
	fprintf(f, "tungate_radius_dae_requests_total{type=\"disconnect\",result=\"ack\"} %llu\n",
		(unsigned long long)x->disconnect_ack);
	fprintf(f, "tungate_radius_dae_requests_total{type=\"disconnect\",result=\"nak\"} %llu\n",
		(unsigned long long)x->disconnect_nak);
	family(f, "tungate_radius_dae_duplicates_total", "counter",
	       "Retransmitted requests answered again without a second action.");
	fprintf(f, "tungate_radius_dae_duplicates_total %llu\n",
		(unsigned long long)x->duplicates);
	family(f, "tungate_radius_dae_dropped_total", "counter",
	       "CoA and Disconnect packets dropped unanswered, by reason.");
	for (k = 0; k < TG_DAE_DROP_MAX; k++)
		fprintf(f, "tungate_radius_dae_dropped_total{reason=\"%s\"} %llu\n",
			tg_dae_drop_name(k), (unsigned long long)x->drops[k]);
}

/* What the daemon's LNS counted since it started. */
static void write_lns(FILE *f, const struct tg_lnsd *d)
{
	const struct lns *l = &d->srv.lns;
	unsigned int e, i;

	if (!d->on)
		return;
	family(f, "tungate_lns_tunnels_open", "gauge",
	       "L2TP tunnels the LNS holds now, with or without sessions.");
	fprintf(f, "tungate_lns_tunnels_open %u\n", l->n_tunnels);
	family(f, "tungate_lns_sessions_open", "gauge",
	       "Sessions the LNS holds now, those still negotiating PPP included.");
	fprintf(f, "tungate_lns_sessions_open %u\n", l->n_sessions);
	family(f, "tungate_lns_logins_total", "counter",
	       "Dial-in logins by result (refused: unknown user, wrong password, disabled member).");
	fprintf(f, "tungate_lns_logins_total{result=\"ok\"} %llu\n",
		(unsigned long long)d->logins);
	fprintf(f, "tungate_lns_logins_total{result=\"refused\"} %llu\n",
		(unsigned long long)d->refused);
	family(f, "tungate_lns_sessions_ended_total", "counter",
	       "Sessions ended by a redial of the same member or by the operator.");
	fprintf(f, "tungate_lns_sessions_ended_total{by=\"redial\"} %llu\n",
		(unsigned long long)d->takeovers);
	fprintf(f, "tungate_lns_sessions_ended_total{by=\"operator\"} %llu\n",
		(unsigned long long)d->killed);
	family(f, "tungate_lns_radius_logins_total", "counter",
	       "Logins RADIUS answered (timeout: no server answered).");
	fprintf(f, "tungate_lns_radius_logins_total{result=\"accept\"} %llu\n",
		(unsigned long long)d->rad_accepts);
	fprintf(f, "tungate_lns_radius_logins_total{result=\"reject\"} %llu\n",
		(unsigned long long)d->rad_rejects);
	fprintf(f, "tungate_lns_radius_logins_total{result=\"timeout\"} %llu\n",
		(unsigned long long)d->rad_timeouts);
	family(f, "tungate_lns_radius_server_failures_total", "counter",
	       "Access-Requests a RADIUS server left unanswered, by server.");
	for (i = 0; i < d->rad.n_auth; i++)
		fprintf(f, "tungate_lns_radius_server_failures_total{server=\"%s:%u\"} %llu\n",
			d->rad.auth[i].host, d->rad.auth[i].port,
			(unsigned long long)d->rad_failures[i]);
	family(f, "tungate_lns_session_timeouts_total", "counter",
	       "Sessions ended by their Session-Timeout.");
	fprintf(f, "tungate_lns_session_timeouts_total %llu\n",
		(unsigned long long)d->timeouts);
	write_radius(f, d);
	family(f, "tungate_lns_refused_total", "counter",
	       "L2TP datagrams the LNS refused, by reason.");
	for (e = 1; e < L2TP_E_MAX; e++)
		fprintf(f, "tungate_lns_refused_total{reason=\"%s\"} %llu\n",
			l2tp_err_name(e), (unsigned long long)l->errors[e]);
	fprintf(f, "tungate_lns_refused_total{reason=\"UNKNOWN_TUNNEL\"} %llu\n",
		(unsigned long long)l->unknown_tunnel);
	fprintf(f, "tungate_lns_refused_total{reason=\"DATA_UNKNOWN_SESSION\"} %llu\n",
		(unsigned long long)l->data_unknown);
	fprintf(f, "tungate_lns_refused_total{reason=\"DATA_MALFORMED\"} %llu\n",
		(unsigned long long)l->data_bad);
	family(f, "tungate_lns_peer_timeouts_total", "counter",
	       "Tunnels torn down because the LAC stopped answering.");
	fprintf(f, "tungate_lns_peer_timeouts_total %llu\n",
		(unsigned long long)l->timeouts);
}

/* This POP: a series to join on (the others carry no pop label). */
static void write_pop(FILE *f, sqlite3 *db)
{
	char pop[TG_NAME_MAX + 1];

	tg_pop_name(db, pop);
	family(f, "tungate_pop_info", "gauge",
	       "Always 1; this concentrator's POP name and state (serving, drained).");
	fprintf(f, "tungate_pop_info{pop=\"");
	label_value(f, pop);
	fprintf(f, "\",state=\"%s\"} 1\n",
		tg_pop_drained(db) ? "drained" : "serving");
}

/* subscriber=".." into buf; its length. */
static size_t wg_labels(char *buf, const char *name)
{
	char *p = label_text(put_str(buf, "subscriber=\""), name);

	*p++ = '"';
	return p - buf;
}

/*
 * The WireGuard members' peers as the kernel has them; nothing without
 * members, nor when they cannot be read (said in the log).
 */
static void write_wg(FILE *f, sqlite3 *db)
{
	static const char up[] = "tungate_wg_up",
			  age[] = "tungate_wg_handshake_age_seconds",
			  by[] = "tungate_wg_bytes_total";
	const struct tg_wg_peer_state *p;
	struct tg_wg_members m;
	char labels[2 * TG_NAME_MAX + 32], err[256];
	size_t i, len;

	if (tg_wg_members_load(db, NULL, &m, err, sizeof(err))) {
		pr_warn("metrics: wireguard: %s\n", err);
		return;
	}
	if (!m.n)
		goto out;
	family(f, up, "gauge",
	       "1 while a WireGuard member's last handshake is at most 180 s old, else 0 (never, or no peer).");
	for (i = 0; i < m.n; i++) {
		p = tg_wg_peers_find(&m.peers, &m.subs[i]);
		len = wg_labels(labels, m.subs[i].name);
		sub_value(f, up, labels, len,
			  p && tg_wg_peer_up(p->handshake, m.peers.now));
	}
	family(f, age, "gauge",
	       "Seconds since a WireGuard member's last handshake; absent while never.");
	for (i = 0; i < m.n; i++) {
		p = tg_wg_peers_find(&m.peers, &m.subs[i]);
		if (!p || !p->handshake)
			continue;
		len = wg_labels(labels, m.subs[i].name);
		sub_value(f, age, labels, len,
			  tg_wg_handshake_age(p->handshake, m.peers.now));
	}
	family(f, by, "counter",
	       "Bytes WireGuard received from (up) and sent to (down) a member's peer, as the kernel counts them.");
	for (i = 0; i < m.n; i++) {
		p = tg_wg_peers_find(&m.peers, &m.subs[i]);
		if (!p)
			continue;
		len = wg_labels(labels, m.subs[i].name);
		sub_line(f, by, labels, len, "direction", dir_names[0],
			 p->rx_bytes);
		sub_line(f, by, labels, len, "direction", dir_names[1],
			 p->tx_bytes);
	}
out:
	tg_wg_members_free(&m);
}

static int metrics_write(FILE *f, sqlite3 *db, const struct tg_maps *m,
			 struct fill_cache *cache)
{
	struct tg_meta meta;
	struct tg_snap s;
	int ret;

	ret = tg_snap_load(db, NULL, m->capacity, &s);
	if (ret)
		return ret;
	ret = tg_snap_read(&s, m);
	if (ret)
		goto out;
	read_meta(m, &meta);
	family(f, "tungate_build_info", "gauge",
	       "Always 1; the version of tungate serving the metrics.");
	fprintf(f, "tungate_build_info{version=\"");
	label_value(f, TG_VERSION);
	fprintf(f, "\"} 1\n");
	write_pop(f, db);
	write_subs(f, &s);
	write_live(f, &s);
	write_wg(f, db);
	write_global(f, &s);
	ret = write_maps(f, m, &meta, s.clock.mono_ns, cache);
	if (ret)
		goto out;
	write_meta(f, &meta);
	write_sessions(f, db);
	if (ferror(f))
		ret = -EIO;
out:
	tg_snap_free(&s);
	return ret;
}

int tg_metrics_write(FILE *f, sqlite3 *db, const struct tg_maps *m)
{
	return metrics_write(f, db, m, NULL);
}

/* One scrape: own read-only database connection, the maps as pinned now. */
static int metrics_scrape(void *ctx, FILE *f)
{
	struct tg_metrics *mt = ctx;
	struct tg_maps m = TG_MAPS_INIT;
	sqlite3 *db = NULL;
	int ret;

	if (!tg_maps_pinned(mt->pin_root)) {
		pr_warn("metrics: no data plane maps under %s\n", mt->pin_root);
		return -ENOENT;
	}
	if (sqlite3_open_v2(mt->db_path, &db, SQLITE_OPEN_READONLY,
			    NULL) != SQLITE_OK) {
		pr_warn("metrics: database %s: %s\n", mt->db_path,
			db ? sqlite3_errmsg(db) : "cannot open");
		ret = -EIO;
		goto out;
	}
	sqlite3_busy_timeout(db, 2000);
	tg_db_low_memory(db);
	ret = tg_maps_open_pinned(mt->pin_root, &m);
	if (ret)
		goto out;
	ret = metrics_write(f, db, &m, &mt->cache);
	if (!ret && mt->lns)
		write_lns(f, mt->lns);
	if (!ret && mt->keepalives) {
		family(f, "tungate_keepalives_sent_total", "counter",
		       "EoIP keepalives the daemon sent to subscribers");
		fprintf(f, "tungate_keepalives_sent_total %llu\n",
			(unsigned long long)__atomic_load_n(mt->keepalives,
							    __ATOMIC_RELAXED));
	}
	if (!ret && mt->wg_enrol) {
		int i;

		family(f, "tungate_wg_enrol_total", "counter",
		       "Requests to the WireGuard enrolment broker by result: ok (a member enrolled), unknown, used, expired (token), bad_key, key_in_use, refused (the member's checks), bad_request, rate_limited, error.");
		for (i = 0; i < TG_WG_ENROL_N; i++)
			fprintf(f, "tungate_wg_enrol_total{result=\"%s\"} %llu\n",
				tg_wg_enrol_names[i],
				(unsigned long long)__atomic_load_n(&mt->wg_enrol[i],
								    __ATOMIC_RELAXED));
	}
	if (ret)
		pr_warn("metrics: reading %s and %s: %s\n", mt->db_path,
			mt->pin_root, strerror(-ret));
out:
	tg_maps_close(&m);
	sqlite3_close(db);
	return ret;
}

int tg_metrics_start(const char *addr, const char *db_path,
		     const char *pin_root, struct tg_metrics **out)
{
	struct tg_metrics *mt;
	int ret;

	*out = NULL;
	mt = calloc(1, sizeof(*mt));
	if (!mt)
		return -ENOMEM;
	mt->db_path = strdup(db_path);
	mt->pin_root = strdup(pin_root);
	if (!mt->db_path || !mt->pin_root) {
		ret = -ENOMEM;
		goto err;
	}
	ret = tg_http_start(addr, "/metrics",
			    "text/plain; version=0.0.4; charset=utf-8",
			    metrics_scrape, mt, &mt->http);
	if (ret)
		goto err;
	*out = mt;
	return 0;
err:
	tg_metrics_stop(mt);
	return ret;
}

void tg_metrics_lns(struct tg_metrics *mt, const struct tg_lnsd *d)
{
	if (mt)
		mt->lns = d;
}

void tg_metrics_keepalives(struct tg_metrics *mt, const __u64 *sent)
{
	if (mt)
		mt->keepalives = sent;
}

void tg_metrics_wg_enrol(struct tg_metrics *mt, const __u64 *results)
{
	if (mt)
		mt->wg_enrol = results;
}

void tg_metrics_stop(struct tg_metrics *mt)
{
	if (!mt)
		return;
	tg_http_stop(mt->http);
	free(mt->db_path);
	free(mt->pin_root);
	free(mt);
}
