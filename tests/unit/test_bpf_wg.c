// SPDX-License-Identifier: GPL-2.0-only
/*
 * The programs of the WireGuard interfaces (bpf/wg.bpf.c) under
 * BPF_PROG_TEST_RUN: a member's packets policed by its own buckets in
 * both directions (exactly the burst, then policed_up / policed_down),
 * counted per member and globally (packets, inner bytes, a GSO packet as
 * its segments), noted in tg_seen, its community scope refused both ways,
 * reserved destinations refused; a source that is nobody's or a tunnel
 * member's refused as spoofed_src and counted globally only, a
 * destination that is no member's passed as not_subscriber. A TC test
 * run leaves an Ethernet header before the IP header, where WireGuard's
 * packets have none: the programs are loaded with tg_wg_l3_off set to
 * it. Each test runs in a network namespace of its own, on private maps.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <linux/udp.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "tungate.h"
#include "dataplane/subcount.h"
#include "gcra.h"
#include "wg.skel.h"
#include "bpf_util.h"
#include "bpf_hook.h"

#define CAP 64
#define WG_ID 5		/* the WireGuard member: 100.64.5.0/24, 2001:db8:5::/48 */
#define TUN_ID 6	/* a GRE member: 100.64.6.0/24 */
#define RATE 1000000ULL	/* bit/s, both ways */
#define LEN 1000	/* IP bytes of a test packet */
#define BIG 3000	/* of the GSO packet: a test run takes a page at most */

static struct wg_bpf *skel;
static unsigned int dev;	/* the L3 device packets arrive on */
static int ncpu;

static void add_prefix4(const char *addr, uint32_t len, uint32_t id)
{
	struct tg_lpm4_key k = { .prefixlen = len, .addr = tg_test_inet4(addr) };
	struct tg_owners o = { .claim = { TG_CLAIM(id, 0) } };

	tg_test_map_update(skel->maps.tg_prefix4, &k, sizeof(k), &o, sizeof(o));
}

/* Member id of type, rates RATE with the smallest burst, flags. */
static void add_member(uint32_t id, uint8_t type, uint32_t flags)
{
	struct tg_encap e = { .type = type, .local_port = 51820 };
	struct tg_police p = { .flags = flags };

	tg_gcra_set(&p, TG_DIR_UP, RATE, TG_GCRA_BURST_MIN);
	tg_gcra_set(&p, TG_DIR_DOWN, RATE, TG_GCRA_BURST_MIN);
	tg_test_map_update(skel->maps.tg_encap, &id, 4, &e, sizeof(e));
	tg_test_map_update(skel->maps.tg_police, &id, 4, &p, sizeof(p));
}

static bool enter(void)
{
	struct tg_lpm6_key k6 = { .prefixlen = 48 };
	struct tg_owners o = { .claim = { TG_CLAIM(WG_ID, 0) } };
	struct tg_lpm4_key c4 = { .prefixlen = 24,
				  .addr = tg_test_inet4("198.51.100.0") };
	uint32_t one = 1;

	if (!tg_test_need_root())
		return false;
	ck_assert_msg(!unshare(CLONE_NEWNET), "unshare: %s", strerror(errno));
	ncpu = libbpf_num_possible_cpus();
	ck_assert_int_gt(ncpu, 0);
	/* An L3 device, as WireGuard's. */
	tg_test_sh("ip tuntap add dev wgt0 mode tun && ip link set wgt0 up");
	dev = if_nametoindex("wgt0");
	ck_assert_uint_ne(dev, 0);
	skel = wg_bpf__open();
	ck_assert_ptr_nonnull(skel);
	tg_hook_cap_maps(skel->obj, CAP, BPF_MAP_TYPE_LPM_TRIE);
	skel->rodata->tg_wg_l3_off = ETH_HLEN;
	ck_assert_int_eq(wg_bpf__load(skel), 0);
	add_member(WG_ID, TG_TUN_WIREGUARD, 0);
	add_member(TUN_ID, TG_TUN_GRE, 0);
	add_prefix4("100.64.5.0", 24, WG_ID);
	add_prefix4("100.64.6.0", 24, TUN_ID);
	ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8:5::", k6.addr), 1);
	tg_test_map_update(skel->maps.tg_prefix6, &k6, sizeof(k6), &o, sizeof(o));
	/* The community: 198.51.100.0/24. */
	tg_test_map_update(skel->maps.tg_community4, &c4, sizeof(c4), &one, 4);
	return true;
}

static void leave(void)
{
	wg_bpf__destroy(skel);
	skel = NULL;
}

/*
 * One packet of LEN IP bytes (UDP; IPv6 when v6) from src to dst through
 * the program of dir, behind an Ethernet header; GSO as gso_segs
 * segments of gso_size when not 0.
 */
static uint32_t run_gso(uint32_t dir, bool v6, const char *src,
			const char *dst, uint32_t len, uint32_t gso_size,
			uint32_t gso_segs)
{
	/* Two bytes ahead, so that the IP header after Ethernet's is aligned. */
	uint8_t raw[2 + ETH_HLEN + BIG] __attribute__((aligned(4))) = {};
	uint8_t *f = raw + 2, out[ETH_HLEN + BIG + 64];
	struct ethhdr *eth = (void *)f;
	struct __sk_buff skb = { .ifindex = dev, .ingress_ifindex = dev,
				 .gso_size = gso_size, .gso_segs = gso_segs };
	struct bpf_test_run_opts o = {
		.sz = sizeof(o), .data_in = f, .data_size_in = ETH_HLEN + len,
		.data_out = out, .data_size_out = sizeof(out),
		.ctx_in = &skb, .ctx_size_in = sizeof(skb), .repeat = 1,
	};
	struct bpf_program *p = dir == TG_DIR_UP ? skel->progs.tg_wg_in :
						   skel->progs.tg_wg_out;
	struct udphdr *uh;

	if (!v6) {
		struct iphdr *ip = (void *)(eth + 1);

		eth->h_proto = htons(ETH_P_IP);
		ip->version = 4;
		ip->ihl = 5;
		ip->ttl = 64;
		ip->protocol = IPPROTO_UDP;
		ip->tot_len = htons(len);
		ip->saddr = tg_test_inet4(src);
		ip->daddr = tg_test_inet4(dst);
		uh = (void *)(ip + 1);
	} else {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		eth->h_proto = htons(ETH_P_IPV6);
		ip6->version = 6;
		ip6->hop_limit = 64;
		ip6->nexthdr = IPPROTO_UDP;
		ip6->payload_len = htons(len - sizeof(*ip6));
		ck_assert_int_eq(inet_pton(AF_INET6, src, &ip6->saddr), 1);
		ck_assert_int_eq(inet_pton(AF_INET6, dst, &ip6->daddr), 1);
		uh = (void *)(ip6 + 1);
	}
	uh->source = htons(4000);
	uh->dest = htons(5000);
	ck_assert_msg(!bpf_prog_test_run_opts(bpf_program__fd(p), &o),
		      "BPF_PROG_TEST_RUN: %s", strerror(errno));
	return o.retval;
}

static uint32_t run(uint32_t dir, const char *src, const char *dst)
{
	return run_gso(dir, false, src, dst, LEN, 0, 0);
}

/* Member id's counters summed over the CPUs. */
static struct tg_sub_counters sub_counters(uint32_t id)
{
	struct tg_sub_counters sum;

	ck_assert_int_eq(tg_sub_counters_sum(bpf_map__fd(skel->maps.tg_sub_stats),
					     id, &sum), 0);
	return sum;
}

static struct tg_counter global(uint32_t reason)
{
	struct tg_counter *v = calloc(ncpu, sizeof(*v)), sum = {};
	int c;

	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(bpf_map__lookup_elem(skel->maps.tg_global_stats,
					      &reason, 4, v,
					      ncpu * sizeof(*v), 0), 0);
	for (c = 0; c < ncpu; c++) {
		sum.packets += v[c].packets;
		sum.bytes += v[c].bytes;
	}
	free(v);
	return sum;
}

/* Packets the smallest burst admits at once: floor(burst / LEN). */
#define BURST_PKTS (TG_GCRA_BURST_MIN / LEN)

/*
 * Upstream and downstream, each with its own bucket: exactly the burst
 * admitted and counted as the member's traffic, the rest policed.
 */
START_TEST(test_policed_counted)
{
	struct tg_sub_counters s;
	struct tg_seen seen;
	uint32_t id = WG_ID, i, ok = 0, shot = 0, n = BURST_PKTS + 3;

	if (!enter())
		return;
	for (i = 0; i < n; i++) {
		if (run(TG_DIR_UP, "100.64.5.9", "203.0.113.7") == TC_ACT_OK)
			ok++;
		else
			shot++;
	}
	ck_assert_uint_eq(ok, BURST_PKTS);
	ck_assert_uint_eq(shot, 3);
	for (i = ok = 0; i < n; i++)
		ok += run(TG_DIR_DOWN, "203.0.113.7", "100.64.5.9") == TC_ACT_OK;
	ck_assert_uint_eq(ok, BURST_PKTS);
	s = sub_counters(WG_ID);
	ck_assert_uint_eq(s.packets[TG_DIR_UP], BURST_PKTS);
	ck_assert_uint_eq(s.bytes[TG_DIR_UP], BURST_PKTS * LEN);
	ck_assert_uint_eq(s.packets[TG_DIR_DOWN], BURST_PKTS);
	ck_assert_uint_eq(s.bytes[TG_DIR_DOWN], BURST_PKTS * LEN);
	ck_assert_uint_eq(s.reasons[TG_R_OK], 2 * BURST_PKTS);
	ck_assert_uint_eq(s.reasons[TG_R_POLICED_UP], 3);
	ck_assert_uint_eq(s.reasons[TG_R_POLICED_DOWN], 3);
	ck_assert_uint_eq(global(TG_R_OK).packets, 2 * BURST_PKTS);
	ck_assert_uint_eq(global(TG_R_POLICED_UP).bytes, 3 * LEN);
	/* Heard from: its upstream packets, not those sent to it. */
	ck_assert_int_eq(bpf_map__lookup_elem(skel->maps.tg_seen, &id, 4,
					      &seen, sizeof(seen), 0), 0);
	ck_assert_uint_ne(seen.packet_ns, 0);
	leave();
}
END_TEST

/* IPv6 upstream, by the member's IPv6 prefix. */
START_TEST(test_counted_v6)
{
	struct tg_sub_counters s;

	if (!enter())
		return;
	ck_assert_uint_eq(run_gso(TG_DIR_UP, true, "2001:db8:5::9",
				  "2001:db8:ff::2", LEN, 0, 0), TC_ACT_OK);
	ck_assert_uint_eq(run_gso(TG_DIR_DOWN, true, "2001:db8:ff::2",
				  "2001:db8:5::9", LEN, 0, 0), TC_ACT_OK);
	s = sub_counters(WG_ID);
	ck_assert_uint_eq(s.packets[TG_DIR_UP], 1);
	ck_assert_uint_eq(s.bytes[TG_DIR_UP], LEN);
	ck_assert_uint_eq(s.packets[TG_DIR_DOWN], 1);
	leave();
}
END_TEST

/*
 * A GSO packet: its segments counted as packets, each one's headers as
 * bytes; admitted on an idle bucket although all of it exceeds the
 * burst (2,000 bytes here), which it leaves in debt: the next packet is
 * policed.
 */
START_TEST(test_gso)
{
	struct tg_sub_counters s;
	struct tg_police p = {};
	uint32_t id = WG_ID, segs = 6, gso = 496;	/* 2,972 bytes of UDP */

	if (!enter())
		return;
	tg_gcra_set(&p, TG_DIR_DOWN, RATE, TG_GCRA_BURST_MIN);
	p.tolerance[TG_DIR_DOWN] = tg_gcra_mul1e9_div(2000 * 8, RATE);
	tg_test_map_update(skel->maps.tg_police, &id, 4, &p, sizeof(p));
	ck_assert_uint_eq(run_gso(TG_DIR_DOWN, false, "203.0.113.7",
				  "100.64.5.9", BIG, gso, segs), TC_ACT_OK);
	s = sub_counters(WG_ID);
	ck_assert_uint_eq(s.packets[TG_DIR_DOWN], segs);
	ck_assert_uint_eq(s.bytes[TG_DIR_DOWN], BIG + (segs - 1) * 28);
	ck_assert_uint_eq(global(TG_R_OK).packets, segs);
	ck_assert_uint_eq(run(TG_DIR_DOWN, "203.0.113.7", "100.64.5.9"),
			  TC_ACT_SHOT);
	ck_assert_uint_eq(sub_counters(WG_ID).reasons[TG_R_POLICED_DOWN], 1);
	leave();
}
END_TEST

/* Community scope: to it and from it only, both ways. */
START_TEST(test_scope)
{
	struct tg_sub_counters s;

	if (!enter())
		return;
	add_member(WG_ID, TG_TUN_WIREGUARD, TG_RATE_F_COMMUNITY);
	ck_assert_uint_eq(run(TG_DIR_UP, "100.64.5.9", "198.51.100.2"),
			  TC_ACT_OK);
	ck_assert_uint_eq(run(TG_DIR_UP, "100.64.5.9", "203.0.113.7"),
			  TC_ACT_SHOT);
	ck_assert_uint_eq(run(TG_DIR_DOWN, "198.51.100.2", "100.64.5.9"),
			  TC_ACT_OK);
	ck_assert_uint_eq(run(TG_DIR_DOWN, "203.0.113.7", "100.64.5.9"),
			  TC_ACT_SHOT);
	s = sub_counters(WG_ID);
	ck_assert_uint_eq(s.reasons[TG_R_SCOPE], 2);
	ck_assert_uint_eq(s.packets[TG_DIR_UP], 1);
	ck_assert_uint_eq(s.packets[TG_DIR_DOWN], 1);
	ck_assert_uint_eq(global(TG_R_SCOPE).packets, 2);
	leave();
}
END_TEST

/*
 * Sources that are not the member's: nobody's, a tunnel member's;
 * refused and counted globally only. A reserved destination refused as
 * the tunnels' are. Toward an address of no WireGuard member: passed.
 */
START_TEST(test_foreign)
{
	struct tg_sub_counters s;

	if (!enter())
		return;
	ck_assert_uint_eq(run(TG_DIR_UP, "100.64.99.9", "203.0.113.7"),
			  TC_ACT_SHOT);
	ck_assert_uint_eq(run(TG_DIR_UP, "100.64.6.9", "203.0.113.7"),
			  TC_ACT_SHOT);
	ck_assert_uint_eq(global(TG_R_SPOOFED_SRC).packets, 2);
	ck_assert_uint_eq(global(TG_R_SPOOFED_SRC).bytes, 2 * LEN);
	s = sub_counters(TUN_ID);
	ck_assert_uint_eq(s.reasons[TG_R_SPOOFED_SRC], 0);
	ck_assert_uint_eq(s.packets[TG_DIR_UP], 0);
	ck_assert_uint_eq(run(TG_DIR_UP, "100.64.5.9", "224.0.0.5"),
			  TC_ACT_SHOT);
	ck_assert_uint_eq(sub_counters(WG_ID).reasons[TG_R_RESERVED_DST], 1);
	ck_assert_uint_eq(run(TG_DIR_DOWN, "203.0.113.7", "100.64.6.9"),
			  TC_ACT_OK);
	ck_assert_uint_eq(run(TG_DIR_DOWN, "203.0.113.7", "100.64.99.9"),
			  TC_ACT_OK);
	ck_assert_uint_eq(global(TG_R_NOT_SUBSCRIBER).packets, 2);
	ck_assert_uint_eq(sub_counters(TUN_ID).packets[TG_DIR_DOWN], 0);
	leave();
}
END_TEST

/* What the verifier walked for each program, as the kernels suite prints it. */
START_TEST(test_insns)
{
	struct bpf_program *progs[2];
	struct bpf_prog_info info;
	__u32 len;
	int i;

	if (!enter())
		return;
	progs[0] = skel->progs.tg_wg_in;
	progs[1] = skel->progs.tg_wg_out;
	for (i = 0; i < 2; i++) {
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		ck_assert_int_eq(bpf_obj_get_info_by_fd(bpf_program__fd(progs[i]),
							&info, &len), 0);
		ck_assert_uint_lt(info.verified_insns, 1000000);
		printf("bpf_wg: %s: %u instructions verified\n",
		       bpf_program__name(progs[i]), info.verified_insns);
	}
	leave();
}
END_TEST

Suite *bpf_wg_suite(void)
{
	Suite *s = suite_create("bpf_wg");
	TCase *tc = tcase_create("wg");

	tcase_add_test(tc, test_policed_counted);
	tcase_add_test(tc, test_counted_v6);
	tcase_add_test(tc, test_gso);
	tcase_add_test(tc, test_scope);
	tcase_add_test(tc, test_foreign);
	tcase_add_test(tc, test_insns);
	suite_add_tcase(s, tc);
	return s;
}
