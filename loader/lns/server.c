// SPDX-License-Identifier: GPL-2.0-only
/* The LNS's UDP socket. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lns/server.h"
#include "util/log.h"

int lns_listen_parse(const char *s, struct lns_addr *a, char *err,
		     size_t errlen)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_DGRAM,
		.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE,
	};
	char host[INET6_ADDRSTRLEN + 2], port[8] = "1701";
	const char *colon = strrchr(s, ':');
	struct addrinfo *res;
	size_t n = strlen(s);
	char *end;
	int rc;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || (close[1] && close[1] != ':'))
			goto bad;
		n = (size_t)(close - s - 1);
		s++;
		colon = close[1] ? close + 1 : NULL;
	} else if (colon && strchr(s, ':') != colon) {
		colon = NULL;	/* a bare IPv6 address */
	} else if (colon) {
		n = (size_t)(colon - s);
	}
	if (!n || n >= sizeof(host))
		goto bad;
	memcpy(host, s, n);
	host[n] = '\0';
	if (colon) {
		unsigned long p;

		errno = 0;
		p = strtoul(colon + 1, &end, 10);
		if (errno || *end || !colon[1] || colon[1] == '-' ||
		    colon[1] == '+' || p == 0 || p > 65535)
			goto bad;
		snprintf(port, sizeof(port), "%lu", p);
	}
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc)
		goto bad;
	memcpy(&a->ss, res->ai_addr, res->ai_addrlen);
	a->len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
bad:
	snprintf(err, errlen,
		 "'%s' is not ADDRESS, ADDRESS:PORT or [IPV6]:PORT", s);
	return -EINVAL;
}

static void server_xmit(void *ctx, const struct lns_addr *to,
			const uint8_t *buf, size_t len)
{
	struct lns_server *srv = ctx;

	if (sendto(srv->fd, buf, len, MSG_DONTWAIT,
		   (const struct sockaddr *)&to->ss, to->len) < 0)
		srv->send_errors++;
}

static void server_random(void *ctx, uint8_t *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = getrandom(buf + got, len - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			abort();	/* no entropy at all: nothing is safe */
		got += (size_t)n;
	}
}

int lns_server_open(struct lns_server *srv, const struct lns_addr *listen,
		    const struct lns_config *cfg,
		    const struct lns_callbacks *env, void *user, char *err,
		    size_t errlen)
{
	struct lns_callbacks cb = *env;
	char host[INET6_ADDRSTRLEN], serv[8];
	int one = 1, buf = LNS_SOCKET_BUF, e;

	cb.xmit = server_xmit;
	cb.random = server_random;
	getnameinfo((const struct sockaddr *)&listen->ss, listen->len, host,
		    sizeof(host), serv, sizeof(serv),
		    NI_NUMERICHOST | NI_NUMERICSERV);
	srv->fd = socket(listen->ss.ss_family,
			 SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (srv->fd < 0) {
		e = -errno;
		snprintf(err, errlen, "LNS socket: %s", strerror(errno));
		return e;
	}
	if (listen->ss.ss_family == AF_INET6)
		setsockopt(srv->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
			   sizeof(one));
	/* Thousands of LACs redialling at once: room for their bursts. */
	if (setsockopt(srv->fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf)))
		setsockopt(srv->fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	if (setsockopt(srv->fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof(buf)))
		setsockopt(srv->fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	if (bind(srv->fd, (const struct sockaddr *)&listen->ss, listen->len)) {
		e = -errno;
		snprintf(err, errlen, "LNS on %s port %s: %s", host, serv,
			 strerror(errno));
		close(srv->fd);
		srv->fd = -1;
		return e;
	}
	srv->send_errors = srv->recv_errors = 0;
	srv->user = user;
	lns_init(&srv->lns, cfg, &cb, srv);
	return 0;
}

void lns_server_read(struct lns_server *srv, uint64_t now)
{
	uint8_t buf[L2TP_MSG_MAX];
	struct lns_addr from;
	ssize_t n;
	int i;

	/* Bounded, so one flood cannot starve the daemon's other work. */
	for (i = 0; i < 256; i++) {
		from.len = sizeof(from.ss);
		n = recvfrom(srv->fd, buf, sizeof(buf), MSG_DONTWAIT,
			     (struct sockaddr *)&from.ss, &from.len);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR)
				srv->recv_errors++;
			return;
		}
		lns_input(&srv->lns, &from, buf, (size_t)n, now);
	}
}

void lns_server_close(struct lns_server *srv)
{
	lns_free(&srv->lns);
	if (srv->fd >= 0)
		close(srv->fd);
	srv->fd = -1;
}
