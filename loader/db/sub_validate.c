// SPDX-License-Identifier: GPL-2.0-only
/* Checks of a subscriber record on its own. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "db/sub.h"

/* An outer address: unicast, outside every reserved range. */
static int tg_sub_validate_outer(const char *opt, __be32 a, char *err,
				 size_t errlen)
{
	const char *r = tg_ip4_reserved(a);
	char text[16];

	if (!r)
		return 0;
	tg_ip4_format(a, text, sizeof(text));
	snprintf(err, errlen, "%s '%s': not a unicast address (reserved range %s)",
		 opt, text, r);
	return -EINVAL;
}

/* Options of the return path and their types and ranges. */
static int tg_sub_validate_peer(const struct tg_sub *s, char *err,
				size_t errlen)
{
	const char *tn = tg_tun_type_name(s->type);
	bool l2tpv3 = tg_type_l2tpv3(s->type), udp = tg_type_udp(s->type);
	bool v2 = s->type == TG_TUN_L2TPV2;
	bool wg = s->type == TG_TUN_WIREGUARD;
	char mac[18];
	struct {
		bool set, ok;
		const char *opt;
	} only[] = {
		{ s->has_peer_session, l2tpv3 || v2, "--peer-session" },
		{ s->has_peer_tunnel_id, v2, "--peer-tunnel-id" },
		{ s->peer_cookie_len, l2tpv3, "--peer-cookie" },
		{ s->has_peer_port, udp || wg, "--peer-port" },
		{ s->has_local_port, udp, "--local-port" },
		{ s->has_peer_mac, tg_type_eth(s->type), "--peer-mac" },
		{ s->gre_csum, tg_type_gre(s->type), "--gre-csum" },
		{ s->gre_seq, tg_type_gre(s->type), "--gre-seq" },
		{ s->udp_csum, udp, "--udp-csum" },
		{ s->ppp_acfc, v2, "--ppp-acfc" },
		{ s->has_keepalive, s->type == TG_TUN_EOIP, "--keepalive" },
		{ s->wg_key[0], wg, "--public-key" },
		{ s->has_listen_port, wg, "--listen-port" },
	};
	unsigned int i;

	for (i = 0; i < sizeof(only) / sizeof(only[0]); i++) {
		if (only[i].set && !only[i].ok) {
			snprintf(err, errlen, "%s is not valid for type %s",
				 only[i].opt, tn);
			return -EINVAL;
		}
	}
	if (s->has_peer_session && v2 &&
	    (s->peer_session < 1 || s->peer_session > 65535)) {
		snprintf(err, errlen, "--peer-session '%u': out of range 1..65535",
			 s->peer_session);
		return -EINVAL;
	}
	if (s->peer_cookie_len && s->peer_cookie_len != 4 &&
	    s->peer_cookie_len != 8) {
		snprintf(err, errlen, "--peer-cookie must be 4 or 8 bytes");
		return -EINVAL;
	}
	if (s->has_peer_mac && !tg_mac_unicast(s->peer_mac)) {
		tg_mac_format(s->peer_mac, mac, sizeof(mac));
		snprintf(err, errlen,
			 "--peer-mac '%s': not a unicast MAC address", mac);
		return -EINVAL;
	}
	return 0;
}

static int tg_sub_validate_ids(const struct tg_sub *s, char *err,
			       size_t errlen)
{
	const char *tn = tg_tun_type_name(s->type);
	bool key_ok = s->type == TG_TUN_GRE || s->type == TG_TUN_GRETAP;
	bool l2tpv3 = tg_type_l2tpv3(s->type);
	bool tid_ok = s->type == TG_TUN_EOIP || s->type == TG_TUN_L2TPV2;
	bool sess_ok = l2tpv3 || s->type == TG_TUN_L2TPV2;

	if (s->has_key && !key_ok) {
		snprintf(err, errlen, "--key is not valid for type %s", tn);
		return -EINVAL;
	}
	if (s->has_tunnel_id && !tid_ok) {
		snprintf(err, errlen, "--tunnel-id is not valid for type %s",
			 tn);
		return -EINVAL;
	}
	if (s->has_session && !sess_ok) {
		snprintf(err, errlen, "--session is not valid for type %s", tn);
		return -EINVAL;
	}
	if (s->cookie_len && !l2tpv3) {
		snprintf(err, errlen, "--cookie is not valid for type %s", tn);
		return -EINVAL;
	}
	if (s->cookie_len && s->cookie_len != 4 && s->cookie_len != 8) {
		snprintf(err, errlen, "--cookie must be 4 or 8 bytes");
		return -EINVAL;
	}
	if (tid_ok && !s->has_tunnel_id) {
		snprintf(err, errlen, "--tunnel-id is required for type %s", tn);
		return -EINVAL;
	}
	if (sess_ok && !s->has_session) {
		snprintf(err, errlen, "--session is required for type %s", tn);
		return -EINVAL;
	}
	if (s->type == TG_TUN_L2TPV2 &&
	    (s->tunnel_id < 1 || s->tunnel_id > 65535)) {
		snprintf(err, errlen, "--tunnel-id '%u': out of range 1..65535",
			 s->tunnel_id);
		return -EINVAL;
	}
	if (s->type == TG_TUN_L2TPV2 &&
	    (s->session < 1 || s->session > 65535)) {
		snprintf(err, errlen, "--session '%u': out of range 1..65535",
			 s->session);
		return -EINVAL;
	}
	return tg_sub_validate_peer(s, err, errlen);
}

/*
 * A WireGuard member: its key; no --local (the interface listens on every
 * address); an endpoint, when pinned, of address and port.
 */
static int tg_sub_validate_wg(const struct tg_sub *s, char *err,
			      size_t errlen)
{
	__u8 key[32];
	int ret;

	if (!s->wg_key[0]) {
		snprintf(err, errlen, "--public-key is required for type wireguard");
		return -EINVAL;
	}
	if (tg_wg_key_parse(s->wg_key, key)) {
		snprintf(err, errlen,
			 "--public-key '%s': not a WireGuard key (base64 of 32 bytes, 44 characters ending in '=')",
			 s->wg_key);
		return -EINVAL;
	}
	if (s->local) {
		snprintf(err, errlen,
			 "--local is not valid for type wireguard: its interface listens on every address");
		return -EINVAL;
	}
	if (tg_sub_wg_pinned(s) && !s->has_peer_port) {
		snprintf(err, errlen,
			 "--remote: type wireguard pins an endpoint as ADDR:PORT or [IPV6]:PORT");
		return -EINVAL;
	}
	if (!tg_sub_wg_pinned(s) && s->has_peer_port) {
		snprintf(err, errlen,
			 "--peer-port needs the address of --remote ADDR:PORT");
		return -EINVAL;
	}
	if (s->remote) {
		ret = tg_sub_validate_outer("--remote", s->remote, err, errlen);
		if (ret)
			return ret;
	}
	if (s->has_remote6) {
		struct tg_prefix p = { .family = AF_INET6, .len = 128 };
		char text[INET6_ADDRSTRLEN];
		const char *r;

		memcpy(p.addr, s->remote6, 16);
		r = tg_prefix_reserved(&p);
		if (r) {
			inet_ntop(AF_INET6, s->remote6, text, sizeof(text));
			snprintf(err, errlen,
				 "--remote '%s': not a unicast address (reserved range %s)",
				 text, r);
			return -EINVAL;
		}
	}
	return tg_sub_validate_ids(s, err, errlen);
}

/*
 * A dial-in member: l2tpv2, with a user; its tunnel comes from its
 * session, so none of the fields the session fills in; the IPv4 address
 * IPCP gives it.
 */
static int tg_sub_validate_member(const struct tg_sub *s, char *err,
				  size_t errlen)
{
	const struct {
		bool set;
		const char *opt;
	} ids[] = {
		{ s->remote, "--remote" },
		{ s->local, "--local" },
		{ s->has_tunnel_id, "--tunnel-id" },
		{ s->has_session, "--session" },
		{ s->has_peer_tunnel_id, "--peer-tunnel-id" },
		{ s->has_peer_session, "--peer-session" },
		{ s->has_peer_port, "--peer-port" },
		{ s->has_local_port, "--local-port" },
	};
	unsigned int i;

	if (!tg_sub_member(s)) {
		if (*s->password) {
			snprintf(err, errlen, "--password needs --user");
			return -EINVAL;
		}
		return 0;
	}
	if (s->type != TG_TUN_L2TPV2) {
		snprintf(err, errlen, "--user is valid for type l2tpv2 only");
		return -EINVAL;
	}
	for (i = 0; i < s->nprefix; i++)
		if (s->prefix[i].family == AF_INET && s->prefix[i].len == 32)
			break;
	if (i == s->nprefix) {
		snprintf(err, errlen,
			 "--user: a dial-in member needs an IPv4 /32 --prefix, the address IPCP gives it");
		return -EINVAL;
	}
	for (i = 0; s->user[i]; i++) {
		if ((unsigned char)s->user[i] < 0x21 ||
		    (unsigned char)s->user[i] == 0x7f) {
			snprintf(err, errlen,
				 "--user '%s': spaces and control characters are not allowed",
				 s->user);
			return -EINVAL;
		}
	}
	if (s->online)
		return 0;
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		if (ids[i].set) {
			snprintf(err, errlen,
				 "%s is not valid with --user: the member's session sets it",
				 ids[i].opt);
			return -EINVAL;
		}
	}
	return 0;
}

static int tg_sub_validate_prefixes(const struct tg_sub *s, char *err,
				    size_t errlen, bool *has6)
{
	struct tg_prefix local = { .family = AF_INET, .len = 32 };
	struct tg_prefix remote = { .family = AF_INET, .len = 32 };
	char a[TG_PREFIX_STRLEN], b[TG_PREFIX_STRLEN];
	const struct tg_prefix *p;
	unsigned int i, j;
	const char *r;

	*has6 = false;
	memcpy(local.addr, &s->local, 4);
	memcpy(remote.addr, &s->remote, 4);
	if (s->has_remote6) {
		remote.family = AF_INET6;
		remote.len = 128;
		memcpy(remote.addr, s->remote6, 16);
	}
	if (s->nprefix > TG_SUB_PREFIX_MAX) {
		snprintf(err, errlen, "--prefix: at most %d per subscriber",
			 TG_SUB_PREFIX_MAX);
		return -EINVAL;
	}
	for (i = 0; i < s->nprefix; i++) {
		p = &s->prefix[i];
		tg_prefix_format(p, a, sizeof(a));
		if (p->family == AF_INET6)
			*has6 = true;
		if (!p->len) {
			snprintf(err, errlen,
				 "--prefix '%s': covers every address", a);
			return -EINVAL;
		}
		r = tg_prefix_reserved(p);
		if (r) {
			snprintf(err, errlen,
				 "--prefix '%s': overlaps the reserved range %s",
				 a, r);
			return -EINVAL;
		}
		if (s->local && tg_prefix_overlap(p, &local)) {
			tg_ip4_format(s->local, b, sizeof(b));
			snprintf(err, errlen,
				 "--prefix '%s': holds the concentrator's own address %s (--local)",
				 a, b);
			return -EINVAL;
		}
		/* The packets to its far end would go into the tunnel. */
		if ((s->remote || s->has_remote6) &&
		    tg_prefix_overlap(p, &remote)) {
			if (s->has_remote6)
				inet_ntop(AF_INET6, s->remote6, b, sizeof(b));
			else
				tg_ip4_format(s->remote, b, sizeof(b));
			snprintf(err, errlen,
				 "--prefix '%s': holds the subscriber's own tunnel endpoint %s (--remote)",
				 a, b);
			return -EINVAL;
		}
		if (s->type == TG_TUN_IPIP && p->family != AF_INET) {
			snprintf(err, errlen,
				 "--prefix '%s': type ipip carries only IPv4", a);
			return -EINVAL;
		}
		if (s->type == TG_TUN_SIT && p->family != AF_INET6) {
			snprintf(err, errlen,
				 "--prefix '%s': type sit carries only IPv6", a);
			return -EINVAL;
		}
		for (j = 0; j < i; j++) {
			if (!tg_prefix_overlap(p, &s->prefix[j]))
				continue;
			tg_prefix_format(&s->prefix[j], b, sizeof(b));
			snprintf(err, errlen, "--prefix '%s': overlaps '%s'", a,
				 b);
			return -EINVAL;
		}
	}
	return 0;
}

int tg_sub_validate(const struct tg_sub *s, char *err, size_t errlen)
{
	__u32 mtu_min = 576;
	char a[16];
	bool has6;
	int ret;

	ret = tg_name_validate(s->name, err, errlen);
	if (ret)
		return ret;
	if (s->type <= TG_TUN_NONE || s->type >= TG_TUN_MAX) {
		snprintf(err, errlen, "--type: missing or unknown");
		return -EINVAL;
	}
	if (s->has_remote6 && s->type != TG_TUN_WIREGUARD) {
		char text[INET6_ADDRSTRLEN];

		inet_ntop(AF_INET6, s->remote6, text, sizeof(text));
		snprintf(err, errlen,
			 "--remote '%s': not an IPv4 address (type %s; an IPv6 endpoint is for type wireguard only)",
			 text, tg_tun_type_name(s->type));
		return -EINVAL;
	}
	ret = tg_sub_validate_member(s, err, errlen);
	if (ret)
		return ret;
	if (tg_sub_member(s) && !s->online)
		goto ids_done;
	if (s->type == TG_TUN_WIREGUARD) {
		ret = tg_sub_validate_wg(s, err, errlen);
		if (ret)
			return ret;
		goto ids_done;
	}
	if (!s->remote || !s->local) {
		snprintf(err, errlen, "%s is required", s->remote ? "--local" :
			 "--remote");
		return -EINVAL;
	}
	ret = tg_sub_validate_outer("--remote", s->remote, err, errlen);
	if (!ret)
		ret = tg_sub_validate_outer("--local", s->local, err, errlen);
	if (ret)
		return ret;
	ret = tg_sub_validate_ids(s, err, errlen);
	if (ret)
		return ret;
ids_done:
	ret = tg_sub_validate_prefixes(s, err, errlen, &has6);
	if (ret)
		return ret;
	if (has6)
		mtu_min = 1280;
	if (s->mtu < mtu_min || s->mtu > 9000) {
		snprintf(err, errlen, "--mtu '%u': out of range %u..9000%s",
			 s->mtu, mtu_min, has6 ? " (IPv6 prefix)" : "");
		return -EINVAL;
	}
	if (*s->cls && tg_name_validate(s->cls, err, errlen)) {
		snprintf(err, errlen, "--class '%s': not a valid class name",
			 s->cls);
		return -EINVAL;
	}
	if (s->has_burst && s->burst < s->mtu) {
		tg_size_format(s->burst, a, sizeof(a));
		snprintf(err, errlen,
			 "--burst '%s': smaller than one MTU (%u bytes)", a,
			 s->mtu);
		return -EINVAL;
	}
	return tg_sub_check_ranges(s, err, errlen);
}

/* Load the prefixes of s->id with st (SELECT prefix ... WHERE id = ?). */
