/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one way a radcli handle is made: the given servers (radcli's
 * "host:port:secret" list, tried in turn), the waits, the NAS's names and
 * the built-in dictionary (radius/dict.h). Logins and accounting both.
 */
#ifndef TG_RADIUS_HANDLE_H
#define TG_RADIUS_HANDLE_H

#include <radcli/radcli.h>
#include <netinet/in.h>

struct tg_rad_handle_cfg {
	const char *servers;		/* "host:port:secret[,...]" */
	unsigned int timeout_s;		/* per try */
	unsigned int retries;		/* radcli's radius_retries */
	const char *nas_identifier;	/* NULL or "": none */
	struct in_addr nas_ip;		/* 0: none */
};

/* A handle for c, or NULL (the cause, never the secret, in err). */
rc_handle *tg_rad_handle(const struct tg_rad_handle_cfg *c, char *err,
			 size_t errlen);

#endif /* TG_RADIUS_HANDLE_H */
