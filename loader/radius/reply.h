/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What an Access-Accept gives a member: its addresses, timeouts, Class,
 * tungate class (Filter-Id) and rates, read from the attributes' wire
 * values (RFC 2865, 3162, 4818, vendor Mikrotik and WISPr). Pure: no
 * socket, no radcli, so that every attribute is tested on its own.
 */
#ifndef TG_RADIUS_REPLY_H
#define TG_RADIUS_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "db/name.h"
#include "radius/packet.h"
#include "util/addr.h"

#define TG_RAD_ROUTES_MAX 8
#define TG_RAD_BAD_MAX 8

struct tg_rad_reply {
	struct in_addr ip;		/* Framed-IP-Address, 0: none */
	struct tg_prefix routes[TG_RAD_ROUTES_MAX];	/* Framed-Route */
	unsigned int n_routes;
	struct tg_prefix prefix6;	/* Framed-IPv6-Prefix, len 0: none */
	struct tg_prefix pd;		/* Delegated-IPv6-Prefix, len 0: none */
	uint32_t session_timeout;	/* s, 0: none */
	uint32_t idle_timeout;		/* s, 0: none */
	uint32_t interim;		/* Acct-Interim-Interval s, 0: none */
	uint8_t class_[TG_RAD_VALUE_MAX];	/* Class, for accounting */
	size_t class_len;
	char filter_id[TG_NAME_MAX + 1];	/* a tungate class, "": none */
	bool has_rate;			/* down and up below were given */
	uint64_t down, up;		/* bits/s toward / from the member, 0: unlimited */
	/*
	 * Mikrotik bursts, as a bucket: the bytes above the rate that
	 * burst-rate lets through during burst-time, larger direction.
	 */
	bool has_burst;
	uint64_t burst;			/* bytes */
	/* Attributes not applied: "Name: why" (at most TG_RAD_BAD_MAX). */
	char bad[TG_RAD_BAD_MAX][160];
	unsigned int n_bad;
};

/*
 * Read the n attributes of an Access-Accept into r. Never fails: what is
 * unknown or malformed is listed in r->bad and left out.
 */
void tg_rad_reply_parse(const struct tg_rad_attr *v, size_t n,
			struct tg_rad_reply *r);

/* The name of an attribute, or "Attr-N" / "Vendor-V-Attr-N" in buf. */
const char *tg_rad_attr_name(uint32_t vendor, uint32_t type, char *buf,
			     size_t len);

#endif /* TG_RADIUS_REPLY_H */
