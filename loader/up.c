// SPDX-License-Identifier: GPL-2.0-only
/*
 * `tungate up` attaches the subscriber program to subscriber interfaces and
 * the uplink program to uplink interfaces through pinned bpf_links, so the
 * attachment outlives the process; `tungate down` detaches every one of
 * them and, unless told to keep state, removes the maps.
 *
 * Pins under the pin root: the maps by name (tg_*), and one link per
 * interface, link_sub_<ifname> or link_up_<ifname>. With an uplink, also
 * tg0 (routes.h): its TC egress program and the subscriber routes to it.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/bpf.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cli.h"
#include "commands.h"
#include "dataplane.h"
#include "json.h"
#include "log.h"
#include "routes.h"
#include "tungate.h"
#include "egress.skel.h"
#include "subscriber.skel.h"
#include "uplink.skel.h"

#define UP_LINK_PREFIX "link_"
#define UP_SUB_LINK_PREFIX "link_sub_"
#define UP_UP_LINK_PREFIX "link_up_"

enum up_role { UP_SUBSCRIBER, UP_UPLINK };

struct up_iface {
	const char *name;
	unsigned int ifindex;
	enum up_role role;
	const char *action;	/* what up did to it, for the report */
};

static int up_help(int argc, char **argv)
{
	printf("Usage: tungate up --subscriber-if IF [--subscriber-if IF ...]\n"
	       "                  [--uplink-if IF ...] [--mode native|generic]\n"
	       "       tungate down [--keep-state]\n"
	       "\n"
	       "up attaches the subscriber program (XDP, native mode unless\n"
	       "--mode generic) to every subscriber interface through a link\n"
	       "pinned at <pin root>/link_sub_<IF>, and the uplink program to\n"
	       "every uplink interface (link_up_<IF>), creating or reusing the\n"
	       "maps pinned there, and lets packets leave through every\n"
	       "subscriber and uplink interface. An interface given as both\n"
	       "gets the subscriber program only. Run again, it replaces the\n"
	       "program on interfaces that already have one; the mode of an\n"
	       "existing attachment is kept (down first to change it).\n"
	       "\n"
	       "With an uplink, up also makes tg0 (a veth pair tg0/tg0-peer,\n"
	       "unless tg0 exists), attaches the TC egress program there and\n"
	       "routes every subscriber prefix to tg0 with the tunnel MTU\n"
	       "(proto 240, removing stale ones): DF-clear packets too big for\n"
	       "a tunnel, and what this host sends to subscribers, are\n"
	       "fragmented by the kernel and encapsulated there. Run up again\n"
	       "after a sync that changes prefixes or MTUs.\n"
	       "\n"
	       "down detaches every link under the pin root, removes tg0 if up\n"
	       "made it, then removes the pinned maps and the pin root unless\n"
	       "--keep-state is given.\n");
	return 0;
}

static struct subscriber_bpf *up_load(const char *pin_root)
{
	struct subscriber_bpf *skel;
	int err;

	skel = tg_skel_open_pinned(pin_root);
	if (!skel)
		return NULL;
	err = subscriber_bpf__load(skel);
	if (err) {
		tg_err("up: couldn't load the subscriber program with the maps under %s: %s (%d)",
		       pin_root, strerror(-err), err);
		subscriber_bpf__destroy(skel);
		errno = -err;
		return NULL;
	}
	return skel;
}

/*
 * Give every map of obj (not yet loaded) the fd of the loaded subscriber
 * program's map of that name (the pinned ones), so all programs see one
 * data plane.
 */
static int up_share_maps(struct bpf_object *obj, struct subscriber_bpf *sub,
			 const char *what)
{
	struct bpf_map *map, *own;
	int err;

	bpf_object__for_each_map(map, obj) {
		if (bpf_map__is_internal(map))
			continue;
		bpf_map__set_pin_path(map, NULL);
		own = bpf_object__find_map_by_name(sub->obj, bpf_map__name(map));
		err = own ? bpf_map__reuse_fd(map, bpf_map__fd(own)) : -ENOENT;
		if (err) {
			tg_err("up: map %s: couldn't share it with the %s program: %s (%d)",
			       bpf_map__name(map), what, strerror(-err), err);
			return err;
		}
	}
	return 0;
}

/* The uplink program on the maps of the loaded subscriber program. */
static struct uplink_bpf *up_load_uplink(struct subscriber_bpf *sub)
{
	struct uplink_bpf *skel;
	int err;

	skel = uplink_bpf__open();
	if (!skel) {
		err = -errno;
		tg_err("up: couldn't open the uplink program: %s (%d)",
		       strerror(-err), err);
		errno = -err;
		return NULL;
	}
	err = up_share_maps(skel->obj, sub, "uplink");
	if (err)
		goto fail;
	err = uplink_bpf__load(skel);
	if (err) {
		tg_err("up: couldn't load the uplink program: %s (%d)",
		       strerror(-err), err);
		goto fail;
	}
	return skel;
fail:
	uplink_bpf__destroy(skel);
	errno = -err;
	return NULL;
}

/* The TC egress program of tg0, on the same maps. */
static struct egress_bpf *up_load_egress(struct subscriber_bpf *sub)
{
	struct egress_bpf *skel;
	int err;

	skel = egress_bpf__open();
	if (!skel) {
		err = -errno;
		tg_err("up: couldn't open the egress program: %s (%d)",
		       strerror(-err), err);
		errno = -err;
		return NULL;
	}
	err = up_share_maps(skel->obj, sub, "egress");
	if (err)
		goto fail;
	err = egress_bpf__load(skel);
	if (err) {
		tg_err("up: couldn't load the egress program: %s (%d)",
		       strerror(-err), err);
		goto fail;
	}
	return skel;
fail:
	egress_bpf__destroy(skel);
	errno = -err;
	return NULL;
}

/* Run ip(8) with args: 0, or -EIO (its own message is on stderr). */
static int up_ip(char *const argv[])
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		execvp("ip", argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -EIO;
}

/* Write value to /proc/sys/<path> (of this process's network namespace). */
static int up_sysctl(const char *path, const char *value)
{
	char full[PATH_MAX];
	FILE *f;
	int err = 0;

	snprintf(full, sizeof(full), "/proc/sys/%s", path);
	f = fopen(full, "w");
	if (!f)
		return -errno;
	if (fputs(value, f) < 0)
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

/*
 * Legacy ethtool set command cmd to 0 on dev: transmit checksums, TSO and
 * GSO off, so the stack finishes checksums and segments before the TC
 * program, which then sums whole, final packets.
 */
static int up_ethtool_off(const char *dev, __u32 cmd)
{
	struct ethtool_value ev = { .cmd = cmd, .data = 0 };
	struct ifreq ifr;
	int fd, err = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	ifr.ifr_data = (void *)&ev;
	if (ioctl(fd, SIOCETHTOOL, &ifr))
		err = -errno;
	close(fd);
	return err;
}

/*
 * tg0, the device subscriber routes point to: a veth pair tg0/tg0-peer
 * (no dummy module everywhere), both up, made here when missing and
 * marked ours with the alias "tungate" so that down removes only what up
 * made. No ARP on it: the TC program takes every packet, the kernel must
 * not wait for a neighbour that nobody answers.
 */
static int up_egress_dev(unsigned int *ifindex, bool *created)
{
	char *add[] = { "ip", "link", "add", TG_EGRESS_DEV, "type", "veth",
			"peer", "name", TG_EGRESS_PEER, NULL };
	char *alias[] = { "ip", "link", "set", TG_EGRESS_DEV, "alias",
			  TG_EGRESS_ALIAS, NULL };
	char *dev_up[] = { "ip", "link", "set", TG_EGRESS_DEV, "arp", "off",
			   "up", NULL };
	char *peer_up[] = { "ip", "link", "set", TG_EGRESS_PEER, "up", NULL };
	static const __u32 off[] = { ETHTOOL_STXCSUM, ETHTOOL_STSO,
				     ETHTOOL_SGSO };
	unsigned int i;
	int err;

	*created = false;
	if (!if_nametoindex(TG_EGRESS_DEV)) {
		err = up_ip(add);
		if (!err)
			err = up_ip(alias);
		if (err) {
			tg_err("up: couldn't create the veth pair %s/%s: %s (%d)",
			       TG_EGRESS_DEV, TG_EGRESS_PEER, strerror(-err), err);
			return err;
		}
		*created = true;
	}
	err = up_ip(dev_up);
	if (!err && if_nametoindex(TG_EGRESS_PEER))
		err = up_ip(peer_up);
	if (err) {
		tg_err("up: couldn't bring iface '%s' up: %s (%d)",
		       TG_EGRESS_DEV, strerror(-err), err);
		return err;
	}
	for (i = 0; i < sizeof(off) / sizeof(off[0]); i++) {
		err = up_ethtool_off(TG_EGRESS_DEV, off[i]);
		if (err && err != -EOPNOTSUPP) {
			tg_err("up: iface '%s': couldn't turn offload 0x%x off: %s (%d)",
			       TG_EGRESS_DEV, off[i], strerror(-err), err);
			return err;
		}
	}
	/* The TC program's route lookup is done as if received on tg0. */
	err = up_sysctl("net/ipv4/conf/" TG_EGRESS_DEV "/forwarding", "1");
	if (!err)
		err = up_sysctl("net/ipv6/conf/" TG_EGRESS_DEV "/accept_ra", "0");
	if (err) {
		tg_err("up: iface '%s': couldn't set its sysctls: %s (%d)",
		       TG_EGRESS_DEV, strerror(-err), err);
		return err;
	}
	*ifindex = if_nametoindex(TG_EGRESS_DEV);
	return *ifindex ? 0 : -ENODEV;
}

/*
 * The egress program on tg0's clsact egress hook, handle 1 priority 1,
 * replacing ours of an earlier up. A clsact qdisc that is already there
 * is used and left alone; tg0 itself (when ours) goes with down.
 */
static int up_attach_egress(unsigned int ifindex, bool created,
			    struct bpf_program *prog)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = 1, .priority = 1,
		    .prog_fd = bpf_program__fd(prog),
		    .flags = BPF_TC_F_REPLACE);
	int err;

	/*
	 * An earlier up left the qdisc: attach straight away (creating it
	 * again only makes the kernel complain, "Exclusivity flag on").
	 */
	if (!created) {
		err = bpf_tc_attach(&hook, &opts);
		if (!err)
			return 0;
		opts.prog_id = 0;
	}
	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST) {
		tg_err("up: couldn't create the clsact qdisc on iface '%s': %s (%d)",
		       TG_EGRESS_DEV, strerror(-err), err);
		return err;
	}
	err = bpf_tc_attach(&hook, &opts);
	if (err)
		tg_err("up: couldn't attach TC egress program on iface '%s': %s (%d)",
		       TG_EGRESS_DEV, strerror(-err), err);
	return err;
}

/*
 * Replace the program of the pinned link at path. Returns 0, 1 when the
 * link is stale (its interface went away: unpinned, attach anew), or a
 * negative errno (reported).
 */
static int up_replace(const char *path, struct up_iface *ifc,
		      struct bpf_program *prog)
{
	struct bpf_link_info info;
	struct bpf_link *link;
	__u32 len = sizeof(info);
	int err;

	link = bpf_link__open(path);
	if (!link) {
		err = -errno;
		tg_err("up: couldn't open the link of iface '%s' at %s: %s (%d)",
		       ifc->name, path, strerror(-err), err);
		return err;
	}
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(bpf_link__fd(link), &info, &len)) {
		err = -errno;
		tg_err("up: couldn't read the link at %s: %s (%d)", path,
		       strerror(-err), err);
		goto out;
	}
	if (info.type != BPF_LINK_TYPE_XDP) {
		tg_err("up: %s is not an XDP link; remove it or use another pin root",
		       path);
		err = -EEXIST;
		goto out;
	}
	err = 1;
	if (info.xdp.ifindex == ifc->ifindex) {
		err = bpf_link__update_program(link, prog);
		if (!err) {
			ifc->action = "replaced";
			goto out;
		}
		if (err != -ENOLINK) {
			tg_err("up: couldn't replace the XDP program on iface '%s': %s (%d)",
			       ifc->name, strerror(-err), err);
			goto out;
		}
		err = 1;
	}
	/* Detached (the interface was deleted) or now a different ifindex. */
	pr_info("up: iface '%s': stale link at %s, attaching anew\n",
		ifc->name, path);
	if (unlink(path)) {
		err = -errno;
		tg_err("up: couldn't remove the stale link %s: %s (%d)", path,
		       strerror(-err), err);
	}
out:
	bpf_link__destroy(link);
	return err;
}

static int up_attach(const char *pin_root, struct up_iface *ifc,
		     struct bpf_program *prog, __u32 xdp_flags)
{
	struct bpf_link_create_opts opts = {
		.sz = sizeof(opts),
		.flags = xdp_flags,
	};
	char path[PATH_MAX];
	int fd, err;

	snprintf(path, sizeof(path), "%s/%s%s", pin_root,
		 ifc->role == UP_SUBSCRIBER ? UP_SUB_LINK_PREFIX :
					      UP_UP_LINK_PREFIX,
		 ifc->name);
	if (!access(path, F_OK)) {
		err = up_replace(path, ifc, prog);
		if (err <= 0)
			return err;
	}

	fd = bpf_link_create(bpf_program__fd(prog), ifc->ifindex, BPF_XDP,
			     &opts);
	if (fd < 0) {
		err = -errno;
		tg_err("up: couldn't attach XDP program on iface '%s': %s (%d)%s",
		       ifc->name, strerror(-err), err,
		       err == -EBUSY ?
			       "; another XDP program is attached there" :
		       err == -EOPNOTSUPP && !(xdp_flags & XDP_FLAGS_SKB_MODE) ?
			       "; the driver has no native XDP, try --mode generic" :
			       "");
		return err;
	}
	/* The pin holds the attachment; closing fd then keeps it. */
	err = bpf_obj_pin(fd, path) ? -errno : 0;
	if (err)
		tg_err("up: couldn't pin the link of iface '%s' at %s: %s (%d)",
		       ifc->name, path, strerror(-err), err);
	else
		ifc->action = "attached";
	close(fd);
	return err;
}

static int up_fill_ports(int ports_fd, struct up_iface *ifs, int n)
{
	struct bpf_devmap_val val;
	__u32 key;
	int i, err;

	for (i = 0; i < n; i++) {
		memset(&val, 0, sizeof(val));
		key = ifs[i].ifindex;
		val.ifindex = ifs[i].ifindex;
		if (bpf_map_update_elem(ports_fd, &key, &val, BPF_ANY)) {
			err = -errno;
			tg_err("up: couldn't add iface '%s' to tg_ports: %s (%d)",
			       ifs[i].name, strerror(-err), err);
			return err;
		}
	}
	return 0;
}

static void up_report(const char *pin_root, struct up_iface *ifs, int n,
		      const char *mode, int routes, bool eg_created)
{
	struct json_writer *w;
	int i;

	if (!tg_opts.json) {
		if (routes >= 0)
			printf("up: %s: %sTC egress program attached, %d subscriber routes (proto %d)\n",
			       TG_EGRESS_DEV, eg_created ? "created, " : "",
			       routes, TG_RT_PROTO);
		for (i = 0; i < n; i++)
			printf("up: %s: %s XDP program %s (%s), link %s/%s%s\n",
			       ifs[i].name,
			       ifs[i].role == UP_SUBSCRIBER ? "subscriber" :
							      "uplink",
			       ifs[i].action,
			       !strcmp(ifs[i].action, "replaced") ?
				       "mode kept" : mode,
			       pin_root,
			       ifs[i].role == UP_SUBSCRIBER ?
				       UP_SUB_LINK_PREFIX : UP_UP_LINK_PREFIX,
			       ifs[i].name);
		return;
	}
	w = jsonw_new(stdout);
	if (!w)
		return;
	jsonw_start_object(w);
	jsonw_string_field(w, "pin_root", pin_root);
	jsonw_string_field(w, "mode", mode);
	jsonw_name(w, "interfaces");
	jsonw_start_array(w);
	for (i = 0; i < n; i++) {
		jsonw_start_object(w);
		jsonw_string_field(w, "ifname", ifs[i].name);
		jsonw_uint_field(w, "ifindex", ifs[i].ifindex);
		jsonw_string_field(w, "role", ifs[i].role == UP_SUBSCRIBER ?
						      "subscriber" : "uplink");
		jsonw_string_field(w, "action", ifs[i].action);
		jsonw_end_object(w);
	}
	jsonw_end_array(w);
	if (routes >= 0) {
		jsonw_name(w, "egress");
		jsonw_start_object(w);
		jsonw_string_field(w, "ifname", TG_EGRESS_DEV);
		jsonw_bool_field(w, "created", eg_created);
		jsonw_uint_field(w, "routes", routes);
		jsonw_end_object(w);
	}
	jsonw_end_object(w);
	jsonw_destroy(&w);
}

static int up_add_iface(struct up_iface *ifs, int *n, const char *name,
			enum up_role role)
{
	unsigned int ifindex;
	int i;

	if (strlen(name) >= IFNAMSIZ || strchr(name, '/')) {
		tg_err("up: interface name '%s' is not valid", name);
		return -EINVAL;
	}
	ifindex = if_nametoindex(name);
	if (!ifindex) {
		tg_err("up: interface '%s': %s", name, strerror(errno));
		return -ENODEV;
	}
	for (i = 0; i < *n; i++) {
		if (ifs[i].ifindex != ifindex)
			continue;
		if (ifs[i].role == role) {
			tg_err("up: interface '%s' given twice", name);
			return -EINVAL;
		}
		/* Subscriber and uplink at once: attach, one port entry. */
		ifs[i].role = UP_SUBSCRIBER;
		return 0;
	}
	if (*n >= TG_MAX_PORTS) {
		tg_err("up: more than %d interfaces", TG_MAX_PORTS);
		return -E2BIG;
	}
	ifs[*n] = (struct up_iface){ name, ifindex, role, "" };
	(*n)++;
	return 0;
}

int do_up(int argc, char **argv)
{
	struct up_iface ifs[TG_MAX_PORTS];
	const char *pin_root = tg_pin_root(), *val, *mode = "native";
	struct subscriber_bpf *skel = NULL;
	struct uplink_bpf *up_skel = NULL;
	struct egress_bpf *eg_skel = NULL;
	unsigned int eg_ifindex = 0;
	bool eg_created = false;
	int routes = -1;
	__u32 xdp_flags = XDP_FLAGS_DRV_MODE;
	int i, n = 0, nsub = 0, lock = -1, err = 0;

	for (i = 1; i < argc && !err; i++) {
		if (tg_is_help(argv[i]))
			return up_help(argc, argv);
		if (tg_take_json(argv[i]))
			continue;
		if (!strcmp(argv[i], "--subscriber-if")) {
			err = tg_opt_value("up", argc, argv, &i, &val);
			if (!err)
				err = up_add_iface(ifs, &n, val, UP_SUBSCRIBER);
			nsub++;
		} else if (!strcmp(argv[i], "--uplink-if")) {
			err = tg_opt_value("up", argc, argv, &i, &val);
			if (!err)
				err = up_add_iface(ifs, &n, val, UP_UPLINK);
		} else if (!strcmp(argv[i], "--mode")) {
			err = tg_opt_value("up", argc, argv, &i, &val);
			if (err)
				break;
			if (!strcmp(val, "native")) {
				xdp_flags = XDP_FLAGS_DRV_MODE;
			} else if (!strcmp(val, "generic")) {
				xdp_flags = XDP_FLAGS_SKB_MODE;
			} else {
				tg_err("up: --mode '%s': expected native or generic",
				       val);
				err = -EINVAL;
			}
			mode = val;
		} else {
			tg_err("up: unknown argument '%s'; try 'tungate up help'",
			       argv[i]);
			err = -EINVAL;
		}
	}
	if (err)
		return err;
	if (!nsub) {
		tg_err("up: at least one --subscriber-if is needed");
		return -EINVAL;
	}

	lock = tg_pin_lock(pin_root);
	if (lock < 0)
		return lock;
	skel = up_load(pin_root);
	if (!skel) {
		err = -errno;
		goto out;
	}
	for (i = 0; i < n && ifs[i].role != UP_UPLINK; i++)
		;
	if (i < n) {
		up_skel = up_load_uplink(skel);
		if (!up_skel) {
			err = -errno;
			goto out;
		}
	}
	for (i = 0; i < n && !err; i++)
		err = up_attach(pin_root, &ifs[i],
				ifs[i].role == UP_SUBSCRIBER ?
					skel->progs.tg_sub_xdp :
					up_skel->progs.tg_up_xdp,
				xdp_flags);
	if (!err)
		err = up_fill_ports(bpf_map__fd(skel->maps.tg_ports), ifs, n);
	/*
	 * With an uplink, the return path's slow lane: tg0, its TC egress
	 * program, and the subscriber routes to it.
	 */
	if (!err && up_skel) {
		eg_skel = up_load_egress(skel);
		err = eg_skel ? 0 : -errno;
		if (!err)
			err = up_egress_dev(&eg_ifindex, &eg_created);
		if (!err)
			err = up_attach_egress(eg_ifindex, eg_created,
					       eg_skel->progs.tg_egress_tc);
		if (!err) {
			routes = tg_routes_sync(bpf_map__fd(skel->maps.tg_prefix4),
						bpf_map__fd(skel->maps.tg_prefix6),
						bpf_map__fd(skel->maps.tg_encap),
						TG_EGRESS_DEV);
			err = routes < 0 ? routes : 0;
		}
	}
	if (!err)
		up_report(pin_root, ifs, n, mode, routes, eg_created);
out:
	/* Links and maps stay pinned; only this process's handles go. */
	egress_bpf__destroy(eg_skel);
	uplink_bpf__destroy(up_skel);
	subscriber_bpf__destroy(skel);
	tg_pin_unlock(lock);
	return err;
}

struct down_names {
	char **v;
	int n;
};

static int down_names_add(struct down_names *d, const char *name)
{
	char **v = realloc(d->v, (d->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	d->v = v;
	v[d->n] = strdup(name);
	if (!v[d->n])
		return -ENOMEM;
	d->n++;
	return 0;
}

static void down_names_free(struct down_names *d)
{
	while (d->n)
		free(d->v[--d->n]);
	free(d->v);
	d->v = NULL;
}

/* Detach and unpin every link_* under the pin root. */
static int down_links(const char *pin_root, struct down_names *done)
{
	char path[PATH_MAX];
	struct dirent *de;
	int fd, err = 0;
	DIR *dir;

	dir = opendir(pin_root);
	if (!dir) {
		err = -errno;
		tg_err("down: cannot read %s: %s", pin_root, strerror(-err));
		return err;
	}
	while ((de = readdir(dir))) {
		if (strncmp(de->d_name, UP_LINK_PREFIX, strlen(UP_LINK_PREFIX)))
			continue;
		snprintf(path, sizeof(path), "%s/%s", pin_root, de->d_name);
		fd = bpf_obj_get(path);
		/*
		 * Detach explicitly: removing the pin only drops one
		 * reference, and another process may hold the link open.
		 */
		if (fd >= 0) {
			if (bpf_link_detach(fd) && errno != ENOLINK &&
			    errno != EINVAL && errno != EOPNOTSUPP)
				pr_warn("down: detaching %s: %s\n", path,
					strerror(errno));
			close(fd);
		}
		if (unlink(path)) {
			err = -errno;
			tg_err("down: cannot remove %s: %s", path,
			       strerror(-err));
			break;
		}
		err = down_names_add(done, de->d_name);
		if (err) {
			tg_err("down: out of memory");
			break;
		}
	}
	closedir(dir);
	return err;
}

/*
 * Remove tg0 (with its peer, TC hook and routes) when up made it: its
 * alias says so. One that someone else made keeps its qdisc; only our
 * filter goes. Returns true when tg0 was removed.
 */
static bool down_egress_dev(void)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = 1, .priority = 1);
	char *del[] = { "ip", "link", "del", TG_EGRESS_DEV, NULL };

	hook.ifindex = if_nametoindex(TG_EGRESS_DEV);
	if (!hook.ifindex)
		return false;
	if (tg_egress_dev_ours() && !up_ip(del))
		return true;
	if (bpf_tc_detach(&hook, &opts) && errno != ENOENT)
		pr_warn("down: iface '%s': detaching the TC program: %s\n",
			TG_EGRESS_DEV, strerror(errno));
	return false;
}

/* Remove the maps the subscriber object pins by name. */
static int down_maps(const char *pin_root)
{
	struct bpf_object_open_opts opts = {
		.sz = sizeof(opts),
		.pin_root_path = pin_root,
	};
	struct subscriber_bpf *skel;
	struct bpf_map *map;
	const char *path;
	int err = 0;

	skel = subscriber_bpf__open_opts(&opts);
	if (!skel) {
		err = -errno;
		tg_err("down: couldn't open the subscriber program: %s",
		       strerror(-err));
		return err;
	}
	bpf_object__for_each_map(map, skel->obj) {
		path = bpf_map__pin_path(map);
		if (!path || !unlink(path) || errno == ENOENT)
			continue;
		err = -errno;
		tg_err("down: cannot remove %s: %s", path, strerror(-err));
		break;
	}
	subscriber_bpf__destroy(skel);
	return err;
}

static void down_report(const char *pin_root, struct down_names *done,
			bool keep, bool removed)
{
	struct json_writer *w;
	int i;

	if (!tg_opts.json) {
		for (i = 0; i < done->n; i++)
			printf("down: %s detached\n", done->v[i]);
		if (!done->n)
			printf("down: no links under %s\n", pin_root);
		printf("down: %s\n", keep ? "maps kept" :
				     removed ? "maps and pin root removed" :
					       "maps removed");
		return;
	}
	w = jsonw_new(stdout);
	if (!w)
		return;
	jsonw_start_object(w);
	jsonw_name(w, "detached");
	jsonw_start_array(w);
	for (i = 0; i < done->n; i++)
		jsonw_string(w, done->v[i]);
	jsonw_end_array(w);
	jsonw_string_field(w, "state", keep ? "kept" : "removed");
	jsonw_end_object(w);
	jsonw_destroy(&w);
}

int do_down(int argc, char **argv)
{
	const char *pin_root = tg_pin_root();
	struct down_names done = { 0 };
	bool keep = false, removed = false;
	int i, lock, err;

	for (i = 1; i < argc; i++) {
		if (tg_is_help(argv[i]))
			return up_help(argc, argv);
		if (tg_take_json(argv[i]))
			continue;
		if (!strcmp(argv[i], "--keep-state")) {
			keep = true;
			continue;
		}
		tg_err("down: unknown argument '%s'; try 'tungate down help'",
		       argv[i]);
		return -EINVAL;
	}
	if (access(pin_root, F_OK)) {
		if (tg_opts.json)
			printf("{\"detached\": [], \"state\": \"absent\"}\n");
		else
			printf("down: nothing under %s\n", pin_root);
		return 0;
	}

	lock = tg_pin_lock(pin_root);
	if (lock < 0)
		return lock;
	err = down_links(pin_root, &done);
	if (!err && down_egress_dev())
		err = down_names_add(&done, TG_EGRESS_DEV);
	if (!err && !keep) {
		err = down_maps(pin_root);
		/* Foreign files keep the directory: not ours to delete. */
		if (!err && rmdir(pin_root))
			pr_warn("down: %s kept: %s\n", pin_root,
				strerror(errno));
		else if (!err)
			removed = true;
	}
	if (!err)
		down_report(pin_root, &done, keep, removed);
	down_names_free(&done);
	tg_pin_unlock(lock);
	return err;
}
