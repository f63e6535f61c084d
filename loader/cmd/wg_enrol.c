// SPDX-License-Identifier: GPL-2.0-only
/*
 * tungate wg enrol: a router's enrolment with the token of its invitation
 * and its public key, what the broker of 'tungate run' runs for each
 * request (so that with PostgreSQL it is a command like any other: pull,
 * change, push). The member is added as 'sub add --type wireguard' adds
 * it and the invitation marked used in the same transaction; stdout gets
 * the member's wg-quick file, a refusal one line "wg enrol: REASON: ...".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/cli.h"
#include "cmd/commands.h"
#include "cmd/wg.h"
#include "db/db.h"
#include "db/wg_invite.h"
#include "wg/wg_conf.h"

/* One line "TOKEN PUBLIC_KEY" is far shorter. */
#define ENROL_LINE_MAX 256

struct enrol {
	const char *hash, *key;
	__s64 now;
	char *conf;		/* the member's wg-quick file */
	size_t conf_len;
};

/* In the member's transaction: the invitation used, the file made. */
static int enrol_then(sqlite3 *db, const struct tg_sub *s, void *ctx,
		      char *err, size_t errlen)
{
	struct enrol *e = ctx;
	char why[256];
	FILE *f;
	int ret;

	ret = tg_db_wg_invite_use(db, e->hash, e->key, e->now);
	if (ret == -ESTALE) {
		snprintf(err, errlen, "used: the invitation was used or withdrawn meanwhile");
		return ret;
	}
	if (ret) {
		snprintf(err, errlen, "error: cannot mark the invitation used: %s",
			 sqlite3_errmsg(db));
		return ret;
	}
	f = open_memstream(&e->conf, &e->conf_len);
	if (!f) {
		snprintf(err, errlen, "error: out of memory");
		return -ENOMEM;
	}
	ret = tg_wg_conf_write(db, s->name, NULL, f, why, sizeof(why));
	fclose(f);
	if (ret)
		snprintf(err, errlen, "error: the member's configuration: %s", why);
	return ret;
}

/* TOKEN and KEY from argv or from one line of stdin. */
static int enrol_args(int argc, char **argv, char *line, size_t len,
		      const char **token, const char **key)
{
	char *save = NULL;

	if (argc == 3) {
		*token = argv[1];
		*key = argv[2];
		return 0;
	}
	if (argc != 1) {
		tg_err("wg enrol: needs TOKEN PUBLIC_KEY, or them on standard input");
		return -EINVAL;
	}
	if (!fgets(line, len, stdin)) {
		tg_err("wg enrol: nothing on standard input (TOKEN PUBLIC_KEY)");
		return -EINVAL;
	}
	*token = strtok_r(line, " \t\r\n", &save);
	*key = *token ? strtok_r(NULL, " \t\r\n", &save) : NULL;
	if (!*key || strtok_r(NULL, " \t\r\n", &save)) {
		tg_err("wg enrol: standard input: one line TOKEN PUBLIC_KEY");
		return -EINVAL;
	}
	return 0;
}

int tg_wg_enrol_cmd(int argc, char **argv)
{
	char line[ENROL_LINE_MAX], hash[TG_WG_HASH_HEX + 1], err[320];
	char when[32];
	struct enrol e = {};
	struct tg_wg_invite iv;
	const char *token, *key;
	__u8 raw[32];
	sqlite3 *db = NULL;
	struct tg_sub s;
	time_t t;
	int ret;

	tg_sub_init(&s);
	ret = enrol_args(argc, argv, line, sizeof(line), &token, &key);
	if (ret)
		return ret;
	if (!tg_wg_token_wellformed(token)) {
		tg_err("wg enrol: unknown: not a token of an invitation");
		return -EPERM;
	}
	if (tg_wg_key_parse(key, raw)) {
		tg_err("wg enrol: bad_key: not a WireGuard public key (base64 of 32 bytes, as 'wg pubkey' prints it)");
		return -EINVAL;
	}
	tg_wg_token_hash(token, hash);
	ret = tg_db_open(tg_db_path(), false, &db);
	if (ret)
		goto out;
	ret = tg_db_wg_invite_find(db, hash, &iv);
	if (ret == -ENOENT) {
		tg_err("wg enrol: unknown: no invitation has this token");
		ret = -EPERM;
		goto out;
	} else if (ret) {
		tg_err("wg enrol: error: cannot read the invitations: %s",
		       sqlite3_errmsg(db));
		goto out;
	}
	e.now = time(NULL);
	if (iv.used) {
		tg_err("wg enrol: used: the invitation '%s' was used already",
		       iv.name);
		ret = -EPERM;
		goto out;
	}
	if (iv.expires <= e.now) {
		t = iv.expires;
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
		tg_err("wg enrol: expired: the invitation '%s' expired at %s",
		       iv.name, when);
		ret = -EPERM;
		goto out;
	}
	ret = tg_wg_invite_sub(&iv, key, &s, err, sizeof(err));
	if (ret) {
		tg_err("wg enrol: refused: %s", err);
		goto out;
	}
	ret = tg_sub_check_ifnets("wg enrol: refused", &s);
	if (ret)
		goto out;
	e.hash = hash;
	e.key = key;
	ret = tg_db_sub_add_then(db, &s, enrol_then, &e, err, sizeof(err));
	if (ret == -EEXIST && !strncmp(err, "--public-key", 12)) {
		tg_err("wg enrol: key_in_use: another member has this public key");
	} else if (ret && (ret == -ESTALE || !strncmp(err, "error: ", 7))) {
		tg_err("wg enrol: %s", err);
	} else if (ret == -EIO) {
		tg_err("wg enrol: error: %s", err);
	} else if (ret) {
		tg_err("wg enrol: refused: %s", err);
	} else {
		fwrite(e.conf, 1, e.conf_len, stdout);
	}
out:
	free(e.conf);
	tg_sub_free(&s);
	tg_db_close(db);
	return ret;
}
