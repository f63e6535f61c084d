// SPDX-License-Identifier: GPL-2.0-only
/*
 * Map contents for the benchmark, written directly with map updates (the
 * database and sync play no part in what is measured).
 *
 * Filler subscriber i: outer source 100.80.0.0 + i (100.80.0.0/12), inner
 * prefixes 100.96.0.0 + i /32 and 2001:db8:1000+(i>>16):(i&0xffff)::/64,
 * sub_id i + 2, tunnel types in rotation, the same type in its
 * encapsulation entry. The measured subscriber is sub_id 1 with
 * 100.64.1.5/32 and 2001:db8:100:1::/64, its Ethernet address learnt.
 * Every key is claimed for slot 0, the slot in force of every subscriber
 * (tg_gen all zero), as a subscriber sync has not changed since.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>

#include "bench.h"

#define FILL_CHUNK 8192
#define FILL_REMOTE_BASE 0x64500000U	/* 100.80.0.0 */
#define FILL_INNER4_BASE 0x64600000U	/* 100.96.0.0 */

static bool lpm_batch_ok = true;

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

	if (bpf_map_update_elem(m->config, &zero, &cfg, BPF_ANY))
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

int bench_fill_measured(const struct bench_maps *m)
{
	struct tg_lpm4_key k4 = { .prefixlen = 32 };
	struct tg_lpm6_key k6 = { .prefixlen = 64 };
	struct tg_peer peer = { .mac = BENCH_PEER_MAC };
	struct tg_owners own = { .claim = { TG_CLAIM(BENCH_SUB_ID, 0) } };
	__u32 sub = BENCH_SUB_ID;

	if (bpf_map_update_elem(m->peer, &sub, &peer, BPF_ANY))
		return -errno;
	inet_pton(AF_INET, BENCH_INNER4, &k4.addr);
	inet_pton(AF_INET6, BENCH_INNER6, k6.addr);
	memset(k6.addr + 8, 0, 8);
	if (bpf_map_update_elem(m->prefix4, &k4, &own, BPF_ANY) ||
	    bpf_map_update_elem(m->prefix6, &k6, &own, BPF_ANY))
		return -errno;
	return 0;
}

static void filler_tunnel(__u32 i, struct tg_tun_key *k, struct tg_tunnel *t,
			  struct tg_encap *e)
{
	static const __u8 types[] = {
		TG_TUN_IPIP, TG_TUN_SIT, TG_TUN_GRE, TG_TUN_GRETAP,
		TG_TUN_EOIP, TG_TUN_L2TPV3_IP, TG_TUN_L2TPV3_UDP,
		TG_TUN_L2TPV2,
	};
	__u8 type = types[i % sizeof(types)];

	memset(k, 0, sizeof(*k));
	memset(t, 0, sizeof(*t));
	k->remote = htonl(FILL_REMOTE_BASE + i);
	inet_pton(AF_INET, BENCH_LOCAL, &k->local);
	k->type = type;
	switch (type) {
	case TG_TUN_GRE:
	case TG_TUN_GRETAP:
		if (i & 8) {
			k->id = i;
			k->flags = TG_KEY_F_KEYED;
		}
		break;
	case TG_TUN_EOIP:
		k->id = i & 0xffff;
		break;
	case TG_TUN_L2TPV3_IP:
	case TG_TUN_L2TPV3_UDP:
		k->id = i + 1;
		t->c[0].flags = TG_TUN_F_L2SPEC;
		break;
	case TG_TUN_L2TPV2:
		k->id = (1 + (i >> 16)) << 16 | ((i & 0xffff) + 1);
		break;
	}
	t->c[0].claim = TG_CLAIM(i + 2, 0);
	t->c[0].mtu = 1400;

	memset(e, 0, sizeof(*e));
	e->remote = k->remote;
	e->local = k->local;
	e->peer_id = k->id;
	e->flags = TG_ENC_F_DF | (k->flags ? TG_ENC_F_GRE_KEY : 0) |
		   (t->c[0].flags ? TG_ENC_F_L2SPEC : 0);
	e->type = type;
	e->mtu = t->c[0].mtu;
	e->local_port = TG_L2TP_UDP_PORT;
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

int bench_fill_subs(const struct bench_maps *m, __u32 from, __u32 to)
{
	struct tg_tun_key *tk = calloc(FILL_CHUNK, sizeof(*tk));
	struct tg_tunnel *tv = calloc(FILL_CHUNK, sizeof(*tv));
	struct tg_lpm4_key *k4 = calloc(FILL_CHUNK, sizeof(*k4));
	struct tg_lpm6_key *k6 = calloc(FILL_CHUNK, sizeof(*k6));
	__u32 *ids = calloc(FILL_CHUNK, sizeof(*ids));
	struct tg_owners *own = calloc(FILL_CHUNK, sizeof(*own));
	struct tg_encap *ev = calloc(FILL_CHUNK, sizeof(*ev));
	bool hash_batch_ok = true, array_batch_ok = true;
	__u32 i, n, j;
	int err = -ENOMEM;

	if (!tk || !tv || !k4 || !k6 || !ids || !own || !ev)
		goto out;
	err = 0;
	for (i = from; i < to && !err; i += n) {
		n = to - i < FILL_CHUNK ? to - i : FILL_CHUNK;
		for (j = 0; j < n; j++) {
			__u32 s = i + j;

			filler_tunnel(s, &tk[j], &tv[j], &ev[j]);
			ids[j] = s + 2;
			memset(&own[j], 0, sizeof(own[j]));
			own[j].claim[0] = TG_CLAIM(s + 2, 0);
			k4[j].prefixlen = 32;
			k4[j].addr = htonl(FILL_INNER4_BASE + s);
			memset(&k6[j], 0, sizeof(k6[j]));
			k6[j].prefixlen = 64;
			inet_pton(AF_INET6, "2001:db8::", k6[j].addr);
			k6[j].addr[4] = (0x1000 + (s >> 16)) >> 8;
			k6[j].addr[5] = (0x1000 + (s >> 16)) & 0xff;
			k6[j].addr[6] = (s & 0xffff) >> 8;
			k6[j].addr[7] = s & 0xff;
		}
		/* Encapsulation and prefixes before the tunnel, as sync does. */
		err = update_many(m->encap, ids, sizeof(*ids), ev, sizeof(*ev),
				  n, &array_batch_ok);
		if (!err)
			err = update_many(m->prefix4, k4, sizeof(*k4), own,
					  sizeof(*own), n, &lpm_batch_ok);
		if (!err)
			err = update_many(m->prefix6, k6, sizeof(*k6), own,
					  sizeof(*own), n, &lpm_batch_ok);
		if (!err)
			err = update_many(m->tunnels, tk, sizeof(*tk), tv,
					  sizeof(*tv), n, &hash_batch_ok);
	}
out:
	free(tk);
	free(tv);
	free(k4);
	free(k6);
	free(ids);
	free(own);
	free(ev);
	return err;
}
