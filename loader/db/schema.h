/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The strict tables of version 4, their text generated from the subscriber
 * and class field tables, and the step that rebuilds older tables into them.
 */
#ifndef TG_DB_SCHEMA_H
#define TG_DB_SCHEMA_H

#include <stddef.h>
#include <sqlite3.h>

/* The insert triggers, also dropped and re-created around a bulk import. */
#define TG_TRIGGER_SUB_INS                                                   \
	"CREATE TRIGGER subscriber_ins AFTER INSERT ON subscriber BEGIN"      \
	" INSERT OR IGNORE INTO dp_dirty SELECT NEW.dp_id"                   \
	"  WHERE NEW.dp_id IS NOT NULL; END;"
#define TG_TRIGGER_PFX_INS                                                   \
	"CREATE TRIGGER prefix_ins AFTER INSERT ON prefix BEGIN"             \
	" INSERT OR IGNORE INTO dp_dirty SELECT dp_id FROM subscriber"       \
	"  WHERE id = NEW.subscriber_id AND dp_id IS NOT NULL; END;"

/* The other triggers that mark subscribers dirty, since version 2. */
#define TG_TRIGGERS_REST                                                     \
	"CREATE TRIGGER subscriber_upd AFTER UPDATE ON subscriber BEGIN"      \
	" INSERT OR IGNORE INTO dp_dirty SELECT OLD.dp_id"                   \
	"  WHERE OLD.dp_id IS NOT NULL;"                                     \
	" INSERT OR IGNORE INTO dp_dirty SELECT NEW.dp_id"                   \
	"  WHERE NEW.dp_id IS NOT NULL; END;"                                \
	"CREATE TRIGGER subscriber_del AFTER DELETE ON subscriber BEGIN"      \
	" INSERT OR IGNORE INTO dp_dirty SELECT OLD.dp_id"                   \
	"  WHERE OLD.dp_id IS NOT NULL;"                                     \
	" INSERT OR IGNORE INTO dp_id_pending SELECT OLD.dp_id"              \
	"  WHERE OLD.dp_id IS NOT NULL; END;"                                \
	TG_TRIGGER_PFX_INS                                                   \
	"CREATE TRIGGER prefix_upd AFTER UPDATE ON prefix BEGIN"             \
	" INSERT OR IGNORE INTO dp_dirty SELECT dp_id FROM subscriber"       \
	"  WHERE id IN (OLD.subscriber_id, NEW.subscriber_id)"               \
	"  AND dp_id IS NOT NULL; END;"                                      \
	"CREATE TRIGGER prefix_del AFTER DELETE ON prefix BEGIN"             \
	" INSERT OR IGNORE INTO dp_dirty SELECT dp_id FROM subscriber"       \
	"  WHERE id = OLD.subscriber_id AND dp_id IS NOT NULL; END;"

/* CREATE TABLE text of subscriber, prefix, class and community: 0 or -ENOSPC. */
int tg_schema_tables(char *buf, size_t len);

/*
 * Rebuild subscriber, prefix, class and community into the strict tables
 * inside the caller's transaction; 0, or -EINVAL with the offending rows
 * named in err (the caller rolls back).
 */
int tg_schema_strict(sqlite3 *db, char *err, size_t errlen);

#endif /* TG_DB_SCHEMA_H */
