// SPDX-License-Identifier: GPL-2.0-only
/*
 * tungate replay: run a capture through a private copy of the subscriber
 * program (or of the uplink program), built for XDP or for TC, with
 * BPF_PROG_TEST_RUN, inside a private network namespace whose routing
 * table is fixed, and report what the program did with each packet.
 */
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>

#include "util/cli.h"
#include "cmd/commands.h"
#include "dataplane/counters.h"
#include "dataplane/dataplane.h"
#include "db/db.h"
#include "util/json.h"
#include "util/log.h"
#include "util/netns.h"
#include "util/pcap.h"
#include "dataplane/reason.h"
#include "dataplane/subcount.h"
#include "subscriber.skel.h"
#include "subscriber_tc.skel.h"
#include "uplink.skel.h"
#include "uplink_tc.skel.h"
#include "sync/sync.h"
#include "tungate.h"

#define ETH_MIN_LEN 14		/* BPF_PROG_TEST_RUN refuses shorter frames */
#define IPV4_MIN_LEN (ETH_MIN_LEN + 20)
#define IPV6_MIN_LEN (ETH_MIN_LEN + 40)
#define OUT_ROOM 256		/* the program may grow a packet by this much */

/* What one replay's options say (a line of --batch FILE is one). */
struct replay_opts {
	const char *in_path;
	const char *out_path;
	const char *topo_path;
	const char *counters_path;	/* --counters: reasons' counters here */
	const char *lines_path;	/* --lines: the lines here, not on stdout */
	const char *db_path;	/* --db in a --batch line */
	bool uplink;		/* --side uplink: run the uplink program on up0 */
	bool tc;		/* --hook tc: the TC build, on an skb */
};

struct replay {
	struct replay_opts o;
	FILE *lines_f;		/* stdout, or lines_path */
	bool fatal;		/* the programs failed: no further replay */
	char *tmp_path;		/* out_path + ".tmp" while being written */
	struct tg_pcap_reader in;
	struct tg_pcap_writer out;
	bool in_open, out_open;
	sqlite3 *db;
	struct subscriber_bpf *skel;
	/* The program run, unless tg_sub_xdp: sharing skel's maps. */
	struct uplink_bpf *up_skel;
	struct subscriber_tc_bpf *sub_tc_skel;
	struct uplink_tc_bpf *up_tc_skel;
	struct tg_netns_ports ports;
	int prog_fd, trace_fd;
	int ncpus;
	struct tg_trace *trace;	/* one value per possible CPU */
	__u32 *seq;		/* the last seq seen per CPU */
	__u8 *frame, *result;
	size_t frame_size, result_size;
	FILE *json_f;		/* -j: the array is built here, printed at the end */
	char *json_buf;
	size_t json_len;
	struct json_writer *jw;
};

struct replay_result {
	__u64 index;
	__u32 verdict;
	struct tg_trace trace;
	char sub[TG_NAME_MAX + 8];	/* empty: no subscriber */
	char egress[IF_NAMESIZE + 8];	/* empty: no egress */
};

static const char *const verdict_names[] = {
	[XDP_ABORTED] = "aborted",
	[XDP_DROP] = "drop",
	[XDP_PASS] = "pass",
	[XDP_TX] = "tx",
	[XDP_REDIRECT] = "redirect",
};

/* TC verdicts by their own names: TC_ACT_OK is not XDP_PASS's "pass". */
static const char *const tc_verdict_names[] = {
	[TC_ACT_OK] = "ok",
	[TC_ACT_RECLASSIFY] = "reclassify",
	[TC_ACT_SHOT] = "shot",
	[TC_ACT_PIPE] = "pipe",
	[TC_ACT_STOLEN] = "stolen",
	[TC_ACT_QUEUED] = "queued",
	[TC_ACT_REPEAT] = "repeat",
	[TC_ACT_REDIRECT] = "redirect",
};

static int replay_help(void)
{
	printf("Usage: tungate replay --in IN --out OUT [--side subscriber|uplink]\n"
	       "                      [--hook xdp|tc] [--topo FILE] [--db DB]\n"
	       "                      [--counters FILE] [--lines FILE]\n"
	       "       tungate replay --batch FILE\n"
	       "\n"
	       "Run every packet of the capture IN through a private copy of the\n"
	       "subscriber program (BPF_PROG_TEST_RUN, ingress interface sub0),\n"
	       "or with --side uplink of the uplink program (ingress up0), with\n"
	       "the subscribers and settings of the database, and print one\n"
	       "line per packet:\n"
	       "  INDEX VERDICT REASON SUBSCRIBER|- EGRESS|-\n"
	       "e.g. '3 redirect ok alice up0'. With -j: a JSON array of objects\n"
	       "{index, verdict, reason, subscriber, egress}.\n"
	       "OUT gets each packet as the program left it (classic pcap,\n"
	       "Ethernet). IN is pcap or pcapng, link type Ethernet, Linux cooked\n"
	       "(SLL, SLL2) or raw IP; frames shorter than an Ethernet header are\n"
	       "padded with zeros to 14 bytes.\n"
	       "  --hook tc     run the TC build of the program (tg_sub_tc, tg_up_tc)\n"
	       "                instead of the XDP one, on a socket buffer whose\n"
	       "                ifindex and ingress_ifindex are the ingress\n"
	       "                interface. VERDICT is then a TC action: ok, shot,\n"
	       "                redirect (also for a reply sent back out of the\n"
	       "                ingress interface), or not_run (with REASON\n"
	       "                '-', the frame written as it came) for a frame\n"
	       "                the kernel's test run makes no socket buffer of:\n"
	       "                an IPv4 or IPv6 ethertype without the whole\n"
	       "                fixed header after it.\n"
	       "\n"
	       "Runs as root in a new network namespace of its own: veth sub0\n"
	       "(192.0.2.1/24, 2001:db8:1::1/64) and veth up0 (198.51.100.1/24,\n"
	       "2001:db8:2::1/64) with the default routes via 198.51.100.2 and\n"
	       "2001:db8:2::2 (neighbour 02:00:00:00:01:02), forwarding on.\n"
	       "  --topo FILE   then run each line of FILE as arguments of 'ip' in\n"
	       "                that namespace; the first word must be one of link\n"
	       "                addr route neigh rule -4 -6, e.g.\n"
	       "                  route add blackhole 203.0.113.0/24\n"
	       "                  -6 route add prohibit 2001:db8:dead::/48\n"
	       "  --db DB       the database (default: global --db, $TUNGATE_DB,\n"
	       "                %s)\n"
	       "  --counters FILE  write the data plane's global counters after\n"
	       "                the run to FILE: one line 'REASON PACKETS BYTES'\n"
	       "                for each reason counted\n"
	       "  --lines FILE  write the lines (or the JSON array) to FILE\n"
	       "                instead of standard output\n"
	       "  --batch FILE  run many replays, one per line of FILE (its\n"
	       "                options as above, separated by spaces; empty\n"
	       "                lines and lines starting with # are skipped),\n"
	       "                each in a new namespace of its own, with the\n"
	       "                programs loaded once: the maps are emptied and\n"
	       "                filled from the line's database before each\n"
	       "                replay. A replay that fails is reported with its\n"
	       "                line and the others still run; the exit status\n"
	       "                is non-zero when any failed.\n",
	       TG_DB_PATH_DEFAULT);
	return 0;
}

/*
 * The options of one replay, from the command line or (batch set) from a
 * line of a --batch file, which takes neither --batch nor -j nor help.
 * With batch NULL, --batch FILE goes to *batch_path.
 */
static int replay_args(struct replay_opts *o, int argc, char **argv, bool *help,
		       const char *batch, const char **batch_path)
{
	const char *what = batch ? batch : "replay", *val;
	int i, err, nopts = 0;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!batch && tg_is_help(a)) {
			*help = true;
			return 0;
		}
		if (!batch && tg_take_json(a))
			continue;
		if (strcmp(a, "--in") && strcmp(a, "--out") && strcmp(a, "--topo") &&
		    strcmp(a, "--db") && strcmp(a, "--side") &&
		    strcmp(a, "--hook") && strcmp(a, "--counters") &&
		    strcmp(a, "--lines") && (batch || strcmp(a, "--batch"))) {
			tg_err("%s: unknown argument '%s'; try 'tungate replay help'",
			       what, a);
			return -EINVAL;
		}
		err = tg_opt_value(what, argc, argv, &i, &val);
		if (err)
			return err;
		nopts += strcmp(a, "--batch") != 0;
		if (!strcmp(a, "--in"))
			o->in_path = val;
		else if (!strcmp(a, "--out"))
			o->out_path = val;
		else if (!strcmp(a, "--topo"))
			o->topo_path = val;
		else if (!strcmp(a, "--counters"))
			o->counters_path = val;
		else if (!strcmp(a, "--lines"))
			o->lines_path = val;
		else if (!strcmp(a, "--batch"))
			*batch_path = val;
		else if (!strcmp(a, "--side") && !strcmp(val, "uplink"))
			o->uplink = true;
		else if (!strcmp(a, "--side") && !strcmp(val, "subscriber"))
			o->uplink = false;
		else if (!strcmp(a, "--side")) {
			tg_err("%s: --side '%s': expected subscriber or uplink", what, val);
			return -EINVAL;
		}
		else if (!strcmp(a, "--hook") && !strcmp(val, "tc"))
			o->tc = true;
		else if (!strcmp(a, "--hook") && !strcmp(val, "xdp"))
			o->tc = false;
		else if (!strcmp(a, "--hook")) {
			tg_err("%s: --hook '%s': expected xdp or tc", what, val);
			return -EINVAL;
		}
		else if (batch)
			o->db_path = val;
		else
			tg_opts.db_path = val;
	}
	if (!batch && *batch_path) {
		if (nopts) {
			tg_err("replay: --batch takes the replays' options from its file only");
			return -EINVAL;
		}
		return 0;
	}
	if (!o->in_path || !o->out_path) {
		tg_err("%s: %s is required; try 'tungate replay help'", what,
		       !o->in_path ? "--in" : "--out");
		return -EINVAL;
	}
	return 0;
}

/*
 * The per-subscriber maps are sized for the databases at hand, not for the
 * default capacity: per-CPU counters for every possible subscriber would
 * cost megabytes per CPU on every replay. Raises *capacity to hold DB's.
 */
static int replay_capacity(sqlite3 *db, __u32 *capacity)
{
	struct tg_sub *subs = NULL;
	size_t n = 0, i;
	int err;

	err = tg_db_sub_list(db, true, &subs, &n);
	if (err) {
		tg_err("replay: cannot list the subscribers: %s", strerror(-err));
		return err;
	}
	for (i = 0; i < n; i++)
		if (subs[i].dp_id >= *capacity)
			*capacity = subs[i].dp_id + 1;
	tg_sub_list_free(subs, n);
	if (*capacity > TG_MAX_SUBS_DEFAULT)
		*capacity = TG_MAX_SUBS_DEFAULT;
	return 0;
}

static int replay_size_maps(struct replay *r, __u32 capacity)
{
	struct bpf_map *sized[] = {
		r->skel->maps.tg_tunnels, r->skel->maps.tg_gen,
		r->skel->maps.tg_encap,
		r->skel->maps.tg_encap1,  r->skel->maps.tg_peer,
		r->skel->maps.tg_police,  r->skel->maps.tg_police1,
		r->skel->maps.tg_bucket,  r->skel->maps.tg_seen,
	};
	size_t i;
	int err = 0;

	for (i = 0; i < sizeof(sized) / sizeof(sized[0]) && !err; i++)
		err = bpf_map__set_max_entries(sized[i], capacity);
	/* tg_sub_stats like tg_seen, one line per CPU. */
	if (!err)
		err = tg_obj_sub_stats_setup(r->skel->obj);
	if (err)
		tg_err("replay: cannot size the maps for %u subscribers: %s", capacity,
		       strerror(-err));
	return err;
}

/*
 * Another program's object on the subscriber program's maps (all of them,
 * tg_trace included, by name), so both see what sync wrote.
 */
static int replay_share_maps(struct replay *r, struct bpf_object *obj,
			     const char *what)
{
	struct bpf_map *map, *own;
	int err;

	bpf_object__for_each_map(map, obj) {
		if (bpf_map__is_internal(map))
			continue;
		bpf_map__set_pin_path(map, NULL);
		own = bpf_object__find_map_by_name(r->skel->obj, bpf_map__name(map));
		if (!own)
			continue;
		err = bpf_map__reuse_fd(map, bpf_map__fd(own));
		if (err) {
			tg_err("replay: map %s: cannot share it with the %s program: %s",
			       bpf_map__name(map), what, strerror(-err));
			return err;
		}
	}
	return 0;
}

/* Open, share the maps, trace on, load: prog_fd the program of SKEL. */
#define REPLAY_LOAD(r, field, skel_name, prog, what)				\
	({									\
		int __err;							\
		(r)->field = skel_name##__open();				\
		if (!(r)->field) {						\
			__err = -errno;						\
			tg_err("replay: cannot open the %s program: %s", what,	\
			       strerror(-__err));				\
		} else {							\
			__err = tg_obj_sub_stats_setup((r)->field->obj);	\
			if (!__err)						\
				__err = replay_share_maps(r, (r)->field->obj,	\
							  what);		\
		}								\
		if (!__err) {							\
			(r)->field->rodata->tg_trace_enabled = 1;		\
			__err = skel_name##__load((r)->field);			\
			if (__err)						\
				tg_err("replay: cannot load the %s program: %s (run with -v for the verifier log)", \
				       what, strerror(-__err));			\
			else							\
				(r)->prog_fd =					\
					bpf_program__fd((r)->field->progs.prog); \
		}								\
		__err;								\
	})

/*
 * The program the options ask for, loaded on first use (sharing the
 * subscriber program's maps), in prog_fd: tg_sub_xdp, the uplink program,
 * or the TC build of either.
 */
#define REPLAY_PICK(r, field, skel_name, prog, what)				\
	((r)->field ? ((r)->prog_fd = bpf_program__fd((r)->field->progs.prog), 0) : \
		      REPLAY_LOAD(r, field, skel_name, prog, what))

static int replay_pick(struct replay *r)
{
	if (r->o.tc && r->o.uplink)
		return REPLAY_PICK(r, up_tc_skel, uplink_tc_bpf, tg_up_tc,
				   "uplink TC");
	if (r->o.tc)
		return REPLAY_PICK(r, sub_tc_skel, subscriber_tc_bpf, tg_sub_tc,
				   "subscriber TC");
	if (r->o.uplink)
		return REPLAY_PICK(r, up_skel, uplink_bpf, tg_up_xdp, "uplink");
	r->prog_fd = bpf_program__fd(r->skel->progs.tg_sub_xdp);
	return 0;
}

/* A new namespace of its own with the default topology and --topo's, settled. */
static int replay_netns(struct replay *r)
{
	int err;

	err = tg_netns_enter_private();
	if (err)
		return err;
	err = tg_netns_default_topology(&r->ports);
	if (!err && r->o.topo_path)
		err = tg_netns_apply_topo(r->o.topo_path);
	return err ? err : tg_netns_settle();
}

/* The subscriber program, its maps sized for CAPACITY, and the buffers. */
static int replay_load(struct replay *r, __u32 capacity)
{
	int err;

	r->skel = subscriber_bpf__open();
	if (!r->skel) {
		err = -errno;
		tg_err("replay: cannot open the subscriber program: %s", strerror(-err));
		return err;
	}
	/* A private copy: never reuse or create the pinned maps. */
	tg_obj_unpin_maps(r->skel->obj);
	r->skel->rodata->tg_trace_enabled = 1;
	err = replay_size_maps(r, capacity);
	if (err)
		return err;
	err = subscriber_bpf__load(r->skel);
	if (err) {
		tg_err("replay: cannot load the subscriber program: %s (run with -v for the verifier log)",
		       strerror(-err));
		return err;
	}
	r->trace_fd = bpf_map__fd(r->skel->maps.tg_trace);

	r->ncpus = libbpf_num_possible_cpus();
	if (r->ncpus <= 0) {
		err = r->ncpus ? r->ncpus : -EINVAL;
		tg_err("replay: cannot count the possible CPUs: %s", strerror(-err));
		return err;
	}
	r->trace = calloc(r->ncpus, sizeof(*r->trace));
	r->seq = calloc(r->ncpus, sizeof(*r->seq));
	r->frame_size = TG_PCAP_MAX_CAPLEN + TG_PCAP_ETH_EXTRA;
	r->result_size = r->frame_size + OUT_ROOM;
	r->frame = malloc(r->frame_size);
	r->result = malloc(r->result_size);
	if (!r->trace || !r->seq || !r->frame || !r->result) {
		tg_err("replay: out of memory");
		return -ENOMEM;
	}
	return 0;
}

/* The namespace's ports and the database's subscribers into the maps. */
static int replay_fill(struct replay *r)
{
	struct bpf_devmap_val port = {};
	unsigned int ifindexes[2];
	struct tg_sync_stats st = {};
	struct tg_maps maps;
	int err, ports_fd, i;

	ports_fd = bpf_map__fd(r->skel->maps.tg_ports);
	ifindexes[0] = r->ports.sub_ifindex;
	ifindexes[1] = r->ports.up_ifindex;
	for (i = 0; i < 2; i++) {
		port.ifindex = ifindexes[i];
		if (bpf_map_update_elem(ports_fd, &ifindexes[i], &port, BPF_ANY)) {
			err = -errno;
			tg_err("replay: map tg_ports: cannot add ifindex %u: %s",
			       ifindexes[i], strerror(-err));
			return err;
		}
	}

	err = tg_maps_from_skel(r->skel, &maps);
	if (err) {
		tg_err("replay: cannot get the program's maps: %s", strerror(-err));
		return err;
	}
	err = tg_sync(r->db, &maps, &st);
	tg_maps_close(&maps);
	return err;
}

/*
 * MAP as a new one is: arrays zeroed, every key of the others deleted
 * (an array of devices, CPUs or programs index by index).
 */
static int replay_empty_map(struct bpf_map *map, int ncpus)
{
	enum bpf_map_type type = bpf_map__type(map);
	__u32 max = bpf_map__max_entries(map), i;
	size_t vsz = bpf_map__value_size(map);
	int fd = bpf_map__fd(map), err = 0;
	void *key, *val;

	if (type == BPF_MAP_TYPE_PERCPU_ARRAY)
		vsz = ((vsz + 7) & ~(size_t)7) * ncpus;
	key = calloc(1, bpf_map__key_size(map) + sizeof(__u32));
	val = calloc(1, vsz);
	if (!key || !val) {
		free(key);
		free(val);
		tg_err("replay: out of memory");
		return -ENOMEM;
	}
	switch (type) {
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
		for (i = 0; i < max && !err; i++)
			if (bpf_map_update_elem(fd, &i, val, BPF_ANY))
				err = -errno;
		break;
	case BPF_MAP_TYPE_DEVMAP:
	case BPF_MAP_TYPE_CPUMAP:
	case BPF_MAP_TYPE_PROG_ARRAY:
		for (i = 0; i < max && !err; i++)
			if (bpf_map_delete_elem(fd, &i) && errno != ENOENT)
				err = -errno;
		break;
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
	case BPF_MAP_TYPE_LPM_TRIE:
	case BPF_MAP_TYPE_DEVMAP_HASH:
		while (!err && !bpf_map_get_next_key(fd, NULL, key))
			if (bpf_map_delete_elem(fd, key))
				err = -errno;
		if (!err && errno != ENOENT)
			err = -errno;
		break;
	default:
		err = -EOPNOTSUPP;
	}
	free(key);
	free(val);
	if (err)
		tg_err("replay: cannot empty map %s: %s", bpf_map__name(map),
		       strerror(-err));
	return err;
}

/* Every map of OBJ but the read-only data emptied (NULL: nothing to do). */
static int replay_empty_obj(struct bpf_object *obj, int ncpus)
{
	struct bpf_map *map;
	int err;

	if (!obj)
		return 0;
	bpf_object__for_each_map(map, obj) {
		if (bpf_map__is_internal(map) &&
		    (bpf_map__map_flags(map) & BPF_F_RDONLY_PROG))
			continue;
		err = replay_empty_map(map, ncpus);
		if (err)
			return err;
	}
	return 0;
}

/* The maps of every program loaded so far as new, for the next replay. */
static int replay_reset(struct replay *r)
{
	int err;

	err = replay_empty_obj(r->skel->obj, r->ncpus);
	if (!err && r->up_skel)
		err = replay_empty_obj(r->up_skel->obj, r->ncpus);
	if (!err && r->sub_tc_skel)
		err = replay_empty_obj(r->sub_tc_skel->obj, r->ncpus);
	if (!err && r->up_tc_skel)
		err = replay_empty_obj(r->up_tc_skel->obj, r->ncpus);
	if (!err)
		memset(r->seq, 0, r->ncpus * sizeof(*r->seq));
	return err;
}

/* The per-CPU trace entry the last run changed (the run's own CPU). */
static int replay_trace(struct replay *r, __u64 index, struct tg_trace *out)
{
	__u32 zero = 0;
	int cpu, found = -1, err;

	if (bpf_map_lookup_elem(r->trace_fd, &zero, r->trace)) {
		err = -errno;
		tg_err("replay: packet %llu: cannot read map tg_trace: %s",
		       (unsigned long long)index, strerror(-err));
		return err;
	}
	for (cpu = 0; cpu < r->ncpus; cpu++) {
		if (r->trace[cpu].seq == r->seq[cpu])
			continue;
		r->seq[cpu] = r->trace[cpu].seq;
		found = cpu;
	}
	if (found < 0) {
		tg_err("replay: packet %llu: the program recorded no outcome in tg_trace",
		       (unsigned long long)index);
		return -ENODATA;
	}
	*out = r->trace[found];
	return 0;
}

static void replay_names(struct replay *r, struct replay_result *res)
{
	char name[IF_NAMESIZE];
	int err;

	res->sub[0] = '\0';
	res->egress[0] = '\0';
	if (res->trace.sub_id) {
		err = tg_db_sub_name(r->db, res->trace.sub_id, res->sub, sizeof(res->sub));
		if (err)
			snprintf(res->sub, sizeof(res->sub), "#%u", res->trace.sub_id);
	}
	if (res->trace.ifindex) {
		if (if_indextoname(res->trace.ifindex, name))
			snprintf(res->egress, sizeof(res->egress), "%s", name);
		else
			snprintf(res->egress, sizeof(res->egress), "if%u", res->trace.ifindex);
	}
}

static void replay_print(struct replay *r, const struct replay_result *res)
{
	const char *reason = tg_reason_name(res->trace.reason);
	const char *const *names = r->o.tc ? tc_verdict_names : verdict_names;
	size_t n = r->o.tc ? sizeof(tc_verdict_names) / sizeof(tc_verdict_names[0]) :
			   sizeof(verdict_names) / sizeof(verdict_names[0]);
	char verdict_buf[24], reason_buf[24];
	const char *verdict = NULL;

	if (res->verdict < n)
		verdict = names[res->verdict];
	if (!verdict) {
		snprintf(verdict_buf, sizeof(verdict_buf), "verdict_%u", res->verdict);
		verdict = verdict_buf;
	}
	if (!reason) {
		snprintf(reason_buf, sizeof(reason_buf), "reason_%u", res->trace.reason);
		reason = reason_buf;
	}

	if (!r->jw) {
		fprintf(r->lines_f, "%llu %s %s %s %s\n",
			(unsigned long long)res->index, verdict,
		       reason, res->sub[0] ? res->sub : "-",
		       res->egress[0] ? res->egress : "-");
		return;
	}
	jsonw_start_object(r->jw);
	jsonw_uint_field(r->jw, "index", res->index);
	jsonw_string_field(r->jw, "verdict", verdict);
	jsonw_string_field(r->jw, "reason", reason);
	if (res->sub[0])
		jsonw_string_field(r->jw, "subscriber", res->sub);
	else
		jsonw_null_field(r->jw, "subscriber");
	if (res->egress[0])
		jsonw_string_field(r->jw, "egress", res->egress);
	else
		jsonw_null_field(r->jw, "egress");
	jsonw_end_object(r->jw);
}

/*
 * A frame BPF_PROG_TEST_RUN makes no socket buffer of: an IPv4 / IPv6
 * ethertype without the whole fixed header (the kernel reads the
 * addresses). The kernel's receive path would hand such a frame to TC;
 * the test run cannot.
 */
static bool skb_refused(const __u8 *frame, int len)
{
	__u16 proto = frame[12] << 8 | frame[13];

	return (proto == 0x0800 && len < IPV4_MIN_LEN) ||
	       (proto == 0x86dd && len < IPV6_MIN_LEN);
}

/* The line and the unchanged frame of a packet the hook was not run on. */
static int replay_not_run(struct replay *r, const struct tg_pcap_pkt *pkt,
			  __u64 index, int len)
{
	int err;

	if (r->jw) {
		jsonw_start_object(r->jw);
		jsonw_uint_field(r->jw, "index", index);
		jsonw_string_field(r->jw, "verdict", "not_run");
		jsonw_null_field(r->jw, "reason");
		jsonw_null_field(r->jw, "subscriber");
		jsonw_null_field(r->jw, "egress");
		jsonw_end_object(r->jw);
	} else {
		fprintf(r->lines_f, "%llu not_run - - -\n",
			(unsigned long long)index);
	}
	err = tg_pcap_write(&r->out, pkt->ts_sec, pkt->ts_nsec, r->frame, len,
			    len + (pkt->origlen > pkt->caplen ?
					   pkt->origlen - pkt->caplen : 0));
	if (err)
		tg_err("replay: %s", r->out.err);
	return err;
}

static int replay_packet(struct replay *r, const struct tg_pcap_pkt *pkt, __u64 index)
{
	struct xdp_md ctx = {};
	struct __sk_buff skb = {};
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = r->frame,
		.data_out = r->result,
		.data_size_out = r->result_size,
		.ctx_in = &ctx,
		.ctx_size_in = sizeof(ctx),
		.repeat = 1,
	);
	__u32 ifindex = r->o.uplink ? r->ports.up_ifindex : r->ports.sub_ifindex;
	struct replay_result res = { .index = index };
	__u32 origlen;
	char err_msg[256];
	int len, err;

	len = tg_pcap_to_ether(pkt->linktype, pkt->data, pkt->caplen, r->frame,
			       r->frame_size, err_msg, sizeof(err_msg));
	if (len < 0) {
		tg_err("replay: %s: packet %llu: %s", r->o.in_path,
		       (unsigned long long)index, err_msg);
		return len;
	}
	if (len < ETH_MIN_LEN) {
		pr_info("replay: %s: packet %llu: %d bytes, padded to %d\n", r->o.in_path,
			(unsigned long long)index, len, ETH_MIN_LEN);
		memset(r->frame + len, 0, ETH_MIN_LEN - len);
		len = ETH_MIN_LEN;
	}
	opts.data_size_in = len;
	if (r->o.tc) {
		/*
		 * The frame from its Ethernet header; ifindex is the device
		 * the skb arrives on (the route lookup's netns and the
		 * Ethernet type parsing), ingress_ifindex what the program
		 * reads.
		 */
		skb.ifindex = ifindex;
		skb.ingress_ifindex = ifindex;
		opts.ctx_in = &skb;
		opts.ctx_size_in = sizeof(skb);
	} else {
		ctx.data_end = len;	/* the kernel wants the whole frame as data */
		ctx.ingress_ifindex = ifindex;
	}

	err = bpf_prog_test_run_opts(r->prog_fd, &opts);
	if (err && errno == EINVAL && r->o.tc && skb_refused(r->frame, len)) {
		pr_info("replay: %s: packet %llu (%d bytes): no socket buffer of it\n",
			r->o.in_path, (unsigned long long)index, len);
		return replay_not_run(r, pkt, index, len);
	}
	if (err) {
		err = -errno;
		tg_err("replay: %s: packet %llu (%d bytes): BPF_PROG_TEST_RUN failed: %s",
		       r->o.in_path, (unsigned long long)index, len, strerror(-err));
		return err;
	}
	if (opts.data_size_out > r->result_size) {
		tg_err("replay: %s: packet %llu: the program left %u bytes, more than %zu",
		       r->o.in_path, (unsigned long long)index, opts.data_size_out,
		       r->result_size);
		return -ENOSPC;
	}
	res.verdict = opts.retval;
	err = replay_trace(r, index, &res.trace);
	if (err)
		return err;
	replay_names(r, &res);
	replay_print(r, &res);

	/* Keep what the capture had cut off: the original length follows the frame. */
	origlen = opts.data_size_out;
	if (pkt->origlen > pkt->caplen)
		origlen += pkt->origlen - pkt->caplen;
	err = tg_pcap_write(&r->out, pkt->ts_sec, pkt->ts_nsec, r->result,
			    opts.data_size_out, origlen);
	if (err) {
		tg_err("replay: %s", r->out.err);
		return err;
	}
	return 0;
}

static int replay_run(struct replay *r)
{
	struct tg_pcap_pkt pkt;
	__u64 index = 0;
	int ret, err;

	if (tg_opts.json) {
		r->json_f = open_memstream(&r->json_buf, &r->json_len);
		if (!r->json_f)
			return -ENOMEM;
		r->jw = jsonw_new(r->json_f);
		if (!r->jw)
			return -ENOMEM;
		jsonw_start_array(r->jw);
	}
	while ((ret = tg_pcap_next(&r->in, &pkt)) > 0) {
		err = replay_packet(r, &pkt, ++index);
		if (err)
			return err;
	}
	if (ret < 0) {
		tg_err("replay: %s", r->in.err);
		return ret;
	}
	err = tg_pcap_finish(&r->out);
	r->out_open = false;
	if (err) {
		tg_err("replay: %s", r->out.err);
		return err;
	}
	if (rename(r->tmp_path, r->o.out_path)) {
		err = -errno;
		tg_err("replay: cannot rename %s to %s: %s", r->tmp_path, r->o.out_path,
		       strerror(-err));
		return err;
	}
	free(r->tmp_path);
	r->tmp_path = NULL;
	if (r->jw) {
		jsonw_end_array(r->jw);
		jsonw_destroy(&r->jw);
		fclose(r->json_f);
		r->json_f = NULL;
		fwrite(r->json_buf, 1, r->json_len, r->lines_f);
	}
	fflush(r->lines_f);
	return 0;
}

/* The global counters by reason, summed over CPUs, into counters_path. */
static int replay_counters(struct replay *r)
{
	struct tg_snap snap = {};
	struct tg_maps m = TG_MAPS_INIT;
	__u32 i;
	FILE *f;
	int err;

	err = tg_maps_from_skel(r->skel, &m);
	if (!err)
		err = tg_snap_load(r->db, NULL, 2, &snap);
	if (!err)
		err = tg_snap_read(&snap, &m);
	if (err) {
		tg_err("replay: cannot read the counters: %s", strerror(-err));
		goto out;
	}
	f = fopen(r->o.counters_path, "w");
	if (!f) {
		err = -errno;
		tg_err("replay: %s: %s", r->o.counters_path, strerror(-err));
		goto out;
	}
	for (i = 0; i < TG_R_MAX; i++)
		if (snap.global[i].packets)
			fprintf(f, "%s %llu %llu\n", tg_reason_name(i),
				(unsigned long long)snap.global[i].packets,
				(unsigned long long)snap.global[i].bytes);
	if (fclose(f)) {
		err = -errno;
		tg_err("replay: %s: %s", r->o.counters_path, strerror(-err));
	}
out:
	tg_snap_free(&snap);
	tg_maps_close(&m);
	return err;
}

/*
 * One replay of r->o: its capture, database and namespace, the programs
 * loaded on first use (maps sized for CAPACITY and the database), packets
 * and counters; closes what it opened. Sets r->fatal when what failed
 * concerns the programs, so that no further replay can use them.
 */
static int replay_one(struct replay *r, __u32 capacity)
{
	int err;

	r->lines_f = stdout;
	err = tg_pcap_open(&r->in, r->o.in_path);
	r->in_open = true;
	if (err) {
		tg_err("replay: %s", r->in.err);
		goto out;
	}
	err = tg_db_open(r->o.db_path ? r->o.db_path : tg_db_path(), false, &r->db);
	if (err)
		goto out;
	err = replay_netns(r);
	if (err)
		goto out;
	if (!r->skel) {
		err = replay_capacity(r->db, &capacity);
		if (!err)
			err = replay_load(r, capacity);
		r->fatal = err != 0;
		if (err)
			goto out;
	}
	err = replay_pick(r);
	r->fatal = err != 0;
	if (err)
		goto out;
	err = replay_fill(r);
	if (err)
		goto out;

	if (r->o.lines_path) {
		r->lines_f = fopen(r->o.lines_path, "w");
		if (!r->lines_f) {
			err = -errno;
			r->lines_f = stdout;
			tg_err("replay: %s: %s", r->o.lines_path, strerror(-err));
			goto out;
		}
	}
	if (asprintf(&r->tmp_path, "%s.tmp", r->o.out_path) < 0) {
		r->tmp_path = NULL;
		err = -ENOMEM;
		tg_err("replay: out of memory");
		goto out;
	}
	err = tg_pcap_create(&r->out, r->tmp_path);
	r->out_open = true;
	if (err) {
		tg_err("replay: %s", r->out.err);
		goto out;
	}
	err = replay_run(r);
	if (!err && r->o.counters_path)
		err = replay_counters(r);
out:
	if (r->jw)
		jsonw_destroy(&r->jw);
	if (r->json_f)
		fclose(r->json_f);
	r->json_f = NULL;
	free(r->json_buf);
	r->json_buf = NULL;
	if (r->lines_f != stdout && fclose(r->lines_f) && !err) {
		err = -errno;
		tg_err("replay: %s: %s", r->o.lines_path, strerror(-err));
	}
	r->lines_f = stdout;
	if (r->out_open)
		tg_pcap_finish(&r->out);
	r->out_open = false;
	if (r->tmp_path) {
		unlink(r->tmp_path);
		free(r->tmp_path);
		r->tmp_path = NULL;
	}
	if (r->in_open)
		tg_pcap_close(&r->in);
	r->in_open = false;
	if (r->db)
		tg_db_close(r->db);
	r->db = NULL;
	return err;
}

/* The replays of a --batch file: one per line that is not empty or '#'. */
struct replay_batch {
	char **lines;		/* each line, split in place into argv */
	int *linenos;
	struct replay_opts *opts;
	size_t n;
};

static void replay_batch_free(struct replay_batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		free(b->lines[i]);
	free(b->lines);
	free(b->linenos);
	free(b->opts);
}

#define REPLAY_BATCH_ARGS 32	/* options and values on one line, at most */

/* One line of PATH (number LINENO) into b as replay options. */
static int replay_batch_line(struct replay_batch *b, const char *path, int lineno,
			     char *line)
{
	char *argv[REPLAY_BATCH_ARGS + 1] = { "replay" }, *save = NULL, *w;
	char what[PATH_MAX + 32];
	struct replay_opts o = {};
	int argc = 1;
	void *p;

	for (w = strtok_r(line, " \t\r\n", &save); w;
	     w = strtok_r(NULL, " \t\r\n", &save)) {
		if (argc == REPLAY_BATCH_ARGS) {
			tg_err("replay: %s:%d: more than %d words", path, lineno,
			       REPLAY_BATCH_ARGS - 1);
			return -EINVAL;
		}
		argv[argc++] = w;
	}
	if (argc == 1 || argv[1][0] == '#')
		return 1;
	snprintf(what, sizeof(what), "replay: %s:%d", path, lineno);
	if (replay_args(&o, argc, argv, NULL, what, NULL))
		return -EINVAL;
	p = realloc(b->opts, (b->n + 1) * sizeof(*b->opts));
	if (!p)
		return -ENOMEM;
	b->opts = p;
	p = realloc(b->linenos, (b->n + 1) * sizeof(*b->linenos));
	if (!p)
		return -ENOMEM;
	b->linenos = p;
	p = realloc(b->lines, (b->n + 1) * sizeof(*b->lines));
	if (!p)
		return -ENOMEM;
	b->lines = p;
	b->opts[b->n] = o;
	b->linenos[b->n] = lineno;
	b->lines[b->n++] = line;
	return 0;
}

/* Every line of PATH checked before any replay runs. */
static int replay_batch_read(struct replay_batch *b, const char *path)
{
	char *line = NULL;
	size_t cap = 0;
	int lineno = 0, err = 0;
	FILE *f;

	f = fopen(path, "r");
	if (!f) {
		err = -errno;
		tg_err("replay: %s: %s", path, strerror(-err));
		return err;
	}
	while (!err && getline(&line, &cap, f) >= 0) {
		err = replay_batch_line(b, path, ++lineno, line);
		if (!err) {
			line = NULL;	/* b keeps it */
			cap = 0;
		}
		if (err > 0)
			err = 0;
	}
	free(line);
	if (!err && ferror(f)) {
		err = -EIO;
		tg_err("replay: %s: read error", path);
	}
	fclose(f);
	if (!err && !b->n) {
		tg_err("replay: %s: no replay in it", path);
		err = -EINVAL;
	}
	if (err == -ENOMEM)
		tg_err("replay: out of memory");
	return err;
}

/* The capacity for every database of the batch. */
static int replay_batch_capacity(const struct replay_batch *b, __u32 *capacity)
{
	sqlite3 *db;
	size_t i;
	int err;

	for (i = 0; i < b->n; i++) {
		err = tg_db_open(b->opts[i].db_path ? b->opts[i].db_path : tg_db_path(),
				 false, &db);
		if (err)
			return err;
		err = replay_capacity(db, capacity);
		tg_db_close(db);
		if (err)
			return err;
	}
	return 0;
}

static int replay_batch(struct replay *r, const char *path)
{
	struct replay_batch b = {};
	__u32 capacity = 2;
	size_t i, failed = 0;
	int err;

	err = replay_batch_read(&b, path);
	if (!err)
		err = replay_batch_capacity(&b, &capacity);
	for (i = 0; !err && i < b.n && !r->fatal; i++) {
		if (r->skel) {
			err = replay_reset(r);
			if (err)
				break;
		}
		r->o = b.opts[i];
		if (replay_one(r, capacity)) {
			tg_err("replay: %s:%d: this replay failed", path, b.linenos[i]);
			failed++;
		}
	}
	if (!err && failed) {
		tg_err("replay: %s: %zu of %zu replays failed", path, failed, b.n);
		err = -EIO;
	}
	replay_batch_free(&b);
	return err;
}

int do_replay(int argc, char **argv)
{
	struct replay r = { .prog_fd = -1, .trace_fd = -1 };
	const char *batch = NULL;
	bool help = false;
	int err;

	err = replay_args(&r.o, argc, argv, &help, NULL, &batch);
	if (err || help)
		return help ? replay_help() : err;
	if (geteuid() != 0) {
		tg_err("replay: must run as root: it creates a network namespace and loads BPF");
		return -EPERM;
	}

	err = batch ? replay_batch(&r, batch) : replay_one(&r, 2);
	uplink_tc_bpf__destroy(r.up_tc_skel);
	subscriber_tc_bpf__destroy(r.sub_tc_skel);
	uplink_bpf__destroy(r.up_skel);
	subscriber_bpf__destroy(r.skel);
	free(r.trace);
	free(r.seq);
	free(r.frame);
	free(r.result);
	return err;
}
