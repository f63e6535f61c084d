/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A response body made once, gzip-compressed in memory (a scrape of many
 * subscribers is large; compressed it is a tenth), and read back plain in
 * chunks for a client that does not take gzip.
 */
#ifndef TG_GZIP_H
#define TG_GZIP_H

#include <stdio.h>
#include <sys/types.h>

/*
 * Run fn(ctx, f) with f compressing into memory: the gzip bytes into
 * *out (malloc'd, *out_len bytes) and the plain length into *plain.
 * What fn returns (0 or negative errno), or -ENOMEM.
 */
int tg_gzip_make(int (*fn)(void *ctx, FILE *f), void *ctx, char **out,
		 size_t *out_len, size_t *plain);

struct tg_gunzip;

/* A reader of gz (len bytes), which it owns from then on: freed with it. */
struct tg_gunzip *tg_gunzip_new(char *gz, size_t len);
/* Up to max plain bytes into buf: their count, 0 at the end, or -EIO. */
ssize_t tg_gunzip_read(struct tg_gunzip *r, char *buf, size_t max);
void tg_gunzip_free(struct tg_gunzip *r);

#endif /* TG_GZIP_H */
