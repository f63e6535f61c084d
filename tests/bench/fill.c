// SPDX-License-Identifier: GPL-2.0-only
/*
 * Map contents for the benchmark, written directly with map updates (the
 * database and sync play no part in what is measured).
 *
 * Filler subscriber i: outer source 100.80.0.0 + i (100.80.0.0/12), inner
 * prefixes 100.96.0.0 + i /32 and 2001:db8:1000+(i>>16):(i&0xffff)::/64,
 * sub_id i + 2, its peer's Ethernet address learnt, tunnel and
 * encapsulation entries of the type and options of the path being
 * measured (remade when the next path needs others), so that traffic can
 * rotate over every subscriber in the maps. The measured subscriber is sub_id 1 with
 * 100.64.1.5/32 and 2001:db8:100:1::/64, its Ethernet address learnt.
 * Every key is claimed for slot 0, the slot in force of every subscriber
 * (tg_gen all zero), as a subscriber sync has not changed since. The
 * prefixes are in the tries and in the hashes, with the lengths in use
 * (/32, /64) in force, as sync leaves them, and in each subscriber's
 * tg_police entry (no rate), where the anti-spoofing check finds them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>

#include "bench.h"
#include "srcpfx.h"

#define FILL_CHUNK 8192
#define FILL_REMOTE_BASE 0x64500000U	/* 100.80.0.0 */
#define FILL_INNER4_BASE 0x64600000U	/* 100.96.0.0 */

static bool lpm_batch_ok = true;

/* Filler i's /64: 2001:db8:1000+(i>>16):(i&0xffff)::. */
static void fill_prefix6(__u32 i, __u8 *addr)
{
	memset(addr, 0, 16);
	inet_pton(AF_INET6, "2001:db8::", addr);
	addr[4] = (0x1000 + (i >> 16)) >> 8;
	addr[5] = (0x1000 + (i >> 16)) & 0xff;
	addr[6] = (i & 0xffff) >> 8;
	addr[7] = i & 0xff;
}

int bench_fill_config(const struct bench_maps *m, int sub_ifindex,
		      int up_ifindex)
{
	struct tg_config cfg = {
		.l2tpv3_udp_port = TG_L2TP_UDP_PORT,
		.l2tpv2_udp_port = TG_L2TP_UDP_PORT,
		.gw_mac = { 0x02, 0x74, 0x67, 0x00, 0x00, 0x01 },
	};
	int ifs[2] = { sub_ifindex, up_ifindex };
	struct bpf_devmap_val val;
	__u32 zero = 0, key;
	int i;

	struct tg_pfx_lens lens = { .set = { { .filled = 1, .n = 1 } } };

	if (bpf_map_update_elem(m->config, &zero, &cfg, BPF_ANY))
		return -errno;
	lens.set[0].len[0] = 32;
	key = TG_PFX_V4;
	if (bpf_map_update_elem(m->pfx_lens, &key, &lens, BPF_ANY))
		return -errno;
	lens.set[0].len[0] = 64;
	key = TG_PFX_V6;
	if (bpf_map_update_elem(m->pfx_lens, &key, &lens, BPF_ANY))
		return -errno;
	for (i = 0; i < 2; i++) {
		memset(&val, 0, sizeof(val));
		key = ifs[i];
		val.ifindex = ifs[i];
		if (bpf_map_update_elem(m->ports, &key, &val, BPF_ANY))
			return -errno;
	}
	return 0;
}

void bench_police_src(struct tg_police *pol, __be32 inner4,
		      const __u8 *prefix6)
{
	tg_src_init(pol);
	tg_src_add(pol, 0, (const __u8 *)&inner4, 32);
	tg_src_add(pol, 1, prefix6, 64);
}

int bench_fill_measured(const struct bench_maps *m)
{
	struct tg_lpm4_key k4 = { .prefixlen = 32 };
	struct tg_lpm6_key k6 = { .prefixlen = 64 };
	struct tg_peer peer = { .mac = BENCH_PEER_MAC };
	struct tg_owners own = { .claim = { TG_CLAIM(BENCH_SUB_ID, 0) } };
	__u32 sub = BENCH_SUB_ID;

	struct tg_police pol = { 0 };

	if (bpf_map_update_elem(m->peer, &sub, &peer, BPF_ANY))
		return -errno;
	inet_pton(AF_INET, BENCH_INNER4, &k4.addr);
	inet_pton(AF_INET6, BENCH_INNER6, k6.addr);
	memset(k6.addr + 8, 0, 8);
	bench_police_src(&pol, k4.addr, k6.addr);
	if (bpf_map_update_elem(m->police, &sub, &pol, BPF_ANY))
		return -errno;
	if (bpf_map_update_elem(m->prefix4, &k4, &own, BPF_ANY) ||
	    bpf_map_update_elem(m->prefix6, &k6, &own, BPF_ANY) ||
	    bpf_map_update_elem(m->pfx4, &k4, &own, BPF_ANY) ||
	    bpf_map_update_elem(m->pfx6, &k6, &own, BPF_ANY))
		return -errno;
	return 0;
}

void bench_sub_of(const struct bench_path *p, __u32 j, struct bench_sub *s)
{
	__u32 i = j - 1;

	memset(s, 0, sizeof(*s));
	if (!j) {
		inet_pton(AF_INET, BENCH_REMOTE, &s->remote);
		inet_pton(AF_INET, BENCH_INNER4, &s->inner4);
		inet_pton(AF_INET6, BENCH_INNER6, s->inner6);
		s->id = p->id;
		s->sub_id = BENCH_SUB_ID;
		return;
	}
	s->remote = htonl(FILL_REMOTE_BASE + i);
	s->inner4 = htonl(FILL_INNER4_BASE + i);
	fill_prefix6(i, s->inner6);
	s->inner6[15] = 5;
	s->sub_id = i + 2;
	switch (p->type) {
	case TG_TUN_GRE:
	case TG_TUN_GRETAP:
		s->id = p->key_flags & TG_KEY_F_KEYED ? i : 0;
		break;
	case TG_TUN_EOIP:
		s->id = i & 0xffff;
		break;
	case TG_TUN_L2TPV3_IP:
	case TG_TUN_L2TPV3_UDP:
		s->id = i + 1;
		break;
	case TG_TUN_L2TPV2:
		/* Tunnel and session ids, neither 0. */
		s->id = (1 + i / 0xffff) << 16 | (1 + i % 0xffff);
		break;
	default:
		break;
	}
}

/* Batch update, or one at a time where the map type has no batch ops. */
static int update_many(int fd, const void *keys, size_t ksz, const void *vals,
		       size_t vsz, __u32 n, bool *batch_ok)
{
	__u32 count = n, i;

	if (*batch_ok) {
		if (!bpf_map_update_batch(fd, keys, vals, &count, NULL))
			return 0;
		if (errno != EINVAL && errno != EOPNOTSUPP && errno != ENOTSUP &&
		    errno != 524 /* ENOTSUPP */)
			return -errno;
		*batch_ok = false;
	}
	for (i = 0; i < n; i++)
		if (bpf_map_update_elem(fd, (const char *)keys + i * ksz,
					(const char *)vals + i * vsz, BPF_ANY))
			return -errno;
	return 0;
}

/*
 * Tunnel and encapsulation entries of fillers [from, to) for path p, or
 * with old (made for path old, removed first) only those p's direction
 * reads: the encapsulation entries of a down path, the tunnel entries of
 * an up path.
 */
static int fill_tunnels(const struct bench_maps *m,
			const struct bench_path *old,
			const struct bench_path *p, __u32 from, __u32 to)
{
	bool tunnels = !old || !p->down, encap = !old || p->down;
	struct tg_tun_key *tk = calloc(FILL_CHUNK, sizeof(*tk));
	struct tg_tunnel *tv = calloc(FILL_CHUNK, sizeof(*tv));
	struct tg_encap *ev = calloc(FILL_CHUNK, sizeof(*ev));
	__u32 *ids = calloc(FILL_CHUNK, sizeof(*ids));
	bool hash_batch_ok = true, array_batch_ok = true;
	struct bench_sub sub;
	__u32 i, n, j, count;
	int err = -ENOMEM;

	if (!tk || !tv || !ev || !ids)
		goto out;
	err = 0;
	for (i = from; i < to && !err; i += n) {
		n = to - i < FILL_CHUNK ? to - i : FILL_CHUNK;
		if (old && tunnels) {
			for (j = 0; j < n; j++) {
				bench_sub_of(old, i + j + 1, &sub);
				bench_path_key(old, &sub, &tk[j], &tv[j]);
			}
			count = n;
			if (bpf_map_delete_batch(m->tunnels, tk, &count, NULL)) {
				for (j = 0; j < n; j++)
					bpf_map_delete_elem(m->tunnels, &tk[j]);
			}
		}
		for (j = 0; j < n; j++) {
			bench_sub_of(p, i + j + 1, &sub);
			bench_path_key(p, &sub, &tk[j], &tv[j]);
			bench_path_encap(p, &sub, &ev[j]);
			ids[j] = sub.sub_id;
		}
		/* Encapsulation before the tunnel, as sync does. */
		if (encap)
			err = update_many(m->encap, ids, sizeof(*ids), ev,
					  sizeof(*ev), n, &array_batch_ok);
		if (!err && tunnels)
			err = update_many(m->tunnels, tk, sizeof(*tk), tv,
					  sizeof(*tv), n, &hash_batch_ok);
	}
out:
	free(tk);
	free(tv);
	free(ev);
	free(ids);
	return err;
}

int bench_fill_reshape(const struct bench_maps *m,
		       const struct bench_path *old,
		       const struct bench_path *p, __u32 from, __u32 to)
{
	return fill_tunnels(m, old, p, from, to);
}

int bench_fill_subs(const struct bench_maps *m, const struct bench_path *p,
		    __u32 from, __u32 to)
{
	struct tg_lpm4_key *k4 = calloc(FILL_CHUNK, sizeof(*k4));
	struct tg_lpm6_key *k6 = calloc(FILL_CHUNK, sizeof(*k6));
	struct tg_owners *own = calloc(FILL_CHUNK, sizeof(*own));
	struct tg_peer *peer = calloc(FILL_CHUNK, sizeof(*peer));
	struct tg_police *pol = calloc(FILL_CHUNK, sizeof(*pol));
	__u32 *ids = calloc(FILL_CHUNK, sizeof(*ids));
	static const __u8 mac[ETH_ALEN] = BENCH_PEER_MAC;
	bool array_batch_ok = true, hash_batch_ok = true;
	__u32 i, n, j;
	int err = -ENOMEM;

	if (!k4 || !k6 || !own || !peer || !pol || !ids)
		goto out;
	err = 0;
	for (i = from; i < to && !err; i += n) {
		n = to - i < FILL_CHUNK ? to - i : FILL_CHUNK;
		for (j = 0; j < n; j++) {
			__u32 s = i + j;

			ids[j] = s + 2;
			memset(&own[j], 0, sizeof(own[j]));
			own[j].claim[0] = TG_CLAIM(s + 2, 0);
			k4[j].prefixlen = 32;
			k4[j].addr = htonl(FILL_INNER4_BASE + s);
			k6[j].prefixlen = 64;
			fill_prefix6(s, k6[j].addr);
			memset(&peer[j], 0, sizeof(peer[j]));
			memcpy(peer[j].mac, mac, ETH_ALEN);
			memset(&pol[j], 0, sizeof(pol[j]));
			bench_police_src(&pol[j], k4[j].addr, k6[j].addr);
		}
		/* Prefixes before the tunnel, as sync does. */
		err = update_many(m->peer, ids, sizeof(*ids), peer,
				  sizeof(*peer), n, &array_batch_ok);
		if (!err)
			err = update_many(m->police, ids, sizeof(*ids), pol,
					  sizeof(*pol), n, &array_batch_ok);
		if (!err)
			err = update_many(m->prefix4, k4, sizeof(*k4), own,
					  sizeof(*own), n, &lpm_batch_ok);
		if (!err)
			err = update_many(m->prefix6, k6, sizeof(*k6), own,
					  sizeof(*own), n, &lpm_batch_ok);
		if (!err)
			err = update_many(m->pfx4, k4, sizeof(*k4), own,
					  sizeof(*own), n, &hash_batch_ok);
		if (!err)
			err = update_many(m->pfx6, k6, sizeof(*k6), own,
					  sizeof(*own), n, &hash_batch_ok);
	}
	if (!err)
		err = fill_tunnels(m, NULL, p, from, to);
out:
	free(k4);
	free(k6);
	free(own);
	free(peer);
	free(pol);
	free(ids);
	return err;
}
