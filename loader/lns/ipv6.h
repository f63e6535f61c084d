/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * IPv6 on a dial-in session once IPv6CP is up: router advertisements of
 * the member's /64 (RFC 4861, DNS by RFC 8106) and DHCPv6 prefix
 * delegation of its delegated prefix (RFC 8415), what OpenWrt's odhcp6c
 * asks for on a PPP uplink. Pure functions from the member's IPv6 packet
 * to ours: whole IPv6 packets, checksums included.
 */
#ifndef TG_LNS_IPV6_H
#define TG_LNS_IPV6_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LNS_RA_LIFETIME 1800		/* router lifetime, s */
#define LNS_PREFIX_VALID 2592000	/* prefix valid lifetime, s */
#define LNS_PREFIX_PREFERRED 604800	/* prefix preferred lifetime, s */
#define LNS_DUID_MAX 130
#define LNS_DNS6_MAX 2

/* What a session's IPv6 side knows. */
struct lns_ipv6 {
	uint8_t local_ifid[8];		/* ours: fe80::local_ifid */
	uint8_t peer_ifid[8];		/* the member's */
	struct in6_addr prefix;		/* the member's /64 (zero: none) */
	struct in6_addr pd;		/* delegated prefix (zero: none) */
	uint8_t pd_len;
	struct in6_addr dns[LNS_DNS6_MAX];
	unsigned int n_dns;
	uint8_t duid[LNS_DUID_MAX];	/* the server's DUID */
	size_t duid_len;
};

/* Router Advertisement to dst (ff02::1 unsolicited): the packet's length. */
size_t lns_ra_build(const struct lns_ipv6 *v, const struct in6_addr *dst,
		    uint8_t *out, size_t max);

/* What the member's IPv6 packet is to the LNS. */
enum lns_ipv6_kind {
	LNS_V6_OTHER,		/* not for the LNS: the data plane's */
	LNS_V6_RS,		/* a valid Router Solicitation */
	LNS_V6_DHCP,		/* a DHCPv6 client message to servers */
	LNS_V6_BAD,		/* for the LNS, but malformed: dropped */
};

enum lns_ipv6_kind lns_ipv6_classify(const uint8_t *pkt, size_t len);

/*
 * The answer to a DHCPv6 client message: Solicit (Advertise, or Reply with
 * Rapid Commit), Request, Renew, Rebind (Reply with the delegated prefix
 * and DNS), Release (Reply), Information-Request (Reply with DNS). The
 * answer's length, 0 when there is none to give (Confirm, Decline, a
 * message for another server, a malformed one).
 */
size_t lns_dhcpv6_answer(const struct lns_ipv6 *v, const uint8_t *pkt,
			 size_t len, uint8_t *out, size_t max);

/* The ICMPv6/UDP checksum over the IPv6 pseudo-header. */
uint16_t lns_ipv6_csum(const struct in6_addr *src, const struct in6_addr *dst,
		       uint8_t next, const uint8_t *l4, size_t len);

#endif /* TG_LNS_IPV6_H */
