// SPDX-License-Identifier: GPL-2.0-only
/* tungate sync: the database into the pinned data plane maps. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util/caps.h"
#include "util/cli.h"
#include "cmd/commands.h"
#include "db/db.h"
#include "db/watcher.h"
#include "util/json.h"
#include "dataplane/attach.h"
#include "routing/routes.h"
#include "sync/sync.h"
#include "wg/privkey.h"
#include "wg/wg_sync.h"

const char *tg_apply_hint(void)
{
	return tg_db_watched(tg_db_path()) ?
	       "the running 'tungate run' applies it" :
	       "run 'tungate sync' to apply";
}

static int sync_help(void)
{
	printf("Usage: tungate sync [--dry-run] [--full] [-j]\n"
	       "\n"
	       "Make the data plane maps pinned under the pin root (--pin-root,\n"
	       "default %s) hold exactly the enabled subscribers and the settings\n"
	       "of the database. Creates the maps when they do not exist yet (the\n"
	       "bpf filesystem must be mounted).\n"
	       "\n"
	       "Only entries that differ are written: counters and learnt state of\n"
	       "untouched subscribers are never reset, and running it twice changes\n"
	       "nothing. The database remembers what the last sync wrote into these\n"
	       "maps, so a sync looks only at the subscribers changed since then;\n"
	       "when the maps are not the ones it wrote (recreated, another pin root,\n"
	       "after a reboot), it reads the maps and compares everything.\n"
	       "\n"
	       "No packet sees half a subscriber: each subscriber's settings have\n"
	       "two slots. A sync first writes what packets do not see yet (the\n"
	       "slot not in force, its claims on tunnels and prefixes, zeroed\n"
	       "counters of new data plane ids), then switches every changing\n"
	       "subscriber to its new slot (one write each, in batches), then takes\n"
	       "the old slot's claims away. A sync interrupted anywhere (even by\n"
	       "kill -9) leaves every subscriber wholly old or wholly new.\n"
	       "If a write fails (map full, kernel error) everything this sync wrote\n"
	       "is put back, the error names the map and the cause, and the exit\n"
	       "status is 1. The pin root is locked (flock) for the whole sync; the\n"
	       "database is locked for writing while the maps are written.\n"
	       "\n"
	       "Rows are checked before any map is touched, also those written\n"
	       "without tungate (unparsable values, invalid options, prefixes\n"
	       "overlapping another subscriber's): the first bad one refuses the\n"
	       "whole sync, named with its cause. What the database records of\n"
	       "the maps is committed only after they are written, and the maps\n"
	       "are marked (tg_meta) while a sync writes them: after a sync killed\n"
	       "half-way the next one compares with the maps themselves and\n"
	       "repairs them. Every sync that reaches the maps records its time,\n"
	       "result and the subscriber count in tg_meta ('tungate status').\n"
	       "\n"
	       "Data plane ids stay with their subscriber; the id of a deleted\n"
	       "subscriber is not given to another one before a sync removed it\n"
	       "from the maps.\n"
	       "\n"
	       "WireGuard members are no map entries: the sync keeps the peers of\n"
	       "the kernel's interfaces tgwgPORT (one per listen port; made when\n"
	       "missing, deleted when no member uses its port) and a route (proto\n"
	       "%d) for each of their prefixes, and prints each interface with\n"
	       "the concentrator's public key (private key: %s beside the\n"
	       "database, made once, mode 0600).\n"
	       "\n"
	       "Options:\n"
	       "  --dry-run   print what would change; write neither maps nor\n"
	       "              database\n"
	       "  --full      compare with the maps themselves, not with what the\n"
	       "              last sync remembers (repairs maps changed by hand)\n"
	       "  -j          JSON: {\"added\": N, \"changed\": N, \"removed\": N,\n"
	       "              \"unchanged\": N, \"dry_run\": BOOL, \"incremental\": BOOL,\n"
	       "              \"attached\": N (subscriber interfaces with a program of\n"
	       "              this pin root; 0: 'tungate up' has not run, and a line\n"
	       "              says so without -j),\n"
	       "              \"subscribers\": {\"added\": [NAME...], \"changed\": [...],\n"
	       "              \"removed\": [...]},\n"
	       "              \"wireguard\": {\"public_key\": KEY, \"interfaces\":\n"
	       "              [{\"name\", \"port\", \"peers\", \"added\", \"changed\",\n"
	       "              \"removed\", \"routes\"}...], \"deleted\": N} (only with\n"
	       "              WireGuard members or interfaces; changed: peers whose\n"
	       "              allowed IPs, pinned endpoint or keepalive were set)}\n"
	       "\n"
	       "Text output: a summary line, then one line per subscriber that\n"
	       "changes: '+ NAME' added, '~ NAME' changed, '- NAME' removed, then\n"
	       "a line per WireGuard interface.\n"
	       "\n"
	       "Examples:\n"
	       "  tungate sync --dry-run\n"
	       "  tungate -j sync\n",
	       TG_PIN_ROOT_DEFAULT, TG_WG_RT_PROTO, TG_WG_PRIVKEY_FILE);
	return 0;
}

static void sync_print_names(struct json_writer *w, const char *what,
			     char **names, char mark)
{
	char **p;

	if (w) {
		jsonw_name(w, what);
		jsonw_start_array(w);
	}
	for (p = names; p && *p; p++) {
		if (w)
			jsonw_string(w, *p);
		else
			printf("  %c %s\n", mark, *p);
	}
	if (w)
		jsonw_end_array(w);
}

static void sync_print_wg(struct json_writer *w,
			  const struct tg_wg_sync_stats *ws)
{
	const struct tg_wg_dev_stats *d;

	if (!ws->any)
		return;
	if (!w) {
		for (d = ws->dev; d < ws->dev + ws->ndev; d++)
			printf("wireguard %s: port %u, public key %s, %u peers (%u added, %u changed, %u removed)\n",
			       d->ifname, d->port, ws->public_key, d->peers,
			       d->added, d->changed, d->removed);
		if (ws->deleted)
			printf("wireguard: %u interfaces no member uses deleted\n",
			       ws->deleted);
		return;
	}
	jsonw_name(w, "wireguard");
	jsonw_start_object(w);
	if (*ws->public_key)
		jsonw_string_field(w, "public_key", ws->public_key);
	else
		jsonw_null_field(w, "public_key");
	jsonw_name(w, "interfaces");
	jsonw_start_array(w);
	for (d = ws->dev; d < ws->dev + ws->ndev; d++) {
		jsonw_start_object(w);
		jsonw_string_field(w, "name", d->ifname);
		jsonw_uint_field(w, "port", d->port);
		jsonw_uint_field(w, "peers", d->peers);
		jsonw_uint_field(w, "added", d->added);
		jsonw_uint_field(w, "changed", d->changed);
		jsonw_uint_field(w, "removed", d->removed);
		jsonw_uint_field(w, "routes", d->routes);
		jsonw_end_object(w);
	}
	jsonw_end_array(w);
	jsonw_uint_field(w, "deleted", ws->deleted);
	jsonw_end_object(w);
}

int do_sync(int argc, char **argv)
{
	struct tg_maps m = TG_MAPS_INIT;
	struct tg_sync_opts o = { .persist = true, .names = true,
				  .pin_root = tg_pin_root() };
	struct tg_sync_stats st = {};
	struct tg_wg_sync_stats ws = {};
	char key_path[4200];
	struct json_writer *w;
	const char *root = tg_pin_root();
	unsigned int attached;
	sqlite3 *db = NULL;
	int i, lock = -1, ret;

	for (i = 1; i < argc; i++) {
		if (tg_is_help(argv[i]))
			return sync_help();
		if (tg_take_json(argv[i]))
			continue;
		if (!strcmp(argv[i], "--dry-run") || !strcmp(argv[i], "-n")) {
			o.dry_run = true;
			continue;
		}
		if (!strcmp(argv[i], "--full")) {
			o.full = true;
			continue;
		}
		tg_err("sync: unexpected argument '%s'; try 'tungate sync help'",
		       argv[i]);
		return -EINVAL;
	}
	ret = tg_caps_require("sync", false);
	if (ret)
		return ret;
	ret = tg_db_open(tg_db_path(), false, &db);
	if (ret)
		goto out;
	/*
	 * What a sync records is a cache of the maps (which do not outlive a
	 * reboot either): no need to wait for the disk at its commit.
	 */
	tg_db_lazy_commits(db);
	lock = tg_pin_lock(root);
	if (lock < 0) {
		ret = lock;
		goto out;
	}
	ret = tg_frames_check_attached(db, "sync", root);
	if (ret)
		goto out;
	ret = tg_maps_open_pinned(root, &m);
	if (ret)
		goto out;
	ret = tg_sync_run(db, &m, &o, &st);
	if (ret) {
		tg_err("sync: database %s -> pin root %s failed%s: %s",
		       tg_db_path(), root,
		       o.dry_run ? "" : ", the maps are as they were", st.failed);
		goto out;
	}
	/* The kernel's routes to the egress device follow the maps. */
	if (!o.dry_run && tg_egress_dev_ours()) {
		ret = tg_routes_sync(&m, TG_EGRESS_DEV);
		if (ret < 0)
			goto out;
		ret = 0;
	}
	/* WireGuard members: the kernel's interfaces, not the maps. */
	if (!o.dry_run) {
		ret = tg_wg_privkey_path(key_path, sizeof(key_path));
		if (!ret)
			ret = tg_wg_sync(db, key_path, &ws);
		if (ret) {
			tg_err("sync: the maps are written, but WireGuard is not: %s",
			       ws.failed);
			goto out;
		}
	}
	attached = tg_attach_count(root, TG_ROLE_SUBSCRIBER);
	if (tg_opts.json) {
		w = jsonw_new(stdout);
		if (!w) {
			ret = -ENOMEM;
			goto out;
		}
		jsonw_start_object(w);
		jsonw_uint_field(w, "added", st.added);
		jsonw_uint_field(w, "changed", st.changed);
		jsonw_uint_field(w, "removed", st.removed);
		jsonw_uint_field(w, "unchanged", st.unchanged);
		jsonw_bool_field(w, "dry_run", o.dry_run);
		jsonw_bool_field(w, "incremental", st.incremental);
		jsonw_uint_field(w, "attached", attached);
		jsonw_name(w, "subscribers");
		jsonw_start_object(w);
		sync_print_names(w, "added", st.added_names, '+');
		sync_print_names(w, "changed", st.changed_names, '~');
		sync_print_names(w, "removed", st.removed_names, '-');
		jsonw_end_object(w);
		sync_print_wg(w, &ws);
		jsonw_end_object(w);
		jsonw_destroy(&w);
	} else {
		printf("sync%s: %u added, %u changed, %u removed, %u unchanged\n",
		       o.dry_run ? " (dry run, nothing written)" : "", st.added,
		       st.changed, st.removed, st.unchanged);
		sync_print_names(NULL, NULL, st.added_names, '+');
		sync_print_names(NULL, NULL, st.changed_names, '~');
		sync_print_names(NULL, NULL, st.removed_names, '-');
		sync_print_wg(NULL, &ws);
		if (!attached && !o.dry_run)
			printf("maps under %s updated, but no subscriber interface is attached: no traffic uses them before 'tungate up'\n",
			       root);
	}
out:
	tg_sync_stats_free(&st);
	tg_maps_close(&m);
	tg_pin_unlock(lock);
	tg_db_close(db);
	return ret;
}
