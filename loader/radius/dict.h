/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The RADIUS dictionary radcli reads, built in: the attributes of RFC 2865,
 * 2866, 2869, 3162 and 4818 the LNS sends or reads, and the vendor ones
 * operators use for rates (Mikrotik, WISPr), so that nothing depends on
 * dictionary files a host may not have.
 */
#ifndef TG_RADIUS_DICT_H
#define TG_RADIUS_DICT_H

extern const char tg_rad_dictionary[];

#endif /* TG_RADIUS_DICT_H */
