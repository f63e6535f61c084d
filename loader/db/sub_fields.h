/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fields of a subscriber record, written once. Each X() row gives:
 *   name    option (with '_' for '-'), CSV column and JSON member
 *   column  SQL column of the subscriber table (NULL: not a column)
 *   kind    how the value is parsed, stored, checked and written (TG_FK_*)
 *   member  the value in struct tg_sub
 *   has     its "set" flag (TG_F_HAS(m)), TG_F_NONE (always set) or
 *           TG_F_ZERO (0 means unset); cookies: the length byte
 *   min,max range of a number (texts: most characters)
 *   flags   TG_FF_*
 *   group   where 'sub help' lists the option (TG_FG_*)
 *   arg,help 'sub help': the option's argument and text, '\n' between lines
 * Rows are in export order (CSV columns, JSON members). A new field is one
 * row here, its member in struct tg_sub, its column in the schema and,
 * when a type or another field limits it, a line in tg_sub_validate().
 */
#ifndef TG_SUB_FIELDS_H
#define TG_SUB_FIELDS_H

#include <stddef.h>
#include <stdint.h>

#define TG_F_HAS(m) ((int)offsetof(struct tg_sub, m))
#define TG_F_NONE (-1)
#define TG_F_ZERO (-2)

#define TG_PPP_USER_MAX 253	/* a user name: an e-mail-like address */
#define TG_PPP_PASSWORD_MAX 128
#define TG_KEEPALIVE_MAX 3600	/* s between EoIP keepalives: an hour at most */
#define TG_WG_KEY_B64 44	/* a WireGuard key in base64: 32 bytes */
#define TG_WG_PORT_DEFAULT 51820

#define TG_SUB_FIELDS(X)							\
	X("name", "name", NAME, name, TG_F_NONE, 1, TG_NAME_MAX,		\
	  TG_FF_SET_ONLY | TG_FF_OWN, TG_FG_NONE, "NEW", NULL)			\
	X("enabled", "enabled", BOOL, enabled, TG_F_NONE, 0, 1,			\
	  TG_FF_NOOPT | TG_FF_OWN, TG_FG_NONE, NULL, NULL)					\
	X("type", "type", TYPE, type, TG_F_NONE, 0, 0, TG_FF_OWN, TG_FG_TUNNEL,	\
	  "TYPE", "tunnel type (required):\n"					\
	  "  ipip        IPv4 in IPv4 (IP protocol 4)\n"			\
	  "  sit         IPv6 in IPv4, 6in4 (IP protocol 41)\n"			\
	  "  gre         GRE carrying IPv4/IPv6\n"				\
	  "  gretap      GRE carrying Ethernet\n"				\
	  "  eoip        MikroTik EoIP\n"					\
	  "  l2tpv3-ip   L2TPv3 Ethernet pseudowire over IP\n"			\
	  "  l2tpv3-udp  L2TPv3 Ethernet pseudowire over UDP\n"			\
	  "  l2tpv2      L2TPv2 (PPP) over UDP\n"				\
	  "  wireguard   WireGuard, through the kernel's interface")	\
	X("remote", "remote", IP4, remote, TG_F_ZERO, 0, 0, TG_FF_OWN,	\
	  TG_FG_TUNNEL,	\
	  "IPV4", "the subscriber's tunnel endpoint (required but\n"	\
	  "for dial-in and wireguard members; unicast);\n"		\
	  "wireguard: ADDR:PORT or [IPV6]:PORT pins the\n"		\
	  "peer's endpoint\n"						\
	  "(default: learnt from its packets)")				\
	X("local", "local", IP4, local, TG_F_ZERO, 0, 0, TG_FF_OWN,		\
	  TG_FG_TUNNEL,	\
	  "IPV4", "our tunnel endpoint (required but for dial-in\n"	\
	  "and wireguard members; unicast)")				\
	X("public_key", "wg_public_key", TEXT, wg_key, TG_F_NONE, 0,		\
	  TG_WG_KEY_B64, TG_FF_OWN, TG_FG_TUNNEL, "KEY",			\
	  "wireguard: the member's public key, base64 of\n"		\
	  "32 bytes as 'wg pubkey' prints it (required;\n"		\
	  "unique)")								\
	X("listen_port", "wg_listen_port", U16, listen_port,			\
	  TG_F_HAS(has_listen_port), 1, 65535, TG_FF_OWN | TG_FF_TYPED,	\
	  TG_FG_TUNNEL, "N",							\
	  "wireguard: the UDP port of the concentrator's\n"		\
	  "WireGuard interface the member is a peer of\n"		\
	  "(tgwgN, one per port; default 51820)")				\
	X("key", "gre_key", U32, key, TG_F_HAS(has_key), 0, UINT32_MAX,	\
	  TG_FF_OWN,							\
	  TG_FG_TUNNEL, "N", "gre, gretap: GRE key 0..4294967295; omit (or\n"	\
	  "'none') for a keyless tunnel")					\
	X("tunnel_id", "tunnel_id", U32, tunnel_id, TG_F_HAS(has_tunnel_id),	\
	  0, 65535, TG_FF_OWN | TG_FF_TYPED, TG_FG_TUNNEL, "N",		\
	  "eoip: tunnel id 0..65535 (required);\n"				\
	  "l2tpv2: tunnel id 1..65535 (required)")				\
	X("session", "session_id", U32, session, TG_F_HAS(has_session), 1,	\
	  UINT32_MAX, TG_FF_OWN | TG_FF_TYPED, TG_FG_TUNNEL, "N",		\
	  "l2tpv3-*: session id 1..4294967295 (required);\n"			\
	  "l2tpv2: session id 1..65535 (required)")				\
	X("cookie", "cookie", COOKIE, cookie, TG_F_HAS(cookie_len), 0, 0, 0,	\
	  TG_FG_TUNNEL, "HEX", "l2tpv3-*: cookie of 8 or 16 hex digits (4 or 8\n" \
	  "bytes, wire order); default none")					\
	X("sublayer", "sublayer", SUBLAYER, sublayer, TG_F_NONE, 0, 1, 0,	\
	  TG_FG_TUNNEL, "S", "l2tpv3-*: 'default' (the default L2-specific\n"	\
	  "sublayer is present; the default) or 'none'")			\
	X("mtu", "mtu", U32, mtu, TG_F_NONE, 576, 9000, 0, TG_FG_MISC, "N",	\
	  "inner MTU, 576..9000 (1280..9000 with an IPv6\n"			\
	  "prefix); default 1400")						\
	X("class", "class", CLASS, cls, TG_F_NONE, 0, TG_NAME_MAX, 0,		\
	  TG_FG_MISC, "NAME", "rate class (see 'tungate class help'); default:\n" \
	  "the class named 'default' if it exists, else\n"			\
	  "unlimited with internet scope")					\
	X("down_rate", "down_rate", RATE, down_rate, TG_F_HAS(has_down_rate),	\
	  0, TG_RATE_MAX, 0, TG_FG_MISC, "R",					\
	  "override the class's rate toward the subscriber:")			\
	X("up_rate", "up_rate", RATE, up_rate, TG_F_HAS(has_up_rate), 0,	\
	  TG_RATE_MAX, 0, TG_FG_MISC, "R",					\
	  "... and from it. R: 512kbit, 10mbit, 1.5gbit,\n"			\
	  "plain bits/s, or 'unlimited'; 'none': the\n"				\
	  "class's. A zero rate is refused. Rates count\n"			\
	  "the bytes of the inner IP packets (what the\n"			\
	  "subscriber sends and receives, without tunnel\n"			\
	  "headers), in both directions; packets over\n"			\
	  "the rate are dropped")						\
	X("burst", "burst", SIZE, burst, TG_F_HAS(has_burst), 1, TG_SIZE_MAX,	\
	  0, TG_FG_MISC, "B",							\
	  "override the class's burst, bytes: 1500, 15k, 1m\n"			\
	  "(k = 1024); at least one MTU. Without a class,\n"			\
	  "own rates get the default burst of 'tungate\n"			\
	  "class help'")							\
	X("peer_session", "peer_session", U32, peer_session,			\
	  TG_F_HAS(has_peer_session), 1, UINT32_MAX, TG_FF_TYPED, TG_FG_PEER,	\
	  "N",	\
	  "l2tpv3-*: 1..4294967295, l2tpv2: 1..65535;\n"			\
	  "session id the peer expects (default --session)")			\
	X("peer_tunnel_id", "peer_tunnel_id", U32, peer_tunnel_id,		\
	  TG_F_HAS(has_peer_tunnel_id), 1, 65535, TG_FF_TYPED, TG_FG_PEER,	\
	  "N",		\
	  "l2tpv2: 1..65535 (default --tunnel-id)")				\
	X("peer_cookie", "peer_cookie", COOKIE, peer_cookie,			\
	  TG_F_HAS(peer_cookie_len), 0, 0, 0, TG_FG_PEER, "HEX",		\
	  "l2tpv3-*: 8 or 16 hex digits (default --cookie)")			\
	X("peer_port", "peer_port", U16, peer_port, TG_F_HAS(has_peer_port),	\
	  1, 65535, TG_FF_TYPED, TG_FG_PEER, "N",						\
	  "l2tpv3-udp, l2tpv2: destination UDP port 1..65535\n"			\
	  "(default: learnt from the subscriber's packets,\n"			\
	  "else 1701)")								\
	X("local_port", "local_port", U16, local_port, TG_F_HAS(has_local_port), \
	  1, 65535, TG_FF_TYPED, TG_FG_PEER, "N",						\
	  "l2tpv3-udp, l2tpv2: source UDP port 1..65535\n"			\
	  "(default: the configured port of that L2TP\n"			\
	  "version, see 'tungate config help')")				\
	X("peer_mac", "peer_mac", MAC, peer_mac, TG_F_HAS(has_peer_mac), 0, 0, \
	  0, TG_FG_PEER, "MAC", "gretap, eoip, l2tpv3-*: inner Ethernet\n"	\
	  "destination, unicast (default: learnt)")				\
	X("gre_csum", "gre_csum", BOOL, gre_csum, TG_F_NONE, 0, 1,		\
	  TG_FF_BARE, TG_FG_PEER, "[on|off]",					\
	  "gre, gretap: send GRE checksums (default off)")			\
	X("gre_seq", "gre_seq", BOOL, gre_seq, TG_F_NONE, 0, 1, TG_FF_BARE,	\
	  TG_FG_PEER, "[on|off]",						\
	  "gre, gretap: send GRE sequence numbers\n(default off)")		\
	X("df", "df", BOOL, df, TG_F_NONE, 0, 1, 0, TG_FG_PEER, "on|off",	\
	  "set DF on the outer IPv4 header (default on)")			\
	X("ttl", "ttl", U8, ttl, TG_F_ZERO, 1, 255, 0, TG_FG_PEER, "N",	\
	  "outer TTL 1..255 (default: the 'ttl' setting)")			\
	X("udp_csum", "udp_csum", BOOL, udp_csum, TG_F_NONE, 0, 1, 0,		\
	  TG_FG_PEER, "on|off",							\
	  "l2tpv3-udp, l2tpv2: UDP checksums (default off)")			\
	X("mss_clamp", "mss_clamp", BOOL, mss_clamp, TG_F_NONE, 0, 1, 0,	\
	  TG_FG_PEER, "on|off", "clamp the TCP MSS of SYNs to the MTU, both\n"	\
	  "ways (default on)")							\
	X("ppp_acfc", "ppp_acfc", BOOL, ppp_acfc, TG_F_NONE, 0, 1, 0,		\
	  TG_FG_PEER, "on|off", "l2tpv2: omit the FF03 PPP header when sending\n" \
	  "(default off)")							\
	X("keepalive", "keepalive", U16, keepalive, TG_F_HAS(has_keepalive),	\
	  0, TG_KEEPALIVE_MAX, TG_FF_DEFAULT, TG_FG_PEER, "S",			\
	  "eoip: seconds between the keepalives 'tungate\n"			\
	  "run' sends the subscriber, 0..3600, 0: none;\n"			\
	  "'default': the 'eoip-keepalive' setting (the\n"			\
	  "default)")								\
	X("dp_id", "dp_id", U32, dp_id, TG_F_NONE, 0, UINT32_MAX,		\
	  TG_FF_NOOPT | TG_FF_OWN,						\
	  TG_FG_NONE, NULL, NULL)						\
	X("prefixes", NULL, PREFIXES, prefix, TG_F_NONE, 0, TG_SUB_PREFIX_MAX, \
	  TG_FF_OWN, TG_FG_MISC, "P",							\
	  "an IPv4 or IPv6 prefix routed to the subscriber,\n"			\
	  "e.g. 192.0.2.16/28 or 2001:db8:10::/48; repeat\n"			\
	  "for more (at most 64). Host bits must be zero;\n"			\
	  "must not overlap any other prefix. Inner packets\n"			\
	  "from other sources are dropped as spoofed.")				\
	X("user", "ppp_user", TEXT, user, TG_F_NONE, 1, TG_PPP_USER_MAX,	\
	  TG_FF_OWN, TG_FG_DIALIN, "NAME",					\
	  "l2tpv2: a dial-in member's PPP user name, e.g.\n"		\
	  "alice@exo.cat: the member dials the LNS (see\n"		\
	  "'tungate config help'), which picks the session\n"		\
	  "ids; no --remote, --local, --tunnel-id or\n"			\
	  "--session then. IPCP gives the member its\n"			\
	  "IPv4 /32 prefix; router advertisements its\n"		\
	  "IPv6 /64; DHCPv6 delegates its other IPv6\n"			\
	  "prefix. Unique")							\
	X("password", "ppp_password", SECRET, password, TG_F_NONE, 1,	\
	  TG_PPP_PASSWORD_MAX, TG_FF_OWN, TG_FG_DIALIN, "SECRET",		\
	  "the member's PAP or CHAP password; never shown\n"		\
	  "or exported. Without one the member cannot\n"		\
	  "log in")								\
	X("note", "note", TEXT, note, TG_F_NONE, 0, TG_NOTE_MAX, TG_FF_OWN,	\
	  TG_FG_MISC,							\
	  "TEXT", "free text for operators (at most 255 characters)")	\
	X("home_pop", "home_pop", POP, home_pop, TG_F_NONE, 0, TG_NAME_MAX,	\
	  0, TG_FG_MISC, "NAME",					\
	  "the POP whose BGP routes to the subscriber's\n"			\
	  "prefixes the core prefers: every other POP\n"			\
	  "announces them with a higher MED (see 'tungate\n"			\
	  "bird help'); 'none' or --no-home-pop: every POP\n"		\
	  "alike (the default)")

/* How a field's value is parsed, stored and written. */
enum tg_fkind {
	TG_FK_NAME,	/* char[]: a subscriber name */
	TG_FK_TEXT,	/* char[]: free text, NULL in SQL when empty */
	TG_FK_SECRET,	/* char[]: as text, but never shown or exported */
	TG_FK_CLASS,	/* char[]: a class name or empty ('none') */
	TG_FK_POP,	/* char[]: a POP name or empty ('none') */
	TG_FK_BOOL,	/* bool: on|off */
	TG_FK_SUBLAYER,	/* bool: default|none, l2tpv3 types only */
	TG_FK_TYPE,	/* enum tg_tunnel_type by name */
	TG_FK_IP4,	/* __be32, dotted quad; 0.0.0.0 is unset */
	TG_FK_U8,
	TG_FK_U16,
	TG_FK_U32,
	TG_FK_RATE,	/* __u64 bits/s: 10mbit, unlimited */
	TG_FK_SIZE,	/* __u64 bytes: 15k */
	TG_FK_COOKIE,	/* __u8[8] with its length in has: hex */
	TG_FK_MAC,	/* __u8[6]: 02:00:5e:00:53:01 */
	TG_FK_PREFIXES,	/* the prefix list (its own table) */
};

#define TG_FF_NOOPT 0x1		/* no option of 'sub add/set' */
#define TG_FF_SET_ONLY 0x2	/* an option of 'sub set' only */
#define TG_FF_BARE 0x4		/* a bare --opt means on */
#define TG_FF_OWN 0x8		/* 'sub show' gives it a line of its own */
/*
 * The type limits it further or refuses it: set checks only that it fits
 * its member, tg_sub_validate() the type's range, then the table's.
 */
#define TG_FF_TYPED 0x10
/* 'default' clears it, as 'none' does: a setting stands in for it. */
#define TG_FF_DEFAULT 0x20

enum tg_fgroup {
	TG_FG_NONE,
	TG_FG_TUNNEL,
	TG_FG_PEER,
	TG_FG_MISC,
	TG_FG_DIALIN,
};

struct tg_field {
	const char *name;
	const char *column;
	enum tg_fkind kind;
	size_t off;
	int has;
	__u64 min, max;
	unsigned int flags;
	enum tg_fgroup group;
	const char *arg, *help;
};

#endif /* TG_SUB_FIELDS_H */
