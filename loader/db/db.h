/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The subscriber database (SQLite), all of it: files outside db/ that use
 * much of it include this; files of db/ include the headers of what they
 * use.
 */
#ifndef TG_DB_H
#define TG_DB_H

#include "db/conn.h"
#include "db/settings.h"
#include "db/class.h"
#include "db/sub.h"
#include "db/check.h"
#include "db/overlap.h"
#include "db/usage.h"
#include "db/session.h"
#include "db/lns_settings.h"

#endif /* TG_DB_H */
