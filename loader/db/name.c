// SPDX-License-Identifier: GPL-2.0-only
/* Names of subscribers and classes. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "db/name.h"
#include "util/cli.h"

int tg_name_validate(const char *name, char *err, size_t errlen)
{
	const char *p;

	if (!*name || !isalnum((unsigned char)name[0]))
		goto bad;
	for (p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._-", *p))
			goto bad;
	if (p - name > TG_NAME_MAX)
		goto bad;
	/* 'tungate sub show help' prints the help: no record is named so. */
	if (tg_is_help(name)) {
		snprintf(err, errlen,
			 "name '%s': reserved for the command line's help", name);
		return -EINVAL;
	}
	return 0;
bad:
	snprintf(err, errlen,
		 "name '%s': must be 1..%d letters, digits, '.', '_' or '-', starting with a letter or digit",
		 name, TG_NAME_MAX);
	return -EINVAL;
}

int tg_name_from_user(const char *user, char *buf, size_t len)
{
	size_t i, o = 0;

	if (!*user || len < 2)
		return -EINVAL;
	/* A name starts with a letter or digit. */
	if (!isalnum((unsigned char)user[0]))
		buf[o++] = 'u';
	for (i = 0; user[i]; i++) {
		unsigned char ch = user[i];

		if (o + 1 >= len || o >= TG_NAME_MAX)
			return -EINVAL;
		if (isalnum(ch) || ch == '.' || ch == '_' || ch == '-')
			buf[o++] = ch;
		else
			buf[o++] = ch == '@' ? '_' : '-';
	}
	buf[o] = '\0';
	return tg_name_validate(buf, NULL, 0) ? -EINVAL : 0;
}
