/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A WireGuard member's configuration as wg-quick reads it: its addresses
 * and MTU, the concentrator as its one peer (public key, the wg-endpoint
 * setting, the wg-allowed-ips setting, keepalive). The enrolment broker
 * answers with it, 'tungate wg config' prints it.
 */
#ifndef TG_WG_CONF_H
#define TG_WG_CONF_H

#include <stddef.h>
#include <stdio.h>
#include <sqlite3.h>

#include "util/addr.h"

/*
 * The address a member's interface takes in prefix p: the first host
 * address (the network address + 1, or the address itself in an IPv4
 * /31 or /32 and an IPv6 /127 or /128), with p's length.
 */
void tg_wg_conf_address(const struct tg_prefix *p, struct tg_prefix *addr);

/*
 * Write the wg-quick file of wireguard member name to out. private_key:
 * the member's key in base64, or NULL for a comment saying that the
 * router's own key goes there. The concentrator's public key comes from
 * its key file (tg_wg_privkey_path(), made when missing, as sync makes
 * it). Nothing is written unless everything is there: 0, or -ENOENT (no
 * such subscriber), -EINVAL (not a wireguard member, no wg-endpoint, an
 * invalid setting), -EIO, with the cause in err.
 */
int tg_wg_conf_write(sqlite3 *db, const char *name, const char *private_key,
		     FILE *out, char *err, size_t errlen);

#endif /* TG_WG_CONF_H */
