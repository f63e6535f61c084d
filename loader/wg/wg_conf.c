// SPDX-License-Identifier: GPL-2.0-only
/* A WireGuard member's wg-quick configuration (see wg_conf.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "db/sub.h"
#include "db/wg_settings.h"
#include "wg/privkey.h"
#include "wg/wg_conf.h"
#include "wg/wg_nl.h"

void tg_wg_conf_address(const struct tg_prefix *p, struct tg_prefix *addr)
{
	unsigned int bits = p->family == AF_INET ? 32 : 128;
	int i;

	*addr = *p;
	if (p->len + 1U >= bits)
		return;
	/* + 1 with the carry: the host bits of a valid prefix are zero. */
	for (i = bits / 8 - 1; i >= 0 && ++addr->addr[i] == 0; i--)
		;
}

/* "a/len, b/len": the member's addresses. */
static void conf_addresses(const struct tg_sub *s, FILE *out)
{
	char a[TG_PREFIX_STRLEN];
	struct tg_prefix h;
	unsigned int i;

	fputs("Address = ", out);
	for (i = 0; i < s->nprefix; i++) {
		tg_wg_conf_address(&s->prefix[i], &h);
		tg_prefix_format(&h, a, sizeof(a));
		fprintf(out, "%s%s", i ? ", " : "", a);
	}
	fputc('\n', out);
}

int tg_wg_conf_write(sqlite3 *db, const char *name, const char *private_key,
		     FILE *out, char *err, size_t errlen)
{
	char path[4200], why[256], pub_b64[TG_WG_KEY_B64 + 1];
	char ep[TG_WG_HOST_MAX + 16], a[TG_PREFIX_STRLEN];
	__u8 priv[TG_WG_KEY_LEN], pub[TG_WG_KEY_LEN], k[TG_WG_KEY_LEN];
	struct tg_wg_settings ws;
	struct tg_sub s;
	unsigned int i;
	int ret;

	tg_sub_init(&s);
	ret = tg_db_sub_get(db, name, &s);
	if (ret) {
		snprintf(err, errlen, ret == -ENOENT ? "no subscriber '%s'" :
			 "cannot read subscriber '%s'", name);
		goto out;
	}
	if (s.type != TG_TUN_WIREGUARD) {
		snprintf(err, errlen, "subscriber '%s' is of type %s, not wireguard",
			 name, tg_tun_type_name(s.type));
		ret = -EINVAL;
		goto out;
	}
	if (!s.nprefix) {
		snprintf(err, errlen, "subscriber '%s' has no prefix", name);
		ret = -EINVAL;
		goto out;
	}
	if (private_key && tg_wg_key_parse(private_key, k)) {
		snprintf(err, errlen, "the private key is not a WireGuard key (base64 of 32 bytes)");
		ret = -EINVAL;
		goto out;
	}
	memset(k, 0, sizeof(k));
	ret = tg_wg_settings_load(db, &ws, why, sizeof(why));
	if (ret) {
		snprintf(err, errlen, "%s", why);
		goto out;
	}
	if (!ws.host[0]) {
		snprintf(err, errlen,
			 "no endpoint for members to dial: set it with 'tungate config set wg-endpoint HOST[:PORT]'");
		ret = -EINVAL;
		goto out;
	}
	ret = tg_wg_privkey_path(path, sizeof(path));
	if (!ret)
		ret = tg_wg_privkey_load(path, true, priv, pub, why, sizeof(why));
	memset(priv, 0, sizeof(priv));
	if (ret) {
		snprintf(err, errlen, "the concentrator's key: %s", why);
		goto out;
	}
	tg_wg_key_format(pub, pub_b64);
	tg_wg_endpoint_format(&ws, ws.port ? ws.port : tg_sub_wg_port(&s), ep,
			      sizeof(ep));

	fprintf(out, "# tungate WireGuard member %s\n[Interface]\n", s.name);
	if (private_key)
		fprintf(out, "PrivateKey = %s\n", private_key);
	else
		fputs("# PrivateKey = this router's own key ('wg genkey'), which never leaves it\n",
		      out);
	conf_addresses(&s, out);
	fprintf(out, "MTU = %u\n\n[Peer]\nPublicKey = %s\nEndpoint = %s\nAllowedIPs = ",
		ws.mtu, pub_b64, ep);
	for (i = 0; i < ws.nallowed; i++) {
		tg_prefix_format(&ws.allowed[i], a, sizeof(a));
		fprintf(out, "%s%s", i ? ", " : "", a);
	}
	fprintf(out, "\nPersistentKeepalive = %d\n", TG_WG_KEEPALIVE_S);
	if (fflush(out) || ferror(out)) {
		snprintf(err, errlen, "cannot write the configuration: %s",
			 strerror(errno));
		ret = -EIO;
	}
out:
	tg_sub_free(&s);
	return ret;
}
