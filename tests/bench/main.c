// SPDX-License-Identifier: GPL-2.0-only
/*
 * tungate benchmark: cost of each decapsulation path of the subscriber
 * program and of each encapsulation path of the uplink program (enc-*), as
 * nanoseconds per packet and as a multiple of an xdp_fwd-style router
 * (bpf/router_floor.bpf.c) on the path's inner packet, with traffic
 * rotating over 1, 10,000, 100,000 and 1,000,000 active subscribers.
 *
 * One private copy of both programs per size, each copy with its own maps
 * holding that many subscribers, so the sizes are measured back to back
 * under the same conditions. The fillers' tunnel and encapsulation entries
 * are remade for each path's type and options (fill.c), so every one of
 * them can send or receive the path's traffic. Every iteration of
 * BPF_PROG_TEST_RUN goes through the harness program, which restores the
 * frame, writes the next subscriber's bytes over it (a patch slot filled
 * here from the subscriber's own frame, the subscribers of a size in a
 * fixed shuffled order) and tail-calls the program under test. For each
 * path, RUNS rounds of repeat iterations (env TG_BENCH_REPEAT, default
 * 1,000,000; a small value makes a quick functional check) of:
 *   pass   = tg_pass run directly
 *   for each size:
 *   hpass  = harness + tg_pass, rotating
 *   hsub   = harness + tg_sub_xdp or tg_up_xdp, rotating; every packet
 *            must be forwarded (counted TG_R_OK, nothing else)
 *   on the inner packet (Ethernet + inner IP, entering as a router sees it):
 *   hpassf = harness + tg_pass
 *   hrouter, hfib = harness + router floor, + bpf_fib_lookup alone
 *   and for each size, rotating over its subscribers' inner packets:
 *   hpassr = harness + tg_pass (at 1 subscriber: hpassf; toward the
 *            subscribers, where the floor frame is the path's: hpass)
 *   hlookup = harness + the router floor with one lookup of the packet's
 *            subscriber (tg_lookup_floor) in a hash map of that size's
 *            subscribers by inner address; every packet must find its
 *            subscriber (counted hits, no miss) and be redirected
 * ns/pkt = hsub - hpass + pass, the floors likewise with hpassf (lookup:
 * hpassr), and the ratios x_router = ns/pkt / router, x_fib = ns/pkt / fib,
 * x_lookup = ns/pkt / lookup taken within each round; medians over the
 * rounds.
 * Then the policed paths (ipip up, enc-ipip down) at 1,000,000
 * subscribers: unpoliced (tg_police entry with no rate), admitted (a rate
 * every packet conforms to, with the default burst and with the smallest)
 * and dropped (bucket in debt), each also with
 * the subscriber's packets on two CPUs at once; and the map memory per
 * subscriber (kernel memlock of each subscriber-sized map / subscribers).
 * TG_BENCH_POLICE_ONLY=1 runs only those. TG_BENCH_PATHS=ipip,enc-gre
 * (names, comma-separated) measures only those paths and prints their rows.
 * Exit status: 0 when every path ran as expected (targets missed or not),
 * 1 on any error (a path that did not forward, a failed load ...).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>

#include "bench.h"
#include "gcra.h"
#include "dataplane/subcount.h"
#include "util/netns.h"
#include "pass.skel.h"
#include "bench_harness.skel.h"
#include "router_floor.skel.h"
#include "subscriber.skel.h"
#include "uplink.skel.h"

#define REPEAT_DEFAULT 1000000U
#define RUNS 5
#define NSIZES 4
#define MAX_PATHS 32
#define TARGET_X_PASS 3.5
#define TARGET_SCALE 1.2
#define TARGET_X_ROUTER 1.2	/* every path at the largest size */
#define TARGET_X_ROUTER_GRE_CSUM 1.5	/* GRE paths with checksum */
#define TARGET_POLICED 1.15	/* policed path / same path unpoliced */
/*
 * Rounds of the policed paths: every round runs each police mode once,
 * back to back, so that a load change on the machine hits all modes alike;
 * the ratio to unpoliced is taken within each round, then the median.
 * Many short rounds (repeat / POL_SPLIT iterations each) rather than a few
 * long ones: the modes of a round lie closer together in time.
 */
#define POL_SPLIT 8
#define POL_RUNS (RUNS * POL_SPLIT)

/*
 * Policed paths: one per direction, each unpoliced, admitted (default
 * burst: coarse clock), admitted with a short burst (fine clock), dropped.
 */
#define NPOL_PATHS 2
enum { POL_NONE, POL_ADMIT, POL_ADMIT_FINE, POL_DROP, NPOL_MODES };
static const char *const pol_paths[NPOL_PATHS] = { "ipip", "enc-ipip" };
static const char *const pol_modes[NPOL_MODES] = { "unpoliced", "admit",
						   "admit-fine", "drop" };
/* Admitted: 100 Gbit/s, every packet conforms; a class's default burst. */
#define POL_RATE 100000000000ULL
#define POL_BURST (POL_RATE / 8 * 3 / 10)	/* 300 ms at the rate */

static __u32 repeat = REPEAT_DEFAULT;
static const char *only_paths;	/* TG_BENCH_PATHS, NULL: every path */
static const __u32 sizes[NSIZES] = { 1, 10000, 100000, 1000000 };
static const char *const size_names[NSIZES] = { "1", "10k", "100k", "1M" };
/*
 * Fewer iterations per run at the larger sizes, where a packet costs the
 * most (cold caches): repeat / size_div[s], still 10x the subscribers at
 * 10k and one run covering 1/8 of them at 1M (the next run goes on).
 */
static const __u32 size_div[NSIZES] = { 1, 4, 8, 8 };
/*
 * Patch slots: every size's subscribers once each, one region per size;
 * then as many for the floors' frames (FLOOR_SLOTS + the same slot).
 */
#define PATCH_SLOTS (1 + 10000 + 100000 + 1000000)
#define FLOOR_SLOTS PATCH_SLOTS

#define TG_REASON_NAME(e, v, n) [v] = n,
static const char *const reason_names[TG_R_MAX] = { TG_REASONS(TG_REASON_NAME) };
#undef TG_REASON_NAME

struct result {
	double pass, hpass, hsub;	/* medians, ns per iteration */
	double ns, x_pass;
	double x_router, x_fib, x_lookup;	/* medians of the rounds' ratios */
};

/* The floors on a path's inner packet, ns per packet (medians). */
struct floor {
	double router, fib;
	double lookup[NSIZES];	/* router + one subscriber lookup, by size */
};

/* A private copy of both programs and their maps. */
struct instance {
	struct subscriber_bpf *skel;
	struct uplink_bpf *up_skel;	/* on skel's maps */
	struct bench_maps maps;
	int prog_fd, up_prog_fd;
	/* The fillers' tunnel entries are for up[0], encapsulation for up[1]. */
	const struct bench_path *shape[2];
};

struct bench {
	struct pass_bpf *pass;
	struct bench_harness_bpf *harness;
	struct instance inst[NSIZES];
	int pass_fd, harness_fd, prog_array_fd, frame_fd, patch_fd;
	int router_fd, fib_fd;
	/* tg_lookup_floor of each size, its map holding that many subscribers. */
	struct router_floor_bpf *lk[NSIZES];
	int lk_fd[NSIZES];
	bool lk_inner6, lk_filled;	/* what the lookup maps hold */
	__u32 base[NSIZES];	/* first patch slot of each size */
	__u32 *order;		/* subscriber of each patch slot */
	int sub_ifindex, up_ifindex, ncpus;
	int ifindex;		/* ingress of the path being measured */
	struct result res[MAX_PATHS][NSIZES];
	struct floor floor[MAX_PATHS];
	struct result unknown[NSIZES];	/* path 0 without its tunnel entry */
	struct floor unknown_floor;
	struct result pol[NPOL_PATHS][NPOL_MODES];	/* at the largest size */
	double pol_x[NPOL_PATHS][NPOL_MODES];	/* median ratio to unpoliced */
	double pol2[NPOL_PATHS][NPOL_MODES];	/* h+path, 2 CPUs at once */
	struct router_floor_bpf *router_floor;
};

static double now_ns(void)
{
	struct timespec ts;

	/* CPU time of this thread: time spent preempted does not count. */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static double wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

static const char *verdict_name(__u32 v)
{
	static const char *const names[] = { "aborted", "drop", "pass", "tx",
					     "redirect" };

	return v < 5 ? names[v] : "invalid";
}

/* One test run of repeat iterations: verdict of the last, ns per iteration. */
static int run_prog(struct bench *b, int prog_fd, const __u8 *pkt, __u32 len,
		    __u32 repeat, __u32 *retval, __u8 *out, __u32 *out_len,
		    double *ns)
{
	struct xdp_md ctx = {
		.data_end = len,
		.ingress_ifindex = b->ifindex,
	};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt,
		    .data_size_in = len, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = repeat);
	double t0;

	if (out) {
		opts.data_out = out;
		opts.data_size_out = *out_len;
	}
	t0 = now_ns();
	if (bpf_prog_test_run_opts(prog_fd, &opts))
		return -errno;
	*ns = (now_ns() - t0) / repeat;
	*retval = opts.retval;
	if (out)
		*out_len = opts.data_size_out;
	return 0;
}

/* Packets by reason in tg_global_stats, summed over CPUs. */
static int read_global(struct bench *b, struct instance *in, __u64 *pkts)
{
	struct tg_counter *vals = calloc(b->ncpus, sizeof(*vals));
	__u32 r;
	int c, err = 0;

	if (!vals)
		return -ENOMEM;
	for (r = 0; r < TG_R_MAX; r++) {
		if (bpf_map_lookup_elem(in->maps.global_stats, &r, vals)) {
			err = -errno;
			break;
		}
		pkts[r] = 0;
		for (c = 0; c < b->ncpus; c++)
			pkts[r] += vals[c].packets;
	}
	free(vals);
	return err;
}

/* Name of the reason that grew most between two snapshots. */
static const char *grown_reason(const __u64 *before, const __u64 *after)
{
	__u64 best = 0;
	int r, which = -1;

	for (r = 0; r < TG_R_MAX; r++)
		if (after[r] - before[r] > best) {
			best = after[r] - before[r];
			which = r;
		}
	if (which < 0)
		return "none counted";
	return reason_names[which] ? reason_names[which] : "unnamed";
}

static int set_slot(struct bench *b, int prog_fd)
{
	__u32 zero = 0;

	if (bpf_map_update_elem(b->prog_array_fd, &zero, &prog_fd, BPF_ANY))
		return -errno;
	return 0;
}

/* Recompute the header checksum of the IPv4 header at h. */
static void ipv4_csum(__u8 *h)
{
	__u32 sum = 0;
	int i, len = (h[0] & 0xf) * 4;

	h[10] = h[11] = 0;
	for (i = 0; i < len; i += 2)
		sum += h[i] << 8 | h[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	h[10] = sum >> 8;
	h[11] = sum & 0xff;
}

/*
 * An encapsulated frame: toward sub0p from sub0, IPv4 to subscriber s's
 * endpoint, ending with the inner packet, TTL - 1. (The unit tests check
 * every header byte; this checks the path is the one meant.)
 */
static int check_encap(const struct bench_path *p, const struct bench_sub *s,
		       const __u8 *pkt, __u32 len, const __u8 *out,
		       __u32 out_len)
{
	static const __u8 macs[2 * ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x02,
						 0x02, 0, 0, 0, 0, 0x01 };
	__u8 want[TG_BENCH_FRAME_MAX];
	__u32 inner = len - ETH_HLEN;

	memcpy(want, pkt + ETH_HLEN, inner);
	if (p->inner6) {
		want[7]--;
	} else {
		want[8]--;
		ipv4_csum(want);
	}
	if (out_len < ETH_HLEN + 20 + inner || memcmp(out, macs, sizeof(macs)) ||
	    out[12] != 0x08 || out[13] != 0 ||
	    memcmp(out + ETH_HLEN + 16, &s->remote, 4) ||
	    memcmp(out + out_len - inner, want, inner)) {
		fprintf(stderr, "bench: %s: sub_id %u: output is not the encapsulated packet (length %u)\n",
			p->name, s->sub_id, out_len);
		return -EPROTO;
	}
	return 0;
}

/*
 * One direct run of the program under test on subscriber sub's frame: it
 * must end with verdict and reason; a redirect must leave exactly the
 * inner packet, TTL - 1, behind the gateway's and up0's MAC addresses.
 */
static int check_sub(struct bench *b, struct instance *in,
		     const struct bench_path *p, const struct bench_sub *sub,
		     const __u8 *pkt, __u32 len, __u32 verdict, __u32 reason)
{
	static const __u8 gw[ETH_ALEN] = { 0x02, 0, 0, 0, 0x01, 0x02 };
	static const __u8 up[ETH_ALEN] = { 0x02, 0, 0, 0, 0x01, 0x01 };
	__u8 out[TG_BENCH_FRAME_MAX + 64], want[TG_BENCH_FRAME_MAX];
	__u32 out_len = sizeof(out), retval;
	__u64 before[TG_R_MAX], after[TG_R_MAX];
	size_t inner = bench_inner_offset(p), wlen, i;
	double ns;
	int err;

	err = read_global(b, in, before);
	if (!err)
		err = run_prog(b, p->down ? in->up_prog_fd : in->prog_fd, pkt,
			       len, 1, &retval, out, &out_len, &ns);
	if (!err)
		err = read_global(b, in, after);
	if (err) {
		fprintf(stderr, "bench: %s: test run failed: %s\n", p->name,
			strerror(-err));
		return err;
	}
	if (retval != verdict || after[reason] != before[reason] + 1) {
		fprintf(stderr,
			"bench: %s: sub_id %u: expected %s/%s, got %s/%s: path not measured\n",
			p->name, sub->sub_id, verdict_name(verdict),
			reason_names[reason],
			verdict_name(retval), grown_reason(before, after));
		return -EPROTO;
	}
	if (verdict != XDP_REDIRECT)
		return 0;
	if (p->down)
		return check_encap(p, sub, pkt, len, out, out_len);
	/* Expected: gateway and up0 MACs, the inner packet with TTL - 1. */
	wlen = len - inner + ETH_HLEN;
	memcpy(want, gw, ETH_ALEN);
	memcpy(want + ETH_ALEN, up, ETH_ALEN);
	want[12] = p->inner6 ? 0x86 : 0x08;
	want[13] = p->inner6 ? 0xdd : 0x00;
	memcpy(want + ETH_HLEN, pkt + inner, len - inner);
	if (p->inner6) {
		want[ETH_HLEN + 7]--;
	} else {
		want[ETH_HLEN + 8]--;
		ipv4_csum(want + ETH_HLEN);
	}
	if (out_len != wlen || memcmp(out, want, wlen)) {
		for (i = 0; i < wlen && i < out_len && out[i] == want[i]; i++)
			;
		fprintf(stderr,
			"bench: %s: sub_id %u: output is not the decapsulated packet (length %u, want %zu; first difference at byte %zu)\n",
			p->name, sub->sub_id, out_len, wlen, i);
		return -EPROTO;
	}
	return 0;
}

/* check_sub() for the measured subscriber's frame pkt. */
static int check_path(struct bench *b, struct instance *in,
		      const struct bench_path *p, const __u8 *pkt, __u32 len,
		      __u32 verdict, __u32 reason)
{
	struct bench_sub sub;

	bench_sub_of(p, 0, &sub);
	return check_sub(b, in, p, &sub, pkt, len, verdict, reason);
}

/* repeat iterations of harness + instance; every one must end as expected. */
static int run_harnessed(struct bench *b, struct instance *in,
			 const struct bench_path *p, const __u8 *pkt,
			 __u32 len, __u32 verdict, __u32 reason, double *ns)
{
	__u64 before[TG_R_MAX], after[TG_R_MAX];
	__u32 retval;
	int err;

	err = set_slot(b, p->down ? in->up_prog_fd : in->prog_fd);
	if (!err)
		err = read_global(b, in, before);
	if (!err)
		err = run_prog(b, b->harness_fd, pkt, len, repeat, &retval,
			       NULL, NULL, ns);
	if (!err)
		err = read_global(b, in, after);
	if (err) {
		fprintf(stderr, "bench: %s: test run failed: %s\n", p->name,
			strerror(-err));
		return err;
	}
	if (retval != verdict || after[reason] - before[reason] != repeat) {
		fprintf(stderr,
			"bench: %s: harness run ended %s, %llu of %u counted %s (most: %s)\n",
			p->name, verdict_name(retval),
			(unsigned long long)(after[reason] - before[reason]),
			repeat, reason_names[reason],
			grown_reason(before, after));
		return -EPROTO;
	}
	return 0;
}

/*
 * The frame of the floors for path p's frame f: Ethernet and the inner IP
 * packet, as it enters a router without tunnels (on sub0 from the
 * subscriber; a down path's frame is already that, entering on up0).
 */
static void floor_frame(const struct bench_path *p,
			const struct tg_bench_frame *f,
			struct tg_bench_frame *ff)
{
	size_t inner = bench_inner_offset(p);

	memset(ff, 0, sizeof(*ff));
	if (p->down) {
		memcpy(ff->data, f->data, f->len);
		ff->len = f->len;
		return;
	}
	memcpy(ff->data, f->data, ETH_HLEN);
	ff->data[12] = p->inner6 ? 0x86 : 0x08;
	ff->data[13] = p->inner6 ? 0xdd : 0x00;
	memcpy(ff->data + ETH_HLEN, f->data + inner, f->len - inner);
	ff->len = ETH_HLEN + f->len - inner;
}

/*
 * The bytes that change from one subscriber's frame to the next: from the
 * first IP header's checksum (IPv4) or source (IPv6) to the end of the
 * inner UDP header (inner checksum included).
 */
static int patch_window(const struct bench_path *p,
			const struct tg_bench_frame *f, __u16 *off,
			__u16 *len)
{
	size_t lo, hi;

	lo = ETH_HLEN + (f->data[12] == 0x08 && f->data[13] == 0 ? 10 : 8);
	hi = bench_inner_offset(p) + (p->inner6 ? 40 : 20) + 8;
	if (hi <= lo || hi - lo > TG_BENCH_PATCH_MAX || hi > f->len) {
		fprintf(stderr, "bench: %s: subscriber bytes %zu..%zu: no room in a patch\n",
			p->name, lo, hi);
		return -E2BIG;
	}
	*off = lo;
	*len = hi - lo;
	return 0;
}

/*
 * The bytes of a floor frame (floor_frame) that change from one
 * subscriber to the next: from the inner IP header's checksum (IPv4) or
 * source (IPv6) to the end of its UDP header, all within the path's own
 * frame's (patch_window).
 */
static void floor_window(const struct bench_path *p, __u16 *off, __u16 *len)
{
	__u16 from = p->inner6 ? 8 : 10;

	*off = ETH_HLEN + from;
	*len = (p->inner6 ? 40 : 20) + 8 - from;
}

#define PATCH_CHUNK 65536

/*
 * Every patch slot for path p: subscriber b->order[slot]'s bytes of the
 * frame f->data[patch_off..+patch_len), each frame checked to differ from
 * the measured subscriber's nowhere else; and with ff, slot FLOOR_SLOTS +
 * slot: the same subscriber's bytes of the floor frame ff.
 */
static int fill_patches(struct bench *b, const struct bench_path *p,
			const struct tg_bench_frame *f,
			const struct tg_bench_frame *ff)
{
	struct tg_bench_patch *vals = calloc(PATCH_CHUNK, sizeof(*vals));
	struct tg_bench_patch *fvals = calloc(PATCH_CHUNK, sizeof(*fvals));
	__u32 *keys = calloc(PATCH_CHUNK, sizeof(*keys));
	__u32 lo = f->patch_off, hi = lo + f->patch_len;
	size_t from = ff ? bench_inner_offset(p) + ff->patch_off - ETH_HLEN : 0;
	__u8 buf[TG_BENCH_FRAME_MAX];
	__u32 slot, n, k, count;
	struct bench_sub sub;
	size_t len;
	int err = -ENOMEM;

	if (!vals || !fvals || !keys)
		goto out;
	err = 0;
	for (slot = 0; slot < PATCH_SLOTS && !err; slot += n) {
		n = PATCH_SLOTS - slot < PATCH_CHUNK ? PATCH_SLOTS - slot :
						       PATCH_CHUNK;
		for (k = 0; k < n; k++) {
			bench_sub_of(p, b->order[slot + k], &sub);
			len = p->build(p, &sub, buf);
			if (len != f->len || memcmp(buf, f->data, lo) ||
			    memcmp(buf + hi, f->data + hi, len - hi)) {
				fprintf(stderr, "bench: %s: sub_id %u's frame differs outside bytes %u..%u\n",
					p->name, sub.sub_id, lo, hi);
				err = -EPROTO;
				break;
			}
			keys[k] = slot + k;
			memcpy(vals[k].data, buf + lo, hi - lo);
			if (ff)
				memcpy(fvals[k].data, buf + from,
				       ff->patch_len);
		}
		count = n;
		if (!err && bpf_map_update_batch(b->patch_fd, keys, vals, &count,
						 NULL))
			err = -errno;
		if (!ff)
			continue;
		for (k = 0; k < n; k++)
			keys[k] += FLOOR_SLOTS;
		count = n;
		if (!err && bpf_map_update_batch(b->patch_fd, keys, fvals,
						 &count, NULL))
			err = -errno;
	}
out:
	free(vals);
	free(fvals);
	free(keys);
	return err;
}

/*
 * Write f as the harness's frame, rotating over size s's subscribers
 * (floor: with the floor frame's patches).
 */
static int set_frame(struct bench *b, struct tg_bench_frame *f, int s,
		     bool rotate, bool floor)
{
	__u32 zero = 0;

	f->subs = rotate ? sizes[s] : 0;
	f->base = b->base[s] + (floor ? FLOOR_SLOTS : 0);
	if (bpf_map_update_elem(b->frame_fd, &zero, f, BPF_ANY))
		return -errno;
	return 0;
}

/* Harness + prog_fd on the harness's frame; the last verdict must be want. */
static int run_floor(struct bench *b, const struct bench_path *p, int prog_fd,
		     const struct tg_bench_frame *f, __u32 want, double *ns)
{
	__u32 retval;
	int err;

	err = set_slot(b, prog_fd);
	if (!err)
		err = run_prog(b, b->harness_fd, f->data, f->len, repeat,
			       &retval, NULL, NULL, ns);
	if (!err && retval != want) {
		fprintf(stderr, "bench: %s: floor program returned %s, not %s\n",
			p->name, verdict_name(retval), verdict_name(want));
		err = -EPROTO;
	}
	return err;
}

/* Keys of subscribers [from, from + n) of path p in the lookup floor. */
static void lookup_keys(const struct bench_path *p, bool inner6, __u32 from,
			__u32 n, struct tg_floor_key *keys)
{
	struct bench_sub sub;
	__u32 k;

	for (k = 0; k < n; k++) {
		bench_sub_of(p, from + k, &sub);
		if (inner6)
			memcpy(keys[k].addr, sub.inner6, sizeof(keys[k].addr));
		else
			tg_floor_key4(&keys[k], sub.inner4);
	}
}

/*
 * Harness + size s's lookup floor on the harness's frame ff: every packet
 * must find its subscriber and be redirected, and, rotating, the last
 * packet's subscriber (the harness's next to last slot) be counted in its
 * own record.
 */
static int run_lookup(struct bench *b, const struct bench_path *p, int s,
		      const struct tg_bench_frame *ff, double *ns)
{
	struct router_floor_bpf__bss *bss = b->lk[s]->bss;
	int fd = bpf_map__fd(b->lk[s]->maps.tg_floor_subs);
	struct tg_floor_sub before = { 0 }, after = { 0 };
	struct tg_floor_key key;
	__u32 last = 0;
	int err;

	if (ff->subs > 1) {
		last = b->harness->bss->tg_bench_iter + repeat - 1;
		last = b->order[b->base[s] + last % ff->subs];
	}
	lookup_keys(p, p->inner6, last, 1, &key);
	bss->tg_floor_hits = 0;
	bss->tg_floor_misses = 0;
	if (bpf_map_lookup_elem(fd, &key, &before))
		return -errno;
	err = run_floor(b, p, b->lk_fd[s], ff, XDP_REDIRECT, ns);
	if (!err && (bss->tg_floor_misses || bss->tg_floor_hits != repeat)) {
		fprintf(stderr, "bench: %s: lookup floor at %s subscribers: "
			"%llu of %u packets found their subscriber, %llu did not\n",
			p->name, size_names[s],
			(unsigned long long)bss->tg_floor_hits, repeat,
			(unsigned long long)bss->tg_floor_misses);
		err = -EPROTO;
	}
	if (!err && bpf_map_lookup_elem(fd, &key, &after))
		err = -errno;
	if (!err && after.packets == before.packets) {
		fprintf(stderr, "bench: %s: lookup floor at %s subscribers: "
			"subscriber %u's packet not counted in its record\n",
			p->name, size_names[s], last);
		err = -EPROTO;
	}
	return err;
}

/*
 * The lookup floors' maps for path p: size s's subscribers (0 .. size - 1)
 * by inner address of p's family, made again when the family changes;
 * looked up by the packet's destination on a path toward the subscribers.
 */
static int fill_lookup(struct bench *b, const struct bench_path *p)
{
	struct tg_floor_sub *vals = calloc(PATCH_CHUNK, sizeof(*vals));
	struct tg_floor_key *keys = calloc(PATCH_CHUNK, sizeof(*keys));
	__u32 j, n, count;
	int s, fd, err = 0;

	if (!vals || !keys)
		err = -ENOMEM;
	for (s = 0; s < NSIZES && !err; s++) {
		b->lk[s]->bss->tg_floor_key_dst = p->down;
		if (b->lk_filled && b->lk_inner6 == p->inner6)
			continue;
		fd = bpf_map__fd(b->lk[s]->maps.tg_floor_subs);
		for (j = 0; j < sizes[s] && !err; j += n) {
			n = sizes[s] - j < PATCH_CHUNK ? sizes[s] - j :
							 PATCH_CHUNK;
			/* The other family's first: the map holds size's. */
			if (b->lk_filled) {
				lookup_keys(p, b->lk_inner6, j, n, keys);
				count = n;
				if (bpf_map_delete_batch(fd, keys, &count,
							 NULL))
					err = -errno;
			}
			lookup_keys(p, p->inner6, j, n, keys);
			count = n;
			if (!err && bpf_map_update_batch(fd, keys, vals,
							 &count, NULL))
				err = -errno;
		}
	}
	if (err) {
		fprintf(stderr, "bench: %s: lookup floor's subscribers: %s\n",
			p->name, strerror(-err));
		b->lk_filled = false;
	} else if (!b->lk_filled || b->lk_inner6 != p->inner6) {
		b->lk_filled = true;
		b->lk_inner6 = p->inner6;
	}
	free(vals);
	free(keys);
	return err;
}

/*
 * Every size of one path, with the floors on its inner packet, in rounds:
 * each round runs XDP_PASS, then per size harness + pass and harness +
 * path, harness + pass and lookup floor on the floor frame rotating over
 * the size's subscribers, then harness + pass, router and fib-alone on
 * the floor frame. rotate: traffic from (or to) every subscriber of each
 * size in turn.
 */
static int measure(struct bench *b, const struct bench_path *p,
		   __u32 verdict, __u32 reason, bool rotate,
		   struct result *res, struct floor *fl)
{
	double pass[RUNS], hpass[NSIZES][RUNS], hsub[NSIZES][RUNS];
	double xr[NSIZES][RUNS], xf[NSIZES][RUNS], ns[NSIZES][RUNS];
	double hpf[RUNS], hr[RUNS], hf[RUNS], router[RUNS], fib[RUNS];
	double hpr[NSIZES][RUNS], hl[NSIZES][RUNS], lk[NSIZES][RUNS];
	double xl[NSIZES][RUNS];
	struct tg_bench_frame frame = { 0 }, ff;
	struct bench_sub sub;
	__u8 buf[TG_BENCH_FRAME_MAX];
	__u32 retval, saved = repeat;
	size_t len;
	int i, s, err;

	bench_sub_of(p, 0, &sub);
	frame.len = p->build(p, &sub, frame.data);
	floor_frame(p, &frame, &ff);
	b->ifindex = p->down ? b->up_ifindex : b->sub_ifindex;
	err = patch_window(p, &frame, &frame.patch_off, &frame.patch_len);
	/*
	 * Toward the subscribers the floors' frame is the path's own, its
	 * patches too: harness + pass on it is hpass, not measured again.
	 */
	if (p->down) {
		ff.patch_off = frame.patch_off;
		ff.patch_len = frame.patch_len;
	} else {
		floor_window(p, &ff.patch_off, &ff.patch_len);
	}
	if (!err && rotate)
		err = fill_patches(b, p, &frame, p->down ? NULL : &ff);
	if (!err)
		err = fill_lookup(b, p);
	for (s = 0; s < NSIZES && !err; s++) {
		err = check_path(b, &b->inst[s], p, frame.data, frame.len,
				 verdict, reason);
		/* And the size's last subscriber, a filler. */
		if (!err && rotate && sizes[s] > 1) {
			bench_sub_of(p, sizes[s] - 1, &sub);
			len = p->build(p, &sub, buf);
			err = check_sub(b, &b->inst[s], p, &sub, buf, len,
					verdict, reason);
		}
	}
	if (err)
		return err;

	for (i = 0; i < RUNS; i++) {
		err = run_prog(b, b->pass_fd, frame.data, frame.len, repeat,
			       &retval, NULL, NULL, &pass[i]);
		for (s = 0; s < NSIZES && !err; s++) {
			repeat = saved / size_div[s] ? saved / size_div[s] : 1;
			err = set_frame(b, &frame, s, rotate, false);
			if (!err)
				err = run_floor(b, p, b->pass_fd, &frame,
						XDP_PASS, &hpass[s][i]);
			if (!err)
				err = run_harnessed(b, &b->inst[s], p,
						    frame.data, frame.len,
						    verdict, reason,
						    &hsub[s][i]);
			if (!err)
				err = set_frame(b, &ff, s, rotate, !p->down);
			/* At 1 subscriber, hpf below: nothing rotates. */
			if (!err && s && !p->down)
				err = run_floor(b, p, b->pass_fd, &ff,
						XDP_PASS, &hpr[s][i]);
			if (!err)
				err = run_lookup(b, p, s, &ff, &hl[s][i]);
		}
		repeat = saved;
		if (!err)
			err = set_frame(b, &ff, 0, false, false);
		if (!err)
			err = run_floor(b, p, b->pass_fd, &ff, XDP_PASS, &hpf[i]);
		if (!err)
			err = run_floor(b, p, b->router_fd, &ff, XDP_REDIRECT,
					&hr[i]);
		if (!err)
			err = run_floor(b, p, b->fib_fd, &ff, XDP_PASS, &hf[i]);
		if (err) {
			fprintf(stderr, "bench: %s: test run failed: %s\n",
				p->name, strerror(-err));
			return err;
		}
		router[i] = hr[i] - hpf[i] + pass[i];
		fib[i] = hf[i] - hpf[i] + pass[i];
		for (s = 0; s < NSIZES; s++) {
			ns[s][i] = hsub[s][i] - hpass[s][i] + pass[i];
			xr[s][i] = ns[s][i] / router[i];
			xf[s][i] = ns[s][i] / fib[i];
			lk[s][i] = hl[s][i] - (p->down ? hpass[s][i] :
					       s ? hpr[s][i] : hpf[i]) +
				   pass[i];
			xl[s][i] = ns[s][i] / lk[s][i];
		}
	}
	for (s = 0; s < NSIZES; s++) {
		res[s].pass = median(pass, RUNS);
		res[s].hpass = median(hpass[s], RUNS);
		res[s].hsub = median(hsub[s], RUNS);
		res[s].ns = median(ns[s], RUNS);
		res[s].x_pass = res[s].ns / res[s].pass;
		res[s].x_router = median(xr[s], RUNS);
		res[s].x_fib = median(xf[s], RUNS);
		res[s].x_lookup = median(xl[s], RUNS);
		fl->lookup[s] = median(lk[s], RUNS);
	}
	fl->router = median(router, RUNS);
	fl->fib = median(fib, RUNS);
	return 0;
}

/* The uplink program of an instance, on the subscriber program's maps. */
static int load_uplink(struct instance *in)
{
	struct bpf_map *map, *own;
	int err;

	in->up_skel = uplink_bpf__open();
	if (!in->up_skel) {
		err = -errno;
		fprintf(stderr, "bench: couldn't open the uplink program: %s\n",
			strerror(-err));
		return err;
	}
	err = tg_obj_sub_stats_setup(in->up_skel->obj);
	if (err)
		return err;
	bpf_object__for_each_map(map, in->up_skel->obj) {
		if (bpf_map__is_internal(map))
			continue;
		bpf_map__set_pin_path(map, NULL);
		own = bpf_object__find_map_by_name(in->skel->obj,
						   bpf_map__name(map));
		err = own ? bpf_map__reuse_fd(map, bpf_map__fd(own)) : -ENOENT;
		if (err)
			return err;
	}
	err = uplink_bpf__load(in->up_skel);
	if (err) {
		fprintf(stderr, "bench: couldn't load the uplink program: %s\n",
			strerror(-err));
		return err;
	}
	in->up_prog_fd = bpf_program__fd(in->up_skel->progs.tg_up_xdp);
	return 0;
}

static int load_instance(struct bench *b, struct instance *in, __u32 subs)
{
	/* Room for the fillers, the measured subscriber and sub_id 0. */
	__u32 cap = subs + 64;
	struct bpf_map *map;
	int err;

	in->skel = subscriber_bpf__open();
	if (!in->skel) {
		err = -errno;
		fprintf(stderr, "bench: couldn't open the subscriber program: %s\n",
			strerror(-err));
		return err;
	}
	/* A private copy: never touch the pinned maps of a running tungate. */
	bpf_object__for_each_map(map, in->skel->obj)
		bpf_map__set_pin_path(map, NULL);
	if (cap > TG_MAX_SUBS_DEFAULT) {
		err = bpf_map__set_max_entries(in->skel->maps.tg_tunnels, cap);
		if (!err)
			err = bpf_map__set_max_entries(in->skel->maps.tg_encap, cap);
		if (!err)
			err = bpf_map__set_max_entries(in->skel->maps.tg_peer, cap);
		if (!err)
			err = bpf_map__set_max_entries(in->skel->maps.tg_police,
						       cap);
		if (!err)
			err = bpf_map__set_max_entries(in->skel->maps.tg_gen, cap);
		if (!err)
			err = bpf_map__set_max_entries(in->skel->maps.tg_encap1,
						       cap);
		if (!err)
			err = bpf_map__set_max_entries(in->skel->maps.tg_police1,
						       cap);
		if (!err)
			err = bpf_map__set_max_entries(in->skel->maps.tg_bucket,
						       cap);
		if (!err)
			err = bpf_map__set_max_entries(in->skel->maps.tg_seen,
						       cap);
		if (!err)
			err = bpf_map__set_max_entries(in->skel->maps.tg_prefix4,
						       cap);
		if (!err)
			err = bpf_map__set_max_entries(in->skel->maps.tg_prefix6,
						       cap);
		if (!err)
			err = bpf_map__set_max_entries(in->skel->maps.tg_pfx4,
						       cap);
		if (!err)
			err = bpf_map__set_max_entries(in->skel->maps.tg_pfx6,
						       cap);
		if (err)
			return err;
	}
	err = tg_obj_sub_stats_setup(in->skel->obj);
	if (err)
		return err;
	err = subscriber_bpf__load(in->skel);
	if (err) {
		fprintf(stderr, "bench: couldn't load the subscriber program: %s\n",
			strerror(-err));
		return err;
	}
	in->prog_fd = bpf_program__fd(in->skel->progs.tg_sub_xdp);
	err = load_uplink(in);
	if (err)
		return err;
	in->maps = (struct bench_maps){
		.tunnels = bpf_map__fd(in->skel->maps.tg_tunnels),
		.prefix4 = bpf_map__fd(in->skel->maps.tg_prefix4),
		.prefix6 = bpf_map__fd(in->skel->maps.tg_prefix6),
		.sub_stats = bpf_map__fd(in->skel->maps.tg_sub_stats),
		.global_stats = bpf_map__fd(in->skel->maps.tg_global_stats),
		.config = bpf_map__fd(in->skel->maps.tg_config),
		.ports = bpf_map__fd(in->skel->maps.tg_ports),
		.encap = bpf_map__fd(in->skel->maps.tg_encap),
		.peer = bpf_map__fd(in->skel->maps.tg_peer),
		.police = bpf_map__fd(in->skel->maps.tg_police),
		.bucket = bpf_map__fd(in->skel->maps.tg_bucket),
		.pfx4 = bpf_map__fd(in->skel->maps.tg_pfx4),
		.pfx6 = bpf_map__fd(in->skel->maps.tg_pfx6),
		.pfx_lens = bpf_map__fd(in->skel->maps.tg_pfx_lens),
	};

	err = bench_fill_config(&in->maps, b->sub_ifindex, b->up_ifindex);
	if (!err)
		err = bench_fill_measured(&in->maps);
	/* The measured subscriber is one of subs. */
	in->shape[0] = in->shape[1] = &bench_paths[0];
	if (!err)
		err = bench_fill_subs(&in->maps, &bench_paths[0], 0, subs - 1);
	if (err)
		fprintf(stderr, "bench: filling %u subscribers: %s\n", subs,
			strerror(-err));
	return err;
}

/*
 * The subscriber of every patch slot: size s's region holds its
 * subscribers 0..sizes[s]-1 once each, in a fixed pseudo-random order (so
 * consecutive packets come from subscribers far apart in every map).
 */
static int make_order(struct bench *b)
{
	__u32 s, k, j, t, base = 0, x = 2463534242U;

	b->order = calloc(PATCH_SLOTS, sizeof(*b->order));
	if (!b->order)
		return -ENOMEM;
	for (s = 0; s < NSIZES; s++) {
		__u32 *o = b->order + base;

		b->base[s] = base;
		for (k = 0; k < sizes[s]; k++)
			o[k] = k;
		for (k = sizes[s] - 1; k > 0; k--) {
			/* xorshift32: the same order on every run. */
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			j = x % (k + 1);
			t = o[k];
			o[k] = o[j];
			o[j] = t;
		}
		base += sizes[s];
	}
	return 0;
}

/* A router floor's devmap: sub0 and up0, as tg_ports holds them. */
static int fill_floor_ports(struct bench *b, struct router_floor_bpf *skel)
{
	int fd = bpf_map__fd(skel->maps.tg_floor_ports);
	int ifs[2] = { b->sub_ifindex, b->up_ifindex }, i;
	struct bpf_devmap_val val;
	__u32 key;

	for (i = 0; i < 2; i++) {
		memset(&val, 0, sizeof(val));
		key = ifs[i];
		val.ifindex = ifs[i];
		if (bpf_map_update_elem(fd, &key, &val, BPF_ANY))
			return -errno;
	}
	return 0;
}

static int load(struct bench *b)
{
	double t0;
	int s, err;

	b->pass = pass_bpf__open_and_load();
	b->harness = bench_harness_bpf__open();
	if (b->harness &&
	    (bpf_map__set_max_entries(b->harness->maps.tg_bench_patch,
				      FLOOR_SLOTS + PATCH_SLOTS) ||
	     bench_harness_bpf__load(b->harness))) {
		bench_harness_bpf__destroy(b->harness);
		b->harness = NULL;
	}
	b->router_floor = router_floor_bpf__open_and_load();
	if (!b->pass || !b->harness || !b->router_floor) {
		fprintf(stderr, "bench: couldn't load the pass, harness and floor programs\n");
		return -ENOENT;
	}
	b->pass_fd = bpf_program__fd(b->pass->progs.tg_pass);
	b->harness_fd = bpf_program__fd(b->harness->progs.tg_bench_harness);
	b->prog_array_fd = bpf_map__fd(b->harness->maps.tg_bench_prog);
	b->frame_fd = bpf_map__fd(b->harness->maps.tg_bench_frame);
	b->patch_fd = bpf_map__fd(b->harness->maps.tg_bench_patch);
	b->router_fd = bpf_program__fd(b->router_floor->progs.tg_router_floor);
	b->fib_fd = bpf_program__fd(b->router_floor->progs.tg_fib_floor);
	err = fill_floor_ports(b, b->router_floor);
	for (s = 0; s < NSIZES && !err; s++) {
		b->lk[s] = router_floor_bpf__open();
		if (!b->lk[s] ||
		    bpf_map__set_max_entries(b->lk[s]->maps.tg_floor_subs,
					     sizes[s]) ||
		    router_floor_bpf__load(b->lk[s])) {
			fprintf(stderr, "bench: couldn't load the lookup floor of %s subscribers\n",
				size_names[s]);
			return -ENOENT;
		}
		b->lk_fd[s] = bpf_program__fd(b->lk[s]->progs.tg_lookup_floor);
		err = fill_floor_ports(b, b->lk[s]);
	}
	if (!err)
		err = make_order(b);
	if (err)
		return err;

	for (s = 0; s < NSIZES; s++) {
		t0 = wall_s();
		err = load_instance(b, &b->inst[s], sizes[s]);
		if (err)
			return err;
		printf("  %-4s subscribers: loaded and filled in %.1f s\n",
		       size_names[s], wall_s() - t0);
	}
	return 0;
}

static const char *mark(bool ok)
{
	return ok ? "PASS" : "MISS";
}

/*
 * Dial-in paths against their static twins (the path named without
 * "-dialin"): the entries the loader makes from a member's session cost
 * what a static l2tpv2 subscriber's do.
 */
static void report_dialin(const struct bench *b)
{
	char twin[32];
	size_t p, q, n;
	int s;

	printf("\n%-19s %-19s %5s %8s\n", "dial-in path", "static twin", "subs",
	       "ratio");
	for (p = 0; p < bench_npaths; p++) {
		if (!bench_paths[p].dialin)
			continue;
		n = strlen(bench_paths[p].name) - strlen("-dialin");
		snprintf(twin, sizeof(twin), "%.*s", (int)n, bench_paths[p].name);
		for (q = 0; q < bench_npaths; q++)
			if (!strcmp(bench_paths[q].name, twin))
				break;
		if (q == bench_npaths)
			continue;
		for (s = 0; s < NSIZES; s++)
			printf("%-19s %-19s %5s %8.2f\n", bench_paths[p].name,
			       twin, size_names[s],
			       b->res[p][s].ns / b->res[q][s].ns);
	}
}

/* The target for path p: its cost at the largest size / the router's. */
static double router_target(const struct bench_path *p)
{
	bool gre_csum = (p->type == TG_TUN_GRE || p->type == TG_TUN_GRETAP) &&
			strstr(p->name, "csum");

	return gre_csum ? TARGET_X_ROUTER_GRE_CSUM : TARGET_X_ROUTER;
}

static void report_header(void)
{
	printf("\n%-19s %5s %8s %8s %7s %6s   %7s %7s %8s %8s %7s %8s\n",
	       "path", "subs", "ns/pkt", "x_router", "x_pass", "x_fib",
	       "router", "fib", "h+pass", "h+path", "lookup", "x_lookup");
}

static void report_row(const char *name, int s, const struct result *r,
		       const struct floor *fl)
{
	printf("%-19s %5s %8.1f %8.2f %7.2f %6.2f   %7.1f %7.1f %8.1f %8.1f %7.1f %8.2f\n",
	       name, size_names[s], r->ns, r->x_router, r->x_pass, r->x_fib,
	       fl->router, fl->fib, r->hpass, r->hsub, fl->lookup[s],
	       r->x_lookup);
}

static void report_legend(const struct bench *b)
{
	size_t p;

	/* xdp_pass of the first path measured. */
	for (p = 0; p + 1 < bench_npaths && p + 1 < MAX_PATHS; p++)
		if (b->res[p][0].pass > 0)
			break;
	printf("\nsubs = active subscribers: each packet comes from (to) the "
	       "next of that many\nsubscribers, all in the maps, in a fixed "
	       "shuffled order.\nns/pkt = h+path - h+pass + xdp_pass (xdp_pass "
	       "%.1f ns); router, fib = the same for\nthe router floor (parse, "
	       "fib lookup, TTL, MACs, devmap redirect) and for\nbpf_fib_lookup "
	       "alone, on the path's inner packet; lookup = the router floor\n"
	       "with one lookup of the packet's subscriber by inner address "
	       "(hash map of\nthe subs subscribers, a 64-byte record "
	       "updated), on the same inner packets,\nrotating over the same "
	       "subscribers: the least a concentrator can do. x_router,\n"
	       "x_fib, x_lookup = medians of the rounds' ratios; x_pass = "
	       "ns/pkt / xdp_pass.\n(%d rounds of %u iterations, / %u at 10k, "
	       "/ %u at 100k and 1M; each round runs every\nsize, pass and "
	       "floors back to back; h+ = through the frame-restoring "
	       "harness)\n",
	       b->res[p][0].pass, RUNS, repeat, size_div[1], size_div[2]);
}

static void report(struct bench *b)
{
	bool all_ok = true, ok, router_ok = true;
	struct result *r;
	double scale, t;
	size_t p;
	int s;

	report_header();
	for (p = 0; p < bench_npaths; p++)
		for (s = 0; s < NSIZES; s++)
			report_row(bench_paths[p].name, s, &b->res[p][s],
				   &b->floor[p]);
	report_legend(b);

	printf("\ntargets at %s active subscribers: x_router <= %.1f (GRE "
	       "with checksum <= %.1f)\n", size_names[NSIZES - 1],
	       TARGET_X_ROUTER, TARGET_X_ROUTER_GRE_CSUM);
	for (p = 0; p < bench_npaths; p++) {
		r = &b->res[p][NSIZES - 1];
		t = router_target(&bench_paths[p]);
		ok = r->x_router <= t;
		router_ok &= ok;
		printf("%-19s %8.2f <= %.1f %s\n", bench_paths[p].name,
		       r->x_router, t, ok ? "met" : "missed");
	}
	printf("router-floor targets: %s\n", router_ok ? "all met" : "MISSED");

	printf("\n%-19s %8s %6s %6s\n", "path", "1M/1", "<=1.2", "<=3.5x");
	for (p = 0; p < bench_npaths; p++) {
		scale = b->res[p][NSIZES - 1].ns / b->res[p][0].ns;
		ok = scale <= TARGET_SCALE;
		all_ok &= ok;
		for (s = 0; s < NSIZES; s++)
			all_ok &= b->res[p][s].x_pass <= TARGET_X_PASS;
		printf("%-19s %8.2f %6s %6s\n", bench_paths[p].name, scale,
		       mark(ok), mark(b->res[p][NSIZES - 1].x_pass <=
				      TARGET_X_PASS));
	}
	printf("earlier targets: every path <= %.1fx XDP_PASS, 1M active <= "
	       "%.1fx of 1: %s\n", TARGET_X_PASS, TARGET_SCALE,
	       all_ok ? "all met" : "MISSED");

	report_dialin(b);

	printf("\nfor comparison, %s with no tunnel entry (parse, lookup miss, "
	       "pass; one subscriber):\n", bench_paths[0].name);
	for (s = 0; s < NSIZES; s++)
		report_row("unknown-tunnel", s, &b->unknown[s],
			   &b->unknown_floor);
}

/*
 * Behind sub0: the measured subscriber's endpoint (next hop of every
 * encapsulated packet), the fillers' endpoints, and for the router floor
 * every subscriber's inner prefixes, as a router without tunnels would
 * route them.
 */
static int add_routes(void)
{
	static const char *const lines[][12] = {
		{ "neigh", "add", BENCH_REMOTE, "lladdr", "02:00:00:00:00:02",
		  "dev", "sub0", "nud", "permanent" },
		{ "-6", "neigh", "add", "2001:db8:1::2", "lladdr",
		  "02:00:00:00:00:02", "dev", "sub0", "nud", "permanent" },
		{ "route", "add", "100.80.0.0/12", "via", BENCH_REMOTE },
		{ "route", "add", "100.64.0.0/10", "via", BENCH_REMOTE },
		{ "-6", "route", "add", "2001:db8:100::/48", "via",
		  "2001:db8:1::2" },
		{ "-6", "route", "add", "2001:db8:1000::/40", "via",
		  "2001:db8:1::2" },
	};
	char err[256], *argv[12];
	size_t i, j;
	int ret;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		for (j = 0; j < 11 && lines[i][j]; j++)
			argv[j] = (char *)lines[i][j];
		argv[j] = NULL;
		ret = tg_netns_ip(argv, err, sizeof(err));
		if (ret) {
			fprintf(stderr, "bench: ip %s %s %s: %s\n", argv[0],
				argv[1], argv[2], err);
			return ret;
		}
	}
	return 0;
}

/*
 * The fillers' entries that path p reads, in every instance, made for p
 * when those made for an earlier path do not serve.
 */
static int reshape(struct bench *b, const struct bench_path *p)
{
	struct instance *in;
	double t0 = wall_s();
	bool done = false;
	int s, err;

	for (s = 0; s < NSIZES; s++) {
		in = &b->inst[s];
		if (bench_path_same_entries(in->shape[p->down], p))
			continue;
		err = bench_fill_reshape(&in->maps, in->shape[p->down], p, 0,
					 sizes[s] - 1);
		if (err) {
			fprintf(stderr, "bench: %s: fillers' entries: %s\n",
				p->name, strerror(-err));
			return err;
		}
		in->shape[p->down] = p;
		done = true;
	}
	if (done)
		printf("  %-19s fillers' entries made in %.1f s\n", p->name,
		       wall_s() - t0);
	return 0;
}

static void pin_cpu(void)
{
	cpu_set_t set;
	int cpu = sched_getcpu();

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/*
 * Add (add) or remove the measured subscriber's tunnel in every instance,
 * or for a down path its encapsulation entry.
 */
static int set_measured(struct bench *b, const struct bench_path *p, bool add)
{
	struct tg_tun_key key;
	struct tg_tunnel tun;
	struct tg_encap enc = { 0 };
	__u32 sub = BENCH_SUB_ID;
	struct bench_sub m;
	int s, fd;

	bench_sub_of(p, 0, &m);
	if (p->down) {
		if (add)
			bench_path_encap(p, &m, &enc);
		for (s = 0; s < NSIZES; s++)
			if (bpf_map_update_elem(b->inst[s].maps.encap, &sub, &enc,
						BPF_ANY))
				return -errno;
		return 0;
	}
	bench_path_key(p, &m, &key, &tun);
	for (s = 0; s < NSIZES; s++) {
		fd = b->inst[s].maps.tunnels;
		if (add && bpf_map_update_elem(fd, &key, &tun, BPF_NOEXIST)) {
			fprintf(stderr, "bench: %s: tunnel entry: %s\n",
				p->name, strerror(errno));
			return -errno;
		}
		if (!add)
			bpf_map_delete_elem(fd, &key);
	}
	return 0;
}

/*
 * tg_police / tg_bucket of the measured subscriber in every instance:
 * POL_NONE no rate (only its prefixes: the lookup alone, what an
 * unlimited subscriber costs), POL_ADMIT a rate every packet conforms to with the
 * default burst (300 ms: the coarse clock, and a compare-and-swap per
 * packet), POL_ADMIT_FINE the same rate with the smallest burst (the fine
 * clock), POL_DROP a bucket far in debt (every packet refused: read only).
 */
static int set_police_mode(struct bench *b, int mode)
{
	struct tg_police pol = { 0 };
	struct tg_bucket bk = { 0 };
	__u32 sub = BENCH_SUB_ID;
	__u8 inner6[16] = { 0 };
	__be32 inner4;
	int s, d;

	inet_pton(AF_INET, BENCH_INNER4, &inner4);
	inet_pton(AF_INET6, BENCH_INNER6, inner6);
	memset(inner6 + 8, 0, 8);
	bench_police_src(&pol, inner4, inner6);
	for (d = 0; d < TG_DIR_MAX; d++) {
		if (mode == POL_ADMIT)
			tg_gcra_set(&pol, d, POL_RATE, POL_BURST);
		if (mode == POL_ADMIT_FINE)
			tg_gcra_set(&pol, d, POL_RATE, TG_GCRA_BURST_MIN);
		if (mode == POL_DROP) {
			tg_gcra_set(&pol, d, TG_GCRA_RATE_MIN, TG_GCRA_BURST_MIN);
			bk.tat[d] = ~0ULL >> 2;
		}
	}
	for (s = 0; s < NSIZES; s++)
		if (bpf_map_update_elem(b->inst[s].maps.police, &sub, &pol,
					BPF_ANY) ||
		    bpf_map_update_elem(b->inst[s].maps.bucket, &sub, &bk,
					BPF_ANY))
			return -errno;
	return 0;
}

static const struct bench_path *path_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < bench_npaths; i++)
		if (!strcmp(bench_paths[i].name, name))
			return &bench_paths[i];
	return NULL;
}

struct contender {
	pthread_t thread;
	struct bench *b;
	const struct tg_bench_frame *f;
	int cpu, err;
	__u32 retval;
	double ns;
};

static void *contend_thread(void *arg)
{
	struct contender *c = arg;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(c->cpu, &set);
	c->err = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	if (!c->err)
		c->err = run_prog(c->b, c->b->harness_fd, c->f->data, c->f->len,
				  repeat, &c->retval, NULL, NULL, &c->ns);
	return NULL;
}

/*
 * The measured subscriber's packets on CPUs 0 and 1 at once (harness +
 * program of the largest instance, already in the slot): the cost of
 * sharing its bucket between CPUs. Returns the mean h+path ns of the two.
 */
static int measure_contended(struct bench *b, const struct bench_path *p,
			     double *ns)
{
	struct tg_bench_frame f = { 0 };
	struct contender c[2];
	struct bench_sub m;
	int i, err = 0;

	if (libbpf_num_possible_cpus() < 2 || sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return -ENODEV;
	bench_sub_of(p, 0, &m);
	f.len = p->build(p, &m, f.data);
	for (i = 0; i < 2; i++) {
		c[i] = (struct contender){ .b = b, .f = &f, .cpu = i };
		if (pthread_create(&c[i].thread, NULL, contend_thread, &c[i]))
			return -EAGAIN;
	}
	for (i = 0; i < 2; i++) {
		pthread_join(c[i].thread, NULL);
		if (c[i].err && !err)
			err = c[i].err < 0 ? c[i].err : -c[i].err;
	}
	*ns = (c[0].ns + c[1].ns) / 2;
	return err;
}

static __u32 pol_verdict(int m)
{
	return m == POL_DROP ? XDP_DROP : XDP_REDIRECT;
}

static __u32 pol_reason(const struct bench_path *p, int m)
{
	if (m != POL_DROP)
		return TG_R_OK;
	return p->down ? TG_R_POLICED_DOWN : TG_R_POLICED_UP;
}

/* Path p at the largest size in every police mode, interleaved: b->pol[i]. */
static int measure_policed_path(struct bench *b, int i,
				const struct bench_path *p)
{
	double pass[POL_RUNS], hpass[POL_RUNS], h[NPOL_MODES][POL_RUNS];
	double x[NPOL_MODES][POL_RUNS], ns[NPOL_MODES][POL_RUNS], base;
	struct instance *in = &b->inst[NSIZES - 1];
	struct tg_bench_frame frame = { 0 };
	__u32 zero = 0, retval;
	struct bench_sub sub;
	int r, m, err = 0;

	bench_sub_of(p, 0, &sub);
	frame.len = p->build(p, &sub, frame.data);
	b->ifindex = p->down ? b->up_ifindex : b->sub_ifindex;
	if (bpf_map_update_elem(b->frame_fd, &zero, &frame, BPF_ANY))
		return -errno;
	for (m = 0; m < NPOL_MODES && !err; m++) {
		err = set_police_mode(b, m);
		if (!err)
			err = check_path(b, in, p, frame.data, frame.len,
					 pol_verdict(m), pol_reason(p, m));
	}
	for (r = 0; r < POL_RUNS && !err; r++) {
		err = run_prog(b, b->pass_fd, frame.data, frame.len, repeat,
			       &retval, NULL, NULL, &pass[r]);
		if (!err)
			err = set_slot(b, b->pass_fd);
		if (!err)
			err = run_prog(b, b->harness_fd, frame.data, frame.len,
				       repeat, &retval, NULL, NULL, &hpass[r]);
		if (!err && retval != XDP_PASS)
			err = -EPROTO;
		for (m = 0; m < NPOL_MODES && !err; m++) {
			err = set_police_mode(b, m);
			if (!err)
				err = run_harnessed(b, in, p, frame.data,
						    frame.len, pol_verdict(m),
						    pol_reason(p, m), &h[m][r]);
		}
		if (err)
			break;
		base = h[POL_NONE][r] - hpass[r] + pass[r];
		for (m = 0; m < NPOL_MODES; m++) {
			ns[m][r] = h[m][r] - hpass[r] + pass[r];
			x[m][r] = ns[m][r] / base;
		}
	}
	if (err) {
		fprintf(stderr, "bench: %s policed: %s\n", p->name,
			strerror(-err));
		return err;
	}
	for (m = 0; m < NPOL_MODES; m++) {
		struct result *res = &b->pol[i][m];

		res->pass = median(pass, POL_RUNS);
		res->hpass = median(hpass, POL_RUNS);
		res->hsub = median(h[m], POL_RUNS);
		res->ns = median(ns[m], POL_RUNS);
		res->x_pass = res->ns / res->pass;
		b->pol_x[i][m] = median(x[m], POL_RUNS);
	}
	/* The contended figure, each mode once. */
	for (m = 0; m < NPOL_MODES && !err; m++) {
		err = set_police_mode(b, m);
		if (!err)
			err = set_slot(b, p->down ? in->up_prog_fd :
						    in->prog_fd);
		if (!err)
			err = measure_contended(b, p, &b->pol2[i][m]);
	}
	return err;
}

static int measure_policed(struct bench *b)
{
	const struct bench_path *p;
	__u32 saved = repeat;
	int i, err = 0;
	double t0;

	/* Shorter rounds (every run_* helper reads repeat). */
	repeat = repeat / POL_SPLIT ? repeat / POL_SPLIT : 1;
	for (i = 0; i < NPOL_PATHS && !err; i++) {
		p = path_by_name(pol_paths[i]);
		if (!p)
			return -ENOENT;
		t0 = wall_s();
		err = set_measured(b, p, true);
		if (!err)
			err = measure_policed_path(b, i, p);
		set_police_mode(b, POL_NONE);
		set_measured(b, p, false);
		printf("  %-19s policed, measured in %.1f s\n", p->name,
		       wall_s() - t0);
	}
	repeat = saved;
	return err;
}

static void report_policed(struct bench *b)
{
	int i, m;
	struct result *r;
	bool ok, all_ok = true;
	double x;

	printf("\npoliced paths, %s subscribers:\n%-19s %-10s %8s %7s %7s %6s   %8s %8s\n",
	       size_names[NSIZES - 1], "path", "police", "ns/pkt", "x_pass",
	       "x_unpol", "<=1.15", "h+path", "2cpu");
	for (i = 0; i < NPOL_PATHS; i++)
		for (m = 0; m < NPOL_MODES; m++) {
			r = &b->pol[i][m];
			x = b->pol_x[i][m];
			ok = x <= TARGET_POLICED;
			/* The short-burst clock is shown, not a target. */
			if (m != POL_NONE && m != POL_ADMIT_FINE)
				all_ok &= ok;
			printf("%-19s %-10s %8.1f %7.2f %7.2f %6s   %8.1f %8.1f\n",
			       pol_paths[i], pol_modes[m], r->ns, r->x_pass, x,
			       m == POL_NONE ? "" : m == POL_ADMIT_FINE ?
			       "(info)" : mark(ok), r->hsub, b->pol2[i][m]);
		}
	printf("medians of %d rounds of %u iterations, each running every mode "
	       "once; x_unpol = median\nof the rounds' ratios to unpoliced. 2cpu "
	       "= h+path with the same subscriber's packets on two\nCPUs at once "
	       "(shared bucket)\n", POL_RUNS,
	       repeat / POL_SPLIT ? repeat / POL_SPLIT : 1);
	printf("unpoliced = all-zero tg_police entry (one array lookup); admit = "
	       "100 Gbit/s, default burst (300 ms:\ncoarse clock), a "
	       "compare-and-swap per packet; admit-fine = same rate, burst %llu B "
	       "(fine\nclock, bursts under %llu ms: shown, not a target); drop = "
	       "bucket in debt, read only.\nPolicing target (admit and drop <= "
	       "%.2fx unpoliced): %s\n",
	       (unsigned long long)TG_GCRA_BURST_MIN,
	       (unsigned long long)TG_GCRA_COARSE_TOL / 1000000, TARGET_POLICED,
	       all_ok ? "met" : "MISSED");
}

/* Kernel's own figure for a map: "memlock:" of its fdinfo (map_mem_usage). */
static long long map_memlock(int fd)
{
	char path[64], line[256];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %lld", &v) == 1)
			break;
	fclose(f);
	return v;
}

/*
 * Map memory per subscriber at the largest size: every map sized by the
 * subscriber count, the kernel's memlock figure (values x CPUs for
 * per-CPU maps, element headers of hash and LPM entries, preallocated
 * hash elements included) divided by the subscribers; beside it the
 * value bytes alone (x CPUs) for comparison.
 */
static void report_memory(struct bench *b)
{
	struct instance *in = &b->inst[NSIZES - 1];
	__u32 subs = sizes[NSIZES - 1];
	double total = 0, values = 0, v;
	struct bpf_map *map;
	long long ml;

	printf("\nmap memory per subscriber (%s subscribers, %d CPUs; kernel "
	       "memlock / subscribers;\nvalue = value bytes x CPUs for per-CPU maps):\n"
	       "%-16s %10s %8s %8s\n", size_names[NSIZES - 1], b->ncpus,
	       "map", "memlock", "B/sub", "value");
	bpf_object__for_each_map(map, in->skel->obj) {
		if (bpf_map__is_internal(map) ||
		    bpf_map__max_entries(map) < subs)
			continue;
		ml = map_memlock(bpf_map__fd(map));
		v = bpf_map__value_size(map);
		if (bpf_map__type(map) == BPF_MAP_TYPE_PERCPU_ARRAY ||
		    bpf_map__type(map) == BPF_MAP_TYPE_PERCPU_HASH)
			v = ((bpf_map__value_size(map) + 7) & ~7U) * b->ncpus;
		/* Two prefixes (a /32 and a /64) per subscriber, one per trie. */
		printf("%-16s %10lld %8.1f %8.0f\n", bpf_map__name(map), ml,
		       ml > 0 ? (double)ml / subs : 0, v);
		if (ml > 0)
			total += (double)ml / subs;
		values += v;
	}
	printf("%-16s %10s %8.1f %8.0f\n", "total", "", total, values);
}

/* Whether path name is in TG_BENCH_PATHS (every path when unset). */
static bool path_selected(const char *name)
{
	size_t len = strlen(name);
	const char *p;

	if (!only_paths)
		return true;
	for (p = only_paths; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (!strncmp(p, name, len) && (p[len] == ',' || !p[len]))
			return true;
	return false;
}

int main(void)
{
	struct tg_netns_ports ports;
	struct bench b = { 0 };
	double t0, start = wall_s();
	const char *env;
	size_t p;
	int s, err;

	if (geteuid() != 0) {
		const char *ci = getenv("CI");

		printf("SKIP: bench needs root (BPF_PROG_TEST_RUN, network namespace)\n");
		return ci && !strcmp(ci, "true") ? 1 : 0;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	env = getenv("TG_BENCH_REPEAT");
	if (env && (sscanf(env, "%u", &repeat) != 1 || !repeat)) {
		fprintf(stderr, "bench: TG_BENCH_REPEAT '%s': not a positive number\n",
			env);
		return 1;
	}
	pin_cpu();
	/* Same private topology as replay: packets enter on sub0, leave on up0. */
	err = tg_netns_enter_private();
	if (!err)
		err = tg_netns_default_topology(&ports);
	if (!err)
		err = add_routes();
	if (err)
		goto out;
	b.sub_ifindex = ports.sub_ifindex;
	b.up_ifindex = ports.up_ifindex;
	b.ncpus = libbpf_num_possible_cpus();
	if (b.ncpus <= 0) {
		err = b.ncpus ? b.ncpus : -EINVAL;
		goto out;
	}

	printf("tungate bench: BPF_PROG_TEST_RUN, %d runs of %u iterations per figure\n",
	       RUNS, repeat);
	err = load(&b);
	if (err)
		goto out;

	/* TG_BENCH_POLICE_ONLY=1: just the policed paths and the memory. */
	env = getenv("TG_BENCH_POLICE_ONLY");
	if (env && !strcmp(env, "1")) {
		err = measure_policed(&b);
		if (!err) {
			report_policed(&b);
			report_memory(&b);
		}
		goto out;
	}
	only_paths = getenv("TG_BENCH_PATHS");
	for (p = 0; p < bench_npaths && p < MAX_PATHS; p++) {
		if (!path_selected(bench_paths[p].name))
			continue;
		t0 = wall_s();
		err = reshape(&b, &bench_paths[p]);
		if (!err)
			err = set_measured(&b, &bench_paths[p], true);
		if (!err)
			err = measure(&b, &bench_paths[p], XDP_REDIRECT,
				      TG_R_OK, true, b.res[p], &b.floor[p]);
		set_measured(&b, &bench_paths[p], false);
		if (err)
			goto out;
		printf("  %-19s measured in %.1f s\n", bench_paths[p].name,
		       wall_s() - t0);
	}
	if (only_paths) {
		report_header();
		for (p = 0; p < bench_npaths && p < MAX_PATHS; p++)
			for (s = 0; path_selected(bench_paths[p].name) &&
				    s < NSIZES; s++)
				report_row(bench_paths[p].name, s,
					   &b.res[p][s], &b.floor[p]);
		report_legend(&b);
		goto out;
	}
	/* Where the time goes: the first path without its tunnel entry. */
	err = measure(&b, &bench_paths[0], XDP_PASS, TG_R_UNKNOWN_TUNNEL,
		      false, b.unknown, &b.unknown_floor);
	if (!err)
		err = measure_policed(&b);
	if (err)
		goto out;
	report(&b);
	report_policed(&b);
	report_memory(&b);
	printf("bench took %.0f s\n", wall_s() - start);
out:
	for (s = 0; s < NSIZES; s++) {
		uplink_bpf__destroy(b.inst[s].up_skel);
		subscriber_bpf__destroy(b.inst[s].skel);
	}
	bench_harness_bpf__destroy(b.harness);
	router_floor_bpf__destroy(b.router_floor);
	for (s = 0; s < NSIZES; s++)
		router_floor_bpf__destroy(b.lk[s]);
	pass_bpf__destroy(b.pass);
	free(b.order);
	if (err)
		fprintf(stderr, "bench: FAILED: %s\n", strerror(-err));
	return err ? 1 : 0;
}
