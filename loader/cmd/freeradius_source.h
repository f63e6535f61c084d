/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The rows of a FreeRADIUS SQL database (the schema its rlm_sql module
 * ships): radcheck, radreply, radgroupcheck, radgroupreply, radusergroup,
 * read from an SQLite file or a PostgreSQL server.
 */
#ifndef TG_CMD_FREERADIUS_SOURCE_H
#define TG_CMD_FREERADIUS_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

enum fr_table {
	FR_RADCHECK,
	FR_RADREPLY,
	FR_RADGROUPCHECK,
	FR_RADGROUPREPLY,
	FR_RADUSERGROUP,
	FR_NTABLES,
};

/*
 * One row. name: the user (radcheck, radreply, radusergroup) or the group
 * (radgroup*); radusergroup rows have the group in value and no attr/op.
 */
struct fr_row {
	enum fr_table table;
	long long id;
	long long priority;		/* radusergroup */
	char *name, *attr, *op, *value;
};

struct fr_source {
	struct fr_row *rows;		/* table by table, each by id */
	size_t n, cap;
	bool postgresql;
};

const char *fr_table_name(enum fr_table t);
/* A connection string rather than a file: postgresql://, key=value. */
bool fr_source_is_postgresql(const char *src);
/* Read every row of src: 0, or negative errno with the cause in err. */
int fr_source_read(const char *src, struct fr_source *out, char *err,
		   size_t errlen);
void fr_source_free(struct fr_source *s);

#endif /* TG_CMD_FREERADIUS_SOURCE_H */
