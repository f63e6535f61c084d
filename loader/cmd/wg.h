/* SPDX-License-Identifier: GPL-2.0-only */
/* The commands of 'tungate wg'. */
#ifndef TG_CMD_WG_H
#define TG_CMD_WG_H

/* wg_invite.c: invitations. */
int tg_wg_invite_cmd(int argc, char **argv);
int tg_wg_invites_cmd(int argc, char **argv);
int tg_wg_uninvite_cmd(int argc, char **argv);
/* wg_enrol.c: a router's enrolment with its token. */
int tg_wg_enrol_cmd(int argc, char **argv);
/* wg_config.c: a member's wg-quick file, as text or a QR code. */
int tg_wg_config_cmd(int argc, char **argv);

#endif /* TG_CMD_WG_H */
