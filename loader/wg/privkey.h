/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The concentrator's WireGuard private key: made once, kept in a file of
 * its own beside the database (mode 0600, base64 as 'wg genkey' writes
 * it), never in the database, whose rows PostgreSQL may share with other
 * concentrators. Every tgwg interface of this concentrator uses it.
 */
#ifndef TG_WG_PRIVKEY_H
#define TG_WG_PRIVKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#define TG_WG_PRIVKEY_FILE "wireguard.key"

/* The file's path: the database's directory and TG_WG_PRIVKEY_FILE. */
int tg_wg_privkey_path(char *buf, size_t len);

/*
 * Read the key at path into priv and its public key into pub; with
 * create, make a new key first when there is no file. 0 or a negative
 * errno with the cause in err (a file others may read is refused).
 */
int tg_wg_privkey_load(const char *path, bool create, __u8 priv[32],
		       __u8 pub[32], char *err, size_t errlen);

/*
 * A new key pair (for the concentrator's file, or a member's router
 * that cannot make its own): random, clamped as Curve25519 wants. 0 or
 * a negative errno with err.
 */
int tg_wg_keypair_new(__u8 priv[32], __u8 pub[32], char *err, size_t errlen);

#endif /* TG_WG_PRIVKEY_H */
