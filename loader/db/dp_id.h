/* SPDX-License-Identifier: GPL-2.0-only */
/* Data plane ids of subscribers: allocation. */
#ifndef TG_DB_DP_ID_H
#define TG_DB_DP_ID_H

#include "db/conn.h"

/*
 * Allocate a dp_id below capacity from the next_dp_id counter, skipping ids
 * in use, and advance the counter. Call inside a transaction. 0 or -ENOSPC.
 */
int tg_db_dp_id_alloc(sqlite3 *db, __u32 capacity, __u32 *id);

/*
 * dp_id allocation in memory for many subscribers (import): ids in use
 * and pending are loaded once, next() allocates like tg_db_dp_id_alloc(),
 * end() stores the counter. Call inside a transaction.
 */
struct tg_dp_ids {
	__u8 *used;		/* bitmap below capacity */
	__u32 capacity;
	__u32 next;
};
int tg_dp_ids_begin(sqlite3 *db, __u32 capacity, struct tg_dp_ids *a);
/* Mark id used: 0, or -EEXIST when it already is, -ERANGE. */
int tg_dp_ids_take(struct tg_dp_ids *a, __u32 id);
int tg_dp_ids_next(struct tg_dp_ids *a, __u32 *id);
int tg_dp_ids_end(sqlite3 *db, struct tg_dp_ids *a);
void tg_dp_ids_free(struct tg_dp_ids *a);

#endif /* TG_DB_DP_ID_H */
