/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A minimal HTTP/1.1 server for one read-only resource: GET (and HEAD) of
 * one path, from a thread of its own. Requests are bounded in size and
 * time; everything else gets an error status and the connection closed.
 */
#ifndef TG_HTTP_H
#define TG_HTTP_H

#include <stdio.h>
#include <sys/socket.h>

#define TG_HTTP_REQUEST_MAX 8192	/* request line and headers, bytes */
#define TG_HTTP_REQUEST_MS 5000		/* to receive a whole request */
#define TG_HTTP_RESPONSE_MS 30000	/* to send a whole response */
#define TG_HTTP_CLIENTS_MAX 32		/* connections at once */

struct tg_http;

/*
 * Writes the body of the resource to f (run in the server's thread, one
 * request at a time). 0, or negative errno: the client gets a 500.
 */
typedef int (*tg_http_fn)(void *ctx, FILE *f);

/*
 * Parse "PORT" (127.0.0.1:PORT), "A.B.C.D:PORT" or "[v6]:PORT". 0 or
 * -EINVAL with the cause in err.
 */
int tg_http_addr_parse(const char *addr, struct sockaddr_storage *ss,
		       socklen_t *len, char *err, size_t errlen);

/*
 * Listen on addr (reported with tg_err() on error) and serve path, of
 * type content_type, with fn from a new thread. 0 or negative errno.
 */
int tg_http_start(const char *addr, const char *path,
		  const char *content_type, tg_http_fn fn, void *ctx,
		  struct tg_http **out);
/* Stop the thread, close every connection and free h (NULL: nothing). */
void tg_http_stop(struct tg_http *h);

#endif /* TG_HTTP_H */
