// SPDX-License-Identifier: GPL-2.0-only
/*
 * What `tungate up` attached under a pin root: the pins' names parsed,
 * and whether each program is still attached where it was.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dataplane/attach.h"

const char *tg_role_name(enum tg_role role)
{
	switch (role) {
	case TG_ROLE_SUBSCRIBER:
		return "subscriber";
	case TG_ROLE_UPLINK:
		return "uplink";
	case TG_ROLE_EGRESS:
		return "egress";
	case TG_ROLE_WIREGUARD_IN:
		return "wireguard-in";
	case TG_ROLE_WIREGUARD_OUT:
		return "wireguard-out";
	}
	return "?";
}

const char *tg_mode_name(enum tg_mode mode)
{
	switch (mode) {
	case TG_MODE_NONE:
		return "none";
	case TG_MODE_NATIVE:
		return "native";
	case TG_MODE_GENERIC:
		return "generic";
	case TG_MODE_TC:
		return "tc";
	}
	return "?";
}

int tg_attach_parse(const char *pin, struct tg_attach *a)
{
	static const struct {
		const char *prefix;
		enum tg_role role;
		bool tc;
	} kinds[] = {
		{ TG_PIN_LINK_SUB, TG_ROLE_SUBSCRIBER, false },
		{ TG_PIN_LINK_UP, TG_ROLE_UPLINK, false },
		{ TG_PIN_TC_SUB, TG_ROLE_SUBSCRIBER, true },
		{ TG_PIN_TC_UP, TG_ROLE_UPLINK, true },
	};
	size_t i, len;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		len = strlen(kinds[i].prefix);
		if (strncmp(pin, kinds[i].prefix, len) || !pin[len] ||
		    strlen(pin + len) >= sizeof(a->ifname) ||
		    strlen(pin) >= sizeof(a->pin))
			continue;
		memset(a, 0, sizeof(*a));
		strcpy(a->pin, pin);
		strcpy(a->ifname, pin + len);
		a->role = kinds[i].role;
		a->tc = kinds[i].tc;
		return 0;
	}
	return -ENOENT;
}

/* Mode of the XDP program prog_id on ifindex now; NONE: not there. */
static enum tg_mode tg_xdp_mode(unsigned int ifindex, __u32 prog_id)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	if (bpf_xdp_query(ifindex, 0, &q))
		return TG_MODE_NONE;
	if (q.drv_prog_id == prog_id ||
	    (q.attach_mode == XDP_ATTACHED_DRV && q.prog_id == prog_id))
		return TG_MODE_NATIVE;
	if (q.skb_prog_id == prog_id ||
	    (q.attach_mode == XDP_ATTACHED_SKB && q.prog_id == prog_id))
		return TG_MODE_GENERIC;
	return TG_MODE_NONE;
}

__u32 tg_tc_prog_id(unsigned int ifindex, enum bpf_tc_attach_point at)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = at);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = TG_TC_HANDLE,
		    .priority = TG_TC_PRIO);
	libbpf_print_fn_t print;
	int err;

	if (!ifindex)
		return 0;
	/* No clsact qdisc or no filter is an answer, not an error. */
	print = libbpf_set_print(NULL);
	err = bpf_tc_query(&hook, &opts);
	libbpf_set_print(print);
	return err ? 0 : opts.prog_id;
}

int tg_attach_probe(const char *pin_root, struct tg_attach *a)
{
	struct bpf_link_info link;
	struct bpf_prog_info prog;
	char path[PATH_MAX];
	__u32 len;
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/%s", pin_root, a->pin);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	a->ifindex = if_nametoindex(a->ifname);
	a->mode = TG_MODE_NONE;
	a->stale = true;
	if (a->tc) {
		memset(&prog, 0, sizeof(prog));
		len = sizeof(prog);
		if (bpf_obj_get_info_by_fd(fd, &prog, &len)) {
			err = -errno;
			goto out;
		}
		a->prog_id = prog.id;
		if (a->ifindex &&
		    tg_tc_prog_id(a->ifindex, BPF_TC_INGRESS) == prog.id) {
			a->mode = TG_MODE_TC;
			a->stale = false;
		}
		goto out;
	}
	memset(&link, 0, sizeof(link));
	len = sizeof(link);
	if (bpf_obj_get_info_by_fd(fd, &link, &len)) {
		err = -errno;
		goto out;
	}
	if (link.type != BPF_LINK_TYPE_XDP) {
		err = -EPROTO;
		goto out;
	}
	a->prog_id = link.prog_id;
	/* Detached (interface gone) links show ifindex 0. */
	if (a->ifindex && link.xdp.ifindex == a->ifindex) {
		a->mode = tg_xdp_mode(a->ifindex, link.prog_id);
		a->stale = a->mode == TG_MODE_NONE;
	}
out:
	close(fd);
	return err;
}

unsigned int tg_attach_count(const char *pin_root, enum tg_role role)
{
	unsigned int n = 0;
	struct tg_attach a;
	struct dirent *de;
	DIR *dir;

	dir = opendir(pin_root);
	if (!dir)
		return 0;
	while ((de = readdir(dir)))
		if (!tg_attach_parse(de->d_name, &a) && a.role == role &&
		    !tg_attach_probe(pin_root, &a) && !a.stale)
			n++;
	closedir(dir);
	return n;
}

bool tg_attach_on(const char *pin_root, const char *ifname)
{
	static const char *const kinds[] = {
		TG_PIN_LINK_SUB, TG_PIN_LINK_UP, TG_PIN_TC_SUB, TG_PIN_TC_UP,
	};
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s%s", pin_root, kinds[i],
			 ifname);
		if (!access(path, F_OK))
			return true;
	}
	return false;
}
