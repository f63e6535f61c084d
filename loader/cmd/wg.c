// SPDX-License-Identifier: GPL-2.0-only
/* tungate wg: WireGuard members' invitations, enrolment, wg-quick files. */
#include <stdio.h>

#include "util/cli.h"
#include "cmd/commands.h"
#include "cmd/wg.h"
#include "db/wg_settings.h"

static int wg_help(int argc, char **argv)
{
	printf("Usage: tungate wg invite NAME --class CLASS [--prefix P]...\n"
	       "                 [--listen-port PORT] [--expires DURATION] [-j]\n"
	       "       tungate wg invites [-j]\n"
	       "       tungate wg uninvite NAME\n"
	       "       tungate wg enrol [TOKEN PUBLIC_KEY]\n"
	       "       tungate wg config NAME [--new-key] [--qr] [--qr-png FILE] [-j]\n"
	       "\n"
	       "invite    make a single-use invitation for the WireGuard member\n"
	       "          NAME and print its token once (only its SHA-256 is kept)\n"
	       "          with the command that enrols an OpenWrt or Linux router\n"
	       "          through the broker of 'tungate run' (config set\n"
	       "          wg-broker). --prefix as for 'sub add'; without any, the\n"
	       "          next free /%d of wg-pool4 and /%d of wg-pool6 (refused\n"
	       "          when neither is set). The member is checked now as 'sub\n"
	       "          add' checks it (class, name, overlapping prefixes, also\n"
	       "          those of other invitations), and again when it enrols.\n"
	       "          --expires: 30m, 12h, 7d, ... (at most 366d; default 7d).\n"
	       "          wg-endpoint must be set. The command is https:// when\n"
	       "          wg-broker-cert and wg-broker-key are set (the broker\n"
	       "          serves HTTPS only then).\n"
	       "invites   every invitation: name, class, prefixes, expiry and\n"
	       "          whether it was used (when, by which key); never the token\n"
	       "uninvite  withdraw an invitation (a member it made stays)\n"
	       "enrol     what the broker runs for a router: the member of the\n"
	       "          invitation TOKEN is added with the router's PUBLIC_KEY\n"
	       "          (checked as 'sub add --type wireguard' checks it), the\n"
	       "          invitation is marked used in the same transaction, and\n"
	       "          the member's wg-quick configuration is printed (without\n"
	       "          private key). Without arguments, reads 'TOKEN PUBLIC_KEY'\n"
	       "          from one line of standard input. A refusal changes\n"
	       "          nothing and says 'wg enrol: REASON: ...', REASON one of\n"
	       "          unknown, used, expired, bad_key, key_in_use, refused\n"
	       "config    print the wg-quick file of WireGuard member NAME: its\n"
	       "          addresses (the first of each prefix), wg-mtu, and the\n"
	       "          concentrator as its peer (public key, wg-endpoint,\n"
	       "          wg-allowed-ips, keepalive). Without --new-key a comment\n"
	       "          stands where the router's own private key goes.\n"
	       "  --new-key     make a new key pair for a laptop or phone: the\n"
	       "                new public key becomes the member's (its old key\n"
	       "                stops working when the peer changes at the next\n"
	       "                sync), the private key is printed in the file and\n"
	       "                never stored\n"
	       "  --qr          the file as a QR code on the terminal, for the\n"
	       "                WireGuard app of a phone (needs --new-key: a code\n"
	       "                without the private key does not import)\n"
	       "  --qr-png FILE the QR code as a PNG image (made mode 0600, not\n"
	       "                over an existing file; needs --new-key), the file\n"
	       "                printed as well\n"
	       "  -j            {\"name\", \"public_key\" (the new one, null\n"
	       "                without --new-key), \"config\": the file}\n"
	       "\n"
	       "Examples:\n"
	       "  tungate config set wg-endpoint vpn.example.net\n"
	       "  tungate config set wg-pool4 100.64.8.0/24\n"
	       "  tungate config set wg-broker 0.0.0.0:8443\n"
	       "  tungate config set wg-broker-cert /etc/letsencrypt/live/vpn.example.net/fullchain.pem\n"
	       "  tungate config set wg-broker-key /etc/letsencrypt/live/vpn.example.net/privkey.pem\n"
	       "  tungate wg invite carol --class home --expires 2d\n"
	       "  tungate wg config carol > carol.conf\n"
	       "  tungate wg config dave-phone --new-key --qr\n",
	       TG_WG_POOL4_SHARE, TG_WG_POOL6_SHARE);
	return 0;
}

static const struct tg_cmd wg_cmds[] = {
	{ "invite", tg_wg_invite_cmd },
	{ "invites", tg_wg_invites_cmd },
	{ "uninvite", tg_wg_uninvite_cmd },
	{ "enrol", tg_wg_enrol_cmd },
	{ "config", tg_wg_config_cmd },
	{ "help", wg_help },
	{ NULL, NULL },
};

int do_wg(int argc, char **argv)
{
	return tg_cmd_select(wg_cmds, "wg", argc - 1, argv + 1, wg_help);
}
