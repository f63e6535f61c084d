// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpf_prefix suite: the subscriber a destination (tg_up_xdp) or an inner
 * source (tg_sub_xdp, anti-spoofing) belongs to, by the longest prefix
 * holding the address, with prefixes of one subscriber inside those of
 * others: by hash probes per length (tg_pfx4/6 and the set in force of
 * tg_pfx_lens), by the trie when the set is not filled, and by the trie
 * when more lengths are in use than the set lists; and the subscriber's
 * own prefixes in its tg_police entry, which decide its sources without
 * those maps. Private unpinned maps,
 * a fresh network namespace per test.
 */
#include <arpa/inet.h>
#include <check.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "tungate.h"
#include "srcpfx.h"
#include "subscriber.skel.h"
#include "uplink.skel.h"
#include "bpf_hook.h"
#include "bpf_util.h"

#define CAP 64
#define LOCAL "198.51.100.1"
#define FRAME_MAX 128

static struct subscriber_bpf *sub_skel;
static struct uplink_bpf *up_skel;
static unsigned int sub0, up0;
static int ncpu, test_cpu;
/* Lengths written per family, bitmap of 0..128. */
static __u8 lens[2][17];

struct probe {
	const char *addr;
	__u32 sub;		/* its owner; 0: nobody's */
};

/* Nested prefixes of five subscribers, and one apart. */
static const struct probe pfx4[] = {
	{ "100.64.0.0/16", 1 },
	{ "100.64.1.0/24", 2 },
	{ "100.64.1.7/32", 3 },
	{ "100.64.1.128/25", 4 },
	{ "203.0.113.0/24", 5 },
};

static const struct probe pfx6[] = {
	{ "2001:db8::/32", 1 },
	{ "2001:db8:1::/48", 2 },
	{ "2001:db8:1:2::/64", 3 },
	{ "2001:db8:1:2::5/128", 4 },
	{ "2001:db8:1:2:8000::/65", 5 },
};

static const struct probe addr4[] = {
	{ "100.64.1.7", 3 },	/* the /32 inside the /24 */
	{ "100.64.1.8", 2 },
	{ "100.64.1.127", 2 },
	{ "100.64.1.128", 4 },	/* the /25 inside the /24 */
	{ "100.64.1.255", 4 },
	{ "100.64.2.1", 1 },	/* only the /16 */
	{ "100.64.255.255", 1 },
	{ "100.65.0.1", 0 },
	{ "203.0.113.9", 5 },
	{ "198.51.100.9", 0 },
};

static const struct probe addr6[] = {
	{ "2001:db8:1:2::5", 4 },
	{ "2001:db8:1:2::6", 3 },
	{ "2001:db8:1:2:7fff:ffff:ffff:ffff", 3 },
	{ "2001:db8:1:2:8000::1", 5 },	/* /65: a length across words */
	{ "2001:db8:1:3::1", 2 },
	{ "2001:db8:2::1", 1 },
	{ "2001:db9::1", 0 },
};

static void update(struct bpf_map *m, const void *k, size_t ks, const void *v,
		   size_t vs)
{
	ck_assert_msg(bpf_map__update_elem(m, k, ks, v, vs, 0) == 0,
		      "update %s: %s", bpf_map__name(m), strerror(errno));
}

/* Prefix s of subscriber sub into the trie (trie), the hash (hash). */
static void put_prefix(const char *s, __u32 sub, bool trie, bool hash)
{
	struct tg_owners o = { .claim = { TG_CLAIM(sub, 0) } };
	struct tg_lpm6_key k6 = {};
	struct tg_lpm4_key k4 = {};
	char a[64], *slash;
	int len, fam;

	snprintf(a, sizeof(a), "%s", s);
	slash = strchr(a, '/');
	ck_assert_ptr_nonnull(slash);
	*slash = '\0';
	len = atoi(slash + 1);
	fam = strchr(a, ':') ? TG_PFX_V6 : TG_PFX_V4;
	lens[fam][len / 8] |= 1 << (len % 8);
	if (fam == TG_PFX_V4) {
		k4.prefixlen = len;
		ck_assert_int_eq(inet_pton(AF_INET, a, &k4.addr), 1);
		if (trie)
			update(sub_skel->maps.tg_prefix4, &k4, sizeof(k4), &o,
			       sizeof(o));
		if (hash)
			update(sub_skel->maps.tg_pfx4, &k4, sizeof(k4), &o,
			       sizeof(o));
	} else {
		k6.prefixlen = len;
		ck_assert_int_eq(inet_pton(AF_INET6, a, k6.addr), 1);
		if (trie)
			update(sub_skel->maps.tg_prefix6, &k6, sizeof(k6), &o,
			       sizeof(o));
		if (hash)
			update(sub_skel->maps.tg_pfx6, &k6, sizeof(k6), &o,
			       sizeof(o));
	}
}

/*
 * The set in force of family fam: the lengths written (filled), in set
 * slot in_force; the other slot left holding nonsense.
 */
static void set_lens(int fam, bool filled, unsigned int in_force)
{
	struct tg_pfx_lens l;
	struct tg_pfx_set *s = &l.set[in_force];
	__u32 key = fam;
	int len;

	memset(&l, 0, sizeof(l));
	l.in_force = in_force;
	l.set[!in_force].filled = 1;
	l.set[!in_force].n = 1;
	l.set[!in_force].len[0] = 7;
	s->filled = filled;
	for (len = 128; len >= 0; len--) {
		if (!(lens[fam][len / 8] & (1 << (len % 8))))
			continue;
		if (s->n < TG_PFX_LENS_MAX)
			s->len[s->n] = len;
		s->n++;
	}
	update(sub_skel->maps.tg_pfx_lens, &key, 4, &l, sizeof(l));
}

/*
 * A tunnel of type (IPIP, 6in4) from 192.0.2.(100 + sub), claimed by
 * subscriber sub for slot; its key at k.
 */
static void put_tunnel(__u32 sub, __u8 type, unsigned int slot,
		       struct tg_tun_key *k)
{
	struct tg_tunnel t = { .c = { { .claim = TG_CLAIM(sub, slot),
					.mtu = 1400 } } };
	char remote[32];

	memset(k, 0, sizeof(*k));
	k->type = type;
	snprintf(remote, sizeof(remote), "192.0.2.%u", 100 + sub);
	inet_pton(AF_INET, remote, &k->remote);
	inet_pton(AF_INET, LOCAL, &k->local);
	update(sub_skel->maps.tg_tunnels, k, sizeof(*k), &t, sizeof(t));
}

/* Subscriber sub: an IPIP tunnel from 192.0.2.(100 + sub) and its encap. */
static void put_sub(__u32 sub)
{
	struct tg_encap e = { .type = TG_TUN_IPIP, .mtu = 1400,
			      .flags = TG_ENC_F_DF };
	struct tg_tun_key k;

	put_tunnel(sub, TG_TUN_IPIP, 0, &k);
	e.remote = k.remote;
	e.local = k.local;
	update(sub_skel->maps.tg_encap, &sub, 4, &e, sizeof(e));
}

static bool enter(void)
{
	struct tg_config cfg = { .l2tpv3_udp_port = 1701,
				 .l2tpv2_udp_port = 1701 };
	struct bpf_devmap_val dv = {};
	unsigned int ifs[2];
	__u32 zero = 0, i;

	if (!tg_test_need_root())
		return false;
	ck_assert_msg(!unshare(CLONE_NEWNET), "unshare: %s", strerror(errno));
	test_cpu = tg_test_pin_cpu();
	ncpu = libbpf_num_possible_cpus();
	ck_assert_int_gt(ncpu, 0);
	tg_test_topology(&sub0, &up0);

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

	update(sub_skel->maps.tg_config, &zero, 4, &cfg, sizeof(cfg));
	ifs[0] = sub0;
	ifs[1] = up0;
	for (i = 0; i < 2; i++) {
		dv.ifindex = ifs[i];
		update(sub_skel->maps.tg_ports, &ifs[i], 4, &dv, sizeof(dv));
	}
	for (i = 1; i <= 6; i++)
		put_sub(i);
	memset(lens, 0, sizeof(lens));
	return true;
}

static void teardown(void)
{
	uplink_bpf__destroy(up_skel);
	subscriber_bpf__destroy(sub_skel);
	up_skel = NULL;
	sub_skel = NULL;
}

static void put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

/* An IPv4 header of len bytes (UDP follows), checksum set. */
static size_t ip4(__u8 *p, __u32 src, __u32 dst, __u8 proto, size_t len)
{
	__u32 sum = 0;
	int i;

	memset(p, 0, 20);
	p[0] = 0x45;
	put16(p + 2, len);
	put16(p + 6, 0x4000);
	p[8] = 64;
	p[9] = proto;
	memcpy(p + 12, &src, 4);
	memcpy(p + 16, &dst, 4);
	for (i = 0; i < 20; i += 2)
		sum += p[i] << 8 | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put16(p + 10, ~sum);
	return 20;
}

/* An IP packet of 8 UDP bytes to (v4: or from, src) addr, at p. */
static size_t ip_pkt(__u8 *p, const char *addr, bool src)
{
	__u32 a4, o4;
	__u8 a6[16], o6[16];

	inet_pton(AF_INET, "192.0.2.50", &o4);
	inet_pton(AF_INET6, "2001:db8:ffff::50", o6);
	if (inet_pton(AF_INET, addr, &a4) == 1) {
		ip4(p, src ? a4 : o4, src ? o4 : a4, IPPROTO_UDP, 28);
		memset(p + 20, 0, 8);
		put16(p + 24, 8);
		return 28;
	}
	ck_assert_int_eq(inet_pton(AF_INET6, addr, a6), 1);
	memset(p, 0, 48);
	p[0] = 0x60;
	put16(p + 4, 8);
	p[6] = IPPROTO_UDP;
	p[7] = 64;
	memcpy(p + 8, src ? a6 : o6, 16);
	memcpy(p + 24, src ? o6 : a6, 16);
	put16(p + 44, 8);
	return 48;
}

static struct tg_trace run(int prog_fd, const __u8 *f, size_t len,
			   unsigned int ifindex)
{
	struct tg_trace *t = calloc(ncpu, sizeof(*t)), r;
	__u8 out[FRAME_MAX + 256];
	__u32 verdict, out_len, zero = 0;

	ck_assert_ptr_nonnull(t);
	tg_hook_run(TG_HOOK_XDP, prog_fd, f, len, ifindex, out, sizeof(out),
		    &verdict, &out_len);
	ck_assert_int_eq(bpf_map__lookup_elem(sub_skel->maps.tg_trace, &zero, 4,
					      t, ncpu * sizeof(*t), 0), 0);
	r = t[test_cpu];
	free(t);
	return r;
}

/* The subscriber tg_up_xdp finds for a packet to addr (0: none). */
static __u32 owner_up(const char *addr)
{
	static const __u8 macs[12] = { 2, 0, 0, 0, 1, 1, 2, 0, 0, 0, 1, 2 };
	__u8 f[FRAME_MAX];
	struct tg_trace t;
	size_t len;

	memcpy(f, macs, 12);
	len = ip_pkt(f + 14, addr, false);
	put16(f + 12, len == 28 ? ETH_P_IP : ETH_P_IPV6);
	t = run(bpf_program__fd(up_skel->progs.tg_up_xdp), f, 14 + len, up0);
	if (!t.sub_id)
		ck_assert_uint_eq(t.reason, TG_R_NOT_SUBSCRIBER);
	return t.sub_id;
}

/*
 * The reason tg_sub_xdp gives a packet from addr through subscriber sub's
 * tunnel of IP protocol proto: IPIP for an IPv4 inner source, 6in4
 * (put_tunnel()) for an IPv6 one.
 */
static __u32 from_sub_proto(__u32 sub, const char *addr, __u8 proto)
{
	static const __u8 macs[12] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2 };
	__u8 f[FRAME_MAX];
	char remote[32];
	__u32 r, l;
	size_t len;

	memcpy(f, macs, 12);
	put16(f + 12, ETH_P_IP);
	snprintf(remote, sizeof(remote), "192.0.2.%u", 100 + sub);
	inet_pton(AF_INET, remote, &r);
	inet_pton(AF_INET, LOCAL, &l);
	len = ip_pkt(f + 34, addr, true);
	ck_assert_uint_eq(len, proto == IPPROTO_IPIP ? 28 : 48);
	ip4(f + 14, r, l, proto, 20 + len);
	return run(bpf_program__fd(sub_skel->progs.tg_sub_xdp), f, 34 + len,
		   sub0).reason;
}

static __u32 from_sub(__u32 sub, const char *addr)
{
	return from_sub_proto(sub, addr, IPPROTO_IPIP);
}

static __u32 from_sub6(__u32 sub, const char *addr)
{
	return from_sub_proto(sub, addr, IPPROTO_IPV6);
}

/* Add prefix s ("ADDR/LEN") to the own prefixes of p. */
static void src_add(struct tg_police *p, const char *s)
{
	__u8 addr[16] = { 0 };
	char a[64], *slash;
	bool v6;

	snprintf(a, sizeof(a), "%s", s);
	slash = strchr(a, '/');
	ck_assert_ptr_nonnull(slash);
	*slash = '\0';
	v6 = strchr(a, ':');
	ck_assert_int_eq(inet_pton(v6 ? AF_INET6 : AF_INET, a, addr), 1);
	tg_src_add(p, v6, addr, atoi(slash + 1));
}

static void put_police(__u32 sub, unsigned int slot, const struct tg_police *p)
{
	update(slot ? sub_skel->maps.tg_police1 : sub_skel->maps.tg_police,
	       &sub, 4, p, sizeof(*p));
}

static void put_all(bool trie, bool hash)
{
	size_t i;

	for (i = 0; i < sizeof(pfx4) / sizeof(pfx4[0]); i++)
		put_prefix(pfx4[i].addr, pfx4[i].sub, trie, hash);
	for (i = 0; i < sizeof(pfx6) / sizeof(pfx6[0]); i++)
		put_prefix(pfx6[i].addr, pfx6[i].sub, trie, hash);
}

/* Every probe finds its owner, and anti-spoofing agrees. */
static void check_all(const char *mode)
{
	size_t i;

	for (i = 0; i < sizeof(addr4) / sizeof(addr4[0]); i++)
		ck_assert_msg(owner_up(addr4[i].addr) == addr4[i].sub,
			      "%s: %s: subscriber %u, expected %u", mode,
			      addr4[i].addr, owner_up(addr4[i].addr),
			      addr4[i].sub);
	for (i = 0; i < sizeof(addr6) / sizeof(addr6[0]); i++)
		ck_assert_msg(owner_up(addr6[i].addr) == addr6[i].sub,
			      "%s: %s: subscriber %u, expected %u", mode,
			      addr6[i].addr, owner_up(addr6[i].addr),
			      addr6[i].sub);
	/* The /32 of 3 inside the /24 of 2: 3 may send from it, 2 not. */
	ck_assert_uint_ne(from_sub(3, "100.64.1.7"), TG_R_SPOOFED_SRC);
	ck_assert_uint_eq(from_sub(2, "100.64.1.7"), TG_R_SPOOFED_SRC);
	ck_assert_uint_ne(from_sub(2, "100.64.1.8"), TG_R_SPOOFED_SRC);
	ck_assert_uint_eq(from_sub(1, "100.64.1.8"), TG_R_SPOOFED_SRC);
	ck_assert_uint_ne(from_sub(1, "100.64.9.9"), TG_R_SPOOFED_SRC);
	ck_assert_uint_eq(from_sub(5, "100.65.0.1"), TG_R_SPOOFED_SRC);
}

/* The hashes with their lengths in force: the longest match. */
START_TEST(test_prefix_hash)
{
	if (!enter())
		return;
	/* In the hashes only: what is found comes from them. */
	put_all(false, true);
	set_lens(TG_PFX_V4, true, 1);
	set_lens(TG_PFX_V6, true, 0);
	check_all("hash");
}
END_TEST

/* A set not filled (maps of an older build, never synced): the tries. */
START_TEST(test_prefix_not_filled)
{
	if (!enter())
		return;
	put_all(true, false);
	check_all("trie, by default");
	set_lens(TG_PFX_V4, false, 0);
	set_lens(TG_PFX_V6, false, 1);
	check_all("trie, set not filled");
	/* Filled: the hashes, empty here, answer. */
	set_lens(TG_PFX_V4, true, 0);
	ck_assert_uint_eq(owner_up("100.64.1.7"), 0);
}
END_TEST

/* More lengths than the set lists: the tries, still the longest match. */
START_TEST(test_prefix_too_many_lengths)
{
	char s[64];
	int len;

	if (!enter())
		return;
	put_all(true, true);
	/* 203.0.113.0/24 of 5 holds 6's /25 ... /32: 13 lengths in all. */
	for (len = 25; len <= 32; len++) {
		snprintf(s, sizeof(s), "203.0.113.%d/%d", 256 - (256 >> (len - 24)),
			 len);
		put_prefix(s, 6, true, false);
	}
	set_lens(TG_PFX_V4, true, 0);
	set_lens(TG_PFX_V6, true, 0);
	check_all("too many lengths");
	ck_assert_uint_eq(owner_up("203.0.113.255"), 6);
	ck_assert_uint_eq(owner_up("203.0.113.128"), 6);
	ck_assert_uint_eq(owner_up("203.0.113.127"), 5);
}
END_TEST

/*
 * The subscriber's own prefixes in its tg_police entry decide its
 * sources without the prefix maps (empty here but where said), in the
 * slot of the tunnel's claim; a family the entry does not decide goes
 * to the maps.
 */
START_TEST(test_prefix_own)
{
	struct tg_police p, q;
	struct tg_tun_key k;
	__u32 one = 1, sub = 1;

	if (!enter())
		return;
	put_tunnel(1, TG_TUN_SIT, 0, &k);
	set_lens(TG_PFX_V4, true, 0);
	set_lens(TG_PFX_V6, true, 0);
	memset(&p, 0, sizeof(p));
	tg_src_init(&p);
	src_add(&p, "100.64.9.0/24");
	src_add(&p, "2001:db8:5::/48");
	src_add(&p, "2001:db8:6:1::/64");
	ck_assert_uint_eq(p.src, TG_SRC_V4 | TG_SRC_V6 | TG_SRC_4 |
				 TG_SRC_6A | TG_SRC_6B);
	put_police(1, 0, &p);
	ck_assert_uint_ne(from_sub(1, "100.64.9.0"), TG_R_SPOOFED_SRC);
	ck_assert_uint_ne(from_sub(1, "100.64.9.255"), TG_R_SPOOFED_SRC);
	ck_assert_uint_eq(from_sub(1, "100.64.10.1"), TG_R_SPOOFED_SRC);
	ck_assert_uint_eq(from_sub(1, "100.64.8.255"), TG_R_SPOOFED_SRC);
	ck_assert_uint_ne(from_sub6(1, "2001:db8:5:ffff::1"), TG_R_SPOOFED_SRC);
	ck_assert_uint_ne(from_sub6(1, "2001:db8:6:1:ffff::1"),
			  TG_R_SPOOFED_SRC);
	ck_assert_uint_eq(from_sub6(1, "2001:db8:6:2::1"), TG_R_SPOOFED_SRC);
	ck_assert_uint_eq(from_sub6(1, "2001:db8:4::1"), TG_R_SPOOFED_SRC);
	/* Another subscriber's entry says nothing of 1's sources. */
	ck_assert_uint_eq(from_sub(2, "100.64.9.1"), TG_R_SPOOFED_SRC);

	/* Deciding with no prefix of the family: none is his, maps or not. */
	memset(&q, 0, sizeof(q));
	tg_src_init(&q);
	src_add(&q, "2001:db8:5::/48");
	put_police(1, 0, &q);
	put_prefix("100.64.9.0/24", 1, true, true);
	set_lens(TG_PFX_V4, true, 0);
	ck_assert_uint_eq(from_sub(1, "100.64.9.1"), TG_R_SPOOFED_SRC);

	/* Two IPv4 prefixes do not fit: IPv4 from the maps, IPv6 still not. */
	src_add(&q, "100.64.9.0/24");
	src_add(&q, "203.0.113.0/24");
	ck_assert_uint_eq(q.src & (TG_SRC_V4 | TG_SRC_4), 0);
	/* Longer than /64: IPv6 from the maps too. */
	src_add(&q, "2001:db8:7::1/128");
	ck_assert_uint_eq(q.src, 0);
	put_police(1, 0, &q);
	ck_assert_uint_ne(from_sub(1, "100.64.9.1"), TG_R_SPOOFED_SRC);
	ck_assert_uint_eq(from_sub(1, "203.0.113.1"), TG_R_SPOOFED_SRC);
	ck_assert_uint_eq(from_sub6(1, "2001:db8:5::1"), TG_R_SPOOFED_SRC);

	/* An entry of layout 2 (no flag): the maps, as before. */
	memset(&q, 0, sizeof(q));
	put_police(1, 0, &q);
	ck_assert_uint_ne(from_sub(1, "100.64.9.1"), TG_R_SPOOFED_SRC);
	ck_assert_uint_eq(from_sub(1, "100.64.10.1"), TG_R_SPOOFED_SRC);

	/* Slot 1 in force, claimed by the tunnel: its entry decides. */
	memset(&q, 0, sizeof(q));
	tg_src_init(&q);
	src_add(&q, "100.64.10.0/24");
	put_police(1, 1, &q);
	put_police(1, 0, &p);
	update(sub_skel->maps.tg_gen, &sub, 4, &one, 4);
	put_tunnel(1, TG_TUN_SIT, 1, &k);
	put_tunnel(1, TG_TUN_IPIP, 1, &k);
	ck_assert_uint_ne(from_sub(1, "100.64.10.1"), TG_R_SPOOFED_SRC);
	ck_assert_uint_eq(from_sub(1, "100.64.9.1"), TG_R_SPOOFED_SRC);
	ck_assert_uint_eq(from_sub6(1, "2001:db8:5::1"), TG_R_SPOOFED_SRC);
}
END_TEST

Suite *bpf_prefix_suite(void)
{
	Suite *s = suite_create("bpf_prefix");
	TCase *tc = tcase_create("lookup");

	tcase_add_checked_fixture(tc, NULL, teardown);
	/* Each test loads both programs: seconds of verification. */
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_prefix_hash);
	tcase_add_test(tc, test_prefix_not_filled);
	tcase_add_test(tc, test_prefix_too_many_lengths);
	tcase_add_test(tc, test_prefix_own);
	suite_add_tcase(s, tc);
	return s;
}
