/* SPDX-License-Identifier: GPL-2.0-only */
/* tungate import --freeradius SOURCE [--dry-run] (argv as 'import' has it). */
#ifndef TG_CMD_FREERADIUS_H
#define TG_CMD_FREERADIUS_H

int tg_import_freeradius(int argc, char **argv);

#endif /* TG_CMD_FREERADIUS_H */
