/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The RADIUS settings (db/radius_settings.h) as the accounting engine's
 * and the dynamic authorization server's configurations: the one place
 * that maps the one to the others.
 */
#ifndef TG_RADIUS_CONFIG_H
#define TG_RADIUS_CONFIG_H

#include "db/radius_settings.h"
#include "radius/acct.h"
#include "radius/dae.h"

/* Room for the accounting servers' list, "host:port,..." */
#define TG_RADIUS_ACCT_LIST_MAX (TG_RADIUS_SERVERS_MAX * (TG_RADIUS_HOST_MAX + 8))

/* c points into s and into servers (of TG_RADIUS_ACCT_LIST_MAX bytes). */
void tg_radius_acct_config(const struct tg_radius_settings *s,
			   struct tg_acct_config *c, char *servers);
/* c points into s and into clients (of TG_RADIUS_SERVERS_MAX * 2). */
void tg_radius_dae_config(const struct tg_radius_settings *s,
			  struct tg_dae_config *c,
			  struct tg_dae_client *clients);

#endif /* TG_RADIUS_CONFIG_H */
