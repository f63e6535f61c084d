/* SPDX-License-Identifier: GPL-2.0-only */
/* Big-endian fields of PPP packets, and the session's clock. */
#ifndef TG_LNS_PPP_UTIL_H
#define TG_LNS_PPP_UTIL_H

#include <stdint.h>

static inline uint16_t ppp_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t ppp_get32(const uint8_t *p)
{
	return (uint32_t)ppp_get16(p) << 16 | ppp_get16(p + 2);
}

static inline void ppp_put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static inline void ppp_put32(uint8_t *p, uint32_t v)
{
	ppp_put16(p, v >> 16);
	ppp_put16(p + 2, v & 0xffff);
}

#endif /* TG_LNS_PPP_UTIL_H */
