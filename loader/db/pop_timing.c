// SPDX-License-Identifier: GPL-2.0-only
/* The POP heartbeat and down limit settings (see pop_timing.h). */
#include <errno.h>
#include <stdio.h>

#include "util/cli.h"
#include "db/pop_timing.h"
#include "db/settings.h"

/* One setting's number min..max: 0 or -EINVAL (err). */
static int pop_timing_number(const char *name, const char *v, __u64 min,
			     __u64 max, unsigned int *out, char *err,
			     size_t errlen)
{
	__u64 n;
	int ret;

	ret = tg_parse_u64(v, min, max, &n);
	if (ret) {
		if (ret == -ERANGE)
			snprintf(err, errlen, "%s '%s': out of range %llu..%llu seconds",
				 name, v, (unsigned long long)min,
				 (unsigned long long)max);
		else
			snprintf(err, errlen, "%s '%s': not a number of seconds",
				 name, v);
		return -EINVAL;
	}
	*out = n;
	return 0;
}

int tg_pop_timing_parse(const char *beat, const char *down_after,
			struct tg_pop_timing *t, char *err, size_t errlen)
{
	t->beat = TG_POP_BEAT_S;
	if (beat && pop_timing_number("pop-heartbeat", beat, TG_POP_BEAT_MIN,
				      TG_POP_BEAT_MAX, &t->beat, err, errlen))
		return -EINVAL;
	t->down_after = t->beat * TG_POP_DOWN_BEATS;
	if (!down_after)
		return 0;
	if (pop_timing_number("pop-down-after", down_after, 1,
			      TG_POP_DOWN_AFTER_MAX, &t->down_after, err,
			      errlen))
		return -EINVAL;
	if (t->down_after < t->beat * TG_POP_DOWN_MIN_BEATS) {
		snprintf(err, errlen,
			 "pop-down-after %u is less than %d times pop-heartbeat %u (give at least %u)",
			 t->down_after, TG_POP_DOWN_MIN_BEATS, t->beat,
			 t->beat * TG_POP_DOWN_MIN_BEATS);
		return -EINVAL;
	}
	return 0;
}

int tg_pop_timing_load(sqlite3 *db, struct tg_pop_timing *t, char *err,
		       size_t errlen)
{
	char beat[32], down[32];
	int rb, rd;

	rb = tg_db_setting_get(db, TG_POP_BEAT_KEY, beat, sizeof(beat));
	rd = tg_db_setting_get(db, TG_POP_DOWN_AFTER_KEY, down, sizeof(down));
	if ((rb && rb != -ENOENT) || (rd && rd != -ENOENT)) {
		snprintf(err, errlen, "cannot read the settings");
		return -EIO;
	}
	return tg_pop_timing_parse(rb ? NULL : beat, rd ? NULL : down, t, err,
				   errlen);
}
