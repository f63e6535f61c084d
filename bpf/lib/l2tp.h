/* SPDX-License-Identifier: GPL-2.0-only */
/* L2TPv3 (RFC 3931) over IP and UDP, L2TPv2 (RFC 2661) data headers. */
#ifndef TG_LIB_L2TP_H
#define TG_LIB_L2TP_H

#include "parse.h"

/* First 16-bit word of a UDP-carried header, host order. */
#define TG_L2TP_F_TYPE 0x8000	/* T: control message */
#define TG_L2TP_F_LEN 0x4000	/* L: v2 length field present */
#define TG_L2TP_F_SEQ 0x0800	/* S: v2 Ns and Nr present */
#define TG_L2TP_F_OFFSET 0x0200	/* O: v2 offset size (and padding) present */
#define TG_L2TP_VERSION 0x000f
#define TG_L2TP_V2 2
#define TG_L2TP_V3 3
/*
 * Longest v2 offset padding followed. No frame we see is longer than a
 * jumbo frame, so a longer one is cut short anyway; the bound also keeps
 * the cursor's variable offset small enough for the verifier to track.
 */
#define TG_L2TP_MAX_PAD 9216

struct tg_l2tpv3_udp_hdr {
	__be16 flags;
	__be16 reserved;
	__be32 session;
};

/* Version nibble of a UDP-carried L2TP header, or -1 when cut short. */
static __always_inline int tg_l2tp_udp_version(const struct hdr_cursor *c,
					       void *data_end)
{
	__be16 *w = c->pos;

	if ((void *)(w + 1) > data_end || tg_cur_short(c, sizeof(*w)))
		return -1;
	return bpf_ntohs(*w) & TG_L2TP_VERSION;
}

/* L2TPv3 over IP: a session id; session 0 marks a control message. */
static __always_inline int tg_parse_l2tpv3_ip(struct hdr_cursor *c,
					      void *data_end,
					      struct tg_tun_key *key)
{
	__be32 *session = c->pos;

	if ((void *)(session + 1) > data_end ||
	    tg_cur_short(c, sizeof(*session)))
		return TG_R_TRUNCATED;
	if (!*session)
		return TG_R_CONTROL;
	key->type = TG_TUN_L2TPV3_IP;
	key->id = bpf_ntohl(*session);
	c->pos = session + 1;
	return TG_CONTINUE;
}

/* L2TPv3 over UDP: flags/version, 16 reserved bits, session id. */
static __always_inline int tg_parse_l2tpv3_udp(struct hdr_cursor *c,
					       void *data_end,
					       struct tg_tun_key *key)
{
	struct tg_l2tpv3_udp_hdr *h = c->pos;

	if ((void *)(h + 1) > data_end || tg_cur_short(c, sizeof(*h)))
		return TG_R_TRUNCATED;
	if (h->flags & bpf_htons(TG_L2TP_F_TYPE))
		return TG_R_CONTROL;
	key->type = TG_TUN_L2TPV3_UDP;
	key->id = bpf_ntohl(h->session);
	c->pos = h + 1;
	return TG_CONTINUE;
}

/*
 * After the tunnel lookup: the cookie of the tunnel's claim in force
 * (compared in wire order), then the optional 4-byte L2-specific sublayer,
 * whose S bit and sequence number are ignored. The cursor ends on the
 * Ethernet frame.
 */
static __always_inline int tg_l2tpv3_check_cookie(struct hdr_cursor *c,
						  void *data_end,
						  const struct tg_tun_claim *tun)
{
	__u8 *p = c->pos;
	__u32 len;

	len = tun->cookie_len + (tun->flags & TG_TUN_F_L2SPEC ? 4 : 0);
	if (tun->cookie_len == 8) {
		if ((void *)(p + 8) > data_end || tg_cur_short(c, 8))
			return TG_R_TRUNCATED;
		/* Unaligned 32-bit packet loads are fine for XDP and TC. */
		if (*(__u32 *)p != *(__u32 *)tun->cookie ||
		    *(__u32 *)(p + 4) != *(__u32 *)(tun->cookie + 4))
			return TG_R_BAD_COOKIE;
	} else if (tun->cookie_len == 4) {
		if ((void *)(p + 4) > data_end || tg_cur_short(c, 4))
			return TG_R_TRUNCATED;
		if (*(__u32 *)p != *(__u32 *)tun->cookie)
			return TG_R_BAD_COOKIE;
	} else if (tun->cookie_len) {
		/* Not a length sync ever writes. */
		return TG_R_INTERNAL;
	}
	if (tg_cur_short(c, len))
		return TG_R_TRUNCATED;
	c->pos += len;
	return TG_CONTINUE;
}

/*
 * L2TPv2 data message: flags/version, [length], tunnel id, session id,
 * [Ns, Nr], [offset size, padding]. Control messages (T) are the
 * kernel's. The cursor ends on the PPP frame.
 */
static __always_inline int tg_parse_l2tpv2(struct hdr_cursor *c,
					   void *data_end,
					   struct tg_tun_key *key)
{
	__be16 *w = c->pos;
	__u16 flags, tunnel, session;
	__u32 off;

	if ((void *)(w + 1) > data_end || tg_cur_short(c, sizeof(*w)))
		return TG_R_TRUNCATED;
	flags = bpf_ntohs(*w);
	if (flags & TG_L2TP_F_TYPE)
		return TG_R_CONTROL;

	off = 2 + (flags & TG_L2TP_F_LEN ? 2 : 0);
	w = c->pos + off;
	if ((void *)(w + 2) > data_end || (void *)(w + 2) > c->end)
		return TG_R_TRUNCATED;
	tunnel = bpf_ntohs(w[0]);
	session = bpf_ntohs(w[1]);
	w += 2;
	if (flags & TG_L2TP_F_SEQ)
		w += 2;
	if (flags & TG_L2TP_F_OFFSET) {
		__u16 pad;

		if ((void *)(w + 1) > data_end || (void *)(w + 1) > c->end)
			return TG_R_TRUNCATED;
		pad = bpf_ntohs(*w);
		if (pad > TG_L2TP_MAX_PAD)
			return TG_R_TRUNCATED;
		/* Skip the padding by its real length, checked below. */
		w = (void *)(w + 1) + pad;
	}
	if ((void *)w > c->end)
		return TG_R_TRUNCATED;
	key->type = TG_TUN_L2TPV2;
	key->id = (__u32)tunnel << 16 | session;
	c->pos = w;
	return TG_CONTINUE;
}

#endif /* TG_LIB_L2TP_H */
