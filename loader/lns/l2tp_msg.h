/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A whole L2TPv2 control message decoded: the header checked, hidden AVPs
 * revealed, the AVPs this LNS uses picked out, the ones each message type
 * requires (RFC 2661 section 6) checked, unknown optional AVPs skipped and
 * an unknown mandatory one reported (the caller then ends the session or
 * the tunnel, as section 4.1 says).
 */
#ifndef TG_LNS_L2TP_MSG_H
#define TG_LNS_L2TP_MSG_H

#include "lns/l2tp.h"

#define L2TP_NAME_MAX 64	/* host, vendor, numbers: longer is cut */
#define L2TP_CHALLENGE_MAX 64

struct l2tp_msg {
	struct l2tp_hdr hdr;
	uint16_t type;			/* L2TP_MSG_*, 0 for a ZLB */
	uint64_t present;		/* bit n: AVP type n (< 64) seen */

	uint16_t proto_version;		/* 0x0100 */
	uint16_t tunnel_id;		/* Assigned Tunnel ID */
	uint16_t session_id;		/* Assigned Session ID */
	uint16_t rws;			/* Receive Window Size */
	uint32_t framing_caps;
	uint32_t bearer_caps;
	uint32_t framing_type;
	uint32_t call_serial;
	uint32_t tx_speed;
	uint32_t rx_speed;
	uint16_t result;		/* Result Code */
	uint16_t error;			/* its Error Code, when given */
	char result_msg[L2TP_NAME_MAX];
	char host_name[L2TP_NAME_MAX];
	char vendor_name[L2TP_NAME_MAX];
	char calling[L2TP_NAME_MAX];
	char called[L2TP_NAME_MAX];
	uint8_t challenge[L2TP_CHALLENGE_MAX];
	uint8_t challenge_len;
	uint8_t challenge_resp[16];

	/* The first unknown AVP with the M bit, with L2TP_E_UNKNOWN_MANDATORY. */
	uint16_t unknown_vendor;
	uint16_t unknown_type;
};

static inline bool l2tp_msg_has(const struct l2tp_msg *m, unsigned int avp)
{
	return avp < 64 && (m->present >> avp & 1);
}

/*
 * Decode the control message of len bytes at buf. s: the tunnel's shared
 * secret (NULL when none is set: hidden AVPs are then refused). 0 or an
 * l2tp_err; with L2TP_E_UNKNOWN_MANDATORY m is filled except for what
 * follows the unknown AVP, so the caller can still answer the message.
 */
enum l2tp_err l2tp_msg_decode(const uint8_t *buf, size_t len,
			      const struct l2tp_secret *s, struct l2tp_msg *m);

/* Whether the message type belongs to a session (ICRQ...CDN, WEN, SLI). */
bool l2tp_msg_is_session(uint16_t type);

#endif /* TG_LNS_L2TP_MSG_H */
