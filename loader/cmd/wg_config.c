// SPDX-License-Identifier: GPL-2.0-only
/*
 * tungate wg config: a WireGuard member's wg-quick file (tg_wg_conf_write),
 * as text, JSON or a QR code, with a new key pair on demand.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/cli.h"
#include "cmd/commands.h"
#include "cmd/wg.h"
#include "db/db.h"
#include "util/json.h"
#include "util/qr.h"
#include "wg/privkey.h"
#include "wg/wg_conf.h"
#include "wg/wg_nl.h"

struct wg_config_args {
	const char *name;
	const char *png;	/* --qr-png FILE */
	bool qr, new_key;
};

static int wg_config_args(int argc, char **argv, struct wg_config_args *a)
{
	int i;

	memset(a, 0, sizeof(*a));
	for (i = 1; i < argc; i++) {
		if (tg_take_json(argv[i]))
			continue;
		if (!strcmp(argv[i], "--new-key")) {
			a->new_key = true;
		} else if (!strcmp(argv[i], "--qr")) {
			a->qr = true;
		} else if (!strcmp(argv[i], "--qr-png")) {
			if (tg_opt_value("wg config", argc, argv, &i, &a->png))
				return -EINVAL;
		} else if (a->name || argv[i][0] == '-') {
			tg_err("wg config: unexpected argument '%s'; try 'tungate wg help'",
			       argv[i]);
			return -EINVAL;
		} else {
			a->name = argv[i];
		}
	}
	if (!a->name) {
		tg_err("wg config: missing NAME; try 'tungate wg help'");
		return -EINVAL;
	}
	if ((a->qr || a->png) && !a->new_key) {
		tg_err("wg config: %s: a QR code without the private key does not import into the WireGuard app; add --new-key (a new key pair for '%s', its old key stops working)",
		       a->qr ? "--qr" : "--qr-png", a->name);
		return -EINVAL;
	}
	if (a->qr && tg_opts.json) {
		tg_err("wg config: --qr draws the code, -j prints JSON: one of them");
		return -EINVAL;
	}
	return 0;
}

/* The file of name (private_key NULL: without) into *text (malloc'd). */
static int wg_config_text(sqlite3 *db, const char *name,
			  const char *private_key, char **text, char *err,
			  size_t errlen)
{
	size_t len;
	FILE *f;
	int ret;

	*text = NULL;
	f = open_memstream(text, &len);
	if (!f) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ret = tg_wg_conf_write(db, name, private_key, f, err, errlen);
	fclose(f);
	if (ret) {
		free(*text);
		*text = NULL;
	}
	return ret;
}

/* A new key pair; the public key stored for name: 0 or reported. */
static int wg_config_new_key(sqlite3 *db, const char *name,
			     char priv_b64[TG_WG_KEY_B64 + 1],
			     char pub_b64[TG_WG_KEY_B64 + 1])
{
	__u8 priv[TG_WG_KEY_LEN], pub[TG_WG_KEY_LEN];
	struct tg_sub s;
	char err[256];
	int ret;

	tg_sub_init(&s);
	ret = tg_wg_keypair_new(priv, pub, err, sizeof(err));
	if (ret) {
		tg_err("wg config: %s", err);
		return ret;
	}
	tg_wg_key_format(priv, priv_b64);
	tg_wg_key_format(pub, pub_b64);
	memset(priv, 0, sizeof(priv));
	ret = tg_db_sub_get(db, name, &s);
	if (!ret) {
		snprintf(s.wg_key, sizeof(s.wg_key), "%s", pub_b64);
		ret = tg_db_sub_update(db, name, &s, err, sizeof(err));
	} else {
		snprintf(err, sizeof(err), "cannot read subscriber '%s'", name);
	}
	tg_sub_free(&s);
	if (ret)
		tg_err("wg config: --new-key: %s", err);
	return ret;
}

static int wg_config_png(const char *path, int fd, const char *text)
{
	char err[256];
	FILE *f = fdopen(fd, "w");
	int ret;

	if (!f) {
		ret = -errno;
		close(fd);
		tg_err("wg config: --qr-png '%s': %s", path, strerror(-ret));
		return ret;
	}
	ret = tg_qr_png(text, f, err, sizeof(err));
	if (fclose(f) && !ret)
		ret = -errno;
	if (ret)
		tg_err("wg config: --qr-png '%s': %s", path,
		       *err ? err : strerror(-ret));
	return ret;
}

static void wg_config_json(const char *name, const char *pub,
			   const char *text)
{
	struct json_writer *w = jsonw_new(stdout);

	if (!w)
		return;
	jsonw_start_object(w);
	jsonw_string_field(w, "name", name);
	if (pub)
		jsonw_string_field(w, "public_key", pub);
	else
		jsonw_null_field(w, "public_key");
	jsonw_string_field(w, "config", text);
	jsonw_end_object(w);
	jsonw_destroy(&w);
}

int tg_wg_config_cmd(int argc, char **argv)
{
	char priv[TG_WG_KEY_B64 + 1] = "", pub[TG_WG_KEY_B64 + 1] = "";
	struct wg_config_args a;
	char err[512], *text = NULL;
	sqlite3 *db = NULL;
	int fd = -1, ret;

	ret = wg_config_args(argc, argv, &a);
	if (ret)
		return ret;
	ret = tg_db_open(tg_db_path(), false, &db);
	if (ret)
		return ret;
	/* Everything the file needs is there before anything changes. */
	ret = wg_config_text(db, a.name, NULL, &text, err, sizeof(err));
	if (ret) {
		tg_err("wg config: %s", err);
		goto out;
	}
	if (a.png) {
		fd = open(a.png, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0) {
			ret = -errno;
			tg_err("wg config: --qr-png '%s': %s%s", a.png,
			       strerror(-ret), ret == -EEXIST ?
			       " (not written over: it may hold an older key)" : "");
			goto out;
		}
	}
	if (a.new_key) {
		ret = wg_config_new_key(db, a.name, priv, pub);
		if (ret)
			goto out;
		free(text);
		ret = wg_config_text(db, a.name, priv, &text, err, sizeof(err));
		if (ret) {
			tg_err("wg config: subscriber '%s' has the new public key %s, but its file: %s",
			       a.name, pub, err);
			goto out;
		}
	}
	if (a.png) {
		ret = wg_config_png(a.png, fd, text);
		fd = -1;
		if (ret) {
			unlink(a.png);
			goto out;
		}
	}
	if (tg_opts.json) {
		wg_config_json(a.name, a.new_key ? pub : NULL, text);
	} else if (a.qr) {
		ret = tg_qr_text(text, stdout, err, sizeof(err));
		if (ret) {
			tg_err("wg config: --qr: %s", err);
			goto out;
		}
	} else {
		fputs(text, stdout);
	}
	if (a.new_key && !tg_opts.json)
		fprintf(stderr,
			"tungate: subscriber '%s' has the new public key %s; its old key stops working when its peer changes (%s)\n",
			a.name, pub, tg_apply_hint());
out:
	if (fd >= 0) {
		close(fd);
		unlink(a.png);
	}
	if (text)
		memset(text, 0, strlen(text));
	free(text);
	memset(priv, 0, sizeof(priv));
	tg_db_close(db);
	return ret;
}
