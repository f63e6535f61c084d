// SPDX-License-Identifier: GPL-2.0-only
/*
 * The EoIP keepalive as RouterOS sends it: an EoIP packet whose payload
 * length is 0 and which carries nothing. The data plane answers a
 * keepalive with these same bytes, so a capture of either looks alike:
 *
 *   45 00 00 1c  00 00 40 00  TTL 2f CS CS  LOCAL (4)  REMOTE (4)
 *   20 01 64 00  00 00 ID ID
 *
 * IPv4: version 4, IHL 5, TOS 0, total length 28, ID 0 (the kernel keeps
 * a zero ID of a DF packet on an unconnected raw socket), DF, protocol 47
 * (GRE). EoIP: GRE flags 0x2001 (key present, version 1), protocol type
 * 0x6400, payload length 0 (big endian), then the tunnel id in LITTLE
 * endian order, as MikroTik puts it.
 */
#include <string.h>

#include "daemon/keepalive_pkt.h"

#define KA_EOIP_FLAGS 0x2001
#define KA_EOIP_PROTO 0x6400
#define KA_IPPROTO_GRE 47
#define KA_IP_DF 0x4000

/* RFC 1071 over the 20 bytes of the header, its checksum field zero. */
static __u16 ka_ip_csum(const __u8 *h)
{
	__u32 sum = 0;
	int i;

	for (i = 0; i < 20; i += 2)
		sum += (__u32)h[i] << 8 | h[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

void tg_ka_pkt_build(__u8 *buf, __be32 local, __be32 remote, __u8 ttl,
		     __u16 id)
{
	__u16 cs;

	memset(buf, 0, TG_KA_PKT_LEN);
	buf[0] = 0x45;
	buf[3] = TG_KA_PKT_LEN;
	buf[6] = KA_IP_DF >> 8;
	buf[8] = ttl;
	buf[9] = KA_IPPROTO_GRE;
	/* Addresses are in network order already. */
	memcpy(buf + 12, &local, 4);
	memcpy(buf + 16, &remote, 4);
	cs = ka_ip_csum(buf);
	buf[10] = cs >> 8;
	buf[11] = cs & 0xff;
	buf[20] = KA_EOIP_FLAGS >> 8;
	buf[21] = KA_EOIP_FLAGS & 0xff;
	buf[22] = KA_EOIP_PROTO >> 8;
	buf[23] = KA_EOIP_PROTO & 0xff;
	/* buf[24..25]: payload length 0. */
	buf[26] = id & 0xff;
	buf[27] = id >> 8;
}
