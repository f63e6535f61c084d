/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * RADIUS on the wire (RFC 2865 §3, §5): attributes appended to a buffer
 * and walked with every length checked, vendor-specific ones (type 26)
 * included, and the authenticators of RFC 2866/5176 (MD5 over the packet
 * and the secret) and RFC 3579/5176 (Message-Authenticator, HMAC-MD5).
 * The accounting records are stored as such attributes, the dynamic
 * authorization server reads and answers with them.
 */
#ifndef TG_RADIUS_PACKET_H
#define TG_RADIUS_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "radius/attr.h"

#define TG_RAD_HDR_LEN 20
#define TG_RAD_AUTH_LEN 16
#define TG_RAD_PKT_MAX 4096

/* Packet codes (RFC 2865, 2866, 5176). */
enum {
	TG_RC_ACCT_REQUEST = 4,
	TG_RC_ACCT_RESPONSE = 5,
	TG_RC_DISCONNECT_REQUEST = 40,
	TG_RC_DISCONNECT_ACK = 41,
	TG_RC_DISCONNECT_NAK = 42,
	TG_RC_COA_REQUEST = 43,
	TG_RC_COA_ACK = 44,
	TG_RC_COA_NAK = 45,
};

/* Attributes being written: a full buffer sets err, later puts do nothing. */
struct tg_rad_buf {
	uint8_t *p;
	size_t len, cap;
	int err;			/* 0 or -ENOSPC/-EINVAL */
};

void tg_rad_buf_init(struct tg_rad_buf *b, uint8_t *p, size_t cap);
void tg_rad_put(struct tg_rad_buf *b, uint8_t type, const void *v, size_t len);
/* A 32-bit integer or IPv4 address, in network order on the wire. */
void tg_rad_put_u32(struct tg_rad_buf *b, uint8_t type, uint32_t v);
void tg_rad_put_str(struct tg_rad_buf *b, uint8_t type, const char *s);
/* Vendor-Specific, one sub-attribute in the RFC 2865 §5.26 format. */
void tg_rad_put_vsa(struct tg_rad_buf *b, uint32_t vendor, uint8_t vtype,
		    const void *v, size_t len);

/* One attribute read; vendor 0 but for a Vendor-Specific one. */
struct tg_rad_attr {
	uint8_t type;
	uint32_t vendor;		/* type 26: the vendor id */
	uint8_t vtype;			/* type 26: the sub-attribute type */
	const uint8_t *val;		/* the value (type 26: the sub's) */
	size_t len;
};

/*
 * The attribute at *off of attrs (len bytes), *off moved past it: 1, 0 at
 * the end, -EBADMSG when it runs past the end or is shorter than its
 * header. A Vendor-Specific attribute must hold exactly one well-formed
 * sub-attribute (the format every vendor used here has), else -EBADMSG.
 */
int tg_rad_next(const uint8_t *attrs, size_t len, size_t *off,
		struct tg_rad_attr *a);
/* A 4-byte value as a number: 0, or -EBADMSG for another length. */
int tg_rad_u32(const struct tg_rad_attr *a, uint32_t *v);
/*
 * A text value into buf (len bytes, NUL added): 0, or -EBADMSG when it
 * is empty, holds a NUL or does not fit.
 */
int tg_rad_text(const struct tg_rad_attr *a, char *buf, size_t len);

/*
 * MD5(pkt with its authenticator field replaced by auth | secret): the
 * Request Authenticator of an accounting or dynamic authorization request
 * (auth: 16 zero bytes) or the Response Authenticator (auth: the
 * request's). pkt is len bytes, header included.
 */
void tg_rad_authenticator(const uint8_t *pkt, size_t len,
			  const uint8_t auth[TG_RAD_AUTH_LEN],
			  const char *secret, uint8_t out[TG_RAD_AUTH_LEN]);
/*
 * HMAC-MD5 keyed with secret over pkt with the authenticator field
 * replaced by auth and the Message-Authenticator value at ma_off zeroed.
 */
void tg_rad_msg_auth(const uint8_t *pkt, size_t len, size_t ma_off,
		     const uint8_t auth[TG_RAD_AUTH_LEN], const char *secret,
		     uint8_t out[TG_RAD_AUTH_LEN]);
/* Equal in constant time. */
bool tg_rad_auth_eq(const uint8_t *a, const uint8_t *b);

#endif /* TG_RADIUS_PACKET_H */
