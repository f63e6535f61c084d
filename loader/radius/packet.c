// SPDX-License-Identifier: GPL-2.0-only
/* RADIUS attributes and authenticators on the wire. */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <nettle/hmac.h>
#include <nettle/md5.h>

#include "radius/packet.h"

void tg_rad_buf_init(struct tg_rad_buf *b, uint8_t *p, size_t cap)
{
	b->p = p;
	b->len = 0;
	b->cap = cap;
	b->err = 0;
}

static uint8_t *rad_room(struct tg_rad_buf *b, size_t need)
{
	uint8_t *at;

	if (b->err)
		return NULL;
	if (b->len + need > b->cap) {
		b->err = -ENOSPC;
		return NULL;
	}
	at = b->p + b->len;
	b->len += need;
	return at;
}

void tg_rad_put(struct tg_rad_buf *b, uint8_t type, const void *v, size_t len)
{
	uint8_t *at;

	if (len > TG_RAD_VALUE_MAX) {
		if (!b->err)
			b->err = -EINVAL;
		return;
	}
	at = rad_room(b, 2 + len);
	if (!at)
		return;
	at[0] = type;
	at[1] = 2 + len;
	if (len)
		memcpy(at + 2, v, len);
}

void tg_rad_put_u32(struct tg_rad_buf *b, uint8_t type, uint32_t v)
{
	uint32_t be = htonl(v);

	tg_rad_put(b, type, &be, 4);
}

void tg_rad_put_str(struct tg_rad_buf *b, uint8_t type, const char *s)
{
	tg_rad_put(b, type, s, strlen(s));
}

void tg_rad_put_vsa(struct tg_rad_buf *b, uint32_t vendor, uint8_t vtype,
		    const void *v, size_t len)
{
	uint8_t val[TG_RAD_VALUE_MAX];
	uint32_t be = htonl(vendor);

	if (len > TG_RAD_VALUE_MAX - 6) {
		if (!b->err)
			b->err = -EINVAL;
		return;
	}
	memcpy(val, &be, 4);
	val[4] = vtype;
	val[5] = 2 + len;
	if (len)
		memcpy(val + 6, v, len);
	tg_rad_put(b, TG_RAD_VENDOR_SPECIFIC, val, 6 + len);
}

int tg_rad_next(const uint8_t *attrs, size_t len, size_t *off,
		struct tg_rad_attr *a)
{
	const uint8_t *p = attrs + *off;
	size_t left = len - *off;

	if (*off >= len)
		return 0;
	if (left < 2 || p[1] < 2 || p[1] > left)
		return -EBADMSG;
	*off += p[1];
	a->type = p[0];
	a->vendor = 0;
	a->vtype = 0;
	a->val = p + 2;
	a->len = p[1] - 2;
	if (a->type != TG_RAD_VENDOR_SPECIFIC)
		return 1;
	/* Vendor id, then one sub-attribute filling the rest exactly. */
	if (a->len < 6 || p[2] != 0 || p[7] != a->len - 4 || p[7] < 2)
		return -EBADMSG;
	a->vendor = (uint32_t)p[3] << 16 | (uint32_t)p[4] << 8 | p[5];
	a->vtype = p[6];
	a->val = p + 8;
	a->len = p[7] - 2;
	return 1;
}

int tg_rad_u32(const struct tg_rad_attr *a, uint32_t *v)
{
	if (a->len != 4)
		return -EBADMSG;
	*v = (uint32_t)a->val[0] << 24 | (uint32_t)a->val[1] << 16 |
	     (uint32_t)a->val[2] << 8 | a->val[3];
	return 0;
}

int tg_rad_text(const struct tg_rad_attr *a, char *buf, size_t len)
{
	if (!a->len || a->len >= len || memchr(a->val, 0, a->len))
		return -EBADMSG;
	memcpy(buf, a->val, a->len);
	buf[a->len] = '\0';
	return 0;
}

void tg_rad_authenticator(const uint8_t *pkt, size_t len,
			  const uint8_t auth[TG_RAD_AUTH_LEN],
			  const char *secret, uint8_t out[TG_RAD_AUTH_LEN])
{
	struct md5_ctx c;

	md5_init(&c);
	md5_update(&c, 4, pkt);
	md5_update(&c, TG_RAD_AUTH_LEN, auth);
	md5_update(&c, len - TG_RAD_HDR_LEN, pkt + TG_RAD_HDR_LEN);
	md5_update(&c, strlen(secret), (const uint8_t *)secret);
	md5_digest(&c, TG_RAD_AUTH_LEN, out);
}

void tg_rad_msg_auth(const uint8_t *pkt, size_t len, size_t ma_off,
		     const uint8_t auth[TG_RAD_AUTH_LEN], const char *secret,
		     uint8_t out[TG_RAD_AUTH_LEN])
{
	static const uint8_t zero[TG_RAD_AUTH_LEN];
	struct hmac_md5_ctx c;

	hmac_md5_set_key(&c, strlen(secret), (const uint8_t *)secret);
	hmac_md5_update(&c, 4, pkt);
	hmac_md5_update(&c, TG_RAD_AUTH_LEN, auth);
	hmac_md5_update(&c, ma_off - TG_RAD_HDR_LEN, pkt + TG_RAD_HDR_LEN);
	hmac_md5_update(&c, TG_RAD_AUTH_LEN, zero);
	hmac_md5_update(&c, len - ma_off - TG_RAD_AUTH_LEN,
			pkt + ma_off + TG_RAD_AUTH_LEN);
	hmac_md5_digest(&c, TG_RAD_AUTH_LEN, out);
}

bool tg_rad_auth_eq(const uint8_t *a, const uint8_t *b)
{
	uint8_t d = 0;
	int i;

	for (i = 0; i < TG_RAD_AUTH_LEN; i++)
		d |= a[i] ^ b[i];
	return !d;
}
