// SPDX-License-Identifier: GPL-2.0-only
/* tungate bird: write the BIRD include now, and tell BIRD. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"
#include "db/db.h"
#include "dataplane/dataplane.h"
#include "routing/bird.h"
#include "util/cli.h"
#include "util/json.h"

static int bird_help(void)
{
	printf("Usage: tungate bird --output FILE [--birdc-socket PATH] [-j]\n"
	       "\n"
	       "Write a BIRD 2 include file with the anycast prefixes (see\n"
	       "'tungate config help') and every enabled subscriber's prefixes:\n"
	       "'protocol static " BIRD_PROTO4 "' (ipv4) and 'protocol static\n"
	       BIRD_PROTO6 "' (ipv6), one blackhole route per prefix. A dial-in\n"
	       "member's prefixes are there only on the POP holding its session.\n"
	       "A subscriber with a home POP (sub add --home-pop) gets 'bgp_med =\n"
	       "%d' at its home POP and 'bgp_med = %d' at every other: a core that\n"
	       "compares the MED of routes from the same neighbouring AS (BIRD\n"
	       "does by default) prefers its home POP while it announces.\n"
	       "While this POP is drained ('tungate drain') or its data plane is\n"
	       "detached (no subscriber interface with tungate's program, as\n"
	       "'tungate status' shows) the two protocols hold no routes: BIRD\n"
	       "withdraws them, traffic goes to the other POPs.\n"
	       "The file is replaced atomically (a temporary file in the same\n"
	       "directory, fsync, rename) and only when its content changes. Then,\n"
	       "with --birdc-socket, BIRD is told to reload its configuration\n"
	       "('birdc -s PATH configure'); when it refuses, the error shows\n"
	       "BIRD's answer, the exit status is 1 and the new file stays in\n"
	       "place. A file that is already current is left alone and BIRD is\n"
	       "not told.\n"
	       "\n"
	       "In bird.conf:\n"
	       "  include \"/etc/bird/tungate.conf\";\n"
	       "  protocol bgp upstream {\n"
	       "          ipv4 { export filter " BIRD_FILTER4 "; };\n"
	       "          ...\n"
	       "  }\n"
	       "  protocol kernel {\n"
	       "          ipv4 { export where proto != \"" BIRD_PROTO4 "\"; };\n"
	       "  }\n"
	       "  (the same for ipv6 with " BIRD_FILTER6 " and " BIRD_PROTO6 ")\n"
	       "The include defines the two filters: each takes its protocol's\n"
	       "routes and sets their MED in the export filter, the only place BIRD\n"
	       "takes it from for an eBGP neighbour ('export where proto =\n"
	       "\"" BIRD_PROTO4 "\"' works too, but a MED change is then lost).\n"
	       "The kernel routes to the subscribers are tungate's own (to tg0,\n"
	       "proto 240, made by 'up' and 'sync'): keep these routes out of the\n"
	       "kernel protocol. Exported anyway they are blackholes with the\n"
	       "highest metric, behind tungate's routes.\n"
	       "Put the anycast addresses on lo (ip addr add 192.0.2.1/32 dev lo):\n"
	       "the kernel's local table comes first, so packets to them reach\n"
	       "the data plane and the kernel whatever the main table holds.\n"
	       "\n"
	       "Options:\n"
	       "  --output FILE         the include file (its directory must exist)\n"
	       "  --birdc-socket PATH   BIRD's control socket (e.g.\n"
	       "                        /run/bird/bird.ctl); without it BIRD is not\n"
	       "                        told\n"
	       "  -j                    JSON: {\"output\": FILE, \"changed\": BOOL,\n"
	       "                        \"reconfigured\": BOOL, \"routes4\": N,\n"
	       "                        \"routes6\": N, \"state\": \"announcing\" |\n"
	       "                        \"drained\" | \"detached\"}\n"
	       "\n"
	       "'tungate run --bird-output FILE' does the same after every sync that\n"
	       "changed subscribers, and within a second of a drain or of the\n"
	       "data plane going or coming back.\n", BIRD_MED_HOME, BIRD_MED_AWAY);
	return 0;
}

int do_bird(int argc, char **argv)
{
	const char *out = NULL, *sock = NULL;
	enum tg_bird_state st;
	unsigned int v4, v6;
	struct json_writer *w;
	sqlite3 *db = NULL;
	int i, ret;

	for (i = 1; i < argc; i++) {
		if (tg_is_help(argv[i]))
			return bird_help();
		if (tg_take_json(argv[i]))
			continue;
		if (!strcmp(argv[i], "--output") || !strcmp(argv[i], "-o")) {
			ret = tg_opt_value("bird", argc, argv, &i, &out);
			if (ret)
				return ret;
			continue;
		}
		if (!strcmp(argv[i], "--birdc-socket")) {
			ret = tg_opt_value("bird", argc, argv, &i, &sock);
			if (ret)
				return ret;
			continue;
		}
		tg_err("bird: unexpected argument '%s'; try 'tungate bird help'",
		       argv[i]);
		return -EINVAL;
	}
	if (!out) {
		tg_err("bird: --output FILE is required; try 'tungate bird help'");
		return -EINVAL;
	}
	ret = tg_db_open(tg_db_path(), false, &db);
	if (ret)
		goto out;
	st = tg_bird_state(db, tg_pin_root());
	ret = tg_bird_write(db, out, sock, st);
	if (ret < 0)
		goto out;
	tg_bird_counts(db, st, &v4, &v6);
	if (tg_opts.json) {
		w = jsonw_new(stdout);
		if (!w) {
			ret = -ENOMEM;
			goto out;
		}
		jsonw_start_object(w);
		jsonw_string_field(w, "output", out);
		jsonw_bool_field(w, "changed", ret == 0);
		jsonw_bool_field(w, "reconfigured", ret == 0 && sock);
		jsonw_uint_field(w, "routes4", v4);
		jsonw_uint_field(w, "routes6", v6);
		jsonw_string_field(w, "state", tg_bird_state_key(st));
		jsonw_end_object(w);
		jsonw_destroy(&w);
	} else if (ret == 1) {
		printf("%s is current (%u IPv4, %u IPv6 routes; %s)\n", out, v4,
		       v6, tg_bird_state_name(st));
	} else {
		printf("wrote %s (%u IPv4, %u IPv6 routes; %s)%s\n", out, v4, v6,
		       tg_bird_state_name(st), sock ? "; BIRD reconfigured" : "");
	}
	ret = 0;
out:
	tg_db_close(db);
	return ret;
}
