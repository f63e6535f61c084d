// SPDX-License-Identifier: GPL-2.0-only
/* FreeRADIUS users to member records: check items, reply items, groups. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/freeradius_map.h"
#include "util/cli.h"
#include "util/mikrotik_rate.h"

/* Passwords FreeRADIUS holds hashed: CHAP needs the clear text. */
static const char *const fr_hashed[] = {
	"Crypt-Password", "MD5-Password", "SMD5-Password", "SHA-Password",
	"SHA1-Password", "SSHA-Password", "SSHA1-Password", "SHA2-Password",
	"SHA2-224-Password", "SHA2-256-Password", "SHA2-384-Password",
	"SHA2-512-Password", "SSHA2-224-Password", "SSHA2-256-Password",
	"SSHA2-384-Password", "SSHA2-512-Password", "NT-Password",
	"LM-Password", "Password-With-Header", "PBKDF2-Password", NULL,
};

static const char *const fr_compare_ops[] = {
	"==", "!=", ">", ">=", "<", "<=", "=~", "!~", "=*", "!*", NULL,
};

#define FR_NOTED_UNMAPPED 0x1
#define FR_NOTED_BAD 0x2

struct fr_ctx {
	const struct fr_source *src;
	size_t *urows, nurows;	/* radcheck, radreply, radusergroup rows */
	size_t *grows, ngrows;	/* radgroupcheck, radgroupreply rows */
	unsigned char *noted;	/* FR_NOTED_*: a row is listed once */
	struct fr_map *out;
	struct bad_rows *bad;
	bool any_bad;		/* of the user being mapped */
};

/* A reply item in force, by the row that set it. */
struct fr_avp {
	size_t row;
	const char *group;	/* NULL: the user's own */
};

struct fr_user {
	const char *name;
	size_t first;		/* its first row */
	const char *password;
	size_t pw_row;
	const char *hashed;
	size_t hashed_row;
	bool reject, accept;
	struct fr_avp *avp;
	size_t navp, cap;
};

static bool fr_in(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (!strcasecmp(*list, s))
			return true;
	return false;
}

static bool fr_assign_op(const char *op)
{
	return !strcmp(op, ":=") || !strcmp(op, "=") || !strcmp(op, "+=");
}

static const struct fr_row *fr_row(const struct fr_ctx *c, size_t i)
{
	return &c->src->rows[i];
}

/* A row tungate has nothing for: listed once however many users share it. */
static void fr_note(struct fr_ctx *c, size_t row, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fr_note(struct fr_ctx *c, size_t row, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (c->noted[row] & FR_NOTED_UNMAPPED)
		return;
	c->noted[row] |= FR_NOTED_UNMAPPED;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	bad_add(&c->out->unmapped, row + 1, "%s", msg);
}

/* A value that does not read: refuses the import. */
static void fr_bad(struct fr_ctx *c, size_t row, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fr_bad(struct fr_ctx *c, size_t row, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	c->any_bad = true;
	if (c->noted[row] & FR_NOTED_BAD)
		return;
	c->noted[row] |= FR_NOTED_BAD;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	bad_add(c->bad, row + 1, "%s", msg);
}

static int fr_row_cmp(const void *a, const void *b, void *arg)
{
	const struct fr_source *s = arg;
	const struct fr_row *x = &s->rows[*(const size_t *)a];
	const struct fr_row *y = &s->rows[*(const size_t *)b];
	int d = strcmp(x->name, y->name);

	if (d)
		return d;
	if (x->table != y->table)
		return x->table < y->table ? -1 : 1;
	/* radusergroup: by priority, as the group membership query orders. */
	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

/* First index of v (sorted by name) whose row is named name, or n. */
static size_t fr_find(const struct fr_ctx *c, const size_t *v, size_t n,
		      const char *name)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (strcmp(fr_row(c, v[mid])->name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int fr_avp_add(struct fr_user *u, size_t row, const char *group)
{
	struct fr_avp *na;

	if (u->navp == u->cap) {
		u->cap = u->cap ? 2 * u->cap : 16;
		na = realloc(u->avp, u->cap * sizeof(*na));
		if (!na)
			return -ENOMEM;
		u->avp = na;
	}
	u->avp[u->navp].row = row;
	u->avp[u->navp++].group = group;
	return 0;
}

/*
 * A reply item, merged as FreeRADIUS merges them: ':=' replaces the
 * attribute, '=' adds it when absent, '+=' adds it, '-=' removes that
 * value. Comparisons mean nothing in a reply.
 */
static int fr_reply(struct fr_ctx *c, struct fr_user *u, size_t row,
		    const char *group)
{
	const struct fr_row *r = fr_row(c, row);
	size_t i, k;
	bool has = false, drop_value = !strcmp(r->op, "-=");

	if (!fr_assign_op(r->op) && !drop_value) {
		fr_note(c, row, "%s %s %s: operator '%s' has no meaning in a reply table: row ignored",
			r->attr, r->op, r->value, r->op);
		return 0;
	}
	for (i = k = 0; i < u->navp; i++) {
		const struct fr_row *o = fr_row(c, u->avp[i].row);
		bool same = !strcasecmp(o->attr, r->attr);

		has |= same;
		if (same && (!strcmp(r->op, ":=") ||
			     (drop_value && !strcmp(o->value, r->value))))
			continue;
		u->avp[k++] = u->avp[i];
	}
	u->navp = k;
	if (drop_value || (!strcmp(r->op, "=") && has))
		return 0;
	return fr_avp_add(u, row, group);
}

/* A check item: the password, how FreeRADIUS would authenticate. */
static void fr_check(struct fr_ctx *c, struct fr_user *u, size_t row)
{
	const struct fr_row *r = fr_row(c, row);
	bool assign = fr_assign_op(r->op);

	if (!strcasecmp(r->attr, "Cleartext-Password") ||
	    !strcasecmp(r->attr, "User-Password")) {
		if (!strcmp(r->op, "==")) {
			fr_note(c, row, "%s == ...: a comparison FreeRADIUS matches for PAP only; taken as the member's password (PAP and CHAP)",
				r->attr);
			assign = true;
		}
		if (!assign) {
			fr_note(c, row, "%s %s ...: a condition the import cannot evaluate: row ignored",
				r->attr, r->op);
			return;
		}
		if (!u->password || !strcmp(r->op, ":=")) {
			u->password = r->value;
			u->pw_row = row;
		}
		return;
	}
	if (fr_in(fr_hashed, r->attr) && assign) {
		if (!u->hashed) {
			u->hashed = r->attr;
			u->hashed_row = row;
		}
		return;
	}
	if (!strcasecmp(r->attr, "Auth-Type") && assign) {
		if (!strcasecmp(r->value, "Reject")) {
			u->reject = true;
			fr_note(c, row, "Auth-Type %s Reject: imported disabled",
				r->op);
		} else if (!strcasecmp(r->value, "Accept")) {
			u->accept = true;
		} else {
			fr_note(c, row, "Auth-Type %s %s: not mapped: members authenticate with PAP or CHAP",
				r->op, r->value);
		}
		return;
	}
	if (!strcasecmp(r->attr, "Fall-Through"))
		return;
	if (assign)
		fr_note(c, row, "%s %s %s: not mapped: tungate members have no such setting",
			r->attr, r->op, r->value);
	else if (fr_in(fr_compare_ops, r->op))
		fr_note(c, row, "%s %s %s: a condition the import cannot evaluate: taken as met",
			r->attr, r->op, r->value);
	else
		fr_note(c, row, "%s %s %s: operator '%s' unknown: row ignored",
			r->attr, r->op, r->value, r->op);
}

/* Whether the reply rows v[from..to) say Fall-Through = Yes; -1: not said. */
static int fr_fall_through(const struct fr_ctx *c, const size_t *v,
			   size_t from, size_t to, enum fr_table t)
{
	int ft = -1;
	size_t i;

	for (i = from; i < to; i++) {
		const struct fr_row *r = fr_row(c, v[i]);

		if (r->table == t && !strcasecmp(r->attr, "Fall-Through"))
			ft = !strcasecmp(r->value, "yes") || !strcmp(r->value, "1");
	}
	return ft;
}

/* A group's check and reply rows; 0 or -ENOMEM. *ft: its Fall-Through. */
static int fr_group(struct fr_ctx *c, struct fr_user *u, const char *group,
		    int *ft)
{
	size_t i = fr_find(c, c->grows, c->ngrows, group), end;
	int ret;

	for (end = i; end < c->ngrows &&
	     !strcmp(fr_row(c, c->grows[end])->name, group); end++)
		;
	*ft = fr_fall_through(c, c->grows, i, end, FR_RADGROUPREPLY);
	for (; i < end; i++) {
		const struct fr_row *r = fr_row(c, c->grows[i]);

		if (r->table == FR_RADGROUPCHECK) {
			fr_check(c, u, c->grows[i]);
			continue;
		}
		ret = fr_reply(c, u, c->grows[i], r->name);
		if (ret)
			return ret;
	}
	return 0;
}

/* A prefix from text: a route's first word; a bare address is a host. */
static int fr_prefix(struct fr_ctx *c, size_t row, const char *text,
		     struct fr_member *m)
{
	const struct fr_row *r = fr_row(c, row);
	char word[128], err[128];
	struct tg_prefix p;
	size_t n = strcspn(text, " \t");

	if (n + 5 > sizeof(word) || !n) {
		fr_bad(c, row, "user '%s': %s '%s': not a prefix", m->s.user,
		       r->attr, text);
		return 0;
	}
	memcpy(word, text, n);
	word[n] = '\0';
	if (!strchr(word, '/'))
		strcat(word, strchr(word, ':') ? "/128" : "/32");
	if (tg_prefix_parse(word, &p, err, sizeof(err))) {
		fr_bad(c, row, "user '%s': %s '%s': %s", m->s.user, r->attr,
		       r->value, err);
		return 0;
	}
	return tg_sub_add_prefix(&m->s, &p);
}

/* A bits/s number of a WISPr attribute. */
static bool fr_bps(struct fr_ctx *c, size_t row, const char *user, __u64 *v)
{
	const struct fr_row *r = fr_row(c, row);

	if (!tg_parse_u64(r->value, 0, TG_MT_RATE_MAX, v))
		return true;
	fr_bad(c, row, "user '%s': %s '%s': not a number of bits/s", user,
	       r->attr, r->value);
	return false;
}

/* The reply items in force, as member fields. */
static int fr_apply(struct fr_ctx *c, struct fr_user *u, struct fr_member *m,
		    bool *has_ip)
{
	struct tg_mt_rate mt;
	char err[256];
	size_t i, up_row = 0, down_row = 0;
	bool has_mt = false, has_up = false, has_down = false;
	__u64 v;
	int ret;

	for (i = 0; i < u->navp; i++) {
		size_t row = u->avp[i].row;
		const struct fr_row *r = fr_row(c, row);
		const char *a = r->attr;
		struct in_addr ip;

		if (!strcasecmp(a, "Framed-IP-Address")) {
			if (*has_ip) {
				fr_note(c, row, "Framed-IP-Address %s: a second address: ignored",
					r->value);
				continue;
			}
			if (inet_pton(AF_INET, r->value, &ip) != 1) {
				fr_bad(c, row, "user '%s': Framed-IP-Address '%s': not an IPv4 address",
				       u->name, r->value);
				continue;
			}
			/* RFC 2865: the NAS picks (a pool), or the user does. */
			if (ntohl(ip.s_addr) >= 0xfffffffe)
				continue;
			ret = fr_prefix(c, row, r->value, m);
			if (ret)
				return ret;
			*has_ip = true;
		} else if (!strcasecmp(a, "Framed-Route") ||
			   !strcasecmp(a, "Framed-IPv6-Route") ||
			   !strcasecmp(a, "Framed-IPv6-Prefix") ||
			   !strcasecmp(a, "Delegated-IPv6-Prefix")) {
			ret = fr_prefix(c, row, r->value, m);
			if (ret)
				return ret;
		} else if (!strcasecmp(a, "Framed-MTU")) {
			if (tg_parse_u64(r->value, 576, 9000, &v)) {
				fr_bad(c, row, "user '%s': Framed-MTU '%s': members take 576..9000",
				       u->name, r->value);
				continue;
			}
			m->s.mtu = v;
			m->has_mtu = true;
		} else if (!strcasecmp(a, "Mikrotik-Rate-Limit")) {
			if (has_mt) {
				fr_note(c, row, "Mikrotik-Rate-Limit %s: a second rate: ignored",
					r->value);
				continue;
			}
			if (tg_mt_rate_parse(r->value, &mt, err, sizeof(err))) {
				fr_bad(c, row, "user '%s': Mikrotik-Rate-Limit '%s': %s",
				       u->name, r->value, err);
				continue;
			}
			has_mt = true;
			m->up = mt.rx;
			m->down = mt.tx;
			m->group = u->avp[i].group;
			m->rate_line = row + 1;
			if (tg_mt_rate_extras(&mt))
				fr_note(c, row, "Mikrotik-Rate-Limit %s: only the rates rx/tx are mapped; bursts, priority and minimum rates are not (a class polices at its rate, its --burst is a bucket size, not a higher rate for a while)",
					r->value);
		} else if (!strcasecmp(a, "WISPr-Bandwidth-Max-Up")) {
			if (!fr_bps(c, row, u->name, &v) || has_up)
				continue;
			has_up = true;
			up_row = row + 1;
			if (!has_mt)
				m->up = v;
		} else if (!strcasecmp(a, "WISPr-Bandwidth-Max-Down")) {
			if (!fr_bps(c, row, u->name, &v) || has_down)
				continue;
			has_down = true;
			down_row = row + 1;
			if (!has_mt)
				m->down = v;
		} else if (!strcasecmp(a, "Framed-IP-Netmask")) {
			if (strcmp(r->value, "255.255.255.255"))
				fr_note(c, row, "Framed-IP-Netmask %s: not mapped: a member's address is a /32",
					r->value);
		} else if (!strcasecmp(a, "Service-Type")) {
			if (strcasecmp(r->value, "Framed-User"))
				fr_note(c, row, "Service-Type %s: not mapped: members are framed users",
					r->value);
		} else if (!strcasecmp(a, "Framed-Protocol")) {
			if (strcasecmp(r->value, "PPP"))
				fr_note(c, row, "Framed-Protocol %s: not mapped: members speak PPP",
					r->value);
		} else if (strcasecmp(a, "Fall-Through")) {
			fr_note(c, row, "%s %s %s: not mapped: tungate members have no such setting",
				a, r->op, r->value);
		}
	}
	/* Mikrotik-Rate-Limit takes precedence, as on RouterOS. */
	if (has_mt && (has_up || has_down)) {
		for (i = 0; i < u->navp; i++) {
			const struct fr_row *r = fr_row(c, u->avp[i].row);

			if (!strncasecmp(r->attr, "WISPr-Bandwidth-Max-", 20))
				fr_note(c, u->avp[i].row, "%s %s: ignored: Mikrotik-Rate-Limit takes precedence",
					r->attr, r->value);
		}
	} else if (has_up || has_down) {
		const char *gu = NULL, *gd = NULL;

		for (i = 0; i < u->navp; i++) {
			if (u->avp[i].row + 1 == up_row)
				gu = u->avp[i].group;
			if (u->avp[i].row + 1 == down_row)
				gd = u->avp[i].group;
		}
		/* A group's class only when one group gives every rate. */
		m->group = has_up ? gu : gd;
		if (has_up && has_down && (!gu || !gd || strcmp(gu, gd)))
			m->group = NULL;
		m->rate_line = up_row ?: down_row;
	}
	m->has_rate = m->up || m->down;
	return 0;
}

static int fr_user_map(struct fr_ctx *c, struct fr_user *u, size_t from,
		       size_t to)
{
	struct fr_member *m, *nm;
	char name[TG_NAME_MAX + 2];
	size_t i, cap;
	bool has_ip = false, more;
	int ft, ret;

	c->any_bad = false;
	for (i = from; i < to; i++)
		if (fr_row(c, c->urows[i])->table == FR_RADCHECK)
			fr_check(c, u, c->urows[i]);
	for (i = from; i < to; i++) {
		if (fr_row(c, c->urows[i])->table != FR_RADREPLY)
			continue;
		ret = fr_reply(c, u, c->urows[i], NULL);
		if (ret)
			return ret;
	}
	/* Groups unless the user's reply says Fall-Through = No. */
	ft = fr_fall_through(c, c->urows, from, to, FR_RADREPLY);
	more = ft != 0;
	for (i = from; i < to; i++) {
		const struct fr_row *r = fr_row(c, c->urows[i]);

		if (r->table != FR_RADUSERGROUP)
			continue;
		if (!more) {
			fr_note(c, c->urows[i], "group '%s' of user '%s': not applied, as FreeRADIUS would not: no Fall-Through = Yes before it",
				r->value, u->name);
			continue;
		}
		ret = fr_group(c, u, r->value, &ft);
		if (ret)
			return ret;
		/* The next group only after Fall-Through = Yes (rlm_sql). */
		more = ft == 1;
	}

	if (!u->password) {
		if (u->hashed)
			bad_add(&c->out->skipped, u->hashed_row + 1,
				"%s cannot be used for CHAP; a member needs the Cleartext-Password",
				u->hashed);
		else
			bad_add(&c->out->skipped, u->first + 1,
				"no Cleartext-Password in radcheck%s",
				u->accept ? " (Auth-Type := Accept takes any password; a member needs one)" : "");
		return 0;
	}
	if (tg_name_from_user(u->name, name, sizeof(name))) {
		bad_add(&c->out->skipped, u->first + 1,
			"too long for a subscriber name (at most %d characters)",
			TG_NAME_MAX);
		return 0;
	}
	if (strlen(u->name) > TG_PPP_USER_MAX ||
	    strlen(u->password) > TG_PPP_PASSWORD_MAX) {
		fr_bad(c, u->pw_row, "user '%s': %s longer than %d characters",
		       u->name, strlen(u->name) > TG_PPP_USER_MAX ?
		       "the user name is" : "the password is",
		       strlen(u->name) > TG_PPP_USER_MAX ? TG_PPP_USER_MAX :
		       TG_PPP_PASSWORD_MAX);
		return 0;
	}
	if (c->out->n % 256 == 0) {
		cap = c->out->n + 256;
		nm = realloc(c->out->m, cap * sizeof(*nm));
		if (!nm)
			return -ENOMEM;
		c->out->m = nm;
	}
	m = &c->out->m[c->out->n];
	memset(m, 0, sizeof(*m));
	tg_sub_init(&m->s);
	strcpy(m->s.name, name);
	m->s.type = TG_TUN_L2TPV2;
	strcpy(m->s.user, u->name);
	strcpy(m->s.password, u->password);
	strcpy(m->s.note, FR_NOTE);
	m->s.enabled = !u->reject;
	m->line = u->pw_row + 1;
	ret = fr_apply(c, u, m, &has_ip);
	if (ret || c->any_bad) {
		tg_sub_free(&m->s);
		return ret;
	}
	if (!has_ip) {
		bad_add(&c->out->skipped, u->first + 1,
			"no fixed Framed-IP-Address; a member needs its IPv4 address (FreeRADIUS and NAS pools are not mapped)");
		tg_sub_free(&m->s);
		return 0;
	}
	c->out->n++;
	return 0;
}

int fr_map(const struct fr_source *src, struct fr_map *out,
	   struct bad_rows *bad)
{
	struct fr_ctx c = { .src = src, .out = out, .bad = bad };
	struct fr_user u;
	size_t i, j;
	int ret = -ENOMEM;

	memset(out, 0, sizeof(*out));
	c.urows = malloc((src->n + 1) * sizeof(*c.urows));
	c.grows = malloc((src->n + 1) * sizeof(*c.grows));
	c.noted = calloc(src->n + 1, 1);
	if (!c.urows || !c.grows || !c.noted)
		goto out;
	for (i = 0; i < src->n; i++) {
		if (src->rows[i].table == FR_RADGROUPCHECK ||
		    src->rows[i].table == FR_RADGROUPREPLY)
			c.grows[c.ngrows++] = i;
		else
			c.urows[c.nurows++] = i;
	}
	qsort_r(c.urows, c.nurows, sizeof(*c.urows), fr_row_cmp, (void *)src);
	qsort_r(c.grows, c.ngrows, sizeof(*c.grows), fr_row_cmp, (void *)src);
	ret = 0;
	for (i = 0; i < c.nurows && !ret; i = j) {
		const char *name = fr_row(&c, c.urows[i])->name;

		for (j = i; j < c.nurows &&
		     !strcmp(fr_row(&c, c.urows[j])->name, name); j++)
			;
		memset(&u, 0, sizeof(u));
		u.name = name;
		u.first = c.urows[i];
		out->nusers++;
		if (!*name) {
			bad_add(&out->skipped, u.first + 1,
				"a row without a user name: ignored");
			continue;
		}
		ret = fr_user_map(&c, &u, i, j);
		free(u.avp);
	}
out:
	free(c.urows);
	free(c.grows);
	free(c.noted);
	return ret;
}

void fr_map_free(struct fr_map *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		tg_sub_free(&m->m[i].s);
	free(m->m);
	bad_free(&m->skipped);
	bad_free(&m->unmapped);
	memset(m, 0, sizeof(*m));
}
