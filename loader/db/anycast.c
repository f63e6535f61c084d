// SPDX-License-Identifier: GPL-2.0-only
/* The anycast setting (see anycast.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util/fmt.h"
#include "db/anycast.h"
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
