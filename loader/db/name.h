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

#endif /* TG_DB_NAME_H */
