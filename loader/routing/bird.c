// SPDX-License-Identifier: GPL-2.0-only
/*
 * The enabled subscribers' prefixes as a BIRD 2 include (two
 * static protocols, tungate4 and tungate6), written atomically, and BIRD
 * reconfigured through birdc.
 *
 * Each prefix is a blackhole route with the highest kernel metric: BGP
 * announces it (eBGP puts the session address as next hop), and a BIRD
 * kernel protocol that exports it anyway installs it behind tungate's own
 * routes to tg0 (proto 240, metric 0 for IPv4, 1024 for IPv6), so the two
 * never replace each other; it then only catches traffic to a prefix
 * whose route to tg0 is gone (tungate detached). The anycast prefixes
 * (the concentrator's tunnel addresses, on lo of every POP) are routes of
 * the same kind: the kernel's local table, looked up first, delivers them.
 *
 * A subscriber with a home POP gets bgp_med BIRD_MED_HOME there and
 * BIRD_MED_AWAY elsewhere. A POP drained or whose data plane is detached
 * writes the protocols without routes: BIRD withdraws them all.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/addr.h"
#include "routing/bird.h"
#include "util/cli.h"
#include "db/anycast.h"
#include "db/db.h"
#include "db/pop.h"
#include "dataplane/attach.h"

#define BIRD_METRIC "4294967295"
/* birdc output kept for the error message. */
#define BIRDC_OUT_MAX 4096

struct bird_text {
	char *buf;
	size_t len, cap;
	unsigned int routes[2];	/* IPv4, IPv6 */
};

static int text_add(struct bird_text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int text_add(struct bird_text *t, const char *fmt, ...)
{
	size_t cap;
	va_list ap;
	char *p;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->buf ? t->buf + t->len : NULL,
			      t->buf ? t->cap - t->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return -EINVAL;
		if (t->buf && t->len + n < t->cap) {
			t->len += n;
			return 0;
		}
		cap = t->cap ? t->cap * 2 : 4096;
		while (cap <= t->len + n)
			cap *= 2;
		p = realloc(t->buf, cap);
		if (!p)
			return -ENOMEM;
		t->buf = p;
		t->cap = cap;
	}
}

/* A name for a comment: what a subscriber name may hold, else '?'. */
static void safe_name(const char *in, char *out, size_t len)
{
	size_t i;

	for (i = 0; in[i] && i + 1 < len; i++) {
		char c = in[i];

		out[i] = ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '.' || c == '_' ||
			  c == '-') ? c : '?';
	}
	out[i] = '\0';
}

/* The routes of this POP; subs NULL when it announces none. */
struct bird_routes {
	const struct tg_sub *subs;
	size_t n;
	const struct tg_anycast *any;
	const char *pop;
};

static int bird_route(struct bird_text *t, const struct tg_prefix *p,
		      const char *med, const char *what)
{
	char pfx[TG_PREFIX_STRLEN];

	tg_prefix_format(p, pfx, sizeof(pfx));
	t->routes[p->family == AF_INET6]++;
	return text_add(t, "\troute %s blackhole { krt_metric = " BIRD_METRIC
			"; %s};\t# %s\n", pfx, med, what);
}

static int bird_protocol(struct bird_text *t, const struct bird_routes *r,
			 int family)
{
	char name[TG_NAME_MAX + 1], med[32];
	int v6 = family == AF_INET6, ret;
	const struct tg_sub *s;
	size_t i;
	unsigned int j;

	ret = text_add(t, "protocol static %s {\n\t%s;\n",
		       v6 ? BIRD_PROTO6 : BIRD_PROTO4, v6 ? "ipv6" : "ipv4");
	for (j = 0; r->any && !ret && j < r->any->n; j++)
		if (r->any->p[j].family == family)
			ret = bird_route(t, &r->any->p[j], "", "anycast");
	for (i = 0; r->subs && !ret && i < r->n; i++) {
		s = &r->subs[i];
		med[0] = '\0';
		if (s->home_pop[0])
			snprintf(med, sizeof(med), "bgp_med = %d; ",
				 strcmp(s->home_pop, r->pop) ? BIRD_MED_AWAY :
				 BIRD_MED_HOME);
		safe_name(s->name, name, sizeof(name));
		for (j = 0; !ret && j < s->nprefix; j++)
			if (s->prefix[j].family == family)
				ret = bird_route(t, &s->prefix[j], med, name);
	}
	return ret ?: text_add(t, "}\n");
}

/*
 * A BGP export filter of proto's routes: a MED a static route carries is
 * sent to an eBGP neighbour only when set in the export filter (BIRD
 * strips it otherwise, on every announcement but a route's first).
 */
static int bird_filter(struct bird_text *t, const char *name,
		       const char *proto)
{
	return text_add(t, "filter %s {\n"
			"\tif proto != \"%s\" then reject;\n"
			"\tif defined(bgp_med) then bgp_med = bgp_med;\n"
			"\taccept;\n}\n", name, proto);
}

/* The include file's text for this POP in state st. */
static int bird_text(sqlite3 *db, enum tg_bird_state st, struct bird_text *t)
{
	struct bird_routes r = {};
	struct tg_sub *subs = NULL;
	char pop[TG_NAME_MAX + 1], err[128];
	struct tg_anycast any;
	size_t n = 0;
	int ret;

	tg_pop_name(db, pop);
	if (st == TG_BIRD_ANNOUNCING) {
		ret = tg_anycast_load(db, &any, err, sizeof(err));
		if (ret) {
			tg_err("bird: the anycast setting: %s", err);
			return ret;
		}
		ret = tg_db_sub_list(db, true, &subs, &n);
		if (ret) {
			tg_err("bird: cannot read the subscribers: %s",
			       strerror(-ret));
			return ret;
		}
		r = (struct bird_routes){ .subs = subs, .n = n, .any = &any,
					  .pop = pop };
	}
	ret = text_add(t,
		"# Written by 'tungate bird' from the anycast setting and the enabled\n"
		"# subscribers' prefixes: do not edit. Include it from bird.conf, export\n"
		"# these protocols to BGP (export filter " BIRD_FILTER4 "; " BIRD_FILTER6 " for\n"
		"# ipv6) and not to the kernel (export where proto != \"" BIRD_PROTO4 "\"):\n"
		"# the kernel routes to the subscribers are tungate's own.\n"
		"# POP %s: %s%s.\n", pop, tg_bird_state_name(st),
		st == TG_BIRD_ANNOUNCING ? "" : ", no routes");
	ret = ret ?: bird_protocol(t, &r, AF_INET);
	ret = ret ?: bird_protocol(t, &r, AF_INET6);
	ret = ret ?: bird_filter(t, BIRD_FILTER4, BIRD_PROTO4);
	ret = ret ?: bird_filter(t, BIRD_FILTER6, BIRD_PROTO6);
	if (ret)
		tg_err("bird: %s", strerror(-ret));
	tg_sub_list_free(subs, n);
	return ret;
}

enum tg_bird_state tg_bird_state(sqlite3 *db, const char *pin_root)
{
	if (tg_pop_drained(db))
		return TG_BIRD_DRAINED;
	if (!tg_attach_count(pin_root, TG_ROLE_SUBSCRIBER))
		return TG_BIRD_DETACHED;
	return TG_BIRD_ANNOUNCING;
}

const char *tg_bird_state_name(enum tg_bird_state st)
{
	return st == TG_BIRD_ANNOUNCING ? "announcing" :
	       st == TG_BIRD_DRAINED ? "drained" :
	       "withdrawn (data plane detached)";
}

const char *tg_bird_state_key(enum tg_bird_state st)
{
	return st == TG_BIRD_ANNOUNCING ? "announcing" :
	       st == TG_BIRD_DRAINED ? "drained" : "detached";
}

/* 1 when path holds exactly want, 0 when it differs or is missing. */
static int bird_current(const char *path, const struct bird_text *want)
{
	char buf[4096];
	size_t off = 0;
	ssize_t r;
	int fd, ret = 1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		ret = -errno;
		tg_err("bird: output '%s': %s", path, strerror(-ret));
		return ret;
	}
	while ((r = read(fd, buf, sizeof(buf))) > 0) {
		if (off + r > want->len || memcmp(want->buf + off, buf, r)) {
			ret = 0;
			break;
		}
		off += r;
	}
	if (r < 0) {
		ret = -errno;
		tg_err("bird: output '%s': %s", path, strerror(-ret));
	} else if (ret == 1 && off != want->len) {
		ret = 0;
	}
	close(fd);
	return ret;
}

static int write_all(int fd, const char *p, size_t len)
{
	ssize_t w;

	while (len) {
		w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		len -= w;
	}
	return 0;
}

/* Temporary file in path's directory, fsync, rename over path, fsync dir. */
static int bird_replace(const char *path, const struct bird_text *t)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	int fd = -1, dfd = -1, ret;
	const char *what = "cannot create a temporary file beside it";

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp) ||
	    snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir)) {
		tg_err("bird: output '%s': path too long", path);
		return -ENAMETOOLONG;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		ret = -errno;
		tmp[0] = '\0';
		goto out;
	}
	what = "cannot write";
	ret = fchmod(fd, 0644) ? -errno : 0;
	ret = ret ?: write_all(fd, t->buf, t->len);
	if (!ret && fsync(fd))
		ret = -errno;
	if (!ret && close(fd))
		ret = -errno;
	fd = -1;
	if (ret)
		goto out;
	what = "cannot rename the temporary file over it";
	if (rename(tmp, path)) {
		ret = -errno;
		goto out;
	}
	tmp[0] = '\0';
	/* The rename itself reaches the disk with the directory. */
	dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
out:
	if (fd >= 0)
		close(fd);
	if (tmp[0])
		unlink(tmp);
	if (ret)
		tg_err("bird: output '%s': %s: %s", path, what, strerror(-ret));
	return ret;
}

/* Last non-empty line of s (trimmed in place). */
static const char *last_line(char *s)
{
	char *end = s + strlen(s), *p;

	while (end > s && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
		*--end = '\0';
	p = strrchr(s, '\n');
	return p ? p + 1 : s;
}

/*
 * birdc -s sock configure; 0 when BIRD took the new configuration, else
 * negative errno with BIRD's (or birdc's) last words in msg.
 */
static int bird_configure(const char *sock, char *msg, size_t msglen)
{
	char out[BIRDC_OUT_MAX];
	size_t len = 0;
	int pfd[2], status, ret = 0;
	ssize_t r;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(pfd[0]);
		close(pfd[1]);
		return ret;
	}
	if (!pid) {
		int null = open("/dev/null", O_RDONLY);

		if (null >= 0)
			dup2(null, 0);
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		execlp("birdc", "birdc", "-s", sock, "configure", (char *)NULL);
		dprintf(1, "cannot run birdc: %s\n", strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	while ((r = read(pfd[0], out + len, sizeof(out) - 1 - len)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		len += r;
		if (len == sizeof(out) - 1) {
			/* Keep the tail: the verdict is the last line. */
			memmove(out, out + len / 2, len - len / 2);
			len -= len / 2;
		}
	}
	out[len] = '\0';
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	/*
	 * birdc's exit status does not tell a refused configuration: BIRD's
	 * answer does ("Reconfigured", "Reconfiguration in progress", or
	 * queued behind one already running).
	 */
	if (WIFEXITED(status) && !WEXITSTATUS(status) &&
	    (strstr(out, "\nReconfigur") || !strncmp(out, "Reconfigur", 10)) &&
	    !strstr(out, "Reconfiguration ignored"))
		return 0;
	ret = WIFEXITED(status) && WEXITSTATUS(status) == 127 ? -ENOENT : -EIO;
	snprintf(msg, msglen, "%s", *out ? last_line(out) : "no output");
	return ret;
}

/* The file whose BIRD reconfiguration failed in this process, if any. */
static char bird_pending[PATH_MAX];

int tg_bird_write(sqlite3 *db, const char *path, const char *sock,
		  enum tg_bird_state state)
{
	char msg[256], real[PATH_MAX];
	struct bird_text t = {};
	struct stat st;
	int ret;

	if (!path || !*path) {
		tg_err("bird: output '': empty path");
		return -EINVAL;
	}
	/* A symbolic link stays: its target is what gets replaced. */
	if (!lstat(path, &st) && S_ISLNK(st.st_mode) && realpath(path, real))
		path = real;
	if (!stat(path, &st) && !S_ISREG(st.st_mode)) {
		tg_err("bird: output '%s': not a regular file", path);
		return -EINVAL;
	}
	if (sock && !*sock) {
		tg_err("bird: birdc socket '': empty path");
		return -EINVAL;
	}
	ret = bird_text(db, state, &t);
	if (ret)
		goto out;
	ret = bird_current(path, &t);
	if (ret < 0)
		goto out;
	/*
	 * A current file is left alone, unless this process wrote it and
	 * BIRD refused it then: a caller that tries again (the daemon)
	 * gets BIRD reconfigured once it accepts the file.
	 */
	if (ret == 1 && !(sock && !strcmp(bird_pending, path)))
		goto out;
	if (!ret) {
		ret = bird_replace(path, &t);
		if (ret)
			goto out;
	}
	bird_pending[0] = '\0';
	if (sock) {
		ret = bird_configure(sock, msg, sizeof(msg));
		if (ret) {
			snprintf(bird_pending, sizeof(bird_pending), "%s", path);
			tg_err("bird: birdc -s '%s' configure failed: %s; output "
			       "'%s' is written, BIRD keeps its previous "
			       "configuration until it accepts it", sock, msg,
			       path);
		}
	}
out:
	free(t.buf);
	return ret;
}

/* Route counts of the file just written or found current. */
void tg_bird_counts(sqlite3 *db, enum tg_bird_state st, unsigned int *v4,
		    unsigned int *v6)
{
	struct bird_text t = {};

	*v4 = *v6 = 0;
	if (!bird_text(db, st, &t)) {
		*v4 = t.routes[0];
		*v6 = t.routes[1];
	}
	free(t.buf);
}
