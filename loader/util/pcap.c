// SPDX-License-Identifier: GPL-2.0-only
/*
 * Capture files read and written through libpcap, which parses classic
 * pcap and pcapng (byte orders, timestamp precisions, if_tsresol and
 * if_tsoffset, sections) on untrusted input; what stays here is naming the
 * file and offset in its errors, refusing records over the snapshot length
 * in classic files (libpcap cuts them silently), and the conversion of
 * each link type to the Ethernet frame the XDP programs take.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <pcap/pcap.h>

#include "util/pcap.h"
#include "util/pcapng_snaplen.h"

#define PCAP_REC_LEN 16
#define PCAP_REC_LEN_KUZNETZOV 24	/* magic 0xa1b2cd34: 8 bytes more */
#define NSEC_PER_SEC 1000000000LL

#define ETH_HDR_LEN 14
#define SLL_HDR_LEN 16
#define SLL2_HDR_LEN 20

static const uint8_t synth_dst[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t synth_src[6] = { 0x02, 0, 0, 0, 0, 0x02 };

__attribute__((format(printf, 4, 5)))
static int say(char *buf, const char *name, int err, const char *fmt, ...)
{
	int n = snprintf(buf, TG_PCAP_ERR_LEN, "%s: ", name ? name : "pcap");
	va_list ap;

	if (n < 0 || n >= TG_PCAP_ERR_LEN)
		return err;
	va_start(ap, fmt);
	vsnprintf(buf + n, TG_PCAP_ERR_LEN - n, fmt, ap);
	va_end(ap);
	return err;
}

/* Where the reader is in its file, -1 when the stream cannot tell. */
static long offset(const struct tg_pcap_reader *r)
{
	return ftell(pcap_file(r->p));
}

/*
 * A pcapng file whose interfaces differ in snapshot length is read whole
 * into memory and evened out there; any other is read by libpcap as it is.
 * Returns the stream libpcap is to read, or NULL with *err set.
 */
static FILE *ng_prepare(struct tg_pcap_reader *r, FILE *f, int *err)
{
	char why[256];
	bool differ;
	size_t got;

	*err = tg_pcapng_snaplen_check(f, &differ, why, sizeof(why));
	if (*err) {
		say(r->err, r->name, *err, "%s", why);
		goto fail;
	}
	rewind(f);
	if (!differ)
		return f;
	for (;;) {
		uint8_t *p = realloc(r->buf, r->buf_len + 65536);

		if (!p) {
			*err = say(r->err, r->name, -ENOMEM, "out of memory");
			goto fail;
		}
		r->buf = p;
		got = fread(p + r->buf_len, 1, 65536, f);
		r->buf_len += got;
		if (got < 65536)
			break;
	}
	if (ferror(f)) {
		*err = say(r->err, r->name, -EIO, "read error: %s",
			   strerror(errno ? errno : EIO));
		goto fail;
	}
	fclose(f);
	tg_pcapng_snaplen_even(r->buf, r->buf_len);
	f = fmemopen(r->buf, r->buf_len, "rb");
	if (!f) {
		*err = -errno;
		say(r->err, r->name, *err, "cannot read: %s", strerror(-*err));
	}
	return f;
fail:
	fclose(f);
	return NULL;
}

int tg_pcap_open_stream(struct tg_pcap_reader *r, FILE *f, const char *name)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	uint8_t magic[4];
	int dlt, err;

	memset(r, 0, sizeof(*r));
	r->name = strdup(name);
	if (!r->name) {
		fclose(f);
		return say(r->err, name, -ENOMEM, "out of memory");
	}
	if (fread(magic, 1, 4, f) == 4 && !memcmp(magic, "\x0a\x0d\x0d\x0a", 4)) {
		f = ng_prepare(r, f, &err);
		if (!f)
			return err;
	} else {
		rewind(f);
	}
	/* Nanoseconds: libpcap scales every file's timestamps to them. */
	r->p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO,
							errbuf);
	if (!r->p) {
		fclose(f);
		return say(r->err, name, -EINVAL, "%s (reading from offset 0)", errbuf);
	}
	dlt = pcap_datalink(r->p);
	/* libpcap gives LINKTYPE_RAW as this system's DLT_RAW. */
	r->linktype = dlt == DLT_RAW ? TG_LINKTYPE_RAW : (uint32_t)dlt;
	r->classic = pcap_major_version(r->p) == 2;
	r->rec_len = !memcmp(magic, "\xa1\xb2\xcd\x34", 4) ||
			     !memcmp(magic, "\x34\xcd\xb2\xa1", 4) ?
			     PCAP_REC_LEN_KUZNETZOV : PCAP_REC_LEN;
	return 0;
}

int tg_pcap_open(struct tg_pcap_reader *r, const char *path)
{
	FILE *f = fopen(path, "rb");

	if (!f) {
		int err = -errno;

		memset(r, 0, sizeof(*r));
		return say(r->err, path, err, "cannot open: %s", strerror(-err));
	}
	return tg_pcap_open_stream(r, f, path);
}

int tg_pcap_next(struct tg_pcap_reader *r, struct tg_pcap_pkt *pkt)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	long start, end;
	int64_t sec, frac;
	int ret;

	if (!r->p)
		return -EBADF;
	start = offset(r);
	ret = pcap_next_ex(r->p, &h, &data);
	if (ret == PCAP_ERROR_BREAK)
		return 0;
	if (ret != 1)
		return say(r->err, r->name, -EINVAL, "%s (reading from offset %ld)",
			   pcap_geterr(r->p), start);
	end = offset(r);
	if (r->classic && start >= 0 && end >= 0 &&
	    end - start - r->rec_len > (long)h->caplen)
		return say(r->err, r->name, -EINVAL,
			   "packet record at offset %ld: captured length %ld over the snapshot length %d",
			   start, end - start - r->rec_len, pcap_snapshot(r->p));
	if (h->caplen > TG_PCAP_MAX_CAPLEN)
		return say(r->err, r->name, -EINVAL,
			   "packet record at offset %ld: captured length %u over the limit of %u",
			   start, h->caplen, TG_PCAP_MAX_CAPLEN);

	/*
	 * Classic timestamps are unsigned 32-bit seconds that libpcap reads
	 * as signed; out-of-range fractions are carried into the seconds.
	 */
	sec = r->classic ? (int64_t)(uint32_t)h->ts.tv_sec : (int64_t)h->ts.tv_sec;
	frac = h->ts.tv_usec;
	if (frac < 0 || frac >= NSEC_PER_SEC) {
		int64_t carry = frac / NSEC_PER_SEC - (frac % NSEC_PER_SEC < 0);

		sec = (int64_t)((uint64_t)sec + (uint64_t)carry);
		frac -= carry * NSEC_PER_SEC;
	}
	pkt->linktype = r->linktype;
	pkt->ts_sec = sec;
	pkt->ts_nsec = frac;
	pkt->caplen = h->caplen;
	pkt->origlen = h->len;
	pkt->data = data;
	return 1;
}

void tg_pcap_close(struct tg_pcap_reader *r)
{
	if (r->p)
		pcap_close(r->p);
	free(r->buf);
	free(r->name);
	r->p = NULL;
	r->buf = NULL;
	r->name = NULL;
}

/* The stream's error flag: pcap_dump() reports no write error itself. */
static int dump_err(struct tg_pcap_writer *w, const char *what)
{
	FILE *f = pcap_dump_file(w->d);

	if (!ferror(f))
		return 0;
	return say(w->err, w->name, -EIO, "%s error at offset %ld: %s", what,
		   ftell(f), strerror(errno ? errno : EIO));
}

int tg_pcap_create_stream(struct tg_pcap_writer *w, FILE *f, const char *name)
{
	memset(w, 0, sizeof(*w));
	w->name = strdup(name);
	if (!w->name) {
		fclose(f);
		return say(w->err, name, -ENOMEM, "out of memory");
	}
	w->p = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, TG_PCAP_MAX_CAPLEN,
						    PCAP_TSTAMP_PRECISION_MICRO);
	if (!w->p) {
		fclose(f);
		return say(w->err, name, -ENOMEM, "out of memory");
	}
	/* Host byte order: readers tell it by the magic. */
	w->d = pcap_dump_fopen(w->p, f);
	if (!w->d) {
		fclose(f);
		return say(w->err, name, -EIO, "cannot write the file header: %s",
			   pcap_geterr(w->p));
	}
	return dump_err(w, "write");
}

int tg_pcap_create(struct tg_pcap_writer *w, const char *path)
{
	FILE *f = fopen(path, "wb");

	if (!f) {
		int err = -errno;

		memset(w, 0, sizeof(*w));
		return say(w->err, path, err, "cannot create: %s", strerror(-err));
	}
	return tg_pcap_create_stream(w, f, path);
}

int tg_pcap_write(struct tg_pcap_writer *w, int64_t ts_sec, uint32_t ts_nsec,
		  const void *data, uint32_t caplen, uint32_t origlen)
{
	struct pcap_pkthdr h = {
		.ts.tv_sec = ts_sec,
		.ts.tv_usec = ts_nsec / 1000 % 1000000,
		.caplen = caplen,
		.len = origlen < caplen ? caplen : origlen,
	};

	if (!w->d)
		return -EBADF;
	if (caplen > TG_PCAP_MAX_CAPLEN)
		return say(w->err, w->name, -E2BIG,
			   "record at offset %ld: captured length %u over the limit of %u",
			   ftell(pcap_dump_file(w->d)), caplen, TG_PCAP_MAX_CAPLEN);
	pcap_dump((u_char *)w->d, &h, data);
	return dump_err(w, "write");
}

int tg_pcap_finish(struct tg_pcap_writer *w)
{
	int err = 0;

	if (w->d) {
		if (pcap_dump_flush(w->d))
			err = say(w->err, w->name, -EIO, "write error: %s",
				  strerror(errno ? errno : EIO));
		else
			err = dump_err(w, "write");
		pcap_dump_close(w->d);
	}
	if (w->p)
		pcap_close(w->p);
	free(w->name);
	w->d = NULL;
	w->p = NULL;
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
