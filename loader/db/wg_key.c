// SPDX-License-Identifier: GPL-2.0-only
/* WireGuard keys as members and operators write them: base64 of 32 bytes. */
#include <errno.h>
#include <string.h>
#include <nettle/base64.h>

#include "db/sub.h"

int tg_wg_key_parse(const char *b64, __u8 key[32])
{
	struct base64_decode_ctx ctx;
	char back[TG_WG_KEY_B64 + 1];
	__u8 raw[BASE64_DECODE_LENGTH(TG_WG_KEY_B64)];
	size_t n;

	/* Exactly one padding character: 32 bytes are 43 digits and '='. */
	if (strlen(b64) != TG_WG_KEY_B64 || b64[TG_WG_KEY_B64 - 1] != '=' ||
	    b64[TG_WG_KEY_B64 - 2] == '=')
		return -EINVAL;
	base64_decode_init(&ctx);
	if (!base64_decode_update(&ctx, &n, raw, TG_WG_KEY_B64, b64) ||
	    !base64_decode_final(&ctx) || n != 32)
		return -EINVAL;
	memcpy(key, raw, 32);
	/* The last digit's two spare bits are zero in a canonical key. */
	tg_wg_key_format(key, back);
	return strcmp(back, b64) ? -EINVAL : 0;
}

void tg_wg_key_format(const __u8 key[32], char b64[TG_WG_KEY_B64 + 1])
{
	base64_encode_raw(b64, 32, key);
	b64[TG_WG_KEY_B64] = '\0';
}
