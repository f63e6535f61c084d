// SPDX-License-Identifier: GPL-2.0-only
/* Row revisions and tombstones in PostgreSQL (see pg_rev.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "db/pg.h"
#include "db/pg_rev.h"
#include "db/pg_tables.h"

/*
 * A row written gets the revision of the push under way and the id of
 * the transaction writing it; a row deleted, or whose key changed, leaves
 * its old key. TG_ARGV[0]: the key column.
 */
static const char pg_rev_fn[] =
	"CREATE OR REPLACE FUNCTION tungate_rev() RETURNS trigger"
	" LANGUAGE plpgsql AS $$\n"
	"DECLARE r bigint; k text;\n"
	"BEGIN\n"
	"  SELECT counter + 1 INTO r FROM tungate_meta;\n"
	"  IF TG_OP <> 'INSERT' THEN\n"
	"    k := to_jsonb(OLD) ->> TG_ARGV[0];\n"
	"    IF TG_OP = 'DELETE' OR k IS DISTINCT FROM"
	" to_jsonb(NEW) ->> TG_ARGV[0] THEN\n"
	"      INSERT INTO tungate_tombstone (tbl, key, rev, xid)"
	" VALUES (TG_TABLE_NAME, k, r, pg_current_xact_id());\n"
	"    END IF;\n"
	"    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;\n"
	"  END IF;\n"
	"  NEW.tg_rev := r;\n"
	"  NEW.tg_xid := pg_current_xact_id();\n"
	"  RETURN NEW;\n"
	"END $$";

/* Changes made by hand wake the followers too (a push notifies itself). */
static const char pg_notify_fn[] =
	"CREATE OR REPLACE FUNCTION tungate_notify() RETURNS trigger"
	" LANGUAGE plpgsql AS $$\n"
	"BEGIN\n"
	"  PERFORM pg_notify('" TG_PG_CHANNEL "', '');\n"
	"  RETURN NULL;\n"
	"END $$";

int tg_pg_rev_tables(PGconn *c, char *err, size_t errlen)
{
	char sql[1536];
	const struct tg_pg_table *t;
	size_t i;

	/* What is there already would be said as notices: not to say. */
	if (tg_pg_exec(c, "SET LOCAL client_min_messages = warning", err, errlen) ||
	    tg_pg_exec(c, "CREATE TABLE IF NOT EXISTS tungate_tombstone ("
			  "tbl text NOT NULL, key text NOT NULL,"
			  " rev bigint NOT NULL,"
			  " at timestamptz NOT NULL DEFAULT now());"
			  "CREATE INDEX IF NOT EXISTS tungate_tombstone_rev"
			  " ON tungate_tombstone (rev);"
			  "ALTER TABLE tungate_tombstone ADD COLUMN IF NOT EXISTS"
			  " xid xid8;"
			  "CREATE INDEX IF NOT EXISTS tungate_tombstone_xid"
			  " ON tungate_tombstone (xid);"
			  "ALTER TABLE tungate_meta ADD COLUMN IF NOT EXISTS"
			  " pruned bigint NOT NULL DEFAULT 0", err, errlen) ||
	    tg_pg_exec(c, pg_rev_fn, err, errlen) ||
	    tg_pg_exec(c, pg_notify_fn, err, errlen))
		return -EIO;
	for (i = 0; i < tg_pg_ntables; i++) {
		t = &tg_pg_tables[i];
		snprintf(sql, sizeof(sql),
			 "ALTER TABLE \"%s\" ADD COLUMN IF NOT EXISTS tg_rev"
			 " bigint NOT NULL DEFAULT 0;"
			 "CREATE INDEX IF NOT EXISTS \"%s_tg_rev\" ON \"%s\" (tg_rev);"
			 "ALTER TABLE \"%s\" ADD COLUMN IF NOT EXISTS tg_xid xid8;"
			 "CREATE INDEX IF NOT EXISTS \"%s_tg_xid\" ON \"%s\" (tg_xid);"
			 "DROP TRIGGER IF EXISTS tungate_rev ON \"%s\";"
			 "CREATE TRIGGER tungate_rev BEFORE INSERT OR UPDATE OR"
			 " DELETE ON \"%s\" FOR EACH ROW"
			 " EXECUTE FUNCTION tungate_rev('%s');"
			 "DROP TRIGGER IF EXISTS tungate_notify ON \"%s\";"
			 "CREATE TRIGGER tungate_notify AFTER INSERT OR UPDATE OR"
			 " DELETE ON \"%s\" FOR EACH STATEMENT"
			 " EXECUTE FUNCTION tungate_notify()",
			 t->name, t->name, t->name, t->name, t->name, t->name,
			 t->name, t->name, t->key, t->name, t->name);
		if (tg_pg_exec(c, sql, err, errlen))
			return -EIO;
	}
	return 0;
}

int tg_pg_rev_since(PGconn *c, long long since, char *err, size_t errlen)
{
	char sql[96];
	int ret;

	ret = tg_pg_bool(c, "SELECT to_regclass('tungate_tombstone') IS NOT NULL",
			 err, errlen);
	if (ret <= 0)
		return ret;
	snprintf(sql, sizeof(sql), "SELECT %lld >= pruned FROM tungate_meta",
		 since);
	return tg_pg_bool(c, sql, err, errlen);
}

int tg_pg_rev_xmin(PGconn *c, char *xmin, size_t len, char *err,
		   size_t errlen)
{
	PGresult *r;
	int ret;

	*xmin = '\0';
	ret = tg_pg_bool(c, "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE"
			 " attrelid = to_regclass('tungate_tombstone') AND"
			 " attname = 'xid' AND NOT attisdropped)", err, errlen);
	if (ret <= 0)
		return ret;
	r = PQexec(c, "SELECT pg_snapshot_xmin(pg_current_snapshot())");
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1 ||
	    PQgetlength(r, 0, 0) >= (int)len) {
		tg_pg_error(c, err, errlen);
		PQclear(r);
		return -EIO;
	}
	snprintf(xmin, len, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	return 1;
}

int tg_pg_rev_prune(PGconn *c, char *err, size_t errlen)
{
	return tg_pg_exec(c,
		"WITH d AS (DELETE FROM tungate_tombstone WHERE at < now() -"
		" interval '" TG_PG_TOMB_KEEP "' RETURNING rev)"
		" UPDATE tungate_meta SET pruned ="
		" GREATEST(pruned, (SELECT max(rev) FROM d))",
		err, errlen);
}
