// SPDX-License-Identifier: GPL-2.0-only
/*
 * veth-bench: the programs of the live veth benchmark (tests/bench/veth.sh),
 * each command run inside the namespace of the interfaces it names.
 *
 *   veth-bench sink IF        attach tg_veth_sink (counts and drops) to IF,
 *                             print its counter map's id
 *   veth-bench floor IN OUT   attach the router floor (tg_router_floor) to
 *                             IN, with OUT in its devmap
 *   veth-bench floor-lookup IN OUT src|dst FIRST N
 *                             attach the router floor with one subscriber
 *                             lookup (tg_lookup_floor) to IN, OUT in its
 *                             devmap, its map holding the N IPv4
 *                             addresses from FIRST on, looked up by the
 *                             packets' source or destination; print the
 *                             id of its counters' map (.bss)
 *   veth-bench floor-count ID print "HITS MISSES": the packets of that
 *                             lookup floor that found their subscriber,
 *                             and that did not
 *   veth-bench gro IF         turn GRO on: a veth takes redirected frames,
 *                             and runs NAPI, only with GRO on or XDP
 *   veth-bench gen OPTIONS    send, print "OFFERED FORWARDED" packets per
 *                             second over the measured window
 *
 * gen options: --dev IF --cpu N --warm S --secs S --count-map ID (the
 * sink's, read at both ends of the window) --subs N (subscribers to
 * rotate over) --smac MAC --dmac MAC --src A --dst A (the IPv4/UDP packet)
 * [--outer-src A --outer-dst A [--gre KEY]] (ipip, or GRE with a key,
 * around it) [--step src|dst|port] (what changes with the subscriber:
 * the sources, outer and inner, the inner destination, or only the inner
 * UDP source port: one tunnel, as many flows as --subs)
 * [--size BYTES] (of the IPv4/UDP packet, default 64) [--order
 * stride|sequential] (the next packet's subscriber: far from the last, at
 * a stride coprime to their number near 0.618 of it, the default; or the
 * next one).
 * XDP programs are attached through netlink in native mode and stay when
 * the command exits: deleting the interface removes them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <linux/sockios.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench_veth.skel.h"
#include "router_floor.skel.h"
#include "tungate_bench.h"

#define GEN_HDR 72	/* bpf/bench_veth.bpf.c: sizeof gen_template */
#define GEN_REPEAT 0xffffffffU	/* frames of a test run: until a signal */
#define FRAME_MAX 1514

static int ifindex_of(const char *name)
{
	int i = (int)if_nametoindex(name);

	if (!i)
		fprintf(stderr, "veth-bench: no interface '%s'\n", name);
	return i;
}

static int cmd_sink(int argc, char **argv)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	struct bench_veth_bpf *skel;
	int ifindex, err;

	if (argc != 2 || !(ifindex = ifindex_of(argv[1])))
		return 2;
	skel = bench_veth_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "veth-bench: load: %s\n", strerror(errno));
		return 1;
	}
	err = bpf_xdp_attach(ifindex, bpf_program__fd(skel->progs.tg_veth_sink),
			     XDP_FLAGS_DRV_MODE, NULL);
	if (!err)
		err = bpf_obj_get_info_by_fd(bpf_map__fd(skel->maps.tg_veth_count),
					     &info, &len);
	if (err)
		fprintf(stderr, "veth-bench: sink on '%s': %s\n", argv[1],
			strerror(-err));
	else
		printf("%u\n", info.id);
	bench_veth_bpf__destroy(skel);
	return err ? 1 : 0;
}

/* The router floor's devmap: port out, the one it redirects to. */
static int floor_port(struct router_floor_bpf *skel, const char *out)
{
	struct bpf_devmap_val port = {};

	port.ifindex = ifindex_of(out);
	if (!port.ifindex)
		return -ENODEV;
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.tg_floor_ports),
				&port.ifindex, &port, BPF_ANY))
		return -errno;
	return 0;
}

static int cmd_floor(int argc, char **argv)
{
	struct router_floor_bpf *skel;
	int in, err;

	if (argc != 3 || !(in = ifindex_of(argv[1])))
		return 2;
	skel = router_floor_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "veth-bench: load: %s\n", strerror(errno));
		return 1;
	}
	err = floor_port(skel, argv[2]);
	if (!err)
		err = bpf_xdp_attach(in,
				     bpf_program__fd(skel->progs.tg_router_floor),
				     XDP_FLAGS_DRV_MODE, NULL);
	if (err)
		fprintf(stderr, "veth-bench: floor on '%s': %s\n", argv[1],
			strerror(-err));
	router_floor_bpf__destroy(skel);
	return err ? 1 : 0;
}

/* The N addresses from first on in the lookup floor's map. */
static int floor_subs(struct router_floor_bpf *skel, struct in_addr first,
		      __u32 n)
{
	int fd = bpf_map__fd(skel->maps.tg_floor_subs);
	struct tg_floor_sub sub = {};
	struct tg_floor_key key;
	__u32 i;

	for (i = 0; i < n; i++) {
		tg_floor_key4(&key, htonl(ntohl(first.s_addr) + i));
		if (bpf_map_update_elem(fd, &key, &sub, BPF_NOEXIST))
			return -errno;
	}
	return 0;
}

static int cmd_floor_lookup(int argc, char **argv)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), n;
	struct router_floor_bpf *skel;
	struct in_addr first;
	char *end;
	int in, err;

	if (argc != 6 || !(in = ifindex_of(argv[1])) ||
	    (strcmp(argv[3], "src") && strcmp(argv[3], "dst")) ||
	    inet_pton(AF_INET, argv[4], &first) != 1)
		return 2;
	errno = 0;
	n = (__u32)strtoul(argv[5], &end, 10);
	if (errno || *end || !n || n > 1 << 24) {
		fprintf(stderr, "veth-bench: floor-lookup: bad count '%s'\n",
			argv[5]);
		return 2;
	}
	skel = router_floor_bpf__open();
	if (!skel || bpf_map__set_max_entries(skel->maps.tg_floor_subs, n) ||
	    router_floor_bpf__load(skel)) {
		fprintf(stderr, "veth-bench: load: %s\n", strerror(errno));
		router_floor_bpf__destroy(skel);
		return 1;
	}
	skel->bss->tg_floor_key_dst = !strcmp(argv[3], "dst");
	err = floor_port(skel, argv[2]);
	if (!err)
		err = floor_subs(skel, first, n);
	if (!err)
		err = bpf_xdp_attach(in,
				     bpf_program__fd(skel->progs.tg_lookup_floor),
				     XDP_FLAGS_DRV_MODE, NULL);
	if (!err && bpf_obj_get_info_by_fd(bpf_map__fd(skel->maps.bss), &info,
					   &len))
		err = -errno;
	if (err)
		fprintf(stderr, "veth-bench: floor-lookup on '%s': %s\n",
			argv[1], strerror(-err));
	else
		printf("%u\n", info.id);
	router_floor_bpf__destroy(skel);
	return err ? 1 : 0;
}

static int cmd_floor_count(int argc, char **argv)
{
	struct router_floor_bpf__bss bss;
	__u32 id, zero = 0;
	char *end;
	int fd;

	if (argc != 2)
		return 2;
	errno = 0;
	id = (__u32)strtoul(argv[1], &end, 10);
	if (errno || *end || !id)
		return 2;
	fd = bpf_map_get_fd_by_id(id);
	if (fd < 0 || bpf_map_lookup_elem(fd, &zero, &bss)) {
		fprintf(stderr, "veth-bench: floor-count: map %u: %s\n", id,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return 1;
	}
	close(fd);
	printf("%llu %llu\n", (unsigned long long)bss.tg_floor_hits,
	       (unsigned long long)bss.tg_floor_misses);
	return 0;
}

static int cmd_gro(int argc, char **argv)
{
	struct ethtool_value ev = { .cmd = ETHTOOL_SGRO, .data = 1 };
	struct ifreq ifr = {};
	int fd, err = 0;

	if (argc != 2 || strlen(argv[1]) >= IFNAMSIZ)
		return 2;
	strcpy(ifr.ifr_name, argv[1]);
	ifr.ifr_data = (void *)&ev;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || ioctl(fd, SIOCETHTOOL, &ifr) < 0) {
		err = -errno;
		fprintf(stderr, "veth-bench: GRO on '%s': %s\n", argv[1],
			strerror(-err));
	}
	if (fd >= 0)
		close(fd);
	return err ? 1 : 0;
}

struct gen {
	const char *dev;
	int cpu, count_map;
	double warm, secs;
	__u32 subs, size, gre_key;
	enum { STEP_SRC, STEP_DST, STEP_PORT } step;
	bool outer, gre, sequential;
	__u8 smac[6], dmac[6];
	struct in_addr src, dst, outer_src, outer_dst;
};

static __u16 csum16(const void *p, size_t len)
{
	const __u8 *b = p;
	__u32 sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (__u32)(b[i] << 8 | b[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/* An IPv4 header of total length len at p; returns its size. */
static size_t put_ip4(__u8 *p, size_t len, __u8 proto, struct in_addr src,
		      struct in_addr dst)
{
	__u16 c;

	p[0] = 0x45;
	p[2] = (__u8)(len >> 8);
	p[3] = (__u8)len;
	p[6] = 0x40;	/* DF */
	p[8] = 64;
	p[9] = proto;
	memcpy(p + 12, &src, 4);
	memcpy(p + 16, &dst, 4);
	c = csum16(p, 20);
	p[10] = (__u8)(c >> 8);
	p[11] = (__u8)c;
	return 20;
}

/*
 * The frame of subscriber 0 into f; returns its length. Sets the offsets
 * of its IPv4 headers and what each subscriber adds to their addresses.
 */
static size_t build_frame(const struct gen *g, struct bench_veth_bpf *skel,
			  __u8 *f)
{
	struct bench_veth_bpf__rodata *ro = skel->rodata;
	size_t off = 14, tun = 0;
	int n = 0;

	memcpy(f, g->dmac, 6);
	memcpy(f + 6, g->smac, 6);
	f[12] = 0x08;	/* IPv4 */
	if (g->outer) {
		tun = 20 + (g->gre ? 8 : 0);
		ro->gen_ip_off[n] = (__u32)off;
		ro->gen_src_step[n++] = g->step == STEP_SRC;
		off += put_ip4(f + off, tun + g->size, g->gre ? 47 : 4,
			       g->outer_src, g->outer_dst);
		if (g->gre) {
			f[off] = 0x20;	/* K */
			f[off + 2] = 0x08;	/* IPv4 */
			f[off + 4] = (__u8)(g->gre_key >> 24);
			f[off + 5] = (__u8)(g->gre_key >> 16);
			f[off + 6] = (__u8)(g->gre_key >> 8);
			f[off + 7] = (__u8)g->gre_key;
			off += 8;
		}
	}
	ro->gen_ip_off[n] = (__u32)off;
	ro->gen_src_step[n] = g->step == STEP_SRC;
	ro->gen_dst_step[n] = g->step == STEP_DST;
	off += put_ip4(f + off, g->size, 17, g->src, g->dst);
	if (g->step == STEP_PORT)
		ro->gen_port_off = (__u32)off;
	/* UDP 9 -> 9 (discard), no checksum. */
	f[off + 1] = 9;
	f[off + 3] = 9;
	f[off + 4] = (__u8)((g->size - 20) >> 8);
	f[off + 5] = (__u8)(g->size - 20);
	return 14 + tun + g->size;
}

static __u64 count_read(int fd, int ncpus)
{
	__u64 *v = calloc(ncpus, sizeof(*v)), sum = 0;
	__u32 key = 0;
	int c;

	if (v && !bpf_map_lookup_elem(fd, &key, v))
		for (c = 0; c < ncpus; c++)
			sum += v[c];
	free(v);
	return sum;
}

/*
 * Frames offered to dev: sent plus dropped for want of room in the peer's
 * queue (32-bit counters: differences taken modulo 2^32).
 */
static __u32 offered_read(const char *dev)
{
	struct ifaddrs *ifa, *i;
	__u32 n = 0;

	if (getifaddrs(&ifa))
		return 0;
	for (i = ifa; i; i = i->ifa_next) {
		const struct rtnl_link_stats *st = i->ifa_data;

		if (i->ifa_addr && i->ifa_addr->sa_family == AF_PACKET && st &&
		    !strcmp(i->ifa_name, dev))
			n = st->tx_packets + st->tx_dropped;
	}
	freeifaddrs(ifa);
	return n;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
	struct timespec ts = { .tv_sec = (time_t)s };

	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* A stride coprime to n near 0.618 n: consecutive packets far apart. */
static __u32 stride_for(__u32 n)
{
	__u32 s = (__u32)(n * 0.618), a, b, t;

	if (n <= 1)
		return 0;
	for (;; s++) {
		for (a = s, b = n; b; t = a % b, a = b, b = t)
			;
		if (a == 1)
			return s % n;
	}
}

/*
 * The window, measured beside the sending thread: counters at WARM and
 * WARM + SECS, then a signal that ends the sender's test run (the kernel
 * stops BPF_PROG_TEST_RUN on a pending signal). One long test run rather
 * than many short ones: each run's setup and teardown put the sender to
 * sleep for milliseconds, long enough for the concentrator to go idle.
 */
struct window {
	const struct gen *g;
	pthread_t sender;
	int map_fd, ncpus;
	volatile int done;
	double pps_offered, pps_forwarded;
};

static void *window_run(void *arg)
{
	struct window *w = arg;
	__u64 f0, f1;
	__u32 o0, o1;
	double t0, t1;

	sleep_s(w->g->warm);
	t0 = now_s();
	o0 = offered_read(w->g->dev);
	f0 = count_read(w->map_fd, w->ncpus);
	sleep_s(w->g->secs);
	t1 = now_s();
	o1 = offered_read(w->g->dev);
	f1 = count_read(w->map_fd, w->ncpus);
	w->pps_offered = (double)(__u32)(o1 - o0) / (t1 - t0);
	w->pps_forwarded = (double)(f1 - f0) / (t1 - t0);
	w->done = 1;
	pthread_kill(w->sender, SIGUSR1);
	return NULL;
}

static void on_signal(int sig)
{
}

static int gen_run(const struct gen *g)
{
	static __u8 frame[FRAME_MAX];
	struct window w = { .g = g, .map_fd = -1, .sender = pthread_self() };
	struct sigaction sa = { .sa_handler = on_signal };
	struct bench_veth_bpf *skel;
	int err, ifindex;
	pthread_t tid;
	cpu_set_t set;
	size_t len;

	ifindex = ifindex_of(g->dev);
	if (!ifindex)
		return -ENODEV;
	w.ncpus = libbpf_num_possible_cpus();
	/* No SA_RESTART: the test run returns EINTR. */
	if (sigaction(SIGUSR1, &sa, NULL))
		return -errno;
	skel = bench_veth_bpf__open();
	if (!skel)
		return -errno;
	len = build_frame(g, skel, frame);
	memcpy((void *)skel->rodata->gen_template, frame, GEN_HDR);
	skel->rodata->gen_ifindex = (__u32)ifindex;
	skel->rodata->gen_count = g->subs;
	skel->rodata->gen_stride = g->sequential ? (g->subs > 1) :
					   stride_for(g->subs);
	err = bench_veth_bpf__load(skel);
	if (err)
		goto out;
	w.map_fd = bpf_map_get_fd_by_id((__u32)g->count_map);
	if (w.map_fd < 0) {
		err = -errno;
		goto out;
	}
	/* The window's thread may run anywhere: pin only the sender. */
	err = -pthread_create(&tid, NULL, window_run, &w);
	if (err)
		goto out;
	CPU_ZERO(&set);
	CPU_SET(g->cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		err = -errno;
	while (!err && !w.done) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame,
			    .data_size_in = (__u32)len, .repeat = GEN_REPEAT,
			    .flags = BPF_F_TEST_XDP_LIVE_FRAMES);

		if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.tg_veth_gen),
					   &opts) && errno != EINTR) {
			err = -errno;
			break;
		}
	}
	/* On an error, the window still ends (and signals) before we go. */
	pthread_join(tid, NULL);
	if (!err)
		printf("%.0f %.0f\n", w.pps_offered, w.pps_forwarded);
out:
	if (w.map_fd >= 0)
		close(w.map_fd);
	bench_veth_bpf__destroy(skel);
	return err;
}

static int parse_mac(const char *s, __u8 *mac)
{
	unsigned int b[6];
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4],
		   &b[5]) != 6)
		return -1;
	for (i = 0; i < 6; i++)
		mac[i] = (__u8)b[i];
	return 0;
}

static int cmd_gen(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dev", required_argument, NULL, 'i' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "warm", required_argument, NULL, 'w' },
		{ "secs", required_argument, NULL, 's' },
		{ "count-map", required_argument, NULL, 'm' },
		{ "subs", required_argument, NULL, 'n' },
		{ "smac", required_argument, NULL, 'S' },
		{ "dmac", required_argument, NULL, 'D' },
		{ "src", required_argument, NULL, 'a' },
		{ "dst", required_argument, NULL, 'b' },
		{ "outer-src", required_argument, NULL, 'A' },
		{ "outer-dst", required_argument, NULL, 'B' },
		{ "gre", required_argument, NULL, 'g' },
		{ "step", required_argument, NULL, 't' },
		{ "size", required_argument, NULL, 'z' },
		{ "order", required_argument, NULL, 'o' },
		{}
	};
	struct gen g = { .secs = 3, .subs = 1, .size = 64, .count_map = -1 };
	int c, bad = 0, err;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			g.dev = optarg;
			break;
		case 'c':
			g.cpu = atoi(optarg);
			break;
		case 'w':
			g.warm = atof(optarg);
			break;
		case 's':
			g.secs = atof(optarg);
			break;
		case 'm':
			g.count_map = atoi(optarg);
			break;
		case 'n':
			g.subs = (__u32)strtoul(optarg, NULL, 0);
			break;
		case 'S':
			bad |= parse_mac(optarg, g.smac);
			break;
		case 'D':
			bad |= parse_mac(optarg, g.dmac);
			break;
		case 'a':
			bad |= inet_pton(AF_INET, optarg, &g.src) != 1;
			break;
		case 'b':
			bad |= inet_pton(AF_INET, optarg, &g.dst) != 1;
			break;
		case 'A':
			g.outer = true;
			bad |= inet_pton(AF_INET, optarg, &g.outer_src) != 1;
			break;
		case 'B':
			bad |= inet_pton(AF_INET, optarg, &g.outer_dst) != 1;
			break;
		case 'g':
			g.gre = true;
			g.gre_key = (__u32)strtoul(optarg, NULL, 0);
			break;
		case 't':
			if (!strcmp(optarg, "dst"))
				g.step = STEP_DST;
			else if (!strcmp(optarg, "port"))
				g.step = STEP_PORT;
			else
				bad |= strcmp(optarg, "src") != 0;
			break;
		case 'z':
			g.size = (__u32)atoi(optarg);
			break;
		case 'o':
			g.sequential = !strcmp(optarg, "sequential");
			bad |= !g.sequential && strcmp(optarg, "stride");
			break;
		default:
			bad = 1;
		}
	}
	if (bad || !g.dev || g.count_map < 0 || !g.subs || g.secs <= 0 ||
	    g.size < 28 || 14 + 28 + g.size > FRAME_MAX ||
	    14 + g.size < GEN_HDR || (g.gre && !g.outer)) {
		fprintf(stderr, "veth-bench: gen: bad or missing options\n");
		return 2;
	}
	err = gen_run(&g);
	if (err)
		fprintf(stderr, "veth-bench: gen on '%s': %s\n", g.dev,
			strerror(-err));
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "sink"))
		return cmd_sink(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "floor"))
		return cmd_floor(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "floor-lookup"))
		return cmd_floor_lookup(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "floor-count"))
		return cmd_floor_count(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "gro"))
		return cmd_gro(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "gen"))
		return cmd_gen(argc - 1, argv + 1);
	fprintf(stderr, "usage: veth-bench sink IF | floor IN OUT | floor-lookup IN OUT src|dst FIRST N |\n"
		"       floor-count ID | gro IF | gen OPTIONS\n"
		"(see tests/bench/veth/veth_bench.c)\n");
	return 2;
}
