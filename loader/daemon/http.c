// SPDX-License-Identifier: GPL-2.0-only
/*
 * A minimal HTTP/1.1 server for one read-only resource, in its own thread.
 *
 * One poll() loop serves every connection: a request (line and headers)
 * must arrive whole within TG_HTTP_REQUEST_MS and TG_HTTP_REQUEST_MAX
 * bytes, else 408 or 431; anything but GET or HEAD of the one path gets
 * 400, 404 or 405. Each answer closes the connection (the rest of what
 * the client sends is read and dropped for a moment, so that it sees the
 * answer rather than a reset). The body is made in memory, gzip-compressed
 * when the client accepts it, and sent without blocking.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "util/cli.h"
#include "daemon/http.h"
#include "util/log.h"

#define PLAIN_CHUNK (1U << 16)	/* inflated at a time for a plain client */
#define LINGER_MS 2000		/* reading what follows an answer */
#define LINGER_MAX (4U << 20)	/* ... at most so many bytes */

enum conn_state { C_READ, C_WRITE, C_LINGER };

struct conn {
	int fd;
	enum conn_state st;
	long long deadline;	/* CLOCK_MONOTONIC ms */
	size_t rlen;		/* bytes in req */
	char hdr[512];		/* status line and headers of the answer */
	size_t hlen;
	char *body;		/* owned; gzip when z is NULL and it is a 200 */
	size_t blen;		/* bytes of body */
	size_t len;		/* bytes to send after hdr */
	z_stream *z;		/* inflating body for a client without gzip */
	char *plain;		/* ... into this buffer of PLAIN_CHUNK bytes */
	size_t plen, poff;	/* bytes in plain, sent of them */
	size_t sent;		/* of hdr, then of the body as sent */
	size_t drained;		/* C_LINGER: bytes dropped */
	char req[TG_HTTP_REQUEST_MAX + 1];
};

struct tg_http {
	int lfd;
	int wake[2];		/* a byte on wake[1] stops the thread */
	pthread_t thread;
	bool running;
	char *path, *ctype;
	tg_http_fn fn;
	void *ctx;
	struct conn *conns[TG_HTTP_CLIENTS_MAX];
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int tg_http_addr_parse(const char *addr, struct sockaddr_storage *ss,
		       socklen_t *len, char *err, size_t errlen)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon, *port = addr;
	__u64 p;

	memset(ss, 0, sizeof(*ss));
	if (addr[0] == '[') {
		colon = strstr(addr, "]:");
		if (!colon || colon - addr - 1 >= (long)sizeof(host)) {
			snprintf(err, errlen, "expected [IPv6]:PORT");
			return -EINVAL;
		}
		memcpy(host, addr + 1, colon - addr - 1);
		host[colon - addr - 1] = 0;
		port = colon + 2;
		s6->sin6_family = AF_INET6;
		if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1) {
			snprintf(err, errlen, "'%s' is not an IPv6 address",
				 host);
			return -EINVAL;
		}
		*len = sizeof(*s6);
	} else {
		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		colon = strrchr(addr, ':');
		if (colon) {
			if (colon - addr >= (long)sizeof(host)) {
				snprintf(err, errlen, "expected A.B.C.D:PORT");
				return -EINVAL;
			}
			memcpy(host, addr, colon - addr);
			host[colon - addr] = 0;
			port = colon + 1;
			if (inet_pton(AF_INET, host, &s4->sin_addr) != 1) {
				snprintf(err, errlen,
					 "'%s' is not an IPv4 address (IPv6: [ADDR]:PORT)",
					 host);
				return -EINVAL;
			}
		}
		*len = sizeof(*s4);
	}
	if (tg_parse_u64(port, 1, 65535, &p)) {
		snprintf(err, errlen, "port '%s' is not a number 1..65535",
			 port);
		return -EINVAL;
	}
	if (ss->ss_family == AF_INET6)
		s6->sin6_port = htons(p);
	else
		s4->sin_port = htons(p);
	return 0;
}

/* gzip into memory behind a FILE. */
struct gz {
	z_stream z;
	char *buf;
	size_t cap;
	size_t in;		/* bytes written: the plain length */
	bool failed;
};

static int gz_room(struct gz *g)
{
	size_t used = g->cap - g->z.avail_out, cap;
	char *p;

	if (g->z.avail_out)
		return 0;
	cap = g->cap ? g->cap * 2 : 1U << 16;
	p = realloc(g->buf, cap);
	if (!p)
		return -ENOMEM;
	g->buf = p;
	g->cap = cap;
	g->z.next_out = (Bytef *)p + used;
	g->z.avail_out = cap - used;
	return 0;
}

static ssize_t gz_write(void *cookie, const char *p, size_t n)
{
	struct gz *g = cookie;

	g->z.next_in = (Bytef *)p;
	g->z.avail_in = n;
	g->in += n;
	while (g->z.avail_in) {
		if (gz_room(g) || deflate(&g->z, Z_NO_FLUSH) == Z_STREAM_ERROR) {
			g->failed = true;
			return -1;
		}
	}
	return n;
}

static int gz_close(void *cookie)
{
	struct gz *g = cookie;
	int rc = Z_OK;

	while (!g->failed && rc != Z_STREAM_END) {
		if (gz_room(g))
			g->failed = true;
		else if ((rc = deflate(&g->z, Z_FINISH)) == Z_STREAM_ERROR)
			g->failed = true;
	}
	return g->failed ? EOF : 0;
}

/*
 * The resource's body, gzip-compressed, into c->body (what a scrape of
 * many subscribers makes is large; compressed it is a tenth) and its
 * plain length into *plain. 0 or negative errno.
 */
static int make_body(struct tg_http *h, struct conn *c, size_t *plain)
{
	cookie_io_functions_t io = { .write = gz_write, .close = gz_close };
	struct gz g = {};
	FILE *f;
	int ret;

	if (deflateInit2(&g.z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	f = fopencookie(&g, "w", io);
	if (!f) {
		ret = -errno;
		goto out;
	}
	setvbuf(f, NULL, _IOFBF, 1U << 16);
	ret = h->fn(h->ctx, f);
	if (fclose(f) && !ret)
		ret = -ENOMEM;
	if (!ret) {
		c->body = g.buf;
		c->blen = g.cap - g.z.avail_out;
		*plain = g.in;
		g.buf = NULL;
	}
out:
	deflateEnd(&g.z);
	free(g.buf);
	return ret;
}

/* Inflate the body for a client that did not ask for gzip. */
static int plain_start(struct conn *c)
{
	c->z = calloc(1, sizeof(*c->z));
	c->plain = malloc(PLAIN_CHUNK);
	if (!c->z || !c->plain || inflateInit2(c->z, 15 + 16) != Z_OK) {
		free(c->z);
		c->z = NULL;
		return -ENOMEM;
	}
	c->z->next_in = (Bytef *)c->body;
	c->z->avail_in = c->blen;
	c->plen = c->poff = 0;
	return 0;
}

static void plain_end(struct conn *c)
{
	if (c->z) {
		inflateEnd(c->z);
		free(c->z);
		c->z = NULL;
	}
	free(c->plain);
	c->plain = NULL;
}

static const char *status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 413: return "Content Too Large";
	case 431: return "Request Header Fields Too Large";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	}
	return "Internal Server Error";
}

/* An error answer with a one-line text body. */
static void answer_error(struct conn *c, int status, const char *why)
{
	plain_end(c);
	free(c->body);
	c->body = NULL;
	c->blen = 0;
	if (asprintf(&c->body, "%d %s: %s\n", status, status_text(status),
		     why) < 0)
		c->body = NULL;
	else
		c->blen = strlen(c->body);
	c->len = c->blen;
	c->hlen = snprintf(c->hdr, sizeof(c->hdr),
			   "HTTP/1.1 %d %s\r\n"
			   "Content-Type: text/plain; charset=utf-8\r\n"
			   "Content-Length: %zu\r\n"
			   "%s"
			   "Connection: close\r\n\r\n",
			   status, status_text(status), c->blen,
			   status == 405 ? "Allow: GET, HEAD\r\n" : "");
	c->sent = 0;
	c->st = C_WRITE;
	c->deadline = now_ms() + TG_HTTP_RESPONSE_MS;
}

/* Whether a header list (after the request line) accepts gzip. */
static bool accepts_gzip(const char *h)
{
	const char *v, *end;

	for (; h && *h; h = strchr(h, '\n'), h = h ? h + 1 : NULL) {
		if (strncasecmp(h, "accept-encoding:", 16))
			continue;
		end = strchr(h, '\n');
		v = strcasestr(h + 16, "gzip");
		if (!v || (end && v > end))
			return false;
		v += 4;
		v += strspn(v, " \t");
		/* gzip;q=0 refuses it. */
		if (!strncasecmp(v, ";q=", 3) && strtod(v + 3, NULL) == 0)
			return false;
		return true;
	}
	return false;
}

/* Headers: "Name: value" lines, each ending in CRLF (or LF). */
static bool headers_valid(const char *h, const char *end)
{
	const char *eol, *colon;

	while (h < end) {
		eol = memchr(h, '\n', end - h);
		if (!eol)
			return false;
		if (eol == h || (eol == h + 1 && *h == '\r'))
			return true;
		colon = memchr(h, ':', eol - h);
		if (!colon || colon == h || h[0] == ' ' || h[0] == '\t')
			return false;
		h = eol + 1;
	}
	return true;
}

/* A whole request is in c->req: answer it. */
static void handle_request(struct tg_http *h, struct conn *c, char *end)
{
	char *method, *target, *version, *line_end, *q;
	size_t plain = 0;
	bool head, gzip;
	int ret;

	*end = 0;
	line_end = strchr(c->req, '\n');
	if (line_end > c->req && line_end[-1] == '\r')
		line_end[-1] = 0;
	*line_end = 0;
	method = c->req;
	target = strchr(method, ' ');
	version = target ? strchr(target + 1, ' ') : NULL;
	if (!target || !version || strchr(version + 1, ' ') ||
	    target == method || version == target + 1) {
		answer_error(c, 400, "malformed request line");
		return;
	}
	*target++ = 0;
	*version++ = 0;
	if (strspn(method, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != strlen(method) ||
	    strncmp(version, "HTTP/", 5) || target[0] != '/' ||
	    !headers_valid(line_end + 1, end)) {
		answer_error(c, 400, "malformed request");
		return;
	}
	if (strcmp(version, "HTTP/1.0") && strcmp(version, "HTTP/1.1")) {
		answer_error(c, 505, "HTTP/1.0 or HTTP/1.1 only");
		return;
	}
	q = strchr(target, '?');
	if (q)
		*q = 0;
	if (strcmp(target, h->path)) {
		answer_error(c, 404, "no such path");
		return;
	}
	head = !strcmp(method, "HEAD");
	if (!head && strcmp(method, "GET")) {
		answer_error(c, 405, "GET or HEAD only");
		return;
	}
	gzip = accepts_gzip(line_end + 1);
	ret = make_body(h, c, &plain);
	if (!ret && !gzip && !head)
		ret = plain_start(c);
	if (ret) {
		answer_error(c, 500, strerror(-ret));
		return;
	}
	c->len = gzip ? c->blen : plain;
	c->hlen = snprintf(c->hdr, sizeof(c->hdr),
			   "HTTP/1.1 200 OK\r\n"
			   "Content-Type: %s\r\n"
			   "Content-Length: %zu\r\n"
			   "%s"
			   "Connection: close\r\n\r\n",
			   h->ctype, c->len,
			   gzip ? "Content-Encoding: gzip\r\n" : "");
	if (head)
		c->len = 0;
	c->sent = 0;
	c->st = C_WRITE;
	c->deadline = now_ms() + TG_HTTP_RESPONSE_MS;
}

static void conn_close(struct tg_http *h, int i)
{
	struct conn *c = h->conns[i];

	close(c->fd);
	plain_end(c);
	free(c->body);
	free(c);
	h->conns[i] = NULL;
}

/* After the answer: read and drop for a moment, then close. */
static void conn_linger(struct conn *c)
{
	shutdown(c->fd, SHUT_WR);
	plain_end(c);
	free(c->body);
	c->body = NULL;
	c->st = C_LINGER;
	c->drained = 0;
	c->deadline = now_ms() + LINGER_MS;
}

static void conn_read(struct tg_http *h, int i)
{
	struct conn *c = h->conns[i];
	char *end;
	ssize_t n;
	size_t scan;

	if (c->st == C_LINGER) {
		n = recv(c->fd, c->req, sizeof(c->req), 0);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			conn_close(h, i);
		else if (n > 0 && (c->drained += n) > LINGER_MAX)
			conn_close(h, i);
		return;
	}
	n = recv(c->fd, c->req + c->rlen, TG_HTTP_REQUEST_MAX - c->rlen, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(h, i);
		return;
	}
	/* Look for the blank line from just before the new bytes. */
	scan = c->rlen > 3 ? c->rlen - 3 : 0;
	c->rlen += n;
	c->req[c->rlen] = 0;
	if (memchr(c->req + scan, 0, c->rlen - scan)) {
		answer_error(c, 400, "NUL byte in request");
		return;
	}
	end = strstr(c->req + scan, "\r\n\r\n");
	if (end) {
		handle_request(h, c, end + 2);
		return;
	}
	end = strstr(c->req + scan, "\n\n");
	if (end) {
		handle_request(h, c, end + 1);
		return;
	}
	if (c->rlen >= TG_HTTP_REQUEST_MAX)
		answer_error(c, 431, "request line and headers over 8 KiB");
}

/* The next bytes of the body to send: as made, or inflated. */
static int next_chunk(struct conn *c, const char **p, size_t *n)
{
	int rc;

	if (!c->z) {
		*p = c->body + (c->sent - c->hlen);
		*n = c->len - (c->sent - c->hlen);
		return 0;
	}
	if (c->poff == c->plen) {
		c->z->next_out = (Bytef *)c->plain;
		c->z->avail_out = PLAIN_CHUNK;
		rc = inflate(c->z, Z_NO_FLUSH);
		if (rc != Z_OK && rc != Z_STREAM_END)
			return -EIO;
		c->plen = PLAIN_CHUNK - c->z->avail_out;
		c->poff = 0;
		if (!c->plen)
			return -EIO;
	}
	*p = c->plain + c->poff;
	*n = c->plen - c->poff;
	return 0;
}

static void conn_write(struct tg_http *h, int i)
{
	struct conn *c = h->conns[i];
	const char *p;
	ssize_t n;
	size_t len;

	while (c->sent < c->hlen + c->len) {
		if (c->sent < c->hlen) {
			p = c->hdr + c->sent;
			len = c->hlen - c->sent;
		} else if (next_chunk(c, &p, &len)) {
			conn_close(h, i);
			return;
		}
		n = send(c->fd, p, len, MSG_NOSIGNAL |
			 (c->sent < c->hlen && c->len ? MSG_MORE : 0));
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			conn_close(h, i);
			return;
		}
		if (c->sent >= c->hlen && c->z)
			c->poff += n;
		c->sent += n;
	}
	conn_linger(c);
}

static void conn_accept(struct tg_http *h)
{
	struct conn *c;
	int fd, i;

	fd = accept4(h->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	for (i = 0; i < TG_HTTP_CLIENTS_MAX && h->conns[i]; i++)
		;
	c = i < TG_HTTP_CLIENTS_MAX ? malloc(sizeof(*c)) : NULL;
	if (!c) {
		static const char busy[] =
			"HTTP/1.1 503 Service Unavailable\r\n"
			"Content-Length: 0\r\nConnection: close\r\n\r\n";

		if (send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL) < 0)
			pr_debug("metrics: answering a client: %s\n",
				 strerror(errno));
		close(fd);
		return;
	}
	memset(c, 0, offsetof(struct conn, req));
	c->fd = fd;
	c->st = C_READ;
	c->deadline = now_ms() + TG_HTTP_REQUEST_MS;
	h->conns[i] = c;
}

/* A deadline passed: 408 for a request still coming, else close. */
static void conn_expire(struct tg_http *h, int i)
{
	struct conn *c = h->conns[i];

	if (c->st != C_READ) {
		conn_close(h, i);
		return;
	}
	answer_error(c, 408, "request not received in time");
	/* Best effort, once: a client that reads nothing gets nothing. */
	c->deadline = now_ms() + 1000;
	conn_write(h, i);
}

static void *http_thread(void *arg)
{
	struct pollfd pfd[TG_HTTP_CLIENTS_MAX + 2];
	int who[TG_HTTP_CLIENTS_MAX + 2];
	struct tg_http *h = arg;
	long long now, next;
	int i, n, timeout;

	for (;;) {
		pfd[0] = (struct pollfd){ .fd = h->wake[0], .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = h->lfd, .events = POLLIN };
		n = 2;
		now = now_ms();
		next = now + 60000;
		for (i = 0; i < TG_HTTP_CLIENTS_MAX; i++) {
			struct conn *c = h->conns[i];

			if (!c)
				continue;
			if (c->deadline <= now) {
				conn_expire(h, i);
				if (!h->conns[i])
					continue;
			}
			if (c->deadline < next)
				next = c->deadline;
			pfd[n].fd = c->fd;
			pfd[n].events = c->st == C_WRITE ? POLLOUT : POLLIN;
			who[n++] = i;
		}
		timeout = next > now ? next - now : 0;
		if (poll(pfd, n, timeout) < 0 && errno != EINTR) {
			pr_warn("metrics: poll: %s\n", strerror(errno));
			break;
		}
		if (pfd[0].revents)
			break;
		for (i = 2; i < n; i++) {
			struct conn *c = h->conns[who[i]];

			if (!pfd[i].revents || !c)
				continue;
			if (c->st == C_WRITE)
				conn_write(h, who[i]);
			else
				conn_read(h, who[i]);
		}
		if (pfd[1].revents & POLLIN)
			conn_accept(h);
	}
	return NULL;
}

int tg_http_start(const char *addr, const char *path,
		  const char *content_type, tg_http_fn fn, void *ctx,
		  struct tg_http **out)
{
	struct sockaddr_storage ss;
	sigset_t all, old;
	struct tg_http *h;
	char err[128];
	socklen_t len;
	int ret, one = 1;

	*out = NULL;
	ret = tg_http_addr_parse(addr, &ss, &len, err, sizeof(err));
	if (ret) {
		tg_err("metrics: address '%s': %s", addr, err);
		return ret;
	}
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->wake[0] = h->wake[1] = -1;
	h->path = strdup(path);
	h->ctype = strdup(content_type);
	h->fn = fn;
	h->ctx = ctx;
	h->lfd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			0);
	if (!h->path || !h->ctype || h->lfd < 0) {
		ret = h->lfd < 0 ? -errno : -ENOMEM;
		tg_err("metrics: address '%s': %s", addr, strerror(-ret));
		goto err;
	}
	setsockopt(h->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(h->lfd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(h->lfd, (struct sockaddr *)&ss, len) || listen(h->lfd, 64)) {
		ret = -errno;
		tg_err("metrics: address '%s': cannot listen: %s", addr,
		       strerror(errno));
		goto err;
	}
	if (pipe2(h->wake, O_CLOEXEC | O_NONBLOCK)) {
		ret = -errno;
		tg_err("metrics: %s", strerror(errno));
		goto err;
	}
	/* Signals stay with the caller's threads. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = -pthread_create(&h->thread, NULL, http_thread, h);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret) {
		tg_err("metrics: cannot start a thread: %s", strerror(-ret));
		goto err;
	}
	h->running = true;
	*out = h;
	return 0;
err:
	tg_http_stop(h);
	return ret;
}

void tg_http_stop(struct tg_http *h)
{
	int i;

	if (!h)
		return;
	if (h->running) {
		if (write(h->wake[1], "", 1) < 0)
			pr_warn("metrics: stopping the server: %s\n",
				strerror(errno));
		pthread_join(h->thread, NULL);
	}
	for (i = 0; i < TG_HTTP_CLIENTS_MAX; i++)
		if (h->conns[i])
			conn_close(h, i);
	if (h->lfd >= 0)
		close(h->lfd);
	if (h->wake[0] >= 0)
		close(h->wake[0]);
	if (h->wake[1] >= 0)
		close(h->wake[1]);
	free(h->path);
	free(h->ctype);
	free(h);
}
