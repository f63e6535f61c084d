// SPDX-License-Identifier: GPL-2.0-only
/*
 * Capture file reader (classic pcap and pcapng) and classic pcap writer.
 * Formats: draft-ietf-opsawg-pcap and draft-ietf-opsawg-pcapng. Nothing in
 * a file is trusted: every length is checked against what was read, and
 * any inconsistency is an error naming the file and the offset.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <byteswap.h>

#include "util/pcap.h"

#define PCAP_MAGIC_USEC 0xa1b2c3d4U
#define PCAP_MAGIC_NSEC 0xa1b23c4dU
#define PCAP_HDR_LEN 24
#define PCAP_REC_LEN 16

#define NG_SHB 0x0a0d0d0aU
#define NG_IDB 0x00000001U
#define NG_OPB 0x00000002U	/* obsolete packet block */
#define NG_SPB 0x00000003U
#define NG_EPB 0x00000006U
#define NG_BYTE_ORDER_MAGIC 0x1a2b3c4dU
#define NG_OPT_END 0
#define NG_OPT_IF_TSRESOL 9
#define NG_OPT_IF_TSOFFSET 14
/* Largest block read into memory: a packet plus generous options. */
#define NG_MAX_BLOCK (TG_PCAP_MAX_CAPLEN + 65536)
#define NG_MAX_IFS 65536

#define ETH_HDR_LEN 14
#define SLL_HDR_LEN 16
#define SLL2_HDR_LEN 20

static const uint8_t synth_dst[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t synth_src[6] = { 0x02, 0, 0, 0, 0, 0x02 };

__attribute__((format(printf, 3, 4)))
static int rerr(struct tg_pcap_reader *r, int err, const char *fmt, ...)
{
	int n = snprintf(r->err, sizeof(r->err), "%s: ", r->name);
	va_list ap;

	if (n < 0 || (size_t)n >= sizeof(r->err))
		return err;
	va_start(ap, fmt);
	vsnprintf(r->err + n, sizeof(r->err) - n, fmt, ap);
	va_end(ap);
	return err;
}

static uint16_t get16(const struct tg_pcap_reader *r, const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return r->swap ? bswap_16(v) : v;
}

static uint32_t get32(const struct tg_pcap_reader *r, const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return r->swap ? bswap_32(v) : v;
}

static uint64_t get64(const struct tg_pcap_reader *r, const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return r->swap ? bswap_64(v) : v;
}

/* Reads up to n bytes; returns how many, or -EIO on a read error. */
static ssize_t rd(struct tg_pcap_reader *r, void *buf, size_t n)
{
	size_t got = fread(buf, 1, n, r->f);

	r->off += got;
	if (got < n && ferror(r->f))
		return rerr(r, -EIO, "read error at offset %llu: %s",
			    (unsigned long long)r->off, strerror(errno ? errno : EIO));
	return got;
}

/* Exactly n bytes of a structure that starts at offset start. */
static int rd_all(struct tg_pcap_reader *r, void *buf, size_t n,
		  const char *what, uint64_t start)
{
	ssize_t got = rd(r, buf, n);

	if (got < 0)
		return got;
	if ((size_t)got < n)
		return rerr(r, -EINVAL, "truncated %s at offset %llu (%zd of %zu bytes)",
			    what, (unsigned long long)start, got, n);
	return 0;
}

static int grow(struct tg_pcap_reader *r, size_t n)
{
	uint8_t *p;

	if (n <= r->buf_len)
		return 0;
	p = realloc(r->buf, n);
	if (!p)
		return rerr(r, -ENOMEM, "out of memory for %zu bytes", n);
	r->buf = p;
	r->buf_len = n;
	return 0;
}

static int classic_open(struct tg_pcap_reader *r, const uint8_t *magic)
{
	uint8_t hdr[PCAP_HDR_LEN];
	uint32_t m;
	int err;

	memcpy(hdr, magic, 4);
	memcpy(&m, magic, 4);
	if (m == PCAP_MAGIC_USEC || m == PCAP_MAGIC_NSEC) {
		r->swap = false;
	} else if (m == bswap_32(PCAP_MAGIC_USEC) || m == bswap_32(PCAP_MAGIC_NSEC)) {
		r->swap = true;
		m = bswap_32(m);
	} else {
		return rerr(r, -EINVAL, "not a pcap or pcapng file (magic %02x%02x%02x%02x at offset 0)",
			    magic[0], magic[1], magic[2], magic[3]);
	}
	r->nsec = m == PCAP_MAGIC_NSEC;
	err = rd_all(r, hdr + 4, PCAP_HDR_LEN - 4, "pcap file header", 0);
	if (err)
		return err;
	if (get16(r, hdr + 4) != 2)
		return rerr(r, -EINVAL, "unsupported pcap version %u.%u at offset 4",
			    get16(r, hdr + 4), get16(r, hdr + 6));
	r->snaplen = get32(r, hdr + 16);
	/* The top bits carry FCS information, not the link type. */
	r->linktype = get32(r, hdr + 20) & 0x03ffffff;
	return 0;
}

static int classic_next(struct tg_pcap_reader *r, struct tg_pcap_pkt *pkt)
{
	uint64_t start = r->off;
	uint8_t rec[PCAP_REC_LEN];
	uint32_t caplen, frac;
	ssize_t got;
	int err;

	got = rd(r, rec, sizeof(rec));
	if (got < 0)
		return got;
	if (got == 0)
		return 0;
	if (got < (ssize_t)sizeof(rec))
		return rerr(r, -EINVAL, "truncated packet record header at offset %llu (%zd of %d bytes)",
			    (unsigned long long)start, got, PCAP_REC_LEN);
	caplen = get32(r, rec + 8);
	if (caplen > TG_PCAP_MAX_CAPLEN)
		return rerr(r, -EINVAL, "packet record at offset %llu: captured length %u over the limit of %u",
			    (unsigned long long)start, caplen, TG_PCAP_MAX_CAPLEN);
	if (r->snaplen && caplen > r->snaplen)
		return rerr(r, -EINVAL, "packet record at offset %llu: captured length %u over the snapshot length %u",
			    (unsigned long long)start, caplen, r->snaplen);
	err = grow(r, caplen ? caplen : 1);
	if (err)
		return err;
	err = rd_all(r, r->buf, caplen, "packet record", start);
	if (err)
		return err;

	/* Out-of-range fractions are carried into the seconds. */
	frac = get32(r, rec + 4);
	pkt->linktype = r->linktype;
	pkt->ts_sec = get32(r, rec);
	if (r->nsec) {
		pkt->ts_sec += frac / 1000000000;
		pkt->ts_nsec = frac % 1000000000;
	} else {
		pkt->ts_sec += frac / 1000000;
		pkt->ts_nsec = frac % 1000000 * 1000;
	}
	pkt->caplen = caplen;
	pkt->origlen = get32(r, rec + 12);
	pkt->data = r->buf;
	return 1;
}

/* Reads the rest of a block (len bytes in all, done already read) into buf. */
static int ng_body(struct tg_pcap_reader *r, uint32_t type, uint32_t len,
		   uint32_t done, uint64_t start)
{
	uint32_t rest = len - done;
	int err;

	if (len < 12 || len % 4)
		return rerr(r, -EINVAL, "block of type 0x%08x at offset %llu: bad length %u",
			    type, (unsigned long long)start, len);
	if (len > NG_MAX_BLOCK)
		return rerr(r, -EINVAL, "block of type 0x%08x at offset %llu: length %u over the limit of %u",
			    type, (unsigned long long)start, len, NG_MAX_BLOCK);
	err = grow(r, rest);
	if (err)
		return err;
	err = rd_all(r, r->buf, rest, "pcapng block", start);
	if (err)
		return err;
	if (get32(r, r->buf + rest - 4) != len)
		return rerr(r, -EINVAL, "block of type 0x%08x at offset %llu: trailing length %u differs from %u",
			    type, (unsigned long long)start, get32(r, r->buf + rest - 4), len);
	return 0;
}

static int ng_skip(struct tg_pcap_reader *r, uint32_t type, uint32_t len,
		   uint64_t start)
{
	uint32_t rest = len - 8;
	uint8_t tail[4];
	int err;

	if (len < 12 || len % 4)
		return rerr(r, -EINVAL, "block of type 0x%08x at offset %llu: bad length %u",
			    type, (unsigned long long)start, len);
	err = grow(r, 65536);
	if (err)
		return err;
	while (rest > 4) {
		uint32_t n = rest - 4 < 65536 ? rest - 4 : 65536;

		err = rd_all(r, r->buf, n, "pcapng block", start);
		if (err)
			return err;
		rest -= n;
	}
	err = rd_all(r, tail, 4, "pcapng block", start);
	if (err)
		return err;
	if (get32(r, tail) != len)
		return rerr(r, -EINVAL, "block of type 0x%08x at offset %llu: trailing length %u differs from %u",
			    type, (unsigned long long)start, get32(r, tail), len);
	return 0;
}

/* Section header; its block type (4 bytes) at start was read already. */
static int ng_shb(struct tg_pcap_reader *r, uint64_t start)
{
	uint8_t hdr[8];
	uint32_t magic, len;
	int err;

	err = rd_all(r, hdr, sizeof(hdr), "section header block", start);
	if (err)
		return err;
	memcpy(&magic, hdr + 4, 4);
	if (magic == NG_BYTE_ORDER_MAGIC)
		r->swap = false;
	else if (magic == bswap_32(NG_BYTE_ORDER_MAGIC))
		r->swap = true;
	else
		return rerr(r, -EINVAL, "section header block at offset %llu: bad byte-order magic 0x%08x",
			    (unsigned long long)start, magic);
	len = get32(r, hdr);
	if (len < 28)
		return rerr(r, -EINVAL, "section header block at offset %llu: bad length %u",
			    (unsigned long long)start, len);
	err = ng_body(r, NG_SHB, len, 12, start);
	if (err)
		return err;
	if (get16(r, r->buf) != 1)
		return rerr(r, -EINVAL, "section header block at offset %llu: unsupported pcapng version %u.%u",
			    (unsigned long long)start, get16(r, r->buf), get16(r, r->buf + 2));
	free(r->ifs);
	r->ifs = NULL;
	r->n_ifs = 0;
	return 0;
}

static int ng_idb(struct tg_pcap_reader *r, uint32_t len, uint64_t start)
{
	uint32_t body = len - 12, pos = 8;
	struct tg_pcap_if *ifs, *ifp;

	if (body < 8)
		return rerr(r, -EINVAL, "interface description block at offset %llu: bad length %u",
			    (unsigned long long)start, len);
	if (r->n_ifs >= NG_MAX_IFS)
		return rerr(r, -EINVAL, "interface description block at offset %llu: more than %u interfaces",
			    (unsigned long long)start, NG_MAX_IFS);
	ifs = realloc(r->ifs, (r->n_ifs + 1) * sizeof(*ifs));
	if (!ifs)
		return rerr(r, -ENOMEM, "out of memory for interface %u", r->n_ifs);
	r->ifs = ifs;
	ifp = &ifs[r->n_ifs];
	memset(ifp, 0, sizeof(*ifp));
	ifp->linktype = get16(r, r->buf);
	ifp->snaplen = get32(r, r->buf + 4);
	ifp->tsres = 6;

	while (pos + 4 <= body) {
		uint16_t code = get16(r, r->buf + pos);
		uint16_t olen = get16(r, r->buf + pos + 2);
		const uint8_t *val = r->buf + pos + 4;

		if (code == NG_OPT_END)
			break;
		if (olen > body - pos - 4)
			return rerr(r, -EINVAL, "interface description block at offset %llu: option %u overruns the block",
				    (unsigned long long)start, code);
		if (code == NG_OPT_IF_TSRESOL && olen == 1) {
			ifp->tsres_pow2 = val[0] & 0x80;
			ifp->tsres = val[0] & 0x7f;
			if ((ifp->tsres_pow2 && ifp->tsres > 63) ||
			    (!ifp->tsres_pow2 && ifp->tsres > 19))
				return rerr(r, -EINVAL, "interface description block at offset %llu: unsupported timestamp resolution 0x%02x",
					    (unsigned long long)start, val[0]);
		} else if (code == NG_OPT_IF_TSOFFSET && olen == 8) {
			ifp->tsoffset = (int64_t)get64(r, val);
		}
		pos += 4 + ((olen + 3U) & ~3U);
	}
	r->n_ifs++;
	return 0;
}

static void ng_ts(const struct tg_pcap_if *ifp, uint64_t ts, struct tg_pcap_pkt *pkt)
{
	uint64_t sec, frac;

	if (ifp->tsres_pow2) {
		sec = ifp->tsres ? ts >> ifp->tsres : ts;
		frac = ifp->tsres ? ts & ((1ULL << ifp->tsres) - 1) : 0;
		frac = (uint64_t)(((unsigned __int128)frac * 1000000000U) >> ifp->tsres);
	} else {
		uint64_t div = 1;
		unsigned int i;

		for (i = 0; i < ifp->tsres; i++)
			div *= 10;
		sec = ts / div;
		frac = ts % div;
		if (ifp->tsres <= 9)
			for (i = ifp->tsres; i < 9; i++)
				frac *= 10;
		else
			for (i = 9; i < ifp->tsres; i++)
				frac /= 10;
	}
	/* Wraps at the ends of the range, as a signed addition may not. */
	pkt->ts_sec = (int64_t)(sec + (uint64_t)ifp->tsoffset);
	pkt->ts_nsec = frac;
}

/* Enhanced (EPB) and obsolete (OPB) packet blocks share their layout. */
static int ng_pkt(struct tg_pcap_reader *r, uint32_t type, uint32_t len,
		  uint64_t start, struct tg_pcap_pkt *pkt)
{
	const char *what = type == NG_EPB ? "enhanced packet block" : "packet block";
	uint32_t body = len - 12, ifid, caplen;
	const struct tg_pcap_if *ifp;

	if (body < 20)
		return rerr(r, -EINVAL, "%s at offset %llu: bad length %u",
			    what, (unsigned long long)start, len);
	ifid = type == NG_EPB ? get32(r, r->buf) : get16(r, r->buf);
	caplen = get32(r, r->buf + 12);
	if (ifid >= r->n_ifs)
		return rerr(r, -EINVAL, "%s at offset %llu: interface %u not described",
			    what, (unsigned long long)start, ifid);
	ifp = &r->ifs[ifid];
	if (caplen > body - 20)
		return rerr(r, -EINVAL, "%s at offset %llu: captured length %u beyond the block",
			    what, (unsigned long long)start, caplen);
	if (caplen > TG_PCAP_MAX_CAPLEN)
		return rerr(r, -EINVAL, "%s at offset %llu: captured length %u over the limit of %u",
			    what, (unsigned long long)start, caplen, TG_PCAP_MAX_CAPLEN);
	if (ifp->snaplen && caplen > ifp->snaplen)
		return rerr(r, -EINVAL, "%s at offset %llu: captured length %u over the snapshot length %u",
			    what, (unsigned long long)start, caplen, ifp->snaplen);
	ng_ts(ifp, (uint64_t)get32(r, r->buf + 4) << 32 | get32(r, r->buf + 8), pkt);
	pkt->linktype = ifp->linktype;
	pkt->caplen = caplen;
	pkt->origlen = get32(r, r->buf + 16);
	pkt->data = r->buf + 20;
	return 1;
}

static int ng_spb(struct tg_pcap_reader *r, uint32_t len, uint64_t start,
		  struct tg_pcap_pkt *pkt)
{
	uint32_t body = len - 12, caplen;
	const struct tg_pcap_if *ifp;

	if (body < 4)
		return rerr(r, -EINVAL, "simple packet block at offset %llu: bad length %u",
			    (unsigned long long)start, len);
	if (!r->n_ifs)
		return rerr(r, -EINVAL, "simple packet block at offset %llu: interface 0 not described",
			    (unsigned long long)start);
	ifp = &r->ifs[0];
	pkt->origlen = get32(r, r->buf);
	caplen = pkt->origlen;
	if (caplen > body - 4)
		caplen = body - 4;
	if (ifp->snaplen && caplen > ifp->snaplen)
		caplen = ifp->snaplen;
	if (caplen > TG_PCAP_MAX_CAPLEN)
		return rerr(r, -EINVAL, "simple packet block at offset %llu: captured length %u over the limit of %u",
			    (unsigned long long)start, caplen, TG_PCAP_MAX_CAPLEN);
	pkt->linktype = ifp->linktype;
	pkt->ts_sec = 0;
	pkt->ts_nsec = 0;
	pkt->caplen = caplen;
	pkt->data = r->buf + 4;
	return 1;
}

static int ng_next(struct tg_pcap_reader *r, struct tg_pcap_pkt *pkt)
{
	for (;;) {
		uint64_t start = r->off;
		uint8_t hdr[4];
		uint32_t type, len;
		ssize_t got;
		int err;

		got = rd(r, hdr, 4);
		if (got < 0)
			return got;
		if (got == 0)
			return 0;
		if (got < 4)
			return rerr(r, -EINVAL, "truncated block header at offset %llu (%zd of 8 bytes)",
				    (unsigned long long)start, got);
		type = get32(r, hdr);
		if (type == NG_SHB) {
			err = ng_shb(r, start);
			if (err)
				return err;
			continue;
		}
		err = rd_all(r, hdr, 4, "block header", start);
		if (err)
			return err;
		len = get32(r, hdr);
		switch (type) {
		case NG_IDB:
		case NG_EPB:
		case NG_OPB:
		case NG_SPB:
			err = ng_body(r, type, len, 8, start);
			if (err)
				return err;
			break;
		default:
			err = ng_skip(r, type, len, start);
			if (err)
				return err;
			continue;
		}
		if (type == NG_IDB) {
			err = ng_idb(r, len, start);
			if (err)
				return err;
			continue;
		}
		if (type == NG_SPB)
			return ng_spb(r, len, start, pkt);
		return ng_pkt(r, type, len, start, pkt);
	}
}

int tg_pcap_open_stream(struct tg_pcap_reader *r, FILE *f, const char *name)
{
	uint8_t magic[4];
	ssize_t got;
	int err;

	memset(r, 0, sizeof(*r));
	r->f = f;
	r->name = strdup(name);
	if (!r->name) {
		snprintf(r->err, sizeof(r->err), "%s: out of memory", name);
		return -ENOMEM;
	}
	got = rd(r, magic, 4);
	if (got < 0)
		return got;
	if (got < 4)
		return rerr(r, -EINVAL, "truncated file header at offset 0 (%zd of 4 bytes)", got);
	if (!memcmp(magic, "\x0a\x0d\x0d\x0a", 4)) {
		r->ng = true;
		err = ng_shb(r, 0);
	} else {
		err = classic_open(r, magic);
	}
	return err;
}

int tg_pcap_open(struct tg_pcap_reader *r, const char *path)
{
	FILE *f = fopen(path, "rb");

	if (!f) {
		int err = -errno;

		memset(r, 0, sizeof(*r));
		snprintf(r->err, sizeof(r->err), "%s: cannot open: %s", path, strerror(-err));
		return err;
	}
	return tg_pcap_open_stream(r, f, path);
}

int tg_pcap_next(struct tg_pcap_reader *r, struct tg_pcap_pkt *pkt)
{
	if (!r->f)
		return -EBADF;
	return r->ng ? ng_next(r, pkt) : classic_next(r, pkt);
}

void tg_pcap_close(struct tg_pcap_reader *r)
{
	if (r->f)
		fclose(r->f);
	free(r->ifs);
	free(r->buf);
	free(r->name);
	r->f = NULL;
	r->ifs = NULL;
	r->buf = NULL;
	r->name = NULL;
	r->buf_len = 0;
	r->n_ifs = 0;
}

__attribute__((format(printf, 3, 4)))
static int werr(struct tg_pcap_writer *w, int err, const char *fmt, ...)
{
	int n = snprintf(w->err, sizeof(w->err), "%s: ", w->name ? w->name : "pcap");
	va_list ap;

	if (n < 0 || (size_t)n >= sizeof(w->err))
		return err;
	va_start(ap, fmt);
	vsnprintf(w->err + n, sizeof(w->err) - n, fmt, ap);
	va_end(ap);
	return err;
}

static int wr(struct tg_pcap_writer *w, const void *p, size_t n)
{
	if (n && fwrite(p, 1, n, w->f) != n)
		return werr(w, -EIO, "write error at offset %llu: %s",
			    (unsigned long long)w->off, strerror(errno ? errno : EIO));
	w->off += n;
	return 0;
}

int tg_pcap_create_stream(struct tg_pcap_writer *w, FILE *f, const char *name)
{
	uint32_t magic = PCAP_MAGIC_USEC, snaplen = TG_PCAP_MAX_CAPLEN;
	uint32_t linktype = TG_LINKTYPE_ETHERNET;
	uint16_t ver[2] = { 2, 4 };
	uint8_t hdr[PCAP_HDR_LEN] = { 0 };

	memset(w, 0, sizeof(*w));
	w->f = f;
	w->name = strdup(name);
	if (!w->name) {
		snprintf(w->err, sizeof(w->err), "%s: out of memory", name);
		return -ENOMEM;
	}
	/* Host byte order: readers tell it by the magic. */
	memcpy(hdr, &magic, 4);
	memcpy(hdr + 4, ver, 4);
	memcpy(hdr + 16, &snaplen, 4);
	memcpy(hdr + 20, &linktype, 4);
	return wr(w, hdr, sizeof(hdr));
}

int tg_pcap_create(struct tg_pcap_writer *w, const char *path)
{
	FILE *f = fopen(path, "wb");

	if (!f) {
		int err = -errno;

		memset(w, 0, sizeof(*w));
		snprintf(w->err, sizeof(w->err), "%s: cannot create: %s", path, strerror(-err));
		return err;
	}
	return tg_pcap_create_stream(w, f, path);
}

int tg_pcap_write(struct tg_pcap_writer *w, int64_t ts_sec, uint32_t ts_nsec,
		  const void *data, uint32_t caplen, uint32_t origlen)
{
	uint32_t rec[4];
	int err;

	if (!w->f)
		return -EBADF;
	if (caplen > TG_PCAP_MAX_CAPLEN)
		return werr(w, -E2BIG, "record at offset %llu: captured length %u over the limit of %u",
			    (unsigned long long)w->off, caplen, TG_PCAP_MAX_CAPLEN);
	rec[0] = (uint32_t)ts_sec;
	rec[1] = ts_nsec / 1000 % 1000000;
	rec[2] = caplen;
	rec[3] = origlen < caplen ? caplen : origlen;
	err = wr(w, rec, sizeof(rec));
	if (err)
		return err;
	return wr(w, data, caplen);
}

int tg_pcap_finish(struct tg_pcap_writer *w)
{
	int err = 0;

	if (!w->f)
		goto out;
	if (fflush(w->f) || ferror(w->f))
		err = werr(w, -EIO, "write error: %s", strerror(errno ? errno : EIO));
	if (fclose(w->f) && !err)
		err = werr(w, -EIO, "close: %s", strerror(errno ? errno : EIO));
	w->f = NULL;
out:
	free(w->name);
	w->name = NULL;
	return err;
}

static int eth_build(uint8_t *out, const uint8_t *src, uint16_t proto_be_hi,
		     uint16_t proto_be_lo, const uint8_t *payload, uint32_t len)
{
	memcpy(out, synth_dst, 6);
	memcpy(out + 6, src, 6);
	out[12] = proto_be_hi;
	out[13] = proto_be_lo;
	memcpy(out + ETH_HDR_LEN, payload, len);
	return ETH_HDR_LEN + len;
}

int tg_pcap_to_ether(uint32_t linktype, const uint8_t *data, uint32_t len,
		     uint8_t *out, size_t out_size, char *err, size_t err_size)
{
	const uint8_t *src = synth_src;
	unsigned int ver;

	if (out_size < (size_t)len + TG_PCAP_ETH_EXTRA) {
		snprintf(err, err_size, "no room for a %u-byte frame", len + ETH_HDR_LEN);
		return -ENOSPC;
	}
	switch (linktype) {
	case TG_LINKTYPE_ETHERNET:
		memcpy(out, data, len);
		return len;
	case TG_LINKTYPE_IPV4:
		return eth_build(out, src, 0x08, 0x00, data, len);
	case TG_LINKTYPE_IPV6:
		return eth_build(out, src, 0x86, 0xdd, data, len);
	case TG_LINKTYPE_RAW:
	case TG_LINKTYPE_RAW_BSD12:
	case TG_LINKTYPE_RAW_BSD14:
		ver = len ? data[0] >> 4 : 0;
		if (ver == 4)
			return eth_build(out, src, 0x08, 0x00, data, len);
		if (ver == 6)
			return eth_build(out, src, 0x86, 0xdd, data, len);
		snprintf(err, err_size, "raw IP packet of %u bytes with IP version %u", len, ver);
		return -EPROTONOSUPPORT;
	case TG_LINKTYPE_LINUX_SLL:
		/* type 2, ARPHRD 2, address length 2, address 8, protocol 2 */
		if (len < SLL_HDR_LEN) {
			snprintf(err, err_size, "Linux cooked header cut short (%u of %d bytes)",
				 len, SLL_HDR_LEN);
			return -EINVAL;
		}
		if (data[4] == 0 && data[5] == 6)
			src = data + 6;
		return eth_build(out, src, data[14], data[15], data + SLL_HDR_LEN,
				 len - SLL_HDR_LEN);
	case TG_LINKTYPE_LINUX_SLL2:
		/* protocol 2, reserved 2, ifindex 4, ARPHRD 2, type 1, address length 1, address 8 */
		if (len < SLL2_HDR_LEN) {
			snprintf(err, err_size, "Linux cooked v2 header cut short (%u of %d bytes)",
				 len, SLL2_HDR_LEN);
			return -EINVAL;
		}
		if (data[11] == 6)
			src = data + 12;
		return eth_build(out, src, data[0], data[1], data + SLL2_HDR_LEN,
				 len - SLL2_HDR_LEN);
	}
	snprintf(err, err_size, "link type %u not supported", linktype);
	return -EPROTONOSUPPORT;
}
