/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A text as a QR code (libqrencode): on a terminal in UTF-8 half blocks
 * with its colours set (as 'qrencode -t ansiutf8' draws it, so it reads
 * on dark and light terminals alike), or as a PNG file.
 */
#ifndef TG_QR_H
#define TG_QR_H

#include <stddef.h>
#include <stdio.h>

/* Light modules around the code, as the standard asks. */
#define TG_QR_MARGIN 4
/* Pixels per module in a PNG. */
#define TG_QR_PNG_SCALE 8

/* Draw text's code on out: 0 or a negative errno with err. */
int tg_qr_text(const char *text, FILE *out, char *err, size_t errlen);

/*
 * Write text's code as a PNG (8-bit greyscale) to out: 0 or a negative
 * errno with err.
 */
int tg_qr_png(const char *text, FILE *out, char *err, size_t errlen);

#endif /* TG_QR_H */
