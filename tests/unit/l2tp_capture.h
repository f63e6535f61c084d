/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Control messages of a real dial-in (the shared dial-in capture
 * l2tpv2-ppp-chap.pcap: xl2tpd 1.3.18 as LAC at 192.0.2.2, l2tpns 2.4.1 as
 * LNS at 192.0.2.1), as hex UDP payloads, and a loader of such hex.
 */
#ifndef TG_TEST_L2TP_CAPTURE_H
#define TG_TEST_L2TP_CAPTURE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lns/l2tp.h"

/* UDP payloads of l2tpv2-ppp-chap.pcap, by frame number. */
#define CAPTURED static const char __attribute__((unused))
CAPTURED SCCRQ[] =	/* 3: xl2tpd */
	"c8020068000000000000000080080000000000018008000000020100800a000000"
	"0300000003800a00000004000000000008000000060690800d0000000765786f2d"
	"63706500130000000878656c6572616e63652e636f6d800800000009968d800800"
	"00000a0004";
CAPTURED SCCRP[] =	/* 4: l2tpns */
	"c8020040968d00000000000180080000000000028008000000020100800a000000"
	"03000000038012000000076c6e732e65786f2e746573748008000000090002";
CAPTURED SCCCN[] = "c802001400020000000100018008000000000003";	/* 5 */
CAPTURED ZLB[] = "c802000c968d000000010002";	/* 6 */
CAPTURED ICRQ[] =	/* 7 */
	"c80200300002000000020001800800000000000a80080000000e040c800a000000"
	"0f00000001800a0000001200000000";
CAPTURED ICCN[] =	/* 9 */
	"c80200320002000100030002800800000000000c800a0000001800000000800a00"
	"00001300000001000a0000002600000000";
CAPTURED CDN[] =	/* 52 */
	"c80200260002000100040002800800000000000e800a00000001000100008008000"
	"0000e040c";
CAPTURED STOPCCN[] =	/* 54 */
	"c802002e00020000000500028008000000000004800800000009968d8012000000"
	"0100010000476f6f6462796521";

static inline size_t unhex(const char *h, uint8_t *out)
{
	size_t n = 0;
	unsigned int b;

	while (h[0] && h[1] && n < L2TP_MSG_MAX && sscanf(h, "%2x", &b) == 1) {
		out[n++] = (uint8_t)b;
		h += 2;
	}
	return n;
}

/* Hex into out (L2TP_MSG_MAX bytes): its length. */
static inline size_t load(const char *hex, uint8_t *out)
{
	return unhex(hex, out);
}

#endif /* TG_TEST_L2TP_CAPTURE_H */
