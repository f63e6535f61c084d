// SPDX-License-Identifier: GPL-2.0-only
/* Settings: raw rows and the data plane settings with their defaults. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cli.h"
#include "db/settings.h"
#include "db/sub_fields.h"
#include "util/addr.h"
#include "util/log.h"

int tg_db_setting_get(sqlite3 *db, const char *key, char *buf, size_t len)
{
	sqlite3_stmt *st;
	int err = -EIO, rc;

	if (sqlite3_prepare_v2(db, "SELECT value FROM setting WHERE key = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(buf, len, "%s", (const char *)sqlite3_column_text(st, 0));
		err = 0;
	} else if (rc == SQLITE_DONE) {
		err = -ENOENT;
	}
	sqlite3_finalize(st);
	return err;
}

int tg_db_setting_each(sqlite3 *db,
		       void (*fn)(void *ctx, const char *key, const char *value),
		       void *ctx)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT key, value FROM setting ORDER BY key",
			       -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(ctx, (const char *)sqlite3_column_text(st, 0),
		   (const char *)sqlite3_column_text(st, 1));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

int tg_db_setting_set(sqlite3 *db, const char *key, const char *value)
{
	sqlite3_stmt *st;
	int err = 0;

	if (sqlite3_prepare_v2(db,
			       "INSERT INTO setting(key, value) VALUES(?, ?) "
			       "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
			       -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		err = -EIO;
	sqlite3_finalize(st);
	return err;
}

/* A number min..max, def when not set. */
static int tg_setting_u64(sqlite3 *db, const char *key, __u64 min, __u64 max,
			  __u64 def, __u64 *v)
{
	char buf[32];
	int err;

	err = tg_db_setting_get(db, key, buf, sizeof(buf));
	if (err == -ENOENT) {
		*v = def;
		return 0;
	}
	if (err)
		return err;
	if (tg_parse_u64(buf, min, max, v)) {
		pr_warn("database: setting %s '%s': not %llu..%llu\n", key, buf,
			(unsigned long long)min, (unsigned long long)max);
		return -EINVAL;
	}
	return 0;
}

int tg_db_settings_load(sqlite3 *db, struct tg_settings *st)
{
	char buf[32];
	__u64 v;
	int err;

	memset(st, 0, sizeof(*st));
	err = tg_db_setting_get(db, "unknown_tunnel", buf, sizeof(buf));
	if (!err) {
		if (!strcmp(buf, "drop")) {
			st->drop_unknown = true;
		} else if (strcmp(buf, "pass")) {
			pr_warn("database: setting unknown_tunnel '%s': not pass or drop\n",
				buf);
			return -EINVAL;
		}
	} else if (err != -ENOENT) {
		return err;
	}
	err = tg_setting_u64(db, "l2tpv3_udp_port", 0, 65535, TG_L2TP_UDP_PORT,
			     &v);
	if (err)
		return err;
	st->l2tpv3_udp_port = v;
	err = tg_setting_u64(db, "l2tpv2_udp_port", 0, 65535, TG_L2TP_UDP_PORT,
			     &v);
	if (err)
		return err;
	st->l2tpv2_udp_port = v;
	err = tg_db_setting_get(db, "gateway_mac", buf, sizeof(buf));
	if (err == -ENOENT)
		snprintf(buf, sizeof(buf), "%s", TG_GW_MAC_DEFAULT);
	else if (err)
		return err;
	if (tg_mac_parse(buf, st->gw_mac) || !tg_mac_unicast(st->gw_mac)) {
		pr_warn("database: setting gateway_mac '%s': not a unicast MAC address\n",
			buf);
		return -EINVAL;
	}
	err = tg_db_setting_get(db, "scope_action", buf, sizeof(buf));
	if (!err) {
		if (!strcmp(buf, "icmp")) {
			st->scope_icmp = true;
		} else if (strcmp(buf, "drop")) {
			pr_warn("database: setting scope_action '%s': not drop or icmp\n",
				buf);
			return -EINVAL;
		}
	} else if (err != -ENOENT) {
		return err;
	}
	err = tg_setting_u64(db, "ttl", 1, 255, TG_TTL_DEFAULT, &v);
	if (err)
		return err;
	st->ttl = v;
	err = tg_setting_u64(db, "liveness_timeout", TG_LIVENESS_TIMEOUT_MIN,
			     TG_LIVENESS_TIMEOUT_MAX, TG_LIVENESS_TIMEOUT_S, &v);
	if (err)
		return err;
	st->liveness_timeout = v;
	err = tg_setting_u64(db, "eoip_keepalive", 0, TG_KEEPALIVE_MAX,
			     TG_EOIP_KEEPALIVE_DEFAULT, &v);
	if (err)
		return err;
	st->eoip_keepalive = v;
	return 0;
}

void tg_settings_config(const struct tg_settings *st, struct tg_config *c)
{
	memset(c, 0, sizeof(*c));
	c->flags = st->drop_unknown ? TG_CFG_F_DROP_UNKNOWN : 0;
	if (st->scope_icmp)
		c->flags |= TG_CFG_F_SCOPE_ICMP;
	c->l2tpv3_udp_port = st->l2tpv3_udp_port;
	c->l2tpv2_udp_port = st->l2tpv2_udp_port;
	memcpy(c->gw_mac, st->gw_mac, 6);
	c->default_ttl = st->ttl;
}
