// SPDX-License-Identifier: GPL-2.0-only
/*
 * fields suite: walks the subscriber field table. Every field round-trips
 * through text (option, CSV) -> record -> SQL -> record -> text and JSON;
 * values outside a field's range are refused naming the field, and the
 * database stays as it was.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/db.h"
#include "util/json.h"
#include "db_util.h"

static char tmpdir[64];
static sqlite3 *db;

static void setup(void)
{
	struct tg_class gold = { .name = "gold", .down_rate = 1000000,
				 .burst = 65536 };
	char path[128], err[256];

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/tg-test-fields.XXXXXX");
	ck_assert(mkdtemp(tmpdir));
	snprintf(path, sizeof(path), "%s/tungate.db", tmpdir);
	ck_assert_int_eq(tg_db_open(path, true, &db), 0);
	ck_assert_msg(!tg_db_class_add(db, &gold, err, sizeof(err)), "%s", err);
}

static void teardown(void)
{
	char cmd[128];

	tg_db_close(db);
	db = NULL;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

/* A value for each field, in its canonical text, and a type taking it. */
/* Public keys as 'wg pubkey' prints them. */
#define WG_KEY1 "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="
#define WG_KEY2 "HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw="

static const struct {
	const char *field, *type, *value;
} samples[] = {
	{ "name", "gre", "alice.2" },
	{ "enabled", "gre", "off" },
	{ "type", "gretap", "gretap" },
	{ "remote", "gre", "192.0.2.99" },
	{ "local", "gre", "198.51.100.9" },
	{ "key", "gre", "4294967295" },
	{ "tunnel_id", "eoip", "65535" },
	{ "session", "l2tpv3-udp", "4294967295" },
	{ "cookie", "l2tpv3-udp", "0102030405060708" },
	{ "sublayer", "l2tpv3-udp", "none" },
	{ "mtu", "gre", "9000" },
	{ "class", "gre", "gold" },
	{ "down_rate", "gre", "10mbit" },
	{ "up_rate", "gre", "unlimited" },
	{ "burst", "gre", "64k" },
	{ "peer_session", "l2tpv3-udp", "9" },
	{ "peer_tunnel_id", "l2tpv2", "65535" },
	{ "peer_cookie", "l2tpv3-ip", "0a0b0c0d" },
	{ "peer_port", "l2tpv2", "1702" },
	{ "local_port", "l2tpv3-udp", "1703" },
	{ "peer_mac", "eoip", "02:00:5e:00:53:01" },
	{ "gre_csum", "gre", "on" },
	{ "gre_seq", "gretap", "on" },
	{ "df", "gre", "off" },
	{ "ttl", "gre", "30" },
	{ "udp_csum", "l2tpv2", "on" },
	{ "mss_clamp", "gre", "off" },
	{ "ppp_acfc", "l2tpv2", "on" },
	{ "keepalive", "eoip", "3600" },
	{ "dp_id", "gre", "77" },
	{ "prefixes", "gre", "100.64.0.0/24 2001:db8::/48" },
	{ "user", "member", "bob@exo.cat" },
	{ "password", "member", "s3cret, never shown" },
	{ "note", "gre", "a note, with a comma" },
	{ "home_pop", "gre", "bcn-1" },
	{ "public_key", "wireguard", WG_KEY2 },
	{ "listen_port", "wireguard", "51900" },
};

/* A valid subscriber 'sub' of type (with the ids that type needs). */
static void base(struct tg_sub *s, const char *type)
{
	static const char *const kv[][2] = {
		{ "name", "sub" }, { "remote", "192.0.2.10" },
		{ "local", "198.51.100.1" }, { "tunnel_id", "3" },
		{ "session", "4" },
	};
	char err[256];
	unsigned int i, n = 3;

	tg_sub_init(s);
	/* A dial-in member: no tunnel fields, its IPv4 /32. */
	if (!strcmp(type, "member")) {
		ck_assert(!tg_sub_set_field(s, "name", "sub", err, sizeof(err)));
		ck_assert(!tg_sub_set_field(s, "type", "l2tpv2", err, sizeof(err)));
		ck_assert(!tg_sub_set_field(s, "user", "m@exo.cat", err, sizeof(err)));
		ck_assert(!tg_sub_set_field(s, "prefixes", "100.64.9.9/32", err,
					    sizeof(err)));
		ck_assert_msg(!tg_sub_validate(s, err, sizeof(err)), "%s", err);
		return;
	}
	ck_assert(!tg_sub_set_field(s, "type", type, err, sizeof(err)));
	/* WireGuard: a key, no tunnel endpoints. */
	if (!strcmp(type, "wireguard")) {
		ck_assert(!tg_sub_set_field(s, "name", "sub", err, sizeof(err)));
		ck_assert(!tg_sub_set_field(s, "public_key", WG_KEY1, err,
					    sizeof(err)));
		ck_assert_msg(!tg_sub_validate(s, err, sizeof(err)), "%s", err);
		return;
	}
	if (!strcmp(type, "eoip") || !strcmp(type, "l2tpv2"))
		n = 4;
	for (i = 0; i < n; i++)
		ck_assert(!tg_sub_set_field(s, kv[i][0], kv[i][1], err, sizeof(err)));
	if (!strncmp(type, "l2tp", 4))
		ck_assert(!tg_sub_set_field(s, "session", "4", err, sizeof(err)));
	ck_assert_msg(!tg_sub_validate(s, err, sizeof(err)), "%s: %s", type, err);
}

/* The JSON member f->name of s, as written ("true", "12", "\"gre\""). */
static void json_member(const struct tg_sub *s, const struct tg_field *f,
			char *out, size_t len)
{
	struct json_writer *w;
	char key[64], *buf = NULL, *p, *end;
	size_t blen = 0;
	FILE *mf;

	mf = open_memstream(&buf, &blen);
	ck_assert(mf);
	w = jsonw_new(mf);
	jsonw_start_object(w);
	tg_sub_json_fields(w, s);
	jsonw_end_object(w);
	jsonw_destroy(&w);
	fclose(mf);
	snprintf(key, sizeof(key), "\"%s\":", f->name);
	p = strstr(buf, key);
	ck_assert_msg(p, "JSON has no member '%s': %s", f->name, buf);
	p += strlen(key);
	while (*p == ' ')
		p++;
	end = p + strcspn(p, f->kind == TG_FK_PREFIXES ? "]" : ",}\n");
	if (f->kind == TG_FK_PREFIXES)
		end++;
	else if (*p == '"')
		for (end = p + 1; *end && *end != '"'; end++)
			if (*end == '\\')
				end++;
	if (*p == '"')
		end++;
	snprintf(out, len, "%.*s", (int)(end - p), p);
	free(buf);
}

/* What the JSON member of f should be when it holds text v. */
static void json_want(const struct tg_sub *s, const struct tg_field *f,
		      const char *v, char *out, size_t len)
{
	char *p;

	if (tg_sub_field_numeric(f)) {
		snprintf(out, len, "%llu", (unsigned long long)tg_sub_field_num(s, f));
		return;
	}
	switch (f->kind) {
	case TG_FK_BOOL:
		snprintf(out, len, "%s", tg_sub_field_num(s, f) ? "true" : "false");
		break;
	case TG_FK_SECRET:
		/* Whether one is set, never what. */
		snprintf(out, len, "true");
		break;
	case TG_FK_PREFIXES:
		snprintf(out, len, "[\"%s\"]", v);
		p = strchr(out, ' ');
		ck_assert(p);
		memmove(p + 2, p, strlen(p) + 1);
		memcpy(p, "\",\"", 3);
		break;
	default:
		snprintf(out, len, "\"%s\"", v);
	}
}

static const char *sample_of(const char *field, const char **type)
{
	unsigned int i;

	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		if (!strcmp(samples[i].field, field)) {
			*type = samples[i].type;
			return samples[i].value;
		}
	}
	return NULL;
}

/* Every field: text -> record -> database -> record -> text and JSON. */
START_TEST(test_roundtrip)
{
	char err[256], got[TG_FIELD_MAX], want[TG_FIELD_MAX], a[TG_FIELD_MAX];
	const char *v, *shown, *type = "gre";
	const struct tg_field *f, *g;
	struct tg_sub s, r, t;

	for (f = tg_sub_field_table; f < tg_sub_field_table + tg_sub_nfields; f++) {
		v = sample_of(f->name, &type);
		ck_assert_msg(v, "field '%s' has no sample value", f->name);
		base(&s, type);
		ck_assert_msg(!tg_sub_field_set(&s, f, v, err, sizeof(err)),
			      "%s=%s: %s", f->name, v, err);
		tg_sub_field_format(&s, f, got, sizeof(got));
		/* A secret is never written out: export leaves it empty. */
		shown = f->kind == TG_FK_SECRET ? "" : v;
		ck_assert_msg(!strcmp(got, shown), "%s: text '%s', want '%s'",
			      f->name, got, shown);
		/* CSV: import of the exported text gives the same record. */
		base(&t, type);
		ck_assert(!tg_sub_field_set(&t, f, got, err, sizeof(err)));
		tg_sub_field_format(&t, f, a, sizeof(a));
		ck_assert_str_eq(a, shown);
		tg_sub_free(&t);
		json_member(&s, f, got, sizeof(got));
		json_want(&s, f, v, want, sizeof(want));
		ck_assert_msg(!strcmp(got, want), "%s: JSON %s, want %s", f->name,
			      got, want);

		/* Through SQL: every field reads back as it was written. */
		ck_assert_msg(!tg_db_sub_add(db, &s, err, sizeof(err)), "%s: %s",
			      f->name, err);
		ck_assert_int_eq(tg_db_sub_get(db, s.name, &r), 0);
		for (g = tg_sub_field_table; g < tg_sub_field_table + tg_sub_nfields; g++) {
			tg_sub_field_format(&s, g, a, sizeof(a));
			tg_sub_field_format(&r, g, got, sizeof(got));
			ck_assert_msg(!strcmp(a, got), "%s: after SQL %s '%s', want '%s'",
				      f->name, g->name, got, a);
		}
		if (strcmp(f->name, "dp_id")) {
			tg_sub_field_format(&r, f, got, sizeof(got));
			ck_assert_str_eq(got, shown);
		}
		if (f->kind == TG_FK_SECRET)
			ck_assert_str_eq(r.password, v);
		ck_assert_int_eq(tg_db_sub_del(db, s.name), 0);
		tg_sub_free(&r);
		tg_sub_free(&s);
	}
}
END_TEST

/* Optional fields: 'none' clears them, and they read back unset. */
START_TEST(test_clear)
{
	const struct tg_field *f;
	char err[256], got[TG_FIELD_MAX];
	const char *v, *type = "gre";
	struct tg_sub s, r;

	for (f = tg_sub_field_table; f < tg_sub_field_table + tg_sub_nfields; f++) {
		if (f->has == TG_F_NONE && f->kind != TG_FK_CLASS &&
		    f->kind != TG_FK_POP)
			continue;
		v = sample_of(f->name, &type);
		base(&s, type);
		ck_assert(!tg_sub_field_set(&s, f, v, err, sizeof(err)));
		ck_assert(tg_sub_field_isset(&s, f));
		ck_assert_msg(!tg_sub_field_set(&s, f, "none", err, sizeof(err)),
			      "%s: %s", f->name, err);
		ck_assert_msg(!tg_sub_field_isset(&s, f), "%s still set", f->name);
		json_member(&s, f, got, sizeof(got));
		ck_assert_msg(!strcmp(got, "null"), "%s: JSON %s", f->name, got);
		/* Through SQL where the type does not require the field. */
		if (tg_db_sub_add(db, &s, err, sizeof(err))) {
			ck_assert_msg(strstr(err, "is required"), "%s", err);
			tg_sub_free(&s);
			continue;
		}
		ck_assert_int_eq(tg_db_sub_get(db, s.name, &r), 0);
		ck_assert_msg(!tg_sub_field_isset(&r, f), "%s: set after SQL", f->name);
		ck_assert_int_eq(tg_db_sub_del(db, s.name), 0);
		tg_sub_free(&r);
		tg_sub_free(&s);
	}
}
END_TEST

/*
 * Numbers just outside a field's range: refused when set (or, where the
 * type limits the field, when the record is checked), the message naming
 * the option; a record holding such a value is not written.
 */
START_TEST(test_out_of_range)
{
	char err[256], opt[32], txt[32], *before, *after;
	const struct tg_field *f;
	const char *type = "gre";
	struct tg_sub s;
	__u64 bad[2];
	unsigned int i, n;
	int ret;

	for (f = tg_sub_field_table; f < tg_sub_field_table + tg_sub_nfields; f++) {
		if (!tg_sub_field_numeric(f))
			continue;
		n = 0;
		if (f->min > 0)
			bad[n++] = f->min - 1;
		if (f->max < UINT32_MAX || f->kind == TG_FK_RATE ||
		    f->kind == TG_FK_SIZE)
			bad[n++] = f->max + 1;
		tg_sub_field_opt(f, opt, sizeof(opt));
		sample_of(f->name, &type);
		for (i = 0; i < n; i++) {
			if (f->has == TG_F_ZERO && !bad[i])
				continue;	/* 0 means unset */
			base(&s, type);
			snprintf(txt, sizeof(txt), "%llu", (unsigned long long)bad[i]);
			err[0] = '\0';
			ret = tg_sub_field_set(&s, f, txt, err, sizeof(err));
			if (!ret)
				ret = tg_sub_validate(&s, err, sizeof(err));
			if (f->kind != TG_FK_RATE && f->kind != TG_FK_SIZE)
				ck_assert_msg(ret == -EINVAL && strstr(err, opt) &&
					      strstr(err, "out of range"),
					      "%s=%s: %d '%s'", f->name, txt, ret, err);
			else
				ck_assert_msg(ret == -EINVAL && strstr(err, opt),
					      "%s=%s: %d '%s'", f->name, txt, ret, err);
			tg_sub_free(&s);

			/* The value put into the record directly. */
			base(&s, type);
			if (!strcmp(f->name, "burst"))
				s.mtu = 576;
			ck_assert(!tg_sub_field_set(&s, f,
				  sample_of(f->name, &type), err, sizeof(err)));
			if (f->has >= 0)
				*(bool *)((char *)&s + f->has) = true;
			switch (f->kind) {
			case TG_FK_U8:
				if (bad[i] > UINT8_MAX)
					goto next;
				*(__u8 *)((char *)&s + f->off) = bad[i];
				break;
			case TG_FK_U16:
				if (bad[i] > UINT16_MAX)
					goto next;
				*(__u16 *)((char *)&s + f->off) = bad[i];
				break;
			case TG_FK_U32:
				*(__u32 *)((char *)&s + f->off) = bad[i];
				break;
			default:
				*(__u64 *)((char *)&s + f->off) = bad[i];
			}
			before = tg_test_db_snapshot(db);
			err[0] = '\0';
			ck_assert_msg(tg_db_sub_add(db, &s, err, sizeof(err)) == -EINVAL &&
				      strstr(err, opt), "%s=%s direct: '%s'",
				      f->name, txt, err);
			after = tg_test_db_snapshot(db);
			ck_assert_str_eq(before, after);
			free(before);
			free(after);
next:
			tg_sub_free(&s);
		}
	}
}
END_TEST

/*
 * A row that does not read names the field and its value: every reader
 * (list, sync, check) refuses a number outside the table's range rather
 * than cut it to its member.
 */
START_TEST(test_bad_row)
{
	static const struct {
		const char *sql, *why;
		int schema;	/* the schema's CHECKs refuse it too */
	} bad[] = {
		{ "UPDATE subscriber SET type = 'vxlan'", "--type 'vxlan': unknown", 1 },
		{ "UPDATE subscriber SET remote = '192.0.2'",
		  "--remote '192.0.2': not an IPv4 address", 0 },
		{ "UPDATE subscriber SET local = ''", "--local is required", 1 },
		{ "UPDATE subscriber SET cookie = 'xyz'", "--cookie 'xyz'", 1 },
		{ "UPDATE subscriber SET peer_mac = '02:00'", "--peer-mac '02:00'", 1 },
		{ "UPDATE subscriber SET peer_port = 70000",
		  "--peer-port '70000': out of range 1..65535", 1 },
		{ "UPDATE subscriber SET mtu = 100000",
		  "--mtu '100000': out of range 576..9000", 1 },
		{ "UPDATE subscriber SET session_id = -1",
		  "--session '-1': out of range 1..4294967295", 1 },
	};
	char err[256];
	struct tg_sub s;
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		base(&s, "l2tpv3-ip");
		ck_assert(!tg_db_sub_add(db, &s, err, sizeof(err)));
		tg_sub_free(&s);
		ck_assert_int_eq(tg_test_db_plant(db, bad[i].sql), bad[i].schema);
		err[0] = '\0';
		ck_assert_int_eq(tg_db_check_subs(db, 1024, err, sizeof(err)), 1);
		ck_assert_msg(strstr(err, bad[i].why), "'%s', want '%s'", err,
			      bad[i].why);
		ck_assert_int_eq(tg_db_exec(db, "DELETE FROM subscriber"), 0);
	}
}
END_TEST

/* The SQL text has one column and one parameter per column field. */
START_TEST(test_sql_text)
{
	char sql[TG_SUB_SQL_MAX], want[64];
	const struct tg_field *f;
	int k = 0;

	ck_assert_int_eq(tg_sub_sql(TG_SQL_UPDATE, sql, sizeof(sql)), 0);
	for (f = tg_sub_field_table; f < tg_sub_field_table + tg_sub_nfields; f++) {
		if (!f->column)
			continue;
		snprintf(want, sizeof(want), "%s%s = ?%d", k ? ", " : "SET ",
			 f->column, k + 1);
		ck_assert_msg(strstr(sql, want), "%s: no '%s'", sql, want);
		k++;
	}
	ck_assert_int_eq(k, tg_sub_ncolumns());
	snprintf(want, sizeof(want), " WHERE id = ?%d", k + 1);
	ck_assert(strstr(sql, want));
	ck_assert_int_eq(tg_sub_sql(TG_SQL_INSERT, sql, 64), -ENOSPC);
}
END_TEST

/* The class table: every field text -> record -> SQL -> record -> text. */
START_TEST(test_class_roundtrip)
{
	static const struct {
		const char *field, *value, *bad, *why;
	} cs[] = {
		{ "name", "silver.1", "", NULL },
		{ "down_rate", "10mbit", "0", "--down-rate '0': zero" },
		{ "up_rate", "unlimited", "10mb", "--up-rate '10mb': not a rate" },
		{ "burst", "64k", "1q", "--burst '1q': not a size" },
		{ "scope", "community", "moon", "--scope 'moon': must be" },
	};
	const struct tg_class_field *f;
	char err[256], got[64];
	struct tg_class c, r;
	unsigned int i;

	ck_assert_uint_eq(tg_class_nfields, sizeof(cs) / sizeof(cs[0]));
	memset(&c, 0, sizeof(c));
	for (i = 0; i < tg_class_nfields; i++) {
		f = tg_class_field(cs[i].field);
		ck_assert_msg(f, "no class field '%s'", cs[i].field);
		ck_assert_msg(!tg_class_field_set(&c, f, cs[i].value, err, sizeof(err)),
			      "%s: %s", cs[i].field, err);
		if (cs[i].why) {
			memset(&r, 0, sizeof(r));
			ck_assert_int_eq(tg_class_field_set(&r, f, cs[i].bad, err,
							    sizeof(err)), -EINVAL);
			ck_assert_msg(strstr(err, cs[i].why), "'%s', want '%s'", err,
				      cs[i].why);
		}
	}
	ck_assert_int_eq(tg_class_set_field(&c, "colour", "red", err, sizeof(err)),
			 -ENOENT);
	ck_assert_msg(!tg_db_class_add(db, &c, err, sizeof(err)), "%s", err);
	ck_assert_int_eq(tg_db_class_get(db, "silver.1", &r), 0);
	for (i = 0; i < tg_class_nfields; i++) {
		tg_class_field_format(&r, &tg_class_field_table[i], got, sizeof(got));
		ck_assert_msg(!strcmp(got, cs[i].value), "%s: '%s', want '%s'",
			      cs[i].field, got, cs[i].value);
	}
}
END_TEST

/* WireGuard keys: base64 of 32 bytes in the one form 'wg' writes. */
START_TEST(test_wg_key)
{
	static const char *const bad[] = {
		"", "abc", WG_KEY1 "A", "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg",
		"xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dh=",	/* spare bits */
		"xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8D==",
		"xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8D!=",
	};
	char back[TG_WG_KEY_B64 + 1], err[256];
	struct tg_sub s, t;
	struct tg_tun_key a, b;
	__u8 key[32];
	unsigned int i;

	ck_assert_int_eq(tg_wg_key_parse(WG_KEY1, key), 0);
	tg_wg_key_format(key, back);
	ck_assert_str_eq(back, WG_KEY1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(tg_wg_key_parse(bad[i], key) == -EINVAL, "'%s'", bad[i]);
	/* Refused with its reason by the record's checks. */
	base(&s, "wireguard");
	ck_assert(!tg_sub_set_field(&s, "public_key", bad[4], err, sizeof(err)));
	ck_assert_int_eq(tg_sub_validate(&s, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "not a WireGuard key"), "%s", err);
	/* An endpoint is an address and a port, or nothing. */
	base(&s, "wireguard");
	ck_assert(!tg_sub_set_field(&s, "remote", "192.0.2.7:51821", err, sizeof(err)));
	ck_assert(s.has_peer_port && s.peer_port == 51821);
	ck_assert_msg(!tg_sub_validate(&s, err, sizeof(err)), "%s", err);
	ck_assert(!tg_sub_set_field(&s, "remote", "none", err, sizeof(err)));
	ck_assert(!s.remote && !s.has_peer_port);
	ck_assert(!tg_sub_set_field(&s, "remote", "192.0.2.7", err, sizeof(err)));
	ck_assert_int_eq(tg_sub_validate(&s, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(tg_sub_set_field(&s, "remote", "192.0.2.7:70000", err,
					  sizeof(err)), -EINVAL);
	ck_assert(!tg_sub_set_field(&s, "local", "198.51.100.1", err, sizeof(err)));
	ck_assert_int_eq(tg_sub_validate(&s, err, sizeof(err)), -EINVAL);
	/* Identities differ by key, whatever the endpoints. */
	base(&s, "wireguard");
	base(&t, "wireguard");
	ck_assert(!tg_sub_set_field(&t, "public_key", WG_KEY2, err, sizeof(err)));
	tg_sub_tun_key(&s, &a);
	tg_sub_tun_key(&t, &b);
	ck_assert(memcmp(&a, &b, sizeof(a)));
	/* The key is for wireguard only. */
	base(&t, "gre");
	ck_assert(!tg_sub_set_field(&t, "public_key", WG_KEY2, err, sizeof(err)));
	ck_assert_int_eq(tg_sub_validate(&t, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "--public-key is not valid for type gre"), "%s", err);
}
END_TEST

/* A WireGuard endpoint of IPv6: [ADDR]:PORT, stored bare, text and back. */
START_TEST(test_wg_endpoint6)
{
	static const char *const bad[] = {
		"[2001:db8::1]", "[2001:db8::1]:", "[2001:db8::1]:0",
		"[2001:db8::1]:65536", "[2001:db8::1]:x", "[2001:db8::g]:1",
		"[2001:db8::1:51820", "[]:51820", "2001:db8:::1",
		"[192.0.2.1]:51820",
	};
	char err[256], buf[TG_FIELD_MAX];
	struct tg_sub s, t;
	unsigned int i;

	base(&s, "wireguard");
	ck_assert_msg(!tg_sub_set_field(&s, "remote", "[2001:DB8::7]:51821", err,
					sizeof(err)), "%s", err);
	ck_assert(s.has_remote6 && !s.remote && s.has_peer_port &&
		  s.peer_port == 51821);
	ck_assert_uint_eq(s.remote6[0], 0x20);
	ck_assert_uint_eq(s.remote6[15], 7);
	ck_assert_msg(!tg_sub_validate(&s, err, sizeof(err)), "%s", err);
	tg_sub_field_text(&s, "remote", buf, sizeof(buf));
	ck_assert_str_eq(buf, "2001:db8::7");
	/* Back from the column's text, the port from its own. */
	base(&t, "wireguard");
	ck_assert(!tg_sub_set_field(&t, "remote", buf, err, sizeof(err)));
	ck_assert(t.has_remote6 && !memcmp(t.remote6, s.remote6, 16));
	/* IPv4 again: the IPv6 one is gone. */
	ck_assert(!tg_sub_set_field(&s, "remote", "192.0.2.7:51820", err,
				    sizeof(err)));
	ck_assert(!s.has_remote6 && s.remote);
	ck_assert(!tg_sub_set_field(&s, "remote", "[2001:db8::7]:51820", err,
				    sizeof(err)));
	ck_assert(s.has_remote6 && !s.remote);
	ck_assert(!tg_sub_set_field(&s, "remote", "none", err, sizeof(err)));
	ck_assert(!s.has_remote6 && !s.has_peer_port);
	tg_sub_field_text(&s, "remote", buf, sizeof(buf));
	ck_assert_str_eq(buf, "");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		base(&s, "wireguard");
		ck_assert_msg(tg_sub_set_field(&s, "remote", bad[i], err,
					       sizeof(err)) == -EINVAL ||
			      tg_sub_validate(&s, err, sizeof(err)) == -EINVAL,
			      "'%s' taken", bad[i]);
		ck_assert_msg(strstr(err, "--remote"), "%s: %s", bad[i], err);
	}
	/* Not unicast; the prefix holding it; IPv6 for wireguard only. */
	base(&s, "wireguard");
	ck_assert(!tg_sub_set_field(&s, "remote", "[ff02::1]:51820", err,
				    sizeof(err)));
	ck_assert_int_eq(tg_sub_validate(&s, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "reserved range ff00::/8"), "%s", err);
	base(&s, "wireguard");
	ck_assert(!tg_sub_set_field(&s, "remote", "[2001:db8:5::1]:51820", err,
				    sizeof(err)));
	ck_assert(!tg_sub_set_field(&s, "prefixes", "2001:db8:5::/48", err,
				    sizeof(err)));
	ck_assert_int_eq(tg_sub_validate(&s, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "own tunnel endpoint 2001:db8:5::1"), "%s", err);
	tg_sub_free(&s);
	base(&s, "gre");
	ck_assert(!tg_sub_set_field(&s, "remote", "2001:db8::1", err, sizeof(err)));
	ck_assert_int_eq(tg_sub_validate(&s, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "'2001:db8::1': not an IPv4 address (type gre; an IPv6 endpoint is for type wireguard only)"),
		      "%s", err);
	tg_sub_free(&s);
	tg_sub_free(&t);
}
END_TEST

Suite *fields_suite(void)
{
	Suite *s = suite_create("fields");
	TCase *tc = tcase_create("fields");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_clear);
	tcase_add_test(tc, test_out_of_range);
	tcase_add_test(tc, test_bad_row);
	tcase_add_test(tc, test_sql_text);
	tcase_add_test(tc, test_class_roundtrip);
	tcase_add_test(tc, test_wg_key);
	tcase_add_test(tc, test_wg_endpoint6);
	suite_add_tcase(s, tc);
	return s;
}
