/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Settings of the LNS: where it listens, the tunnel secret, which PPP
 * authentication it offers, its names and addresses, as the setting rows
 * hold them ('tungate config set lns ...').
 */
#ifndef TG_DB_LNS_SETTINGS_H
#define TG_DB_LNS_SETTINGS_H

#include <stdbool.h>
#include <netinet/in.h>
#include "db/conn.h"
#include "lns/server.h"

#define TG_LNS_NAME_DEFAULT "tungate"
#define TG_LNS_VALUE_MAX 128
/* Our end of every PPP link: never a member's, never routed. */
#define TG_LNS_ADDRESS_DEFAULT "169.254.0.1"
#define TG_LNS_ECHO_S 10
#define TG_LNS_ECHO_FAILS 6

struct tg_lns_settings {
	bool on;
	struct lns_addr listen;		/* IPv4, port 1701 by default */
	char secret[LNS_SECRET_MAX + 1];	/* "": no tunnel authentication */
	bool chap, pap;			/* offered; CHAP first when both */
	char name[64];			/* our host name and CHAP name */
	struct in_addr dns[2];		/* IPCP DNS, 0.0.0.0: none */
	struct in6_addr dns6[2];	/* RA and DHCPv6 DNS, ::: none */
	struct in_addr local;		/* our IPCP address */
	unsigned int echo_s;		/* LCP echo interval, s */
	unsigned int echo_fails;	/* unanswered echoes: the peer is dead */
};

/* Whether key (database spelling) is an LNS setting. */
bool tg_lns_setting_key(const char *key);
/*
 * Check value of LNS setting key and write its stored form to buf: 0, or
 * -EINVAL with the cause in err.
 */
int tg_lns_setting_parse(const char *key, const char *value, char *buf,
			 size_t len, char *err, size_t errlen);
/* The LNS settings with their defaults: 0, -EINVAL (named in err), -EIO. */
int tg_lns_settings_load(sqlite3 *db, struct tg_lns_settings *s, char *err,
			 size_t errlen);
/* The value 'config show' prints for key ("set" for the secret). */
void tg_lns_setting_show(const struct tg_lns_settings *s, const char *key,
			 char *buf, size_t len);

/* Keys in database spelling, NULL-terminated. */
extern const char *const tg_lns_setting_keys[];

#endif /* TG_DB_LNS_SETTINGS_H */
