// SPDX-License-Identifier: GPL-2.0-only
/*
 * The HTTP server for one read-only resource, on libmicrohttpd: one thread
 * of its own polling with epoll. The socket is made here (so that an
 * address in use is reported as such); libmicrohttpd parses requests and
 * enforces the limits below. Anything but GET or HEAD of the one path gets
 * 404 or 405; every answer closes the connection. The body is made once
 * per request, gzip-compressed, and inflated on the way out for a client
 * that does not accept gzip.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/gzip.h"
#include "daemon/http.h"
#include "util/cli.h"
#include "util/log.h"

/*
 * Connections at once: an idle one costs a socket and a few KiB, so a
 * thousand idle clients leave room for a scrape until they go after
 * IDLE_S. Those past the limit wait in the listen backlog.
 */
#define CLIENTS_MAX 1024
/*
 * From one client address, unless listening on loopback: a remote host
 * cannot take the room of the Prometheus server. On loopback every client
 * is 127.0.0.1 (or ::1), Prometheus on the same host too, so that only
 * CLIENTS_MAX applies there.
 */
#define CLIENTS_PER_IP 32
#define IDLE_S 5		/* closed after so many seconds idle */
#define CONN_MEMORY (8U << 10)	/* a request's and an answer's headers */
#define FD_RESERVE 256		/* file descriptors kept for the rest */
#define BODY_CHUNK (64U << 10)	/* inflated at a time, for plain */
#define ALLOW "GET, HEAD"	/* the methods served */

struct tg_http {
	struct MHD_Daemon *mhd;
	char *path, *ctype;
	tg_http_fn fn;
	void *ctx;
};

/*
 * Parse "PORT" (127.0.0.1:PORT), "A.B.C.D:PORT" or "[v6]:PORT". 0 or
 * -EINVAL with the cause in err.
 */
static int addr_parse(const char *addr, struct sockaddr_storage *ss,
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

bool tg_http_loopback(const struct sockaddr_storage *ss)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

	if (ss->ss_family == AF_INET6)
		return IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr);
	return (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
}

int tg_http_listen(const char *what, const char *addr,
		   struct sockaddr_storage *ss)
{
	socklen_t len;
	char err[128];
	int fd, ret, one = 1;

	ret = addr_parse(addr, ss, &len, err, sizeof(err));
	if (ret) {
		tg_err("%s: address '%s': %s", what, addr, err);
		return ret;
	}
	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0) {
		ret = -errno;
		tg_err("%s: address '%s': %s", what, addr, strerror(errno));
		return ret;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss->ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	/* The backlog holds who comes while CLIENTS_MAX are connected. */
	if (bind(fd, (struct sockaddr *)ss, len) || listen(fd, SOMAXCONN)) {
		ret = -errno;
		tg_err("%s: address '%s': cannot listen: %s", what, addr,
		       strerror(errno));
		close(fd);
		return ret;
	}
	return fd;
}

/*
 * How many clients at once: CLIENTS_MAX, the open file limit raised to
 * leave FD_RESERVE descriptors to the rest of the daemon (a sync must
 * never fail for want of one); fewer when it cannot be.
 */
static unsigned int clients_max(void)
{
	rlim_t want = CLIENTS_MAX + FD_RESERVE;
	struct rlimit rl;
	unsigned int n;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 64;
	if (rl.rlim_cur >= want)
		return CLIENTS_MAX;
	rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
	if (!setrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur >= want)
		return CLIENTS_MAX;
	getrlimit(RLIMIT_NOFILE, &rl);
	n = rl.rlim_cur > 2 * FD_RESERVE ? rl.rlim_cur - FD_RESERVE :
					    rl.rlim_cur / 2;
	pr_warn("metrics: open file limit %llu: at most %u clients at once\n",
		(unsigned long long)rl.rlim_cur, n);
	return n;
}

void tg_http_log(void *cls, const char *fmt, va_list ap)
{
	char msg[256];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = 0;
	pr_debug("%s: %s\n", (const char *)cls, msg);
}

enum MHD_Result tg_http_queue(struct MHD_Connection *conn,
			      unsigned int status, struct MHD_Response *r,
			      const char *ctype, const char *allow,
			      const char *why)
{
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	if (MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype) ==
	    MHD_NO ||
	    MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close") ==
	    MHD_NO ||
	    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
				    "no-store") == MHD_NO ||
	    (why && MHD_add_response_header(r, "X-Tungate-Error", why) ==
	     MHD_NO) ||
	    (status == MHD_HTTP_METHOD_NOT_ALLOWED &&
	     MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow) ==
	     MHD_NO)) {
		MHD_destroy_response(r);
		return MHD_NO;
	}
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

enum MHD_Result tg_http_error(struct MHD_Connection *conn,
			      unsigned int status, const char *why,
			      const char *allow)
{
	char body[1100];
	int n;

	n = snprintf(body, sizeof(body), "%u %s: %s\n", status,
		     MHD_get_reason_phrase_for(status), why);
	if (n >= (int)sizeof(body))
		n = sizeof(body) - 1;
	return tg_http_queue(conn, status,
			     MHD_create_response_from_buffer(n, body,
							     MHD_RESPMEM_MUST_COPY),
			     "text/plain; charset=utf-8", allow, why);
}

/* Whether an Accept-Encoding value takes gzip ("gzip;q=0" refuses it). */
static bool accepts_gzip(const char *v)
{
	const char *g = v ? strcasestr(v, "gzip") : NULL;

	if (!g)
		return false;
	g += 4;
	g += strspn(g, " \t");
	return strncasecmp(g, ";q=", 3) || strtod(g + 3, NULL) != 0;
}

static ssize_t plain_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	ssize_t n = tg_gunzip_read(cls, buf, max);

	return n > 0 ? n : MHD_CONTENT_READER_END_WITH_ERROR;
}

static void plain_free(void *cls)
{
	tg_gunzip_free(cls);
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn,
			      const char *url, const char *method,
			      const char *version, const char *upload,
			      size_t *upload_len, void **req)
{
	struct tg_http *h = cls;
	struct MHD_Response *r;
	struct tg_gunzip *g;
	size_t len, plain;
	char *body;
	int ret;

	if (strcmp(url, h->path))
		return tg_http_error(conn, MHD_HTTP_NOT_FOUND, "no such path",
				     ALLOW);
	if (strcmp(method, MHD_HTTP_METHOD_GET) &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD))
		return tg_http_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
				     "GET or HEAD only", ALLOW);
	ret = tg_gzip_make(h->fn, h->ctx, &body, &len, &plain);
	if (ret)
		return tg_http_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
				     strerror(-ret), ALLOW);
	if (accepts_gzip(MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
			 MHD_HTTP_HEADER_ACCEPT_ENCODING))) {
		r = MHD_create_response_from_buffer(len, body,
						    MHD_RESPMEM_MUST_FREE);
		if (!r)
			free(body);
		else if (MHD_add_response_header(r,
				MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip") ==
			 MHD_NO) {
			MHD_destroy_response(r);
			r = NULL;
		}
	} else {
		g = tg_gunzip_new(body, len);
		r = g ? MHD_create_response_from_callback(plain, BODY_CHUNK,
							  plain_read, g,
							  plain_free) : NULL;
		if (g && !r)
			tg_gunzip_free(g);
	}
	if (!r)
		return tg_http_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
				     strerror(ENOMEM), ALLOW);
	return tg_http_queue(conn, MHD_HTTP_OK, r, h->ctype, ALLOW, NULL);
}

int tg_http_start(const char *addr, const char *path,
		  const char *content_type, tg_http_fn fn, void *ctx,
		  struct tg_http **out)
{
	struct sockaddr_storage ss;
	sigset_t all, old;
	struct tg_http *h;
	int fd, ret = -ENOMEM;

	*out = NULL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->path = strdup(path);
	h->ctype = strdup(content_type);
	h->fn = fn;
	h->ctx = ctx;
	if (!h->path || !h->ctype)
		goto err;
	fd = tg_http_listen("metrics", addr, &ss);
	if (fd < 0) {
		ret = fd;
		goto err;
	}
	/* Signals stay with the caller's threads. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	h->mhd = MHD_start_daemon(
		MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG |
		(ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0), 0,
		NULL, NULL, answer, h,
		MHD_OPTION_EXTERNAL_LOGGER, tg_http_log, "metrics",
		MHD_OPTION_LISTEN_SOCKET, fd,
		MHD_OPTION_CONNECTION_LIMIT, clients_max(),
		MHD_OPTION_PER_IP_CONNECTION_LIMIT,
		tg_http_loopback(&ss) ? 0U : CLIENTS_PER_IP,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)IDLE_S,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
		MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!h->mhd) {
		ret = -EIO;
		tg_err("metrics: address '%s': cannot start the HTTP server",
		       addr);
		/* It closes the socket on most of its failures, not all. */
		if (fcntl(fd, F_GETFD) >= 0)
			close(fd);
		goto err;
	}
	*out = h;
	return 0;
err:
	tg_http_stop(h);
	return ret;
}

void tg_http_stop(struct tg_http *h)
{
	if (!h)
		return;
	/* Joins the thread, closes the connections and the socket. */
	if (h->mhd)
		MHD_stop_daemon(h->mhd);
	free(h->path);
	free(h->ctype);
	free(h);
}
