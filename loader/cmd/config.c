// SPDX-License-Identifier: GPL-2.0-only
/* tungate config: data plane settings kept in the database. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util/cli.h"
#include "cmd/commands.h"
#include "db/anycast.h"
#include "db/db.h"
#include "db/pop_timing.h"
#include "db/radius_settings.h"
#include "db/wg_settings.h"
#include "util/json.h"
#include "util/tls_files.h"

static int config_help(int argc, char **argv)
{
	printf("Usage: tungate config set KEY VALUE\n"
	       "       tungate config show [-j]\n"
	       "\n"
	       "Settings are stored in the database and reach the data plane with\n"
	       "the next 'tungate sync'.\n"
	       "\n"
	       "Keys:\n"
	       "  unknown-tunnel pass|drop   what to do with a packet that looks\n"
	       "                             like a tunnel but matches no\n"
	       "                             subscriber (default pass: the kernel\n"
	       "                             gets it)\n"
	       "  l2tpv3-udp-port N          UDP port of L2TPv3 over UDP, 0..65535,\n"
	       "                             0 disables it (default %d)\n"
	       "  l2tpv2-udp-port N          UDP port of L2TPv2, 0..65535, 0 disables\n"
	       "                             it (default %d); may equal the L2TPv3\n"
	       "                             port. Also the source port of packets\n"
	       "                             sent to subscribers without --local-port\n"
	       "  gateway-mac MAC            our unicast MAC address inside Ethernet\n"
	       "                             tunnels (gretap, eoip, l2tpv3): source\n"
	       "                             of frames we send, answer to ARP/ND\n"
	       "                             (default %s)\n"
	       "  ttl N                      outer TTL of packets sent to subscribers\n"
	       "                             without --ttl, 1..255 (default %d)\n"
	       "  scope-action drop|icmp     what to do with a packet of a\n"
	       "                             community-scope subscriber to a\n"
	       "                             destination outside the community\n"
	       "                             prefixes: drop it silently (default),\n"
	       "                             or also answer with ICMP\n"
	       "                             administratively prohibited\n"
	       "                             (through its tunnel, at most 100 a\n"
	       "                             second per CPU); packets toward such\n"
	       "                             a subscriber from outside are always\n"
	       "                             dropped silently\n"
	       "  liveness-timeout S         seconds of silence after which a\n"
	       "                             subscriber is 'down' in sub show,\n"
	       "                             stats, top, status and the metrics,\n"
	       "                             %d..%d (default %d); 'idle' when only\n"
	       "                             keepalives or tunnel control came\n"
	       "                             within it, 'up' when traffic did\n"
	       "  eoip-keepalive S           seconds between the keepalives\n"
	       "                             'tungate run' sends every enabled\n"
	       "                             eoip subscriber without --keepalive,\n"
	       "                             0..3600, 0: none (default %d, as\n"
	       "                             RouterOS: its EoIP interfaces stop\n"
	       "                             running after 10 intervals without\n"
	       "                             one); read by the daemon after each\n"
	       "                             sync, not sent by the data plane\n"
	       "  anycast P[,P...]|none      the concentrator's tunnel prefixes\n"
	       "                             (IPv4 and IPv6, at most %d, host\n"
	       "                             bits zero, none overlapping a\n"
	       "                             subscriber's prefix, e.g.\n"
	       "                             192.0.2.1/32) that\n"
	       "                             every POP announces in the BIRD\n"
	       "                             include while it serves (see\n"
	       "                             'tungate bird help'); default none\n"
	       "  pop-heartbeat S            seconds between the rows each POP's\n"
	       "                             'tungate run' writes to PostgreSQL's\n"
	       "                             table pop, %d..%d (default %d)\n"
	       "  pop-down-after S           seconds a POP may go without one\n"
	       "                             before 'pop list' says it is down, at\n"
	       "                             least %d times pop-heartbeat, at most\n"
	       "                             %d (default %d heartbeats)\n"
	       "\n"
	       "The LNS (L2TPv2 dial-in of members, see 'tungate session help'),\n"
	       "read by 'tungate run' when it starts and on SIGHUP:\n"
	       "  lns off|ADDRESS[:PORT]     listen for L2TP control on this IPv4\n"
	       "                             address of the access interface, UDP\n"
	       "                             port 1701 by default (default off)\n"
	       "  lns-secret SECRET|none     tunnel authentication (Challenge AVPs)\n"
	       "                             with this shared secret (default none)\n"
	       "  lns-auth chap|pap|chap,pap PPP authentication offered, CHAP-MD5\n"
	       "                             first (default chap,pap)\n"
	       "  lns-name NAME              our host name in SCCRP and CHAP\n"
	       "                             (default %s)\n"
	       "  lns-dns A[,B...]|none      DNS servers: up to two IPv4 ones given\n"
	       "                             by IPCP, two IPv6 ones by router\n"
	       "                             advertisements and DHCPv6 (default\n"
	       "                             none)\n"
	       "  lns-address IPV4           our end of every member's PPP link,\n"
	       "                             its gateway (default %s, a\n"
	       "                             link-local address no member has);\n"
	       "                             not the listening address, which\n"
	       "                             members must reach outside PPP\n"
	       "  lns-echo-interval S        LCP echo to every member after S\n"
	       "                             seconds without one, 1..3600\n"
	       "                             (default %d)\n"
	       "  lns-echo-failures N        unanswered echoes after which a\n"
	       "                             member's session ends, 1..100\n"
	       "                             (default %d)\n"
	       "\n"
	       "RADIUS, read by 'tungate run' when it starts and on SIGHUP:\n"
	       "  aaa local|radius           who checks logins: the subscriber rows\n"
	       "                             (default local) or RADIUS servers\n"
	       "  radius-servers H[:P],...   RADIUS servers, tried in order (port\n"
	       "                             default %d)\n"
	       "  radius-acct-servers H[:P],...|none  accounting servers (default\n"
	       "                             the radius-servers, port + 1)\n"
	       "  radius-secret SECRET       shared with the servers (never shown)\n"
	       "  radius-timeout S           seconds per try, 1..%d (default %d)\n"
	       "  radius-retries N           tries again per server, 0..%d\n"
	       "                             (default %d)\n"
	       "  radius-nas-identifier NAME NAS-Identifier (default lns-name)\n"
	       "  radius-nas-ip IPV4         NAS-IP-Address (default the LNS's\n"
	       "                             listening address)\n"
	       "  radius-accounting on|off   accounting (default on with aaa\n"
	       "                             radius)\n"
	       "  radius-interim S           interim updates every S s, 0: only\n"
	       "                             when a server asks (%d..%d, default\n"
	       "                             %d)\n"
	       "  radius-dae off|IPV4[:PORT] listen for CoA and Disconnect\n"
	       "                             (RFC 5176, port default %d)\n"
	       "  radius-dae-clients A,...   who may send them (default the\n"
	       "                             servers' addresses)\n"
	       "\n"
	       "WireGuard members (see 'tungate wg help'), what their\n"
	       "configuration says and where enrolled members' prefixes come from:\n"
	       "  wg-endpoint HOST[:PORT]|none  what members dial: a name, an IPv4\n"
	       "                             address or [IPV6]; port default the\n"
	       "                             member's listen port (required for a\n"
	       "                             configuration; default none)\n"
	       "  wg-mtu N                   the members' interface MTU, %d..%d\n"
	       "                             (default %d)\n"
	       "  wg-allowed-ips P[,P...]    what members route through the\n"
	       "                             concentrator, at most %d prefixes\n"
	       "                             (default %s)\n"
	       "  wg-pool4 CIDR|none         'wg invite' without --prefix gives\n"
	       "                             each member the next free /%d of it\n"
	       "  wg-pool6 CIDR|none         the same, a /%d each\n"
	       "  wg-broker ADDR:PORT|off    where 'tungate run' serves enrolment\n"
	       "                             (POST /wg/enrol, GET /wg/openwrt.sh):\n"
	       "                             0.0.0.0:PORT, [::]:PORT or one\n"
	       "                             address; read when it starts and on\n"
	       "                             SIGHUP (default off)\n"
	       "  wg-broker-cert FILE|none   the broker's certificate (PEM, its chain\n"
	       "                             after it), an absolute path; with\n"
	       "                             wg-broker-key the broker serves HTTPS\n"
	       "                             only, never plain HTTP (default none)\n"
	       "  wg-broker-key FILE|none    its private key (PEM, unencrypted, not\n"
	       "                             readable by others). Checked when set\n"
	       "                             (read, parsed, the key the\n"
	       "                             certificate's); read again by 'tungate\n"
	       "                             run' when it starts and on SIGHUP (a\n"
	       "                             renewed certificate is taken then)\n"
	       "Keys may be written with '_' for '-'.\n"
	       "\n"
	       "show  the current value of every key; -j: a JSON object with the keys\n"
	       "      spelled with '_' (ports, ttl and eoip-keepalive as numbers,\n"
	       "      anycast as an array of prefixes)\n"
	       "\n"
	       "Examples:\n"
	       "  tungate config set unknown-tunnel drop\n"
	       "  tungate config set gateway-mac 02:00:5e:00:53:01\n",
	       TG_L2TP_UDP_PORT, TG_L2TP_UDP_PORT, TG_GW_MAC_DEFAULT,
	       TG_TTL_DEFAULT, TG_LIVENESS_TIMEOUT_MIN, TG_LIVENESS_TIMEOUT_MAX,
	       TG_LIVENESS_TIMEOUT_S, TG_EOIP_KEEPALIVE_DEFAULT, TG_ANYCAST_MAX,
	       TG_POP_BEAT_MIN, TG_POP_BEAT_MAX, TG_POP_BEAT_S,
	       TG_POP_DOWN_MIN_BEATS, TG_POP_DOWN_AFTER_MAX, TG_POP_DOWN_BEATS,
	       TG_LNS_NAME_DEFAULT, TG_LNS_ADDRESS_DEFAULT,
	       TG_LNS_ECHO_S,
	       TG_LNS_ECHO_FAILS, TG_RADIUS_AUTH_PORT, TG_RADIUS_TIMEOUT_MAX,
	       TG_RADIUS_TIMEOUT_S, TG_RADIUS_RETRIES_MAX, TG_RADIUS_RETRIES,
	       TG_RADIUS_INTERIM_MIN, TG_RADIUS_INTERIM_MAX, TG_RADIUS_INTERIM_S,
	       TG_RADIUS_DAE_PORT, TG_WG_MTU_MIN, TG_WG_MTU_MAX,
	       TG_WG_MTU_DEFAULT, TG_WG_ALLOWED_MAX, TG_WG_ALLOWED_DEFAULT,
	       TG_WG_POOL4_SHARE, TG_WG_POOL6_SHARE);
	return 0;
}

/* CLI key -> database key; '_' accepted for '-'. NULL when unknown. */
static const char *config_db_key(const char *key)
{
	static const char *const keys[][2] = {
		{ "unknown-tunnel", "unknown_tunnel" },
		{ "l2tpv3-udp-port", "l2tpv3_udp_port" },
		{ "l2tpv2-udp-port", "l2tpv2_udp_port" },
		{ "gateway-mac", "gateway_mac" },
		{ "ttl", "ttl" },
		{ "scope-action", "scope_action" },
		{ "liveness-timeout", "liveness_timeout" },
		{ "eoip-keepalive", "eoip_keepalive" },
		{ "anycast", TG_ANYCAST_KEY },
		{ "pop-heartbeat", TG_POP_BEAT_KEY },
		{ "pop-down-after", TG_POP_DOWN_AFTER_KEY },
		{ "lns", "lns" },
		{ "lns-secret", "lns_secret" },
		{ "lns-auth", "lns_auth" },
		{ "lns-name", "lns_name" },
		{ "lns-dns", "lns_dns" },
		{ "lns-address", "lns_address" },
		{ "lns-echo-interval", "lns_echo_interval" },
		{ "lns-echo-failures", "lns_echo_failures" },
		{ "wg-endpoint", "wg_endpoint" },
		{ "wg-mtu", "wg_mtu" },
		{ "wg-allowed-ips", "wg_allowed_ips" },
		{ "wg-pool4", "wg_pool4" },
		{ "wg-pool6", "wg_pool6" },
		{ "wg-broker", "wg_broker" },
		{ "wg-broker-cert", "wg_broker_cert" },
		{ "wg-broker-key", "wg_broker_key" },
	};

	static char radius[32];
	const char *const *k;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(key, keys[i][0]) || !strcmp(key, keys[i][1]))
			return keys[i][1];
	snprintf(radius, sizeof(radius), "%s", key);
	for (i = 0; radius[i]; i++)
		if (radius[i] == '-')
			radius[i] = '_';
	for (k = tg_radius_setting_keys; *k; k++)
		if (!strcmp(*k, radius))
			return *k;
	return NULL;
}

static int config_print(sqlite3 *db)
{
	char mac[18], err[192], v[TG_RADIUS_VALUE_MAX + 1], key[32];
	char any[TG_ANYCAST_STRLEN + 1];
	struct tg_anycast ac;
	struct tg_pop_timing pt;
	const char *const *k;
	struct tg_radius_settings rad;
	struct tg_lns_settings lns;
	struct tg_wg_settings wg;
	struct json_writer *w;
	struct tg_settings st;
	size_t i;
	int ret;

	ret = tg_db_settings_load(db, &st);
	if (!ret)
		ret = tg_lns_settings_load(db, &lns, err, sizeof(err));
	if (!ret)
		ret = tg_radius_settings_load(db, &lns, &rad, err, sizeof(err));
	if (!ret)
		ret = tg_anycast_load(db, &ac, err, sizeof(err));
	if (!ret)
		ret = tg_pop_timing_load(db, &pt, err, sizeof(err));
	if (!ret)
		ret = tg_wg_settings_load(db, &wg, err, sizeof(err));
	if (ret) {
		tg_err("config: database %s holds an invalid setting",
		       tg_db_path());
		return ret;
	}
	if (!tg_opts.json) {
		printf("unknown-tunnel %s\n", st.drop_unknown ? "drop" : "pass");
		printf("l2tpv3-udp-port %u\n", st.l2tpv3_udp_port);
		printf("l2tpv2-udp-port %u\n", st.l2tpv2_udp_port);
		tg_mac_format(st.gw_mac, mac, sizeof(mac));
		printf("gateway-mac %s\n", mac);
		printf("ttl %u\n", st.ttl);
		printf("scope-action %s\n", st.scope_icmp ? "icmp" : "drop");
		printf("liveness-timeout %u\n", st.liveness_timeout);
		printf("eoip-keepalive %u\n", st.eoip_keepalive);
		tg_anycast_format(&ac, any, sizeof(any));
		printf("anycast %s\n", any);
		printf("pop-heartbeat %u\n", pt.beat);
		printf("pop-down-after %u\n", pt.down_after);
		for (k = tg_lns_setting_keys; *k; k++) {
			tg_lns_setting_show(&lns, *k, v, sizeof(v));
			snprintf(key, sizeof(key), "%s", *k);
			for (i = 0; key[i]; i++)
				if (key[i] == '_')
					key[i] = '-';
			printf("%s %s\n", key, v);
		}
		for (k = tg_radius_setting_keys; *k; k++) {
			tg_radius_setting_show(&rad, *k, v, sizeof(v));
			snprintf(key, sizeof(key), "%s", *k);
			for (i = 0; key[i]; i++)
				if (key[i] == '_')
					key[i] = '-';
			printf("%s %s\n", key, v);
		}
		for (k = tg_wg_setting_keys; *k; k++) {
			tg_wg_setting_show(&wg, *k, v, sizeof(v));
			snprintf(key, sizeof(key), "%s", *k);
			for (i = 0; key[i]; i++)
				if (key[i] == '_')
					key[i] = '-';
			printf("%s %s\n", key, v);
		}
		return 0;
	}
	w = jsonw_new(stdout);
	if (!w)
		return -ENOMEM;
	jsonw_start_object(w);
	jsonw_string_field(w, "unknown_tunnel",
			   st.drop_unknown ? "drop" : "pass");
	jsonw_uint_field(w, "l2tpv3_udp_port", st.l2tpv3_udp_port);
	jsonw_uint_field(w, "l2tpv2_udp_port", st.l2tpv2_udp_port);
	tg_mac_format(st.gw_mac, mac, sizeof(mac));
	jsonw_string_field(w, "gateway_mac", mac);
	jsonw_uint_field(w, "ttl", st.ttl);
	jsonw_string_field(w, "scope_action", st.scope_icmp ? "icmp" : "drop");
	jsonw_uint_field(w, "liveness_timeout", st.liveness_timeout);
	jsonw_uint_field(w, "eoip_keepalive", st.eoip_keepalive);
	jsonw_name(w, "anycast");
	jsonw_start_array(w);
	for (i = 0; i < ac.n; i++) {
		tg_prefix_format(&ac.p[i], any, sizeof(any));
		jsonw_string(w, any);
	}
	jsonw_end_array(w);
	jsonw_uint_field(w, TG_POP_BEAT_KEY, pt.beat);
	jsonw_uint_field(w, TG_POP_DOWN_AFTER_KEY, pt.down_after);
	for (k = tg_lns_setting_keys; *k; k++) {
		tg_lns_setting_show(&lns, *k, v, sizeof(v));
		jsonw_string_field(w, *k, v);
	}
	for (k = tg_radius_setting_keys; *k; k++) {
		tg_radius_setting_show(&rad, *k, v, sizeof(v));
		jsonw_string_field(w, *k, v);
	}
	for (k = tg_wg_setting_keys; *k; k++) {
		tg_wg_setting_show(&wg, *k, v, sizeof(v));
		jsonw_string_field(w, *k, v);
	}
	jsonw_end_object(w);
	jsonw_destroy(&w);
	return 0;
}

/* The LNS and RADIUS settings together: 0, or -EINVAL/-EIO with err. */
static int config_lns_valid(sqlite3 *db, char *err, size_t errlen)
{
	struct tg_radius_settings r;
	struct tg_lns_settings s;
	int ret;

	ret = tg_lns_settings_load(db, &s, err, errlen);
	if (!ret)
		ret = tg_radius_settings_load(db, &s, &r, err, errlen);
	return ret;
}

/* The anycast setting against every subscriber's prefixes. */
static int config_anycast_valid(sqlite3 *db, char *err, size_t errlen)
{
	struct tg_anycast ac;
	int ret;

	ret = tg_anycast_load(db, &ac, err, errlen);
	if (!ret)
		ret = tg_anycast_clash(db, &ac, false, err, errlen);
	return ret > 0 ? -EINVAL : ret;
}

static int config_pop_timing_valid(sqlite3 *db, char *err, size_t errlen)
{
	struct tg_pop_timing t;

	return tg_pop_timing_load(db, &t, err, errlen);
}

/*
 * A setting kept only when valid(db) says the settings still make sense
 * together with it (one transaction).
 */
static int config_set_checked(sqlite3 *db, const char *key, const char *dbkey,
			      const char *value,
			      int (*valid)(sqlite3 *db, char *err, size_t len))
{
	char err[256];
	int ret;

	if (tg_db_exec(db, "BEGIN IMMEDIATE")) {
		tg_err("config set: %s: %s", key, sqlite3_errmsg(db));
		return -EIO;
	}
	ret = tg_db_setting_set(db, dbkey, value);
	if (ret) {
		tg_err("config set: %s: cannot write the database: %s", key,
		       sqlite3_errmsg(db));
	} else {
		ret = valid(db, err, sizeof(err));
		if (ret)
			tg_err("config set: %s: %s", key, ret == -EINVAL ? err :
			       "cannot read the settings");
	}
	if (ret || tg_db_exec(db, "COMMIT")) {
		tg_db_exec(db, "ROLLBACK");
		return ret ? ret : -EIO;
	}
	if (tg_opts.json)
		return config_print(db);
	return 0;
}

/*
 * The broker's certificate or key about to be set to path: the file
 * checked, and with the other one set, the pair. 0 or -EINVAL (reported).
 */
static int config_broker_tls(sqlite3 *db, const char *key, const char *dbkey,
			     const char *path)
{
	bool is_key = !strcmp(dbkey, "wg_broker_key");
	struct tg_wg_settings ws;
	struct tg_tls_files f;
	char err[TG_WG_PATH_MAX * 2 + 128];
	const char *other;
	int ret;

	if (!tg_tls_supported()) {
		tg_err("config set: %s: this libmicrohttpd is built without TLS (MHD_FEATURE_TLS): the broker cannot serve HTTPS",
		       key);
		return -EINVAL;
	}
	ret = tg_wg_settings_load(db, &ws, err, sizeof(err));
	if (ret) {
		tg_err("config set: %s: %s", key, err);
		return ret;
	}
	other = is_key ? ws.broker_cert : ws.broker_key;
	if (!*other) {
		ret = is_key ? tg_tls_key_check(path, err, sizeof(err)) :
			       tg_tls_cert_check(path, err, sizeof(err));
	} else {
		ret = tg_tls_load(is_key ? other : path, is_key ? path : other,
				  &f, err, sizeof(err));
		tg_tls_files_free(&f);
	}
	if (ret) {
		tg_err("config set: %s: %s%s", key, err,
		       !is_key && *other && strstr(err, "is not the key") ?
		       " (to change both: 'config set wg-broker-key none' first)" :
		       "");
		return -EINVAL;
	}
	if (!*other && !tg_opts.json)
		fprintf(stderr, "tungate: config set: %s: note: the broker serves HTTPS once wg-broker-%s is set too; until then 'tungate run' leaves it as it is\n",
			key, is_key ? "cert" : "key");
	return 0;
}

/* A number min..max as stored; 0 or -EINVAL (reported). */
static int config_number(const char *key, const char *value, __u64 min,
			 __u64 max, char *buf, size_t len)
{
	__u64 v;
	int ret;

	ret = tg_parse_u64(value, min, max, &v);
	if (ret) {
		if (ret == -ERANGE)
			tg_err("config set: %s '%s': out of range %llu..%llu",
			       key, value, (unsigned long long)min,
			       (unsigned long long)max);
		else
			tg_err("config set: %s '%s': not a number", key,
			       value);
		return -EINVAL;
	}
	snprintf(buf, len, "%llu", (unsigned long long)v);
	return 0;
}

static int config_set(int argc, char **argv)
{
	const char *key = NULL, *value = NULL, *dbkey;
	char buf[TG_RADIUS_VALUE_MAX + 1], err[192];
	sqlite3 *db = NULL;
	__u64 port;
	int i, ret;

	for (i = 1; i < argc; i++) {
		if (tg_take_json(argv[i]))
			continue;
		if (!key) {
			key = argv[i];
		} else if (!value) {
			value = argv[i];
		} else {
			tg_err("config set: unexpected argument '%s'", argv[i]);
			return -EINVAL;
		}
	}
	if (!key || !value) {
		tg_err("config set: needs KEY VALUE; try 'tungate config help'");
		return -EINVAL;
	}
	dbkey = config_db_key(key);
	if (!dbkey) {
		tg_err("config set: unknown key '%s'; one of unknown-tunnel l2tpv3-udp-port l2tpv2-udp-port gateway-mac ttl scope-action liveness-timeout eoip-keepalive anycast pop-heartbeat pop-down-after lns lns-secret lns-auth lns-name lns-dns lns-address lns-echo-interval lns-echo-failures aaa radius-... wg-endpoint wg-mtu wg-allowed-ips wg-pool4 wg-pool6 wg-broker wg-broker-cert wg-broker-key",
		       key);
		return -EINVAL;
	}
	if (tg_wg_setting_key(dbkey)) {
		if (tg_wg_setting_parse(dbkey, value, buf, sizeof(buf), err,
					sizeof(err))) {
			tg_err("config set: %s: %s", key, err);
			return -EINVAL;
		}
	} else if (tg_lns_setting_key(dbkey) || tg_radius_setting_key(dbkey)) {
		if (tg_lns_setting_key(dbkey) ?
		    tg_lns_setting_parse(dbkey, value, buf, sizeof(buf), err,
					 sizeof(err)) :
		    tg_radius_setting_parse(dbkey, value, buf, sizeof(buf), err,
					    sizeof(err))) {
			tg_err("config set: %s: %s", key, err);
			return -EINVAL;
		}
	} else if (!strcmp(dbkey, "unknown_tunnel")) {
		if (strcmp(value, "pass") && strcmp(value, "drop")) {
			tg_err("config set: unknown-tunnel '%s': must be 'pass' or 'drop'",
			       value);
			return -EINVAL;
		}
		snprintf(buf, sizeof(buf), "%s", value);
	} else if (!strcmp(dbkey, "scope_action")) {
		if (strcmp(value, "drop") && strcmp(value, "icmp")) {
			tg_err("config set: scope-action '%s': must be 'drop' or 'icmp'",
			       value);
			return -EINVAL;
		}
		snprintf(buf, sizeof(buf), "%s", value);
	} else if (!strcmp(dbkey, "gateway_mac")) {
		__u8 mac[6];

		if (tg_mac_parse(value, mac) || !tg_mac_unicast(mac)) {
			tg_err("config set: gateway-mac '%s': not a unicast MAC address like 02:00:5e:00:53:01",
			       value);
			return -EINVAL;
		}
		tg_mac_format(mac, buf, sizeof(buf));
	} else if (!strcmp(dbkey, "ttl")) {
		if (config_number(key, value, 1, 255, buf, sizeof(buf)))
			return -EINVAL;
	} else if (!strcmp(dbkey, "liveness_timeout")) {
		if (config_number(key, value, TG_LIVENESS_TIMEOUT_MIN,
				  TG_LIVENESS_TIMEOUT_MAX, buf, sizeof(buf)))
			return -EINVAL;
	} else if (!strcmp(dbkey, TG_ANYCAST_KEY)) {
		struct tg_anycast ac;

		if (tg_anycast_parse(value, &ac, err, sizeof(err))) {
			tg_err("config set: anycast: %s", err);
			return -EINVAL;
		}
		tg_anycast_format(&ac, buf, sizeof(buf));
	} else if (!strcmp(dbkey, TG_POP_BEAT_KEY)) {
		if (config_number(key, value, TG_POP_BEAT_MIN, TG_POP_BEAT_MAX,
				  buf, sizeof(buf)))
			return -EINVAL;
	} else if (!strcmp(dbkey, TG_POP_DOWN_AFTER_KEY)) {
		if (config_number(key, value, TG_POP_BEAT_MIN * TG_POP_DOWN_MIN_BEATS,
				  TG_POP_DOWN_AFTER_MAX, buf, sizeof(buf)))
			return -EINVAL;
	} else if (!strcmp(dbkey, "eoip_keepalive")) {
		if (config_number(key, value, 0, TG_KEEPALIVE_MAX, buf,
				  sizeof(buf)))
			return -EINVAL;
	} else {
		ret = tg_parse_u64(value, 0, 65535, &port);
		if (ret) {
			tg_err("config set: %s '%s': not a port 0..65535", key,
			       value);
			return -EINVAL;
		}
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)port);
	}

	ret = tg_db_open(tg_db_path(), false, &db);
	if (ret)
		goto out;
	if ((!strcmp(dbkey, "wg_broker_cert") || !strcmp(dbkey, "wg_broker_key")) &&
	    strcmp(buf, "none")) {
		ret = config_broker_tls(db, key, dbkey, buf);
		if (ret)
			goto out;
	}
	if (tg_lns_setting_key(dbkey) || tg_radius_setting_key(dbkey)) {
		ret = config_set_checked(db, key, dbkey, buf, config_lns_valid);
		goto out;
	}
	if (!strcmp(dbkey, TG_ANYCAST_KEY)) {
		ret = config_set_checked(db, key, dbkey, buf,
					 config_anycast_valid);
		goto out;
	}
	if (!strcmp(dbkey, TG_POP_BEAT_KEY) ||
	    !strcmp(dbkey, TG_POP_DOWN_AFTER_KEY)) {
		ret = config_set_checked(db, key, dbkey, buf,
					 config_pop_timing_valid);
		goto out;
	}
	ret = tg_db_setting_set(db, dbkey, buf);
	if (ret) {
		tg_err("config set: %s: cannot write the database: %s", key,
		       sqlite3_errmsg(db));
		goto out;
	}
	if (tg_opts.json)
		ret = config_print(db);
out:
	tg_db_close(db);
	return ret;
}

static int config_show(int argc, char **argv)
{
	sqlite3 *db = NULL;
	int i, ret;

	for (i = 1; i < argc; i++) {
		if (!tg_take_json(argv[i])) {
			tg_err("config show: unexpected argument '%s'", argv[i]);
			return -EINVAL;
		}
	}
	ret = tg_db_open(tg_db_path(), false, &db);
	if (ret)
		goto out;
	ret = config_print(db);
out:
	tg_db_close(db);
	return ret;
}

static const struct tg_cmd config_cmds[] = {
	{ "set", config_set },
	{ "show", config_show },
	{ "help", config_help },
	{ NULL, NULL },
};

int do_config(int argc, char **argv)
{
	return tg_cmd_select(config_cmds, "config", argc - 1, argv + 1,
			     config_help);
}
