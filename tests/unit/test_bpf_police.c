// SPDX-License-Identifier: GPL-2.0-only
/*
 * Policing in the real programs under BPF_PROG_TEST_RUN: community scope
 * in both directions (IPv4 both ways, IPv6 upstream), the ICMP
 * "administratively prohibited" reply to a scope refusal (every byte, back
 * through IPIP, GRE with key and checksum, L2TPv2 with a learnt port and
 * a UDP checksum, 6in4), the burst of an idle bucket on either clock, the
 * coarse clock simulated in userspace, and a UDP flood at 10x a subscriber's rate from two
 * threads pinned to two CPUs at once, 5 s per run, upstream (tg_sub_xdp,
 * IPIP from the subscriber) and downstream (tg_up_xdp), at 1, 10 and 100
 * Mbit/s: the bytes delivered (tg_sub_stats of that direction) must be
 * within 2% of rate * elapsed + burst. Every test runs in a fresh network
 * namespace (Check forks per test) with two veths and private maps shared
 * by both programs. Each test runs on both builds of the programs (XDP,
 * and TC on the same maps): at TC no ICMP is built, so a scope refusal is
 * a silent drop there.
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
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dataplane/subcount.h"
#include "tungate.h"
#include "subscriber.skel.h"
#include "subscriber_tc.skel.h"
#include "uplink.skel.h"
#include "uplink_tc.skel.h"
#include "bpf_util.h"
#include "bpf_hook.h"
#include "gcra.h"

#define CAP 64
#define SUB_N 7			/* the subscriber: 100.64.7.0/24 */
#define REMOTE "192.0.2.105"	/* its tunnel endpoint, behind sub0 */
#define LOCAL "198.51.100.1"	/* ours, on up0 */
#define INNER_LEN 1000		/* inner IP datagram of the flood */
#define BURST 20000		/* bytes */
#define FLOOD_S 5

static struct subscriber_bpf *sub_skel;
static struct uplink_bpf *up_skel;
/* The hook a test runs packets through: the TC builds on the same maps. */
static enum tg_hook hook;
static struct subscriber_tc_bpf *sub_tc_skel;
static struct uplink_tc_bpf *up_tc_skel;

/* The hook's verdict where XDP gives v. */
#define V(v) ((int)tg_hook_verdict(hook, v))
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

/* Subscriber SUB_N: an IPIP tunnel both ways, 100.64.7.0/24, no rate. */
static void add_subscriber(void)
{
	struct tg_tun_key key = { .remote = inet4(REMOTE),
				  .local = inet4(LOCAL),
				  .type = TG_TUN_IPIP };
	struct tg_tunnel tun = { .c[0] = { .claim = TG_CLAIM(SUB_N, 0),
					   .mtu = 1480 } };
	struct tg_encap e = { .remote = inet4(REMOTE), .local = inet4(LOCAL),
			      .type = TG_TUN_IPIP, .mtu = 1480,
			      .flags = TG_ENC_F_DF };
	struct tg_lpm4_key k4 = { .prefixlen = 24,
				  .addr = inet4("100.64.7.0") };
	struct tg_lpm6_key k6 = { .prefixlen = 48 };
	struct tg_config cfg = { .default_ttl = 64 };
	struct tg_owners o = { .claim = { TG_CLAIM(SUB_N, 0) } };
	struct bpf_devmap_val port;
	uint32_t n = SUB_N, zero = 0;

	update(sub_skel->maps.tg_tunnels, &key, sizeof(key), &tun, sizeof(tun));
	update(sub_skel->maps.tg_encap, &n, 4, &e, sizeof(e));
	update(sub_skel->maps.tg_prefix4, &k4, sizeof(k4), &o, sizeof(o));
	key.type = TG_TUN_SIT;
	update(sub_skel->maps.tg_tunnels, &key, sizeof(key), &tun, sizeof(tun));
	ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8:7::", k6.addr), 1);
	update(sub_skel->maps.tg_prefix6, &k6, sizeof(k6), &o, sizeof(o));
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
	if (!tg_test_need_root())
		return false;
	ck_assert_msg(!unshare(CLONE_NEWNET), "unshare: %s", strerror(errno));
	ncpu = libbpf_num_possible_cpus();
	ck_assert_int_gt(ncpu, 0);
	make_topology();

	sub_skel = subscriber_bpf__open();
	ck_assert_ptr_nonnull(sub_skel);
	tg_hook_cap_maps(sub_skel->obj, CAP, BPF_MAP_TYPE_LPM_TRIE);
	ck_assert_int_eq(subscriber_bpf__load(sub_skel), 0);

	up_skel = uplink_bpf__open();
	ck_assert_ptr_nonnull(up_skel);
	tg_hook_share_maps(up_skel->obj, sub_skel->obj);
	ck_assert_int_eq(uplink_bpf__load(up_skel), 0);
	if (hook == TG_HOOK_TC) {
		sub_tc_skel = subscriber_tc_bpf__open();
		ck_assert_ptr_nonnull(sub_tc_skel);
		tg_hook_share_maps(sub_tc_skel->obj, sub_skel->obj);
		ck_assert_int_eq(subscriber_tc_bpf__load(sub_tc_skel), 0);
		up_tc_skel = uplink_tc_bpf__open();
		ck_assert_ptr_nonnull(up_tc_skel);
		tg_hook_share_maps(up_tc_skel->obj, sub_skel->obj);
		ck_assert_int_eq(uplink_tc_bpf__load(up_tc_skel), 0);
	}
	add_subscriber();
	return true;
}

/* The programs of the test's hook. */
static int sub_fd(void)
{
	return hook == TG_HOOK_TC ? bpf_program__fd(sub_tc_skel->progs.tg_sub_tc) :
				    bpf_program__fd(sub_skel->progs.tg_sub_xdp);
}

static int up_fd(void)
{
	return hook == TG_HOOK_TC ? bpf_program__fd(up_tc_skel->progs.tg_up_tc) :
				    bpf_program__fd(up_skel->progs.tg_up_xdp);
}

static void teardown(void)
{
	uplink_tc_bpf__destroy(up_tc_skel);
	subscriber_tc_bpf__destroy(sub_tc_skel);
	up_tc_skel = NULL;
	sub_tc_skel = NULL;
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

/* Internet checksum of len bytes at b, plus sum (a pseudo header). */
static uint16_t csum16(const uint8_t *b, size_t len, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += b[i] << 8 | b[i + 1];
	if (len & 1)
		sum += b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* IPv4 header, TTL 64, id 0, fragment field frag (0x4000: DF). */
static void ip4_hdr(uint8_t *h, uint16_t len, uint8_t proto, uint32_t src,
		    uint32_t dst, uint16_t frag)
{
	memset(h, 0, 20);
	h[0] = 0x45;
	put16(h + 2, len);
	put16(h + 6, frag);
	h[8] = 64;
	h[9] = proto;
	memcpy(h + 12, &src, 4);
	memcpy(h + 16, &dst, 4);
	put16(h + 10, csum16(h, 20, 0));
}

static void ip4_header(uint8_t *h, uint16_t len, uint8_t proto,
		       uint32_t src, uint32_t dst)
{
	ip4_hdr(h, len, proto, src, dst, 0x4000);
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

/* Inner IPv6/UDP datagram of len bytes at h from 2001:db8:7::5. */
static void inner_udp6(uint8_t *h, uint16_t len, const char *dst)
{
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
}

/* From the subscriber over 6in4: inner IPv6/UDP from 2001:db8:7::5. */
static void sub_frame6(struct frame *f, uint16_t len, const char *dst)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2 };

	memcpy(f->b, macs, 12);
	put16(f->b + 12, ETH_P_IP);
	ip4_header(f->b + 14, 20 + len, IPPROTO_IPV6, inet4(REMOTE),
		   inet4(LOCAL));
	inner_udp6(f->b + 34, len, dst);
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

/* One run of the subscriber program on f, its output frame into out. */
static int run_sub_out(const struct frame *f, struct frame *out)
{
	uint32_t verdict, len;

	tg_hook_run(hook, sub_fd(), f->b, f->len, sub0, out->b, sizeof(out->b),
		    &verdict, &len);
	out->len = len;
	return verdict;
}

static int run(int prog_fd, const struct frame *f, uint32_t ifindex)
{
	static uint8_t out[4096];
	uint32_t verdict, len;

	tg_hook_run(hook, prog_fd, f->b, f->len, ifindex, out, sizeof(out),
		    &verdict, &len);
	return verdict;
}

static int run_sub(const struct frame *f)
{
	return run(sub_fd(), f, sub0);
}

static int run_up(const struct frame *f)
{
	return run(up_fd(), f, up0);
}

/* This subscriber's counters summed over every CPU. */
static struct tg_sub_counters sub_count(void)
{
	struct tg_sub_counters *c = calloc(ncpu, sizeof(*c)), sum = { 0 };
	uint32_t n = SUB_N;
	int i, j;

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(tg_sub_counters_get(bpf_map__fd(sub_skel->maps.tg_sub_stats),
					     n, c), 0);
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
	struct frame in = { 0 }, out = { 0 };

	hook = _i;
	if (!enter())
		return;
	add_community("10.0.0.0", 8);
	sub_frame(&in, 100, "10.1.2.3");
	sub_frame(&out, 100, "203.0.113.200");
	/* Internet class first: both pass. */
	set_police(0, 0, 0);
	ck_assert_int_eq(run_sub(&in), V(XDP_REDIRECT));
	ck_assert_int_eq(run_sub(&out), V(XDP_REDIRECT));
	/* Community class: only the community prefix. */
	set_police(0, 0, TG_RATE_F_COMMUNITY);
	ck_assert_int_eq(run_sub(&in), V(XDP_REDIRECT));
	ck_assert_int_eq(run_sub(&out), V(XDP_DROP));
	ck_assert_uint_eq(sub_count().reasons[TG_R_SCOPE], 1);
	ck_assert_uint_eq(sub_count().packets[TG_DIR_UP], 3);
}
END_TEST

START_TEST(test_scope_up6)
{
	struct frame in = { 0 }, out = { 0 };

	hook = _i;
	if (!enter())
		return;
	add_community6("2001:db8:c::", 48);
	sub_frame6(&in, 100, "2001:db8:c::1");
	sub_frame6(&out, 100, "2001:db8:ffff::7");
	set_police(0, 0, 0);
	ck_assert_int_eq(run_sub(&in), V(XDP_REDIRECT));
	ck_assert_int_eq(run_sub(&out), V(XDP_REDIRECT));
	set_police(0, 0, TG_RATE_F_COMMUNITY);
	ck_assert_int_eq(run_sub(&in), V(XDP_REDIRECT));
	ck_assert_int_eq(run_sub(&out), V(XDP_DROP));
	ck_assert_uint_eq(sub_count().reasons[TG_R_SCOPE], 1);
}
END_TEST

START_TEST(test_scope_down)
{
	struct frame in = { 0 }, out = { 0 };

	hook = _i;
	if (!enter())
		return;
	add_community("10.0.0.0", 8);
	up_frame(&in, 100, "10.9.9.9");
	up_frame(&out, 100, "203.0.113.200");
	set_police(0, 0, 0);
	ck_assert_int_eq(run_up(&in), V(XDP_REDIRECT));
	ck_assert_int_eq(run_up(&out), V(XDP_REDIRECT));
	set_police(0, 0, TG_RATE_F_COMMUNITY);
	ck_assert_int_eq(run_up(&in), V(XDP_REDIRECT));
	ck_assert_int_eq(run_up(&out), V(XDP_DROP));
	ck_assert_uint_eq(sub_count().reasons[TG_R_SCOPE], 1);
	ck_assert_uint_eq(sub_count().packets[TG_DIR_DOWN], 3);
}
END_TEST

/* ------------------------------------------------------------------ */
/* ICMP administratively prohibited, back through the tunnel.          */

enum scope_tun { ST_IPIP, ST_GRE, ST_L2TP, ST_SIT };

#define GRE_KEY 0x01020304U
#define L2TP_TID 0x1234
#define L2TP_SID 0x5678
#define L2TP_PEER_TID 0x0a0b
#define L2TP_PEER_SID 0x0c0d
#define L2TP_SPORT 40001	/* the subscriber's source port, learnt */
#define OUTSIDE4 "198.51.100.9"
#define OUTSIDE6 "2001:db8:ffff::7"

static const uint8_t mac_sub[6] = { 2, 0, 0, 0, 0, 2 };	/* its router */
static const uint8_t mac_us[6] = { 2, 0, 0, 0, 0, 1 };

/*
 * SUB_N's tunnel of type t both ways (IPIP and 6in4 keys exist already),
 * the encapsulation entry of t with tunnel MTU mtu, community 10.0.0.0/8
 * and 2001:db8:c::/48, the community class, scope-action icmp.
 */
static void scope_icmp_setup(enum scope_tun t, uint16_t mtu)
{
	struct tg_tun_key key = { .remote = inet4(REMOTE),
				  .local = inet4(LOCAL) };
	struct tg_tunnel tun = { .c[0] = { .claim = TG_CLAIM(SUB_N, 0),
					   .mtu = 1400 } };
	struct tg_encap e = { .remote = inet4(REMOTE), .local = inet4(LOCAL),
			      .mtu = mtu, .flags = TG_ENC_F_DF };
	struct tg_config cfg = { .default_ttl = 64,
				 .flags = TG_CFG_F_SCOPE_ICMP,
				 .l2tpv2_udp_port = 1701 };
	uint32_t n = SUB_N, zero = 0;

	switch (t) {
	case ST_IPIP:
		e.type = TG_TUN_IPIP;
		break;
	case ST_SIT:
		e.type = TG_TUN_SIT;
		break;
	case ST_GRE:
		key.type = TG_TUN_GRE;
		key.id = GRE_KEY;
		key.flags = TG_KEY_F_KEYED;
		update(sub_skel->maps.tg_tunnels, &key, sizeof(key), &tun,
		       sizeof(tun));
		e.type = TG_TUN_GRE;
		e.peer_id = GRE_KEY;
		e.flags |= TG_ENC_F_GRE_KEY | TG_ENC_F_GRE_CSUM;
		break;
	case ST_L2TP:
		key.type = TG_TUN_L2TPV2;
		key.id = L2TP_TID << 16 | L2TP_SID;
		update(sub_skel->maps.tg_tunnels, &key, sizeof(key), &tun,
		       sizeof(tun));
		e.type = TG_TUN_L2TPV2;
		e.peer_id = L2TP_PEER_TID << 16 | L2TP_PEER_SID;
		e.flags |= TG_ENC_F_UDP_CSUM;
		break;
	}
	update(sub_skel->maps.tg_encap, &n, 4, &e, sizeof(e));
	update(sub_skel->maps.tg_config, &zero, 4, &cfg, sizeof(cfg));
	add_community("10.0.0.0", 8);
	add_community6("2001:db8:c::", 48);
	set_police(0, 0, TG_RATE_F_COMMUNITY);
}

/* Tunnel header bytes of t around a payload of ethertype proto. */
static size_t tun_hdr(enum scope_tun t, uint8_t *h, uint16_t proto,
		      bool reply)
{
	switch (t) {
	case ST_GRE:
		if (reply) {
			/* Checksum (filled in later) and key. */
			put16(h, 0xa000);
			put16(h + 2, proto);
			memset(h + 4, 0, 4);
			put16(h + 8, GRE_KEY >> 16);
			put16(h + 10, GRE_KEY & 0xffff);
			return 12;
		}
		put16(h, 0x2000);
		put16(h + 2, proto);
		put16(h + 4, GRE_KEY >> 16);
		put16(h + 6, GRE_KEY & 0xffff);
		return 8;
	case ST_L2TP:
		/* UDP (ports, length and checksum later), L2TPv2, PPP. */
		memset(h, 0, 8);
		put16(h + 8, 0x0002);
		put16(h + 10, reply ? L2TP_PEER_TID : L2TP_TID);
		put16(h + 12, reply ? L2TP_PEER_SID : L2TP_SID);
		h[14] = 0xff;
		h[15] = 0x03;
		put16(h + 16, proto == ETH_P_IP ? 0x0021 : 0x0057);
		return 18;
	default:
		return 0;
	}
}

static uint8_t tun_proto(enum scope_tun t)
{
	static const uint8_t p[] = { [ST_IPIP] = IPPROTO_IPIP,
				     [ST_GRE] = IPPROTO_GRE,
				     [ST_L2TP] = IPPROTO_UDP,
				     [ST_SIT] = IPPROTO_IPV6 };

	return p[t];
}

/*
 * Ethernet, outer IPv4 (src -> dst, fragment field frag), tunnel header
 * of t and the datagram (len bytes of ethertype proto) into f; the UDP
 * and GRE checksums of a reply filled in.
 */
static void encap_frame(struct frame *f, enum scope_tun t, bool reply,
			const uint8_t *dgram, uint16_t len, uint16_t proto)
{
	uint32_t src = inet4(reply ? LOCAL : REMOTE);
	uint32_t dst = inet4(reply ? REMOTE : LOCAL);
	uint8_t *o = f->b + 14, *th = o + 20;
	size_t tl;

	memcpy(f->b, reply ? mac_sub : mac_us, 6);
	memcpy(f->b + 6, reply ? mac_us : mac_sub, 6);
	put16(f->b + 12, ETH_P_IP);
	tl = tun_hdr(t, th, proto, reply);
	memcpy(th + tl, dgram, len);
	ip4_hdr(o, 20 + tl + len, tun_proto(t), src, dst, 0x4000);
	f->len = 14 + 20 + tl + len;
	if (t == ST_L2TP) {
		uint32_t ph = 0;
		uint16_t c;

		put16(th, reply ? 1701 : L2TP_SPORT);
		put16(th + 2, reply ? L2TP_SPORT : 1701);
		put16(th + 4, tl + len);
		if (reply) {
			/* Pseudo header: addresses, protocol, UDP length. */
			ph = (o[12] << 8 | o[13]) + (o[14] << 8 | o[15]) +
			     (o[16] << 8 | o[17]) + (o[18] << 8 | o[19]) +
			     IPPROTO_UDP + tl + len;
			c = csum16(th, tl + len, ph);
			put16(th + 6, c ? c : 0xffff);
		}
	}
	if (t == ST_GRE && reply)
		put16(th + 4, csum16(th, tl + len, 0));
}

/*
 * The reply we must send for the datagram dgram (len bytes) from SUB_N:
 * ICMP 3/13 from LOCAL (IPv4) or ICMPv6 1/1 from the refused destination
 * (IPv6), quoting at most max - headers bytes, in tunnel t.
 */
static void expect_reply(struct frame *f, enum scope_tun t,
			 const uint8_t *dgram, uint16_t len, uint16_t max)
{
	bool v6 = dgram[0] >> 4 == 6;
	uint16_t hlen = v6 ? 48 : 28, quote = len < max - hlen ? len :
								   max - hlen;
	uint8_t msg[1500];
	uint32_t ph = 0;
	int i;

	memset(msg, 0, hlen);
	memcpy(msg + hlen, dgram, quote);
	if (!v6) {
		uint32_t src;

		memcpy(&src, dgram + 12, 4);
		ip4_hdr(msg, hlen + quote, IPPROTO_ICMP, inet4(LOCAL), src, 0);
		msg[20] = 3;
		msg[21] = 13;
		put16(msg + 22, csum16(msg + 20, 8 + quote, 0));
	} else {
		msg[0] = 0x60;
		put16(msg + 4, 8 + quote);
		msg[6] = 58;
		msg[7] = 64;
		memcpy(msg + 8, dgram + 24, 16);
		memcpy(msg + 24, dgram + 8, 16);
		msg[40] = 1;
		msg[41] = 1;
		for (i = 8; i < 40; i += 2)
			ph += msg[i] << 8 | msg[i + 1];
		ph += 8 + quote + 58;
		put16(msg + 42, csum16(msg + 40, 8 + quote, ph));
	}
	encap_frame(f, t, true, msg, hlen + quote,
		    v6 ? ETH_P_IPV6 : ETH_P_IP);
}

static uint64_t global_scope(void)
{
	struct tg_counter *c = calloc(ncpu, sizeof(*c));
	uint32_t r = TG_R_SCOPE;
	uint64_t sum = 0;
	int i;

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(bpf_map__lookup_elem(sub_skel->maps.tg_global_stats,
					      &r, 4, c, ncpu * sizeof(*c), 0),
			 0);
	for (i = 0; i < ncpu; i++)
		sum += c[i].packets;
	free(c);
	return sum;
}

static void check_frame(const struct frame *got, const struct frame *want)
{
	size_t i;

	for (i = 0; i < got->len && i < want->len && got->b[i] == want->b[i];
	     i++)
		;
	ck_assert_msg(got->len == want->len && i == want->len,
		      "reply of %zu bytes, want %zu; first difference at byte "
		      "%zu (0x%02x, want 0x%02x)", got->len, want->len, i,
		      i < got->len ? got->b[i] : 0,
		      i < want->len ? want->b[i] : 0);
}

/*
 * A community-scope subscriber's datagram of len bytes to outside the
 * community through tunnel t (MTU mtu): answered with the exact reply,
 * counted as scope; one to inside the community still forwarded.
 */
static void scope_icmp_case(enum scope_tun t, uint16_t len, uint16_t mtu)
{
	bool v6 = t == ST_SIT;
	uint16_t proto = v6 ? ETH_P_IPV6 : ETH_P_IP;
	struct frame in = { 0 }, out = { 0 }, want = { 0 };
	uint8_t dgram[1500];
	uint64_t before = sub_count().reasons[TG_R_SCOPE];

	if (v6)
		inner_udp6(dgram, len, OUTSIDE6);
	else
		inner_udp(dgram, len, "100.64.7.5", OUTSIDE4);
	encap_frame(&in, t, false, dgram, len, proto);
	expect_reply(&want, t, dgram, len,
		     mtu < (v6 ? 1280 : 576) ? mtu : (v6 ? 1280 : 576));
	if (hook == TG_HOOK_TC) {
		/* No reply at TC: dropped as it came. */
		ck_assert_int_eq(run_sub_out(&in, &out), TC_ACT_SHOT);
		check_frame(&out, &in);
	} else {
		ck_assert_int_eq(run_sub_out(&in, &out), XDP_TX);
		check_frame(&out, &want);
	}
	ck_assert_uint_eq(sub_count().reasons[TG_R_SCOPE], before + 1);
	ck_assert_uint_eq(global_scope(), before + 1);

	if (v6)
		inner_udp6(dgram, len, "2001:db8:c::1");
	else
		inner_udp(dgram, len, "100.64.7.5", "10.1.2.3");
	encap_frame(&in, t, false, dgram, len, proto);
	ck_assert_int_eq(run_sub_out(&in, &out), V(XDP_REDIRECT));
}

/*
 * Each tunnel: tunnel MTU, a short datagram, and a long one whose quote
 * is cut (to 576 / 1280 bytes in all, or to the tunnel MTU).
 */
static const struct {
	enum scope_tun t;
	uint16_t mtu, len[2];
} scope_icmp_cases[] = {
	{ ST_IPIP, 1480, { 100, 1000 } },
	{ ST_IPIP, 300, { 99, 1000 } },
	{ ST_GRE, 1476, { 301, 1200 } },
	{ ST_L2TP, 1460, { 200, 777 } },
	{ ST_SIT, 1480, { 100, 1400 } },
};
#define N_SCOPE_ICMP (sizeof(scope_icmp_cases) / sizeof(scope_icmp_cases[0]))

/* _i / TG_HOOKS the case, _i % TG_HOOKS the hook. */
START_TEST(test_scope_icmp)
{
	int n = _i / TG_HOOKS;
	enum scope_tun t = scope_icmp_cases[n].t;
	uint16_t mtu = scope_icmp_cases[n].mtu;

	hook = _i % TG_HOOKS;
	if (!enter())
		return;
	scope_icmp_setup(t, mtu);
	scope_icmp_case(t, scope_icmp_cases[n].len[0], mtu);
	scope_icmp_case(t, scope_icmp_cases[n].len[1], mtu);
}
END_TEST

/*
 * No reply, still counted: scope-action drop, an ICMP error quoted by
 * the refused datagram, and beyond TG_ICMP_RATE replies a second on this
 * CPU (the budget the "too big" replies share).
 */
START_TEST(test_scope_icmp_refused)
{
	uint32_t zero = 0, n = SUB_N;
	struct tg_config cfg = { .default_ttl = 64 };
	struct tg_encap none = { 0 };
	struct frame in = { 0 }, out = { 0 };
	uint8_t dgram[200];
	int i, tx = 0, drop = 0;

	hook = _i;
	if (!enter())
		return;
	tg_test_pin_cpu();
	scope_icmp_setup(ST_IPIP, 1480);
	inner_udp(dgram, sizeof(dgram), "100.64.7.5", OUTSIDE4);
	/* An ICMP destination unreachable of its own. */
	dgram[9] = IPPROTO_ICMP;
	put16(dgram + 10, 0);
	put16(dgram + 10, csum16(dgram, 20, 0));
	dgram[20] = 3;
	encap_frame(&in, ST_IPIP, false, dgram, sizeof(dgram), ETH_P_IP);
	ck_assert_int_eq(run_sub_out(&in, &out), V(XDP_DROP));
	/* An echo request is answered. */
	dgram[20] = 8;
	encap_frame(&in, ST_IPIP, false, dgram, sizeof(dgram), ETH_P_IP);
	ck_assert_int_eq(run_sub_out(&in, &out),
			 hook == TG_HOOK_TC ? TC_ACT_SHOT : XDP_TX);
	/* The budget: one reply went already. */
	inner_udp(dgram, sizeof(dgram), "100.64.7.5", OUTSIDE4);
	encap_frame(&in, ST_IPIP, false, dgram, sizeof(dgram), ETH_P_IP);
	for (i = 0; i < 150; i++) {
		int v = run_sub_out(&in, &out);

		tx += hook == TG_HOOK_XDP && v == XDP_TX;
		drop += v == V(XDP_DROP);
	}
	/* At TC no reply at all. */
	ck_assert_int_eq(tx, hook == TG_HOOK_TC ? 0 : 99);
	ck_assert_int_eq(drop, hook == TG_HOOK_TC ? 150 : 51);
	/* No ICMP without the setting; no encapsulation entry: no ICMP. */
	update(sub_skel->maps.tg_config, &zero, 4, &cfg, sizeof(cfg));
	ck_assert_int_eq(run_sub_out(&in, &out), V(XDP_DROP));
	cfg.flags = TG_CFG_F_SCOPE_ICMP;
	update(sub_skel->maps.tg_config, &zero, 4, &cfg, sizeof(cfg));
	update(sub_skel->maps.tg_encap, &n, 4, &none, sizeof(none));
	ck_assert_int_eq(run_sub_out(&in, &out), V(XDP_DROP));
	ck_assert_uint_eq(sub_count().reasons[TG_R_SCOPE], 154);
	ck_assert_uint_eq(global_scope(), 154);
}
END_TEST

/* Back to back from an idle bucket: the burst passes, the rest not. */
START_TEST(test_bucket_burst)
{
	struct frame f;
	int i, ok = 0;

	hook = _i;
	if (!enter())
		return;
	set_police(1000000, 1000000, 0);	/* 1 Mbit/s: 8 ms per 1000 B */
	sub_frame(&f, INNER_LEN, "203.0.113.200");
	for (i = 0; i < 30; i++)
		ok += run_sub(&f) == V(XDP_REDIRECT);
	/* 20000 bytes of burst: 20 packets, give or take the time taken. */
	ck_assert_int_ge(ok, 20);
	ck_assert_int_le(ok, 21);
	ck_assert_uint_eq(sub_count().reasons[TG_R_POLICED_UP], 30 - ok);
	up_frame(&f, INNER_LEN, "203.0.113.200");
	ok = 0;
	for (i = 0; i < 30; i++)
		ok += run_up(&f) == V(XDP_REDIRECT);
	ck_assert_int_ge(ok, 20);
	ck_assert_int_le(ok, 21);
	ck_assert_uint_eq(sub_count().reasons[TG_R_POLICED_DOWN], 30 - ok);
}
END_TEST

/* The same on the coarse clock (burst of 300 ms): less by at most a tick. */
START_TEST(test_bucket_burst_coarse)
{
	uint64_t burst = 1000000 / 8 * 3 / 10;	/* 37500 B */
	struct frame f;
	int i, ok = 0;

	hook = _i;
	if (!enter())
		return;
	set_police_burst(1000000, 1000000, 0, burst);
	sub_frame(&f, INNER_LEN, "203.0.113.200");
	for (i = 0; i < 50; i++)
		ok += run_sub(&f) == V(XDP_REDIRECT);
	/* (300 ms - TG_GCRA_COARSE_LAG) / 8 ms: 36, 37 if a tick passed. */
	ck_assert_int_ge(ok, 36);
	ck_assert_int_le(ok, 37);
	ck_assert_uint_eq(sub_count().reasons[TG_R_POLICED_UP], 50 - ok);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The coarse clock, simulated: gcra.h in userspace, no BPF.           */

/* Arrival patterns: flood, on/off bursts, random sizes and gaps, ticks. */
enum { SIM_FLOOD, SIM_ONOFF, SIM_RANDOM, SIM_TICK_EDGE, N_SIM };

static const uint64_t sim_rates[] = { 1000000ULL, 100000000ULL,
				      10000000000ULL };
static const uint64_t sim_ticks[] = { 1000000, 4000000, 10000000 };	/* ns */
#define N_SIM_RUNS (N_SIM * 3 * 3)

/*
 * Packets of one pattern against a bucket on the coarse clock of one tick
 * (the clock stands at the last tick, as bpf_ktime_get_coarse_ns()), the
 * tolerance the default burst gives (300 ms). Never more than the fine
 * clock allows in any window (rate * window + burst); in the flood, the
 * total within 1% of rate * time + burst.
 */
START_TEST(test_coarse_sim)
{
	int pattern = _i % N_SIM;
	uint64_t rate = sim_rates[_i / N_SIM % 3];
	uint64_t tick = sim_ticks[_i / N_SIM / 3];
	uint64_t burst = rate / 8 * 3 / 10, t0 = 123456789012345ULL;
	double bps = rate / 8.0, worst = -1e300, lead = -1e300, total;
	uint64_t t = t0, admitted = 0, end, gap;
	__u64 tat = 0, nt;
	uint64_t n = 0, maxlen = 0, cost, in_burst = 0, per_tick;
	struct tg_police p = { 0 };
	bool after = false;
	uint32_t len;

	srand48(_i);
	tg_gcra_set(&p, 0, rate, burst);
	ck_assert(tg_gcra_coarse(p.tolerance[0]));
	/* About 400,000 packets, at least 2 s. */
	gap = (uint64_t)(1500 * 8e9 / rate / 3);
	end = t0 + (gap * 400000 > 2000000000ULL ? gap * 400000 : 2000000000ULL);
	per_tick = rate / 8 * tick / 1000000000ULL / 1500 + 1;
	if (pattern == SIM_TICK_EDGE)
		t = t0 - t0 % tick + tick - per_tick - 2000;
	while (t < end) {
		uint64_t c = t - t % tick;

		switch (pattern) {
		case SIM_RANDOM:
			len = 64 + lrand48() % (9000 - 64);
			break;
		default:
			len = 1500;
		}
		if (len > maxlen)
			maxlen = len;
		cost = tg_gcra_cost(len, p.interval[0]);
		if (tg_gcra_admit(tat, tg_gcra_time(c), cost,
				  tg_gcra_time(tg_gcra_coarse_tol(
					  p.tolerance[0])), &nt)) {
			tat = nt;
			/*
			 * Window check: bytes admitted in [a, t] minus
			 * rate * (t - a), at most the burst, for every a
			 * that is an admitted packet's time.
			 */
			if (bps * ((t - t0) / 1e9) - admitted > lead)
				lead = bps * ((t - t0) / 1e9) - admitted;
			admitted += len;
			if (admitted - bps * ((t - t0) / 1e9) + lead > worst)
				worst = admitted - bps * ((t - t0) / 1e9) + lead;
		}
		n++;
		switch (pattern) {
		case SIM_FLOOD:		/* 3x the rate, evenly */
			t += gap;
			break;
		case SIM_ONOFF:		/* 4x for 100 ms, idle 300 ms */
			t += (t - t0) % 400000000 < 100000000 ? gap * 3 / 4 :
								300000000;
			break;
		case SIM_RANDOM:	/* 3x on average, random gaps */
			t += lrand48() % (2 * gap * len / 1500 + 1);
			break;
		case SIM_TICK_EDGE:
			/*
			 * 2x: a tick's worth of packets 1 ns apart right
			 * before each tick, another right after it.
			 */
			if (++in_burst < per_tick) {
				t += 1;
			} else {
				in_burst = 0;
				after = !after;
				t += after ? 2000 : tick - per_tick - 2000;
			}
			break;
		}
	}
	total = bps * ((t - t0) / 1e9) + burst;
	/* Never beyond what the fine clock admits (a packet of rounding). */
	ck_assert_msg(worst <= burst + maxlen,
		      "pattern %d, %llu bit/s, tick %llu ns: %.0f B beyond "
		      "rate * window in a window, burst %llu",
		      pattern, (unsigned long long)rate,
		      (unsigned long long)tick, worst,
		      (unsigned long long)burst);
	if (pattern == SIM_FLOOD)
		ck_assert_msg(admitted >= total * 0.99 &&
				      admitted <= total * 1.001,
			      "flood at %llu bit/s, tick %llu ns: %llu B "
			      "admitted of %.0f (%+.2f%%)",
			      (unsigned long long)rate,
			      (unsigned long long)tick,
			      (unsigned long long)admitted, total,
			      100 * (admitted / total - 1));
	ck_assert_uint_gt(n, 1000);
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
	uint64_t burst_ns;	/* how long the burst lasts at the rate */
	uint64_t sent;
	uint64_t stall_ns;	/* gaps between sends beyond burst_ns, summed */
	uint64_t end_ns;	/* after the last send */
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
	struct __sk_buff skb = { .ifindex = fl->ifindex,
				 .ingress_ifindex = fl->ifindex };
	static __thread uint8_t out[4096];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = fl->f->b,
		    .data_size_in = fl->f->len, .data_out = out,
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = 1);
	cpu_set_t set;
	uint64_t now, due, last;

	if (hook == TG_HOOK_TC) {
		opts.ctx_in = &skb;
		opts.ctx_size_in = sizeof(skb);
	}
	CPU_ZERO(&set);
	CPU_SET(fl->cpu, &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set)) {
		fl->err = EINVAL;
		return NULL;
	}
	while ((now = mono_ns()) < fl->start_ns)
		usleep(100);
	last = now;
	while ((now = mono_ns()) < fl->stop_ns) {
		/*
		 * A thread the scheduler put aside (a busy machine) sends
		 * nothing; what the bucket could not hold of that time is
		 * lost, rightly. Summed here, it lowers what must pass.
		 */
		if (now - last > fl->burst_ns)
			fl->stall_ns += now - last - fl->burst_ns;
		last = now;
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
		fl->end_ns = mono_ns();
	}
	return NULL;
}

/* The last one with the default burst (300 ms): the coarse clock. */
static const uint64_t flood_rates[] = { 1000000, 10000000, 100000000,
					10000000 };
#define N_FLOOD_RATES 4
#define N_FLOOD (2 * N_FLOOD_RATES)

/* _i / N_FLOOD the hook, _i % N_FLOOD the rate and direction. */
START_TEST(test_flood)
{
	int n = _i % N_FLOOD;
	uint64_t rate = flood_rates[n % N_FLOOD_RATES];
	bool coarse = n % N_FLOOD_RATES == N_FLOOD_RATES - 1;
	bool down = n >= N_FLOOD_RATES;
	int dir = down ? TG_DIR_DOWN : TG_DIR_UP;
	struct flood fl[2];
	struct frame f;
	struct tg_sub_counters c;
	uint64_t t0, t1, sent = 0, burst, stall;
	double want, got, pps, floor;
	int i;

	hook = _i / N_FLOOD;
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
	if (coarse)
		burst = rate / 8 * 3 / 10;
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
			.prog_fd = down ? up_fd() : sub_fd(),
			.ifindex = down ? up0 : sub0,
			.f = &f,
			.pps = pps,
			.start_ns = t0,
			.stop_ns = t0 + FLOOD_S * 1000000000ULL,
			.burst_ns = burst * 8 * 1000000000ULL / rate,
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
	/* The flood's own end, not when this thread got to run again. */
	t1 = fl[0].end_ns > fl[1].end_ns ? fl[0].end_ns : fl[1].end_ns;
	c = sub_count();
	got = c.bytes[dir];
	want = rate / 8.0 * (t1 - t0) / 1e9 + burst;
	/* The bucket idles only while both threads stall. */
	stall = fl[0].stall_ns < fl[1].stall_ns ? fl[0].stall_ns :
						  fl[1].stall_ns;
	floor = want - rate / 8.0 * stall / 1e9;
	fprintf(stderr, "police flood %-3s %s %3llu Mbit/s%s: sent %llu B, "
		"delivered %.0f B, rate*time+burst %.0f B (%+.2f%%), "
		"senders stalled %.1f ms\n",
		tg_hook_name(hook), down ? "down" : "up  ",
		(unsigned long long)rate / 1000000,
		coarse ? " (coarse clock)" : "",
		(unsigned long long)sent * INNER_LEN, got, want,
		100 * (got / want - 1), stall / 1e6);
	/* It was a flood: at least 5x what may pass was offered. */
	ck_assert_double_ge((double)sent * INNER_LEN, 5 * want);
	ck_assert_msg(got >= floor * 0.98 && got <= want * 1.02,
		      "%s at %llu bit/s: delivered %.0f B, want %.0f B "
		      "(%+.2f%%; at least %.0f B with the senders stalled "
		      "%.1f ms)", down ? "down" : "up",
		      (unsigned long long)rate, got, want,
		      100 * (got / want - 1), floor * 0.98, stall / 1e6);
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
	tcase_add_loop_test(tc, test_scope_up, 0, TG_HOOKS);
	tcase_add_loop_test(tc, test_scope_up6, 0, TG_HOOKS);
	tcase_add_loop_test(tc, test_scope_down, 0, TG_HOOKS);
	tcase_add_loop_test(tc, test_scope_icmp, 0, N_SCOPE_ICMP * TG_HOOKS);
	tcase_add_loop_test(tc, test_scope_icmp_refused, 0, TG_HOOKS);
	tcase_add_loop_test(tc, test_bucket_burst, 0, TG_HOOKS);
	tcase_add_loop_test(tc, test_bucket_burst_coarse, 0, TG_HOOKS);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);

	tc = tcase_create("coarse_sim");
	tcase_add_loop_test(tc, test_coarse_sim, 0, N_SIM_RUNS);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);

	tc = tcase_create("flood");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_loop_test(tc, test_flood, 0, N_FLOOD * TG_HOOKS);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}
