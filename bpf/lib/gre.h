/* SPDX-License-Identifier: GPL-2.0-only */
/* GRE (RFC 2784/2890), gretap and MikroTik EoIP headers. */
#ifndef TG_LIB_GRE_H
#define TG_LIB_GRE_H

#include <linux/if_ether.h>
#include "parse.h"
#include "csum.h"

/* Flag bits of the first 16-bit word, host order. */
#define TG_GRE_F_CSUM 0x8000
#define TG_GRE_F_ROUTING 0x4000
#define TG_GRE_F_KEY 0x2000
#define TG_GRE_F_SEQ 0x1000
#define TG_GRE_VERSION 0x0007
/* Everything but C, K and S (R, strict route, recursion, flags, version). */
#define TG_GRE_F_UNSUPP ((__u16)~(TG_GRE_F_CSUM | TG_GRE_F_KEY | TG_GRE_F_SEQ))

/* EoIP: K bit and version 1, its own protocol type. */
#define TG_EOIP_FLAGS 0x2001
#define TG_EOIP_PROTO 0x6400

struct tg_gre_hdr {
	__be16 flags;
	__be16 proto;
};

struct tg_eoip_hdr {
	__be16 flags;
	__be16 proto;
	__be16 len;		/* payload length, big endian; 0: keepalive */
	__u8 id[2];		/* tunnel id, LITTLE endian on the wire */
};

/* What the GRE parser leaves for the stages after the tunnel lookup. */
struct tg_gre_info {
	void *start;		/* GRE header: the checksum covers from here */
	__u16 proto;		/* payload protocol type, host order */
	bool csum;		/* C bit: checksum present */
	bool keepalive;		/* EoIP keepalive: length 0, nothing after */
};

/*
 * Length of a version 0 GRE header with flags (host order): the optional
 * fields in wire order are checksum+reserved1, key, sequence.
 */
static __always_inline __u32 tg_gre_hlen(__u16 flags)
{
	return sizeof(struct tg_gre_hdr) + (flags & TG_GRE_F_CSUM ? 4 : 0) +
	       (flags & TG_GRE_F_KEY ? 4 : 0) + (flags & TG_GRE_F_SEQ ? 4 : 0);
}

/*
 * GRE header at the cursor: fills key type, id and flags and moves the
 * cursor to the payload. Returns TG_CONTINUE or a reason.
 */
static __always_inline int tg_parse_gre(struct hdr_cursor *c, void *data_end,
					struct tg_tun_key *key,
					struct tg_gre_info *g)
{
	struct tg_gre_hdr *gh = c->pos;
	__u32 hlen, key_off;
	__u16 flags;

	if ((void *)(gh + 1) > data_end || tg_cur_short(c, sizeof(*gh)))
		return TG_R_TRUNCATED;
	flags = bpf_ntohs(gh->flags);
	g->start = gh;
	g->proto = bpf_ntohs(gh->proto);
	g->csum = false;

	if ((flags & TG_GRE_VERSION) == 1) {
		struct tg_eoip_hdr *eh = c->pos;

		/* Version 1 is PPTP unless it is exactly EoIP. */
		if (flags != TG_EOIP_FLAGS || g->proto != TG_EOIP_PROTO)
			return TG_R_GRE_UNSUPPORTED;
		if ((void *)(eh + 1) > data_end || tg_cur_short(c, sizeof(*eh)))
			return TG_R_TRUNCATED;
		key->type = TG_TUN_EOIP;
		key->id = eh->id[0] | eh->id[1] << 8;
		c->pos = eh + 1;
		/*
		 * RouterOS keepalive: the header alone, its length 0. Both are
		 * checked: a cut frame whose length says otherwise stays
		 * truncated, a length of 0 followed by bytes is not one.
		 */
		g->keepalive = !eh->len && c->pos == c->end;
		return TG_CONTINUE;
	}
	if (flags & TG_GRE_F_UNSUPP)
		return TG_R_GRE_UNSUPPORTED;

	/* The key follows the checksum+reserved1 word when there is one. */
	key_off = sizeof(*gh) + (flags & TG_GRE_F_CSUM ? 4 : 0);
	hlen = tg_gre_hlen(flags);
	if (tg_cur_short(c, hlen))
		return TG_R_TRUNCATED;
	if (flags & TG_GRE_F_KEY) {
		__be32 *kp = c->pos + key_off;

		if ((void *)(kp + 1) > data_end)
			return TG_R_TRUNCATED;
		key->id = bpf_ntohl(*kp);
		key->flags = TG_KEY_F_KEYED;
	}
	key->type = g->proto == ETH_P_TEB ? TG_TUN_GRETAP : TG_TUN_GRE;
	g->csum = flags & TG_GRE_F_CSUM;
	c->pos += hlen;
	return TG_CONTINUE;
}

/*
 * Verify the GRE checksum: over the GRE header (at off) and the payload up
 * to the end of the outer datagram (len bytes in all), checksum field
 * included, the ones' complement sum is 0xffff. Returns TG_CONTINUE,
 * GRE_BAD_CSUM, or GRE_UNSUPPORTED when the span is longer than this
 * program sums.
 */
static __always_inline int tg_gre_csum_verdict(void *data, void *data_end,
					       __u64 off, __u64 len)
{
	__u64 sum;

	if (len > TG_CSUM_MAX_LEN)
		return TG_R_GRE_UNSUPPORTED;
	/* Out of bounds cannot happen: len stops at the datagram's end. */
	if (tg_csum_span(data, data_end, off, len, &sum))
		return TG_R_TRUNCATED;
	return tg_csum_fold(sum) ? TG_R_GRE_BAD_CSUM : TG_CONTINUE;
}

#endif /* TG_LIB_GRE_H */
