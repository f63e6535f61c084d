// SPDX-License-Identifier: GPL-2.0-only
/*
 * `tungate up` attaches the subscriber program to subscriber interfaces and
 * the uplink program to uplink interfaces, so that the attachment outlives
 * the process; `tungate down` detaches every one of them and, unless told
 * to keep state, removes the maps.
 *
 * Pins under the pin root: the maps by name (tg_*), and one pin per
 * interface (attach.h): an XDP link (link_sub_<IF>, link_up_<IF>) in
 * native or generic mode, or in TC mode the program of the clsact ingress
 * filter up added (tc_sub_<IF>, tc_up_<IF>). With an uplink, also tg0
 * (routes.h): its TC egress program and the subscriber routes to it.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

#include "dataplane/attach.h"
#include "sync/sync.h"
#include "util/cli.h"
#include "cmd/commands.h"
#include "db/db.h"
#include "dataplane/dataplane.h"
#include "util/json.h"
#include "dataplane/kernel.h"
#include "dataplane/steer.h"
#include "dataplane/subcount.h"
#include "util/cpulist.h"
#include "util/caps.h"
#include "util/log.h"
#include "routing/routes.h"
#include "tungate.h"
#include "egress.skel.h"
#include "wg.skel.h"
#include "wg/wg_attach.h"
#include "steer.skel.h"
#include "subscriber.skel.h"
#include "subscriber_cpumap.skel.h"
#include "subscriber_tc.skel.h"
#include "uplink.skel.h"
#include "uplink_tc.skel.h"

struct up_iface {
	const char *name;
	unsigned int ifindex;
	enum tg_role role;
	enum tg_mode mode;	/* what it runs in after up */
	const char *action;	/* what up did to it, for the report */
	char pin[NAME_MAX + 1];	/* its pin under the pin root */
	/* Steering after up (--steer, --no-steer, else as it was). */
	const char *steer_arg;	/* the option that set it, NULL: kept */
	bool steer;
	struct tg_cpuset cpus;
	bool had_steer;		/* tg_steer's entry before up, for undo */
	struct tg_cpuset had_cpus;
};

/* The programs of one up, loaded on demand on the subscriber's maps. */
struct up_progs {
	struct subscriber_bpf *sub;
	struct uplink_bpf *up;
	struct subscriber_tc_bpf *sub_tc;
	struct uplink_tc_bpf *up_tc;
	struct egress_bpf *eg;
	struct wg_bpf *wg;
	struct steer_bpf *steer;
	struct subscriber_cpumap_bpf *sub_cpumap;
};

static int up_help(int argc, char **argv)
{
	printf("Usage: tungate up --subscriber-if IF [--subscriber-if IF ...]\n"
	       "                  [--uplink-if IF ...] [--mode native|generic|tc]\n"
	       "                  [--steer IF[:CPUS] ...] [--no-steer IF ...]\n"
	       "       tungate down [--keep-state]\n"
	       "       tungate status\n"
	       "\n"
	       "up attaches the subscriber program to every subscriber interface\n"
	       "and the uplink program to every uplink interface, creating or\n"
	       "reusing the maps pinned under the pin root, and lets packets\n"
	       "leave through every subscriber and uplink interface. An\n"
	       "interface given as both gets the subscriber program only.\n"
	       "\n"
	       "Modes: native XDP (the default; when the driver refuses it, up\n"
	       "says so on stderr and uses generic XDP), generic XDP, or tc:\n"
	       "the same pipeline as TC programs on the clsact ingress hook.\n"
	       "XDP attachments are links pinned at <pin root>/link_sub_<IF>\n"
	       "and link_up_<IF>; TC ones are recorded as tc_sub_<IF> and\n"
	       "tc_up_<IF> (the filter's program). In tc mode the kernel gets\n"
	       "GRO-merged packets and those too big for a tunnel back.\n"
	       "Native XDP takes frames of one page (3520 bytes with 4 KiB\n"
	       "pages): up refuses it while a subscriber's MTU makes larger\n"
	       "tunnel frames (sync refuses such an MTU then too).\n"	       "\n"
	       "Steering: one tunnel arrives on one receive queue, so one CPU\n"
	       "would decapsulate, police and forward all of it. --steer IF\n"
	       "(a --subscriber-if of the same up; native or generic XDP)\n"
	       "spreads IF's packets over CPUS (a list such as 0-3,6; default:\n"
	       "every online CPU) by a hash of the flow inside the tunnel\n"
	       "(IPIP, 6in4, GRE with any options, gretap, EoIP; L2TP and\n"
	       "packets outside tunnels by their own addresses and ports):\n"
	       "IF runs tg_steer_xdp, which hands each packet to its CPU\n"
	       "through a cpumap, and the subscriber program runs there. One\n"
	       "flow stays on one CPU (in order); counters, policing (one\n"
	       "bucket per subscriber for all CPUs) and what goes to the\n"
	       "kernel are as without steering. It is kept when up runs\n"
	       "again without --steer IF or --no-steer IF (which turns it\n"
	       "off); 'tungate status' shows it. Each CPU queues up to %d\n"
	       "frames.\n"
	       "\n"
	       "Run again, up replaces the program of every interface that\n"
	       "already has one atomically (maps, counters and token buckets\n"
	       "stay), keeping its mode unless --mode asks for another: then\n"
	       "the old attachment goes first. It records the time and this\n"
	       "version in tg_meta (see 'tungate status').\n"
	       "\n"
	       "With an uplink, up also makes tg0 (a veth pair tg0/tg0-peer,\n"
	       "unless tg0 exists), attaches the TC egress program there and\n"
	       "routes every subscriber prefix to tg0 with the tunnel MTU\n"
	       "(proto 240, removing stale ones): DF-clear packets too big for\n"
	       "a tunnel, and what this host sends to subscribers, are\n"
	       "fragmented by the kernel and encapsulated there. Run up again\n"
	       "after a sync that changes prefixes or MTUs.\n"
	       "\n"
	       "WireGuard members: up pins the TC programs of their interfaces\n"
	       "(prog_wg_in, prog_wg_out) and attaches them, or replaces ours,\n"
	       "on the clsact ingress and egress hooks of every tgwgPORT; a sync\n"
	       "that makes an interface attaches them there. They police and\n"
	       "count the members' traffic (status: roles wireguard-in/out).\n"
	       "\n"
	       "down detaches everything up attached under the pin root, removes\n"
	       "tg0 if up made it, then removes the pinned maps and the pin root\n"
	       "unless --keep-state is given (counters, buckets and subscribers\n"
	       "then survive until the next up). It reports what it removed and\n"
	       "does nothing, successfully, when there is nothing.\n"
	       "\n"
	       "status shows the interfaces, their mode and program, the version\n"
	       "and time of the last up, the map fill levels and the last sync\n"
	       "('tungate status help').\n", TG_STEER_QSIZE);
	return 0;
}

static const char *up_role_pin_prefix(enum tg_role role, enum tg_mode mode)
{
	if (mode == TG_MODE_TC)
		return role == TG_ROLE_SUBSCRIBER ? TG_PIN_TC_SUB : TG_PIN_TC_UP;
	return role == TG_ROLE_SUBSCRIBER ? TG_PIN_LINK_SUB : TG_PIN_LINK_UP;
}

/*
 * Maps another build was last up on may have been synced by it: its
 * syncs may not know the prefix hashes and leave them behind the tries.
 * The tries answer until the next sync (a full one) fills them again.
 */
static int up_pfx_check(struct subscriber_bpf *skel)
{
	struct tg_meta meta;
	__u32 key = 0;
	int err;

	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.tg_meta), &key, &meta))
		return -errno;
	meta.version[sizeof(meta.version) - 1] = '\0';
	if (!meta.version[0] || !strcmp(meta.version, TG_VERSION))
		return 0;
	err = tg_pfx_unfill(bpf_map__fd(skel->maps.tg_pfx_lens));
	if (!err)
		pr_info("up: maps last up with %s: subscriber prefixes from the tries until the next sync\n",
			meta.version);
	return err;
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
	err = up_pfx_check(skel);
	if (err) {
		tg_err("up: couldn't reset tg_pfx_lens under %s: %s (%d)",
		       pin_root, strerror(-err), err);
		subscriber_bpf__destroy(skel);
		errno = -err;
		return NULL;
	}
	return skel;
}

/*
 * Load obj (opened from its skeleton, not loaded) with every map replaced
 * by the loaded subscriber program's map of that name (the pinned ones),
 * so all programs see one data plane. 0 or negative errno (reported).
 */
static int up_load_obj(struct bpf_object *obj, struct subscriber_bpf *sub,
		       const char *what)
{
	struct bpf_map *map, *own;
	int err;

	if (!obj) {
		err = -errno;
		tg_err("up: couldn't open the %s program: %s (%d)", what,
		       strerror(-err), err);
		return err;
	}
	err = tg_obj_sub_stats_setup(obj);
	if (err) {
		tg_err("up: couldn't size the %s program's counters: %s", what,
		       strerror(-err));
		return err;
	}
	bpf_object__for_each_map(map, obj) {
		if (bpf_map__is_internal(map))
			continue;
		own = bpf_object__find_map_by_name(sub->obj, bpf_map__name(map));
		/* A map of the program's own (steering's cpumap): its own. */
		if (!own && !bpf_map__pin_path(map))
			continue;
		bpf_map__set_pin_path(map, NULL);
		err = own ? bpf_map__reuse_fd(map, bpf_map__fd(own)) : -ENOENT;
		if (err) {
			tg_err("up: map %s: couldn't share it with the %s program: %s (%d)",
			       bpf_map__name(map), what, strerror(-err), err);
			return err;
		}
	}
	err = bpf_object__load(obj);
	if (err)
		tg_err("up: couldn't load the %s program: %s (%d)", what,
		       strerror(-err), err);
	return err;
}

/* Open a skeleton into *skel and load it on the shared maps. */
#define UP_LOAD(skel, type, p, what)                                         \
	({                                                                   \
		int __err = 0;                                               \
		if (!(skel)) {                                               \
			(skel) = type##__open();                             \
			__err = up_load_obj((skel) ? (skel)->obj : NULL,     \
					    (p)->sub, what);                 \
		}                                                            \
		if (__err) {                                                 \
			type##__destroy(skel);                               \
			(skel) = NULL;                                       \
		}                                                            \
		__err;                                                       \
	})

/*
 * The program for role in mode (steer: the steering one, loaded by
 * up_steer_load), loaded on first use. NULL: errno set.
 */
static struct bpf_program *up_prog(struct up_progs *p, enum tg_role role,
				   enum tg_mode mode, bool steer)
{
	int err;

	if (role == TG_ROLE_SUBSCRIBER && mode != TG_MODE_TC && steer)
		return p->steer->progs.tg_steer_xdp;
	if (role == TG_ROLE_SUBSCRIBER && mode != TG_MODE_TC)
		return p->sub->progs.tg_sub_xdp;
	if (role == TG_ROLE_SUBSCRIBER) {
		err = UP_LOAD(p->sub_tc, subscriber_tc_bpf, p,
			      "subscriber TC");
		if (!err)
			return p->sub_tc->progs.tg_sub_tc;
	} else if (mode == TG_MODE_TC) {
		err = UP_LOAD(p->up_tc, uplink_tc_bpf, p, "uplink TC");
		if (!err)
			return p->up_tc->progs.tg_up_tc;
	} else {
		err = UP_LOAD(p->up, uplink_bpf, p, "uplink");
		if (!err)
			return p->up->progs.tg_up_xdp;
	}
	errno = -err;
	return NULL;
}

static void up_progs_destroy(struct up_progs *p)
{
	egress_bpf__destroy(p->eg);
	wg_bpf__destroy(p->wg);
	steer_bpf__destroy(p->steer);
	subscriber_cpumap_bpf__destroy(p->sub_cpumap);
	uplink_tc_bpf__destroy(p->up_tc);
	subscriber_tc_bpf__destroy(p->sub_tc);
	uplink_bpf__destroy(p->up);
	subscriber_bpf__destroy(p->sub);
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
 * The egress program on tg0's clsact egress hook (TG_TC_HANDLE and
 * TG_TC_PRIO), replacing ours of an earlier up. A clsact qdisc that is
 * already there is used and left alone; tg0 itself (when ours) goes with
 * down.
 */
static int up_attach_egress(unsigned int ifindex, bool created,
			    struct bpf_program *prog)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = TG_TC_HANDLE,
		    .priority = TG_TC_PRIO,
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
 * Detach what the recorded attachment a (probed) holds and remove its
 * pin. A TC filter is removed only while it still runs our program. 0 or
 * negative errno (reported).
 */
static int up_detach(const char *pin_root, const struct tg_attach *a)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = a->ifindex,
		    .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = TG_TC_HANDLE,
		    .priority = TG_TC_PRIO);
	char path[PATH_MAX];
	int fd, err;

	snprintf(path, sizeof(path), "%s/%s", pin_root, a->pin);
	if (a->tc && !a->stale) {
		err = bpf_tc_detach(&hook, &opts);
		if (err && err != -ENOENT)
			pr_warn("tungate: iface '%s': detaching the TC program: %s\n",
				a->ifname, strerror(-err));
	} else if (!a->tc) {
		/*
		 * Detach explicitly: removing the pin only drops one
		 * reference, and another process may hold the link open.
		 */
		fd = bpf_obj_get(path);
		if (fd >= 0) {
			if (bpf_link_detach(fd) && errno != ENOLINK &&
			    errno != EINVAL && errno != EOPNOTSUPP)
				pr_warn("tungate: detaching %s: %s\n", path,
					strerror(errno));
			close(fd);
		}
	}
	if (unlink(path) && errno != ENOENT) {
		err = -errno;
		tg_err("cannot remove %s: %s", path, strerror(-err));
		return err;
	}
	return 0;
}

/* Replace the program of the live XDP link pinned at ifc->pin. */
static int up_xdp_replace(const char *pin_root, struct up_iface *ifc,
			  struct bpf_program *prog)
{
	char path[PATH_MAX];
	struct bpf_link *link;
	int err;

	snprintf(path, sizeof(path), "%s/%s", pin_root, ifc->pin);
	link = bpf_link__open(path);
	if (!link) {
		err = -errno;
		tg_err("up: couldn't open the link of iface '%s' at %s: %s (%d)",
		       ifc->name, path, strerror(-err), err);
		return err;
	}
	err = bpf_link__update_program(link, prog);
	if (err)
		tg_err("up: couldn't replace the XDP program on iface '%s': %s (%d)",
		       ifc->name, strerror(-err), err);
	bpf_link__destroy(link);
	return err;
}

/* A new XDP link in ifc->mode, pinned at ifc->pin. */
static int up_xdp_attach(const char *pin_root, struct up_iface *ifc,
			 struct bpf_program *prog)
{
	struct bpf_link_create_opts opts = {
		.sz = sizeof(opts),
		.flags = ifc->mode == TG_MODE_NATIVE ? XDP_FLAGS_DRV_MODE :
						       XDP_FLAGS_SKB_MODE,
	};
	char path[PATH_MAX];
	int fd, err;

	snprintf(path, sizeof(path), "%s/%s", pin_root, ifc->pin);
	fd = bpf_link_create(bpf_program__fd(prog), ifc->ifindex, BPF_XDP,
			     &opts);
	if (fd < 0) {
		err = -errno;
		/* The fallback to generic mode says it itself. */
		if (ifc->mode == TG_MODE_NATIVE &&
		    (err == -EOPNOTSUPP || err == -EINVAL || err == -524))
			return err;
		tg_err("up: couldn't attach XDP program on iface '%s' (%s mode): %s (%d)%s",
		       ifc->name, tg_mode_name(ifc->mode), strerror(-err), err,
		       err == -EBUSY ?
			       "; another XDP program is attached there" : "");
		return err;
	}
	/* The pin holds the attachment; closing fd then keeps it. */
	err = bpf_obj_pin(fd, path) ? -errno : 0;
	if (err)
		tg_err("up: couldn't pin the link of iface '%s' at %s: %s (%d)",
		       ifc->name, path, strerror(-err), err);
	close(fd);
	return err;
}

/*
 * prog as the filter of ifc's clsact ingress hook (made when missing),
 * replacing ours atomically when there, and pinned at ifc->pin.
 */
static int up_tc_attach(const char *pin_root, struct up_iface *ifc,
			struct bpf_program *prog)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifc->ifindex,
		    .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = TG_TC_HANDLE,
		    .priority = TG_TC_PRIO, .prog_fd = bpf_program__fd(prog),
		    .flags = BPF_TC_F_REPLACE);
	libbpf_print_fn_t print;
	char path[PATH_MAX];
	int err;

	snprintf(path, sizeof(path), "%s/%s", pin_root, ifc->pin);
	/* A clsact qdisc already there is fine: keep libbpf quiet about it. */
	print = libbpf_set_print(NULL);
	err = bpf_tc_hook_create(&hook);
	libbpf_set_print(print);
	if (err && err != -EEXIST) {
		tg_err("up: couldn't create the clsact qdisc on iface '%s': %s (%d)",
		       ifc->name, strerror(-err), err);
		return err;
	}
	err = bpf_tc_attach(&hook, &opts);
	if (err) {
		tg_err("up: couldn't attach TC ingress program on iface '%s': %s (%d)",
		       ifc->name, strerror(-err), err);
		return err;
	}
	/* The filter holds the program; the pin records it for down. */
	if (unlink(path) && errno != ENOENT)
		err = -errno;
	else if (bpf_obj_pin(bpf_program__fd(prog), path))
		err = -errno;
	if (err)
		tg_err("up: couldn't pin the TC program of iface '%s' at %s: %s (%d)",
		       ifc->name, path, strerror(-err), err);
	return err;
}

/*
 * Attach one interface. What an earlier up recorded for it is kept and
 * its program replaced when the role matches, it is still attached and
 * no other mode is asked for (forced: TG_MODE_NONE when not given);
 * anything else recorded for it is detached first.
 */
static int up_iface_apply(const char *pin_root, struct up_progs *p,
			  struct up_iface *ifc, enum tg_mode forced)
{
	static const char *const kinds[] = { TG_PIN_LINK_SUB, TG_PIN_LINK_UP,
					     TG_PIN_TC_SUB, TG_PIN_TC_UP };
	struct tg_attach a, keep;
	char name[NAME_MAX + 1], path[PATH_MAX];
	struct bpf_program *prog;
	bool have_keep = false, had = false;
	unsigned int i;
	int err;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		snprintf(name, sizeof(name), "%s%s", kinds[i], ifc->name);
		snprintf(path, sizeof(path), "%s/%s", pin_root, name);
		if (access(path, F_OK) || tg_attach_parse(name, &a))
			continue;
		err = tg_attach_probe(pin_root, &a);
		if (err) {
			tg_err("up: couldn't read %s: %s", path, strerror(-err));
			return err;
		}
		if (!have_keep && a.role == ifc->role && !a.stale &&
		    a.ifindex == ifc->ifindex &&
		    (forced == TG_MODE_NONE || forced == a.mode)) {
			keep = a;
			have_keep = true;
			continue;
		}
		if (a.stale)
			pr_info("up: iface '%s': %s is stale, attaching anew\n",
				ifc->name, path);
		else
			had = true;
		err = up_detach(pin_root, &a);
		if (err)
			return err;
	}

	if (have_keep) {
		ifc->mode = keep.mode;
		ifc->action = "replaced";
		snprintf(ifc->pin, sizeof(ifc->pin), "%s", keep.pin);
		if (ifc->steer && ifc->mode == TG_MODE_TC) {
			tg_err("up: --steer %s: iface '%s' runs in tc mode and steering needs XDP; give --mode native or --mode generic with it",
			       ifc->name, ifc->name);
			return -EINVAL;
		}
		prog = up_prog(p, ifc->role, ifc->mode, ifc->steer);
		if (!prog)
			return -errno;
		return keep.tc ? up_tc_attach(pin_root, ifc, prog) :
				 up_xdp_replace(pin_root, ifc, prog);
	}

	ifc->mode = forced == TG_MODE_NONE ? TG_MODE_NATIVE : forced;
	ifc->action = had ? "reattached" : "attached";
	snprintf(ifc->pin, sizeof(ifc->pin), "%s%s",
		 up_role_pin_prefix(ifc->role, ifc->mode), ifc->name);
	prog = up_prog(p, ifc->role, ifc->mode, ifc->steer);
	if (!prog)
		return -errno;
	if (ifc->mode == TG_MODE_TC)
		return up_tc_attach(pin_root, ifc, prog);
	err = up_xdp_attach(pin_root, ifc, prog);
	if (err && ifc->mode == TG_MODE_NATIVE && forced == TG_MODE_NONE &&
	    (err == -EOPNOTSUPP || err == -EINVAL || err == -524)) {
		pr_warn("tungate: up: iface '%s': the driver refused native XDP (%s); attaching in generic mode\n",
			ifc->name, strerror(-err));
		ifc->mode = TG_MODE_GENERIC;
		err = up_xdp_attach(pin_root, ifc, prog);
	} else if (err && ifc->mode == TG_MODE_NATIVE &&
		   (err == -EOPNOTSUPP || err == -EINVAL || err == -524)) {
		tg_err("up: couldn't attach XDP program on iface '%s' (native mode): %s (%d); the driver has no native XDP, try --mode generic",
		       ifc->name, strerror(-err), err);
	}
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

/* tg_meta: the time of this up and the version that did it. */
static int up_stamp_meta(int meta_fd)
{
	struct tg_meta meta;
	struct timespec ts;
	__u32 key = 0;
	int err;

	if (bpf_map_lookup_elem(meta_fd, &key, &meta)) {
		err = -errno;
		tg_err("up: couldn't read tg_meta: %s (%d)", strerror(-err), err);
		return err;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	meta.up_time = (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	memset(meta.version, 0, sizeof(meta.version));
	snprintf(meta.version, sizeof(meta.version), "%s", TG_VERSION);
	if (bpf_map_update_elem(meta_fd, &key, &meta, BPF_ANY)) {
		err = -errno;
		tg_err("up: couldn't write tg_meta: %s (%d)", strerror(-err), err);
		return err;
	}
	return 0;
}

static void up_report(const char *pin_root, struct up_iface *ifs, int n,
		      const char *mode, int routes, bool eg_created, int wg)
{
	struct json_writer *w;
	char cpus[256];
	int i;

	if (!tg_opts.json) {
		if (routes >= 0)
			printf("up: %s: %sTC egress program attached, %d subscriber routes (proto %d)\n",
			       TG_EGRESS_DEV, eg_created ? "created, " : "",
			       routes, TG_RT_PROTO);
		for (i = 0; i < n; i++) {
			printf("up: %s: %s %s program %s (%s), %s %s/%s",
			       ifs[i].name, tg_role_name(ifs[i].role),
			       ifs[i].mode == TG_MODE_TC ? "TC" : "XDP",
			       ifs[i].action, tg_mode_name(ifs[i].mode),
			       ifs[i].mode == TG_MODE_TC ? "pin" : "link",
			       pin_root, ifs[i].pin);
			tg_cpulist_format(&ifs[i].cpus, cpus, sizeof(cpus));
			if (ifs[i].steer)
				printf(", steered over CPUs %s", cpus);
			printf("\n");
		}
		if (wg > 0)
			printf("up: WireGuard: TC programs attached on %d tgwg interfaces\n",
			       wg);
		return;
	}
	w = jsonw_new(stdout);
	if (!w)
		return;
	jsonw_start_object(w);
	jsonw_string_field(w, "pin_root", pin_root);
	jsonw_string_field(w, "mode", mode);
	jsonw_string_field(w, "version", TG_VERSION);
	jsonw_name(w, "interfaces");
	jsonw_start_array(w);
	for (i = 0; i < n; i++) {
		jsonw_start_object(w);
		jsonw_string_field(w, "ifname", ifs[i].name);
		jsonw_uint_field(w, "ifindex", ifs[i].ifindex);
		jsonw_string_field(w, "role", tg_role_name(ifs[i].role));
		jsonw_string_field(w, "mode", tg_mode_name(ifs[i].mode));
		jsonw_string_field(w, "action", ifs[i].action);
		jsonw_string_field(w, "pin", ifs[i].pin);
		tg_cpulist_format(&ifs[i].cpus, cpus, sizeof(cpus));
		if (ifs[i].steer)
			jsonw_string_field(w, "steer_cpus", cpus);
		else
			jsonw_null_field(w, "steer_cpus");
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
	jsonw_uint_field(w, "wireguard_interfaces", wg);
	jsonw_end_object(w);
	jsonw_destroy(&w);
}

static int up_add_iface(struct up_iface *ifs, int *n, const char *name,
			enum tg_role role)
{
	unsigned int ifindex;
	int i;

	if (!*name || strlen(name) >= IFNAMSIZ || strchr(name, '/')) {
		tg_err("up: interface name '%s': not a valid name", name);
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
		ifs[i].role = TG_ROLE_SUBSCRIBER;
		return 0;
	}
	if (*n >= TG_MAX_PORTS) {
		tg_err("up: more than %d interfaces", TG_MAX_PORTS);
		return -E2BIG;
	}
	memset(&ifs[*n], 0, sizeof(ifs[*n]));
	ifs[*n].name = name;
	ifs[*n].ifindex = ifindex;
	ifs[*n].role = role;
	ifs[*n].action = "";
	(*n)++;
	return 0;
}

static int up_parse_mode(const char *val, enum tg_mode *mode)
{
	if (!strcmp(val, "native"))
		*mode = TG_MODE_NATIVE;
	else if (!strcmp(val, "generic"))
		*mode = TG_MODE_GENERIC;
	else if (!strcmp(val, "tc"))
		*mode = TG_MODE_TC;
	else {
		tg_err("up: --mode '%s': expected native, generic or tc", val);
		return -EINVAL;
	}
	return 0;
}

/*
 * --steer IF[:CPUS] (on) or --no-steer IF (arg NULL): recorded on IF,
 * which must be a --subscriber-if of this up. CPUS must be online and
 * below TG_STEER_CPU_MAX; none given: every online CPU.
 */
static int up_steer_opt(struct up_iface *ifs, int n, const char *opt,
			const char *val, bool on)
{
	char name[IF_NAMESIZE], why[160], online_s[256], cpu_s[256];
	struct tg_cpuset online, cpus;
	const char *colon = on ? strchr(val, ':') : NULL;
	size_t len = colon ? (size_t)(colon - val) : strlen(val);
	unsigned int cpu, ifindex;
	int i, err;

	if (!len || len >= sizeof(name)) {
		tg_err("up: %s '%s': not an interface name%s", opt, val,
		       on ? " (IF or IF:CPUS, e.g. eth1:0-3)" : "");
		return -EINVAL;
	}
	memcpy(name, val, len);
	name[len] = '\0';
	ifindex = if_nametoindex(name);
	for (i = 0; i < n; i++)
		if (ifindex && ifs[i].ifindex == ifindex &&
		    ifs[i].role == TG_ROLE_SUBSCRIBER)
			break;
	if (i == n) {
		tg_err("up: %s %s: '%s' is not a --subscriber-if of this up (steering is for subscriber interfaces; give it with --subscriber-if too)",
		       opt, val, name);
		return -EINVAL;
	}
	if (ifs[i].steer_arg) {
		tg_err("up: %s %s: steering of '%s' already given by %s",
		       opt, val, name, ifs[i].steer_arg);
		return -EINVAL;
	}
	ifs[i].steer_arg = opt;
	ifs[i].steer = on;
	if (!on)
		return 0;
	err = tg_cpus_online(&online);
	if (err) {
		tg_err("up: %s %s: cannot read the online CPUs: %s", opt, val,
		       strerror(-err));
		return err;
	}
	tg_cpulist_format(&online, online_s, sizeof(online_s));
	if (!colon) {
		cpus = online;
	} else if (tg_cpulist_parse(colon + 1, &cpus, why, sizeof(why))) {
		tg_err("up: %s %s: %s", opt, val, why);
		return -EINVAL;
	}
	for (cpu = 0; cpu < TG_CPULIST_MAX; cpu++) {
		if (!tg_cpuset_has(&cpus, cpu))
			continue;
		if (cpu >= TG_STEER_CPU_MAX) {
			tg_err("up: %s %s: CPU %u: steering takes CPUs 0-%d",
			       opt, val, cpu, TG_STEER_CPU_MAX - 1);
			return -EINVAL;
		}
		if (!tg_cpuset_has(&online, cpu)) {
			tg_err("up: %s %s: CPU %u is not online (online: %s)",
			       opt, val, cpu, online_s);
			return -EINVAL;
		}
	}
	tg_cpulist_format(&cpus, cpu_s, sizeof(cpu_s));
	pr_debug("up: iface '%s' steered over CPUs %s\n", name, cpu_s);
	ifs[i].cpus = cpus;
	return 0;
}

/*
 * Steering of the subscriber interfaces after this up: what tg_steer
 * records (kept), unless --steer or --no-steer said otherwise. When any
 * is steered: the steering program and the subscriber program for the
 * cpumap loaded, and a cpumap entry on every CPU one of them uses.
 */
static int up_steer_load(struct up_progs *p, struct up_iface *ifs, int n,
			 enum tg_mode forced)
{
	int fd = bpf_map__fd(p->sub->maps.tg_steer), i, err;
	struct tg_cpuset all = { 0 };
	char cpu_s[256];
	bool any = false;
	unsigned int w;

	for (i = 0; i < n; i++) {
		if (ifs[i].role != TG_ROLE_SUBSCRIBER)
			continue;
		err = tg_steer_get(fd, ifs[i].ifindex, &ifs[i].had_cpus);
		if (err && err != -ENOENT) {
			tg_err("up: iface '%s': couldn't read tg_steer: %s (%d)",
			       ifs[i].name, strerror(-err), err);
			return err;
		}
		ifs[i].had_steer = !err;
		if (!ifs[i].steer_arg) {
			ifs[i].steer = ifs[i].had_steer;
			ifs[i].cpus = ifs[i].had_cpus;
		}
		if (!ifs[i].steer)
			continue;
		if (forced == TG_MODE_TC) {
			tg_cpulist_format(&ifs[i].cpus, cpu_s, sizeof(cpu_s));
			if (ifs[i].steer_arg)
				tg_err("up: --steer %s: steering needs XDP, not --mode tc",
				       ifs[i].name);
			else
				tg_err("up: --mode tc: iface '%s' is steered over CPUs %s and steering needs XDP; add --no-steer %s to run it in tc mode",
				       ifs[i].name, cpu_s, ifs[i].name);
			return -EINVAL;
		}
		/*
		 * The CPUs it had too: until its new program runs, the old
		 * one hands packets to them by the old entry.
		 */
		for (w = 0; w < TG_CPULIST_MAX / 64; w++)
			all.bits[w] |= ifs[i].cpus.bits[w] |
				       (ifs[i].had_steer ? ifs[i].had_cpus.bits[w] : 0);
		any = true;
	}
	if (!any)
		return 0;
	err = UP_LOAD(p->sub_cpumap, subscriber_cpumap_bpf, p,
		      "subscriber (cpumap)");
	if (!err)
		err = UP_LOAD(p->steer, steer_bpf, p, "steering");
	if (!err)
		err = tg_steer_fill(bpf_map__fd(p->steer->maps.tg_cpus), &all,
				    bpf_program__fd(p->sub_cpumap->progs.tg_sub_cpumap));
	return err;
}

/*
 * Record ifc's steering in tg_steer. A steering program reads its CPUs
 * there from its first packet to its last: steering turned on is recorded
 * before the program changes (after: false), steering changed or turned
 * off after (after: true), when the new program runs; the new cpumap has
 * the old CPUs as well (up_steer_load). An entry turned off stays for the
 * old program's packets still in flight (TG_STEER_F_OFF).
 */
static int up_steer_record(struct up_progs *p, struct up_iface *ifc,
			   bool after)
{
	int fd = bpf_map__fd(p->sub->maps.tg_steer), err;
	bool before = ifc->steer && !ifc->had_steer;

	if (ifc->role != TG_ROLE_SUBSCRIBER || after == before ||
	    (!ifc->steer && !ifc->had_steer))
		return 0;
	if (ifc->steer)
		err = tg_steer_set(fd, ifc->ifindex, &ifc->cpus);
	else
		err = tg_steer_off(fd, ifc->ifindex);
	if (err)
		tg_err("up: iface '%s': couldn't write tg_steer: %s (%d)",
		       ifc->name, strerror(-err), err);
	return err;
}

/* ifc's program did not change: steering recorded before it undone. */
static void up_steer_undo(struct up_progs *p, struct up_iface *ifc)
{
	if (ifc->role == TG_ROLE_SUBSCRIBER && ifc->steer && !ifc->had_steer)
		tg_steer_off(bpf_map__fd(p->sub->maps.tg_steer), ifc->ifindex);
}

/*
 * With an uplink, the return path's slow lane: tg0, its TC egress
 * program, and the subscriber routes to it. The number of routes, or
 * negative errno (reported).
 */
static int up_egress(struct up_progs *p, bool *created)
{
	struct tg_maps m = TG_MAPS_INIT;
	unsigned int ifindex = 0;
	int err;

	err = UP_LOAD(p->eg, egress_bpf, p, "egress");
	if (!err)
		err = up_egress_dev(&ifindex, created);
	if (!err)
		err = up_attach_egress(ifindex, *created,
				       p->eg->progs.tg_egress_tc);
	if (!err)
		err = tg_maps_from_skel(p->sub, &m);
	if (err)
		return err;
	err = tg_routes_sync(&m, TG_EGRESS_DEV);
	tg_maps_close(&m);
	return err;
}

/*
 * WireGuard members: the programs of their interfaces, pinned for the
 * syncs that make an interface, and attached (or replaced) on every
 * tgwgPORT there is, unless the maps do not hold the members yet. The
 * number of those, or negative errno (reported).
 */
static int up_wireguard(struct up_progs *p, const char *pin_root)
{
	const char *path = tg_db_path();
	bool unrecorded = false;
	char why[256];
	sqlite3 *db;
	int err;

	err = UP_LOAD(p->wg, wg_bpf, p, "WireGuard");
	if (err)
		return err;
	err = tg_wg_progs_pin(pin_root, bpf_program__fd(p->wg->progs.tg_wg_in),
			      bpf_program__fd(p->wg->progs.tg_wg_out), why,
			      sizeof(why));
	/* Members synced by an earlier build: the next sync attaches. */
	if (!err && !access(path, F_OK) && !tg_db_open(path, false, &db)) {
		unrecorded = tg_sync_wg_unrecorded(db);
		tg_db_close(db);
	}
	if (!err && unrecorded) {
		fprintf(stderr, "up: WireGuard: members not in the maps yet: their interfaces get the programs at the next sync\n");
		return 0;
	}
	if (!err)
		err = tg_wg_attach_all(pin_root, why, sizeof(why));
	if (err < 0)
		tg_err("up: WireGuard: %s", why);
	return err;
}

/*
 * Subscriber interfaces that will run native XDP (asked for, or the
 * default for one not attached in another mode yet) carry one page per
 * frame: refuse before attaching when a subscriber's MTU needs more.
 */
static int up_frames(const char *pin_root, struct up_iface *ifs, int n,
		     enum tg_mode forced)
{
	const char *path = tg_db_path();
	char pin[NAME_MAX + 1];
	struct tg_attach a;
	sqlite3 *db;
	int i, err = 0;

	if (forced != TG_MODE_NONE && forced != TG_MODE_NATIVE)
		return 0;
	if (access(path, F_OK))
		return 0;
	for (i = 0; i < n && !err; i++) {
		if (ifs[i].role != TG_ROLE_SUBSCRIBER)
			continue;
		snprintf(pin, sizeof(pin), "%s%s", TG_PIN_TC_SUB, ifs[i].name);
		if (forced == TG_MODE_NONE && !tg_attach_parse(pin, &a) &&
		    !tg_attach_probe(pin_root, &a))
			continue;
		snprintf(pin, sizeof(pin), "%s%s", TG_PIN_LINK_SUB, ifs[i].name);
		if (forced == TG_MODE_NONE && !tg_attach_parse(pin, &a) &&
		    !tg_attach_probe(pin_root, &a) && a.mode == TG_MODE_GENERIC)
			continue;
		err = tg_db_open(path, false, &db);
		if (err)
			return err;
		err = tg_frames_check(db, "up", ifs[i].name);
		tg_db_close(db);
	}
	return err;
}

int do_up(int argc, char **argv)
{
	struct up_iface ifs[TG_MAX_PORTS];
	const char *pin_root = tg_pin_root(), *val, *mode_arg = "native";
	char why[512];
	struct up_progs p = { 0 };
	enum tg_mode forced = TG_MODE_NONE;
	bool eg_created = false, uplink = false;
	int routes = -1, wg = 0;
	int steer_opts[TG_MAX_PORTS], nsteer = 0;
	int i, n = 0, nsub = 0, lock = -1, err = 0;

	for (i = 1; i < argc && !err; i++) {
		if (tg_is_help(argv[i]))
			return up_help(argc, argv);
		if (tg_take_json(argv[i]))
			continue;
		if (!strcmp(argv[i], "--subscriber-if")) {
			err = tg_opt_value("up", argc, argv, &i, &val);
			if (!err)
				err = up_add_iface(ifs, &n, val,
						   TG_ROLE_SUBSCRIBER);
			nsub++;
		} else if (!strcmp(argv[i], "--uplink-if")) {
			err = tg_opt_value("up", argc, argv, &i, &val);
			if (!err)
				err = up_add_iface(ifs, &n, val, TG_ROLE_UPLINK);
			uplink = true;
		} else if (!strcmp(argv[i], "--mode")) {
			err = tg_opt_value("up", argc, argv, &i, &val);
			if (!err)
				err = up_parse_mode(val, &forced);
			mode_arg = val;
		} else if (!strcmp(argv[i], "--steer") ||
			   !strcmp(argv[i], "--no-steer")) {
			/* After the interfaces: they may come later. */
			err = tg_opt_value("up", argc, argv, &i, &val);
			if (!err && nsteer < TG_MAX_PORTS)
				steer_opts[nsteer++] = i - 1;
			else if (!err) {
				tg_err("up: more than %d --steer and --no-steer",
				       TG_MAX_PORTS);
				err = -E2BIG;
			}
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
	for (i = 0; i < nsteer && !err; i++)
		err = up_steer_opt(ifs, n, argv[steer_opts[i]],
				   argv[steer_opts[i] + 1],
				   !strcmp(argv[steer_opts[i]], "--steer"));
	if (err)
		return err;
	err = tg_caps_require("up", true);
	if (err)
		return err;
	err = tg_kernel_check(why, sizeof(why));
	if (err) {
		tg_err("up: %s", why);
		return err;
	}

	lock = tg_pin_lock(pin_root);
	if (lock < 0)
		return lock;
	err = up_frames(pin_root, ifs, n, forced);
	if (err)
		goto out;
	p.sub = up_load(pin_root);
	if (!p.sub) {
		err = -errno;
		goto out;
	}
	err = up_steer_load(&p, ifs, n, forced);
	for (i = 0; i < n && !err; i++) {
		err = up_steer_record(&p, &ifs[i], false);
		if (err)
			break;
		err = up_iface_apply(pin_root, &p, &ifs[i], forced);
		if (err)
			up_steer_undo(&p, &ifs[i]);
		else
			err = up_steer_record(&p, &ifs[i], true);
	}
	if (!err)
		err = up_fill_ports(bpf_map__fd(p.sub->maps.tg_ports), ifs, n);
	if (!err && uplink) {
		routes = up_egress(&p, &eg_created);
		err = routes < 0 ? routes : 0;
	}
	if (!err) {
		wg = up_wireguard(&p, pin_root);
		err = wg < 0 ? wg : 0;
	}
	if (!err)
		err = up_stamp_meta(bpf_map__fd(p.sub->maps.tg_meta));
	if (!err)
		up_report(pin_root, ifs, n, mode_arg, routes, eg_created, wg);
out:
	/* Links, filters and maps stay; only this process's handles go. */
	up_progs_destroy(&p);
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

static int down_name_done(void *ctx, const char *name)
{
	return down_names_add(ctx, name);
}

static void down_names_free(struct down_names *d)
{
	while (d->n)
		free(d->v[--d->n]);
	free(d->v);
	d->v = NULL;
}

/* Detach and unpin every attachment recorded under the pin root. */
static int down_links(const char *pin_root, struct down_names *done)
{
	struct tg_attach a;
	struct dirent *de;
	int err = 0;
	DIR *dir;

	dir = opendir(pin_root);
	if (!dir) {
		err = -errno;
		tg_err("down: cannot read %s: %s", pin_root, strerror(-err));
		return err;
	}
	while ((de = readdir(dir))) {
		if (tg_attach_parse(de->d_name, &a))
			continue;
		/* Unreadable: nothing of ours to detach, the pin still goes. */
		if (tg_attach_probe(pin_root, &a))
			a.stale = true;
		err = up_detach(pin_root, &a);
		if (!err)
			err = down_names_add(done, de->d_name);
		if (err)
			break;
	}
	closedir(dir);
	if (err == -ENOMEM)
		tg_err("down: out of memory");
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
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = TG_TC_HANDLE,
		    .priority = TG_TC_PRIO);
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

/* Remove the maps the subscriber object pins by name; names in done. */
static int down_maps(const char *pin_root, struct down_names *done)
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
		if (!path)
			continue;
		if (!unlink(path)) {
			err = down_names_add(done, bpf_map__name(map));
			if (err) {
				tg_err("down: out of memory");
				break;
			}
			continue;
		}
		if (errno == ENOENT)
			continue;
		err = -errno;
		tg_err("down: cannot remove %s: %s", path, strerror(-err));
		break;
	}
	subscriber_bpf__destroy(skel);
	return err;
}

static void down_report(const char *pin_root, struct down_names *done,
			struct down_names *maps, bool keep, bool removed)
{
	struct json_writer *w;
	int i;

	if (!tg_opts.json) {
		for (i = 0; i < done->n; i++)
			printf("down: %s detached\n", done->v[i]);
		if (!done->n)
			printf("down: nothing attached under %s\n", pin_root);
		if (keep)
			printf("down: maps kept under %s\n", pin_root);
		else
			printf("down: %d maps removed%s\n", maps->n,
			       removed ? ", pin root removed" : "");
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
	jsonw_name(w, "maps_removed");
	jsonw_start_array(w);
	for (i = 0; i < maps->n; i++)
		jsonw_string(w, maps->v[i]);
	jsonw_end_array(w);
	jsonw_string_field(w, "state", keep ? "kept" : "removed");
	jsonw_bool_field(w, "pin_root_removed", removed);
	jsonw_end_object(w);
	jsonw_destroy(&w);
}

int do_down(int argc, char **argv)
{
	const char *pin_root = tg_pin_root();
	struct down_names done = { 0 }, maps = { 0 };
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
			printf("{\"detached\": [], \"maps_removed\": [], \"state\": \"absent\", \"pin_root_removed\": false}\n");
		else
			printf("down: nothing under %s\n", pin_root);
		return 0;
	}
	err = tg_caps_require("down", true);
	if (err)
		return err;

	lock = tg_pin_lock(pin_root);
	if (lock < 0)
		return lock;
	err = down_links(pin_root, &done);
	if (!err)
		err = tg_wg_detach_all(pin_root, down_name_done, &done);
	if (!err && down_egress_dev())
		err = down_names_add(&done, TG_EGRESS_DEV);
	if (!err && !keep) {
		err = down_maps(pin_root, &maps);
		/* Foreign files keep the directory: not ours to delete. */
		if (!err && rmdir(pin_root))
			pr_warn("down: %s kept: %s\n", pin_root,
				strerror(errno));
		else if (!err)
			removed = true;
	}
	if (!err)
		down_report(pin_root, &done, &maps, keep, removed);
	down_names_free(&done);
	down_names_free(&maps);
	tg_pin_unlock(lock);
	return err;
}
