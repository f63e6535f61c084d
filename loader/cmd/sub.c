// SPDX-License-Identifier: GPL-2.0-only
/* tungate sub: add, set, enable, disable, del, list, show subscribers. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "util/cli.h"
#include "cmd/commands.h"
#include "db/db.h"
#include "dataplane/dataplane.h"
#include "dataplane/ifnet.h"
#include "dataplane/liveness.h"
#include "util/json.h"
#include "util/log.h"
#include "wg/wg_peers.h"

static int sub_help(int argc, char **argv)
{
	printf("Usage: tungate sub add NAME --type TYPE --remote IPV4 --local IPV4 [OPTIONS]\n"
	       "       tungate sub add NAME --type wireguard --public-key KEY\n"
	       "                           [--remote IPV4:PORT|[IPV6]:PORT] [--listen-port N]\n"
	       "                           [OPTIONS]\n"
	       "       tungate sub set NAME [OPTIONS] [--add-prefix P]... [--del-prefix P]...\n"
	       "       tungate sub enable|disable NAME\n"
	       "       tungate sub del NAME\n"
	       "       tungate sub list [-j]\n"
	       "       tungate sub show NAME [-j]\n"
	       "\n"
	       "Subscribers live in the database; 'tungate sync' puts them into the\n"
	       "data plane. Every command is one transaction: when any option is\n"
	       "refused nothing is written, and the message names the option, its\n"
	       "value and the reason.\n"
	       "\n"
	       "add      create subscriber NAME (letters, digits, '.', '_', '-',\n"
	       "         starting with a letter or digit; at most %d characters) and\n"
	       "         give it a data plane id (stable; never 0).\n"
	       "set      change the options given, keep the others. --prefix replaces\n"
	       "         every prefix (the first --prefix clears the list);\n"
	       "         --add-prefix/--del-prefix add or remove one. --name NEW\n"
	       "         renames. 'none' clears an optional value (--key none makes a\n"
	       "         GRE tunnel keyless, --class none uses the class 'default').\n"
	       "         Changing --type needs the options of the old type cleared.\n"
	       "enable   put a disabled subscriber back into the data plane (at the\n"
	       "         next sync)\n"
	       "disable  keep the record but take it out of the data plane\n"
	       "del      delete subscriber NAME and its prefixes; its data plane id\n"
	       "         is not reused before a sync removed it from the maps\n"
	       "list     one line per subscriber, sorted by name; -j: a JSON array of\n"
	       "         the objects 'show -j' prints\n"
	       "show     every field of subscriber NAME, with the rates in effect;\n"
	       "         -j: a JSON object (fields as in 'tungate export', numbers in\n"
	       "         bits/s and bytes, null when unset; a rate of 0 is an\n"
	       "         'unlimited' override; \"effective\": the rates in force)\n"
	       "\n"
	       "Tunnel options:\n",
	       TG_NAME_MAX);
	tg_sub_help_options(stdout, TG_FG_TUNNEL);
	printf("  (a tunnel identity - type, remote, local and key/ids - belongs to\n"
	       "  one subscriber only)\n"
	       "\n"
	       "Return path options (how packets are sent to the subscriber):\n");
	tg_sub_help_options(stdout, TG_FG_PEER);
	printf("\n"
	       "Addresses, rates and the rest:\n");
	tg_sub_help_options(stdout, TG_FG_MISC);
	printf("  --disabled          (add) create it disabled\n"
	       "\n"
	       "Dial-in members (l2tpv2 sessions the LNS sets up, see 'tungate\n"
	       "session help'):\n");
	tg_sub_help_options(stdout, TG_FG_DIALIN);
	printf("\n"
	       "Examples:\n"
	       "  tungate sub add alice --type gre --key 7 --remote 192.0.2.10 \\\n"
	       "      --local 198.51.100.1 --prefix 100.64.1.0/24 --prefix 2001:db8:1::/48\n"
	       "  tungate sub add bob --type l2tpv2 --tunnel-id 5 --session 9 \\\n"
	       "      --remote 192.0.2.11 --local 198.51.100.1 --class home --mtu 1460\n"
	       "  tungate sub add carol --type l2tpv2 --user carol@exo.cat \\\n"
	       "      --password s3cret --prefix 100.64.1.7/32 --prefix 2001:db8:7::/64\n"
	       "  tungate sub add dave --type wireguard \\\n"
	       "      --public-key xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg= \\\n"
	       "      --prefix 100.64.3.0/24 (a peer of tgwg51820 at the next sync,\n"
	       "      policed and counted there as any member)\n"
	       "  tungate sub set alice --add-prefix 100.64.9.0/24 --down-rate 20mbit\n"
	       "  tungate sub disable bob\n"
	       "  tungate -j sub show alice\n");
	return 0;
}

static bool sub_is_onoff(const char *v)
{
	return !strcmp(v, "on") || !strcmp(v, "off");
}

/* Remove prefix p from s: 0 or -ENOENT. */
static int sub_del_prefix(struct tg_sub *s, const struct tg_prefix *p)
{
	unsigned int i;

	for (i = 0; i < s->nprefix; i++) {
		if (!tg_prefix_equal(&s->prefix[i], p))
			continue;
		memmove(&s->prefix[i], &s->prefix[i + 1],
			(s->nprefix - i - 1) * sizeof(*p));
		s->nprefix--;
		return 0;
	}
	return -ENOENT;
}

/*
 * Apply the options argv[start..] to s; set: 'sub set' semantics. Reports
 * errors.
 */
static int sub_parse_opts(const char *what, int argc, char **argv, int start,
			  struct tg_sub *s, bool set)
{
	bool prefix_seen = false, sublayer_seen = false;
	char field[32], err[256], e2[64], *p;
	const struct tg_field *f;
	const char *opt, *val;
	struct tg_prefix pfx;
	int i, ret;

	for (i = start; i < argc; i++) {
		opt = argv[i];
		if (tg_take_json(opt))
			continue;
		if (!set && !strcmp(opt, "--disabled")) {
			s->enabled = false;
			continue;
		}
		/* --no-home-pop: as --home-pop none. */
		if (!strcmp(opt, "--no-home-pop")) {
			s->home_pop[0] = '\0';
			continue;
		}
		snprintf(field, sizeof(field), "%s", opt + 2);
		for (p = field; *p; p++)
			if (*p == '-')
				*p = '_';
		f = tg_sub_field(field);
		if (f && (f->flags & TG_FF_NOOPT || !strcmp(field, "prefixes") ||
			  (!set && f->flags & TG_FF_SET_ONLY)))
			f = NULL;
		if (strncmp(opt, "--", 2) || strlen(opt) >= sizeof(field) + 2 ||
		    (!f && (!set || (strcmp(field, "add_prefix") &&
				     strcmp(field, "del_prefix"))))) {
			tg_err("%s: unknown option '%s'; try 'tungate sub help'",
			       what, opt);
			return -EINVAL;
		}
		/* Flags: a bare --gre-csum means on. */
		if (f && f->flags & TG_FF_BARE &&
		    (i + 1 >= argc || !sub_is_onoff(argv[i + 1]))) {
			val = "on";
		} else {
			ret = tg_opt_value(what, argc, argv, &i, &val);
			if (ret)
				return ret;
		}
		if (set && (!strcmp(field, "add_prefix") ||
			    !strcmp(field, "del_prefix"))) {
			if (tg_prefix_parse(val, &pfx, e2, sizeof(e2))) {
				tg_err("%s: %s '%s': %s", what, opt, val, e2);
				return -EINVAL;
			}
			if (field[0] == 'a') {
				ret = tg_sub_add_prefix(s, &pfx);
				if (ret)
					return ret;
			} else if (sub_del_prefix(s, &pfx)) {
				tg_err("%s: --del-prefix '%s': subscriber '%s' has no such prefix",
				       what, val, argv[1]);
				return -EINVAL;
			}
			continue;
		}
		if (!strcmp(field, "sublayer"))
			sublayer_seen = true;
		if (set && !strcmp(field, "prefix") && !prefix_seen) {
			s->nprefix = 0;
			prefix_seen = true;
		}
		ret = tg_sub_field_set(s, f, val, err, sizeof(err));
		if (ret) {
			tg_err("%s: %s", what, err);
			return ret;
		}
	}
	if (sublayer_seen && s->type != TG_TUN_NONE &&
	    s->type != TG_TUN_L2TPV3_IP && s->type != TG_TUN_L2TPV3_UDP) {
		tg_err("%s: --sublayer is not valid for type %s", what,
		       tg_tun_type_name(s->type));
		return -EINVAL;
	}
	return 0;
}

static void sub_json_u64(struct json_writer *w, const char *name, bool has,
			 __u64 v)
{
	if (has)
		jsonw_uint_field(w, name, v);
	else
		jsonw_null_field(w, name);
}

/*
 * One subscriber as JSON; origin: "local" or "radius" (NULL: left out);
 * eff: also the rates in effect, its session and
 * its liveness (live NULL: no data plane has it), and for a wireguard
 * member its peer (ps NULL: the peers could not be read, null).
 */
static void sub_json(struct json_writer *w, const struct tg_sub *s,
		     const char *origin, const struct tg_class *eff,
		     const struct tg_session *sess,
		     const struct tg_live_at *live,
		     const struct tg_wg_peers *ps,
		     const struct tg_wg_peer_state *peer)
{
	jsonw_start_object(w);
	tg_sub_json_fields(w, s);
	if (origin)
		jsonw_string_field(w, "origin", origin);
	if (eff) {
		jsonw_name(w, "liveness");
		if (live) {
			jsonw_start_object(w);
			tg_live_json(w, &live->clock, tg_live_at_state(live),
				     &live->seen);
			jsonw_end_object(w);
		} else {
			jsonw_null(w);
		}
	}
	if (eff && s->type == TG_TUN_WIREGUARD) {
		jsonw_name(w, "wireguard");
		if (ps) {
			jsonw_start_object(w);
			tg_wg_member_json(w, s, peer, ps->now);
			jsonw_end_object(w);
		} else {
			jsonw_null(w);
		}
	}
	if (eff && tg_sub_member(s)) {
		jsonw_name(w, "session");
		if (sess)
			tg_session_json(w, sess);
		else
			jsonw_null(w);
	}
	if (eff) {
		/* Rates in effect; null rate: unlimited, null class: none. */
		jsonw_name(w, "effective");
		jsonw_start_object(w);
		if (*eff->name)
			jsonw_string_field(w, "class", eff->name);
		else
			jsonw_null_field(w, "class");
		sub_json_u64(w, "down_rate", eff->down_rate, eff->down_rate);
		sub_json_u64(w, "up_rate", eff->up_rate, eff->up_rate);
		sub_json_u64(w, "burst", eff->burst, eff->burst);
		jsonw_string_field(w, "scope", tg_scope_name(eff->scope));
		jsonw_end_object(w);
	}
	jsonw_end_object(w);
}

void tg_sub_json(struct json_writer *w, const struct tg_sub *s,
		 const char *origin, const struct tg_class *eff,
		 const struct tg_session *sess, const struct tg_live_at *live)
{
	sub_json(w, s, origin, eff, sess, live, NULL, NULL);
}

/* Rates in effect for s: its overrides over its class (or 'default'). */
static int sub_effective(sqlite3 *db, const struct tg_sub *s,
			 struct tg_class *eff)
{
	struct tg_class cls;
	int ret;

	memset(&cls, 0, sizeof(cls));
	ret = tg_db_class_get(db, *s->cls ? s->cls : "default", &cls);
	if (ret == -ENOENT) {
		tg_sub_effective(s, NULL, eff);
		return 0;
	}
	tg_sub_effective(s, &cls, eff);
	return ret;
}

/* The tunnel's id fields as text: "key 7", "session 5", "-". */
static void sub_ids_text(const struct tg_sub *s, char *buf, size_t len)
{
	if (tg_sub_member(s)) {
		snprintf(buf, len, "dial-in %s", s->user);
		return;
	}
	switch (s->type) {
	case TG_TUN_GRE:
	case TG_TUN_GRETAP:
		if (s->has_key)
			snprintf(buf, len, "key %u", s->key);
		else
			snprintf(buf, len, "keyless");
		break;
	case TG_TUN_EOIP:
		snprintf(buf, len, "tunnel-id %u", s->tunnel_id);
		break;
	case TG_TUN_L2TPV3_IP:
	case TG_TUN_L2TPV3_UDP:
		snprintf(buf, len, "session %u", s->session);
		break;
	case TG_TUN_L2TPV2:
		snprintf(buf, len, "tunnel-id %u session %u", s->tunnel_id,
			 s->session);
		break;
	case TG_TUN_WIREGUARD:
		snprintf(buf, len, "peer of " TG_WG_IFNAME_FMT,
			 tg_sub_wg_port(s));
		break;
	default:
		snprintf(buf, len, "-");
	}
}

static void sub_print_show(const struct tg_sub *s, const char *origin,
			   const struct tg_class *eff)
{
	char buf[TG_FIELD_MAX], r1[32], r2[32], b[32], label[32];
	const struct tg_field *f;
	unsigned int i;

	printf("%-15s %s\n", "name:", s->name);
	printf("%-15s %u\n", "dp_id:", s->dp_id);
	printf("%-15s %s\n", "state:", s->enabled ? "enabled" : "disabled");
	printf("%-15s %s\n", "type:", tg_tun_type_name(s->type));
	printf("%-15s %s\n", "origin:", origin);
	if (tg_sub_member(s)) {
		printf("%-15s %s\n", "user:", s->user);
		printf("%-15s %s\n", "password:", *s->password ? "set" :
		       "none (the member cannot log in)");
		printf("%-15s %s\n", "tunnel:",
		       "dial-in: see 'tungate session show'");
	} else if (s->type == TG_TUN_WIREGUARD) {
		printf("%-15s %s\n", "public_key:", s->wg_key);
		if (tg_sub_wg_pinned(s)) {
			tg_sub_field_text(s, "remote", buf, sizeof(buf));
			printf(s->has_remote6 ? "%-15s [%s]:%u (pinned)\n" :
			       "%-15s %s:%u (pinned)\n", "endpoint:", buf,
			       s->peer_port);
		} else {
			printf("%-15s %s\n", "endpoint:",
			       "learnt from the member's packets");
		}
		printf("%-15s " TG_WG_IFNAME_FMT " (listen port %u%s)\n",
		       "interface:", tg_sub_wg_port(s), tg_sub_wg_port(s),
		       s->has_listen_port ? "" : ", the default");
	} else {
		tg_ip4_format(s->remote, buf, sizeof(buf));
		printf("%-15s %s\n", "remote:", buf);
		tg_ip4_format(s->local, buf, sizeof(buf));
		printf("%-15s %s\n", "local:", buf);
		sub_ids_text(s, buf, sizeof(buf));
		printf("%-15s %s\n", "tunnel:", buf);
	}
	/* Every other field that is set, as export writes it. */
	for (f = tg_sub_field_table; f < tg_sub_field_table + tg_sub_nfields; f++) {
		if (f->flags & TG_FF_OWN)
			continue;
		/* A WireGuard member's port is in its endpoint. */
		if (s->type == TG_TUN_WIREGUARD &&
		    f->off == offsetof(struct tg_sub, peer_port))
			continue;
		tg_sub_field_format(s, f, buf, sizeof(buf));
		if (*buf) {
			snprintf(label, sizeof(label), "%s:", f->name);
			printf("%-15s %s\n", label, buf);
		}
	}
	tg_rate_format(eff->down_rate, r1, sizeof(r1));
	tg_rate_format(eff->up_rate, r2, sizeof(r2));
	if (eff->burst)
		tg_size_format(eff->burst, b, sizeof(b));
	else
		snprintf(b, sizeof(b), "-");
	printf("%-15s down %s, up %s, burst %s, scope %s (class %s)\n",
	       "in effect:", r1, r2, b, tg_scope_name(eff->scope),
	       *eff->name ? eff->name : "none");
	printf("%-15s", "prefixes:");
	for (i = 0; i < s->nprefix; i++) {
		tg_prefix_format(&s->prefix[i], buf, sizeof(buf));
		printf(" %s", buf);
	}
	printf("%s\n", s->nprefix ? "" : " none");
	if (*s->note)
		printf("%-15s %s\n", "note:", s->note);
}

static int sub_id_cmp(const void *a, const void *b)
{
	const __s64 *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

/* The ids of the rows of origin radius, sorted: 0 or -EIO. */
static int sub_radius_ids(sqlite3 *db, __s64 **ids, size_t *n)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	__s64 *v;
	int rc;

	*ids = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(db, "SELECT id FROM subscriber WHERE origin = 'radius'"
			       " ORDER BY id", -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			v = realloc(*ids, cap * sizeof(*v));
			if (!v) {
				rc = SQLITE_NOMEM;
				break;
			}
			*ids = v;
		}
		(*ids)[(*n)++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

static const char *sub_origin_of(const struct tg_sub *s, const __s64 *radius,
				 size_t n)
{
	return n && bsearch(&s->id, radius, n, sizeof(*radius), sub_id_cmp) ?
	       "radius" : "local";
}

static const char *sub_origin(sqlite3 *db, const struct tg_sub *s)
{
	bool radius = false;

	return !tg_db_sub_origin(db, s->name, &radius) && radius ? "radius" :
								     "local";
}

/*
 * What the data plane pinned under the pin root heard of s: 0, or -ENOENT
 * when it does not have s (disabled, no data plane).
 */
static int sub_live(sqlite3 *db, const struct tg_sub *s, struct tg_live_at *a)
{
	struct tg_settings set;

	if (!s->enabled || !s->dp_id ||
	    tg_live_read_pinned(tg_pin_root(), s->dp_id, a))
		return -ENOENT;
	a->timeout_s = tg_db_settings_load(db, &set) ? TG_LIVENESS_TIMEOUT_S :
		       set.liveness_timeout;
	return 0;
}

static void sub_print_live(const struct tg_live_at *a)
{
	char buf[96];

	tg_live_text(buf, sizeof(buf), &a->clock, tg_live_at_state(a),
		     &a->seen);
	printf("%-15s %s\n", "liveness:", buf);
}

/*
 * A wireguard member's peer as the kernel has it: 0 (*p NULL when its
 * interface lacks it) or a negative errno, said on stderr.
 */
static int sub_wg_peer(const struct tg_sub *s, struct tg_wg_peers *ps,
		       const struct tg_wg_peer_state **p)
{
	char err[256];
	int ret;

	*p = NULL;
	ret = tg_wg_peers_read(ps, err, sizeof(err));
	if (ret) {
		pr_warn("sub show: subscriber '%s': cannot read its peer: %s\n",
			s->name, err);
		return ret;
	}
	*p = tg_wg_peers_find(ps, s);
	return 0;
}

static int sub_print_one(sqlite3 *db, const struct tg_sub *s)
{
	const struct tg_wg_peer_state *peer = NULL;
	struct tg_wg_peers peers = {};
	bool have_peers = false;
	struct tg_session sess;
	struct tg_live_at live;
	struct json_writer *w;
	struct tg_class eff;
	bool online = false, have_live;
	char buf[256];

	if (sub_effective(db, s, &eff)) {
		tg_err("sub: subscriber '%s': cannot read its class", s->name);
		return -EIO;
	}
	if (tg_sub_member(s))
		online = !tg_db_session_of(db, s->id, &sess);
	have_live = !sub_live(db, s, &live);
	if (s->type == TG_TUN_WIREGUARD)
		have_peers = !sub_wg_peer(s, &peers, &peer);
	if (!tg_opts.json) {
		sub_print_show(s, sub_origin(db, s), &eff);
		if (have_live)
			sub_print_live(&live);
		if (have_peers) {
			tg_wg_member_text(s, peer, peers.now, buf, sizeof(buf));
			printf("%-15s %s\n", "wireguard:", buf);
		}
		tg_wg_peers_free(&peers);
		if (online)
			tg_session_text(&sess, buf, sizeof(buf));
		if (tg_sub_member(s))
			printf("%-15s %s\n", "session:",
			       online ? buf : "none (not dialled in)");
		return 0;
	}
	w = jsonw_new(stdout);
	if (!w) {
		tg_wg_peers_free(&peers);
		return -ENOMEM;
	}
	sub_json(w, s, sub_origin(db, s), &eff, online ? &sess : NULL,
		 have_live ? &live : NULL, have_peers ? &peers : NULL, peer);
	jsonw_destroy(&w);
	tg_wg_peers_free(&peers);
	return 0;
}

/*
 * With the data plane up, s's prefixes must stay off the networks of the
 * attached interfaces (the sync would refuse the row).
 */
int tg_sub_check_ifnets(const char *what, const struct tg_sub *s)
{
	struct tg_ifnet *nets;
	char err[256];
	size_t n;
	int ret;

	ret = tg_ifnets_load(tg_pin_root(), &nets, &n);
	if (ret) {
		tg_err("%s: cannot read the interfaces' addresses: %s", what,
		       strerror(-ret));
		return ret;
	}
	ret = tg_ifnets_check(nets, n, s, err, sizeof(err));
	if (ret)
		tg_err("%s: %s", what, err);
	free(nets);
	return ret;
}

static int sub_add(int argc, char **argv)
{
	sqlite3 *db = NULL;
	struct tg_sub s;
	char err[256];
	int ret;

	tg_sub_init(&s);
	if (argc < 2 || argv[1][0] == '-') {
		tg_err("sub add: missing NAME; try 'tungate sub help'");
		return -EINVAL;
	}
	if (strlen(argv[1]) > TG_NAME_MAX) {
		tg_err("sub add: name '%s': longer than %d characters", argv[1],
		       TG_NAME_MAX);
		return -EINVAL;
	}
	snprintf(s.name, sizeof(s.name), "%s", argv[1]);
	ret = sub_parse_opts("sub add", argc, argv, 2, &s, false);
	if (ret)
		goto out;
	ret = -EINVAL;
	if (s.type == TG_TUN_NONE) {
		tg_err("sub add: --type is required");
		goto out;
	}
	ret = tg_sub_validate(&s, err, sizeof(err));
	if (ret) {
		tg_err("sub add: %s", err);
		goto out;
	}
	ret = tg_sub_check_ifnets("sub add", &s);
	if (ret)
		goto out;
	ret = tg_db_open(tg_db_path(), false, &db);
	if (ret)
		goto out;
	ret = tg_db_sub_add(db, &s, err, sizeof(err));
	if (ret) {
		tg_err("sub add: %s", err);
		goto out;
	}
	if (tg_opts.json)
		ret = sub_print_one(db, &s);
	else
		printf("added subscriber '%s' (dp_id %u); %s\n", s.name,
		       s.dp_id, tg_apply_hint());
out:
	tg_db_close(db);
	tg_sub_free(&s);
	return ret;
}

/* Load NAME, apply options (or enabled = en when en >= 0), write back. */
static int sub_modify(const char *what, int argc, char **argv, int en)
{
	char err[256], old_name[TG_NAME_MAX + 1];
	sqlite3 *db = NULL;
	struct tg_sub s;
	bool radius = false;
	int i, ret;

	tg_sub_init(&s);
	if (argc < 2 || argv[1][0] == '-') {
		tg_err("%s: missing NAME; try 'tungate sub help'", what);
		return -EINVAL;
	}
	if (en >= 0) {
		for (i = 2; i < argc; i++) {
			if (!tg_take_json(argv[i])) {
				tg_err("%s: unexpected argument '%s'", what,
				       argv[i]);
				return -EINVAL;
			}
		}
	}
	snprintf(old_name, sizeof(old_name), "%s", argv[1]);
	ret = tg_db_open(tg_db_path(), false, &db);
	if (ret)
		goto out;
	ret = tg_db_sub_get(db, argv[1], &s);
	if (ret) {
		tg_err(ret == -ENOENT ? "%s: subscriber '%s' does not exist" :
		       "%s: subscriber '%s': cannot read the database", what,
		       argv[1]);
		goto out;
	}
	if (!tg_db_sub_origin(db, argv[1], &radius) && radius) {
		tg_err("%s: subscriber '%s' belongs to RADIUS: it exists while its session is up and takes what the RADIUS server answers; change the member there, or add a local subscriber with its user, which then takes its place",
		       what, argv[1]);
		ret = -EPERM;
		goto out;
	}
	if (en >= 0)
		s.enabled = en;
	else
		ret = sub_parse_opts(what, argc, argv, 2, &s, true);
	if (!ret && en < 0)
		ret = tg_sub_check_ifnets(what, &s);
	if (ret)
		goto out;
	ret = tg_db_sub_update(db, old_name, &s, err, sizeof(err));
	if (ret) {
		tg_err("%s: %s", what, err);
		goto out;
	}
	if (tg_opts.json)
		ret = sub_print_one(db, &s);
	else
		printf("%s subscriber '%s'; %s\n",
		       en < 0 ? "changed" : en ? "enabled" : "disabled", s.name,
		       tg_apply_hint());
out:
	tg_db_close(db);
	tg_sub_free(&s);
	return ret;
}

static int sub_set(int argc, char **argv)
{
	return sub_modify("sub set", argc, argv, -1);
}

static int sub_enable(int argc, char **argv)
{
	return sub_modify("sub enable", argc, argv, 1);
}

static int sub_disable(int argc, char **argv)
{
	return sub_modify("sub disable", argc, argv, 0);
}

static int sub_del(int argc, char **argv)
{
	struct json_writer *w;
	const char *name;
	sqlite3 *db = NULL;
	int ret;

	ret = tg_name_arg("sub del", argc, argv, &name);
	if (ret)
		return ret;
	ret = tg_db_open(tg_db_path(), false, &db);
	if (ret)
		goto out;
	ret = tg_db_sub_del(db, name);
	if (ret == -ENOENT) {
		tg_err("sub del: subscriber '%s' does not exist", name);
		goto out;
	} else if (ret) {
		tg_err("sub del: subscriber '%s': %s", name, sqlite3_errmsg(db));
		goto out;
	}
	if (tg_opts.json) {
		w = jsonw_new(stdout);
		if (w) {
			jsonw_start_object(w);
			jsonw_string_field(w, "deleted", name);
			jsonw_end_object(w);
			jsonw_destroy(&w);
		}
	} else {
		printf("deleted subscriber '%s'; %s\n", name, tg_apply_hint());
	}
out:
	tg_db_close(db);
	return ret;
}

static int sub_show(int argc, char **argv)
{
	const char *name;
	sqlite3 *db = NULL;
	struct tg_sub s;
	int ret;

	tg_sub_init(&s);
	ret = tg_name_arg("sub show", argc, argv, &name);
	if (ret)
		return ret;
	ret = tg_db_open(tg_db_path(), false, &db);
	if (ret)
		goto out;
	ret = tg_db_sub_get(db, name, &s);
	if (ret == -ENOENT) {
		tg_err("sub show: subscriber '%s' does not exist", name);
		goto out;
	} else if (ret) {
		tg_err("sub show: subscriber '%s': cannot read the database",
		       name);
		goto out;
	}
	ret = sub_print_one(db, &s);
out:
	tg_sub_free(&s);
	tg_db_close(db);
	return ret;
}

static int sub_list(int argc, char **argv)
{
	__s64 *radius = NULL;
	size_t nr = 0;
	char remote[INET6_ADDRSTRLEN], local[16], ids[48], pfx[TG_PREFIX_STRLEN];
	struct tg_sub *subs = NULL;
	struct json_writer *w;
	sqlite3 *db = NULL;
	size_t n = 0, i;
	unsigned int j;
	int ret;

	for (i = 1; i < (size_t)argc; i++) {
		if (!tg_take_json(argv[i])) {
			tg_err("sub list: unexpected argument '%s'", argv[i]);
			return -EINVAL;
		}
	}
	ret = tg_db_open(tg_db_path(), false, &db);
	if (ret)
		goto out;
	ret = tg_db_sub_list(db, false, &subs, &n);
	if (!ret)
		ret = sub_radius_ids(db, &radius, &nr);
	if (ret) {
		tg_err("sub list: cannot read the database %s", tg_db_path());
		goto out;
	}
	if (tg_opts.json) {
		w = jsonw_new(stdout);
		if (!w) {
			ret = -ENOMEM;
			goto out;
		}
		jsonw_start_array(w);
		for (i = 0; i < n; i++)
			tg_sub_json(w, &subs[i],
				    sub_origin_of(&subs[i], radius, nr),
				    NULL, NULL, NULL);
		jsonw_end_array(w);
		jsonw_destroy(&w);
		goto out;
	}
	printf("%-20s %7s %-8s %-6s %-10s %-15s %-15s %-24s %-12s %s\n",
	       "NAME", "DP_ID", "STATE", "ORIGIN", "TYPE", "REMOTE", "LOCAL",
	       "TUNNEL", "CLASS", "PREFIXES");
	for (i = 0; i < n; i++) {
		tg_sub_field_text(&subs[i], "remote", remote, sizeof(remote));
		tg_sub_field_text(&subs[i], "local", local, sizeof(local));
		sub_ids_text(&subs[i], ids, sizeof(ids));
		printf("%-20s %7u %-8s %-6s %-10s %-15s %-15s %-24s %-12s ",
		       subs[i].name, subs[i].dp_id,
		       subs[i].enabled ? "enabled" : "disabled",
		       sub_origin_of(&subs[i], radius, nr),
		       tg_tun_type_name(subs[i].type), *remote ? remote : "-",
		       *local ? local : "-", ids,
		       *subs[i].cls ? subs[i].cls : "-");
		for (j = 0; j < subs[i].nprefix; j++) {
			tg_prefix_format(&subs[i].prefix[j], pfx, sizeof(pfx));
			printf("%s%s", j ? "," : "", pfx);
		}
		printf("%s\n", subs[i].nprefix ? "" : "-");
	}
out:
	free(radius);
	tg_sub_list_free(subs, n);
	tg_db_close(db);
	return ret;
}

static const struct tg_cmd sub_cmds[] = {
	{ "add", sub_add },
	{ "set", sub_set },
	{ "enable", sub_enable },
	{ "disable", sub_disable },
	{ "del", sub_del },
	{ "list", sub_list },
	{ "show", sub_show },
	{ "help", sub_help },
	{ NULL, NULL },
};

int do_sub(int argc, char **argv)
{
	return tg_cmd_select(sub_cmds, "sub", argc - 1, argv + 1, sub_help);
}
