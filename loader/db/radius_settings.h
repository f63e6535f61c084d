/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Settings of RADIUS, the LNS's other source of members: which source
 * decides logins ('aaa'), the servers and their secret, how long to wait,
 * the NAS's names, accounting and the listener of CoA and Disconnect
 * requests (RFC 5176), as the setting rows hold them ('tungate config set
 * radius-...'). Every key is defined here, also those only accounting and
 * CoA read.
 */
#ifndef TG_DB_RADIUS_SETTINGS_H
#define TG_DB_RADIUS_SETTINGS_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>
#include "db/conn.h"
#include "db/lns_settings.h"

#define TG_RADIUS_SERVERS_MAX 8
#define TG_RADIUS_HOST_MAX 63
#define TG_RADIUS_SECRET_MAX 128
#define TG_RADIUS_VALUE_MAX 600
#define TG_RADIUS_AUTH_PORT 1812
#define TG_RADIUS_DAE_PORT 3799
#define TG_RADIUS_TIMEOUT_S 3
#define TG_RADIUS_TIMEOUT_MAX 60
#define TG_RADIUS_RETRIES 2
#define TG_RADIUS_RETRIES_MAX 10
#define TG_RADIUS_INTERIM_S 600
#define TG_RADIUS_INTERIM_MIN 60
#define TG_RADIUS_INTERIM_MAX 86400

/* Where logins are checked. */
enum tg_aaa {
	TG_AAA_LOCAL,	/* the subscriber rows (the default) */
	TG_AAA_RADIUS,	/* the RADIUS servers */
};

/* A server: an IPv4 address or a DNS name, and its UDP port. */
struct tg_radius_server {
	char host[TG_RADIUS_HOST_MAX + 1];
	uint16_t port;
};

struct tg_radius_settings {
	enum tg_aaa aaa;
	/* Access-Requests, tried in order (radcli's failover). */
	struct tg_radius_server auth[TG_RADIUS_SERVERS_MAX];
	unsigned int n_auth;
	/* Accounting-Requests: radius_acct_servers, else auth port + 1. */
	struct tg_radius_server acct[TG_RADIUS_SERVERS_MAX];
	unsigned int n_acct;
	char secret[TG_RADIUS_SECRET_MAX + 1];	/* never shown or logged */
	unsigned int timeout_s;		/* per try */
	unsigned int retries;		/* tries after the first, per server */
	char nas_identifier[64];	/* default: the lns_name */
	struct in_addr nas_ip;		/* default: the LNS's listen address */
	bool accounting;		/* default on when aaa is radius */
	unsigned int interim_s;		/* 0: only Acct-Interim-Interval */
	bool dae;			/* CoA/Disconnect listener on */
	struct in_addr dae_addr;
	uint16_t dae_port;
	/* Who may send CoA/Disconnect: default the servers' addresses. */
	struct in_addr dae_clients[TG_RADIUS_SERVERS_MAX * 2];
	unsigned int n_dae_clients;
};

/* Keys in database spelling, NULL-terminated. */
extern const char *const tg_radius_setting_keys[];

/* Whether key (database spelling) is a RADIUS setting. */
bool tg_radius_setting_key(const char *key);
/*
 * Check value of RADIUS setting key and write its stored form to buf: 0,
 * or -EINVAL with the cause in err.
 */
int tg_radius_setting_parse(const char *key, const char *value, char *buf,
			    size_t len, char *err, size_t errlen);
/*
 * The RADIUS settings with their defaults (some taken from the LNS's
 * settings lns): 0, -EINVAL (named in err), -EIO. With aaa radius the
 * servers and the secret are required.
 */
int tg_radius_settings_load(sqlite3 *db, const struct tg_lns_settings *lns,
			    struct tg_radius_settings *s, char *err,
			    size_t errlen);
/* The value 'config show' prints for key ("(set)" for the secret). */
void tg_radius_setting_show(const struct tg_radius_settings *s,
			    const char *key, char *buf, size_t len);

#endif /* TG_DB_RADIUS_SETTINGS_H */
