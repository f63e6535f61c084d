// SPDX-License-Identifier: GPL-2.0-only
/* The certificate and key of a TLS server (see tls_files.h). */
#include <errno.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "util/tls_files.h"

bool tg_tls_supported(void)
{
	return MHD_is_feature_supported(MHD_FEATURE_TLS) == MHD_YES;
}

/*
 * The file at path, NUL-terminated, in *out (malloc'd): its length, or
 * negative errno with the cause in err. A key others may read is refused.
 */
static ssize_t tls_read(const char *path, bool key, char **out, char *err,
			size_t errlen)
{
	struct stat st;
	ssize_t n, len = 0;
	char *buf;
	int fd, ret;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "'%s': cannot read: %s", path,
			 strerror(errno));
		return ret;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "'%s': not a regular file", path);
		close(fd);
		return -EINVAL;
	}
	if (key && (st.st_mode & 007)) {
		snprintf(err, errlen,
			 "'%s': mode %04o lets others read the private key; chmod o= it",
			 path, (unsigned int)(st.st_mode & 07777));
		close(fd);
		return -EPERM;
	}
	if (st.st_size > TG_TLS_FILE_MAX) {
		snprintf(err, errlen, "'%s': larger than %u KiB", path,
			 TG_TLS_FILE_MAX >> 10);
		close(fd);
		return -EFBIG;
	}
	buf = malloc(TG_TLS_FILE_MAX + 1);
	if (!buf) {
		close(fd);
		snprintf(err, errlen, "'%s': out of memory", path);
		return -ENOMEM;
	}
	while ((n = read(fd, buf + len, TG_TLS_FILE_MAX - len)) > 0)
		len += n;
	ret = n < 0 ? -errno : 0;
	close(fd);
	if (ret || len == TG_TLS_FILE_MAX) {
		snprintf(err, errlen, "'%s': cannot read: %s", path,
			 ret ? strerror(-ret) : "too large");
		explicit_bzero(buf, TG_TLS_FILE_MAX);
		free(buf);
		return ret ? ret : -EFBIG;
	}
	buf[len] = '\0';
	*out = buf;
	return len;
}

static void tls_free(char *buf)
{
	if (buf)
		explicit_bzero(buf, strlen(buf));
	free(buf);
}

/* A chain of at least one certificate in PEM: 0 or -EINVAL (err). */
static int tls_cert_parse(const char *path, const char *pem, size_t len,
			  char *err, size_t errlen)
{
	gnutls_datum_t d = { (unsigned char *)pem, (unsigned int)len };
	gnutls_x509_crt_t *crts = NULL;
	unsigned int n = 0, i;
	int ret;

	if (!strstr(pem, "-----BEGIN CERTIFICATE-----")) {
		snprintf(err, errlen,
			 "'%s': not a PEM certificate (no -----BEGIN CERTIFICATE-----)",
			 path);
		return -EINVAL;
	}
	ret = gnutls_x509_crt_list_import2(&crts, &n, &d, GNUTLS_X509_FMT_PEM,
					   0);
	if (ret < 0 || !n) {
		snprintf(err, errlen, "'%s': not a PEM certificate: %s", path,
			 ret < 0 ? gnutls_strerror(ret) : "none found");
		return -EINVAL;
	}
	for (i = 0; i < n; i++)
		gnutls_x509_crt_deinit(crts[i]);
	gnutls_free(crts);
	return 0;
}

/* A private key in PEM (PKCS#1, PKCS#8, SEC1): 0 or -EINVAL (err). */
static int tls_key_parse(const char *path, const char *pem, size_t len,
			 char *err, size_t errlen)
{
	gnutls_datum_t d = { (unsigned char *)pem, (unsigned int)len };
	gnutls_x509_privkey_t k;
	int ret;

	if (!strstr(pem, "PRIVATE KEY-----")) {
		snprintf(err, errlen,
			 "'%s': not a PEM private key (no -----BEGIN ... PRIVATE KEY-----)",
			 path);
		return -EINVAL;
	}
	if (gnutls_x509_privkey_init(&k) < 0) {
		snprintf(err, errlen, "'%s': out of memory", path);
		return -ENOMEM;
	}
	ret = gnutls_x509_privkey_import2(k, &d, GNUTLS_X509_FMT_PEM, NULL, 0);
	gnutls_x509_privkey_deinit(k);
	if (ret < 0) {
		snprintf(err, errlen, "'%s': not a PEM private key%s: %s", path,
			 ret == GNUTLS_E_DECRYPTION_FAILED ? " without a password" :
			 "", gnutls_strerror(ret));
		return -EINVAL;
	}
	return 0;
}

static int tls_check(const char *path, bool key, char *err, size_t errlen)
{
	char *pem;
	ssize_t len;
	int ret;

	len = tls_read(path, key, &pem, err, errlen);
	if (len < 0)
		return len;
	ret = key ? tls_key_parse(path, pem, len, err, errlen) :
		    tls_cert_parse(path, pem, len, err, errlen);
	tls_free(pem);
	return ret;
}

int tg_tls_cert_check(const char *path, char *err, size_t errlen)
{
	return tls_check(path, false, err, errlen);
}

int tg_tls_key_check(const char *path, char *err, size_t errlen)
{
	return tls_check(path, true, err, errlen);
}

int tg_tls_load(const char *cert_path, const char *key_path,
		struct tg_tls_files *f, char *err, size_t errlen)
{
	gnutls_certificate_credentials_t cred;
	gnutls_datum_t c, k;
	ssize_t clen, klen;
	int ret;

	memset(f, 0, sizeof(*f));
	clen = tls_read(cert_path, false, &f->cert, err, errlen);
	if (clen < 0)
		return clen;
	klen = tls_read(key_path, true, &f->key, err, errlen);
	if (klen < 0) {
		ret = klen;
		goto out;
	}
	ret = tls_cert_parse(cert_path, f->cert, clen, err, errlen);
	if (!ret)
		ret = tls_key_parse(key_path, f->key, klen, err, errlen);
	if (ret)
		goto out;
	/* As libmicrohttpd will load them: the pair must match. */
	if (gnutls_certificate_allocate_credentials(&cred) < 0) {
		snprintf(err, errlen, "out of memory");
		ret = -ENOMEM;
		goto out;
	}
	c = (gnutls_datum_t){ (unsigned char *)f->cert, (unsigned int)clen };
	k = (gnutls_datum_t){ (unsigned char *)f->key, (unsigned int)klen };
	ret = gnutls_certificate_set_x509_key_mem2(cred, &c, &k,
						   GNUTLS_X509_FMT_PEM, NULL, 0);
	gnutls_certificate_free_credentials(cred);
	if (ret == GNUTLS_E_CERTIFICATE_KEY_MISMATCH) {
		snprintf(err, errlen,
			 "the key '%s' is not the key of the certificate '%s'",
			 key_path, cert_path);
		ret = -EINVAL;
	} else if (ret < 0) {
		snprintf(err, errlen, "'%s' with '%s': %s", cert_path, key_path,
			 gnutls_strerror(ret));
		ret = -EINVAL;
	} else {
		ret = 0;
	}
out:
	if (ret)
		tg_tls_files_free(f);
	return ret;
}

void tg_tls_files_free(struct tg_tls_files *f)
{
	free(f->cert);
	tls_free(f->key);
	f->cert = f->key = NULL;
}
