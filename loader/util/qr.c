// SPDX-License-Identifier: GPL-2.0-only
/* QR codes of a text on a terminal or in a PNG (see qr.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <qrencode.h>
#include <zlib.h>
#include <linux/types.h>

#include "util/qr.h"

/* The code of text at the lowest error correction (the most data). */
static QRcode *qr_encode(const char *text, char *err, size_t errlen)
{
	QRcode *q = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_L);

	if (!q)
		snprintf(err, errlen, "cannot make a QR code of %zu bytes: %s",
			 strlen(text), strerror(errno));
	return q;
}

/* Whether module (x, y) of q, margin included, is dark. */
static int qr_dark(const QRcode *q, int x, int y)
{
	x -= TG_QR_MARGIN;
	y -= TG_QR_MARGIN;
	if (x < 0 || y < 0 || x >= q->width || y >= q->width)
		return 0;
	return q->data[y * q->width + x] & 1;
}

int tg_qr_text(const char *text, FILE *out, char *err, size_t errlen)
{
	/* Light modules in the foreground (white) on a black background. */
	static const char *const cell[4] = { "\u2588", "\u2580", "\u2584", " " };
	QRcode *q = qr_encode(text, err, errlen);
	int side, x, y;

	if (!q)
		return -errno ? -errno : -EINVAL;
	side = q->width + 2 * TG_QR_MARGIN;
	for (y = 0; y < side; y += 2) {
		fputs("\033[40;37m", out);
		for (x = 0; x < side; x++)
			fputs(cell[qr_dark(q, x, y) << 1 | qr_dark(q, x, y + 1)],
			      out);
		fputs("\033[0m\n", out);
	}
	QRcode_free(q);
	return 0;
}

/* One PNG chunk: length, type, data, CRC of type and data. */
static void png_chunk(FILE *out, const char *type, const void *data,
		      __u32 len)
{
	__u32 v = htonl(len), crc;

	fwrite(&v, 4, 1, out);
	fwrite(type, 4, 1, out);
	if (len)
		fwrite(data, len, 1, out);
	crc = crc32(0, (const Bytef *)type, 4);
	/* Not with no data: crc32() of a NULL buffer starts again at 0. */
	if (len)
		crc = crc32(crc, data, len);
	v = htonl(crc);
	fwrite(&v, 4, 1, out);
}

int tg_qr_png(const char *text, FILE *out, char *err, size_t errlen)
{
	static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n',
					      0x1a, '\n' };
	unsigned char ihdr[13], *raw = NULL, *z = NULL, *row;
	QRcode *q = qr_encode(text, err, errlen);
	uLongf zlen;
	__u32 px, be;
	size_t stride;
	int ret = 0, x, y;

	if (!q)
		return -errno ? -errno : -EINVAL;
	px = (q->width + 2 * TG_QR_MARGIN) * TG_QR_PNG_SCALE;
	stride = px + 1;	/* each row: filter type 0, then its pixels */
	raw = malloc(stride * px);
	zlen = compressBound(stride * px);
	z = malloc(zlen);
	if (!raw || !z) {
		snprintf(err, errlen, "out of memory");
		ret = -ENOMEM;
		goto out;
	}
	for (y = 0; y < (int)px; y++) {
		row = raw + y * stride;
		row[0] = 0;
		for (x = 0; x < (int)px; x++)
			row[1 + x] = qr_dark(q, x / TG_QR_PNG_SCALE,
					     y / TG_QR_PNG_SCALE) ? 0 : 255;
	}
	if (compress2(z, &zlen, raw, stride * px, Z_BEST_COMPRESSION) != Z_OK) {
		snprintf(err, errlen, "cannot compress the image");
		ret = -EIO;
		goto out;
	}
	be = htonl(px);
	memcpy(ihdr, &be, 4);
	memcpy(ihdr + 4, &be, 4);
	ihdr[8] = 8;	/* bits per sample */
	ihdr[9] = 0;	/* greyscale */
	ihdr[10] = ihdr[11] = ihdr[12] = 0;	/* deflate, filters, no interlace */
	fwrite(sig, sizeof(sig), 1, out);
	png_chunk(out, "IHDR", ihdr, sizeof(ihdr));
	png_chunk(out, "IDAT", z, zlen);
	png_chunk(out, "IEND", NULL, 0);
	if (fflush(out) || ferror(out)) {
		ret = -errno ? -errno : -EIO;
		snprintf(err, errlen, "cannot write the image: %s",
			 strerror(-ret));
	}
out:
	free(raw);
	free(z);
	QRcode_free(q);
	return ret;
}
