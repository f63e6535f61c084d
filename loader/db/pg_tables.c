// SPDX-License-Identifier: GPL-2.0-only
/* The shared tables and their columns (see pg_tables.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/fmt.h"
#include "db/lns_settings.h"
#include "db/pg_tables.h"
#include "db/pop_timing.h"
#include "db/radius_settings.h"
#include "db/wg_settings.h"

/*
 * Subscribers RADIUS brought in go with their session on one concentrator,
 * so do their prefixes; the data plane id is each concentrator's own.
 * The settings shared are those 'config set' writes, not what a
 * concentrator keeps for itself (next_dp_id, sync_*, usage_tick, ...).
 */
const struct tg_pg_table tg_pg_tables[] = {
	{ "setting", "key", NULL, NULL, NULL },
	{ "class", "name", "1", NULL, NULL },
	{ "community", "prefix", "1", NULL, NULL },
	{ "subscriber", "id", "origin = 'local'", "dp_id", NULL },
	/* Row by row through the subscriber's key, not a list of them all. */
	{ "prefix", "prefix",
	  "EXISTS (SELECT 1 FROM main.subscriber s WHERE s.id = subscriber_id"
	  " AND s.origin = 'local')",
	  NULL,
	  "EXISTS (SELECT 1 FROM main.subscriber s WHERE s.id = subscriber_id"
	  " AND s.origin = 'local') OR EXISTS (SELECT 1 FROM"
	  " temp.pg_undo_subscriber s WHERE s.pg_key = subscriber_id"
	  " AND s.pg_was AND s.origin = 'local')" },
};
const size_t tg_pg_ntables = sizeof(tg_pg_tables) / sizeof(tg_pg_tables[0]);

static const char *const pg_setting_keys[] = {
	"unknown_tunnel", "l2tpv3_udp_port", "l2tpv2_udp_port", "gateway_mac",
	"ttl", "scope_action", "liveness_timeout", "eoip_keepalive", "anycast",
	TG_POP_BEAT_KEY, TG_POP_DOWN_AFTER_KEY, NULL,
};

const char *tg_pg_setting_filter(void)
{
	static const char *const *const lists[] = {
		pg_setting_keys, tg_lns_setting_keys, tg_radius_setting_keys,
		tg_wg_setting_keys,
	};
	static char sql[2048];
	const char *const *k;
	size_t off, i;

	if (*sql)
		return sql;
	off = tg_cat(sql, sizeof(sql), 0, "key IN (");
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		for (k = lists[i]; *k; k++)
			off = tg_cat(sql, sizeof(sql), off, "%s'%s'",
				     sql[off - 1] == '(' ? "" : ", ", *k);
	tg_cat(sql, sizeof(sql), off, ")");
	return sql;
}

const char *tg_pg_shared(const struct tg_pg_table *t)
{
	return t->shared ? t->shared : tg_pg_setting_filter();
}

int tg_pg_columns(sqlite3 *db, const struct tg_pg_table *t,
		  struct tg_pg_cols *c)
{
	sqlite3_stmt *st;
	char sql[128];
	size_t off = 0;
	const char *name, *type;
	int rc;

	memset(c, 0, sizeof(*c));
	snprintf(sql, sizeof(sql), "SELECT name, type FROM pragma_table_info('%s')",
		 t->name);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		name = (const char *)sqlite3_column_text(st, 0);
		type = (const char *)sqlite3_column_text(st, 1);
		if (!name || (t->local_col && !strcmp(name, t->local_col)))
			continue;
		if (c->n == TG_PG_COLS_MAX || strlen(name) >= sizeof(c->name[0]))
			break;
		snprintf(c->name[c->n], sizeof(c->name[0]), "%s", name);
		if (type && !strncasecmp(type, "INT", 3))
			c->type[c->n] = TG_PG_INT;
		else if (type && !strcasecmp(type, "REAL"))
			c->type[c->n] = TG_PG_REAL;
		else
			c->type[c->n] = TG_PG_TEXT;
		off = tg_cat(c->list, sizeof(c->list), off, "%s\"%s\"",
			     c->n ? ", " : "", name);
		c->n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE || !c->n || off >= sizeof(c->list))
		return -EIO;
	return 0;
}

int tg_pg_stmt_columns(sqlite3_stmt *st, struct tg_pg_cols *c)
{
	const char *name;
	size_t off = 0;
	int i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < sqlite3_column_count(st); i++) {
		name = sqlite3_column_name(st, i);
		if (!name || c->n == TG_PG_COLS_MAX ||
		    strlen(name) >= sizeof(c->name[0]))
			return -EIO;
		snprintf(c->name[c->n], sizeof(c->name[0]), "%s", name);
		c->type[c->n] = TG_PG_TEXT;
		off = tg_cat(c->list, sizeof(c->list), off, "%s\"%s\"",
			     c->n ? ", " : "", name);
		c->n++;
	}
	return c->n && off < sizeof(c->list) ? 0 : -EIO;
}
