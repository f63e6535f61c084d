/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * L2TPv2 data messages of the LNS: the PPP frames the data plane leaves
 * to userspace (LCP, authentication, IPCP, IPv6CP, and anything before a
 * session is in the data plane) in and out of a session.
 */
#ifndef TG_LNS_DATA_H
#define TG_LNS_DATA_H

#include "lns/tunnel.h"

/* ICCN: the session's PPP starts (LCP Configure-Request). */
int lns_ppp_start(struct lns *l, struct lns_session *s, uint64_t now);
/* An adopted session's PPP, set up but not started: the caller fills it. */
int lns_ppp_adopt(struct lns *l, struct lns_session *s);
/* A data message (T bit clear) from a peer. */
void lns_data_input(struct lns *l, const struct lns_addr *from,
		    const uint8_t *buf, size_t len, uint64_t now);
/* PPP's timers of every session of t; sessions whose PPP ended close. */
void lns_ppp_tick(struct lns_tunnel *t, uint64_t now);
uint64_t lns_ppp_deadline(const struct lns_tunnel *t);

#endif /* TG_LNS_DATA_H */
