// SPDX-License-Identifier: GPL-2.0-only
/*
 * Capture reader and writer over libpcap: classic pcap in both byte orders
 * and both timestamp precisions, pcapng with several interfaces and
 * sections (snapshot lengths evened out, link types and byte orders that
 * libpcap refuses named), the link type conversions, a write/read round
 * trip, and refusal of truncated and garbage input with the file and the
 * offset named. Captures are built here byte by byte; real captures are
 * read from $TUNGATE_PCAPS, tests/pcaps or ../shared/pcaps.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/pcap.h"

/* Real captures: $TUNGATE_PCAPS, else the first of these that exists. */
static const char *const pcap_dirs[] = { "tests/pcaps", "../shared/pcaps" };

/* A capture being built, with where each complete block or record ends. */
struct bytes {
	uint8_t d[4096];
	size_t n;
	bool be;
	size_t ends[32];	/* offsets where the file may end cleanly */
	int pkts[32];		/* packets before each of those ends */
	int n_ends;
	int n_pkts;
};

static void mark_end(struct bytes *b)
{
	ck_assert_int_lt(b->n_ends, 32);
	b->ends[b->n_ends] = b->n;
	b->pkts[b->n_ends++] = b->n_pkts;
}

static void put8(struct bytes *b, uint8_t v)
{
	ck_assert_uint_lt(b->n, sizeof(b->d));
	b->d[b->n++] = v;
}

static void put16(struct bytes *b, uint16_t v)
{
	if (b->be) {
		put8(b, v >> 8);
		put8(b, v);
	} else {
		put8(b, v);
		put8(b, v >> 8);
	}
}

static void put32(struct bytes *b, uint32_t v)
{
	if (b->be) {
		put16(b, v >> 16);
		put16(b, v);
	} else {
		put16(b, v);
		put16(b, v >> 16);
	}
}

static void put(struct bytes *b, const void *p, size_t n)
{
	ck_assert_uint_le(b->n + n, sizeof(b->d));
	memcpy(b->d + b->n, p, n);
	b->n += n;
}

static void set32(struct bytes *b, size_t at, uint32_t v)
{
	size_t n = b->n;

	b->n = at;
	put32(b, v);
	b->n = n;
}

static const uint8_t frame_a[] = {
	0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02, 0x08, 0x00,
	0x45, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2,
};
static const uint8_t ip4[] = {
	0x45, 0, 0, 20, 0, 0, 0, 0, 64, 4, 0, 0, 192, 0, 2, 10, 192, 0, 2, 1,
};
static const uint8_t ip6[] = {
	0x60, 0, 0, 0, 0, 0, 59, 64,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
};

static void classic_hdr(struct bytes *b, bool be, bool nsec, uint32_t snaplen,
			uint32_t linktype)
{
	memset(b, 0, sizeof(*b));
	b->be = be;
	put32(b, nsec ? 0xa1b23c4d : 0xa1b2c3d4);
	put16(b, 2);
	put16(b, 4);
	put32(b, 0);
	put32(b, 0);
	put32(b, snaplen);
	put32(b, linktype);
	mark_end(b);
}

static void classic_rec(struct bytes *b, uint32_t sec, uint32_t frac,
			const void *data, uint32_t caplen, uint32_t origlen)
{
	put32(b, sec);
	put32(b, frac);
	put32(b, caplen);
	put32(b, origlen);
	put(b, data, caplen);
	b->n_pkts++;
	mark_end(b);
}

static void expect_error(const struct bytes *b, const char *what);

/* Opens the bytes as a capture; returns the open result. */
static int open_bytes(struct tg_pcap_reader *r, const struct bytes *b, size_t len)
{
	FILE *f = fmemopen((void *)b->d, len ? len : 1, "rb");

	ck_assert_ptr_nonnull(f);
	if (!len)
		fgetc(f);	/* fmemopen refuses size 0: read past its one byte */
	return tg_pcap_open_stream(r, f, "mem.pcap");
}

/* Reads every packet; returns the count, or the negative error. */
static int count_all(struct tg_pcap_reader *r)
{
	struct tg_pcap_pkt p;
	int n = 0, ret;

	while ((ret = tg_pcap_next(r, &p)) > 0) {
		ck_assert_uint_le(p.caplen, TG_PCAP_MAX_CAPLEN);
		n++;
	}
	return ret < 0 ? ret : n;
}

static void check_classic(bool be, bool nsec)
{
	struct tg_pcap_reader r;
	struct tg_pcap_pkt p;
	struct bytes b;

	classic_hdr(&b, be, nsec, 65535, TG_LINKTYPE_ETHERNET);
	classic_rec(&b, 1700000000, nsec ? 123456789 : 123456, frame_a,
		    sizeof(frame_a), 60);
	classic_rec(&b, 1700000001, nsec ? 999999999 : 999999, ip4, 10, 10);

	ck_assert_int_eq(open_bytes(&r, &b, b.n), 0);
	ck_assert_int_eq(tg_pcap_next(&r, &p), 1);
	ck_assert_uint_eq(p.linktype, TG_LINKTYPE_ETHERNET);
	ck_assert_int_eq(p.ts_sec, 1700000000);
	ck_assert_uint_eq(p.ts_nsec, nsec ? 123456789 : 123456000);
	ck_assert_uint_eq(p.caplen, sizeof(frame_a));
	ck_assert_uint_eq(p.origlen, 60);
	ck_assert_mem_eq(p.data, frame_a, sizeof(frame_a));
	ck_assert_int_eq(tg_pcap_next(&r, &p), 1);
	ck_assert_int_eq(p.ts_sec, 1700000001);
	ck_assert_uint_eq(p.ts_nsec, nsec ? 999999999 : 999999000);
	ck_assert_uint_eq(p.caplen, 10);
	ck_assert_mem_eq(p.data, ip4, 10);
	ck_assert_int_eq(tg_pcap_next(&r, &p), 0);
	tg_pcap_close(&r);
}

START_TEST(test_classic_le_usec)
{
	check_classic(false, false);
}
END_TEST

START_TEST(test_classic_be_usec)
{
	check_classic(true, false);
}
END_TEST

START_TEST(test_classic_le_nsec)
{
	check_classic(false, true);
}
END_TEST

START_TEST(test_classic_be_nsec)
{
	check_classic(true, true);
}
END_TEST

/*
 * The modified format of magic 0xa1b2cd34 has 8 more bytes in each record
 * header: its records are read whole, not taken for ones over the snapshot
 * length.
 */
START_TEST(test_classic_kuznetzov)
{
	static const uint8_t extra[8] = { 0, 0, 0, 2, 0x08, 0x00, 0, 0 };
	struct tg_pcap_reader r;
	struct tg_pcap_pkt p;
	struct bytes b;

	classic_hdr(&b, false, false, 65535, TG_LINKTYPE_ETHERNET);
	set32(&b, 0, 0xa1b2cd34);
	for (int i = 0; i < 2; i++) {
		put32(&b, 1700000000 + i);
		put32(&b, 5);
		put32(&b, sizeof(frame_a));
		put32(&b, sizeof(frame_a));
		put(&b, extra, sizeof(extra));
		put(&b, frame_a, sizeof(frame_a));
	}
	ck_assert_int_eq(open_bytes(&r, &b, b.n), 0);
	for (int i = 0; i < 2; i++) {
		ck_assert_msg(tg_pcap_next(&r, &p) == 1, "%s", r.err);
		ck_assert_int_eq(p.ts_sec, 1700000000 + i);
		ck_assert_uint_eq(p.caplen, sizeof(frame_a));
		ck_assert_mem_eq(p.data, frame_a, sizeof(frame_a));
	}
	ck_assert_int_eq(tg_pcap_next(&r, &p), 0);
	tg_pcap_close(&r);
}
END_TEST

/* The link type's top bits carry FCS information, not the type. */
START_TEST(test_classic_linktype_fcs_bits)
{
	struct tg_pcap_reader r;
	struct tg_pcap_pkt p;
	struct bytes b;

	classic_hdr(&b, false, false, 65535, 0x30000000 | TG_LINKTYPE_ETHERNET);
	classic_rec(&b, 1, 0, frame_a, sizeof(frame_a), sizeof(frame_a));
	ck_assert_int_eq(open_bytes(&r, &b, b.n), 0);
	ck_assert_int_eq(tg_pcap_next(&r, &p), 1);
	ck_assert_uint_eq(p.linktype, TG_LINKTYPE_ETHERNET);
	tg_pcap_close(&r);
}
END_TEST

static size_t ng_begin(struct bytes *b, uint32_t type)
{
	size_t at = b->n;

	put32(b, type);
	put32(b, 0);	/* length, set by ng_end() */
	return at;
}

static void ng_end(struct bytes *b, size_t at)
{
	while (b->n % 4)
		put8(b, 0);
	put32(b, b->n - at + 4);
	set32(b, at + 4, b->n - at);
	mark_end(b);
}

static void ng_shb(struct bytes *b, bool be)
{
	size_t at;

	b->be = be;
	at = ng_begin(b, 0x0a0d0d0a);
	put32(b, 0x1a2b3c4d);
	put16(b, 1);
	put16(b, 0);
	put32(b, 0xffffffff);	/* section length unknown */
	put32(b, 0xffffffff);
	ng_end(b, at);
}

static void ng_idb(struct bytes *b, uint16_t linktype, uint32_t snaplen, int tsresol)
{
	size_t at = ng_begin(b, 1);

	put16(b, linktype);
	put16(b, 0);
	put32(b, snaplen);
	if (tsresol >= 0) {
		put16(b, 9);	/* if_tsresol */
		put16(b, 1);
		put8(b, tsresol);
		put8(b, 0);
		put16(b, 0);
		put16(b, 0);	/* opt_endofopt */
		put16(b, 0);
	}
	ng_end(b, at);
}

static void ng_epb(struct bytes *b, uint32_t ifid, uint64_t ts, const void *data,
		   uint32_t caplen, uint32_t origlen)
{
	size_t at = ng_begin(b, 6);

	put32(b, ifid);
	put32(b, ts >> 32);
	put32(b, ts);
	put32(b, caplen);
	put32(b, origlen);
	put(b, data, caplen);
	b->n_pkts++;
	ng_end(b, at);
}

static void ng_spb(struct bytes *b, const void *data, uint32_t len)
{
	size_t at = ng_begin(b, 3);

	put32(b, len);
	put(b, data, len);
	b->n_pkts++;
	ng_end(b, at);
}

static void ng_unknown(struct bytes *b, uint32_t type, size_t len)
{
	size_t at = ng_begin(b, type);

	while (len--)
		put8(b, 0xee);
	ng_end(b, at);
}

/*
 * Section 1 (big endian): two Ethernet interfaces, in µs and ns, a
 * statistics block to skip, a packet on each, a simple packet block.
 * Section 2 (big endian too, as libpcap wants): one Ethernet interface in
 * ms with another snapshot length.
 */
static void build_ng(struct bytes *b)
{
	memset(b, 0, sizeof(*b));
	ng_shb(b, true);
	b->n_ends--;	/* libpcap wants an interface before the end */
	ng_idb(b, TG_LINKTYPE_ETHERNET, 262144, -1);
	ng_idb(b, TG_LINKTYPE_ETHERNET, 262144, 9);
	ng_unknown(b, 5, 30);	/* interface statistics */
	ng_epb(b, 0, 1700000000123456ULL, frame_a, sizeof(frame_a), sizeof(frame_a));
	ng_epb(b, 1, 1700000000987654321ULL, ip6, sizeof(ip6), sizeof(ip6) + 100);
	ng_spb(b, frame_a, 17);
	ng_unknown(b, 0x80000001, 3);	/* custom block */
	ng_shb(b, true);
	ng_idb(b, TG_LINKTYPE_ETHERNET, 65535, 3);
	ng_epb(b, 0, 1700000002500ULL, frame_a, sizeof(frame_a), sizeof(frame_a));
}

START_TEST(test_pcapng_sections_and_interfaces)
{
	struct tg_pcap_reader r;
	struct tg_pcap_pkt p;
	struct bytes b;

	build_ng(&b);
	ck_assert_int_eq(open_bytes(&r, &b, b.n), 0);

	ck_assert_int_eq(tg_pcap_next(&r, &p), 1);
	ck_assert_uint_eq(p.linktype, TG_LINKTYPE_ETHERNET);
	ck_assert_int_eq(p.ts_sec, 1700000000);
	ck_assert_uint_eq(p.ts_nsec, 123456000);
	ck_assert_uint_eq(p.caplen, sizeof(frame_a));
	ck_assert_mem_eq(p.data, frame_a, sizeof(frame_a));

	ck_assert_int_eq(tg_pcap_next(&r, &p), 1);
	ck_assert_uint_eq(p.linktype, TG_LINKTYPE_ETHERNET);
	ck_assert_int_eq(p.ts_sec, 1700000000);
	ck_assert_uint_eq(p.ts_nsec, 987654321);
	ck_assert_uint_eq(p.caplen, sizeof(ip6));
	ck_assert_uint_eq(p.origlen, sizeof(ip6) + 100);
	ck_assert_mem_eq(p.data, ip6, sizeof(ip6));

	ck_assert_int_eq(tg_pcap_next(&r, &p), 1);
	ck_assert_uint_eq(p.linktype, TG_LINKTYPE_ETHERNET);
	ck_assert_uint_eq(p.caplen, 17);
	ck_assert_uint_eq(p.origlen, 17);
	ck_assert_mem_eq(p.data, frame_a, 17);

	ck_assert_int_eq(tg_pcap_next(&r, &p), 1);
	ck_assert_uint_eq(p.linktype, TG_LINKTYPE_ETHERNET);
	ck_assert_int_eq(p.ts_sec, 1700000002);
	ck_assert_uint_eq(p.ts_nsec, 500000000);
	ck_assert_uint_eq(p.caplen, sizeof(frame_a));

	ck_assert_int_eq(tg_pcap_next(&r, &p), 0);
	tg_pcap_close(&r);
}
END_TEST

/*
 * What libpcap refuses in pcapng, each with a message naming the file:
 * interfaces of different link types, sections of different byte orders.
 * Link types come back as LINKTYPE_ values (libpcap's DLT_RAW is 101).
 */
START_TEST(test_pcapng_limits_and_linktypes)
{
	struct tg_pcap_reader r;
	struct tg_pcap_pkt p;
	struct bytes b;

	memset(&b, 0, sizeof(b));
	ng_shb(&b, false);
	ng_idb(&b, TG_LINKTYPE_ETHERNET, 0, -1);
	ng_idb(&b, TG_LINKTYPE_LINUX_SLL, 0, -1);
	ng_epb(&b, 0, 0, frame_a, 20, 20);
	expect_error(&b, "different from the type of the first interface");

	memset(&b, 0, sizeof(b));
	ng_shb(&b, false);
	ng_idb(&b, TG_LINKTYPE_ETHERNET, 0, -1);
	ng_epb(&b, 0, 0, frame_a, 20, 20);
	ng_shb(&b, true);
	expect_error(&b, "section at offset 100 is in the other byte order");

	static const uint32_t types[][2] = {
		{ TG_LINKTYPE_RAW, TG_LINKTYPE_RAW },
		{ TG_LINKTYPE_RAW_BSD12, TG_LINKTYPE_RAW },
		{ TG_LINKTYPE_LINUX_SLL, TG_LINKTYPE_LINUX_SLL },
		{ TG_LINKTYPE_LINUX_SLL2, TG_LINKTYPE_LINUX_SLL2 },
		{ TG_LINKTYPE_IPV6, TG_LINKTYPE_IPV6 },
	};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		classic_hdr(&b, i & 1, false, 65535, types[i][0]);
		classic_rec(&b, 1, 0, ip6, sizeof(ip6), sizeof(ip6));
		ck_assert_int_eq(open_bytes(&r, &b, b.n), 0);
		ck_assert_int_eq(tg_pcap_next(&r, &p), 1);
		ck_assert_uint_eq(p.linktype, types[i][1]);
		tg_pcap_close(&r);
	}
}
END_TEST

/* An interface whose timestamps are in seconds (if_tsresol 0) plus offset. */
static void ng_idb_offset(struct bytes *b, int64_t offset)
{
	size_t at = ng_begin(b, 1);

	put16(b, TG_LINKTYPE_RAW);
	put16(b, 0);
	put32(b, 0);
	put16(b, 9);		/* if_tsresol */
	put16(b, 1);
	put32(b, 0);		/* 10^0: seconds, then padding */
	put16(b, 14);		/* if_tsoffset */
	put16(b, 8);
	if (b->be) {
		put32(b, (uint64_t)offset >> 32);
		put32(b, (uint64_t)offset);
	} else {
		put32(b, (uint64_t)offset);
		put32(b, (uint64_t)offset >> 32);
	}
	put16(b, 0);		/* opt_endofopt */
	put16(b, 0);
	ng_end(b, at);
}

/*
 * if_tsoffset, a signed number of seconds, is added to each timestamp; at
 * the ends of its range the sum wraps (64 bits, as pcap writers do) rather
 * than overflow a signed addition.
 */
START_TEST(test_pcapng_tsoffset)
{
	static const struct {
		int64_t offset;
		uint64_t ts;
		int64_t sec;
	} cases[] = {
		{ 1000, 5, 1005 },
		{ -1000, 1700000000, 1699999000 },
		{ INT64_MAX, 10, INT64_MIN + 9 },
		{ INT64_MIN, UINT64_MAX, INT64_MAX },
		{ -1, 0, -1 },
	};
	struct tg_pcap_reader r;
	struct tg_pcap_pkt p;
	struct bytes b;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&b, 0, sizeof(b));
		ng_shb(&b, i & 1);
		ng_idb_offset(&b, cases[i].offset);
		ng_epb(&b, 0, cases[i].ts, ip6, sizeof(ip6), sizeof(ip6));
		ck_assert_int_eq(open_bytes(&r, &b, b.n), 0);
		ck_assert_int_eq(tg_pcap_next(&r, &p), 1);
		ck_assert_msg(p.ts_sec == cases[i].sec,
			      "case %zu: ts_sec %lld, want %lld", i,
			      (long long)p.ts_sec, (long long)cases[i].sec);
		ck_assert_uint_eq(p.ts_nsec, 0);
		tg_pcap_close(&r);
	}
}
END_TEST

START_TEST(test_to_ether)
{
	static const uint8_t dst[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	static const uint8_t src[6] = { 0x02, 0, 0, 0, 0, 0x02 };
	static const uint8_t sll_src[6] = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee };
	uint8_t in[128], out[128 + TG_PCAP_ETH_EXTRA];
	char err[128];
	int len;

	/* Ethernet: unchanged. */
	len = tg_pcap_to_ether(TG_LINKTYPE_ETHERNET, frame_a, sizeof(frame_a),
			       out, sizeof(out), err, sizeof(err));
	ck_assert_int_eq(len, sizeof(frame_a));
	ck_assert_mem_eq(out, frame_a, sizeof(frame_a));

	/* Raw IP, each of its link types, by IP version. */
	static const uint32_t raw[] = { TG_LINKTYPE_RAW, TG_LINKTYPE_RAW_BSD12,
					TG_LINKTYPE_RAW_BSD14 };
	for (size_t i = 0; i < sizeof(raw) / sizeof(raw[0]); i++) {
		len = tg_pcap_to_ether(raw[i], ip4, sizeof(ip4), out, sizeof(out),
				       err, sizeof(err));
		ck_assert_int_eq(len, 14 + sizeof(ip4));
		ck_assert_mem_eq(out, dst, 6);
		ck_assert_mem_eq(out + 6, src, 6);
		ck_assert_mem_eq(out + 12, "\x08\x00", 2);
		ck_assert_mem_eq(out + 14, ip4, sizeof(ip4));
		len = tg_pcap_to_ether(raw[i], ip6, sizeof(ip6), out, sizeof(out),
				       err, sizeof(err));
		ck_assert_int_eq(len, 14 + sizeof(ip6));
		ck_assert_mem_eq(out + 12, "\x86\xdd", 2);
		ck_assert_mem_eq(out + 14, ip6, sizeof(ip6));
	}
	len = tg_pcap_to_ether(TG_LINKTYPE_IPV4, ip4, sizeof(ip4), out, sizeof(out),
			       err, sizeof(err));
	ck_assert_int_eq(len, 14 + sizeof(ip4));
	ck_assert_mem_eq(out + 12, "\x08\x00", 2);
	len = tg_pcap_to_ether(TG_LINKTYPE_IPV6, ip6, sizeof(ip6), out, sizeof(out),
			       err, sizeof(err));
	ck_assert_int_eq(len, 14 + sizeof(ip6));
	ck_assert_mem_eq(out + 12, "\x86\xdd", 2);

	/* Raw IP of no known version. */
	len = tg_pcap_to_ether(TG_LINKTYPE_RAW, frame_a, sizeof(frame_a), out,
			       sizeof(out), err, sizeof(err));
	ck_assert_int_lt(len, 0);
	ck_assert_ptr_nonnull(strstr(err, "version"));
	ck_assert_int_lt(tg_pcap_to_ether(TG_LINKTYPE_RAW, ip4, 0, out, sizeof(out),
					  err, sizeof(err)), 0);

	/* SLL: 6-byte address becomes the source, protocol the ethertype. */
	memcpy(in, "\x00\x00\x00\x01\x00\x06\x02\xaa\xbb\xcc\xdd\xee\x00\x00\x86\xdd", 16);
	memcpy(in + 16, ip6, sizeof(ip6));
	len = tg_pcap_to_ether(TG_LINKTYPE_LINUX_SLL, in, 16 + sizeof(ip6), out,
			       sizeof(out), err, sizeof(err));
	ck_assert_int_eq(len, 14 + sizeof(ip6));
	ck_assert_mem_eq(out, dst, 6);
	ck_assert_mem_eq(out + 6, sll_src, 6);
	ck_assert_mem_eq(out + 12, "\x86\xdd", 2);
	ck_assert_mem_eq(out + 14, ip6, sizeof(ip6));

	/* SLL with no 6-byte address: synthetic source; protocol kept as is. */
	memcpy(in, "\x00\x04\x03\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x08\x06", 16);
	len = tg_pcap_to_ether(TG_LINKTYPE_LINUX_SLL, in, 16 + sizeof(ip6), out,
			       sizeof(out), err, sizeof(err));
	ck_assert_int_eq(len, 14 + sizeof(ip6));
	ck_assert_mem_eq(out + 6, src, 6);
	ck_assert_mem_eq(out + 12, "\x08\x06", 2);

	/* SLL2: protocol first, address at 12. */
	memcpy(in, "\x08\x00\x00\x00\x00\x00\x00\x02\x00\x01\x00\x06\x02\xaa\xbb\xcc\xdd\xee\x00\x00", 20);
	memcpy(in + 20, ip4, sizeof(ip4));
	len = tg_pcap_to_ether(TG_LINKTYPE_LINUX_SLL2, in, 20 + sizeof(ip4), out,
			       sizeof(out), err, sizeof(err));
	ck_assert_int_eq(len, 14 + sizeof(ip4));
	ck_assert_mem_eq(out, dst, 6);
	ck_assert_mem_eq(out + 6, sll_src, 6);
	ck_assert_mem_eq(out + 12, "\x08\x00", 2);
	ck_assert_mem_eq(out + 14, ip4, sizeof(ip4));
	in[11] = 0;
	len = tg_pcap_to_ether(TG_LINKTYPE_LINUX_SLL2, in, 20 + sizeof(ip4), out,
			       sizeof(out), err, sizeof(err));
	ck_assert_int_eq(len, 14 + sizeof(ip4));
	ck_assert_mem_eq(out + 6, src, 6);

	/* Cooked headers cut short, unknown link types, no room. */
	ck_assert_int_lt(tg_pcap_to_ether(TG_LINKTYPE_LINUX_SLL, in, 15, out,
					  sizeof(out), err, sizeof(err)), 0);
	ck_assert_int_lt(tg_pcap_to_ether(TG_LINKTYPE_LINUX_SLL2, in, 19, out,
					  sizeof(out), err, sizeof(err)), 0);
	ck_assert_int_eq(tg_pcap_to_ether(105, in, 40, out, sizeof(out), err,
					  sizeof(err)), -EPROTONOSUPPORT);
	ck_assert_ptr_nonnull(strstr(err, "105"));
	ck_assert_int_eq(tg_pcap_to_ether(TG_LINKTYPE_ETHERNET, frame_a,
					  sizeof(frame_a), out, 20, err,
					  sizeof(err)), -ENOSPC);
}
END_TEST

START_TEST(test_round_trip)
{
	struct tg_pcap_writer w;
	struct tg_pcap_reader r;
	struct tg_pcap_pkt p;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(tg_pcap_create_stream(&w, f, "mem-out.pcap"), 0);
	ck_assert_int_eq(tg_pcap_write(&w, 1700000000, 123456789, frame_a,
				       sizeof(frame_a), 1000), 0);
	ck_assert_int_eq(tg_pcap_write(&w, 5, 999, frame_a, 14, 0), 0);
	ck_assert_int_eq(tg_pcap_write(&w, 6, 0, frame_a, TG_PCAP_MAX_CAPLEN + 1, 0),
			 -E2BIG);
	ck_assert_ptr_nonnull(strstr(w.err, "mem-out.pcap"));
	ck_assert_int_eq(tg_pcap_finish(&w), 0);
	ck_assert_uint_eq(len, 24 + 16 + sizeof(frame_a) + 16 + 14);

	f = fmemopen(buf, len, "rb");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(tg_pcap_open_stream(&r, f, "mem-out.pcap"), 0);
	ck_assert_int_eq(tg_pcap_next(&r, &p), 1);
	ck_assert_uint_eq(p.linktype, TG_LINKTYPE_ETHERNET);
	ck_assert_int_eq(p.ts_sec, 1700000000);
	ck_assert_uint_eq(p.ts_nsec, 123456000);
	ck_assert_uint_eq(p.caplen, sizeof(frame_a));
	ck_assert_uint_eq(p.origlen, 1000);
	ck_assert_mem_eq(p.data, frame_a, sizeof(frame_a));
	ck_assert_int_eq(tg_pcap_next(&r, &p), 1);
	ck_assert_int_eq(p.ts_sec, 5);
	ck_assert_uint_eq(p.ts_nsec, 0);
	ck_assert_uint_eq(p.caplen, 14);
	ck_assert_uint_eq(p.origlen, 14);	/* never below the captured length */
	ck_assert_int_eq(tg_pcap_next(&r, &p), 0);
	tg_pcap_close(&r);
	free(buf);
}
END_TEST

/*
 * Every cut of a valid capture either ends between two blocks or records
 * (fewer packets, no error) or is an error naming the file and an offset;
 * never a crash.
 */
static void check_cuts(const struct bytes *b, int total)
{
	struct tg_pcap_reader r;

	for (size_t cut = 0; cut < b->n; cut++) {
		int ret, expect = -1;

		for (int i = 0; i < b->n_ends; i++)
			if (b->ends[i] == cut)
				expect = b->pkts[i];
		ret = open_bytes(&r, b, cut);
		if (!ret)
			ret = count_all(&r);
		if (expect >= 0) {
			ck_assert_msg(ret == expect, "cut at %zu: got %d, want %d packets",
				      cut, ret, expect);
		} else {
			ck_assert_msg(ret == -EINVAL, "cut at %zu: got %d, want -EINVAL",
				      cut, ret);
			/*
			 * libpcap takes a cut section header for another
			 * format, and wants an interface before the end.
			 */
			ck_assert_msg(!strncmp(r.err, "mem.pcap: ", 10) &&
				      (strstr(r.err, "truncated") ||
				       strstr(r.err, "unknown file format") ||
				       strstr(r.err, "no Interface Description Blocks")) &&
				      strstr(r.err, "offset"),
				      "cut at %zu: message '%s'", cut, r.err);
		}
		tg_pcap_close(&r);
	}
	ck_assert_int_eq(open_bytes(&r, b, b->n), 0);
	ck_assert_int_eq(count_all(&r), total);
	tg_pcap_close(&r);
}

START_TEST(test_truncated_classic)
{
	struct bytes b;

	classic_hdr(&b, false, false, 65535, TG_LINKTYPE_ETHERNET);
	classic_rec(&b, 1, 2, frame_a, sizeof(frame_a), sizeof(frame_a));
	classic_rec(&b, 3, 4, frame_a, 20, 30);
	check_cuts(&b, 2);
}
END_TEST

START_TEST(test_truncated_pcapng)
{
	struct bytes b;

	build_ng(&b);
	check_cuts(&b, 4);
}
END_TEST

static void expect_error(const struct bytes *b, const char *what)
{
	struct tg_pcap_reader r;
	int ret;

	ret = open_bytes(&r, b, b->n);
	if (!ret)
		ret = count_all(&r);
	ck_assert_int_lt(ret, 0);
	ck_assert_msg(strstr(r.err, what), "message '%s' lacks '%s'", r.err, what);
	ck_assert_msg(!strncmp(r.err, "mem.pcap: ", 10), "message '%s'", r.err);
	tg_pcap_close(&r);
}

START_TEST(test_malformed)
{
	struct bytes b;
	size_t at;

	/* Not a capture at all. */
	memset(&b, 0, sizeof(b));
	put(&b, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 27);
	expect_error(&b, "unknown file format");

	/* Header shorter than its 24 bytes. */
	classic_hdr(&b, false, false, 65535, 1);
	b.n = 10;
	expect_error(&b, "truncated dump file; tried to read 24 file header bytes");

	/* Captured length over the snapshot length, and over 256 KiB. */
	classic_hdr(&b, true, false, 16, 1);
	classic_rec(&b, 0, 0, frame_a, 17, 17);
	expect_error(&b, "captured length 17 over the snapshot length 16");
	classic_hdr(&b, false, false, 0, 1);
	put32(&b, 0);
	put32(&b, 0);
	put32(&b, TG_PCAP_MAX_CAPLEN + 1);
	put32(&b, TG_PCAP_MAX_CAPLEN + 1);
	expect_error(&b, "bigger than snaplen of 262144");

	/* Record header cut short, record data cut short. */
	classic_hdr(&b, false, true, 65535, 1);
	put32(&b, 0);
	put32(&b, 0);
	expect_error(&b, "tried to read 16 header bytes, only got 8 (reading from offset 24)");
	classic_hdr(&b, false, true, 65535, 1);
	classic_rec(&b, 0, 0, frame_a, sizeof(frame_a), sizeof(frame_a));
	b.n -= 1;
	expect_error(&b, "tried to read 34 captured bytes, only got 33 (reading from offset 24)");

	/* pcapng: bad byte-order magic. */
	memset(&b, 0, sizeof(b));
	ng_shb(&b, false);
	b.d[8] = 0x11;
	expect_error(&b, "unknown file format");

	/* pcapng: block length not a multiple of 4, trailer differs. */
	memset(&b, 0, sizeof(b));
	ng_shb(&b, false);
	ng_idb(&b, 1, 0, -1);
	set32(&b, 28 + 4, 22);
	expect_error(&b, "length of 22 that is not a multiple of 4");
	memset(&b, 0, sizeof(b));
	ng_shb(&b, false);
	ng_idb(&b, 1, 0, -1);
	set32(&b, b.n - 4, 24);
	expect_error(&b, "total length in header and trailer don't match");

	/* pcapng: packet before any interface, for an interface not described. */
	memset(&b, 0, sizeof(b));
	ng_shb(&b, true);
	ng_epb(&b, 0, 0, frame_a, 20, 20);
	expect_error(&b, "packet block before any Interface Description Blocks");
	memset(&b, 0, sizeof(b));
	ng_shb(&b, true);
	ng_idb(&b, 1, 0, -1);
	ng_epb(&b, 0, 0, frame_a, 20, 20);
	ng_shb(&b, true);	/* a new section forgets the interfaces */
	ng_epb(&b, 0, 0, frame_a, 20, 20);
	expect_error(&b, "no Interface Description Block for that interface (reading from offset 100)");

	/* pcapng: captured length beyond its block, over the snapshot length. */
	memset(&b, 0, sizeof(b));
	ng_shb(&b, false);
	ng_idb(&b, 1, 0, -1);
	at = b.n;
	ng_epb(&b, 0, 0, frame_a, 20, 20);
	set32(&b, at + 20, 200);
	expect_error(&b, "block of type 6 in pcapng dump file is too short");
	memset(&b, 0, sizeof(b));
	ng_shb(&b, false);
	ng_idb(&b, 1, 8, -1);
	ng_epb(&b, 0, 0, frame_a, 20, 20);
	expect_error(&b, "bigger than snaplen of 8 (reading from offset 48)");

	/* pcapng: option running past the end of its block. */
	memset(&b, 0, sizeof(b));
	ng_shb(&b, false);
	at = b.n;
	ng_idb(&b, 1, 0, 6);
	set32(&b, at + 16, 9 | 200 << 16);
	expect_error(&b, "block of type 1 in pcapng dump file is too short");

	/* pcapng: huge block length. */
	memset(&b, 0, sizeof(b));
	ng_shb(&b, false);
	ng_idb(&b, 1, 0, -1);
	put32(&b, 6);
	put32(&b, 0xfffffff0);
	put32(&b, 0);
	expect_error(&b, "pcapng block size 4294967280 > maximum");
}
END_TEST

/* Pseudo-random garbage after a valid header: errors or packets, no crash. */
START_TEST(test_garbage)
{
	uint32_t seed = 12345;

	for (int round = 0; round < 2000; round++) {
		struct tg_pcap_reader r;
		struct bytes b;
		int ret;

		if (round % 2)
			classic_hdr(&b, round % 4 == 1, false, 128, 1);
		else {
			memset(&b, 0, sizeof(b));
			ng_shb(&b, round % 4 == 0);
		}
		while (b.n < (size_t)(24 + 64 + round % 300)) {
			seed = seed * 1103515245 + 12345;
			/* Mostly small numbers, so lengths look plausible. */
			put8(&b, (seed >> 16) % 7 ? (seed >> 8) % 48 : seed >> 24);
		}
		ret = open_bytes(&r, &b, b.n);
		if (!ret)
			ret = count_all(&r);
		if (ret < 0)
			ck_assert_msg(r.err[0], "round %d: error %d with no message", round, ret);
		tg_pcap_close(&r);
	}
}
END_TEST

static bool ci(void)
{
	const char *v = getenv("CI");

	return v && !strcmp(v, "true");
}

/* Every shared real capture reads to its end; known files by count. */
START_TEST(test_shared_pcaps)
{
	static const struct {
		const char *file;
		int packets;
	} known[] = {
		{ "zeek__gre-within-gre.pcap", 628 },
		{ "nDPI__gre_no_options.pcapng", 2 },
		{ "PcapPlusPlus__GrePackets.pcap", 7 },
		{ "tcpdump__l2tp-avp-overflow.pcap", 20 },
		{ "nDPI__6in4tunnel.pcap", 127 },
	};
	const char *dir = getenv("TUNGATE_PCAPS");
	struct dirent *de;
	int files = 0;
	DIR *d = NULL;

	if (dir)
		d = opendir(dir);
	for (size_t i = 0; !d && !getenv("TUNGATE_PCAPS") &&
			   i < sizeof(pcap_dirs) / sizeof(pcap_dirs[0]); i++) {
		dir = pcap_dirs[i];
		d = opendir(dir);
	}
	if (!d) {
		fprintf(stderr, "SKIP: pcap: no directory of real captures (%s)\n",
			getenv("TUNGATE_PCAPS") ? dir : "set TUNGATE_PCAPS");
		ck_assert_msg(!ci(), "real captures missing under CI");
		return;
	}
	while ((de = readdir(d))) {
		const char *dot = strrchr(de->d_name, '.');
		struct tg_pcap_reader r;
		char path[512];
		int n;

		if (!dot || (strcmp(dot, ".pcap") && strcmp(dot, ".pcapng") &&
			     strcmp(dot, ".cap")))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		ck_assert_msg(tg_pcap_open(&r, path) == 0, "%s", r.err);
		n = count_all(&r);
		ck_assert_msg(n > 0, "%s: %d: %s", path, n, r.err);
		for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			if (!strcmp(known[i].file, de->d_name))
				ck_assert_msg(n == known[i].packets, "%s: %d packets, want %d",
					      path, n, known[i].packets);
		tg_pcap_close(&r);
		files++;
	}
	closedir(d);
	ck_assert_int_ge(files, 5);
}
END_TEST

START_TEST(test_open_missing)
{
	struct tg_pcap_reader r;

	ck_assert_int_eq(tg_pcap_open(&r, "/nonexistent/x.pcap"), -ENOENT);
	ck_assert_ptr_nonnull(strstr(r.err, "/nonexistent/x.pcap"));
	tg_pcap_close(&r);
}
END_TEST

Suite *pcap_suite(void)
{
	Suite *s = suite_create("pcap");
	TCase *tc = tcase_create("pcap");

	tcase_add_test(tc, test_classic_le_usec);
	tcase_add_test(tc, test_classic_be_usec);
	tcase_add_test(tc, test_classic_le_nsec);
	tcase_add_test(tc, test_classic_be_nsec);
	tcase_add_test(tc, test_classic_linktype_fcs_bits);
	tcase_add_test(tc, test_classic_kuznetzov);
	tcase_add_test(tc, test_pcapng_sections_and_interfaces);
	tcase_add_test(tc, test_pcapng_limits_and_linktypes);
	tcase_add_test(tc, test_pcapng_tsoffset);
	tcase_add_test(tc, test_to_ether);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_truncated_classic);
	tcase_add_test(tc, test_truncated_pcapng);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_garbage);
	tcase_add_test(tc, test_shared_pcaps);
	tcase_add_test(tc, test_open_missing);
	suite_add_tcase(s, tc);
	return s;
}
