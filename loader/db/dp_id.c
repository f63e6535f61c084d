// SPDX-License-Identifier: GPL-2.0-only
/* Data plane ids: allocation, one at a time or many in memory. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cli.h"
#include "db/dp_id.h"
#include "db/settings.h"

static int tg_dp_id_used(sqlite3_stmt *st, __u32 id)
{
	int rc;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : -EIO;
}

int tg_db_dp_id_alloc(sqlite3 *db, __u32 capacity, __u32 *id)
{
	sqlite3_stmt *st = NULL;
	char buf[32];
	__u64 next = 1, tries;
	int err, used;

	if (capacity < 2)
		return -ENOSPC;
	err = tg_db_setting_get(db, "next_dp_id", buf, sizeof(buf));
	if (err && err != -ENOENT)
		return err;
	if (!err && tg_parse_u64(buf, 0, UINT32_MAX, &next))
		next = 1;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM subscriber WHERE dp_id = ?1 "
			       "UNION ALL SELECT 1 FROM dp_id_pending WHERE dp_id = ?1",
			       -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	err = -ENOSPC;
	for (tries = 0; tries < capacity - 1; tries++, next++) {
		if (next == 0 || next >= capacity)
			next = 1;
		used = tg_dp_id_used(st, next);
		if (used < 0) {
			err = used;
			goto out;
		}
		if (!used) {
			err = 0;
			break;
		}
	}
	if (err)
		goto out;
	*id = next;
	snprintf(buf, sizeof(buf), "%llu",
		 (unsigned long long)(next + 1 >= capacity ? 1 : next + 1));
	err = tg_db_setting_set(db, "next_dp_id", buf);
out:
	sqlite3_finalize(st);
	return err;
}

int tg_dp_ids_begin(sqlite3 *db, __u32 capacity, struct tg_dp_ids *a)
{
	sqlite3_stmt *st = NULL;
	char buf[32];
	__u64 next = 1, id;
	int err = -EIO, rc;

	memset(a, 0, sizeof(*a));
	if (capacity < 2)
		return -ENOSPC;
	a->used = calloc(capacity / 8 + 1, 1);
	if (!a->used)
		return -ENOMEM;
	a->capacity = capacity;
	rc = tg_db_setting_get(db, "next_dp_id", buf, sizeof(buf));
	if (rc && rc != -ENOENT)
		goto out;
	if (!rc && tg_parse_u64(buf, 0, UINT32_MAX, &next))
		next = 1;
	a->next = next;
	if (sqlite3_prepare_v2(db, "SELECT dp_id FROM subscriber WHERE dp_id IS NOT NULL "
			       "UNION ALL SELECT dp_id FROM dp_id_pending",
			       -1, &st, NULL) != SQLITE_OK)
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		if (id < capacity)
			a->used[id / 8] |= 1 << (id % 8);
	}
	if (rc == SQLITE_DONE)
		err = 0;
out:
	sqlite3_finalize(st);
	if (err)
		tg_dp_ids_free(a);
	return err;
}

int tg_dp_ids_take(struct tg_dp_ids *a, __u32 id)
{
	if (!id || id >= a->capacity)
		return -ERANGE;
	if (a->used[id / 8] & (1 << (id % 8)))
		return -EEXIST;
	a->used[id / 8] |= 1 << (id % 8);
	return 0;
}

int tg_dp_ids_next(struct tg_dp_ids *a, __u32 *id)
{
	__u64 tries, next = a->next;

	for (tries = 0; tries < a->capacity - 1; tries++, next++) {
		if (next == 0 || next >= a->capacity)
			next = 1;
		if (a->used[next / 8] & (1 << (next % 8)))
			continue;
		a->used[next / 8] |= 1 << (next % 8);
		*id = next;
		a->next = next + 1 >= a->capacity ? 1 : next + 1;
		return 0;
	}
	return -ENOSPC;
}

int tg_dp_ids_end(sqlite3 *db, struct tg_dp_ids *a)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%u", a->next);
	return tg_db_setting_set(db, "next_dp_id", buf);
}

void tg_dp_ids_free(struct tg_dp_ids *a)
{
	free(a->used);
	a->used = NULL;
}
