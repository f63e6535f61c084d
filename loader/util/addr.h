/* SPDX-License-Identifier: GPL-2.0-only */
/* IPv4/IPv6 addresses and prefixes: parsing, canonical text, overlap. */
#ifndef TG_ADDR_H
#define TG_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

/* Longest canonical prefix text, with "/128" and the NUL. */
#define TG_PREFIX_STRLEN 48

struct tg_prefix {
	int family;		/* AF_INET or AF_INET6 */
	__u8 addr[16];		/* network order; IPv4 uses the first 4 bytes */
	__u8 len;		/* prefix length in bits */
};

/*
 * Parse "ADDR/LEN" (or a bare ADDR, meaning /32 or /128). Host bits must be
 * zero. On error returns -EINVAL and writes the cause ("host bits set") to
 * err.
 */
int tg_prefix_parse(const char *s, struct tg_prefix *p, char *err,
		    size_t errlen);
/* Canonical text: "192.0.2.0/28", "2001:db8::/48". */
void tg_prefix_format(const struct tg_prefix *p, char *buf, size_t len);
/* Same family and one contains the other. */
bool tg_prefix_overlap(const struct tg_prefix *a, const struct tg_prefix *b);
bool tg_prefix_equal(const struct tg_prefix *a, const struct tg_prefix *b);

/*
 * The reserved range ("224.0.0.0/4", "fe80::/10", ...: loopback,
 * link-local, multicast, unspecified, IPv4-mapped, this network, class E
 * and broadcast) that p overlaps, or NULL when it overlaps none.
 */
const char *tg_prefix_reserved(const struct tg_prefix *p);
/* The same for one IPv4 address (network order). */
const char *tg_ip4_reserved(__be32 addr);

/* Parse a dotted-quad IPv4 address into network order. 0 or -EINVAL. */
int tg_ip4_parse(const char *s, __be32 *addr);
/* Format a network order IPv4 address; buf needs 16 bytes. */
void tg_ip4_format(__be32 addr, char *buf, size_t len);

/*
 * A DNS name or an IPv4 address as text: 1..max letters, digits, '.' and
 * '-', not starting with '.' or '-'.
 */
bool tg_host_ok(const char *h, size_t max);

/* "02:00:5e:00:53:01" (':' or '-' separated) -> 6 bytes. 0 or -EINVAL. */
int tg_mac_parse(const char *s, __u8 mac[6]);
/* Lower-case, ':' separated; buf needs 18 bytes. */
void tg_mac_format(const __u8 mac[6], char *buf, size_t len);
/* Not multicast/broadcast and not all-zero. */
bool tg_mac_unicast(const __u8 mac[6]);

/*
 * Rates in bits per second: "512kbit", "10mbit", "1.5gbit" (decimal
 * units, at most 3 decimals), plain "2000000" (bits/s), "unlimited" (0).
 * 0, -EINVAL (malformed) or -ERANGE (zero, or above 10tbit).
 */
int tg_rate_parse(const char *s, __u64 *bps);
#define TG_RATE_MAX 10000000000000ULL	/* 10tbit */
#define TG_SIZE_MAX (1ULL << 32)	/* 4g */
/*
 * The same for option opt: 0, or -EINVAL with "OPT 'S': CAUSE" in err.
 */
int tg_rate_parse_opt(const char *opt, const char *s, __u64 *bps, char *err,
		      size_t errlen);
int tg_size_parse_opt(const char *opt, const char *s, __u64 *bytes,
		      char *err, size_t errlen);
/* Shortest exact text: "10mbit", "1500kbit", "1234bit"; 0: "unlimited". */
void tg_rate_format(__u64 bps, char *buf, size_t len);
/* Bytes: "1500", "15k" (x1024), "1m" (x1048576). 0, -EINVAL or -ERANGE. */
int tg_size_parse(const char *s, __u64 *bytes);
/* "15k" when a whole number of k or m, else plain bytes. */
void tg_size_format(__u64 bytes, char *buf, size_t len);

#endif /* TG_ADDR_H */
