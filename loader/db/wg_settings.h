/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Settings of the WireGuard members' side that the concentrator hands
 * out: the endpoint members dial, the tunnel MTU, the routes members send
 * through it, and the pools the enrolment broker takes members' prefixes
 * from ('tungate config set wg-...'). Shared through PostgreSQL like the
 * other 'config set' settings.
 */
#ifndef TG_DB_WG_SETTINGS_H
#define TG_DB_WG_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include "db/conn.h"
#include "util/addr.h"

#define TG_WG_MTU_DEFAULT 1420
#define TG_WG_MTU_MIN 1280
#define TG_WG_MTU_MAX 9000
#define TG_WG_ALLOWED_DEFAULT "0.0.0.0/0,::/0"
#define TG_WG_ALLOWED_MAX 16
#define TG_WG_HOST_MAX 253
#define TG_WG_VALUE_MAX 600
/* wg_broker_cert, wg_broker_key: absolute paths of at most this length. */
#define TG_WG_PATH_MAX 512
/* Each member's share of a pool: a /32 of wg-pool4, a /64 of wg-pool6. */
#define TG_WG_POOL4_SHARE 32
#define TG_WG_POOL6_SHARE 64

struct tg_wg_settings {
	/* wg_endpoint: "" when unset (a configuration cannot be made). */
	char host[TG_WG_HOST_MAX + 1];	/* a name, IPv4 or IPv6 (no []) */
	__u16 port;			/* 0: the member's listen port */
	unsigned int mtu;
	struct tg_prefix allowed[TG_WG_ALLOWED_MAX];
	unsigned int nallowed;
	bool has_pool4, has_pool6;
	struct tg_prefix pool4, pool6;
	/* wg_broker: where 'tungate run' serves enrolment, "" when off. */
	char broker[TG_WG_HOST_MAX + 16];	/* "A.B.C.D:PORT", "[v6]:PORT" */
	__u16 broker_port;
	/*
	 * wg_broker_cert, wg_broker_key: PEM files of the broker's HTTPS,
	 * "" when unset; either set asks for HTTPS (served with both).
	 */
	char broker_cert[TG_WG_PATH_MAX + 1];
	char broker_key[TG_WG_PATH_MAX + 1];
};

/* Whether the broker is to serve HTTPS (either file set). */
static inline bool tg_wg_broker_tls(const struct tg_wg_settings *s)
{
	return s->broker_cert[0] || s->broker_key[0];
}

/* Keys in database spelling, NULL-terminated. */
extern const char *const tg_wg_setting_keys[];

/* Whether key (database spelling) is a WireGuard setting. */
bool tg_wg_setting_key(const char *key);
/*
 * Check value of WireGuard setting key and write its stored form to buf:
 * 0, or -EINVAL with the cause in err.
 */
int tg_wg_setting_parse(const char *key, const char *value, char *buf,
			size_t len, char *err, size_t errlen);
/* The settings with their defaults: 0, -EINVAL (named in err), -EIO. */
int tg_wg_settings_load(sqlite3 *db, struct tg_wg_settings *s, char *err,
			size_t errlen);
/* The value 'config show' prints for key ("none" when unset). */
void tg_wg_setting_show(const struct tg_wg_settings *s, const char *key,
			char *buf, size_t len);
/* "host:port" as members dial it, [] around IPv6; port given by caller. */
void tg_wg_endpoint_format(const struct tg_wg_settings *s, unsigned int port,
			   char *buf, size_t len);

#endif /* TG_DB_WG_SETTINGS_H */
