// SPDX-License-Identifier: GPL-2.0-only
/*
 * The enrolment broker (see wg_broker.h). A thread per connection (at
 * most CONNS_MAX, CONNS_PER_IP from one address, each for at most
 * IDLE_S idle and ENROL_TIMEOUT_S of enrolment): an enrolment waits for
 * its command, a fetch of the script need not wait behind it.
 */
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <nettle/sha2.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "util/cli.h"
#include "util/log.h"
#include "util/tls_files.h"
#include "db/conn.h"
#include "dataplane/dataplane.h"
#include "db/wg_settings.h"
#include "daemon/http.h"
#include "daemon/run.h"
#include "daemon/wg_broker.h"
/* The client script, made from loader/wg/tungate-wg-enrol.sh. */
#include "wg_enrol_sh.h"

#define CONNS_MAX 32
#define CONNS_PER_IP 4
#define IDLE_S 10
#define CONN_MEMORY (16U << 10)
#define BODY_MAX 512		/* token=...&key=... is about 100 bytes */
#define OUT_MAX (8U << 10)	/* the wg-quick file */
#define ERR_MAX 1024
#define ENROL_TIMEOUT_S 30	/* with PostgreSQL: three tries, 5 s each */
#define HOST_MAX 300
#define SCRIPT_PATH "/wg/openwrt.sh"
#define ENROL_PATH "/wg/enrol"

#define TG_WG_ENROL_NAME(e, s) s,
const char *const tg_wg_enrol_names[TG_WG_ENROL_N] = {
	TG_WG_ENROL_RESULTS(TG_WG_ENROL_NAME)
};
#undef TG_WG_ENROL_NAME

static const char script[] = TG_WG_ENROL_SH;

struct tg_wg_broker {
	struct MHD_Daemon *mhd;
	struct tg_wg_brokerd *d;
	int fd;				/* the listening socket, mhd's */
	bool tls;
	struct tg_tls_files pem;	/* mhd's certificate and key */
	pthread_mutex_t lock;		/* the rate table */
	struct tg_wg_rate rate;
};

/* A request being read: its body. */
struct req {
	size_t len;
	bool too_long;
	char body[BODY_MAX + 1];
};

static __u64 now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

bool tg_wg_rate_take(struct tg_wg_rate *r, const __u8 addr[16], __u64 now)
{
	const unsigned int full = TG_WG_BROKER_RATE * 60;
	struct tg_wg_rate_slot *s = NULL, *old = &r->slot[0];
	__u64 add;
	size_t i;

	for (i = 0; i < TG_WG_BROKER_CLIENTS && !s; i++) {
		if (r->slot[i].used && !memcmp(r->slot[i].addr, addr, 16))
			s = &r->slot[i];
		else if (!r->slot[i].used ||
			 (old->used && r->slot[i].seen_ms < old->seen_ms))
			old = &r->slot[i];
	}
	if (!s) {
		/* A free slot, or the one least recently seen. */
		s = old;
		memcpy(s->addr, addr, 16);
		s->used = true;
		s->at_ms = now;
		s->tokens_x60 = full;
	}
	s->seen_ms = now;
	/* TG_WG_BROKER_RATE tokens a minute: 60ths of one per 200 ms each. */
	add = (now - s->at_ms) * TG_WG_BROKER_RATE * 60 / 60000;
	if (add) {
		s->tokens_x60 = add >= full - s->tokens_x60 ? full :
				s->tokens_x60 + add;
		s->at_ms = now;
	}
	if (s->tokens_x60 < 60)
		return false;
	s->tokens_x60 -= 60;
	return true;
}

/* The client's address, 16 bytes (IPv4 mapped), and as text. */
static void client_addr(struct MHD_Connection *conn, __u8 a[16], char *txt,
			size_t len)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	memset(a, 0, 16);
	snprintf(txt, len, "?");
	if (sa && sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)sa;

		a[10] = a[11] = 0xff;
		memcpy(a + 12, &s4->sin_addr, 4);
		inet_ntop(AF_INET, &s4->sin_addr, txt, len);
	} else if (sa && sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		memcpy(a, &s6->sin6_addr, 16);
		inet_ntop(AF_INET6, &s6->sin6_addr, txt, len);
	}
}

/* The methods served. */
#define ALLOW "GET, HEAD, POST"

static enum MHD_Result send_text(struct MHD_Connection *conn,
				 const char *body, size_t len,
				 const char *ctype)
{
	return tg_http_queue(conn, MHD_HTTP_OK,
			     MHD_create_response_from_buffer(len, (void *)body,
							     MHD_RESPMEM_MUST_COPY),
			     ctype, ALLOW, NULL);
}

/* "STATUS Reason: why", one line; why also as a header (wget -S shows it). */
static enum MHD_Result send_error(struct MHD_Connection *conn,
				  unsigned int status, const char *why)
{
	return tg_http_error(conn, status, why, ALLOW);
}

static void count(struct tg_wg_broker *b, enum tg_wg_enrol_result res)
{
	__atomic_add_fetch(&b->d->results[res], 1, __ATOMIC_RELAXED);
}

/* Percent-decoded value of field name in a form body: 0 or -EINVAL. */
static int form_value(const char *body, const char *name, char *out,
		      size_t len)
{
	size_t nl = strlen(name), o = 0;
	const char *p = body, *end;
	unsigned int h;

	for (;;) {
		end = p + strcspn(p, "&");
		if (!strncmp(p, name, nl) && p[nl] == '=')
			break;
		if (!*end)
			return -EINVAL;
		p = end + 1;
	}
	/* '+' stays '+': no token or key has a space, keys have '+'. */
	for (p += nl + 1; p < end; p++) {
		if (o + 1 >= len)
			return -EINVAL;
		if (*p == '%') {
			if (end - p < 3 || sscanf(p + 1, "%2x", &h) != 1 ||
			    !h)
				return -EINVAL;
			out[o++] = (char)h;
			p += 2;
		} else {
			out[o++] = *p;
		}
	}
	out[o] = '\0';
	return o ? 0 : -EINVAL;
}

/*
 * Run 'tungate wg enrol' on line ("TOKEN KEY\n"): its exit status, or
 * negative errno; out and err get its output (bounded, NUL-terminated).
 */
static int enrol_run(const char *line, char *out, size_t outlen, char *err,
		     size_t errlen)
{
	int in[2] = { -1, -1 }, o[2] = { -1, -1 }, e[2] = { -1, -1 };
	posix_spawn_file_actions_t fa;
	size_t no = 0, ne = 0;
	char *argv[12];
	int argc = 0, status, ret, n;
	__u64 deadline = now_ms() + ENROL_TIMEOUT_S * 1000ULL;
	struct pollfd pfd[2];
	char sink[256];
	pid_t pid;

	*out = *err = '\0';
	argv[argc++] = "tungate";
	argv[argc++] = "--db";
	argv[argc++] = (char *)(tg_opts.pg_url ? tg_opts.pg_url : tg_db_path());
	if (tg_opts.pg_url) {
		argv[argc++] = "--snapshot";
		argv[argc++] = (char *)tg_db_path();
	}
	argv[argc++] = "--pin-root";
	argv[argc++] = (char *)tg_pin_root();
	argv[argc++] = "wg";
	argv[argc++] = "enrol";
	argv[argc] = NULL;
	if (pipe2(in, O_CLOEXEC) || pipe2(o, O_CLOEXEC) || pipe2(e, O_CLOEXEC)) {
		ret = -errno;
		goto out;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, o[1], 1);
	posix_spawn_file_actions_adddup2(&fa, e[1], 2);
	ret = -posix_spawn(&pid, "/proc/self/exe", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (ret)
		goto out;
	close(in[0]);
	close(o[1]);
	close(e[1]);
	in[0] = o[1] = e[1] = -1;
	/* A line far below the pipe's size: written at once. */
	if (write(in[1], line, strlen(line)) != (ssize_t)strlen(line))
		pr_debug("wg broker: the command did not take its input\n");
	close(in[1]);
	in[1] = -1;
	while (o[0] >= 0 || e[0] >= 0) {
		__u64 now = now_ms();

		if (now >= deadline) {
			kill(pid, SIGKILL);
			snprintf(err, errlen, "tungate: wg enrol: error: no answer within %d s",
				 ENROL_TIMEOUT_S);
			ne = strlen(err);
			break;
		}
		pfd[0] = (struct pollfd){ .fd = o[0], .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = e[0], .events = POLLIN };
		if (poll(pfd, 2, (int)(deadline - now)) < 0 && errno != EINTR)
			break;
		if (pfd[0].revents) {
			n = read(o[0], no + 1 < outlen ? out + no : sink,
				 no + 1 < outlen ? outlen - 1 - no : sizeof(sink));
			if (n <= 0) {
				close(o[0]);
				o[0] = -1;
			} else if (no + 1 < outlen) {
				no += n;
			}
		}
		if (pfd[1].revents) {
			n = read(e[0], ne + 1 < errlen ? err + ne : sink,
				 ne + 1 < errlen ? errlen - 1 - ne : sizeof(sink));
			if (n <= 0) {
				close(e[0]);
				e[0] = -1;
			} else if (ne + 1 < errlen) {
				ne += n;
			}
		}
	}
	out[no] = '\0';
	err[ne] = '\0';
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	ret = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
out:
	if (ret < 0)
		snprintf(err, errlen, "tungate: wg enrol: error: cannot run the command: %s",
			 strerror(-ret));
	for (n = 0; n < 2; n++) {
		if (in[n] >= 0)
			close(in[n]);
		if (o[n] >= 0)
			close(o[n]);
		if (e[n] >= 0)
			close(e[n]);
	}
	return ret;
}

/* The result a refusal names ("tungate: wg enrol: REASON: ..."). */
static enum tg_wg_enrol_result enrol_reason(const char *err, const char **why)
{
	static const char mark[] = "wg enrol: ";
	const char *p = strstr(err, mark);
	size_t n;
	int i;

	*why = err;
	if (!strncmp(err, "tungate: ", 9))
		*why = err + 9;
	if (!p)
		return TG_WG_ENROL_ERROR;
	p += sizeof(mark) - 1;
	*why = p;
	n = strcspn(p, ":");
	for (i = 0; i < TG_WG_ENROL_N; i++)
		if (strlen(tg_wg_enrol_names[i]) == n &&
		    !strncmp(p, tg_wg_enrol_names[i], n))
			return i == TG_WG_ENROL_OK ? TG_WG_ENROL_ERROR : i;
	return TG_WG_ENROL_ERROR;
}

static enum MHD_Result enrol(struct tg_wg_broker *b,
			     struct MHD_Connection *conn, struct req *q,
			     const char *client)
{
	char token[64], key[64], line[160], out[OUT_MAX], err[ERR_MAX];
	enum tg_wg_enrol_result res;
	const char *why;
	char *nl;
	int ret;

	if (q->too_long || form_value(q->body, "token", token, sizeof(token)) ||
	    form_value(q->body, "key", key, sizeof(key)) ||
	    strpbrk(token, " \t\r\n") || strpbrk(key, " \t\r\n")) {
		count(b, TG_WG_ENROL_BAD_REQUEST);
		tg_run_log("wg broker: %s: refused (bad_request): not a form of token and key",
			   client);
		return send_error(conn, MHD_HTTP_BAD_REQUEST,
				  "bad_request: expected a form token=TOKEN&key=PUBLIC_KEY (application/x-www-form-urlencoded)");
	}
	snprintf(line, sizeof(line), "%s %s\n", token, key);
	ret = enrol_run(line, out, sizeof(out), err, sizeof(err));
	memset(line, 0, sizeof(line));
	memset(token, 0, sizeof(token));
	nl = strchr(err, '\n');
	if (nl)
		*nl = '\0';
	if (!ret && *out) {
		count(b, TG_WG_ENROL_OK);
		/* Where the sync starts at once. */
		if (eventfd_write(b->d->wake, 1))
			pr_debug("wg broker: cannot wake the daemon\n");
		nl = strstr(out, "member ");
		tg_run_log("wg broker: %s: enrolled %.*s with key %s", client,
			   nl ? (int)strcspn(nl + 7, "\n") : 1, nl ? nl + 7 : "?",
			   key);
		return send_text(conn, out, strlen(out),
				 "text/plain; charset=utf-8");
	}
	res = ret ? enrol_reason(err, &why) : TG_WG_ENROL_ERROR;
	if (!ret)
		why = "error: the command printed nothing";
	count(b, res);
	tg_run_log("wg broker: %s: refused (%s): %s", client,
		   tg_wg_enrol_names[res], why);
	return send_error(conn, res == TG_WG_ENROL_ERROR ?
			  MHD_HTTP_INTERNAL_SERVER_ERROR :
			  res == TG_WG_ENROL_BAD_KEY ? MHD_HTTP_BAD_REQUEST :
			  MHD_HTTP_FORBIDDEN, why);
}

/*
 * The client script for the address the client used to reach us, by the
 * scheme it came with: it enrols where it was fetched from.
 */
static enum MHD_Result send_script(struct tg_wg_broker *b,
				   struct MHD_Connection *conn)
{
	const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						       MHD_HTTP_HEADER_HOST);
	const char *scheme = b->tls ? "https://" : "http://";
	static const char mark[] = "@BROKER@";
	const char *at = strstr(script, mark);
	char *body;
	size_t len;
	enum MHD_Result ret;

	if (!host || !*host || strlen(host) > HOST_MAX ||
	    host[strspn(host, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-:[]")])
		return send_error(conn, MHD_HTTP_BAD_REQUEST,
				  "bad_request: a Host header of a name or address (and port)");
	len = sizeof(script) - 1 - (at ? sizeof(mark) - 1 : 0) +
	      (at ? strlen(scheme) + strlen(host) : 0);
	body = malloc(len + 1);
	if (!body)
		return send_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
				  "out of memory");
	if (at)
		snprintf(body, len + 1, "%.*s%s%s%s", (int)(at - script), script,
			 scheme, host, at + sizeof(mark) - 1);
	else
		memcpy(body, script, len + 1);
	ret = send_text(conn, body, len, "text/x-shellscript; charset=utf-8");
	free(body);
	return ret;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn,
			      const char *url, const char *method,
			      const char *version, const char *upload,
			      size_t *upload_len, void **reqp)
{
	struct tg_wg_broker *b = cls;
	struct req *q = *reqp;
	char client[INET6_ADDRSTRLEN];
	__u8 addr[16];
	bool pass, post = !strcmp(method, MHD_HTTP_METHOD_POST);

	if (!q) {
		/* The first call, headers only: rate and path now. */
		client_addr(conn, addr, client, sizeof(client));
		pthread_mutex_lock(&b->lock);
		pass = tg_wg_rate_take(&b->rate, addr, now_ms());
		pthread_mutex_unlock(&b->lock);
		if (!pass) {
			count(b, TG_WG_ENROL_RATE_LIMITED);
			tg_run_log("wg broker: %s: refused (rate_limited): more than %d requests a minute",
				   client, TG_WG_BROKER_RATE);
			return send_error(conn, MHD_HTTP_TOO_MANY_REQUESTS,
					  "rate_limited: too many requests from this address; wait a minute");
		}
		if (post && !strcmp(url, ENROL_PATH)) {
			q = calloc(1, sizeof(*q));
			if (!q)
				return MHD_NO;
			*reqp = q;
			return MHD_YES;
		}
		if (!strcmp(url, SCRIPT_PATH) &&
		    (!strcmp(method, MHD_HTTP_METHOD_GET) ||
		     !strcmp(method, MHD_HTTP_METHOD_HEAD)))
			return send_script(b, conn);
		if (strcmp(url, SCRIPT_PATH) && strcmp(url, ENROL_PATH))
			return send_error(conn, MHD_HTTP_NOT_FOUND,
					  "no such path (" ENROL_PATH ", " SCRIPT_PATH ")");
		return send_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
				  "POST " ENROL_PATH ", GET " SCRIPT_PATH);
	}
	if (*upload_len) {
		if (q->len + *upload_len > BODY_MAX)
			q->too_long = true;
		else
			memcpy(q->body + q->len, upload, *upload_len);
		if (!q->too_long)
			q->len += *upload_len;
		*upload_len = 0;
		return MHD_YES;
	}
	q->body[q->len] = '\0';
	client_addr(conn, addr, client, sizeof(client));
	return enrol(b, conn, q, client);
}

static void done(void *cls, struct MHD_Connection *conn, void **reqp,
		 enum MHD_RequestTerminationCode why)
{
	struct req *q = *reqp;

	if (q) {
		memset(q, 0, sizeof(*q));
		free(q);
	}
	*reqp = NULL;
}

static void broker_stop(struct tg_wg_broker *b)
{
	if (!b)
		return;
	/* Joins the threads, closes the connections and b->fd. */
	if (b->mhd)
		MHD_stop_daemon(b->mhd);
	tg_tls_files_free(&b->pem);
	pthread_mutex_destroy(&b->lock);
	free(b);
}

/*
 * A server on addr, HTTPS with pem when not NULL (taken: freed with the
 * server). With from, on a copy of from's socket (the same address),
 * from's rate table copied: both accept until from is stopped.
 */
static int broker_start(struct tg_wg_brokerd *d, const char *addr,
			struct tg_tls_files *pem, struct tg_wg_broker *from,
			struct tg_wg_broker **out)
{
	socklen_t sl = sizeof(struct sockaddr_storage);
	struct MHD_OptionItem tls_opts[] = {
		{ MHD_OPTION_END, 0, NULL },
		{ MHD_OPTION_HTTPS_MEM_KEY, 0, NULL },
		{ MHD_OPTION_END, 0, NULL },
	};
	struct sockaddr_storage ss;
	struct tg_wg_broker *b;
	sigset_t all, old;
	int fd;

	*out = NULL;
	b = calloc(1, sizeof(*b));
	if (!b) {
		if (pem)
			tg_tls_files_free(pem);
		return -ENOMEM;
	}
	b->d = d;
	pthread_mutex_init(&b->lock, NULL);
	if (pem) {
		b->tls = true;
		b->pem = *pem;
		memset(pem, 0, sizeof(*pem));
	}
	if (from) {
		pthread_mutex_lock(&from->lock);
		b->rate = from->rate;
		pthread_mutex_unlock(&from->lock);
		fd = fcntl(from->fd, F_DUPFD_CLOEXEC, 0);
		if (fd < 0 || getsockname(fd, (struct sockaddr *)&ss, &sl)) {
			tg_err("wg broker: address '%s': cannot share the socket: %s",
			       addr, strerror(errno));
			if (fd >= 0)
				close(fd);
			broker_stop(b);
			return -EIO;
		}
	} else {
		fd = tg_http_listen("wg broker", addr, &ss);
	}
	if (fd < 0) {
		broker_stop(b);
		return fd;
	}
	b->fd = fd;
	/* None without TLS; the PEM is kept until the server stops. */
	tls_opts[0].option = b->tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END;
	tls_opts[0].ptr_value = b->pem.cert;
	tls_opts[1].ptr_value = b->pem.key;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	b->mhd = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
		MHD_USE_ERROR_LOG | MHD_USE_ITC | (b->tls ? MHD_USE_TLS : 0) |
		(ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0), 0,
		NULL, NULL, answer, b,
		MHD_OPTION_EXTERNAL_LOGGER, tg_http_log, "wg broker",
		MHD_OPTION_NOTIFY_COMPLETED, done, NULL,
		MHD_OPTION_LISTEN_SOCKET, fd,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)CONNS_MAX,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT,
		tg_http_loopback(&ss) ? 0U : (unsigned int)CONNS_PER_IP,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)IDLE_S,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
		MHD_OPTION_ARRAY, tls_opts,
		MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!b->mhd) {
		tg_err("wg broker: address '%s': cannot start the %s server",
		       addr, b->tls ? "HTTPS" : "HTTP");
		if (fcntl(fd, F_GETFD) >= 0)
			close(fd);
		broker_stop(b);
		return -EIO;
	}
	*out = b;
	return 0;
}

void tg_wg_brokerd_init(struct tg_wg_brokerd *d)
{
	memset(d, 0, sizeof(*d));
	d->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

static const char *brokerd_scheme(const struct tg_wg_brokerd *d)
{
	return d->tls ? "https" : "http";
}

/*
 * The certificate and key of ws, read and checked, and their digest:
 * 0, or -EINVAL with the cause in err.
 */
static int brokerd_pem(const struct tg_wg_settings *ws,
		       struct tg_tls_files *pem, __u8 sha[32], char *err,
		       size_t errlen)
{
	struct sha256_ctx ctx;

	if (!tg_tls_supported()) {
		snprintf(err, errlen, "libmicrohttpd is built without TLS (MHD_FEATURE_TLS): cannot serve HTTPS");
		return -EINVAL;
	}
	if (!ws->broker_cert[0] || !ws->broker_key[0]) {
		snprintf(err, errlen, "%s is set without %s: HTTPS needs both",
			 ws->broker_cert[0] ? "wg-broker-cert" : "wg-broker-key",
			 ws->broker_cert[0] ? "wg-broker-key" : "wg-broker-cert");
		return -EINVAL;
	}
	if (tg_tls_load(ws->broker_cert, ws->broker_key, pem, err, errlen))
		return -EINVAL;
	sha256_init(&ctx);
	sha256_update(&ctx, strlen(pem->cert) + 1, (const __u8 *)pem->cert);
	sha256_update(&ctx, strlen(pem->key), (const __u8 *)pem->key);
	sha256_digest(&ctx, 32, sha);
	return 0;
}

/*
 * The same address, another scheme or certificate (pem, or NULL: plain
 * HTTP): the socket goes over to a new server; the old one ends the
 * answers it has begun.
 */
static void brokerd_renew(struct tg_wg_brokerd *d,
			  const struct tg_wg_settings *ws,
			  struct tg_tls_files *pem, const __u8 sha[32])
{
	bool was_tls = d->tls;
	struct tg_wg_broker *b;
	int fd;

	if (broker_start(d, d->addr, pem, d->srv, &b)) {
		tg_run_log("wg broker: cannot serve %s; still %s on %s",
			   pem ? "the new certificate" : "plain http",
			   brokerd_scheme(d), d->addr);
		return;
	}
	fd = MHD_quiesce_daemon(d->srv->mhd);
	broker_stop(d->srv);
	if (fd >= 0)
		close(fd);
	d->srv = b;
	d->tls = pem != NULL;
	memcpy(d->pem_sha256, sha, sizeof(d->pem_sha256));
	if (!d->tls)
		tg_run_log("wg broker: plain http on %s from now on (no wg-broker-cert, wg-broker-key)",
			   d->addr);
	else
		tg_run_log("wg broker: https on %s %s the certificate of %s",
			   d->addr, was_tls ? "now with" : "from now on, no more plain http, with",
			   ws->broker_cert);
}

void tg_wg_brokerd_follow(struct tg_wg_brokerd *d, sqlite3 *db, bool reload)
{
	struct tg_tls_files pem = { 0 };
	struct tg_wg_settings ws;
	struct tg_wg_broker *b;
	bool tls;
	__u8 sha[32] = { 0 };
	char err[TG_WG_PATH_MAX * 2 + 128];

	if (!db || (d->started && !reload))
		return;
	d->started = true;
	if (tg_wg_settings_load(db, &ws, err, sizeof(err))) {
		tg_run_log("wg broker: %s; left as it was", err);
		return;
	}
	tls = ws.broker[0] && tg_wg_broker_tls(&ws);
	if (tls && brokerd_pem(&ws, &pem, sha, err, sizeof(err))) {
		if (d->srv)
			tg_run_log("wg broker: %s; still %s on %s", err,
				   brokerd_scheme(d), d->addr);
		else
			tg_run_log("wg broker: %s; not started", err);
		return;
	}
	if (d->srv && !strcmp(ws.broker, d->addr) && tls == d->tls &&
	    (!tls || !memcmp(sha, d->pem_sha256, sizeof(sha)))) {
		tg_tls_files_free(&pem);
		return;
	}
	if (d->srv && !strcmp(ws.broker, d->addr)) {
		brokerd_renew(d, &ws, tls ? &pem : NULL, sha);
		return;
	}
	if (d->srv) {
		tg_run_log("wg broker: stopped listening on %s", d->addr);
		broker_stop(d->srv);
		d->srv = NULL;
	}
	if (!ws.broker[0])
		return;
	if (broker_start(d, ws.broker, tls ? &pem : NULL, NULL, &b))
		return;
	d->srv = b;
	d->tls = tls;
	memcpy(d->pem_sha256, sha, sizeof(sha));
	snprintf(d->addr, sizeof(d->addr), "%s", ws.broker);
	tg_run_log("wg broker: listening on %s, %s%s%s (POST " ENROL_PATH
		   ", GET " SCRIPT_PATH ")", d->addr, brokerd_scheme(d),
		   tls ? " with the certificate of " : "",
		   tls ? ws.broker_cert : "");
}

int tg_wg_brokerd_fd(const struct tg_wg_brokerd *d)
{
	return d->wake;
}

void tg_wg_brokerd_read(struct tg_wg_brokerd *d)
{
	eventfd_t v;

	eventfd_read(d->wake, &v);
}

void tg_wg_brokerd_stop(struct tg_wg_brokerd *d)
{
	broker_stop(d->srv);
	d->srv = NULL;
	if (d->wake >= 0)
		close(d->wake);
	d->wake = -1;
}
