// SPDX-License-Identifier: GPL-2.0-only
/* L2TPv2 control headers, AVPs, hidden AVPs and the tunnel digest. */
#include <errno.h>
#include <string.h>
#include <nettle/md5.h>

#include "lns/l2tp.h"

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

#define L2TP_ERR_NAME(name, text) [L2TP_E_##name] = #name,
static const char *const err_names[L2TP_E_MAX] = {
	[L2TP_E_NONE] = "NONE",
	L2TP_ERRORS(L2TP_ERR_NAME)
};
#undef L2TP_ERR_NAME

#define L2TP_ERR_TEXT(name, text) [L2TP_E_##name] = text,
static const char *const err_texts[L2TP_E_MAX] = {
	[L2TP_E_NONE] = "no error",
	L2TP_ERRORS(L2TP_ERR_TEXT)
};
#undef L2TP_ERR_TEXT

const char *l2tp_err_name(enum l2tp_err e)
{
	return (unsigned int)e < L2TP_E_MAX ? err_names[e] : "?";
}

const char *l2tp_err_text(enum l2tp_err e)
{
	return (unsigned int)e < L2TP_E_MAX ? err_texts[e] : "?";
}

const char *l2tp_msg_name(unsigned int type)
{
	switch (type) {
#define L2TP_MSG_CASE(name, val) case val: return #name;
	L2TP_MSG_TYPES(L2TP_MSG_CASE)
#undef L2TP_MSG_CASE
	case L2TP_MSG_ZLB:
		return "ZLB";
	}
	return NULL;
}

enum l2tp_err l2tp_hdr_parse(const uint8_t *buf, size_t len,
			     struct l2tp_hdr *h)
{
	if (len < 2)
		return L2TP_E_SHORT;
	h->flags = get16(buf);
	if (!(h->flags & L2TP_HDR_T))
		return L2TP_E_NOT_CONTROL;
	if ((h->flags & L2TP_HDR_VER) != L2TP_VERSION)
		return L2TP_E_VERSION;
	if (len < L2TP_CTRL_HDR_LEN)
		return L2TP_E_SHORT;
	/* Section 3.1: L and S MUST be set, O and P MUST be 0. */
	if ((h->flags & (L2TP_HDR_L | L2TP_HDR_S | L2TP_HDR_O | L2TP_HDR_P)) !=
	    (L2TP_HDR_L | L2TP_HDR_S))
		return L2TP_E_HDR_FLAGS;
	h->length = get16(buf + 2);
	if (h->length < L2TP_CTRL_HDR_LEN || h->length != len)
		return L2TP_E_LENGTH;
	h->tunnel = get16(buf + 4);
	h->session = get16(buf + 6);
	h->ns = get16(buf + 8);
	h->nr = get16(buf + 10);
	return L2TP_E_NONE;
}

void l2tp_avp_iter_init(struct l2tp_avp_iter *it, const uint8_t *avps,
			size_t len)
{
	it->p = avps;
	it->end = avps + len;
}

int l2tp_avp_next(struct l2tp_avp_iter *it, struct l2tp_avp *a)
{
	size_t left = (size_t)(it->end - it->p);
	uint16_t w, len;

	if (!left)
		return 0;
	if (left < L2TP_AVP_HDR_LEN)
		return -L2TP_E_AVP_SHORT;
	w = get16(it->p);
	len = w & L2TP_AVP_LEN;
	if (len < L2TP_AVP_HDR_LEN)
		return -L2TP_E_AVP_SHORT;
	if (len > left)
		return -L2TP_E_AVP_LENGTH;
	if (w & L2TP_AVP_RSVD)
		return -L2TP_E_AVP_RSVD;
	a->mandatory = w & L2TP_AVP_M;
	a->hidden = w & L2TP_AVP_H;
	a->vendor = get16(it->p + 2);
	a->type = get16(it->p + 4);
	a->val = it->p + L2TP_AVP_HDR_LEN;
	a->len = len - L2TP_AVP_HDR_LEN;
	it->p += len;
	return 1;
}

/* The MD5 block that XORs the first 16 bytes of a hidden value. */
static void hide_first(uint16_t type, const struct l2tp_secret *s,
		       const uint8_t *rv, size_t rvlen, uint8_t out[16])
{
	struct md5_ctx c;
	uint8_t t[2];

	put16(t, type);
	md5_init(&c);
	md5_update(&c, sizeof(t), t);
	md5_update(&c, s->len, s->secret);
	md5_update(&c, rvlen, rv);
	md5_digest(&c, MD5_DIGEST_SIZE, out);
}

/* The MD5 block of the next 16 bytes: over the secret and the cipher. */
static void hide_next(const struct l2tp_secret *s, const uint8_t *cipher,
		      uint8_t out[16])
{
	struct md5_ctx c;

	md5_init(&c);
	md5_update(&c, s->len, s->secret);
	md5_update(&c, MD5_DIGEST_SIZE, cipher);
	md5_digest(&c, MD5_DIGEST_SIZE, out);
}

enum l2tp_err l2tp_avp_unhide(const struct l2tp_avp *a,
			      const struct l2tp_secret *s, const uint8_t *rv,
			      size_t rvlen, uint8_t *out, uint16_t *outlen)
{
	uint8_t blk[MD5_DIGEST_SIZE];
	size_t i;

	if (!s || !s->len)
		return L2TP_E_HIDDEN_NO_SECRET;
	if (!rv)
		return L2TP_E_HIDDEN_NO_VECTOR;
	if (a->len < 2)
		return L2TP_E_HIDDEN_LENGTH;
	for (i = 0; i < a->len; i++) {
		if (i % MD5_DIGEST_SIZE == 0) {
			if (i == 0)
				hide_first(a->type, s, rv, rvlen, blk);
			else
				hide_next(s, a->val + i - MD5_DIGEST_SIZE, blk);
		}
		out[i] = a->val[i] ^ blk[i % MD5_DIGEST_SIZE];
	}
	*outlen = get16(out);
	if (*outlen > a->len - 2)
		return L2TP_E_HIDDEN_LENGTH;
	memmove(out, out + 2, *outlen);
	return L2TP_E_NONE;
}

void l2tp_challenge_response(uint8_t msg_type, const struct l2tp_secret *s,
			     const uint8_t *chal, size_t chal_len,
			     uint8_t out[16])
{
	struct md5_ctx c;

	md5_init(&c);
	md5_update(&c, 1, &msg_type);
	md5_update(&c, s->len, s->secret);
	md5_update(&c, chal_len, chal);
	md5_digest(&c, MD5_DIGEST_SIZE, out);
}

static uint8_t *build_room(struct l2tp_builder *b, size_t n)
{
	uint8_t *p;

	if (b->overflow || n > sizeof(b->buf) - b->len) {
		b->overflow = true;
		return NULL;
	}
	p = b->buf + b->len;
	b->len += n;
	return p;
}

void l2tp_build_init(struct l2tp_builder *b, uint16_t tunnel,
		     uint16_t session, enum l2tp_msg_type type)
{
	memset(b->buf, 0, L2TP_CTRL_HDR_LEN);
	put16(b->buf, L2TP_HDR_CTRL);
	put16(b->buf + 4, tunnel);
	put16(b->buf + 6, session);
	b->len = L2TP_CTRL_HDR_LEN;
	b->overflow = false;
	if (type != L2TP_MSG_ZLB)
		l2tp_build_u16(b, true, L2TP_AVP_MSG_TYPE, type);
}

static uint8_t *build_avp_hdr(struct l2tp_builder *b, bool mandatory,
			      bool hidden, uint16_t type, size_t len)
{
	uint8_t *p;

	if (len > L2TP_AVP_LEN_MAX - L2TP_AVP_HDR_LEN) {
		b->overflow = true;
		return NULL;
	}
	p = build_room(b, L2TP_AVP_HDR_LEN + len);
	if (!p)
		return NULL;
	put16(p, (mandatory ? L2TP_AVP_M : 0) | (hidden ? L2TP_AVP_H : 0) |
		 (uint16_t)(L2TP_AVP_HDR_LEN + len));
	put16(p + 2, 0);
	put16(p + 4, type);
	return p + L2TP_AVP_HDR_LEN;
}

void l2tp_build_avp(struct l2tp_builder *b, bool mandatory, uint16_t type,
		    const void *val, size_t len)
{
	uint8_t *p = build_avp_hdr(b, mandatory, false, type, len);

	if (p && len)
		memcpy(p, val, len);
}

void l2tp_build_u16(struct l2tp_builder *b, bool mandatory, uint16_t type,
		    uint16_t v)
{
	uint8_t w[2];

	put16(w, v);
	l2tp_build_avp(b, mandatory, type, w, sizeof(w));
}

void l2tp_build_u32(struct l2tp_builder *b, bool mandatory, uint16_t type,
		    uint32_t v)
{
	uint8_t w[4];

	put16(w, v >> 16);
	put16(w + 2, v & 0xffff);
	l2tp_build_avp(b, mandatory, type, w, sizeof(w));
}

void l2tp_build_hidden(struct l2tp_builder *b, bool mandatory, uint16_t type,
		       const void *val, size_t len,
		       const struct l2tp_secret *s, const uint8_t *rv,
		       size_t rvlen)
{
	/* Padded to whole MD5 blocks so the value's length stays hidden. */
	size_t n = (2 + len + MD5_DIGEST_SIZE - 1) & ~(size_t)(MD5_DIGEST_SIZE - 1);
	uint8_t blk[MD5_DIGEST_SIZE];
	uint8_t *p;
	size_t i;

	if (len > UINT16_MAX) {
		b->overflow = true;
		return;
	}
	p = build_avp_hdr(b, mandatory, true, type, n);
	if (!p)
		return;
	memset(p, 0, n);
	put16(p, (uint16_t)len);
	memcpy(p + 2, val, len);
	for (i = 0; i < n; i++) {
		if (i % MD5_DIGEST_SIZE == 0) {
			if (i == 0)
				hide_first(type, s, rv, rvlen, blk);
			else
				hide_next(s, p + i - MD5_DIGEST_SIZE, blk);
		}
		p[i] ^= blk[i % MD5_DIGEST_SIZE];
	}
}

int l2tp_build_finish(struct l2tp_builder *b, uint16_t ns, uint16_t nr)
{
	if (b->overflow)
		return -EMSGSIZE;
	put16(b->buf + 2, (uint16_t)b->len);
	put16(b->buf + 8, ns);
	put16(b->buf + 10, nr);
	return (int)b->len;
}
