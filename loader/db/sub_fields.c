// SPDX-License-Identifier: GPL-2.0-only
/*
 * The subscriber field table expanded: parsing, text, JSON, SQL binds and
 * rows, ranges and help, one function per use and one case per kind.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "util/fmt.h"
#include "db/sub.h"
#include "util/cli.h"
#include "util/json.h"
#include "util/log.h"

#define X(n, col, kind, m, has, lo, hi, fl, grp, a, h)			\
	{ n, col, TG_FK_##kind, offsetof(struct tg_sub, m), has, lo, hi, fl, \
	  grp, a, h },
const struct tg_field tg_sub_field_table[] = { TG_SUB_FIELDS(X) };
#undef X

#define X(n, ...) n,
const char *const tg_sub_fields[] = { TG_SUB_FIELDS(X) NULL };
#undef X

const size_t tg_sub_nfields =
	sizeof(tg_sub_field_table) / sizeof(tg_sub_field_table[0]);

const struct tg_field *tg_sub_field(const char *name)
{
	size_t i;

	if (!strcmp(name, "prefix"))
		name = "prefixes";
	for (i = 0; i < tg_sub_nfields; i++)
		if (!strcmp(tg_sub_field_table[i].name, name))
			return &tg_sub_field_table[i];
	return NULL;
}

/* The member and its flag. */
#define FV(s, f, t) ((t *)((char *)(s) + (f)->off))
#define FC(s, f, t) ((const t *)((const char *)(s) + (f)->off))

static bool *tg_field_has(struct tg_sub *s, const struct tg_field *f)
{
	return f->has >= 0 ? (bool *)((char *)s + f->has) : NULL;
}

/* The field remote, which holds an IPv6 endpoint in remote6. */
static bool tg_field_is_remote(const struct tg_field *f)
{
	return f->off == offsetof(struct tg_sub, remote);
}

/* Whether an optional field holds a value (always for the others). */
bool tg_sub_field_isset(const struct tg_sub *s, const struct tg_field *f)
{
	if (tg_field_is_remote(f) && s->has_remote6)
		return true;
	if (f->kind == TG_FK_COOKIE)
		return *((const __u8 *)s + f->has) != 0;
	if (f->has >= 0)
		return *(const bool *)((const char *)s + f->has);
	if (f->has == TG_F_ZERO)
		return tg_sub_field_num(s, f) != 0;
	switch (f->kind) {
	case TG_FK_TEXT:
	case TG_FK_SECRET:
	case TG_FK_CLASS:
	case TG_FK_POP:
		return *FC(s, f, char) != '\0';
	case TG_FK_SUBLAYER:
		return s->type == TG_TUN_L2TPV3_IP || s->type == TG_TUN_L2TPV3_UDP;
	default:
		return true;
	}
}

__u64 tg_sub_field_num(const struct tg_sub *s, const struct tg_field *f)
{
	switch (f->kind) {
	case TG_FK_BOOL:
	case TG_FK_SUBLAYER:
		return *FC(s, f, bool);
	case TG_FK_U8:
		return *FC(s, f, __u8);
	case TG_FK_U16:
		return *FC(s, f, __u16);
	case TG_FK_U32:
		return *FC(s, f, __u32);
	case TG_FK_RATE:
	case TG_FK_SIZE:
		return *FC(s, f, __u64);
	case TG_FK_IP4:
		return *FC(s, f, __be32);
	default:
		return 0;
	}
}

static void tg_field_set_num(struct tg_sub *s, const struct tg_field *f,
			     __u64 v)
{
	switch (f->kind) {
	case TG_FK_BOOL:
	case TG_FK_SUBLAYER:
		*FV(s, f, bool) = v;
		break;
	case TG_FK_U8:
		*FV(s, f, __u8) = v;
		break;
	case TG_FK_U16:
		*FV(s, f, __u16) = v;
		break;
	case TG_FK_U32:
		*FV(s, f, __u32) = v;
		break;
	case TG_FK_RATE:
	case TG_FK_SIZE:
		*FV(s, f, __u64) = v;
		break;
	case TG_FK_IP4:
		*FV(s, f, __be32) = v;
		break;
	default:
		break;
	}
}

bool tg_sub_field_numeric(const struct tg_field *f)
{
	return f->kind == TG_FK_U8 || f->kind == TG_FK_U16 ||
	       f->kind == TG_FK_U32 || f->kind == TG_FK_RATE ||
	       f->kind == TG_FK_SIZE;
}

/* CLI spelling of a field for messages: "--tunnel-id". */
const char *tg_sub_field_opt(const struct tg_field *f, char *buf, size_t len)
{
	size_t i;

	snprintf(buf, len, "--%s", f->kind == TG_FK_PREFIXES ? "prefix" :
		 f->name);
	for (i = 0; buf[i]; i++)
		if (buf[i] == '_')
			buf[i] = '-';
	return buf;
}

static void tg_hex(const __u8 *b, unsigned int n, char *out)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	out[2 * n] = '\0';
}

static int tg_unhex(const char *s, __u8 *b, __u8 *n)
{
	size_t len = strlen(s), i;
	unsigned int v;

	if (len != 8 && len != 16)
		return -EINVAL;
	for (i = 0; i < len / 2; i++) {
		if (!isxdigit((unsigned char)s[2 * i]) ||
		    !isxdigit((unsigned char)s[2 * i + 1]) ||
		    sscanf(s + 2 * i, "%2x", &v) != 1)
			return -EINVAL;
		b[i] = v;
	}
	*n = len / 2;
	return 0;
}

static int tg_parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "on", "yes", "1", "true", "enabled" };
	static const char *const no[] = { "off", "no", "0", "false", "disabled" };
	unsigned int i;

	for (i = 0; i < 5; i++) {
		if (!strcasecmp(v, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(v, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

static bool tg_is_none(const char *v)
{
	return !*v || !strcmp(v, "none");
}

/* Clear an optional field ('none'). */
static void tg_field_clear(struct tg_sub *s, const struct tg_field *f)
{
	bool *has = tg_field_has(s, f);

	if (f->kind == TG_FK_COOKIE) {
		*((__u8 *)s + f->has) = 0;
		return;
	}
	if (has)
		*has = false;
	if (tg_field_is_remote(f))
		s->has_remote6 = false;
	if (f->kind == TG_FK_MAC)
		memset(FV(s, f, __u8), 0, 6);
	else if (f->kind == TG_FK_CLASS || f->kind == TG_FK_POP ||
		 f->kind == TG_FK_TEXT || f->kind == TG_FK_SECRET)
		*FV(s, f, char) = '\0';
	else
		tg_field_set_num(s, f, 0);
}

static bool tg_field_optional(const struct tg_field *f)
{
	return f->has != TG_F_NONE || f->kind == TG_FK_CLASS ||
	       f->kind == TG_FK_POP;
}

/*
 * --remote ADDR:PORT or [IPV6]:PORT: the address and the peer port at once
 * (a WireGuard member's pinned endpoint; tg_sub_validate() refuses it
 * elsewhere). A bare IPv6 address (the database's column) sets remote6.
 */
static int tg_field_set_endpoint(struct tg_sub *s, const char *v,
				 const char *opt, char *err, size_t errlen)
{
	const char *colon = strrchr(v, ':'), *a = v;
	char addr[INET6_ADDRSTRLEN], *end;
	__u8 a6[16];
	unsigned long port;
	size_t n;
	bool six;

	six = v[0] == '[';
	if (!six && strchr(v, ':') != colon) {
		/* Bare IPv6: no port. */
		if (inet_pton(AF_INET6, v, a6) != 1) {
			snprintf(err, errlen, "%s '%s': not an IPv6 address (an endpoint: [IPV6]:PORT)",
				 opt, v);
			return -EINVAL;
		}
		s->remote = 0;
		s->has_remote6 = true;
		memcpy(s->remote6, a6, 16);
		return 0;
	}
	if (six) {
		a = v + 1;
		if (colon <= v || colon[-1] != ']') {
			snprintf(err, errlen, "%s '%s': not [IPV6]:PORT", opt, v);
			return -EINVAL;
		}
	}
	n = colon - a - six;
	if (n >= sizeof(addr)) {
		snprintf(err, errlen, "%s '%s': not an %s address", opt, v,
			 six ? "IPv6" : "IPv4");
		return -EINVAL;
	}
	memcpy(addr, a, n);
	addr[n] = '\0';
	if (six ? inet_pton(AF_INET6, addr, a6) != 1 :
	    tg_ip4_parse(addr, &s->remote) != 0) {
		snprintf(err, errlen, "%s '%s': not an %s address", opt, v,
			 six ? "IPv6" : "IPv4");
		return -EINVAL;
	}
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (!colon[1] || *end || errno || !isdigit((unsigned char)colon[1]) ||
	    port < 1 || port > 65535) {
		snprintf(err, errlen, "%s '%s': port out of range 1..65535",
			 opt, v);
		return -EINVAL;
	}
	s->has_remote6 = six;
	if (six) {
		s->remote = 0;
		memcpy(s->remote6, a6, 16);
	}
	s->has_peer_port = true;
	s->peer_port = port;
	return 0;
}

static int tg_field_set_prefixes(struct tg_sub *s, const char *v, char *err,
				 size_t errlen)
{
	char e2[64], *copy, *tok, *save;
	struct tg_prefix p;
	int ret = 0;

	copy = strdup(v);
	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, " ,", &save); tok && !ret;
	     tok = strtok_r(NULL, " ,", &save)) {
		ret = tg_prefix_parse(tok, &p, e2, sizeof(e2));
		if (ret)
			snprintf(err, errlen, "--prefix '%s': %s", tok, e2);
		else
			ret = tg_sub_add_prefix(s, &p);
	}
	free(copy);
	return ret;
}

/* Numbers: in the field's range, or 'none' for an optional one. */
static int tg_field_set_int(struct tg_sub *s, const struct tg_field *f,
			    const char *v, const char *opt, char *err,
			    size_t errlen)
{
	bool *has = tg_field_has(s, f);
	__u64 n, min = f->min, max = f->max;
	int ret;

	if (tg_field_optional(f) && (tg_is_none(v) ||
	    ((f->has == TG_F_ZERO || f->flags & TG_FF_DEFAULT) &&
	     !strcmp(v, "default")))) {
		tg_field_clear(s, f);
		return 0;
	}
	if (f->flags & TG_FF_TYPED) {
		min = 0;
		max = f->kind == TG_FK_U32 ? UINT32_MAX :
		      f->kind == TG_FK_U16 ? UINT16_MAX : UINT8_MAX;
	}
	ret = tg_parse_u64(v, min, max, &n);
	if (ret == -ERANGE) {
		snprintf(err, errlen, "%s '%s': out of range %llu..%llu", opt, v,
			 (unsigned long long)min, (unsigned long long)max);
		return -EINVAL;
	}
	if (ret) {
		snprintf(err, errlen, "%s '%s': not a number", opt, v);
		return -EINVAL;
	}
	tg_field_set_num(s, f, n);
	if (has)
		*has = true;
	return 0;
}

int tg_sub_field_set(struct tg_sub *s, const struct tg_field *f,
		     const char *v, char *err, size_t errlen)
{
	bool *has = tg_field_has(s, f), b;
	char opt[32], e2[64];
	__u64 n;
	int ret;

	tg_sub_field_opt(f, opt, sizeof(opt));
	switch (f->kind) {
	case TG_FK_NAME:
		if (strlen(v) > f->max) {
			snprintf(err, errlen, "%s '%s': longer than %llu characters",
				 f->name, v, (unsigned long long)f->max);
			return -EINVAL;
		}
		snprintf(FV(s, f, char), f->max + 1, "%s", v);
		return 0;
	case TG_FK_TEXT:
	case TG_FK_SECRET:
		if (strlen(v) > f->max) {
			snprintf(err, errlen, "%s: longer than %llu characters",
				 opt, (unsigned long long)f->max);
			return -EINVAL;
		}
		snprintf(FV(s, f, char), f->max + 1, "%s", v);
		return 0;
	case TG_FK_CLASS:
	case TG_FK_POP:
		if (tg_is_none(v)) {
			tg_field_clear(s, f);
			return 0;
		}
		if (strlen(v) > f->max ||
		    tg_name_validate(v, e2, sizeof(e2))) {
			snprintf(err, errlen, "%s '%s': not a valid %s name: %s",
				 opt, v, f->kind == TG_FK_POP ? "POP" : "class",
				 e2);
			return -EINVAL;
		}
		snprintf(FV(s, f, char), f->max + 1, "%s", v);
		return 0;
	case TG_FK_BOOL:
		if (!tg_parse_bool(v, &b)) {
			*FV(s, f, bool) = b;
			return 0;
		}
		snprintf(err, errlen, "%s '%s': must be 'on' or 'off'", opt, v);
		return -EINVAL;
	case TG_FK_SUBLAYER:
		if (strcmp(v, "default") && strcmp(v, "none")) {
			snprintf(err, errlen, "%s '%s': must be 'default' or 'none'",
				 opt, v);
			return -EINVAL;
		}
		*FV(s, f, bool) = !strcmp(v, "default");
		return 0;
	case TG_FK_TYPE:
		*FV(s, f, enum tg_tunnel_type) = tg_tun_type_parse(v);
		if (*FV(s, f, enum tg_tunnel_type) != TG_TUN_NONE)
			return 0;
		snprintf(err, errlen,
			 "%s '%s': unknown; one of ipip sit gre gretap eoip l2tpv3-ip l2tpv3-udp l2tpv2 wireguard",
			 opt, v);
		return -EINVAL;
	case TG_FK_IP4:
		if (tg_field_optional(f) && tg_is_none(v)) {
			tg_field_clear(s, f);
			/* A WireGuard endpoint goes as a whole: learnt again. */
			if (tg_field_is_remote(f) && s->type == TG_TUN_WIREGUARD)
				s->has_peer_port = false;
			return 0;
		}
		if (tg_field_is_remote(f) && strchr(v, ':'))
			return tg_field_set_endpoint(s, v, opt, err, errlen);
		if (!tg_ip4_parse(v, FV(s, f, __be32))) {
			if (tg_field_is_remote(f))
				s->has_remote6 = false;
			return 0;
		}
		snprintf(err, errlen, "%s '%s': not an IPv4 address", opt, v);
		return -EINVAL;
	case TG_FK_U8:
	case TG_FK_U16:
	case TG_FK_U32:
		return tg_field_set_int(s, f, v, opt, err, errlen);
	case TG_FK_RATE:
	case TG_FK_SIZE:
		if (tg_is_none(v)) {
			tg_field_clear(s, f);
			return 0;
		}
		ret = f->kind == TG_FK_RATE ?
			tg_rate_parse_opt(opt, v, &n, err, errlen) :
			tg_size_parse_opt(opt, v, &n, err, errlen);
		if (ret)
			return ret;
		*FV(s, f, __u64) = n;
		*has = true;
		return 0;
	case TG_FK_COOKIE:
		if (tg_is_none(v)) {
			tg_field_clear(s, f);
			return 0;
		}
		if (!tg_unhex(v, FV(s, f, __u8), (__u8 *)s + f->has))
			return 0;
		snprintf(err, errlen, "%s '%s': must be 8 or 16 hex digits", opt, v);
		return -EINVAL;
	case TG_FK_MAC:
		if (tg_is_none(v)) {
			tg_field_clear(s, f);
			return 0;
		}
		if (!tg_mac_parse(v, FV(s, f, __u8))) {
			*has = true;
			return 0;
		}
		snprintf(err, errlen, "%s '%s': not a MAC address like 02:00:5e:00:53:01",
			 opt, v);
		return -EINVAL;
	case TG_FK_PREFIXES:
		return tg_field_set_prefixes(s, v, err, errlen);
	}
	return -EINVAL;
}

int tg_sub_set_field(struct tg_sub *s, const char *name, const char *v,
		     char *err, size_t errlen)
{
	const struct tg_field *f = tg_sub_field(name);

	if (!f) {
		snprintf(err, errlen, "unknown field '%s'", name);
		return -ENOENT;
	}
	return tg_sub_field_set(s, f, v, err, errlen);
}

char *tg_sub_prefixes_text(const struct tg_sub *s)
{
	char *buf = malloc(s->nprefix * TG_PREFIX_STRLEN + 1), *p;
	unsigned int i;

	if (!buf)
		return NULL;
	p = buf;
	*p = '\0';
	for (i = 0; i < s->nprefix; i++) {
		if (i)
			*p++ = ' ';
		tg_prefix_format(&s->prefix[i], p, TG_PREFIX_STRLEN);
		p += strlen(p);
	}
	return buf;
}

void tg_sub_field_format(const struct tg_sub *s, const struct tg_field *f,
			 char *buf, size_t len)
{
	buf[0] = '\0';
	if (!tg_sub_field_isset(s, f))
		return;
	switch (f->kind) {
	case TG_FK_NAME:
	case TG_FK_TEXT:
	case TG_FK_CLASS:
	case TG_FK_POP:
		snprintf(buf, len, "%s", FC(s, f, char));
		break;
	case TG_FK_BOOL:
		snprintf(buf, len, "%s", *FC(s, f, bool) ? "on" : "off");
		break;
	case TG_FK_SUBLAYER:
		snprintf(buf, len, "%s", *FC(s, f, bool) ? "default" : "none");
		break;
	case TG_FK_TYPE:
		snprintf(buf, len, "%s", tg_tun_type_name(s->type));
		break;
	case TG_FK_IP4:
		if (tg_field_is_remote(f) && s->has_remote6)
			inet_ntop(AF_INET6, s->remote6, buf, len);
		else
			tg_ip4_format(*FC(s, f, __be32), buf, len);
		break;
	case TG_FK_SECRET:
		break;	/* never shown */
	case TG_FK_U8:
	case TG_FK_U16:
	case TG_FK_U32:
		snprintf(buf, len, "%llu",
			 (unsigned long long)tg_sub_field_num(s, f));
		break;
	case TG_FK_RATE:
		tg_rate_format(*FC(s, f, __u64), buf, len);
		break;
	case TG_FK_SIZE:
		tg_size_format(*FC(s, f, __u64), buf, len);
		break;
	case TG_FK_COOKIE:
		if (len > 16)
			tg_hex(FC(s, f, __u8), *((const __u8 *)s + f->has), buf);
		break;
	case TG_FK_MAC:
		tg_mac_format(FC(s, f, __u8), buf, len);
		break;
	case TG_FK_PREFIXES: {
		size_t off = 0;
		unsigned int i;

		for (i = 0; i < s->nprefix && off + TG_PREFIX_STRLEN + 1 < len; i++) {
			if (i)
				buf[off++] = ' ';
			tg_prefix_format(&s->prefix[i], buf + off, len - off);
			off += strlen(buf + off);
		}
		break;
	}
	}
}

void tg_sub_field_text(const struct tg_sub *s, const char *name, char *buf,
		       size_t len)
{
	const struct tg_field *f = tg_sub_field(name);

	buf[0] = '\0';
	if (f && f->kind != TG_FK_PREFIXES)
		tg_sub_field_format(s, f, buf, len);
}

void tg_sub_json_fields(struct json_writer *w, const struct tg_sub *s)
{
	const struct tg_field *f;
	char buf[TG_FIELD_MAX];
	unsigned int i;

	for (f = tg_sub_field_table; f < tg_sub_field_table + tg_sub_nfields; f++) {
		if (f->kind == TG_FK_PREFIXES) {
			jsonw_name(w, f->name);
			jsonw_start_array(w);
			for (i = 0; i < s->nprefix; i++) {
				tg_prefix_format(&s->prefix[i], buf, sizeof(buf));
				jsonw_string(w, buf);
			}
			jsonw_end_array(w);
			continue;
		}
		if (f->kind == TG_FK_BOOL) {
			jsonw_bool_field(w, f->name, *FC(s, f, bool));
			continue;
		}
		if (f->kind == TG_FK_SECRET) {
			/* Whether one is set, never what it is. */
			jsonw_bool_field(w, f->name, tg_sub_field_isset(s, f));
			continue;
		}
		if (f->kind != TG_FK_NAME && !tg_sub_field_isset(s, f)) {
			jsonw_null_field(w, f->name);
			continue;
		}
		if (tg_sub_field_numeric(f)) {
			jsonw_uint_field(w, f->name, tg_sub_field_num(s, f));
			continue;
		}
		tg_sub_field_format(s, f, buf, sizeof(buf));
		jsonw_string_field(w, f->name, buf);
	}
}

/* --- SQL ----------------------------------------------------------------- */

#define TG_FOR_COLUMN(f)						\
	for (f = tg_sub_field_table; f < tg_sub_field_table + tg_sub_nfields; f++) \
		if (f->column)


int tg_sub_sql(enum tg_sub_sql what, char *buf, size_t len)
{
	const struct tg_field *f;
	size_t off = 0;
	int k = 0;

	switch (what) {
	case TG_SQL_COLUMNS:
		off = tg_cat(buf, len, off, "id");
		TG_FOR_COLUMN(f)
			off = tg_cat(buf, len, off, ", %s", f->column);
		break;
	case TG_SQL_INSERT:
		off = tg_cat(buf, len, off, "INSERT INTO subscriber(");
		TG_FOR_COLUMN(f)
			off = tg_cat(buf, len, off, "%s%s", k++ ? ", " : "",
				     f->column);
		off = tg_cat(buf, len, off, ") VALUES(");
		for (k = 1; k <= tg_sub_ncolumns(); k++)
			off = tg_cat(buf, len, off, "%s?%d", k > 1 ? ", " : "", k);
		off = tg_cat(buf, len, off, ")");
		break;
	case TG_SQL_UPDATE:
		off = tg_cat(buf, len, off, "UPDATE subscriber SET ");
		TG_FOR_COLUMN(f) {
			k++;
			off = tg_cat(buf, len, off, "%s%s = ?%d",
				     k > 1 ? ", " : "", f->column, k);
		}
		off = tg_cat(buf, len, off, " WHERE id = ?%d", k + 1);
		break;
	}
	return off < len ? 0 : -ENOSPC;
}

int tg_sub_ncolumns(void)
{
	const struct tg_field *f;
	int n = 0;

	TG_FOR_COLUMN(f)
		n++;
	return n;
}

static void tg_bind_text(sqlite3_stmt *st, int k, const char *v)
{
	if (*v)
		sqlite3_bind_text(st, k, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, k);
}

void tg_sub_bind(sqlite3_stmt *st, const struct tg_sub *s)
{
	const struct tg_field *f;
	char buf[TG_FIELD_MAX];
	int k = 0;

	TG_FOR_COLUMN(f) {
		k++;
		if (tg_sub_field_numeric(f) && !tg_sub_field_isset(s, f)) {
			sqlite3_bind_null(st, k);
			continue;
		}
		switch (f->kind) {
		case TG_FK_BOOL:
		case TG_FK_SUBLAYER:
			sqlite3_bind_int(st, k, *FC(s, f, bool));
			break;
		case TG_FK_U8:
		case TG_FK_U16:
		case TG_FK_U32:
		case TG_FK_RATE:
		case TG_FK_SIZE:
			sqlite3_bind_int64(st, k, tg_sub_field_num(s, f));
			break;
		case TG_FK_NAME:
			sqlite3_bind_text(st, k, FC(s, f, char), -1,
					  SQLITE_TRANSIENT);
			break;
		case TG_FK_SECRET:
			tg_bind_text(st, k, FC(s, f, char));
			break;
		default:
			tg_sub_field_format(s, f, buf, sizeof(buf));
			tg_bind_text(st, k, buf);
		}
	}
}

int tg_sub_read_row(sqlite3_stmt *st, struct tg_sub *s, char *err,
		    size_t errlen)
{
	const struct tg_field *f;
	const char *txt, *name;
	int k = 0, ret, range = 0;
	char opt[32];
	__u64 v;

	tg_sub_init(s);
	s->id = sqlite3_column_int64(st, 0);
	TG_FOR_COLUMN(f) {
		k++;
		if (sqlite3_column_type(st, k) == SQLITE_NULL) {
			if (f->kind == TG_FK_TYPE || f->kind == TG_FK_NAME ||
			    (f->kind == TG_FK_IP4 && !tg_field_optional(f))) {
				snprintf(err, errlen, "%s: missing", f->name);
				ret = -EINVAL;
				goto bad;
			}
			tg_field_clear(s, f);
			continue;
		}
		txt = (const char *)sqlite3_column_text(st, k);
		if (!txt)
			txt = "";
		switch (f->kind) {
		case TG_FK_BOOL:
		case TG_FK_SUBLAYER:
			*FV(s, f, bool) = sqlite3_column_int64(st, k) != 0;
			break;
		case TG_FK_U8:
		case TG_FK_U16:
		case TG_FK_U32:
		case TG_FK_RATE:
		case TG_FK_SIZE:
			/* In the table's range before it is cut to the member. */
			v = sqlite3_column_int64(st, k);
			if ((v < f->min || v > f->max) &&
			    !(f->has == TG_F_ZERO && !v) && !range) {
				snprintf(err, errlen, "%s '%lld': out of range %llu..%llu",
					 tg_sub_field_opt(f, opt, sizeof(opt)),
					 (long long)v, (unsigned long long)f->min,
					 (unsigned long long)f->max);
				range = -ERANGE;
			}
			tg_field_set_num(s, f, v);
			if (tg_field_has(s, f))
				*tg_field_has(s, f) = true;
			break;
		case TG_FK_NAME:
		case TG_FK_TEXT:
		case TG_FK_SECRET:
		case TG_FK_CLASS:
		case TG_FK_POP:
			snprintf(FV(s, f, char), f->max + 1, "%s", txt);
			break;
		default:
			/* An empty cookie, MAC or optional address is unset. */
			if (!*txt && tg_field_optional(f)) {
				tg_field_clear(s, f);
				break;
			}
			ret = tg_sub_field_set(s, f, txt, err, errlen);
			if (ret)
				goto bad;
		}
	}
	if (!range)
		return 0;
	ret = range;
bad:
	name = (const char *)sqlite3_column_text(st, 1);
	pr_debug("database: subscriber '%s': invalid row: %s\n",
		 name ? name : "", err);
	return ret;
}

int tg_sub_from_row(sqlite3_stmt *st, struct tg_sub *s)
{
	char err[128];

	return tg_sub_read_row(st, s, err, sizeof(err)) ? -EINVAL : 0;
}

/* --- Ranges and help ------------------------------------------------------ */

int tg_sub_check_ranges(const struct tg_sub *s, char *err, size_t errlen)
{
	const struct tg_field *f;
	char opt[32], buf[TG_FIELD_MAX];
	__u64 v;

	for (f = tg_sub_field_table; f < tg_sub_field_table + tg_sub_nfields; f++) {
		if (!tg_sub_field_isset(s, f))
			continue;
		if (tg_sub_field_numeric(f)) {
			v = tg_sub_field_num(s, f);
			if (v >= f->min && v <= f->max)
				continue;
			tg_sub_field_format(s, f, buf, sizeof(buf));
			snprintf(err, errlen, "%s '%s': out of range %llu..%llu",
				 tg_sub_field_opt(f, opt, sizeof(opt)), buf,
				 (unsigned long long)f->min,
				 (unsigned long long)f->max);
			return -EINVAL;
		}
		if ((f->kind == TG_FK_TEXT || f->kind == TG_FK_NAME ||
		     f->kind == TG_FK_SECRET || f->kind == TG_FK_CLASS ||
		     f->kind == TG_FK_POP) &&
		    strlen(FC(s, f, char)) > f->max) {
			snprintf(err, errlen, "%s: longer than %llu characters",
				 tg_sub_field_opt(f, opt, sizeof(opt)),
				 (unsigned long long)f->max);
			return -EINVAL;
		}
	}
	return 0;
}

void tg_sub_help_options(FILE *out, enum tg_fgroup group)
{
	const struct tg_field *f;
	char opt[64];

	for (f = tg_sub_field_table; f < tg_sub_field_table + tg_sub_nfields; f++) {
		if (f->group != group || !f->help)
			continue;
		tg_sub_field_opt(f, opt, sizeof(opt));
		snprintf(opt + strlen(opt), sizeof(opt) - strlen(opt), " %s",
			 f->arg);
		tg_help_option(out, 19, opt, f->help);
	}
}
