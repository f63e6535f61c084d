/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A server's certificate (a chain allowed) and private key in PEM files:
 * read and checked with GnuTLS, the library libmicrohttpd serves TLS
 * with, so that what passes here is what the server takes.
 */
#ifndef TG_TLS_FILES_H
#define TG_TLS_FILES_H

#include <stdbool.h>
#include <stddef.h>

/* Larger files are refused (a chain is a few KiB). */
#define TG_TLS_FILE_MAX (256U << 10)

/* The contents of both files, NUL-terminated PEM. */
struct tg_tls_files {
	char *cert;
	char *key;
};

/* Whether libmicrohttpd can serve TLS (built with GnuTLS). */
bool tg_tls_supported(void);
/*
 * Read path and check it holds what it should: 0, or negative errno with
 * a one-line cause in err (the path named).
 */
int tg_tls_cert_check(const char *path, char *err, size_t errlen);
int tg_tls_key_check(const char *path, char *err, size_t errlen);
/*
 * Read both, check each and that the key is the certificate's: 0 with f
 * filled (tg_tls_files_free()), or negative errno with the cause in err.
 */
int tg_tls_load(const char *cert_path, const char *key_path,
		struct tg_tls_files *f, char *err, size_t errlen);
/* Free f, the key wiped first. */
void tg_tls_files_free(struct tg_tls_files *f);

#endif /* TG_TLS_FILES_H */
