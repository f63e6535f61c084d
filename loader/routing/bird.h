/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef TG_BIRD_H
#define TG_BIRD_H

#include <sqlite3.h>

/* The two static protocols of the include, for bird.conf's filters. */
#define BIRD_PROTO4 "tungate4"
#define BIRD_PROTO6 "tungate6"
/*
 * The export filters of the include for the BGP protocols: each takes its
 * protocol's routes only, and sets their MED there, as BIRD sends a MED
 * to an eBGP neighbour only when the export filter sets it.
 */
#define BIRD_FILTER4 "tungate_bgp4"
#define BIRD_FILTER6 "tungate_bgp6"

/*
 * MED of a subscriber's routes at a POP that is not its home POP (0 at its
 * home): lower wins between the routes of one neighbouring AS.
 */
#define BIRD_MED_HOME 0
#define BIRD_MED_AWAY 100

/* Whether this POP announces its routes. */
enum tg_bird_state {
	TG_BIRD_ANNOUNCING,
	TG_BIRD_DRAINED,	/* tungate drain */
	TG_BIRD_DETACHED,	/* no subscriber program attached */
};

/*
 * The state of this POP: drained (tg_pop_drained()), else detached when
 * no subscriber interface up recorded under pin_root has tungate's
 * program attached now, else announcing.
 */
enum tg_bird_state tg_bird_state(sqlite3 *db, const char *pin_root);
/* "announcing", "drained", "withdrawn (data plane detached)". */
const char *tg_bird_state_name(enum tg_bird_state st);
/* "announcing", "drained", "detached": for JSON. */
const char *tg_bird_state_key(enum tg_bird_state st);

/*
 * Write the BIRD include to path atomically: while st is announcing, the
 * anycast prefixes and every enabled subscriber's prefixes; else the two
 * protocols without routes. When sock is not NULL reconfigure BIRD
 * through it (birdc -s sock configure). 0, 1 when the file was already
 * current (nothing done), or negative errno (reported with tg_err()).
 */
int tg_bird_write(sqlite3 *db, const char *path, const char *sock,
		  enum tg_bird_state st);

/* The IPv4 and IPv6 route counts of the include for the database now. */
void tg_bird_counts(sqlite3 *db, enum tg_bird_state st, unsigned int *v4,
		    unsigned int *v6);

#endif
