// SPDX-License-Identifier: GPL-2.0-only
/* tungate wg: WireGuard members' configuration files. */
#include <stdio.h>

#include "util/cli.h"
#include "cmd/commands.h"
#include "cmd/wg.h"

static int wg_help(int argc, char **argv)
{
	printf("Usage: tungate wg config NAME [--new-key] [--qr] [--qr-png FILE] [-j]\n"
	       "\n"
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
	       "  tungate wg config carol > carol.conf\n"
	       "  tungate wg config dave-phone --new-key --qr\n");
	return 0;
}

static const struct tg_cmd wg_cmds[] = {
	{ "config", tg_wg_config_cmd },
	{ "help", wg_help },
	{ NULL, NULL },
};

int do_wg(int argc, char **argv)
{
	return tg_cmd_select(wg_cmds, "wg", argc - 1, argv + 1, wg_help);
}
