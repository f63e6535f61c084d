// SPDX-License-Identifier: GPL-2.0-only
/* Data plane values of a subscriber: tunnel key, tunnel and return path. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "db/settings.h"
#include "db/sub.h"

void tg_sub_tun_key(const struct tg_sub *s, struct tg_tun_key *k)
{
	__u8 raw[32];

	memset(k, 0, sizeof(*k));
	k->remote = s->remote;
	k->local = s->local;
	k->type = s->type;
	switch (s->type) {
	case TG_TUN_GRE:
	case TG_TUN_GRETAP:
		if (s->has_key) {
			k->id = s->key;
			k->flags = TG_KEY_F_KEYED;
		}
		break;
	case TG_TUN_EOIP:
		k->id = s->tunnel_id;
		break;
	case TG_TUN_L2TPV3_IP:
	case TG_TUN_L2TPV3_UDP:
		k->id = s->session;
		break;
	case TG_TUN_L2TPV2:
		k->id = s->tunnel_id << 16 | (s->session & 0xffff);
		break;
	case TG_TUN_WIREGUARD:
		/*
		 * Never a map key: the public key is the identity, its
		 * first 96 bits stand for it where identities are compared
		 * (two public keys alike there cannot be found short of
		 * 2^96 tries); the full key is unique in the schema.
		 */
		if (!tg_wg_key_parse(s->wg_key, raw)) {
			memcpy(&k->remote, raw, 4);
			memcpy(&k->local, raw + 4, 4);
			memcpy(&k->id, raw + 8, 4);
		}
		break;
	default:
		break;
	}
}

void tg_sub_tunnel(const struct tg_sub *s, struct tg_tunnel *t)
{
	struct tg_tun_claim *c = &t->c[0];

	memset(t, 0, sizeof(*t));
	c->claim = TG_CLAIM(s->dp_id, 0);
	c->mtu = s->mtu;
	if (s->mss_clamp)
		c->flags |= TG_TUN_F_MSS_CLAMP;
	if (tg_type_l2tpv3(s->type)) {
		if (s->sublayer)
			c->flags |= TG_TUN_F_L2SPEC;
		c->cookie_len = s->cookie_len;
		memcpy(c->cookie, s->cookie, s->cookie_len);
	}
}

void tg_sub_encap(const struct tg_sub *s, const struct tg_settings *st,
		  struct tg_encap *e)
{
	__u32 sess = s->has_peer_session ? s->peer_session : s->session;
	__u32 tid = s->has_peer_tunnel_id ? s->peer_tunnel_id : s->tunnel_id;

	memset(e, 0, sizeof(*e));
	e->remote = s->remote;
	e->local = s->local;
	e->type = s->type;
	e->ttl = s->ttl;
	e->mtu = s->mtu;
	if (s->df)
		e->flags |= TG_ENC_F_DF;
	if (s->mss_clamp)
		e->flags |= TG_ENC_F_MSS_CLAMP;
	switch (s->type) {
	case TG_TUN_GRE:
	case TG_TUN_GRETAP:
		if (s->has_key) {
			e->flags |= TG_ENC_F_GRE_KEY;
			e->peer_id = s->key;
		}
		if (s->gre_csum)
			e->flags |= TG_ENC_F_GRE_CSUM;
		if (s->gre_seq)
			e->flags |= TG_ENC_F_GRE_SEQ;
		break;
	case TG_TUN_EOIP:
		e->peer_id = s->tunnel_id;
		break;
	case TG_TUN_L2TPV3_IP:
	case TG_TUN_L2TPV3_UDP:
		e->peer_id = sess;
		if (s->sublayer)
			e->flags |= TG_ENC_F_L2SPEC;
		if (s->peer_cookie_len) {
			e->cookie_len = s->peer_cookie_len;
			memcpy(e->peer_cookie, s->peer_cookie, s->peer_cookie_len);
		} else {
			e->cookie_len = s->cookie_len;
			memcpy(e->peer_cookie, s->cookie, s->cookie_len);
		}
		break;
	case TG_TUN_L2TPV2:
		e->peer_id = (tid & 0xffff) << 16 | (sess & 0xffff);
		if (s->ppp_acfc)
			e->flags |= TG_ENC_F_PPP_ACFC;
		break;
	default:
		break;
	}
	if (tg_type_udp(s->type)) {
		if (s->udp_csum)
			e->flags |= TG_ENC_F_UDP_CSUM;
		e->peer_port = s->has_peer_port ? s->peer_port : 0;
		if (s->has_local_port)
			e->local_port = s->local_port;
		else
			e->local_port = s->type == TG_TUN_L2TPV2 ?
						st->l2tpv2_udp_port :
						st->l2tpv3_udp_port;
	}
	if (tg_type_eth(s->type) && s->has_peer_mac) {
		e->flags |= TG_ENC_F_PEER_MAC;
		memcpy(e->peer_mac, s->peer_mac, 6);
	}
}
