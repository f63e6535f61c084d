// SPDX-License-Identifier: GPL-2.0-only
/* Subscriber records: defaults, prefixes, copies, tunnel type names,
 * effective rates. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "db/sub.h"

static const char *const tg_type_names[TG_TUN_MAX] = {
	[TG_TUN_IPIP] = "ipip",
	[TG_TUN_SIT] = "sit",
	[TG_TUN_GRE] = "gre",
	[TG_TUN_GRETAP] = "gretap",
	[TG_TUN_EOIP] = "eoip",
	[TG_TUN_L2TPV3_IP] = "l2tpv3-ip",
	[TG_TUN_L2TPV3_UDP] = "l2tpv3-udp",
	[TG_TUN_L2TPV2] = "l2tpv2",
	[TG_TUN_WIREGUARD] = "wireguard",
};

const char *tg_tun_type_name(enum tg_tunnel_type t)
{
	if (t <= TG_TUN_NONE || t >= TG_TUN_MAX)
		return "none";
	return tg_type_names[t];
}

enum tg_tunnel_type tg_tun_type_parse(const char *name)
{
	int t;

	for (t = TG_TUN_NONE + 1; t < TG_TUN_MAX; t++)
		if (!strcmp(name, tg_type_names[t]))
			return t;
	return TG_TUN_NONE;
}

void tg_sub_init(struct tg_sub *s)
{
	memset(s, 0, sizeof(*s));
	s->enabled = true;
	s->sublayer = true;
	s->mtu = 1400;
	s->df = true;
	s->mss_clamp = true;
}

int tg_sub_add_prefix(struct tg_sub *s, const struct tg_prefix *p)
{
	struct tg_prefix *np;

	np = realloc(s->prefix, (s->nprefix + 1) * sizeof(*np));
	if (!np)
		return -ENOMEM;
	s->prefix = np;
	s->prefix[s->nprefix++] = *p;
	return 0;
}

int tg_sub_copy(struct tg_sub *dst, const struct tg_sub *src)
{
	*dst = *src;
	dst->prefix = NULL;
	if (!src->nprefix)
		return 0;
	dst->prefix = malloc(src->nprefix * sizeof(*dst->prefix));
	if (!dst->prefix) {
		dst->nprefix = 0;
		return -ENOMEM;
	}
	memcpy(dst->prefix, src->prefix, src->nprefix * sizeof(*dst->prefix));
	return 0;
}

void tg_sub_free(struct tg_sub *s)
{
	free(s->prefix);
	s->prefix = NULL;
	s->nprefix = 0;
}

void tg_sub_list_free(struct tg_sub *subs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		tg_sub_free(&subs[i]);
	free(subs);
}

void tg_sub_effective(const struct tg_sub *s, const struct tg_class *cls,
		      struct tg_class *eff)
{
	if (cls)
		*eff = *cls;
	else
		memset(eff, 0, sizeof(*eff));
	if (s->has_down_rate)
		eff->down_rate = s->down_rate;
	if (s->has_up_rate)
		eff->up_rate = s->up_rate;
	if (s->has_burst)
		eff->burst = s->burst;
	else if (!cls && (eff->down_rate || eff->up_rate))
		eff->burst = tg_burst_default(eff->down_rate, eff->up_rate);
}
