// SPDX-License-Identifier: GPL-2.0-only
/*
 * Jumbo frames and native XDP: the programs are not multi-buffer
 * (xdp.frags), so in native mode a driver hands them frames of one page
 * at most. A subscriber whose MTU makes larger tunnel frames is refused
 * while a subscriber interface runs in native mode.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/cli.h"
#include "cmd/commands.h"
#include "db/db.h"
#include "dataplane/attach.h"

/* XDP_PACKET_HEADROOM and the skb_shared_info at a buffer's end. */
#define FRAMES_XDP_HEADROOM 256
#define FRAMES_SHINFO 320

unsigned int tg_frames_native_max(void)
{
	return sysconf(_SC_PAGESIZE) - FRAMES_XDP_HEADROOM - FRAMES_SHINFO;
}

/*
 * The largest frame of s's tunnel: Ethernet with a VLAN tag, outer IPv4,
 * the tunnel headers with every option, an inner Ethernet header when it
 * carries one, and an inner packet of the subscriber's MTU.
 */
static unsigned int frames_len(const struct tg_sub *s)
{
	unsigned int len = 14 + 4 + 20 + s->mtu;

	switch (s->type) {
	case TG_TUN_GRE:
	case TG_TUN_GRETAP:
		len += 16;		/* flags, checksum, key, sequence */
		break;
	case TG_TUN_EOIP:
		len += 8;
		break;
	case TG_TUN_L2TPV3_IP:
		len += 4 + 8 + 4;	/* session, cookie, sublayer */
		break;
	case TG_TUN_L2TPV3_UDP:
		len += 8 + 8 + 8 + 4;	/* UDP, header, cookie, sublayer */
		break;
	case TG_TUN_L2TPV2:
		len += 8 + 16 + 4;	/* UDP, every optional field, PPP */
		break;
	default:
		break;
	}
	if (tg_type_eth(s->type))
		len += 14;
	return len;
}

/* The first subscriber interface under pin_root in native mode, or NULL. */
static const char *frames_native_if(const char *pin_root, char *ifname,
				    size_t len)
{
	const char *found = NULL;
	struct tg_attach a;
	struct dirent *de;
	DIR *dir;

	dir = opendir(pin_root);
	if (!dir)
		return NULL;
	while (!found && (de = readdir(dir))) {
		if (tg_attach_parse(de->d_name, &a) ||
		    a.role != TG_ROLE_SUBSCRIBER ||
		    tg_attach_probe(pin_root, &a) || a.mode != TG_MODE_NATIVE)
			continue;
		snprintf(ifname, len, "%s", a.ifname);
		found = ifname;
	}
	closedir(dir);
	return found;
}

int tg_frames_check(sqlite3 *db, const char *what, const char *native_if)
{
	unsigned int max = tg_frames_native_max(), len;
	struct tg_sub *subs = NULL;
	size_t n = 0, i;
	int err;

	err = tg_db_sub_list(db, true, &subs, &n);
	if (err)
		return err;
	for (i = 0; i < n && !err; i++) {
		len = frames_len(&subs[i]);
		if (len <= max)
			continue;
		tg_err("%s: subscriber '%s': --mtu %u makes tunnel frames of up to %u bytes, but native XDP on %s takes frames of at most %u (one page; the programs are not multi-buffer): lower the MTU to %u or attach with 'tungate up --mode generic' or '--mode tc'",
		       what, subs[i].name, subs[i].mtu, len, native_if, max,
		       subs[i].mtu - (len - max));
		err = -EMSGSIZE;
	}
	for (i = 0; i < n; i++)
		tg_sub_free(&subs[i]);
	free(subs);
	return err;
}

int tg_frames_check_attached(sqlite3 *db, const char *what,
			     const char *pin_root)
{
	char ifname[IF_NAMESIZE];

	if (!frames_native_if(pin_root, ifname, sizeof(ifname)))
		return 0;
	return tg_frames_check(db, what, ifname);
}
