// SPDX-License-Identifier: GPL-2.0-only
/* Mikrotik-Rate-Limit text to rates. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util/mikrotik_rate.h"

/* One number with its suffix, the whole of [s, e): 0 or -EINVAL. */
static int mt_number(const char *s, const char *e, bool rate, __u64 *out)
{
	__u64 v = 0, mult = 1;

	if (s == e)
		return -EINVAL;
	if (rate) {
		switch (e[-1]) {
		case 'k':
		case 'K':
			mult = 1000;
			break;
		case 'm':
		case 'M':
			mult = 1000000;
			break;
		case 'g':
		case 'G':
			mult = 1000000000;
			break;
		}
	} else if (e[-1] == 's') {
		/* RouterOS writes times as 10s too. */
		e--;
	}
	if (mult > 1)
		e--;
	if (s == e)
		return -EINVAL;
	for (; s < e; s++) {
		if (!isdigit((unsigned char)*s) || v > TG_MT_RATE_MAX)
			return -EINVAL;
		v = v * 10 + (*s - '0');
	}
	v *= mult;
	if (v > TG_MT_RATE_MAX)
		return -EINVAL;
	*out = v;
	return 0;
}

/* "a[/b]" in [s, e) into *rx, *tx (b missing: a). */
static int mt_pair(const char *s, const char *e, bool rate, __u64 *rx,
		   __u64 *tx)
{
	const char *slash = memchr(s, '/', e - s);

	if (!slash)
		return mt_number(s, e, rate, rx) ?: (*tx = *rx, 0);
	if (memchr(slash + 1, '/', e - slash - 1))
		return -EINVAL;
	return mt_number(s, slash, rate, rx) ?: mt_number(slash + 1, e, rate, tx);
}

int tg_mt_rate_parse(const char *text, struct tg_mt_rate *r, char *err,
		     size_t errlen)
{
	static const char *const part[] = {
		"rate", "burst rate", "burst threshold", "burst time",
		"priority", "minimum rate",
	};
	const char *s = text, *end = text + strlen(text), *e;
	__u64 prio;
	int ret;

	memset(r, 0, sizeof(*r));
	if (end - s >= 2 && *s == '"' && end[-1] == '"') {
		s++;
		end--;
	}
	for (;;) {
		while (s < end && isspace((unsigned char)*s))
			s++;
		if (s == end)
			break;
		for (e = s; e < end && !isspace((unsigned char)*e); e++)
			;
		if (r->fields == 6) {
			snprintf(err, errlen,
				 "'%.*s': more than the six parts rx/tx burst threshold time priority min",
				 (int)(e - s), s);
			return -EINVAL;
		}
		switch (r->fields) {
		case 0:
			ret = mt_pair(s, e, true, &r->rx, &r->tx);
			break;
		case 1:
			ret = mt_pair(s, e, true, &r->rx_burst, &r->tx_burst);
			break;
		case 2:
			ret = mt_pair(s, e, true, &r->rx_threshold,
				      &r->tx_threshold);
			break;
		case 3:
			ret = mt_pair(s, e, false, &r->rx_time, &r->tx_time);
			break;
		case 4:
			ret = mt_number(s, e, false, &prio) ?:
			      (prio < 1 || prio > 8 ? -EINVAL : 0);
			if (!ret)
				r->priority = prio;
			break;
		default:
			ret = mt_pair(s, e, true, &r->rx_min, &r->tx_min);
			break;
		}
		if (ret) {
			snprintf(err, errlen,
				 "%s '%.*s': %s", part[r->fields], (int)(e - s), s,
				 r->fields == 4 ? "must be 1..8" :
				 r->fields == 3 ? "must be seconds, or rx/tx seconds" :
				 "must be bits/s with k, M or G, or rx/tx of them");
			return -EINVAL;
		}
		r->fields++;
		s = e;
	}
	if (!r->fields) {
		snprintf(err, errlen, "empty: at least a rate, rx[/tx]");
		return -EINVAL;
	}
	return 0;
}

bool tg_mt_rate_extras(const struct tg_mt_rate *r)
{
	return r->rx_burst || r->tx_burst || r->priority || r->rx_min ||
	       r->tx_min;
}

void tg_mt_rate_format(__u64 bps, char *buf, size_t len)
{
	if (bps && !(bps % 1000000000))
		snprintf(buf, len, "%lluG", (unsigned long long)(bps / 1000000000));
	else if (bps && !(bps % 1000000))
		snprintf(buf, len, "%lluM", (unsigned long long)(bps / 1000000));
	else if (bps && !(bps % 1000))
		snprintf(buf, len, "%lluk", (unsigned long long)(bps / 1000));
	else
		snprintf(buf, len, "%llu", (unsigned long long)bps);
}
