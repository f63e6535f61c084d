// SPDX-License-Identifier: GPL-2.0-only
/* This concentrator's POP: its name and drain state (see pop.h). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "db/pop.h"
#include "db/settings.h"

void tg_pop_name(sqlite3 *db, char name[TG_NAME_MAX + 1])
{
	char host[256], err[128], *dot;

	if (!tg_db_setting_get(db, TG_POP_NAME_KEY, name, TG_NAME_MAX + 1) &&
	    !tg_name_validate(name, err, sizeof(err)))
		return;
	if (!gethostname(host, sizeof(host))) {
		host[sizeof(host) - 1] = '\0';
		dot = strchr(host, '.');
		if (dot)
			*dot = '\0';
		if (!tg_name_validate(host, err, sizeof(err))) {
			memcpy(name, host, strlen(host) + 1);
			return;
		}
	}
	snprintf(name, TG_NAME_MAX + 1, "pop");
}

bool tg_pop_drained(sqlite3 *db)
{
	char v[8];

	return !tg_db_setting_get(db, TG_POP_DRAIN_KEY, v, sizeof(v)) &&
	       !strcmp(v, "1");
}
