// SPDX-License-Identifier: GPL-2.0-only
/* Reads a recorded dial-in for the LNS suites (see dialin_capture.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dialin_capture.h"
#include "util/pcap.h"

#define ETH_HLEN 14
#define L2TP_PORT 1701

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Frame k of the file: Ethernet, IPv4, then UDP to or from port 1701. */
static int dialin_frame(struct dialin_frame *f, const struct tg_pcap_pkt *p,
			struct in_addr lns, unsigned int k, char *err,
			size_t errlen)
{
	const uint8_t *d = p->data, *ip = d + ETH_HLEN, *udp;
	size_t ihl, ulen;

	if (p->linktype != TG_LINKTYPE_ETHERNET || p->caplen < ETH_HLEN + 20 ||
	    get16(d + 12) != 0x0800 || ip[0] >> 4 != 4 ||
	    p->caplen != p->origlen) {
		snprintf(err, errlen, "frame %u: not a whole IPv4 frame", k);
		return -EINVAL;
	}
	ihl = (size_t)(ip[0] & 15) * 4;
	f->from_lac = !memcmp(ip + 16, &lns, 4);
	f->udp = ip[9] == IPPROTO_UDP;
	if (!f->udp)
		return 0;
	udp = ip + ihl;
	ulen = p->caplen >= ETH_HLEN + ihl + 8 ? get16(udp + 4) : 0;
	if (ulen < 8 || ETH_HLEN + ihl + ulen > p->caplen ||
	    ulen - 8 > sizeof(f->l2tp) ||
	    (get16(udp) != L2TP_PORT && get16(udp + 2) != L2TP_PORT)) {
		snprintf(err, errlen, "frame %u: not L2TP over UDP", k);
		return -EINVAL;
	}
	f->len = ulen - 8;
	memcpy(f->l2tp, udp + 8, f->len);
	return 0;
}

int dialin_capture_load(struct dialin_capture *c, const char *path,
			const char *lns, char *err, size_t errlen)
{
	struct tg_pcap_reader r;
	struct tg_pcap_pkt p;
	struct in_addr a;
	int64_t t0_ms = 0;
	int ret;

	memset(c, 0, sizeof(*c));
	inet_pton(AF_INET, lns, &a);
	ret = tg_pcap_open(&r, path);
	while (!ret && (ret = tg_pcap_next(&r, &p)) == 1) {
		int64_t ms = p.ts_sec * 1000 + p.ts_nsec / 1000000;

		if (c->n == DIALIN_FRAMES_MAX) {
			snprintf(err, errlen, "%s: more than %u frames", path,
				 DIALIN_FRAMES_MAX);
			ret = -E2BIG;
			break;
		}
		if (!c->n)
			t0_ms = ms;
		c->n++;
		c->f[c->n].ms = (uint64_t)(ms - t0_ms);
		ret = dialin_frame(&c->f[c->n], &p, a, c->n, err, errlen);
	}
	if (ret < 0 && r.err[0])
		snprintf(err, errlen, "%s", r.err);
	tg_pcap_close(&r);
	return ret < 0 ? ret : 0;
}

size_t dialin_ppp_offset(const uint8_t *l2tp, size_t len)
{
	uint16_t flags;
	size_t o = 2;

	if (len < 6)
		return 0;
	flags = get16(l2tp);
	if (flags & L2TP_HDR_L)
		o += 2;
	o += 4;
	if (flags & L2TP_HDR_S)
		o += 4;
	if ((flags & L2TP_HDR_O) && len >= o + 2)
		o += 2 + get16(l2tp + o);
	return o < len ? o : 0;
}
