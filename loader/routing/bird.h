/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef TG_BIRD_H
#define TG_BIRD_H

#include <sqlite3.h>

/* The two static protocols of the include, for bird.conf's filters. */
#define BIRD_PROTO4 "tungate4"
#define BIRD_PROTO6 "tungate6"

/* Write the BIRD include for every enabled subscriber's prefixes to
 * path atomically; when sock is not NULL reconfigure BIRD through it
 * (birdc -s sock configure). 0, 1 when the file was already current
 * (nothing done), or negative errno (reported with tg_err()). */
int tg_bird_write(sqlite3 *db, const char *path, const char *sock);

/* The IPv4 and IPv6 route counts of the include for the database now. */
void tg_bird_counts(sqlite3 *db, unsigned int *v4, unsigned int *v6);

#endif
