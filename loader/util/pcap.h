/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Capture files through libpcap: reading classic pcap and pcapng (libpcap's
 * limits: one link type and one byte order per file; interfaces of
 * different snapshot lengths are evened out first), writing classic pcap,
 * and the conversion of the supported link types to Ethernet frames, which
 * libpcap does not do.
 *
 * Every function returns 0 (or 1, see tg_pcap_next()) or a negative errno;
 * on error the reader or writer holds a message naming the file, the cause
 * and, for a reader, the offset it was reading at, in its err[] field.
 */
#ifndef TUNGATE_PCAP_H
#define TUNGATE_PCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Link types (www.tcpdump.org/linktypes.html). */
#define TG_LINKTYPE_ETHERNET 1
#define TG_LINKTYPE_RAW_BSD12 12	/* DLT_RAW on some BSDs */
#define TG_LINKTYPE_RAW_BSD14 14	/* DLT_RAW on OpenBSD */
#define TG_LINKTYPE_RAW 101
#define TG_LINKTYPE_LINUX_SLL 113
#define TG_LINKTYPE_IPV4 228
#define TG_LINKTYPE_IPV6 229
#define TG_LINKTYPE_LINUX_SLL2 276

/* Largest captured length accepted in a record, and written. */
#define TG_PCAP_MAX_CAPLEN (256U * 1024)
/* Room a converted frame may need beyond the captured bytes. */
#define TG_PCAP_ETH_EXTRA 14

#define TG_PCAP_ERR_LEN 512

struct tg_pcap_pkt {
	uint32_t linktype;	/* LINKTYPE_* of the packet's interface */
	int64_t ts_sec;		/* seconds since the epoch */
	uint32_t ts_nsec;	/* 0..999999999 */
	uint32_t caplen;	/* bytes at data */
	uint32_t origlen;	/* length on the wire */
	const uint8_t *data;	/* valid until the next tg_pcap_next() */
};

struct pcap;
struct pcap_dumper;

struct tg_pcap_reader {
	struct pcap *p;
	char *name;
	uint32_t linktype;	/* of every packet in the file */
	bool classic;		/* classic pcap, else pcapng */
	uint8_t rec_len;	/* classic: bytes of a record's header */
	uint8_t *buf;		/* pcapng read whole, to even its snaplens */
	size_t buf_len;
	char err[TG_PCAP_ERR_LEN];
};

struct tg_pcap_writer {
	struct pcap *p;
	struct pcap_dumper *d;
	char *name;
	char err[TG_PCAP_ERR_LEN];
};

/*
 * Open a capture file by path, or read an open stream that can seek
 * (taken over). Call tg_pcap_close() afterwards even when opening failed.
 */
int tg_pcap_open(struct tg_pcap_reader *r, const char *path);
int tg_pcap_open_stream(struct tg_pcap_reader *r, FILE *f, const char *name);
/* 1: *pkt filled; 0: end of file; negative errno: r->err says why. */
int tg_pcap_next(struct tg_pcap_reader *r, struct tg_pcap_pkt *pkt);
void tg_pcap_close(struct tg_pcap_reader *r);

/*
 * Classic pcap, Ethernet link type, microsecond timestamps, host byte
 * order. Call tg_pcap_finish() afterwards even when creating failed.
 */
int tg_pcap_create(struct tg_pcap_writer *w, const char *path);
int tg_pcap_create_stream(struct tg_pcap_writer *w, FILE *f, const char *name);
int tg_pcap_write(struct tg_pcap_writer *w, int64_t ts_sec, uint32_t ts_nsec,
		  const void *data, uint32_t caplen, uint32_t origlen);
/* Flushes and closes; returns the first write error, if any. */
int tg_pcap_finish(struct tg_pcap_writer *w);

/*
 * Turn a packet of the given link type into an Ethernet frame in out
 * (room for len + TG_PCAP_ETH_EXTRA bytes, not overlapping data). Raw IP gets the header
 * 02:00:00:00:00:01 <- 02:00:00:00:00:02 and the ethertype of its IP
 * version; Linux cooked captures keep their protocol field as the
 * ethertype and their 6-byte link-layer address as the source.
 * Returns the frame length, or a negative errno with a message in err.
 */
int tg_pcap_to_ether(uint32_t linktype, const uint8_t *data, uint32_t len,
		     uint8_t *out, size_t out_size, char *err, size_t err_size);

#endif /* TUNGATE_PCAP_H */
