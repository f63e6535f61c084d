// SPDX-License-Identifier: GPL-2.0-only
/* tungate import / export: the whole database as CSV (or JSON out). */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "util/cli.h"
#include "cmd/commands.h"
#include "db/anycast.h"
#include "db/pop.h"
#include "db/db.h"
#include "db/pg.h"
#include "dataplane/dataplane.h"
#include "dataplane/ifnet.h"
#include "util/json.h"
#include "cmd/freeradius.h"
#include "cmd/import.h"
#include "db/pop_timing.h"
#include "db/wg_settings.h"

/*
 * CSV layout: a header row of column names, then one row per object. The
 * column 'kind' says what a row is: 'setting' (name = key, value), 'class'
 * (name, down_rate, up_rate, burst, scope), 'community' (prefixes = the
 * prefix) or 'sub' (every subscriber field). Without a 'kind' column every
 * row is a subscriber. Empty cells mean "not set" (the default).
 */
static const char *const tg_setting_keys[] = {
	"unknown_tunnel", "l2tpv3_udp_port", "l2tpv2_udp_port", "gateway_mac",
	"ttl", "next_dp_id", "scope_action", "eoip_keepalive",
	"liveness_timeout", TG_ANYCAST_KEY, TG_POP_BEAT_KEY,
	TG_POP_DOWN_AFTER_KEY, NULL,
};

static int transfer_help(int argc, char **argv)
{
	const char *const *f;
	int col = 2;

	printf("Usage: tungate import FILE.csv\n"
	       "       tungate import --freeradius SOURCE [--dry-run]\n"
	       "       tungate export [--format csv|json] [-o FILE]\n"
	       "\n"
	       "export  write the whole database: settings, rate classes, community\n"
	       "        prefixes and subscribers (with their data plane ids), to\n"
	       "        stdout or FILE. --format csv (default) is what import reads;\n"
	       "        json is one object {\"version\", \"settings\": {KEY: VALUE},\n"
	       "        \"classes\": [...], \"community\": [PREFIX...], \"subscribers\":\n"
	       "        [objects as 'sub show -j']} for other tools.\n"
	       "import  add the rows of FILE.csv (- for stdin) to the database in one\n"
	       "        transaction. Every row is checked as 'sub add' / 'class add' /\n"
	       "        'community add' would, against the database and the other\n"
	       "        rows; when any row is bad nothing is imported and every bad\n"
	       "        row is listed with its line number and the reason (-j:\n"
	       "        {\"error\": TEXT, \"rows\": [{\"line\": N, \"error\": TEXT}]}).\n"
	       "        Subscribers without dp_id get a new one. Settings rows\n"
	       "        replace the setting. Export then import into an empty\n"
	       "        database (tungate db init) reproduces it exactly.\n"
	       "\n"
	       "CSV: RFC 4180 (fields with ',', '\"' or a line break in double\n"
	       "quotes, '\"' doubled). First row: column names, any order, any\n"
	       "subset; 'name' is required. Columns:\n"
	       "  kind      setting | class | community | sub (default: sub)\n"
	       "  ");
	for (f = tg_sub_fields; *f; f++) {
		col += strlen(*f) + 1;
		if (col > 72) {
			printf("\n  ");
			col = 2 + strlen(*f) + 1;
		}
		printf("%s ", *f);
	}
	printf("\n"
	       "            subscriber fields, named and valued as the 'sub add'\n"
	       "            options without '--' and with '_' for '-' (flags: on|off,\n"
	       "            enabled: yes|no, prefixes: space-separated list)\n"
	       "  scope     class rows: internet | community\n"
	       "  value     setting rows: the value (keys: unknown_tunnel,\n"
	       "            l2tpv3_udp_port, l2tpv2_udp_port, gateway_mac, ttl,\n"
	       "            next_dp_id, scope_action, eoip_keepalive,\n"
	       "            liveness_timeout, anycast, pop_heartbeat,\n"
	       "            pop_down_after)\n"
	       "  class rows use name, down_rate, up_rate, burst, scope; community\n"
	       "  rows use prefixes (one prefix).\n"
	       "\n"
	       "--freeradius SOURCE: the dial-in members of a FreeRADIUS SQL\n"
	       "database (rlm_sql's schema, as l2tpns and accel-ppp sites keep\n"
	       "it), read only: an SQLite file, or PostgreSQL by a connection\n"
	       "string, postgresql://USER@HOST/DB or 'host=H dbname=DB user=U'.\n"
	       "Each user is read as FreeRADIUS would: radcheck, radreply, then\n"
	       "its groups by radusergroup priority (the next group only after\n"
	       "Fall-Through = Yes), ':=' replacing, '=' adding when absent,\n"
	       "'+=' adding. A member (type l2tpv2) is named after the user\n"
	       "(alice@exo.cat: alice_exo.cat; others: '-') and takes:\n"
	       "  Cleartext-Password      --password (other kinds, hashed, cannot\n"
	       "                          do CHAP: the user is not imported)\n"
	       "  Framed-IP-Address       its /32 prefix (required: pools are not\n"
	       "                          mapped and the user is not imported)\n"
	       "  Framed-Route, Framed-IPv6-Prefix, Delegated-IPv6-Prefix,\n"
	       "  Framed-IPv6-Route       more prefixes (a route's first word)\n"
	       "  Framed-MTU              --mtu\n"
	       "  Auth-Type := Reject     the member is disabled\n"
	       "  Mikrotik-Rate-Limit     rx/tx: up/down rates (k, M, G: 1000);\n"
	       "                          bursts, priority, minimum not mapped\n"
	       "  WISPr-Bandwidth-Max-Up/-Down  up/down bits/s, when no\n"
	       "                          Mikrotik-Rate-Limit\n"
	       "A rate becomes a class: one of the database's with the same rates,\n"
	       "else a new one named after the group giving it, else r-UP-DOWN\n"
	       "(r-5M-20M). Everything else (Session-Timeout, conditions such as\n"
	       "NAS-IP-Address == ...) is listed as not mapped; users that cannot\n"
	       "be members are listed as not imported (-j: \"not_mapped\",\n"
	       "\"not_imported\"). A value that does not read (an address, a\n"
	       "prefix, a rate), two users making one name, a name or prefix\n"
	       "taken by another subscriber refuse it all, each named by table,\n"
	       "row id and user. Members are noted \"imported from FreeRADIUS\";\n"
	       "importing again updates them to match the source (fields it\n"
	       "does not give kept) and changes nothing when they do; members\n"
	       "gone from the source are kept. --dry-run lists what would be\n"
	       "created or changed and writes nothing.\n"
	       "\n"
	       "Examples:\n"
	       "  tungate export > backup.csv\n"
	       "  tungate --db new.db db init && tungate --db new.db import backup.csv\n"
	       "  printf 'name,type,remote,local,key,prefixes\\n"
	       "alice,gre,192.0.2.10,198.51.100.1,7,100.64.1.0/24\\n' > new.csv\n"
	       "  tungate import new.csv\n"
	       "  tungate import --freeradius freeradius.db --dry-run\n"
	       "  tungate import --freeradius postgresql://radius@db.example/radius\n");
	return 0;
}

/* --- CSV writing -------------------------------------------------------- */

static void csv_field(FILE *f, const char *s, bool first)
{
	const char *p;

	if (!first)
		fputc(',', f);
	if (!strpbrk(s, ",\"\r\n") && (!*s || (s[0] != ' ' &&
					     s[strlen(s) - 1] != ' '))) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (p = s; *p; p++) {
		if (*p == '"')
			fputc('"', f);
		fputc(*p, f);
	}
	fputc('"', f);
}

/* Columns: kind, the subscriber fields, scope, value. */
static void csv_header(FILE *f)
{
	const char *const *c;

	csv_field(f, "kind", true);
	for (c = tg_sub_fields; *c; c++)
		csv_field(f, *c, false);
	csv_field(f, "scope", false);
	csv_field(f, "value", false);
	fputs("\r\n", f);
}

/* A row with kind and the given columns set, others empty. */
static void csv_row(FILE *f, const char *kind, const char *const *names,
		    const char *const *vals, int n)
{
	const char *const *c;
	const char *all[64];
	int i, k = 0;

	all[k++] = "kind";
	for (c = tg_sub_fields; *c; c++)
		all[k++] = *c;
	all[k++] = "scope";
	all[k++] = "value";
	csv_field(f, kind, true);
	for (i = 1; i < k; i++) {
		const char *v = "";
		int j;

		for (j = 0; j < n; j++)
			if (!strcmp(names[j], all[i]))
				v = vals[j];
		csv_field(f, v, false);
	}
	fputs("\r\n", f);
}

/* A setting row of the keys import takes. */
static void export_csv_setting(void *ctx, const char *key, const char *value)
{
	const char *names[2] = { "name", "value" }, *vals[2] = { key, value };
	const char *const *k;

	for (k = tg_setting_keys; *k && strcmp(*k, key); k++)
		;
	if (*k || tg_wg_setting_key(key))
		csv_row(ctx, "setting", names, vals, 2);
}

/*
 * A setting but what sync, a PostgreSQL snapshot, or the POP (its name,
 * drain, usage pushed) keeps for itself.
 */
static void export_json_setting(void *ctx, const char *key, const char *value)
{
	if (strcmp(key, "sync_maps") && strcmp(key, "sync_live") &&
	    strcmp(key, "pg_counter") && strcmp(key, TG_PG_XMIN_KEY) &&
	    strcmp(key, TG_PG_OWN_KEY) &&
	    strcmp(key, TG_POP_NAME_KEY) &&
	    strcmp(key, TG_POP_DRAIN_KEY) && strcmp(key, TG_POP_USAGE_PUSHED_KEY))
		jsonw_string_field(ctx, key, value);
}

static int export_csv(FILE *f, sqlite3 *db, const struct tg_class *cls,
		      size_t ncls, const struct tg_prefix *com, size_t ncom,
		      const struct tg_sub *subs, size_t nsub)
{
	char buf[TG_FIELD_MAX], cv[TG_CLASS_NFIELDS][64], *pfx;
	const char *names[TG_CLASS_NFIELDS], *vals[TG_CLASS_NFIELDS];
	const char *const *c;
	size_t i, k;

	csv_header(f);
	if (tg_db_setting_each(db, export_csv_setting, f))
		return -EIO;
	for (i = 0; i < ncls; i++) {
		for (k = 0; k < tg_class_nfields; k++) {
			names[k] = tg_class_field_table[k].name;
			tg_class_field_format(&cls[i], &tg_class_field_table[k],
					      cv[k], sizeof(cv[k]));
			vals[k] = cv[k];
		}
		csv_row(f, "class", names, vals, tg_class_nfields);
	}
	for (i = 0; i < ncom; i++) {
		tg_prefix_format(&com[i], buf, sizeof(buf));
		names[0] = "prefixes";
		vals[0] = buf;
		csv_row(f, "community", names, vals, 1);
	}
	for (i = 0; i < nsub; i++) {
		csv_field(f, "sub", true);
		for (c = tg_sub_fields; *c; c++) {
			if (!strcmp(*c, "prefixes")) {
				pfx = tg_sub_prefixes_text(&subs[i]);
				if (!pfx)
					return -ENOMEM;
				csv_field(f, pfx, false);
				free(pfx);
				continue;
			}
			tg_sub_field_text(&subs[i], *c, buf, sizeof(buf));
			csv_field(f, buf, false);
		}
		csv_field(f, "", false);
		csv_field(f, "", false);
		fputs("\r\n", f);
	}
	return 0;
}

static int export_json(FILE *f, sqlite3 *db, const struct tg_class *cls,
		       size_t ncls, const struct tg_prefix *com, size_t ncom,
		       const struct tg_sub *subs, size_t nsub)
{
	struct json_writer *w = jsonw_new(f);
	char buf[TG_PREFIX_STRLEN];
	size_t i;

	if (!w)
		return -ENOMEM;
	jsonw_start_object(w);
	jsonw_uint_field(w, "version", TG_DB_VERSION);
	jsonw_name(w, "settings");
	jsonw_start_object(w);
	tg_db_setting_each(db, export_json_setting, w);
	jsonw_end_object(w);
	jsonw_name(w, "classes");
	jsonw_start_array(w);
	for (i = 0; i < ncls; i++) {
		jsonw_start_object(w);
		tg_class_json_fields(w, &cls[i]);
		jsonw_end_object(w);
	}
	jsonw_end_array(w);
	jsonw_name(w, "community");
	jsonw_start_array(w);
	for (i = 0; i < ncom; i++) {
		tg_prefix_format(&com[i], buf, sizeof(buf));
		jsonw_string(w, buf);
	}
	jsonw_end_array(w);
	jsonw_name(w, "subscribers");
	jsonw_start_array(w);
	for (i = 0; i < nsub; i++)
		tg_sub_json(w, &subs[i], NULL, NULL, NULL, NULL);
	jsonw_end_array(w);
	jsonw_end_object(w);
	jsonw_destroy(&w);
	return 0;
}

int do_export(int argc, char **argv)
{
	const char *format = "csv", *out = NULL, *val;
	struct tg_class *cls = NULL;
	struct tg_prefix *com = NULL;
	struct tg_sub *subs = NULL;
	size_t ncls = 0, ncom = 0, nsub = 0;
	sqlite3 *db = NULL;
	FILE *f = stdout;
	int i, ret;

	for (i = 1; i < argc; i++) {
		if (tg_is_help(argv[i]))
			return transfer_help(0, NULL);
		if (tg_take_json(argv[i])) {
			format = "json";
			continue;
		}
		if (!strcmp(argv[i], "--format") || !strcmp(argv[i], "-o")) {
			ret = tg_opt_value("export", argc, argv, &i, &val);
			if (ret)
				return ret;
			if (argv[i - 1][1] == 'o')
				out = val;
			else
				format = val;
			continue;
		}
		tg_err("export: unexpected argument '%s'; try 'tungate export help'",
		       argv[i]);
		return -EINVAL;
	}
	if (strcmp(format, "csv") && strcmp(format, "json")) {
		tg_err("export: --format '%s': must be 'csv' or 'json'", format);
		return -EINVAL;
	}
	ret = tg_db_open(tg_db_path(), false, &db);
	if (ret)
		return ret;
	/* One read transaction: a consistent picture. */
	tg_db_begin(db);
	ret = tg_db_class_list(db, &cls, &ncls);
	if (!ret)
		ret = tg_db_community_list(db, &com, &ncom);
	if (!ret)
		ret = tg_db_sub_list(db, false, &subs, &nsub);
	if (ret) {
		tg_err("export: cannot read the database %s", tg_db_path());
		goto out;
	}
	if (out) {
		f = fopen(out, "w");
		if (!f) {
			ret = -errno;
			tg_err("export: %s: %s", out, strerror(-ret));
			f = stdout;
			goto out;
		}
	}
	ret = !strcmp(format, "csv") ?
		      export_csv(f, db, cls, ncls, com, ncom, subs, nsub) :
		      export_json(f, db, cls, ncls, com, ncom, subs, nsub);
	if (fflush(f) || ferror(f))
		ret = ret ? ret : -EIO;
	if (ret)
		tg_err("export: cannot write: %s", strerror(-ret));
out:
	if (f != stdout && fclose(f) && !ret) {
		ret = -EIO;
		tg_err("export: %s: cannot write", out);
	}
	tg_db_commit(db);
	free(cls);
	free(com);
	tg_sub_list_free(subs, nsub);
	tg_db_close(db);
	return ret;
}

/* --- CSV reading -------------------------------------------------------- */

struct csv {
	char *buf;		/* whole file, fields split in place */
	size_t len, pos;
	unsigned int line;	/* line of the next character */
};

/*
 * Next record into fields (pointers into the buffer). Returns the number
 * of fields, 0 at the end, -EINVAL for a malformed quote.
 */
static int csv_next(struct csv *c, char **fields, int max, unsigned int *line)
{
	char *w;
	int n = 0;
	bool quoted, end = false;

	/* Skip empty lines. */
	while (c->pos < c->len &&
	       (c->buf[c->pos] == '\n' || c->buf[c->pos] == '\r')) {
		if (c->buf[c->pos] == '\n')
			c->line++;
		c->pos++;
	}
	if (c->pos >= c->len)
		return 0;
	*line = c->line;
	while (!end) {
		w = c->buf + c->pos;
		if (n < max)
			fields[n] = w;
		n++;
		quoted = c->pos < c->len && c->buf[c->pos] == '"';
		if (quoted) {
			c->pos++;
			for (;;) {
				if (c->pos >= c->len)
					return -EINVAL;
				if (c->buf[c->pos] == '"') {
					if (c->pos + 1 < c->len &&
					    c->buf[c->pos + 1] == '"') {
						*w++ = '"';
						c->pos += 2;
						continue;
					}
					c->pos++;
					break;
				}
				if (c->buf[c->pos] == '\n')
					c->line++;
				*w++ = c->buf[c->pos++];
			}
			if (c->pos < c->len && c->buf[c->pos] != ',' &&
			    c->buf[c->pos] != '\n' && c->buf[c->pos] != '\r')
				return -EINVAL;
		} else {
			while (c->pos < c->len && c->buf[c->pos] != ',' &&
			       c->buf[c->pos] != '\n' && c->buf[c->pos] != '\r') {
				if (c->buf[c->pos] == '"')
					return -EINVAL;
				*w++ = c->buf[c->pos++];
			}
		}
		if (c->pos >= c->len || c->buf[c->pos] != ',')
			end = true;
		if (c->pos < c->len && c->buf[c->pos] == '\r')
			c->pos++;
		if (c->pos < c->len && c->buf[c->pos] == '\n') {
			c->line++;
			c->pos++;
			end = true;
		} else if (c->pos < c->len && c->buf[c->pos] == ',' && !end) {
			c->pos++;
		}
		*w = '\0';
	}
	return n;
}

static int read_all(const char *path, char **buf, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	size_t cap = 1 << 16, n = 0, r;
	char *b, *nb;

	if (!f)
		return -errno;
	b = malloc(cap + 1);
	while (b && (r = fread(b + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			cap *= 2;
			nb = realloc(b, cap + 1);
			if (!nb) {
				free(b);
				b = NULL;
			}
			b = nb;
		}
	}
	if (f != stdin)
		fclose(f);
	if (!b)
		return -ENOMEM;
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}


static int imp_setting(struct import *im, unsigned int line, const char *key,
		       const char *val)
{
	char why[192], wbuf[TG_WG_VALUE_MAX + 1];
	struct tg_anycast any;
	const char *const *k;
	__u64 v;
	__u8 mac[6];

	for (k = tg_setting_keys; *k && strcmp(*k, key); k++)
		;
	if (!*k && !tg_wg_setting_key(key)) {
		bad_add(&im->bad, line, "setting '%s': unknown key", key);
		return 0;
	}
	if (tg_wg_setting_key(key) &&
	    tg_wg_setting_parse(key, val, wbuf, sizeof(wbuf), why, sizeof(why))) {
		bad_add(&im->bad, line, "setting '%s': %s", key, why);
		return 0;
	}
	if (!strcmp(key, TG_ANYCAST_KEY) &&
	    tg_anycast_parse(val, &any, why, sizeof(why))) {
		bad_add(&im->bad, line, "setting 'anycast': %s", why);
		return 0;
	}
	if ((!strcmp(key, "unknown_tunnel") && strcmp(val, "pass") &&
	     strcmp(val, "drop")) ||
	    ((!strcmp(key, "l2tpv3_udp_port") || !strcmp(key, "l2tpv2_udp_port")) &&
	     tg_parse_u64(val, 0, 65535, &v)) ||
	    (!strcmp(key, "ttl") && tg_parse_u64(val, 1, 255, &v)) ||
	    (!strcmp(key, "eoip_keepalive") &&
	     tg_parse_u64(val, 0, TG_KEEPALIVE_MAX, &v)) ||
	    (!strcmp(key, "liveness_timeout") &&
	     tg_parse_u64(val, TG_LIVENESS_TIMEOUT_MIN,
			  TG_LIVENESS_TIMEOUT_MAX, &v)) ||
	    (!strcmp(key, "scope_action") && strcmp(val, "drop") &&
	     strcmp(val, "icmp")) ||
	    (!strcmp(key, "next_dp_id") && tg_parse_u64(val, 0, UINT32_MAX, &v)) ||
	    (!strcmp(key, TG_POP_BEAT_KEY) &&
	     tg_parse_u64(val, TG_POP_BEAT_MIN, TG_POP_BEAT_MAX, &v)) ||
	    (!strcmp(key, TG_POP_DOWN_AFTER_KEY) &&
	     tg_parse_u64(val, TG_POP_BEAT_MIN * TG_POP_DOWN_MIN_BEATS,
			  TG_POP_DOWN_AFTER_MAX, &v)) ||
	    (!strcmp(key, "gateway_mac") &&
	     (tg_mac_parse(val, mac) || !tg_mac_unicast(mac)))) {
		bad_add(&im->bad, line, "setting '%s': value '%s' is not valid",
			key, val);
		return 0;
	}
	if (im->nset >= TG_IMPORT_SETTINGS_MAX) {
		bad_add(&im->bad, line, "setting '%s': too many settings rows", key);
		return 0;
	}
	im->set_key[im->nset] = strdup(key);
	im->set_val[im->nset] = strdup(tg_wg_setting_key(key) ? wbuf : val);
	im->set_line[im->nset++] = line;
	return 0;
}

/*
 * What only the whole written picture shows: the heartbeat and the down
 * limit as a pair, the anycast prefixes against every subscriber's. 0, or
 * -EINVAL said (the caller rolls back).
 */
static int imp_settings_fit(struct import *im, const char *path)
{
	struct tg_pop_timing t;
	struct tg_anycast ac;
	char err[256];
	int ret;

	ret = tg_pop_timing_load(im->db, &t, err, sizeof(err));
	if (ret) {
		tg_err("import: %s: settings: %s; nothing imported", path, err);
		return ret;
	}
	ret = tg_anycast_load(im->db, &ac, err, sizeof(err));
	if (!ret && tg_anycast_clash(im->db, &ac, false, err, sizeof(err)))
		ret = -EINVAL;
	if (ret)
		tg_err("import: %s: setting anycast: %s; nothing imported", path,
		       err);
	return ret;
}

static int imp_class_row(struct import *im, unsigned int line, char **cols,
			 char **vals, int n)
{
	char err[256];
	struct tg_class c, *nc;
	unsigned int *nl;
	int i;

	memset(&c, 0, sizeof(c));
	c.burst = 15 * 1024;
	for (i = 0; i < n; i++) {
		if (!*vals[i] || !strcmp(cols[i], "kind"))
			continue;
		if (tg_class_set_field(&c, cols[i], vals[i], err, sizeof(err))) {
			bad_add(&im->bad, line, "class: %s", err);
			return 0;
		}
	}
	if (tg_class_validate(&c, err, sizeof(err))) {
		bad_add(&im->bad, line, "class: %s", err);
		return 0;
	}
	if (imp_class(im, c.name)) {
		bad_add(&im->bad, line, "class '%s': already exists", c.name);
		return 0;
	}
	nc = realloc(im->cls, (im->ncls + 1) * sizeof(*nc));
	nl = realloc(im->cls_line, (im->ncls + 1) * sizeof(*nl));
	if (nc)
		im->cls = nc;
	if (nl)
		im->cls_line = nl;
	if (!nc || !nl)
		return -ENOMEM;
	im->cls[im->ncls] = c;
	im->cls_line[im->ncls++] = line;
	return 0;
}

static int imp_community_row(struct import *im, unsigned int line,
			     char **cols, char **vals, int n)
{
	struct tg_owned_prefix *np;
	struct tg_prefix p;
	const char *v = NULL;
	char err[64];
	int i;

	for (i = 0; i < n; i++) {
		if (!*vals[i] || !strcmp(cols[i], "kind"))
			continue;
		if (strcmp(cols[i], "prefixes") && strcmp(cols[i], "prefix")) {
			bad_add(&im->bad, line, "community: column '%s' does not apply",
				cols[i]);
			return 0;
		}
		v = vals[i];
	}
	if (!v) {
		bad_add(&im->bad, line, "community: no prefix");
		return 0;
	}
	if (tg_prefix_parse(v, &p, err, sizeof(err))) {
		bad_add(&im->bad, line, "community: prefix '%s': %s", v, err);
		return 0;
	}
	np = realloc(im->com, (im->ncom + 1) * sizeof(*np));
	if (!np)
		return -ENOMEM;
	im->com = np;
	im->com[im->ncom].p = p;
	im->com[im->ncom++].owner = line;
	return 0;
}

static int imp_sub_row(struct import *im, unsigned int line, char **cols,
		       char **vals, int n)
{
	struct imp_sub *is;
	char err[256];
	/* remote and local too, but for members: the validation says. */
	bool req[2] = {};
	static const char *const reqn[2] = { "name", "type" };
	int i, j, ret;

	is = imp_sub_new(im, line);
	if (!is)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (!*vals[i] || !strcmp(cols[i], "kind"))
			continue;
		if (!strcmp(cols[i], "scope") || !strcmp(cols[i], "value")) {
			bad_add(&im->bad, line, "subscriber: column '%s' does not apply",
				cols[i]);
			goto bad;
		}
		ret = tg_sub_set_field(&is->s, cols[i], vals[i], err, sizeof(err));
		if (ret == -ENOMEM)
			return ret;
		if (ret) {
			bad_add(&im->bad, line, "subscriber '%s': %s", is->s.name,
				err);
			goto bad;
		}
		for (j = 0; j < 2; j++)
			if (!strcmp(cols[i], reqn[j]))
				req[j] = true;
		if (!strcmp(cols[i], "dp_id"))
			is->has_dp_id = true;
	}
	for (j = 0; j < 2; j++) {
		if (!req[j]) {
			bad_add(&im->bad, line, "subscriber '%s': %s is required",
				is->s.name, reqn[j]);
			goto bad;
		}
	}
	if (tg_sub_validate(&is->s, err, sizeof(err)) ||
	    tg_ifnets_check(im->nets, im->nnets, &is->s, err, sizeof(err))) {
		bad_add(&im->bad, line, "subscriber '%s': %s", is->s.name, err);
		goto bad;
	}
	im->nsubs++;
	return 0;
bad:
	tg_sub_free(&is->s);
	return 0;
}


int do_import(int argc, char **argv)
{
	struct import im = {};
	struct tg_dp_ids ids = {};
	struct tg_sub *dbs = NULL;
	struct tg_prefix *dbcom = NULL;
	struct csv c = {};
	char *hdr[64], *vals[64], *kind;
	const char *path = NULL, *const *f, *nul;
	size_t ndb = 0, ndbcom = 0, i;
	unsigned int line;
	int ncol, n, j, k, ret;
	bool in_txn = false;
	__u64 next;

	for (j = 1; j < argc; j++)
		if (!strcmp(argv[j], "--freeradius"))
			return tg_import_freeradius(argc, argv);
	for (j = 1; j < argc; j++) {
		if (tg_is_help(argv[j]))
			return transfer_help(0, NULL);
		if (tg_take_json(argv[j]))
			continue;
		if (path) {
			tg_err("import: unexpected argument '%s'", argv[j]);
			return -EINVAL;
		}
		path = argv[j];
	}
	if (!path) {
		tg_err("import: missing FILE.csv; try 'tungate import help'");
		return -EINVAL;
	}
	ret = read_all(path, &c.buf, &c.len);
	if (ret) {
		tg_err("import: %s: %s", path, strerror(-ret));
		return ret;
	}
	c.line = 1;
	/* A NUL would end a field early without a word: refuse the file. */
	nul = memchr(c.buf, '\0', c.len);
	if (nul) {
		for (line = 1; nul > c.buf; nul--)
			line += nul[-1] == '\n';
		tg_err("import: %s line %u: a NUL byte; a CSV file holds text only",
		       path, line);
		ret = -EINVAL;
		goto out;
	}
	/* Spreadsheets start UTF-8 files with a byte order mark. */
	if (c.len >= 3 && !memcmp(c.buf, "\xef\xbb\xbf", 3))
		c.pos = 3;
	ncol = csv_next(&c, hdr, 64, &line);
	if (ncol <= 0 || ncol > 64) {
		tg_err("import: %s line 1: %s", path, ncol < 0 ?
		       "malformed quoting" : ncol ? "too many columns" :
		       "empty file: a header row of column names is needed");
		ret = -EINVAL;
		goto out;
	}
	for (j = 0; j < ncol; j++) {
		for (f = tg_sub_fields; *f && strcmp(*f, hdr[j]); f++)
			;
		if (!*f && strcmp(hdr[j], "kind") && strcmp(hdr[j], "scope") &&
		    strcmp(hdr[j], "value") && strcmp(hdr[j], "prefix")) {
			tg_err("import: %s line %u: column '%s': unknown; try 'tungate import help'",
			       path, line, hdr[j]);
			ret = -EINVAL;
			goto out;
		}
		for (k = 0; k < j; k++) {
			if (!strcmp(hdr[k], hdr[j])) {
				tg_err("import: %s line %u: column '%s' appears twice",
				       path, line, hdr[j]);
				ret = -EINVAL;
				goto out;
			}
		}
	}

	ret = tg_ifnets_load(tg_pin_root(), &im.nets, &im.nnets);
	if (ret) {
		tg_err("import: cannot read the interfaces' addresses: %s",
		       strerror(-ret));
		goto out;
	}
	ret = tg_db_open(tg_db_path(), false, &im.db);
	if (ret)
		goto out;
	if (tg_db_begin_write(im.db)) {
		tg_err("import: database busy or not writable: %s",
		       sqlite3_errmsg(im.db));
		ret = -EIO;
		goto out;
	}
	in_txn = true;
	ret = tg_db_sub_list(im.db, false, &dbs, &ndb);
	if (!ret)
		ret = tg_db_class_list(im.db, &im.cls, &im.ncls);
	if (!ret)
		ret = tg_db_community_list(im.db, &dbcom, &ndbcom);
	if (!ret)
		ret = tg_dp_ids_begin(im.db, TG_MAX_SUBS_DEFAULT, &ids);
	if (ret) {
		tg_err("import: cannot read the database %s", tg_db_path());
		goto out;
	}
	im.ndbcls = im.ncls;
	im.cls_line = calloc(im.ncls + 1, sizeof(*im.cls_line));
	im.com = malloc((ndbcom + 1) * sizeof(*im.com));
	if (!im.cls_line || !im.com) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < ndbcom; i++)
		im.com[im.ncom++] = (struct tg_owned_prefix){ dbcom[i], 0 };

	while ((n = csv_next(&c, vals, 64, &line)) != 0) {
		if (n < 0) {
			bad_add(&im.bad, line, "malformed quoting; nothing after it was read");
			break;
		}
		if (n != ncol) {
			bad_add(&im.bad, line, "%d fields, the header has %d", n, ncol);
			continue;
		}
		kind = NULL;
		for (j = 0; j < ncol; j++)
			if (!strcmp(hdr[j], "kind"))
				kind = vals[j];
		if (!kind || !*kind || !strcmp(kind, "sub")) {
			ret = imp_sub_row(&im, line, hdr, vals, ncol);
		} else if (!strcmp(kind, "class")) {
			ret = imp_class_row(&im, line, hdr, vals, ncol);
		} else if (!strcmp(kind, "community")) {
			ret = imp_community_row(&im, line, hdr, vals, ncol);
		} else if (!strcmp(kind, "setting")) {
			const char *key = "", *val = "";

			for (j = 0; j < ncol; j++) {
				if (!strcmp(hdr[j], "name"))
					key = vals[j];
				else if (!strcmp(hdr[j], "value"))
					val = vals[j];
			}
			ret = imp_setting(&im, line, key, val);
			if (!strcmp(key, "next_dp_id") &&
			    !tg_parse_u64(val, 0, UINT32_MAX, &next))
				ids.next = next;
		} else {
			bad_add(&im.bad, line, "kind '%s': must be sub, class, community or setting",
				kind);
			ret = 0;
		}
		if (ret)
			goto out;
	}
	ret = imp_cross(&im, dbs, ndb, &ids);
	if (ret)
		goto out;
	if (im.bad.n) {
		imp_report(&im, path);
		ret = -EINVAL;
		goto out;
	}
	ret = imp_write(&im, &ids);
	if (!ret && imp_settings_fit(&im, path)) {
		ret = -EINVAL;
		goto out;
	}
	if (!ret)
		ret = tg_db_commit(im.db);
	if (ret) {
		tg_err("import: cannot write the database: %s",
		       sqlite3_errmsg(im.db));
		goto out;
	}
	in_txn = false;
	if (tg_opts.json) {
		struct json_writer *w = jsonw_new(stdout);

		if (w) {
			jsonw_start_object(w);
			jsonw_uint_field(w, "subscribers", im.nsubs);
			jsonw_uint_field(w, "classes", im.ncls - im.ndbcls);
			jsonw_uint_field(w, "community", im.ncom - ndbcom);
			jsonw_uint_field(w, "settings", im.nset);
			jsonw_end_object(w);
			jsonw_destroy(&w);
		}
	} else {
		printf("imported %zu subscribers, %zu classes, %zu community prefixes, %d settings; %s\n",
		       im.nsubs, im.ncls - im.ndbcls, im.ncom - ndbcom, im.nset,
		       tg_apply_hint());
	}
out:
	if (in_txn)
		tg_db_rollback(im.db);
	imp_free(&im);
	tg_dp_ids_free(&ids);
	tg_sub_list_free(dbs, ndb);
	free(dbcom);
	tg_db_close(im.db);
	free(c.buf);
	return ret;
}
