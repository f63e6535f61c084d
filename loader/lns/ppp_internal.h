/* SPDX-License-Identifier: GPL-2.0-only */
/* What the PPP files of the LNS share among themselves. */
#ifndef TG_LNS_PPP_INTERNAL_H
#define TG_LNS_PPP_INTERNAL_H

#include "lns/ppp.h"
#include "lns/ppp_util.h"

extern const struct ppp_fsm_ops ppp_lcp_ops;
extern const struct ppp_fsm_ops ppp_ipcp_ops;
extern const struct ppp_fsm_ops ppp_ipv6cp_ops;

/* The session of an automaton (each is a member of struct ppp). */
struct ppp *ppp_of(struct ppp_fsm *f);

/* An automaton's packet to the member, as a frame of its protocol. */
void ppp_fsm_out(struct ppp_fsm *f, const uint8_t *buf, size_t len);

/* The time of the packet or tick being handled, for callbacks. */
uint64_t ppp_now(const struct ppp *p);

/* End the link after the current packet is handled. */
void ppp_fail(struct ppp *p, const char *why);

/* Authentication phase: starts when LCP opens; frames of PAP or CHAP. */
void ppp_auth_start(struct ppp *p, uint64_t now);
void ppp_auth_input(struct ppp *p, uint16_t proto, const uint8_t *pkt,
		    size_t len, uint64_t now);
void ppp_auth_tick(struct ppp *p, uint64_t now);

/* LCP echo: sent every echo interval once LCP is open. */
void ppp_echo_tick(struct ppp *p, uint64_t now);

#endif /* TG_LNS_PPP_INTERNAL_H */
