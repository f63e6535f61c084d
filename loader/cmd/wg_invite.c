// SPDX-License-Identifier: GPL-2.0-only
/* tungate wg invite, invites, uninvite: invitations of WireGuard members. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>

#include "util/cli.h"
#include "cmd/commands.h"
#include "cmd/wg.h"
#include "db/db.h"
#include "db/overlap.h"
#include "db/wg_invite.h"
#include "db/wg_settings.h"
#include "util/json.h"

/* "2026-12-14T20:18:00Z" */
static void wg_time(__s64 t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void wg_prefixes_text(const struct tg_wg_invite *iv, char *buf,
			     size_t len)
{
	char a[TG_PREFIX_STRLEN];
	size_t off = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < iv->nprefix && off < len; i++) {
		tg_prefix_format(&iv->prefix[i], a, sizeof(a));
		off += snprintf(buf + off, len - off, "%s%s", i ? " " : "", a);
	}
}

/*
 * The command that enrols a router, "" when the broker is off: https when
 * a certificate is set (the broker never serves plain HTTP then).
 */
static void wg_command(const struct tg_wg_settings *ws, const char *token,
		       char *buf, size_t len)
{
	char host[TG_WG_HOST_MAX + 16];

	buf[0] = '\0';
	if (!ws->broker[0])
		return;
	tg_wg_endpoint_format(ws, ws->broker_port, host, sizeof(host));
	snprintf(buf, len, "wget -qO- %s://%s/wg/openwrt.sh | sh -s -- %s",
		 tg_wg_broker_tls(ws) ? "https" : "http", host, token);
}

/* Prefixes from the pools when none was given: 0 or negative (reported). */
static int wg_pool_prefixes(sqlite3 *db, const struct tg_wg_settings *ws,
			    struct tg_wg_invite *iv)
{
	struct {
		bool on;
		const struct tg_prefix *pool;
		unsigned int share;
	} pools[] = {
		{ ws->has_pool4, &ws->pool4, TG_WG_POOL4_SHARE },
		{ ws->has_pool6, &ws->pool6, TG_WG_POOL6_SHARE },
	};
	char a[TG_PREFIX_STRLEN];
	size_t i;
	int ret;

	if (!ws->has_pool4 && !ws->has_pool6) {
		tg_err("wg invite: no --prefix and no pool to take one from: give --prefix, or set wg-pool4 or wg-pool6 ('tungate config help')");
		return -EINVAL;
	}
	for (i = 0; i < sizeof(pools) / sizeof(pools[0]); i++) {
		if (!pools[i].on)
			continue;
		ret = tg_db_wg_pool_next(db, pools[i].pool, pools[i].share,
					 &iv->prefix[iv->nprefix]);
		if (ret) {
			tg_prefix_format(pools[i].pool, a, sizeof(a));
			tg_err(ret == -ENOSPC ? "wg invite: pool %s is full: no free /%u in it" :
			       "wg invite: pool %s: cannot read the database (/%u)",
			       a, pools[i].share);
			return ret == -ENOSPC ? -ENOSPC : -EIO;
		}
		iv->nprefix++;
	}
	return 0;
}

/* The checks of 'sub add' and those against other invitations. */
static int wg_invite_check(sqlite3 *db, const struct tg_wg_invite *iv)
{
	char err[256], owner[TG_NAME_MAX + 1], other[TG_PREFIX_STRLEN];
	char a[TG_PREFIX_STRLEN];
	struct tg_sub s;
	unsigned int i;
	int ret;

	ret = tg_wg_invite_sub(iv, NULL, &s, err, sizeof(err));
	if (ret) {
		tg_err("wg invite: %s", err);
		goto out;
	}
	ret = tg_sub_check_ifnets("wg invite", &s);
	if (ret)
		goto out;
	ret = tg_db_sub_conflicts(db, &s, 0, err, sizeof(err));
	if (ret) {
		tg_err("wg invite: %s", err);
		goto out;
	}
	ret = tg_db_wg_invite_clash(db, iv->name, iv->prefix, iv->nprefix,
				    owner, other);
	if (ret == 1) {
		for (i = 0; i < iv->nprefix; i++) {
			char o[TG_PREFIX_STRLEN];
			struct tg_prefix q;

			tg_prefix_parse(other, &q, o, sizeof(o));
			if (tg_prefix_overlap(&iv->prefix[i], &q))
				break;
		}
		tg_prefix_format(&iv->prefix[i < iv->nprefix ? i : 0], a,
				 sizeof(a));
		tg_err("wg invite: --prefix '%s': overlaps '%s' of the invitation '%s'",
		       a, other, owner);
		ret = -EEXIST;
	} else if (ret) {
		tg_err("wg invite: cannot read the invitations: %s",
		       sqlite3_errmsg(db));
	}
out:
	tg_sub_free(&s);
	return ret;
}

static void wg_invite_print(const struct tg_wg_invite *iv,
			    const struct tg_wg_settings *ws, const char *token)
{
	char pfx[TG_WG_PREFIXES_MAX + 1], when[32], cmd[512];
	struct json_writer *w;
	unsigned int i;

	wg_time(iv->expires, when, sizeof(when));
	wg_command(ws, token, cmd, sizeof(cmd));
	if (*cmd && tg_wg_broker_tls(ws) &&
	    (!ws->broker_cert[0] || !ws->broker_key[0]))
		fprintf(stderr, "tungate: wg invite: note: %s is not set: the broker serves no HTTPS until it is\n",
			ws->broker_cert[0] ? "wg-broker-key" : "wg-broker-cert");
	if (tg_opts.json) {
		w = jsonw_new(stdout);
		if (!w)
			return;
		jsonw_start_object(w);
		jsonw_string_field(w, "name", iv->name);
		jsonw_string_field(w, "class", iv->cls);
		jsonw_name(w, "prefixes");
		jsonw_start_array(w);
		for (i = 0; i < iv->nprefix; i++) {
			tg_prefix_format(&iv->prefix[i], pfx, sizeof(pfx));
			jsonw_string(w, pfx);
		}
		jsonw_end_array(w);
		jsonw_string_field(w, "expires", when);
		jsonw_string_field(w, "token", token);
		if (*cmd)
			jsonw_string_field(w, "command", cmd);
		else
			jsonw_null_field(w, "command");
		jsonw_end_object(w);
		jsonw_destroy(&w);
		return;
	}
	wg_prefixes_text(iv, pfx, sizeof(pfx));
	printf("invited '%s' (class %s, prefixes %s) until %s\n"
	       "token (shown this once; only its hash is kept): %s\n",
	       iv->name, iv->cls, pfx, when, token);
	if (*cmd)
		printf("on the member's router (OpenWrt, or Linux with wg and ip):\n"
		       "  %s\n", cmd);
	else
		printf("the broker is off: set 'tungate config set wg-broker ADDR:PORT' for 'tungate run' to serve it, or enrol by hand with 'tungate wg enrol TOKEN PUBLIC_KEY'\n");
}

int tg_wg_invite_cmd(int argc, char **argv)
{
	char err[256], token[TG_WG_TOKEN_LEN + 1], hash[TG_WG_HASH_HEX + 1];
	struct tg_wg_settings ws;
	struct tg_wg_invite iv;
	const char *val;
	sqlite3 *db = NULL;
	__s64 expires = TG_WG_EXPIRES_DEFAULT;
	bool open = false;
	__u64 port;
	int i, ret;

	memset(&iv, 0, sizeof(iv));
	if (argc < 2 || argv[1][0] == '-') {
		tg_err("wg invite: missing NAME; try 'tungate wg help'");
		return -EINVAL;
	}
	if (tg_name_validate(argv[1], err, sizeof(err))) {
		tg_err("wg invite: name '%s': %s", argv[1], err);
		return -EINVAL;
	}
	snprintf(iv.name, sizeof(iv.name), "%s", argv[1]);
	for (i = 2; i < argc; i++) {
		if (tg_take_json(argv[i]))
			continue;
		if (!strcmp(argv[i], "--class")) {
			if (tg_opt_value("wg invite", argc, argv, &i, &val))
				return -EINVAL;
			if (tg_name_validate(val, err, sizeof(err))) {
				tg_err("wg invite: --class '%s': %s", val, err);
				return -EINVAL;
			}
			snprintf(iv.cls, sizeof(iv.cls), "%s", val);
		} else if (!strcmp(argv[i], "--prefix")) {
			if (tg_opt_value("wg invite", argc, argv, &i, &val))
				return -EINVAL;
			if (iv.nprefix == TG_SUB_PREFIX_MAX) {
				tg_err("wg invite: more than %d prefixes",
				       TG_SUB_PREFIX_MAX);
				return -EINVAL;
			}
			if (tg_prefix_parse(val, &iv.prefix[iv.nprefix], err,
					    sizeof(err))) {
				tg_err("wg invite: --prefix '%s': %s", val, err);
				return -EINVAL;
			}
			iv.nprefix++;
		} else if (!strcmp(argv[i], "--listen-port")) {
			if (tg_opt_u64("wg invite", argc, argv, &i, 1, 65535,
				       &port))
				return -EINVAL;
			iv.has_listen_port = true;
			iv.listen_port = port;
		} else if (!strcmp(argv[i], "--expires")) {
			if (tg_opt_value("wg invite", argc, argv, &i, &val))
				return -EINVAL;
			if (tg_wg_duration_parse(val, &expires)) {
				tg_err("wg invite: --expires '%s': a duration like 30m, 12h or 7d, from 1s to 366d",
				       val);
				return -EINVAL;
			}
		} else {
			tg_err("wg invite: unknown option '%s'; try 'tungate wg help'",
			       argv[i]);
			return -EINVAL;
		}
	}
	if (!*iv.cls) {
		tg_err("wg invite: --class is required");
		return -EINVAL;
	}
	ret = tg_db_open(tg_db_path(), false, &db);
	if (ret)
		goto out;
	ret = tg_wg_settings_load(db, &ws, err, sizeof(err));
	if (ret) {
		tg_err("wg invite: %s", err);
		goto out;
	}
	if (!ws.host[0]) {
		tg_err("wg invite: no wg-endpoint: members could not be told where to dial; set it first ('tungate config set wg-endpoint HOST[:PORT]')");
		ret = -EINVAL;
		goto out;
	}
	if (tg_db_begin_write(db)) {
		tg_err("wg invite: database busy or not writable: %s",
		       sqlite3_errmsg(db));
		ret = -EIO;
		goto out;
	}
	open = true;
	if (!iv.nprefix) {
		ret = wg_pool_prefixes(db, &ws, &iv);
		if (ret)
			goto out;
	}
	ret = wg_invite_check(db, &iv);
	if (ret)
		goto out;
	ret = tg_wg_token_new(token);
	if (ret) {
		tg_err("wg invite: no random bytes for the token: %s",
		       strerror(-ret));
		goto out;
	}
	tg_wg_token_hash(token, hash);
	iv.created = time(NULL);
	iv.expires = iv.created + expires;
	ret = tg_db_wg_invite_add(db, &iv, hash);
	if (ret == -EEXIST)
		tg_err("wg invite: name '%s': an invitation has it already ('tungate wg uninvite %s' withdraws it)",
		       iv.name, iv.name);
	else if (ret)
		tg_err("wg invite: cannot write: %s", sqlite3_errmsg(db));
	if (!ret && tg_db_commit(db)) {
		tg_err("wg invite: cannot commit: %s", sqlite3_errmsg(db));
		ret = -EIO;
	}
	if (!ret) {
		open = false;
		wg_invite_print(&iv, &ws, token);
	}
	memset(token, 0, sizeof(token));
out:
	if (open)
		tg_db_rollback(db);
	tg_db_close(db);
	return ret;
}

int tg_wg_invites_cmd(int argc, char **argv)
{
	char pfx[TG_WG_PREFIXES_MAX + 1], when[32], used[32];
	struct tg_wg_invite *v = NULL;
	struct json_writer *w;
	sqlite3 *db = NULL;
	size_t n = 0, j;
	__s64 now = time(NULL);
	unsigned int k;
	int i, ret;

	for (i = 1; i < argc; i++)
		if (!tg_take_json(argv[i])) {
			tg_err("wg invites: unexpected argument '%s'", argv[i]);
			return -EINVAL;
		}
	ret = tg_db_open(tg_db_path(), false, &db);
	if (ret)
		goto out;
	ret = tg_db_wg_invite_list(db, &v, &n);
	if (ret) {
		tg_err("wg invites: cannot read the invitations: %s",
		       ret == -EIO ? sqlite3_errmsg(db) : strerror(-ret));
		goto out;
	}
	if (tg_opts.json) {
		w = jsonw_new(stdout);
		if (!w) {
			ret = -ENOMEM;
			goto out;
		}
		jsonw_start_array(w);
		for (j = 0; j < n; j++) {
			jsonw_start_object(w);
			jsonw_string_field(w, "name", v[j].name);
			jsonw_string_field(w, "class", v[j].cls);
			jsonw_name(w, "prefixes");
			jsonw_start_array(w);
			for (k = 0; k < v[j].nprefix; k++) {
				tg_prefix_format(&v[j].prefix[k], pfx, sizeof(pfx));
				jsonw_string(w, pfx);
			}
			jsonw_end_array(w);
			if (v[j].has_listen_port)
				jsonw_uint_field(w, "listen_port", v[j].listen_port);
			else
				jsonw_null_field(w, "listen_port");
			wg_time(v[j].expires, when, sizeof(when));
			jsonw_string_field(w, "expires", when);
			jsonw_bool_field(w, "expired", !v[j].used &&
					 v[j].expires <= now);
			if (v[j].used) {
				wg_time(v[j].used, used, sizeof(used));
				jsonw_string_field(w, "used", used);
				jsonw_string_field(w, "used_key", v[j].used_key);
			} else {
				jsonw_null_field(w, "used");
				jsonw_null_field(w, "used_key");
			}
			jsonw_end_object(w);
		}
		jsonw_end_array(w);
		jsonw_destroy(&w);
		goto out;
	}
	if (n)
		printf("%-20s %-12s %-20s %-40s %s\n", "NAME", "CLASS", "EXPIRES",
		       "PREFIXES", "STATE");
	for (j = 0; j < n; j++) {
		wg_time(v[j].expires, when, sizeof(when));
		wg_prefixes_text(&v[j], pfx, sizeof(pfx));
		if (v[j].used) {
			wg_time(v[j].used, used, sizeof(used));
			printf("%-20s %-12s %-20s %-40s used %s by %s\n",
			       v[j].name, v[j].cls, when, pfx, used,
			       v[j].used_key);
		} else {
			printf("%-20s %-12s %-20s %-40s %s\n", v[j].name,
			       v[j].cls, when, pfx,
			       v[j].expires <= now ? "expired" : "pending");
		}
	}
out:
	free(v);
	tg_db_close(db);
	return ret;
}

int tg_wg_uninvite_cmd(int argc, char **argv)
{
	const char *name = NULL;
	struct json_writer *w;
	sqlite3 *db = NULL;
	int ret;

	ret = tg_name_arg("wg uninvite", argc, argv, &name);
	if (ret)
		return ret;
	ret = tg_db_open(tg_db_path(), false, &db);
	if (ret)
		goto out;
	ret = tg_db_wg_invite_del(db, name);
	if (ret == -ENOENT)
		tg_err("wg uninvite: no invitation '%s'", name);
	else if (ret)
		tg_err("wg uninvite: '%s': %s", name, sqlite3_errmsg(db));
	if (ret)
		goto out;
	if (tg_opts.json) {
		w = jsonw_new(stdout);
		if (w) {
			jsonw_start_object(w);
			jsonw_string_field(w, "withdrawn", name);
			jsonw_end_object(w);
			jsonw_destroy(&w);
		}
	} else {
		printf("withdrew the invitation '%s'\n", name);
	}
out:
	tg_db_close(db);
	return ret;
}
