// SPDX-License-Identifier: GPL-2.0-only
/*
 * The uplink program tg_up_xdp: every tunnel type and option gives the
 * encapsulated frame the test builds on its own from the wire formats,
 * byte for byte; the result fed to tg_sub_xdp gives the original inner
 * packet back (TTL aside). The same for the TC builds, tg_up_tc and
 * tg_sub_tc, where they differ said so per test. Every test runs in a
 * fresh network namespace (Check forks per test) with the replay topology
 * reduced to two veths, and unpinned private maps shared by all programs.
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
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dataplane/subcount.h"
#include "tungate.h"
#include "subscriber.skel.h"
#include "subscriber_tc.skel.h"
#include "uplink.skel.h"
#include "uplink_tc.skel.h"
#include "egress.skel.h"
#include "bpf_hook.h"
#include "bpf_util.h"

#define PKT_MAX 4096
#define LOCAL "198.51.100.1"
#define INNER_SRC4 "203.0.113.200"
#define INNER_SRC6 "2001:db8:ffff::77"
#define MIRROR 40		/* sub_id of the round trip's return tunnel */
#define CAP 64

static const uint8_t gw_mac[6] = { 0x02, 0x74, 0x67, 0x00, 0x00, 0x01 };
static const uint8_t cfg_mac[6] = { 0x02, 0xaa, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t learnt_mac[6] = { 0x02, 0xbb, 0x00, 0x00, 0x00, 0x02 };
/* up0p, up0: Ethernet addresses of frames routed to the Internet. */
static const uint8_t nh_mac[6] = { 0x02, 0, 0, 0, 0x01, 0x02 };
static const uint8_t up_mac[6] = { 0x02, 0, 0, 0, 0x01, 0x01 };
/* sub0p, sub0: those of frames to the subscribers' endpoints. */
static const uint8_t peer_nh_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t sub_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t cookie8[8] = { 0xc0, 0x0c, 0x1e, 0x5e, 0xca, 0xfe, 0xf0, 0x0d };

/* ------------------------------------------------------------------ */
/* Byte buffers.                                                       */

struct buf {
	uint8_t b[PKT_MAX];
	size_t len;
};

static uint8_t *put(struct buf *p, const void *d, size_t n)
{
	uint8_t *at = p->b + p->len;

	ck_assert_uint_le(p->len + n, sizeof(p->b));
	if (d)
		memcpy(at, d, n);
	else
		memset(at, 0, n);
	p->len += n;
	return at;
}

static void put8(struct buf *p, uint8_t v)
{
	put(p, &v, 1);
}

static void put16(struct buf *p, uint16_t v)
{
	v = htons(v);
	put(p, &v, 2);
}

static void put32(struct buf *p, uint32_t v)
{
	v = htonl(v);
	put(p, &v, 4);
}

static void set16(uint8_t *at, uint16_t v)
{
	at[0] = v >> 8;
	at[1] = v & 0xff;
}

static uint32_t inet4(const char *s)
{
	struct in_addr a;

	ck_assert_int_eq(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

static uint32_t sum16(uint32_t sum, const uint8_t *d, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += d[i] << 8 | d[i + 1];
	if (n & 1)
		sum += d[n - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void ip4_csum(uint8_t *h)
{
	set16(h + 10, 0);
	set16(h + 10, fold(sum16(0, h, (h[0] & 0xf) * 4)));
}

/* ------------------------------------------------------------------ */
/* Inner packets from the Internet to subscriber n.                    */

struct inner_opts {
	bool v6;
	uint8_t ttl;		/* 0: 64 */
	bool no_df;		/* IPv4: DF clear */
	size_t payload;		/* UDP payload bytes */
	uint16_t mss;		/* TCP SYN with this MSS instead of UDP */
	bool synack;
};

/* Inner IP datagram to 100.64.n.5 / 2001:db8:n::5, checksums valid. */
static void inner_pkt(struct buf *p, int n, const struct inner_opts *o)
{
	size_t ip = p->len, l4, i;
	uint8_t proto = o->mss ? IPPROTO_TCP : IPPROTO_UDP;
	uint8_t ttl = o->ttl ? o->ttl : 64;
	uint32_t sum;
	char dst[64];

	if (!o->v6) {
		put8(p, 0x45);
		put8(p, 0);
		put16(p, 0);
		put16(p, 0x4242);
		put16(p, o->no_df ? 0 : 0x4000);
		put8(p, ttl);
		put8(p, proto);
		put16(p, 0);
		put32(p, ntohl(inet4(INNER_SRC4)));
		snprintf(dst, sizeof(dst), "100.64.%d.5", n);
		put32(p, ntohl(inet4(dst)));
	} else {
		uint8_t a[16];

		put32(p, 0x60012345);
		put16(p, 0);
		put8(p, proto);
		put8(p, ttl);
		ck_assert_int_eq(inet_pton(AF_INET6, INNER_SRC6, a), 1);
		put(p, a, 16);
		snprintf(dst, sizeof(dst), "2001:db8:%d::5", n);
		ck_assert_int_eq(inet_pton(AF_INET6, dst, a), 1);
		put(p, a, 16);
	}
	l4 = p->len;
	if (o->mss) {
		put16(p, 443);
		put16(p, 50000);
		put32(p, 1000);
		put32(p, o->synack ? 2000 : 0);
		put16(p, 0x7000 | (o->synack ? 0x12 : 0x02));	/* doff 7 */
		put16(p, 65535);
		put16(p, 0);
		put16(p, 0);
		put8(p, 2);	/* MSS option */
		put8(p, 4);
		put16(p, o->mss);
		put32(p, 0x01010402);	/* NOP NOP SACK-permitted */
	} else {
		put16(p, 5353);
		put16(p, 40000);
		put16(p, 8 + o->payload);
		put16(p, 0);
		for (i = 0; i < o->payload; i++)
			put8(p, 'a' + i % 26);
	}
	/* Lengths, then the L4 checksum over the pseudo header. */
	if (!o->v6) {
		set16(p->b + ip + 2, p->len - ip);
		ip4_csum(p->b + ip);
		sum = sum16(0, p->b + ip + 12, 8);
	} else {
		set16(p->b + ip + 4, p->len - ip - 40);
		sum = sum16(0, p->b + ip + 8, 32);
	}
	sum += proto + (p->len - l4);
	sum = fold(sum16(sum, p->b + l4, p->len - l4));
	if (o->mss)
		set16(p->b + l4 + 16, sum);
	else
		set16(p->b + l4 + 6, sum ? sum : 0xffff);
}

/* ------------------------------------------------------------------ */
/* Programs and maps.                                                  */

static struct subscriber_bpf *sub_skel;
static struct uplink_bpf *up_skel;
/* The hook a test runs packets through: the TC builds on the same maps. */
static enum tg_hook hook;
static struct subscriber_tc_bpf *sub_tc_skel;
static struct uplink_tc_bpf *up_tc_skel;

/* The hook's verdict where XDP gives v. */
#define V(v) tg_hook_verdict(hook, v)
static int ncpu, test_cpu;
static uint32_t sub0, up0;

/* replay's topology, and the endpoint of the subscriber under test. */
static void make_topology(void)
{
	tg_test_topology(&sub0, &up0);
	tg_test_sh("ip neigh add 192.0.2.105 lladdr 02:00:00:00:00:02 dev sub0 "
	   "nud permanent");
}

static void update(struct bpf_map *m, const void *k, size_t ks, const void *v,
		   size_t vs)
{
	ck_assert_msg(bpf_map__update_elem(m, k, ks, v, vs, 0) == 0,
		      "update %s: %s", bpf_map__name(m), strerror(errno));
}

static void set_config(uint16_t v3_port, uint16_t v2_port, uint8_t ttl)
{
	struct tg_config cfg = {
		.l2tpv3_udp_port = v3_port,
		.l2tpv2_udp_port = v2_port,
		.default_ttl = ttl,
	};
	__u32 zero = 0;

	memcpy(cfg.gw_mac, gw_mac, 6);
	update(sub_skel->maps.tg_config, &zero, 4, &cfg, sizeof(cfg));
}

static void add_port(uint32_t ifindex)
{
	struct bpf_devmap_val v = { .ifindex = ifindex };

	update(sub_skel->maps.tg_ports, &ifindex, 4, &v, sizeof(v));
}

/* Subscriber n: 100.64.n.0/24 and 2001:db8:n::/48. */
/* Subscriber n's prefixes 100.64.n.0/24 and 2001:db8:n::/48, claims c0, c1. */
static void put_prefixes(uint32_t n, uint32_t c0, uint32_t c1)
{
	struct tg_lpm4_key k4 = { .prefixlen = 24 };
	struct tg_lpm6_key k6 = { .prefixlen = 48 };
	struct tg_owners o = { .claim = { c0, c1 } };
	char s[64];

	snprintf(s, sizeof(s), "100.64.%u.0", n);
	k4.addr = inet4(s);
	update(sub_skel->maps.tg_prefix4, &k4, sizeof(k4), &o, sizeof(o));
	snprintf(s, sizeof(s), "2001:db8:%u::", n);
	ck_assert_int_eq(inet_pton(AF_INET6, s, k6.addr), 1);
	update(sub_skel->maps.tg_prefix6, &k6, sizeof(k6), &o, sizeof(o));
}

static void add_prefixes(uint32_t n)
{
	put_prefixes(n, TG_CLAIM(n, 0), 0);
}

static void no_pinning(struct bpf_object *obj)
{
	struct bpf_map *map = NULL;

	while ((map = bpf_object__next_map(obj, map)))
		ck_assert_int_eq(bpf_map__set_pin_path(map, NULL), 0);
	ck_assert_int_eq(tg_obj_sub_stats_setup(obj), 0);
}

/*
 * Root or skip; a private namespace with the topology; this CPU only
 * (per-CPU values are read from it); both programs on one set of maps.
 */
static bool enter(void)
{

	if (!tg_test_need_root())
		return false;
	ck_assert_msg(!unshare(CLONE_NEWNET), "unshare: %s", strerror(errno));
	test_cpu = tg_test_pin_cpu();
	ncpu = libbpf_num_possible_cpus();
	ck_assert_int_gt(ncpu, 0);
	make_topology();

	sub_skel = subscriber_bpf__open();
	ck_assert_ptr_nonnull(sub_skel);
	tg_hook_cap_maps(sub_skel->obj, CAP, 0);
	sub_skel->rodata->tg_trace_enabled = 1;
	ck_assert_int_eq(subscriber_bpf__load(sub_skel), 0);

	up_skel = uplink_bpf__open();
	ck_assert_ptr_nonnull(up_skel);
	tg_hook_share_maps(up_skel->obj, sub_skel->obj);
	up_skel->rodata->tg_trace_enabled = 1;
	ck_assert_int_eq(uplink_bpf__load(up_skel), 0);
	if (hook == TG_HOOK_TC) {
		sub_tc_skel = subscriber_tc_bpf__open();
		ck_assert_ptr_nonnull(sub_tc_skel);
		tg_hook_share_maps(sub_tc_skel->obj, sub_skel->obj);
		sub_tc_skel->rodata->tg_trace_enabled = 1;
		ck_assert_int_eq(subscriber_tc_bpf__load(sub_tc_skel), 0);
		up_tc_skel = uplink_tc_bpf__open();
		ck_assert_ptr_nonnull(up_tc_skel);
		tg_hook_share_maps(up_tc_skel->obj, sub_skel->obj);
		up_tc_skel->rodata->tg_trace_enabled = 1;
		ck_assert_int_eq(uplink_tc_bpf__load(up_tc_skel), 0);
	}

	set_config(1701, 1701, 0);
	add_port(sub0);
	add_port(up0);
	return true;
}

static void leave(void)
{
	uplink_tc_bpf__destroy(up_tc_skel);
	subscriber_tc_bpf__destroy(sub_tc_skel);
	up_tc_skel = NULL;
	sub_tc_skel = NULL;
	uplink_bpf__destroy(up_skel);
	subscriber_bpf__destroy(sub_skel);
	up_skel = NULL;
	sub_skel = NULL;
}

static void teardown(void)
{
	if (sub_skel || up_skel)
		leave();
}

struct result {
	uint32_t verdict;
	uint8_t out[PKT_MAX + 256];
	uint32_t out_len;
	struct tg_trace trace;
};

/* The packet through prog_fd, built for the test's hook. */
static void run(int prog_fd, const struct buf *p, uint32_t ifindex,
		struct result *r)
{
	struct tg_trace *t = calloc(ncpu, sizeof(*t));
	__u32 zero = 0;

	ck_assert_ptr_nonnull(t);
	tg_hook_run(hook, prog_fd, p->b, p->len, ifindex, r->out,
		    sizeof(r->out), &r->verdict, &r->out_len);
	ck_assert_int_eq(bpf_map__lookup_elem(sub_skel->maps.tg_trace, &zero, 4,
					      t, ncpu * sizeof(*t), 0), 0);
	r->trace = t[test_cpu];
	free(t);
}

static void run_up(const struct buf *p, struct result *r)
{
	run(hook == TG_HOOK_TC ? bpf_program__fd(up_tc_skel->progs.tg_up_tc) :
				 bpf_program__fd(up_skel->progs.tg_up_xdp),
	    p, up0, r);
}

static void run_sub(const struct buf *p, struct result *r)
{
	run(hook == TG_HOOK_TC ? bpf_program__fd(sub_tc_skel->progs.tg_sub_tc) :
				 bpf_program__fd(sub_skel->progs.tg_sub_xdp),
	    p, sub0, r);
}

static struct tg_counter global_count(uint32_t reason)
{
	struct tg_counter *c = calloc(ncpu, sizeof(*c)), sum = { 0 };

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(bpf_map__lookup_elem(sub_skel->maps.tg_global_stats,
					      &reason, 4, c, ncpu * sizeof(*c),
					      0), 0);
	sum = c[test_cpu];
	free(c);
	return sum;
}

static struct tg_sub_counters sub_count(uint32_t sub)
{
	struct tg_sub_counters *c = calloc(ncpu, sizeof(*c)), sum;

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(tg_sub_counters_get(bpf_map__fd(sub_skel->maps.tg_sub_stats),
					     sub, c), 0);
	sum = c[test_cpu];
	free(c);
	return sum;
}

static struct tg_peer get_peer(uint32_t sub)
{
	struct tg_peer v;

	ck_assert_int_eq(bpf_map__lookup_elem(sub_skel->maps.tg_peer, &sub, 4,
					      &v, sizeof(v), 0), 0);
	return v;
}

static void assert_bytes(const char *name, const uint8_t *got, size_t got_len,
			 const uint8_t *want, size_t want_len)
{
	size_t i;

	for (i = 0; i < want_len && i < got_len; i++)
		ck_assert_msg(got[i] == want[i],
			      "%s: output byte %zu is %02x, want %02x", name, i,
			      got[i], want[i]);
	ck_assert_msg(got_len == want_len, "%s: output %zu bytes, want %zu",
		      name, got_len, want_len);
}

/* ------------------------------------------------------------------ */
/* Encapsulation cases.                                                */

struct enc_case {
	const char *name;
	uint8_t type;
	uint16_t flags;		/* TG_ENC_F_* */
	uint32_t peer_id;
	uint8_t cookie_len;
	uint16_t peer_port, local_port;
	uint8_t ttl;		/* tg_encap.ttl */
	uint8_t cfg_ttl;	/* tg_config.default_ttl */
	struct inner_opts in;
	int vlans;		/* tags on the uplink frame */
	bool pad;		/* Ethernet padding after a short datagram */
	/* tg_peer before the packet: learnt MAC, learnt port, counters. */
	bool learnt_mac;
	uint16_t learnt_port;
	uint32_t gre_seq;
	uint16_t ip_id;
};

#define DF TG_ENC_F_DF

static const struct enc_case enc_cases[] = {
	{ "ipip", TG_TUN_IPIP, DF, .in.payload = 30 },
	{ "ipip ttl 200, vlan", TG_TUN_IPIP, DF, .ttl = 200, .vlans = 1,
	  .in.payload = 30 },
	{ "ipip no DF, ip id", TG_TUN_IPIP, 0, .in.payload = 30, .ip_id = 0x1234 },
	{ "ipip no DF, ip id wraps", TG_TUN_IPIP, 0, .in.payload = 30,
	  .ip_id = 0xffff },
	{ "ipip config ttl, padded", TG_TUN_IPIP, DF, .cfg_ttl = 33,
	  .in.payload = 1, .pad = true },
	{ "sit", TG_TUN_SIT, DF, .in = { .v6 = true, .payload = 20 } },
	{ "sit qinq", TG_TUN_SIT, DF, .vlans = 2,
	  .in = { .v6 = true, .payload = 20 } },
	{ "gre v4", TG_TUN_GRE, DF, .in.payload = 40 },
	{ "gre v6", TG_TUN_GRE, DF, .in = { .v6 = true, .payload = 40 } },
	{ "gre key", TG_TUN_GRE, DF | TG_ENC_F_GRE_KEY, 0xdeadbeef,
	  .in.payload = 40 },
	{ "gre key csum seq", TG_TUN_GRE,
	  DF | TG_ENC_F_GRE_KEY | TG_ENC_F_GRE_CSUM | TG_ENC_F_GRE_SEQ, 7,
	  .in.payload = 41, .gre_seq = 41 },
	{ "gre csum v6 big", TG_TUN_GRE, DF | TG_ENC_F_GRE_CSUM,
	  .in = { .v6 = true, .payload = 1201 } },
	{ "gre seq wraps", TG_TUN_GRE, DF | TG_ENC_F_GRE_SEQ,
	  .in.payload = 10, .gre_seq = 0xffffffff },
	{ "gretap configured mac", TG_TUN_GRETAP, DF | TG_ENC_F_PEER_MAC,
	  .in.payload = 40, .learnt_mac = true },
	{ "gretap learnt mac key csum v6", TG_TUN_GRETAP,
	  DF | TG_ENC_F_GRE_KEY | TG_ENC_F_GRE_CSUM, 99,
	  .in = { .v6 = true, .payload = 77 }, .learnt_mac = true },
	{ "eoip", TG_TUN_EOIP, DF | TG_ENC_F_PEER_MAC, 0x1234,
	  .in.payload = 40 },
	{ "eoip no DF learnt v6", TG_TUN_EOIP, 0, 65535,
	  .in = { .v6 = true, .payload = 40 }, .learnt_mac = true,
	  .ip_id = 7 },
	{ "l2tpv3-ip cookie8 sublayer", TG_TUN_L2TPV3_IP,
	  DF | TG_ENC_F_PEER_MAC | TG_ENC_F_L2SPEC, 0x01020304, 8,
	  .in.payload = 40 },
	{ "l2tpv3-ip plain v6", TG_TUN_L2TPV3_IP, DF, 88,
	  .in = { .v6 = true, .payload = 40 }, .learnt_mac = true },
	{ "l2tpv3-ip cookie4", TG_TUN_L2TPV3_IP, DF | TG_ENC_F_PEER_MAC, 5, 4,
	  .in.payload = 3 },
	{ "l2tpv3-udp cookie4 csum learnt port", TG_TUN_L2TPV3_UDP,
	  DF | TG_ENC_F_UDP_CSUM | TG_ENC_F_PEER_MAC, 77, 4,
	  .local_port = 1701, .in.payload = 40, .learnt_port = 40000 },
	{ "l2tpv3-udp cookie8 sublayer ports v6", TG_TUN_L2TPV3_UDP,
	  DF | TG_ENC_F_L2SPEC, 0xfffffffe, 8, .peer_port = 1702,
	  .local_port = 1703, .in = { .v6 = true, .payload = 40 },
	  .learnt_mac = true, .learnt_port = 40000 },
	{ "l2tpv2 csum default port", TG_TUN_L2TPV2, DF | TG_ENC_F_UDP_CSUM,
	  10 << 16 | 20, .local_port = 1701, .in.payload = 40 },
	{ "l2tpv2 acfc learnt port v6", TG_TUN_L2TPV2,
	  DF | TG_ENC_F_PPP_ACFC, 0xffffu << 16 | 1, .local_port = 1701,
	  .in = { .v6 = true, .payload = 40 }, .learnt_port = 1024 },
	{ "l2tpv2 csum odd v6 no DF", TG_TUN_L2TPV2, TG_ENC_F_UDP_CSUM,
	  3 << 16 | 4, .local_port = 1701,
	  .in = { .v6 = true, .payload = 41 }, .ip_id = 100 },
};

#define N_ENC (int)(sizeof(enc_cases) / sizeof(enc_cases[0]))
#define SUB_N 5			/* sub_id of the subscriber under test */

static bool is_l2(uint8_t type)
{
	return type == TG_TUN_GRETAP || type == TG_TUN_EOIP ||
	       type == TG_TUN_L2TPV3_IP || type == TG_TUN_L2TPV3_UDP;
}

static void encap_of(const struct enc_case *c, struct tg_encap *e)
{
	char remote[32];

	memset(e, 0, sizeof(*e));
	snprintf(remote, sizeof(remote), "192.0.2.%d", 100 + SUB_N);
	e->remote = inet4(remote);
	e->local = inet4(LOCAL);
	e->peer_id = c->peer_id;
	e->flags = c->flags;
	e->type = c->type;
	e->ttl = c->ttl;
	e->mtu = 1400;
	e->peer_port = c->peer_port;
	e->local_port = c->local_port;
	e->cookie_len = c->cookie_len;
	memcpy(e->peer_cookie, cookie8, c->cookie_len);
	if (c->flags & TG_ENC_F_PEER_MAC)
		memcpy(e->peer_mac, cfg_mac, 6);
}

static void setup_case(const struct enc_case *c)
{
	struct tg_encap e;
	struct tg_peer peer = { 0 };
	uint32_t n = SUB_N;

	encap_of(c, &e);
	update(sub_skel->maps.tg_encap, &n, 4, &e, sizeof(e));
	if (c->learnt_mac)
		memcpy(peer.mac, learnt_mac, 6);
	peer.udp_port = c->learnt_port;
	peer.gre_seq = c->gre_seq;
	peer.ip_id = c->ip_id;
	update(sub_skel->maps.tg_peer, &n, 4, &peer, sizeof(peer));
	add_prefixes(SUB_N);
	set_config(1701, 1701, c->cfg_ttl);
}

/* The frame as it arrives on the uplink. */
static void uplink_frame(const struct enc_case *c, struct buf *p,
			 struct buf *inner)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 1, 1, 2, 0, 0, 0, 1, 2 };
	uint16_t type = c->in.v6 ? ETH_P_IPV6 : ETH_P_IP;

	inner->len = 0;
	inner_pkt(inner, SUB_N, &c->in);
	put(p, macs, 12);
	if (c->vlans == 2) {
		put16(p, ETH_P_8021AD);
		put16(p, 100);
		put16(p, ETH_P_8021Q);
		put16(p, 200);
	} else if (c->vlans == 1) {
		put16(p, ETH_P_8021Q);
		put16(p, 100);
	}
	put16(p, type);
	put(p, inner->b, inner->len);
	if (c->pad && p->len < 60)
		put(p, NULL, 60 - p->len);
}

/* The inner datagram with its TTL / hop limit lowered by dec. */
static void lower_ttl(uint8_t *ip, bool v6, int dec)
{
	if (v6) {
		ip[7] -= dec;
	} else {
		ip[8] -= dec;
		ip4_csum(ip);
	}
}

/*
 * A frame of tunnel c carrying payload (plen bytes, inner ethertype type;
 * inner Ethernet addresses idst/isrc in Ethernet tunnels), built from the
 * wire formats alone: from us to the subscriber, or (from_sub) the other
 * way, addresses and ports swapped.
 */
static void tunnel_frame(const struct enc_case *c, bool from_sub,
			 const uint8_t *idst, const uint8_t *isrc,
			 uint16_t type, const uint8_t *payload, size_t plen,
			 struct buf *w)
{
	struct tg_encap e;
	size_t ip, udp = 0, gre = 0;
	uint16_t dport, sport;
	uint8_t proto = 0;
	uint32_t sum;

	encap_of(c, &e);
	put(w, from_sub ? sub_mac : peer_nh_mac, 6);
	put(w, from_sub ? peer_nh_mac : sub_mac, 6);
	put16(w, ETH_P_IP);
	ip = w->len;
	switch (c->type) {
	case TG_TUN_IPIP: proto = 4; break;
	case TG_TUN_SIT: proto = 41; break;
	case TG_TUN_GRE: case TG_TUN_GRETAP: case TG_TUN_EOIP: proto = 47; break;
	case TG_TUN_L2TPV3_IP: proto = 115; break;
	default: proto = 17; break;
	}
	put8(w, 0x45);
	put8(w, 0);
	put16(w, 0);			/* total length, below */
	put16(w, c->flags & DF ? 0 : c->ip_id);
	put16(w, c->flags & DF ? 0x4000 : 0);
	put8(w, c->ttl ? c->ttl : c->cfg_ttl ? c->cfg_ttl : 64);
	put8(w, proto);
	put16(w, 0);
	put(w, from_sub ? &e.remote : &e.local, 4);
	put(w, from_sub ? &e.local : &e.remote, 4);

	if (proto == 17) {
		dport = c->peer_port ? c->peer_port :
			c->learnt_port ? c->learnt_port : 1701;
		sport = c->local_port ? c->local_port : 1701;
		udp = w->len;
		put16(w, from_sub ? dport : sport);
		put16(w, from_sub ? sport : dport);
		put16(w, 0);
		put16(w, 0);
	}
	switch (c->type) {
	case TG_TUN_GRE:
	case TG_TUN_GRETAP:
		gre = w->len;
		put16(w, (c->flags & TG_ENC_F_GRE_CSUM ? 0x8000 : 0) |
			 (c->flags & TG_ENC_F_GRE_KEY ? 0x2000 : 0) |
			 (c->flags & TG_ENC_F_GRE_SEQ ? 0x1000 : 0));
		put16(w, c->type == TG_TUN_GRETAP ? ETH_P_TEB : type);
		if (c->flags & TG_ENC_F_GRE_CSUM)
			put32(w, 0);
		if (c->flags & TG_ENC_F_GRE_KEY)
			put32(w, c->peer_id);
		if (c->flags & TG_ENC_F_GRE_SEQ)
			put32(w, c->gre_seq);
		break;
	case TG_TUN_EOIP:
		put16(w, 0x2001);
		put16(w, 0x6400);
		put16(w, 14 + plen);
		put8(w, c->peer_id & 0xff);
		put8(w, (c->peer_id >> 8) & 0xff);
		break;
	case TG_TUN_L2TPV3_UDP:
		put32(w, 0x00030000);
		/* fall through */
	case TG_TUN_L2TPV3_IP:
		put32(w, c->peer_id);
		put(w, cookie8, c->cookie_len);
		if (c->flags & TG_ENC_F_L2SPEC)
			put32(w, 0);
		break;
	case TG_TUN_L2TPV2:
		put16(w, 0x0002);
		put16(w, c->peer_id >> 16);
		put16(w, c->peer_id & 0xffff);
		if (!(c->flags & TG_ENC_F_PPP_ACFC)) {
			put8(w, 0xff);
			put8(w, 0x03);
		}
		put16(w, type == ETH_P_IPV6 ? 0x0057 : 0x0021);
		break;
	}
	if (is_l2(c->type)) {
		put(w, idst, 6);
		put(w, isrc, 6);
		put16(w, type);
	}
	put(w, payload, plen);

	set16(w->b + ip + 2, w->len - ip);
	ip4_csum(w->b + ip);
	if (udp) {
		set16(w->b + udp + 4, w->len - udp);
		if (c->flags & TG_ENC_F_UDP_CSUM) {
			sum = sum16(0, w->b + ip + 12, 8) + 17 + (w->len - udp);
			sum = fold(sum16(sum, w->b + udp, w->len - udp));
			set16(w->b + udp + 6, sum ? sum : 0xffff);
		}
	}
	if (gre && (c->flags & TG_ENC_F_GRE_CSUM))
		set16(w->b + gre + 4, fold(sum16(0, w->b + gre, w->len - gre)));
}

/* What tg_up_xdp must send: the inner datagram, TTL - 1, in the tunnel. */
static void expected_encap(const struct enc_case *c, const struct buf *inner,
			   struct buf *w)
{
	static struct buf pl;

	memset(&pl, 0, sizeof(pl));
	put(&pl, inner->b, inner->len);
	lower_ttl(pl.b, c->in.v6, 1);
	tunnel_frame(c, false,
		     c->flags & TG_ENC_F_PEER_MAC ? cfg_mac : learnt_mac,
		     gw_mac, c->in.v6 ? ETH_P_IPV6 : ETH_P_IP, pl.b, pl.len, w);
}

/*
 * At TC an uplink frame with VLAN tags in the data is the kernel's (the
 * head move works after the Ethernet header only): passed untouched as
 * unsupported_payload. True when that was checked, for c at this hook.
 */
static bool tc_vlan_refused(const struct enc_case *c, const struct buf *in,
			    const struct result *r)
{
	if (hook != TG_HOOK_TC || !c->vlans)
		return false;
	ck_assert_msg(r->verdict == TC_ACT_OK &&
			      r->trace.reason == TG_R_UNSUPPORTED_PAYLOAD,
		      "%s [tc]: verdict %u reason %u", c->name, r->verdict,
		      r->trace.reason);
	assert_bytes(c->name, r->out, r->out_len, in->b, in->len);
	return true;
}

START_TEST(test_encap)
{
	/* _i / TG_HOOKS the case, _i % TG_HOOKS the hook. */
	const struct enc_case *c = &enc_cases[_i / TG_HOOKS];
	static struct buf in, inner, want;
	static struct result r;
	struct tg_sub_counters s;
	struct tg_peer peer;
	struct tg_counter g;

	hook = _i % TG_HOOKS;
	if (!enter())
		return;
	setup_case(c);
	memset(&in, 0, sizeof(in));
	memset(&want, 0, sizeof(want));
	uplink_frame(c, &in, &inner);
	run_up(&in, &r);
	if (tc_vlan_refused(c, &in, &r)) {
		leave();
		return;
	}
	ck_assert_msg(r.verdict == V(XDP_REDIRECT) && r.trace.reason == TG_R_OK,
		      "%s: verdict %u reason %u", c->name, r.verdict,
		      r.trace.reason);
	ck_assert_uint_eq(r.trace.sub_id, SUB_N);
	ck_assert_uint_eq(r.trace.ifindex, sub0);
	expected_encap(c, &inner, &want);
	assert_bytes(c->name, r.out, r.out_len, want.b, want.len);

	/* Counted toward the subscriber, inner bytes. */
	s = sub_count(SUB_N);
	ck_assert_uint_eq(s.packets[TG_DIR_DOWN], 1);
	ck_assert_uint_eq(s.bytes[TG_DIR_DOWN], inner.len);
	ck_assert_uint_eq(s.packets[TG_DIR_UP], 0);
	ck_assert_uint_eq(s.reasons[TG_R_OK], 1);
	g = global_count(TG_R_OK);
	ck_assert_uint_eq(g.packets, 1);
	ck_assert_uint_eq(g.bytes, inner.len);

	/* Counters advanced: sequence, and the id only without DF. */
	peer = get_peer(SUB_N);
	ck_assert_uint_eq(peer.gre_seq, c->gre_seq +
			  !!(c->flags & TG_ENC_F_GRE_SEQ));
	ck_assert_uint_eq(peer.ip_id, (uint16_t)(c->ip_id + !(c->flags & DF)));
	ck_assert_uint_eq(peer.pad, 0);
	leave();
}
END_TEST

/*
 * Round trip: the encapsulated frame, as if the subscriber had sent it
 * back to us (the return tunnel has its addresses swapped), decapsulates
 * to the inner datagram we started from, TTL lowered twice.
 */
START_TEST(test_round_trip)
{
	/* _i / TG_HOOKS the case, _i % TG_HOOKS the hook. */
	const struct enc_case *c = &enc_cases[_i / TG_HOOKS];
	static struct buf in, inner, back, want;
	static struct result r;
	struct tg_tun_key k = { 0 };
	struct tg_tunnel t = { .c[0] = { .claim = TG_CLAIM(MIRROR, 0),
					 .mtu = 1500 } };
	struct tg_lpm4_key k4 = { .prefixlen = 32 };
	struct tg_lpm6_key k6 = { .prefixlen = 128 };
	struct tg_encap e;
	struct tg_peer peer;
	struct tg_owners mirror = { .claim = { TG_CLAIM(MIRROR, 0) } };
	uint16_t dport;

	hook = _i % TG_HOOKS;
	if (!enter())
		return;
	setup_case(c);
	memset(&in, 0, sizeof(in));
	uplink_frame(c, &in, &inner);
	run_up(&in, &r);
	/* Nothing to send back at TC: checked refused, as in test_encap. */
	if (tc_vlan_refused(c, &in, &r)) {
		leave();
		return;
	}
	ck_assert_uint_eq(r.verdict, V(XDP_REDIRECT));

	encap_of(c, &e);
	k.remote = e.local;
	k.local = e.remote;
	k.type = c->type;
	switch (c->type) {
	case TG_TUN_GRE:
	case TG_TUN_GRETAP:
		if (c->flags & TG_ENC_F_GRE_KEY) {
			k.id = c->peer_id;
			k.flags = TG_KEY_F_KEYED;
		}
		break;
	case TG_TUN_EOIP:
		k.id = c->peer_id & 0xffff;
		break;
	case TG_TUN_L2TPV3_IP:
	case TG_TUN_L2TPV3_UDP:
	case TG_TUN_L2TPV2:
		k.id = c->peer_id;
		break;
	}
	if (c->flags & TG_ENC_F_L2SPEC)
		t.c[0].flags = TG_TUN_F_L2SPEC;
	t.c[0].cookie_len = c->cookie_len;
	memcpy(t.c[0].cookie, cookie8, c->cookie_len);
	update(sub_skel->maps.tg_tunnels, &k, sizeof(k), &t, sizeof(t));
	k4.addr = inet4(INNER_SRC4);
	update(sub_skel->maps.tg_prefix4, &k4, sizeof(k4), &mirror,
	       sizeof(mirror));
	ck_assert_int_eq(inet_pton(AF_INET6, INNER_SRC6, k6.addr), 1);
	update(sub_skel->maps.tg_prefix6, &k6, sizeof(k6), &mirror,
	       sizeof(mirror));
	dport = c->peer_port ? c->peer_port :
		c->learnt_port ? c->learnt_port : 1701;
	set_config(dport, dport, c->cfg_ttl);

	memset(&back, 0, sizeof(back));
	put(&back, r.out, r.out_len);
	run_sub(&back, &r);
	ck_assert_msg(r.verdict == V(XDP_REDIRECT) && r.trace.reason == TG_R_OK,
		      "%s: back: verdict %u reason %u", c->name, r.verdict,
		      r.trace.reason);
	ck_assert_uint_eq(r.trace.sub_id, MIRROR);
	memset(&want, 0, sizeof(want));
	put(&want, nh_mac, 6);
	put(&want, up_mac, 6);
	put16(&want, c->in.v6 ? ETH_P_IPV6 : ETH_P_IP);
	put(&want, inner.b, inner.len);
	lower_ttl(want.b + 14, c->in.v6, 2);
	assert_bytes(c->name, r.out, r.out_len, want.b, want.len);

	/* What the subscriber side learnt from the return tunnel. */
	peer = get_peer(MIRROR);
	if (is_l2(c->type))
		ck_assert_mem_eq(peer.mac, gw_mac, 6);
	else
		ck_assert_mem_eq(peer.mac, "\0\0\0\0\0\0", 6);
	ck_assert_uint_eq(peer.udp_port,
			  c->type == TG_TUN_L2TPV3_UDP || c->type == TG_TUN_L2TPV2 ?
				  (c->local_port ? c->local_port : 1701) : 0);
	leave();
}
END_TEST

/* ------------------------------------------------------------------ */
/* Packets the uplink program leaves alone or refuses.                 */

static void simple_frame(struct buf *p, int n, const struct inner_opts *o)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 1, 1, 2, 0, 0, 0, 1, 2 };

	put(p, macs, 12);
	put16(p, o->v6 ? ETH_P_IPV6 : ETH_P_IP);
	inner_pkt(p, n, o);
}

static void expect_untouched(const char *name, const struct buf *p,
			     uint32_t verdict, uint32_t reason, uint32_t sub)
{
	static struct result r;

	run_up(p, &r);
	ck_assert_msg(r.verdict == verdict && r.trace.reason == reason,
		      "%s: verdict %u reason %u, want %u %u", name, r.verdict,
		      r.trace.reason, verdict, reason);
	ck_assert_uint_eq(r.trace.sub_id, sub);
	assert_bytes(name, r.out, r.out_len, p->b, p->len);
}

START_TEST(test_refusals)
{
	static struct buf p;
	const struct enc_case gretap = { "gretap", TG_TUN_GRETAP, DF, .peer_id = 0 };
	const struct enc_case ipip = { "ipip", TG_TUN_IPIP, DF, .peer_id = 0 };
	struct inner_opts o = { .payload = 20 };
	uint32_t n = SUB_N;
	struct tg_encap zero = { 0 };

	hook = _i;
	if (!enter())
		return;
	/* No prefix at all. */
	memset(&p, 0, sizeof(p));
	simple_frame(&p, 9, &o);
	expect_untouched("no prefix", &p, V(XDP_PASS), TG_R_NOT_SUBSCRIBER, 0);

	/* Prefix but no encapsulation entry. */
	add_prefixes(9);
	expect_untouched("no encap", &p, V(XDP_PASS), TG_R_NOT_SUBSCRIBER, 0);

	/* Ethernet peer address unknown: dropped, untouched. */
	setup_case(&gretap);
	memset(&p, 0, sizeof(p));
	simple_frame(&p, SUB_N, &o);
	expect_untouched("no peer mac", &p, V(XDP_DROP), TG_R_NO_PEER_MAC, SUB_N);
	ck_assert_uint_eq(sub_count(SUB_N).reasons[TG_R_NO_PEER_MAC], 1);

	/* IPv6 to an IPIP subscriber. */
	setup_case(&ipip);
	memset(&p, 0, sizeof(p));
	o.v6 = true;
	simple_frame(&p, SUB_N, &o);
	expect_untouched("ipip v6", &p, V(XDP_PASS), TG_R_UNSUPPORTED_PAYLOAD,
			 SUB_N);

	/* TTL 1: the kernel sends time exceeded. */
	memset(&p, 0, sizeof(p));
	o = (struct inner_opts){ .payload = 20, .ttl = 1 };
	simple_frame(&p, SUB_N, &o);
	expect_untouched("ttl 1", &p, V(XDP_PASS), TG_R_TTL_EXPIRED, SUB_N);

	/* Over the MTU without DF: the kernel fragments. */
	memset(&p, 0, sizeof(p));
	o = (struct inner_opts){ .payload = 1400 - 28 + 1, .no_df = true };
	simple_frame(&p, SUB_N, &o);
	expect_untouched("no DF too big", &p, V(XDP_PASS),
			 TG_R_FRAG_NEEDED_LOCAL, SUB_N);

	/* Exactly the MTU fits. */
	memset(&p, 0, sizeof(p));
	o = (struct inner_opts){ .payload = 1400 - 28 };
	simple_frame(&p, SUB_N, &o);
	run_up(&p, &(struct result){ 0 });

	/* Removed subscriber: all-zero entry. */
	update(sub_skel->maps.tg_encap, &n, 4, &zero, sizeof(zero));
	expect_untouched("removed", &p, V(XDP_PASS), TG_R_NOT_SUBSCRIBER, 0);

	/* ARP is not routed traffic. */
	memset(&p, 0, sizeof(p));
	put(&p, NULL, 12);
	put16(&p, ETH_P_ARP);
	put(&p, NULL, 28);
	expect_untouched("arp", &p, V(XDP_PASS), TG_R_NOT_SUBSCRIBER, 0);
	leave();
}
END_TEST

/* ------------------------------------------------------------------ */
/* MSS clamping, both directions.                                      */

/* An uplink frame to SUB_N with a TCP SYN (or SYN-ACK) carrying mss. */
static void syn_frame(struct buf *p, bool v6, bool synack, uint16_t mss)
{
	struct inner_opts o = { .v6 = v6, .mss = mss, .synack = synack };

	memset(p, 0, sizeof(*p));
	simple_frame(p, SUB_N, &o);
}

/* Run a SYN through the uplink: the inner TCP segment must carry want. */
static void check_up_mss(const char *name, uint16_t flags, bool v6,
			 bool synack, uint16_t mss, uint16_t want_mss)
{
	const struct enc_case c = { name, TG_TUN_GRE, DF | flags,
				    .in = { .v6 = v6, .mss = want_mss,
					    .synack = synack } };
	static struct buf in, inner, want;
	static struct result r;

	setup_case(&c);
	syn_frame(&in, v6, synack, mss);
	run_up(&in, &r);
	ck_assert_msg(r.verdict == V(XDP_REDIRECT), "%s: verdict %u reason %u",
		      name, r.verdict, r.trace.reason);
	/* Expected: the same segment built with the clamped MSS. */
	memset(&want, 0, sizeof(want));
	inner.len = 0;
	inner_pkt(&inner, SUB_N, &c.in);
	expected_encap(&c, &inner, &want);
	assert_bytes(name, r.out, r.out_len, want.b, want.len);
}

START_TEST(test_mss_uplink)
{
	hook = _i;
	if (!enter())
		return;
	/* mtu 1400: 1360 for IPv4, 1340 for IPv6. */
	check_up_mss("syn v4", TG_ENC_F_MSS_CLAMP, false, false, 1460, 1360);
	check_up_mss("syn-ack v6", TG_ENC_F_MSS_CLAMP, true, true, 1440, 1340);
	check_up_mss("syn v4 small mss", TG_ENC_F_MSS_CLAMP, false, false, 1300,
		     1300);
	check_up_mss("syn v4 exact", TG_ENC_F_MSS_CLAMP, false, false, 1360,
		     1360);
	check_up_mss("syn v4 clamp off", 0, false, false, 1460, 1460);
	leave();
}
END_TEST

/*
 * A TCP SYN (MSS 1460) from subscriber SUB_N inside plain GRE with tunnel
 * key k, into in; o: the inner packet's options (mss set here).
 */
static void gre_syn(struct buf *in, const struct tg_tun_key *k,
		    struct inner_opts *o)
{
	size_t ip;

	memset(in, 0, sizeof(*in));
	put(in, sub_mac, 6);
	put(in, peer_nh_mac, 6);
	put16(in, ETH_P_IP);
	ip = in->len;
	put8(in, 0x45);
	put8(in, 0);
	put16(in, 0);
	put16(in, 1);
	put16(in, 0);
	put8(in, 64);
	put8(in, 47);
	put16(in, 0);
	put(in, &k->remote, 4);
	put(in, &k->local, 4);
	put32(in, ETH_P_IP);
	o->mss = 1460;
	inner_pkt(in, SUB_N, o);
	set16(in->b + ip + 2, in->len - ip);
	ip4_csum(in->b + ip);
}

/* r: gre_syn()'s SYN decapsulated toward the uplink with MSS mss. */
static void syn_decapsulated(const struct result *r, struct inner_opts *o,
			     __u16 mss, const char *what)
{
	static struct buf want;

	memset(&want, 0, sizeof(want));
	put(&want, nh_mac, 6);
	put(&want, up_mac, 6);
	put16(&want, ETH_P_IP);
	o->mss = mss;
	inner_pkt(&want, SUB_N, o);
	lower_ttl(want.b + 14, false, 1);
	assert_bytes(what, r->out, r->out_len, want.b, want.len);
}

START_TEST(test_mss_subscriber)
{
	static struct buf in;
	static struct result r;
	struct tg_tun_key k = { .type = TG_TUN_GRE };
	struct tg_tunnel t = { .c[0] = { .claim = TG_CLAIM(MIRROR, 0),
					 .mtu = 1400,
					 .flags = TG_TUN_F_MSS_CLAMP } };
	struct tg_lpm4_key k4 = { .prefixlen = 32 };
	struct inner_opts o = { .mss = 1460 };
	struct tg_owners mirror = { .claim = { TG_CLAIM(MIRROR, 0) } };
	int round;

	hook = _i;
	if (!enter())
		return;
	k.remote = inet4("192.0.2.50");
	k.local = inet4(LOCAL);
	update(sub_skel->maps.tg_tunnels, &k, sizeof(k), &t, sizeof(t));
	k4.addr = inet4(INNER_SRC4);
	update(sub_skel->maps.tg_prefix4, &k4, sizeof(k4), &mirror,
	       sizeof(mirror));

	for (round = 0; round < 2; round++) {
		/* A SYN from the subscriber, inside plain GRE. */
		gre_syn(&in, &k, &o);
		run_sub(&in, &r);
		ck_assert_msg(r.verdict == V(XDP_REDIRECT), "verdict %u reason %u",
			      r.verdict, r.trace.reason);

		/* Clamped in the first round, left alone without the flag. */
		syn_decapsulated(&r, &o, round ? 1460 : 1360,
				 round ? "subscriber syn, no clamp" :
					 "subscriber syn");
		t.c[0].flags = 0;
		update(sub_skel->maps.tg_tunnels, &k, sizeof(k), &t, sizeof(t));
	}
	leave();
}
END_TEST

/* ------------------------------------------------------------------ */
/* Too big for the tunnel: ICMP back to the sender.                    */

static void expected_too_big(const struct buf *in, bool v6, int vlans,
			     struct buf *w)
{
	size_t l3 = 14 + 4 * vlans, ip = l3, quote, icmp;
	const uint8_t *orig = in->b + l3;
	size_t orig_len = in->len - l3;
	uint32_t sum;

	put(w, in->b + 6, 6);		/* addresses swapped */
	put(w, in->b, 6);
	put(w, in->b + 12, l3 - 12);	/* tags and ethertype as they were */
	if (!v6) {
		quote = orig_len < 576 - 28 ? orig_len : 576 - 28;
		put8(w, 0x45);
		put8(w, 0);
		put16(w, 28 + quote);
		put16(w, 0);
		put16(w, 0);
		put8(w, 64);
		put8(w, 1);
		put16(w, 0);
		put32(w, ntohl(inet4(LOCAL)));
		put(w, orig + 12, 4);
		ip4_csum(w->b + ip);
		icmp = w->len;
		put8(w, 3);
		put8(w, 4);
		put16(w, 0);
		put16(w, 0);
		put16(w, 1400);
		put(w, orig, quote);
		set16(w->b + icmp + 2, fold(sum16(0, w->b + icmp, 8 + quote)));
	} else {
		quote = orig_len < 1280 - 48 ? orig_len : 1280 - 48;
		put32(w, 0x60000000);
		put16(w, 8 + quote);
		put8(w, 58);
		put8(w, 64);
		put(w, orig + 24, 16);
		put(w, orig + 8, 16);
		icmp = w->len;
		put8(w, 2);
		put8(w, 0);
		put16(w, 0);
		put32(w, 1400);
		put(w, orig, quote);
		sum = sum16(0, w->b + ip + 8, 32) + 58 + 8 + quote;
		set16(w->b + icmp + 2,
		      fold(sum16(sum, w->b + icmp, 8 + quote)));
	}
}

static void too_big_frame(struct buf *p, bool v6, int vlans, size_t payload)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 1, 1, 2, 0, 0, 0, 1, 2 };
	struct inner_opts o = { .v6 = v6, .payload = payload };

	memset(p, 0, sizeof(*p));
	put(p, macs, 12);
	if (vlans) {
		put16(p, ETH_P_8021Q);
		put16(p, 42);
	}
	put16(p, v6 ? ETH_P_IPV6 : ETH_P_IP);
	inner_pkt(p, SUB_N, &o);
}

/*
 * At TC no ICMP is built: a datagram with DF too big for the tunnel is
 * passed untouched (the kernel routes it to tg0, whose route has the
 * tunnel's MTU, and answers), with no rate limit; one with VLAN tags in
 * the data is the kernel's before that.
 */
static void tc_too_big(const struct enc_case *c, const struct enc_case *c6)
{
	static struct buf in;
	static struct result r;
	int i;

	setup_case(c);
	for (i = 0; i < 101; i++) {
		too_big_frame(&in, false, 0, 1400 - 28 + 1);
		run_up(&in, &r);
		ck_assert_msg(r.verdict == TC_ACT_OK &&
				      r.trace.reason == TG_R_TOO_BIG,
			      "v4 [tc] %d: verdict %u reason %u", i, r.verdict,
			      r.trace.reason);
		ck_assert_uint_eq(r.trace.sub_id, SUB_N);
		assert_bytes("too big v4 [tc]", r.out, r.out_len, in.b, in.len);
	}
	ck_assert_uint_eq(sub_count(SUB_N).reasons[TG_R_TOO_BIG], 101);

	too_big_frame(&in, false, 1, 1400 - 28 + 1);
	run_up(&in, &r);
	ck_assert_msg(r.verdict == TC_ACT_OK &&
			      r.trace.reason == TG_R_UNSUPPORTED_PAYLOAD,
		      "vlan [tc]: verdict %u reason %u", r.verdict,
		      r.trace.reason);
	assert_bytes("too big vlan [tc]", r.out, r.out_len, in.b, in.len);

	setup_case(c6);
	too_big_frame(&in, true, 0, 1500 - 48);
	run_up(&in, &r);
	ck_assert_msg(r.verdict == TC_ACT_OK && r.trace.reason == TG_R_TOO_BIG,
		      "v6 [tc]: verdict %u reason %u", r.verdict, r.trace.reason);
	assert_bytes("too big v6 [tc]", r.out, r.out_len, in.b, in.len);
	leave();
}

START_TEST(test_too_big)
{
	const struct enc_case c = { "ipip", TG_TUN_IPIP, DF, .peer_id = 0 };
	const struct enc_case c6 = { "sit", TG_TUN_SIT, DF, .peer_id = 0 };
	static struct buf in, want;
	static struct result r;
	int i;

	hook = _i;
	if (!enter())
		return;
	if (hook == TG_HOOK_TC) {
		tc_too_big(&c, &c6);
		return;
	}
	setup_case(&c);
	/* IPv4, DF, one byte over; one VLAN tag kept on the reply. */
	too_big_frame(&in, false, 1, 1400 - 28 + 1);
	run_up(&in, &r);
	ck_assert_msg(r.verdict == V(XDP_TX) && r.trace.reason == TG_R_TOO_BIG,
		      "v4: verdict %u reason %u", r.verdict, r.trace.reason);
	ck_assert_uint_eq(r.trace.sub_id, SUB_N);
	memset(&want, 0, sizeof(want));
	expected_too_big(&in, false, 1, &want);
	assert_bytes("too big v4", r.out, r.out_len, want.b, want.len);
	ck_assert_uint_eq(sub_count(SUB_N).reasons[TG_R_TOO_BIG], 1);

	/* IPv6, a whole Ethernet MTU: quoted up to 1280 bytes in all. */
	setup_case(&c6);
	too_big_frame(&in, true, 0, 1500 - 48);
	run_up(&in, &r);
	ck_assert_msg(r.verdict == V(XDP_TX) && r.trace.reason == TG_R_TOO_BIG,
		      "v6: verdict %u reason %u", r.verdict, r.trace.reason);
	memset(&want, 0, sizeof(want));
	expected_too_big(&in, true, 0, &want);
	assert_bytes("too big v6", r.out, r.out_len, want.b, want.len);

	/* A short one over a small MTU: the whole datagram is quoted. */
	setup_case(&c);
	{
		struct tg_encap e;
		uint32_t n = SUB_N;

		encap_of(&c, &e);
		e.mtu = 576;
		update(sub_skel->maps.tg_encap, &n, 4, &e, sizeof(e));
	}
	too_big_frame(&in, false, 0, 600);
	run_up(&in, &r);
	ck_assert_uint_eq(r.verdict, V(XDP_TX));
	ck_assert_uint_eq(r.out_len, 14 + 576);

	/* Rate limit: 100 per second on this CPU (3 sent so far). */
	for (i = 3; i < 100; i++) {
		run_up(&in, &r);
		ck_assert_msg(r.verdict == V(XDP_TX), "reply %d: verdict %u", i,
			      r.verdict);
	}
	run_up(&in, &r);
	ck_assert_uint_eq(r.verdict, V(XDP_DROP));
	ck_assert_uint_eq(r.trace.reason, TG_R_TOO_BIG);
	leave();
}
END_TEST

START_TEST(test_too_big_no_error_about_error)
{
	const struct enc_case c = { "ipip", TG_TUN_IPIP, DF, .peer_id = 0 };
	static struct buf in;
	static struct result r;

	hook = _i;
	if (!enter())
		return;
	setup_case(&c);
	too_big_frame(&in, false, 0, 1400);
	/* Make it an ICMP destination unreachable (checksums aside). */
	in.b[14 + 9] = 1;
	in.b[14 + 20] = 3;
	run_up(&in, &r);
	/* Dropped at XDP; passed at TC, where no ICMP is built anyway. */
	ck_assert_uint_eq(r.verdict, hook == TG_HOOK_TC ? TC_ACT_OK : XDP_DROP);
	ck_assert_uint_eq(r.trace.reason, TG_R_TOO_BIG);
	assert_bytes("icmp error", r.out, r.out_len, in.b, in.len);
	leave();
}
END_TEST

/* ------------------------------------------------------------------ */
/* ARP and neighbour discovery inside Ethernet tunnels.                */

enum neigh_kind {
	N_ARP,			/* request for 100.64.5.1: answered */
	N_NS,			/* solicitation for fe80::1: answered */
	N_NS_GLOBAL,		/* for 2001:db8:5::1 from a global address */
	N_ARP_GRATUITOUS,	/* sender asks for itself: left alone */
	N_ARP_REPLY,		/* not a request: left alone */
	N_NS_DAD,		/* from ::, duplicate address detection */
};

struct neigh_case {
	const char *name;
	enum neigh_kind kind;
	struct enc_case c;
};

static const struct neigh_case neigh_cases[] = {
	{ "gretap arp", N_ARP, { "", TG_TUN_GRETAP, DF, .peer_id = 0 } },
	{ "gretap ns key csum seq", N_NS,
	  { "", TG_TUN_GRETAP,
	    DF | TG_ENC_F_GRE_KEY | TG_ENC_F_GRE_CSUM | TG_ENC_F_GRE_SEQ, 9,
	    .gre_seq = 5 } },
	{ "gretap arp, other mac configured", N_ARP,
	  { "", TG_TUN_GRETAP, DF | TG_ENC_F_PEER_MAC, .peer_id = 0 } },
	{ "eoip arp no DF", N_ARP,
	  { "", TG_TUN_EOIP, 0, 0x0102, .ip_id = 9 } },
	{ "l2tpv3-ip ns global", N_NS_GLOBAL,
	  { "", TG_TUN_L2TPV3_IP, DF | TG_ENC_F_L2SPEC, 0x01020304, 8,
	    .peer_port = 0 } },
	{ "l2tpv3-udp arp csum", N_ARP,
	  { "", TG_TUN_L2TPV3_UDP, DF | TG_ENC_F_UDP_CSUM, 77, 4,
	    .local_port = 1701, .learnt_port = 40000 } },
	{ "l2tpv3-udp ns", N_NS,
	  { "", TG_TUN_L2TPV3_UDP, DF, 78, .local_port = 1701 } },
	{ "gratuitous arp", N_ARP_GRATUITOUS,
	  { "", TG_TUN_GRETAP, DF, .peer_id = 0 } },
	{ "arp reply", N_ARP_REPLY, { "", TG_TUN_GRETAP, DF, .peer_id = 0 } },
	{ "ns dad", N_NS_DAD, { "", TG_TUN_EOIP, DF, .peer_id = 1 } },
};

#define N_NEIGH (int)(sizeof(neigh_cases) / sizeof(neigh_cases[0]))

static void put_arp(struct buf *p, uint16_t oper, const uint8_t *sha,
		    const char *spa, const uint8_t *tha, const char *tpa)
{
	put16(p, 1);
	put16(p, ETH_P_IP);
	put8(p, 6);
	put8(p, 4);
	put16(p, oper);
	put(p, sha, 6);
	put32(p, ntohl(inet4(spa)));
	put(p, tha, 6);
	put32(p, ntohl(inet4(tpa)));
}

/* IPv6 + ICMPv6 NS (135) or NA (136) with a link-layer address option. */
static void put_nd(struct buf *p, uint8_t type, const char *src,
		   const char *dst, const char *target, const uint8_t *lladdr)
{
	size_t ip = p->len, icmp;
	uint8_t a[16];
	uint32_t sum;

	put32(p, 0x60000000);
	put16(p, 32);
	put8(p, 58);
	put8(p, 255);
	ck_assert_int_eq(inet_pton(AF_INET6, src, a), 1);
	put(p, a, 16);
	ck_assert_int_eq(inet_pton(AF_INET6, dst, a), 1);
	put(p, a, 16);
	icmp = p->len;
	put8(p, type);
	put8(p, 0);
	put16(p, 0);
	put32(p, type == 136 ? 0xe0000000 : 0);
	ck_assert_int_eq(inet_pton(AF_INET6, target, a), 1);
	put(p, a, 16);
	put8(p, type == 136 ? 2 : 1);
	put8(p, 1);
	put(p, lladdr, 6);
	sum = sum16(0, p->b + ip + 8, 32) + 58 + 32;
	set16(p->b + icmp + 2, fold(sum16(sum, p->b + icmp, 32)));
}

/* ------------------------------------------------------------------ */
/* Generations: a claim holds while tg_gen[sub_id] is its slot.        */

static void set_gen(uint32_t id, uint32_t slot)
{
	update(sub_skel->maps.tg_gen, &id, 4, &slot, 4);
}

/* Replace the owners of SUB_N's prefixes. */
static void set_owners(uint32_t c0, uint32_t c1)
{
	put_prefixes(SUB_N, c0, c1);
}

/*
 * Uplink: SUB_N's configuration in slot 1 (tg_encap1, tg_police1) is what
 * a packet to a prefix claimed for slot 1 gets, once slot 1 is in force;
 * before that the prefix is nobody's. Slot 0 holds another GRE key and a
 * community scope, so that using the wrong slot shows.
 */
START_TEST(test_gen_uplink)
{
	const struct enc_case c = { "gre key", TG_TUN_GRE,
				    DF | TG_ENC_F_GRE_KEY, .peer_id = 9 };
	struct tg_police community = { .flags = TG_RATE_F_COMMUNITY };
	struct tg_police open = { 0 };
	struct inner_opts o = { .payload = 30 };
	static struct buf in, inner, want;
	static struct result r;
	struct tg_encap e, old;
	uint32_t n = SUB_N, old_key = htonl(0x1234);

	hook = _i;
	if (!enter())
		return;
	setup_case(&c);
	encap_of(&c, &e);
	update(sub_skel->maps.tg_encap1, &n, 4, &e, sizeof(e));
	update(sub_skel->maps.tg_police1, &n, 4, &open, sizeof(open));
	old = e;
	old.peer_id = ntohl(old_key);
	update(sub_skel->maps.tg_encap, &n, 4, &old, sizeof(old));
	update(sub_skel->maps.tg_police, &n, 4, &community, sizeof(community));
	set_owners(TG_CLAIM(SUB_N, 1), 0);
	memset(&in, 0, sizeof(in));
	uplink_frame(&c, &in, &inner);

	/* Written, not in force: no subscriber has the prefix yet. */
	expect_untouched("slot 1 claimed, slot 0 in force", &in, V(XDP_PASS),
			 TG_R_NOT_SUBSCRIBER, 0);

	/* In force: slot 1's encapsulation, slot 1's (open) scope. */
	set_gen(SUB_N, 1);
	run_up(&in, &r);
	ck_assert_msg(r.verdict == V(XDP_REDIRECT) && r.trace.reason == TG_R_OK,
		      "slot 1: verdict %u reason %u", r.verdict,
		      r.trace.reason);
	ck_assert_uint_eq(r.trace.sub_id, SUB_N);
	memset(&want, 0, sizeof(want));
	expected_encap(&c, &inner, &want);
	assert_bytes("slot 1 in force", r.out, r.out_len, want.b, want.len);

	/* Slot 1's scope: community only, the source is outside. */
	update(sub_skel->maps.tg_police1, &n, 4, &community, sizeof(community));
	update(sub_skel->maps.tg_police, &n, 4, &open, sizeof(open));
	expect_untouched("slot 1 scope", &in, V(XDP_DROP), TG_R_SCOPE, SUB_N);

	/* Both slots claimed, slot 0 in force: slot 0's key. */
	set_owners(TG_CLAIM(SUB_N, 0), TG_CLAIM(SUB_N, 1));
	set_gen(SUB_N, 0);
	run_up(&in, &r);
	ck_assert_msg(r.verdict == V(XDP_REDIRECT) && r.trace.reason == TG_R_OK,
		      "slot 0: verdict %u reason %u", r.verdict,
		      r.trace.reason);
	ck_assert_uint_ge(r.out_len, 14 + 20 + 8);
	ck_assert_mem_eq(r.out + 14 + 20 + 4, &old_key, 4);

	/* IPv6 takes the same claims. */
	memset(&in, 0, sizeof(in));
	o.v6 = true;
	simple_frame(&in, SUB_N, &o);
	run_up(&in, &r);
	ck_assert_msg(r.verdict == V(XDP_REDIRECT), "v6 slot 0: verdict %u reason %u",
		      r.verdict, r.trace.reason);
	ck_assert_mem_eq(r.out + 14 + 20 + 4, &old_key, 4);
	set_owners(TG_CLAIM(SUB_N, 1), 0);
	expect_untouched("v6 slot 1 claimed, slot 0 in force", &in, V(XDP_PASS),
			 TG_R_NOT_SUBSCRIBER, 0);
	leave();
}
END_TEST

/*
 * Subscriber side: a tunnel key whose first claim is another
 * subscriber's, for a slot not in force (MTU 1300), takes its second
 * claim's MTU (1400) for MSS clamping; once the first claim's slot is in
 * force, the first claim's MTU.
 */
START_TEST(test_gen_mss_subscriber)
{
	static struct buf in;
	static struct result r;
	struct tg_tun_key k = { .type = TG_TUN_GRE };
	struct tg_tunnel t = { 0 };
	struct tg_lpm4_key k4 = { .prefixlen = 32 };
	struct tg_owners own = { .claim = { TG_CLAIM(MIRROR, 0),
					    TG_CLAIM(SUB_N, 1) } };
	struct inner_opts o = { .mss = 1460 };
	int round;

	hook = _i;
	if (!enter())
		return;
	k.remote = inet4("192.0.2.50");
	k.local = inet4(LOCAL);
	t.c[0].claim = TG_CLAIM(SUB_N, 1);
	t.c[0].mtu = 1300;
	t.c[0].flags = TG_TUN_F_MSS_CLAMP;
	t.c[1].claim = TG_CLAIM(MIRROR, 0);
	t.c[1].mtu = 1400;
	t.c[1].flags = TG_TUN_F_MSS_CLAMP;
	update(sub_skel->maps.tg_tunnels, &k, sizeof(k), &t, sizeof(t));
	k4.addr = inet4(INNER_SRC4);
	update(sub_skel->maps.tg_prefix4, &k4, sizeof(k4), &own, sizeof(own));

	for (round = 0; round < 2; round++) {
		gre_syn(&in, &k, &o);
		run_sub(&in, &r);
		ck_assert_msg(r.verdict == V(XDP_REDIRECT), "verdict %u reason %u",
			      r.verdict, r.trace.reason);
		ck_assert_uint_eq(r.trace.sub_id, round ? SUB_N : MIRROR);

		/* MTU 1400 (second claim), then 1300 (first claim). */
		syn_decapsulated(&r, &o, round ? 1260 : 1360,
				 round ? "first claim in force" :
					 "second claim in force");
		set_gen(SUB_N, 1);
	}
	leave();
}
END_TEST

START_TEST(test_neigh)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t zero6[6] = { 0 };
	static const uint8_t snm[6] = { 0x33, 0x33, 0xff, 0, 0, 1 };
	const struct neigh_case *nc = &neigh_cases[_i / TG_HOOKS];
	const struct enc_case *c = &nc->c;
	static struct buf req, want, pl;
	static struct result r;
	struct tg_tun_key k = { .type = c->type };
	struct tg_tunnel t = { .c[0] = { .claim = TG_CLAIM(SUB_N, 0),
					 .mtu = 1400 } };
	struct tg_encap e;
	struct tg_sub_counters sc;
	struct tg_peer peer;
	bool answer = nc->kind <= N_NS_GLOBAL;
	bool v6 = nc->kind == N_NS || nc->kind == N_NS_GLOBAL ||
		  nc->kind == N_NS_DAD;

	hook = _i % TG_HOOKS;
	if (!enter())
		return;
	setup_case(c);
	{
		/* The learnt port is what the request brings: start empty. */
		struct tg_peer zero = { .gre_seq = c->gre_seq, .ip_id = c->ip_id };
		uint32_t n = SUB_N;

		update(sub_skel->maps.tg_peer, &n, 4, &zero, sizeof(zero));
	}
	encap_of(c, &e);
	k.remote = e.remote;
	k.local = e.local;
	if (c->flags & TG_ENC_F_GRE_KEY) {
		k.id = c->peer_id;
		k.flags = TG_KEY_F_KEYED;
	} else if (c->type != TG_TUN_GRETAP) {
		k.id = c->type == TG_TUN_EOIP ? c->peer_id & 0xffff : c->peer_id;
	}
	t.c[0].flags = c->flags & TG_ENC_F_L2SPEC ? TG_TUN_F_L2SPEC : 0;
	t.c[0].cookie_len = c->cookie_len;
	memcpy(t.c[0].cookie, cookie8, c->cookie_len);
	update(sub_skel->maps.tg_tunnels, &k, sizeof(k), &t, sizeof(t));

	memset(&pl, 0, sizeof(pl));
	switch (nc->kind) {
	case N_ARP:
		put_arp(&pl, 1, learnt_mac, "100.64.5.2", zero6, "100.64.5.1");
		break;
	case N_ARP_GRATUITOUS:
		put_arp(&pl, 1, learnt_mac, "100.64.5.2", zero6, "100.64.5.2");
		break;
	case N_ARP_REPLY:
		put_arp(&pl, 2, learnt_mac, "100.64.5.2", gw_mac, "100.64.5.1");
		break;
	case N_NS:
		put_nd(&pl, 135, "fe80::2", "ff02::1:ff00:1", "fe80::1",
		       learnt_mac);
		break;
	case N_NS_GLOBAL:
		put_nd(&pl, 135, "2001:db8:5::2", "ff02::1:ff00:1",
		       "2001:db8:5::1", learnt_mac);
		break;
	case N_NS_DAD:
		put_nd(&pl, 135, "::", "ff02::1:ff00:2", "fe80::2",
		       learnt_mac);
		break;
	}
	memset(&req, 0, sizeof(req));
	tunnel_frame(c, true, v6 ? snm : bcast, learnt_mac,
		     v6 ? ETH_P_IPV6 : ETH_P_ARP, pl.b, pl.len, &req);
	run_sub(&req, &r);

	if (!answer) {
		ck_assert_msg(r.verdict == V(XDP_PASS) &&
			      r.trace.reason == TG_R_CONTROL,
			      "%s: verdict %u reason %u", nc->name, r.verdict,
			      r.trace.reason);
		assert_bytes(nc->name, r.out, r.out_len, req.b, req.len);
		leave();
		return;
	}
	ck_assert_msg(r.verdict == V(XDP_TX) && r.trace.reason == TG_R_NEIGH_REPLY,
		      "%s: verdict %u reason %u", nc->name, r.verdict,
		      r.trace.reason);
	ck_assert_uint_eq(r.trace.sub_id, SUB_N);
	memset(&pl, 0, sizeof(pl));
	if (nc->kind == N_ARP)
		put_arp(&pl, 2, gw_mac, "100.64.5.1", learnt_mac, "100.64.5.2");
	else if (nc->kind == N_NS)
		put_nd(&pl, 136, "fe80::1", "fe80::2", "fe80::1", gw_mac);
	else
		put_nd(&pl, 136, "2001:db8:5::1", "2001:db8:5::2",
		       "2001:db8:5::1", gw_mac);
	memset(&want, 0, sizeof(want));
	tunnel_frame(c, false, learnt_mac, gw_mac, v6 ? ETH_P_IPV6 : ETH_P_ARP,
		     pl.b, pl.len, &want);
	assert_bytes(nc->name, r.out, r.out_len, want.b, want.len);

	ck_assert_uint_eq(global_count(TG_R_NEIGH_REPLY).packets, 1);
	sc = sub_count(SUB_N);
	ck_assert_uint_eq(sc.reasons[TG_R_CONTROL], 1);
	peer = get_peer(SUB_N);
	ck_assert_mem_eq(peer.mac, learnt_mac, 6);
	if (c->type == TG_TUN_L2TPV3_UDP)
		ck_assert_uint_eq(peer.udp_port,
				  c->learnt_port ? c->learnt_port : 1701);
	leave();
}
END_TEST

/* ------------------------------------------------------------------ */
/* The TC egress program of tg0: fragments the kernel made, and what  */
/* the concentrator sends itself, go into the tunnel unchanged.        */

/* The egress program on the test's maps (shared with sub_skel). */
/* ------------------------------------------------------------------ */
/* tg_seen: when each subscriber was last heard.                       */

static struct tg_seen get_seen(uint32_t sub)
{
	struct tg_seen v;

	ck_assert_int_eq(bpf_map__lookup_elem(sub_skel->maps.tg_seen, &sub, 4,
					      &v, sizeof(v), 0), 0);
	return v;
}

static void set_seen(uint32_t sub, uint64_t packet_ns, uint64_t keepalive_ns)
{
	struct tg_seen v = { .packet_ns = packet_ns,
			     .keepalive_ns = keepalive_ns };

	update(sub_skel->maps.tg_seen, &sub, 4, &v, sizeof(v));
}

/* bpf_ktime_get_coarse_ns()'s clock. */
static uint64_t coarse_ns(void)
{
	struct timespec ts;

	ck_assert_int_eq(clock_gettime(CLOCK_MONOTONIC_COARSE, &ts), 0);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * A RouterOS EoIP keepalive from the subscriber of c (IPv4 and the EoIP
 * header with length 0, padded to 60 bytes), and tungate's answer to it
 * written out from the format in bpf/lib/keepalive.h.
 */
static void eoip_keepalive(const struct enc_case *c, bool answer,
			   struct buf *w)
{
	struct tg_encap e;
	size_t ip;

	encap_of(c, &e);
	put(w, answer ? peer_nh_mac : sub_mac, 6);
	put(w, answer ? sub_mac : peer_nh_mac, 6);
	put16(w, ETH_P_IP);
	ip = w->len;
	put16(w, 0x4500);
	put16(w, 28);
	put16(w, answer ? 0 : 0x1234);
	put16(w, answer ? 0x4000 : 0);
	put8(w, answer ? 64 : 255);
	put8(w, 47);
	put16(w, 0);
	put(w, answer ? &e.local : &e.remote, 4);
	put(w, answer ? &e.remote : &e.local, 4);
	ip4_csum(w->b + ip);
	put16(w, 0x2001);
	put16(w, 0x6400);
	put16(w, 0);
	put8(w, c->peer_id & 0xff);
	put8(w, (c->peer_id >> 8) & 0xff);
	while (!answer && w->len < 60)
		put8(w, 0);
}

/*
 * tg_seen after a data packet and a keepalive of an EoIP subscriber:
 * packet_ns for the one, keepalive_ns for the other, in the clock of
 * bpf_ktime_get_coarse_ns(); packet_ns rewritten only once it is
 * TG_SEEN_GRAIN_NS old.
 */
START_TEST(test_seen)
{
	const struct enc_case *c = NULL;
	static struct buf in, pl, want;
	static struct result r;
	struct tg_tun_key k = { .type = TG_TUN_EOIP };
	struct tg_tunnel t = { .c[0] = { .claim = TG_CLAIM(SUB_N, 0),
					 .mtu = 1400 } };
	struct inner_opts o = { .payload = 20 };
	struct tg_encap e;
	struct tg_seen s;
	uint64_t t0, t1, old;
	uint8_t a[4];
	int i;

	for (i = 0; i < N_ENC; i++)
		if (!strcmp(enc_cases[i].name, "eoip"))
			c = &enc_cases[i];
	ck_assert_ptr_nonnull(c);
	hook = _i;
	if (!enter())
		return;
	setup_case(c);
	encap_of(c, &e);
	k.remote = e.remote;
	k.local = e.local;
	k.id = c->peer_id & 0xffff;
	update(sub_skel->maps.tg_tunnels, &k, sizeof(k), &t, sizeof(t));
	ck_assert_uint_eq(get_seen(SUB_N).packet_ns, 0);

	/* Data from the subscriber: 100.64.5.5 to the Internet. */
	memset(&pl, 0, sizeof(pl));
	inner_pkt(&pl, SUB_N, &o);
	memcpy(a, pl.b + 12, 4);
	memmove(pl.b + 12, pl.b + 16, 4);
	memcpy(pl.b + 16, a, 4);
	memset(&in, 0, sizeof(in));
	tunnel_frame(c, true, gw_mac, learnt_mac, ETH_P_IP, pl.b, pl.len, &in);
	t0 = coarse_ns();
	run_sub(&in, &r);
	t1 = coarse_ns();
	ck_assert_uint_eq(r.trace.sub_id, SUB_N);
	ck_assert_uint_eq(r.trace.reason, TG_R_OK);
	s = get_seen(SUB_N);
	ck_assert_uint_ge(s.packet_ns, t0);
	ck_assert_uint_le(s.packet_ns, t1);
	ck_assert_uint_eq(s.keepalive_ns, 0);

	/* Within the grain: left as it is. */
	old = coarse_ns() - TG_SEEN_GRAIN_NS / 2;
	set_seen(SUB_N, old, 0);
	run_sub(&in, &r);
	ck_assert_uint_eq(get_seen(SUB_N).packet_ns, old);
	/* Older than that: rewritten. */
	old = coarse_ns() - TG_SEEN_GRAIN_NS - 1;
	set_seen(SUB_N, old, 0);
	t0 = coarse_ns();
	run_sub(&in, &r);
	ck_assert_uint_ge(get_seen(SUB_N).packet_ns, t0);

	/* A keepalive: answered, keepalive_ns only. */
	set_seen(SUB_N, old, 0);
	memset(&in, 0, sizeof(in));
	eoip_keepalive(c, false, &in);
	t0 = coarse_ns();
	run_sub(&in, &r);
	t1 = coarse_ns();
	ck_assert_msg(r.verdict == V(XDP_TX) &&
		      r.trace.reason == TG_R_KEEPALIVE,
		      "verdict %u reason %u", r.verdict, r.trace.reason);
	memset(&want, 0, sizeof(want));
	eoip_keepalive(c, true, &want);
	assert_bytes("eoip keepalive", r.out, r.out_len, want.b, want.len);
	s = get_seen(SUB_N);
	ck_assert_uint_eq(s.packet_ns, old);
	ck_assert_uint_ge(s.keepalive_ns, t0);
	ck_assert_uint_le(s.keepalive_ns, t1);
	ck_assert_uint_eq(sub_count(SUB_N).reasons[TG_R_KEEPALIVE], 1);
	leave();
}
END_TEST

static struct egress_bpf *load_egress(void)
{
	struct egress_bpf *eg = egress_bpf__open();

	ck_assert_ptr_nonnull(eg);
	tg_hook_share_maps(eg->obj, sub_skel->obj);
	ck_assert_msg(egress_bpf__load(eg) == 0, "egress.bpf.o: %s",
		      strerror(errno));
	return eg;
}

/* Run tg_egress_tc on an skb of p leaving through ifindex. */
static void run_egress(struct egress_bpf *eg, const struct buf *p,
		       uint32_t ifindex, struct result *r)
{
	struct __sk_buff ctx = { .ifindex = ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p->b,
		    .data_size_in = p->len, .data_out = r->out,
		    .data_size_out = sizeof(r->out), .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = 1);

	ck_assert_int_eq(bpf_prog_test_run_opts(
				 bpf_program__fd(eg->progs.tg_egress_tc), &opts),
			 0);
	r->verdict = opts.retval;
	r->out_len = opts.data_size_out;
}

/* Last fragment (offset 1480, MF clear) of a datagram to subscriber n. */
static void fragment(struct buf *ip, int n, size_t payload)
{
	struct inner_opts o = { .no_df = true, .ttl = 63, .payload = payload };

	ip->len = 0;
	inner_pkt(ip, n, &o);
	set16(ip->b + 6, 1480 / 8);
	ip4_csum(ip->b);
}

/* Cases of enc_cases[] the egress program is checked with. */
static const char *const egress_cases[] = {
	"ipip no DF, ip id",
	"gre key csum seq",
	"l2tpv2 csum odd v6 no DF",
	"l2tpv3-udp cookie4 csum learnt port",
};
#define N_EGRESS (int)(sizeof(egress_cases) / sizeof(egress_cases[0]))

START_TEST(test_egress_tc)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 9, 9, 2, 0, 0, 0, 9, 8 };
	const struct enc_case *c = NULL;
	static struct buf in, ip, want;
	static struct result r;
	struct tg_sub_counters s;
	struct egress_bpf *eg;
	struct tg_peer peer;
	int i;

	for (i = 0; i < N_ENC; i++)
		if (!strcmp(enc_cases[i].name, egress_cases[_i]))
			c = &enc_cases[i];
	ck_assert_ptr_nonnull(c);
	if (!enter())
		return;
	eg = load_egress();
	setup_case(c);

	/* An IPv4 fragment (the payload of an IPv6 case: not a fragment). */
	if (c->in.v6) {
		ip.len = 0;
		inner_pkt(&ip, SUB_N, &c->in);
	} else {
		fragment(&ip, SUB_N, 300);
	}
	memset(&in, 0, sizeof(in));
	put(&in, macs, 12);
	put16(&in, c->in.v6 ? ETH_P_IPV6 : ETH_P_IP);
	put(&in, ip.b, ip.len);
	run_egress(eg, &in, up0, &r);
	ck_assert_msg(r.verdict == TC_ACT_REDIRECT, "%s: verdict %u", c->name,
		      r.verdict);
	/* Encapsulated as is: no TTL decrement here, the kernel did it. */
	memset(&want, 0, sizeof(want));
	tunnel_frame(c, false, c->flags & TG_ENC_F_PEER_MAC ? cfg_mac :
							      learnt_mac,
		     gw_mac, c->in.v6 ? ETH_P_IPV6 : ETH_P_IP, ip.b, ip.len,
		     &want);
	assert_bytes(c->name, r.out, r.out_len, want.b, want.len);
	s = sub_count(SUB_N);
	ck_assert_uint_eq(s.packets[TG_DIR_DOWN], 1);
	ck_assert_uint_eq(s.bytes[TG_DIR_DOWN], ip.len);
	ck_assert_uint_eq(global_count(TG_R_OK).packets, 1);
	peer = get_peer(SUB_N);
	ck_assert_uint_eq(peer.ip_id, (uint16_t)(c->ip_id + !(c->flags & DF)));

	/* Nothing else is routed to tg0: dropped, counted. */
	memset(&in, 0, sizeof(in));
	put(&in, macs, 12);
	put16(&in, ETH_P_IP);
	fragment(&ip, SUB_N + 1, 20);
	put(&in, ip.b, ip.len);
	run_egress(eg, &in, up0, &r);
	ck_assert_uint_eq(r.verdict, TC_ACT_SHOT);
	ck_assert_uint_eq(global_count(TG_R_NOT_SUBSCRIBER).packets, 1);
	egress_bpf__destroy(eg);
	leave();
}
END_TEST

START_TEST(test_load_uplink)
{
	struct uplink_bpf *s;

	if (!tg_test_need_root())
		return;
	ck_assert(!unshare(CLONE_NEWNET));
	/* Default capacities, its own maps. */
	s = uplink_bpf__open();
	ck_assert_ptr_nonnull(s);
	no_pinning(s->obj);
	ck_assert_msg(uplink_bpf__load(s) == 0, "uplink.bpf.o: %s",
		      strerror(errno));
	uplink_bpf__destroy(s);
}
END_TEST

START_TEST(test_load_uplink_tc)
{
	struct uplink_tc_bpf *s;

	if (!tg_test_need_root())
		return;
	ck_assert(!unshare(CLONE_NEWNET));
	s = uplink_tc_bpf__open();
	ck_assert_ptr_nonnull(s);
	no_pinning(s->obj);
	ck_assert_msg(uplink_tc_bpf__load(s) == 0, "uplink_tc.bpf.o: %s",
		      strerror(errno));
	uplink_tc_bpf__destroy(s);
}
END_TEST

Suite *bpf_encap_suite(void)
{
	Suite *s = suite_create("bpf_encap");
	TCase *tc;

	tc = tcase_create("load");
	tcase_add_test(tc, test_load_uplink);
	tcase_add_test(tc, test_load_uplink_tc);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);

	tc = tcase_create("encap");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_loop_test(tc, test_encap, 0, N_ENC * TG_HOOKS);
	tcase_add_loop_test(tc, test_round_trip, 0, N_ENC * TG_HOOKS);
	tcase_add_loop_test(tc, test_refusals, 0, TG_HOOKS);
	tcase_add_loop_test(tc, test_mss_uplink, 0, TG_HOOKS);
	tcase_add_loop_test(tc, test_mss_subscriber, 0, TG_HOOKS);
	tcase_add_loop_test(tc, test_too_big, 0, TG_HOOKS);
	tcase_add_loop_test(tc, test_too_big_no_error_about_error, 0, TG_HOOKS);
	tcase_add_loop_test(tc, test_gen_uplink, 0, TG_HOOKS);
	tcase_add_loop_test(tc, test_gen_mss_subscriber, 0, TG_HOOKS);
	tcase_add_loop_test(tc, test_neigh, 0, N_NEIGH * TG_HOOKS);
	tcase_add_loop_test(tc, test_seen, 0, TG_HOOKS);
	tcase_add_loop_test(tc, test_egress_tc, 0, N_EGRESS);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}
