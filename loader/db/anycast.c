// SPDX-License-Identifier: GPL-2.0-only
/* The anycast setting (see anycast.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util/fmt.h"
#include "db/anycast.h"
#include "db/overlap.h"
#include "db/settings.h"

int tg_anycast_parse(const char *v, struct tg_anycast *a, char *err,
		     size_t errlen)
{
	char tok[TG_PREFIX_STRLEN + 1], why[64], prev[TG_PREFIX_STRLEN];
	const char *p = v, *end, *res;
	struct tg_prefix *x;
	unsigned int i;
	size_t len;

	memset(a, 0, sizeof(*a));
	if (!strcmp(v, "none"))
		return 0;
	for (;;) {
		end = strchr(p, ',');
		len = end ? (size_t)(end - p) : strlen(p);
		if (!len) {
			snprintf(err, errlen, "'%s': empty prefix; give P[,P...] or 'none'",
				 v);
			return -EINVAL;
		}
		if (len >= sizeof(tok)) {
			snprintf(err, errlen, "'%.*s': not a prefix", (int)len, p);
			return -EINVAL;
		}
		memcpy(tok, p, len);
		tok[len] = '\0';
		if (a->n == TG_ANYCAST_MAX) {
			snprintf(err, errlen, "more than %d prefixes given",
				 TG_ANYCAST_MAX);
			return -EINVAL;
		}
		x = &a->p[a->n];
		if (tg_prefix_parse(tok, x, why, sizeof(why))) {
			snprintf(err, errlen, "'%s': %s", tok, why);
			return -EINVAL;
		}
		res = tg_prefix_reserved(x);
		if (res) {
			snprintf(err, errlen, "'%s': in reserved range %s", tok,
				 res);
			return -EINVAL;
		}
		for (i = 0; i < a->n; i++) {
			if (!tg_prefix_overlap(&a->p[i], x))
				continue;
			tg_prefix_format(&a->p[i], prev, sizeof(prev));
			snprintf(err, errlen, "'%s': %s %s", tok,
				 tg_prefix_equal(&a->p[i], x) ? "given twice as" :
				 "overlaps", prev);
			return -EINVAL;
		}
		a->n++;
		if (!end)
			return 0;
		p = end + 1;
	}
}

void tg_anycast_format(const struct tg_anycast *a, char *buf, size_t len)
{
	char pfx[TG_PREFIX_STRLEN];
	size_t off = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < a->n; i++) {
		tg_prefix_format(&a->p[i], pfx, sizeof(pfx));
		off = tg_cat(buf, len, off, "%s%s", i ? "," : "", pfx);
	}
	if (!a->n)
		snprintf(buf, len, "none");
}

int tg_anycast_load(sqlite3 *db, struct tg_anycast *a, char *err,
		    size_t errlen)
{
	char v[TG_ANYCAST_STRLEN + 1];
	int ret;

	memset(a, 0, sizeof(*a));
	ret = tg_db_setting_get(db, TG_ANYCAST_KEY, v, sizeof(v));
	if (ret == -ENOENT)
		return 0;
	if (ret) {
		snprintf(err, errlen, "cannot read the setting");
		return ret;
	}
	ret = tg_anycast_parse(v, a, err, errlen);
	if (ret)
		memset(a, 0, sizeof(*a));
	return ret;
}

int tg_anycast_clash(sqlite3 *db, const struct tg_anycast *a,
		     bool enabled_only, char *err, size_t errlen)
{
	struct tg_prefix_clash o;
	int ret;

	if (!a->n)
		return 0;
	ret = tg_db_prefix_clash(db, a->p, a->n, 0, enabled_only, &o);
	if (ret == 1)
		snprintf(err, errlen, "'%s': overlaps '%s' of subscriber '%s'",
			 o.prefix, o.other, o.owner);
	else if (ret)
		snprintf(err, errlen, "cannot read the prefixes: %s",
			 sqlite3_errmsg(db));
	return ret < 0 ? -EIO : ret;
}

int tg_anycast_holds(sqlite3 *db, const struct tg_prefix *p, unsigned int n,
		     char *err, size_t errlen)
{
	char a[TG_PREFIX_STRLEN], b[TG_PREFIX_STRLEN];
	struct tg_anycast ac;
	unsigned int i, j;
	int ret;

	ret = tg_anycast_load(db, &ac, err, errlen);
	if (ret == -EINVAL)
		return 0;
	if (ret)
		return -EIO;
	for (i = 0; i < n; i++) {
		for (j = 0; j < ac.n; j++) {
			if (!tg_prefix_overlap(&p[i], &ac.p[j]))
				continue;
			tg_prefix_format(&p[i], a, sizeof(a));
			tg_prefix_format(&ac.p[j], b, sizeof(b));
			snprintf(err, errlen,
				 "--prefix '%s': overlaps the anycast prefix '%s' (config set anycast)",
				 a, b);
			return 1;
		}
	}
	return 0;
}
