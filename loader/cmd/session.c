// SPDX-License-Identifier: GPL-2.0-only
/* tungate session: the dial-in sessions the LNS of 'tungate run' has up. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/cli.h"
#include "cmd/commands.h"
#include "db/db.h"
#include "util/json.h"

static int session_help(int argc, char **argv)
{
	printf("Usage: tungate session list [-j]\n"
	       "       tungate session show NAME [-j]\n"
	       "       tungate session kill NAME\n"
	       "\n"
	       "Dial-in members (l2tpv2 subscribers with --user, see 'tungate sub\n"
	       "help') reach the LNS of 'tungate run' (turned on with 'tungate\n"
	       "config set lns ADDRESS'). Once a member has logged in and IPCP or\n"
	       "IPv6CP is open, its session is listed here and its packets go\n"
	       "through the data plane like any subscriber's.\n"
	       "\n"
	       "list  one line per session: member, user, the LAC's address and\n"
	       "      port, our/its tunnel and session ids, uptime, the LAC's host\n"
	       "      name; -j: a JSON array\n"
	       "show  the session of member NAME\n"
	       "kill  end the session of member NAME (CDN to the LAC); the daemon\n"
	       "      does it within a second. The member may dial again: disable\n"
	       "      it ('tungate sub disable NAME') to keep it out\n"
	       "\n"
	       "Examples:\n"
	       "  tungate session list\n"
	       "  tungate session kill alice\n");
	return 0;
}

static void session_uptime(__s64 started, char *buf, size_t len)
{
	long long s = (long long)time(NULL) - started;

	if (s < 0)
		s = 0;
	if (s >= 86400)
		snprintf(buf, len, "%lldd%02lldh", s / 86400, s % 86400 / 3600);
	else
		snprintf(buf, len, "%02lld:%02lld:%02lld", s / 3600,
			 s % 3600 / 60, s % 60);
}

void tg_session_json(struct json_writer *w, const struct tg_session *s)
{
	char a[16];

	jsonw_start_object(w);
	jsonw_string_field(w, "name", s->name);
	jsonw_string_field(w, "user", s->user);
	jsonw_string_field(w, "state", s->kill ? "ending" : "up");
	tg_ip4_format(s->remote, a, sizeof(a));
	jsonw_string_field(w, "lac", a);
	jsonw_uint_field(w, "lac_port", s->peer_port);
	jsonw_string_field(w, "lac_host", s->lac);
	tg_ip4_format(s->local, a, sizeof(a));
	jsonw_string_field(w, "local", a);
	jsonw_uint_field(w, "tunnel_id", s->tunnel_id);
	jsonw_uint_field(w, "session_id", s->session_id);
	jsonw_uint_field(w, "peer_tunnel_id", s->peer_tunnel_id);
	jsonw_uint_field(w, "peer_session", s->peer_session);
	jsonw_int_field(w, "started", s->started);
	jsonw_int_field(w, "uptime", (long long)time(NULL) - s->started);
	jsonw_end_object(w);
}

void tg_session_text(const struct tg_session *s, char *buf, size_t len)
{
	char a[16], up[24];

	tg_ip4_format(s->remote, a, sizeof(a));
	session_uptime(s->started, up, sizeof(up));
	snprintf(buf, len, "%s %s from %s:%u (%s), tunnel %u/%u, session %u/%u",
		 s->kill ? "ending, up" : "up", up, a, s->peer_port, s->lac,
		 s->tunnel_id, s->peer_tunnel_id, s->session_id,
		 s->peer_session);
}

static void session_line(const struct tg_session *s)
{
	char a[16], lac[24], up[24];

	tg_ip4_format(s->remote, a, sizeof(a));
	snprintf(lac, sizeof(lac), "%s:%u", a, s->peer_port);
	session_uptime(s->started, up, sizeof(up));
	printf("%-20s %-24s %-21s %5u/%-5u %5u/%-5u %-9s %-6s %s\n", s->name,
	       s->user, lac, s->tunnel_id, s->peer_tunnel_id, s->session_id,
	       s->peer_session, up, s->kill ? "ending" : "up", s->lac);
}

/* Every session, or the one of name. */
static int session_print(const char *name, bool all)
{
	struct json_writer *w = NULL;
	struct tg_session *v = NULL;
	sqlite3 *db = NULL;
	size_t n = 0, i, shown = 0;
	int ret;

	ret = tg_db_open(tg_db_path(), false, &db);
	if (ret)
		return ret;
	ret = tg_db_session_list(db, &v, &n);
	if (ret) {
		tg_err("session: cannot read the sessions: %s",
		       sqlite3_errmsg(db));
		goto out;
	}
	if (tg_opts.json) {
		w = jsonw_new(stdout);
		if (!w) {
			ret = -ENOMEM;
			goto out;
		}
		if (all)
			jsonw_start_array(w);
	} else if (all) {
		printf("%-20s %-24s %-21s %-11s %-11s %-9s %-6s %s\n", "NAME",
		       "USER", "LAC", "TUNNEL", "SESSION", "UPTIME", "STATE",
		       "LAC HOST");
	}
	for (i = 0; i < n; i++) {
		if (!all && strcmp(v[i].name, name))
			continue;
		shown++;
		if (w)
			tg_session_json(w, &v[i]);
		else
			session_line(&v[i]);
	}
	if (w && all)
		jsonw_end_array(w);
	jsonw_destroy(&w);
	if (!all && !shown) {
		tg_err("session show: member '%s' has no session up", name);
		ret = -ENOENT;
	}
out:
	tg_db_session_list_free(v, n);
	tg_db_close(db);
	return ret;
}

/* NAME and -j among the arguments; NULL name when none was given. */
static int session_args(const char *what, int argc, char **argv,
			const char **name, bool need)
{
	int i;

	*name = NULL;
	for (i = 1; i < argc; i++) {
		if (tg_take_json(argv[i]))
			continue;
		if (*name || argv[i][0] == '-') {
			tg_err("session %s: unexpected argument '%s'", what,
			       argv[i]);
			return -EINVAL;
		}
		*name = argv[i];
	}
	if (need && !*name) {
		tg_err("session %s: missing NAME; try 'tungate session help'",
		       what);
		return -EINVAL;
	}
	if (!need && *name) {
		tg_err("session %s: unexpected argument '%s'", what, *name);
		return -EINVAL;
	}
	return 0;
}

static int session_list(int argc, char **argv)
{
	const char *name;
	int ret = session_args("list", argc, argv, &name, false);

	return ret ? ret : session_print(NULL, true);
}

static int session_show(int argc, char **argv)
{
	const char *name;
	int ret = session_args("show", argc, argv, &name, true);

	return ret ? ret : session_print(name, false);
}

static int session_kill(int argc, char **argv)
{
	struct json_writer *w;
	sqlite3 *db = NULL;
	const char *name;
	int ret;

	ret = session_args("kill", argc, argv, &name, true);
	if (ret)
		return ret;
	ret = tg_db_open(tg_db_path(), false, &db);
	if (ret)
		return ret;
	ret = tg_db_session_kill(db, name);
	if (ret == -ENOENT)
		tg_err("session kill: member '%s' has no session up", name);
	else if (ret)
		tg_err("session kill: cannot write the database: %s",
		       sqlite3_errmsg(db));
	else if (!tg_opts.json)
		printf("session of '%s' marked to end; the daemon ends it\n",
		       name);
	else if ((w = jsonw_new(stdout))) {
		jsonw_start_object(w);
		jsonw_string_field(w, "name", name);
		jsonw_string_field(w, "state", "ending");
		jsonw_end_object(w);
		jsonw_destroy(&w);
	}
	tg_db_close(db);
	return ret;
}

static const struct tg_cmd session_cmds[] = {
	{ "list", session_list },
	{ "show", session_show },
	{ "kill", session_kill },
	{ "help", session_help },
	{ NULL, NULL },
};

int do_session(int argc, char **argv)
{
	return tg_cmd_select(session_cmds, "session", argc - 1, argv + 1,
			     session_help);
}
