/* SPDX-License-Identifier: GPL-2.0-only */
/* Settings: raw key/value rows and the data plane settings. */
#ifndef TG_DB_SETTINGS_H
#define TG_DB_SETTINGS_H

#include <stdbool.h>
#include "db/conn.h"
#include "tungate.h"

/* Raw settings: 0, -ENOENT (get: not set) or -EIO. */
int tg_db_setting_get(sqlite3 *db, const char *key, char *buf, size_t len);
int tg_db_setting_set(sqlite3 *db, const char *key, const char *value);
/* fn(ctx, key, value) for every setting stored, by key: 0 or -EIO. */
int tg_db_setting_each(sqlite3 *db,
		       void (*fn)(void *ctx, const char *key, const char *value),
		       void *ctx);

#define TG_GW_MAC_DEFAULT "02:74:67:00:00:01"
#define TG_TTL_DEFAULT 64
/* Silence after which a subscriber is down (liveness-timeout), seconds. */
#define TG_LIVENESS_TIMEOUT_S 120
#define TG_LIVENESS_TIMEOUT_MIN 10
#define TG_LIVENESS_TIMEOUT_MAX 86400
/* s, as RouterOS's own default (keepalive=10s,10): 0 sends none. */
#define TG_EOIP_KEEPALIVE_DEFAULT 10

/* The data plane settings with their defaults applied (and the daemon's). */
struct tg_settings {
	bool drop_unknown;	/* unknown_tunnel = drop */
	__u16 l2tpv3_udp_port;	/* 0: disabled */
	__u16 l2tpv2_udp_port;	/* 0: disabled */
	__u8 gw_mac[6];		/* gateway_mac */
	__u8 ttl;		/* ttl, 1..255 */
	bool scope_icmp;	/* scope_action = icmp */
	__u32 liveness_timeout;	/* seconds of silence: a subscriber is down */
	__u16 eoip_keepalive;	/* s between keepalives to EoIP peers, 0: none */
};

/* tg_config value of the settings. */
void tg_settings_config(const struct tg_settings *st, struct tg_config *c);

int tg_db_settings_load(sqlite3 *db, struct tg_settings *st);

#endif /* TG_DB_SETTINGS_H */
