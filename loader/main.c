// SPDX-License-Identifier: GPL-2.0-only
/* tungate: global options and the top-level command table. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cli.h"
#include "cmd/commands.h"
#include "cmd/pg_cmd.h"
#include "db/db.h"
#include "db/pg.h"
#include "util/log.h"
#include "tungate.h"

static int do_help(int argc, char **argv)
{
	printf("Usage: tungate [OPTIONS] OBJECT COMMAND [ARGS]\n"
	       "       tungate OBJECT help\n"
	       "\n"
	       "Tunnel concentrator for subscriber tunnels, decapsulated in XDP.\n"
	       "\n"
	       "Objects and commands (unique prefixes work: 'tungate su l'):\n"
	       "  db init|check|migrate\n"
	       "                    create, verify, upgrade the subscriber database\n"
	       "  sub add|set|enable|disable|del|list|show\n"
	       "                    manage subscribers: tunnel type, endpoints,\n"
	       "                    ids, return path, rates and the prefixes they\n"
	       "                    may send from\n"
	       "  session list|show|kill\n"
	       "                    dial-in sessions of members (the LNS of run)\n"
	       "  class add|set|del|list|show\n"
	       "                    rate classes (rates, burst, access scope)\n"
	       "  community add|del|list\n"
	       "                    prefixes reachable by community-scope classes\n"
	       "  config set|show   data plane settings (unknown tunnels, L2TP\n"
	       "                    UDP ports, gateway MAC, TTL, anycast) and\n"
	       "                    the POP heartbeat and down limit\n"
	       "  wg invite|invites|uninvite|enrol\n"
	       "                    invitations of WireGuard members: a token\n"
	       "                    their router enrols itself with\n"
	       "  wg config NAME    a WireGuard member's wg-quick file, with a\n"
	       "                    new key pair and as a QR code on demand\n"
	       "  import FILE.csv   bulk enrolment, all or nothing\n"
	       "  export            the whole database as CSV (or JSON)\n"
	       "  sync [--dry-run]  put the database into the pinned data plane\n"
	       "                    maps, changing only what differs\n"
	       "  run               daemon: keep the maps in step with the\n"
	       "                    database (for systemd)\n"
	       "  stats             counters per subscriber and by reason, rates,\n"
	       "                    Prometheus text (--prometheus)\n"
	       "  top               live view of the subscribers by current rate\n"
	       "  usage [NAME] [--since DATE]\n"
	       "                    usage records (bytes, packets each way);\n"
	       "                    'usage record' writes one now\n"
	       "  replay            run packets from a pcap through the data plane\n"
	       "                    in a private namespace and report each verdict\n"
	       "  up                attach the data plane to interfaces\n"
	       "  down              detach the data plane from interfaces\n"
	       "  status            interfaces, programs, version, map fill levels,\n"
	       "                    last sync\n"
	       "  pop name|list|del this concentrator's POP name; every POP's\n"
	       "                    state, version, subscribers, last contact\n"
	       "  bird --output FILE\n"
	       "                    the anycast and subscribers' prefixes as a\n"
	       "                    BIRD include\n"
	       "  drain [--off]     this POP withdraws its BIRD routes (or\n"
	       "                    announces them again); forwarding goes on\n"
	       "  help              this text\n"
	       "Database and pinned maps are changed only by db, sub, class,\n"
	       "community, config, import, sync, up and down; all but sync, up and\n"
	       "down change the database only: run 'sync' to apply them. Each\n"
	       "object has its own help: 'tungate sub help', 'tungate sync help'.\n"
	       "\n"
	       "Options (before OBJECT):\n"
	       "  --db PATH|URL     subscriber database (else $%s, else\n"
	       "                    %s); a postgresql:// URL:\n"
	       "                    PostgreSQL, shared by several concentrators\n"
	       "                    ('tungate db init' creates its tables); every\n"
	       "                    command runs on a local snapshot pulled from\n"
	       "                    it and pushes what it changed in one\n"
	       "                    transaction; 'run' follows it (LISTEN) and\n"
	       "                    starts from the snapshot when it is down;\n"
	       "                    of several hosts (a primary, its standbys:\n"
	       "                    host=db1,db2), the one that takes writes\n"
	       "  --snapshot PATH   that snapshot (else $%s, else the\n"
	       "                    default database path)\n"
	       "  -j, --json        machine output: JSON on stdout, errors as\n"
	       "                    {\"error\": \"...\"}, nothing else\n"
	       "  -v                more messages on stderr; twice for debug\n"
	       "  --pin-root DIR    where the data plane maps are pinned (default\n"
	       "                    %s; must be on a bpf filesystem)\n"
	       "  -h, --help        this text\n"
	       "  --version         print the version\n"
	       "\n"
	       "Exit status: 0 on success, 1 on any error (a refused change leaves\n"
	       "the database and the maps exactly as they were).\n",
	       TG_DB_ENV, TG_DB_PATH_DEFAULT, TG_PG_SNAPSHOT_ENV,
	       TG_PIN_ROOT_DEFAULT);
	return 0;
}

static const struct tg_cmd tg_objects[] = {
	{ "db", do_db },
	{ "sub", do_sub },
	{ "session", do_session },
	{ "class", do_class },
	{ "community", do_community },
	{ "config", do_config },
	{ "import", do_import },
	{ "export", do_export },
	{ "sync", do_sync },
	{ "run", do_run },
	{ "stats", do_stats },
	{ "usage", do_usage },
	{ "top", do_top },
	{ "replay", do_replay },
	{ "up", do_up },
	{ "down", do_down },
	{ "status", do_status },
	{ "bird", do_bird },
	{ "pop", do_pop },
	{ "drain", do_drain },
	{ "wg", do_wg },
	{ "help", do_help },
	{ NULL, NULL },
};

static int do_select(int argc, char **argv)
{
	return tg_cmd_select(tg_objects, "", argc, argv, do_help);
}

enum {
	OPT_DB = 0x100,
	OPT_PIN_ROOT,
	OPT_SNAPSHOT,
	OPT_VERSION,
};

static const struct option tg_long_opts[] = {
	{ "db", required_argument, NULL, OPT_DB },
	{ "json", no_argument, NULL, 'j' },
	{ "pin-root", required_argument, NULL, OPT_PIN_ROOT },
	{ "snapshot", required_argument, NULL, OPT_SNAPSHOT },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

int main(int argc, char **argv)
{
	int opt, ret;

	/* A leading '+': options end at OBJECT; later ones are the command's. */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:jvh", tg_long_opts, NULL)) >= 0) {
		switch (opt) {
		case OPT_DB:
			tg_opts.db_path = optarg;
			break;
		case 'j':
			tg_opts.json = true;
			break;
		case 'v':
			tg_opts.verbose++;
			break;
		case OPT_PIN_ROOT:
			tg_opts.pin_root = optarg;
			break;
		case OPT_SNAPSHOT:
			tg_opts.snapshot = optarg;
			break;
		case 'h':
			do_help(0, NULL);
			return 0;
		case OPT_VERSION:
			printf("tungate %s\n", TG_VERSION);
			return 0;
		case ':':
			tg_err("option %s needs a value", argv[optind - 1]);
			return 1;
		default:
			tg_err("unknown option '%s'; try 'tungate help'",
			       argv[optind - 1]);
			return 1;
		}
	}
	tg_log_init(tg_opts.verbose);

	if (tg_pg_url(tg_db_path()))
		ret = tg_pg_command(tg_db_path(), argc - optind, argv + optind,
				    do_select);
	else
		ret = do_select(argc - optind, argv + optind);
	return ret ? 1 : 0;
}
