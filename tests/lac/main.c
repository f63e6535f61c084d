// SPDX-License-Identifier: GPL-2.0-only
/*
 * tg-lac: brings up L2TPv2 sessions with PPP against an LNS, one or many,
 * holds them, tears them down, and says what happened as JSON lines.
 *
 *   tg-lac --lns 192.0.2.1 --user alice@exo.cat --password secret \
 *          [--tun lac0] [--hold 10] [--flood 5 [--flood-size 64]]
 *   tg-lac --lns 192.0.2.1 --sessions 10000 --tunnels 10 \
 *          --user 'm%d@exo.cat' --password secret
 *
 * Exit status: 0 when every session came up (and, in single mode, the
 * teardown ran), 1 when a setup failed, 2 on a usage error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "lns/ppp.h"
#include "lac.h"

struct options opt = {
	.user = "alice@exo.cat",
	.password = "secret",
	.sessions = 1,
	.tunnels = 1,
	.window = 100,
	.rtx_ms = LAC_RTX_MS,
	.hold = -1,
	.timeout = 30,
	.cdn_after = -1,
	.stopccn_after = -1,
	.bad_avp_after = -1,
	.flood_size = 64,
};

static volatile sig_atomic_t stop_signal;
static uint64_t t0;
static struct tunnel **tunnels;
static struct session **sessions;
static int nsessions, nalloc;

uint64_t lac_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void lac_random_bytes(void *buf, size_t len)
{
	if (getrandom(buf, len, 0) != (ssize_t)len)
		memset(buf, 0x5a, len);
}

uint32_t lac_random(void)
{
	uint32_t v;

	lac_random_bytes(&v, sizeof(v));
	return v;
}

static double elapsed(void)
{
	return (double)(lac_now_ms() - t0) / 1000;
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		putchar((unsigned char)*s < 0x20 ? '?' : *s);
	}
	putchar('"');
}

void ev_tunnel(struct tunnel *t, const char *what, const char *why)
{
	if (opt.quiet)
		return;
	printf("{\"event\":\"%s\",\"t\":%.3f,\"tunnel\":%d,"
	       "\"local_tid\":%u,\"peer_tid\":%u,\"%s\":",
	       what, elapsed(), t->index, t->lid, t->rid,
	       strcmp(what, "tunnel-up") ? "reason" : "peer_host");
	json_str(why ? why : "");
	printf("}\n");
	fflush(stdout);
}

static void session_ids(const struct session *s)
{
	printf("\"session\":%d,\"user\":", s->index);
	json_str(s->user);
	printf(",\"local_tid\":%u,\"peer_tid\":%u,\"local_sid\":%u,"
	       "\"peer_sid\":%u", s->t->lid, s->t->rid, s->lsid, s->rsid);
}

void ev_session_up(struct session *s)
{
	char a[INET_ADDRSTRLEN], p[INET_ADDRSTRLEN];
	char d0[INET_ADDRSTRLEN], d1[INET_ADDRSTRLEN];

	if (opt.tun && s->tun_fd >= 0 &&
	    lac_tun_set_addr(opt.tun, s->addr, s->peer, s->mru > 1500 ? 1500 :
			 s->mru))
		fprintf(stderr, "tg-lac: could not address %s\n", opt.tun);
	if (opt.quiet)
		return;
	inet_ntop(AF_INET, &s->addr, a, sizeof(a));
	inet_ntop(AF_INET, &s->peer, p, sizeof(p));
	inet_ntop(AF_INET, &s->dns[0], d0, sizeof(d0));
	inet_ntop(AF_INET, &s->dns[1], d1, sizeof(d1));
	printf("{\"event\":\"session-up\",\"t\":%.3f,", elapsed());
	session_ids(s);
	printf(",\"auth\":\"%s\",\"ipv4\":\"%s\",\"peer_ipv4\":\"%s\","
	       "\"dns\":[\"%s\",\"%s\"],\"setup_ms\":%llu}\n",
	       s->auth == PPP_CHAP ? "chap" : s->auth == PPP_PAP ? "pap" :
	       "none", a, p, d0, d1,
	       (unsigned long long)(s->up_at - s->started_at));
	fflush(stdout);
}

void ev_ipv6_up(struct session *s)
{
	const uint8_t *i = s->ifid, *p = s->peer_ifid;

	if (opt.quiet)
		return;
	printf("{\"event\":\"ipv6-up\",\"t\":%.3f,", elapsed());
	session_ids(s);
	printf(",\"ifid\":\"%02x%02x:%02x%02x:%02x%02x:%02x%02x\","
	       "\"peer_ifid\":\"%02x%02x:%02x%02x:%02x%02x:%02x%02x\"}\n",
	       i[0], i[1], i[2], i[3], i[4], i[5], i[6], i[7],
	       p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]);
	fflush(stdout);
}

void ev_session_down(struct session *s, const char *why)
{
	if (opt.quiet)
		return;
	printf("{\"event\":\"session-down\",\"t\":%.3f,", elapsed());
	session_ids(s);
	printf(",\"was_up\":%s,\"reason\":", s->up_at ? "true" : "false");
	json_str(why);
	printf("}\n");
	fflush(stdout);
}

static void usage(void)
{
	fprintf(stderr,
"usage: tg-lac --lns ADDR[:PORT] [options]\n"
"  --local ADDR         source address\n"
"  --secret S           tunnel authentication (Challenge both ways)\n"
"  --user U             user name; %%d is the session number (1..N)\n"
"  --password P\n"
"  --auth pap|chap      Nak the LNS's other protocol (default: take either)\n"
"  --tun NAME           carry IP through a tun device (single session)\n"
"  --hold SECONDS       stay up that long (default: until SIGTERM)\n"
"  --timeout SECONDS    to bring every session up (default 30)\n"
"  --sessions N --tunnels T --window W   bulk mode\n"
"  --events             per-session events in bulk mode too\n"
"  --rtx-ms MS          first control retransmission (default 1000)\n"
"  --flood SECONDS      once up, data messages as fast as they go (single)\n"
"  --flood-size BYTES   their IPv4/UDP packet (default 64)\n"
"  --flood-to ADDR      its destination (default 198.51.100.2, port 9)\n"
"faults:\n"
"  --drop-sent N --drop-recv N   lose the Nth control message\n"
"  --dup                send every control message twice\n"
"  --reorder N          send the Nth control message after the next one\n"
"  --no-echo            leave LCP Echo-Requests unanswered\n"
"  --cdn-after T --stopccn-after T   end sessions/tunnels T s after up\n"
"  --garbage N          N malformed control messages once the tunnel is up\n"
"  --bad-avp-after T    a HELLO with an unknown mandatory AVP T s after up\n"
"  --redial             a second session with the same user\n");
	exit(2);
}

static int parse_addr(const char *arg, struct sockaddr_in *sa)
{
	char host[64];
	const char *colon = strchr(arg, ':');
	size_t n = colon ? (size_t)(colon - arg) : strlen(arg);

	if (n >= sizeof(host))
		return -1;
	memcpy(host, arg, n);
	host[n] = '\0';
	sa->sin_family = AF_INET;
	sa->sin_port = htons(colon ? (uint16_t)atoi(colon + 1) :
			     L2TP_UDP_PORT);
	return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

static void parse_args(int argc, char **argv)
{
	enum {
		O_LNS = 256, O_LOCAL, O_SECRET, O_USER, O_PASSWORD, O_TUN,
		O_HOLD, O_TIMEOUT, O_SESSIONS, O_TUNNELS, O_WINDOW, O_EVENTS,
		O_DROP_SENT, O_DROP_RECV, O_DUP, O_REORDER, O_NO_ECHO,
		O_CDN_AFTER, O_STOPCCN_AFTER, O_GARBAGE, O_REDIAL, O_AUTH,
		O_RTX, O_BAD_AVP, O_FLOOD, O_FLOOD_SIZE, O_FLOOD_TO,
	};
	static const struct option lo[] = {
		{ "lns", 1, NULL, O_LNS }, { "local", 1, NULL, O_LOCAL },
		{ "secret", 1, NULL, O_SECRET }, { "user", 1, NULL, O_USER },
		{ "password", 1, NULL, O_PASSWORD }, { "tun", 1, NULL, O_TUN },
		{ "hold", 1, NULL, O_HOLD }, { "timeout", 1, NULL, O_TIMEOUT },
		{ "sessions", 1, NULL, O_SESSIONS },
		{ "tunnels", 1, NULL, O_TUNNELS },
		{ "window", 1, NULL, O_WINDOW },
		{ "events", 0, NULL, O_EVENTS },
		{ "drop-sent", 1, NULL, O_DROP_SENT },
		{ "drop-recv", 1, NULL, O_DROP_RECV },
		{ "dup", 0, NULL, O_DUP }, { "reorder", 1, NULL, O_REORDER },
		{ "no-echo", 0, NULL, O_NO_ECHO },
		{ "cdn-after", 1, NULL, O_CDN_AFTER },
		{ "stopccn-after", 1, NULL, O_STOPCCN_AFTER },
		{ "garbage", 1, NULL, O_GARBAGE },
		{ "redial", 0, NULL, O_REDIAL }, { "auth", 1, NULL, O_AUTH },
		{ "rtx-ms", 1, NULL, O_RTX },
		{ "bad-avp-after", 1, NULL, O_BAD_AVP },
		{ "flood", 1, NULL, O_FLOOD },
		{ "flood-size", 1, NULL, O_FLOOD_SIZE },
		{ "flood-to", 1, NULL, O_FLOOD_TO },
		{ "help", 0, NULL, 'h' },
		{ 0 },
	};
	bool have_lns = false, events = false;
	int c;

	inet_pton(AF_INET, "198.51.100.2", &opt.flood_to);
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case O_LNS:
			if (parse_addr(optarg, &opt.lns))
				usage();
			have_lns = true;
			break;
		case O_LOCAL:
			if (inet_pton(AF_INET, optarg, &opt.local) != 1)
				usage();
			break;
		case O_SECRET: opt.secret = optarg; break;
		case O_USER: opt.user = optarg; break;
		case O_PASSWORD: opt.password = optarg; break;
		case O_TUN: opt.tun = optarg; break;
		case O_HOLD: opt.hold = atof(optarg); break;
		case O_TIMEOUT: opt.timeout = atof(optarg); break;
		case O_SESSIONS: opt.sessions = atoi(optarg); opt.bulk = true;
			break;
		case O_TUNNELS: opt.tunnels = atoi(optarg); break;
		case O_WINDOW: opt.window = atoi(optarg); break;
		case O_EVENTS: events = true; break;
		case O_DROP_SENT: opt.drop_sent = atoi(optarg); break;
		case O_DROP_RECV: opt.drop_recv = atoi(optarg); break;
		case O_DUP: opt.dup = true; break;
		case O_REORDER: opt.reorder = atoi(optarg); break;
		case O_NO_ECHO: opt.no_echo = true; break;
		case O_CDN_AFTER: opt.cdn_after = atof(optarg); break;
		case O_STOPCCN_AFTER: opt.stopccn_after = atof(optarg); break;
		case O_GARBAGE: opt.garbage = atoi(optarg); break;
		case O_REDIAL: opt.redial = true; break;
		case O_BAD_AVP: opt.bad_avp_after = atof(optarg); break;
		case O_RTX: opt.rtx_ms = (unsigned int)atoi(optarg); break;
		case O_FLOOD: opt.flood = atof(optarg); break;
		case O_FLOOD_SIZE: opt.flood_size = atoi(optarg); break;
		case O_FLOOD_TO:
			if (inet_pton(AF_INET, optarg, &opt.flood_to) != 1)
				usage();
			break;
		case O_AUTH:
			if (!strcmp(optarg, "pap"))
				opt.auth = PPP_PAP;
			else if (!strcmp(optarg, "chap"))
				opt.auth = PPP_CHAP;
			else
				usage();
			break;
		default:
			usage();
		}
	}
	if (!have_lns || optind != argc || opt.sessions < 1 ||
	    opt.sessions > 60000 || opt.tunnels < 1 ||
	    opt.tunnels > opt.sessions || opt.window < 1 || !opt.rtx_ms ||
	    (opt.tun && opt.bulk && opt.sessions > 1) || opt.flood < 0 ||
	    (opt.flood > 0 && opt.bulk) || opt.flood_size < 28 ||
	    opt.flood_size > PPP_MRU_DEFAULT)
		usage();
	opt.quiet = opt.bulk && !events;
}

/* --hold in milliseconds; a flood without it ends the run. */
static uint64_t hold_ms(void)
{
	return opt.hold > 0 ? (uint64_t)(opt.hold * 1000) : 0;
}

static void on_signal(int sig)
{
	stop_signal = sig;
}

static struct session *add_session(struct tunnel *t, int index)
{
	struct session *s = lac_session_new(t, index);

	if (!s) {
		perror("tg-lac");
		exit(1);
	}
	if (nsessions == nalloc) {
		nalloc = nalloc ? nalloc * 2 : 64;
		sessions = realloc(sessions, sizeof(*sessions) * nalloc);
		if (!sessions) {
			perror("tg-lac");
			exit(1);
		}
	}
	sessions[nsessions++] = s;
	return s;
}

static void epoll_add(int ep, int fd, void *ptr)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = ptr };

	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
		perror("tg-lac: epoll_ctl");
		exit(1);
	}
}

/* epoll's data: a tunnel, or a session's tun (the low bit set). */
static void dispatch(void *ptr, uint64_t now)
{
	uintptr_t v = (uintptr_t)ptr;

	if (v & 1)
		lac_tun_input((struct session *)(v & ~(uintptr_t)1));
	else
		lac_tunnel_input((struct tunnel *)ptr, now);
}

struct progress {
	int up, failed, inflight, alive;
	uint64_t last_up;
};

static struct progress count(void)
{
	struct progress p = { 0 };
	int i;

	for (i = 0; i < nsessions; i++) {
		struct session *s = sessions[i];

		if (s->up_at) {
			p.up++;
			if (s->up_at > p.last_up)
				p.last_up = s->up_at;
		} else if (s->state == S_DOWN) {
			p.failed++;
		}
		if (s->state == S_WAIT_ICRP || s->state == S_PPP)
			p.inflight++;
		if (s->state != S_DOWN && s->state != S_IDLE)
			p.alive++;
	}
	return p;
}

/* Faults timed from a session's start of service. */
static void timed_faults(struct session *s, uint64_t now)
{
	if (s->state != S_UP)
		return;
	if (opt.cdn_after >= 0 &&
	    now >= s->up_at + (uint64_t)(opt.cdn_after * 1000)) {
		lac_ppp_terminate(s);
		lac_session_cdn(s, 3, "cdn-sent", now);
	} else if (opt.stopccn_after >= 0 &&
		   now >= s->up_at + (uint64_t)(opt.stopccn_after * 1000)) {
		lac_tunnel_stop(s->t, 1, "stopccn-sent", now);
	} else if (opt.bad_avp_after >= 0 &&
		   now >= s->up_at + (uint64_t)(opt.bad_avp_after * 1000)) {
		lac_bad_avp(s->t, now);
		opt.bad_avp_after = -1;
	}
}

static void teardown(int ep, uint64_t now)
{
	uint64_t until = now + 5000;
	struct epoll_event evs[64];
	bool busy = true;
	int i, n;

	for (i = 0; i < nsessions; i++) {
		struct session *s = sessions[i];

		/* Many sessions: the StopCCN alone clears them (7.1). */
		if (opt.bulk) {
			lac_session_gone(s, "teardown");
			continue;
		}
		if (s->state == S_UP || s->state == S_PPP)
			lac_ppp_terminate(s);
		if (s->state != S_DOWN && s->state != S_IDLE)
			lac_session_cdn(s, 3, "teardown", now);
	}
	for (i = 0; i < opt.tunnels; i++)
		if (tunnels[i]->state == T_UP ||
		    tunnels[i]->state == T_WAIT_SCCRP)
			lac_tunnel_stop(tunnels[i], 1, "teardown", now);
	while (busy && lac_now_ms() < until) {
		n = epoll_wait(ep, evs, 64, 50);
		now = lac_now_ms();
		for (i = 0; i < n; i++)
			dispatch(evs[i].data.ptr, now);
		busy = false;
		for (i = 0; i < opt.tunnels; i++) {
			lac_tunnel_tick(tunnels[i], now);
			if (tunnels[i]->state != T_DOWN &&
			    !lac_tunnel_idle(tunnels[i]))
				busy = true;
		}
	}
}

static void print_stats(void)
{
	unsigned long long rx = 0, tx = 0, rxb = 0, txb = 0, echo = 0;
	int i;

	for (i = 0; i < nsessions; i++) {
		rx += sessions[i]->rx_pkts;
		tx += sessions[i]->tx_pkts;
		rxb += sessions[i]->rx_bytes;
		txb += sessions[i]->tx_bytes;
		echo += sessions[i]->echo_replies;
	}
	printf("{\"event\":\"stats\",\"t\":%.3f,\"rx_pkts\":%llu,"
	       "\"tx_pkts\":%llu,\"rx_bytes\":%llu,\"tx_bytes\":%llu}\n",
	       elapsed(), rx, tx, rxb, txb);
	(void)echo;
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct epoll_event evs[256];
	uint64_t now, setup_deadline, hold_until = 0, next_tick = 0;
	struct progress p = { 0 };
	bool setup_done = false, redialed = false, flooding = false, ok;
	int ep, i, n, next_start = 0, total;

	parse_args(argc, argv);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGPIPE, SIG_IGN);
	ep = epoll_create1(EPOLL_CLOEXEC);
	t0 = now = lac_now_ms();
	setup_deadline = now + (uint64_t)(opt.timeout * 1000);

	tunnels = calloc((size_t)opt.tunnels, sizeof(*tunnels));
	for (i = 0; i < opt.tunnels; i++) {
		int e;

		tunnels[i] = lac_tunnel_new(i);
		e = lac_tunnel_open(tunnels[i]);
		if (e < 0) {
			fprintf(stderr, "tg-lac: tunnel socket: %s\n",
				strerror(-e));
			return 1;
		}
		epoll_add(ep, tunnels[i]->fd, tunnels[i]);
	}
	for (i = 0; i < opt.sessions; i++)
		add_session(tunnels[i % opt.tunnels], i + 1);
	if (opt.tun) {
		int fd = lac_tun_open(opt.tun);

		if (fd < 0) {
			fprintf(stderr, "tg-lac: tun %s: %s\n", opt.tun,
				strerror(-fd));
			return 1;
		}
		sessions[0]->tun_fd = fd;
		epoll_add(ep, fd, (void *)((uintptr_t)sessions[0] | 1));
	}
	total = opt.sessions + (opt.redial ? 1 : 0);

	while (!stop_signal) {
		n = epoll_wait(ep, evs, 256, flooding ? 0 : 20);
		now = lac_now_ms();
		for (i = 0; i < n; i++)
			dispatch(evs[i].data.ptr, now);

		/* Start what the window allows, in order. */
		p = count();
		while (next_start < opt.sessions && p.inflight < opt.window) {
			struct session *s = sessions[next_start];

			if (s->t->state == T_WAIT_SCCRP)
				break;
			if (s->t->state == T_UP) {
				lac_session_start(s, now);
				p.inflight++;
			} else {
				s->state = S_DOWN;
			}
			next_start++;
		}
		if (opt.garbage)
			for (i = 0; i < opt.tunnels; i++)
				if (tunnels[i]->state == T_UP) {
					lac_garbage(tunnels[i], opt.garbage);
					opt.garbage = 0;
				}
		if (opt.redial && !redialed && sessions[0]->state == S_UP) {
			struct session *s = add_session(sessions[0]->t, 1);

			redialed = true;
			lac_session_start(s, now);
		}

		if (now >= next_tick) {
			next_tick = now + 50;
			for (i = 0; i < opt.tunnels; i++)
				lac_tunnel_tick(tunnels[i], now);
			for (i = 0; i < nsessions; i++) {
				lac_ppp_tick(sessions[i], now);
				timed_faults(sessions[i], now);
			}
		}

		p = count();
		if (!setup_done &&
		    (p.up + p.failed >= total || now >= setup_deadline)) {
			setup_done = true;
			if (opt.bulk) {
				double s = p.last_up ?
					(double)(p.last_up - t0) / 1000 : 0;

				printf("{\"event\":\"bulk\",\"t\":%.3f,"
				       "\"sessions\":%d,\"tunnels\":%d,"
				       "\"window\":%d,\"up\":%d,\"failed\":%d,"
				       "\"setup_s\":%.3f,"
				       "\"sessions_per_s\":%.1f}\n",
				       elapsed(), opt.sessions, opt.tunnels,
				       opt.window, p.up, total - p.up, s,
				       s > 0 ? p.up / s : 0.0);
				fflush(stdout);
			}
			/* A flood comes first; the hold counts from its end. */
			flooding = opt.flood > 0 && sessions[0]->up_at;
			hold_until = now + hold_ms();
		}
		if (flooding && !lac_flood(sessions[0], now)) {
			flooding = false;
			hold_until = lac_now_ms() + hold_ms();
		}
		if (setup_done && !flooding && (opt.hold >= 0 || opt.flood > 0) &&
		    now >= hold_until)
			break;
		/* Nothing left to hold: the peer or a fault ended it all. */
		if (setup_done && !p.alive)
			break;
	}
	p = count();
	ok = opt.bulk ? p.up == total : sessions[0]->up_at != 0;
	if (opt.redial && !opt.bulk)
		ok = ok && nsessions == 2;
	teardown(ep, lac_now_ms());
	print_stats();
	return ok ? 0 : 1;
}
