/* SPDX-License-Identifier: GPL-2.0-only */
/* Names of subscribers and classes. */
#ifndef TG_DB_NAME_H
#define TG_DB_NAME_H

#include <stddef.h>

#define TG_NAME_MAX 63		/* subscriber and class name length */

/*
 * 1..TG_NAME_MAX letters, digits, '.', '_' or '-', starting with a letter
 * or digit, and not "help": 0, or -EINVAL with the rule in err.
 */
int tg_name_validate(const char *name, char *err, size_t errlen);

/*
 * The subscriber name of a PPP user (FreeRADIUS import, RADIUS members):
 * alice@exo.cat -> alice_exo.cat, other characters names do not take ->
 * '-', a leading 'u' when the user starts with neither letter nor digit.
 * 0, or -EINVAL (too long, empty, reserved).
 */
int tg_name_from_user(const char *user, char *buf, size_t len);

#endif /* TG_DB_NAME_H */
