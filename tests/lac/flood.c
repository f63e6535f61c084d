// SPDX-License-Identifier: GPL-2.0-only
/*
 * --flood: once the session is up, one fixed IPv4/UDP packet from the
 * member's IPCP address to --flood-to (the discard port), in L2TP data
 * messages sent as fast as sendmmsg() takes them, for --flood seconds.
 *
 * They go out on the tunnel's own socket: the same 5-tuple as its control
 * messages, so any LNS takes them as the session's data. The loop sends
 * in slices of FLOOD_SLICE_MS and returns to the epoll loop in between,
 * so acks, HELLOs and LCP echoes are still answered while it runs.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "lns/ppp.h"
#include "lns/ppp_fsm.h"
#include "lac.h"

#define FLOOD_BATCH 64		/* datagrams a sendmmsg() */
#define FLOOD_SLICE_MS 5
#define FLOOD_PORT 9		/* discard */

static uint8_t msg[LAC_DATA_HDR + PPP_MRU_DEFAULT];
static size_t msg_len;
static uint64_t started, until;
static unsigned long long sent, errors;

static uint16_t ip_csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The message once: header, IPv4 (DF, TTL 64), UDP without a checksum
 * (RFC 768 allows none over IPv4), zeros. */
static void build(struct session *s)
{
	size_t len = (size_t)opt.flood_size;
	uint8_t *ip = msg + lac_data_header(s, PPP_IP, msg);
	uint8_t *udp = ip + 20;

	memset(ip, 0, len);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)len);
	put16(ip + 6, 0x4000);
	ip[8] = 64;
	ip[9] = IPPROTO_UDP;
	memcpy(ip + 12, &s->addr, 4);
	memcpy(ip + 16, &opt.flood_to, 4);
	put16(ip + 10, ip_csum(ip, 20));
	put16(udp, FLOOD_PORT);
	put16(udp + 2, FLOOD_PORT);
	put16(udp + 4, (uint16_t)(len - 20));
	msg_len = LAC_DATA_HDR + len;
}

static void report(void)
{
	double secs = (double)(lac_now_ms() - started) / 1000;

	printf("{\"event\":\"flood\",\"size\":%d,\"sent\":%llu,\"errors\":%llu,"
	       "\"seconds\":%.3f,\"pps\":%.0f}\n", opt.flood_size, sent, errors,
	       secs, secs > 0 ? (double)sent / secs : 0.0);
	fflush(stdout);
}

bool lac_flood(struct session *s, uint64_t now)
{
	static struct mmsghdr mm[FLOOD_BATCH];
	static struct iovec iov = { .iov_base = msg };
	uint64_t slice_end = now + FLOOD_SLICE_MS;
	int i, n;

	if (!started) {
		build(s);
		iov.iov_len = msg_len;
		for (i = 0; i < FLOOD_BATCH; i++) {
			mm[i].msg_hdr.msg_iov = &iov;
			mm[i].msg_hdr.msg_iovlen = 1;
		}
		started = now;
		until = now + (uint64_t)(opt.flood * 1000);
	}
	if (s->state != S_UP || now >= until) {
		report();
		return false;
	}
	do {
		n = sendmmsg(s->t->fd, mm, FLOOD_BATCH, 0);
		if (n > 0) {
			sent += (unsigned int)n;
			s->tx_pkts += (unsigned int)n;
			s->tx_bytes += (unsigned int)n * (uint64_t)opt.flood_size;
		}
		else if (errno != EAGAIN && errno != ENOBUFS)
			errors++;
	} while (lac_now_ms() < slice_end);
	return true;
}
