/* SPDX-License-Identifier: GPL-2.0-only */
/* The commands of 'tungate wg'. */
#ifndef TG_CMD_WG_H
#define TG_CMD_WG_H

/* wg_config.c: a member's wg-quick file, as text or a QR code. */
int tg_wg_config_cmd(int argc, char **argv);

#endif /* TG_CMD_WG_H */
