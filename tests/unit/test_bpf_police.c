// SPDX-License-Identifier: GPL-2.0-only
/*
 * Policing in the real programs under BPF_PROG_TEST_RUN: community scope
 * in both directions (IPv4 both ways, IPv6 upstream), the burst of an
 * idle bucket, and a UDP flood at 10x a subscriber's rate from two
 * threads pinned to two CPUs at once, 5 s per run, upstream (tg_sub_xdp,
 * IPIP from the subscriber) and downstream (tg_up_xdp), at 1, 10 and 100
 * Mbit/s: the bytes delivered (tg_sub_stats of that direction) must be
 * within 2% of rate * elapsed + burst. Every test runs in a fresh network
 * namespace (Check forks per test) with two veths and private maps shared
 * by both programs.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "tungate.h"
#include "subscriber.skel.h"
#include "uplink.skel.h"
#include "bpf_util.h"
#include "../../bpf/lib/gcra.h"

#define CAP 64
#define SUB_N 7			/* the subscriber: 100.64.7.0/24 */
#define REMOTE "192.0.2.105"	/* its tunnel endpoint, behind sub0 */
#define LOCAL "198.51.100.1"	/* ours, on up0 */
#define INNER_LEN 1000		/* inner IP datagram of the flood */
#define BURST 20000		/* bytes */
#define FLOOD_S 5

static struct subscriber_bpf *sub_skel;
static struct uplink_bpf *up_skel;
static int ncpu;
static uint32_t sub0, up0;

struct frame {
	uint8_t b[2048];
	size_t len;
};

static uint32_t inet4(const char *s)
{
	struct in_addr a;

	ck_assert_int_eq(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

static void update(struct bpf_map *m, const void *k, size_t ks, const void *v,
		   size_t vs)
{
	ck_assert_msg(bpf_map__update_elem(m, k, ks, v, vs, 0) == 0,
		      "update %s: %s", bpf_map__name(m), strerror(errno));
}

/* replay's topology, and the measured subscriber's endpoint behind sub0. */
static void make_topology(void)
{
	tg_test_topology(&sub0, &up0);
	tg_test_sh("ip neigh add " REMOTE " lladdr 02:00:00:00:00:02 dev sub0 "
	   "nud permanent");
}

static void no_pinning(struct bpf_object *obj)
{
	struct bpf_map *map = NULL;

	while ((map = bpf_object__next_map(obj, map)))
		ck_assert_int_eq(bpf_map__set_pin_path(map, NULL), 0);
}

/* Subscriber SUB_N: an IPIP tunnel both ways, 100.64.7.0/24, no rate. */
static void add_subscriber(void)
{
	struct tg_tun_key key = { .remote = inet4(REMOTE),
				  .local = inet4(LOCAL),
				  .type = TG_TUN_IPIP };
	struct tg_tunnel tun = { .sub_id = SUB_N, .mtu = 1480 };
	struct tg_encap e = { .remote = inet4(REMOTE), .local = inet4(LOCAL),
			      .type = TG_TUN_IPIP, .mtu = 1480,
			      .flags = TG_ENC_F_DF };
	struct tg_lpm4_key k4 = { .prefixlen = 24,
				  .addr = inet4("100.64.7.0") };
	struct tg_lpm6_key k6 = { .prefixlen = 48 };
	struct tg_config cfg = { .default_ttl = 64 };
	struct bpf_devmap_val port;
	uint32_t n = SUB_N, zero = 0;

	update(sub_skel->maps.tg_tunnels, &key, sizeof(key), &tun, sizeof(tun));
	update(sub_skel->maps.tg_encap, &n, 4, &e, sizeof(e));
	update(sub_skel->maps.tg_prefix4, &k4, sizeof(k4), &n, 4);
	key.type = TG_TUN_SIT;
	update(sub_skel->maps.tg_tunnels, &key, sizeof(key), &tun, sizeof(tun));
	ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8:7::", k6.addr), 1);
	update(sub_skel->maps.tg_prefix6, &k6, sizeof(k6), &n, 4);
	update(sub_skel->maps.tg_config, &zero, 4, &cfg, sizeof(cfg));
	port = (struct bpf_devmap_val){ .ifindex = sub0 };
	update(sub_skel->maps.tg_ports, &sub0, 4, &port, sizeof(port));
	port = (struct bpf_devmap_val){ .ifindex = up0 };
	update(sub_skel->maps.tg_ports, &up0, 4, &port, sizeof(port));
}

static void set_police_burst(uint64_t up_bps, uint64_t down_bps,
			     uint32_t flags, uint64_t burst)
{
	struct tg_police p = { .flags = flags };
	uint32_t n = SUB_N;

	tg_gcra_set(&p, TG_DIR_UP, up_bps, burst);
	tg_gcra_set(&p, TG_DIR_DOWN, down_bps, burst);
	update(sub_skel->maps.tg_police, &n, 4, &p, sizeof(p));
}

static void set_police(uint64_t up_bps, uint64_t down_bps, uint32_t flags)
{
	set_police_burst(up_bps, down_bps, flags, BURST);
}

static void add_community(const char *prefix, uint32_t len)
{
	struct tg_lpm4_key k = { .prefixlen = len, .addr = inet4(prefix) };
	uint32_t one = 1;

	update(sub_skel->maps.tg_community4, &k, sizeof(k), &one, 4);
}

static void add_community6(const char *prefix, uint32_t len)
{
	struct tg_lpm6_key k = { .prefixlen = len };
	uint32_t one = 1;

	ck_assert_int_eq(inet_pton(AF_INET6, prefix, k.addr), 1);
	update(sub_skel->maps.tg_community6, &k, sizeof(k), &one, 4);
}

static bool enter(void)
{
	struct bpf_map *map, *own;

	if (!tg_test_need_root())
		return false;
	ck_assert_msg(!unshare(CLONE_NEWNET), "unshare: %s", strerror(errno));
	ncpu = libbpf_num_possible_cpus();
	ck_assert_int_gt(ncpu, 0);
	make_topology();

	sub_skel = subscriber_bpf__open();
	ck_assert_ptr_nonnull(sub_skel);
	no_pinning(sub_skel->obj);
	bpf_object__for_each_map(map, sub_skel->obj)
		if (bpf_map__type(map) != BPF_MAP_TYPE_DEVMAP_HASH &&
		    bpf_map__type(map) != BPF_MAP_TYPE_LPM_TRIE &&
		    !bpf_map__is_internal(map) && bpf_map__max_entries(map) > CAP)
			ck_assert_int_eq(bpf_map__set_max_entries(map, CAP), 0);
	ck_assert_int_eq(subscriber_bpf__load(sub_skel), 0);

	up_skel = uplink_bpf__open();
	ck_assert_ptr_nonnull(up_skel);
	bpf_object__for_each_map(map, up_skel->obj) {
		if (bpf_map__is_internal(map))
			continue;
		ck_assert_int_eq(bpf_map__set_pin_path(map, NULL), 0);
		own = bpf_object__find_map_by_name(sub_skel->obj,
						   bpf_map__name(map));
		ck_assert_ptr_nonnull(own);
		ck_assert_int_eq(bpf_map__reuse_fd(map, bpf_map__fd(own)), 0);
	}
	ck_assert_int_eq(uplink_bpf__load(up_skel), 0);
	add_subscriber();
	return true;
}

static void teardown(void)
{
	if (up_skel)
		uplink_bpf__destroy(up_skel);
	if (sub_skel)
		subscriber_bpf__destroy(sub_skel);
	up_skel = NULL;
	sub_skel = NULL;
}

/* ------------------------------------------------------------------ */
/* Frames.                                                             */

static void put16(uint8_t *at, uint16_t v)
{
	at[0] = v >> 8;
	at[1] = v & 0xff;
}

static void ip4_header(uint8_t *h, uint16_t len, uint8_t proto,
		       uint32_t src, uint32_t dst)
{
	uint32_t sum = 0;
	int i;

	memset(h, 0, 20);
	h[0] = 0x45;
	put16(h + 2, len);
	put16(h + 6, 0x4000);
	h[8] = 64;
	h[9] = proto;
	memcpy(h + 12, &src, 4);
	memcpy(h + 16, &dst, 4);
	for (i = 0; i < 20; i += 2)
		sum += h[i] << 8 | h[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put16(h + 10, (uint16_t)~sum);
}

/* Inner IPv4/UDP datagram of len bytes at h, UDP checksum 0 (none). */
static void inner_udp(uint8_t *h, uint16_t len, const char *src,
		      const char *dst)
{
	ip4_header(h, len, IPPROTO_UDP, inet4(src), inet4(dst));
	put16(h + 20, 40000);
	put16(h + 22, 5001);
	put16(h + 24, len - 20);
	put16(h + 26, 0);
	memset(h + 28, 'x', len - 28);
}

/* From the subscriber: Ethernet / IPv4 (IPIP) / inner, toward sub0. */
static void sub_frame(struct frame *f, uint16_t len, const char *dst)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2 };

	memcpy(f->b, macs, 12);
	put16(f->b + 12, ETH_P_IP);
	ip4_header(f->b + 14, 20 + len, IPPROTO_IPIP, inet4(REMOTE),
		   inet4(LOCAL));
	inner_udp(f->b + 34, len, "100.64.7.5", dst);
	f->len = 34 + len;
}

/* From the subscriber over 6in4: inner IPv6/UDP from 2001:db8:7::5. */
static void sub_frame6(struct frame *f, uint16_t len, const char *dst)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2 };
	uint8_t *h = f->b + 34;

	memcpy(f->b, macs, 12);
	put16(f->b + 12, ETH_P_IP);
	ip4_header(f->b + 14, 20 + len, IPPROTO_IPV6, inet4(REMOTE),
		   inet4(LOCAL));
	memset(h, 0, 40);
	h[0] = 0x60;
	put16(h + 4, len - 40);
	h[6] = IPPROTO_UDP;
	h[7] = 64;
	ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8:7::5", h + 8), 1);
	ck_assert_int_eq(inet_pton(AF_INET6, dst, h + 24), 1);
	/* UDP with a zero checksum: nothing on the path verifies it. */
	put16(h + 40, 40000);
	put16(h + 42, 5001);
	put16(h + 44, len - 40);
	put16(h + 46, 0);
	memset(h + 48, 'x', len - 48);
	f->len = 34 + len;
}

/* From the Internet to the subscriber, arriving on up0. */
static void up_frame(struct frame *f, uint16_t len, const char *src)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 1, 1, 2, 0, 0, 0, 1, 2 };

	memcpy(f->b, macs, 12);
	put16(f->b + 12, ETH_P_IP);
	inner_udp(f->b + 14, len, src, "100.64.7.5");
	f->len = 14 + len;
}

static int run(int prog_fd, const struct frame *f, uint32_t ifindex,
	       uint32_t repeat)
{
	struct xdp_md ctx = { .data_end = f->len, .ingress_ifindex = ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = f->b,
		    .data_size_in = f->len, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = repeat);

	ck_assert_int_eq(bpf_prog_test_run_opts(prog_fd, &opts), 0);
	return opts.retval;
}

static int run_sub(const struct frame *f)
{
	return run(bpf_program__fd(sub_skel->progs.tg_sub_xdp), f, sub0, 1);
}

static int run_up(const struct frame *f)
{
	return run(bpf_program__fd(up_skel->progs.tg_up_xdp), f, up0, 1);
}

/* This subscriber's counters summed over every CPU. */
static struct tg_sub_counters sub_count(void)
{
	struct tg_sub_counters *c = calloc(ncpu, sizeof(*c)), sum = { 0 };
	uint32_t n = SUB_N;
	int i, j;

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(bpf_map__lookup_elem(sub_skel->maps.tg_sub_stats, &n,
					      4, c, ncpu * sizeof(*c), 0), 0);
	for (i = 0; i < ncpu; i++) {
		for (j = 0; j < TG_DIR_MAX; j++) {
			sum.packets[j] += c[i].packets[j];
			sum.bytes[j] += c[i].bytes[j];
		}
		for (j = 0; j < TG_R_SUB_MAX; j++)
			sum.reasons[j] += c[i].reasons[j];
	}
	free(c);
	return sum;
}

/* ------------------------------------------------------------------ */
/* Community scope.                                                    */

START_TEST(test_scope_up)
{
	struct frame in, out;

	if (!enter())
		return;
	add_community("10.0.0.0", 8);
	sub_frame(&in, 100, "10.1.2.3");
	sub_frame(&out, 100, "203.0.113.200");
	/* Internet class first: both pass. */
	set_police(0, 0, 0);
	ck_assert_int_eq(run_sub(&in), XDP_REDIRECT);
	ck_assert_int_eq(run_sub(&out), XDP_REDIRECT);
	/* Community class: only the community prefix. */
	set_police(0, 0, TG_RATE_F_COMMUNITY);
	ck_assert_int_eq(run_sub(&in), XDP_REDIRECT);
	ck_assert_int_eq(run_sub(&out), XDP_DROP);
	ck_assert_uint_eq(sub_count().reasons[TG_R_SCOPE], 1);
	ck_assert_uint_eq(sub_count().packets[TG_DIR_UP], 3);
}
END_TEST

START_TEST(test_scope_up6)
{
	struct frame in, out;

	if (!enter())
		return;
	add_community6("2001:db8:c::", 48);
	sub_frame6(&in, 100, "2001:db8:c::1");
	sub_frame6(&out, 100, "2001:db8:ffff::7");
	set_police(0, 0, 0);
	ck_assert_int_eq(run_sub(&in), XDP_REDIRECT);
	ck_assert_int_eq(run_sub(&out), XDP_REDIRECT);
	set_police(0, 0, TG_RATE_F_COMMUNITY);
	ck_assert_int_eq(run_sub(&in), XDP_REDIRECT);
	ck_assert_int_eq(run_sub(&out), XDP_DROP);
	ck_assert_uint_eq(sub_count().reasons[TG_R_SCOPE], 1);
}
END_TEST

START_TEST(test_scope_down)
{
	struct frame in, out;

	if (!enter())
		return;
	add_community("10.0.0.0", 8);
	up_frame(&in, 100, "10.9.9.9");
	up_frame(&out, 100, "203.0.113.200");
	set_police(0, 0, 0);
	ck_assert_int_eq(run_up(&in), XDP_REDIRECT);
	ck_assert_int_eq(run_up(&out), XDP_REDIRECT);
	set_police(0, 0, TG_RATE_F_COMMUNITY);
	ck_assert_int_eq(run_up(&in), XDP_REDIRECT);
	ck_assert_int_eq(run_up(&out), XDP_DROP);
	ck_assert_uint_eq(sub_count().reasons[TG_R_SCOPE], 1);
	ck_assert_uint_eq(sub_count().packets[TG_DIR_DOWN], 3);
}
END_TEST

/* Back to back from an idle bucket: the burst passes, the rest not. */
START_TEST(test_bucket_burst)
{
	struct frame f;
	int i, ok = 0;

	if (!enter())
		return;
	set_police(1000000, 1000000, 0);	/* 1 Mbit/s: 8 ms per 1000 B */
	sub_frame(&f, INNER_LEN, "203.0.113.200");
	for (i = 0; i < 30; i++)
		ok += run_sub(&f) == XDP_REDIRECT;
	/* 20000 bytes of burst: 20 packets, give or take the time taken. */
	ck_assert_int_ge(ok, 20);
	ck_assert_int_le(ok, 21);
	ck_assert_uint_eq(sub_count().reasons[TG_R_POLICED_UP], 30 - ok);
	up_frame(&f, INNER_LEN, "203.0.113.200");
	ok = 0;
	for (i = 0; i < 30; i++)
		ok += run_up(&f) == XDP_REDIRECT;
	ck_assert_int_ge(ok, 20);
	ck_assert_int_le(ok, 21);
	ck_assert_uint_eq(sub_count().reasons[TG_R_POLICED_DOWN], 30 - ok);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The flood from two CPUs.                                            */

struct flood {
	pthread_t thread;
	int cpu;
	int prog_fd;
	uint32_t ifindex;
	const struct frame *f;
	double pps;		/* this thread's offered packets per second */
	uint64_t start_ns, stop_ns;
	uint64_t sent;
	int err;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * Paced to fl->pps. One packet per BPF_PROG_TEST_RUN: with repeat > 1 the
 * kernel runs the program again on the frame the previous run rewrote
 * (decapsulated, encapsulated), not on the original.
 */
static void *flood_thread(void *arg)
{
	struct flood *fl = arg;
	struct xdp_md ctx = { .data_end = fl->f->len,
			      .ingress_ifindex = fl->ifindex };
	static __thread uint8_t out[4096];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = fl->f->b,
		    .data_size_in = fl->f->len, .data_out = out,
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = 1);
	cpu_set_t set;
	uint64_t now, due;

	CPU_ZERO(&set);
	CPU_SET(fl->cpu, &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set)) {
		fl->err = EINVAL;
		return NULL;
	}
	while ((now = mono_ns()) < fl->start_ns)
		usleep(100);
	while ((now = mono_ns()) < fl->stop_ns) {
		due = (uint64_t)((now - fl->start_ns) * fl->pps / 1e9);
		if (due <= fl->sent) {
			usleep(20);
			continue;
		}
		/* data_size_out is in and out: room for the encapsulation. */
		opts.data_size_out = sizeof(out);
		if (bpf_prog_test_run_opts(fl->prog_fd, &opts)) {
			fl->err = errno;
			return NULL;
		}
		fl->sent++;
	}
	return NULL;
}

static const uint64_t flood_rates[] = { 1000000, 10000000, 100000000 };
#define N_FLOOD (2 * 3)

START_TEST(test_flood)
{
	uint64_t rate = flood_rates[_i % 3];
	bool down = _i >= 3;
	int dir = down ? TG_DIR_DOWN : TG_DIR_UP;
	struct flood fl[2];
	struct frame f;
	struct tg_sub_counters c;
	uint64_t t0, t1, sent = 0, burst;
	double want, got, pps;
	int i;

	if (!enter())
		return;
	ck_assert_msg(libbpf_num_possible_cpus() >= 2 &&
			      sysconf(_SC_NPROCESSORS_ONLN) >= 2,
		      "the flood needs two CPUs");
	/*
	 * Burst: 20 ms at the rate, at least BURST. A sender stalled longer
	 * than the burst lasts (a busy 2-CPU machine running other tests)
	 * leaves the bucket full and idle, and that time's credit is lost
	 * (rightly): the sender's fault, not the policer's.
	 */
	burst = rate / 8 / 50 > BURST ? rate / 8 / 50 : BURST;
	set_police_burst(rate, rate, 0, burst);
	if (down)
		up_frame(&f, INNER_LEN, "203.0.113.200");
	else
		sub_frame(&f, INNER_LEN, "203.0.113.200");
	/* 10x the rate in packets, split over the two threads. */
	pps = 10.0 * rate / 8 / INNER_LEN / 2;
	t0 = mono_ns() + 20000000;	/* both threads ready first */
	for (i = 0; i < 2; i++) {
		fl[i] = (struct flood){
			.cpu = i,
			.prog_fd = down ?
				bpf_program__fd(up_skel->progs.tg_up_xdp) :
				bpf_program__fd(sub_skel->progs.tg_sub_xdp),
			.ifindex = down ? up0 : sub0,
			.f = &f,
			.pps = pps,
			.start_ns = t0,
			.stop_ns = t0 + FLOOD_S * 1000000000ULL,
		};
		ck_assert_int_eq(pthread_create(&fl[i].thread, NULL,
						flood_thread, &fl[i]), 0);
	}
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(pthread_join(fl[i].thread, NULL), 0);
		ck_assert_msg(!fl[i].err, "thread %d: %s", i,
			      strerror(fl[i].err));
		sent += fl[i].sent;
	}
	t1 = mono_ns();
	c = sub_count();
	got = c.bytes[dir];
	want = rate / 8.0 * (t1 - t0) / 1e9 + burst;
	fprintf(stderr, "police flood %s %3llu Mbit/s: sent %llu B, "
		"delivered %.0f B, rate*time+burst %.0f B (%+.2f%%)\n",
		down ? "down" : "up  ", (unsigned long long)rate / 1000000,
		(unsigned long long)sent * INNER_LEN, got, want,
		100 * (got / want - 1));
	/* It was a flood: at least 5x what may pass was offered. */
	ck_assert_double_ge((double)sent * INNER_LEN, 5 * want);
	ck_assert_msg(got >= want * 0.98 && got <= want * 1.02,
		      "%s at %llu bit/s: delivered %.0f B, want %.0f B "
		      "(%+.2f%%)", down ? "down" : "up",
		      (unsigned long long)rate, got, want,
		      100 * (got / want - 1));
	ck_assert_uint_eq(c.packets[dir] + c.reasons[down ? TG_R_POLICED_DOWN :
							    TG_R_POLICED_UP],
			  sent);
}
END_TEST

Suite *bpf_police_suite(void)
{
	Suite *s = suite_create("bpf_police");
	TCase *tc;

	tc = tcase_create("scope");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_scope_up);
	tcase_add_test(tc, test_scope_up6);
	tcase_add_test(tc, test_scope_down);
	tcase_add_test(tc, test_bucket_burst);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);

	tc = tcase_create("flood");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_loop_test(tc, test_flood, 0, N_FLOOD);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}
