// SPDX-License-Identifier: GPL-2.0-only
/* Snapshot lengths of a pcapng file's interfaces made one, for libpcap. */
#include <byteswap.h>
#include <errno.h>
#include <string.h>

#include "util/pcapng_snaplen.h"

#define NG_SHB 0x0a0d0d0aU	/* the same in either byte order */
#define NG_IDB 0x00000001U
#define NG_BYTE_ORDER_MAGIC 0x1a2b3c4dU
#define NG_HDR_LEN 16		/* type, length, and an IDB's fixed fields */
#define NG_IDB_SNAPLEN 12	/* offset in the block */

/* The file in memory (d, n) or on a stream (f). */
struct src {
	FILE *f;
	uint8_t *d;
	size_t n;
};

static bool read_at(const struct src *s, size_t off, uint8_t *buf, size_t len)
{
	if (s->d) {
		if (off > s->n || s->n - off < len)
			return false;
		memcpy(buf, s->d + off, len);
		return true;
	}
	return !fseeko(s->f, off, SEEK_SET) && fread(buf, 1, len, s->f) == len;
}

static uint32_t get32(const uint8_t *p, bool swap)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return swap ? bswap_32(v) : v;
}

/*
 * One walk over the blocks: without patch, finds the largest snapshot
 * length (UINT32_MAX for none) and whether they differ; with patch (in
 * memory only), writes *max into every interface.
 */
static int walk(const struct src *s, bool patch, uint32_t *max, bool *differ,
		char *err, size_t err_len)
{
	bool swap = false, first = true, first_swap = false;
	uint8_t h[NG_HDR_LEN];
	size_t off = 0;

	while (read_at(s, off, h, 12)) {
		uint32_t type = get32(h, swap), len, snap;

		if (type == NG_SHB) {
			swap = get32(h + 8, false) != NG_BYTE_ORDER_MAGIC;
			if (swap && get32(h + 8, true) != NG_BYTE_ORDER_MAGIC)
				break;
			if (!first && swap != first_swap) {
				snprintf(err, err_len,
					 "the section at offset %zu is in the other byte order; libpcap reads one byte order per file",
					 off);
				return -EINVAL;
			}
			first_swap = first ? swap : first_swap;
			first = false;
		}
		len = get32(h + 4, swap);
		if (len < 12 || len % 4)
			break;
		if (type == NG_IDB && len >= NG_HDR_LEN + 4 &&
		    read_at(s, off, h, NG_HDR_LEN)) {
			snap = get32(h + NG_IDB_SNAPLEN, swap);
			snap = snap ? snap : UINT32_MAX;
			if (patch) {
				snap = *max == UINT32_MAX ? 0 : *max;
				snap = swap ? bswap_32(snap) : snap;
				memcpy(s->d + off + NG_IDB_SNAPLEN, &snap, 4);
			} else {
				if (*max && snap != *max)
					*differ = true;
				if (snap > *max)
					*max = snap;
			}
		}
		off += len;
	}
	return 0;
}

int tg_pcapng_snaplen_check(FILE *f, bool *differ, char *err, size_t err_len)
{
	struct src s = { .f = f };
	uint32_t max = 0;

	*differ = false;
	return walk(&s, false, &max, differ, err, err_len);
}

void tg_pcapng_snaplen_even(uint8_t *d, size_t n)
{
	struct src s = { .d = d, .n = n };
	uint32_t max = 0;
	bool differ = false;

	walk(&s, false, &max, &differ, NULL, 0);
	if (differ)
		walk(&s, true, &max, &differ, NULL, 0);
}
