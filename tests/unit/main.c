// SPDX-License-Identifier: GPL-2.0-only
/*
 * Runs every unit suite listed in suites.h with one Check runner, but
 * those named in TG_UNIT_SKIP (space separated).
 */
#include <check.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define SUITE(name) Suite *name##_suite(void);
#include "suites.h"
#undef SUITE

static bool skipped(const char *name)
{
	const char *list = getenv("TG_UNIT_SKIP"), *p;
	size_t n = strlen(name);

	for (p = list; p && (p = strstr(p, name)); p += n)
		if ((p == list || p[-1] == ' ') && (!p[n] || p[n] == ' '))
			return true;
	return false;
}

int main(void)
{
	SRunner *sr = srunner_create(NULL);
	int failed;

#define SUITE(name) \
	if (!skipped(#name)) \
		srunner_add_suite(sr, name##_suite());
#include "suites.h"
#undef SUITE

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
