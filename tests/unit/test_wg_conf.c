// SPDX-License-Identifier: GPL-2.0-only
/*
 * A WireGuard member's wg-quick file: every line from the member's row,
 * the settings and the concentrator's key file; the settings' checks;
 * refusals that write nothing.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "db/db.h"
#include "db/settings.h"
#include "db/sub.h"
#include "db/wg_settings.h"
#include "wg/privkey.h"
#include "wg/wg_conf.h"

#define MEMBER_KEY "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="
#define ROUTER_PRIV "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk="

static char tmpdir[64], dbpath[128];
static sqlite3 *db;

static void setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/tg-test-wgconf.XXXXXX");
	ck_assert(mkdtemp(tmpdir));
	snprintf(dbpath, sizeof(dbpath), "%s/tungate.db", tmpdir);
	setenv(TG_DB_ENV, dbpath, 1);
	ck_assert_int_eq(tg_db_open(dbpath, true, &db), 0);
}

static void teardown(void)
{
	char cmd[128];

	tg_db_close(db);
	unsetenv(TG_DB_ENV);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

static void member_add(const char *name, const char *type, const char *key,
		       const char *prefixes, const char *port)
{
	struct tg_sub s;
	char err[256];

	tg_sub_init(&s);
	ck_assert_int_eq(tg_sub_set_field(&s, "name", name, err, sizeof(err)), 0);
	ck_assert_int_eq(tg_sub_set_field(&s, "type", type, err, sizeof(err)), 0);
	if (!strcmp(type, "wireguard")) {
		ck_assert_int_eq(tg_sub_set_field(&s, "public_key", key, err,
						  sizeof(err)), 0);
	} else {
		ck_assert_int_eq(tg_sub_set_field(&s, "remote", "192.0.2.9", err,
						  sizeof(err)), 0);
		ck_assert_int_eq(tg_sub_set_field(&s, "local", "192.0.2.1", err,
						  sizeof(err)), 0);
	}
	if (port)
		ck_assert_int_eq(tg_sub_set_field(&s, "listen_port", port, err,
						  sizeof(err)), 0);
	ck_assert_int_eq(tg_sub_set_field(&s, "prefixes", prefixes, err,
					  sizeof(err)), 0);
	ck_assert_msg(!tg_db_sub_add(db, &s, err, sizeof(err)), "%s", err);
	tg_sub_free(&s);
}

/* The file of name as text (free it), ret its return. */
static char *conf(const char *name, const char *priv, int *ret, char *err,
		  size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	*ret = tg_wg_conf_write(db, name, priv, f, err, errlen);
	fclose(f);
	return buf;
}

/* The concentrator's public key, as its key file gives it. */
static void conc_pub(char b64[TG_WG_KEY_B64 + 1])
{
	__u8 priv[32], pub[32];
	char path[256], err[256];

	ck_assert_int_eq(tg_wg_privkey_path(path, sizeof(path)), 0);
	ck_assert_msg(!tg_wg_privkey_load(path, false, priv, pub, err,
					  sizeof(err)), "%s", err);
	tg_wg_key_format(pub, b64);
}

START_TEST(test_conf_full)
{
	char err[256], want[1024], pub[TG_WG_KEY_B64 + 1];
	char *got;
	int ret;

	member_add("carol", "wireguard", MEMBER_KEY,
		   "100.64.3.0/24 2001:db8:3::/48 198.51.100.7/32", NULL);
	ck_assert_int_eq(tg_db_setting_set(db, "wg_endpoint", "vpn.example.net"), 0);
	got = conf("carol", NULL, &ret, err, sizeof(err));
	ck_assert_msg(ret == 0, "%s", err);
	/* Rendering made the key sync would make, and uses it. */
	conc_pub(pub);
	snprintf(want, sizeof(want),
		 "# tungate WireGuard member carol\n"
		 "[Interface]\n"
		 "# PrivateKey = this router's own key ('wg genkey'), which never leaves it\n"
		 "Address = 100.64.3.1/24, 2001:db8:3::1/48, 198.51.100.7/32\n"
		 "MTU = 1420\n"
		 "\n"
		 "[Peer]\n"
		 "PublicKey = %s\n"
		 "Endpoint = vpn.example.net:51820\n"
		 "AllowedIPs = 0.0.0.0/0, ::/0\n"
		 "PersistentKeepalive = 25\n", pub);
	ck_assert_str_eq(got, want);
	free(got);
}
END_TEST

START_TEST(test_conf_settings)
{
	char err[256], want[1024], pub[TG_WG_KEY_B64 + 1];
	char *got;
	int ret;

	member_add("dave", "wireguard", MEMBER_KEY, "2001:db8:4::/127", "51999");
	ck_assert_int_eq(tg_db_setting_set(db, "wg_endpoint", "2001:db8::1"), 0);
	ck_assert_int_eq(tg_db_setting_set(db, "wg_mtu", "1380"), 0);
	ck_assert_int_eq(tg_db_setting_set(db, "wg_allowed_ips",
					   "100.64.0.0/10,2001:db8::/32"), 0);
	got = conf("dave", ROUTER_PRIV, &ret, err, sizeof(err));
	ck_assert_msg(ret == 0, "%s", err);
	conc_pub(pub);
	snprintf(want, sizeof(want),
		 "# tungate WireGuard member dave\n"
		 "[Interface]\n"
		 "PrivateKey = " ROUTER_PRIV "\n"
		 "Address = 2001:db8:4::/127\n"
		 "MTU = 1380\n"
		 "\n"
		 "[Peer]\n"
		 "PublicKey = %s\n"
		 "Endpoint = [2001:db8::1]:51999\n"
		 "AllowedIPs = 100.64.0.0/10, 2001:db8::/32\n"
		 "PersistentKeepalive = 25\n", pub);
	ck_assert_str_eq(got, want);
	free(got);
	/* A port given wins over the member's listen port. */
	ck_assert_int_eq(tg_db_setting_set(db, "wg_endpoint", "[2001:db8::1]:443"), 0);
	got = conf("dave", NULL, &ret, err, sizeof(err));
	ck_assert_int_eq(ret, 0);
	ck_assert_ptr_nonnull(strstr(got, "\nEndpoint = [2001:db8::1]:443\n"));
	free(got);
}
END_TEST

START_TEST(test_conf_refused)
{
	char err[256], *got, path[256];
	int ret;

	member_add("carol", "wireguard", MEMBER_KEY, "100.64.3.0/24", NULL);
	member_add("erin", "gre", NULL, "100.64.5.0/24", NULL);
	/* No endpoint: nothing, and no key made either. */
	got = conf("carol", NULL, &ret, err, sizeof(err));
	ck_assert_int_eq(ret, -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "wg-endpoint"));
	ck_assert_str_eq(got, "");
	free(got);
	ck_assert_int_eq(tg_wg_privkey_path(path, sizeof(path)), 0);
	ck_assert_int_ne(access(path, F_OK), 0);

	ck_assert_int_eq(tg_db_setting_set(db, "wg_endpoint", "192.0.2.1:51820"), 0);
	got = conf("nobody", NULL, &ret, err, sizeof(err));
	ck_assert_int_eq(ret, -ENOENT);
	ck_assert_str_eq(err, "no subscriber 'nobody'");
	ck_assert_str_eq(got, "");
	free(got);
	got = conf("erin", NULL, &ret, err, sizeof(err));
	ck_assert_int_eq(ret, -EINVAL);
	ck_assert_str_eq(err, "subscriber 'erin' is of type gre, not wireguard");
	ck_assert_str_eq(got, "");
	free(got);
	got = conf("carol", "not-a-key", &ret, err, sizeof(err));
	ck_assert_int_eq(ret, -EINVAL);
	ck_assert_str_eq(got, "");
	free(got);
	/* A bad row written behind config set's back. */
	ck_assert_int_eq(tg_db_setting_set(db, "wg_mtu", "70000"), 0);
	got = conf("carol", NULL, &ret, err, sizeof(err));
	ck_assert_int_eq(ret, -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "setting wg_mtu"));
	ck_assert_str_eq(got, "");
	free(got);
}
END_TEST

START_TEST(test_settings_parse)
{
	static const struct {
		const char *key, *in, *out;	/* out NULL: refused */
	} t[] = {
		{ "wg_endpoint", "vpn.example.net", "vpn.example.net" },
		{ "wg_endpoint", "192.0.2.1:51820", "192.0.2.1:51820" },
		{ "wg_endpoint", "[2001:db8::1]", "[2001:db8::1]" },
		{ "wg_endpoint", "[2001:db8::1]:1", "[2001:db8::1]:1" },
		{ "wg_endpoint", "none", "none" },
		{ "wg_endpoint", "2001:db8::1", "[2001:db8::1]" },
		{ "wg_endpoint", "2001:db8::1:51820:1:2:3", NULL },
		{ "wg_endpoint", "[2001:db8::1", NULL },
		{ "wg_endpoint", "host:0", NULL },
		{ "wg_endpoint", "host:65536", NULL },
		{ "wg_endpoint", "bad host", NULL },
		{ "wg_endpoint", "", NULL },
		{ "wg_mtu", "1280", "1280" },
		{ "wg_mtu", "1279", NULL },
		{ "wg_mtu", "9001", NULL },
		{ "wg_allowed_ips", "0.0.0.0/0, ::/0", "0.0.0.0/0,::/0" },
		{ "wg_allowed_ips", "100.64.0.0/10", "100.64.0.0/10" },
		{ "wg_allowed_ips", "100.64.0.1/10", NULL },
		{ "wg_allowed_ips", "100.64.0.0/10,", NULL },
		{ "wg_allowed_ips", "", NULL },
		{ "wg_pool4", "100.64.8.0/24", "100.64.8.0/24" },
		{ "wg_pool4", "100.64.8.7/32", "100.64.8.7/32" },
		{ "wg_pool4", "2001:db8::/48", NULL },
		{ "wg_pool4", "127.0.0.0/24", NULL },
		{ "wg_pool4", "none", "none" },
		{ "wg_pool6", "2001:db8:ff::/48", "2001:db8:ff::/48" },
		{ "wg_pool6", "2001:db8:ff::/65", NULL },
		{ "wg_pool6", "100.64.8.0/24", NULL },
		{ "wg_broker", "0.0.0.0:8080", "0.0.0.0:8080" },
		{ "wg_broker", "[::]:8080", "[::]:8080" },
		{ "wg_broker", "off", "off" },
		{ "wg_broker", "8080", NULL },
		{ "wg_broker", "host:8080", NULL },
		{ "wg_broker", "[::]", NULL },
		{ "wg_broker", "192.0.2.1:0", NULL },
		{ "wg_broker_cert", "/etc/letsencrypt/live/a/fullchain.pem",
		  "/etc/letsencrypt/live/a/fullchain.pem" },
		{ "wg_broker_key", "/etc/ssl/private/broker.key",
		  "/etc/ssl/private/broker.key" },
		{ "wg_broker_cert", "none", "none" },
		{ "wg_broker_key", "broker.key", NULL },
		{ "wg_broker_cert", "/etc/a\nb.pem", NULL },
		{ "wg_broker_cert", "", NULL },
	};
	char buf[TG_WG_VALUE_MAX + 1], err[256];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int ret = tg_wg_setting_parse(t[i].key, t[i].in, buf,
					      sizeof(buf), err, sizeof(err));

		if (!t[i].out) {
			ck_assert_msg(ret == -EINVAL, "%s '%s' taken", t[i].key,
				      t[i].in);
			continue;
		}
		ck_assert_msg(ret == 0, "%s '%s': %s", t[i].key, t[i].in, err);
		ck_assert_str_eq(buf, t[i].out);
	}
}
END_TEST

START_TEST(test_conf_address)
{
	static const struct {
		const char *in, *out;
	} t[] = {
		{ "100.64.3.0/24", "100.64.3.1/24" },
		{ "100.64.3.255/32", "100.64.3.255/32" },
		{ "100.64.3.254/31", "100.64.3.254/31" },
		{ "100.64.3.252/30", "100.64.3.253/30" },
		{ "100.64.0.0/10", "100.64.0.1/10" },
		{ "2001:db8:3::/48", "2001:db8:3::1/48" },
		{ "2001:db8:3::/128", "2001:db8:3::/128" },
		{ "2001:db8:3::2/127", "2001:db8:3::2/127" },
	};
	char err[64], out[TG_PREFIX_STRLEN];
	struct tg_prefix p, a;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ck_assert_int_eq(tg_prefix_parse(t[i].in, &p, err, sizeof(err)), 0);
		tg_wg_conf_address(&p, &a);
		tg_prefix_format(&a, out, sizeof(out));
		ck_assert_str_eq(out, t[i].out);
	}
}
END_TEST

Suite *wg_conf_suite(void)
{
	Suite *s = suite_create("wg_conf");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_conf_full);
	tcase_add_test(tc, test_conf_settings);
	tcase_add_test(tc, test_conf_refused);
	tcase_add_test(tc, test_settings_parse);
	tcase_add_test(tc, test_conf_address);
	suite_add_tcase(s, tc);
	return s;
}
