// SPDX-License-Identifier: GPL-2.0-only
/* The RADIUS settings mapped to the engines' configurations. */
#include <string.h>

#include "util/fmt.h"
#include "radius/config.h"

void tg_radius_acct_config(const struct tg_radius_settings *s,
			   struct tg_acct_config *c, char *servers)
{
	size_t off = 0;
	unsigned int i;

	*servers = '\0';
	for (i = 0; i < s->n_acct; i++)
		off = tg_cat(servers, TG_RADIUS_ACCT_LIST_MAX, off, "%s%s:%u",
			     i ? "," : "", s->acct[i].host, s->acct[i].port);
	memset(c, 0, sizeof(*c));
	c->servers = servers;
	c->secret = s->secret;
	c->timeout = s->timeout_s;
	c->retries = s->retries;
	c->interim = s->interim_s;
	c->nas_identifier = s->nas_identifier;
	c->nas_ip = s->nas_ip.s_addr;
}

void tg_radius_dae_config(const struct tg_radius_settings *s,
			  struct tg_dae_config *c,
			  struct tg_dae_client *clients)
{
	unsigned int i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < s->n_dae_clients; i++) {
		clients[i].addr = s->dae_clients[i];
		memcpy(clients[i].secret, s->secret, sizeof(clients[i].secret));
		clients[i].secret[sizeof(clients[i].secret) - 1] = '\0';
	}
	c->listen = s->dae_addr;
	c->port = s->dae_port;
	c->clients = clients;
	c->nclients = s->n_dae_clients;
	c->nas_identifier = s->nas_identifier;
	c->nas_ip = s->nas_ip;
}
