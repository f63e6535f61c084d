/* SPDX-License-Identifier: GPL-2.0-only */
/* Benchmark of both programs: paths, frames, maps, topology. */
#ifndef TG_BENCH_BENCH_H
#define TG_BENCH_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "tungate.h"
#include "tungate_bench.h"

/* Addresses of the measured subscriber and of its traffic. */
#define BENCH_REMOTE "192.0.2.10"	/* outer source: the subscriber */
#define BENCH_LOCAL "192.0.2.1"		/* outer destination: us */
#define BENCH_INNER4 "100.64.1.5"	/* inner source, own /32 */
#define BENCH_INNER6 "2001:db8:100:1::5"	/* inner source, own /64 */
#define BENCH_DST4 "203.0.113.7"	/* routed by the default route */
#define BENCH_DST6 "2001:db8:ffff::7"
#define BENCH_SUB_ID 1U			/* sub_id of the measured subscriber */
#define BENCH_SRC4 "203.0.113.7"	/* source of traffic to subscribers */
#define BENCH_SRC6 "2001:db8:ffff::7"
/* The measured subscriber's Ethernet address inside Ethernet tunnels. */
#define BENCH_PEER_MAC { 0x02, 0x00, 0x00, 0x00, 0x02, 0x02 }

/*
 * One subscriber's part in a frame: the measured subscriber (sub_id
 * BENCH_SUB_ID, the BENCH_* addresses, the path's id) or a filler.
 */
struct bench_sub {
	__be32 remote;		/* tunnel's far end, network order */
	__be32 inner4;		/* inner IPv4 address, network order */
	__u8 inner6[16];	/* inner IPv6 address */
	__u32 id;		/* tg_tun_key.id */
	__u32 sub_id;
};

struct bench_path {
	const char *name;
	enum tg_tunnel_type type;
	__u32 id;		/* tg_tun_key.id */
	__u8 key_flags;		/* TG_KEY_F_* */
	__u8 tun_flags;		/* TG_TUN_F_* */
	__u8 cookie_len;
	bool inner6;		/* inner packet is IPv6 */
	/*
	 * Builds subscriber s's frame into buf (TG_BENCH_FRAME_MAX); returns
	 * its length.
	 */
	size_t (*build)(const struct bench_path *p, const struct bench_sub *s,
			__u8 *buf);
	bool down;		/* toward the subscriber: the uplink program */
	__u16 enc_flags;	/* down: TG_ENC_F_* */
	/*
	 * A dial-in member's session: its entries made by the loader from
	 * the member and its session row, as sync makes them.
	 */
	bool dialin;
};

extern const struct bench_path bench_paths[];
extern const size_t bench_npaths;
extern const __u8 bench_cookie[8];

/*
 * Subscriber j of path p: 0 the measured one, j >= 1 filler j - 1 (the
 * layout of fill.c, with the tunnel ids path p's type takes).
 */
void bench_sub_of(const struct bench_path *p, __u32 j, struct bench_sub *s);
/* Tunnel key and entry of subscriber s for path p. */
void bench_path_key(const struct bench_path *p, const struct bench_sub *s,
		    struct tg_tun_key *key, struct tg_tunnel *tun);
/* tg_encap entry of subscriber s for path p. */
void bench_path_encap(const struct bench_path *p, const struct bench_sub *s,
		      struct tg_encap *e);
/* Offset of the inner IP header in a frame built for p. */
size_t bench_inner_offset(const struct bench_path *p);
/*
 * Same tunnel and encapsulation entries for every subscriber of p and q
 * (then fillers made for one serve the other).
 */
bool bench_path_same_entries(const struct bench_path *p,
			     const struct bench_path *q);

struct bench_maps {
	int tunnels, prefix4, prefix6, sub_stats, global_stats, config, ports;
	int encap, peer, police, bucket;
	int pfx4, pfx6, pfx_lens;	/* the prefixes by hash, lengths */
};

/* tg_config with both L2TP ports 1701, and sub0/up0 in tg_ports. */
int bench_fill_config(const struct bench_maps *m, int sub_ifindex,
		      int up_ifindex);
/* Prefixes of the measured subscriber (its tunnel entry comes per path). */
/* tg_police of a subscriber with the /32 inner4 and the /64 at prefix6. */
void bench_police_src(struct tg_police *pol, __be32 inner4,
		      const __u8 *prefix6);
int bench_fill_measured(const struct bench_maps *m);
/*
 * Add filler subscribers [from, to): a /32 and a /64 each, their peer's
 * Ethernet address, and tunnel and encapsulation entries made for path p.
 */
int bench_fill_subs(const struct bench_maps *m, const struct bench_path *p,
		    __u32 from, __u32 to);
/*
 * Remake the entries of fillers [from, to) that path p's direction reads
 * (tunnel entries for an up path, encapsulation entries for a down path),
 * made for path old (of the same direction), for path p.
 */
int bench_fill_reshape(const struct bench_maps *m,
		       const struct bench_path *old,
		       const struct bench_path *p, __u32 from, __u32 to);

#endif /* TG_BENCH_BENCH_H */
