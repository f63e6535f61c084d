// SPDX-License-Identifier: GPL-2.0-only
/* gzip into memory behind a FILE, and back out in chunks. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <zlib.h>

#include "daemon/gzip.h"

struct gz {
	z_stream z;
	char *buf;
	size_t cap;
	size_t in;		/* bytes written: the plain length */
	bool failed;
};

static int gz_room(struct gz *g)
{
	size_t used = g->cap - g->z.avail_out, cap;
	char *p;

	if (g->z.avail_out)
		return 0;
	cap = g->cap ? g->cap * 2 : 1U << 16;
	p = realloc(g->buf, cap);
	if (!p)
		return -ENOMEM;
	g->buf = p;
	g->cap = cap;
	g->z.next_out = (Bytef *)p + used;
	g->z.avail_out = cap - used;
	return 0;
}

static ssize_t gz_write(void *cookie, const char *p, size_t n)
{
	struct gz *g = cookie;

	g->z.next_in = (Bytef *)p;
	g->z.avail_in = n;
	g->in += n;
	while (g->z.avail_in) {
		if (gz_room(g) || deflate(&g->z, Z_NO_FLUSH) == Z_STREAM_ERROR) {
			g->failed = true;
			return -1;
		}
	}
	return n;
}

static int gz_close(void *cookie)
{
	struct gz *g = cookie;
	int rc = Z_OK;

	while (!g->failed && rc != Z_STREAM_END) {
		if (gz_room(g))
			g->failed = true;
		else if ((rc = deflate(&g->z, Z_FINISH)) == Z_STREAM_ERROR)
			g->failed = true;
	}
	return g->failed ? EOF : 0;
}

int tg_gzip_make(int (*fn)(void *ctx, FILE *f), void *ctx, char **out,
		 size_t *out_len, size_t *plain)
{
	cookie_io_functions_t io = { .write = gz_write, .close = gz_close };
	struct gz g = {};
	FILE *f;
	int ret;

	*out = NULL;
	if (deflateInit2(&g.z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	f = fopencookie(&g, "w", io);
	if (!f) {
		ret = -errno;
		goto out;
	}
	setvbuf(f, NULL, _IOFBF, 1U << 16);
	ret = fn(ctx, f);
	if (fclose(f) && !ret)
		ret = -ENOMEM;
	if (!ret) {
		*out = g.buf;
		*out_len = g.cap - g.z.avail_out;
		*plain = g.in;
		g.buf = NULL;
	}
out:
	deflateEnd(&g.z);
	free(g.buf);
	return ret;
}

struct tg_gunzip {
	z_stream z;
	char *gz;
};

struct tg_gunzip *tg_gunzip_new(char *gz, size_t len)
{
	struct tg_gunzip *r = calloc(1, sizeof(*r));

	if (!r || inflateInit2(&r->z, 15 + 16) != Z_OK) {
		free(r);
		free(gz);
		return NULL;
	}
	r->gz = gz;
	r->z.next_in = (Bytef *)gz;
	r->z.avail_in = len;
	return r;
}

ssize_t tg_gunzip_read(struct tg_gunzip *r, char *buf, size_t max)
{
	int rc;

	if (max > 1U << 30)
		max = 1U << 30;	/* avail_out is an unsigned int */
	r->z.next_out = (Bytef *)buf;
	r->z.avail_out = max;
	rc = inflate(&r->z, Z_NO_FLUSH);
	if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
		return -EIO;
	return max - r->z.avail_out;
}

void tg_gunzip_free(struct tg_gunzip *r)
{
	if (!r)
		return;
	inflateEnd(&r->z);
	free(r->gz);
	free(r);
}
