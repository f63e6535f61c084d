// SPDX-License-Identifier: GPL-2.0-only
/*
 * The measured frames: one per tunnel type, each carrying a 100-byte inner
 * UDP packet (IPv4 or IPv6) from a subscriber (the measured one or a
 * filler); and for the uplink program, the same inner packet to the
 * subscriber as it arrives from the Internet.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <linux/if_ether.h>
#include <linux/in.h>

#include "bench.h"
#include "db/db.h"

#define INNER_LEN 100		/* inner IP packet, headers included */
#define L2TP_PORT 1701
#define GRE_KEY 7
#define EOIP_ID 300
#define L2TPV3_SESSION 0x1234
#define L2TPV2_TUNNEL 10
#define L2TPV2_SESSION 20

const __u8 bench_cookie[8] = { 0x0b, 0x1d, 0xfa, 0xce, 0x01, 0x02, 0x03, 0x04 };

static const __u8 mac_sub[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x01 };
static const __u8 mac_peer[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x02 };
static const __u8 mac_inner_dst[ETH_ALEN] = { 0x02, 0, 0, 0, 0x02, 0x01 };
static const __u8 mac_inner_src[ETH_ALEN] = { 0x02, 0, 0, 0, 0x02, 0x02 };

struct frame {
	__u8 *buf;
	size_t len;
};

static __u8 *put(struct frame *f, size_t n)
{
	__u8 *p = f->buf + f->len;

	memset(p, 0, n);
	f->len += n;
	return p;
}

static void put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(__u8 *p, __u32 v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static __u32 csum_add(__u32 sum, const __u8 *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (p[i] << 8) | p[i + 1];
	if (n & 1)
		sum += p[n - 1] << 8;
	return sum;
}

static __u16 csum_fold(__u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

static void put_eth(struct frame *f, const __u8 *dst, const __u8 *src,
		    __u16 proto)
{
	__u8 *p = put(f, ETH_HLEN);

	memcpy(p, dst, ETH_ALEN);
	memcpy(p + ETH_ALEN, src, ETH_ALEN);
	put16(p + 12, proto);
}

static __be32 addr4(const char *s)
{
	__be32 a = 0;

	inet_pton(AF_INET, s, &a);
	return a;
}

/* IPv4 header; total length and checksum are set by ipv4_finish(). */
static size_t put_ipv4(struct frame *f, __u8 proto, __be32 src, __be32 dst)
{
	size_t off = f->len;
	__u8 *p = put(f, 20);

	p[0] = 0x45;
	put16(p + 4, 0x1234);	/* id */
	p[8] = 64;
	p[9] = proto;
	memcpy(p + 12, &src, 4);
	memcpy(p + 16, &dst, 4);
	return off;
}

static void ipv4_finish(struct frame *f, size_t off)
{
	__u8 *p = f->buf + off;

	put16(p + 2, f->len - off);
	put16(p + 10, 0);
	put16(p + 10, csum_fold(csum_add(0, p, 20)));
}

static void put_inner_dir(struct frame *f, const struct bench_sub *s,
			  bool v6, bool down)
{
	size_t ip = f->len, plen, i;
	__u32 sum;
	__u8 *p;

	if (!v6) {
		if (down)
			put_ipv4(f, IPPROTO_UDP, addr4(BENCH_SRC4), s->inner4);
		else
			put_ipv4(f, IPPROTO_UDP, s->inner4, addr4(BENCH_DST4));
		plen = INNER_LEN - 20 - 8;
	} else {
		p = put(f, 40);
		p[0] = 0x60;
		put16(p + 4, INNER_LEN - 40);
		p[6] = IPPROTO_UDP;
		p[7] = 64;
		if (down) {
			inet_pton(AF_INET6, BENCH_SRC6, p + 8);
			memcpy(p + 24, s->inner6, 16);
		} else {
			memcpy(p + 8, s->inner6, 16);
			inet_pton(AF_INET6, BENCH_DST6, p + 24);
		}
		plen = INNER_LEN - 40 - 8;
	}
	p = put(f, 8 + plen);
	put16(p, 40000);
	put16(p + 2, 9999);
	put16(p + 4, 8 + plen);
	for (i = 0; i < plen; i++)
		p[8 + i] = 'a' + i % 26;

	/* UDP checksum over the pseudo header, header and payload. */
	if (!v6) {
		sum = csum_add(0, f->buf + ip + 12, 8);
		sum += IPPROTO_UDP + 8 + plen;
		ipv4_finish(f, ip);
	} else {
		sum = csum_add(0, f->buf + ip + 8, 32);
		sum += IPPROTO_UDP + 8 + plen;
	}
	sum = csum_fold(csum_add(sum, p, 8 + plen));
	put16(p + 6, sum ? sum : 0xffff);
}

static void put_inner(struct frame *f, const struct bench_sub *s, bool v6)
{
	put_inner_dir(f, s, v6, false);
}

static void put_inner_eth(struct frame *f, const struct bench_sub *s)
{
	put_eth(f, mac_inner_dst, mac_inner_src, ETH_P_IP);
	put_inner(f, s, false);
}

static size_t outer_start(struct frame *f, const struct bench_sub *s,
			  __u8 proto)
{
	put_eth(f, mac_sub, mac_peer, ETH_P_IP);
	return put_ipv4(f, proto, s->remote, addr4(BENCH_LOCAL));
}

static size_t build_ipip(const struct bench_path *p,
			 const struct bench_sub *s, __u8 *buf)
{
	struct frame f = { buf, 0 };
	size_t ip = outer_start(&f, s, p->inner6 ? IPPROTO_IPV6 : IPPROTO_IPIP);

	put_inner(&f, s, p->inner6);
	ipv4_finish(&f, ip);
	return f.len;
}

#define GRE_C 0x8000
#define GRE_K 0x2000
#define GRE_S 0x1000

static size_t build_gre(const struct bench_path *p,
			 const struct bench_sub *s, __u8 *buf)
{
	struct frame f = { buf, 0 };
	size_t ip = outer_start(&f, s, IPPROTO_GRE), gre = f.len;
	__u16 flags = 0, proto;
	__u8 *h, *opt;

	if (p->key_flags & TG_KEY_F_KEYED)
		flags |= GRE_K;
	if (!strcmp(p->name, "gre-key-csum-seq"))
		flags |= GRE_C | GRE_S;
	if (p->type == TG_TUN_GRETAP)
		proto = ETH_P_TEB;
	else
		proto = p->inner6 ? ETH_P_IPV6 : ETH_P_IP;

	h = put(&f, 4);
	put16(h, flags);
	put16(h + 2, proto);
	if (flags & GRE_C)
		put(&f, 4);	/* checksum + reserved1, filled below */
	if (flags & GRE_K)
		put32(put(&f, 4), s->id);
	if (flags & GRE_S)
		put32(put(&f, 4), 42);

	if (p->type == TG_TUN_GRETAP)
		put_inner_eth(&f, s);
	else
		put_inner(&f, s, p->inner6);

	if (flags & GRE_C) {
		opt = f.buf + gre + 4;
		put16(opt, csum_fold(csum_add(0, f.buf + gre, f.len - gre)));
	}
	ipv4_finish(&f, ip);
	return f.len;
}

static size_t build_eoip(const struct bench_path *p,
			 const struct bench_sub *s, __u8 *buf)
{
	struct frame f = { buf, 0 };
	size_t ip = outer_start(&f, s, IPPROTO_GRE), inner;
	__u8 *h = put(&f, 8);

	put16(h, 0x2001);	/* K bit, version 1 */
	put16(h + 2, 0x6400);
	/* tunnel id is little endian on the wire */
	h[6] = s->id & 0xff;
	h[7] = s->id >> 8;
	inner = f.len;
	put_inner_eth(&f, s);
	put16(h + 4, f.len - inner);
	ipv4_finish(&f, ip);
	return f.len;
}

/* Session id, optional cookie, default L2-specific sublayer, Ethernet. */
static void put_l2tpv3_session(struct frame *f, const struct bench_path *p,
			       const struct bench_sub *s)
{
	put32(put(f, 4), s->id);
	if (p->cookie_len)
		memcpy(put(f, p->cookie_len), bench_cookie, p->cookie_len);
	if (p->tun_flags & TG_TUN_F_L2SPEC)
		put32(put(f, 4), 0x40000001);	/* S bit and a sequence */
	put_inner_eth(f, s);
}

static size_t build_l2tpv3_ip(const struct bench_path *p,
			 const struct bench_sub *s, __u8 *buf)
{
	struct frame f = { buf, 0 };
	size_t ip = outer_start(&f, s, 115);

	put_l2tpv3_session(&f, p, s);
	ipv4_finish(&f, ip);
	return f.len;
}

static size_t put_udp(struct frame *f)
{
	size_t off = f->len;
	__u8 *h = put(f, 8);

	put16(h, L2TP_PORT);
	put16(h + 2, L2TP_PORT);
	return off;
}

/* UDP length; checksum 0 (allowed for UDP over IPv4). */
static void udp_finish(struct frame *f, size_t off)
{
	put16(f->buf + off + 4, f->len - off);
}

static size_t build_l2tpv3_udp(const struct bench_path *p,
			 const struct bench_sub *s, __u8 *buf)
{
	struct frame f = { buf, 0 };
	size_t ip = outer_start(&f, s, IPPROTO_UDP), udp = put_udp(&f);

	put16(put(&f, 4), 0x0003);	/* T clear, version 3, reserved */
	put_l2tpv3_session(&f, p, s);
	udp_finish(&f, udp);
	ipv4_finish(&f, ip);
	return f.len;
}

static size_t build_l2tpv2(const struct bench_path *p,
			 const struct bench_sub *s, __u8 *buf)
{
	struct frame f = { buf, 0 };
	size_t ip = outer_start(&f, s, IPPROTO_UDP), udp = put_udp(&f);
	size_t l2tp = f.len;
	__u8 *h = put(&f, 8), *ppp;

	put16(h, 0x4002);	/* L bit, version 2 */
	put16(h + 4, s->id >> 16);
	put16(h + 6, s->id & 0xffff);
	ppp = put(&f, 4);
	ppp[0] = 0xff;
	ppp[1] = 0x03;
	put16(ppp + 2, p->inner6 ? 0x0057 : 0x0021);
	put_inner(&f, s, p->inner6);
	put16(h + 2, f.len - l2tp);
	udp_finish(&f, udp);
	ipv4_finish(&f, ip);
	return f.len;
}

/* From the Internet to subscriber s, as up0 receives it. */
static size_t build_down(const struct bench_path *p,
			 const struct bench_sub *s, __u8 *buf)
{
	static const __u8 up0p[ETH_ALEN] = { 0x02, 0, 0, 0, 0x01, 0x02 };
	static const __u8 up0[ETH_ALEN] = { 0x02, 0, 0, 0, 0x01, 0x01 };
	struct frame f = { buf, 0 };

	put_eth(&f, up0, up0p, p->inner6 ? ETH_P_IPV6 : ETH_P_IP);
	put_inner_dir(&f, s, p->inner6, true);
	return f.len;
}

#define DOWN(name, type, id, v6, flags)                                    \
	{ name, type, id, 0, 0, (type) == TG_TUN_L2TPV3_IP ? 8 : 0, v6,       \
	  build_down, true, TG_ENC_F_DF | (flags), false }

const struct bench_path bench_paths[] = {
	{ "ipip", TG_TUN_IPIP, 0, 0, 0, 0, false, build_ipip, false, 0, false },
	{ "sit", TG_TUN_SIT, 0, 0, 0, 0, true, build_ipip, false, 0, false },
	{ "gre-v4", TG_TUN_GRE, 0, 0, 0, 0, false, build_gre, false, 0, false },
	{ "gre-v6", TG_TUN_GRE, 0, 0, 0, 0, true, build_gre, false, 0, false },
	{ "gre-key", TG_TUN_GRE, GRE_KEY, TG_KEY_F_KEYED, 0, 0, false,
	  build_gre, false, 0, false },
	{ "gre-key-csum-seq", TG_TUN_GRE, GRE_KEY, TG_KEY_F_KEYED, 0, 0, false,
	  build_gre, false, 0, false },
	{ "gretap", TG_TUN_GRETAP, 0, 0, 0, 0, false, build_gre, false, 0, false },
	{ "eoip", TG_TUN_EOIP, EOIP_ID, 0, 0, 0, false, build_eoip, false, 0, false },
	{ "l2tpv3-ip", TG_TUN_L2TPV3_IP, L2TPV3_SESSION, 0, TG_TUN_F_L2SPEC, 8,
	  false, build_l2tpv3_ip, false, 0, false },
	{ "l2tpv3-udp", TG_TUN_L2TPV3_UDP, L2TPV3_SESSION, 0, TG_TUN_F_L2SPEC,
	  0, false, build_l2tpv3_udp, false, 0, false },
	{ "l2tpv2", TG_TUN_L2TPV2, L2TPV2_TUNNEL << 16 | L2TPV2_SESSION, 0, 0,
	  0, false, build_l2tpv2, false, 0, false },
	DOWN("enc-ipip", TG_TUN_IPIP, 0, false, 0),
	DOWN("enc-sit", TG_TUN_SIT, 0, true, 0),
	DOWN("enc-gre", TG_TUN_GRE, 0, false, 0),
	DOWN("enc-gre-key", TG_TUN_GRE, GRE_KEY, false, TG_ENC_F_GRE_KEY),
	DOWN("enc-gre-k-csum-seq", TG_TUN_GRE, GRE_KEY, false,
	     TG_ENC_F_GRE_KEY | TG_ENC_F_GRE_CSUM | TG_ENC_F_GRE_SEQ),
	DOWN("enc-gretap", TG_TUN_GRETAP, 0, false, 0),
	DOWN("enc-eoip", TG_TUN_EOIP, EOIP_ID, false, 0),
	DOWN("enc-l2tpv3-ip", TG_TUN_L2TPV3_IP, L2TPV3_SESSION, false,
	     TG_ENC_F_L2SPEC),
	DOWN("enc-l2tpv3-udp", TG_TUN_L2TPV3_UDP, L2TPV3_SESSION, false,
	     TG_ENC_F_L2SPEC),
	DOWN("enc-l2tpv2", TG_TUN_L2TPV2, L2TPV2_TUNNEL << 16 | L2TPV2_SESSION,
	     false, 0),
	DOWN("enc-l2tpv2-v6-csum", TG_TUN_L2TPV2,
	     L2TPV2_TUNNEL << 16 | L2TPV2_SESSION, true, TG_ENC_F_UDP_CSUM),
	{ "l2tpv2-dialin", TG_TUN_L2TPV2, L2TPV2_TUNNEL << 16 | L2TPV2_SESSION,
	  0, 0, 0, false, build_l2tpv2, false, 0, true },
	{ "enc-l2tpv2-dialin", TG_TUN_L2TPV2,
	  L2TPV2_TUNNEL << 16 | L2TPV2_SESSION, 0, 0, 0, false, build_down,
	  true, 0, true },
};
const size_t bench_npaths = sizeof(bench_paths) / sizeof(bench_paths[0]);

/* A dial-in member, online with its session (tunnel and session ids). */
static void dialin_member(const struct bench_sub *b, struct tg_sub *s)
{
	struct tg_session x = {
		.peer_port = L2TP_PORT,
		.local_port = L2TP_PORT,
		.tunnel_id = b->id >> 16,
		.session_id = b->id & 0xffff,
		.peer_tunnel_id = b->id >> 16,
		.peer_session = b->id & 0xffff,
		.remote = b->remote,
	};

	tg_sub_init(s);
	s->type = TG_TUN_L2TPV2;
	snprintf(s->user, sizeof(s->user), "m%u@exo.cat", b->sub_id);
	inet_pton(AF_INET, BENCH_LOCAL, &x.local);
	tg_session_apply(&x, s);
}

void bench_path_key(const struct bench_path *p, const struct bench_sub *s,
		    struct tg_tun_key *key, struct tg_tunnel *tun)
{
	struct tg_sub m;

	if (p->dialin) {
		dialin_member(s, &m);
		tg_sub_tun_key(&m, key);
		tg_sub_tunnel(&m, tun);
		tun->c[0].claim = TG_CLAIM(s->sub_id, 0);
		return;
	}
	memset(key, 0, sizeof(*key));
	key->remote = s->remote;
	inet_pton(AF_INET, BENCH_LOCAL, &key->local);
	key->id = s->id;
	key->type = p->type;
	key->flags = p->key_flags;

	memset(tun, 0, sizeof(*tun));
	tun->c[0].claim = TG_CLAIM(s->sub_id, 0);
	tun->c[0].mtu = 1400;
	tun->c[0].flags = p->tun_flags;
	tun->c[0].cookie_len = p->cookie_len;
	memcpy(tun->c[0].cookie, bench_cookie, p->cookie_len);
}

void bench_path_encap(const struct bench_path *p, const struct bench_sub *s,
		      struct tg_encap *e)
{
	struct tg_settings st = { .l2tpv2_udp_port = L2TP_PORT, .ttl = 64 };
	struct tg_sub m;

	if (p->dialin) {
		dialin_member(s, &m);
		tg_sub_encap(&m, &st, e);
		return;
	}
	memset(e, 0, sizeof(*e));
	e->remote = s->remote;
	inet_pton(AF_INET, BENCH_LOCAL, &e->local);
	e->peer_id = s->id;
	e->flags = p->enc_flags;
	e->type = p->type;
	e->mtu = 1400;
	e->local_port = L2TP_PORT;
	e->cookie_len = p->cookie_len;
	memcpy(e->peer_cookie, bench_cookie, p->cookie_len);
}

size_t bench_inner_offset(const struct bench_path *p)
{
	__u8 buf[TG_BENCH_FRAME_MAX];
	struct bench_sub s;

	bench_sub_of(p, 0, &s);
	return p->build(p, &s, buf) - INNER_LEN;
}

bool bench_path_same_entries(const struct bench_path *p,
			     const struct bench_path *q)
{
	return p->type == q->type && p->key_flags == q->key_flags &&
	       p->tun_flags == q->tun_flags &&
	       p->cookie_len == q->cookie_len &&
	       p->enc_flags == q->enc_flags && p->dialin == q->dialin;
}
