// SPDX-License-Identifier: GPL-2.0-only
/* The attributes of an accounting record (RFC 2866 §5, RFC 2869 §5.1). */
#include <arpa/inet.h>

#include "radius/acct_record.h"

#define RAD_SERVICE_FRAMED 2
#define RAD_PROTOCOL_PPP 1
#define RAD_PORT_VIRTUAL 5
#define RAD_AUTHENTIC_RADIUS 1

static void acct_counter(struct tg_rad_buf *b, uint8_t low, uint8_t giga,
			 __u64 v)
{
	tg_rad_put_u32(b, low, tg_acct_low(v));
	if (giga)
		tg_rad_put_u32(b, giga, tg_acct_giga(v));
}

void tg_acct_record(struct tg_rad_buf *b, const struct tg_acct_config *cfg,
		    const struct tg_acct_session *s, enum tg_acct_kind kind,
		    const struct tg_acct_counters *c, enum tg_acct_cause cause,
		    __s64 now)
{
	tg_rad_put_u32(b, TG_RAD_ACCT_STATUS_TYPE, kind);
	tg_rad_put_str(b, TG_RAD_USER_NAME, s->user);
	tg_rad_put_str(b, TG_RAD_ACCT_SESSION_ID, s->id);
	if (s->class_len)
		tg_rad_put(b, TG_RAD_CLASS, s->class_, s->class_len);
	if (cfg->nas_ip)
		tg_rad_put_u32(b, TG_RAD_NAS_IP_ADDRESS, ntohl(cfg->nas_ip));
	if (cfg->nas_identifier && *cfg->nas_identifier)
		tg_rad_put_str(b, TG_RAD_NAS_IDENTIFIER, cfg->nas_identifier);
	tg_rad_put_u32(b, TG_RAD_NAS_PORT, s->nas_port);
	tg_rad_put_u32(b, TG_RAD_NAS_PORT_TYPE, RAD_PORT_VIRTUAL);
	tg_rad_put_u32(b, TG_RAD_SERVICE_TYPE, RAD_SERVICE_FRAMED);
	tg_rad_put_u32(b, TG_RAD_FRAMED_PROTOCOL, RAD_PROTOCOL_PPP);
	if (s->ip)
		tg_rad_put_u32(b, TG_RAD_FRAMED_IP_ADDRESS, ntohl(s->ip));
	if (*s->calling)
		tg_rad_put_str(b, TG_RAD_CALLING_STATION_ID, s->calling);
	if (*s->called)
		tg_rad_put_str(b, TG_RAD_CALLED_STATION_ID, s->called);
	tg_rad_put_u32(b, TG_RAD_ACCT_AUTHENTIC, RAD_AUTHENTIC_RADIUS);
	tg_rad_put_u32(b, TG_RAD_EVENT_TIMESTAMP, (__u32)now);
	if (kind == TG_ACCT_START || !c)
		return;
	tg_rad_put_u32(b, TG_RAD_ACCT_SESSION_TIME,
		       now > s->started ? (__u32)(now - s->started) : 0);
	acct_counter(b, TG_RAD_ACCT_INPUT_OCTETS, TG_RAD_ACCT_INPUT_GIGAWORDS,
		     c->in_octets);
	acct_counter(b, TG_RAD_ACCT_OUTPUT_OCTETS, TG_RAD_ACCT_OUTPUT_GIGAWORDS,
		     c->out_octets);
	acct_counter(b, TG_RAD_ACCT_INPUT_PACKETS, 0, c->in_packets);
	acct_counter(b, TG_RAD_ACCT_OUTPUT_PACKETS, 0, c->out_packets);
	if (kind == TG_ACCT_STOP)
		tg_rad_put_u32(b, TG_RAD_ACCT_TERMINATE_CAUSE, cause);
}
