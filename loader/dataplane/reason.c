// SPDX-License-Identifier: GPL-2.0-only
/* Reason code names, generated from the TG_REASONS list. */
#include <errno.h>
#include <string.h>

#include "dataplane/reason.h"
#include "tungate.h"

#define TG_REASON_NAME(e, v, n) [v] = n,
static const char *const reason_names[TG_R_MAX] = {
	TG_REASONS(TG_REASON_NAME)
};
#undef TG_REASON_NAME

const char *tg_reason_name(__u32 reason)
{
	return reason < TG_R_MAX ? reason_names[reason] : NULL;
}

int tg_reason_parse(const char *name)
{
	int i;

	for (i = 0; i < TG_R_MAX; i++)
		if (reason_names[i] && !strcmp(reason_names[i], name))
			return i;
	return -ENOENT;
}
