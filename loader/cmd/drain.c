// SPDX-License-Identifier: GPL-2.0-only
/*
 * tungate drain: this POP stops announcing its BIRD routes (or, --off,
 * announces them again); a setting of its own database, never shared.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"
#include "db/db.h"
#include "db/pop.h"
#include "dataplane/dataplane.h"
#include "routing/bird.h"
#include "util/cli.h"
#include "util/json.h"

static int drain_help(void)
{
	printf("Usage: tungate drain [--off] [--bird-output FILE [--birdc-socket PATH]] [-j]\n"
	       "\n"
	       "Drain this POP: its BIRD include ('tungate bird help') then holds\n"
	       "no routes, neither the anycast prefixes nor the subscribers', so\n"
	       "BGP moves the traffic to the other POPs. The data plane keeps\n"
	       "forwarding what still reaches it. --off announces the routes\n"
	       "again. Both print the state this POP is in now: announcing,\n"
	       "drained, or withdrawn (data plane detached). Draining a drained\n"
	       "POP changes nothing.\n"
	       "\n"
	       "The drain is a setting of this concentrator's own database (the\n"
	       "snapshot with --db postgresql://...): never shared with the other\n"
	       "POPs, and it stays across restarts. 'tungate run --bird-output'\n"
	       "rewrites the include within a second; on a POP without the\n"
	       "daemon give the include here:\n"
	       "  --bird-output FILE    rewrite this BIRD include now\n"
	       "  --birdc-socket PATH   and reconfigure BIRD through this socket\n"
	       "  -j                    JSON: {\"pop\": NAME, \"drained\": BOOL,\n"
	       "                        \"changed\": BOOL, \"state\": \"announcing\" |\n"
	       "                        \"drained\" | \"detached\"}\n");
	return 0;
}

int do_drain(int argc, char **argv)
{
	const char *out = NULL, *sock = NULL;
	char pop[TG_NAME_MAX + 1];
	enum tg_bird_state st;
	struct json_writer *w;
	bool off = false, was;
	sqlite3 *db = NULL;
	int i, ret;

	for (i = 1; i < argc; i++) {
		if (tg_is_help(argv[i]))
			return drain_help();
		if (tg_take_json(argv[i]))
			continue;
		if (!strcmp(argv[i], "--off")) {
			off = true;
			continue;
		}
		if (!strcmp(argv[i], "--bird-output") ||
		    !strcmp(argv[i], "--birdc-socket")) {
			ret = tg_opt_value("drain", argc, argv, &i,
					   !strcmp(argv[i], "--bird-output") ?
					   &out : &sock);
			if (ret)
				return ret;
			continue;
		}
		tg_err("drain: unexpected argument '%s'; try 'tungate drain help'",
		       argv[i]);
		return -EINVAL;
	}
	if (sock && !out) {
		tg_err("drain: --birdc-socket '%s': needs --bird-output", sock);
		return -EINVAL;
	}
	ret = tg_db_open(tg_db_path(), false, &db);
	if (ret)
		goto out;
	was = tg_pop_drained(db);
	if (was != !off) {
		ret = tg_db_setting_set(db, TG_POP_DRAIN_KEY, off ? "0" : "1");
		if (ret) {
			tg_err("drain: cannot write the database: %s",
			       sqlite3_errmsg(db));
			goto out;
		}
	}
	tg_pop_name(db, pop);
	st = tg_bird_state(db, tg_pin_root());
	if (out) {
		/*
		 * The drain stands whatever becomes of the file: a failure
		 * (said above) is the exit status, and -j's one error object.
		 */
		ret = tg_bird_write(db, out, sock, st);
		if (ret < 0 && tg_opts.json)
			goto out;
		ret = ret < 0 ? ret : 0;
	}
	if (tg_opts.json) {
		w = jsonw_new(stdout);
		if (!w) {
			ret = -ENOMEM;
			goto out;
		}
		jsonw_start_object(w);
		jsonw_string_field(w, "pop", pop);
		jsonw_bool_field(w, "drained", !off);
		jsonw_bool_field(w, "changed", was != !off);
		jsonw_string_field(w, "state", tg_bird_state_key(st));
		jsonw_end_object(w);
		jsonw_destroy(&w);
	} else {
		printf("POP %s %s%s: %s\n", pop, off ? "resumed" : "drained",
		       was != !off ? "" : " already", tg_bird_state_name(st));
	}
out:
	tg_db_close(db);
	return ret;
}
