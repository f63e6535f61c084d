/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This concentrator's point of presence: its name and whether it is
 * drained, settings of its own database (never shared through
 * PostgreSQL).
 */
#ifndef TG_DB_POP_H
#define TG_DB_POP_H

#include <stdbool.h>
#include <stddef.h>
#include "db/conn.h"
#include "db/name.h"

#define TG_POP_NAME_KEY "pop_name"
#define TG_POP_DRAIN_KEY "pop_drain"
/* With PostgreSQL: the last usage record id pushed to its pop_usage. */
#define TG_POP_USAGE_PUSHED_KEY "pg_usage_pushed"

/*
 * The POP's name: the setting pop_name, else the host name up to its
 * first '.' when that is a valid name, else "pop". Never fails.
 */
void tg_pop_name(sqlite3 *db, char name[TG_NAME_MAX + 1]);

/* Whether the POP is drained (tungate drain): false when unset. */
bool tg_pop_drained(sqlite3 *db);

#endif /* TG_DB_POP_H */
