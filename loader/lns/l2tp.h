/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * L2TPv2 control messages (RFC 2661 sections 3 and 4): the header, the
 * AVPs, hidden AVPs and the tunnel authentication digest. Pure functions
 * on byte buffers: no socket, no state machine, no allocation.
 *
 * Every malformed message is refused with one of L2TP_ERRORS, so that the
 * caller counts it by name and carries on.
 */
#ifndef TG_LNS_L2TP_H
#define TG_LNS_L2TP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define L2TP_UDP_PORT 1701
#define L2TP_VERSION 2

/* First 16 bits of the header (section 3.1). */
#define L2TP_HDR_T 0x8000	/* control message */
#define L2TP_HDR_L 0x4000	/* length present */
#define L2TP_HDR_S 0x0800	/* Ns and Nr present */
#define L2TP_HDR_O 0x0200	/* offset size present */
#define L2TP_HDR_P 0x0100	/* priority (data only) */
#define L2TP_HDR_VER 0x000f
/* Every control message carries T, L and S, and never O or P. */
#define L2TP_HDR_CTRL (L2TP_HDR_T | L2TP_HDR_L | L2TP_HDR_S | L2TP_VERSION)
#define L2TP_CTRL_HDR_LEN 12
#define L2TP_AVP_HDR_LEN 6
#define L2TP_AVP_LEN_MAX 1023	/* 10 bits of length */
#define L2TP_MSG_MAX 4096	/* what this LNS builds or accepts */

/* AVP flags and length (section 4.1). */
#define L2TP_AVP_M 0x8000
#define L2TP_AVP_H 0x4000
#define L2TP_AVP_RSVD 0x3c00
#define L2TP_AVP_LEN 0x03ff

/* Message types (section 3.2): name, value. */
#define L2TP_MSG_TYPES(X)		\
	X(SCCRQ, 1)			\
	X(SCCRP, 2)			\
	X(SCCCN, 3)			\
	X(StopCCN, 4)			\
	X(HELLO, 6)			\
	X(OCRQ, 7)			\
	X(OCRP, 8)			\
	X(OCCN, 9)			\
	X(ICRQ, 10)			\
	X(ICRP, 11)			\
	X(ICCN, 12)			\
	X(CDN, 14)			\
	X(WEN, 15)			\
	X(SLI, 16)

#define L2TP_MSG_ENUM(name, val) L2TP_MSG_##name = val,
enum l2tp_msg_type {
	L2TP_MSG_ZLB = 0,	/* no AVP at all: an acknowledgement */
	L2TP_MSG_TYPES(L2TP_MSG_ENUM)
};
#undef L2TP_MSG_ENUM

/* AVP types of vendor 0 (section 4.4) that this LNS reads or writes. */
enum l2tp_avp_type {
	L2TP_AVP_MSG_TYPE = 0,
	L2TP_AVP_RESULT = 1,
	L2TP_AVP_PROTO_VERSION = 2,
	L2TP_AVP_FRAMING_CAPS = 3,
	L2TP_AVP_BEARER_CAPS = 4,
	L2TP_AVP_TIE_BREAKER = 5,
	L2TP_AVP_FIRMWARE = 6,
	L2TP_AVP_HOST_NAME = 7,
	L2TP_AVP_VENDOR_NAME = 8,
	L2TP_AVP_TUNNEL_ID = 9,
	L2TP_AVP_RWS = 10,
	L2TP_AVP_CHALLENGE = 11,
	L2TP_AVP_Q931 = 12,
	L2TP_AVP_CHALLENGE_RESP = 13,
	L2TP_AVP_SESSION_ID = 14,
	L2TP_AVP_CALL_SERIAL = 15,
	L2TP_AVP_MIN_BPS = 16,
	L2TP_AVP_MAX_BPS = 17,
	L2TP_AVP_BEARER_TYPE = 18,
	L2TP_AVP_FRAMING_TYPE = 19,
	L2TP_AVP_CALLED = 21,
	L2TP_AVP_CALLING = 22,
	L2TP_AVP_SUB_ADDRESS = 23,
	L2TP_AVP_TX_SPEED = 24,
	L2TP_AVP_PHYS_CHANNEL = 25,
	L2TP_AVP_LCP_INITIAL = 26,
	L2TP_AVP_LCP_LAST_SENT = 27,
	L2TP_AVP_LCP_LAST_RECV = 28,
	L2TP_AVP_PROXY_TYPE = 29,
	L2TP_AVP_PROXY_NAME = 30,
	L2TP_AVP_PROXY_CHALLENGE = 31,
	L2TP_AVP_PROXY_ID = 32,
	L2TP_AVP_PROXY_RESP = 33,
	L2TP_AVP_CALL_ERRORS = 34,
	L2TP_AVP_ACCM = 35,
	L2TP_AVP_RANDOM_VECTOR = 36,
	L2TP_AVP_PRIVATE_GROUP = 37,
	L2TP_AVP_RX_SPEED = 38,
	L2TP_AVP_SEQ_REQUIRED = 39,
	L2TP_AVP_KNOWN_MAX = 40,
};

/* Why a control message was refused: name, text. */
#define L2TP_ERRORS(X)							\
	X(SHORT, "shorter than a control header")			\
	X(NOT_CONTROL, "not a control message")			\
	X(VERSION, "not L2TP version 2")				\
	X(HDR_FLAGS, "control header without L and S, or with O or P")	\
	X(LENGTH, "length field does not match the datagram")		\
	X(AVP_SHORT, "AVP shorter than its header")			\
	X(AVP_LENGTH, "AVP length beyond the message")			\
	X(AVP_RSVD, "AVP reserved bits set")				\
	X(FIRST_NOT_TYPE, "first AVP is not the Message Type")		\
	X(TYPE_HIDDEN, "Message Type AVP hidden")			\
	X(UNKNOWN_TYPE, "unknown message type")				\
	X(AVP_SIZE, "AVP value of the wrong size")			\
	X(HIDDEN_NO_SECRET, "hidden AVP without a shared secret")	\
	X(HIDDEN_NO_VECTOR, "hidden AVP before any Random Vector")	\
	X(HIDDEN_LENGTH, "hidden AVP's original length does not fit")	\
	X(MISSING_AVP, "required AVP missing")				\
	X(UNKNOWN_MANDATORY, "unknown AVP with the M bit set")

#define L2TP_ERR_ENUM(name, text) L2TP_E_##name,
enum l2tp_err {
	L2TP_E_NONE = 0,
	L2TP_ERRORS(L2TP_ERR_ENUM)
	L2TP_E_MAX,
};
#undef L2TP_ERR_ENUM

const char *l2tp_err_name(enum l2tp_err e);	/* "AVP_LENGTH" */
const char *l2tp_err_text(enum l2tp_err e);	/* "AVP length beyond ..." */
const char *l2tp_msg_name(unsigned int type);	/* "SCCRQ", or NULL */

/* The header of a control message, host byte order. */
struct l2tp_hdr {
	uint16_t flags;
	uint16_t length;
	uint16_t tunnel;
	uint16_t session;
	uint16_t ns;
	uint16_t nr;
};

/*
 * Parse the control header of a UDP payload of len bytes. The AVPs follow
 * at buf + L2TP_CTRL_HDR_LEN up to buf + h->length (trailing bytes of the
 * datagram beyond the length are refused). 0 or an l2tp_err.
 */
enum l2tp_err l2tp_hdr_parse(const uint8_t *buf, size_t len,
			     struct l2tp_hdr *h);

/* One AVP as found in a message; val is still hidden when hidden is set. */
struct l2tp_avp {
	bool mandatory;
	bool hidden;
	uint16_t vendor;
	uint16_t type;
	const uint8_t *val;
	uint16_t len;
};

struct l2tp_avp_iter {
	const uint8_t *p;
	const uint8_t *end;
};

void l2tp_avp_iter_init(struct l2tp_avp_iter *it, const uint8_t *avps,
			size_t len);
/* 1 with the next AVP in a, 0 at the end, or -l2tp_err. */
int l2tp_avp_next(struct l2tp_avp_iter *it, struct l2tp_avp *a);

/*
 * Hidden AVP values (section 4.3). The hidden subformat is a 2-byte
 * original length, the value and padding, XORed with MD5 chained over
 * 16-byte blocks: MD5(type, secret, random vector), then MD5(secret,
 * previous cipher block).
 */
struct l2tp_secret {
	const uint8_t *secret;
	size_t len;
};

/*
 * Reveal a's hidden value into out (at least a->len bytes), *outlen set to
 * its original length. rv: the last Random Vector AVP's value before a.
 */
enum l2tp_err l2tp_avp_unhide(const struct l2tp_avp *a,
			      const struct l2tp_secret *s, const uint8_t *rv,
			      size_t rvlen, uint8_t *out, uint16_t *outlen);

/* The Challenge Response of section 4.4.3: MD5(type, secret, challenge). */
void l2tp_challenge_response(uint8_t msg_type, const struct l2tp_secret *s,
			     const uint8_t *chal, size_t chal_len,
			     uint8_t out[16]);

/* A control message being built; overflow latches and fails finish. */
struct l2tp_builder {
	uint8_t buf[L2TP_MSG_MAX];
	size_t len;
	bool overflow;
};

/* Header for (tunnel, session), then the Message Type AVP unless ZLB. */
void l2tp_build_init(struct l2tp_builder *b, uint16_t tunnel,
		     uint16_t session, enum l2tp_msg_type type);
void l2tp_build_avp(struct l2tp_builder *b, bool mandatory, uint16_t type,
		    const void *val, size_t len);
void l2tp_build_u16(struct l2tp_builder *b, bool mandatory, uint16_t type,
		    uint16_t v);
void l2tp_build_u32(struct l2tp_builder *b, bool mandatory, uint16_t type,
		    uint32_t v);
/* A hidden AVP after the Random Vector rv (already added by the caller). */
void l2tp_build_hidden(struct l2tp_builder *b, bool mandatory, uint16_t type,
		       const void *val, size_t len,
		       const struct l2tp_secret *s, const uint8_t *rv,
		       size_t rvlen);
/* Length, Ns and Nr: the message's size, or -EMSGSIZE on overflow. */
int l2tp_build_finish(struct l2tp_builder *b, uint16_t ns, uint16_t nr);

#endif /* TG_LNS_L2TP_H */
