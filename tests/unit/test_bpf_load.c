// SPDX-License-Identifier: GPL-2.0-only
/*
 * The BPF programs load on this kernel's verifier, and hand-built packets
 * run through tg_sub_xdp and tg_sub_tc (the TC build, on the same maps)
 * with BPF_PROG_TEST_RUN give the expected verdict, reason, counters and
 * output bytes. Every test runs in a fresh network namespace (Check forks
 * per test), with unpinned private maps.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <net/if.h>
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

#include "dataplane/subcount.h"
#include "tungate.h"
#include "subscriber.skel.h"
#include "subscriber_tc.skel.h"
#include "pass.skel.h"
#include "bpf_util.h"
#include "bpf_hook.h"

#ifndef IPPROTO_L2TP
#define IPPROTO_L2TP 115
#endif

#define TG_LOCAL "198.51.100.1"
#define TG_PKT_MAX 4096
#define TG_FIX_MAX 8

/* Ports the tests configure for both L2TP versions. */
#define TG_TEST_L2TP_PORT 1701

/* ------------------------------------------------------------------ */
/* Packet builder: appends headers, fixes lengths/checksums at the end. */

enum fix_kind { FIX_IP4, FIX_IP6, FIX_UDP, FIX_GRE_CSUM };

struct pkt {
	uint8_t b[TG_PKT_MAX];
	size_t len;
	size_t inner_off;	/* inner IP header, for decapsulated output */
	uint16_t inner_type;	/* its ethertype */
	struct {
		enum fix_kind kind;
		size_t off;
	} fix[TG_FIX_MAX];
	int nfix;
};

static void put(struct pkt *p, const void *d, size_t n)
{
	ck_assert_uint_le(p->len + n, sizeof(p->b));
	memcpy(p->b + p->len, d, n);
	p->len += n;
}

static void put8(struct pkt *p, uint8_t v)
{
	put(p, &v, 1);
}

static void put16(struct pkt *p, uint16_t v)
{
	v = htons(v);
	put(p, &v, 2);
}

static void put32(struct pkt *p, uint32_t v)
{
	v = htonl(v);
	put(p, &v, 4);
}

static void put_fill(struct pkt *p, size_t n)
{
	while (n--)
		put8(p, (uint8_t)(0x41 + n % 26));
}

static void add_fix(struct pkt *p, enum fix_kind kind, size_t off)
{
	ck_assert_int_lt(p->nfix, TG_FIX_MAX);
	p->fix[p->nfix].kind = kind;
	p->fix[p->nfix].off = off;
	p->nfix++;
}

static uint32_t inet4(const char *s)
{
	struct in_addr a;

	ck_assert_int_eq(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

static uint16_t csum16(const uint8_t *d, size_t n)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += d[i] << 8 | d[i + 1];
	if (n & 1)
		sum += d[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void eth(struct pkt *p, uint16_t type)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2 };

	put(p, macs, sizeof(macs));
	put16(p, type);
}

static void vlan(struct pkt *p, uint16_t vid, uint16_t type)
{
	put16(p, vid);
	put16(p, type);
}

static size_t ip4(struct pkt *p, uint8_t proto, const char *src,
		  const char *dst, uint8_t ttl)
{
	size_t off = p->len;
	uint32_t a;

	put8(p, 0x45);
	put8(p, 0);
	put16(p, 0);		/* tot_len, fixed later */
	put16(p, 0x1234);
	put16(p, 0);
	put8(p, ttl);
	put8(p, proto);
	put16(p, 0);		/* checksum, fixed later */
	a = inet4(src);
	put(p, &a, 4);
	a = inet4(dst);
	put(p, &a, 4);
	add_fix(p, FIX_IP4, off);
	return off;
}

static size_t ip6(struct pkt *p, uint8_t nexthdr, const char *src,
		  const char *dst, uint8_t hlim)
{
	size_t off = p->len;
	uint8_t a[16];

	put32(p, 0x60012345);	/* version 6, flow label 0x12345 */
	put16(p, 0);		/* payload length, fixed later */
	put8(p, nexthdr);
	put8(p, hlim);
	ck_assert_int_eq(inet_pton(AF_INET6, src, a), 1);
	put(p, a, 16);
	ck_assert_int_eq(inet_pton(AF_INET6, dst, a), 1);
	put(p, a, 16);
	add_fix(p, FIX_IP6, off);
	return off;
}

static void udp(struct pkt *p, uint16_t sport, uint16_t dport)
{
	add_fix(p, FIX_UDP, p->len);
	put16(p, sport);
	put16(p, dport);
	put16(p, 0);		/* length, fixed later */
	put16(p, 0);		/* no checksum */
}

/* Fix lengths and checksums, innermost first. */
static void finish(struct pkt *p)
{
	int i;

	for (i = p->nfix - 1; i >= 0; i--) {
		size_t off = p->fix[i].off;
		uint8_t *h = p->b + off;
		size_t n = p->len - off;
		uint16_t c;

		switch (p->fix[i].kind) {
		case FIX_IP4:
			h[2] = n >> 8;
			h[3] = n & 0xff;
			h[10] = h[11] = 0;
			c = csum16(h, (h[0] & 0xf) * 4);
			h[10] = c >> 8;
			h[11] = c & 0xff;
			break;
		case FIX_IP6:
			h[4] = (n - 40) >> 8;
			h[5] = (n - 40) & 0xff;
			break;
		case FIX_UDP:
			h[4] = n >> 8;
			h[5] = n & 0xff;
			break;
		case FIX_GRE_CSUM:
			h[4] = h[5] = 0;
			c = csum16(h, n);
			h[4] = c >> 8;
			h[5] = c & 0xff;
			break;
		}
	}
}

/* Outer Ethernet + IPv4 from subscriber n (203.0.113.n) to us. */
static void outer(struct pkt *p, uint8_t proto, int n)
{
	char src[32];

	snprintf(src, sizeof(src), "203.0.113.%d", n);
	eth(p, ETH_P_IP);
	ip4(p, proto, src, TG_LOCAL, 64);
}

/* Inner IPv4/UDP datagram from subscriber n's prefix (100.64.n.0/24). */
static void inner4(struct pkt *p, int n, uint8_t ttl, size_t payload)
{
	char src[32];

	snprintf(src, sizeof(src), "100.64.%d.2", n);
	p->inner_off = p->len;
	p->inner_type = ETH_P_IP;
	ip4(p, IPPROTO_UDP, src, "203.0.113.200", ttl);
	udp(p, 40000 + n, 5000);
	put_fill(p, payload);
}

/* Inner IPv6/UDP datagram from subscriber n's prefix (2001:db8:n::/48). */
static void inner6(struct pkt *p, int n, uint8_t hlim)
{
	char src[64];

	snprintf(src, sizeof(src), "2001:db8:%d::2", n);
	p->inner_off = p->len;
	p->inner_type = ETH_P_IPV6;
	ip6(p, IPPROTO_UDP, src, "2001:db8:ffff::77", hlim);
	udp(p, 40000 + n, 5000);
	put_fill(p, 13);
}

/* Inner Ethernet frame header, with vlans tags (0..2). */
static void inner_eth(struct pkt *p, int vlans, uint16_t type)
{
	if (vlans == 2) {
		eth(p, ETH_P_8021AD);
		vlan(p, 100, ETH_P_8021Q);
		vlan(p, 200, type);
	} else if (vlans == 1) {
		eth(p, ETH_P_8021Q);
		vlan(p, 100, type);
	} else {
		eth(p, type);
	}
}

/* ------------------------------------------------------------------ */
/* The subscribers every packet test starts with.                      */

enum {
	SUB_IPIP = 1,
	SUB_SIT,
	SUB_GRE,
	SUB_GRE_KEY,
	SUB_GRETAP,
	SUB_EOIP,
	SUB_L2TPV3_IP,		/* cookie 8, sublayer */
	SUB_L2TPV3_UDP,		/* cookie 4, no sublayer */
	SUB_L2TPV2,
	SUB_L2TPV3_PLAIN,	/* L2TPv3 over IP, no cookie, no sublayer */
	SUB_COUNT,
};

#define GRE_KEY 1000
#define EOIP_ID 0x1234
#define L2TPV3_IP_SESSION 0x01020304
#define L2TPV3_UDP_SESSION 77
#define L2TPV3_PLAIN_SESSION 88
#define L2TPV2_TUNNEL 10
#define L2TPV2_SESSION 20

static const uint8_t cookie8[8] = { 0xc0, 0x0c, 0x1e, 0x5e, 0xca, 0xfe, 0xf0, 0x0d };
static const uint8_t cookie4[4] = { 0xde, 0xad, 0xbe, 0xef };

static struct subscriber_bpf *skel;
/* The hook the test runs packets through; its TC build on skel's maps. */
static enum tg_hook hook;
static struct subscriber_tc_bpf *skel_tc;
static int ncpu;
static int test_cpu;

static void add_tunnel(int n, uint8_t type, uint32_t id, uint8_t kflags,
		       uint8_t tflags, const uint8_t *cookie, uint8_t cookie_len)
{
	struct tg_tun_key k = { .id = id, .type = type, .flags = kflags };
	struct tg_tunnel t = { .c[0] = { .claim = TG_CLAIM(n, 0), .mtu = 1400,
					 .flags = tflags } };
	char src[32];

	snprintf(src, sizeof(src), "203.0.113.%d", n);
	k.remote = inet4(src);
	k.local = inet4(TG_LOCAL);
	t.c[0].cookie_len = cookie_len;
	if (cookie_len)
		memcpy(t.c[0].cookie, cookie, cookie_len);
	ck_assert_int_eq(bpf_map__update_elem(skel->maps.tg_tunnels, &k,
					      sizeof(k), &t, sizeof(t), 0), 0);
}

static void add_prefixes(int n)
{
	struct tg_lpm4_key k4 = { .prefixlen = 24 };
	struct tg_lpm6_key k6 = { .prefixlen = 48 };
	struct tg_owners v = { .claim = { TG_CLAIM(n, 0) } };
	char s[64];

	snprintf(s, sizeof(s), "100.64.%d.0", n);
	k4.addr = inet4(s);
	ck_assert_int_eq(bpf_map__update_elem(skel->maps.tg_prefix4, &k4,
					      sizeof(k4), &v, sizeof(v), 0), 0);
	snprintf(s, sizeof(s), "2001:db8:%d::", n);
	ck_assert_int_eq(inet_pton(AF_INET6, s, k6.addr), 1);
	ck_assert_int_eq(bpf_map__update_elem(skel->maps.tg_prefix6, &k6,
					      sizeof(k6), &v, sizeof(v), 0), 0);
}

static void set_config(uint32_t flags, uint16_t v3_port, uint16_t v2_port)
{
	struct tg_config cfg = {
		.flags = flags,
		.l2tpv3_udp_port = v3_port,
		.l2tpv2_udp_port = v2_port,
	};
	__u32 zero = 0;

	ck_assert_int_eq(bpf_map__update_elem(skel->maps.tg_config, &zero,
					      sizeof(zero), &cfg, sizeof(cfg),
					      0), 0);
}

static void fill_maps(void)
{
	int n;

	set_config(0, TG_TEST_L2TP_PORT, TG_TEST_L2TP_PORT);
	add_tunnel(SUB_IPIP, TG_TUN_IPIP, 0, 0, 0, NULL, 0);
	add_tunnel(SUB_SIT, TG_TUN_SIT, 0, 0, 0, NULL, 0);
	add_tunnel(SUB_GRE, TG_TUN_GRE, 0, 0, 0, NULL, 0);
	add_tunnel(SUB_GRE_KEY, TG_TUN_GRE, GRE_KEY, TG_KEY_F_KEYED, 0, NULL, 0);
	add_tunnel(SUB_GRETAP, TG_TUN_GRETAP, 0, 0, 0, NULL, 0);
	add_tunnel(SUB_EOIP, TG_TUN_EOIP, EOIP_ID, 0, 0, NULL, 0);
	add_tunnel(SUB_L2TPV3_IP, TG_TUN_L2TPV3_IP, L2TPV3_IP_SESSION, 0,
		   TG_TUN_F_L2SPEC, cookie8, sizeof(cookie8));
	add_tunnel(SUB_L2TPV3_UDP, TG_TUN_L2TPV3_UDP, L2TPV3_UDP_SESSION, 0, 0,
		   cookie4, sizeof(cookie4));
	add_tunnel(SUB_L2TPV2, TG_TUN_L2TPV2,
		   L2TPV2_TUNNEL << 16 | L2TPV2_SESSION, 0, 0, NULL, 0);
	add_tunnel(SUB_L2TPV3_PLAIN, TG_TUN_L2TPV3_IP, L2TPV3_PLAIN_SESSION, 0, 0,
		   NULL, 0);
	for (n = 1; n < SUB_COUNT; n++)
		add_prefixes(n);
}

/*
 * Common start of every test: root and BPF or skip, a private network
 * namespace, this CPU only (per-CPU values are read from it), and the
 * program loaded with small unpinned maps.
 */
/* Private maps: never reuse or create pins under /sys/fs/bpf. */
static void no_pinning(struct bpf_object *obj)
{
	struct bpf_map *map = NULL;

	while ((map = bpf_object__next_map(obj, map)))
		ck_assert_int_eq(bpf_map__set_pin_path(map, NULL), 0);
	ck_assert_int_eq(tg_obj_sub_stats_setup(obj), 0);
}

static bool tg_enter_netns(void)
{
	if (!tg_test_need_root())
		return false;
	ck_assert_msg(!unshare(CLONE_NEWNET), "unshare(CLONE_NEWNET): %s",
		      strerror(errno));
	return true;
}

static bool tg_enter(void)
{

	if (!tg_enter_netns())
		return false;
	test_cpu = tg_test_pin_cpu();
	ncpu = libbpf_num_possible_cpus();
	ck_assert_int_gt(ncpu, 0);

	skel = subscriber_bpf__open();
	ck_assert_ptr_nonnull(skel);
	no_pinning(skel->obj);
	ck_assert_int_eq(bpf_map__set_max_entries(skel->maps.tg_tunnels, 64), 0);
	ck_assert_int_eq(tg_sub_stats_set_capacity(skel->maps.tg_sub_stats, 64),
			 0);
	ck_assert_int_eq(bpf_map__set_max_entries(skel->maps.tg_prefix4, 128), 0);
	ck_assert_int_eq(bpf_map__set_max_entries(skel->maps.tg_prefix6, 128), 0);
	skel->rodata->tg_trace_enabled = 1;
	ck_assert_int_eq(subscriber_bpf__load(skel), 0);
	fill_maps();
	if (hook == TG_HOOK_TC) {
		skel_tc = subscriber_tc_bpf__open();
		ck_assert_ptr_nonnull(skel_tc);
		tg_hook_share_maps(skel_tc->obj, skel->obj);
		skel_tc->rodata->tg_trace_enabled = 1;
		ck_assert_int_eq(subscriber_tc_bpf__load(skel_tc), 0);
	}
	return true;
}

static void tg_leave(void)
{
	subscriber_tc_bpf__destroy(skel_tc);
	skel_tc = NULL;
	subscriber_bpf__destroy(skel);
	skel = NULL;
}

/* ------------------------------------------------------------------ */
/* Running packets and reading results.                                */

struct result {
	uint32_t verdict;
	uint8_t out[TG_PKT_MAX];
	uint32_t out_len;
	struct tg_trace trace;
};

/* The packet through the test's hook, as received on ifindex. */
static void run(const struct pkt *p, uint32_t ifindex, struct result *r)
{
	struct tg_trace *t = calloc(ncpu, sizeof(*t));
	__u32 zero = 0;
	int fd = hook == TG_HOOK_TC ? bpf_program__fd(skel_tc->progs.tg_sub_tc) :
				      bpf_program__fd(skel->progs.tg_sub_xdp);

	ck_assert_ptr_nonnull(t);
	tg_hook_run(hook, fd, p->b, p->len, ifindex, r->out, sizeof(r->out),
		    &r->verdict, &r->out_len);
	ck_assert_int_eq(bpf_map__lookup_elem(skel->maps.tg_trace, &zero,
					      sizeof(zero), t,
					      ncpu * sizeof(*t), 0), 0);
	r->trace = t[test_cpu];
	free(t);
}

static struct tg_counter global_count(uint32_t reason)
{
	struct tg_counter *c = calloc(ncpu, sizeof(*c)), sum = { 0 };
	int i;

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(bpf_map__lookup_elem(skel->maps.tg_global_stats,
					      &reason, sizeof(reason), c,
					      ncpu * sizeof(*c), 0), 0);
	for (i = 0; i < ncpu; i++) {
		sum.packets += c[i].packets;
		sum.bytes += c[i].bytes;
	}
	free(c);
	return sum;
}

static struct tg_sub_counters sub_count(uint32_t sub)
{
	struct tg_sub_counters *c = calloc(ncpu, sizeof(*c)), sum = { 0 };
	int i, j;

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(tg_sub_counters_get(bpf_map__fd(skel->maps.tg_sub_stats),
					     sub, c), 0);
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

/* The frame as decapsulation leaves it: outer MACs, inner ethertype, inner IP. */
static size_t decapsulated(const struct pkt *p, uint8_t *out)
{
	size_t n = p->len - p->inner_off;

	memcpy(out, p->b, 12);
	out[12] = p->inner_type >> 8;
	out[13] = p->inner_type & 0xff;
	memcpy(out + 14, p->b + p->inner_off, n);
	return 14 + n;
}

static void assert_bytes(const char *name, const uint8_t *got, size_t got_len,
			 const uint8_t *want, size_t want_len)
{
	size_t i;

	ck_assert_msg(got_len == want_len, "%s: output %zu bytes, want %zu",
		      name, got_len, want_len);
	for (i = 0; i < want_len; i++)
		ck_assert_msg(got[i] == want[i],
			      "%s: output byte %zu is %02x, want %02x", name, i,
			      got[i], want[i]);
}

/* ------------------------------------------------------------------ */
/* Table of packets and their expected outcome.                        */

struct pkt_case {
	const char *name;
	void (*build)(struct pkt *p);
	uint32_t verdict;
	uint32_t reason;
	uint32_t sub;		/* subscriber the outcome is counted for, or 0 */
	bool decap;		/* output is the decapsulated packet */
	/*
	 * A GRE keepalive reflected: the decapsulated packet back to the
	 * sender (MACs swapped), its TTL one lower.
	 */
	bool reflect;
	void (*setup)(void);	/* map changes for this case, or NULL */
	/*
	 * Where the TC build differs (tc_reason set): its reason, and the
	 * packet is left as it came, with the verdict of that reason.
	 */
	uint32_t tc_reason;
	uint32_t tc_verdict;	/* an XDP verdict, as tg_hook_verdict() takes */
};

/* IPIP; inner TTL 1 unless stated: every decapsulation stops at TTL. */
static void b_ipip(struct pkt *p)
{
	outer(p, IPPROTO_IPIP, SUB_IPIP);
	inner4(p, SUB_IPIP, 1, 20);
}

static void b_ipip_unknown(struct pkt *p)
{
	outer(p, IPPROTO_IPIP, 99);
	inner4(p, 99, 64, 20);
}

static void b_ipip_spoofed(struct pkt *p)
{
	outer(p, IPPROTO_IPIP, SUB_IPIP);
	/* Source from another subscriber's prefix. */
	inner4(p, SUB_GRE, 64, 20);
}

static void b_ipip_v6_inside(struct pkt *p)
{
	outer(p, IPPROTO_IPIP, SUB_IPIP);
	inner6(p, SUB_IPIP, 64);
}

static void b_ipip_fragment(struct pkt *p)
{
	b_ipip(p);
	finish(p);
	p->b[14 + 6] = 0x20;	/* MF */
	p->nfix = 0;
	/* Header checksum is not checked: leave it stale. */
}

static void b_ipip_outer_truncated(struct pkt *p)
{
	b_ipip(p);
	finish(p);
	p->nfix = 0;
	p->len -= 5;		/* shorter than the outer tot_len says */
}

static void b_ipip_bad_ihl(struct pkt *p)
{
	b_ipip(p);
	finish(p);
	p->nfix = 0;
	p->b[14] = 0x44;
}

/* Outer VLAN tags and outer IPv4 options (ihl 7), Ethernet padding. */
static void b_ipip_vlan_options(struct pkt *p)
{
	size_t off;

	eth(p, ETH_P_8021Q);
	vlan(p, 7, ETH_P_8021AD);
	vlan(p, 8, ETH_P_IP);
	off = ip4(p, IPPROTO_IPIP, "203.0.113.1", TG_LOCAL, 64);
	p->b[off] = 0x47;
	put32(p, 0x01010101);	/* NOPs */
	put32(p, 0x01010100);	/* NOPs, end of options */
	inner4(p, SUB_IPIP, 1, 3);
}

static void b_sit(struct pkt *p)
{
	outer(p, IPPROTO_IPV6, SUB_SIT);
	inner6(p, SUB_SIT, 1);
}

static void b_gre_plain(struct pkt *p)
{
	outer(p, IPPROTO_GRE, SUB_GRE);
	put16(p, 0);
	put16(p, ETH_P_IP);
	inner4(p, SUB_GRE, 1, 20);
}

/* GRE with checksum (over payload_len payload bytes), key and sequence. */
static void gre_cks(struct pkt *p, size_t payload, bool v6)
{
	size_t off;

	outer(p, IPPROTO_GRE, SUB_GRE_KEY);
	off = p->len;
	add_fix(p, FIX_GRE_CSUM, off);
	put16(p, 0xb000);
	put16(p, v6 ? ETH_P_IPV6 : ETH_P_IP);
	put32(p, 0);		/* checksum + reserved1 */
	put32(p, GRE_KEY);
	put32(p, 7);		/* sequence */
	if (v6)
		inner6(p, SUB_GRE_KEY, 1);
	else
		inner4(p, SUB_GRE_KEY, 1, payload);
}

static void b_gre_csum_small(struct pkt *p)
{
	gre_cks(p, 1, false);
}

static void b_gre_csum_odd(struct pkt *p)
{
	gre_cks(p, 519, false);
}

static void b_gre_csum_big(struct pkt *p)
{
	gre_cks(p, 1427, false);
}

static void b_gre_csum_v6(struct pkt *p)
{
	gre_cks(p, 0, true);
}

static void b_gre_bad_csum(struct pkt *p)
{
	gre_cks(p, 100, false);
	finish(p);
	p->nfix = 0;
	p->b[p->len - 1] ^= 0x01;
}

static void b_gre_key_v6(struct pkt *p)
{
	outer(p, IPPROTO_GRE, SUB_GRE_KEY);
	put16(p, 0x2000);
	put16(p, ETH_P_IPV6);
	put32(p, GRE_KEY);
	inner6(p, SUB_GRE_KEY, 1);
}

static void b_gre_wrong_key(struct pkt *p)
{
	outer(p, IPPROTO_GRE, SUB_GRE_KEY);
	put16(p, 0x2000);
	put16(p, ETH_P_IP);
	put32(p, GRE_KEY + 1);
	inner4(p, SUB_GRE_KEY, 1, 20);
}

static void b_gre_routing(struct pkt *p)
{
	outer(p, IPPROTO_GRE, SUB_GRE);
	put16(p, 0x4000);
	put16(p, ETH_P_IP);
	put32(p, 0);		/* offset + checksum fields */
	inner4(p, SUB_GRE, 64, 20);
}

static void b_pptp(struct pkt *p)
{
	outer(p, IPPROTO_GRE, SUB_GRE);
	put16(p, 0x3001);	/* K, S, version 1 */
	put16(p, 0x880b);
	put16(p, 0);		/* payload length */
	put16(p, 5);		/* call id */
	put32(p, 1);		/* sequence */
	put_fill(p, 20);
}

static void b_gre_keepalive_reply(struct pkt *p)
{
	outer(p, IPPROTO_GRE, SUB_GRE);
	put16(p, 0);
	put16(p, 0);
}

static void b_gre_keepalive_request(struct pkt *p)
{
	outer(p, IPPROTO_GRE, SUB_GRE);
	put16(p, 0);
	put16(p, ETH_P_IP);
	p->inner_off = p->len;
	p->inner_type = ETH_P_IP;
	ip4(p, IPPROTO_GRE, TG_LOCAL, "203.0.113.3", 255);
	put16(p, 0);
	put16(p, 0);
}

static void b_gre_mpls(struct pkt *p)
{
	outer(p, IPPROTO_GRE, SUB_GRE);
	put16(p, 0);
	put16(p, 0x8847);
	put_fill(p, 20);
}

static void b_gre_inner_mismatch(struct pkt *p)
{
	outer(p, IPPROTO_GRE, SUB_GRE);
	put16(p, 0);
	put16(p, ETH_P_IP);	/* says IPv4, carries IPv6 */
	inner6(p, SUB_GRE, 64);
}

static void b_gre_truncated(struct pkt *p)
{
	outer(p, IPPROTO_GRE, SUB_GRE_KEY);
	put16(p, 0x3000);	/* K and S: 12 bytes, only 8 here */
	put16(p, ETH_P_IP);
	put32(p, GRE_KEY);
}

static void b_gretap_qinq(struct pkt *p)
{
	outer(p, IPPROTO_GRE, SUB_GRETAP);
	put16(p, 0);
	put16(p, ETH_P_TEB);
	inner_eth(p, 2, ETH_P_IP);
	inner4(p, SUB_GRETAP, 1, 20);
}

static void b_gretap_arp(struct pkt *p)
{
	outer(p, IPPROTO_GRE, SUB_GRETAP);
	put16(p, 0);
	put16(p, ETH_P_TEB);
	inner_eth(p, 0, ETH_P_ARP);
	put_fill(p, 28);
}

static void b_gretap_nd(struct pkt *p)
{
	outer(p, IPPROTO_GRE, SUB_GRETAP);
	put16(p, 0);
	put16(p, ETH_P_TEB);
	inner_eth(p, 1, ETH_P_IPV6);
	ip6(p, IPPROTO_ICMPV6, "fe80::1", "ff02::1", 255);
	put8(p, 135);		/* neighbour solicitation */
	put_fill(p, 23);
}

static void b_eoip(struct pkt *p)
{
	outer(p, IPPROTO_GRE, SUB_EOIP);
	put16(p, 0x2001);
	put16(p, 0x6400);
	put16(p, 0);		/* payload length: not used */
	/* Tunnel id, little endian. */
	put8(p, EOIP_ID & 0xff);
	put8(p, EOIP_ID >> 8);
	inner_eth(p, 1, ETH_P_IPV6);
	inner6(p, SUB_EOIP, 1);
}

static void l2tpv3_ip(struct pkt *p, uint32_t session, const uint8_t *cookie,
		      size_t cookie_len, bool sublayer)
{
	outer(p, IPPROTO_L2TP, session == L2TPV3_PLAIN_SESSION ?
				       SUB_L2TPV3_PLAIN : SUB_L2TPV3_IP);
	put32(p, session);
	if (cookie)
		put(p, cookie, cookie_len);
	if (sublayer)
		put32(p, 0x40000005);	/* S bit and a sequence number */
}

static void b_l2tpv3_ip(struct pkt *p)
{
	l2tpv3_ip(p, L2TPV3_IP_SESSION, cookie8, sizeof(cookie8), true);
	inner_eth(p, 0, ETH_P_IP);
	inner4(p, SUB_L2TPV3_IP, 1, 20);
}

static void b_l2tpv3_ip_plain(struct pkt *p)
{
	l2tpv3_ip(p, L2TPV3_PLAIN_SESSION, NULL, 0, false);
	inner_eth(p, 2, ETH_P_IPV6);
	inner6(p, SUB_L2TPV3_PLAIN, 1);
}

static void b_l2tpv3_bad_cookie(struct pkt *p)
{
	uint8_t bad[8];

	memcpy(bad, cookie8, sizeof(bad));
	bad[7] ^= 0xff;
	l2tpv3_ip(p, L2TPV3_IP_SESSION, bad, sizeof(bad), true);
	inner_eth(p, 0, ETH_P_IP);
	inner4(p, SUB_L2TPV3_IP, 64, 20);
}

static void b_l2tpv3_ip_control(struct pkt *p)
{
	l2tpv3_ip(p, 0, NULL, 0, false);
	put_fill(p, 20);
}

static void l2tp_udp(struct pkt *p, int sub, uint16_t dport)
{
	outer(p, IPPROTO_UDP, sub);
	udp(p, 1701, dport);
}

static void b_l2tpv3_udp(struct pkt *p)
{
	l2tp_udp(p, SUB_L2TPV3_UDP, TG_TEST_L2TP_PORT);
	put16(p, 0x0003);
	put16(p, 0);
	put32(p, L2TPV3_UDP_SESSION);
	put(p, cookie4, sizeof(cookie4));
	inner_eth(p, 0, ETH_P_IP);
	inner4(p, SUB_L2TPV3_UDP, 1, 20);
}

static void b_l2tpv3_udp_control(struct pkt *p)
{
	l2tp_udp(p, SUB_L2TPV3_UDP, TG_TEST_L2TP_PORT);
	put16(p, 0xc803);
	put16(p, 20);
	put32(p, 0);
	put_fill(p, 12);
}

/* L2TPv2 with L, S and O bits, FF 03, two-byte protocol. */
static void b_l2tpv2_full(struct pkt *p)
{
	l2tp_udp(p, SUB_L2TPV2, TG_TEST_L2TP_PORT);
	put16(p, 0x4a02);
	put16(p, 0);		/* length: not used */
	put16(p, L2TPV2_TUNNEL);
	put16(p, L2TPV2_SESSION);
	put16(p, 1);		/* Ns */
	put16(p, 2);		/* Nr */
	put16(p, 3);		/* offset size */
	put_fill(p, 3);
	put8(p, 0xff);
	put8(p, 0x03);
	put16(p, 0x0057);
	inner6(p, SUB_L2TPV2, 1);
}

/* L2TPv2 without options, no FF 03, compressed protocol. */
static void b_l2tpv2_pfc(struct pkt *p)
{
	l2tp_udp(p, SUB_L2TPV2, TG_TEST_L2TP_PORT);
	put16(p, 0x0002);
	put16(p, L2TPV2_TUNNEL);
	put16(p, L2TPV2_SESSION);
	put8(p, 0x21);
	inner4(p, SUB_L2TPV2, 1, 20);
}

static void b_l2tpv2_control(struct pkt *p)
{
	l2tp_udp(p, SUB_L2TPV2, TG_TEST_L2TP_PORT);
	put16(p, 0xc802);
	put16(p, 12);
	put16(p, 0);
	put16(p, 0);
	put16(p, 0);
	put16(p, 0);
}

static void b_l2tpv2_lcp(struct pkt *p)
{
	l2tp_udp(p, SUB_L2TPV2, TG_TEST_L2TP_PORT);
	put16(p, 0x0002);
	put16(p, L2TPV2_TUNNEL);
	put16(p, L2TPV2_SESSION);
	put8(p, 0xff);
	put8(p, 0x03);
	put16(p, 0xc021);
	put_fill(p, 14);
}

static void b_l2tpv2_bad_offset(struct pkt *p)
{
	l2tp_udp(p, SUB_L2TPV2, TG_TEST_L2TP_PORT);
	put16(p, 0x0202);
	put16(p, L2TPV2_TUNNEL);
	put16(p, L2TPV2_SESSION);
	put16(p, 5000);		/* offset beyond the packet */
	put_fill(p, 40);
}

static void b_l2tpv2_malformed(struct pkt *p)
{
	l2tp_udp(p, SUB_L2TPV2, TG_TEST_L2TP_PORT);
	put16(p, 0x0002);
	put16(p, L2TPV2_TUNNEL);
	put16(p, L2TPV2_SESSION);
	put8(p, 0x21);
	put_fill(p, 40);	/* not an IPv4 header */
}

/* PPP header complete (PFC), nothing after it. */
static void b_l2tpv2_empty(struct pkt *p)
{
	l2tp_udp(p, SUB_L2TPV2, TG_TEST_L2TP_PORT);
	put16(p, 0x0002);
	put16(p, L2TPV2_TUNNEL);
	put16(p, L2TPV2_SESSION);
	put8(p, 0x21);
}

static void b_udp_dns(struct pkt *p)
{
	l2tp_udp(p, SUB_L2TPV2, 53);
	put_fill(p, 20);
}

static void b_arp(struct pkt *p)
{
	eth(p, ETH_P_ARP);
	put_fill(p, 28);
}

static void b_outer_ipv6(struct pkt *p)
{
	eth(p, ETH_P_IPV6);
	ip6(p, IPPROTO_IPIP, "2001:db8::1", "2001:db8::2", 64);
	inner4(p, SUB_IPIP, 64, 10);
}

static void b_tcp(struct pkt *p)
{
	outer(p, IPPROTO_TCP, SUB_IPIP);
	put_fill(p, 20);
}

static void s_drop_unknown(void)
{
	set_config(TG_CFG_F_DROP_UNKNOWN, TG_TEST_L2TP_PORT, TG_TEST_L2TP_PORT);
}

static void s_l2tpv3_udp_off(void)
{
	set_config(0, 0, TG_TEST_L2TP_PORT);
}

static void s_l2tpv3_other_port(void)
{
	set_config(0, TG_TEST_L2TP_PORT + 1, TG_TEST_L2TP_PORT);
}

/* Beyond tg_sub_stats (64 entries here): counted globally only. */
#define SUB_BIG 1000

static void s_sub_big(void)
{
	struct tg_tun_key k = { .type = TG_TUN_IPIP };
	struct tg_tunnel t = { .c[0] = { .claim = TG_CLAIM(SUB_BIG, 0),
					 .mtu = 1400 } };
	struct tg_lpm4_key k4 = { .prefixlen = 24 };
	struct tg_owners v = { .claim = { TG_CLAIM(SUB_BIG, 0) } };

	k.remote = inet4("203.0.113.1");
	k.local = inet4(TG_LOCAL);
	ck_assert_int_eq(bpf_map__update_elem(skel->maps.tg_tunnels, &k,
					      sizeof(k), &t, sizeof(t), 0), 0);
	k4.addr = inet4("100.64.1.0");
	ck_assert_int_eq(bpf_map__update_elem(skel->maps.tg_prefix4, &k4,
					      sizeof(k4), &v, sizeof(v), 0), 0);
}

/* ------------------------------------------------------------------ */
/* Generations: a claim holds while tg_gen[sub_id] is its slot.        */

static void set_gen(uint32_t id, uint32_t slot)
{
	ck_assert_int_eq(bpf_map__update_elem(skel->maps.tg_gen, &id,
					      sizeof(id), &slot, sizeof(slot),
					      0), 0);
}

/* Replace subscriber n's IPIP tunnel by one with claims c0 and c1. */
static void set_ipip_claims(int n, uint32_t c0, uint32_t c1)
{
	struct tg_tun_key k = { .type = TG_TUN_IPIP };
	struct tg_tunnel t = { .c = { { .claim = c0, .mtu = 1400 },
				      { .claim = c1, .mtu = 1400 } } };
	char src[32];

	snprintf(src, sizeof(src), "203.0.113.%d", n);
	k.remote = inet4(src);
	k.local = inet4(TG_LOCAL);
	ck_assert_int_eq(bpf_map__update_elem(skel->maps.tg_tunnels, &k,
					      sizeof(k), &t, sizeof(t), 0), 0);
}

/* Replace the owners of subscriber n's IPv4 prefix 100.64.n.0/24. */
static void set_prefix_claims(int n, uint32_t c0, uint32_t c1)
{
	struct tg_lpm4_key k4 = { .prefixlen = 24 };
	struct tg_owners o = { .claim = { c0, c1 } };
	char s[32];

	snprintf(s, sizeof(s), "100.64.%d.0", n);
	k4.addr = inet4(s);
	ck_assert_int_eq(bpf_map__update_elem(skel->maps.tg_prefix4, &k4,
					      sizeof(k4), &o, sizeof(o), 0), 0);
}

/* A sync that wrote slot 1 of SUB_IPIP and has not flipped tg_gen yet. */
static void s_gen_new_slot_written(void)
{
	set_ipip_claims(SUB_IPIP, 0, TG_CLAIM(SUB_IPIP, 1));
	set_prefix_claims(SUB_IPIP, TG_CLAIM(SUB_IPIP, 1), 0);
}

/* ... and flipped it. */
static void s_gen_new_slot_flipped(void)
{
	s_gen_new_slot_written();
	set_gen(SUB_IPIP, 1);
}

/*
 * The L2TPv3 key first claimed for SUB_GRE's slot 1 (another cookie and
 * no sublayer), then for SUB_L2TPV3_IP's slot 0 (as fill_maps() has it).
 */
static void s_gen_moving_key(void)
{
	struct tg_tun_key k = { .id = L2TPV3_IP_SESSION,
				.type = TG_TUN_L2TPV3_IP };
	struct tg_tunnel t = { 0 };

	k.remote = inet4("203.0.113.7");
	k.local = inet4(TG_LOCAL);
	t.c[0].claim = TG_CLAIM(SUB_GRE, 1);
	t.c[0].mtu = 1300;
	t.c[0].cookie_len = sizeof(cookie4);
	memcpy(t.c[0].cookie, cookie4, sizeof(cookie4));
	t.c[1].claim = TG_CLAIM(SUB_L2TPV3_IP, 0);
	t.c[1].mtu = 1400;
	t.c[1].flags = TG_TUN_F_L2SPEC;
	t.c[1].cookie_len = sizeof(cookie8);
	memcpy(t.c[1].cookie, cookie8, sizeof(cookie8));
	ck_assert_int_eq(bpf_map__update_elem(skel->maps.tg_tunnels, &k,
					      sizeof(k), &t, sizeof(t), 0), 0);
}

/* ... once SUB_GRE's slot 1 is in force: the first claim holds. */
static void s_gen_moving_key_flipped(void)
{
	s_gen_moving_key();
	set_gen(SUB_GRE, 1);
}

/* SUB_IPIP's prefix claimed only for its slot not in force. */
static void s_gen_prefix_other_slot(void)
{
	set_prefix_claims(SUB_IPIP, TG_CLAIM(SUB_GRE, 0),
			  TG_CLAIM(SUB_IPIP, 1));
}

/* Both slots claimed on the tunnel, only the new one on the prefix. */
static void s_gen_prefix_new_slot(void)
{
	set_ipip_claims(SUB_IPIP, TG_CLAIM(SUB_IPIP, 0),
			TG_CLAIM(SUB_IPIP, 1));
	set_prefix_claims(SUB_IPIP, TG_CLAIM(SUB_IPIP, 1), 0);
}

static void s_gen_prefix_new_slot_flipped(void)
{
	s_gen_prefix_new_slot();
	set_gen(SUB_IPIP, 1);
}

static void b_sit_bad_plen(struct pkt *p)
{
	b_sit(p);
	finish(p);
	p->nfix = 0;
	p->b[p->inner_off + 5] += 1;	/* payload one byte longer than sent */
}

#define PKT(n, fn, v, r, ...) \
	{ .name = n, .build = fn, .verdict = v, .reason = r, __VA_ARGS__ }

static const struct pkt_case cases[] = {
	PKT("not a tunnel: ARP", b_arp, XDP_PASS, TG_R_NOT_TUNNEL),
	PKT("not a tunnel: outer IPv6", b_outer_ipv6, XDP_PASS,
	    TG_R_NOT_TUNNEL),
	PKT("not a tunnel: TCP", b_tcp, XDP_PASS, TG_R_NOT_TUNNEL),
	PKT("not a tunnel: UDP to 53", b_udp_dns, XDP_PASS, TG_R_NOT_TUNNEL),
	PKT("unknown tunnel pass", b_ipip_unknown, XDP_PASS,
	    TG_R_UNKNOWN_TUNNEL),
	PKT("unknown tunnel drop", b_ipip_unknown, XDP_DROP,
	    TG_R_UNKNOWN_TUNNEL, .setup = s_drop_unknown),
	PKT("GRE wrong key", b_gre_wrong_key, XDP_PASS, TG_R_UNKNOWN_TUNNEL),
	PKT("spoofed source drop", b_ipip_spoofed, XDP_DROP, TG_R_SPOOFED_SRC,
	    .sub = SUB_IPIP),
	PKT("IPIP carrying IPv6", b_ipip_v6_inside, XDP_DROP,
	    TG_R_INNER_MALFORMED, .sub = SUB_IPIP),
	PKT("GRE type/version mismatch", b_gre_inner_mismatch, XDP_DROP,
	    TG_R_INNER_MALFORMED, .sub = SUB_GRE),
	PKT("L2TPv2 PPP IPv4 not IPv4", b_l2tpv2_malformed, XDP_DROP,
	    TG_R_INNER_MALFORMED, .sub = SUB_L2TPV2),
	PKT("L2TPv2 PPP IPv4, no datagram", b_l2tpv2_empty, XDP_DROP,
	    TG_R_INNER_MALFORMED, .sub = SUB_L2TPV2),
	PKT("L2TPv3 bad cookie drop", b_l2tpv3_bad_cookie, XDP_DROP,
	    TG_R_BAD_COOKIE, .sub = SUB_L2TPV3_IP),
	PKT("GRE bad checksum drop", b_gre_bad_csum, XDP_DROP,
	    TG_R_GRE_BAD_CSUM, .sub = SUB_GRE_KEY),
	PKT("GRE routing bit pass", b_gre_routing, XDP_PASS,
	    TG_R_GRE_UNSUPPORTED),
	PKT("GRE version 1 (PPTP) pass", b_pptp, XDP_PASS,
	    TG_R_GRE_UNSUPPORTED),
	PKT("GRE keepalive reply", b_gre_keepalive_reply, XDP_PASS,
	    TG_R_CONTROL, .sub = SUB_GRE),
	PKT("GRE keepalive request", b_gre_keepalive_request, XDP_TX,
	    TG_R_KEEPALIVE, .sub = SUB_GRE, .reflect = true),
	PKT("GRE MPLS payload", b_gre_mpls, XDP_PASS, TG_R_UNSUPPORTED_PAYLOAD,
	    .sub = SUB_GRE),
	PKT("gretap ARP", b_gretap_arp, XDP_PASS, TG_R_CONTROL,
	    .sub = SUB_GRETAP),
	PKT("gretap IPv6 ND", b_gretap_nd, XDP_PASS, TG_R_CONTROL,
	    .sub = SUB_GRETAP),
	PKT("L2TPv3/IP control", b_l2tpv3_ip_control, XDP_PASS, TG_R_CONTROL),
	PKT("L2TPv3/UDP control", b_l2tpv3_udp_control, XDP_PASS, TG_R_CONTROL),
	PKT("L2TPv2 control (T bit) pass", b_l2tpv2_control, XDP_PASS,
	    TG_R_CONTROL),
	PKT("PPP LCP pass", b_l2tpv2_lcp, XDP_PASS, TG_R_CONTROL,
	    .sub = SUB_L2TPV2),
	PKT("outer fragment pass", b_ipip_fragment, XDP_PASS,
	    TG_R_OUTER_FRAGMENT),
	PKT("truncated: outer tot_len", b_ipip_outer_truncated, XDP_PASS,
	    TG_R_TRUNCATED),
	PKT("truncated: outer ihl 4", b_ipip_bad_ihl, XDP_PASS, TG_R_TRUNCATED),
	PKT("truncated: GRE options", b_gre_truncated, XDP_PASS,
	    TG_R_TRUNCATED),
	PKT("truncated: L2TPv2 offset", b_l2tpv2_bad_offset, XDP_PASS,
	    TG_R_TRUNCATED),
	PKT("L2TPv3/UDP disabled", b_l2tpv3_udp, XDP_PASS, TG_R_NOT_TUNNEL,
	    .setup = s_l2tpv3_udp_off),
	PKT("L2TPv3 to the L2TPv2 port", b_l2tpv3_udp, XDP_PASS,
	    TG_R_NOT_TUNNEL, .setup = s_l2tpv3_other_port),
	PKT("6in4 payload length too long", b_sit_bad_plen, XDP_DROP,
	    TG_R_INNER_MALFORMED, .sub = SUB_SIT),
	/* Every encapsulation decapsulated: TTL 1 stops it before routing. */
	PKT("TTL 1: sub_id beyond tg_sub_stats", b_ipip, XDP_PASS,
	    TG_R_TTL_EXPIRED, .sub = SUB_BIG, .decap = true,
	    .setup = s_sub_big),
	PKT("TTL 1: IPIP", b_ipip, XDP_PASS, TG_R_TTL_EXPIRED, .sub = SUB_IPIP,
	    .decap = true),
	/* At TC the head move cannot pass tags in the data: the kernel's. */
	PKT("TTL 1: IPIP, QinQ outer, IP options", b_ipip_vlan_options,
	    XDP_PASS, TG_R_TTL_EXPIRED, .sub = SUB_IPIP, .decap = true,
	    .tc_reason = TG_R_UNSUPPORTED_PAYLOAD, .tc_verdict = XDP_PASS),
	PKT("TTL 1: 6in4", b_sit, XDP_PASS, TG_R_TTL_EXPIRED, .sub = SUB_SIT,
	    .decap = true),
	PKT("TTL 1: GRE", b_gre_plain, XDP_PASS, TG_R_TTL_EXPIRED,
	    .sub = SUB_GRE, .decap = true),
	PKT("TTL 1: GRE key IPv6", b_gre_key_v6, XDP_PASS, TG_R_TTL_EXPIRED,
	    .sub = SUB_GRE_KEY, .decap = true),
	PKT("TTL 1: GRE csum 1 byte", b_gre_csum_small, XDP_PASS,
	    TG_R_TTL_EXPIRED, .sub = SUB_GRE_KEY, .decap = true),
	PKT("TTL 1: GRE csum 519 bytes", b_gre_csum_odd, XDP_PASS,
	    TG_R_TTL_EXPIRED, .sub = SUB_GRE_KEY, .decap = true),
	PKT("TTL 1: GRE csum 1427 bytes", b_gre_csum_big, XDP_PASS,
	    TG_R_TTL_EXPIRED, .sub = SUB_GRE_KEY, .decap = true),
	PKT("TTL 1: GRE csum IPv6", b_gre_csum_v6, XDP_PASS, TG_R_TTL_EXPIRED,
	    .sub = SUB_GRE_KEY, .decap = true),
	PKT("TTL 1: gretap QinQ", b_gretap_qinq, XDP_PASS, TG_R_TTL_EXPIRED,
	    .sub = SUB_GRETAP, .decap = true),
	PKT("TTL 1: EoIP", b_eoip, XDP_PASS, TG_R_TTL_EXPIRED, .sub = SUB_EOIP,
	    .decap = true),
	PKT("TTL 1: L2TPv3/IP cookie sublayer", b_l2tpv3_ip, XDP_PASS,
	    TG_R_TTL_EXPIRED, .sub = SUB_L2TPV3_IP, .decap = true),
	PKT("TTL 1: L2TPv3/IP plain", b_l2tpv3_ip_plain, XDP_PASS,
	    TG_R_TTL_EXPIRED, .sub = SUB_L2TPV3_PLAIN, .decap = true),
	PKT("TTL 1: L2TPv3/UDP", b_l2tpv3_udp, XDP_PASS, TG_R_TTL_EXPIRED,
	    .sub = SUB_L2TPV3_UDP, .decap = true),
	PKT("TTL 1: L2TPv2 L S O FF03", b_l2tpv2_full, XDP_PASS,
	    TG_R_TTL_EXPIRED, .sub = SUB_L2TPV2, .decap = true),
	PKT("TTL 1: L2TPv2 PFC", b_l2tpv2_pfc, XDP_PASS, TG_R_TTL_EXPIRED,
	    .sub = SUB_L2TPV2, .decap = true),
	/* Generations: only claims of the slot in force count. */
	PKT("gen: tunnel of slot 1, slot 0 in force", b_ipip, XDP_PASS,
	    TG_R_UNKNOWN_TUNNEL, .setup = s_gen_new_slot_written),
	PKT("gen: tunnel of slot 1, slot 1 in force", b_ipip, XDP_PASS,
	    TG_R_TTL_EXPIRED, .sub = SUB_IPIP, .decap = true,
	    .setup = s_gen_new_slot_flipped),
	PKT("gen: first claim not in force, second's cookie", b_l2tpv3_ip,
	    XDP_PASS, TG_R_TTL_EXPIRED, .sub = SUB_L2TPV3_IP, .decap = true,
	    .setup = s_gen_moving_key),
	PKT("gen: first claim in force, its cookie", b_l2tpv3_ip, XDP_DROP,
	    TG_R_BAD_COOKIE, .sub = SUB_GRE, .setup = s_gen_moving_key_flipped),
	PKT("gen: source prefix of the other slot", b_ipip, XDP_DROP,
	    TG_R_SPOOFED_SRC, .sub = SUB_IPIP,
	    .setup = s_gen_prefix_other_slot),
	PKT("gen: source prefix of the new slot, old in force", b_ipip,
	    XDP_DROP, TG_R_SPOOFED_SRC, .sub = SUB_IPIP,
	    .setup = s_gen_prefix_new_slot),
	PKT("gen: source prefix of the new slot, new in force", b_ipip,
	    XDP_PASS, TG_R_TTL_EXPIRED, .sub = SUB_IPIP, .decap = true,
	    .setup = s_gen_prefix_new_slot_flipped),
};

#define N_CASES (int)(sizeof(cases) / sizeof(cases[0]))

/* Every case on both hooks: _i / TG_HOOKS the case, _i % TG_HOOKS the hook. */
START_TEST(test_packet)
{
	const struct pkt_case *c = &cases[_i / TG_HOOKS];
	struct pkt_case tc_case, *tc = &tc_case;
	static struct pkt p;
	static struct result r;
	static uint8_t want[TG_PKT_MAX];
	struct tg_counter g;
	size_t want_len;
	uint32_t len;

	hook = _i % TG_HOOKS;
	tc_case = *c;
	if (hook == TG_HOOK_TC && c->tc_reason) {
		tc_case.reason = c->tc_reason;
		tc_case.verdict = c->tc_verdict;
		tc_case.decap = false;
	}
	tc_case.verdict = tg_hook_verdict(hook, tc_case.verdict);
	if (!tg_enter())
		return;
	if (tc->setup)
		tc->setup();
	memset(&p, 0, sizeof(p));
	tc->build(&p);
	finish(&p);
	run(&p, 1, &r);

	ck_assert_msg(r.verdict == tc->verdict, "%s [%s]: verdict %u, want %u",
		      tc->name, tg_hook_name(hook), r.verdict, tc->verdict);
	ck_assert_msg(r.trace.reason == tc->reason, "%s [%s]: reason %u, want %u",
		      tc->name, tg_hook_name(hook), r.trace.reason, tc->reason);
	ck_assert_msg(r.trace.sub_id == tc->sub, "%s: sub_id %u, want %u",
		      tc->name, r.trace.sub_id, tc->sub);
	ck_assert_msg(r.trace.seq == 1 && r.trace.ifindex == 0,
		      "%s: trace seq %u ifindex %u", tc->name, r.trace.seq,
		      r.trace.ifindex);

	if (tc->decap) {
		want_len = decapsulated(&p, want);
		len = p.len - p.inner_off;
	} else if (tc->reflect) {
		uint16_t c;

		want_len = decapsulated(&p, want);
		memcpy(want, p.b + 6, 6);
		memcpy(want + 6, p.b, 6);
		want[14 + 8]--;
		want[14 + 10] = want[14 + 11] = 0;
		c = csum16(want + 14, 20);
		want[14 + 10] = c >> 8;
		want[14 + 11] = c & 0xff;
		len = p.len;
	} else {
		memcpy(want, p.b, p.len);
		want_len = p.len;
		len = p.len;
	}
	assert_bytes(tc->name, r.out, r.out_len, want, want_len);

	g = global_count(tc->reason);
	ck_assert_msg(g.packets == 1 && g.bytes == len,
		      "%s: global counter %llu packets %llu bytes, want 1 %u",
		      tc->name, (unsigned long long)g.packets,
		      (unsigned long long)g.bytes, len);
	if (tc->sub && tc->sub < SUB_BIG) {
		struct tg_sub_counters s = sub_count(tc->sub);

		if (tc->reason < TG_R_SUB_MAX)
			ck_assert_msg(s.reasons[tc->reason] == 1,
				      "%s: subscriber reason count %llu",
				      tc->name,
				      (unsigned long long)s.reasons[tc->reason]);
		/*
		 * Decapsulated and on to the kernel: charged to the bucket
		 * and counted as its traffic; refused: neither.
		 */
		ck_assert_msg(s.packets[TG_DIR_UP] == tc->decap &&
				      s.bytes[TG_DIR_UP] == (tc->decap ? len : 0),
			      "%s: counted up %llu packets %llu bytes, want %u",
			      tc->name, (unsigned long long)s.packets[TG_DIR_UP],
			      (unsigned long long)s.bytes[TG_DIR_UP], tc->decap);
	}
	tg_leave();
}
END_TEST

/* ------------------------------------------------------------------ */
/* Loading.                                                            */

START_TEST(test_load_subscriber)
{
	struct subscriber_bpf *s;

	if (!tg_enter_netns())
		return;
	/* Default capacities, as the loader creates them. */
	s = subscriber_bpf__open();
	ck_assert_ptr_nonnull(s);
	no_pinning(s->obj);
	ck_assert_msg(subscriber_bpf__load(s) == 0, "subscriber.bpf.o: %s",
		      strerror(errno));
	ck_assert_int_ge(bpf_program__fd(s->progs.tg_sub_xdp), 0);
	subscriber_bpf__destroy(s);
}
END_TEST

START_TEST(test_load_subscriber_tc)
{
	struct subscriber_tc_bpf *s;

	if (!tg_enter_netns())
		return;
	s = subscriber_tc_bpf__open();
	ck_assert_ptr_nonnull(s);
	no_pinning(s->obj);
	s->rodata->tg_trace_enabled = _i;
	ck_assert_msg(subscriber_tc_bpf__load(s) == 0, "subscriber_tc.bpf.o: %s",
		      strerror(errno));
	ck_assert_int_ge(bpf_program__fd(s->progs.tg_sub_tc), 0);
	subscriber_tc_bpf__destroy(s);
}
END_TEST

START_TEST(test_load_subscriber_trace)
{
	struct subscriber_bpf *s;

	if (!tg_enter_netns())
		return;
	s = subscriber_bpf__open();
	ck_assert_ptr_nonnull(s);
	no_pinning(s->obj);
	s->rodata->tg_trace_enabled = 1;
	ck_assert_int_eq(subscriber_bpf__load(s), 0);
	subscriber_bpf__destroy(s);
}
END_TEST

START_TEST(test_load_pass)
{
	struct pass_bpf *s;

	if (!tg_enter_netns())
		return;
	s = pass_bpf__open_and_load();
	ck_assert_ptr_nonnull(s);
	ck_assert_int_ge(bpf_program__fd(s->progs.tg_pass), 0);
	pass_bpf__destroy(s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Routing in a namespace of our own: forwarding off, then a real path. */

START_TEST(test_fib_fwd_disabled)
{
	static struct pkt p;
	static struct result r;
	static uint8_t want[TG_PKT_MAX];
	size_t want_len;

	hook = _i;
	if (!tg_enter())
		return;
	tg_test_write_file("/proc/sys/net/ipv4/conf/all/forwarding", "0");
	outer(&p, IPPROTO_IPIP, SUB_IPIP);
	inner4(&p, SUB_IPIP, 64, 20);
	finish(&p);
	run(&p, 1, &r);
	ck_assert_uint_eq(r.verdict, tg_hook_verdict(hook, XDP_PASS));
	ck_assert_uint_eq(r.trace.reason, TG_R_FIB_FWD_DISABLED);
	/* Decapsulated, TTL left for the kernel to decrement. */
	want_len = decapsulated(&p, want);
	assert_bytes("fwd disabled", r.out, r.out_len, want, want_len);
	tg_leave();
}
END_TEST


static void add_port(uint32_t ifindex)
{
	struct bpf_devmap_val v = { .ifindex = ifindex };

	ck_assert_int_eq(bpf_map__update_elem(skel->maps.tg_ports, &ifindex,
					      sizeof(ifindex), &v, sizeof(v),
					      0), 0);
}

static const uint8_t fwd_macs[12] = { 2, 0, 0, 0, 1, 2, 2, 0, 0, 0, 1, 1 };

START_TEST(test_forward_ok)
{
	static struct pkt p;
	static struct result r;
	static uint8_t want[TG_PKT_MAX];
	uint32_t sub0, up0;
	struct tg_sub_counters s;
	size_t want_len;
	uint16_t c;

	hook = _i;
	if (!tg_enter())
		return;
	tg_test_topology(&sub0, &up0);

	/* IPv4 over keyed GRE with checksum, upstream port not managed. */
	gre_cks(&p, 200, false);
	p.b[p.inner_off + 8] = 64;	/* inner TTL */
	finish(&p);
	run(&p, sub0, &r);
	ck_assert_uint_eq(r.verdict, tg_hook_verdict(hook, XDP_PASS));
	ck_assert_uint_eq(r.trace.reason, TG_R_EGRESS_UNMANAGED);
	want_len = decapsulated(&p, want);
	assert_bytes("egress unmanaged", r.out, r.out_len, want, want_len);

	/* Managed: redirected, MACs from the neighbour, TTL 63. */
	add_port(sub0);
	add_port(up0);
	run(&p, sub0, &r);
	ck_assert_uint_eq(r.verdict, tg_hook_verdict(hook, XDP_REDIRECT));
	ck_assert_uint_eq(r.trace.reason, TG_R_OK);
	ck_assert_uint_eq(r.trace.ifindex, up0);
	ck_assert_uint_eq(r.trace.sub_id, SUB_GRE_KEY);
	memcpy(want, fwd_macs, sizeof(fwd_macs));
	want[14 + 8] = 63;
	want[14 + 10] = want[14 + 11] = 0;
	c = csum16(want + 14, 20);
	want[14 + 10] = c >> 8;
	want[14 + 11] = c & 0xff;
	assert_bytes("forward IPv4", r.out, r.out_len, want, want_len);
	/* Both are its traffic: the first went on to the kernel. */
	s = sub_count(SUB_GRE_KEY);
	ck_assert_uint_eq(s.packets[TG_DIR_UP], 2);
	ck_assert_uint_eq(s.bytes[TG_DIR_UP], 2 * (p.len - p.inner_off));
	ck_assert_uint_eq(s.reasons[TG_R_OK], 1);
	ck_assert_uint_eq(global_count(TG_R_OK).bytes, p.len - p.inner_off);

	/* IPv6 over L2TPv2: hop limit 64 -> 63. */
	memset(&p, 0, sizeof(p));
	b_l2tpv2_full(&p);
	p.b[p.inner_off + 7] = 64;
	finish(&p);
	run(&p, sub0, &r);
	ck_assert_uint_eq(r.verdict, tg_hook_verdict(hook, XDP_REDIRECT));
	ck_assert_uint_eq(r.trace.reason, TG_R_OK);
	ck_assert_uint_eq(r.trace.ifindex, up0);
	want_len = decapsulated(&p, want);
	memcpy(want, fwd_macs, sizeof(fwd_macs));
	want[14 + 7] = 63;
	assert_bytes("forward IPv6", r.out, r.out_len, want, want_len);
	tg_leave();
}
END_TEST

#define TG_SPEED_RUNS 5000

/* Mean BPF_PROG_TEST_RUN duration of one run, over TG_SPEED_RUNS calls. */
static double mean_ns(int prog_fd, struct bpf_test_run_opts *opts,
		      uint32_t want)
{
	uint64_t sum = 0;
	int i;

	for (i = 0; i < TG_SPEED_RUNS; i++) {
		opts->data_size_out = TG_PKT_MAX;
		ck_assert_int_eq(bpf_prog_test_run_opts(prog_fd, opts), 0);
		ck_assert_uint_eq(opts->retval, want);
		sum += opts->duration;
	}
	return (double)sum / TG_SPEED_RUNS;
}

/*
 * Not an assertion, a figure for the log: the decapsulating path beside
 * XDP_PASS, so the XDP build only. One run per call: with repeat > 1 the
 * kernel runs the program again on the packet the previous run already
 * decapsulated.
 */
START_TEST(test_forward_speed)
{
	struct pass_bpf *pass;
	static struct pkt p;
	static uint8_t out[TG_PKT_MAX];
	struct xdp_md ctx = { 0 };
	struct bpf_test_run_opts opts = { .sz = sizeof(opts), .repeat = 1 };
	double t_pass, t_sub;
	uint32_t sub0;

	if (!tg_enter())
		return;
	tg_test_topology(&sub0, NULL);
	add_port(sub0);
	add_port(if_nametoindex("up0"));
	/* Keyed GRE without checksum, the common case. */
	outer(&p, IPPROTO_GRE, SUB_GRE_KEY);
	put16(&p, 0x2000);
	put16(&p, ETH_P_IP);
	put32(&p, GRE_KEY);
	inner4(&p, SUB_GRE_KEY, 64, 64);
	finish(&p);
	ctx.data_end = p.len;
	ctx.ingress_ifindex = sub0;
	opts.data_in = p.b;
	opts.data_size_in = p.len;
	opts.data_out = out;
	opts.ctx_in = &ctx;
	opts.ctx_size_in = sizeof(ctx);

	pass = pass_bpf__open_and_load();
	ck_assert_ptr_nonnull(pass);
	t_pass = mean_ns(bpf_program__fd(pass->progs.tg_pass), &opts, XDP_PASS);
	t_sub = mean_ns(bpf_program__fd(skel->progs.tg_sub_xdp), &opts,
			XDP_REDIRECT);
	fprintf(stderr,
		"bpf_load: GRE decap+forward %.1f ns, XDP_PASS %.1f ns (x%.2f)\n",
		t_sub, t_pass, t_sub / t_pass);
	pass_bpf__destroy(pass);
	tg_leave();
}
END_TEST

static void teardown(void)
{
	if (skel)
		tg_leave();
}

Suite *bpf_load_suite(void)
{
	Suite *s = suite_create("bpf_load");
	TCase *tc;

	tc = tcase_create("load");
	tcase_add_test(tc, test_load_subscriber);
	tcase_add_test(tc, test_load_subscriber_trace);
	/* _i: tg_trace_enabled. */
	tcase_add_loop_test(tc, test_load_subscriber_tc, 0, 2);
	tcase_add_test(tc, test_load_pass);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);

	tc = tcase_create("packets");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_loop_test(tc, test_packet, 0, N_CASES * TG_HOOKS);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);

	tc = tcase_create("forward");
	tcase_add_checked_fixture(tc, NULL, teardown);
	/* Both: _i the hook. */
	tcase_add_loop_test(tc, test_fib_fwd_disabled, 0, TG_HOOKS);
	tcase_add_loop_test(tc, test_forward_ok, 0, TG_HOOKS);
	tcase_add_test(tc, test_forward_speed);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}
