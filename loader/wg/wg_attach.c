// SPDX-License-Identifier: GPL-2.0-only
/* The WireGuard interfaces' TC programs (see wg_attach.h). */
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dataplane/attach.h"
#include "wg/wg_attach.h"
#include "db/sub.h"
#include "wg/wg_link.h"

static const struct {
	const char *pin;
	enum bpf_tc_attach_point at;
} wg_hooks[] = {
	{ TG_WG_PIN_IN, BPF_TC_INGRESS },
	{ TG_WG_PIN_OUT, BPF_TC_EGRESS },
};
#define WG_HOOKS (sizeof(wg_hooks) / sizeof(wg_hooks[0]))

int tg_wg_progs_pin(const char *pin_root, int in_fd, int out_fd, char *err,
		    size_t errlen)
{
	int fds[WG_HOOKS] = { in_fd, out_fd };
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	size_t i;
	int ret;

	for (i = 0; i < WG_HOOKS; i++) {
		snprintf(path, sizeof(path), "%s/%s", pin_root, wg_hooks[i].pin);
		snprintf(tmp, sizeof(tmp), "%s_new", path);
		unlink(tmp);
		if (bpf_obj_pin(fds[i], tmp) || rename(tmp, path)) {
			ret = -errno;
			unlink(tmp);
			snprintf(err, errlen, "cannot pin %s: %s", path,
				 strerror(-ret));
			return ret;
		}
	}
	return 0;
}

/* The pinned program of hook i: an fd, or -errno. */
static int wg_pinned(const char *pin_root, size_t i)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", pin_root, wg_hooks[i].pin);
	fd = bpf_obj_get(path);
	return fd < 0 ? -errno : fd;
}

static __u32 wg_prog_id(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

int tg_wg_attach(const char *pin_root, const char *ifname, bool *attached,
		 char *err, size_t errlen)
{
	int fds[WG_HOOKS] = { -1, -1 };
	unsigned int ifindex;
	size_t i;
	int ret = 0;

	*attached = false;
	for (i = 0; i < WG_HOOKS; i++) {
		fds[i] = wg_pinned(pin_root, i);
		if (fds[i] == -ENOENT)
			goto out;	/* not up: nothing to attach */
		if (fds[i] < 0) {
			ret = fds[i];
			snprintf(err, errlen, "cannot open %s/%s: %s", pin_root,
				 wg_hooks[i].pin, strerror(-ret));
			goto out;
		}
	}
	ifindex = if_nametoindex(ifname);
	if (!ifindex) {
		ret = -errno;
		snprintf(err, errlen, "no interface %s: %s", ifname,
			 strerror(-ret));
		goto out;
	}
	for (i = 0; i < WG_HOOKS && !ret; i++) {
		LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
			    .attach_point = wg_hooks[i].at);
		LIBBPF_OPTS(bpf_tc_opts, opts, .handle = TG_TC_HANDLE,
			    .priority = TG_TC_PRIO, .prog_fd = fds[i],
			    .flags = BPF_TC_F_REPLACE);

		/* The same program there already: nothing to do. */
		if (tg_tc_prog_id(ifindex, wg_hooks[i].at) == wg_prog_id(fds[i]))
			continue;
		/* One clsact qdisc holds both hooks; it may be there. */
		ret = bpf_tc_hook_create(&hook);
		if (ret == -EEXIST)
			ret = 0;
		if (!ret)
			ret = bpf_tc_attach(&hook, &opts);
		if (ret)
			snprintf(err, errlen,
				 "cannot attach %s to the TC %s hook of %s: %s",
				 wg_hooks[i].pin,
				 wg_hooks[i].at == BPF_TC_INGRESS ? "ingress" :
								     "egress",
				 ifname, strerror(-ret));
	}
	*attached = !ret;
out:
	for (i = 0; i < WG_HOOKS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return ret;
}

/* The tgwgPORT interfaces there are, into names: their count or -errno. */
static int wg_ifnames(char names[][IF_NAMESIZE], size_t max)
{
	unsigned int ports[64];
	int n, i;

	n = tg_wg_link_ports(ports, max < 64 ? max : 64);
	for (i = 0; i < n; i++)
		snprintf(names[i], IF_NAMESIZE, TG_WG_IFNAME_FMT, ports[i]);
	return n;
}

int tg_wg_attach_all(const char *pin_root, char *err, size_t errlen)
{
	char names[64][IF_NAMESIZE];
	bool attached;
	int n, i, ret = 0;

	n = wg_ifnames(names, 64);
	if (n < 0) {
		snprintf(err, errlen, "cannot list the interfaces: %s",
			 strerror(-n));
		return n;
	}
	for (i = 0; i < n && !ret; i++)
		ret = tg_wg_attach(pin_root, names[i], &attached, err, errlen);
	return ret ? ret : n;
}

bool tg_wg_attached(const char *pin_root, const char *ifname)
{
	unsigned int ifindex = if_nametoindex(ifname);
	bool all = ifindex != 0;
	size_t i;
	int fd;

	for (i = 0; i < WG_HOOKS && all; i++) {
		fd = wg_pinned(pin_root, i);
		all = fd >= 0 &&
		      tg_tc_prog_id(ifindex, wg_hooks[i].at) == wg_prog_id(fd);
		if (fd >= 0)
			close(fd);
	}
	return all;
}

int tg_wg_detach_all(const char *pin_root,
		     int (*done)(void *ctx, const char *name), void *ctx)
{
	char names[64][IF_NAMESIZE], path[PATH_MAX];
	unsigned int ifindex;
	__u32 ids[WG_HOOKS] = {};
	bool any;
	int n, k, ret = 0;
	size_t i;
	int fd;

	for (i = 0; i < WG_HOOKS; i++) {
		fd = wg_pinned(pin_root, i);
		if (fd >= 0) {
			ids[i] = wg_prog_id(fd);
			close(fd);
		}
	}
	n = wg_ifnames(names, 64);
	for (k = 0; k < n && !ret; k++) {
		ifindex = if_nametoindex(names[k]);
		for (i = 0, any = false; ifindex && i < WG_HOOKS; i++) {
			LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
				    .attach_point = wg_hooks[i].at);
			LIBBPF_OPTS(bpf_tc_opts, opts, .handle = TG_TC_HANDLE,
				    .priority = TG_TC_PRIO);

			/* Only a filter that still runs ours. */
			if (!ids[i] ||
			    tg_tc_prog_id(ifindex, wg_hooks[i].at) != ids[i])
				continue;
			if (!bpf_tc_detach(&hook, &opts))
				any = true;
		}
		if (any && done)
			ret = done(ctx, names[k]);
	}
	for (i = 0; i < WG_HOOKS; i++) {
		snprintf(path, sizeof(path), "%s/%s", pin_root, wg_hooks[i].pin);
		unlink(path);
	}
	return ret;
}
