// SPDX-License-Identifier: GPL-2.0-only
/*
 * tungate replay: run a capture through a private copy of the subscriber
 * program (or of the uplink program), built for XDP or for TC, with
 * BPF_PROG_TEST_RUN, inside a private network namespace whose routing
 * table is fixed, and report what the program did with each packet.
 */
#include <errno.h>
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

struct replay {
	const char *in_path;
	const char *out_path;
	const char *topo_path;
	const char *counters_path;	/* --counters: reasons' counters here */
	bool uplink;		/* --side uplink: run the uplink program on up0 */
	bool tc;		/* --hook tc: the TC build, on an skb */
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
	       "                      [--counters FILE]\n"
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
	       "                for each reason counted\n",
	       TG_DB_PATH_DEFAULT);
	return 0;
}

static int replay_args(struct replay *r, int argc, char **argv, bool *help)
{
	const char *val;
	int i, err;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (tg_is_help(a)) {
			*help = true;
			return 0;
		}
		if (tg_take_json(a))
			continue;
		if (strcmp(a, "--in") && strcmp(a, "--out") && strcmp(a, "--topo") &&
		    strcmp(a, "--db") && strcmp(a, "--side") &&
		    strcmp(a, "--hook") && strcmp(a, "--counters")) {
			tg_err("replay: unknown argument '%s'; try 'tungate replay help'", a);
			return -EINVAL;
		}
		err = tg_opt_value("replay", argc, argv, &i, &val);
		if (err)
			return err;
		if (!strcmp(a, "--in"))
			r->in_path = val;
		else if (!strcmp(a, "--out"))
			r->out_path = val;
		else if (!strcmp(a, "--topo"))
			r->topo_path = val;
		else if (!strcmp(a, "--counters"))
			r->counters_path = val;
		else if (!strcmp(a, "--side") && !strcmp(val, "uplink"))
			r->uplink = true;
		else if (!strcmp(a, "--side") && !strcmp(val, "subscriber"))
			r->uplink = false;
		else if (!strcmp(a, "--side")) {
			tg_err("replay: --side '%s': expected subscriber or uplink", val);
			return -EINVAL;
		}
		else if (!strcmp(a, "--hook") && !strcmp(val, "tc"))
			r->tc = true;
		else if (!strcmp(a, "--hook") && !strcmp(val, "xdp"))
			r->tc = false;
		else if (!strcmp(a, "--hook")) {
			tg_err("replay: --hook '%s': expected xdp or tc", val);
			return -EINVAL;
		}
		else
			tg_opts.db_path = val;
	}
	if (!r->in_path || !r->out_path) {
		tg_err("replay: %s is required; try 'tungate replay help'",
		       !r->in_path ? "--in" : "--out");
		return -EINVAL;
	}
	return 0;
}

/*
 * Size the per-subscriber maps for the database at hand, not for the
 * default capacity: per-CPU counters for every possible subscriber would
 * cost megabytes per CPU on every replay.
 */
static int replay_size_maps(struct replay *r)
{
	struct bpf_map *sized[] = {
		r->skel->maps.tg_tunnels, r->skel->maps.tg_sub_stats,
		r->skel->maps.tg_gen,	  r->skel->maps.tg_encap,
		r->skel->maps.tg_encap1,  r->skel->maps.tg_peer,
		r->skel->maps.tg_police,  r->skel->maps.tg_police1,
		r->skel->maps.tg_bucket,  r->skel->maps.tg_seen,
	};
	struct tg_sub *subs = NULL;
	__u32 capacity = 2;
	size_t n = 0, i;
	int err;

	err = tg_db_sub_list(r->db, true, &subs, &n);
	if (err) {
		tg_err("replay: cannot list the subscribers: %s", strerror(-err));
		return err;
	}
	for (i = 0; i < n; i++)
		if (subs[i].dp_id >= capacity)
			capacity = subs[i].dp_id + 1;
	tg_sub_list_free(subs, n);
	if (capacity > TG_MAX_SUBS_DEFAULT)
		capacity = TG_MAX_SUBS_DEFAULT;
	for (i = 0; i < sizeof(sized) / sizeof(sized[0]) && !err; i++)
		err = bpf_map__set_max_entries(sized[i], capacity);
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
			__err = replay_share_maps(r, (r)->field->obj, what);	\
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
 * The program to run when it is not tg_sub_xdp, whose maps it shares:
 * the uplink program, or the TC build of either.
 */
static int replay_load_other(struct replay *r)
{
	if (r->tc && r->uplink)
		return REPLAY_LOAD(r, up_tc_skel, uplink_tc_bpf, tg_up_tc,
				   "uplink TC");
	if (r->tc)
		return REPLAY_LOAD(r, sub_tc_skel, subscriber_tc_bpf, tg_sub_tc,
				   "subscriber TC");
	if (r->uplink)
		return REPLAY_LOAD(r, up_skel, uplink_bpf, tg_up_xdp, "uplink");
	return 0;
}

/* Namespace, topology, program, ports and maps: everything before packets. */
static int replay_setup(struct replay *r)
{
	struct bpf_devmap_val port = {};
	unsigned int ifindexes[2];
	struct tg_sync_stats st = {};
	struct tg_maps maps;
	int err, ports_fd, i;

	err = tg_netns_enter_private();
	if (err)
		return err;
	err = tg_netns_default_topology(&r->ports);
	if (err)
		return err;
	if (r->topo_path) {
		err = tg_netns_apply_topo(r->topo_path);
		if (err)
			return err;
	}

	r->skel = subscriber_bpf__open();
	if (!r->skel) {
		err = -errno;
		tg_err("replay: cannot open the subscriber program: %s", strerror(-err));
		return err;
	}
	/* A private copy: never reuse or create the pinned maps. */
	tg_obj_unpin_maps(r->skel->obj);
	r->skel->rodata->tg_trace_enabled = 1;
	err = replay_size_maps(r);
	if (err)
		return err;
	err = subscriber_bpf__load(r->skel);
	if (err) {
		tg_err("replay: cannot load the subscriber program: %s (run with -v for the verifier log)",
		       strerror(-err));
		return err;
	}
	r->prog_fd = bpf_program__fd(r->skel->progs.tg_sub_xdp);
	r->trace_fd = bpf_map__fd(r->skel->maps.tg_trace);
	err = replay_load_other(r);
	if (err)
		return err;

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
	if (err)
		return err;

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
	const char *const *names = r->tc ? tc_verdict_names : verdict_names;
	size_t n = r->tc ? sizeof(tc_verdict_names) / sizeof(tc_verdict_names[0]) :
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
		printf("%llu %s %s %s %s\n", (unsigned long long)res->index, verdict,
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
		printf("%llu not_run - - -\n", (unsigned long long)index);
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
	__u32 ifindex = r->uplink ? r->ports.up_ifindex : r->ports.sub_ifindex;
	struct replay_result res = { .index = index };
	__u32 origlen;
	char err_msg[256];
	int len, err;

	len = tg_pcap_to_ether(pkt->linktype, pkt->data, pkt->caplen, r->frame,
			       r->frame_size, err_msg, sizeof(err_msg));
	if (len < 0) {
		tg_err("replay: %s: packet %llu: %s", r->in_path,
		       (unsigned long long)index, err_msg);
		return len;
	}
	if (len < ETH_MIN_LEN) {
		pr_info("replay: %s: packet %llu: %d bytes, padded to %d\n", r->in_path,
			(unsigned long long)index, len, ETH_MIN_LEN);
		memset(r->frame + len, 0, ETH_MIN_LEN - len);
		len = ETH_MIN_LEN;
	}
	opts.data_size_in = len;
	if (r->tc) {
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
	if (err && errno == EINVAL && r->tc && skb_refused(r->frame, len)) {
		pr_info("replay: %s: packet %llu (%d bytes): no socket buffer of it\n",
			r->in_path, (unsigned long long)index, len);
		return replay_not_run(r, pkt, index, len);
	}
	if (err) {
		err = -errno;
		tg_err("replay: %s: packet %llu (%d bytes): BPF_PROG_TEST_RUN failed: %s",
		       r->in_path, (unsigned long long)index, len, strerror(-err));
		return err;
	}
	if (opts.data_size_out > r->result_size) {
		tg_err("replay: %s: packet %llu: the program left %u bytes, more than %zu",
		       r->in_path, (unsigned long long)index, opts.data_size_out,
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
	if (rename(r->tmp_path, r->out_path)) {
		err = -errno;
		tg_err("replay: cannot rename %s to %s: %s", r->tmp_path, r->out_path,
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
		fwrite(r->json_buf, 1, r->json_len, stdout);
	}
	fflush(stdout);
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
	f = fopen(r->counters_path, "w");
	if (!f) {
		err = -errno;
		tg_err("replay: %s: %s", r->counters_path, strerror(-err));
		goto out;
	}
	for (i = 0; i < TG_R_MAX; i++)
		if (snap.global[i].packets)
			fprintf(f, "%s %llu %llu\n", tg_reason_name(i),
				(unsigned long long)snap.global[i].packets,
				(unsigned long long)snap.global[i].bytes);
	if (fclose(f)) {
		err = -errno;
		tg_err("replay: %s: %s", r->counters_path, strerror(-err));
	}
out:
	tg_snap_free(&snap);
	tg_maps_close(&m);
	return err;
}

int do_replay(int argc, char **argv)
{
	struct replay r = { .prog_fd = -1, .trace_fd = -1 };
	bool help = false;
	int err;

	err = replay_args(&r, argc, argv, &help);
	if (err || help)
		return help ? replay_help() : err;
	if (geteuid() != 0) {
		tg_err("replay: must run as root: it creates a network namespace and loads BPF");
		return -EPERM;
	}

	err = tg_pcap_open(&r.in, r.in_path);
	r.in_open = true;
	if (err) {
		tg_err("replay: %s", r.in.err);
		goto out;
	}
	err = tg_db_open(tg_db_path(), false, &r.db);
	if (err)
		goto out;
	err = replay_setup(&r);
	if (err)
		goto out;

	if (asprintf(&r.tmp_path, "%s.tmp", r.out_path) < 0) {
		r.tmp_path = NULL;
		err = -ENOMEM;
		tg_err("replay: out of memory");
		goto out;
	}
	err = tg_pcap_create(&r.out, r.tmp_path);
	r.out_open = true;
	if (err) {
		tg_err("replay: %s", r.out.err);
		goto out;
	}
	err = replay_run(&r);
	if (!err && r.counters_path)
		err = replay_counters(&r);
out:
	if (r.jw)
		jsonw_destroy(&r.jw);
	if (r.json_f)
		fclose(r.json_f);
	free(r.json_buf);
	if (r.out_open)
		tg_pcap_finish(&r.out);
	if (r.tmp_path) {
		unlink(r.tmp_path);
		free(r.tmp_path);
	}
	if (r.in_open)
		tg_pcap_close(&r.in);
	uplink_tc_bpf__destroy(r.up_tc_skel);
	subscriber_tc_bpf__destroy(r.sub_tc_skel);
	uplink_bpf__destroy(r.up_skel);
	subscriber_bpf__destroy(r.skel);
	if (r.db)
		tg_db_close(r.db);
	free(r.trace);
	free(r.seq);
	free(r.frame);
	free(r.result);
	return err;
}
