// SPDX-License-Identifier: GPL-2.0-only
/* Decoding a whole L2TPv2 control message into struct l2tp_msg. */
#include <string.h>

#include "lns/l2tp_msg.h"

#define BIT(n) (1ULL << (n))

/* The AVPs each message type must carry besides its type (section 6). */
static uint64_t required(uint16_t type)
{
	switch (type) {
	case L2TP_MSG_SCCRQ:
	case L2TP_MSG_SCCRP:
		return BIT(L2TP_AVP_PROTO_VERSION) | BIT(L2TP_AVP_HOST_NAME) |
		       BIT(L2TP_AVP_FRAMING_CAPS) | BIT(L2TP_AVP_TUNNEL_ID);
	case L2TP_MSG_StopCCN:
		return BIT(L2TP_AVP_TUNNEL_ID) | BIT(L2TP_AVP_RESULT);
	case L2TP_MSG_ICRQ:
		return BIT(L2TP_AVP_SESSION_ID) | BIT(L2TP_AVP_CALL_SERIAL);
	case L2TP_MSG_ICRP:
	case L2TP_MSG_OCRP:
		return BIT(L2TP_AVP_SESSION_ID);
	case L2TP_MSG_ICCN:
	case L2TP_MSG_OCCN:
		return BIT(L2TP_AVP_TX_SPEED) | BIT(L2TP_AVP_FRAMING_TYPE);
	case L2TP_MSG_CDN:
		return BIT(L2TP_AVP_RESULT) | BIT(L2TP_AVP_SESSION_ID);
	case L2TP_MSG_OCRQ:
		return BIT(L2TP_AVP_SESSION_ID) | BIT(L2TP_AVP_CALL_SERIAL) |
		       BIT(L2TP_AVP_MIN_BPS) | BIT(L2TP_AVP_MAX_BPS) |
		       BIT(L2TP_AVP_BEARER_TYPE) | BIT(L2TP_AVP_FRAMING_TYPE) |
		       BIT(L2TP_AVP_CALLED);
	case L2TP_MSG_WEN:
		return BIT(L2TP_AVP_CALL_ERRORS);
	case L2TP_MSG_SLI:
		return BIT(L2TP_AVP_ACCM);
	}
	return 0;
}

bool l2tp_msg_is_session(uint16_t type)
{
	return (type >= L2TP_MSG_OCRQ && type <= L2TP_MSG_CDN) ||
	       type == L2TP_MSG_WEN || type == L2TP_MSG_SLI;
}

/* Vendor 0 types defined by section 4.4 (20 is unassigned). */
static bool known(const struct l2tp_avp *a)
{
	return a->vendor == 0 && a->type < L2TP_AVP_KNOWN_MAX && a->type != 20;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/* A text AVP kept for logs and RADIUS: cut, control bytes as '?'. */
static void text(char *dst, const uint8_t *v, size_t len)
{
	size_t i;

	if (len > L2TP_NAME_MAX - 1)
		len = L2TP_NAME_MAX - 1;
	for (i = 0; i < len; i++)
		dst[i] = v[i] < 0x20 || v[i] == 0x7f ? '?' : (char)v[i];
	dst[len] = '\0';
}

/* The exact size a fixed-size AVP must have, 0 for variable ones. */
static unsigned int fixed_size(uint16_t type)
{
	switch (type) {
	case L2TP_AVP_MSG_TYPE:
	case L2TP_AVP_PROTO_VERSION:
	case L2TP_AVP_TUNNEL_ID:
	case L2TP_AVP_SESSION_ID:
	case L2TP_AVP_RWS:
		return 2;
	case L2TP_AVP_FRAMING_CAPS:
	case L2TP_AVP_BEARER_CAPS:
	case L2TP_AVP_FRAMING_TYPE:
	case L2TP_AVP_CALL_SERIAL:
	case L2TP_AVP_TX_SPEED:
	case L2TP_AVP_RX_SPEED:
	case L2TP_AVP_MIN_BPS:
	case L2TP_AVP_MAX_BPS:
	case L2TP_AVP_BEARER_TYPE:
	case L2TP_AVP_PHYS_CHANNEL:
		return 4;
	case L2TP_AVP_TIE_BREAKER:
		return 8;
	case L2TP_AVP_CHALLENGE_RESP:
		return 16;
	case L2TP_AVP_SEQ_REQUIRED:
		return 0;
	}
	return 0;
}

static enum l2tp_err take(struct l2tp_msg *m, uint16_t type,
			  const uint8_t *v, uint16_t len)
{
	unsigned int want = fixed_size(type);

	if ((want && len != want) ||
	    (type == L2TP_AVP_SEQ_REQUIRED && len != 0) ||
	    (type == L2TP_AVP_RESULT && len < 2) ||
	    (type == L2TP_AVP_CHALLENGE && (len < 1 || len > L2TP_CHALLENGE_MAX)) ||
	    (type == L2TP_AVP_RANDOM_VECTOR && len < 1))
		return L2TP_E_AVP_SIZE;
	m->present |= BIT(type);
	switch (type) {
	case L2TP_AVP_PROTO_VERSION:
		m->proto_version = get16(v);
		break;
	case L2TP_AVP_TUNNEL_ID:
		m->tunnel_id = get16(v);
		break;
	case L2TP_AVP_SESSION_ID:
		m->session_id = get16(v);
		break;
	case L2TP_AVP_RWS:
		m->rws = get16(v);
		break;
	case L2TP_AVP_FRAMING_CAPS:
		m->framing_caps = get32(v);
		break;
	case L2TP_AVP_BEARER_CAPS:
		m->bearer_caps = get32(v);
		break;
	case L2TP_AVP_FRAMING_TYPE:
		m->framing_type = get32(v);
		break;
	case L2TP_AVP_CALL_SERIAL:
		m->call_serial = get32(v);
		break;
	case L2TP_AVP_TX_SPEED:
		m->tx_speed = get32(v);
		break;
	case L2TP_AVP_RX_SPEED:
		m->rx_speed = get32(v);
		break;
	case L2TP_AVP_RESULT:
		m->result = get16(v);
		if (len >= 4) {
			m->error = get16(v + 2);
			text(m->result_msg, v + 4, len - 4u);
		}
		break;
	case L2TP_AVP_HOST_NAME:
		text(m->host_name, v, len);
		break;
	case L2TP_AVP_VENDOR_NAME:
		text(m->vendor_name, v, len);
		break;
	case L2TP_AVP_CALLING:
		text(m->calling, v, len);
		break;
	case L2TP_AVP_CALLED:
		text(m->called, v, len);
		break;
	case L2TP_AVP_CHALLENGE:
		memcpy(m->challenge, v, len);
		m->challenge_len = (uint8_t)len;
		break;
	case L2TP_AVP_CHALLENGE_RESP:
		memcpy(m->challenge_resp, v, 16);
		break;
	}
	return L2TP_E_NONE;
}

enum l2tp_err l2tp_msg_decode(const uint8_t *buf, size_t len,
			      const struct l2tp_secret *s, struct l2tp_msg *m)
{
	uint8_t plain[L2TP_AVP_LEN_MAX];
	const uint8_t *rv = NULL;
	struct l2tp_avp_iter it;
	struct l2tp_avp a;
	enum l2tp_err e;
	size_t rvlen = 0;
	bool first = true;
	int r;

	memset(m, 0, sizeof(*m));
	e = l2tp_hdr_parse(buf, len, &m->hdr);
	if (e)
		return e;
	l2tp_avp_iter_init(&it, buf + L2TP_CTRL_HDR_LEN,
			   m->hdr.length - L2TP_CTRL_HDR_LEN);
	while ((r = l2tp_avp_next(&it, &a)) > 0) {
		const uint8_t *v = a.val;
		uint16_t vlen = a.len;

		if (first) {
			/* Section 4.4.1: the Message Type comes first, in clear. */
			if (a.vendor || a.type != L2TP_AVP_MSG_TYPE)
				return L2TP_E_FIRST_NOT_TYPE;
			if (a.hidden)
				return L2TP_E_TYPE_HIDDEN;
		}
		if (!known(&a)) {
			if (!a.mandatory)
				continue;
			m->unknown_vendor = a.vendor;
			m->unknown_type = a.type;
			return L2TP_E_UNKNOWN_MANDATORY;
		}
		if (a.hidden) {
			e = l2tp_avp_unhide(&a, s, rv, rvlen, plain, &vlen);
			if (e)
				return e;
			v = plain;
		}
		e = take(m, a.type, v, vlen);
		if (e)
			return e;
		if (first) {
			m->type = get16(v);
			if (!l2tp_msg_name(m->type) || m->type == L2TP_MSG_ZLB)
				return L2TP_E_UNKNOWN_TYPE;
			first = false;
		}
		if (a.type == L2TP_AVP_RANDOM_VECTOR) {
			rv = a.val;
			rvlen = a.len;
		}
	}
	if (r < 0)
		return (enum l2tp_err)-r;
	if (first)
		return L2TP_E_NONE;	/* a ZLB: the header alone */
	if ((m->present & required(m->type)) != required(m->type))
		return L2TP_E_MISSING_AVP;
	return L2TP_E_NONE;
}
