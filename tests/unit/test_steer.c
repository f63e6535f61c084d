// SPDX-License-Identifier: GPL-2.0-only
/*
 * steer suite: CPU lists as up --steer reads them, and tg_steer_xdp's
 * choice of CPU. A cpumap entry on CPU 0 only and tg_steer giving lo the
 * CPUs {0, 1} make the verdict tell the choice: XDP_REDIRECT for CPU 0,
 * XDP_PASS (the fallback of a CPU without an entry) for CPU 1.
 */
#include <check.h>
#include <errno.h>
#include <arpa/inet.h>
#include <sched.h>
#include <string.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "util/cpulist.h"
#include "bpf_util.h"
#include "tungate.h"
#include "steer.skel.h"

static const char *fmt(const char *in)
{
	static char buf[256];
	struct tg_cpuset s;
	char why[160];

	ck_assert_msg(!tg_cpulist_parse(in, &s, why, sizeof(why)),
		      "'%s' refused: %s", in, why);
	tg_cpulist_format(&s, buf, sizeof(buf));
	return buf;
}

static void refused(const char *in, const char *cause)
{
	struct tg_cpuset s;
	char why[160] = "";

	ck_assert_msg(tg_cpulist_parse(in, &s, why, sizeof(why)) == -EINVAL,
		      "'%s' accepted", in);
	ck_assert_msg(strstr(why, cause), "'%s': '%s', expected '%s'", in,
		      why, cause);
}

START_TEST(test_cpulist)
{
	struct tg_cpuset s;
	char why[160];

	ck_assert_str_eq(fmt("0"), "0");
	ck_assert_str_eq(fmt("0-3,6"), "0-3,6");
	ck_assert_str_eq(fmt("6,0,1,2,3"), "0-3,6");
	ck_assert_str_eq(fmt("1,1,1-2"), "1-2");
	ck_assert_str_eq(fmt("0,2,4-5,7"), "0,2,4-5,7");
	ck_assert_str_eq(fmt("1023"), "1023");
	ck_assert(!tg_cpulist_parse("0-3,6", &s, why, sizeof(why)));
	ck_assert_int_eq(tg_cpuset_count(&s), 5);
	ck_assert(tg_cpuset_has(&s, 6) && !tg_cpuset_has(&s, 5));
	refused("", "empty");
	refused("3-1", "runs backwards");
	refused("1024", "1024 or more");
	refused("x", "not a CPU list");
	refused("1,", "not a CPU list");
	refused("-1", "not a CPU list");
	refused("1-", "not a CPU list");
	refused("0 1", "not a CPU list");
	refused("+1", "not a CPU list");
	ck_assert(!tg_cpus_online(&s));
	ck_assert(tg_cpuset_has(&s, 0));
}
END_TEST

#define F_CSUM 0x8000
#define F_KEY 0x2000
#define F_SEQ 0x1000

static size_t put_ip(uint8_t *p, int proto, uint32_t src, uint32_t dst,
		     size_t payload)
{
	size_t len = 20 + payload;

	memset(p, 0, 20);
	p[0] = 0x45;
	p[2] = len >> 8;
	p[3] = len & 0xff;
	p[8] = 64;
	p[9] = proto;
	memcpy(p + 12, &src, 4);
	memcpy(p + 16, &dst, 4);
	return 20;
}

/*
 * A frame of tunnel type kind ("ipip", "gre" with flags, "gretap")
 * carrying UDP from 100.64.1.2:sport to 198.51.100.2:9; its length.
 */
static size_t frame(uint8_t *b, const char *kind, uint16_t flags,
		    uint16_t sport)
{
	uint8_t inner[28], *p = b;
	size_t tun = 0, ilen = sizeof(inner);

	put_ip(inner, 17, htonl(0x64400102), htonl(0xc6336402), 8);
	inner[20] = sport >> 8;
	inner[21] = sport & 0xff;
	inner[23] = 9;
	inner[25] = 8;
	memset(p, 0, 14);
	p[12] = 0x08;
	p += 14;
	if (!strcmp(kind, "gre"))
		tun = 4 + (flags & F_CSUM ? 4 : 0) + (flags & F_KEY ? 4 : 0) +
		      (flags & F_SEQ ? 4 : 0);
	else if (!strcmp(kind, "gretap"))
		tun = 4 + 14;
	p += put_ip(p, strcmp(kind, "ipip") ? 47 : 4, htonl(0xc000020b),
		    htonl(0xc0000201), tun + ilen);
	if (tun) {
		memset(p, 0, tun);
		p[0] = flags >> 8;
		p[2] = strcmp(kind, "gretap") ? 0x08 : 0x65;
		p[3] = strcmp(kind, "gretap") ? 0x00 : 0x58;
		if (!strcmp(kind, "gretap"))
			p[4 + 12] = 0x08;
		p += tun;
	}
	memcpy(p, inner, ilen);
	return p + ilen - b;
}

static uint32_t verdict(int fd, const uint8_t *b, size_t len)
{
	uint8_t out[256];
	struct xdp_md ctx = { .data_end = len, .ingress_ifindex = 1 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = b, .data_size_in = len,
		    .data_out = out, .data_size_out = sizeof(out),
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx));

	ck_assert_int_eq(bpf_prog_test_run_opts(fd, &opts), 0);
	return opts.retval;
}

START_TEST(test_steer_choice)
{
	struct bpf_cpumap_val cv = { .qsize = 64 };
	struct tg_steer st = { .ncpus = 2, .cpu = { 0, 1 } };
	struct steer_bpf *skel;
	struct bpf_map *map = NULL;
	uint8_t b[256];
	uint32_t v, ref, key = 0, lo = 1, seen[2] = { 0 };
	size_t len;
	int fd, sport, k;
	static const uint16_t gre_flags[] = { 0, F_KEY, F_CSUM, F_SEQ,
					      F_CSUM | F_KEY | F_SEQ };

	if (!tg_test_need_root())
		return;
	ck_assert(!unshare(CLONE_NEWNET));
	skel = steer_bpf__open();
	ck_assert_ptr_nonnull(skel);
	while ((map = bpf_object__next_map(skel->obj, map)))
		ck_assert_int_eq(bpf_map__set_pin_path(map, NULL), 0);
	ck_assert_int_eq(steer_bpf__load(skel), 0);
	ck_assert_int_eq(bpf_map__update_elem(skel->maps.tg_cpus, &key,
					      sizeof(key), &cv, sizeof(cv), 0), 0);
	ck_assert_int_eq(bpf_map__update_elem(skel->maps.tg_steer, &lo,
					      sizeof(lo), &st, sizeof(st), 0), 0);
	fd = bpf_program__fd(skel->progs.tg_steer_xdp);
	for (sport = 1000; sport < 1064; sport++) {
		/* One inner flow: one CPU, whatever carries it. */
		len = frame(b, "ipip", 0, sport);
		ref = verdict(fd, b, len);
		ck_assert(ref == XDP_REDIRECT || ref == XDP_PASS);
		seen[ref == XDP_PASS]++;
		for (k = 0; k < 5; k++) {
			len = frame(b, "gre", gre_flags[k], sport);
			v = verdict(fd, b, len);
			ck_assert_msg(v == ref, "port %d: GRE flags 0x%x went elsewhere",
				      sport, gre_flags[k]);
		}
		len = frame(b, "gretap", 0, sport);
		ck_assert_msg(verdict(fd, b, len) == ref,
			      "port %d: gretap went elsewhere", sport);
	}
	/* 64 flows over 2 CPUs: both get some. */
	ck_assert_msg(seen[0] > 8 && seen[1] > 8, "CPU 0: %u flows, CPU 1: %u",
		      seen[0], seen[1]);
	/* Not steered (no entry): the kernel gets it. */
	ck_assert_int_eq(bpf_map__delete_elem(skel->maps.tg_steer, &lo,
					      sizeof(lo), 0), 0);
	ck_assert_int_eq(verdict(fd, b, len), XDP_PASS);
	steer_bpf__destroy(skel);
}
END_TEST

Suite *steer_suite(void)
{
	Suite *s = suite_create("steer");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_cpulist);
	tcase_add_test(tc, test_steer_choice);
	suite_add_tcase(s, tc);
	return s;
}
