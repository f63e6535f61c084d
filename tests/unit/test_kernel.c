// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel check of `tungate up`: release strings against the oldest
 * supported kernel, and the check on the running kernel, which every
 * kernel the tests run on passes.
 */
#include <check.h>
#include <string.h>

#include "dataplane/kernel.h"

static const struct {
	const char *release;
	int ok;
} releases[] = {
	{ "6.1.0-57-amd64", 1 },	/* Debian 12 */
	{ "6.12.95+deb12-amd64", 1 },	/* bookworm-backports */
	{ "6.18.44", 1 },
	{ "6.1", 1 },
	{ "7.0.0", 1 },
	{ "10.2.1", 1 },
	{ "6.0.19-amd64", 0 },
	{ "5.10.0-28-amd64", 0 },	/* Debian 11 */
	{ "5.19.17", 0 },
	{ "4.19.0-26-amd64", 0 },
	{ "", -1 },
	{ "linux", -1 },
	{ "6", -1 },
	{ "6.x", -1 },
};

START_TEST(test_release)
{
	ck_assert_msg(tg_kernel_release_ok(releases[_i].release) ==
			      releases[_i].ok,
		      "%s: want %d", releases[_i].release, releases[_i].ok);
}
END_TEST

START_TEST(test_running_kernel)
{
	char why[512] = "";

	ck_assert_msg(tg_kernel_check(why, sizeof(why)) == 0, "%s", why);
	ck_assert_str_eq(why, "");
}
END_TEST

Suite *kernel_suite(void)
{
	Suite *s = suite_create("kernel");
	TCase *tc = tcase_create("check");

	tcase_add_loop_test(tc, test_release, 0,
			    sizeof(releases) / sizeof(releases[0]));
	tcase_add_test(tc, test_running_kernel);
	suite_add_tcase(s, tc);
	return s;
}
