// SPDX-License-Identifier: GPL-2.0-only
/* The concentrator's WireGuard private key file (see privkey.h). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <nettle/curve25519.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "db/conn.h"
#include "db/sub.h"
#include "wg/privkey.h"

int tg_wg_privkey_path(char *buf, size_t len)
{
	char db[4096];

	snprintf(db, sizeof(db), "%s", tg_db_path());
	if (snprintf(buf, len, "%s/%s", dirname(db), TG_WG_PRIVKEY_FILE) >=
	    (int)len)
		return -ENAMETOOLONG;
	return 0;
}

int tg_wg_keypair_new(__u8 priv[32], __u8 pub[32], char *err, size_t errlen)
{
	int ret;

	if (getrandom(priv, 32, 0) != 32) {
		ret = -errno;
		snprintf(err, errlen, "no random bytes: %s", strerror(-ret));
		return ret;
	}
	priv[0] &= 248;
	priv[31] = (priv[31] & 127) | 64;
	curve25519_mul_g(pub, priv);
	return 0;
}

/* A new key, written whole or not at all. */
static int privkey_create(const char *path, char *err, size_t errlen)
{
	char tmp[4200], b64[TG_WG_KEY_B64 + 2];
	__u8 k[32], pub[32];
	int fd, ret;

	ret = tg_wg_keypair_new(k, pub, err, errlen);
	if (ret)
		return ret;
	tg_wg_key_format(k, b64);
	strcat(b64, "\n");
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(-ret));
		return ret;
	}
	if (write(fd, b64, strlen(b64)) != (ssize_t)strlen(b64) || fsync(fd))
		ret = errno ? -errno : -EIO;
	close(fd);
	/* link(): a key another process made first stays the key. */
	if (!ret && link(tmp, path) && errno != EEXIST)
		ret = -errno;
	if (ret)
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(-ret));
	unlink(tmp);
	memset(k, 0, sizeof(k));
	return ret;
}

int tg_wg_privkey_load(const char *path, bool create, __u8 priv[32],
		       __u8 pub[32], char *err, size_t errlen)
{
	char b64[TG_WG_KEY_B64 + 8];
	struct stat st;
	ssize_t n;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create) {
		ret = privkey_create(path, err, errlen);
		if (ret)
			return ret;
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(-ret));
		return ret;
	}
	if (fstat(fd, &st) || (st.st_mode & 077)) {
		snprintf(err, errlen,
			 "%s: mode %04o lets others read the private key; chmod 600 it",
			 path, (unsigned int)(st.st_mode & 07777));
		close(fd);
		return -EPERM;
	}
	n = read(fd, b64, sizeof(b64) - 1);
	close(fd);
	if (n < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(-ret));
		return ret;
	}
	b64[n] = '\0';
	b64[strcspn(b64, "\n")] = '\0';
	if (tg_wg_key_parse(b64, priv)) {
		snprintf(err, errlen,
			 "%s: not a WireGuard key (base64 of 32 bytes on one line)",
			 path);
		return -EINVAL;
	}
	curve25519_mul_g(pub, priv);
	return 0;
}
