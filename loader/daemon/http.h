/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An HTTP server for one read-only resource: GET (and HEAD) of one path,
 * from a thread of its own (libmicrohttpd), with bounded connections,
 * memory and idle time.
 */
#ifndef TG_HTTP_H
#define TG_HTTP_H

#include <microhttpd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/socket.h>

struct tg_http;

/*
 * Writes the body of the resource to f (run in the server's thread, one
 * request at a time). 0, or negative errno: the client gets a 500.
 */
typedef int (*tg_http_fn)(void *ctx, FILE *f);

/*
 * Listen on addr ("PORT" = 127.0.0.1:PORT, "A.B.C.D:PORT", "[v6]:PORT";
 * reported with tg_err() on error) and serve path, of type content_type,
 * with fn from a new thread. 0 or negative errno.
 */
int tg_http_start(const char *addr, const char *path,
		  const char *content_type, tg_http_fn fn, void *ctx,
		  struct tg_http **out);
/*
 * A listening TCP socket (non-blocking) on addr, as tg_http_start() takes
 * it, its address in ss; errors reported as "what: address ...". The
 * socket, or negative errno.
 */
int tg_http_listen(const char *what, const char *addr,
		   struct sockaddr_storage *ss);
/* Whether ss is a loopback address (every client is then one address). */
bool tg_http_loopback(const struct sockaddr_storage *ss);

/*
 * libmicrohttpd's messages at debug level (a client's misbehaviour is no
 * warning), cls the server's name ("metrics").
 */
void tg_http_log(void *cls, const char *fmt, va_list ap);

/* Stop the thread, close every connection and free h (NULL: nothing). */
void tg_http_stop(struct tg_http *h);

/*
 * Answers of tungate's HTTP servers: queue r (NULL: MHD_NO; destroyed
 * here) as status with type ctype, Connection: close, Cache-Control:
 * no-store, why (a refusal's reason, when not NULL) as X-Tungate-Error
 * too, and on 405 Allow: allow.
 */
enum MHD_Result tg_http_queue(struct MHD_Connection *conn,
			      unsigned int status, struct MHD_Response *r,
			      const char *ctype, const char *allow,
			      const char *why);
/* "STATUS Reason: why", one line of text/plain, through tg_http_queue(). */
enum MHD_Result tg_http_error(struct MHD_Connection *conn,
			      unsigned int status, const char *why,
			      const char *allow);

#endif /* TG_HTTP_H */
