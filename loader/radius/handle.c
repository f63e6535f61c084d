// SPDX-License-Identifier: GPL-2.0-only
/* radcli handles with the built-in dictionary. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "radius/dict.h"
#include "radius/handle.h"

rc_handle *tg_rad_handle(const struct tg_rad_handle_cfg *c, char *err,
			 size_t errlen)
{
	char num[16], a[INET_ADDRSTRLEN];
	const char *what = "memory";
	rc_handle *rh = rc_new();

	if (!rh || !rc_config_init(rh)) {	/* which frees rh on failure */
		snprintf(err, errlen, "radcli: out of memory");
		return NULL;
	}
#define HANDLE_SET(k, v)						\
	do {								\
		what = k;						\
		if (rc_add_config(rh, k, v, "tungate", 0))		\
			goto bad;					\
	} while (0)
	HANDLE_SET("authserver", c->servers);
	HANDLE_SET("acctserver", c->servers);
	snprintf(num, sizeof(num), "%u", c->timeout_s ? c->timeout_s : 3);
	HANDLE_SET("radius_timeout", num);
	snprintf(num, sizeof(num), "%u", c->retries);
	HANDLE_SET("radius_retries", num);
	HANDLE_SET("radius_deadtime", "0");
	if (c->nas_identifier && *c->nas_identifier)
		HANDLE_SET("nas-identifier", c->nas_identifier);
	if (c->nas_ip.s_addr) {
		inet_ntop(AF_INET, &c->nas_ip, a, sizeof(a));
		HANDLE_SET("nas-ip", a);
	}
#undef HANDLE_SET
	what = "configuration";
	if (rc_apply_config(rh))
		goto bad;
	what = "built-in dictionary";
	if (rc_read_dictionary_from_buffer(rh, tg_rad_dictionary,
					   strlen(tg_rad_dictionary)))
		goto bad;
	return rh;
bad:
	snprintf(err, errlen, "radcli refused its %s%s", what,
		 strstr(what, "server") ? " (servers)" : "");
	rc_destroy(rh);
	return NULL;
}
