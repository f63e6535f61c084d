// SPDX-License-Identifier: GPL-2.0-only
/* replay's private network namespace and its topology, built with `ip`. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/cli.h"
#include "util/log.h"
#include "util/netns.h"

#define TOPO_MAX_ARGS 64

static const char *const ip_paths[] = {
	"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip",
};

/* The default topology, one `ip` command per line. */
static const char *const default_topo[] = {
	"link add sub0 address 02:00:00:00:00:01 type veth peer name sub0p address 02:00:00:00:00:02",
	"link add up0 address 02:00:00:00:01:01 type veth peer name up0p address 02:00:00:00:01:02",
	"link set sub0 up",
	"link set sub0p up",
	"link set up0 up",
	"link set up0p up",
	"addr add 192.0.2.1/24 dev sub0",
	"-6 addr add 2001:db8:1::1/64 dev sub0 nodad",
	"addr add 198.51.100.1/24 dev up0",
	"-6 addr add 2001:db8:2::1/64 dev up0 nodad",
	"neigh add 198.51.100.2 lladdr 02:00:00:00:01:02 dev up0 nud permanent",
	"-6 neigh add 2001:db8:2::2 lladdr 02:00:00:00:01:02 dev up0 nud permanent",
	"route add default via 198.51.100.2 dev up0",
	"-6 route add default via 2001:db8:2::2 dev up0",
};

static const char *const forwarding_sysctls[] = {
	"/proc/sys/net/ipv4/ip_forward",
	"/proc/sys/net/ipv6/conf/all/forwarding",
};

static const char *const topo_objects[] = {
	"link", "addr", "route", "neigh", "rule",
};

static const char *ip_binary(void)
{
	size_t i;

	for (i = 0; i < sizeof(ip_paths) / sizeof(ip_paths[0]); i++)
		if (!access(ip_paths[i], X_OK))
			return ip_paths[i];
	return "ip";
}

static void child_exec(const char *ip, char *const *argv, int errfd)
{
	char *args[TOPO_MAX_ARGS + 2];
	int i;

	/* stdout must stay clean for the command's own output. */
	if (dup2(STDERR_FILENO, STDOUT_FILENO) < 0 ||
	    dup2(errfd, STDERR_FILENO) < 0)
		_exit(127);
	args[0] = "ip";
	for (i = 0; i < TOPO_MAX_ARGS && argv[i]; i++)
		args[i + 1] = argv[i];
	args[i + 1] = NULL;
	if (strchr(ip, '/'))
		execv(ip, args);
	else
		execvp(ip, args);
	dprintf(STDERR_FILENO, "cannot run %s: %s", ip, strerror(errno));
	_exit(127);
}

int tg_netns_ip(char *const *argv, char *err, size_t errlen)
{
	const char *ip = ip_binary();
	size_t len = 0;
	int fds[2], status, ret;
	char buf[256];
	pid_t pid;
	ssize_t n;

	if (errlen)
		err[0] = '\0';
	if (pipe2(fds, O_CLOEXEC) < 0) {
		ret = -errno;
		snprintf(err, errlen, "pipe: %s", strerror(-ret));
		return ret;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		snprintf(err, errlen, "fork: %s", strerror(-ret));
		close(fds[0]);
		close(fds[1]);
		return ret;
	}
	if (pid == 0)
		child_exec(ip, argv, fds[1]);
	close(fds[1]);

	/* Keep the first errlen - 1 bytes of its error output, drain the rest. */
	while ((n = read(fds[0], buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (errlen && len < errlen - 1) {
			size_t k = (size_t)n < errlen - 1 - len ? (size_t)n : errlen - 1 - len;

			memcpy(err + len, buf, k);
			len += k;
			err[len] = '\0';
		}
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			ret = -errno;
			snprintf(err, errlen, "waitpid: %s", strerror(-ret));
			return ret;
		}
	}
	/* One line: newlines become "; ", the last one goes. */
	while (len && (err[len - 1] == '\n' || err[len - 1] == ' '))
		err[--len] = '\0';
	for (size_t i = 0; i < len; i++)
		if (err[i] == '\n')
			err[i] = ';';
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (!len) {
		if (WIFEXITED(status))
			snprintf(err, errlen, "exit status %d", WEXITSTATUS(status));
		else
			snprintf(err, errlen, "killed by signal %d", WTERMSIG(status));
	}
	return -ECHILD;
}

/* Splits line in place into argv (NULL-terminated); returns argc or -E2BIG. */
static int split_words(char *line, char **argv, int max)
{
	char *save = NULL, *w;
	int argc = 0;

	for (w = strtok_r(line, " \t\r\n", &save); w;
	     w = strtok_r(NULL, " \t\r\n", &save)) {
		if (argc == max)
			return -E2BIG;
		argv[argc++] = w;
	}
	argv[argc] = NULL;
	return argc;
}

static int run_line(const char *what, const char *line)
{
	char *argv[TOPO_MAX_ARGS + 1];
	char err[512];
	char *copy;
	int argc, ret;

	copy = strdup(line);
	if (!copy) {
		tg_err("replay: %s: out of memory", what);
		return -ENOMEM;
	}
	argc = split_words(copy, argv, TOPO_MAX_ARGS);
	if (argc < 0) {
		tg_err("replay: %s: more than %d words", what, TOPO_MAX_ARGS);
		ret = argc;
		goto out;
	}
	pr_debug("replay: %s: ip %s\n", what, line);
	ret = tg_netns_ip(argv, err, sizeof(err));
	if (ret)
		tg_err("replay: %s: 'ip %s' failed: %s", what, line, err);
out:
	free(copy);
	return ret;
}

static int write_sysctl(const char *path, const char *val)
{
	int fd, ret = 0;
	size_t len = strlen(val);

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	if (write(fd, val, len) != (ssize_t)len)
		ret = errno ? -errno : -EIO;
	close(fd);
out:
	if (ret)
		tg_err("replay: network namespace: cannot write '%s' to %s: %s",
		       val, path, strerror(-ret));
	return ret;
}

int tg_netns_enter_private(void)
{
	static char *lo_up[] = { "link", "set", "lo", "up", NULL };
	char err[512];
	int ret;

	if (unshare(CLONE_NEWNET) < 0) {
		ret = -errno;
		tg_err("replay: cannot create a private network namespace: %s",
		       strerror(-ret));
		return ret;
	}
	ret = tg_netns_ip(lo_up, err, sizeof(err));
	if (ret)
		tg_err("replay: network namespace: 'ip link set lo up' failed: %s", err);
	return ret;
}

static int ifindex_of(const char *name, unsigned int *ifindex)
{
	*ifindex = if_nametoindex(name);
	if (!*ifindex) {
		int ret = -errno;

		tg_err("replay: network namespace: interface '%s' missing: %s",
		       name, strerror(-ret));
		return ret ? ret : -ENODEV;
	}
	return 0;
}

int tg_netns_default_topology(struct tg_netns_ports *ports)
{
	size_t i;
	int ret;

	for (i = 0; i < sizeof(default_topo) / sizeof(default_topo[0]); i++) {
		ret = run_line("default topology", default_topo[i]);
		if (ret)
			return ret;
	}
	/* After the links exist: the writes also switch on every device. */
	for (i = 0; i < sizeof(forwarding_sysctls) / sizeof(forwarding_sysctls[0]); i++) {
		ret = write_sysctl(forwarding_sysctls[i], "1");
		if (ret)
			return ret;
	}
	ret = ifindex_of(TG_NETNS_SUB_IF, &ports->sub_ifindex);
	if (ret)
		return ret;
	return ifindex_of(TG_NETNS_UP_IF, &ports->up_ifindex);
}

static bool topo_object_allowed(const char *w)
{
	size_t i;

	for (i = 0; i < sizeof(topo_objects) / sizeof(topo_objects[0]); i++)
		if (!strcmp(w, topo_objects[i]))
			return true;
	return false;
}

/* Checks one line's words: 0, or -EPERM with the cause in err. */
static int topo_check(char **argv, int argc, char *err, size_t errlen)
{
	int i = 0;

	if (!strcmp(argv[0], "-4") || !strcmp(argv[0], "-6"))
		i = 1;
	if (i >= argc) {
		snprintf(err, errlen, "'%s' alone: an object must follow", argv[0]);
		return -EPERM;
	}
	if (!topo_object_allowed(argv[i])) {
		if (i)
			snprintf(err, errlen, "'%s' not allowed after '%s': must be one of link addr route neigh rule",
				 argv[i], argv[0]);
		else
			snprintf(err, errlen, "'%s' not allowed: the first word must be one of link addr route neigh rule -4 -6",
				 argv[0]);
		return -EPERM;
	}
	for (i = 0; i < argc; i++) {
		if (strstr(argv[i], "netns")) {
			snprintf(err, errlen, "'%s' not allowed: the topology stays in the private namespace",
				 argv[i]);
			return -EPERM;
		}
	}
	return 0;
}

int tg_netns_apply_topo(const char *path)
{
	char *argv[TOPO_MAX_ARGS + 1];
	char *line = NULL, *copy = NULL;
	unsigned int lineno = 0;
	char what[512], err[512];
	size_t cap = 0;
	ssize_t n;
	FILE *f;
	int ret = 0, argc;

	f = fopen(path, "r");
	if (!f) {
		ret = -errno;
		tg_err("replay: topology file %s: cannot open: %s", path, strerror(-ret));
		return ret;
	}
	while ((n = getline(&line, &cap, f)) >= 0) {
		char *p = line;

		lineno++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#' || *p == '\n' || *p == '\r')
			continue;
		p[strcspn(p, "\r\n")] = '\0';
		free(copy);
		copy = strdup(p);
		if (!copy) {
			ret = -ENOMEM;
			tg_err("replay: topology file %s: out of memory", path);
			goto out;
		}
		argc = split_words(copy, argv, TOPO_MAX_ARGS);
		if (argc < 0) {
			ret = argc;
			tg_err("replay: topology file %s line %u: more than %d words",
			       path, lineno, TOPO_MAX_ARGS);
			goto out;
		}
		ret = topo_check(argv, argc, err, sizeof(err));
		if (ret) {
			tg_err("replay: topology file %s line %u: %s", path, lineno, err);
			goto out;
		}
		snprintf(what, sizeof(what), "topology file %s line %u", path, lineno);
		ret = run_line(what, p);
		if (ret)
			goto out;
	}
	if (ferror(f)) {
		ret = -EIO;
		tg_err("replay: topology file %s: read error", path);
	}
out:
	free(copy);
	free(line);
	fclose(f);
	return ret;
}

#define SETTLE_MS 3000		/* how long an address may wait for its route */
#define INET6_HEX 33		/* an address in /proc/net: 32 hex digits */
#define INET6_SCOPE_LINK 0x20	/* IPV6_ADDR_LINKLOCAL in /proc/net/if_inet6 */
#define INET6_TENTATIVE 0x40	/* IFA_F_TENTATIVE */
#define INET6_RTF_LOCAL 0x80000000U	/* RTF_LOCAL: the address's own route */

/*
 * Whether an IPv6 address of the current namespace (not link-local, not
 * under DAD) has no local route yet (a /128 with RTF_LOCAL in
 * /proc/net/ipv6_route, which lists the local table too).
 */
static bool inet6_unrouted(void)
{
	char (*addrs)[INET6_HEX] = NULL, dst[INET6_HEX];
	char addr[INET6_HEX];
	size_t n = 0, i, routed = 0;
	unsigned int plen, scope, flags, rtflags;
	bool *seen = NULL, unrouted;
	void *p;
	FILE *f;

	f = fopen("/proc/net/if_inet6", "r");
	if (!f)
		return false;	/* no IPv6: nothing to wait for */
	while (fscanf(f, "%32s %*x %*x %x %x %*s", addr, &scope, &flags) == 3) {
		/* Link-local ones and those under DAD have none for a while. */
		if (scope == INET6_SCOPE_LINK || (flags & INET6_TENTATIVE))
			continue;
		p = realloc(addrs, (n + 1) * sizeof(*addrs));
		if (!p)
			break;
		addrs = p;
		memcpy(addrs[n++], addr, sizeof(addr));
	}
	fclose(f);
	seen = calloc(n ? n : 1, sizeof(*seen));
	f = fopen("/proc/net/ipv6_route", "r");
	if (seen && f) {
		while (fscanf(f, "%32s %x %*s %*s %*s %*s %*s %*s %x %*s", dst,
			      &plen, &rtflags) == 3) {
			if (plen != 128 || !(rtflags & INET6_RTF_LOCAL))
				continue;
			for (i = 0; i < n; i++)
				if (!seen[i] && !strcmp(addrs[i], dst)) {
					seen[i] = true;
					routed++;
				}
		}
	}
	if (f)
		fclose(f);
	unrouted = seen && routed < n;
	free(seen);
	free(addrs);
	return unrouted;
}

int tg_netns_settle(void)
{
	struct timespec pause = { 0, 5 * 1000 * 1000 };
	int i;

	for (i = 0; i * 5 < SETTLE_MS && inet6_unrouted(); i++)
		nanosleep(&pause, NULL);
	if (i * 5 >= SETTLE_MS)
		pr_debug("replay: an IPv6 address has no route after %d ms\n",
			 SETTLE_MS);
	return 0;
}
